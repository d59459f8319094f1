//! The versioning shared by every register table with history: a change ends
//! the current version on its effective day and the caller inserts the next.

use sqlx::{AnyConnection, Row};

use super::END;
use crate::error::{AppError, AppResult};

/// A table with history: `{table}` holds versions of rows of `{owner}` keyed by `{owner_column}`.
pub(super) struct Versioned {
    pub table: &'static str,
    pub owner_column: &'static str,
    /// For messages: "facility", "organisation".
    pub noun: &'static str,
}

impl Versioned {
    /// Ends the current version on `effective` (ISO date) and returns the
    /// next version number. A change cannot take effect before the current
    /// version began: history is appended to, never rewritten.
    pub async fn end_current(
        &self,
        conn: &mut AnyConnection,
        owner_id: i64,
        effective: &str,
    ) -> AppResult<i64> {
        let current = sqlx::query(&format!(
            "SELECT id, version, valid_from FROM {} WHERE {} = $1 AND valid_to = $2",
            self.table, self.owner_column
        ))
        .bind(owner_id)
        .bind(END)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{} {owner_id} does not exist", self.noun)))?;
        let valid_from: String = current.try_get("valid_from")?;
        if effective < valid_from.as_str() {
            return Err(AppError::invalid(
                "effective_from",
                format!(
                    "{effective} is before the current version, which holds from {valid_from}; history is not rewritten"
                ),
            ));
        }
        sqlx::query(&format!(
            "UPDATE {} SET valid_to = $1 WHERE id = $2",
            self.table
        ))
        .bind(effective)
        .bind(current.try_get::<i64, _>("id")?)
        .execute(&mut *conn)
        .await?;
        Ok(current.try_get::<i64, _>("version")? + 1)
    }
}
