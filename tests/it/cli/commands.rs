//! The `vangnet` command line, run as a real process.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use crate::common::{engine, table1_row, TestDb, DUTCH_CSV};

const BIN: &str = env!("CARGO_BIN_EXE_vangnet");

/// A spreadsheet whose row 3 names a place that does not exist.
const CSV_WITH_BAD_ROW: &str = "naam;organisatie;voorzieningen;adres;postcode;plaats
Demo Goede Rij;Demo Zorg;spuitomruil;Voorbeeldstraat 1;3511 AB;Utrecht
Demo Foute Rij;Demo Zorg;spuitomruil;Demoweg 2;;Nergenshuizen
";

/// The binary with a clean environment: settings a developer may have
/// exported must not leak into the tests.
fn command(dir: Option<&Path>) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("VANGNET_DATABASE_URL")
        .env_remove("VANGNET_LISTEN")
        .env_remove("VANGNET_TRUSTED_PROXIES")
        .env_remove("VANGNET_TRUST_PROXY")
        .env_remove("VANGNET_LOG_FORMAT")
        .env_remove("VANGNET_METRICS_ALLOW")
        .env_remove("VANGNET_METRICS_TOKEN")
        .stdin(Stdio::null());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command
}

/// What a finished run of the binary left behind.
struct Run {
    args: Vec<String>,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn success(&self) -> bool {
        self.status.success()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "vangnet {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            self.args.join(" "),
            self.status,
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `vangnet ARGS` to the end.
fn vangnet(args: &[&str]) -> Run {
    let output = command(None)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    Run {
        args: args.iter().map(|a| a.to_string()).collect(),
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `vangnet ARGS` and insists that it succeeds.
fn vangnet_ok(args: &[&str]) -> Run {
    let run = vangnet(args);
    assert!(run.success(), "expected success:\n{run}");
    run
}

fn text(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Writes `contents` to `name` in `dir` and returns the path as text.
fn write_file(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    text(&path).to_string()
}

/// The full JSON export of the register, as of a day or today.
fn export_json(db: &TestDb, extra: &[&str]) -> Value {
    let mut args = vec![
        "export",
        "facilities",
        "--format",
        "json",
        "--database",
        &db.url,
    ];
    args.extend_from_slice(extra);
    vangnet_ok(&args).json()
}

/// The facility names in an export document, sorted.
fn names(export: &Value) -> Vec<String> {
    let mut names: Vec<String> = export["facilities"]
        .as_array()
        .unwrap_or_else(|| panic!("no facilities list in {export}"))
        .iter()
        .map(|f| f["name"].as_str().expect("a name").to_string())
        .collect();
    names.sort();
    names
}

fn import_dutch_csv(db: &TestDb, dir: &Path) -> Run {
    let file = write_file(dir, "voorzieningen.csv", DUTCH_CSV);
    vangnet_ok(&["import", "facilities", &file, "--database", &db.url])
}

/// A server started with `serve` or `demo`, killed when dropped (also when
/// an assertion fails first).
pub(crate) struct Server {
    child: Child,
    /// `http://ADDR`, from the `listening on` line.
    pub(crate) base: String,
    /// What it printed on stdout before that line.
    banner: Vec<String>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts `vangnet ARGS` in `dir` and waits until it reports its address.
    pub(crate) fn start(args: &[&str], dir: Option<&Path>) -> Server {
        let mut child = command(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr_reader = {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            })
        };
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            // Keeps reading after the address is known so the pipe never fills.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            banner: Vec::new(),
            stderr: log,
            stderr_reader: Some(stderr_reader),
        };
        loop {
            match received.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => match line.strip_prefix("listening on ") {
                    Some(address) => {
                        server.base = address.trim().to_string();
                        return server;
                    }
                    None => server.banner.push(line),
                },
                Err(e) => {
                    let stderr = server.stop();
                    panic!(
                        "vangnet {} did not report its address ({e}); stdout:\n{}\nstderr:\n{stderr}",
                        args.join(" "),
                        server.banner.join("\n")
                    );
                }
            }
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Kills the process and returns everything it wrote on stderr.
    pub(crate) fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// `GET url`, optionally with a bearer token: the status and the JSON body.
async fn get_json(url: &str, token: Option<&str>) -> (reqwest::StatusCode, Value) {
    let mut request = http().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status();
    let body = response.text().await.expect("response body");
    let json = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("GET {url} answered {status} with non-JSON ({e}): {body}"));
    (status, json)
}

fn directory_entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

// --- import ---

#[tokio::test]
async fn a_dry_run_with_a_bad_row_fails_naming_file_row_column_and_reason_and_writes_nothing() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "bad.csv", CSV_WITH_BAD_ROW);

    let run = vangnet(&[
        "import",
        "facilities",
        &file,
        "--dry-run",
        "--database",
        &db.url,
    ]);

    assert!(!run.success(), "a bad row must fail the run:\n{run}");
    assert!(
        run.stdout
            .contains("bad.csv: row 3, column F (plaats): unknown place 'Nergenshuizen'"),
        "the error names file, row, column and reason:\n{run}"
    );
    assert!(
        run.stdout
            .contains("1 of 2 rows has an error; nothing was written"),
        "{run}"
    );
    assert!(
        !run.stdout.contains("row 2"),
        "the good row has no error:\n{run}"
    );
    assert_eq!(names(&export_json(&db, &[])), Vec::<String>::new());
}

/// A spreadsheet of 150 rows, each naming a place that does not exist.
fn csv_with_150_bad_rows() -> String {
    let mut text = String::from("naam;organisatie;voorzieningen;plaats\n");
    for i in 1..=150 {
        text.push_str(&format!(
            "Demo Rij {i};Demo Zorg;spuitomruil;=Nergens {i}\n"
        ));
    }
    text
}

#[tokio::test]
async fn a_report_prints_the_first_100_errors_and_writes_all_of_them_with_errors_file() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "veel.csv", &csv_with_150_bad_rows());

    let run = vangnet(&[
        "import",
        "facilities",
        &file,
        "--dry-run",
        "--database",
        &db.url,
    ]);
    assert!(!run.success(), "{run}");
    let printed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("veel.csv: row "))
        .collect();
    assert_eq!(printed.len(), 100, "{run}");
    assert!(
        printed[0].starts_with("veel.csv: row 2, column D (plaats): unknown place '=Nergens 1'")
    );
    assert!(printed[99].starts_with("veel.csv: row 101,"), "{run}");
    assert!(
        run.stdout
            .contains("veel.csv: 50 more errors not shown (150 in all)"),
        "{run}"
    );
    assert!(
        run.stdout.contains("--errors FILE"),
        "says how to get them all:\n{run}"
    );

    let all = dir.path().join("fouten.csv");
    let all_path = all.display().to_string();
    let run = vangnet(&[
        "import",
        "facilities",
        &file,
        "--dry-run",
        "--errors",
        &all_path,
        "--database",
        &db.url,
    ]);
    assert!(!run.success(), "{run}");
    assert!(
        run.stdout
            .contains(&format!("veel.csv: all 150 errors are in {all_path}")),
        "{run}"
    );
    let csv = std::fs::read_to_string(&all).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 151, "a header and every error:\n{csv}");
    assert_eq!(lines[0], "row,column,message");
    assert!(
        lines[150].starts_with("151,D (plaats),unknown place '=Nergens 150'"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_real_import_with_a_bad_row_fails_and_writes_nothing() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "bad.csv", CSV_WITH_BAD_ROW);

    let run = vangnet(&["import", "facilities", &file, "--database", &db.url]);

    assert!(!run.success(), "{run}");
    assert!(run.stdout.contains("row 3, column F (plaats)"), "{run}");
    assert_eq!(
        names(&export_json(&db, &[])),
        Vec::<String>::new(),
        "the good row is not written either"
    );
}

#[tokio::test]
async fn a_clean_dry_run_succeeds_says_nothing_was_written_and_writes_nothing() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "voorzieningen.csv", DUTCH_CSV);

    let run = vangnet_ok(&[
        "import",
        "facilities",
        &file,
        "--dry-run",
        "--database",
        &db.url,
    ]);

    assert!(
        run.stdout.contains(
            "voorzieningen.csv: 5 rows: 5 would be created, 0 would be updated, 0 unchanged"
        ),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("voorzieningen.csv: dry run: nothing was written"),
        "{run}"
    );
    assert_eq!(names(&export_json(&db, &[])), Vec::<String>::new());
}

#[tokio::test]
async fn importing_a_dutch_spreadsheet_twice_changes_nothing_the_second_time() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();

    let first = import_dutch_csv(&db, dir.path());
    assert!(
        first
            .stdout
            .contains("voorzieningen.csv: 5 rows: 5 created, 0 updated, 0 unchanged"),
        "{first}"
    );
    assert!(
        !first.stdout.contains("nothing was written"),
        "a real import writes:\n{first}"
    );
    assert_eq!(names(&export_json(&db, &[])).len(), 5);

    let second = import_dutch_csv(&db, dir.path());
    assert!(
        second.stdout.contains("0 created, 0 updated, 5 unchanged"),
        "{second}"
    );
    assert_eq!(names(&export_json(&db, &[])).len(), 5);
}

#[tokio::test]
async fn importing_a_missing_file_fails_naming_the_file() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("bestaat-niet.csv");

    let run = vangnet(&[
        "import",
        "facilities",
        text(&missing),
        "--database",
        &db.url,
    ]);

    assert!(!run.success(), "{run}");
    assert!(run.stderr.contains("bestaat-niet.csv"), "{run}");
}

// --- export ---

#[tokio::test]
async fn export_writes_csv_json_geojson_and_xlsx_files() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());
    let export = |format: &str| {
        let path = dir.path().join(format!("facilities.{format}"));
        let run = vangnet_ok(&[
            "export",
            "facilities",
            "--format",
            format,
            "-o",
            text(&path),
            "--database",
            &db.url,
        ]);
        assert!(
            run.stdout.is_empty(),
            "with -o nothing goes to stdout:\n{run}"
        );
        assert!(run.stderr.contains("5 facilities as of"), "{run}");
        std::fs::read(&path).unwrap_or_else(|e| panic!("{} not written: {e}", path.display()))
    };

    let csv = String::from_utf8(export("csv")).expect("CSV is UTF-8");
    assert!(
        csv.starts_with("id,name,organisation,services,"),
        "CSV header: {}",
        csv.lines().next().unwrap_or("")
    );
    assert!(
        csv.lines().next().unwrap().ends_with(",notes"),
        "the full export has notes"
    );
    assert_eq!(csv.lines().count(), 6, "header and five facilities:\n{csv}");
    assert!(csv.contains("Demo Huiskamer Centrum"), "{csv}");

    let json: Value = serde_json::from_slice(&export("json")).expect("JSON parses");
    assert_eq!(
        names(&json),
        [
            "Demo Apotheek Zwolle",
            "Demo Bewonersruimte",
            "Demo Huiskamer Centrum",
            "Demo MHU Amsterdam",
            "Demo Oude Ruimte"
        ]
    );

    let geojson: Value = serde_json::from_slice(&export("geojson")).expect("GeoJSON parses");
    assert_eq!(geojson["type"], "FeatureCollection");
    let features = geojson["features"].as_array().expect("features");
    assert_eq!(features.len(), 5);
    for feature in features {
        assert_eq!(feature["type"], "Feature");
        assert_eq!(feature["geometry"]["type"], "Point", "{feature}");
        let lon = feature["geometry"]["coordinates"][0].as_f64().expect("lon");
        let lat = feature["geometry"]["coordinates"][1].as_f64().expect("lat");
        assert!(
            (3.0..7.5).contains(&lon) && (50.5..54.0).contains(&lat),
            "[lon, lat] in the Netherlands: {feature}"
        );
        assert_eq!(feature["properties"]["longitude"].as_f64(), Some(lon));
        assert_eq!(feature["properties"]["latitude"].as_f64(), Some(lat));
    }

    let xlsx = export("xlsx");
    assert!(xlsx.starts_with(b"PK"), "XLSX is a ZIP file");
}

#[tokio::test]
async fn exported_csv_and_xlsx_import_again_without_changes() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());

    for format in ["csv", "xlsx"] {
        let path = dir.path().join(format!("export.{format}"));
        vangnet_ok(&[
            "export",
            "facilities",
            "--format",
            format,
            "-o",
            text(&path),
            "--database",
            &db.url,
        ]);
        let run = vangnet(&[
            "import",
            "facilities",
            text(&path),
            "--dry-run",
            "--database",
            &db.url,
        ]);
        assert!(run.success(), "{run}");
        assert!(
            run.stdout
                .contains("0 would be created, 0 would be updated, 5 unchanged"),
            "{run}"
        );
    }
}

#[tokio::test]
async fn export_as_of_a_past_day_drops_facilities_not_yet_open_only_with_public_only() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());

    // The full export describes every facility as recorded on the day,
    // with its status then: not-yet-opened ones are listed as planned.
    let full = export_json(&db, &["--as-of", "2010-01-01"]);
    assert_eq!(full["as_of"], "2010-01-01");
    assert_eq!(names(&full).len(), 5, "{full}");
    let huiskamer = full["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Demo Huiskamer Centrum")
        .expect("listed");
    assert_eq!(huiskamer["status"], "planned", "opened in 2015");
    assert_eq!(huiskamer["notes"], "drie gescheiden ruimtes");

    // The public export: only public facilities open on that day.
    let public = export_json(&db, &["--as-of", "2010-01-01", "--public-only"]);
    assert_eq!(
        names(&public),
        ["Demo MHU Amsterdam", "Demo Oude Ruimte"],
        "{public}"
    );

    // Today: the closed room and the residents-only room are left out, and
    // so are internal notes.
    let today = export_json(&db, &["--public-only"]);
    assert_eq!(
        names(&today),
        [
            "Demo Apotheek Zwolle",
            "Demo Huiskamer Centrum",
            "Demo MHU Amsterdam"
        ]
    );
    for facility in today["facilities"].as_array().unwrap() {
        assert!(facility.get("notes").is_none(), "{facility}");
        assert_eq!(facility["status"], "open");
    }
    let csv = vangnet_ok(&[
        "export",
        "facilities",
        "--format",
        "csv",
        "--public-only",
        "--database",
        &db.url,
    ]);
    let header = csv.stdout.lines().next().unwrap_or_default();
    assert!(!header.contains("notes"), "public CSV header: {header}");
}

#[tokio::test]
async fn export_with_an_invalid_day_fails_naming_as_of() {
    let db = TestDb::new().await;
    let run = vangnet(&[
        "export",
        "facilities",
        "--format",
        "json",
        "--as-of",
        "gisteren",
        "--database",
        &db.url,
    ]);
    assert!(!run.success(), "{run}");
    assert!(run.stderr.contains("--as-of"), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
}

// --- report ---

#[tokio::test]
async fn report_table1_as_json_has_six_rows_counting_each_public_open_location_once() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());
    let today = vangnet::domain::date::today().to_string();

    let report = vangnet_ok(&[
        "report",
        "table1",
        "--as-of",
        &today,
        "--format",
        "json",
        "--database",
        &db.url,
    ])
    .json();
    assert_eq!(report["as_of"], today.as_str());
    let rows = report["rows"].as_array().expect("rows");
    let services: Vec<&str> = rows
        .iter()
        .map(|r| r["service"].as_str().expect("service"))
        .collect();
    assert_eq!(
        services,
        [
            "consumption_room",
            "methadone_clinic",
            "heroin_unit",
            "syringe_exchange",
            "paraphernalia",
            "naloxone"
        ]
    );
    for row in rows {
        let row_object = row.as_object().expect("row object");
        for key in [
            "service",
            "locations",
            "municipalities",
            "cities",
            "capacity",
            "qualifier",
            "notes",
            "source",
            "facility_ids",
        ] {
            assert!(row_object.contains_key(key), "{key}: {row}");
        }
        assert!(row["locations"].is_i64(), "{row}");
        assert!(row["municipalities"].is_i64(), "{row}");
        assert!(
            row["capacity"].is_i64() || row["capacity"].is_null(),
            "{row}"
        );
        assert_eq!(row["qualifier"], "exact", "{row}");
    }
    // The 3-room location counts once; the residents-only room and the room
    // closed in 2023 do not count.
    let rooms = table1_row(&report, "consumption_room");
    assert_eq!(rooms["locations"], 1, "{report}");
    assert_eq!(rooms["municipalities"], 1, "{report}");
    assert_eq!(rooms["capacity"], 12, "{report}");
    let exchange = table1_row(&report, "syringe_exchange");
    assert_eq!(exchange["locations"], 2, "{report}");
    assert_eq!(exchange["municipalities"], 2, "{report}");
    assert_eq!(exchange["capacity"], Value::Null, "{report}");

    let past = vangnet_ok(&[
        "report",
        "table1",
        "--as-of",
        "2022-01-01",
        "--format",
        "json",
        "--database",
        &db.url,
    ])
    .json();
    assert_eq!(past["as_of"], "2022-01-01");
    let rooms = table1_row(&past, "consumption_room");
    assert_eq!(rooms["locations"], 2, "the old room was still open: {past}");
    assert_eq!(rooms["municipalities"], 2, "{past}");
    assert_eq!(rooms["capacity"], 18, "{past}");
}

#[tokio::test]
async fn report_table1_prints_csv_and_markdown() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());
    let report = |format: &str| {
        vangnet_ok(&[
            "report",
            "table1",
            "--as-of",
            "2022-01-01",
            "--format",
            format,
            "--database",
            &db.url,
        ])
        .stdout
    };

    let csv = report("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("as_of,service,locations,municipalities,capacity,qualifier,cities,"),
        "the old columns first: {}",
        lines[0]
    );
    assert_eq!(lines.len(), 7, "header and six rows:\n{csv}");
    assert!(
        lines[1].starts_with("2022-01-01,consumption_room,2,2,18,exact,2,2,1 locatie met 3 aparte ruimtes,register op 2022-01-01,"),
        "{}",
        lines[1]
    );

    let md = report("md");
    assert!(md.contains("2022-01-01"), "{md}");
    assert!(
        md.contains(
            "| voorziening | locaties | gemeenten | woonplaatsen | capaciteit | toelichting | bron |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Gebruiksruimte | 2 | 2 | 2 | 18 | 1 locatie met 3 aparte ruimtes | register op 2022-01-01 |"),
        "{md}"
    );
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| ---"))
            .count(),
        7,
        "header and six rows:\n{md}"
    );
}

#[tokio::test]
async fn report_table1_on_an_empty_register_counts_zero() {
    let db = TestDb::new().await;
    let report = vangnet_ok(&[
        "report",
        "table1",
        "--format",
        "json",
        "--database",
        &db.url,
    ])
    .json();
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6);
    for row in rows {
        assert_eq!(row["locations"], 0, "{row}");
        assert_eq!(row["municipalities"], 0, "{row}");
        assert_eq!(row["capacity"], Value::Null, "{row}");
    }
}

#[tokio::test]
async fn report_with_an_invalid_day_fails_naming_as_of() {
    let db = TestDb::new().await;
    let run = vangnet(&[
        "report",
        "table1",
        "--as-of",
        "2022-13-01",
        "--format",
        "json",
        "--database",
        &db.url,
    ]);
    assert!(!run.success(), "{run}");
    assert!(run.stderr.contains("--as-of"), "{run}");
    assert!(run.stderr.contains("2022-13-01"), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
}

// --- tokens ---

#[tokio::test]
async fn token_create_prints_the_secret_once_and_token_list_never_shows_it() {
    let db = TestDb::new().await;

    let created = vangnet_ok(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "coordinator",
        "--database",
        &db.url,
    ]);
    let lines: Vec<&str> = created.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the secret on stdout:\n{created}");
    let secret = lines[0];
    assert!(secret.starts_with("vng_"), "{created}");
    assert!(secret.len() > 20, "{created}");
    assert!(created.stderr.contains("shown only once"), "{created}");
    assert!(!created.stderr.contains(secret), "{created}");

    let list = vangnet_ok(&["token", "list", "--database", &db.url]);
    let rows: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(rows.len(), 1, "{list}");
    let columns: Vec<&str> = rows[0].split('\t').collect();
    assert_eq!(columns[1], "coordinator", "{list}");
    assert_eq!(columns[2], "admin", "{list}");
    assert_eq!(columns.last(), Some(&"active"), "{list}");
    let hex = &secret["vng_".len()..];
    assert!(
        !list.stdout.contains(hex) && !list.stderr.contains(hex),
        "the secret is not listed:\n{list}"
    );
}

#[tokio::test]
async fn token_create_with_an_unknown_role_fails_naming_role_and_creates_nothing() {
    let db = TestDb::new().await;

    let run = vangnet(&[
        "token",
        "create",
        "--role",
        "superuser",
        "--name",
        "x",
        "--database",
        &db.url,
    ]);

    assert!(!run.success(), "{run}");
    assert!(run.stderr.contains("--role"), "{run}");
    assert!(run.stderr.contains("superuser"), "{run}");
    assert!(!run.stdout.contains("vng_"), "{run}");
    let list = vangnet_ok(&["token", "list", "--database", &db.url]);
    assert_eq!(list.stdout, "", "{list}");
}

#[tokio::test]
async fn a_token_made_on_the_command_line_opens_the_api_until_it_is_revoked() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());
    let created = vangnet_ok(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "coordinator",
        "--database",
        &db.url,
    ]);
    let secret = created.stdout.trim();
    let server = Server::start(
        &["serve", "--listen", "127.0.0.1:0", "--database", &db.url],
        None,
    );
    let history = server.url("/api/v1/facilities/1/history");

    let (status, body) = get_json(&history, None).await;
    assert_eq!(status, 401, "history needs a token: {body}");
    let (status, body) = get_json(&history, Some(secret)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.as_array().is_some_and(|v| !v.is_empty()), "{body}");

    let revoked = vangnet_ok(&["token", "revoke", "1", "--database", &db.url]);
    assert!(revoked.stdout.contains("token 1 revoked"), "{revoked}");
    let (status, body) = get_json(&history, Some(secret)).await;
    assert_eq!(status, 401, "a revoked token is refused at once: {body}");
    let list = vangnet_ok(&["token", "list", "--database", &db.url]);
    assert!(list.stdout.contains("\trevoked "), "{list}");
}

// --- serve ---

#[tokio::test]
async fn serve_answers_the_health_check_and_refuses_writes_without_a_token() {
    let db = TestDb::new().await;
    let server = Server::start(
        &["serve", "--listen", "127.0.0.1:0", "--database", &db.url],
        None,
    );

    let (status, health) = get_json(&server.url("/healthz"), None).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["database"]["engine"], engine(), "{health}");

    let response = http()
        .post(server.url("/api/v1/facilities"))
        .json(&serde_json::json!({
            "name": "Demo Zonder Token",
            "organisation": "Demo Zorg",
            "services": ["syringe_exchange"],
            "city": "Utrecht"
        }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("a JSON error body");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// Behind nginx on the same host: X-Forwarded-For names the client, so one
/// client's invalid tokens do not throttle another's.
#[tokio::test]
async fn serve_behind_a_trusted_proxy_throttles_each_client_on_its_own() {
    let db = TestDb::new().await;
    let server = Server::start(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &db.url,
            "--trusted-proxy",
            "10.0.0.0/8,127.0.0.1",
        ],
        None,
    );
    let guess = |client: &'static str| {
        let url = server.url("/api/v1/me");
        async move {
            http()
                .get(url)
                .bearer_auth("vng_guess")
                .header("x-forwarded-for", client)
                .send()
                .await
                .expect("GET")
                .status()
                .as_u16()
        }
    };
    let mut first = Vec::new();
    for _ in 0..6 {
        first.push(guess("203.0.113.5").await);
    }
    assert_eq!(first, [401, 401, 401, 401, 401, 429]);
    assert_eq!(guess("198.51.100.7").await, 401, "another client");

    // The old flag believed X-Forwarded-For from anyone: refused, with the way on.
    let old = vangnet(&["serve", "--database", &db.url, "--trust-proxy"]);
    assert!(!old.success(), "{old}");
    assert!(old.stderr.contains("--trusted-proxy"), "{old}");
    let typo = vangnet(&[
        "serve",
        "--database",
        &db.url,
        "--trusted-proxy",
        "10.0.0.1/8",
    ]);
    assert!(!typo.success(), "{typo}");
    assert!(typo.stderr.contains("bits set after the prefix"), "{typo}");
}

#[tokio::test]
async fn serve_without_a_database_creates_vangnet_db_in_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    // `command` removes VANGNET_DATABASE_URL from the child's environment.
    let server = Server::start(&["serve", "--listen", "127.0.0.1:0"], Some(dir.path()));

    assert!(
        dir.path().join("vangnet.db").is_file(),
        "files in the directory: {:?}",
        directory_entries(dir.path())
    );
    let (status, health) = get_json(&server.url("/healthz"), None).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["database"]["engine"], "sqlite", "{health}");
}

// --- demo ---

#[tokio::test]
async fn demo_serves_its_own_register_with_an_admin_token_and_leaves_the_current_directory_alone() {
    let data = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let file = data.path().join("demo.db");
    let server = Server::start(
        &["demo", "--listen", "127.0.0.1:0", "--file", text(&file)],
        Some(cwd.path()),
    );

    let banner = server.banner.join("\n");
    assert!(banner.contains("DEMO DATA"), "{banner}");
    assert!(banner.contains(text(&file)), "{banner}");
    let token = banner
        .split_whitespace()
        .find(|w| w.starts_with("vng_"))
        .unwrap_or_else(|| panic!("no vng_ token in the banner:\n{banner}"))
        .trim_matches('\'')
        .to_string();
    assert!(
        banner.contains(&format!("(role admin): {token}")),
        "{banner}"
    );
    assert!(
        banner.contains("admin@demo.vangnet.example"),
        "the banner lists the demo logins:\n{banner}"
    );

    let (status, table) = get_json(&server.url("/api/v1/reports/table1"), None).await;
    assert_eq!(status, 200, "{table}");
    let rooms = table1_row(&table, "consumption_room");
    assert_eq!(rooms["locations"], 23, "{table}");
    assert_eq!(rooms["municipalities"], 14, "{table}");

    let history = server.url("/api/v1/facilities/1/history");
    let (status, body) = get_json(&history, Some(&token)).await;
    assert_eq!(status, 200, "the banner's token works: {body}");
    let (status, _) = get_json(&history, None).await;
    assert_eq!(status, 401, "history is not public");

    assert!(file.is_file(), "the demo database is where --file says");
    assert!(
        directory_entries(cwd.path()).is_empty(),
        "the demo wrote into the current directory: {:?}",
        directory_entries(cwd.path())
    );
    drop(server);
    assert!(!cwd.path().join("vangnet.db").exists());
}

#[tokio::test]
async fn demo_starts_afresh_each_time() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("demo.db");
    let args = ["demo", "--listen", "127.0.0.1:0", "--file", text(&file)];
    let count = |table: &Value| table1_row(table, "consumption_room")["locations"].clone();

    let first = Server::start(&args, Some(data.path()));
    let (_, before) = get_json(&first.url("/api/v1/reports/table1"), None).await;
    drop(first);
    let second = Server::start(&args, Some(data.path()));
    let (status, after) = get_json(&second.url("/api/v1/reports/table1"), None).await;

    assert_eq!(status, 200, "{after}");
    assert_eq!(count(&after), count(&before), "no duplicated demo data");
    assert_eq!(count(&after), 23);
}

// --- users and the audit log ---

#[tokio::test]
async fn user_add_prints_a_password_link_and_user_disable_ends_their_tokens() {
    let db = TestDb::new().await;
    let added = vangnet_ok(&[
        "user",
        "add",
        "coordinator@trimbos.example",
        "--role",
        "researcher",
        "--database",
        &db.url,
    ]);
    let link = added.stdout.trim();
    assert!(
        link.starts_with("http://127.0.0.1:8080/wachtwoord-instellen?code="),
        "{added}"
    );
    let list = vangnet_ok(&["user", "list", "--database", &db.url]);
    assert!(
        list.stdout
            .contains("coordinator@trimbos.example\tresearcher"),
        "{list}"
    );
    assert!(list.stdout.contains("invited"), "no password yet:\n{list}");

    let token = vangnet_ok(&[
        "token",
        "create",
        "--user",
        "coordinator@trimbos.example",
        "--name",
        "script",
        "--database",
        &db.url,
    ]);
    let token = token.stdout.trim().to_string();
    let store = db.store().await;
    assert!(store.authenticate(&token).await.unwrap().is_some());

    let disabled = vangnet_ok(&[
        "user",
        "disable",
        "coordinator@trimbos.example",
        "--database",
        &db.url,
    ]);
    assert!(disabled.stdout.contains("disabled"), "{disabled}");
    assert!(
        store.authenticate(&token).await.unwrap().is_none(),
        "the token ended with the user"
    );
    let list = vangnet_ok(&["user", "list", "--database", &db.url]);
    assert!(list.stdout.contains("disabled"), "{list}");
}

#[tokio::test]
async fn user_add_names_the_flag_that_is_wrong() {
    let db = TestDb::new().await;
    let run = vangnet(&[
        "user",
        "add",
        "melder@example.org",
        "--role",
        "reporter",
        "--database",
        &db.url,
    ]);
    assert!(!run.success(), "{run}");
    assert!(run.stderr.contains("--organisation"), "{run}");
    let run = vangnet(&[
        "user",
        "add",
        "x@example.org",
        "--role",
        "koning",
        "--database",
        &db.url,
    ]);
    assert!(!run.success() && run.stderr.contains("--role"), "{run}");
}

#[tokio::test]
async fn audit_verify_passes_on_a_clean_log_and_fails_after_a_row_is_altered_by_hand() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());
    let clean = vangnet_ok(&["audit", "verify", "--database", &db.url]);
    assert!(clean.stdout.contains("intact"), "{clean}");

    // A database owner edits an entry by hand, past the append-only trigger.
    let store = db.store().await;
    let pool = store.pool();
    match store.engine() {
        vangnet::storage::Engine::Sqlite => {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(pool)
                .await
                .unwrap();
        }
        vangnet::storage::Engine::Postgres => {
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                .execute(pool)
                .await
                .unwrap();
        }
    }
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\": \"Vervalst\"}' WHERE seq = 3")
        .execute(pool)
        .await
        .unwrap();
    store.close().await;
    let broken = vangnet(&["audit", "verify", "--database", &db.url]);
    assert!(!broken.success(), "{broken}");
    assert!(broken.stdout.contains("BROKEN at entry 3"), "{broken}");
}

/// Polls `GET url` until it answers 200 (the background jobs beat a first
/// time shortly after the start); the last status and body.
async fn until_ok(url: &str) -> (reqwest::StatusCode, Value) {
    let mut answer = get_json(url, None).await;
    for _ in 0..100 {
        if answer.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = get_json(url, None).await;
    }
    answer
}

#[tokio::test]
async fn serve_is_live_and_ready_once_its_background_jobs_run() {
    let db = TestDb::new().await;
    let server = Server::start(
        &["serve", "--listen", "127.0.0.1:0", "--database", &db.url],
        None,
    );
    let (status, live) = get_json(&server.url("/healthz/live"), None).await;
    assert_eq!(status, 200, "{live}");
    let (status, ready) = until_ok(&server.url("/healthz/ready")).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["status"], "ready", "{ready}");
    for check in ["database", "migrations", "mail_worker", "change_watcher"] {
        assert_eq!(ready["checks"][check]["status"], "ok", "{check}: {ready}");
    }
}

/// SIGTERM while writes are in flight: every write that got an answer is
/// stored, new connections are refused, and the process exits 0 in time.
#[tokio::test]
async fn sigterm_finishes_the_writes_in_flight_refuses_new_connections_and_exits_0() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    import_dutch_csv(&db, dir.path());
    let secret = vangnet_ok(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "writer",
        "--database",
        &db.url,
    ])
    .stdout
    .trim()
    .to_string();
    let mut server = Server::start(
        &["serve", "--listen", "127.0.0.1:0", "--database", &db.url],
        None,
    );
    let (status, ready) = until_ok(&server.url("/healthz/ready")).await;
    assert_eq!(status, 200, "{ready}");

    let client = http();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writes: Vec<_> = (0..300)
        .map(|i| {
            let request = client
                .post(server.url("/api/v1/facilities"))
                .bearer_auth(&secret)
                .json(&serde_json::json!({
                    "name": format!("Demo Afsluiten {i:03}"),
                    "organisation": "Demo Zorg Utrecht",
                    "services": ["syringe_exchange"],
                    "city": "Utrecht"
                }));
            let done = done.clone();
            tokio::spawn(async move {
                let response = request.send().await.ok()?;
                let status = response.status();
                let body = response.text().await.ok()?;
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Some((i, status, body, std::time::Instant::now()))
            })
        })
        .collect();
    // Some writes answered, the rest still in flight (waiting for the
    // first answer rather than a fixed time: a busy machine is slow to start).
    let started = std::time::Instant::now();
    while done.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no write was answered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let signalled = std::time::Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());

    // The listener closes at the signal, before the writes in flight end.
    let address = server.base.trim_start_matches("http://").to_string();
    let mut refused = false;
    for _ in 0..50 {
        if std::net::TcpStream::connect(&address).is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "new connections are refused after SIGTERM");

    let mut answered = Vec::new();
    let mut after_signal = 0;
    for write in writes {
        if let Some((i, status, body, at)) = write.await.expect("write task") {
            assert_eq!(status, 201, "write {i}: {body}");
            answered.push(format!("Demo Afsluiten {i:03}"));
            after_signal += usize::from(at > signalled);
        }
    }
    assert!(
        after_signal > 0,
        "writes in flight at the signal were finished"
    );

    let exit = loop {
        if let Some(exit) = server.child.try_wait().expect("try_wait") {
            break exit;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(40),
            "still running 40 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let stderr = server.stop();
    assert!(exit.success(), "exit {exit}; stderr:\n{stderr}");
    assert!(
        stderr.contains("background jobs stopped"),
        "the jobs were awaited:\n{stderr}"
    );
    assert!(
        !answered.is_empty(),
        "some writes were answered before the exit"
    );

    let stored = names(&export_json(&db, &[]));
    let missing: Vec<&String> = answered.iter().filter(|n| !stored.contains(n)).collect();
    assert!(missing.is_empty(), "answered but not stored: {missing:?}");
}
