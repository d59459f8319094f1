//! `/api/v1/reports/periods`: period reports per facility per period
//! (list, read, set values, submit, approve, reopen). Non-public: every
//! call needs a token of someone who may report for the facility; reads
//! are audited. The rules are in `crate::monitoring::reports`.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, Caller};
use crate::domain::date::today;
use crate::domain::metric::Period;
use crate::domain::period_report::ReportStatus;
use crate::domain::FieldError;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::monitoring::completeness;
use crate::monitoring::reports::{self, ReportInput, ReportView};
use crate::storage::period_reports::ReportFilter;

/// `{facility_id}/{period}` from the path.
pub struct ReportKey(pub i64, pub String);

impl<S: Send + Sync> FromRequestParts<S> for ReportKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((id, period)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let id = id
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest(format!("'{id}' is not a facility id")))?;
        Ok(ReportKey(id, period))
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// Only this facility's reports.
    pub facility: Option<i64>,
    /// Only this period: `2025-03`, `2025-Q1`, `2025`.
    pub period: Option<String>,
    /// draft, submitted, approved or reopened.
    pub status: Option<String>,
}

/// A report in a listing (without its values).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSummary {
    pub facility_id: i64,
    #[schema(value_type = String, example = "2025-03")]
    pub period: Period,
    pub status: ReportStatus,
    pub source: String,
    pub submitted_at: Option<String>,
    pub approved_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub reports: Vec<ReportSummary>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReopenReport {
    /// Why the report is reopened (required); kept with the report and in the audit log.
    pub reason: String,
}

/// The reports within the caller's reach, newest period first.
#[utoipa::path(get, path = "/api/v1/reports/periods", tag = "monitoring",
    params(ListQuery), security(("token" = [])),
    responses(
        (status = 200, body = ReportList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<Json<ReportList>> {
    let who = caller.principal()?;
    let mut errors = Vec::new();
    let period = match query.period.as_deref().map(Period::parse) {
        Some(Ok(p)) => Some(p),
        Some(Err(reason)) => {
            errors.push(FieldError::because("period", reason));
            None
        }
        None => None,
    };
    let status = match query.status.as_deref() {
        Some(text) => ReportStatus::parse(text).or_else(|| {
            errors.push(FieldError::new(
                "status",
                format!("'{text}' is not one of draft, submitted, approved, reopened"),
            ));
            None
        }),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let filter = ReportFilter {
        facility_id: query.facility,
        period,
        status,
    };
    let found = completeness::list_reports(&state.store, who, &caller.actor(), &filter).await?;
    Ok(Json(ReportList {
        reports: found
            .into_iter()
            .map(|r| ReportSummary {
                facility_id: r.facility_id,
                period: r.period,
                status: r.status,
                source: r.source,
                submitted_at: r.submitted_at,
                approved_at: r.approved_at,
            })
            .collect(),
    }))
}

/// A facility's report for a period, prefilled from its tallies
/// (`from_tallies`) where no value is typed; an empty draft when none is stored.
#[utoipa::path(get, path = "/api/v1/reports/periods/{facility_id}/{period}", tag = "monitoring",
    params(("facility_id" = i64, Path), ("period" = String, Path)), security(("token" = [])),
    responses(
        (status = 200, body = ReportView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ReportKey(id, period): ReportKey,
) -> AppResult<Json<ReportView>> {
    let who = caller.principal()?;
    let view =
        reports::read_report(&state.store, who, &caller.actor(), id, &period, today()).await?;
    Ok(Json(view))
}

/// Sets values (a `null` value clears one); each change is kept with who,
/// when, before and after. A submitted report that changes is a draft again.
#[utoipa::path(put, path = "/api/v1/reports/periods/{facility_id}/{period}", tag = "monitoring",
    params(("facility_id" = i64, Path), ("period" = String, Path)), request_body = ReportInput,
    security(("token" = [])),
    responses(
        (status = 200, body = ReportView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "approved: locked"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ReportKey(id, period): ReportKey,
    ApiJson(input): ApiJson<ReportInput>,
) -> AppResult<Json<ReportView>> {
    let who = caller.principal()?;
    let view = reports::set_values(
        &state.store,
        who,
        &caller.actor(),
        id,
        &period,
        &input,
        today(),
    )
    .await?;
    Ok(Json(view))
}

/// Sets the values given and submits. Metrics nobody typed take their
/// tally sums; a warning needs a `note` on its value (422 on `values.X.note`).
#[utoipa::path(post, path = "/api/v1/reports/periods/{facility_id}/{period}/submit", tag = "monitoring",
    params(("facility_id" = i64, Path), ("period" = String, Path)), request_body = ReportInput,
    security(("token" = [])),
    responses(
        (status = 200, body = ReportView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "approved: locked"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ReportKey(id, period): ReportKey,
    ApiJson(input): ApiJson<ReportInput>,
) -> AppResult<Json<ReportView>> {
    let who = caller.principal()?;
    let view = reports::submit(
        &state.store,
        who,
        &caller.actor(),
        id,
        &period,
        &input,
        today(),
    )
    .await?;
    Ok(Json(view))
}

/// Approves a submitted report (the organisation's manager or a national
/// role); it is locked until a researcher reopens it.
#[utoipa::path(post, path = "/api/v1/reports/periods/{facility_id}/{period}/approve", tag = "monitoring",
    params(("facility_id" = i64, Path), ("period" = String, Path)), security(("token" = [])),
    responses(
        (status = 200, body = ReportView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not submitted"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    ReportKey(id, period): ReportKey,
) -> AppResult<Json<ReportView>> {
    let who = caller.principal()?;
    let view = reports::approve(&state.store, who, &caller.actor(), id, &period, today()).await?;
    Ok(Json(view))
}

/// Reopens an approved report, with a reason (researcher or admin).
#[utoipa::path(post, path = "/api/v1/reports/periods/{facility_id}/{period}/reopen", tag = "monitoring",
    params(("facility_id" = i64, Path), ("period" = String, Path)), request_body = ReopenReport,
    security(("token" = [])),
    responses(
        (status = 200, body = ReportView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not approved"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    ReportKey(id, period): ReportKey,
    ApiJson(input): ApiJson<ReopenReport>,
) -> AppResult<Json<ReportView>> {
    let who = caller.principal()?;
    let view = reports::reopen(
        &state.store,
        who,
        &caller.actor(),
        id,
        &period,
        &input.reason,
        today(),
    )
    .await?;
    Ok(Json(view))
}
