//! Dashboard benchmarks (issue 13), on ten years of 1,000 facilities:
//! 10,000,000 tally events and 1,000,000 report values (generated, see
//! `bench/dashboard_data.rs`).
//!
//! 1. Two dashboards read from vangnet's rollups on SQLite and on
//!    PostgreSQL, next to DuckDB computing the same totals from the same
//!    raw rows in memory (`bench/dashboard_duckdb.py`), in the same run:
//!    (a) monthly totals per province × metric for 2016–2025
//!    (`Store::area_totals` for the 12 provinces) and (b) the national
//!    totals per metric of 2025 (`area_totals` for `NL`, the months added
//!    up in Rust), each on the `approved` and the `live` basis. Each query
//!    runs once untimed and then `RUNS` times; best and median. Every
//!    (province, metric, month) total and every national total must be
//!    identical to DuckDB's, or the bench fails. Goal: vangnet faster than
//!    DuckDB on both queries, both bases, both engines. Loading is timed
//!    too (not a goal): `vangnet import tallies FILE` (the release binary,
//!    as `bench/tallies.rs` runs it) and `Store::insert_reports` in
//!    transactions of 5,000 reports (month by month, as they come in).
//! 2. Freshness: `vangnet serve` on each loaded database; 1,000 times a
//!    tally is posted (`POST /api/v1/tallies`, admin token) and, from its
//!    acknowledgement, `GET /api/v1/stats/metrics?source=all` (the live
//!    basis, read from the rollups) is asked until this month's national
//!    value includes it. Goal: max under 1 s.
//!
//! Needs: python3 with venv (a venv with PyPI's `duckdb` is made in
//! `target/bench-venv` the first time), GNU time (`/usr/bin/time`, for the
//! import's peak memory; left out without it), PostgreSQL at
//! `postgres://postgres@127.0.0.1:5432` (or `VANGNET_BENCH_POSTGRES_URL`;
//! a database `vangnet_bench_dashboard_<pid>` is created and dropped).
//! The CSV files (about 480 MB) and the SQLite database (about 3 GB, and
//! as much WAL while importing) live in a temp dir. The whole run took 56
//! minutes on a shared 2-core machine, most of it loading (bench/RESULTS.md);
//! `VANGNET_BENCH_DASHBOARD_FACILITIES=100` makes a tenth of the data (the
//! same per facility) for trying the bench out in a few minutes.
//! Run: `cargo bench --bench dashboard` (part of `bench/run`).

#[path = "dashboard_data.rs"]
mod dashboard_data;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use dashboard_data::Data;
use sqlx::{AnyConnection, Connection};
use vangnet::domain::figure::NATIONAL;
use vangnet::domain::geo::geo;
use vangnet::domain::provenance::Actor;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet::storage::rollups::Basis;
use vangnet::storage::write::Writes;
use vangnet::storage::Store;

const RUNS: usize = 10;
const REPORTS_PER_COMMIT: usize = 5_000;
const FRESHNESS_TALLIES: usize = 1_000;
const FRESHNESS_METRIC: &str = "syringes_out";
/// Waiting longer than this for a tally to show fails the bench.
const FRESHNESS_GIVE_UP: Duration = Duration::from_secs(10);
const DUCKDB: &str = "duckdb==2.0.1";

fn postgres_base() -> String {
    std::env::var("VANGNET_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// (area, metric, period) → total.
type Totals = BTreeMap<(String, String, String), i64>;

/// One side's answers and times for one basis.
struct Side {
    provinces: Totals,
    national: BTreeMap<String, i64>,
    provinces_ms: Vec<f64>,
    national_ms: Vec<f64>,
}

struct DuckDb {
    version: String,
    threads: String,
    load_seconds: f64,
    sides: Vec<(Basis, Side)>,
}

/// The venv's python with `duckdb`, made the first time (as `scripts/test`
/// makes its own).
fn duckdb_python() -> anyhow::Result<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-venv");
    let python = venv.join("bin/python");
    let has = |python: &Path| {
        Command::new(python)
            .args(["-c", "import duckdb"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has(&python) {
        eprintln!(
            "bench: installing {DUCKDB} from PyPI into {}",
            venv.display()
        );
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("python3 -m venv")?;
        ensure!(made.success(), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check", DUCKDB])
            .status()
            .context("pip install duckdb")?;
        ensure!(
            installed.success() && has(&python),
            "pip install {DUCKDB} failed"
        );
    }
    Ok(python)
}

fn number_list(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default()
}

/// DuckDB's answers and times, from the CSV files in `dir`.
fn duckdb(dir: &Path) -> anyhow::Result<DuckDb> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/dashboard_duckdb.py");
    let output = Command::new(duckdb_python()?)
        .arg(script)
        .arg(dir)
        .arg(RUNS.to_string())
        .stderr(Stdio::inherit())
        .output()
        .context("run bench/dashboard_duckdb.py")?;
    ensure!(output.status.success(), "bench/dashboard_duckdb.py failed");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut sides = Vec::new();
    for basis in Basis::ALL {
        let answer = &json[basis.code()];
        let mut provinces = Totals::new();
        for row in answer["provinces"].as_array().context("provinces")? {
            provinces.insert(
                (text(&row[0]), text(&row[1]), text(&row[2])),
                row[3].as_i64().context("a total")?,
            );
        }
        let mut national = BTreeMap::new();
        for row in answer["national"].as_array().context("national")? {
            national.insert(text(&row[0]), row[1].as_i64().context("a total")?);
        }
        sides.push((
            basis,
            Side {
                provinces,
                national,
                provinces_ms: number_list(&answer["provinces_ms"]),
                national_ms: number_list(&answer["national_ms"]),
            },
        ));
    }
    Ok(DuckDb {
        version: text(&json["version"]),
        threads: json["threads"].to_string(),
        load_seconds: json["load_seconds"].as_f64().unwrap_or_default(),
        sides,
    })
}

/// A fresh database with the facilities (facility `i` as id `i + 1`, in
/// its municipality) and an admin token.
async fn prepare(database: &str, data: &Data) -> anyhow::Result<String> {
    let store = Store::connect(database).await?;
    let options = ImportOptions {
        dry_run: false,
        actor: Actor::named("bench"),
        file_name: "bench.csv".into(),
        today: vangnet::domain::date::today(),
    };
    let csv = data.facilities_csv();
    let report = import_facilities(&store, csv.as_bytes(), &options, &|_, _| {}).await?;
    ensure!(report.errors.is_empty(), "import: {:?}", report.errors);
    let places = store.facility_places().await?;
    ensure!(
        places.len() == data.facilities,
        "{} facilities",
        places.len()
    );
    for place in places {
        let index: usize = place.name.trim_start_matches("Vangpunt ").parse()?;
        ensure!(
            place.id == index as i64 && place.municipality_code == data.places[index - 1].0,
            "facility {} is {place:?}",
            index
        );
    }
    let (_, token) = store.create_token("bench", "admin").await?;
    store.close().await;
    Ok(token)
}

/// Seconds `vangnet import tallies` takes, and its peak memory in MB
/// (with GNU time).
fn import_tallies(
    file: &Path,
    database: &str,
    rows: u64,
    dir: &Path,
) -> anyhow::Result<(f64, Option<f64>)> {
    let gnu_time = Path::new("/usr/bin/time");
    let memory = dir.join("import-memory.txt");
    let mut command = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.args(["-f", "%M", "-o"])
            .arg(&memory)
            .arg(env!("CARGO_BIN_EXE_vangnet"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_vangnet"))
    };
    let started = Instant::now();
    let output = command
        .args(["import", "tallies"])
        .arg(file)
        .args(["--database", database])
        .env("RUST_LOG", "warn")
        .output()
        .context("run vangnet import tallies")?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success() && stdout.contains(&format!("{rows} tallies stored")),
        "import failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peak = std::fs::read_to_string(&memory)
        .ok()
        .and_then(|t| t.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    Ok((seconds, peak))
}

/// Seconds `Store::insert_reports` takes for every report, committed
/// every `REPORTS_PER_COMMIT` reports.
async fn insert_reports(store: &Store, data: &Data) -> anyhow::Result<f64> {
    let reports: Vec<_> = data.reports_by_month().collect();
    let started = Instant::now();
    for chunk in reports.chunks(REPORTS_PER_COMMIT) {
        let mut tx = store.begin_write(Writes::Audit).await?;
        Store::insert_reports(&mut tx, chunk, "bench").await?;
        tx.commit().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// vangnet's answers and times for one basis.
async fn dashboards(store: &Store, basis: Basis) -> anyhow::Result<Side> {
    let provinces: Vec<String> = geo().provinces().iter().map(|p| p.code.clone()).collect();
    let national = [NATIONAL.to_string()];
    let by_province = || store.area_totals(basis, &provinces, None, "2016", "2026");
    let one_year = || async {
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for total in store
            .area_totals(basis, &national, None, "2025", "2026")
            .await?
        {
            *sums.entry(total.metric).or_default() += total.total;
        }
        anyhow::Ok(sums)
    };
    let (mut provinces_ms, mut national_ms) = (Vec::new(), Vec::new());
    let mut totals = by_province().await?;
    for _ in 0..RUNS {
        let started = Instant::now();
        totals = by_province().await?;
        provinces_ms.push(ms(started));
    }
    let mut sums = one_year().await?;
    for _ in 0..RUNS {
        let started = Instant::now();
        sums = one_year().await?;
        national_ms.push(ms(started));
    }
    Ok(Side {
        provinces: totals
            .into_iter()
            .map(|t| ((t.area, t.metric, t.period), t.total))
            .collect(),
        national: sums,
        provinces_ms,
        national_ms,
    })
}

type Measured = (&'static str, (Loaded, Vec<(Basis, Side)>, Freshness));

/// Fails naming the differences when an engine's totals differ from DuckDB's.
fn compare((engine, (_, sides, _)): &Measured, duck: &DuckDb) -> anyhow::Result<()> {
    for ((basis, ours), (_, theirs)) in sides.iter().zip(&duck.sides) {
        compare_basis(engine, *basis, ours, theirs)?;
    }
    Ok(())
}

fn compare_basis(engine: &str, basis: Basis, ours: &Side, duck: &Side) -> anyhow::Result<()> {
    let mut differences = Vec::new();
    for (key, total) in &duck.provinces {
        if ours.provinces.get(key) != Some(total) {
            differences.push(format!(
                "{key:?}: DuckDB {total}, vangnet {:?}",
                ours.provinces.get(key)
            ));
        }
    }
    for (key, total) in &ours.provinces {
        if !duck.provinces.contains_key(key) {
            differences.push(format!("{key:?}: DuckDB none, vangnet {total}"));
        }
    }
    if ours.national != duck.national {
        differences.push(format!(
            "national 2025: DuckDB {:?}, vangnet {:?}",
            duck.national, ours.national
        ));
    }
    if !differences.is_empty() {
        bail!(
            "{engine}, basis {}: {} totals differ from DuckDB's, e.g.\n{}",
            basis.code(),
            differences.len(),
            differences[..differences.len().min(20)].join("\n")
        );
    }
    ensure!(
        duck.provinces.len() > 1000 && !duck.national.is_empty(),
        "too few totals to compare"
    );
    Ok(())
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

/// Times from a tally's acknowledgement to its presence in the figures.
struct Freshness {
    ack_ms: Vec<f64>,
    present_ms: Vec<f64>,
    /// The most reads one tally needed.
    reads_max: usize,
}

/// This month's national live value of the metric, as the API answers.
async fn national_now(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    month: &str,
) -> anyhow::Result<i64> {
    let answer: serde_json::Value = client
        .get(format!("{base}/api/v1/stats/metrics"))
        .query(&[
            ("metric", FRESHNESS_METRIC),
            ("by", "month"),
            ("from", month),
            ("to", month),
            ("source", "all"),
        ])
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let row = &answer["rows"][0];
    ensure!(row["period"] == month, "unexpected answer: {answer}");
    Ok(row["value"].as_i64().unwrap_or(0))
}

async fn freshness(base: &str, token: &str, facilities: usize) -> anyhow::Result<Freshness> {
    let client = reqwest::Client::new();
    let month = vangnet::domain::date::today().format("%Y-%m").to_string();
    let mut expected = national_now(&client, base, token, &month).await?;
    let mut result = Freshness {
        ack_ms: Vec::new(),
        present_ms: Vec::new(),
        reads_max: 0,
    };
    for i in 0..FRESHNESS_TALLIES {
        let tally = serde_json::json!({"tallies": [{
            "id": format!("fresh-{}-{i}", std::process::id()),
            "facility_id": i % facilities + 1,
            "at": chrono::Utc::now().to_rfc3339(),
            "metric": FRESHNESS_METRIC,
            "amount": 1 + i % 5,
        }]});
        expected += 1 + (i % 5) as i64;
        let sent = Instant::now();
        client
            .post(format!("{base}/api/v1/tallies"))
            .bearer_auth(token)
            .json(&tally)
            .send()
            .await?
            .error_for_status()
            .context("POST /api/v1/tallies")?;
        result.ack_ms.push(ms(sent));
        let acknowledged = Instant::now();
        let mut reads = 0;
        loop {
            reads += 1;
            let value = national_now(&client, base, token, &month).await?;
            if value >= expected {
                ensure!(value == expected, "{value} where {expected} was expected");
                break;
            }
            ensure!(
                acknowledged.elapsed() < FRESHNESS_GIVE_UP,
                "tally {i} not in the figures after {FRESHNESS_GIVE_UP:?}"
            );
        }
        result.present_ms.push(ms(acknowledged));
        result.reads_max = result.reads_max.max(reads);
    }
    Ok(result)
}

struct Loaded {
    tallies_seconds: f64,
    peak_mb: Option<f64>,
    reports_seconds: f64,
}

/// Everything on one engine.
async fn engine(
    database: &str,
    data: &Data,
    dir: &Path,
) -> anyhow::Result<(Loaded, Vec<(Basis, Side)>, Freshness)> {
    let token = prepare(database, data).await?;
    eprintln!(
        "bench: importing {} tallies into {database}",
        data.tallies()
    );
    let (tallies_seconds, peak_mb) =
        import_tallies(&dir.join("tallies.csv"), database, data.tallies(), dir)?;
    eprintln!("bench: inserting {} report values", data.values());
    let store = Store::connect(database).await?;
    let reports_seconds = insert_reports(&store, data).await?;
    eprintln!("bench: dashboards");
    let mut sides = Vec::new();
    for basis in Basis::ALL {
        sides.push((basis, dashboards(&store, basis).await?));
    }
    store.close().await;
    eprintln!("bench: freshness");
    let (server, address) = serve(database)?;
    let fresh = freshness(&address, &token, data.facilities).await?;
    drop(server);
    Ok((
        Loaded {
            tallies_seconds,
            peak_mb,
            reports_seconds,
        },
        sides,
        fresh,
    ))
}

async fn admin(sql: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(&format!("{}/postgres", postgres_base())).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// (best, median) of times.
fn best_median(times: &[f64]) -> (f64, f64) {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (sorted[0], median)
}

fn percentile(times: &[f64], p: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let facilities = match std::env::var("VANGNET_BENCH_DASHBOARD_FACILITIES") {
        Ok(n) => n.parse().context("VANGNET_BENCH_DASHBOARD_FACILITIES")?,
        Err(_) => 1_000,
    };
    let data = Data::new(facilities)?;
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    data.write_tallies(&dir.path().join("tallies.csv"))?;
    data.write_reports(&dir.path().join("reports.csv"))?;
    data.write_places(&dir.path().join("places.csv"))?;
    eprintln!(
        "bench: wrote {} tallies and {} report values in {:.1} s; DuckDB",
        data.tallies(),
        data.values(),
        started.elapsed().as_secs_f64()
    );
    let duck = duckdb(dir.path())?;

    let mut engines = Vec::new();
    let sqlite_db = dir.path().join("dashboard.db").display().to_string();
    engines.push(("SQLite", engine(&sqlite_db, &data, dir.path()).await?));
    compare(&engines[0], &duck)?;
    let name = format!("vangnet_bench_dashboard_{}", std::process::id());
    admin(&format!("CREATE DATABASE {name}")).await?;
    let measured = engine(&format!("{}/{name}", postgres_base()), &data, dir.path()).await;
    admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    engines.push(("PostgreSQL", measured?));
    compare(&engines[1], &duck)?;

    println!(
        "\n## Dashboards: {} facilities, {} tallies, {} report values, 2016–2025\n",
        data.facilities,
        data.tallies(),
        data.values()
    );
    println!(
        "vangnet reads its rollups (`Store::area_totals`); DuckDB {} ({} threads) computes \
         from the raw rows in memory. {RUNS} runs after one untimed; ms.\n",
        duck.version, duck.threads
    );
    println!("| query | basis | engine | totals | vangnet best | vangnet median | DuckDB best | DuckDB median | DuckDB ÷ vangnet (median) | identical |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
    for (query, of) in [
        ("months × provinces × metrics, 10 years", 0),
        ("national per metric, 2025", 1),
    ] {
        for (basis, theirs) in &duck.sides {
            for (engine, (_, sides, _)) in &engines {
                let ours = &sides.iter().find(|(b, _)| b == basis).context("basis")?.1;
                let pick = |s: &Side| {
                    if of == 0 {
                        (s.provinces.len(), best_median(&s.provinces_ms))
                    } else {
                        (s.national.len(), best_median(&s.national_ms))
                    }
                };
                let (count, (best, median)) = pick(ours);
                let (_, (duck_best, duck_median)) = pick(theirs);
                println!(
                    "| {query} | {} | {engine} | {count} | {best:.2} | {median:.2} | {duck_best:.2} | {duck_median:.2} | {:.1}× | yes |",
                    basis.code(),
                    duck_median / median
                );
            }
        }
    }
    println!("\n## Dashboards: loading (not a goal)\n");
    println!("| engine | import of {} tallies | tallies/s | peak memory of the import | {} report values in transactions of {REPORTS_PER_COMMIT} reports | values/s |", data.tallies(), data.values());
    println!("|---|---:|---:|---:|---:|---:|");
    for (engine, (loaded, _, _)) in &engines {
        println!(
            "| {engine} | {:.1} s | {:.0} | {} | {:.1} s | {:.0} |",
            loaded.tallies_seconds,
            data.tallies() as f64 / loaded.tallies_seconds,
            loaded
                .peak_mb
                .map_or("–".to_string(), |mb| format!("{mb:.0} MB")),
            loaded.reports_seconds,
            data.values() as f64 / loaded.reports_seconds
        );
    }
    println!(
        "| DuckDB (read_csv into memory, both files) | {:.1} s | | | | |",
        duck.load_seconds
    );
    println!("\n## Dashboards: freshness, {FRESHNESS_TALLIES} tallies posted one at a time\n");
    println!("| engine | POST ack median | ack → in the figures: median | p99 | max | most reads needed | max < 1 s |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (engine, (_, _, fresh)) in &engines {
        let (_, ack) = best_median(&fresh.ack_ms);
        let (_, median) = best_median(&fresh.present_ms);
        let max = fresh.present_ms.iter().copied().fold(0.0, f64::max);
        println!(
            "| {engine} | {ack:.2} ms | {median:.2} ms | {:.2} ms | {max:.2} ms | {} | {} |",
            percentile(&fresh.present_ms, 0.99),
            fresh.reads_max,
            if max < 1000.0 { "yes" } else { "no" }
        );
    }
    Ok(())
}
