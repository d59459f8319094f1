//! `/api/v1/audit`: searching and exporting the audit log (national roles).

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiQuery, Caller};
use crate::domain::audit::AuditView;
use crate::formats::csv::CsvWriter;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::storage::audit::{AuditEntry, AuditFilter};

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
    /// From this day or time (inclusive): a day in Dutch time such as
    /// 2026-11-01 (from its midnight in the Netherlands), a time with an
    /// offset such as 2026-11-01T13:00:00+01:00 or …Z, or a time without
    /// one (Dutch time). Anything else is a 400.
    pub from: Option<String>,
    /// Until this day or time (exclusive), in the same forms; not before `from`.
    pub until: Option<String>,
    /// Only entries by the user with this id (empty: anyone).
    pub user: Option<String>,
    /// changes (everything but read and export), reads (read and export
    /// only) or all (default).
    pub kind: Option<String>,
    /// Paging: only entries older than the one with this `seq`.
    pub before: Option<i64>,
    /// Paging: the entries right after the one with this `seq` (newest first).
    pub after: Option<i64>,
    /// At most this many entries (default 200).
    pub limit: Option<i64>,
    /// json (default) or csv.
    pub format: Option<String>,
}

/// A `from` or `until` that is not a day or a time, an `until` before
/// `from`, or a `kind` or `user` that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    /// `from`, `until`, `kind` or `user`.
    pub parameter: &'static str,
    pub message: String,
}

impl From<TimeError> for AppError {
    fn from(e: TimeError) -> AppError {
        AppError::BadRequest(format!("{}: {}", e.parameter, e.message))
    }
}

impl AuditQuery {
    /// The search as the storage runs it; `from` and `until` become times
    /// in the form the log stores them.
    pub fn filter(&self) -> Result<AuditFilter, TimeError> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let time = |parameter: &'static str, value: &Option<String>| {
            text(value)
                .map(|t| {
                    log_time(&t).ok_or_else(|| TimeError {
                        parameter,
                        message: format!(
                            "'{t}' is not a day (2026-11-01) or a time (2026-11-01T13:00:00+01:00)"
                        ),
                    })
                })
                .transpose()
        };
        let (from, until) = (time("from", &self.from)?, time("until", &self.until)?);
        if let (Some(from), Some(until)) = (&from, &until) {
            // Both in the log's own form, so text order is time order.
            if until < from {
                return Err(TimeError {
                    parameter: "until",
                    message: format!("{until} is before from ({from})"),
                });
            }
        }
        let view = match text(&self.kind) {
            None => AuditView::All,
            Some(kind) => AuditView::parse(&kind).ok_or_else(|| TimeError {
                parameter: "kind",
                message: format!("'{kind}' is not changes, reads or all"),
            })?,
        };
        let user_id = text(&self.user)
            .map(|user| {
                user.parse::<i64>().map_err(|_| TimeError {
                    parameter: "user",
                    message: format!("'{user}' is not a user's id"),
                })
            })
            .transpose()?;
        Ok(AuditFilter {
            user_id,
            view,
            before_seq: self.before,
            after_seq: self.after,
            actor: text(&self.actor),
            event: text(&self.event),
            object_type: text(&self.object_type),
            object_id: text(&self.object_id),
            from,
            until,
            limit: self.limit.unwrap_or(200),
        })
    }
}

/// A day or a time as the log stores times: UTC, RFC 3339 with
/// milliseconds (`2026-11-01T12:00:00.000Z`), which SQL compares as text.
/// A day starts at its midnight in the Netherlands; a time without an
/// offset is Dutch time.
fn log_time(text: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
    use chrono_tz::Europe::Amsterdam;
    let dutch = |local: NaiveDateTime| {
        Amsterdam
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let time = if let Some(day) = crate::domain::date::parse_date(text) {
        dutch(day.and_time(chrono::NaiveTime::MIN))?
    } else if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        time.with_timezone(&Utc)
    } else {
        let local = [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())?;
        dutch(local)?
    };
    (1900..=2999)
        .contains(&chrono::Datelike::year(&time))
        .then(|| time.to_rfc3339_opts(SecondsFormat::Millis, true))
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

/// Search the audit log, newest first; `format=csv` exports it. Reading it is itself audited.
#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts", params(AuditQuery), security(("token" = [])),
    responses((status = 200, body = Vec<AuditEntry>), (status = 400, description = "from or until is not a day or a time, or until is before from", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
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
    let filter = query.filter()?;
    let entries =
        crate::accounts::audit::logged_search(&state.store, &filter, &caller.actor(), csv).await?;
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
    fn days_are_dutch_days_and_times_are_stored_as_utc() {
        let at = |t: &str| log_time(t);
        // Winter: the Netherlands is UTC+1; summer UTC+2.
        assert_eq!(
            at("2026-11-01").as_deref(),
            Some("2026-10-31T23:00:00.000Z")
        );
        assert_eq!(
            at("01-07-2026").as_deref(),
            Some("2026-06-30T22:00:00.000Z")
        );
        assert_eq!(
            at("2026-11-28T13:05:00+01:00").as_deref(),
            Some("2026-11-28T12:05:00.000Z")
        );
        assert_eq!(
            at("2026-11-28T12:05:00.5Z").as_deref(),
            Some("2026-11-28T12:05:00.500Z")
        );
        assert_eq!(
            at("2026-11-28T13:05").as_deref(),
            Some("2026-11-28T12:05:00.000Z")
        );
        for bad in [
            "x",
            "garbage",
            "2026-13-01",
            "2026-11-28T25:00:00Z",
            "10000-01-01",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bad_bound_names_its_parameter() {
        let query = |from: &str, until: &str| AuditQuery {
            from: Some(from.into()),
            until: Some(until.into()),
            ..AuditQuery::default()
        };
        assert_eq!(
            query("gisteren", "").filter().unwrap_err().parameter,
            "from"
        );
        assert_eq!(query("", "morgen").filter().unwrap_err().parameter, "until");
        assert_eq!(
            query("2026-12-01", "2026-11-01")
                .filter()
                .unwrap_err()
                .parameter,
            "until"
        );
        let filter = query(" 2026-11-01 ", "").filter().unwrap();
        assert_eq!(filter.from.as_deref(), Some("2026-10-31T23:00:00.000Z"));
        assert_eq!(filter.until, None);
    }

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
