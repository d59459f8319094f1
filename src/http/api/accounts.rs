//! `/api/v1/me`, `/api/v1/tokens`, `/api/v1/users`, `/api/v1/locked-accounts`:
//! who you are, your API tokens, and (for admins) users and locked accounts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, Caller, Id};
use crate::accounts::access;
use crate::accounts::{self, NewUser};
use crate::domain::access::Role;
use crate::domain::throttle::ACCOUNT_LIMIT_PER_HOUR;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::storage::tokens::TokenInfo;
use crate::storage::users::User;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub name: String,
    pub user_id: Option<i64>,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub facility_ids: Vec<i64>,
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> AppResult<Json<Me>> {
    let p = caller.principal()?;
    Ok(Json(Me {
        name: p.name.clone(),
        user_id: p.user_id,
        role: p.role,
        organisation_id: p.organisation_id,
        facility_ids: p.facility_ids.clone(),
    }))
}

/// Your API tokens (all tokens, for a service token).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<TokenInfo>>> {
    let p = caller.principal()?;
    let owner = match p.user_id {
        Some(id) => Some(id),
        None if p.may_manage_users() => None,
        None => return Ok(Json(Vec::new())),
    };
    Ok(Json(access::tokens(&state.store, owner).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "spreadsheet sync".
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// The secret, shown only now; send it as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Create an API token that acts as you; the secret is shown once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewToken, security(("token" = [])),
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewToken>,
) -> AppResult<impl IntoResponse> {
    let p = caller.principal()?;
    let user_id = p.user_id.ok_or_else(|| {
        AppError::Forbidden(
            "only users have tokens; create service tokens with `vangnet token create`".into(),
        )
    })?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "give the token a name of at most 100 characters",
        ));
    }
    let (id, token) = access::create_token(&state.store, user_id, name, &caller.actor()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id,
            name: name.to_string(),
            token,
        }),
    ))
}

/// Revoke one of your tokens (admins: any token) at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> AppResult<StatusCode> {
    let p = caller.principal()?;
    let owner = if p.may_manage_users() {
        None
    } else {
        p.user_id
    };
    if owner.is_none() && !p.may_manage_users() {
        return Err(AppError::NotFound(format!("you have no active token {id}")));
    }
    if !access::revoke_token(&state.store, id, owner, &caller.actor()).await? {
        return Err(AppError::NotFound(format!("you have no active token {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// All users (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<User>>> {
    Ok(Json(access::users(&state.store, &caller.actor()).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub id: i64,
    /// Whether the invitation to set a password was e-mailed.
    pub invitation_sent: bool,
}

/// Add a user (admins only); they get an e-mail with a link to set their password.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser, security(("token" = [])),
    responses((status = 201, body = CreatedUser), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<impl IntoResponse> {
    let (id, link) = accounts::create_user(&state.store, &new, &caller.actor()).await?;
    let invitation_sent =
        crate::accounts::mails::send_invitation(&state.services(), &new.email, &link).await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            id,
            invitation_sent,
        }),
    ))
}

/// Disable a user (admins only): their sessions and tokens end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "accounts", params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> AppResult<Json<User>> {
    caller.principal()?;
    accounts::disable_user(&state.store, id, &caller.actor()).await?;
    let user = crate::accounts::access::user(&state.store, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("user {id} does not exist")))?;
    Ok(Json(user))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LockedAccount {
    pub account: String,
    /// Failed sign-ins in the last hour.
    pub failures: i64,
    pub last_failure_at: String,
    /// Whether the hourly limit is reached (the account is locked, not only slowed down).
    pub locked: bool,
}

/// Accounts with failed sign-ins in the last hour (admins only).
#[utoipa::path(get, path = "/api/v1/locked-accounts", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<LockedAccount>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn locked_accounts(State(state): State<AppState>) -> AppResult<Json<Vec<LockedAccount>>> {
    let accounts = access::accounts_with_failures(&state.store).await?;
    Ok(Json(
        accounts
            .into_iter()
            .map(|(account, failures, last_failure_at)| LockedAccount {
                locked: failures >= ACCOUNT_LIMIT_PER_HOUR as i64,
                account,
                failures,
                last_failure_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unlock {
    pub account: String,
}

/// Forget an account's failed sign-ins, so it may sign in again at once (admins only).
#[utoipa::path(post, path = "/api/v1/locked-accounts/unlock", tag = "accounts", request_body = Unlock, security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(unlock): ApiJson<Unlock>,
) -> AppResult<StatusCode> {
    access::unlock(&state.store, &unlock.account, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
