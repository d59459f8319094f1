//! Table 1 benchmark (issue 5): how long Table 1 takes for one day on a
//! register of 100,000 facilities with 1,000,000 history rows, on SQLite and
//! on PostgreSQL. Target: under 100 ms for any day.
//!
//! The register is generated straight into the tables (multi-row `INSERT`s
//! in one transaction, not the importer), deterministic, with:
//! - 500 organisations; 100,000 facilities spread over all 342
//!   municipalities, each in a real place (from the postcode areas) of it;
//! - 2–18 versions per facility, 10 on average, exactly 1,000,000 in all:
//!   the first valid since the beginning (as the register writes it), the
//!   others starting on days spread from the day the facility was first
//!   recorded (2000–mid 2025) to today; a version changes its services
//!   (15 %), capacity, public access (rarely) or municipality (rarely);
//! - a mix of services like the real register: many syringe-exchange,
//!   paraphernalia and naloxone points, fewer methadone clinics, few
//!   consumption rooms and heroin units (with rooms and capacity);
//! - 5 % not public (residents-only); 15 % closed, the closing day recorded
//!   from the version after it; 40 % with an unknown opening day (a quarter
//!   of those learn it in a later version), so `first_seen_on` matters, and
//!   some first seen (verified) before they were first recorded; a few
//!   planned (opening after they were first seen).
//!
//! Measured, per day (2000, 2005, 2010, 2014, 2018, 2022, 2026 and today):
//! - `before`: the Table 1 query as it was before issue 5 (the statement in
//!   [`OLD_QUERY`]), on the indexes of the first migration only;
//! - `after`: what `vangnet::rounds::table1::table1` counts with,
//!   `Store::tally_services` (via `count_services`): the in-memory counting
//!   index (src/storage/counting.rs), which first checks the register's
//!   generation with one query;
//!
//! each 25 times after 3 warm-up runs (median and max), on a warm cache.
//! Both must give the same numbers; the bench stops if they do not. Also
//! measured once: the first count after a start (it builds the index from
//! the whole history), and the count after the versions of 1 and of 1,000
//! facilities were written anew (the index reads those facilities again).
//!
//! Run it with `bench/run` (or `cargo bench --bench table1`) and record the
//! figures in `bench/RESULTS.md`. SQLite uses a new file in the temp dir;
//! PostgreSQL a database `vangnet_bench_t1_<pid>` on the server at
//! `postgres://postgres@127.0.0.1:5432` (or `VANGNET_BENCH_POSTGRES_URL`),
//! vacuumed and analysed after the load as autovacuum would. With
//! `VANGNET_BENCH_KEEP=1` the databases are kept for `EXPLAIN`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use chrono::{Days, NaiveDate};
use sqlx::{AnyConnection, Connection, Row};
use vangnet::domain::table1::ServiceCount;
use vangnet::storage::{Engine, Store};

const FACILITIES: usize = 100_000;
const ORGANISATIONS: usize = 500;
const VERSIONS_PER_FACILITY: usize = 10;
const RUNS: usize = 25;
const WARMUP: usize = 3;
/// Rows per `INSERT` statement.
const CHUNK: usize = 500;

/// The Table 1 query before issue 5 (`Store::count_services` at commit
/// 3e8e5e8), with the day bound twice as `$1`/`$2` and `$3`/`$4`.
const OLD_QUERY: &str = "SELECT s.code, COUNT(*) AS locations, \
    COUNT(DISTINCT v.municipality_code) AS municipalities, \
    CAST(SUM(v.capacity) AS BIGINT) AS capacity \
    FROM facility_versions v \
    JOIN facilities f ON f.id = v.facility_id \
    JOIN service_types s ON (v.services & s.bit) <> 0 \
    WHERE v.public_access = 1 AND v.valid_from <= $1 AND v.valid_to > $2 \
    AND COALESCE(v.opened_on, f.first_seen_on) <= $3 \
    AND (v.closed_on IS NULL OR v.closed_on > $4) \
    GROUP BY s.code";

/// Indexes added for Table 1 after the first migration; `before` runs
/// without them.
const NEW_INDEXES: &[&str] = &[];

/// splitmix64: small and deterministic, so every run loads the same register.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn plus(date: NaiveDate, days: usize) -> NaiveDate {
    date + Days::new(days as u64)
}

fn minus(date: NaiveDate, days: usize) -> NaiveDate {
    date - Days::new(days as u64)
}

fn quoted(date: Option<NaiveDate>) -> String {
    date.map_or("NULL".into(), |d| format!("'{d}'"))
}

fn number(n: Option<i64>) -> String {
    n.map_or("NULL".into(), |n| n.to_string())
}

/// A municipality with the places (and their postcode areas) in it.
struct Area {
    code: String,
    places: Vec<(u16, String, f64, f64)>,
}

fn areas() -> Vec<Area> {
    let geo = vangnet::domain::geo::geo();
    let mut areas: Vec<Area> = geo
        .municipalities()
        .iter()
        .map(|m| Area {
            code: m.code.clone(),
            places: Vec::new(),
        })
        .collect();
    for pc in 1000..=9999 {
        if let Some(area) = geo.postcode(pc) {
            if let Some(a) = areas.iter_mut().find(|a| a.code == area.municipality_code) {
                a.places
                    .push((pc, area.place.clone(), area.latitude, area.longitude));
            }
        }
    }
    areas.retain(|a| !a.places.is_empty());
    areas
}

/// A first set of services, as bits, in the proportions of a real register.
fn first_services(rng: &mut Rng) -> i64 {
    let maybe = |rng: &mut Rng, percent: usize, bit: i64| if rng.chance(percent) { bit } else { 0 };
    match rng.below(100) {
        0..=2 => 1 | maybe(rng, 50, 8) | maybe(rng, 70, 16) | maybe(rng, 50, 32),
        3..=4 => 4 | maybe(rng, 60, 2),
        5..=19 => 2 | maybe(rng, 40, 32),
        20..=59 => 8 | maybe(rng, 60, 16) | maybe(rng, 40, 32),
        60..=84 => 16 | maybe(rng, 30, 32),
        _ => 32,
    }
}

/// Places (consumption rooms) or treatment places (heroin units).
fn capacity_for(rng: &mut Rng, services: i64) -> (Option<i64>, Option<i64>) {
    let rooms = (services & 1 != 0).then(|| 1 + rng.below(3) as i64);
    let capacity = if services & 4 != 0 {
        Some(20 + rng.below(71) as i64)
    } else if services & 1 != 0 {
        Some(4 + rng.below(17) as i64)
    } else {
        None
    };
    (rooms, capacity)
}

const HOURS: &[&str] = &[
    "Mo-Fr 09:00-17:00",
    "Mo-Su 08:00-10:00,16:00-18:00",
    "Mo-Sa 10:00-22:00",
    "24/7",
];
const SOURCES: &[&str] = &["survey", "phone", "website", "ladis", "inventory", "manual"];
const KINDS: &[&str] = &[
    "Huiskamer",
    "Medicatiepost",
    "Spuitomruil",
    "Apotheek",
    "Uitgiftepunt",
];

/// The statements that load the register, in order.
fn register_sql(today: NaiveDate) -> Vec<String> {
    let areas = areas();
    let mut rng = Rng(5);
    let mut statements = Vec::new();
    let mut sql = String::new();
    let flush = |sql: &mut String, statements: &mut Vec<String>| {
        if !sql.is_empty() {
            statements.push(std::mem::take(sql));
        }
    };

    let mut orgs = String::from("INSERT INTO organisations (id, created_at) VALUES ");
    let mut org_versions = String::from(
        "INSERT INTO organisation_versions (organisation_id, version, valid_from, valid_to, \
         recorded_at, recorded_by, source_kind, name, name_key, kind) VALUES ",
    );
    for o in 1..=ORGANISATIONS {
        let sep = if o == 1 { "" } else { ", " };
        write!(orgs, "{sep}({o}, '2000-01-01T00:00:00Z')").unwrap();
        write!(
            org_versions,
            "{sep}({o}, 1, '0001-01-01', '9999-12-31', '2000-01-01T00:00:00Z', 'bench', \
             'manual', 'Stichting Bench {o}', 'stichting bench {o}', 'addiction_care')"
        )
        .unwrap();
    }
    statements.push(orgs);
    statements.push(org_versions);

    let epoch = day(2000, 1, 1);
    let recorded_span = (day(2025, 6, 30) - epoch).num_days() as usize;
    let mut version_rows = 0;
    let mut delta = 0;
    let mut versions_sql = String::new();
    let mut version_statements = Vec::new();
    for i in 1..=FACILITIES {
        // Versions: 10 ± d, pairwise, so the total is exactly 10 per facility.
        let versions = if i % 2 == 1 {
            delta = rng.below(9);
            VERSIONS_PER_FACILITY + delta
        } else {
            VERSIONS_PER_FACILITY - delta
        };
        let recorded = plus(epoch, rng.below(recorded_span));
        let first_seen = if rng.chance(20) {
            minus(recorded, rng.below(3 * 365))
        } else {
            recorded
        };
        let mut opened = match rng.below(100) {
            0..=54 => Some(minus(first_seen, rng.below(10 * 365))),
            55..=59 => Some(plus(first_seen, 1 + rng.below(700))),
            _ => None,
        };
        // Day on which a version first knows an unknown opening day.
        let learn_opened = if opened.is_none() && rng.chance(25) {
            Some(1 + rng.below(versions))
        } else {
            None
        };
        let span = (today - recorded).num_days().max(1) as usize;
        let mut starts: Vec<NaiveDate> = (1..versions)
            .map(|_| plus(recorded, rng.below(span)))
            .collect();
        starts.sort();
        let closes = rng.chance(15).then(|| plus(recorded, rng.below(span)));
        // The first version that records the closing: the one starting on
        // or after the day it closed, or the last.
        let close_from = closes.map(|c| {
            starts
                .iter()
                .position(|s| *s >= c)
                .map_or(versions, |p| p + 2)
        });
        let area = &areas[rng.below(areas.len())];
        let mut place = &area.places[rng.below(area.places.len())];
        let mut municipality = area.code.as_str();
        let mut services = first_services(&mut rng);
        let (mut rooms, mut capacity) = capacity_for(&mut rng, services);
        let private = rng.chance(5);
        let mut public = !private;
        let mobile = rng.chance(3);
        let kind = KINDS[rng.below(KINDS.len())];
        let hours = HOURS[rng.below(HOURS.len())];
        let organisation = 1 + rng.below(ORGANISATIONS);

        // Facilities are numbered from 1, so `i - 1` rows are written so far.
        if (i - 1) % (CHUNK * 4) == 0 {
            flush(&mut sql, &mut statements);
            sql.push_str("INSERT INTO facilities (id, created_at, first_seen_on) VALUES ");
        } else {
            sql.push_str(", ");
        }
        write!(sql, "({i}, '{recorded}T09:00:00Z', '{first_seen}')").unwrap();

        for v in 1..=versions {
            if v > 1 {
                if rng.chance(15) {
                    let toggled = services ^ (1 << rng.below(6));
                    if toggled != 0 {
                        services = toggled;
                    }
                    (rooms, capacity) = capacity_for(&mut rng, services);
                } else if rng.chance(20) && capacity.is_some() {
                    (rooms, capacity) = capacity_for(&mut rng, services);
                }
                if !private && rng.chance(1) {
                    public = !public;
                }
                if rng.chance(1) {
                    let area = &areas[rng.below(areas.len())];
                    municipality = area.code.as_str();
                    place = &area.places[rng.below(area.places.len())];
                }
            }
            if learn_opened == Some(v) {
                opened = Some(minus(first_seen, rng.below(5 * 365)));
            }
            let closed = match (closes, close_from) {
                (Some(c), Some(from)) if v >= from => Some(c),
                _ => None,
            };
            let valid_from = if v == 1 {
                "0001-01-01".to_string()
            } else {
                starts[v - 2].to_string()
            };
            let valid_to = if v == versions {
                "9999-12-31".to_string()
            } else {
                starts[v - 1].to_string()
            };
            let recorded_on = if v == 1 {
                recorded.to_string()
            } else {
                valid_from.clone()
            };
            let (pc4, city, lat, lon) = place;
            let letters = ["AB", "CD", "EG", "HJ", "KL", "MN"][rng.below(6)];
            if version_rows % CHUNK == 0 {
                flush(&mut versions_sql, &mut version_statements);
                versions_sql.push_str(
                    "INSERT INTO facility_versions (facility_id, version, valid_from, valid_to, \
                     recorded_at, recorded_by, source_kind, source_detail, verified_on, \
                     change_note, organisation_id, name, name_key, services, street, postcode, \
                     city, municipality_code, latitude, longitude, location_precision, \
                     opened_on, closed_on, public_access, mobile, rooms, capacity, \
                     opening_hours, referral_required, intake_required, target_groups, \
                     max_minutes_per_visit, max_visits_per_day, notes) VALUES ",
                );
            } else {
                versions_sql.push_str(", ");
            }
            let name = format!("{kind} {city} {i}").replace('\'', "''");
            let city = city.replace('\'', "''");
            write!(
                versions_sql,
                "({i}, {v}, '{valid_from}', '{valid_to}', '{recorded_on}T10:00:00Z', 'bench', \
                 '{source}', NULL, '{recorded_on}', {note}, {organisation}, '{name}', '{key}', \
                 {services}, 'Stationsweg {house}', '{pc4} {letters}', '{city}', \
                 '{municipality}', {lat:.5}, {lon:.5}, 'postcode', {opened}, {closed}, \
                 {public}, {mobile}, {rooms}, {capacity}, '{hours}', 0, 1, NULL, NULL, NULL, \
                 NULL)",
                source = SOURCES[rng.below(SOURCES.len())],
                note = if v == 1 { "NULL" } else { "'bijgewerkt'" },
                key = name.to_lowercase(),
                house = 1 + rng.below(200),
                opened = quoted(opened),
                closed = quoted(closed),
                public = i64::from(public),
                mobile = i64::from(mobile),
                rooms = number(rooms),
                capacity = number(capacity),
            )
            .unwrap();
            version_rows += 1;
            if version_rows % CHUNK == 0 {
                flush(&mut versions_sql, &mut version_statements);
            }
        }
    }
    flush(&mut sql, &mut statements);
    flush(&mut versions_sql, &mut version_statements);
    statements.extend(version_statements);
    assert_eq!(version_rows, FACILITIES * VERSIONS_PER_FACILITY);
    statements
}

/// Loads the register in one transaction; returns how long it took.
async fn load(store: &Store, statements: &[String]) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut tx = store.pool().begin().await?;
    for sql in statements {
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    if store.engine() == Engine::Postgres {
        // What autovacuum does after a bulk load: statistics for the planner
        // and a visibility map for index-only scans.
        sqlx::raw_sql("VACUUM ANALYZE")
            .execute(store.pool())
            .await?;
    }
    Ok(started.elapsed())
}

async fn old_counts(store: &Store, day: NaiveDate) -> anyhow::Result<Vec<ServiceCount>> {
    let day = day.to_string();
    let rows = sqlx::query(OLD_QUERY)
        .bind(day.as_str())
        .bind(day.as_str())
        .bind(day.as_str())
        .bind(day.as_str())
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let code: String = row.try_get("code")?;
            Ok(ServiceCount {
                service: vangnet::domain::service::ServiceType::parse(&code)
                    .context("service code")?,
                locations: row.try_get("locations")?,
                municipalities: row.try_get("municipalities")?,
                capacity: row.try_get("capacity")?,
            })
        })
        .collect()
}

async fn new_counts(store: &Store, day: NaiveDate) -> anyhow::Result<Vec<ServiceCount>> {
    Ok(store.count_services(day).await?)
}

/// Median and max of `RUNS` timed calls, after `WARMUP` untimed ones.
async fn time<F>(store: &Store, day: NaiveDate, f: F) -> anyhow::Result<(Duration, Duration)>
where
    F: AsyncFn(&Store, NaiveDate) -> anyhow::Result<Vec<ServiceCount>>,
{
    for _ in 0..WARMUP {
        f(store, day).await?;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        f(store, day).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], times[RUNS - 1]))
}

fn sorted(mut counts: Vec<ServiceCount>) -> Vec<ServiceCount> {
    counts.sort_by_key(|c| c.service);
    counts.retain(|c| c.locations > 0);
    counts
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
}

fn sqlite_file() -> String {
    let file = format!("vangnet_bench_t1_{}.db", std::process::id());
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

fn days(today: NaiveDate) -> Vec<(String, NaiveDate)> {
    let mut days: Vec<(String, NaiveDate)> = [
        day(2000, 6, 30),
        day(2005, 6, 30),
        day(2010, 1, 1),
        day(2014, 6, 30),
        day(2018, 1, 1),
        day(2022, 1, 1),
        day(2026, 1, 1),
    ]
    .into_iter()
    .map(|d| (d.to_string(), d))
    .collect();
    days.push((format!("{today} (today)"), today));
    days
}

/// Loads and measures one engine; returns the lines of the table.
async fn bench(
    target: &Target,
    statements: &[String],
    today: NaiveDate,
) -> anyhow::Result<(Vec<String>, String)> {
    let engine = target.name();
    let keep = std::env::var_os("VANGNET_BENCH_KEEP").is_some();
    let db = format!("vangnet_bench_t1_{}", std::process::id());
    let url = match target {
        Target::Sqlite => sqlite_file(),
        Target::Postgres(server) => {
            on_server(
                server,
                &[
                    format!("DROP DATABASE IF EXISTS {db}"),
                    format!("CREATE DATABASE {db}"),
                ],
            )
            .await?;
            format!("{server}/{db}")
        }
    };
    let store = Store::connect(&url).await?;
    let loaded = load(&store, statements).await?;
    eprintln!(
        "{engine}: loaded {FACILITIES} facilities and {} versions in {loaded:.2?}",
        FACILITIES * VERSIONS_PER_FACILITY
    );
    let mut lines = Vec::new();
    let mut summary = String::new();
    let outcome: anyhow::Result<()> = async {
        // Before: the old query without the indexes added for it.
        let mut before = Vec::new();
        let dropped: Vec<String> = fetch_index_sql(&store, NEW_INDEXES).await?;
        for name in NEW_INDEXES {
            sqlx::raw_sql(&format!("DROP INDEX {name}"))
                .execute(store.pool())
                .await?;
        }
        for (label, d) in days(today) {
            let (median, max) = time(&store, d, old_counts).await?;
            eprintln!("{engine} before {label}: {median:.2?} (max {max:.2?})");
            before.push((label, d, median, max));
        }
        for sql in &dropped {
            sqlx::raw_sql(sql).execute(store.pool()).await?;
        }
        if store.engine() == Engine::Postgres && !dropped.is_empty() {
            sqlx::raw_sql("ANALYZE").execute(store.pool()).await?;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        // The counting index is built by the first count after a start.
        let started = Instant::now();
        new_counts(&store, today).await?;
        let built = started.elapsed();
        eprintln!("{engine} index built by the first count: {built:.2?}");
        for (label, d, old_median, old_max) in before {
            let (median, max) = time(&store, d, new_counts).await?;
            let (old, new) = (
                sorted(old_counts(&store, d).await?),
                sorted(new_counts(&store, d).await?),
            );
            ensure!(
                old == new,
                "{engine} {label}: the counts differ:\nbefore {old:?}\nafter  {new:?}"
            );
            let open: i64 = new.iter().map(|c| c.locations).sum();
            eprintln!("{engine} after {label}: {median:.2?} (max {max:.2?})");
            lines.push(format!(
                "| {engine} | {label} | {open} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
                ms(old_median),
                ms(old_max),
                ms(median),
                ms(max),
                if max < Duration::from_millis(100) {
                    "yes"
                } else {
                    "no"
                }
            ));
        }
        // Catching up after writes: the versions of the first N facilities
        // marked as written by a new generation, as a write would.
        let mut catch_up = Vec::new();
        for changed in [1, 1_000] {
            sqlx::raw_sql(&format!(
                "UPDATE register_generation SET generation = generation + 1; \
                 UPDATE facility_versions SET generation = \
                 (SELECT generation FROM register_generation) WHERE facility_id <= {changed}"
            ))
            .execute(store.pool())
            .await?;
            let started = Instant::now();
            new_counts(&store, today).await?;
            catch_up.push(started.elapsed());
        }
        summary = format!(
            "| {engine} | {:.0} | {:.1} | {:.1} |",
            ms(built),
            ms(catch_up[0]),
            ms(catch_up[1])
        );
        Ok(())
    }
    .await;
    store.close().await;
    if keep {
        eprintln!("{engine}: kept {url}");
    } else {
        match target {
            Target::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{url}{suffix}"));
                }
            }
            Target::Postgres(server) => {
                on_server(server, &[format!("DROP DATABASE {db} WITH (FORCE)")]).await?
            }
        }
    }
    outcome?;
    Ok((lines, summary))
}

/// The `CREATE INDEX` statements of the named indexes, to put them back.
async fn fetch_index_sql(store: &Store, names: &[&str]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for name in names {
        let sql = match store.engine() {
            Engine::Sqlite => "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
            Engine::Postgres => "SELECT indexdef AS sql FROM pg_indexes WHERE indexname = $1",
        };
        let row = sqlx::query(sql).bind(*name).fetch_one(store.pool()).await?;
        out.push(row.try_get("sql")?);
    }
    Ok(out)
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
        on_server(&server, &[]).await?;
        let today = vangnet::domain::date::today();
        let started = Instant::now();
        let statements = register_sql(today);
        let bytes: usize = statements.iter().map(String::len).sum();
        eprintln!(
            "generated {} statements ({} MiB of SQL) in {:.2?}",
            statements.len(),
            bytes >> 20,
            started.elapsed()
        );
        let only = std::env::var("VANGNET_BENCH_ENGINE").ok();
        let mut lines = Vec::new();
        let mut summaries = Vec::new();
        for target in [Target::Sqlite, Target::Postgres(server.clone())] {
            if only.as_deref().is_some_and(|o| !target.name().eq_ignore_ascii_case(o)) {
                continue;
            }
            let (table, summary) = bench(&target, &statements, today).await?;
            lines.extend(table);
            summaries.push(summary);
        }
        println!("| engine | day | public locations × services | before median ms | before max ms | after median ms | after max ms | after max < 100 ms |");
        println!("|---|---|---:|---:|---:|---:|---:|---|");
        for line in lines {
            println!("{line}");
        }
        println!();
        println!("| engine | index built by the first count, ms | next count after 1 facility written, ms | after 1,000 written, ms |");
        println!("|---|---:|---:|---:|");
        for line in summaries {
            println!("{line}");
        }
        Ok(())
    })
}
