//! The account operations around signing in: API tokens (list, create,
//! revoke), the user list, accounts with failed sign-ins (list, unlock),
//! and ending a session. Each change and each read of the user list is
//! audited here, whoever calls (API, pages, command line).

use chrono::Utc;

use crate::domain::access::{Principal, Via};
use crate::domain::error::{AppError, AppResult};
use crate::domain::provenance::Actor;
use crate::domain::throttle;
use crate::storage::audit::AuditEvent;
use crate::storage::tokens::TokenInfo;
use crate::storage::users::User;
use crate::storage::Store;

/// The tokens of a user (`Some`), or every token (`None`, for admins).
pub async fn tokens(store: &Store, owner: Option<i64>) -> AppResult<Vec<TokenInfo>> {
    Ok(store.list_tokens(owner).await?)
}

/// A new token acting as `user_id`; returns its id and the secret (shown once).
pub async fn create_token(
    store: &Store,
    user_id: i64,
    name: &str,
    actor: &Actor,
) -> AppResult<(i64, String)> {
    let (id, token) = store.create_user_token(user_id, name).await?;
    store
        .audit(
            &AuditEvent::new("create", actor, "token")
                .object(id)
                .detail(name),
        )
        .await?;
    Ok((id, token))
}

/// Revokes token `id` of `owner` (or any token, for `None`); false when
/// there is no such active token.
pub async fn revoke_token(
    store: &Store,
    id: i64,
    owner: Option<i64>,
    actor: &Actor,
) -> AppResult<bool> {
    if !store.revoke_token(id, owner).await? {
        return Ok(false);
    }
    store
        .audit(&AuditEvent::new("revoke", actor, "token").object(id))
        .await?;
    Ok(true)
}

/// A user by id.
pub async fn user(store: &Store, id: i64) -> AppResult<Option<User>> {
    Ok(store.user(id).await?)
}

/// Every user (for admins); audited.
pub async fn users(store: &Store, actor: &Actor) -> AppResult<Vec<User>> {
    let users = store.list_users().await?;
    store
        .audit(&AuditEvent::new("read", actor, "user").object("list"))
        .await?;
    Ok(users)
}

/// Accounts with failed sign-ins in the last hour: (account, failures, last failure).
pub async fn accounts_with_failures(store: &Store) -> AppResult<Vec<(String, i64, String)>> {
    Ok(store.accounts_with_failures().await?)
}

/// Forgets an account's failed sign-ins, so that it may sign in at once;
/// audited. `NotFound` when there were none.
pub async fn unlock(store: &Store, account: &str, actor: &Actor) -> AppResult<()> {
    if store.clear_failures(account).await? == 0 {
        return Err(AppError::NotFound(format!(
            "{account} has no failed sign-ins"
        )));
    }
    store
        .audit(&AuditEvent::new("unlock", actor, "account").object(account))
        .await?;
    Ok(())
}

/// Ends a session; `audited` for signing out (a new sign-in replacing an
/// old session is audited as the sign-in).
pub async fn end_session(store: &Store, id: i64, actor: Option<&Actor>) -> AppResult<()> {
    store.end_session(id).await?;
    if let Some(actor) = actor {
        store
            .audit(&AuditEvent::new("logout", actor, "session"))
            .await?;
    }
    Ok(())
}

/// Who an API token acts for. A valid token is accepted before any
/// throttle: others' failures from the same address (a shared NAT) never
/// refuse it; tokens are 256-bit random, so the throttle limits noise, not
/// the odds of a guess. An invalid one counts against the address.
pub async fn authenticate_token(store: &Store, token: &str, address: &str) -> AppResult<Principal> {
    if let Some(principal) = store.authenticate(token).await? {
        return Ok(principal);
    }
    let (invalid_tokens, by_address) = store.recent_failures(None, address).await?;
    let now = Utc::now();
    let decision = throttle::decide(&invalid_tokens, &by_address, now);
    if let Some(retry_after) = decision.retry_after(now) {
        return Err(AppError::TooManyRequests {
            message: format!(
                "too many invalid tokens from this address; try again in {retry_after} seconds"
            ),
            retry_after,
        });
    }
    store.record_failure(None, address).await?;
    Err(AppError::Unauthorized(
        "the API token is not valid or has been revoked".into(),
    ))
}

/// A signed-in session: who, and the session's id and form token.
pub struct SignedIn {
    pub principal: Principal,
    pub session_id: i64,
    pub csrf_token: String,
}

/// The session a cookie's secret names, if it is valid (not ended,
/// expired or idle too long).
pub async fn session(store: &Store, secret: &str) -> AppResult<Option<SignedIn>> {
    let Some(session) = store.session(secret).await? else {
        return Ok(None);
    };
    let user = session.user;
    Ok(Some(SignedIn {
        principal: Principal {
            user_id: Some(user.id),
            name: user.email,
            role: user.role,
            organisation_id: user.organisation_id,
            facility_ids: user.facility_ids,
            via: Via::Session,
        },
        session_id: session.id,
        csrf_token: session.csrf_token,
    }))
}
