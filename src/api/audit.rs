//! `/api/v1/audit`: searching and exporting the audit log (national roles).

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiQuery, Caller};
use crate::app::AppState;
use crate::domain::provenance::Actor;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::formats::csv::CsvWriter;
use crate::storage::audit::{AuditEntry, AuditEvent, AuditFilter};
use crate::storage::Store;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Part of the actor's name or e-mail address.
    pub actor: Option<String>,
    /// create, update, read, export, login, login_failed, disable, …
    pub event: Option<String>,
    /// facility, organisation, user, token, session, …
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// From this day or time (inclusive), e.g. 2026-11-01.
    pub from: Option<String>,
    /// Until this day or time (exclusive).
    pub until: Option<String>,
    /// At most this many entries (default 200).
    pub limit: Option<i64>,
    /// json (default) or csv.
    pub format: Option<String>,
}

impl AuditQuery {
    pub fn filter(&self) -> AuditFilter {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        AuditFilter {
            actor: text(&self.actor),
            event: text(&self.event),
            object_type: text(&self.object_type),
            object_id: text(&self.object_id),
            from: text(&self.from),
            until: text(&self.until),
            limit: self.limit.unwrap_or(200),
        }
    }
}

/// Entries as CSV, one per row, for handing over or archiving. The log
/// records what people typed (e-mail addresses of failed sign-ins too), so
/// it goes through the one CSV writer that keeps formulas inert.
pub fn to_csv(entries: &[AuditEntry]) -> anyhow::Result<Vec<u8>> {
    let mut writer = CsvWriter::new();
    writer.row([
        "seq",
        "at",
        "event",
        "actor",
        "actor_user_id",
        "on_behalf_of",
        "access_point",
        "object_type",
        "object_id",
        "before",
        "after",
        "detail",
        "prev_hash",
        "hash",
    ])?;
    let text =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    for e in entries {
        writer.row([
            e.seq.to_string(),
            e.at.clone(),
            e.event.clone(),
            e.actor.clone(),
            e.actor_user_id.map(|i| i.to_string()).unwrap_or_default(),
            e.on_behalf_of.clone().unwrap_or_default(),
            e.access_point.clone(),
            e.object_type.clone(),
            e.object_id.clone().unwrap_or_default(),
            text(&e.before),
            text(&e.after),
            e.detail.clone().unwrap_or_default(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ])?;
    }
    writer.finish()
}

/// Searches the log and records that it was read (or exported): reading
/// the audit log is itself a read of non-public data.
pub async fn logged_search(
    store: &Store,
    filter: &AuditFilter,
    actor: &Actor,
    export: bool,
) -> AppResult<Vec<AuditEntry>> {
    let entries = store.search_audit(filter).await?;
    store
        .audit(
            &AuditEvent::new(if export { "export" } else { "read" }, actor, "audit_log")
                .detail(format!("{} entries", entries.len())),
        )
        .await?;
    Ok(entries)
}

/// Search the audit log, newest first; `format=csv` exports it. Reading it is itself audited.
#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts", params(AuditQuery), security(("token" = [])),
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Response> {
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "format: '{other}' is not json or csv"
            )))
        }
    };
    let entries = logged_search(&state.store, &query.filter(), &caller.actor(), csv).await?;
    if csv {
        let body = to_csv(&entries)?;
        return Ok((
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"vangnet-audit.csv\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(entries).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_formulas_are_made_inert_in_the_export() {
        let entry = AuditEntry {
            seq: 1,
            at: "2026-11-28T12:00:00.000Z".into(),
            event: "login_failed".into(),
            actor: "=HYPERLINK(\"http://evil.example\")".into(),
            actor_user_id: None,
            on_behalf_of: None,
            access_point: "192.0.2.1".into(),
            object_type: "session".into(),
            object_id: None,
            before: None,
            after: None,
            detail: Some("-1+1".into()),
            prev_hash: "genesis".into(),
            hash: "abc".into(),
        };
        let csv = String::from_utf8(to_csv(&[entry]).unwrap()).unwrap();
        assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
        assert!(csv.contains(",'-1+1,"), "{csv}");
    }
}
