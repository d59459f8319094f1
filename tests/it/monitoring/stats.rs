//! `GET /api/v1/stats/metrics`: a metric per period, exact within a token's
//! scope, approved and suppressed (1–4 people or acts) for the public.
//! Reports are put in with SQL: their use cases are written elsewhere.

use serde_json::Value;
use vangnet::domain::metric::{MetricCode, Period};
use vangnet::domain::period_report::ReportStatus;
use vangnet::domain::tally::Tally;
use vangnet::storage::period_reports::NewReport;
use vangnet::storage::write::Writes;
use vangnet::storage::Store;

use crate::common::*;

/// The facilities of DUTCH_CSV by name: (facility id, organisation id).
async fn facilities(app: &TestApp) -> std::collections::HashMap<String, (i64, i64)> {
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.is_ok(), "{report}");
    let all = app
        .get_as_admin("/api/v1/facilities?status=all")
        .await
        .json();
    all["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                (
                    f["id"].as_i64().unwrap(),
                    f["organisation_id"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// A report of `facility` for `period` with `status` and its values,
/// written whole as an import writes it.
async fn report(app: &TestApp, facility: i64, period: &str, status: &str, values: &[(&str, i64)]) {
    let status = match status {
        "draft" => ReportStatus::Draft,
        "submitted" => ReportStatus::Submitted,
        "approved" => ReportStatus::Approved,
        other => panic!("no status {other}"),
    };
    let report = NewReport {
        facility_id: facility,
        period: Period::parse(period).unwrap(),
        status,
        source: "test".into(),
        values: values
            .iter()
            .map(|(m, v)| (m.to_string(), *v, None))
            .collect(),
    };
    let mut tx = app.store.begin_write(Writes::Audit).await.unwrap();
    Store::insert_reports(&mut tx, &[report], "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn tally(app: &TestApp, id: &str, facility: i64, day: &str, metric: &str, amount: i64) {
    // Stored directly: the API refuses moments this far back.
    let tally = Tally {
        id: id.to_string(),
        facility_id: facility,
        at: format!("{day}T12:00:00Z").parse().unwrap(),
        metric: MetricCode::parse(metric).unwrap(),
        amount,
    };
    let mut tx = app.store.begin_write(Writes::Audit).await.unwrap();
    Store::insert_tallies(&mut tx, &[tally], "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The rows as (period, value, suppressed).
fn rows(body: &Value) -> Vec<(String, Option<i64>, bool)> {
    body["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {body}"))
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["value"].as_i64(),
                r["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn row(period: &str, value: Option<i64>, suppressed: bool) -> (String, Option<i64>, bool) {
    (period.to_string(), value, suppressed)
}

const VISITS: &str = "/api/v1/stats/metrics?metric=visits&from=2025-01&to=2025-03";

/// Utrecht's room had 3 and 10 visits, Amsterdam's MHU 4 in January.
async fn with_visits() -> (TestApp, std::collections::HashMap<String, (i64, i64)>) {
    let app = TestApp::new().await;
    let ids = facilities(&app).await;
    let utrecht = ids["Demo Huiskamer Centrum"].0;
    let amsterdam = ids["Demo MHU Amsterdam"].0;
    report(&app, utrecht, "2025-01", "approved", &[("visits", 3)]).await;
    report(&app, utrecht, "2025-02", "approved", &[("visits", 10)]).await;
    report(
        &app,
        amsterdam,
        "2025-01",
        "approved",
        &[("visits", 4), ("treatment_places", 3)],
    )
    .await;
    (app, ids)
}

#[tokio::test]
async fn national_figures_are_exact_with_a_token_and_suppressed_below_5_per_place_without() {
    let (app, _) = with_visits().await;
    let national = app.get_as_admin(VISITS).await;
    assert_eq!(national.status, 200, "{}", national.text());
    let body = national.json();
    assert_eq!(body["metric"], "visits");
    assert_eq!(body["by"], "month");
    assert_eq!(
        rows(&body),
        [
            row("2025-01", Some(7), false),
            row("2025-02", Some(10), false),
            row("2025-03", None, false)
        ],
        "every month, the one without reports as null"
    );
    let province = app
        .get_as_admin(&format!("{VISITS}&province=NL-UT"))
        .await
        .json();
    assert_eq!(
        rows(&province)[0],
        row("2025-01", Some(3), false),
        "exact with a token"
    );

    // The public: Utrecht's 3 and Amsterdam's 4 are not shown, and
    // neither is the country's 7, which would tell that both are 3 or 4.
    let public = app.get(VISITS).await.json();
    assert_eq!(rows(&public)[0], row("2025-01", None, true));
    assert_eq!(public["rows"][0]["state"], "hidden", "{public}");
    let utrecht = app.get(&format!("{VISITS}&province=NL-UT")).await.json();
    assert_eq!(rows(&utrecht)[0], row("2025-01", None, true));
    assert_eq!(utrecht["rows"][0]["state"], "small", "{utrecht}");
    // February (10) may be hidden so that the quarter does not tell January.
    assert!(
        rows(&utrecht)[1] == row("2025-02", Some(10), false)
            || utrecht["rows"][1]["state"] == "hidden",
        "{utrecht}"
    );
    let amsterdam = app
        .get(&format!("{VISITS}&municipality=GM0363"))
        .await
        .json();
    assert_eq!(rows(&amsterdam)[0], row("2025-01", None, true));
    let zwolle = app
        .get(&format!("{VISITS}&municipality=GM0193"))
        .await
        .json();
    assert_eq!(
        rows(&zwolle)[0],
        row("2025-01", None, false),
        "no data is not suppressed"
    );

    // Treatment places are things, not people: 3 is shown to everyone.
    let places = app
        .get("/api/v1/stats/metrics?metric=treatment_places&from=2025-01&to=2025-01&municipality=GM0363")
        .await
        .json();
    assert_eq!(rows(&places), [row("2025-01", Some(3), false)]);
}

#[tokio::test]
async fn an_organisation_token_sees_its_own_facilities_only_and_the_public_no_organisation() {
    let (app, ids) = with_visits().await;
    let (utrecht_org, amsterdam_org) =
        (ids["Demo Huiskamer Centrum"].1, ids["Demo MHU Amsterdam"].1);
    let amsterdam_mhu = ids["Demo MHU Amsterdam"].0;
    let (_, token) = app
        .user_token("manager@example.org", "org_manager", Some(utrecht_org))
        .await;
    let own = app
        .send(axum::http::Method::GET, VISITS, None, Some(&token))
        .await;
    assert_eq!(own.status, 200, "{}", own.text());
    assert_eq!(
        rows(&own.json())[..2],
        [
            row("2025-01", Some(3), false),
            row("2025-02", Some(10), false)
        ],
        "Amsterdam's 4 visits are not the manager's, and 3 is exact"
    );
    for refused in [
        format!("{VISITS}&organisation={amsterdam_org}"),
        format!("{VISITS}&facility={amsterdam_mhu}"),
    ] {
        let reply = app
            .send(axum::http::Method::GET, &refused, None, Some(&token))
            .await;
        assert_eq!(reply.status, 403, "{refused}: {}", reply.text());
    }
    let audit = app.get_as_admin("/api/v1/audit?event=read").await.text();
    assert!(
        audit.contains("manager@example.org") && audit.contains("visits"),
        "a token's read of the figures is in the audit log: {audit}"
    );
    let mine = app
        .send(
            axum::http::Method::GET,
            &format!("{VISITS}&organisation={utrecht_org}"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(mine.status, 200);
    for (query, parameter) in [
        (
            format!("{VISITS}&organisation={utrecht_org}"),
            "organisation",
        ),
        (format!("{VISITS}&facility={amsterdam_mhu}"), "facility"),
        (format!("{VISITS}&source=all"), "source"),
    ] {
        let reply = app.get(&query).await;
        assert_eq!(reply.status, 403, "{query}");
        assert!(reply.text().contains(parameter), "{}", reply.text());
    }
}

#[tokio::test]
async fn source_all_adds_submitted_reports_and_tallies_no_submitted_report_replaces() {
    let (app, ids) = with_visits().await;
    let utrecht = ids["Demo Huiskamer Centrum"].0;
    let zwolle = ids["Demo Apotheek Zwolle"].0;
    report(&app, zwolle, "2025-01", "submitted", &[("visits", 6)]).await;
    report(&app, zwolle, "2025-03", "draft", &[("visits", 50)]).await;
    tally(&app, "t1", zwolle, "2025-02-03", "visits", 2).await;
    tally(&app, "t2", zwolle, "2025-02-20", "visits", 3).await;
    // In a report already (Utrecht's January); in March Zwolle has only a
    // draft, which does not replace the tallies until it is submitted.
    tally(&app, "t3", utrecht, "2025-01-10", "visits", 100).await;
    tally(&app, "t4", zwolle, "2025-03-10", "visits", 100).await;
    let approved = app.get_as_admin(VISITS).await.json();
    assert_eq!(
        rows(&approved),
        [
            row("2025-01", Some(7), false),
            row("2025-02", Some(10), false),
            row("2025-03", None, false)
        ]
    );
    let all = app
        .get_as_admin(&format!("{VISITS}&source=all"))
        .await
        .json();
    assert_eq!(
        rows(&all),
        [
            row("2025-01", Some(13), false),
            row("2025-02", Some(15), false),
            row("2025-03", Some(100), false)
        ],
        "submitted 6 and tallied 5 added, tallies in a report not; a draft's month counts its tallies"
    );
}

#[tokio::test]
async fn quarters_and_years_add_up_by_sum_average_and_last() {
    let app = TestApp::new().await;
    let ids = facilities(&app).await;
    let mhu = ids["Demo MHU Amsterdam"].0;
    for (month, syringes, patients, places) in [
        ("2025-01", 10, 10, 50),
        ("2025-02", 20, 20, 60),
        ("2025-03", 30, 40, 55),
    ] {
        report(
            &app,
            mhu,
            month,
            "approved",
            &[
                ("syringes_out", syringes),
                ("patients_in_treatment", patients),
                ("treatment_places", places),
            ],
        )
        .await;
    }
    for (metric, expected) in [
        ("syringes_out", 60),
        ("patients_in_treatment", 23),
        ("treatment_places", 55),
    ] {
        for (by, from, to, period) in [
            ("quarter", "2025-Q1", "2025-Q2", "2025-Q1"),
            ("year", "2025", "2025", "2025"),
        ] {
            let body = app
                .get_as_admin(&format!(
                    "/api/v1/stats/metrics?metric={metric}&by={by}&from={from}&to={to}"
                ))
                .await
                .json();
            assert_eq!(body["by"], by);
            assert_eq!(
                rows(&body)[0],
                row(period, Some(expected), false),
                "{metric} by {by}"
            );
        }
    }
    let quarters = app
        .get_as_admin("/api/v1/stats/metrics?metric=syringes_out&by=quarter&from=2025&to=2025")
        .await
        .json();
    let periods: Vec<String> = rows(&quarters).into_iter().map(|r| r.0).collect();
    assert_eq!(periods, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_parameter() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("metric=heartbeats&from=2025-01&to=2025-02", "metric"),
        ("from=2025-01&to=2025-02", "metric"),
        ("metric=visits&from=2025-13&to=2025-02", "from"),
        ("metric=visits&from=2025-01", "to"),
        ("metric=visits&from=2025-03&to=2025-01", "to"),
        ("metric=visits&from=2000-01&to=2025-01", "to"),
        ("metric=visits&by=week&from=2025-01&to=2025-02", "by"),
        (
            "metric=visits&from=2025-01&to=2025-02&province=NL-XX",
            "province",
        ),
        (
            "metric=visits&from=2025-01&to=2025-02&municipality=GM9999",
            "municipality",
        ),
        (
            "metric=visits&from=2025-01&to=2025-02&source=some",
            "source",
        ),
    ] {
        let reply = app.get(&format!("/api/v1/stats/metrics?{query}")).await;
        assert_eq!(reply.status, 422, "{query}: {}", reply.text());
        let body = reply.json();
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}
