//! The versioning shared by every register table with history: a change ends
//! the current version on its effective day and the caller inserts the next.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{parse_stored_date, END};
use crate::domain::provenance::{Recorded, Source, SourceKind, Validity};
use crate::error::{AppError, AppResult};

/// Reads the provenance columns every versioned table has.
pub(super) fn recorded_from_row(row: &AnyRow) -> AppResult<Recorded> {
    let source_kind: String = row.try_get("source_kind")?;
    let kind = SourceKind::parse(&source_kind).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "stored source kind '{source_kind}' is not valid"
        ))
    })?;
    Ok(Recorded {
        source: Source::new(kind, row.try_get("source_detail")?),
        verified_on: parse_stored_date(row.try_get("verified_on")?, "verified_on")?,
        note: row.try_get("change_note")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Reads a version's place in history.
pub(super) fn validity_from_row(row: &AnyRow) -> AppResult<Validity> {
    Ok(Validity {
        version: row.try_get("version")?,
        valid_from: parse_stored_date(row.try_get("valid_from")?, "valid_from")?,
        valid_to: parse_stored_date(row.try_get("valid_to")?, "valid_to")?,
    })
}

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
