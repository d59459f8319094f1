//! `/api/v1/metrics`: the metric catalogue. Anyone may read it (it says
//! what vangnet counts, not any count); admins and researchers add metrics
//! and retire them (a retired metric keeps its data and history).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiJson, Caller};
use crate::domain::metric::{Metric, MetricInput};
use crate::http::app::AppState;
use crate::http::error::{AppResult, ErrorBody};
use crate::monitoring;

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricList {
    /// By code; retired metrics have `retired_at`.
    pub metrics: Vec<Metric>,
}

/// The metric catalogue: code, names, unit, period, how it adds up, what
/// it counts and the services that report it.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "monitoring",
    responses((status = 200, body = MetricList)))]
pub async fn list(State(state): State<AppState>) -> AppResult<Json<MetricList>> {
    Ok(Json(MetricList {
        metrics: monitoring::metrics(&state.store).await?,
    }))
}

/// Adds a metric to the catalogue.
#[utoipa::path(post, path = "/api/v1/metrics", tag = "monitoring", request_body = MetricInput,
    security(("token" = [])),
    responses(
        (status = 201, body = Metric),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "a metric with this code exists"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<MetricInput>,
) -> AppResult<impl IntoResponse> {
    let who = caller.principal()?;
    let metric = monitoring::add_metric(&state.store, &input, who, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(metric)))
}

/// Retires a metric: it takes no new values; its data stays.
#[utoipa::path(post, path = "/api/v1/metrics/{code}/retire", tag = "monitoring",
    params(("code" = String, Path, description = "The metric's code, such as foil_out")),
    security(("token" = [])),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<StatusCode> {
    let who = caller.principal()?;
    monitoring::retire_metric(&state.store, &code, who, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
