//! `/api/v1/reports/…`: counts over the register.

use axum::extract::State;
use axum::Json;

use super::facilities::AsOfQuery;
use super::{date_param, ApiQuery};
use crate::app::AppState;
use crate::domain::date::today;
use crate::domain::table1::Table1;
use crate::error::{AppResult, ErrorBody};

/// Table 1: per service type, public locations and municipalities open on a day.
///
/// A location counts once however many rooms it has; residents-only and
/// closed facilities do not count.
#[utoipa::path(get, path = "/api/v1/reports/table1", tag = "reports", params(AsOfQuery),
    responses((status = 200, body = Table1), (status = 400, body = ErrorBody)))]
pub async fn table1(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> AppResult<Json<Table1>> {
    let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
    Ok(Json(crate::reports::table1(&state.store, day).await?))
}
