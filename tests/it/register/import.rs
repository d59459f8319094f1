//! Importing spreadsheets into the register.

use chrono::NaiveDate;
use serde_json::Value;

use crate::common::*;
use vangnet::formats::columns::ExportScope;
use vangnet::formats::{export_facilities, ExportFormat};
use vangnet::storage::facilities::FacilityFilter;

fn names(list: &Value) -> Vec<String> {
    list["facilities"]
        .as_array()
        .expect("a facility list")
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_dutch_spreadsheet_shows_up_in_the_api_the_export_and_table1() {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.is_ok(), "{report}");
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (5, 0, 0)
    );
    assert_eq!(report.organisations_created.len(), 3);

    // Public listing today: the residents-only room and the closed one are not there.
    let list = app.get("/api/v1/facilities").await.json();
    let mut listed = names(&list);
    listed.sort();
    assert_eq!(
        listed,
        [
            "Demo Apotheek Zwolle",
            "Demo Huiskamer Centrum",
            "Demo MHU Amsterdam"
        ]
    );
    let huiskamer = list["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Demo Huiskamer Centrum")
        .unwrap();
    assert_eq!(huiskamer["municipality_code"], "GM0344");
    assert_eq!(huiskamer["province"], "Utrecht");
    assert_eq!(
        huiskamer["services"],
        serde_json::json!(["consumption_room", "syringe_exchange"])
    );
    assert_eq!(huiskamer["source"], "phone");
    assert_eq!(huiskamer["verified_on"], "2026-01-15");
    assert_eq!(huiskamer["location_precision"], "postcode");
    assert!(
        huiskamer.get("notes").is_none(),
        "internal notes are not public"
    );

    // The export has the same facilities.
    let csv = app.get("/opendata/facilities.csv").await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(text.starts_with("id,name,organisation,services,"), "{text}");
    assert!(text.contains("Demo Huiskamer Centrum"));
    assert!(
        !text.contains("Demo Bewonersruimte"),
        "residents-only rooms are not published"
    );

    // Table 1: the three-room location counts once; residents-only and closed rooms don't count.
    let table = app.get("/api/v1/reports/table1").await.json();
    let rooms = table1_row(&table, "consumption_room");
    assert_eq!(rooms["locations"], 1);
    assert_eq!(rooms["municipalities"], 1);
    assert_eq!(rooms["capacity"], 12);
    assert_eq!(rooms["qualifier"], "exact");
    let mhu = table1_row(&table, "heroin_unit");
    assert_eq!(
        (mhu["locations"].as_i64(), mhu["capacity"].as_i64()),
        (Some(1), Some(60))
    );
    let exchange = table1_row(&table, "syringe_exchange");
    assert_eq!(
        (
            exchange["locations"].as_i64(),
            exchange["municipalities"].as_i64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(exchange["capacity"], Value::Null);
    assert_eq!(table["rows"].as_array().unwrap().len(), 6);

    // As of 2022 the Amsterdam room was still open.
    let then = app
        .get("/api/v1/reports/table1?as_of=2022-01-01")
        .await
        .json();
    assert_eq!(then["as_of"], "2022-01-01");
    let rooms_then = table1_row(&then, "consumption_room");
    assert_eq!(
        (
            rooms_then["locations"].as_i64(),
            rooms_then["municipalities"].as_i64()
        ),
        (Some(2), Some(2))
    );
}

#[tokio::test]
async fn a_dry_run_reports_every_rejected_row_and_writes_nothing() {
    let app = TestApp::new().await;
    let csv = "\
naam,organisatie,voorzieningen,plaats,postcode,geopend,ruimtes,openingstijden,breedtegraad,lengtegraad
Demo Goed,Demo Zorg,spuitomruil,Utrecht,3511 AB,2020-01-01,1,Mo-Fr 09:00-17:00,,
Demo Slechte Plaats,Demo Zorg,spuitomruil,Atlantis,,,,,,
Demo Slechte Dienst,Demo Zorg,coffeeshop,Utrecht,,,,,,
,Demo Zorg,naloxon,Utrecht,35111,31-02-2020,drie,elke dag,4.9,52.3
";
    let report = import_bytes(&app.store, "inventaris.csv", csv.as_bytes(), true).await;
    assert!(!report.written);
    let shown = report.to_string();
    let expect = [
        "row 3, column D (plaats): unknown place 'Atlantis'",
        "row 4, column C (voorzieningen): unknown service 'coffeeshop'",
        "row 5, column F (geopend): '31-02-2020' is not a date",
        "row 5, column G (ruimtes): 'drie' is not a whole number",
    ];
    for line in expect {
        assert!(shown.contains(line), "missing «{line}» in:\n{shown}");
    }
    assert!(
        !shown.contains("row 2"),
        "the good row has no errors:\n{shown}"
    );
    assert!(shown.contains("3 of 4 rows have errors"), "{shown}");
    let listed = app
        .get_as_admin("/api/v1/facilities?status=all")
        .await
        .json();
    assert!(names(&listed).is_empty(), "a dry run writes nothing");

    // Fixing the conversion errors reveals the remaining ones of row 5.
    let fixed = csv.replace("31-02-2020,drie", "2020-02-01,2");
    let report = import_bytes(&app.store, "inventaris.csv", fixed.as_bytes(), true).await;
    let shown = report.to_string();
    for line in [
        "row 5, column A (naam): is required",
        "row 5, column E (postcode): '35111' is not a Dutch postcode",
        "row 5, column H (openingstijden): 'elke dag' is not in OpenStreetMap opening_hours syntax",
        "row 5, column I (breedtegraad): 4.9 is outside the Netherlands (are latitude and longitude swapped?)",
    ] {
        assert!(shown.contains(line), "missing «{line}» in:\n{shown}");
    }
}

#[tokio::test]
async fn one_bad_row_means_nothing_is_written() {
    let app = TestApp::new().await;
    let csv = format!("{DUTCH_CSV}Demo Kapot;Demo Zorg;spuitomruil;;;Nergenshuizen;;;;;;;;;;\n");
    let report = app.import("kapot.csv", &csv).await;
    assert!(!report.is_ok());
    assert!(!report.written);
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].row, 7);
    let all = app
        .get_as_admin("/api/v1/facilities?status=all")
        .await
        .json();
    assert!(names(&all).is_empty(), "no row of the file was written");
    let organisations = app.get("/api/v1/organisations").await.json();
    assert_eq!(
        organisations,
        serde_json::json!([]),
        "nor its organisations"
    );
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = TestApp::new().await;
    assert!(app.import("a.csv", DUTCH_CSV).await.is_ok());
    let again = app.import("a.csv", DUTCH_CSV).await;
    assert!(again.is_ok(), "{again}");
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5));
    assert!(again.organisations_created.is_empty());
    let history = app
        .get_as_admin("/api/v1/facilities/1/history")
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 1, "no new versions");
}

#[tokio::test]
async fn unknown_repeated_and_missing_columns_are_reported() {
    let app = TestApp::new().await;
    let csv = "naam,kleur,naam,plaats\nDemo A,rood,Demo B,Utrecht\n";
    let report = import_bytes(&app.store, "kolommen.csv", csv.as_bytes(), true).await;
    let shown = report.to_string();
    for line in [
        "row 1, column B (kleur): unknown column 'kleur'",
        "row 1, column C (naam): repeats the column 'name'",
        "row 1: the required column 'organisation' is missing",
        "row 1: the required column 'services' is missing",
    ] {
        assert!(shown.contains(line), "missing «{line}» in:\n{shown}");
    }
}

#[tokio::test]
async fn a_changed_row_becomes_a_new_version_and_the_past_stays_answerable() {
    let app = TestApp::new().await;
    let v1 = "name,organisation,services,city,opening_hours,verified_on\n\
              Demo Punt,Demo Zorg,syringe_exchange,Zwolle,Mo-Fr 09:00-12:00,2024-01-10\n";
    let v2 = "name,organisation,services,city,opening_hours,verified_on\n\
              Demo Punt,Demo Zorg,syringe_exchange;naloxone,Zwolle,Mo-Fr 09:00-17:00,2025-06-01\n";
    assert!(app.import("v1.csv", v1).await.is_ok());
    let report = app.import("v2.csv", v2).await;
    assert_eq!((report.created, report.updated), (0, 1), "{report}");

    let before = app
        .get("/api/v1/facilities/1?as_of=2025-05-31")
        .await
        .json();
    assert_eq!(before["opening_hours"], "Mo-Fr 09:00-12:00");
    assert_eq!(before["services"], serde_json::json!(["syringe_exchange"]));
    let after = app
        .get("/api/v1/facilities/1?as_of=2025-06-01")
        .await
        .json();
    assert_eq!(after["opening_hours"], "Mo-Fr 09:00-17:00");
    assert_eq!(after["verified_on"], "2025-06-01");

    let history = app
        .get_as_admin("/api/v1/facilities/1/history")
        .await
        .json();
    let versions = history.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["record"]["valid_from"], "2025-06-01");
    assert_eq!(versions[0]["record"]["valid_to"], "2025-06-01");
    assert_eq!(versions[1]["record"]["source"], "import: v2.csv");
    let changed: Vec<&str> = versions[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["opening_hours", "services"]);

    // The older file cannot rewrite what the register learned later.
    let stale = app.import("v1.csv", v1).await;
    assert!(
        stale.errors[0].message.contains("newer information"),
        "{stale}"
    );
}

#[tokio::test]
async fn a_facility_with_unknown_opening_date_counts_from_when_it_was_first_seen() {
    let app = TestApp::new().await;
    let csv = "name,organisation,services,city,verified_on\n\
               Demo Onbekend,Demo Zorg,syringe_exchange,Zwolle,2021-05-01\n";
    assert!(app.import("a.csv", csv).await.is_ok());
    let count = |table: Value| table1_row(&table, "syringe_exchange")["locations"].as_i64();
    assert_eq!(
        count(
            app.get("/api/v1/reports/table1?as_of=2021-04-30")
                .await
                .json()
        ),
        Some(0)
    );
    assert_eq!(
        count(
            app.get("/api/v1/reports/table1?as_of=2021-05-01")
                .await
                .json()
        ),
        Some(1)
    );
    let planned = app
        .get("/api/v1/facilities/1?as_of=2020-01-01")
        .await
        .json();
    assert_eq!(planned["status"], "planned");
}

#[tokio::test]
async fn an_export_imports_again_without_changes() {
    let app = TestApp::new().await;
    assert!(app.import("a.csv", DUTCH_CSV).await.is_ok());
    let day = vangnet::domain::date::today();
    let facilities = app
        .store
        .list_facilities(&FacilityFilter {
            internal: vangnet::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await
        .unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let bytes = export_facilities(&facilities, day, format, ExportScope::Full).unwrap();
        let report = import_bytes(&app.store, "export", &bytes, false).await;
        assert!(report.is_ok(), "{format:?}: {report}");
        assert_eq!(
            (report.created, report.updated, report.unchanged),
            (0, 0, 5),
            "{format:?}: {report}"
        );
    }
}

enum CapacityCell {
    Number(f64),
    Text(&'static str),
}

/// A workbook with Dutch headers and one data row (sheet row 2) holding real
/// date, boolean and number cells.
fn workbook(capacity: CapacityCell) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let headers = [
        "Naam",
        "Organisatie",
        "Voorzieningen",
        "Plaats",
        "Geopend",
        "Openbaar",
        "Capaciteit",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd-mm-yyyy");
    sheet.write_string(1, 0, "Demo MHU Groningen").unwrap();
    sheet.write_string(1, 1, "Demo Zorg Noord").unwrap();
    sheet.write_string(1, 2, "MHU").unwrap();
    sheet.write_string(1, 3, "Groningen").unwrap();
    sheet
        .write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2006, 9, 1).unwrap(), &date)
        .unwrap();
    sheet.write_boolean(1, 5, true).unwrap();
    match capacity {
        CapacityCell::Number(n) => sheet.write_number(1, 6, n).unwrap(),
        CapacityCell::Text(t) => sheet.write_string(1, 6, t).unwrap(),
    };
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_workbook_with_dutch_headers_and_date_cells_imports() {
    let app = TestApp::new().await;
    let bad = workbook(CapacityCell::Text("veel"));
    let report = import_bytes(&app.store, "lijst.xlsx", &bad, true).await;
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(
        report.errors[0].to_string(),
        "row 2, column G (Capaciteit): 'veel' is not a whole number"
    );

    let report = import_bytes(
        &app.store,
        "lijst.xlsx",
        &workbook(CapacityCell::Number(30.0)),
        false,
    )
    .await;
    assert!(report.is_ok(), "{report}");
    let facility = app.get("/api/v1/facilities/1").await.json();
    assert_eq!(facility["opened_on"], "2006-09-01");
    assert_eq!(facility["capacity"], 30);
    assert_eq!(facility["public_access"], true);
    assert_eq!(facility["municipality_code"], "GM0014");
    assert_eq!(facility["services"], serde_json::json!(["heroin_unit"]));
}

#[tokio::test]
async fn ambiguous_places_need_a_postcode_or_code() {
    let app = TestApp::new().await;
    let csv = "name,organisation,services,city,postcode\n\
               Demo Winsum,Demo Zorg,naloxone,Winsum,\n\
               Demo Winsum Groningen,Demo Zorg,naloxone,Winsum,9951 AB\n";
    let report = import_bytes(&app.store, "a.csv", csv.as_bytes(), true).await;
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].row, 2);
    assert!(report.errors[0].message.contains("ambiguous"), "{report}");
}

#[tokio::test]
async fn no_file_content_makes_the_importer_panic() {
    // Deterministic mutations of valid CSV and XLSX files: every outcome must
    // be a report (possibly full of errors), never a panic.
    let app = TestApp::new().await;
    let xlsx = {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(app.import("seed.csv", DUTCH_CSV).await.is_ok());
        let facilities = app
            .store
            .list_facilities(&FacilityFilter {
                internal: vangnet::domain::access::InternalScope::All,
                ..FacilityFilter::default()
            })
            .await
            .unwrap();
        export_facilities(&facilities, day, ExportFormat::Xlsx, ExportScope::Full).unwrap()
    };
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for original in [DUTCH_CSV.as_bytes().to_vec(), xlsx] {
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..(1 + next() % 8) {
                let at = (next() as usize) % bytes.len();
                match next() % 3 {
                    0 => bytes[at] = next() as u8,
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.truncate(at.max(1)),
                }
            }
            let _ = import_bytes(&app.store, "fuzz", &bytes, true).await;
        }
    }
}

/// The closing line of a dry run's report of `csv`.
async fn summary_of(app: &TestApp, bytes: &[u8]) -> String {
    let report = import_bytes(&app.store, "lijst.csv", bytes, true).await;
    report
        .to_string()
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_report_counts_rows_with_errors_in_words_that_agree_with_the_numbers() {
    let app = TestApp::new().await;
    let header = "naam;organisatie;voorzieningen;plaats\n";
    let good = |n: usize| -> String {
        (1..=n)
            .map(|i| format!("Demo Goed {i};Demo Zorg;spuitomruil;Utrecht\n"))
            .collect()
    };
    let one_error = "Demo Fout;Demo Zorg;spuitomruil;Nergenshuizen\n";
    let two_errors = "Demo Dubbel;Demo Zorg;coffeeshop;Nergenshuizen\n";
    for (csv, expected) in [
        (
            format!("{header}{}{one_error}", good(4)),
            "lijst.csv: 1 of 5 rows has an error; nothing was written",
        ),
        (
            format!("{header}{}{two_errors}", good(4)),
            "lijst.csv: 1 of 5 rows has errors; nothing was written",
        ),
        (
            format!("{header}{}{one_error}{two_errors}", good(3)),
            "lijst.csv: 2 of 5 rows have errors; nothing was written",
        ),
        (
            format!("{header}{one_error}"),
            "lijst.csv: the only row has an error; nothing was written",
        ),
        (
            format!("naam;organisatie;voorzieningen;plaats;kleur\n{}", good(2)),
            "lijst.csv: the header (row 1) has an error; nothing was written",
        ),
        (
            "naam;kleur\n".to_string(),
            "lijst.csv: the header (row 1) has errors; nothing was written",
        ),
        (
            format!("naam;organisatie;voorzieningen;plaats;kleur\n{}{one_error}", good(1)),
            "lijst.csv: the header (row 1) has an error; 1 of 2 rows has an error; nothing was written",
        ),
    ] {
        assert_eq!(summary_of(&app, csv.as_bytes()).await, expected, "{csv}");
    }
    // A file that is no spreadsheet at all has no rows to count.
    let unreadable = summary_of(&app, b"a,b\n\0\0\0").await;
    assert_eq!(
        unreadable,
        "lijst.csv: the file cannot be read; nothing was written"
    );
}
