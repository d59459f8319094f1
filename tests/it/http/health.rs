//! `/healthz/live` and `/healthz/ready`: which checks fail and when.

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::TestApp;

fn failed(ready: &Value) -> Vec<&str> {
    ready["failed"]
        .as_array()
        .unwrap_or_else(|| panic!("no failed list in {ready}"))
        .iter()
        .map(|f| f.as_str().expect("a check name"))
        .collect()
}

#[tokio::test]
async fn ready_names_the_background_jobs_that_are_not_running() {
    let app = TestApp::new().await;
    let live = app.get("/healthz/live").await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.text());
    assert_eq!(live.headers["cache-control"], "no-store");

    // The router alone starts no jobs.
    let ready = app.get("/healthz/ready").await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.text()
    );
    assert_eq!(ready.headers["cache-control"], "no-store");
    let body = ready.json();
    assert_eq!(body["status"], "not ready", "{body}");
    assert_eq!(failed(&body), ["mail_worker", "change_watcher"], "{body}");
    assert_eq!(body["checks"]["database"]["status"], "ok", "{body}");
    assert_eq!(body["checks"]["migrations"]["status"], "ok", "{body}");
    assert_eq!(
        body["checks"]["mail_worker"]["reason"], "not running",
        "{body}"
    );

    // Once the watcher has gone round, only the mail worker is missing.
    app.store.watch_changes();
    let mut body = app.get("/healthz/ready").await.json();
    for _ in 0..50 {
        if failed(&body) == ["mail_worker"] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        body = app.get("/healthz/ready").await.json();
    }
    assert_eq!(failed(&body), ["mail_worker"], "{body}");
}

#[tokio::test]
async fn ready_fails_on_migrations_the_database_lacks() {
    let app = TestApp::new().await;
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = \
         (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let ready = app.get("/healthz/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = ready.json();
    assert!(failed(&body).contains(&"migrations"), "{body}");
    assert!(!failed(&body).contains(&"database"), "{body}");
    let reason = body["checks"]["migrations"]["reason"].as_str().unwrap();
    assert!(reason.contains("this binary expects"), "{body}");
}

#[tokio::test]
async fn ready_fails_when_the_database_is_gone_while_live_still_answers() {
    let app = TestApp::new().await;
    app.store.close().await;
    let ready = app.get("/healthz/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = ready.json();
    assert!(failed(&body).contains(&"database"), "{body}");
    assert!(failed(&body).contains(&"migrations"), "{body}");
    let live = app.get("/healthz/live").await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.text());
}
