//! Import memory benchmark (issue 9, finding 10): the peak resident memory
//! of `vangnet import facilities FILE` (the release binary, as a separate
//! process) for a large valid workbook, a workbook in which every row has
//! an error, and the same valid rows as CSV; against a tiny CSV as the
//! baseline (what the binary takes anyway: runtime, database pool,
//! reference geography).
//!
//! The files are generated here (`bench/facilities.rs`, the same facilities
//! as `bench/import.rs`, 60,000 rows) into a temporary folder, each case
//! on a fresh, migrated SQLite database. The peak is the maximum resident
//! set size that GNU time (`/usr/bin/time -f %M`, Debian's `time` package)
//! reads from the kernel when the child ends, so no short peak is missed;
//! the bench stops if GNU time is not installed.
//!
//! Run it with `cargo bench --bench import_memory` and record the table in
//! `bench/RESULTS.md`. `VANGNET_BENCH_ROWS` changes the number of rows.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, ensure, Context};
use rust_xlsxwriter::Workbook;

#[path = "facilities.rs"]
mod facilities;

const BIN: &str = env!("CARGO_BIN_EXE_vangnet");
const TIME: &str = "/usr/bin/time";

/// A finished run: its peak memory, wall time and output.
struct Run {
    peak_kib: u64,
    seconds: f64,
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `vangnet ARGS --database DB` under GNU time.
fn measured(args: &[&str], database: &str) -> anyhow::Result<Run> {
    let report = std::env::temp_dir().join(format!("vangnet_time_{}", std::process::id()));
    let started = Instant::now();
    let output = Command::new(TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(BIN)
        .args(args)
        .args(["--database", database])
        .env_remove("VANGNET_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {TIME}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let written = std::fs::read_to_string(&report)?;
    std::fs::remove_file(&report)?;
    // A failing run adds "Command exited with non-zero status N" first.
    let peak_kib = written
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .with_context(|| format!("{TIME} wrote no peak: {written:?}"))?;
    Ok(Run {
        peak_kib,
        seconds,
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The rows as an XLSX workbook, every cell a string (as a spreadsheet
/// program saves a typed list), one sheet.
fn facilities_xlsx(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in facilities::HEADER.split(',').enumerate() {
        sheet.write_string(0, col as u16, header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(i as u32 + 1, col as u16, cell)?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// A fresh, migrated SQLite database in `dir`.
fn fresh_database(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(format!("{name}.db"));
    let database = path.display().to_string();
    let migrate = Command::new(BIN)
        .args(["migrate", "--database", &database])
        .env_remove("VANGNET_DATABASE_URL")
        .output()?;
    ensure!(
        migrate.status.success(),
        "migrate: {}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    Ok(database)
}

struct Case {
    name: &'static str,
    file: PathBuf,
    dry_run: bool,
    /// Whether the import must succeed.
    valid: bool,
}

fn main() -> anyhow::Result<()> {
    if !Path::new(TIME).exists() {
        bail!("{TIME} (GNU time) is not installed: apt-get install time");
    }
    let rows: usize = std::env::var("VANGNET_BENCH_ROWS")
        .ok()
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(60_000);
    let dir = tempfile::tempdir()?;
    let today = vangnet::domain::date::today();
    let valid = facilities::facility_rows(rows, today);
    // Every row with an error: a service that does not exist.
    let invalid: Vec<Vec<String>> = valid
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row[2] = "coffeeshop".into();
            row
        })
        .collect();
    let write = |name: &str, bytes: Vec<u8>| -> anyhow::Result<PathBuf> {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes)?;
        Ok(path)
    };
    let tiny = write("klein.csv", facilities::facilities_csv(&valid[..1])?)?;
    let xlsx = write("voorzieningen.xlsx", facilities_xlsx(&valid)?)?;
    let bad_xlsx = write("fouten.xlsx", facilities_xlsx(&invalid)?)?;
    let csv = write("voorzieningen.csv", facilities::facilities_csv(&valid)?)?;
    let size = |path: &Path| -> anyhow::Result<String> {
        Ok(format!(
            "{:.1} MB",
            std::fs::metadata(path)?.len() as f64 / 1_000_000.0
        ))
    };
    eprintln!(
        "{rows} rows: workbook {}, workbook with errors {}, CSV {}",
        size(&xlsx)?,
        size(&bad_xlsx)?,
        size(&csv)?
    );

    let cases = [
        Case {
            name: "baseline: 1-row CSV, dry run",
            file: tiny,
            dry_run: true,
            valid: true,
        },
        Case {
            name: "valid workbook, dry run",
            file: xlsx.clone(),
            dry_run: true,
            valid: true,
        },
        Case {
            name: "valid workbook, import",
            file: xlsx,
            dry_run: false,
            valid: true,
        },
        Case {
            name: "workbook, every row an error, dry run",
            file: bad_xlsx,
            dry_run: true,
            valid: false,
        },
        Case {
            name: "valid CSV, dry run",
            file: csv.clone(),
            dry_run: true,
            valid: true,
        },
        Case {
            name: "valid CSV, import",
            file: csv,
            dry_run: false,
            valid: true,
        },
    ];
    println!(
        "| case | file | peak RSS (MiB) | above baseline (MiB) | wall (s) | report printed (KiB) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let mut baseline = None;
    for (i, case) in cases.iter().enumerate() {
        let database = fresh_database(dir.path(), &format!("case{i}"))?;
        let file = case.file.display().to_string();
        let mut args = vec!["import", "facilities", file.as_str()];
        if case.dry_run {
            args.push("--dry-run");
        }
        let run = measured(&args, &database)?;
        ensure!(
            run.success == case.valid,
            "{}: unexpected outcome:\n{}\n{}",
            case.name,
            run.stdout.chars().take(2000).collect::<String>(),
            run.stderr
        );
        let base = *baseline.get_or_insert(run.peak_kib);
        eprintln!(
            "{}: {} KiB in {:.2} s",
            case.name, run.peak_kib, run.seconds
        );
        println!(
            "| {} | {} | {:.1} | {:+.1} | {:.2} | {:.1} |",
            case.name,
            size(&case.file)?,
            run.peak_kib as f64 / 1024.0,
            (run.peak_kib as f64 - base as f64) / 1024.0,
            run.seconds,
            run.stdout.len() as f64 / 1024.0
        );
    }
    Ok(())
}
