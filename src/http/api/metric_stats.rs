//! `GET /api/v1/stats/metrics`: a metric per month, quarter or year, for
//! the country, a province, a municipality, or (with a token) an
//! organisation or facility. The rules are in monitoring::stats.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiQuery;
use crate::http::app::AppState;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::request::Caller;
use crate::monitoring::stats::{self, MetricSeries, SeriesQuery};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MetricsQuery {
    /// A metric code of the catalogue, e.g. `syringes_out`.
    pub metric: Option<String>,
    /// `month` (default), `quarter` or `year`.
    pub by: Option<String>,
    /// The first period: `2025-01`, `2025-Q1` or `2025`.
    pub from: Option<String>,
    /// The last period (inclusive); at most 120 periods from `from`.
    pub to: Option<String>,
    /// A province (`NL-NH`).
    pub province: Option<String>,
    /// A municipality (`GM0363`).
    pub municipality: Option<String>,
    /// An organisation's id (with a token only).
    pub organisation: Option<String>,
    /// A facility's id (with a token only).
    pub facility: Option<String>,
    /// `approved` (default) or `all`: also submitted reports and tallies
    /// not yet in a report (with a token only).
    pub source: Option<String>,
}

/// A metric per period.
///
/// Every period from `from` to `to` is a row; `value` is null when there is
/// none. Without a token: approved values, national or per province or
/// municipality, with people and activity values of 1 to 4 suppressed.
/// With a token: exact values within the caller's organisation (national
/// roles: all).
#[utoipa::path(get, path = "/api/v1/stats/metrics", tag = "monitoring", params(MetricsQuery),
    responses(
        (status = 200, body = MetricSeries),
        (status = 403, description = "A parameter needs a token, or lies outside the caller's organisation", body = ErrorBody),
        (status = 422, description = "A parameter is not valid (named)", body = ErrorBody),
    ))]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<MetricsQuery>,
) -> AppResult<Json<MetricSeries>> {
    let question = SeriesQuery {
        metric: query.metric,
        by: query.by,
        from: query.from,
        to: query.to,
        province: query.province,
        municipality: query.municipality,
        organisation: query.organisation,
        facility: query.facility,
        source: query.source,
    };
    let actor = caller.actor();
    let series =
        stats::metric_series(&state.store, &question, caller.principal.as_ref(), &actor).await?;
    Ok(Json(series))
}
