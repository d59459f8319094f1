//! `/api/v1/reports/changes`, `…/trend`, `…/trend.svg` and `…/spread`:
//! what changed between two days, the trend figure, and the spread over
//! the country. Public: they count public facilities only.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{date_param, ApiQuery};
use crate::domain::date::today;
use crate::domain::language::Language;
use crate::domain::round::{Round, RoundStatus};
use crate::domain::service::ServiceType;
use crate::domain::trend::TrendPoint;
use crate::formats::chart::{self, ChartTexts};
use crate::formats::stats;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::stats::changes::Changes;
use crate::stats::spread::Spread;
use crate::storage::Store;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// The first day (YYYY-MM-DD); required unless `from_round` is given.
    pub from: Option<String>,
    /// The second day (YYYY-MM-DD); default today.
    pub to: Option<String>,
    /// A published round to compare from, instead of `from` (with `to_round`).
    pub from_round: Option<String>,
    /// A published round to compare with, instead of `to` (with `from_round`).
    pub to_round: Option<String>,
    /// Only changes that affect this service (e.g. `consumption_room`).
    pub service: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SpreadQuery {
    /// The day to count (YYYY-MM-DD); default today.
    pub as_of: Option<String>,
    /// `json` (default) or `csv` (the municipality table).
    pub format: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct TrendQuery {
    /// The service (default `consumption_room`).
    pub service: Option<String>,
    /// The language of the figure's texts: `nl` (default) or `en`.
    pub lang: Option<String>,
}

/// The trend of one service across the inventory rounds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Trend {
    pub service: ServiceType,
    /// One per year, oldest first.
    pub points: Vec<TrendPoint>,
}

/// A service query parameter, or the default.
pub fn service_param(value: &Option<String>) -> AppResult<Option<ServiceType>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => ServiceType::parse(text).map(Some).ok_or_else(|| {
            AppError::BadRequest(format!(
                "service: unknown service '{text}' (known: consumption_room, methadone_clinic, heroin_unit, syringe_exchange, paraphernalia, naloxone)"
            ))
        }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Json,
    Csv,
}

fn format_param(value: &Option<String>) -> AppResult<Format> {
    match value.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some(other) => Err(AppError::BadRequest(format!(
            "format: '{other}' is not json or csv"
        ))),
    }
}

fn csv_response(bytes: Vec<u8>, file: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The days of a change list: `from` as given, `to` or today.
pub fn change_days(
    from: &Option<String>,
    to: &Option<String>,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let from = date_param("from", from)?.ok_or_else(|| {
        AppError::BadRequest(
            "from: give the first day (YYYY-MM-DD), or from_round and to_round".into(),
        )
    })?;
    let to = date_param("to", to)?.unwrap_or_else(today);
    Ok((from, to))
}

/// A published round by name; others do not exist for the public.
async fn published_round(store: &Store, parameter: &str, name: &str) -> AppResult<Round> {
    store
        .round_by_name(name.trim())
        .await?
        .filter(|r| r.status == RoundStatus::Published)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "{parameter}: there is no published round named '{name}'"
            ))
        })
}

/// Which public facilities opened, closed or changed service between two
/// days, or between two published rounds.
///
/// Compared are the public facilities open on each day (as Table 1 counts
/// them); between two rounds, the facilities each round counted when it
/// closed, over the services both count. Each change has its date and the
/// source of the version that made the difference; per service,
/// `count_to = count_from + opened - closed`. A facility that opened and
/// closed again in between is in neither count.
#[utoipa::path(get, path = "/api/v1/reports/changes", tag = "reports", params(ChangesQuery),
    responses(
        (status = 200, body = Changes, content_type = "application/json"),
        (status = 200, description = "with format=csv: one row per facility", content_type = "text/csv"),
        (status = 400, body = ErrorBody),
        (status = 404, description = "no published round has that name", body = ErrorBody),
    ))]
pub async fn changes(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> AppResult<Response> {
    let service = service_param(&query.service)?;
    let format = format_param(&query.format)?;
    let mut changes = match (&query.from_round, &query.to_round) {
        (None, None) => {
            let (from, to) = change_days(&query.from, &query.to)?;
            crate::stats::changes::changes(&state.store, from, to).await?
        }
        (Some(earlier), Some(later)) => {
            if query.from.is_some() || query.to.is_some() {
                return Err(AppError::BadRequest(
                    "give either from and to, or from_round and to_round".into(),
                ));
            }
            let earlier = published_round(&state.store, "from_round", earlier).await?;
            let later = published_round(&state.store, "to_round", later).await?;
            crate::stats::changes::changes_between_rounds(&state.store, &earlier, &later).await?
        }
        _ => {
            return Err(AppError::BadRequest(
                "give both from_round and to_round".into(),
            ))
        }
    };
    let (from, to) = (changes.from, changes.to);
    if let Some(service) = service {
        changes = changes.only(service);
    }
    Ok(match format {
        Format::Json => Json(changes).into_response(),
        Format::Csv => csv_response(
            stats::changes_csv(&changes)?,
            &format!("veranderingen-{from}-{to}.csv"),
        ),
    })
}

/// Spread over the country: per province and municipality the public
/// facilities open on a day, which municipalities have each service, and
/// the municipalities farthest from each service.
///
/// Distances run from a municipality's representative point (its most
/// populous place) to the nearest public facility, great-circle, in km.
/// The bundled data has no population figures (so no rates per 100,000)
/// and no GGD regions.
#[utoipa::path(get, path = "/api/v1/reports/spread", tag = "reports", params(SpreadQuery),
    responses(
        (status = 200, body = Spread, content_type = "application/json"),
        (status = 200, description = "with format=csv: one row per municipality", content_type = "text/csv"),
        (status = 400, body = ErrorBody),
    ))]
pub async fn spread(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SpreadQuery>,
) -> AppResult<Response> {
    let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
    let format = format_param(&query.format)?;
    let spread = crate::stats::spread::spread(&state.store, day).await?;
    Ok(match format {
        Format::Json => Json(spread).into_response(),
        Format::Csv => csv_response(stats::spread_csv(&spread)?, &format!("spreiding-{day}.csv")),
    })
}

/// The trend of a service's count across the inventory rounds.
///
/// Per year the count of a published round (origin `register`) or, for
/// years without one, a figure published elsewhere (origin `external`),
/// each with its qualifier and source.
#[utoipa::path(get, path = "/api/v1/reports/trend", tag = "reports", params(TrendQuery),
    responses((status = 200, body = Trend), (status = 400, body = ErrorBody)))]
pub async fn trend(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TrendQuery>,
) -> AppResult<Json<Trend>> {
    let service = service_param(&query.service)?.unwrap_or(ServiceType::ConsumptionRoom);
    let points = crate::stats::trend::public_trend(&state.store, service).await?;
    Ok(Json(Trend { service, points }))
}

/// The trend figure as an SVG file.
///
/// Register counts are filled dots on a solid line, published figures
/// hollow dots on a dashed one; `≥`/`±` mark qualified counts and an
/// unknown count is a gap with a `?`.
#[utoipa::path(get, path = "/api/v1/reports/trend.svg", tag = "reports", params(TrendQuery),
    responses(
        (status = 200, description = "the figure", content_type = "image/svg+xml"),
        (status = 400, body = ErrorBody),
    ))]
pub async fn trend_svg(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TrendQuery>,
) -> AppResult<Response> {
    let service = service_param(&query.service)?.unwrap_or(ServiceType::ConsumptionRoom);
    let lang = match query.lang.as_deref().map(str::trim) {
        None | Some("") => Language::Nl,
        Some(code) => Language::parse(code)
            .ok_or_else(|| AppError::BadRequest(format!("lang: '{code}' is not nl or en")))?,
    };
    let points = crate::stats::trend::public_chart_points(&state.store, service, lang).await?;
    let texts = ChartTexts::of(lang, service);
    let svg = chart::trend_svg("trend", &points, &texts);
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"trend-{}.svg\"", service.code()),
            ),
            (CACHE_CONTROL, "no-cache".to_string()),
        ],
        svg,
    )
        .into_response())
}
