//! Import benchmark (issue 2): how long `vangnet::register::import::import_facilities`
//! takes for a CSV of 10,000 facilities, on SQLite and on PostgreSQL.
//!
//! Cases, per engine (only the import call is timed; creating and migrating
//! the database is not):
//! - `import (empty db)`: a real import into an empty database, 3 runs, each
//!   on a freshly created database; median and min are reported.
//! - `re-import (unchanged)`: the same file again into the filled database of
//!   the last run, the idempotent "nothing changed" path; 1 run.
//! - `dry run (empty db)`: a dry run of the file on an empty database; 1 run.
//!
//! Run it with `bench/run` (or `cargo bench --bench import`) and record the
//! figures in `bench/RESULTS.md`. SQLite uses a new file in the temp dir.
//! PostgreSQL uses a database `vangnet_bench_<pid>`, created and dropped on
//! the server at `postgres://postgres@127.0.0.1:5432`, or at the server URL
//! (without a database name) in `VANGNET_BENCH_POSTGRES_URL`. If that server
//! does not answer, the bench fails: it never skips PostgreSQL silently.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use sqlx::{AnyConnection, Connection};
use vangnet::domain::provenance::Actor;
use vangnet::register::import::{import_facilities, ImportOptions, ImportReport};
use vangnet::storage::Store;

#[path = "facilities.rs"]
mod facilities;

const ROWS: usize = 10_000;
const RUNS: usize = 3;

/// Times one call of the importer and checks its report with `expected`.
async fn time_import(
    store: &Store,
    csv: &[u8],
    dry_run: bool,
    expected: fn(&ImportReport) -> bool,
) -> anyhow::Result<Duration> {
    let options = ImportOptions {
        dry_run,
        actor: Actor::named("bench"),
        file_name: "bench.csv".into(),
        today: vangnet::domain::date::today(),
    };
    let started = Instant::now();
    let report = import_facilities(store, csv, &options, &|_, _| {}).await?;
    let elapsed = started.elapsed();
    ensure!(
        report.is_ok() && expected(&report),
        "unexpected report:\n{report}"
    );
    Ok(elapsed)
}

/// Where a fresh database comes from.
enum Target {
    Sqlite,
    /// The server URL, without a database name.
    Postgres(String),
}

impl Target {
    fn name(&self) -> &'static str {
        match self {
            Target::Sqlite => "SQLite",
            Target::Postgres(_) => "PostgreSQL",
        }
    }

    /// Runs `body` on a new, empty (migrated) database, then removes the
    /// database, also when `body` fails.
    async fn with_fresh<T>(
        &self,
        run: usize,
        body: impl AsyncFnOnce(&Store) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let db = format!("vangnet_bench_{}", std::process::id());
        let store = match self {
            Target::Sqlite => Store::connect(&sqlite_file(run)).await?,
            Target::Postgres(server) => {
                let create = [
                    format!("DROP DATABASE IF EXISTS {db}"),
                    format!("CREATE DATABASE {db}"),
                ];
                on_server(server, &create).await?;
                Store::connect(&format!("{server}/{db}")).await?
            }
        };
        let outcome = body(&store).await;
        store.close().await;
        match self {
            Target::Sqlite => {
                std::fs::remove_file(sqlite_file(run))?;
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_file(run)));
                }
            }
            // FORCE ends connections that might still be open.
            Target::Postgres(server) => {
                on_server(server, &[format!("DROP DATABASE {db} WITH (FORCE)")]).await?
            }
        }
        outcome
    }
}

/// A unique SQLite file in the temp dir for one run.
fn sqlite_file(run: usize) -> String {
    let file = format!("vangnet_bench_{}_{run}.db", std::process::id());
    std::env::temp_dir().join(file).display().to_string()
}

/// Runs statements on the server's `postgres` database (none: checks that it answers).
async fn on_server(server: &str, statements: &[String]) -> anyhow::Result<()> {
    let mut admin = AnyConnection::connect(&format!("{server}/postgres")).await.with_context(|| {
        format!("PostgreSQL does not answer at {server}; start it (bench/run does) or set VANGNET_BENCH_POSTGRES_URL")
    })?;
    for sql in statements {
        sqlx::query(sql).execute(&mut admin).await?;
    }
    Ok(admin.close().await?)
}

/// A line of the Markdown table for the wall times of one case.
fn table_line(engine: &str, case: &str, mut times: Vec<Duration>) -> String {
    times.sort();
    let (median, min) = (times[times.len() / 2], times[0]);
    let rate = ROWS as f64 / median.as_secs_f64();
    let (runs, median, min) = (times.len(), median.as_secs_f64(), min.as_secs_f64());
    format!("| {engine} | {case} | {runs} | {median:.3} s | {min:.3} s | {rate:.0} |")
}

/// The three cases on one engine, as lines of the table.
async fn bench(target: &Target, csv: &[u8]) -> anyhow::Result<Vec<String>> {
    let engine = target.name();
    let (mut imports, mut reimport) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let import = async |store: &Store| {
            let created_all = |r: &ImportReport| r.written && r.created == ROWS;
            imports.push(time_import(store, csv, false, created_all).await?);
            eprintln!("{engine}: import run {}: {:.2?}", run + 1, imports[run]);
            if run + 1 == RUNS {
                // Nothing is created or updated: every row is unchanged.
                let unchanged = |r: &ImportReport| r.unchanged == ROWS;
                reimport.push(time_import(store, csv, false, unchanged).await?);
                eprintln!("{engine}: re-import: {:.2?}", reimport[0]);
            }
            Ok(())
        };
        target.with_fresh(run, import).await?;
    }
    let dry_run = async |store: &Store| {
        let would_create = |r: &ImportReport| !r.written && r.created == ROWS;
        let time = time_import(store, csv, true, would_create).await?;
        eprintln!("{engine}: dry run: {time:.2?}");
        Ok(time)
    };
    let dry_run = target.with_fresh(RUNS, dry_run).await?;
    Ok(vec![
        table_line(engine, "import (empty db)", imports),
        table_line(engine, "re-import (unchanged)", reimport),
        table_line(engine, "dry run (empty db)", vec![dry_run]),
    ])
}

fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let server = std::env::var("VANGNET_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let server = server.trim_end_matches('/').to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Fail now, not after minutes on SQLite, when PostgreSQL is not there.
        on_server(&server, &[]).await?;
        let rows = facilities::facility_rows(ROWS, vangnet::domain::date::today());
        let csv = facilities::facilities_csv(&rows)?;
        eprintln!("{ROWS} facilities, {} KiB of CSV", csv.len() / 1024);
        let mut lines = bench(&Target::Sqlite, &csv).await?;
        lines.extend(bench(&Target::Postgres(server.clone()), &csv).await?);
        println!("| engine | case | runs | median | min | rows/s (median) |");
        println!("|---|---|---:|---:|---:|---:|");
        for line in lines {
            println!("{line}");
        }
        Ok(())
    })
}
