//! API tokens: stored as SHA-256 hashes (see `domain::secret`), shown once at
//! creation. A user's token acts as that user, with the user's current role
//! and organisation, and dies with the user; a service token (made on the
//! command line, without a user) has a role of its own.

use sqlx::Row;

use super::{now_text, Store};
use crate::domain::access::{Principal, Role, Via};
use crate::domain::secret;
use crate::storage::error::{StorageError, StorageResult};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: String,
    /// The user the token belongs to; null for a service token.
    pub user_id: Option<i64>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Roles a service token may have.
pub const SERVICE_TOKEN_ROLES: &[&str] = &["admin"];

impl Store {
    /// Creates a service token and returns its secret, which is not stored.
    pub async fn create_token(&self, name: &str, role: &str) -> StorageResult<(i64, String)> {
        self.insert_token(name, role, None).await
    }

    /// Creates a token that acts as a user.
    pub async fn create_user_token(
        &self,
        user_id: i64,
        name: &str,
    ) -> StorageResult<(i64, String)> {
        let user = self
            .user(user_id)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("user {user_id} does not exist")))?;
        if user.disabled_at.is_some() {
            // Refused as the unique constraint on active tokens would be.
            return Err(StorageError::conflict(
                "error.conflict.disabled_user_token",
                &[],
            ));
        }
        self.insert_token(name, user.role.code(), Some(user_id))
            .await
    }

    async fn insert_token(
        &self,
        name: &str,
        role: &str,
        user_id: Option<i64>,
    ) -> StorageResult<(i64, String)> {
        let secret = secret::generate("vng_");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, role, token_hash, created_at, user_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(role)
        .bind(secret::digest(&secret))
        .bind(now_text())
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok((id, secret))
    }

    /// The caller a token stands for, if the token is valid and its user active.
    pub async fn authenticate(&self, token: &str) -> StorageResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT t.id, t.name, t.role, t.user_id, t.last_used_at, u.disabled_at FROM api_tokens t \
             LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(secret::digest(token))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: Option<i64> = row.try_get("user_id")?;
        let token_id: i64 = row.try_get("id")?;
        let now = now_text();
        let last_used: Option<String> = row.try_get("last_used_at")?;
        // Recorded to the minute, so that a busy token does not write on every request.
        if last_used.as_deref().map(|t| &t[..t.len().min(16)]) != Some(&now[..16]) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now.as_str())
                .bind(token_id)
                .execute(self.pool())
                .await?;
        }
        match user_id {
            None => {
                let role: String = row.try_get("role")?;
                Ok(Some(Principal {
                    user_id: None,
                    name: format!("token:{}", row.try_get::<String, _>("name")?),
                    role: Role::parse(&role).ok_or_else(|| {
                        StorageError::Database(anyhow::anyhow!(
                            "stored token role '{role}' is not valid"
                        ))
                    })?,
                    organisation_id: None,
                    facility_ids: Vec::new(),
                    via: Via::Token,
                }))
            }
            Some(user_id) => {
                if row.try_get::<Option<String>, _>("disabled_at")?.is_some() {
                    return Ok(None);
                }
                Ok(self.user(user_id).await?.map(|user| Principal {
                    user_id: Some(user.id),
                    name: user.email,
                    role: user.role,
                    organisation_id: user.organisation_id,
                    facility_ids: user.facility_ids,
                    via: Via::Token,
                }))
            }
        }
    }

    /// Tokens, all or of one user.
    pub async fn list_tokens(&self, user_id: Option<i64>) -> StorageResult<Vec<TokenInfo>> {
        let rows = match user_id {
            Some(id) => sqlx::query(
                "SELECT id, name, role, user_id, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(self.pool())
            .await?,
            None => sqlx::query(
                "SELECT id, name, role, user_id, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id",
            )
            .fetch_all(self.pool())
            .await?,
        };
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    user_id: row.try_get("user_id")?,
                    created_at: row.try_get("created_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes a token at once (only the owner's, when `owner` is given);
    /// returns whether an active token was revoked.
    pub async fn revoke_token(&self, id: i64, owner: Option<i64>) -> StorageResult<bool> {
        let result = match owner {
            Some(user) => sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now_text())
            .bind(id)
            .bind(user)
            .execute(self.pool())
            .await?,
            None => sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_text())
                .bind(id)
                .execute(self.pool())
                .await?,
        };
        Ok(result.rows_affected() == 1)
    }
}
