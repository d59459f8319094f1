//! `/api/v1/campaigns`: survey campaigns for an inventory round, their
//! recipients' status, queueing invitations and reminders, revoking a
//! personal link, the follow-up log of calls and website checks, and the
//! dashboard (`campaigns::dashboard`, as JSON or `?format=csv`).
//! Admins and researchers only; every change is in the audit log
//! (`campaigns::campaigns`, `campaigns::follow_ups`). Queued mail is
//! delivered by the server's mail worker.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, Caller};
use crate::campaigns::campaigns::{self, CampaignReport, CreatedCampaign, Queued};
use crate::campaigns::dashboard::{self, CampaignDashboard};
use crate::campaigns::follow_ups;
use crate::domain::campaign::{Campaign, CampaignInput, MailKind};
use crate::domain::date::today;
use crate::domain::follow_up::{FollowUp, FollowUpInput};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

/// A campaign's name (and an invitation's id) from the path.
pub struct CampaignPath {
    pub name: String,
    pub invitation: Option<i64>,
}

impl<S: Send + Sync> FromRequestParts<S> for CampaignPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(mut raw) =
            axum::extract::Path::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let name = raw.remove("name").unwrap_or_default();
        let invitation =
            match raw.remove("id") {
                None => None,
                Some(id) => Some(id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                    AppError::NotFound(format!("no invitation has the id '{id}'"))
                })?),
            };
        Ok(CampaignPath { name, invitation })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    /// The newest first.
    pub campaigns: Vec<Campaign>,
}

/// Every campaign with its settings and mail texts. Needs a token.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", security(("token" = [])),
    responses((status = 200, body = CampaignList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> AppResult<Json<CampaignList>> {
    let campaigns = campaigns::list(&state.store, caller.principal()?).await?;
    Ok(Json(CampaignList { campaigns }))
}

/// Create a campaign for an inventory round: one invitation per
/// organisation with a contact that may be mailed (or per listed
/// organisation). Nothing is sent until `send`.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignInput,
    security(("token" = [])),
    responses((status = 201, body = CreatedCampaign), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CampaignInput>,
) -> AppResult<impl IntoResponse> {
    let created = campaigns::create(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &input,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A campaign's status: every recipient with their state (queued, sent,
/// failed, bounced, revoked, answered …) and the totals.
#[utoipa::path(get, path = "/api/v1/campaigns/{name}", tag = "campaigns",
    params(("name" = String, Path)), security(("token" = [])),
    responses((status = 200, body = CampaignReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
) -> AppResult<Json<CampaignReport>> {
    let report = campaigns::status(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &path.name,
        today(),
    )
    .await?;
    Ok(Json(report))
}

/// Queue the invitation of every recipient not yet invited; again, it
/// queues nothing new. The server's mail worker sends them.
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/send", tag = "campaigns",
    params(("name" = String, Path)), security(("token" = [])),
    responses((status = 200, body = Queued), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
) -> AppResult<Json<Queued>> {
    queue(&state, &caller, &path, MailKind::Invitation).await
}

/// Who a reminder goes to.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct RemindQuery {
    /// true: every invitation that went out and is not answered, now,
    /// whatever the reminder interval (a last call).
    pub all: bool,
}

/// Queue a reminder for each invitation sent at least the campaign's
/// reminder interval ago, unanswered and not reminded since (with
/// `all=true`: for each unanswered invitation, now).
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/remind", tag = "campaigns",
    params(("name" = String, Path), RemindQuery), security(("token" = [])),
    responses((status = 200, body = Queued), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remind(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
    axum::extract::Query(query): axum::extract::Query<RemindQuery>,
) -> AppResult<Json<Queued>> {
    if query.all {
        let (who, actor) = (caller.principal()?, caller.actor());
        let queued =
            campaigns::remind_everyone(&state.store, who, &actor, &path.name, Utc::now()).await?;
        return Ok(Json(queued));
    }
    queue(&state, &caller, &path, MailKind::Reminder).await
}

async fn queue(
    state: &AppState,
    caller: &Caller,
    path: &CampaignPath,
    kind: MailKind,
) -> AppResult<Json<Queued>> {
    let (who, actor) = (caller.principal()?, caller.actor());
    let queued = campaigns::queue(&state.store, who, &actor, &path.name, Utc::now(), kind).await?;
    Ok(Json(queued))
}

/// Revoke an invitation's personal link at once; its waiting mails are not sent.
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/invitations/{id}/revoke", tag = "campaigns",
    params(("name" = String, Path), ("id" = i64, Path)), security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
) -> AppResult<StatusCode> {
    let id = path
        .invitation
        .ok_or_else(|| AppError::NotFound("no invitation given".into()))?;
    campaigns::revoke(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &path.name,
        id,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    /// The newest first.
    pub follow_ups: Vec<FollowUp>,
}

/// The follow-up log: every phone call and website check recorded for the
/// campaign's organisations, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns/{name}/follow-ups", tag = "campaigns",
    params(("name" = String, Path)), security(("token" = [])),
    responses((status = 200, body = FollowUpList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn follow_ups(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
) -> AppResult<Json<FollowUpList>> {
    let follow_ups = follow_ups::list(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &path.name,
    )
    .await?;
    Ok(Json(FollowUpList { follow_ups }))
}

/// Record a phone call or a website check for one of the campaign's
/// organisations; the signed-in caller is recorded as who did it.
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/follow-ups", tag = "campaigns",
    params(("name" = String, Path)), request_body = FollowUpInput, security(("token" = [])),
    responses((status = 201, body = FollowUp), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_follow_up(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> AppResult<impl IntoResponse> {
    let entry = follow_ups::record(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &path.name,
        &input,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// `json` (the default) or `csv`: one row per recipient.
    pub format: Option<String>,
}

/// A campaign's dashboard: how many recipients were sent the invitation,
/// failed, bounced, opened the answer form, saved a draft, answered, were
/// reminded, called or had their website checked; the response rate
/// (answered / sent) day by day; and who still needs a phone call (failed
/// and bounced first, then who waited longest). `format=csv` gives one row
/// per recipient. Reading it is audited.
#[utoipa::path(get, path = "/api/v1/campaigns/{name}/dashboard", tag = "campaigns",
    params(("name" = String, Path), DashboardQuery), security(("token" = [])),
    responses(
        (status = 200, body = CampaignDashboard, content_type = "application/json"),
        (status = 200, description = "with format=csv: one row per recipient", content_type = "text/csv"),
        (status = 400, description = "format is not json or csv", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
    ApiQuery(query): ApiQuery<DashboardQuery>,
) -> AppResult<Response> {
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "format: '{other}' is not json or csv"
            )))
        }
    };
    let board = dashboard::dashboard(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &path.name,
        today(),
    )
    .await?;
    if csv {
        return csv_download(&board);
    }
    Ok(Json(board).into_response())
}

/// The dashboard's CSV as a download named after the campaign.
fn csv_download(board: &CampaignDashboard) -> AppResult<Response> {
    let body = dashboard::csv(board)?;
    let file: String = board
        .campaign
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"vangnet-campagne-{file}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
