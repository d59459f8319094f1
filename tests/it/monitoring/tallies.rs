//! The catalogue ships with the default metrics; tallies are stored once
//! per device-made id, all or none, for facilities the caller counts at.

use chrono::Utc;
use serde_json::json;

use crate::common::*;
use vangnet::domain::access::{Principal, Role, Via};
use vangnet::domain::error::AppError;
use vangnet::domain::provenance::Actor;
use vangnet::domain::tally::TallyInput;

fn national() -> Principal {
    Principal {
        user_id: None,
        name: "test".into(),
        role: Role::Researcher,
        organisation_id: None,
        facility_ids: Vec::new(),
        via: Via::CommandLine,
    }
}

fn tally(id: &str, facility: i64, metric: &str, amount: i64) -> TallyInput {
    TallyInput {
        id: Some(id.into()),
        facility_id: Some(facility),
        at: Some(Utc::now().to_rfc3339()),
        metric: Some(metric.into()),
        amount: Some(amount),
    }
}

#[tokio::test]
async fn the_catalogue_ships_its_metrics_and_a_retired_one_keeps_its_place() {
    let app = TestApp::new().await;
    let metrics = vangnet::monitoring::metrics(&app.store).await.unwrap();
    assert!(metrics.len() >= 20, "{}", metrics.len());
    let actor = Actor::named("test");
    vangnet::monitoring::retire_metric(&app.store, "foil_out", &national(), &actor)
        .await
        .unwrap();
    let again = vangnet::monitoring::metrics(&app.store).await.unwrap();
    let foil = again
        .iter()
        .find(|m| m.code.as_str() == "foil_out")
        .unwrap();
    assert!(foil.retired_at.is_some(), "retired, not deleted");
    // A second start does not bring it back into use.
    app.store.ensure_default_metrics().await.unwrap();
    let third = vangnet::monitoring::metrics(&app.store).await.unwrap();
    assert!(third
        .iter()
        .find(|m| m.code.as_str() == "foil_out")
        .unwrap()
        .retired_at
        .is_some());
}

#[tokio::test]
async fn a_tally_sent_twice_counts_once_and_a_bad_batch_stores_nothing() {
    let app = TestApp::new().await;
    let org = app
        .post("/api/v1/organisations", json!({"name": "Demo Zorg"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let id = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Demo Spuitpunt", "organisation_id": org,
                   "services": ["syringe_exchange"], "city": "Utrecht"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let actor = Actor::named("test");
    let batch = [
        tally("device-a-000001", id, "syringes_out", 5),
        tally("device-a-000002", id, "syringes_in", 3),
    ];
    let first =
        vangnet::monitoring::record_tallies(&app.store, &batch, &national(), &actor, Utc::now())
            .await
            .unwrap();
    assert_eq!((first.stored, first.repeated), (2, 0));
    let again =
        vangnet::monitoring::record_tallies(&app.store, &batch, &national(), &actor, Utc::now())
            .await
            .unwrap();
    assert_eq!(
        (again.stored, again.repeated),
        (0, 2),
        "a retry never counts twice"
    );

    let bad = [
        tally("device-a-000003", id, "syringes_out", 1),
        tally("device-a-000004", id, "methadone_dispensations", 1),
        tally("device-a-000005", 9999, "syringes_out", 1),
        tally("device-a-000006", id, "syringes_out", 0),
    ];
    let refused =
        vangnet::monitoring::record_tallies(&app.store, &bad, &national(), &actor, Utc::now())
            .await
            .unwrap_err();
    let AppError::Invalid(errors) = refused else {
        panic!("{refused:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "tallies[1].metric",
            "tallies[2].facility_id",
            "tallies[3].amount"
        ]
    );
    let today = vangnet::domain::date::today();
    let sums = app
        .store
        .tally_sums(id, today, today.succ_opt().unwrap())
        .await
        .unwrap();
    assert_eq!(
        sums,
        [
            ("syringes_in".to_string(), 3),
            ("syringes_out".to_string(), 5)
        ],
        "nothing of the refused batch is stored"
    );
}
