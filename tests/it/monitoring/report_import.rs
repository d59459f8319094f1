//! `vangnet import reports`: a file of monthly figures from a facility's
//! own system, their column names mapped to metric codes; a dry run
//! writes nothing; every error names row, column and reason, and a file
//! with one is not written at all; `--approve` approves at once.

use serde_json::json;

use crate::common::*;
use vangnet::domain::access::Principal;
use vangnet::domain::metric::Period;
use vangnet::domain::period_report::ReportStatus;
use vangnet::domain::provenance::Actor;
use vangnet::monitoring::report_import::{
    import_reports, read_mapping, ReportImportOptions, ReportImportReport,
};

async fn exchange(app: &TestApp, name: &str) -> i64 {
    let org = app
        .post(
            "/api/v1/organisations",
            json!({ "name": format!("{name} Zorg") }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/facilities",
        json!({"name": name, "organisation_id": org, "opened_on": "2024-01-01",
               "services": ["syringe_exchange"], "city": "Utrecht"}),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap()
}

async fn run(
    app: &TestApp,
    text: &str,
    mapping: &str,
    approve: bool,
    dry_run: bool,
) -> ReportImportReport {
    let who = Principal::command_line("cli:test");
    let options = ReportImportOptions {
        file_name: "export-maart.csv".into(),
        mapping: read_mapping(mapping).unwrap(),
        approve,
        dry_run,
        who: &who,
        actor: Actor::named("cli:test"),
        today: vangnet::domain::date::today(),
    };
    import_reports(&app.store, text.as_bytes(), &options)
        .await
        .unwrap()
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

#[tokio::test]
async fn a_mapped_file_is_submitted_with_its_provenance_and_a_dry_run_writes_nothing() {
    let app = TestApp::new().await;
    let id = exchange(&app, "Spuitpunt Import").await;
    let file = format!(
        "facility_id,periode,Uitgegeven spuiten,Ingeleverd\n{id},2025-01,1200,1100\n{id},2025-02,1300,1250\n"
    );
    let mapping =
        "their_column,metric_code\nUitgegeven spuiten,syringes_out\nIngeleverd,syringes_in\n";
    let dry = run(&app, &file, mapping, false, true).await;
    assert!(dry.is_ok(), "{dry}");
    let listed: Vec<(usize, String, usize)> = dry
        .reports
        .iter()
        .map(|r| (r.row, r.period.to_string(), r.values))
        .collect();
    assert_eq!(
        listed,
        [(2, "2025-01".into(), 2), (3, "2025-02".into(), 2)],
        "a dry run lists what it would write"
    );
    assert!(app
        .store
        .period_report(id, period("2025-01"))
        .await
        .unwrap()
        .is_none());

    let done = run(&app, &file, mapping, false, false).await;
    assert_eq!(done.written, 2, "{done}");
    let stored = app
        .store
        .period_report(id, period("2025-02"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ReportStatus::Submitted);
    assert_eq!(stored.source, "file: export-maart.csv");
    assert_eq!(stored.values["syringes_out"].0, 1300);
    assert_eq!(stored.submitted_by.as_deref(), Some("cli:test"));

    // Approved at once, then the period is locked for the next file.
    let march = format!("facility_id,period,syringes_out\n{id},2025-03,1250\n");
    assert!(run(&app, &march, "", true, false).await.is_ok());
    let stored = app
        .store
        .period_report(id, period("2025-03"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ReportStatus::Approved);
    let again = run(&app, &march, "", false, false).await;
    assert_eq!(again.errors.len(), 1, "{again}");
    assert_eq!(again.errors[0].row, 2);
    assert!(again.to_string().contains("approved and locked"), "{again}");
}

#[tokio::test]
async fn a_file_with_errors_names_row_column_and_reason_and_writes_nothing() {
    let app = TestApp::new().await;
    let id = exchange(&app, "Spuitpunt Fout").await;
    let file = format!(
        "facility_id,period,syringes_out,syringes_in,visits_typo\n\
         {id},2025-01,100,90,\n\
         {id},2025-01,100,90,\n\
         99999,2025-02,5,5,\n\
         {id},2025-13,5,5,\n\
         {id},2025-04,-5,900,\n"
    );
    let report = run(&app, &file, "", false, false).await;
    // The unknown column stops the file at its header.
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].row, 1);
    assert_eq!(report.errors[0].column.as_deref(), Some("E (visits_typo)"));

    let file = file.replace(",visits_typo", "").replace(",\n", "\n");
    let report = run(&app, &file, "", false, false).await;
    let text = report.to_string();
    let lines: Vec<(usize, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_deref()))
        .collect();
    assert!(lines.contains(&(3, None)), "duplicate row: {text}");
    assert!(
        lines.contains(&(4, Some("A (facility_id)"))),
        "unknown facility: {text}"
    );
    assert!(
        lines.contains(&(5, Some("B (period)"))),
        "bad period: {text}"
    );
    assert!(
        lines.contains(&(6, Some("C (syringes_out)"))),
        "negative: {text}"
    );
    assert!(text.starts_with("export-maart.csv: row "), "{text}");
    assert!(
        app.store
            .period_report(id, period("2025-01"))
            .await
            .unwrap()
            .is_none(),
        "all or nothing"
    );

    // A warning without a note column is reported; with one it passes.
    let warned = format!("facility_id,period,syringes_out,syringes_in\n{id},2025-05,100,900\n");
    let report = run(&app, &warned, "", false, false).await;
    assert_eq!(
        report.errors[0].column.as_deref(),
        Some("D (syringes_in)"),
        "{report}"
    );
    let noted = format!("facility_id,period,syringes_out,syringes_in,toelichting\n{id},2025-05,100,900,inzamelactie\n");
    assert!(run(&app, &noted, "", false, false).await.is_ok());
}

#[tokio::test]
async fn a_report_file_with_personal_data_is_refused_naming_the_column_and_row() {
    let app = TestApp::new().await;
    let id = exchange(&app, "Demo Spuitpunt").await;
    let named = run(
        &app,
        &format!("facility_id,period,syringes_out,Geboortedatum\n{id},2025-03,100,1980-01-01\n"),
        "",
        false,
        false,
    )
    .await;
    assert_eq!(named.written, 0);
    assert_eq!(named.errors[0].column.as_deref(), Some("D (Geboortedatum)"));
    let in_note = run(
        &app,
        &format!("facility_id,period,syringes_out,toelichting\n{id},2025-03,100,cliënt mailde jan@example.org\n"),
        "",
        false,
        false,
    )
    .await;
    assert_eq!(in_note.written, 0);
    let e = &in_note.errors[0];
    assert_eq!((e.row, e.column.as_deref()), (2, Some("D (toelichting)")));
}
