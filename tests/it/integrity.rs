//! Integrity: no request can break the register or leak through it. Each
//! test here reproduces a fault found when the product was probed as an
//! attacker with each role would (SECURITY.md, "Findings").

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

/// Every public read that once answered 500 for everyone after one bad value.
const PUBLIC_READS: &[&str] = &[
    "/zoeken?q=Utrecht",
    "/kaart",
    "/opendata/facilities.csv",
    "/opendata/facilities.json",
    "/opendata/facilities.geojson",
    "/api/v1/facilities",
    "/api/v1/finder?lat=52.09&lon=5.12",
    "/cijfers/veranderingen?van=2020-01-01&tot=2026-01-01",
    "/api/v1/reports/changes?from=2020-01-01&to=2026-01-01",
    "/cijfers/spreiding",
    "/api/v1/reports/table1",
];

async fn every_public_read_answers(app: &TestApp) {
    for uri in PUBLIC_READS {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    }
}

/// The register of `DUTCH_CSV` and a manager of its Utrecht organisation.
async fn register_with_manager() -> (TestApp, i64, String) {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let id = app.facility_id("Demo Huiskamer Centrum").await;
    let facility = app
        .get_as_admin(&format!("/api/v1/facilities/{id}"))
        .await
        .json();
    let organisation = facility["organisation_id"].as_i64().unwrap();
    let (_, token) = app
        .user_token("beheer@utrecht.example", "org_manager", Some(organisation))
        .await;
    (app, id, token)
}

async fn versions(app: &TestApp, id: i64) -> Vec<Value> {
    let reply = app
        .get_as_admin(&format!("/api/v1/facilities/{id}/history"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn a_day_outside_the_register_is_refused_by_name_and_nothing_is_stored() {
    let (app, id, manager) = register_with_manager().await;
    for field in ["opened_on", "closed_on", "verified_on", "effective_from"] {
        for day in [
            "0001-01-01",
            "+99999-01-01",
            "-0001-01-01",
            "0000-01-01",
            "1899-12-31",
        ] {
            let reply = app
                .send(
                    Method::PATCH,
                    &format!("/api/v1/facilities/{id}"),
                    Some(json!({ field: day })),
                    Some(&manager),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field} = {day}: {}",
                reply.text()
            );
            let errors = reply.json()["errors"].clone();
            assert_eq!(errors[0]["field"], field, "{field} = {day}: {errors}");
        }
    }
    assert_eq!(versions(&app, id).await.len(), 1, "nothing was stored");
    every_public_read_answers(&app).await;
    let page = app.get(&format!("/voorzieningen/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
}
