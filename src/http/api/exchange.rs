//! `/api/v1/exchange/…`: approved figures as ADX and as DHIS2 data value
//! sets, the DHIS2 metadata to receive them, and the EUDA-shaped national
//! tables. What goes in them is decided in `exchange::adx` and
//! `exchange::euda`.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiQuery;
use crate::exchange::{adx, euda};
use crate::formats::adx::{adx_xml, dhis2_json, DataValueSet};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::request::Caller;

/// The header that says which figures an answer holds: `exact` or `public`.
pub const FIGURES_HEADER: &str = "x-vangnet-figures";

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeriodsQuery {
    /// The first period: `2025-01`, `2025-Q1` or `2025`.
    pub from: Option<String>,
    /// The last period (inclusive): `2025-12`, `2025-Q4` or `2025`.
    pub to: Option<String>,
}

/// The approved figures of the periods asked, exact or public by who asks.
async fn data_values(
    state: &AppState,
    caller: &Caller,
    query: &PeriodsQuery,
) -> AppResult<DataValueSet> {
    let actor = caller.actor();
    adx::data_values(
        &state.store,
        query.from.as_deref(),
        query.to.as_deref(),
        caller.principal.as_ref(),
        &actor,
    )
    .await
}

/// Approved figures as an ADX message (IHE QRPH, `urn:ihe:qrph:adx:2015`).
///
/// One group per org unit and period. Without a national token: the public
/// figures per municipality (small counts and the cells hidden to protect
/// them left out); with an admin or researcher token: exact values per
/// facility (org unit `VNF<id>`). The root's `vangnet:figures` attribute
/// and the `X-Vangnet-Figures` header say which.
#[utoipa::path(get, path = "/api/v1/exchange/adx", tag = "exchange", params(PeriodsQuery),
    responses(
        (status = 200, description = "the ADX message", content_type = "application/adx+xml"),
        (status = 400, body = ErrorBody),
        (status = 422, description = "from or to is not a period", body = ErrorBody),
    ))]
pub async fn adx_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PeriodsQuery>,
) -> AppResult<Response> {
    let set = data_values(&state, &caller, &query).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/adx+xml; charset=utf-8"),
            (
                FIGURES_HEADER.parse().expect("a header name"),
                set.figures.code(),
            ),
        ],
        adx_xml(&set),
    )
        .into_response())
}

/// The same figures as a DHIS2 data value set (JSON).
///
/// `{"dataValues": [{"dataElement", "period", "orgUnit", "value"}]}` with
/// codes, for `POST /api/dataValueSets?dataElementIdScheme=code&orgUnitIdScheme=code`;
/// `figures` says `exact` or `public` (see the ADX answer).
#[utoipa::path(get, path = "/api/v1/exchange/dhis2/datavaluesets", tag = "exchange", params(PeriodsQuery),
    responses(
        (status = 200, description = "the data value set", content_type = "application/json"),
        (status = 400, body = ErrorBody),
        (status = 422, description = "from or to is not a period", body = ErrorBody),
    ))]
pub async fn dhis2_data_values(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PeriodsQuery>,
) -> AppResult<Response> {
    let set = data_values(&state, &caller, &query).await?;
    Ok((
        [(FIGURES_HEADER, set.figures.code())],
        axum::Json(dhis2_json(&set)),
    )
        .into_response())
}

/// DHIS2 metadata: org units (the country, provinces, municipalities and
/// facilities, with codes), data elements (the metric catalogue) and a
/// data set per period type.
///
/// Without a token the facilities are the public ones; national staff
/// also get the non-public ones.
#[utoipa::path(get, path = "/api/v1/exchange/dhis2/metadata", tag = "exchange",
    responses(
        (status = 200, description = "DHIS2 metadata JSON", content_type = "application/json"),
    ))]
pub async fn dhis2_metadata(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    let actor = caller.actor();
    let metadata = adx::metadata(&state.store, caller.principal.as_ref(), &actor).await?;
    Ok(axum::Json(metadata).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EudaQuery {
    /// The year (default: last year).
    pub year: Option<String>,
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// EUDA-shaped national tables for a year, each row with its source.
///
/// Syringes by type of programme, provision sites per province,
/// consumption rooms and capacity, naloxone, opioid agonist treatment
/// (register and external figures). National staff only.
#[utoipa::path(get, path = "/api/v1/exchange/euda", tag = "exchange", params(EudaQuery),
    responses(
        (status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 200, description = "with format=csv", content_type = "text/csv"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "year or format is not valid", body = ErrorBody),
    ))]
pub async fn euda_tables(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<EudaQuery>,
) -> AppResult<Response> {
    let xlsx = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("xlsx") => true,
        Some("csv") => false,
        Some(other) => {
            return Err(AppError::invalid(
                "format",
                format!("'{other}' is not xlsx or csv"),
            ))
        }
    };
    let actor = caller.actor();
    let (year, rows) = euda::tables(
        &state.store,
        query.year.as_deref(),
        caller.principal()?,
        &actor,
    )
    .await?;
    let (bytes, content_type, extension) = if xlsx {
        (
            euda::xlsx(&rows, year)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (euda::csv(&rows)?, "text/csv; charset=utf-8", "csv")
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"vangnet-euda-{year}.{extension}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
