//! `GET /api/v1/indicators`: one indicator for a year, nationally and per
//! province or for one area, with its inputs, qualifier and band. The
//! rules are in dashboards::indicators.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiQuery;
use crate::dashboards::indicators::{self, IndicatorAnswer, IndicatorQuery};
use crate::domain::language::Language;
use crate::http::app::AppState;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::request::Caller;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct IndicatorsQuery {
    /// `syringes_per_pwid`, `oat_coverage`, `mhu_occupancy`,
    /// `dispensations_per_client`, `services_per_100k`,
    /// `inhabitants_beyond_25km` or `inhabitants_beyond_50km`.
    pub code: Option<String>,
    /// The year (default: last year).
    pub year: Option<String>,
    /// One province (`NL-UT`) instead of the country and every province.
    pub province: Option<String>,
    /// One municipality (`GM0344`).
    pub municipality: Option<String>,
    /// The language of names, notes and sources: `nl` (default) or `en`.
    pub lang: Option<String>,
}

/// One indicator for a year.
///
/// Rows: the country and each province with the figures it needs (or the
/// one area asked for); per service kind for `services_per_100k` and the
/// `inhabitants_beyond_…` indicators. Each row names its inputs (register
/// figures from approved reports, published figures: the latest at or
/// before the year), its qualifier and its band where WHO/UNODC/UNAIDS set
/// bands. Without a token a value that would reveal a count of people or
/// activity from 1 to 4 is null with `"suppressed": true`.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "reports", params(IndicatorsQuery),
    responses(
        (status = 200, body = IndicatorAnswer),
        (status = 422, description = "A parameter is not valid (named)", body = ErrorBody),
    ))]
pub async fn indicator(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<IndicatorsQuery>,
) -> AppResult<Json<IndicatorAnswer>> {
    let language = match query.lang.as_deref() {
        Some("en") => Language::En,
        _ => Language::Nl,
    };
    let question = IndicatorQuery {
        code: query.code,
        year: query.year,
        province: query.province,
        municipality: query.municipality,
    };
    let public = caller.principal.is_none();
    Ok(Json(
        indicators::indicator(&state.store, &question, public, language).await?,
    ))
}
