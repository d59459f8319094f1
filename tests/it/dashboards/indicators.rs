//! The indicators over HTTP on each engine, from approved reports and the
//! bundled published figures: values, qualifiers, bands, the figures used
//! (the latest at or before the year), what is missing, and suppression in
//! public.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;
use vangnet::domain::metric::Period;
use vangnet::domain::period_report::ReportStatus;
use vangnet::domain::provenance::Actor;
use vangnet::storage::period_reports::NewReport;
use vangnet::storage::write::Writes;

/// A facility of `services` in Utrecht; its id.
async fn facility(app: &TestApp, org: i64, name: &str, services: &[&str]) -> i64 {
    let reply = app
        .post(
            "/api/v1/facilities",
            json!({"name": name, "organisation_id": org, "opened_on": "2020-01-01",
                   "services": services, "city": "Utrecht"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

/// Approved monthly reports of 2025 for `months` with these values.
async fn approved(
    app: &TestApp,
    facility: i64,
    months: std::ops::RangeInclusive<u32>,
    values: &[(&str, i64)],
) {
    let reports: Vec<NewReport> = months
        .map(|month| NewReport {
            facility_id: facility,
            period: Period::Month { year: 2025, month },
            status: ReportStatus::Approved,
            source: "test".into(),
            values: values
                .iter()
                .map(|(m, v)| (m.to_string(), *v, None))
                .collect(),
        })
        .collect();
    let mut tx = app.store.begin_write(Writes::Audit).await.unwrap();
    vangnet::storage::Store::insert_reports(&mut tx, &reports, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn figures(app: &TestApp) {
    app.import_bundled_figures().await;
}

fn row<'a>(answer: &'a Value, area: &str) -> &'a Value {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["area"] == area)
        .unwrap_or_else(|| panic!("no row for {area}: {answer}"))
}

#[tokio::test]
async fn syringes_per_person_who_injects_uses_the_latest_estimate_and_its_band() {
    let app = TestApp::new().await;
    figures(&app).await;
    let org = app
        .post("/api/v1/organisations", json!({"name": "Zorg Utrecht"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let a = facility(&app, org, "Spuitpunt A", &["syringe_exchange"]).await;
    let b = facility(&app, org, "Spuitpunt B", &["syringe_exchange"]).await;
    approved(&app, a, 1..=12, &[("syringes_out", 20_000)]).await;
    approved(&app, b, 1..=12, &[("syringes_out", 20_000)]).await;

    let reply = app
        .get("/api/v1/indicators?code=syringes_per_pwid&year=2025")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["code"], "syringes_per_pwid");
    assert_eq!(answer["year"], 2025);
    let nl = row(&answer, "NL");
    // 480,000 syringes / about 2,390 people who inject (2016).
    assert_eq!(nl["value"], 200.8);
    assert_eq!(nl["band"], "high");
    assert_eq!(nl["qualifier"], "approximate", "an approximate population");
    let inputs = nl["inputs"].as_array().unwrap();
    let people = inputs
        .iter()
        .find(|i| i["key"] == "people_who_inject.persons")
        .unwrap();
    assert_eq!(
        people["period"], "2016",
        "the latest estimate at or before 2025"
    );
    assert_eq!(people["value"], 2390.0);
    let syringes = inputs.iter().find(|i| i["key"] == "syringes_out").unwrap();
    assert_eq!(syringes["value"], 480_000.0);
    assert_eq!(
        syringes["qualifier"], "exact",
        "both exchanges reported every month"
    );
    assert_eq!(
        answer["rows"].as_array().unwrap().len(),
        1,
        "no province has its own estimate: {answer}"
    );

    // A month missing: the register's figure is a lower bound.
    approved(
        &app,
        facility(&app, org, "Spuitpunt C", &["syringe_exchange"]).await,
        1..=11,
        &[("syringes_out", 1000)],
    )
    .await;
    let answer = app
        .get("/api/v1/indicators?code=syringes_per_pwid&year=2025")
        .await
        .json();
    let nl = row(&answer, "NL");
    let syringes = nl["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "syringes_out")
        .unwrap()
        .clone();
    assert_eq!(syringes["qualifier"], "at_least", "{syringes}");
    assert_eq!(nl["value"], 205.4);

    // Before any estimate of people who inject: no value, and why.
    let answer = app
        .get("/api/v1/indicators?code=syringes_per_pwid&year=2010")
        .await
        .json();
    let nl = row(&answer, "NL");
    assert_eq!(nl["value"], Value::Null);
    assert_eq!(nl["band"], Value::Null);
    assert!(
        nl["note"].as_str().unwrap().contains("syringes_out"),
        "{nl}"
    );
}

#[tokio::test]
async fn coverage_and_services_per_inhabitants_read_the_published_figures() {
    let app = TestApp::new().await;
    figures(&app).await;
    let answer = app
        .get("/api/v1/indicators?code=oat_coverage&year=2025&lang=en")
        .await
        .json();
    let nl = row(&answer, "NL");
    // About 8,000 of about 13,300 (OPAAK 2025).
    assert_eq!(nl["value"], 60.2);
    assert_eq!(nl["band"], "high");
    assert_eq!(nl["qualifier"], "approximate");
    assert_eq!(answer["name"], "Substitution treatment coverage");

    let org = app
        .post("/api/v1/organisations", json!({"name": "Zorg Utrecht"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    facility(&app, org, "Spuitpunt A", &["syringe_exchange"]).await;
    facility(&app, org, "Spuitpunt B", &["syringe_exchange", "naloxone"]).await;
    let answer = app
        .get("/api/v1/indicators?code=services_per_100k&year=2025&province=NL-UT")
        .await
        .json();
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "one row per service kind");
    let exchanges = rows
        .iter()
        .find(|r| r["service"] == "syringe_exchange")
        .unwrap();
    // 2 / 1,400,057 inhabitants (1 January 2024) × 100,000.
    assert_eq!(exchanges["value"], 0.1);
    assert_eq!(exchanges["band"], Value::Null, "no international band");
    let inhabitants = exchanges["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "inhabitants")
        .unwrap();
    assert_eq!(inhabitants["value"], 1_400_057.0);
    assert_eq!(inhabitants["period"], "2024");

    let answer = app
        .get("/api/v1/indicators?code=inhabitants_beyond_25km&year=2025")
        .await
        .json();
    let nl = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["area"] == "NL" && r["service"] == "syringe_exchange")
        .unwrap();
    assert_eq!(nl["value"], Value::Null, "no municipal populations loaded");
    assert!(
        nl["note"].as_str().unwrap().contains("import population"),
        "{nl}"
    );
}

#[tokio::test]
async fn a_small_count_behind_an_indicator_is_suppressed_in_public_only() {
    let app = TestApp::new().await;
    let org = app
        .post("/api/v1/organisations", json!({"name": "Zorg Utrecht"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let unit = facility(&app, org, "Heroïnebehandeling", &["heroin_unit"]).await;
    approved(
        &app,
        unit,
        1..=12,
        &[("patients_in_treatment", 3), ("treatment_places", 20)],
    )
    .await;
    let path = "/api/v1/indicators?code=mhu_occupancy&year=2025&municipality=GM0344";
    let public = app.get(path).await.json();
    let row = &public["rows"][0];
    assert_eq!(row["value"], Value::Null);
    assert_eq!(row["suppressed"], true);
    let staff = app.get_as_admin(path).await.json();
    assert_eq!(staff["rows"][0]["value"], 15.0, "3 patients in 20 places");
    assert_eq!(staff["rows"][0]["suppressed"], false);
}

#[tokio::test]
async fn a_bad_question_names_the_parameter() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("year=2025", "code"),
        ("code=nonsense", "code"),
        ("code=oat_coverage&year=2999", "year"),
        ("code=oat_coverage&province=Atlantis", "province"),
        ("code=oat_coverage&municipality=GM9999", "municipality"),
    ] {
        let reply = app.get(&format!("/api/v1/indicators?{query}")).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            reply.text()
        );
        assert_eq!(reply.json()["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn inhabitants_beyond_25km_come_from_municipal_populations_and_distances() {
    let app = TestApp::new().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/nl/municipality_population.csv"
    );
    let bytes = std::fs::read(path).expect("the shared reference data beside the checkout");
    let report = vangnet::dashboards::reference::import_population(
        &app.store,
        &bytes,
        "municipality_population.csv",
        &Actor::named("test"),
    )
    .await
    .unwrap();
    assert!(report.is_ok(), "{report}");
    let org = app
        .post("/api/v1/organisations", json!({"name": "Zorg Utrecht"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    facility(&app, org, "Spuitpunt Utrecht", &["syringe_exchange"]).await;

    let answer = app
        .get("/api/v1/indicators?code=inhabitants_beyond_25km&year=2025")
        .await
        .json();
    let row = |area: &str| {
        answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["area"] == area && r["service"] == "syringe_exchange")
            .cloned()
            .unwrap()
    };
    // All of Groningen is far from the one exchange in Utrecht.
    assert_eq!(row("NL-GR")["value"], 601_347.0);
    assert_eq!(row("NL-GR")["share"], 100.0);
    assert_eq!(
        row("NL-GR")["qualifier"],
        "approximate",
        "centres stand for municipalities"
    );
    let utrecht = row("NL-UT");
    let near = 1_400_057.0 - utrecht["value"].as_f64().unwrap();
    assert!(
        near >= 374_238.0,
        "the city of Utrecht itself is near: {utrecht}"
    );
    let national = row("NL");
    assert!(
        national["value"].as_f64().unwrap() > 15_000_000.0,
        "{national}"
    );
    let inhabitants = national["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "inhabitants")
        .unwrap();
    assert_eq!(
        inhabitants["value"], 17_942_942.0,
        "every municipality counted"
    );
    assert_eq!(inhabitants["period"], "2024");
    let fifty = app
        .get("/api/v1/indicators?code=inhabitants_beyond_50km&year=2025&province=NL-UT")
        .await
        .json();
    let exchange = fifty["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == "syringe_exchange")
        .unwrap()
        .clone();
    assert_eq!(
        exchange["value"], 0.0,
        "no one in Utrecht lives 50 km from its capital"
    );
    assert_eq!(fifty["code"], "inhabitants_beyond_50km");
}
