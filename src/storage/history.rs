//! The versioning shared by every register table with history: a change ends
//! the current version on its effective day and the caller inserts the next.

use chrono::NaiveDate;

use super::read::{BrokenRow, Columns};
use super::write::WriteTx;
use super::{BEGINNING, END};
use crate::domain::date::Day;
use crate::domain::provenance::{Recorded, Source, SourceKind, Validity};
use crate::storage::error::{StorageError, StorageResult};

/// Reads the provenance columns every versioned table has.
pub(super) fn recorded_from_row(c: &Columns) -> Result<Recorded, BrokenRow> {
    let kind = c
        .parsed("source_kind", |k| {
            SourceKind::parse(k).ok_or("is not a source kind")
        })?
        .ok_or_else(|| c.broken("source_kind", "NULL", "is empty"))?;
    Ok(Recorded {
        source: Source::new(kind, c.text("source_detail")?),
        verified_on: c.day("verified_on")?,
        note: c.text("change_note")?,
        recorded_by: c.required_text("recorded_by")?,
        recorded_at: c.required_text("recorded_at")?,
    })
}

/// Reads a version's place in history; the markers for "since the
/// beginning" and "still current" become `None`.
pub(super) fn validity_from_row(c: &Columns) -> Result<Validity, BrokenRow> {
    let bound = |column: &str| -> Result<Option<NaiveDate>, BrokenRow> {
        match c.required_text(column)?.as_str() {
            BEGINNING | END => Ok(None),
            _ => Ok(c.day(column)?.map(Day::date)),
        }
    };
    Ok(Validity {
        version: c.required_int("version")?,
        valid_from: bound("valid_from")?,
        valid_to: bound("valid_to")?,
        superseded_at: c.optional_text("superseded_at"),
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
    /// Ends the current version (`current`, read in the same write
    /// transaction) on `effective` (ISO date) and returns the next version
    /// number. A change cannot take effect before the current version
    /// began: history is appended to, never rewritten.
    pub async fn end_current(
        &self,
        tx: &mut WriteTx,
        owner_id: i64,
        current: &Validity,
        effective: &str,
    ) -> StorageResult<i64> {
        let ended = sqlx::query(&format!(
            "UPDATE {} SET valid_to = $1 WHERE {} = $2 AND version = $3 AND valid_to = $4",
            self.table, self.owner_column
        ))
        .bind(effective)
        .bind(owner_id)
        .bind(current.version)
        .bind(END)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if ended != 1 {
            // Another change ended that version since it was read: the
            // whole write is tried again on the newer one.
            return Err(StorageError::Contention(format!(
                "{} {owner_id} changed while this change was written",
                self.noun
            )));
        }
        Ok(current.version + 1)
    }
}
