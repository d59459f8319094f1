//! `/api/v1/tallies`: batches of tallies from a desk's device (or another
//! system), taking one back within a minute, and a day's running totals.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{date_param, ApiJson, ApiQuery, Caller};
use crate::domain::date::today;
use crate::domain::tally::TallyInput;
use crate::http::app::AppState;
use crate::http::error::{AppResult, ErrorBody};
use crate::monitoring::desk::{self, DayTotal};
use crate::monitoring::{self, TallyReceipt};

/// A batch of tallies.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TallyBatch {
    /// 1 to 1000 tallies; ids sent before are not counted again.
    pub tallies: Vec<TallyInput>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TotalsQuery {
    /// A facility the caller counts at.
    pub facility_id: Option<i64>,
    /// The Dutch day (YYYY-MM-DD); default today.
    pub day: Option<String>,
}

/// Record a batch of tallies, all or none. Idempotent by id: a batch sent
/// again after a lost answer counts nothing twice (`repeated`).
#[utoipa::path(post, path = "/api/v1/tallies", tag = "monitoring", request_body = TallyBatch,
    security(("token" = [])),
    responses((status = 200, body = TallyReceipt), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(batch): ApiJson<TallyBatch>,
) -> AppResult<Json<TallyReceipt>> {
    let receipt = monitoring::record_tallies(
        &state.store,
        &batch.tallies,
        caller.principal()?,
        &caller.actor(),
        Utc::now(),
    )
    .await?;
    Ok(Json(receipt))
}

/// Take a tally back: only who counted it, within a minute of counting.
#[utoipa::path(delete, path = "/api/v1/tallies/{id}", tag = "monitoring", params(("id" = String, Path)),
    security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn undo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    desk::undo_tally(
        &state.store,
        &id,
        caller.principal()?,
        &caller.actor(),
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A facility's running totals per metric on a day (default today).
#[utoipa::path(get, path = "/api/v1/tallies/totals", tag = "monitoring", params(TotalsQuery),
    security(("token" = [])),
    responses((status = 200, body = Vec<DayTotal>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn totals(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<TotalsQuery>,
) -> AppResult<Json<Vec<DayTotal>>> {
    let day = date_param("day", &query.day)?.unwrap_or_else(today);
    let facility_id = query.facility_id.ok_or_else(|| {
        crate::http::error::AppError::invalid("facility_id", "give the facility (facility_id)")
    })?;
    let totals = desk::day_totals(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        facility_id,
        day,
    )
    .await?;
    Ok(Json(totals))
}
