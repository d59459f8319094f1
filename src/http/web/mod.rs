//! Non-API HTTP: the start page, the health check, the open-data downloads,
//! and the response headers every answer gets (security, caching).

pub mod caching;
pub mod kept;
pub mod opendata;
pub mod pages;
pub mod security;
pub mod templates;

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::http::app::AppState;

/// Liveness: the process answers. Always 200 while serving; never cached.
pub async fn healthz_live() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(CACHE_CONTROL, "no-store")],
        Json(json!({"status": "live"})),
    )
}

/// Readiness: 200 when the database answers, its schema is current and the
/// background jobs beat within a minute; 503 otherwise, naming the checks
/// that failed. Never cached.
pub async fn healthz_ready(State(state): State<AppState>) -> impl IntoResponse {
    let checks = crate::platform::health::ready(&state.store, &state.jobs).await;
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.failure.is_some())
        .map(|c| c.name)
        .collect();
    let details: serde_json::Map<String, serde_json::Value> = checks
        .iter()
        .map(|c| {
            let value = match &c.failure {
                None => json!({"status": "ok"}),
                Some(why) => json!({"status": "failed", "reason": why}),
            };
            (c.name.to_owned(), value)
        })
        .collect();
    let status = if failed.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(CACHE_CONTROL, "no-store")],
        Json(json!({
            "status": if failed.is_empty() { "ready" } else { "not ready" },
            "failed": failed,
            "checks": details,
        })),
    )
}

/// Health check for load balancers and monitoring: 200 when the database
/// answers, 503 when it does not (kept as it was; `/healthz/live` and
/// `/healthz/ready` tell liveness from readiness).
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let health = crate::platform::health::check(&state.store).await;
    let engine = health.engine;
    if !health.database_answers {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({"status": "unavailable", "database": {"engine": engine, "status": "unavailable"}}),
            ),
        );
    }
    // Rows that cannot be read are left out of public lists; the check
    // still answers 200 (the service works) with a warning to alert on.
    match health.broken {
        Some(broken) if broken.is_empty() => (
            StatusCode::OK,
            Json(
                json!({"status": "ok", "database": {"engine": engine, "status": "ok"}, "broken_rows": 0}),
            ),
        ),
        Some(broken) => (
            StatusCode::OK,
            Json(json!({
                "status": "warning",
                "database": {"engine": engine, "status": "ok"},
                "broken_rows": broken.len(),
                "warnings": broken.iter().take(20).map(|b| format!("{} {} version {}: stored {} cannot be read", b.noun, b.id, b.version.unwrap_or(0), b.column)).collect::<Vec<_>>(),
            })),
        ),
        None => (
            StatusCode::OK,
            Json(
                json!({"status": "warning", "database": {"engine": engine, "status": "ok"}, "broken_rows": null}),
            ),
        ),
    }
}
