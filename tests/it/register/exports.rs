//! Files people open in a spreadsheet program: text typed into the register
//! never runs as a formula there, and what vangnet exports imports back to
//! exactly the text that was typed.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader};

use crate::browser::signed_in;
use crate::common::*;

/// Names and notes a spreadsheet program would take for formulas, and one
/// (`'t Hoekje`) that starts with an apostrophe of its own.
const FORMULA_CSV: &str = "naam;organisatie;voorzieningen;plaats;postcode;openbaar;opmerkingen
\"=HYPERLINK(\"\"http://x\"\")\";Demo Zorg;spuitomruil;Utrecht;3511 AB;ja;=1+1
-- nee --;Demo Zorg;spuitomruil;Utrecht;3511 AB;ja;@SUM(A1)
@home;Demo Zorg;spuitomruil;Utrecht;3511 AB;ja;+31 20 123
+31 20 123;Demo Zorg;naloxon;Utrecht;3511 AB;ja;-3.5
't Hoekje;Demo Zorg;naloxon;Utrecht;3511 AB;ja;-- nee --
";

const NAMES: [&str; 5] = [
    "=HYPERLINK(\"http://x\")",
    "-- nee --",
    "@home",
    "+31 20 123",
    "'t Hoekje",
];

/// The cells of a CSV file, row by row.
fn cells(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The column of `header` in every row after the header.
fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let at = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]));
    let mut values: Vec<String> = rows[1..].iter().map(|r| r[at].clone()).collect();
    values.sort();
    values
}

fn sorted(values: &[&str]) -> Vec<String> {
    let mut values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    values.sort();
    values
}

#[tokio::test]
async fn typed_formulas_are_text_in_every_csv_and_an_export_imports_back_unchanged() {
    let app = TestApp::new().await;
    let report = app.import("formules.csv", FORMULA_CSV).await;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.created, 5);

    // Open data: every typed text that starts like a formula gets an apostrophe.
    let open = app.get("/opendata/facilities.csv").await;
    assert_eq!(open.status, StatusCode::OK);
    let rows = cells(&open.text());
    assert_eq!(
        column(&rows, "name"),
        sorted(&[
            "'=HYPERLINK(\"http://x\")",
            "'-- nee --",
            "'@home",
            "'+31 20 123",
            "'t Hoekje",
        ]),
        "{}",
        open.text()
    );

    // The staff export, with the internal notes.
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let staff = researcher.get("/beheer/export/voorzieningen.csv").await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.text());
    let exported = staff.text();
    let rows = cells(&exported);
    assert_eq!(
        column(&rows, "notes"),
        sorted(&["'=1+1", "'@SUM(A1)", "'+31 20 123", "-3.5", "'-- nee --"]),
        "{exported}"
    );
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r'])
                    && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
                "a cell a spreadsheet would run: {cell:?} in {exported}"
            );
        }
    }

    // Importing the export gives back exactly the text: nothing changes.
    let again = app.import("export.csv", &exported).await;
    assert!(again.is_ok(), "{again}");
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 5),
        "{again}"
    );
    let listed = app.facilities("status=all").await;
    let mut names: Vec<String> = listed
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, sorted(&NAMES));
    let mut notes: Vec<String> = listed
        .iter()
        .map(|f| f["notes"].as_str().unwrap().to_string())
        .collect();
    notes.sort();
    assert_eq!(
        notes,
        sorted(&["=1+1", "@SUM(A1)", "+31 20 123", "-3.5", "-- nee --"])
    );
}

#[tokio::test]
async fn typed_formulas_are_strings_in_the_xlsx_export_never_formulas() {
    let app = TestApp::new().await;
    let report = app.import("formules.csv", FORMULA_CSV).await;
    assert!(report.is_ok(), "{report}");
    let reply = app.get("/opendata/facilities.xlsx").await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(reply.bytes)).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let formulas = workbook.worksheet_formula(&sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "the export holds formulas"
    );
    let range = workbook.worksheet_range(&sheet).unwrap();
    let mut names: Vec<String> = range
        .rows()
        .skip(1)
        .map(|row| match &row[1] {
            Data::String(s) => s.clone(),
            other => panic!("the name is not a string cell: {other:?}"),
        })
        .collect();
    names.sort();
    assert_eq!(names, sorted(&NAMES), "text as typed, without apostrophes");
}
