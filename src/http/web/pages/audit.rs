//! `/beheer/audit` (national roles): the audit log a page at a time
//! ([`PAGE_SIZE`] entries, newest first, with newer and older links that
//! work without JavaScript), filtered by choices (event kind, who from the
//! accounts, object kind, days, and changes, reads or both: changes by
//! default), each event named in the reader's language, with a link to the
//! object it names and the before and after of the fields a change
//! changed. The same search downloads as CSV. Reading and exporting the
//! log are themselves audited.
//!
//! Paging is by the log's own sequence number (`before` / `after`), not an
//! offset: every view of this page adds a read to the log, and an offset
//! would shift under it.

use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};

use super::{parse_query, FieldErrors, Page, PageError};
use crate::accounts::audit::{changes, logged_page};
use crate::domain::audit::{AuditView, EVENTS, OBJECT_TYPES};
use crate::domain::text::catalogue;
use crate::http::api::audit::{to_csv, AuditQuery};
use crate::http::app::AppState;
use crate::storage::audit::AuditEntry;

/// Entries a page shows.
pub const PAGE_SIZE: usize = 50;
/// Entries a CSV download holds at most (unless the query asks for fewer).
pub const EXPORT_LIMIT: i64 = 100_000;

/// A change with more fields than this folds its values away.
const SHOWN_INLINE: usize = 6;

/// The search as a query string (without the page's cursor), for the CSV
/// and paging links.
fn query_string(query: &AuditQuery) -> String {
    let fields = [
        ("actor", &query.actor),
        ("user", &query.user),
        ("event", &query.event),
        ("object_type", &query.object_type),
        ("object_id", &query.object_id),
        ("from", &query.from),
        ("until", &query.until),
        ("kind", &query.kind),
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

fn url(path: &str, query: &str, cursor: Option<(&str, i64)>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !query.is_empty() {
        parts.push(query.to_string());
    }
    if let Some((name, seq)) = cursor {
        parts.push(format!("{name}={seq}"));
    }
    match parts.join("&") {
        q if q.is_empty() => path.to_string(),
        q => format!("{path}?{q}"),
    }
}

/// A catalogue text if there is one, else the word itself (an event kind
/// older than the list, or a field the catalogue does not name).
fn named(page: &Page, key: &str, word: &str) -> String {
    catalogue(page.lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| word.to_string())
}

/// A link and the route it opens (for `may_open` in the template, which
/// shows the link only to those who may follow it).
type Link = Option<(String, &'static str)>;

/// Where the object an entry names can be opened, and its history.
fn object_links(entry: &AuditEntry) -> (Link, Link) {
    let Some(id) = entry.object_id.as_deref() else {
        return (None, None);
    };
    let number = id.parse::<i64>().ok();
    match (entry.object_type.as_str(), number) {
        ("facility", Some(n)) => (
            Some((
                format!("/beheer/voorzieningen/{n}"),
                "/beheer/voorzieningen/{id}",
            )),
            matches!(entry.event.as_str(), "create" | "update" | "correct").then(|| {
                (
                    format!("/beheer/voorzieningen/{n}/geschiedenis"),
                    "/beheer/voorzieningen/{id}/geschiedenis",
                )
            }),
        ),
        ("organisation", Some(n)) => (
            Some((
                format!("/beheer/organisaties/{n}"),
                "/beheer/organisaties/{id}",
            )),
            None,
        ),
        ("user", Some(_)) => (
            Some(("/beheer/gebruikers".to_string(), "/beheer/gebruikers")),
            None,
        ),
        // Round names are letters, digits, '-', '_' and '.' (domain::round).
        ("round", _) if crate::domain::round::parse_name(id).is_ok() => (
            Some((format!("/beheer/rondes/{id}"), "/beheer/rondes/{name}")),
            None,
        ),
        _ => (None, None),
    }
}

/// An entry as the page shows it.
fn entry_view(page: &Page, entry: &AuditEntry) -> Value {
    let (object_url, history_url) = object_links(entry);
    let changed: Vec<Value> = changes(entry)
        .into_iter()
        .map(|c| {
            context! {
                field => named(page, &format!("register.field.{}", c.field), &c.field),
                before => c.before,
                after => c.after,
            }
        })
        .collect();
    context! {
        seq => entry.seq,
        at => entry.at,
        event => named(page, &format!("audit.event.{}", entry.event), &entry.event),
        event_code => entry.event,
        actor => entry.actor,
        on_behalf_of => entry.on_behalf_of,
        object => named(page, &format!("audit.object.{}", entry.object_type), &entry.object_type),
        object_id => entry.object_id,
        object_url => object_url.as_ref().map(|l| &l.0),
        object_route => object_url.as_ref().map(|l| l.1),
        history_url => history_url.as_ref().map(|l| &l.0),
        history_route => history_url.as_ref().map(|l| l.1),
        access_point => entry.access_point,
        detail => entry.detail,
        inline => changed.len() <= SHOWN_INLINE,
        changes => changed,
    }
}

pub async fn search(
    page: Page,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    page.run(async {
        let mut query: AuditQuery = parse_query(raw.as_deref())?;
        // The page shows changes unless asked otherwise.
        if query.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
            query.kind = Some(AuditView::Changes.code().to_string());
        }
        let event_options: Vec<(String, String)> = std::iter::once((String::new(), page.text("audit.any_event")))
            .chain(EVENTS.iter().map(|e| (e.to_string(), page.text(&format!("audit.event.{e}")))))
            .collect();
        let object_options: Vec<(String, String)> = std::iter::once((String::new(), page.text("audit.any_object")))
            .chain(OBJECT_TYPES.iter().map(|o| (o.to_string(), page.text(&format!("audit.object.{o}")))))
            .collect();
        let kind_options: Vec<(String, String)> = AuditView::ALL
            .iter()
            .map(|v| (v.code().to_string(), page.text(&format!("audit.kind.{}", v.code()))))
            .collect();
        let search = context! {
            actor => query.actor,
            user => query.user,
            event => query.event,
            object_type => query.object_type,
            object_id => query.object_id,
            from => query.from,
            until => query.until,
            kind => query.kind,
        };
        let filter = match query.filter() {
            Ok(filter) => filter,
            Err(e) => {
                // Nothing is searched: the message stands next to the field.
                let key = match e.parameter {
                    "until" if query.until.as_deref().is_some_and(valid_alone) => {
                        "audit.error.until_before_from"
                    }
                    "kind" => "audit.error.kind",
                    "user" => "audit.error.user",
                    _ => "audit.error.time",
                };
                let errors = FieldErrors::from([(e.parameter.to_string(), page.text(key))]);
                return Ok(page.render(
                    "audit.html",
                    StatusCode::BAD_REQUEST,
                    context! { search, errors, event_options, object_options, kind_options, user_options => Vec::<(String, String)>::new() },
                ));
            }
        };
        let found = logged_page(&state.store, &filter, PAGE_SIZE, &page.caller.actor()).await?;
        let user_options: Vec<(String, String)> = std::iter::once((String::new(), page.text("audit.anyone")))
            .chain(found.users.iter().map(|u| {
                let text = match &u.name {
                    Some(name) if !name.trim().is_empty() => format!("{name} ({})", u.email),
                    _ => u.email.clone(),
                };
                (u.id.to_string(), text)
            }))
            .collect();
        let entries: Vec<Value> = found.entries.iter().map(|e| entry_view(&page, e)).collect();
        let query_text = query_string(&query);
        let paged = filter.before_seq.is_some() || filter.after_seq.is_some();
        Ok(page.render(
            "audit.html",
            StatusCode::OK,
            context! {
                entries,
                search,
                errors => FieldErrors::new(),
                event_options,
                object_options,
                kind_options,
                user_options,
                newer_url => found.newer.map(|seq| url("/beheer/audit", &query_text, Some(("after", seq)))),
                older_url => found.older.map(|seq| url("/beheer/audit", &query_text, Some(("before", seq)))),
                newest_url => paged.then(|| url("/beheer/audit", &query_text, None)),
                csv_url => url("/beheer/audit.csv", &query_text, None),
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
