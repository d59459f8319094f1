//! `/api/v1/rounds`: inventory rounds. Published rounds are public; the
//! others, and every change, are for national roles (admin, researcher).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::reports::visible_round;
use super::{ApiJson, Caller};
use crate::domain::date::today;
use crate::domain::round::{CountOverride, OverrideInput, Round, RoundInput};
use crate::domain::table1::Table1;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::rounds;

/// A round's name from the path.
pub struct RoundName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RoundName {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(name) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
        Ok(RoundName(name))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundList {
    /// The latest reference date first.
    pub rounds: Vec<Round>,
}

/// A round with its Table 1 (and, for national roles, its overrides).
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetail {
    #[serde(flatten)]
    pub round: Round,
    pub table1: Table1,
    /// The researchers' readings of counts (national roles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Vec<CountOverride>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReopenInput {
    /// Why the round is reopened; kept in the audit log.
    pub reason: Option<String>,
}

fn national(caller: &Caller) -> bool {
    caller
        .principal
        .as_ref()
        .is_some_and(|p| p.may_manage_rounds())
}

async fn detail(state: &AppState, caller: &Caller, round: Round) -> AppResult<RoundDetail> {
    let table1 = crate::rounds::table1::round_table(&state.store, &round).await?;
    let overrides = if national(caller) {
        Some(rounds::overrides(&state.store, &round).await?)
    } else {
        None
    };
    Ok(RoundDetail {
        round,
        table1,
        overrides,
    })
}

/// The inventory rounds: published ones for everyone, all for national roles.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds",
    responses((status = 200, body = RoundList)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> AppResult<Json<RoundList>> {
    let rounds = rounds::rounds_for(&state.store, national(&caller), &caller.actor()).await?;
    Ok(Json(RoundList { rounds }))
}

/// Creates an open round counting the register on its reference date.
#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", request_body = RoundInput,
    security(("token" = [])),
    responses(
        (status = 201, body = RoundDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RoundInput>,
) -> AppResult<impl IntoResponse> {
    let who = caller.principal()?;
    let round = rounds::create_round(&state.store, &input, who, &caller.actor()).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, round).await?),
    ))
}

/// One round with its Table 1.
#[utoipa::path(get, path = "/api/v1/rounds/{name}", tag = "rounds",
    params(("name" = String, Path, description = "The round's name, such as 2026")),
    responses((status = 200, body = RoundDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    RoundName(name): RoundName,
) -> AppResult<Json<RoundDetail>> {
    let round = visible_round(&state.store, &caller, &name).await?;
    Ok(Json(detail(&state, &caller, round).await?))
}

/// Sets how one service's count in an open round reads: its qualifier,
/// and optionally a value (replacing the register's count of locations), a
/// note and an external source. Exact with nothing else removes it.
#[utoipa::path(post, path = "/api/v1/rounds/{name}/counts", tag = "rounds",
    params(("name" = String, Path)), request_body = OverrideInput,
    security(("token" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the round is not open"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn set_count(
    State(state): State<AppState>,
    caller: Caller,
    RoundName(name): RoundName,
    ApiJson(input): ApiJson<OverrideInput>,
) -> AppResult<Json<RoundDetail>> {
    let who = caller.principal()?;
    rounds::set_count(&state.store, &name, &input, who, &caller.actor()).await?;
    let round = crate::rounds::table1::round(&state.store, &name).await?;
    Ok(Json(detail(&state, &caller, round).await?))
}

/// Closes an open round: freezes its counts, qualifiers, notes, sources
/// and the facilities (and versions) counted. Later register edits never
/// change it.
#[utoipa::path(post, path = "/api/v1/rounds/{name}/close", tag = "rounds",
    params(("name" = String, Path)), security(("token" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not open, or its reference date is still to come"),
    ))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    RoundName(name): RoundName,
) -> AppResult<Json<RoundDetail>> {
    let who = caller.principal()?;
    let round = rounds::close_round(&state.store, &name, who, &caller.actor(), today()).await?;
    Ok(Json(detail(&state, &caller, round).await?))
}

/// Reopens a closed round, with a reason (audited); it counts live again.
/// Published rounds are final and cannot be reopened.
#[utoipa::path(post, path = "/api/v1/rounds/{name}/reopen", tag = "rounds",
    params(("name" = String, Path)), request_body = ReopenInput,
    security(("token" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the round is not closed"),
        (status = 422, body = ErrorBody, description = "no reason given"),
    ))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    RoundName(name): RoundName,
    ApiJson(input): ApiJson<ReopenInput>,
) -> AppResult<Json<RoundDetail>> {
    let who = caller.principal()?;
    let round = rounds::reopen_round(
        &state.store,
        &name,
        input.reason.as_deref(),
        who,
        &caller.actor(),
    )
    .await?;
    Ok(Json(detail(&state, &caller, round).await?))
}

/// Publishes a closed round: it becomes public and final.
#[utoipa::path(post, path = "/api/v1/rounds/{name}/publish", tag = "rounds",
    params(("name" = String, Path)), security(("token" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the round is not closed"),
    ))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    RoundName(name): RoundName,
) -> AppResult<Json<RoundDetail>> {
    let who = caller.principal()?;
    let round = rounds::publish_round(&state.store, &name, who, &caller.actor()).await?;
    Ok(Json(detail(&state, &caller, round).await?))
}
