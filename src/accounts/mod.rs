//! Accounts: adding and disabling users, signing in with throttling,
//! password-reset links. The API, the web pages and the CLI come through
//! here; every change and every sign-in is in the audit log.

pub mod access;
pub mod audit;
pub mod mails;
pub mod password;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::access::{Principal, Role};
use crate::domain::error::{AppError, AppResult};
use crate::domain::provenance::Actor;
use crate::domain::throttle::{self, Decision};
use crate::domain::FieldError;
use crate::storage::audit::AuditEvent;
use crate::storage::users::{normalize_email, User};
use crate::storage::write::Writes;
use crate::storage::Store;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: Option<String>,
    /// admin, researcher, org_manager, reporter or auditor.
    pub role: String,
    /// Required for org_manager and reporter.
    pub organisation_id: Option<i64>,
    /// A reporter may be limited to some of the organisation's facilities.
    #[serde(default)]
    pub facility_ids: Vec<i64>,
}

fn valid_email(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// Adds a user without a password and returns their id and a link secret
/// with which they set one (send it to them).
pub async fn create_user(store: &Store, new: &NewUser, actor: &Actor) -> AppResult<(i64, String)> {
    let mut errors = Vec::new();
    if !valid_email(&new.email) {
        errors.push(FieldError::new(
            "email",
            format!("'{}' is not an e-mail address", new.email.trim()),
        ));
    }
    let role = Role::parse(&new.role);
    match role {
        None => errors.push(FieldError::new(
            "role",
            format!(
                "'{}' is not a role (admin, researcher, org_manager, reporter, auditor)",
                new.role
            ),
        )),
        Some(role) if role.needs_organisation() && new.organisation_id.is_none() => {
            errors.push(FieldError::new(
                "organisation_id",
                format!("a user with role {role} belongs to an organisation"),
            ))
        }
        Some(role) if !role.needs_organisation() && new.organisation_id.is_some() => {
            errors.push(FieldError::new(
                "organisation_id",
                format!("a user with role {role} does not belong to an organisation"),
            ))
        }
        Some(role) if role != Role::Reporter && !new.facility_ids.is_empty() => errors.push(
            FieldError::new("facility_ids", "only reporters are limited to facilities"),
        ),
        Some(_) => {}
    }
    if let Some(organisation) = new.organisation_id {
        if store.organisation(organisation, None).await?.is_none() {
            errors.push(FieldError::new(
                "organisation_id",
                format!("organisation {organisation} does not exist"),
            ));
        }
        for facility in &new.facility_ids {
            match store.facility(*facility, None).await? {
                Some(f) if f.organisation_id == Some(organisation) => {}
                _ => errors.push(FieldError::new(
                    "facility_ids",
                    format!("facility {facility} is not one of organisation {organisation}'s"),
                )),
            }
        }
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = store.begin_write(Writes::Audit).await?;
    let id = Store::create_user(
        &mut tx,
        &new.email,
        new.name.as_deref().map(str::trim).filter(|n| !n.is_empty()),
        role,
        new.organisation_id,
        &new.facility_ids,
    )
    .await
    .map_err(|e| AppError::from(e).about("email"))?;
    let link = Store::create_password_reset(&mut tx, id).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("create", actor, "user")
            .object(id)
            .after(Some(serde_json::json!({
                "email": normalize_email(&new.email),
                "role": role.code(),
                "organisation_id": new.organisation_id,
                "facility_ids": new.facility_ids,
            }))),
    )
    .await?;
    tx.commit().await?;
    Ok((id, link))
}

/// Disables a user: their sessions, tokens and links end at once.
/// Nobody disables themselves (an administrator would lock themselves out).
pub async fn disable_user(store: &Store, id: i64, actor: &Actor) -> AppResult<()> {
    if actor.user_id == Some(id) {
        return Err(AppError::conflict("error.conflict.disable_self", &[]));
    }
    let mut tx = store.begin_write(Writes::Audit).await?;
    if !Store::disable_user(&mut tx, id).await? {
        return match store.user(id).await? {
            Some(_) => Err(AppError::conflict(
                "error.conflict.already_disabled",
                &[("id", id.to_string())],
            )),
            None => Err(AppError::NotFound(format!("user {id} does not exist"))),
        };
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("disable", actor, "user").object(id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Signs in: throttled per account and address, every attempt audited.
/// Returns the user with a new session's cookie secret and CSRF token.
pub async fn sign_in(
    store: &Store,
    email: &str,
    password: &str,
    address: &str,
) -> AppResult<(User, String, String)> {
    let account = normalize_email(email);
    let (by_account, by_address) = store.recent_failures(Some(&account), address).await?;
    let now = chrono::Utc::now();
    let decision = throttle::decide(&by_account, &by_address, now);
    if decision != Decision::Allow {
        let retry_after = decision.retry_after(now).unwrap_or(1);
        return Err(AppError::TooManyRequests {
            message: format!(
                "too many failed sign-ins for this account or from this address; try again in {retry_after} seconds"
            ),
            retry_after,
        });
    }
    let actor = Actor {
        name: account.clone(),
        user_id: None,
        on_behalf_of: None,
        access_point: address.to_string(),
    };
    let credentials = store.user_by_email(&account).await?;
    let hash = credentials
        .as_ref()
        .and_then(|c| c.password_hash.as_deref())
        .unwrap_or(password::dummy_hash());
    let matches = password::verify_off_executor(password, hash).await;
    match credentials {
        Some(c) if matches && c.password_hash.is_some() && c.user.disabled_at.is_none() => {
            store.clear_failures(&account).await?;
            let (token, csrf) = store.create_session(c.user.id).await?;
            let actor = Actor {
                user_id: Some(c.user.id),
                ..actor
            };
            store
                .audit(&AuditEvent::new("login", &actor, "session").object(c.user.id))
                .await?;
            Ok((c.user, token, csrf))
        }
        _ => {
            store.record_failure(Some(&account), address).await?;
            store
                .audit(&AuditEvent::new("login_failed", &actor, "session"))
                .await?;
            Err(AppError::Unauthorized(
                "the e-mail address or password is not right".into(),
            ))
        }
    }
}

/// The least time between two reset links for one user.
pub const RESET_INTERVAL_MINUTES: i64 = 5;

/// A password-reset link for an active user, or `None` (the caller says
/// the same either way, so that addresses cannot be probed).
pub async fn request_reset(
    store: &Store,
    email: &str,
    actor: &Actor,
) -> AppResult<Option<(User, String)>> {
    let Some(credentials) = store.user_by_email(email).await? else {
        return Ok(None);
    };
    if credentials.user.disabled_at.is_some() {
        return Ok(None);
    }
    // At most one mail every five minutes, so nobody can flood an inbox.
    let recently = chrono::Utc::now() - chrono::Duration::minutes(RESET_INTERVAL_MINUTES);
    if store.resets_since(credentials.user.id, recently).await? > 0 {
        return Ok(None);
    }
    let mut tx = store.begin_write(Writes::Audit).await?;
    let link = Store::create_password_reset(&mut tx, credentials.user.id).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("password_reset_requested", actor, "user").object(credentials.user.id),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((credentials.user, link)))
}

/// What setting a password ended besides the old password.
#[derive(Debug, Clone)]
pub struct PasswordSet {
    pub user: User,
    /// Sessions that were still open (signed in elsewhere).
    pub sessions_ended: u64,
    /// API tokens that were still valid.
    pub tokens_revoked: u64,
}

/// Sets a password with a reset (or invitation) link; the link works once.
/// Ends all the user's sessions and revokes all their API tokens in the
/// same transaction: whoever used the old password may have signed in or
/// made a token with it. Audited with what it ended.
pub async fn set_password(
    store: &Store,
    link: &str,
    new_password: &str,
    actor: &Actor,
) -> AppResult<PasswordSet> {
    // Hashed before the write transaction, off the executor: the writer
    // is not held for the hashing's tens of milliseconds.
    let hash = password::hash_off_executor(new_password).await?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    let user = Store::use_password_reset(&mut tx, link)
        .await?
        .ok_or_else(|| {
            AppError::NotFound("this link is not valid (any more); ask for a new one".into())
        })?;
    if let Some(reason) = password::weakness(new_password, &user.email) {
        return Err(AppError::Invalid(vec![FieldError::new("password", reason)]));
    }
    let (sessions_ended, tokens_revoked) = Store::set_password(&mut tx, user.id, &hash).await?;
    let actor = Actor {
        user_id: Some(user.id),
        name: user.email.clone(),
        ..actor.clone()
    };
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("password_set", &actor, "user")
            .object(user.id)
            .after(Some(serde_json::json!({
                "sessions_ended": sessions_ended,
                "tokens_revoked": tokens_revoked,
            }))),
    )
    .await?;
    tx.commit().await?;
    Ok(PasswordSet {
        user,
        sessions_ended,
        tokens_revoked,
    })
}

/// Whether a principal may revoke a token of a user.
pub fn may_revoke(who: &Principal, owner: Option<i64>) -> bool {
    who.may_manage_users() || (owner.is_some() && owner == who.user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_are_checked_for_shape() {
        assert!(valid_email("coordinator@trimbos.example"));
        assert!(!valid_email("coordinator"));
        assert!(!valid_email("a b@c.nl"));
        assert!(!valid_email("a@nl"));
        assert!(!valid_email("@c.nl"));
    }
}
