//! API tokens: stored as SHA-256 hashes, shown once at creation.
//!
//! A plain hash (not Argon2) is right here because a token is 256 random
//! bits, not a password a person chose: it cannot be guessed from its hash.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{now_text, Store};
use crate::error::AppResult;

/// What an authenticated API caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: i64,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Roles an API token may have. The full role model comes with user accounts.
pub const TOKEN_ROLES: &[&str] = &["admin"];

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Creates a token and returns its secret, which is not stored.
    pub async fn create_token(&self, name: &str, role: &str) -> AppResult<(i64, String)> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("vng_{}", hex::encode(bytes));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(role)
        .bind(hash(&secret))
        .bind(now_text())
        .fetch_one(self.pool())
        .await?;
        Ok((id, secret))
    }

    /// The caller a token belongs to, if the token exists and is not revoked.
    pub async fn authenticate(&self, secret: &str) -> AppResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT id, name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash(secret))
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(Principal {
                token_id: row.try_get("id")?,
                name: row.try_get("name")?,
                role: row.try_get("role")?,
            })
        })
        .transpose()
    }

    pub async fn list_tokens(&self) -> AppResult<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes a token at once; returns whether it existed and was active.
    pub async fn revoke_token(&self, id: i64) -> AppResult<bool> {
        let result = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now_text())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }
}
