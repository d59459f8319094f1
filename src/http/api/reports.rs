//! `/api/v1/reports/table1`: Table 1 of a round or of the register on a
//! day, as JSON (default), CSV, Markdown, XLSX or HTML.

use crate::domain::language::Language;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{date_param, ApiQuery, Caller};
use crate::domain::date::today;
use crate::domain::round::{Round, RoundStatus};
use crate::domain::table1::Table1;
use crate::formats::table1::{self, Table1Format};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::storage::Store;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Table1Query {
    /// The day to count (YYYY-MM-DD); default today. Not with `round`.
    pub as_of: Option<String>,
    /// An inventory round's Table 1 (published rounds for everyone, others
    /// for national roles).
    pub round: Option<String>,
    /// `json` (default), `csv`, `md`, `xlsx` or `html`.
    pub format: Option<String>,
    /// The language of printed counts and notes in files: `nl` (default) or `en`.
    pub lang: Option<String>,
}

/// The round if this caller may see it: published rounds are public, the
/// others only for national roles (and do not exist for anyone else).
pub async fn visible_round(store: &Store, caller: &Caller, name: &str) -> AppResult<Round> {
    let staff = caller
        .principal
        .as_ref()
        .filter(|p| p.may_manage_rounds())
        .map(|_| caller.actor());
    crate::rounds::readable_round(store, name, staff.as_ref()).await
}

/// A table as a download (or JSON), named after its round or day.
pub fn table1_response(
    table: &Table1,
    format: Table1Format,
    lang: Language,
) -> AppResult<Response> {
    if format == Table1Format::Json {
        return Ok(Json(table).into_response());
    }
    let body = table1::write(table, format, lang).map_err(AppError::Internal)?;
    let disposition = format!(
        "{}; filename=\"{}\"",
        if format == Table1Format::Html {
            "inline"
        } else {
            "attachment"
        },
        table1::file_name(table, format)
    );
    let mut response = (
        [
            (CONTENT_TYPE, format.content_type().to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response();
    if table.status.is_some_and(|s| s != RoundStatus::Published) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, "no-store".parse().expect("a header value"));
    }
    Ok(response)
}

/// Table 1: per service type, public locations, municipalities and places,
/// capacity, qualifier, notes and source.
///
/// For a day, counted from the register (a location counts once however
/// many rooms it has; residents-only and closed facilities do not count).
/// For a round, its frozen counts once closed, or while open the register's
/// counts on its reference date with the researchers' qualifiers. Every
/// count lists the facilities it is made of (`facility_ids`).
#[utoipa::path(get, path = "/api/v1/reports/table1", tag = "reports", params(Table1Query),
    responses(
        (status = 200, description = "Table 1 (JSON by default; a download with `format`)",
            content(
                (Table1 = "application/json"),
                (String = "text/csv"),
                (String = "text/markdown"),
                (String = "text/html"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn table1(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<Table1Query>,
) -> AppResult<Response> {
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("") => Table1Format::Json,
        Some(text) => Table1Format::parse(text).ok_or_else(|| {
            AppError::BadRequest(format!(
                "format: '{text}' is not a format; use json, csv, md, xlsx or html"
            ))
        })?,
    };
    let lang = match query.lang.as_deref().map(str::trim) {
        None | Some("") => Language::Nl,
        Some(text) => Language::parse(text)
            .ok_or_else(|| AppError::BadRequest(format!("lang: '{text}'; use nl or en")))?,
    };
    let table = match query.round.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => {
            if query.as_of.as_deref().is_some_and(|d| !d.trim().is_empty()) {
                return Err(AppError::BadRequest(
                    "give either round or as_of, not both: a round counts on its own day".into(),
                ));
            }
            let round = visible_round(&state.store, &caller, name).await?;
            crate::rounds::table1::round_table(&state.store, &round).await?
        }
        _ => {
            let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
            crate::rounds::table1::table1(&state.store, day).await?
        }
    };
    table1_response(&table, format, lang)
}
