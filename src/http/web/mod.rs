//! Non-API HTTP: the start page, the health check, the open-data downloads,
//! and the response headers every answer gets (security, caching).

pub mod caching;
pub mod kept;
pub mod opendata;
pub mod pages;
pub mod security;
pub mod templates;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::http::app::AppState;

/// Health check for load balancers and monitoring: 200 when the database
/// answers, 503 when it does not.
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
