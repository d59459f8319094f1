//! Import benchmark (issue 2): how long `vangnet::import::import_facilities`
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

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use chrono::{Datelike, Days, NaiveDate};
use sqlx::{AnyConnection, Connection};
use vangnet::domain::provenance::Actor;
use vangnet::import::{import_facilities, ImportOptions, ImportReport};
use vangnet::storage::Store;

const ROWS: usize = 10_000;
const RUNS: usize = 3;

/// Value lists, `|`-separated: services (in bit order), the first word of a
/// facility's name by its first service, 10 organisation kinds × 5 regions
/// (= 50 organisations), opening hours, streets and sources.
const SERVICES: &str =
    "consumption_room|methadone_clinic|heroin_unit|syringe_exchange|paraphernalia|naloxone";
const NAME_KINDS: &str =
    "Huiskamer|Medicatiepost|Heroïnepoli|Spuitomruilpunt|Uitgiftepunt|Naloxonpunt";
const ORG_KINDS: &str = "Stichting Straatzorg|Verslavingszorg|GGD|Stichting De Overloop|\
    Apotheek Centraal|Leger des Heils|Stichting Nachtopvang|Zorggroep Herstel|Stichting Vangnet|\
    Maatschappelijke Opvang";
const REGIONS: &str = "Noord|Oost|Zuid|West|Midden";
const HOURS: &str = "Mo-Fr 09:00-17:00|Mo-Su 08:00-10:00,16:00-18:00|Mo-Sa 10:00-22:00|\
    Tu,Th 13:00-17:00|24/7|Mo-Fr 08:30-12:30; Sa 10:00-14:00";
const STREETS: &str = "Stationsweg|Kerkstraat|Dorpsstraat|Molenweg|Schoolstraat|Havenkade";
const SOURCES: &str = "survey|phone|website|ladis|inventory";
/// Postcode letters without S: SA, SD and SS are not issued.
const LETTERS: &[u8] = b"ABCDEGHJKLMNPRTVWXZ";
const HEADER: &str = "name,organisation,services,street,postcode,city,municipality_code,\
    latitude,longitude,opened_on,closed_on,public_access,mobile,rooms,capacity,opening_hours,\
    source,verified_on";

/// splitmix64: small and deterministic, so every run imports the same file.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    /// One item of a `|`-separated list.
    fn pick(&mut self, list: &'static str) -> &'static str {
        let items: Vec<&str> = list.split('|').collect();
        items[self.below(items.len())]
    }
}

/// A valid CSV of `ROWS` distinct facilities spread over all 342 municipalities.
fn facilities_csv(today: NaiveDate) -> anyhow::Result<Vec<u8>> {
    let geo = vangnet::geo::geo();
    // The lowest postcode area (PC4) of each municipality, for real postcodes.
    let mut pc4: HashMap<&str, u16> = HashMap::new();
    for pc in 1000..=9999 {
        if let Some(area) = geo.postcode(pc) {
            pc4.entry(area.municipality_code.as_str()).or_insert(pc);
        }
    }
    let (kinds, regions): (Vec<&str>, Vec<&str>) =
        (ORG_KINDS.split('|').collect(), REGIONS.split('|').collect());
    let organisations: Vec<String> = (0..50)
        .map(|i| format!("{} {}", kinds[i / 5], regions[i % 5]))
        .collect();
    let services: Vec<&str> = SERVICES.split('|').collect();
    let name_kinds: Vec<&str> = NAME_KINDS.split('|').collect();
    let municipalities = geo.municipalities();
    let start = NaiveDate::from_ymd_opt(1995, 1, 1).expect("a date");
    let mut rng = Rng(2);
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER.split(','))?;
    for i in 0..ROWS {
        let m = &municipalities[i % municipalities.len()];
        let bits = 1 + rng.below(63); // a non-empty set of services
        let offered: Vec<&str> = (0..6)
            .filter(|b| bits & (1 << b) != 0)
            .map(|b| services[b])
            .collect();
        let name = format!(
            "{} {} {:05}",
            name_kinds[bits.trailing_zeros() as usize],
            m.name,
            i + 1
        );
        let mut letter = || LETTERS[rng.below(LETTERS.len())] as char;
        let postcode = pc4
            .get(m.code.as_str())
            .map(|pc| format!("{pc} {}{}", letter(), letter()));
        // Within about a kilometre of the municipality's main place.
        let mut near = |degrees: Option<f64>, low: f64, high: f64| {
            let jitter = (rng.below(2001) as f64 - 1000.0) / 100_000.0;
            degrees.map(|d| format!("{:.5}", (d + jitter).clamp(low, high)))
        };
        let latitude = near(m.latitude, 50.71, 53.69);
        let longitude = near(m.longitude, 3.21, 7.29);
        let opened = start + Days::new(rng.below(30 * 365) as u64);
        // One in ten facilities opened before 2015 has closed since.
        let closed = (opened.year() < 2015 && rng.below(10) == 0)
            .then(|| (opened + Days::new(1 + rng.below(3000) as u64)).to_string());
        // Rooms for consumption rooms; capacity for them and heroin units.
        let rooms = (bits & 1 != 0).then(|| (1 + rng.below(4)).to_string());
        let capacity = (bits & 5 != 0).then(|| (2 + rng.below(60)).to_string());
        let public = if rng.below(10) == 0 { "no" } else { "yes" };
        let mobile = if rng.below(20) == 0 { "yes" } else { "no" };
        let verified = today - Days::new(rng.below(700) as u64);
        out.write_record([
            name.as_str(),
            &organisations[rng.below(organisations.len())],
            &offered.join(";"),
            &format!("{} {}", rng.pick(STREETS), 1 + rng.below(200)),
            postcode.as_deref().unwrap_or(""),
            &m.name,
            &m.code,
            latitude.as_deref().unwrap_or(""),
            longitude.as_deref().unwrap_or(""),
            &opened.to_string(),
            closed.as_deref().unwrap_or(""),
            public,
            mobile,
            rooms.as_deref().unwrap_or(""),
            capacity.as_deref().unwrap_or(""),
            rng.pick(HOURS),
            rng.pick(SOURCES),
            &verified.to_string(),
        ])?;
    }
    Ok(out.into_inner()?)
}

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
        let csv = facilities_csv(vangnet::domain::date::today())?;
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
