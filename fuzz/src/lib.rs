//! What the fuzz targets share: one real SQLite register per fuzzing
//! process, seeded with a few facilities and their monthly reports, so that
//! the import targets run vangnet's own import functions (a dry run, which
//! reads, checks and matches every row but writes nothing) rather than a
//! copy of their reading code; fixed "today" and "now" so that a crash
//! found once is found again; and the workbook wrapper of the XLSX targets.
//!
//! The register lives in a temporary directory that is removed when
//! libFuzzer exits (it exits through `exit`, which runs `atexit` handlers
//! but no Rust destructors).

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tokio::runtime::Runtime;
use vangnet::domain::access::Principal;
use vangnet::domain::provenance::Actor;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet::storage::Store;

/// The day every target takes as today.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date")
}

/// The moment every target takes as now (noon, Amsterdam summer time).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0)
        .single()
        .expect("a moment")
}

/// Someone at the command line (an administrator), as the CLI imports.
pub fn admin() -> Principal {
    Principal::command_line("cli:fuzz")
}

pub fn actor() -> Actor {
    Actor::named("cli:fuzz")
}

/// A seeded register and the runtime its calls run on.
pub struct World {
    pub runtime: Runtime,
    pub store: Store,
}

impl World {
    /// Runs a future of the store to its end.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// The demo's first facilities (ids 1 to 3).
const FACILITIES: usize = 3;

/// Earlier monthly figures of facility 1, so that a report's values are
/// checked against a history (the warnings of `period_report::warnings`).
const REPORTS: &str = "facility_id,period,syringes_out,syringes_in\n\
                       1,2026-01,1200,1100\n\
                       1,2026-02,1300,1250\n\
                       1,2026-03,1250,1200\n";

static DIRECTORY: Mutex<Option<PathBuf>> = Mutex::new(None);

extern "C" fn remove_directory() {
    if let Ok(mut directory) = DIRECTORY.lock() {
        if let Some(path) = directory.take() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// The process's register, made and seeded on first use.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let directory = tempfile::Builder::new()
            .prefix("vangnet-fuzz-")
            .tempdir()
            .expect("a temporary directory")
            .keep();
        let database = directory.join("register.db");
        *DIRECTORY.lock().expect("not poisoned") = Some(directory);
        // SAFETY: registers a plain function without arguments; libFuzzer
        // ends the process with exit(), which calls it.
        unsafe {
            libc::atexit(remove_directory);
        }
        let store = runtime
            .block_on(Store::connect(&format!("sqlite:{}", database.display())))
            .expect("the register opens");
        let world = World { runtime, store };
        world.block_on(seed(&world.store));
        world
    })
}

async fn seed(store: &Store) {
    let csv: String = vangnet::cli::demo::FACILITIES_CSV
        .lines()
        .take(1 + FACILITIES)
        .map(|line| format!("{line}\n"))
        .collect();
    let options = ImportOptions {
        dry_run: false,
        actor: actor(),
        file_name: "seed.csv".into(),
        today: today(),
    };
    let report = import_facilities(store, csv.as_bytes(), &options, &|_, _| {})
        .await
        .expect("the seed facilities import");
    assert!(report.is_ok(), "{report}");
    let who = admin();
    let options = vangnet::monitoring::report_import::ReportImportOptions {
        file_name: "seed.csv".into(),
        mapping: Vec::new(),
        approve: true,
        dry_run: false,
        who: &who,
        actor: actor(),
        today: today(),
    };
    let report =
        vangnet::monitoring::report_import::import_reports(store, REPORTS.as_bytes(), &options)
            .await
            .expect("the seed reports import");
    assert!(report.is_ok(), "{report}");
}

/// How a ZIP archive starts (and so every XLSX file).
pub const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// What an XLSX target imports: the input itself when it starts like a
/// workbook file (a ZIP archive, or the OLE file of an XLS), otherwise a
/// workbook made around it ([`workbook`]).
pub fn workbook_input(data: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const OLE_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
    if data.starts_with(ZIP_SIGNATURE) || data.starts_with(OLE_SIGNATURE) {
        std::borrow::Cow::Borrowed(data)
    } else {
        std::borrow::Cow::Owned(workbook(data))
    }
}

/// An XLSX workbook around fuzzed XML: `data` up to its first NUL byte is
/// the worksheet, the rest the shared strings. Mutating a real workbook's
/// compressed bytes mostly breaks its checksums, so the XLSX targets take
/// inputs that do not start like a ZIP file as the parts inside one, and
/// reach the XML readers behind the archive (stored, uncompressed).
pub fn workbook(data: &[u8]) -> Vec<u8> {
    let (sheet, strings) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let parts: [(&str, &[u8]); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in parts {
        zip.start_file(name, options).expect("an entry");
        zip.write_all(bytes).expect("written");
    }
    zip.finish().expect("an archive").into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
