//! Tally benchmarks (issue 12):
//!
//! 1. Importing 1,000,000 tally events from CSV with the real command,
//!    `vangnet import tallies FILE` (release binary, a process per engine,
//!    timed from start to exit, database creation and migration excluded),
//!    on SQLite and on PostgreSQL, next to the sqlite3 command line's
//!    `.import` of the same file into a plain table (no keys, no checks) of
//!    a database in WAL with `synchronous = FULL`, in the same run. Goal on
//!    SQLite: at least half the rows per second of that `.import`.
//! 2. `POST /api/v1/tallies` in batches of 100 from 16 clients for 10 s
//!    against `vangnet serve` on each engine: events/s and p50/p99 per batch.
//!
//! Needs: Debian's `sqlite3` on the PATH (`apt-get install -y sqlite3`), and
//! PostgreSQL at `postgres://postgres@127.0.0.1:5432` (or the server URL in
//! `VANGNET_BENCH_POSTGRES_URL`); a database `vangnet_bench_tallies_<pid>`
//! is created and dropped. The CSV file (about 50 MB) lives in a temp dir.
//! Run: `cargo bench --bench tallies` (part of `bench/run`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use sqlx::{AnyConnection, Connection};
use vangnet::domain::provenance::Actor;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet::storage::Store;

const ROWS: usize = 1_000_000;
const CLIENTS: usize = 16;
const BATCH: usize = 100;
const RUN: Duration = Duration::from_secs(10);

fn postgres_base() -> String {
    std::env::var("VANGNET_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A fresh database with one syringe exchange (id 1) and an admin token.
async fn prepare(database: &str) -> anyhow::Result<String> {
    let store = Store::connect(database).await?;
    let options = ImportOptions {
        dry_run: false,
        actor: Actor::named("bench"),
        file_name: "bench.csv".into(),
        today: vangnet::domain::date::today(),
    };
    let csv = "name,organisation,services,postcode,city,opened_on\n\
               Demo Spuitpunt,Demo Zorg,syringe_exchange;naloxone,3511 AB,Utrecht,2020-01-01\n";
    let report = import_facilities(&store, csv.as_bytes(), &options, &|_, _| {}).await?;
    ensure!(report.errors.is_empty(), "import: {:?}", report.errors);
    let (_, token) = store.create_token("bench", "admin").await?;
    store.close().await;
    Ok(token)
}

/// `ROWS` events a second apart from 2026-01-01 (Dutch time), without ids.
fn write_csv(path: &std::path::Path) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "facility_id,at,metric,amount")?;
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .context("date")?
        .and_hms_opt(0, 0, 0)
        .context("time")?;
    let metrics = ["syringes_out", "syringes_in", "naloxone_kits_out"];
    for i in 0..ROWS {
        let at = start + chrono::Duration::seconds(i as i64);
        writeln!(
            out,
            "1,{},{},{}",
            at.format("%Y-%m-%dT%H:%M:%S"),
            metrics[i % metrics.len()],
            1 + i % 10
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Seconds the import command takes.
fn import(file: &std::path::Path, database: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(["import", "tallies"])
        .arg(file)
        .args(["--database", database])
        .env("RUST_LOG", "warn")
        .output()
        .context("run vangnet import tallies")?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success() && stdout.contains(&format!("{ROWS} tallies stored")),
        "import failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(seconds)
}

/// Seconds sqlite3's `.import` takes for the same file into a plain table.
fn sqlite3_reference(dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<f64> {
    let database = dir.join("reference.db");
    let script = format!(
        "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n\
         CREATE TABLE tallies (facility_id INTEGER, at TEXT, metric TEXT, amount INTEGER);\n\
         .mode csv\n.import --skip 1 {} tallies\nSELECT count(*) FROM tallies;\n",
        file.display()
    );
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(&database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("sqlite3 is needed: apt-get install -y sqlite3")?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(script.as_bytes())?;
    let output = child.wait_with_output()?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        stdout.contains(&ROWS.to_string()),
        "sqlite3 .import: {stdout}"
    );
    Ok(seconds)
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(database: &str) -> anyhow::Result<(Serve, String)> {
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
    Ok((Serve(child), address.to_string()))
}

struct Load {
    events: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    failed: usize,
}

/// Sixteen clients posting batches of `BATCH` new tallies for `RUN`.
async fn hammer(address: &str, token: &str) -> anyhow::Result<Load> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()?;
    let start = Instant::now();
    let now = chrono::Utc::now().to_rfc3339();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let (client, base, token, now) = (
            client.clone(),
            address.to_string(),
            token.to_string(),
            now.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut answers: Vec<(bool, Duration)> = Vec::new();
            let mut n = 0usize;
            while start.elapsed() < RUN {
                let tallies: Vec<serde_json::Value> = (0..BATCH)
                    .map(|k| {
                        serde_json::json!({"id": format!("bench-{worker}-{n}-{k}"), "facility_id": 1,
                            "at": now, "metric": "syringes_out", "amount": 1})
                    })
                    .collect();
                n += 1;
                let sent = Instant::now();
                let reply = client
                    .post(format!("{base}/api/v1/tallies"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "tallies": tallies }))
                    .send()
                    .await;
                let ok = reply.is_ok_and(|r| r.status().is_success());
                answers.push((ok, sent.elapsed()));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.extend(task.await?);
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut times: Vec<Duration> = answers.iter().map(|(_, t)| *t).collect();
    times.sort();
    let percentile = |p: f64| {
        times
            .get(((times.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(Load {
        events: answers.iter().filter(|(ok, _)| *ok).count() * BATCH,
        seconds,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        failed: answers.iter().filter(|(ok, _)| !ok).count(),
    })
}

async fn admin(sql: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(&format!("{}/postgres", postgres_base())).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Both measurements on one database.
async fn engine(database: &str, file: &std::path::Path) -> anyhow::Result<(f64, Load)> {
    let token = prepare(database).await?;
    let seconds = import(file, database)?;
    let (server, address) = serve(database)?;
    let load = hammer(&address, &token).await?;
    drop(server);
    Ok((seconds, load))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("tallies.csv");
    write_csv(&file)?;
    let reference = sqlite3_reference(dir.path(), &file)?;
    let sqlite_db = dir.path().join("tallies.db").display().to_string();
    let (sqlite_import, sqlite_load) = engine(&sqlite_db, &file).await?;

    let name = format!("vangnet_bench_tallies_{}", std::process::id());
    admin(&format!("CREATE DATABASE {name}")).await?;
    let measured = engine(&format!("{}/{name}", postgres_base()), &file).await;
    admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    let (pg_import, pg_load) = measured?;

    let rate = |s: f64| ROWS as f64 / s;
    println!("\n## Tallies: importing {ROWS} events from CSV\n");
    println!("| what | seconds | rows/s | share of sqlite3 .import |");
    println!("|---|---:|---:|---:|");
    println!(
        "| sqlite3 `.import` into a plain table (WAL, synchronous=FULL) | {reference:.1} | {:.0} | 100% |",
        rate(reference)
    );
    for (engine, seconds) in [
        ("`vangnet import tallies`, SQLite", sqlite_import),
        ("`vangnet import tallies`, PostgreSQL", pg_import),
    ] {
        println!(
            "| {engine} | {seconds:.1} | {:.0} | {:.0}% |",
            rate(seconds),
            100.0 * reference / seconds
        );
    }
    println!(
        "\n## Tallies: POST /api/v1/tallies, batches of {BATCH}, {CLIENTS} clients, {} s\n",
        RUN.as_secs()
    );
    println!(
        "| engine | events stored | events/s | p50 per batch | p99 per batch | failed batches |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (engine, load) in [("SQLite", sqlite_load), ("PostgreSQL", pg_load)] {
        println!(
            "| {engine} | {} | {:.0} | {:.1} ms | {:.1} ms | {} |",
            load.events,
            load.events as f64 / load.seconds,
            load.p50_ms,
            load.p99_ms,
            load.failed
        );
    }
    Ok(())
}
