//! `/beheer/audit` (national roles): searching the audit log, newest first,
//! and downloading the same search as CSV. Reading and exporting the log
//! are themselves audited.

use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::{parse_query, FieldErrors, Page, PageError};
use crate::http::api::audit::{to_csv, AuditQuery};
use crate::http::app::AppState;

/// Entries the page shows at most.
pub const PAGE_LIMIT: i64 = 200;
/// Entries a CSV download holds at most (unless the query asks for fewer).
pub const EXPORT_LIMIT: i64 = 100_000;

/// The search as a query string, for the CSV link.
fn query_string(query: &AuditQuery) -> String {
    let fields = [
        ("actor", &query.actor),
        ("event", &query.event),
        ("object_type", &query.object_type),
        ("object_id", &query.object_id),
        ("from", &query.from),
        ("until", &query.until),
    ];
    let present: Vec<(&str, &str)> = fields
        .iter()
        .filter_map(|(name, value)| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| (*name, v))
        })
        .collect();
    serde_urlencoded::to_string(present).unwrap_or_default()
}

/// Whether `until` is a day or a time by itself (so its error is its order).
fn valid_alone(until: &str) -> bool {
    AuditQuery {
        until: Some(until.to_string()),
        ..AuditQuery::default()
    }
    .filter()
    .is_ok()
}

fn csv_url(query: &AuditQuery) -> String {
    match query_string(query) {
        q if q.is_empty() => "/beheer/audit.csv".to_string(),
        q => format!("/beheer/audit.csv?{q}"),
    }
}

pub async fn search(
    page: Page,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    page.run(async {
        let query: AuditQuery = parse_query(raw.as_deref())?;
        let search = context! {
            actor => query.actor,
            event => query.event,
            object_type => query.object_type,
            object_id => query.object_id,
            from => query.from,
            until => query.until,
        };
        let mut filter = match query.filter() {
            Ok(filter) => filter,
            Err(e) => {
                // Nothing is searched: the message stands next to the field.
                let key = match e.parameter {
                    "until" if query.until.as_deref().is_some_and(valid_alone) => {
                        "audit.error.until_before_from"
                    }
                    _ => "audit.error.time",
                };
                let errors = FieldErrors::from([(e.parameter.to_string(), page.text(key))]);
                return Ok(page.render(
                    "audit.html",
                    StatusCode::BAD_REQUEST,
                    context! { search, errors },
                ));
            }
        };
        filter.limit = PAGE_LIMIT;
        let entries = crate::accounts::audit::logged_search(
            &state.store,
            &filter,
            &page.caller.actor(),
            false,
        )
        .await?;
        let full = entries.len() as i64 == PAGE_LIMIT;
        Ok(page.render(
            "audit.html",
            StatusCode::OK,
            context! {
                entries,
                search,
                errors => FieldErrors::new(),
                full,
                limit => PAGE_LIMIT,
                csv_url => csv_url(&query),
            },
        ))
    })
    .await
}

/// The same search as a CSV file.
pub async fn export(
    page: Page,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    page.run(async {
        let query: AuditQuery = parse_query(raw.as_deref())?;
        let mut filter = query
            .filter()
            .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "audit.error.time"))?;
        filter.limit = query.limit.unwrap_or(EXPORT_LIMIT);
        let entries = crate::accounts::audit::logged_search(
            &state.store,
            &filter,
            &page.caller.actor(),
            true,
        )
        .await?;
        let body = to_csv(&entries).map_err(crate::http::error::AppError::Internal)?;
        Ok((
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"vangnet-audit.csv\"",
                ),
                (CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response())
    })
    .await
}
