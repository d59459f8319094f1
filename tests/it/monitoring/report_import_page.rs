//! `/beheer/rapportages/import`: the import of monthly figures as staff
//! use it in a browser. The check writes nothing and names every error by
//! row and column in the reader's language; "Importeren" writes exactly
//! the checked file; reporters import for their own organisation only and
//! never approve.

use axum::http::StatusCode;

use super::exchange;
use crate::browser::{csrf_token, form_fields, signed_in, Browser};
use crate::common::*;
use vangnet::domain::metric::Period;
use vangnet::domain::period_report::ReportStatus;

const PAGE: &str = "/beheer/rapportages/import";
const WRITE: &str = "/beheer/rapportages/import/importeren";

async fn stored(app: &TestApp, facility: i64, period: &str) -> Option<ReportStatus> {
    app.store
        .period_report(facility, Period::parse(period).unwrap())
        .await
        .unwrap()
        .map(|r| r.status)
}

/// Checks `file` (with an optional mapping file and approve box) as the
/// page's form posts it.
async fn check(
    browser: &mut Browser,
    file: &str,
    mapping: Option<&str>,
    approve: bool,
) -> crate::common::Reply {
    let token = csrf_token(&browser.get(PAGE).await);
    let mut fields = vec![("csrf_token", token.as_str())];
    if approve {
        fields.push(("approve", "ja"));
    }
    let mut files: Vec<(&str, &str, &[u8])> = vec![("file", "export-maart.csv", file.as_bytes())];
    if let Some(mapping) = mapping {
        files.push(("mapping", "koppeling.csv", mapping.as_bytes()));
    }
    browser.upload_form(PAGE, &fields, &files).await
}

/// Presses "Importeren" on a check's page.
async fn write(browser: &mut Browser, checked: &str) -> crate::common::Reply {
    let fields = form_fields(checked, WRITE);
    browser.post(WRITE, &fields).await
}

#[tokio::test]
async fn a_checked_file_is_written_only_when_importeren_is_pressed_and_then_stands_submitted() {
    let app = TestApp::new().await;
    let (org, id) = exchange(&app, "Spuitpunt Pagina").await;
    let mut manager = signed_in(&app, "manager@pagina.example", "org_manager", Some(org)).await;
    let file = format!(
        "facility_id,periode,Uitgegeven spuiten,Ingeleverd\n{id},2025-01,1200,1100\n{id},2025-02,1300,1250\n"
    );
    let mapping =
        "their_column,metric_code\nUitgegeven spuiten,syringes_out\nIngeleverd,syringes_in\n";

    let checked = check(&mut manager, &file, Some(mapping), false).await;
    let html = page(&checked);
    assert!(
        html.contains("2 rapportages zouden worden ingediend"),
        "{html}"
    );
    assert!(
        html.contains("Spuitpunt Pagina"),
        "the rows it would write: {html}"
    );
    assert!(html.contains(&format!("action=\"{WRITE}\"")), "{html}");
    for period in ["2025-01", "2025-02"] {
        assert_eq!(
            stored(&app, id, period).await,
            None,
            "the check wrote {period}"
        );
    }

    let written = write(&mut manager, &html).await;
    let done = page(&written);
    assert!(done.contains("2 rapportages ingediend"), "{done}");
    assert!(
        done.contains("href=\"/beheer/rapportages?periode=2025-01\""),
        "a link to the reports: {done}"
    );
    let report = app
        .store
        .period_report(id, Period::parse("2025-02").unwrap())
        .await
        .unwrap()
        .expect("written");
    assert_eq!(report.status, ReportStatus::Submitted);
    assert_eq!(report.source, "file: export-maart.csv");
    assert_eq!(report.values["syringes_out"].0, 1300, "mapped column");
    assert_eq!(
        report.submitted_by.as_deref(),
        Some("manager@pagina.example")
    );

    // A checked file is written once.
    let again = write(&mut manager, &html).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());

    // The overview links to the page.
    let overview = page(&manager.get("/beheer/rapportages").await);
    assert!(overview.contains(&format!("href=\"{PAGE}\"")), "{overview}");
}

#[tokio::test]
async fn a_file_with_a_bsn_column_is_refused_naming_the_column_in_the_readers_language() {
    let app = TestApp::new().await;
    let (_, id) = exchange(&app, "Spuitpunt BSN").await;
    let mut researcher = signed_in(&app, "onderzoek@bsn.example", "researcher", None).await;
    let file = format!("facility_id,period,syringes_out,BSN\n{id},2025-03,100,111222333\n");

    let checked = check(&mut researcher, &file, None, false).await;
    assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = checked.text();
    assert!(html.contains("D (BSN)"), "names the column: {html}");
    assert!(html.contains("persoonsgegevens"), "says why: {html}");
    assert!(html.contains("Het bestand heeft 1 fout."), "{html}");
    assert!(!html.contains("111222333"), "the number is not shown again");
    assert!(!html.contains(WRITE), "no way to write it: {html}");

    let switch = researcher.get(&format!("/taal?lang=en&terug={PAGE}")).await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    let html = check(&mut researcher, &file, None, false).await.text();
    assert!(
        html.contains("D (BSN)") && html.contains("suggests data about persons"),
        "{html}"
    );
    assert_eq!(stored(&app, id, "2025-03").await, None, "nothing written");
}

#[tokio::test]
async fn a_reporter_gets_a_row_error_for_another_organisations_facility_and_nothing_is_written() {
    let app = TestApp::new().await;
    let (own_org, own) = exchange(&app, "Spuitpunt Eigen").await;
    let (_, other) = exchange(&app, "Spuitpunt Ander").await;
    let mut reporter = signed_in(&app, "balie@eigen.example", "reporter", Some(own_org)).await;
    let file = format!("facility_id,period,syringes_out\n{own},2025-03,100\n{other},2025-03,100\n");

    let checked = check(&mut reporter, &file, None, false).await;
    assert_eq!(
        checked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        checked.text()
    );
    let html = checked.text();
    let errors = &html[html.find("id=\"importfouten\"").expect("an error table")..];
    assert!(
        errors.contains(&format!(
            "<td class=\"utrecht-table__cell\">3</td>\n<td class=\"utrecht-table__cell\">facility_id</td>\n<td class=\"utrecht-table__cell\">Voorziening {other} bestaat niet of u telt daar niet.</td>"
        )),
        "row 3 names the other organisation's facility: {errors}"
    );
    assert!(!html.contains(WRITE), "{html}");
    assert_eq!(stored(&app, own, "2025-03").await, None, "all or nothing");
    assert_eq!(stored(&app, other, "2025-03").await, None);

    // Their own facility alone imports.
    let own_only = format!("facility_id,period,syringes_out\n{own},2025-03,100\n");
    let checked = page(&check(&mut reporter, &own_only, None, false).await);
    page(&write(&mut reporter, &checked).await);
    assert_eq!(
        stored(&app, own, "2025-03").await,
        Some(ReportStatus::Submitted)
    );
}

#[tokio::test]
async fn only_national_roles_see_and_may_use_direct_goedkeuren() {
    let app = TestApp::new().await;
    let (org, id) = exchange(&app, "Spuitpunt Goedkeuren").await;
    let file = format!("facility_id,period,syringes_out\n{id},2025-04,100\n");
    let approve_box = "name=\"approve\"";

    let mut reporter = signed_in(&app, "balie@goed.example", "reporter", Some(org)).await;
    let form = page(&reporter.get(PAGE).await);
    assert!(form.contains("name=\"file\""), "{form}");
    assert!(!form.contains(approve_box), "no approve box: {form}");
    let refused = check(&mut reporter, &file, None, true).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert_eq!(stored(&app, id, "2025-04").await, None);

    let mut manager = signed_in(&app, "manager@goed.example", "org_manager", Some(org)).await;
    assert!(!page(&manager.get(PAGE).await).contains(approve_box));

    let mut researcher = signed_in(&app, "onderzoek@goed.example", "researcher", None).await;
    assert!(page(&researcher.get(PAGE).await).contains(approve_box));
    let checked = page(&check(&mut researcher, &file, None, true).await);
    assert!(
        checked.contains("1 rapportage zou worden ingediend en goedgekeurd"),
        "{checked}"
    );
    assert_eq!(stored(&app, id, "2025-04").await, None);
    let done = page(&write(&mut researcher, &checked).await);
    assert!(
        done.contains("1 rapportage ingediend en goedgekeurd"),
        "{done}"
    );
    assert_eq!(
        stored(&app, id, "2025-04").await,
        Some(ReportStatus::Approved),
        "the write keeps the choice made at the check"
    );
}
