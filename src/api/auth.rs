//! Who is calling: an optional API token for reads (it unlocks non-public
//! data), a required one for writes.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::domain::provenance::Actor;
use crate::error::AppError;
use crate::formats::json::Audience;
use crate::storage::tokens::Principal;

/// The caller of a read: anonymous, or signed in with a valid token. A
/// token that is sent but not valid is refused rather than ignored.
pub struct Caller(pub Option<Principal>);

impl Caller {
    pub fn audience(&self) -> Audience {
        match self.0 {
            Some(_) => Audience::Internal,
            None => Audience::Public,
        }
    }
}

/// The caller of a write: signed in with a token whose role may write.
pub struct Writer(pub Principal);

impl Writer {
    pub fn actor(&self) -> Actor {
        Actor(format!("token:{}", self.0.name))
    }
}

async fn principal(parts: &Parts, state: &AppState) -> Result<Option<Principal>, AppError> {
    let Some(header) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            AppError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    match state.store.authenticate(token).await? {
        Some(principal) => Ok(Some(principal)),
        None => Err(AppError::Unauthorized(
            "the API token is not valid or has been revoked".into(),
        )),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller(principal(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = principal(parts, state).await?.ok_or_else(|| {
            AppError::Unauthorized(
                "this change needs an API token: send 'Authorization: Bearer <token>' (create one with `vangnet token create`)".into(),
            )
        })?;
        if principal.role != "admin" {
            return Err(AppError::Forbidden(format!(
                "the token '{}' has role '{}', which may not change the register",
                principal.name, principal.role
            )));
        }
        Ok(Writer(principal))
    }
}

/// A reader who must be signed in (any valid token).
pub struct SignedIn(pub Principal);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        principal(parts, state).await?.map(SignedIn).ok_or_else(|| {
            AppError::Unauthorized(
                "this needs an API token: send 'Authorization: Bearer <token>'".into(),
            )
        })
    }
}
