//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod catalogue;
mod cycle;
mod desk;
mod import;
mod report_import;
mod report_import_page;
mod reports;
mod rollups;
mod stats;
mod tallies;

use serde_json::json;

use crate::common::TestApp;

/// An organisation ("NAME Zorg") with one syringe exchange NAME in Utrecht,
/// opened on 2024-01-01: (organisation, facility).
pub(super) async fn exchange(app: &TestApp, name: &str) -> (i64, i64) {
    let org = app
        .post(
            "/api/v1/organisations",
            json!({ "name": format!("{name} Zorg") }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let facility = app
        .post(
            "/api/v1/facilities",
            json!({"name": name, "organisation_id": org, "opened_on": "2024-01-01",
                   "services": ["syringe_exchange"], "city": "Utrecht"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    (org, facility)
}
