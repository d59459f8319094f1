//! User accounts, sessions, password-reset links and failed-login records.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use utoipa::ToSchema;

use super::{now_millis_text, now_text, Store};
use crate::domain::access::Role;
use crate::domain::secret;
use crate::domain::throttle::Failures;
use crate::storage::error::{StorageError, StorageResult};

/// How long a session lives without use, and at most.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
pub const SESSION_MAX: Duration = Duration::hours(12);
/// How long a password-reset (or invitation) link works.
pub const RESET_VALID: Duration = Duration::hours(24);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub organisation_id: Option<i64>,
    /// For reporters limited to some facilities.
    pub facility_ids: Vec<i64>,
    pub created_at: String,
    pub disabled_at: Option<String>,
    /// Whether a password has been set.
    pub has_password: bool,
}

/// A user with the secret needed to log in.
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user: User,
    pub csrf_token: String,
}

fn parse_time(text: &str) -> StorageResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            StorageError::Database(anyhow::anyhow!("stored time '{text}' is not valid: {e}"))
        })
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.role, u.organisation_id, u.password_hash, u.created_at, u.disabled_at";

async fn user_from_row(conn: &mut AnyConnection, row: &AnyRow) -> StorageResult<Credentials> {
    let id: i64 = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let facility_ids = sqlx::query_scalar(
        "SELECT facility_id FROM user_facilities WHERE user_id = $1 ORDER BY facility_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let password_hash: Option<String> = row.try_get("password_hash")?;
    Ok(Credentials {
        user: User {
            id,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: Role::parse(&role).ok_or_else(|| {
                StorageError::Database(anyhow::anyhow!("stored role '{role}' is not valid"))
            })?,
            organisation_id: row.try_get("organisation_id")?,
            facility_ids,
            created_at: row.try_get("created_at")?,
            disabled_at: row.try_get("disabled_at")?,
            has_password: password_hash.is_some(),
        },
        password_hash,
    })
}

/// E-mail addresses compare case-insensitively.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    /// Adds a user; the e-mail address must be new.
    pub async fn create_user(
        conn: &mut AnyConnection,
        email: &str,
        name: Option<&str>,
        role: Role,
        organisation_id: Option<i64>,
        facility_ids: &[i64],
    ) -> StorageResult<i64> {
        let email = normalize_email(email);
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_some() {
            return Err(StorageError::conflict(
                "error.conflict.email_taken",
                &[("email", email.clone())],
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, role, organisation_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(role.code())
        .bind(organisation_id)
        .bind(now_text())
        .fetch_one(&mut *conn)
        .await?;
        for facility in facility_ids {
            sqlx::query("INSERT INTO user_facilities (user_id, facility_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*facility)
                .execute(&mut *conn)
                .await?;
        }
        Ok(id)
    }

    pub async fn list_users(&self) -> StorageResult<Vec<User>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.email"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            users.push(user_from_row(&mut conn, row).await?.user);
        }
        Ok(users)
    }

    pub async fn user_by_email(&self, email: &str) -> StorageResult<Option<Credentials>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
        ))
        .bind(normalize_email(email))
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(row) => Ok(Some(user_from_row(&mut conn, &row).await?)),
            None => Ok(None),
        }
    }

    pub async fn user(&self, id: i64) -> StorageResult<Option<User>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(row) => Ok(Some(user_from_row(&mut conn, &row).await?.user)),
            None => Ok(None),
        }
    }

    /// Disables a user and ends their sessions, tokens and reset links at once.
    pub async fn disable_user(conn: &mut AnyConnection, id: i64) -> StorageResult<bool> {
        let now = now_text();
        let changed =
            sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                .bind(now.as_str())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
            .bind(now.as_str())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(now.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(changed == 1)
    }

    /// Sets a new password hash, ends every session of the user and
    /// revokes every API token of theirs (whoever knew the old password
    /// may have made one); returns how many sessions and tokens ended.
    pub async fn set_password(
        conn: &mut AnyConnection,
        user_id: i64,
        hash: &str,
    ) -> StorageResult<(u64, u64)> {
        let now = now_text();
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        let sessions = sqlx::query(
            "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
        )
        .bind(now.as_str())
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        let tokens = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_str())
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok((sessions, tokens))
    }

    /// Starts a session; returns the secret for the cookie and the CSRF token.
    pub async fn create_session(&self, user_id: i64) -> StorageResult<(String, String)> {
        let token = secret::generate("");
        let csrf = secret::generate("");
        let now = Utc::now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(secret::digest(&token))
        .bind(user_id)
        .bind(csrf.as_str())
        .bind(time_text(now))
        .bind(time_text(now + SESSION_MAX))
        .execute(self.pool())
        .await?;
        Ok((token, csrf))
    }

    /// The live session a cookie names; idle, expired, ended sessions and
    /// those of disabled users are not live. Use keeps a session alive.
    pub async fn session(&self, token: &str) -> StorageResult<Option<Session>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT s.id AS session_id, s.csrf_token, s.last_seen_at, s.expires_at, {USER_COLUMNS} \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL"
        ))
        .bind(secret::digest(token))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = Utc::now();
        let last_seen = parse_time(&row.try_get::<String, _>("last_seen_at")?)?;
        let expires = parse_time(&row.try_get::<String, _>("expires_at")?)?;
        if now >= expires || now - last_seen >= SESSION_IDLE {
            return Ok(None);
        }
        let id: i64 = row.try_get("session_id")?;
        if now - last_seen > Duration::minutes(1) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(time_text(now))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(Some(Session {
            id,
            csrf_token: row.try_get("csrf_token")?,
            user: user_from_row(&mut conn, &row).await?.user,
        }))
    }

    pub async fn end_session(&self, id: i64) -> StorageResult<()> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(now_text())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A single-use link secret for setting a password; earlier unused links end.
    pub async fn create_password_reset(
        conn: &mut AnyConnection,
        user_id: i64,
    ) -> StorageResult<String> {
        let token = secret::generate("");
        let now = Utc::now();
        sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(time_text(now))
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(secret::digest(&token))
        .bind(user_id)
        .bind(time_text(now))
        .bind(time_text(now + RESET_VALID))
        .execute(&mut *conn)
        .await?;
        Ok(token)
    }

    /// Uses a reset link: returns its user when the link is valid, and
    /// marks it used so it works only once.
    pub async fn use_password_reset(
        conn: &mut AnyConnection,
        token: &str,
    ) -> StorageResult<Option<User>> {
        let row = sqlx::query(
            "SELECT r.id, r.user_id, r.expires_at FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(secret::digest(token))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if parse_time(&row.try_get::<String, _>("expires_at")?)? <= Utc::now() {
            return Ok(None);
        }
        let user_id: i64 = row.try_get("user_id")?;
        // Using one link ends every link of the user.
        sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(now_text())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
        let user = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        ))
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
        Ok(Some(user_from_row(conn, &user).await?.user))
    }

    /// How many reset links were made for a user since a time.
    pub async fn resets_since(&self, user_id: i64, since: DateTime<Utc>) -> StorageResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2",
        )
        .bind(user_id)
        .bind(time_text(since))
        .fetch_one(self.pool())
        .await?)
    }

    /// The failures of the last hour of an account, or with `None` of the
    /// invalid API tokens from the address (they have no account), and of
    /// the address over all accounts and tokens.
    pub async fn recent_failures(
        &self,
        account: Option<&str>,
        ip: &str,
    ) -> StorageResult<(Failures, Failures)> {
        let hour_ago = time_text(Utc::now() - Duration::hours(1));
        let times = |rows: Vec<String>| -> StorageResult<Failures> {
            Ok(Failures {
                times: rows
                    .iter()
                    .map(|t| parse_time(t))
                    .collect::<StorageResult<_>>()?,
            })
        };
        let own = match account {
            Some(account) => sqlx::query_scalar(
                "SELECT at FROM auth_failures WHERE account = $1 AND at > $2 ORDER BY at",
            )
            .bind(normalize_email(account)),
            None => sqlx::query_scalar(
                "SELECT at FROM auth_failures WHERE ip = $1 AND account IS NULL AND at > $2 ORDER BY at",
            )
            .bind(ip),
        };
        let own = times(own.bind(hour_ago.as_str()).fetch_all(self.pool()).await?)?;
        let ip_failures = times(
            sqlx::query_scalar(
                "SELECT at FROM auth_failures WHERE ip = $1 AND at > $2 ORDER BY at",
            )
            .bind(ip)
            .bind(hour_ago.as_str())
            .fetch_all(self.pool())
            .await?,
        )?;
        Ok((own, ip_failures))
    }

    /// Records a failed attempt, and prunes records older than a day.
    pub async fn record_failure(&self, account: Option<&str>, ip: &str) -> StorageResult<()> {
        sqlx::query("INSERT INTO auth_failures (account, ip, at) VALUES ($1, $2, $3)")
            .bind(account.map(normalize_email))
            .bind(ip)
            .bind(now_millis_text())
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM auth_failures WHERE at < $1")
            .bind(time_text(Utc::now() - Duration::days(1)))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets an account's failures: after a successful login, or when an admin unlocks it.
    pub async fn clear_failures(&self, account: &str) -> StorageResult<u64> {
        Ok(sqlx::query("DELETE FROM auth_failures WHERE account = $1")
            .bind(normalize_email(account))
            .execute(self.pool())
            .await?
            .rows_affected())
    }

    /// Accounts with failed logins in the last hour: (account, failures, last failure).
    pub async fn accounts_with_failures(&self) -> StorageResult<Vec<(String, i64, String)>> {
        let hour_ago = time_text(Utc::now() - Duration::hours(1));
        let rows = sqlx::query(
            "SELECT account, COUNT(*) AS failures, MAX(at) AS last_at FROM auth_failures \
             WHERE account IS NOT NULL AND at > $1 GROUP BY account ORDER BY COUNT(*) DESC, account",
        )
        .bind(hour_ago)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("account")?,
                    r.try_get("failures")?,
                    r.try_get("last_at")?,
                ))
            })
            .collect()
    }
}
