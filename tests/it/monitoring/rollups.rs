//! The rollups behind the dashboards (migration 0010, storage::rollups):
//! after every kind of write — tallies, an undo, a report's draft,
//! submission, approval and reopening, a facility that moves — the area
//! totals are what the stored figures add up to, on each engine; and
//! concurrent writers of the same month never lose a tally.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::exchange;
use crate::common::*;
use vangnet::storage::rollups::Basis;

/// The total of syringes handed out in March 2025 in an area, if any.
async fn total(app: &TestApp, basis: Basis, area: &str) -> Option<i64> {
    let rows = app
        .store
        .area_totals(
            basis,
            &[area.to_string()],
            Some("syringes_out"),
            "2025-03",
            "2025-04",
        )
        .await
        .unwrap();
    assert!(rows.len() <= 1, "{rows:?}");
    rows.first().map(|r| r.total)
}

async fn agree(app: &TestApp, step: &str) {
    let differences = app.store.rollup_differences().await.unwrap();
    assert!(
        differences.is_empty(),
        "after {step}: {}",
        differences.join("\n")
    );
}

async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    let reply = app.send(method, path, body, Some(&app.token)).await;
    assert!(reply.status.is_success(), "{path}: {}", reply.text());
    if reply.status == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        reply.json()
    }
}

fn tally(id: &str, facility: i64, amount: i64) -> Value {
    json!({"id": id, "facility_id": facility, "at": "2025-03-10T10:00:00+01:00",
           "metric": "syringes_out", "amount": amount})
}

#[tokio::test]
async fn area_totals_follow_every_write_of_tallies_reports_and_facilities() {
    let app = TestApp::new().await;
    let (org, utrecht) = exchange(&app, "Spuitpunt Utrecht").await;
    let amsterdam = send(
        &app,
        Method::POST,
        "/api/v1/facilities",
        Some(
            json!({"name": "Spuitpunt Amsterdam", "organisation_id": org,
            "opened_on": "2024-01-01", "services": ["syringe_exchange"], "city": "Amsterdam"}),
        ),
    )
    .await["id"]
        .as_i64()
        .unwrap();

    send(
        &app,
        Method::POST,
        "/api/v1/tallies",
        Some(
            json!({"tallies": [tally("roll-001", utrecht, 10), tally("roll-002", utrecht, 5),
                                 tally("roll-003", amsterdam, 7)]}),
        ),
    )
    .await;
    agree(&app, "tallies").await;
    assert_eq!(total(&app, Basis::Live, "NL").await, Some(22));
    assert_eq!(total(&app, Basis::Live, "NL-UT").await, Some(15));
    assert_eq!(total(&app, Basis::Live, "GM0344").await, Some(15));
    assert_eq!(total(&app, Basis::Live, "NL-NH").await, Some(7));
    assert_eq!(
        total(&app, Basis::Approved, "NL").await,
        None,
        "tallies are not approved figures"
    );

    send(&app, Method::DELETE, "/api/v1/tallies/roll-002", None).await;
    agree(&app, "an undo").await;
    assert_eq!(total(&app, Basis::Live, "NL-UT").await, Some(10));

    let report = format!("/api/v1/reports/periods/{utrecht}/2025-03");
    send(
        &app,
        Method::PUT,
        &report,
        Some(json!({"values": [{"metric": "syringes_out", "value": 12}]})),
    )
    .await;
    agree(&app, "a draft").await;
    assert_eq!(
        total(&app, Basis::Live, "NL-UT").await,
        Some(10),
        "a draft does not replace the tallies"
    );

    send(
        &app,
        Method::POST,
        &format!("{report}/submit"),
        Some(json!({})),
    )
    .await;
    agree(&app, "a submission").await;
    assert_eq!(total(&app, Basis::Live, "NL-UT").await, Some(12));
    assert_eq!(total(&app, Basis::Live, "NL").await, Some(19));
    assert_eq!(total(&app, Basis::Approved, "NL").await, None);

    send(&app, Method::POST, &format!("{report}/approve"), None).await;
    agree(&app, "an approval").await;
    assert_eq!(total(&app, Basis::Approved, "NL").await, Some(12));
    assert_eq!(total(&app, Basis::Approved, "NL-UT").await, Some(12));
    assert_eq!(total(&app, Basis::Approved, "NL-NH").await, None);

    send(
        &app,
        Method::POST,
        &format!("{report}/reopen"),
        Some(json!({"reason": "12 was a typing error"})),
    )
    .await;
    agree(&app, "a reopening").await;
    assert_eq!(total(&app, Basis::Approved, "NL").await, None);
    assert_eq!(
        total(&app, Basis::Live, "NL-UT").await,
        Some(10),
        "reopened: the tallies again"
    );

    send(
        &app,
        Method::PATCH,
        &format!("/api/v1/facilities/{amsterdam}"),
        Some(json!({"city": "Rotterdam", "municipality_code": "GM0599",
                    "source": "telefoon", "change_note": "verhuisd"})),
    )
    .await;
    agree(&app, "a move").await;
    assert_eq!(total(&app, Basis::Live, "NL-NH").await, None);
    assert_eq!(total(&app, Basis::Live, "NL-ZH").await, Some(7));
    assert_eq!(total(&app, Basis::Live, "GM0599").await, Some(7));
    assert_eq!(total(&app, Basis::Live, "NL").await, Some(17));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_desks_counting_the_same_month_lose_nothing() {
    let app = TestApp::new().await;
    let (_, facility) = exchange(&app, "Druk Spuitpunt").await;
    let mut desks = tokio::task::JoinSet::new();
    for desk in 0..6 {
        let (router, token) = (app.router.clone(), app.token.clone());
        desks.spawn(async move {
            for batch in 0..8 {
                let tallies: Vec<Value> = (0..5)
                    .map(|k| tally(&format!("conc-{desk}-{batch}-{k}"), facility, 1))
                    .collect();
                let request = axum::http::Request::post("/api/v1/tallies")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        json!({ "tallies": tallies }).to_string(),
                    ))
                    .unwrap();
                let reply = call(&router, request).await;
                assert!(reply.status.is_success(), "{}", reply.text());
            }
        });
    }
    while let Some(done) = desks.join_next().await {
        done.unwrap();
    }
    agree(&app, "concurrent desks").await;
    assert_eq!(total(&app, Basis::Live, "NL").await, Some(6 * 8 * 5));
}
