//! Load benchmark (issue 13): the public finder and dashboard endpoints
//! under load with `wrk`, next to a minimal axum handler that returns a
//! fixed JSON body, in the same run on the same machine. Goal per
//! endpoint: at least half the minimal handler's requests per second, a
//! p99 under 20 ms and no errors.
//!
//! - The minimal handler runs inside this process on its own tokio runtime,
//!   built as `vangnet` builds its own (`new_multi_thread()`, one worker per
//!   core), so it has the same worker count, the same axum and tokio (one
//!   `Cargo.lock`, one feature set) and the same release profile without a
//!   second binary to build and keep in step. The bench's own thread only
//!   waits for `wrk` while the load runs.
//! - vangnet runs as it is deployed: the release binary in its own process
//!   with its default logging; on SQLite as `vangnet demo`, and on
//!   PostgreSQL as `vangnet serve` on a database filled by the same
//!   `vangnet::cli::demo::fill` (a database `vangnet_bench_load_<pid>`,
//!   created and dropped).
//! - Every target gets the same `wrk` settings ([`WRK_THREADS`],
//!   [`WRK_CONNECTIONS`], [`WRK_SECONDS`]) and sends `Accept-Encoding` as a
//!   browser does; the minimal handler is measured first and last, and each
//!   ratio is to the mean of those two runs, so drift in the machine's load
//!   during the run shows and is shared out.
//! - An endpoint that answers 404 (not on this version) is skipped with a
//!   note; add endpoints to [`ENDPOINTS`].
//! - Besides wrk's figures: the time of the first answer (cold caches), the
//!   body as sent and its encoding, and the server process's CPU time per
//!   request (`/proc/<pid>/stat`), which says what a request costs whatever
//!   else the machine is doing. Where that time goes is for `perf`; see
//!   bench/RESULTS.md for how it was read.
//! - The load starts after the first answer, with warm caches. (The server
//!   works out the public figures as it starts; a first answer before they
//!   are ready waits for them, which the "first answer" column shows.)
//!
//! Needs: Debian's `wrk` (`apt-get install -y wrk`) and PostgreSQL at
//! `postgres://postgres@127.0.0.1:5432` (or `VANGNET_BENCH_POSTGRES_URL`).
//! Run: `cargo bench --bench load` (part of `bench/run`). To measure only
//! some parts while working on them: `VANGNET_BENCH_PARTS=large-sqlite`
//! (a comma-separated list of demo-sqlite, demo-postgres, large-sqlite,
//! large-postgres and soak; the minimal handler always runs).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use sqlx::{AnyConnection, Connection};
use vangnet::storage::Store;

#[path = "facilities.rs"]
mod facilities;

/// The public endpoints loaded, as (what, path and query). Every request
/// asks the same, as many readers of one dashboard do; the server keeps
/// such answers (`src/http/web/kept.rs`), so these measure it sending them.
const ENDPOINTS: &[(&str, &str)] = &[
    // Not an endpoint of issue 13: vangnet's floor, its middleware (route
    // guard, security headers, tracing span) around a fixed body.
    ("static script (floor)", "/static/finder.js"),
    ("finder API", "/api/v1/finder?lat=52.09&lon=5.12"),
    ("finder page, start", "/"),
    ("finder page, results", "/zoeken?q=Utrecht"),
    (
        "public metric figures",
        "/api/v1/stats/metrics?metric=visits&by=month&from=2025-01&to=2025-12",
    ),
    ("public dashboard page", "/cijfers/dashboard"),
    ("public dashboard JSON", "/cijfers/dashboard?formaat=json"),
    ("Table 1 API", "/api/v1/reports/table1"),
    // `/cijfers/tabel-1` only redirects to the newest round's page; this
    // page shows the newest published round's Table 1 and the list.
    ("Table 1 page (newest published round)", "/cijfers"),
];

/// The finder API from a new random point at every request
/// (`bench/finder_points.lua`): nothing kept can answer, so this is the
/// finder's own work (the probe asks from the path shown).
const NEW_POINTS: (&str, &str) = (
    "finder API, a new point every request",
    "/api/v1/finder?lat=52.37&lon=4.90",
);
const NEW_POINTS_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/finder_points.lua");

/// One write for twenty reads (`bench/mixed.lua`); the probe asks the first read.
const MIXED: (&str, &str) = (
    "mixed: 1 write (tally or facility change) per 20 reads",
    "/api/v1/reports/table1",
);
const MIXED_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/mixed.lua");

/// The large register: this many generated facilities (`bench/facilities.rs`).
const LARGE: usize = 100_000;

/// Whether the part `name` of the bench runs (`VANGNET_BENCH_PARTS`;
/// every part when it is not set).
fn part(name: &str) -> bool {
    std::env::var("VANGNET_BENCH_PARTS")
        .map(|parts| parts.split(',').any(|p| p.trim() == name))
        .unwrap_or(true)
}

/// How long the soak runs the mixed load (`VANGNET_BENCH_SOAK_SECONDS`, 0 skips it).
fn soak_seconds() -> u64 {
    std::env::var("VANGNET_BENCH_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600)
}

/// wrk's threads: one, so that on a 2-core machine wrk takes about one core
/// and the server the other (two would fight the server's two workers for
/// the same cores and measure wrk as much as the server).
const WRK_THREADS: usize = 1;
/// Enough connections to keep both server workers busy through loopback
/// round trips, few enough that the latency is the server's work rather
/// than a queue of waiting connections (a closed loop's mean latency is
/// connections ÷ requests per second).
const WRK_CONNECTIONS: usize = 16;
const WRK_SECONDS: u64 = 10;
/// What a browser sends.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";

const GOAL_RATIO: f64 = 0.5;
const GOAL_P99_MS: f64 = 20.0;

fn postgres_base() -> String {
    std::env::var("VANGNET_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// The minimal handler's answer: `{"ok":true}`.
#[derive(serde::Serialize)]
struct Answer {
    ok: bool,
}

async fn minimal_handler() -> axum::Json<Answer> {
    axum::Json(Answer { ok: true })
}

/// Starts the minimal server on `runtime`; its base URL.
fn minimal_server(runtime: &tokio::runtime::Runtime) -> anyhow::Result<String> {
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let router = axum::Router::new().route("/", axum::routing::get(minimal_handler));
    runtime.spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("minimal server: {e}");
        }
    });
    Ok(format!("http://{address}"))
}

/// CPU seconds (user and system, all threads) process `pid` has used.
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("/proc stat")?
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    // Linux reports these in USER_HZ, 100 a second on every architecture it runs on.
    Ok(ticks as f64 / 100.0)
}

/// A vangnet server process, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `vangnet` with `args` and waits for its "listening on" line.
fn vangnet(args: &[&str]) -> anyhow::Result<(Server, String)> {
    eprintln!("load: vangnet {}", args.join(" "));
    let mut child = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("start vangnet")?;
    let stdout = child.stdout.take().context("server stdout")?;
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        if let Some(url) = line?.trim().strip_prefix("listening on ") {
            let url = url.to_string();
            // Whatever else it prints must not fill the pipe and stall it.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok((server, url));
        }
    }
    bail!("vangnet {} stopped before it listened", args.join(" "))
}

/// The first answer, as a browser gets it: status, time, body bytes as
/// sent, encoding.
struct Probe {
    status: u16,
    first_ms: f64,
    body_bytes: usize,
    encoding: Option<String>,
}

async fn probe(url: &str) -> anyhow::Result<Probe> {
    let started = Instant::now();
    // reqwest is built without decompression: the body is what was sent.
    let answer = reqwest::Client::new()
        .get(url)
        .header("Accept-Encoding", ACCEPT_ENCODING)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = answer.status().as_u16();
    let encoding = answer
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body_bytes = answer.bytes().await?.len();
    Ok(Probe {
        status,
        first_ms: started.elapsed().as_secs_f64() * 1000.0,
        body_bytes,
        encoding,
    })
}

/// What wrk reports.
#[derive(Debug, Default, PartialEq)]
struct Wrk {
    requests: u64,
    requests_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    bytes_read: f64,
    socket_errors: u64,
    non_2xx: u64,
}

impl Wrk {
    fn errors(&self) -> u64 {
        self.socket_errors + self.non_2xx
    }
}

/// wrk's report on `url`, and the CPU µs process `pid` spent per request.
fn wrk(url: &str, pid: u32, script: Option<&str>) -> anyhow::Result<(Wrk, f64)> {
    wrk_for(url, pid, script, WRK_SECONDS, &[])
}

/// [`wrk`] for `seconds`, with environment variables for its script.
fn wrk_for(
    url: &str,
    pid: u32,
    script: Option<&str>,
    seconds: u64,
    env: &[(&str, &str)],
) -> anyhow::Result<(Wrk, f64)> {
    let cpu_before = cpu_seconds(pid)?;
    let mut command = Command::new("wrk");
    command.envs(env.iter().copied());
    if let Some(script) = script {
        command.args(["-s", script]);
    }
    let output = command
        .arg(format!("-t{WRK_THREADS}"))
        .arg(format!("-c{WRK_CONNECTIONS}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency")
        .args(["-H", &format!("Accept-Encoding: {ACCEPT_ENCODING}")])
        .arg(url)
        .output()
        .context("wrk is needed: apt-get install -y wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk {url}: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let cpu = cpu_seconds(pid)? - cpu_before;
    let report = parse_wrk(&text).with_context(|| format!("cannot read wrk's report:\n{text}"))?;
    let per_request = cpu * 1e6 / report.requests.max(1) as f64;
    Ok((report, per_request))
}

/// Milliseconds of a wrk duration (`812.00us`, `1.23ms`, `2.00s`, `1.00m`).
fn millis(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let factor = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(number.parse::<f64>().ok()? * factor)
}

/// Bytes of a wrk size (`12.34MB`, 1024-based as wrk prints them).
fn bytes(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let factor = match unit {
        "B" => 1.0,
        "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(number.parse::<f64>().ok()? * factor)
}

fn parse_wrk(text: &str) -> anyhow::Result<Wrk> {
    let mut wrk = Wrk::default();
    let (mut p50, mut p99, mut total) = (None, None, None);
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", t] => p50 = millis(t),
            ["99%", t] => p99 = millis(t),
            [n, "requests", "in", _, size, "read"] => {
                total = n.parse().ok();
                wrk.bytes_read = bytes(size).context("bytes read")?;
            }
            ["Requests/sec:", n] => wrk.requests_per_s = n.parse()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => wrk.non_2xx = n.parse()?,
            ["Socket", "errors:", rest @ ..] => {
                // connect 0, read 0, write 0, timeout 0
                wrk.socket_errors = rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum();
            }
            _ => {}
        }
    }
    wrk.p50_ms = p50.context("no 50% latency (--latency)")?;
    wrk.p99_ms = p99.context("no 99% latency (--latency)")?;
    wrk.requests = total.context("no request count")?;
    Ok(wrk)
}

/// One loaded target's row.
struct Row {
    what: String,
    path: String,
    probe: Probe,
    wrk: Wrk,
    /// The server process's CPU µs per request under the load.
    cpu_us: f64,
}

/// What the mixed load's writes need: an admin token and consumption
/// rooms to tally visits at and to change.
struct Writer {
    token: String,
    facilities: String,
}

async fn writer(database: &str) -> anyhow::Result<Writer> {
    let store = Store::connect(database).await?;
    let (_, token) = store.create_token("bench-load", "admin").await?;
    let filter = vangnet::storage::facilities::FacilityFilter {
        service: Some(vangnet::domain::service::ServiceType::ConsumptionRoom),
        status: Some(vangnet::domain::facility::FacilityStatus::Open),
        limit: Some(20),
        ..Default::default()
    };
    let ids: Vec<String> = store
        .list_facilities(&filter)
        .await?
        .iter()
        .map(|f| f.id.to_string())
        .collect();
    store.close().await;
    if ids.is_empty() {
        bail!("no open consumption room to write to");
    }
    Ok(Writer {
        token,
        facilities: ids.join(","),
    })
}

/// The mixed load (`bench/mixed.lua`) against `base` for `seconds`,
/// writing with `writer`'s token to its facilities.
fn mixed(base: &str, pid: u32, writer: &Writer, seconds: u64) -> anyhow::Result<(Wrk, f64)> {
    wrk_for(
        base,
        pid,
        Some(MIXED_SCRIPT),
        seconds,
        &[
            ("VANGNET_BENCH_TOKEN", &writer.token),
            ("VANGNET_BENCH_FACILITIES", &writer.facilities),
        ],
    )
}

/// Loads every endpoint of one vangnet server, then the mixed load; notes
/// the ones skipped.
fn load_endpoints(
    runtime: &tokio::runtime::Runtime,
    server: &Server,
    base: &str,
    database: &str,
    notes: &mut Vec<String>,
    engine: &str,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let targets = ENDPOINTS
        .iter()
        .map(|&(what, path)| (what, path, None))
        .chain([(NEW_POINTS.0, NEW_POINTS.1, Some(NEW_POINTS_SCRIPT))]);
    for (what, path, script) in targets {
        let url = format!("{base}{path}");
        eprintln!("load: {engine} {path}");
        let probe = runtime.block_on(probe(&url))?;
        if probe.status == 404 {
            notes.push(format!(
                "{engine}: `{path}` ({what}) answers 404 on this version; skipped"
            ));
            continue;
        }
        let (wrk, cpu_us) = wrk(&url, server.0.id(), script)?;
        rows.push(Row {
            what: what.to_string(),
            path: path.to_string(),
            probe,
            wrk,
            cpu_us,
        });
    }
    let writer = runtime.block_on(writer(database))?;
    eprintln!("load: {engine} mixed");
    let probe = runtime.block_on(probe(&format!("{base}{}", MIXED.1)))?;
    let (wrk, cpu_us) = mixed(base, server.0.id(), &writer, WRK_SECONDS)?;
    rows.push(Row {
        what: MIXED.0.to_string(),
        path: "bench/mixed.lua".to_string(),
        probe,
        wrk,
        cpu_us,
    });
    Ok(rows)
}

/// Resident memory of process `pid` in MiB.
fn rss_mib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .context("VmRSS")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kib / 1024.0)
}

/// The soak: the mixed load on the SQLite demo for [`soak_seconds`], a
/// minute at a time, with the server's resident memory after each.
fn soak(runtime: &tokio::runtime::Runtime) -> anyhow::Result<Vec<(u64, f64, Wrk)>> {
    let seconds = soak_seconds();
    if seconds == 0 {
        return Ok(Vec::new());
    }
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("soak.db").display().to_string();
    let (server, base) = vangnet(&["demo", "--listen", "127.0.0.1:0", "--file", &file])?;
    let writer = runtime.block_on(writer(&format!("sqlite://{file}")))?;
    runtime.block_on(probe(&format!("{base}/api/v1/reports/table1")))?;
    let pid = server.0.id();
    let mut samples = vec![(0, rss_mib(pid)?, Wrk::default())];
    let mut done = 0;
    while done < seconds {
        let step = 60.min(seconds - done);
        eprintln!("load: soak {done}–{} s", done + step);
        let (wrk, _) = mixed(&base, pid, &writer, step)?;
        done += step;
        samples.push((done, rss_mib(pid)?, wrk));
    }
    Ok(samples)
}

async fn admin(sql: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(&format!("{}/postgres", postgres_base())).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// The demo's register in a PostgreSQL database, as `vangnet demo` fills
/// its SQLite file.
async fn fill_postgres(database: &str) -> anyhow::Result<()> {
    let store = Store::connect(database).await?;
    vangnet::cli::demo::fill(&store).await?;
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join(vangnet::cli::demo::REFERENCE_DIR);
    vangnet::cli::demo::load_reference(&store, &reference).await?;
    store.close().await;
    Ok(())
}

/// The load on SQLite: `vangnet demo`.
fn sqlite_rows(
    runtime: &tokio::runtime::Runtime,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<Row>> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("demo.db").display().to_string();
    let (server, base) = vangnet(&["demo", "--listen", "127.0.0.1:0", "--file", &file])?;
    load_endpoints(
        runtime,
        &server,
        &base,
        &format!("sqlite://{file}"),
        notes,
        "SQLite",
    )
}

/// The large register: [`LARGE`] generated facilities imported into an
/// empty database (`database`), then served.
fn large_rows(
    runtime: &tokio::runtime::Runtime,
    database: &str,
    csv: &[u8],
    notes: &mut Vec<String>,
    engine: &str,
) -> anyhow::Result<Vec<Row>> {
    eprintln!("load: importing {LARGE} facilities ({engine})");
    let started = Instant::now();
    runtime.block_on(async {
        let store = Store::connect(database).await?;
        let options = vangnet::register::import::ImportOptions {
            dry_run: false,
            actor: vangnet::domain::provenance::Actor::named("bench"),
            file_name: "bench.csv".into(),
            today: vangnet::domain::date::today(),
        };
        let report =
            vangnet::register::import::import_facilities(&store, csv, &options, &|_, _| {}).await?;
        anyhow::ensure!(
            report.errors.is_empty(),
            "the import refused rows: {report}"
        );
        store.close().await;
        anyhow::Ok(())
    })?;
    notes.push(format!(
        "{engine}, {LARGE} facilities: imported in {:.0} s before the load",
        started.elapsed().as_secs_f64()
    ));
    let (server, base) = vangnet(&["serve", "--listen", "127.0.0.1:0", "--database", database])?;
    load_endpoints(runtime, &server, &base, database, notes, engine)
}

/// The load on PostgreSQL: a database made, filled, served, loaded, dropped.
fn postgres_rows(
    runtime: &tokio::runtime::Runtime,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<Row>> {
    let name = format!("vangnet_bench_load_{}", std::process::id());
    let database = format!("{}/{name}", postgres_base());
    runtime.block_on(admin(&format!("CREATE DATABASE {name}")))?;
    eprintln!("load: filling {name} with the demo");
    let measured = runtime.block_on(fill_postgres(&database)).and_then(|()| {
        let (server, base) =
            vangnet(&["serve", "--listen", "127.0.0.1:0", "--database", &database])?;
        load_endpoints(runtime, &server, &base, &database, notes, "PostgreSQL")
    });
    runtime.block_on(admin(&format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))?;
    measured
}

fn print_table(engine: &str, rows: &[Row], reference: f64) {
    if rows.is_empty() {
        return;
    }
    println!(
        "\n## Load: {engine}, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s, Accept-Encoding: {ACCEPT_ENCODING}\n"
    );
    println!(
        "| endpoint | req/s | × minimal | p50 | p99 | errors | goal | first answer | body bytes (encoding) | server CPU per request |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    for row in rows {
        let ratio = row.wrk.requests_per_s / reference;
        let mut missed = Vec::new();
        if ratio < GOAL_RATIO {
            missed.push(format!("< {GOAL_RATIO}×"));
        }
        if row.wrk.p99_ms >= GOAL_P99_MS {
            missed.push(format!("p99 ≥ {GOAL_P99_MS} ms"));
        }
        if row.wrk.errors() > 0 || !(200..300).contains(&row.probe.status) {
            missed.push(format!("errors (status {})", row.probe.status));
        }
        let goal = if missed.is_empty() {
            "yes".to_string()
        } else {
            format!("no: {}", missed.join(", "))
        };
        println!(
            "| {} `{}` | {:.0} | {:.2} | {:.2} ms | {:.2} ms | {} | {} | {:.0} ms | {} ({}) | {:.0} µs |",
            row.what,
            row.path,
            row.wrk.requests_per_s,
            ratio,
            row.wrk.p50_ms,
            row.wrk.p99_ms,
            row.wrk.errors(),
            goal,
            row.probe.first_ms,
            row.probe.body_bytes,
            row.probe.encoding.as_deref().unwrap_or("none"),
            row.cpu_us,
        );
    }
}

fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let minimal = minimal_server(&runtime)?;
    let minimal_row = |what: &str| -> anyhow::Result<Row> {
        eprintln!("load: minimal handler ({what})");
        let probe = runtime.block_on(probe(&minimal))?;
        let (wrk, cpu_us) = wrk(&format!("{minimal}/"), std::process::id(), None)?;
        Ok(Row {
            what: format!("minimal axum handler, {what}"),
            path: "/".to_string(),
            probe,
            wrk,
            cpu_us,
        })
    };
    let first = minimal_row("first")?;
    let mut notes = Vec::new();
    let sqlite = if part("demo-sqlite") {
        sqlite_rows(&runtime, &mut notes)?
    } else {
        Vec::new()
    };
    let postgres = if part("demo-postgres") {
        postgres_rows(&runtime, &mut notes)?
    } else {
        Vec::new()
    };
    let (mut large_sqlite, mut large_postgres) = (Vec::new(), Vec::new());
    if part("large-sqlite") || part("large-postgres") {
        let rows = facilities::facility_rows(LARGE, vangnet::domain::date::today());
        let csv = facilities::facilities_csv(&rows)?;
        if part("large-sqlite") {
            let dir = tempfile::tempdir()?;
            let large_file = format!("sqlite://{}", dir.path().join("large.db").display());
            large_sqlite = large_rows(&runtime, &large_file, &csv, &mut notes, "SQLite")?;
        }
        if part("large-postgres") {
            let name = format!("vangnet_bench_load_large_{}", std::process::id());
            runtime.block_on(admin(&format!("CREATE DATABASE {name}")))?;
            let rows = large_rows(
                &runtime,
                &format!("{}/{name}", postgres_base()),
                &csv,
                &mut notes,
                "PostgreSQL",
            );
            runtime.block_on(admin(&format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))?;
            large_postgres = rows?;
        }
    }
    let last = minimal_row("last")?;
    let soaked = if part("soak") {
        soak(&runtime)?
    } else {
        Vec::new()
    };

    let reference = (first.wrk.requests_per_s + last.wrk.requests_per_s) / 2.0;
    print_table("minimal handler", &[first, last], reference);
    print_table("SQLite (`vangnet demo`)", &sqlite, reference);
    print_table(
        "PostgreSQL (`vangnet serve`, demo data)",
        &postgres,
        reference,
    );
    print_table(
        &format!("SQLite (`vangnet serve`, {LARGE} facilities)"),
        &large_sqlite,
        reference,
    );
    print_table(
        &format!("PostgreSQL (`vangnet serve`, {LARGE} facilities)"),
        &large_postgres,
        reference,
    );
    if !soaked.is_empty() {
        println!("\n## Soak: the mixed load on the SQLite demo, a minute at a time\n");
        println!("| after | server RSS | req/s in the minute | p99 | errors |");
        println!("|---:|---:|---:|---:|---:|");
        for (at, rss, wrk) in &soaked {
            println!(
                "| {at} s | {rss:.1} MiB | {:.0} | {:.2} ms | {} |",
                wrk.requests_per_s,
                wrk.p99_ms,
                wrk.errors()
            );
        }
    }
    println!(
        "\n× minimal: requests/s over the mean of the minimal handler's two runs ({reference:.0}/s). \
         Goal: ≥ {GOAL_RATIO}×, p99 < {GOAL_P99_MS} ms, no errors (non-2xx answers and socket errors). \
         First answer: the probe before the load, with cold caches. Server CPU: user and system time \
         of the server process during the load over the requests answered (the minimal handler's \
         is this bench's process; PostgreSQL's own CPU is not counted)."
    );
    for note in notes {
        println!("\nNote: {note}");
    }
    Ok(())
}
