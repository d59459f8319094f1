//! Concurrent writes benchmark (issue 9, finding 0): sixteen clients each
//! change facilities' notes through the HTTP API for 10 s, as the finding
//! was reproduced (there with a Python script of 16 threads; each PATCH
//! changes only `notes`), against a real `vangnet serve` process (the
//! release binary) on each engine.
//!
//! Recorded per engine: acknowledged writes per second (2xx answers over
//! the run), the 50th and 99th percentile of the answer time, and every
//! answer that was not 2xx by status. Goals: 0 errors; at least 1,000
//! writes/s on SQLite and 800 on PostgreSQL.
//!
//! Next to them, the references from the same run on the same machine:
//! - SQLite in WAL with `synchronous = FULL` (as vangnet opens it): single-
//!   row `INSERT` transactions per second on one connection, for 3 s;
//! - PostgreSQL: `pgbench -N` (the simple-update script) with 16 clients
//!   and 2 threads for 10 s, on a scale-1 database made with `pgbench -i`.
//!
//! Run it with `cargo bench --bench writes` (it is also part of
//! `bench/run`) and record the figures in `bench/RESULTS.md`. PostgreSQL is
//! the server at `postgres://postgres@127.0.0.1:5432` (or
//! `VANGNET_BENCH_POSTGRES_URL`); `pgbench` must be on the PATH (Debian's
//! `postgresql-client`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use sqlx::{AnyConnection, Connection, Executor};
use vangnet::domain::provenance::Actor;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet::storage::Store;

const CLIENTS: usize = 16;
const RUN: Duration = Duration::from_secs(10);
const FACILITIES: usize = 200;

fn postgres_base() -> String {
    std::env::var("VANGNET_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A register of `FACILITIES` public facilities in Utrecht.
fn register_csv() -> String {
    let mut csv = String::from("name,organisation,services,postcode,city,opened_on\n");
    for i in 0..FACILITIES {
        csv.push_str(&format!(
            "Demo Punt {i},Demo Zorg {},syringe_exchange;naloxone,3511 AB,Utrecht,2020-01-01\n",
            i % 10
        ));
    }
    csv
}

/// The server process, killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Fills `database`, starts `vangnet serve` on it and returns the process,
/// its address, an admin token and the facility ids.
async fn serve(database: &str) -> anyhow::Result<(Serve, String, String, Vec<i64>)> {
    let store = Store::connect(database).await?;
    let options = ImportOptions {
        dry_run: false,
        actor: Actor::named("bench"),
        file_name: "bench.csv".into(),
        today: vangnet::domain::date::today(),
    };
    let report = import_facilities(&store, register_csv().as_bytes(), &options, &|_, _| {}).await?;
    ensure!(report.errors.is_empty(), "import: {:?}", report.errors);
    let (_, token) = store.create_token("bench", "admin").await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    store.close().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("start vangnet serve")?;
    let stdout = child.stdout.take().context("server stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(address) = line.trim().strip_prefix("listening on ") else {
        bail!("the server did not start: {line}");
    };
    Ok((Serve(child), address.to_string(), token, ids))
}

struct Outcome {
    acknowledged: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: Vec<(u16, usize)>,
    first_error: Option<String>,
}

/// Sixteen clients patching notes for `RUN`.
async fn hammer(address: &str, token: &str, ids: &[i64]) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()?;
    let ids = Arc::new(ids.to_vec());
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let client = client.clone();
        let ids = ids.clone();
        let base = address.to_string();
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            let mut answers: Vec<(u16, Duration, Option<String>)> = Vec::new();
            let mut n = worker;
            while start.elapsed() < RUN {
                let id = ids[(n * 7919) % ids.len()];
                n += CLIENTS;
                let sent = Instant::now();
                let reply = client
                    .patch(format!("{base}/api/v1/facilities/{id}"))
                    .bearer_auth(&token)
                    .header("content-type", "application/merge-patch+json")
                    .body(format!("{{\"notes\": \"client {worker} write {n}\"}}"))
                    .send()
                    .await;
                let took = sent.elapsed();
                match reply {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = if status >= 300 {
                            r.text().await.ok()
                        } else {
                            None
                        };
                        answers.push((status, took, body));
                    }
                    Err(e) => answers.push((0, took, Some(e.to_string()))),
                }
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.extend(task.await?);
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut times: Vec<Duration> = answers.iter().map(|(_, t, _)| *t).collect();
    times.sort();
    let percentile = |p: f64| {
        times
            .get(((times.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let mut errors: Vec<(u16, usize)> = Vec::new();
    for (status, _, _) in answers.iter().filter(|(s, _, _)| !(200..300).contains(s)) {
        match errors.iter_mut().find(|(s, _)| s == status) {
            Some((_, n)) => *n += 1,
            None => errors.push((*status, 1)),
        }
    }
    Ok(Outcome {
        acknowledged: answers
            .iter()
            .filter(|(s, _, _)| (200..300).contains(s))
            .count(),
        seconds,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        errors,
        first_error: answers
            .iter()
            .find(|(s, _, _)| !(200..300).contains(s))
            .and_then(|(s, _, b)| b.clone().map(|b| format!("{s}: {b}"))),
    })
}

/// The same writes without HTTP: sixteen tasks in this process calling
/// `register::patch_facility` for 5 s, to tell the storage's share of the
/// time from the HTTP round trip's. Returns writes/s and errors.
async fn direct(database: &str) -> anyhow::Result<(f64, usize)> {
    let store = Store::connect(database).await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    let who = vangnet::domain::access::Principal::command_line("bench");
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let store = store.clone();
        let ids = ids.clone();
        let who = who.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut failed) = (0usize, 0usize);
            let mut n = worker;
            let source = vangnet::domain::facility::manual_source("bench");
            let actor = Actor::named("bench");
            while start.elapsed() < Duration::from_secs(5) {
                let id = ids[(n * 7919) % ids.len()];
                n += CLIENTS;
                let patch = serde_json::json!({"notes": format!("direct {worker} {n}")});
                match vangnet::register::patch_facility(
                    &store,
                    id,
                    &patch,
                    &source,
                    &who,
                    &actor,
                    vangnet::domain::date::today(),
                )
                .await
                {
                    Ok(_) => ok += 1,
                    Err(_) => failed += 1,
                }
            }
            (ok, failed)
        }));
    }
    let (mut ok, mut failed) = (0, 0);
    for task in tasks {
        let (o, f) = task.await?;
        ok += o;
        failed += f;
    }
    let rate = ok as f64 / start.elapsed().as_secs_f64();
    store.close().await;
    Ok((rate, failed))
}

/// Single-row `INSERT` transactions per second on SQLite in WAL with
/// `synchronous = FULL`, on one connection, for 3 s.
async fn sqlite_reference(dir: &std::path::Path) -> anyhow::Result<f64> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", dir.join("reference.db").display());
    let mut conn = AnyConnection::connect(&url).await?;
    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .await?;
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        .await?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(3) {
        let mut tx = conn.begin().await?;
        sqlx::query("INSERT INTO t (v) VALUES ($1)")
            .bind(format!("row {n}"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// `pgbench -N -c 16 -j 2 -T 10` transactions per second.
fn postgres_reference(database: &str) -> anyhow::Result<f64> {
    let init = Command::new("pgbench")
        .args(["-i", "-q", database])
        .output()
        .context("run pgbench -i (install Debian's postgresql-client)")?;
    ensure!(
        init.status.success(),
        "pgbench -i: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let run = Command::new("pgbench")
        .args(["-N", "-c", "16", "-j", "2", "-T", "10", database])
        .output()
        .context("run pgbench")?;
    ensure!(
        run.status.success(),
        "pgbench: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let out = String::from_utf8_lossy(&run.stdout);
    out.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .context("pgbench printed no tps")
}

async fn admin(sql: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(&format!("{}/postgres", postgres_base())).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

fn row(engine: &str, outcome: &Outcome, reference: &str) -> String {
    let errors = if outcome.errors.is_empty() {
        "0".to_string()
    } else {
        outcome
            .errors
            .iter()
            .map(|(s, n)| format!("{n} × {s}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "| {engine} | {} | {:.0} | {:.1} ms | {:.1} ms | {errors} | {reference} |",
        outcome.acknowledged,
        outcome.acknowledged as f64 / outcome.seconds,
        outcome.p50_ms,
        outcome.p99_ms,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir()?;
    let mut rows = Vec::new();

    let sqlite_tps = sqlite_reference(dir.path()).await?;
    let database = dir.path().join("writes.db").display().to_string();
    let (server, address, token, ids) = serve(&database).await?;
    let outcome = hammer(&address, &token, &ids).await?;
    drop(server);
    if let Some(e) = &outcome.first_error {
        eprintln!("SQLite, first error: {e}");
    }
    let (rate, failed) = direct(&database).await?;
    eprintln!("SQLite, in-process without HTTP: {rate:.0} writes/s, {failed} failed");
    rows.push(row(
        "SQLite",
        &outcome,
        &format!("{sqlite_tps:.0} single-row transactions/s (WAL, synchronous=FULL)"),
    ));

    let name = format!("vangnet_bench_writes_{}", std::process::id());
    let reference = format!("vangnet_bench_pgbench_{}", std::process::id());
    admin(&format!("CREATE DATABASE {name}")).await?;
    admin(&format!("CREATE DATABASE {reference}")).await?;
    let pgbench_tps = postgres_reference(&format!("{}/{reference}", postgres_base()));
    let measured = async {
        let (server, address, token, ids) = serve(&format!("{}/{name}", postgres_base())).await?;
        let outcome = hammer(&address, &token, &ids).await;
        drop(server);
        let (rate, failed) = direct(&format!("{}/{name}", postgres_base())).await?;
        eprintln!("PostgreSQL, in-process without HTTP: {rate:.0} writes/s, {failed} failed");
        outcome
    }
    .await;
    admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    admin(&format!("DROP DATABASE IF EXISTS {reference} WITH (FORCE)")).await?;
    let outcome = measured?;
    if let Some(e) = &outcome.first_error {
        eprintln!("PostgreSQL, first error: {e}");
    }
    rows.push(row(
        "PostgreSQL",
        &outcome,
        &format!(
            "{:.0} transactions/s (pgbench -N, 16 clients)",
            pgbench_tps?
        ),
    ));

    println!(
        "\n## Concurrent writes: {CLIENTS} clients patching notes for {} s\n",
        RUN.as_secs()
    );
    println!("| engine | acknowledged | writes/s | p50 | p99 | errors | reference (same run) |");
    println!("|---|---:|---:|---:|---:|---|---|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}
