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
use crate::domain::organisation::Organisation;
use crate::domain::organisation::OrganisationInput;
use crate::formats::json::{
    history as with_changes, Audience, OrganisationJson, OrganisationVersion,
};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::register;
use crate::storage::audit::AuditEvent;

fn may_read_internal(caller: &Caller, organisation_id: i64) -> bool {
    caller
        .principal
        .as_ref()
        .is_some_and(|p| p.may_read_organisation_internal(organisation_id))
}

/// What the caller may see of an organisation; reading contact details is audited.
async fn shown(
    state: &AppState,
    caller: &Caller,
    organisation: &Organisation,
) -> AppResult<OrganisationJson> {
    if may_read_internal(caller, organisation.id) {
        state
            .store
            .audit(
                &AuditEvent::new("read", &caller.actor(), "organisation").object(organisation.id),
            )
            .await?;
        Ok(OrganisationJson::new(organisation, Audience::Internal))
    } else {
        Ok(OrganisationJson::new(organisation, Audience::Public))
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
    let organisations = state.store.list_organisations(Some(day)).await?;
    let mut internal = Vec::new();
    let shown = organisations
        .iter()
        .map(|o| {
            if may_read_internal(&caller, o.id) {
                internal.push(o.id.to_string());
                OrganisationJson::new(o, Audience::Internal)
            } else {
                OrganisationJson::new(o, Audience::Public)
            }
        })
        .collect();
    if !internal.is_empty() {
        state
            .store
            .audit(
                &AuditEvent::new("read", &caller.actor(), "organisation")
                    .object("list")
                    .detail(format!(
                        "contact details of organisations {}",
                        internal.join(",")
                    )),
            )
            .await?;
    }
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
    let organisation = state
        .store
        .organisation(id, Some(day))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {id} does not exist")))?;
    Ok(Json(shown(&state, &caller, &organisation).await?))
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
    let who = caller.principal()?;
    let versions = state.store.organisation_history(id).await?;
    if versions.is_empty() {
        return Err(AppError::NotFound(format!(
            "organisation {id} does not exist"
        )));
    }
    if !who.may_read_organisation_internal(id) {
        return Err(AppError::Forbidden(format!(
            "you may not read the history of organisation {id}"
        )));
    }
    state
        .store
        .audit(
            &AuditEvent::new("read", &caller.actor(), "organisation")
                .object(id)
                .detail("history"),
        )
        .await?;
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
    let organisation = state
        .store
        .organisation(id, None)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {id} does not exist")))?;
    Ok(Json(OrganisationJson::new(
        &organisation,
        Audience::Internal,
    )))
}
