//! `/api/v1/organisations`: list, read, history, create and change.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::Value;

use super::facilities::{AsOfQuery, Created};
use super::{date_param, ApiJson, ApiQuery, Caller, Id};
use crate::domain::date::today;
use crate::domain::facility::manual_source;
use crate::domain::organisation::OrganisationInput;
use crate::domain::provenance::Actor;
use crate::formats::json::{
    history as with_changes, Audience, OrganisationJson, OrganisationVersion,
};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::register;
use crate::register::reads::{self, Reader};

/// The caller as a reader of the register.
fn reader<'a>(caller: &'a Caller, actor: &'a Actor) -> Reader<'a> {
    Reader {
        who: caller.principal.as_ref(),
        actor,
    }
}

/// All organisations as they were on a day.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "register", params(AsOfQuery),
    responses((status = 200, body = Vec<OrganisationJson>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> AppResult<Json<Vec<OrganisationJson>>> {
    let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
    let actor = caller.actor();
    let shown = reads::list_organisations(&state.store, reader(&caller, &actor), Some(day))
        .await?
        .iter()
        .map(|(o, audience)| OrganisationJson::new(o, *audience))
        .collect();
    Ok(Json(shown))
}

/// One organisation as it was on a day.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "register", params(("id" = i64, Path), AsOfQuery),
    responses((status = 200, body = OrganisationJson), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> AppResult<Json<OrganisationJson>> {
    let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
    let actor = caller.actor();
    let (organisation, audience) =
        reads::read_organisation(&state.store, reader(&caller, &actor), id, Some(day)).await?;
    Ok(Json(OrganisationJson::new(&organisation, audience)))
}

/// Every version of an organisation, oldest first, with what each changed. Needs a token.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/history", tag = "register", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = Vec<OrganisationVersion>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> AppResult<Json<Vec<OrganisationVersion>>> {
    let versions =
        reads::organisation_history(&state.store, caller.principal()?, &caller.actor(), id).await?;
    let records = versions
        .iter()
        .map(|o| OrganisationJson::new(o, Audience::Internal))
        .collect();
    Ok(Json(
        with_changes(records)
            .into_iter()
            .map(|(changes, record)| OrganisationVersion { changes, record })
            .collect(),
    ))
}

/// Add an organisation; names are unique.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "register", request_body = OrganisationInput,
    security(("token" = [])),
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> AppResult<impl IntoResponse> {
    let id = register::create_organisation(
        &state.store,
        &input,
        &manual_source("API"),
        caller.principal()?,
        &caller.actor(),
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change an organisation with a JSON merge patch (RFC 7386).
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "register", params(("id" = i64, Path)),
    request_body(content = OrganisationInput, content_type = "application/merge-patch+json"),
    security(("token" = [])),
    responses((status = 200, body = OrganisationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Value>,
) -> AppResult<Json<OrganisationJson>> {
    register::patch_organisation(
        &state.store,
        id,
        &patch,
        &manual_source("API"),
        caller.principal()?,
        &caller.actor(),
        today(),
    )
    .await?;
    let organisation = crate::register::reads::current_organisation(&state.store, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {id} does not exist")))?;
    Ok(Json(OrganisationJson::new(
        &organisation,
        Audience::Internal,
    )))
}
