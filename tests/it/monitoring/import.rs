//! `vangnet import tallies`: a good file is stored, a bad one names file,
//! row, column and reason and stores nothing, and importing the same file
//! again changes nothing.

use chrono::Utc;
use serde_json::json;

use crate::common::*;
use vangnet::domain::access::Principal;
use vangnet::domain::provenance::Actor;
use vangnet::monitoring::import::{import_tallies, TallyImportReport};

async fn facility(app: &TestApp) -> i64 {
    let org = app
        .post("/api/v1/organisations", json!({"name": "Demo Zorg"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/facilities",
        json!({"name": "Demo Spuitpunt", "organisation_id": org,
               "services": ["syringe_exchange"], "city": "Utrecht"}),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap()
}

async fn import(app: &TestApp, text: &str, dry_run: bool) -> TallyImportReport {
    let who = Principal::command_line("cli:test");
    import_tallies(
        &app.store,
        text.as_bytes(),
        "turven.csv",
        dry_run,
        &who,
        &Actor::named("cli:test"),
        Utc::now(),
        &|_| {},
    )
    .await
    .unwrap()
}

async fn month_total(app: &TestApp, id: i64) -> Vec<(String, i64)> {
    app.store
        .tally_sums(id, date("2026-11-01"), date("2026-12-01"))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_good_file_is_stored_once_however_often_it_is_imported() {
    let app = TestApp::new().await;
    let id = facility(&app).await;
    let text = format!(
        "voorziening;tijdstip;meting;aantal\n\
         {id};2026-11-02 10:15;syringes_out;25\n\
         {id};2026-11-02 10:16;syringes_out;5\n\
         {id};2026-11-03T09:00:00+01:00;syringes_in;12\n"
    );
    let dry = import(&app, &text, true).await;
    assert!(dry.is_ok(), "{dry}");
    assert_eq!(dry.stored, 3);
    assert_eq!(month_total(&app, id).await, [], "a dry run writes nothing");

    let first = import(&app, &text, false).await;
    assert_eq!(
        (first.rows, first.stored, first.repeated),
        (3, 3, 0),
        "{first}"
    );
    let again = import(&app, &text, false).await;
    assert_eq!((again.stored, again.repeated), (0, 3), "{again}");
    assert_eq!(
        month_total(&app, id).await,
        [
            ("syringes_in".to_string(), 12),
            ("syringes_out".to_string(), 30)
        ]
    );
}

#[tokio::test]
async fn an_export_overlapping_an_earlier_one_adds_only_its_new_rows_to_the_days() {
    // Two months' exports of one system, the second repeating the first's
    // last week; each larger than a statement's chunk, so chunks of the
    // second are partly repeated, partly new.
    let app = TestApp::new().await;
    let id = facility(&app).await;
    let rows = |from: u32, to: u32| -> String {
        let mut text = String::from("facility_id,at,metric,amount\n");
        for n in from..to {
            let (day, minute) = (1 + n / 600, n % 600);
            text.push_str(&format!(
                "{id},2026-11-{day:02}T{:02}:{:02}:00,syringes_out,{}\n",
                8 + minute / 60,
                minute % 60,
                1 + n % 3
            ));
        }
        text
    };
    let amount = |from: u32, to: u32| -> i64 { (from..to).map(|n| 1 + i64::from(n % 3)).sum() };
    let first = import(&app, &rows(0, 2_500), false).await;
    assert_eq!((first.stored, first.repeated), (2_500, 0), "{first}");
    let second = import(&app, &rows(1_800, 4_200), false).await;
    assert_eq!((second.stored, second.repeated), (1_700, 700), "{second}");
    assert_eq!(
        month_total(&app, id).await,
        [("syringes_out".to_string(), amount(0, 4_200))],
        "every row once in the days' sums"
    );
}

#[tokio::test]
async fn bad_rows_are_named_by_row_column_and_reason_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let id = facility(&app).await;
    let text = format!(
        "facility_id,at,metric,amount\n\
         {id},2026-11-02 10:15,syringes_out,25\n\
         {id},2026-11-02 10:16,syringes_out,0\n\
         {id},2026-11-02 10:17,syringes_out,1001\n\
         9999,2026-11-02 10:18,syringes_out,1\n\
         {id},2026-11-02 10:19,methadone_dispensations,1\n\
         {id},gisteren,syringes_out,1\n\
         {id},2026-11-02 10:15,syringes_out,25\n"
    );
    let report = import(&app, &text, false).await;
    let errors: Vec<(u64, &str)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "amount"),
            (4, "amount"),
            (5, "facility_id"),
            (6, "metric"),
            (7, "at"),
            (8, "id"),
        ],
        "{report}"
    );
    let printed = report.to_string();
    assert!(
        printed.contains("turven.csv: row 3, column amount: 0 is not possible"),
        "{printed}"
    );
    assert!(printed.contains("the same tally as row 2"), "{printed}");
    assert!(printed.contains("nothing stored"), "{printed}");
    assert_eq!(month_total(&app, id).await, [], "nothing half-written");

    let header = import(
        &app,
        "facility_id,at,metric,bsn\n1,2026-11-02 10:00,visits,1\n",
        false,
    )
    .await;
    assert!(!header.is_ok());
    assert!(
        header
            .to_string()
            .contains("row 1, column bsn: column bsn suggests data about persons"),
        "{header}"
    );
}

#[tokio::test]
async fn a_tally_file_with_a_bsn_column_is_refused_naming_it_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let id = facility(&app).await;
    let text = format!(
        "voorziening;tijdstip;meting;aantal;BSN\n\
         {id};2026-11-02 10:15;syringes_out;25;111222333\n"
    );
    let report = import(&app, &text, false).await;
    assert_eq!(report.stored, 0);
    let first = report.errors.first().expect("refused");
    assert_eq!(first.column, "BSN");
    assert!(
        first
            .reason
            .text(vangnet::domain::language::Language::Nl)
            .contains("BSN"),
        "{:?}",
        first.reason
    );
    assert_eq!(month_total(&app, id).await, []);
}
