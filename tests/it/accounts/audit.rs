//! Searching the audit log by time: a `from` or `until` that is not a day
//! or a time is refused with the parameter named, never answered with an
//! empty or unfiltered list.

use axum::http::StatusCode;
use serde_json::json;

use crate::browser::signed_in;
use crate::common::*;

/// The API and the staff page and its CSV download, with bad times.
const BAD: [(&str, &str); 5] = [
    ("from=x", "from"),
    ("until=garbage", "until"),
    ("from=2026-13-01", "from"),
    ("until=2026-11-28T25:00:00Z", "until"),
    ("from=2026-12-01&until=2026-11-01", "until"),
];

#[tokio::test]
async fn the_audit_api_refuses_from_and_until_that_are_not_a_day_or_a_time() {
    let app = TestApp::new().await;
    let created = app
        .post("/api/v1/organisations", json!({"name": "Demo Zorg"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);

    for (query, parameter) in BAD {
        for format in ["json", "csv"] {
            let reply = app
                .get_as_admin(&format!("/api/v1/audit?{query}&format={format}"))
                .await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{query}: {}",
                reply.text()
            );
            let message = reply.json()["message"].as_str().unwrap().to_string();
            assert!(
                message.starts_with(&format!("{parameter}: ")),
                "{query}: {message}"
            );
        }
    }

    // Days (Dutch days) and times with an offset keep working.
    let today = vangnet::domain::date::today();
    let tomorrow = today.succ_opt().unwrap();
    let found = |query: String| {
        let app = &app;
        async move {
            let reply = app.get_as_admin(&format!("/api/v1/audit?{query}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text());
            reply
                .json()
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["object_type"] == "organisation" && e["event"] == "create")
        }
    };
    assert!(found(format!("from={today}")).await);
    assert!(found(format!("from={today}&until={tomorrow}")).await);
    assert!(!found(format!("until={today}")).await);
    assert!(!found(format!("from={tomorrow}")).await);
    assert!(found("from=2020-01-01T00:00:00Z".into()).await);
    assert!(found("from=2020-01-01T01:00:00%2B01:00&until=2999-01-01T00:00".into()).await);
    assert!(!found("until=2020-01-01T00:00:00.000Z".into()).await);
}

#[tokio::test]
async fn the_audit_page_names_a_bad_day_next_to_its_field() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    for (query, parameter) in BAD {
        let reply = admin.get(&format!("/beheer/audit?{query}")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.text()
        );
        let html = reply.text();
        assert!(
            html.contains(&format!("id=\"{parameter}-error\"")),
            "{query}: no message next to {parameter}: {html}"
        );
        let download = admin.get(&format!("/beheer/audit.csv?{query}")).await;
        assert_eq!(download.status, StatusCode::BAD_REQUEST, "{query}");
    }
    let reply = admin
        .get("/beheer/audit?from=2020-01-01&until=2999-12-31")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(!reply.text().contains("-error\""), "{}", reply.text());
}
