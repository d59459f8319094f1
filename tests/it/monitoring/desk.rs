//! Tallies at the desk through the API: a batch is stored once per id,
//! refused whole with each wrong field named, only for facilities the
//! caller counts at; a tally is taken back within a minute by who counted
//! it, and the day's totals follow.

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use crate::common::*;
use vangnet::domain::error::AppError;

struct Desk {
    app: TestApp,
    facility: i64,
    reporter: String,
    other_reporter: String,
}

async fn desk() -> Desk {
    let app = TestApp::new().await;
    let org = |name: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/organisations", json!({"name": name}))
                .await
                .json()["id"]
                .as_i64()
                .unwrap()
        }
    };
    let (own, other) = (org("Demo Zorg").await, org("Demo Elders").await);
    let facility = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Demo Spuitpunt", "organisation_id": own,
                   "services": ["syringe_exchange"], "city": "Utrecht"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let (_, reporter) = app
        .user_token("melder@example.org", "reporter", Some(own))
        .await;
    let (_, other_reporter) = app
        .user_token("melder@elders.example.org", "reporter", Some(other))
        .await;
    Desk {
        app,
        facility,
        reporter,
        other_reporter,
    }
}

fn tally(id: &str, facility: i64, metric: &str, amount: i64) -> Value {
    json!({"id": id, "facility_id": facility, "at": Utc::now().to_rfc3339(),
           "metric": metric, "amount": amount})
}

impl Desk {
    async fn send(&self, tallies: Vec<Value>, token: &str) -> Reply {
        self.app
            .send(
                Method::POST,
                "/api/v1/tallies",
                Some(json!({ "tallies": tallies })),
                Some(token),
            )
            .await
    }

    async fn totals(&self) -> Value {
        let reply = self
            .app
            .send(
                Method::GET,
                &format!("/api/v1/tallies/totals?facility_id={}", self.facility),
                None,
                Some(&self.reporter),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()
    }
}

#[tokio::test]
async fn a_batch_sent_again_counts_once_and_the_days_totals_show_it() {
    let d = desk().await;
    let batch = vec![
        tally("phone-1-000001", d.facility, "syringes_out", 5),
        tally("phone-1-000002", d.facility, "syringes_out", 1),
        tally("phone-1-000003", d.facility, "syringes_in", 3),
    ];
    let first = d.send(batch.clone(), &d.reporter).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(
        first.json(),
        json!({"received": 3, "stored": 3, "repeated": 0})
    );
    let again = d.send(batch, &d.reporter).await;
    assert_eq!(
        again.json(),
        json!({"received": 3, "stored": 0, "repeated": 3}),
        "a retry never counts twice"
    );
    assert_eq!(
        d.totals().await,
        json!([{"metric": "syringes_in", "total": 3}, {"metric": "syringes_out", "total": 6}])
    );
}

#[tokio::test]
async fn a_bad_batch_names_each_wrong_field_and_stores_nothing() {
    let d = desk().await;
    let reply = d
        .send(
            vec![
                tally("phone-2-000001", d.facility, "syringes_out", 1),
                tally("phone-2-000002", d.facility, "syringes_out", 1001),
                tally("phone-2-000003", d.facility, "geen_meting", 1),
                tally("kort", d.facility, "syringes_out", 1),
            ],
            &d.reporter,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.text();
    for field in ["tallies[1].amount", "tallies[2].metric", "tallies[3].id"] {
        assert!(body.contains(field), "{field} named in {body}");
    }
    assert!(!body.contains("tallies[0]"), "{body}");
    assert_eq!(d.totals().await, json!([]), "nothing half-written");
    let empty = d.send(vec![], &d.reporter).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_reporter_of_another_organisation_may_neither_count_nor_read_the_totals() {
    let d = desk().await;
    let reply = d
        .send(
            vec![tally("phone-3-000001", d.facility, "syringes_out", 1)],
            &d.other_reporter,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.text().contains("tallies[0].facility_id"));
    let read = d
        .app
        .send(
            Method::GET,
            &format!("/api/v1/tallies/totals?facility_id={}", d.facility),
            None,
            Some(&d.other_reporter),
        )
        .await;
    assert_eq!(read.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(d.totals().await, json!([]));
    let anonymous = d
        .app
        .send(
            Method::POST,
            "/api/v1/tallies",
            Some(json!({"tallies": [tally("phone-3-000002", d.facility, "syringes_out", 1)]})),
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_tally_is_taken_back_by_who_counted_it_within_a_minute_only() {
    let d = desk().await;
    d.send(
        vec![
            tally("phone-4-000001", d.facility, "syringes_out", 5),
            tally("phone-4-000002", d.facility, "syringes_out", 1),
        ],
        &d.reporter,
    )
    .await;
    let by_other = d
        .app
        .send(
            Method::DELETE,
            "/api/v1/tallies/phone-4-000002",
            None,
            Some(&d.other_reporter),
        )
        .await;
    assert_eq!(
        by_other.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_other.text()
    );
    let undo = d
        .app
        .send(
            Method::DELETE,
            "/api/v1/tallies/phone-4-000002",
            None,
            Some(&d.reporter),
        )
        .await;
    assert_eq!(undo.status, StatusCode::NO_CONTENT, "{}", undo.text());
    assert_eq!(
        d.totals().await,
        json!([{"metric": "syringes_out", "total": 5}])
    );
    let twice = d
        .app
        .send(
            Method::DELETE,
            "/api/v1/tallies/phone-4-000002",
            None,
            Some(&d.reporter),
        )
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);

    // A minute later the tally stays, with the reason.
    let reporter = d
        .app
        .store
        .authenticate(&d.reporter)
        .await
        .unwrap()
        .unwrap();
    let later = Utc::now() + chrono::Duration::seconds(61);
    let refused = vangnet::monitoring::desk::undo_tally(
        &d.app.store,
        "phone-4-000001",
        &reporter,
        &vangnet::domain::provenance::Actor::named(&reporter.name),
        later,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Conflict(c) if c.reason.english().contains("no longer be taken back")),
        "{refused:?}"
    );
    assert_eq!(
        d.totals().await,
        json!([{"metric": "syringes_out", "total": 5}])
    );
    let audit = d
        .app
        .get_as_admin("/api/v1/audit?object_type=tally&event=undo")
        .await;
    assert!(audit.text().contains("phone-4-000002"), "{}", audit.text());
}
