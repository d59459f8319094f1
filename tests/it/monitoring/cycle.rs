//! The monitoring cycle over HTTP, on each engine: a reporter's desk
//! sends tallies (and the same batch again, as after a lost answer), the
//! month's report is prefilled with them, the org manager submits, a
//! researcher approves, and the figures show the month: exactly with a
//! token, and without one only once it is approved. (The browser test
//! "cycle: …" walks the same way through the pages on a phone.)

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use super::exchange;
use crate::common::*;
use vangnet::domain::metric::Period;

#[tokio::test]
async fn tallies_at_the_desk_become_an_approved_month_in_the_figures() {
    let app = TestApp::new().await;
    let (org, facility) = exchange(&app, "Demo Spuitpunt").await;
    let (_, reporter) = app
        .user_token("melder@example.org", "reporter", Some(org))
        .await;
    let (_, manager) = app
        .user_token("beheer@example.org", "org_manager", Some(org))
        .await;
    let (_, researcher) = app
        .user_token("onderzoek@example.org", "researcher", None)
        .await;
    let month = Period::month_of(vangnet::domain::date::today()).to_string();
    let call = |method: Method, path: String, body: Option<Value>, token: &str| {
        let (app, token) = (&app, token.to_string());
        async move { app.send(method, &path, body, Some(&token)).await }
    };

    let now = Utc::now().to_rfc3339();
    let batch = json!({"tallies": [
        {"id": "desk-cycle-0001", "facility_id": facility, "at": now, "metric": "syringes_out", "amount": 10},
        {"id": "desk-cycle-0002", "facility_id": facility, "at": now, "metric": "syringes_out", "amount": 10},
        {"id": "desk-cycle-0003", "facility_id": facility, "at": now, "metric": "syringes_out", "amount": 5},
    ]});
    for _ in 0..2 {
        let sent = call(
            Method::POST,
            "/api/v1/tallies".into(),
            Some(batch.clone()),
            &reporter,
        )
        .await;
        assert!(sent.status.is_success(), "{}", sent.text());
    }

    let report = format!("/api/v1/reports/periods/{facility}/{month}");
    let draft = call(Method::GET, report.clone(), None, &manager).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text());
    let line = |view: &Value| {
        view["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["metric"] == "syringes_out")
            .cloned()
            .unwrap()
    };
    assert_eq!(
        line(&draft.json())["from_tallies"],
        25,
        "the batch sent twice counts once"
    );

    let submitted = call(
        Method::POST,
        format!("{report}/submit"),
        Some(json!({})),
        &manager,
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    assert_eq!(submitted.json()["status"], "submitted");
    assert_eq!(
        line(&submitted.json())["value"],
        25,
        "the tallies became the value"
    );

    let figures =
        format!("/api/v1/stats/metrics?metric=syringes_out&by=month&from={month}&to={month}");
    let value = |reply: Reply| -> Value {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()["rows"][0]["value"].clone()
    };
    assert_eq!(
        value(app.get(&figures).await),
        Value::Null,
        "not approved: not public"
    );

    let approved = call(Method::POST, format!("{report}/approve"), None, &researcher).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
    assert_eq!(approved.json()["status"], "approved");

    assert_eq!(
        value(app.get(&figures).await),
        25,
        "approved: in the public figures"
    );
    let exact = call(
        Method::GET,
        format!("{figures}&facility={facility}&source=all"),
        None,
        &researcher,
    )
    .await;
    assert_eq!(
        value(exact),
        25,
        "counted once: the tallies are in the report now"
    );
}
