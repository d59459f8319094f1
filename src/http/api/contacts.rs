//! `/api/v1/contacts`: the people at organisations whom campaigns mail.
//! Admins and researchers see and keep all of them, an organisation's
//! manager their own organisation's; only admins erase. Every call is in
//! the audit log (`campaigns::contacts`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::facilities::Created;
use super::{ApiJson, ApiQuery, Caller, Id};
use crate::campaigns::contacts;
use crate::domain::contact::{Contact, ContactInput};
use crate::domain::date::today;
use crate::http::app::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// A contact; its personal fields are empty once an admin erased it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactJson {
    pub id: i64,
    pub organisation_id: i64,
    pub name: Option<String>,
    /// Their function.
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The contact wants no campaign mail.
    pub opt_out: bool,
    /// Since when (YYYY-MM-DD).
    pub opted_out_on: Option<String>,
    pub erased: bool,
    pub erased_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Contact> for ContactJson {
    fn from(c: &Contact) -> ContactJson {
        let person = c.person.as_ref();
        ContactJson {
            id: c.id,
            organisation_id: c.organisation_id,
            name: person.map(|p| p.name.clone()),
            role: person.and_then(|p| p.role.clone()),
            email: person.map(|p| p.email.as_str().to_string()),
            phone: person.and_then(|p| p.phone.as_ref().map(|n| n.as_str().to_string())),
            opt_out: c.opted_out_on.is_some(),
            opted_out_on: c.opted_out_on.map(|d| d.to_string()),
            erased: c.is_erased(),
            erased_at: c.erased_at.clone(),
            created_at: c.created_at.clone(),
            updated_at: c.updated_at.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ContactQuery {
    /// Only this organisation's contacts.
    pub organisation_id: Option<i64>,
}

/// The contacts the caller may keep (erased ones left out). Needs a token.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "campaigns", params(ContactQuery),
    security(("token" = [])),
    responses((status = 200, body = Vec<ContactJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ContactQuery>,
) -> AppResult<Json<Vec<ContactJson>>> {
    let found = contacts::list(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        query.organisation_id,
    )
    .await?;
    Ok(Json(found.iter().map(ContactJson::from).collect()))
}

/// Add a contact to an organisation; e-mail addresses are unique (in any case).
#[utoipa::path(post, path = "/api/v1/contacts", tag = "campaigns", request_body = ContactInput,
    security(("token" = [])),
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ContactInput>,
) -> AppResult<impl IntoResponse> {
    let id = contacts::create(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &input,
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a contact with a JSON merge patch (RFC 7386) of name, role,
/// email, phone and opt_out.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "campaigns", params(("id" = i64, Path)),
    request_body(content = ContactInput, content_type = "application/merge-patch+json"),
    security(("token" = [])),
    responses((status = 200, body = ContactJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Value>,
) -> AppResult<Json<ContactJson>> {
    let contact = contacts::patch(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        id,
        &patch,
        today(),
    )
    .await?;
    Ok(Json(ContactJson::from(&contact)))
}

/// Erase a contact's name, function, e-mail and phone (admins). The
/// contact stays as "a contact of its organisation" for campaign history.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "campaigns", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> AppResult<StatusCode> {
    contacts::erase(&state.store, caller.principal()?, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
