//! Crash harness (issue 16, item 1): no acknowledged write is lost when the
//! server dies at a random moment. Run it with `bench/crash` (the one
//! documented command; it builds the release binary and runs `cargo bench
//! --bench crash -- OPTIONS`); record the table it prints in
//! `bench/RESULTS.md`.
//!
//! What it does, per phase, on a fresh database:
//! - seeds it in-process (the real `Store`): six syringe exchanges of three
//!   organisations (one per writer), the shipped metric catalogue (added by the
//!   migrations) and an admin token; then, through the API once the server is
//!   up, an open round `2026-crash` counting today. Before the seed
//!   (vangnet-kill phases), `vangnet migrate` on the empty database is killed
//!   20 times within 100 ms of its start, migrated to the end, and its schema
//!   (tables, columns, indexes, constraints, migrations recorded) compared with
//!   a clean migration of another empty database;
//! - runs six writers (one per service type, so one per round count) against a
//!   real `vangnet serve` process (the release binary). Writer `w` owns
//!   facility `w`, the period report value (facility `w`, last month,
//!   `syringes_out`) and the round count of service `w`, so the order of its
//!   own writes is the order they could land in. It loops through, each write a
//!   value made from writer and sequence number: `PATCH
//!   /api/v1/facilities/{id}` (`notes` = `crash w{w} s{seq}`), `POST
//!   /api/v1/tallies` (a batch of 20 tallies with ids
//!   `crash-w{w}-s{seq}-k{k}`), `PUT /api/v1/reports/periods/{id}/{period}`
//!   (the value `seq`), `POST /api/v1/rounds/2026-crash/counts` (approximate,
//!   `1000 + seq`). Each write ends one of three ways: *acknowledged* (a 2xx
//!   answer), *unacknowledged* (sent, but the connection broke, it timed out or
//!   the answer was not 2xx: it may or may not have landed) or *not sent* (the
//!   connection was refused: it cannot have landed);
//! - kills, while they write. Phase "kill -9 vangnet" (both engines): a random
//!   50–600 ms after the server printed "listening on" it gets SIGKILL
//!   (`Child::kill`) and is started again at once on the same database and
//!   port; every tenth restart is itself killed within 150 ms, before it
//!   listens (start-up: shipped metrics, rollups); writers simply go on
//!   (refused connections meanwhile are "not sent"). Phase "PostgreSQL server"
//!   (`--server-kills`): vangnet keeps running on a throwaway cluster (`initdb`
//!   into a temp dir, run with `pg_ctl` on a free port, as the `postgres` user
//!   when this runs as root) that is stopped with `pg_ctl stop -m immediate`
//!   (the postmaster and its backends get SIGQUIT: no checkpoint, crash
//!   recovery at the next start) a random 0.3–2 s after vangnet acknowledged
//!   writes again (so every crash lands under writes), and started again;
//!   vangnet's pool has to reconnect by itself. After every restart of either
//!   kind, some write must be acknowledged again (else the run fails); the
//!   table gives how soon (median and maximum) and the longest time without any
//!   acknowledgement. Writing goes on until the kills are done and at least
//!   `--seconds` (default 60) have passed;
//! - then stops the writers, starts the server once more cleanly (it must come
//!   up on the crashed database and answer), stops it, and checks the database
//!   directly with SQL:
//!   - *lost*: an acknowledged write that is not there: a patch whose `notes`
//!     is in no version of the facility, a tally id of an acknowledged batch
//!     missing, a report value with no change row (`report_value_changes`), a
//!     round count with no audit entry (the round's history); or a final value
//!     (the facility's newest version, the report value, the round override)
//!     that is neither the writer's last acknowledged value nor one of its
//!     later unacknowledged ones;
//!   - *duplicated*: any write present more than once (a version, a change row
//!     or an audit entry twice; a tally id twice);
//!   - *half-present*: part of a write without the rest: a tally batch of which
//!     some ids are there and others not, a version or change row without its
//!     audit entry (or the other way round), a facility's tally audit entries
//!     not one per stored batch, a round override without its audit entry, the
//!     tally day totals (`tally_days`, kept in the same transaction) not the
//!     sums of the tallies, a write that was never sent being there, or a
//!     schema after the migration kills that is not the clean one;
//!   - `PRAGMA integrity_check` (SQLite) is `ok`, and `vangnet audit verify
//!     --database …` exits 0 (the hash chain).
//!
//! Durability, honestly: vangnet opens SQLite in WAL mode with `synchronous =
//! FULL` (src/storage/mod.rs), so a commit is fsynced before it is acknowledged
//! and a power cut should lose nothing committed. This harness kills processes,
//! not the machine: with `synchronous = NORMAL` a process kill would lose
//! nothing either (the WAL is in the OS page cache), so a pass here says
//! nothing about power loss. The same holds for PostgreSQL (`fsync = on`,
//! `synchronous_commit = on`, the defaults of the throwaway cluster and of the
//! machine's server).
//!
//! Options (after `--` with cargo): `--engine sqlite|postgres|all` (all),
//! `--kills N` (200), `--server-kills N` (20; 0 skips that phase), `--seconds
//! S` (60), `--self-test` (10 kills, 5 s, no server kills; it damages the
//! database on purpose before checking — a tally of an acknowledged batch
//! deleted, a version's notes overwritten, a change row doubled, a round count
//! changed behind the audit log — and passes only if the checks report each),
//! `--keep` (keep the temp dir with databases and server logs, and print where
//! it is). PostgreSQL for the vangnet-kill phase is the server at
//! `postgres://postgres@127.0.0.1:5432` (or `VANGNET_BENCH_POSTGRES_URL`); a
//! database `vangnet_bench_crash_<pid>` is created and dropped. The server-kill
//! phase needs `initdb` and `pg_ctl` under `/usr/lib/postgresql/*/bin`
//! (Debian's `postgresql`). Exit status 1 when any check fails.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use rand::Rng;
use sqlx::{AnyConnection, Connection};
use vangnet::domain::provenance::Actor;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet::storage::Store;

/// One writer per service type, so each owns a round count.
const SERVICES: [&str; 6] = [
    "consumption_room",
    "methadone_clinic",
    "heroin_unit",
    "syringe_exchange",
    "paraphernalia",
    "naloxone",
];
const WRITERS: usize = SERVICES.len();
const BATCH: usize = 20;
/// Attempts to kill `vangnet migrate` on the empty database.
const MIGRATION_KILLS: usize = 20;
const METRIC: &str = "syringes_out";
const ROUND: &str = "2026-crash";
/// Longer than the server's own pool timeout (30 s), so a write the client
/// gave up on is not still running on the server when the writer's next
/// write lands (that would reorder the writer's writes).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

struct Options {
    engines: Vec<String>,
    kills: usize,
    server_kills: usize,
    seconds: u64,
    /// Damage the database before checking and expect the checks to say so.
    self_test: bool,
    /// Keep the temp dir (databases, server logs) and print where it is.
    keep: bool,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        engines: vec!["sqlite".into(), "postgres".into()],
        kills: 200,
        server_kills: 20,
        seconds: 60,
        self_test: false,
        keep: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--engine" => {
                o.engines = match value()?.as_str() {
                    "all" => vec!["sqlite".into(), "postgres".into()],
                    e @ ("sqlite" | "postgres") => vec![e.to_string()],
                    e => bail!("--engine {e}: sqlite, postgres or all"),
                }
            }
            "--kills" => o.kills = value()?.parse()?,
            "--server-kills" => o.server_kills = value()?.parse()?,
            "--seconds" => o.seconds = value()?.parse()?,
            "--keep" => o.keep = true,
            "--self-test" => {
                o.self_test = true;
                o.kills = 10;
                o.server_kills = 0;
                o.seconds = 5;
            }
            // cargo bench passes --bench to every bench target.
            "--bench" => {}
            other => bail!("unknown option {other}"),
        }
    }
    Ok(o)
}

fn postgres_base() -> String {
    std::env::var("VANGNET_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The month before last month's start: a closed period every facility
/// (opened 2020) may report for.
fn period() -> String {
    (vangnet::domain::date::today() - chrono::Duration::days(35))
        .format("%Y-%m")
        .to_string()
}

/// Seeds a fresh database; returns an admin token and the facility ids,
/// one per writer.
async fn seed(database: &str) -> anyhow::Result<(String, Vec<i64>)> {
    let store = Store::connect(database).await?;
    let mut csv = String::from("name,organisation,services,postcode,city,opened_on\n");
    for w in 0..WRITERS {
        csv.push_str(&format!(
            "Crash Punt {w},Crash Zorg {},syringe_exchange;naloxone,3511 AB,Utrecht,2020-01-01\n",
            w % 3
        ));
    }
    let options = ImportOptions {
        dry_run: false,
        actor: Actor::named("bench"),
        file_name: "crash.csv".into(),
        today: vangnet::domain::date::today(),
    };
    let report = import_facilities(&store, csv.as_bytes(), &options, &|_, _| {}).await?;
    ensure!(report.errors.is_empty(), "import: {:?}", report.errors);
    let (_, token) = store.create_token("bench", "admin").await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    store.close().await;
    ensure!(ids.len() == WRITERS, "{} facilities", ids.len());
    Ok((token, ids))
}

/// A server process, killed when dropped (also when a phase fails).
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `args` of vangnet and kills it a random `0..=ms` later, before
/// it may have finished starting; true when it was still running.
fn kill_early(args: &[&str], ms: u64, log: &Path) -> anyhow::Result<bool> {
    let err = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .context("start vangnet")?;
    std::thread::sleep(Duration::from_millis(rand::rng().random_range(0..=ms)));
    let running = child.try_wait()?.is_none();
    child.kill()?;
    child.wait()?;
    Ok(running)
}

/// `vangnet migrate`, to the end.
fn migrate(database: &str) -> anyhow::Result<()> {
    let out = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(["migrate", "--database", database])
        .env("RUST_LOG", "warn")
        .output()?;
    ensure!(
        out.status.success(),
        "vangnet migrate after the kills: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// The schema as text: tables, columns, indexes, constraints and the
/// migrations recorded, in a stable order.
async fn schema(engine: &str, database: &str) -> anyhow::Result<Vec<String>> {
    let mut db = AnyConnection::connect(&vangnet::storage::normalize_url(database)).await?;
    let queries: &[&str] = if engine == "sqlite" {
        &[
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_schema \
           ORDER BY type, name",
        ]
    } else {
        &[
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
             || ' ' || COALESCE(column_default, '') FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY 1",
            "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
             ORDER BY 1",
            "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = 'public'::regnamespace ORDER BY 1",
        ]
    };
    let mut lines = Vec::new();
    for q in queries.iter().copied().chain([
        "SELECT CAST(version AS TEXT) || ' ' || CAST(success AS TEXT) FROM _sqlx_migrations \
         ORDER BY version",
    ]) {
        let found: Vec<String> = sqlx::query_scalar(q).fetch_all(&mut db).await?;
        lines.extend(found);
    }
    db.close().await?;
    Ok(lines)
}

/// After kills during `vangnet migrate`: the schema must be the one a
/// clean migration of an empty database makes. Returns the difference.
async fn compare_schema(
    engine: &str,
    database: &str,
    dir: &Path,
) -> anyhow::Result<Option<String>> {
    let crashed = schema(engine, database).await?;
    eprintln!(
        "  {engine}: schema after the kills while migrating: {} lines",
        crashed.len()
    );
    let clean = if engine == "sqlite" {
        let reference = dir.join("reference.db").display().to_string();
        migrate(&reference)?;
        schema(engine, &reference).await
    } else {
        let name = format!("vangnet_bench_crash_ref_{}", std::process::id());
        admin(&format!("CREATE DATABASE {name}")).await?;
        let reference = format!("{}/{name}", postgres_base());
        let clean = async {
            migrate(&reference)?;
            schema(engine, &reference).await
        }
        .await;
        admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
        clean
    }?;
    Ok((crashed != clean).then(|| {
        let missing: Vec<&String> = clean.iter().filter(|l| !crashed.contains(l)).collect();
        let extra: Vec<&String> = crashed.iter().filter(|l| !clean.contains(l)).collect();
        format!("schema after kills while migrating differs: missing {missing:?}, extra {extra:?}")
    }))
}

/// `vangnet serve` on a fixed port; its log goes to `log`.
fn start_server(database: &str, port: u16, log: &Path) -> anyhow::Result<Serve> {
    // A port just freed by a killed server is normally free at once; retry
    // a little in case it is not.
    for attempt in 0.. {
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let mut child = Command::new(env!("CARGO_BIN_EXE_vangnet"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", database])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .context("start vangnet serve")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        if line.starts_with("listening on ") {
            return Ok(Serve(child));
        }
        let status = child.wait()?;
        if attempt >= 20 {
            bail!(
                "the server did not start ({status}): {line}; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    unreachable!()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Patch,
    Tallies,
    Report,
    Round,
}

const KINDS: [Kind; 4] = [Kind::Patch, Kind::Tallies, Kind::Report, Kind::Round];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    Acknowledged,
    /// Sent; no 2xx answer (broken connection, timeout or an error status).
    Unacknowledged,
    /// The connection was refused: nothing reached a server.
    NotSent,
}

#[derive(Clone, Debug)]
struct Write {
    writer: usize,
    seq: u64,
    kind: Kind,
    fate: Fate,
    at: Instant,
}

fn note_of(writer: usize, seq: u64) -> String {
    format!("crash w{writer} s{seq}")
}

fn tally_id(writer: usize, seq: u64, k: usize) -> String {
    format!("crash-w{writer}-s{seq}-k{k}")
}

fn round_value(seq: u64) -> i64 {
    1000 + seq as i64
}

struct Target {
    base: String,
    token: String,
    facilities: Vec<i64>,
    period: String,
    /// Writes acknowledged so far, by all writers.
    acks: AtomicU64,
}

/// Statuses of answers that were not 2xx, and the first such body.
#[derive(Default)]
struct Errors {
    statuses: BTreeMap<u16, usize>,
    first: Option<String>,
}

async fn one_write(
    client: &reqwest::Client,
    t: &Target,
    writer: usize,
    seq: u64,
    kind: Kind,
    errors: &Mutex<Errors>,
) -> Fate {
    let facility = t.facilities[writer];
    let request = match kind {
        Kind::Patch => client
            .patch(format!("{}/api/v1/facilities/{facility}", t.base))
            .header("content-type", "application/merge-patch+json")
            .body(serde_json::json!({"notes": note_of(writer, seq)}).to_string()),
        Kind::Tallies => {
            let at = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
            let tallies: Vec<serde_json::Value> = (0..BATCH)
                .map(|k| {
                    serde_json::json!({"id": tally_id(writer, seq, k), "facility_id": facility,
                        "at": at, "metric": METRIC, "amount": 1 + k % 5})
                })
                .collect();
            client
                .post(format!("{}/api/v1/tallies", t.base))
                .json(&serde_json::json!({ "tallies": tallies }))
        }
        Kind::Report => client
            .put(format!(
                "{}/api/v1/reports/periods/{facility}/{}",
                t.base, t.period
            ))
            .json(&serde_json::json!({"values": [{"metric": METRIC, "value": seq}]})),
        Kind::Round => client
            .post(format!("{}/api/v1/rounds/{ROUND}/counts", t.base))
            .json(
                &serde_json::json!({"service": SERVICES[writer], "qualifier": "approximate",
                "value": round_value(seq), "source": "crash harness"}),
            ),
    };
    match request.bearer_auth(&t.token).send().await {
        Ok(reply) if reply.status().is_success() => {
            // The answer is only an acknowledgement once it has been read.
            match reply.bytes().await {
                Ok(_) => Fate::Acknowledged,
                Err(_) => Fate::Unacknowledged,
            }
        }
        Ok(reply) => {
            let status = reply.status().as_u16();
            let body = reply.text().await.unwrap_or_default();
            let mut e = errors.lock().expect("errors");
            *e.statuses.entry(status).or_default() += 1;
            if e.first.is_none() {
                e.first = Some(format!("{kind:?} {status}: {body}"));
            }
            Fate::Unacknowledged
        }
        Err(e) if e.is_connect() => Fate::NotSent,
        Err(_) => Fate::Unacknowledged,
    }
}

/// One writer: its writes in order until `stop`.
async fn writer(
    client: reqwest::Client,
    target: Arc<Target>,
    w: usize,
    stop: Arc<AtomicBool>,
    errors: Arc<Mutex<Errors>>,
) -> Vec<Write> {
    let mut done = Vec::new();
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let kind = KINDS[seq as usize % KINDS.len()];
        let fate = one_write(&client, &target, w, seq, kind, &errors).await;
        if fate == Fate::Acknowledged {
            target.acks.fetch_add(1, Ordering::Relaxed);
        }
        done.push(Write {
            writer: w,
            seq,
            kind,
            fate,
            at: Instant::now(),
        });
        seq += 1;
        if fate == Fate::NotSent {
            // The server is restarting: do not spin.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    done
}

/// Runs `initdb` and `pg_ctl` for the throwaway cluster.
#[derive(Clone)]
struct PgCtl {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PgCtl {
    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .current_dir(&self.dir)
            .output()
            .with_context(|| format!("run {}", program.display()))?;
        ensure!(
            output.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    fn start(&self) -> anyhow::Result<()> {
        let log = self.dir.join("postgres.log").display().to_string();
        let settings = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &settings,
                "-w",
                "start",
            ],
        )
    }

    /// The crash: SIGQUIT to the postmaster, no shutdown checkpoint.
    fn stop_immediate(&self) -> anyhow::Result<()> {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        )
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }
}

/// The throwaway PostgreSQL cluster of the server-kill phase, stopped and
/// deleted when dropped.
struct Cluster {
    _dir: tempfile::TempDir,
    ctl: PgCtl,
}

impl Cluster {
    fn create() -> anyhow::Result<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .context("PostgreSQL's binaries under /usr/lib/postgresql (Debian's postgresql)")?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").exists())
            .max()
            .context("no initdb under /usr/lib/postgresql/*/bin")?;
        let dir = tempfile::Builder::new()
            .prefix("vangnet-crash-pg")
            .tempdir()?;
        // PostgreSQL refuses to run as root: then the cluster is the
        // postgres user's.
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()?;
            ensure!(status.success(), "chown the cluster's directory");
        }
        let ctl = PgCtl {
            dir: dir.path().to_path_buf(),
            bin,
            port: free_port()?,
            as_postgres,
        };
        ctl.run(
            "initdb",
            &[
                "-D",
                &ctl.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        )?;
        ctl.start()?;
        Ok(Cluster { _dir: dir, ctl })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.ctl.data();
        let _ = self
            .ctl
            .run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KillKind {
    Vangnet,
    PostgresServer,
}

/// The counts of one phase, for the table.
#[derive(Default)]
struct Tally {
    acknowledged: [usize; 4],
    unacknowledged: usize,
    not_sent: usize,
    lost: usize,
    duplicated: usize,
    half_present: usize,
    /// Unacknowledged writes found stored (they may be; for the reading).
    unacknowledged_present: usize,
    /// Writes the server refused (4xx): a mistake of the harness.
    harness_errors: usize,
    integrity: String,
    audit: String,
    kills: usize,
    /// Kills of a restarting server before it listened.
    startup_kills: usize,
    /// Kills of `vangnet migrate` on the empty database.
    migration_kills: usize,
    seconds: f64,
    /// Seconds, the longest time without an acknowledged write.
    longest_gap: f64,
    /// Seconds from a restart being done to the first acknowledged write:
    /// median and maximum.
    back_after: (f64, f64),
    /// No acknowledged write after some restart.
    stuck: bool,
    problems: Vec<String>,
}

impl Tally {
    fn problem(&mut self, text: String) {
        if self.problems.len() < 20 {
            self.problems.push(text);
        }
    }
}

fn kind_index(kind: Kind) -> usize {
    KINDS.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Runs one phase: seed, write while killing, restart, check.
async fn phase(
    engine: &str,
    kill: KillKind,
    database: &str,
    cluster: Option<&Cluster>,
    kills: usize,
    o: &Options,
    dir: &Path,
) -> anyhow::Result<Tally> {
    let seconds = o.seconds;
    let started = Instant::now();
    // Kills while `vangnet migrate` makes the schema of the empty
    // database: each migration must land whole or not at all.
    let mut migration_kills = 0;
    let mut schema_problem = None;
    if kill == KillKind::Vangnet {
        let log = dir.join(format!("migrate-{engine}.log"));
        for _ in 0..MIGRATION_KILLS {
            if kill_early(&["migrate", "--database", database], 100, &log)? {
                migration_kills += 1;
            }
        }
        migrate(database)?;
        schema_problem = compare_schema(engine, database, dir).await?;
    }
    let (token, facilities) = seed(database).await?;
    let port = free_port()?;
    let log = dir.join(format!(
        "serve-{engine}-{}.log",
        if kill == KillKind::Vangnet {
            "kill"
        } else {
            "pgkill"
        }
    ));
    let base = format!("http://127.0.0.1:{port}");
    let server = start_server(database, port, &log)?;
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .build()?;
    let created = client
        .post(format!("{base}/api/v1/rounds"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": ROUND,
            "reference_date": vangnet::domain::date::today().to_string()}))
        .send()
        .await?;
    ensure!(
        created.status().is_success(),
        "create the round: {}",
        created.text().await?
    );
    let target = Arc::new(Target {
        base: base.clone(),
        token: token.clone(),
        facilities: facilities.clone(),
        period: period(),
        acks: AtomicU64::new(0),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(Mutex::new(Errors::default()));
    let writing = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        tasks.push(tokio::spawn(writer(
            client.clone(),
            target.clone(),
            w,
            stop.clone(),
            errors.clone(),
        )));
    }

    // The killer runs on a blocking thread: it waits on processes.
    let done_kills = Arc::new(AtomicU64::new(0));
    let startup_kills = Arc::new(AtomicU64::new(0));
    // When each restart was done (listening again; PostgreSQL accepting).
    let restarts: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let mut killer = {
        let database = database.to_string();
        let log = log.clone();
        let done_kills = done_kills.clone();
        let startup_kills = startup_kills.clone();
        let restarts = restarts.clone();
        let target = target.clone();
        let pg = cluster.map(|c| c.ctl.clone());
        let mut serve = server;
        tokio::task::spawn_blocking(move || -> anyhow::Result<Serve> {
            let mut rng = rand::rng();
            for _ in 0..kills {
                match (&kill, &pg) {
                    (KillKind::Vangnet, _) => {
                        std::thread::sleep(Duration::from_millis(rng.random_range(50..=600)));
                        serve.0.kill()?;
                        serve.0.wait()?;
                        let n = done_kills.fetch_add(1, Ordering::Relaxed);
                        // Every tenth restart is killed again while it
                        // starts (rollups, shipped metrics, migrations
                        // checked), before it listens.
                        if n % 10 == 9 {
                            let listen = format!("127.0.0.1:{port}");
                            let args = ["serve", "--listen", &listen, "--database", &database];
                            if kill_early(&args, 150, &log)? {
                                startup_kills.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        serve = start_server(&database, port, &log)?;
                    }
                    (KillKind::PostgresServer, Some(pg)) => {
                        // Kill while writes flow: wait until vangnet
                        // acknowledges writes again (its pool reconnects
                        // with a backoff of its own), then 0.3–2 s more.
                        let before = target.acks.load(Ordering::Relaxed);
                        let waiting = Instant::now();
                        while target.acks.load(Ordering::Relaxed) == before
                            && waiting.elapsed() < Duration::from_secs(60)
                        {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        std::thread::sleep(Duration::from_millis(rng.random_range(300..=2000)));
                        pg.stop_immediate()?;
                        done_kills.fetch_add(1, Ordering::Relaxed);
                        pg.start()?;
                    }
                    (KillKind::PostgresServer, None) => bail!("no cluster to kill"),
                }
                restarts.lock().expect("restarts").push(Instant::now());
            }
            Ok(serve)
        })
    };
    let server = loop {
        tokio::select! {
            done = &mut killer => break done??,
            _ = tokio::time::sleep(Duration::from_secs(15)) => eprintln!(
                "  {engine}: {} kills, {:.0} s",
                done_kills.load(Ordering::Relaxed),
                writing.elapsed().as_secs_f64()
            ),
        }
    };
    // Write on for at least `seconds`, and (server kills) long enough to
    // see whether vangnet's pool came back after the last restart.
    let floor = Duration::from_secs(seconds);
    if writing.elapsed() < floor {
        tokio::time::sleep(floor - writing.elapsed()).await;
    }
    if kill == KillKind::PostgresServer {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut writes = Vec::new();
    for task in tasks {
        writes.extend(task.await?);
    }
    let written = writing.elapsed().as_secs_f64();

    // A clean start on the crashed database: it must come up and answer.
    drop(server);
    let server = start_server(database, port, &log)?;
    let check = client
        .get(format!("{base}/api/v1/facilities/{}", facilities[0]))
        .bearer_auth(&token)
        .send()
        .await?;
    ensure!(
        check.status().is_success(),
        "the restarted server answers {}",
        check.status()
    );
    drop(server);

    let mut tally = Tally {
        kills: done_kills.load(Ordering::Relaxed) as usize,
        startup_kills: startup_kills.load(Ordering::Relaxed) as usize,
        migration_kills,
        ..Default::default()
    };
    if let Some(p) = schema_problem {
        tally.half_present += 1;
        tally.problem(p);
    }
    for w in &writes {
        match w.fate {
            Fate::Acknowledged => tally.acknowledged[kind_index(w.kind)] += 1,
            Fate::Unacknowledged => tally.unacknowledged += 1,
            Fate::NotSent => tally.not_sent += 1,
        }
    }
    {
        let e = errors.lock().expect("errors");
        if !e.statuses.is_empty() {
            eprintln!(
                "  {engine}: answers that were not 2xx: {:?}; first: {}",
                e.statuses,
                e.first.as_deref().unwrap_or("")
            );
        }
        // A 4xx is the harness's mistake, not a crash: the run does not count.
        let refused: usize = e.statuses.range(400..500).map(|(_, n)| n).sum();
        if refused > 0 {
            tally.harness_errors = refused;
            tally.problem(format!("{refused} writes refused with 4xx"));
        }
    }
    // The longest stretch in which no writer got an acknowledgement: how
    // long the service was out after a kill, at worst.
    let mut acks: Vec<Instant> = writes
        .iter()
        .filter(|w| w.fate == Fate::Acknowledged)
        .map(|w| w.at)
        .collect();
    acks.sort();
    tally.longest_gap = acks
        .windows(2)
        .map(|p| p[1] - p[0])
        .max()
        .unwrap_or_default()
        .as_secs_f64();
    // How long after each restart the first write was acknowledged.
    let restarts = restarts.lock().expect("restarts").clone();
    let mut back: Vec<Duration> = restarts
        .iter()
        .filter_map(|r| acks.iter().find(|a| *a >= r).map(|a| *a - *r))
        .collect();
    back.sort();
    tally.back_after = (
        back.get(back.len() / 2)
            .copied()
            .unwrap_or_default()
            .as_secs_f64(),
        back.last().copied().unwrap_or_default().as_secs_f64(),
    );
    let never = restarts.len() - back.len();
    if never > 0 {
        tally.stuck = true;
        tally.problem(format!(
            "no write was acknowledged after {never} of {} restarts: vangnet did not come back",
            restarts.len()
        ));
    }
    if o.self_test {
        tamper(database, &facilities, &target.period, &writes).await?;
    }
    check_database(
        database,
        engine,
        &facilities,
        &target.period,
        &writes,
        &mut tally,
    )
    .await?;
    let audit = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(["audit", "verify", "--database", database])
        .env("RUST_LOG", "warn")
        .output()?;
    tally.audit = if audit.status.success() {
        "passes".into()
    } else {
        tally.problem(format!(
            "audit verify: {}{}",
            String::from_utf8_lossy(&audit.stdout),
            String::from_utf8_lossy(&audit.stderr)
        ));
        "FAILS".into()
    };
    tally.seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "  {engine}: wrote for {written:.0} s, {} writes, {} kills",
        writes.len(),
        tally.kills
    );
    for p in &tally.problems {
        eprintln!("  {engine} PROBLEM: {p}");
    }
    Ok(tally)
}

/// What one writer's writes of one kind say the final value may be: the
/// last acknowledged one or any later one that was sent.
fn allowed_finals<T: Clone>(writes: &[&Write], value: impl Fn(u64) -> T) -> Option<Vec<T>> {
    let last = writes.iter().rposition(|w| w.fate == Fate::Acknowledged)?;
    Some(
        writes[last..]
            .iter()
            .filter(|w| w.fate != Fate::NotSent)
            .map(|w| value(w.seq))
            .collect(),
    )
}

/// Checks one stored count against a write's fate.
fn judge(tally: &mut Tally, w: &Write, found: usize, what: &str) {
    match (w.fate, found) {
        (Fate::Acknowledged, 0) => {
            tally.lost += 1;
            tally.problem(format!("lost: {what}"));
        }
        (Fate::NotSent, n) if n > 0 => {
            tally.half_present += 1;
            tally.problem(format!("never sent but stored: {what}"));
        }
        (Fate::Unacknowledged, 1) => tally.unacknowledged_present += 1,
        _ => {}
    }
    if found > 1 {
        tally.duplicated += 1;
        tally.problem(format!("{found} times: {what}"));
    }
}

fn json_i64(v: &serde_json::Value, key: &str) -> Option<i64> {
    v.get(key).and_then(serde_json::Value::as_i64)
}

async fn check_database(
    database: &str,
    engine: &str,
    facilities: &[i64],
    period: &str,
    writes: &[Write],
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let url = vangnet::storage::normalize_url(database);
    let mut db = AnyConnection::connect(&url).await?;
    tally.integrity = if engine == "sqlite" {
        let result: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await?;
        if result != "ok" {
            tally.problem(format!("integrity_check: {result}"));
        }
        result
    } else {
        "n/a".into()
    };

    // Tally ids, counted once for all writers.
    let stored_ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT id, CAST(COUNT(*) AS BIGINT) FROM tallies WHERE id LIKE 'crash-%' GROUP BY id",
    )
    .fetch_all(&mut db)
    .await?
    .into_iter()
    .collect();
    // The day totals kept with the tallies.
    let sums: BTreeMap<(i64, String, String), i64> = sqlx::query_as::<_, (i64, String, String, i64)>(
        "SELECT CAST(facility_id AS BIGINT), metric, CAST(day AS TEXT), CAST(SUM(amount) AS BIGINT) \
         FROM tallies GROUP BY facility_id, metric, day",
    )
    .fetch_all(&mut db)
    .await?
    .into_iter()
    .map(|(f, m, d, s)| ((f, m, d), s))
    .collect();
    let days: BTreeMap<(i64, String, String), i64> =
        sqlx::query_as::<_, (i64, String, String, i64)>(
            "SELECT CAST(facility_id AS BIGINT), metric, CAST(day AS TEXT), CAST(total AS BIGINT) \
         FROM tally_days",
        )
        .fetch_all(&mut db)
        .await?
        .into_iter()
        .map(|(f, m, d, s)| ((f, m, d), s))
        .collect();
    if sums != days {
        tally.half_present += 1;
        tally.problem(format!(
            "tally_days differ from the tallies' sums: {days:?} vs {sums:?}"
        ));
    }
    let round_audit: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE object_type = 'round' AND event = 'update' \
         AND object_id = $1",
    )
    .bind(ROUND)
    .fetch_all(&mut db)
    .await?;
    let round_audit: Vec<serde_json::Value> = round_audit
        .into_iter()
        .flatten()
        .filter_map(|j| serde_json::from_str(&j).ok())
        .collect();

    for (w, facility) in facilities.iter().enumerate() {
        let mine = |kind: Kind| -> Vec<&Write> {
            writes
                .iter()
                .filter(|x| x.writer == w && x.kind == kind)
                .collect()
        };

        // Patches: versions, audit entries, the newest version.
        let notes: Vec<Option<String>> =
            sqlx::query_scalar("SELECT notes FROM facility_versions WHERE facility_id = $1")
                .bind(*facility)
                .fetch_all(&mut db)
                .await?;
        let mut versions: HashMap<String, usize> = HashMap::new();
        for n in notes.into_iter().flatten() {
            *versions.entry(n).or_default() += 1;
        }
        let audits: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE object_type = 'facility' AND object_id = $1 \
             AND event <> 'read'",
        )
        .bind(facility.to_string())
        .fetch_all(&mut db)
        .await?;
        // The notes each audit entry records as the new value.
        let prefix = format!("\"crash w{w} s");
        let mut audited: HashMap<String, usize> = HashMap::new();
        for a in audits.into_iter().flatten() {
            for (at, _) in a.match_indices(&prefix) {
                if let Some(end) = a[at + 1..].find('"') {
                    *audited
                        .entry(a[at + 1..at + 1 + end].to_string())
                        .or_default() += 1;
                }
            }
        }
        let patches = mine(Kind::Patch);
        for p in &patches {
            let note = note_of(w, p.seq);
            let found = versions.get(&note).copied().unwrap_or(0);
            judge(
                tally,
                p,
                found,
                &format!("facility {facility} version '{note}'"),
            );
            let audited = audited.get(&note).copied().unwrap_or(0);
            if audited != found {
                tally.half_present += 1;
                tally.problem(format!(
                    "facility {facility} '{note}': {found} versions, {audited} audit entries"
                ));
            }
        }
        let newest: Option<String> = sqlx::query_scalar(
            "SELECT notes FROM facility_versions WHERE facility_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(*facility)
        .fetch_one(&mut db)
        .await?;
        if let Some(allowed) = allowed_finals(&patches, |s| note_of(w, s)) {
            if !newest.as_ref().is_some_and(|n| allowed.contains(n)) {
                tally.lost += 1;
                tally.problem(format!(
                    "facility {facility}: newest notes {newest:?}, expected one of {allowed:?}"
                ));
            }
        }

        // Tally batches: all ids or none; audit entries per batch stored.
        let mut batches_stored = 0i64;
        for b in mine(Kind::Tallies) {
            let counts: Vec<i64> = (0..BATCH)
                .map(|k| stored_ids.get(&tally_id(w, b.seq, k)).copied().unwrap_or(0))
                .collect();
            let present = counts.iter().filter(|c| **c > 0).count();
            let what = format!("tally batch crash-w{w}-s{}", b.seq);
            if present > 0 && present < BATCH {
                tally.half_present += 1;
                tally.problem(format!("{what}: {present} of {BATCH} ids stored"));
            }
            if present == BATCH {
                batches_stored += 1;
            }
            let most = counts.iter().copied().max().unwrap_or(0) as usize;
            judge(tally, b, if present == BATCH { most } else { 0 }, &what);
        }
        let tally_events: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE object_type = 'tally' \
             AND event = 'create' AND object_id = $1",
        )
        .bind(facility.to_string())
        .fetch_one(&mut db)
        .await?;
        if tally_events != batches_stored {
            tally.half_present += 1;
            tally.problem(format!(
                "facility {facility}: {batches_stored} tally batches stored, {tally_events} audit entries"
            ));
        }

        // Report values: change rows, audit entries, the stored value.
        let changes: Vec<(Option<i64>, i64)> = sqlx::query_as(
            "SELECT CAST(c.after_value AS BIGINT), CAST(COUNT(*) AS BIGINT) \
             FROM report_value_changes c JOIN period_reports r ON r.id = c.report_id \
             WHERE r.facility_id = $1 AND r.period = $2 AND c.metric = $3 GROUP BY c.after_value",
        )
        .bind(*facility)
        .bind(period)
        .bind(METRIC)
        .fetch_all(&mut db)
        .await?;
        let changes: HashMap<i64, usize> = changes
            .into_iter()
            .filter_map(|(v, n)| v.map(|v| (v, n as usize)))
            .collect();
        let audits: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE object_type = 'period_report' \
             AND event = 'update' AND object_id = $1",
        )
        .bind(format!("{facility}/{period}"))
        .fetch_all(&mut db)
        .await?;
        let mut audited: HashMap<i64, usize> = HashMap::new();
        for a in audits.into_iter().flatten() {
            let json: serde_json::Value = serde_json::from_str(&a).unwrap_or_default();
            for c in json["changes"].as_array().into_iter().flatten() {
                if c["metric"] == METRIC {
                    if let Some(v) = json_i64(c, "after") {
                        *audited.entry(v).or_default() += 1;
                    }
                }
            }
        }
        let reports = mine(Kind::Report);
        for r in &reports {
            let value = r.seq as i64;
            let found = changes.get(&value).copied().unwrap_or(0);
            let what = format!("report {facility}/{period} {METRIC} = {value}");
            judge(tally, r, found, &what);
            let logged = audited.get(&value).copied().unwrap_or(0);
            if logged != found {
                tally.half_present += 1;
                tally.problem(format!(
                    "{what}: {found} change rows, {logged} audit entries"
                ));
            }
        }
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(v.value AS BIGINT) FROM report_values v \
             JOIN period_reports r ON r.id = v.report_id \
             WHERE r.facility_id = $1 AND r.period = $2 AND v.metric = $3",
        )
        .bind(*facility)
        .bind(period)
        .bind(METRIC)
        .fetch_optional(&mut db)
        .await?;
        if let Some(allowed) = allowed_finals(&reports, |s| s as i64) {
            if !stored.is_some_and(|v| allowed.contains(&v)) {
                tally.lost += 1;
                tally.problem(format!(
                    "report {facility}/{period}: value {stored:?}, expected one of {allowed:?}"
                ));
            }
        }

        // Round counts: the audit log is their history; the override row
        // is the value now.
        let service = SERVICES[w];
        let mut logged: HashMap<i64, usize> = HashMap::new();
        for a in &round_audit {
            if a["service"] == service {
                if let Some(v) = json_i64(a, "value") {
                    *logged.entry(v).or_default() += 1;
                }
            }
        }
        let rounds = mine(Kind::Round);
        for r in &rounds {
            let value = round_value(r.seq);
            let found = logged.get(&value).copied().unwrap_or(0);
            judge(tally, r, found, &format!("round count {service} = {value}"));
        }
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(o.value AS BIGINT) FROM round_overrides o JOIN rounds r ON r.id = o.round_id \
             WHERE r.name = $1 AND o.service = $2",
        )
        .bind(ROUND)
        .bind(service)
        .fetch_optional(&mut db)
        .await?
        .flatten();
        if let Some(allowed) = allowed_finals(&rounds, round_value) {
            if !stored.is_some_and(|v| allowed.contains(&v)) {
                tally.lost += 1;
                tally.problem(format!(
                    "round count {service}: {stored:?}, expected one of {allowed:?}"
                ));
            }
        }
        // Every stored override has its audit entry (same transaction).
        if let Some(v) = stored {
            if !logged.contains_key(&v) {
                tally.half_present += 1;
                tally.problem(format!(
                    "round count {service} = {v} without an audit entry"
                ));
            }
        }
    }
    db.close().await?;
    Ok(())
}

/// `--self-test`: what a lost, doubled or half-written write would leave
/// behind, made by hand, so that a run shows the checks can fail: a tally
/// of an acknowledged batch deleted (lost, half-present, day totals off),
/// an acknowledged facility version's notes overwritten (lost, version
/// without audit entry), an acknowledged report change row doubled
/// (duplicated) and a round override set behind the audit log's back.
async fn tamper(
    database: &str,
    facilities: &[i64],
    period: &str,
    writes: &[Write],
) -> anyhow::Result<()> {
    let acked = |kind: Kind| {
        writes
            .iter()
            .find(|w| w.writer == 0 && w.kind == kind && w.fate == Fate::Acknowledged)
            .with_context(|| format!("no acknowledged {kind:?} to tamper with"))
    };
    let mut db = AnyConnection::connect(&vangnet::storage::normalize_url(database)).await?;
    let b = acked(Kind::Tallies)?;
    sqlx::query("DELETE FROM tallies WHERE id = $1")
        .bind(tally_id(0, b.seq, 0))
        .execute(&mut db)
        .await?;
    let p = acked(Kind::Patch)?;
    sqlx::query("UPDATE facility_versions SET notes = 'tampered' WHERE notes = $1")
        .bind(note_of(0, p.seq))
        .execute(&mut db)
        .await?;
    let r = acked(Kind::Report)?;
    sqlx::query(
        "INSERT INTO report_value_changes (report_id, metric, before_value, after_value, \
         changed_by, changed_at) SELECT report_id, metric, before_value, after_value, \
         changed_by, changed_at FROM report_value_changes c \
         WHERE c.after_value = $1 AND c.metric = $2 AND c.report_id = \
         (SELECT id FROM period_reports WHERE facility_id = $3 AND period = $4)",
    )
    .bind(r.seq as i64)
    .bind(METRIC)
    .bind(facilities[0])
    .bind(period)
    .execute(&mut db)
    .await?;
    sqlx::query(
        "UPDATE round_overrides SET value = 7 WHERE service = $1 \
         AND round_id = (SELECT id FROM rounds WHERE name = $2)",
    )
    .bind(SERVICES[0])
    .bind(ROUND)
    .execute(&mut db)
    .await?;
    db.close().await?;
    Ok(())
}

async fn admin(sql: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(&format!("{}/postgres", postgres_base())).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

fn row(engine: &str, kill: &str, t: &Tally) -> String {
    let [patches, batches, reports, rounds] = t.acknowledged;
    format!(
        "| {engine} | {kill} | {} | {} ({patches} / {batches} / {reports} / {rounds}) | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} s | {:.2} s / {:.2} s | {:.0} s |",
        if t.migration_kills + t.startup_kills > 0 {
            format!(
                "{} (+{} starting, +{} migrating)",
                t.kills, t.startup_kills, t.migration_kills
            )
        } else {
            t.kills.to_string()
        },
        patches + batches + reports + rounds,
        t.unacknowledged,
        t.unacknowledged_present,
        t.not_sent,
        t.lost,
        t.duplicated,
        t.half_present,
        t.integrity,
        t.audit,
        t.longest_gap,
        t.back_after.0,
        t.back_after.1,
        t.seconds
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let o = options()?;
    let temp = tempfile::tempdir()?;
    let kept;
    let dir: &Path = if o.keep {
        kept = temp.keep();
        eprintln!("keeping databases and logs in {}", kept.display());
        &kept
    } else {
        temp.path()
    };
    let mut rows = Vec::new();
    let mut failed = false;
    let self_test = o.self_test;
    let mut record = |engine: &str, kill: &str, t: Tally| {
        failed |= if self_test {
            // Every kind of damage made by `tamper` must be seen.
            t.lost < 3 || t.duplicated < 1 || t.half_present < 6 || t.harness_errors > 0
        } else {
            t.lost + t.duplicated + t.half_present + t.harness_errors > 0
                || t.stuck
                || !(t.integrity == "ok" || t.integrity == "n/a")
                || t.audit != "passes"
        };
        rows.push(row(engine, kill, &t));
    };
    for engine in &o.engines {
        if engine == "sqlite" {
            eprintln!("SQLite: kill -9 vangnet × {}", o.kills);
            let database = dir.join("crash.db").display().to_string();
            let t = phase(
                "sqlite",
                KillKind::Vangnet,
                &database,
                None,
                o.kills,
                &o,
                dir,
            )
            .await?;
            record("SQLite", "kill -9 vangnet", t);
        } else {
            eprintln!("PostgreSQL: kill -9 vangnet × {}", o.kills);
            let name = format!("vangnet_bench_crash_{}", std::process::id());
            admin(&format!("CREATE DATABASE {name}")).await?;
            let result = phase(
                "postgres",
                KillKind::Vangnet,
                &format!("{}/{name}", postgres_base()),
                None,
                o.kills,
                &o,
                dir,
            )
            .await;
            admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
            record("PostgreSQL", "kill -9 vangnet", result?);
            if o.server_kills > 0 {
                eprintln!(
                    "PostgreSQL: pg_ctl stop -m immediate × {} (throwaway cluster)",
                    o.server_kills
                );
                let cluster = Cluster::create()?;
                let t = phase(
                    "postgres",
                    KillKind::PostgresServer,
                    &format!("{}/postgres", cluster.ctl.url()),
                    Some(&cluster),
                    o.server_kills,
                    &o,
                    dir,
                )
                .await?;
                record("PostgreSQL", "pg_ctl stop -m immediate", t);
            }
        }
    }
    println!("\n## Crash harness: kill -9 under writes\n");
    println!(
        "| engine | kill | kills | acknowledged (patches / tally batches / report values / round counts) \
         | unacknowledged | of which stored | not sent | lost | duplicated | half-present | integrity_check | audit verify | longest without an acknowledgement | first acknowledgement after a restart (median / max) | duration |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
    for r in &rows {
        println!("{r}");
    }
    if self_test {
        if failed {
            bail!("self-test: the checks missed damage made on purpose");
        }
        eprintln!("self-test: the checks found the damage made on purpose (PROBLEM lines above)");
    } else if failed {
        bail!("a check failed (see PROBLEM lines above)");
    }
    Ok(())
}
