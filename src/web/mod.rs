//! Non-API HTTP: the start page, the health check and the open-data downloads.

mod opendata;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .merge(opendata::router())
}

/// Health check for load balancers and monitoring: 200 when the database
/// answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let engine = state.store.engine().name();
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": {"engine": engine, "status": "ok"}})),
        ),
        Err(err) => {
            tracing::error!(error = %err, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({"status": "unavailable", "database": {"engine": engine, "status": "unavailable"}}),
                ),
            )
        }
    }
}

/// A plain start page until the public finder arrives: what vangnet is and
/// where its data can be found.
async fn index() -> Html<&'static str> {
    Html(include_str!("index.html"))
}
