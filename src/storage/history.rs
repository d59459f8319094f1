//! The write path shared by every record with history (facilities,
//! organisations, and next report values and contacts): a new record's
//! first version holds since the beginning; a change ends the current
//! version on its effective day and the next begins there; every write is
//! audited with what was before and after. A record type says only how to
//! insert one of its versions ([`VersionRow`]).

use chrono::NaiveDate;

use super::audit::AuditEvent;
use super::read::{BrokenRow, Columns};
use super::write::WriteTx;
use super::{Store, BEGINNING, END};
use crate::domain::date::Day;
use crate::domain::provenance::{Actor, Change, Recorded, Source, SourceKind, Validity};
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

/// One record type's part in the shared write path: its table, how to
/// insert one version of it, and how the audit log shows it.
pub(super) trait VersionRow {
    const TABLE: Versioned;

    /// Inserts these facts as `version` of `owner_id`, holding from
    /// `valid_from` until `valid_to` (ISO days or the markers).
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &self,
        tx: &mut WriteTx,
        owner_id: i64,
        version: i64,
        valid_from: &str,
        valid_to: &str,
        change: &Change,
        actor: &Actor,
        now: &str,
    ) -> impl std::future::Future<Output = StorageResult<()>> + Send;

    /// The facts with the change's provenance, as the audit log shows them.
    fn audit_json(&self, change: &Change) -> serde_json::Value;
}

/// Writes the first version of new record `owner_id` (since the
/// beginning) and audits its creation.
pub(super) async fn record_creation<R: VersionRow + Sync>(
    tx: &mut WriteTx,
    owner_id: i64,
    row: &R,
    change: &Change,
    actor: &Actor,
    now: &str,
) -> StorageResult<()> {
    row.insert(tx, owner_id, 1, BEGINNING, END, change, actor, now)
        .await?;
    Store::append_audit(
        tx,
        &AuditEvent::new("create", actor, R::TABLE.noun)
            .object(owner_id)
            .after(Some(row.audit_json(change))),
    )
    .await?;
    Ok(())
}

/// Records a change of `owner_id` whose current version is `current`
/// (read in the same write transaction; `before` as the audit log shows
/// it): that version ends on `effective`, the next begins there, and the
/// change is audited. Returns the new version's number.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record_change<R: VersionRow + Sync>(
    tx: &mut WriteTx,
    owner_id: i64,
    current: &Validity,
    before: serde_json::Value,
    row: &R,
    change: &Change,
    actor: &Actor,
    effective: &str,
    now: &str,
) -> StorageResult<i64> {
    let version = R::TABLE
        .end_current(tx, owner_id, current, effective)
        .await?;
    row.insert(tx, owner_id, version, effective, END, change, actor, now)
        .await?;
    Store::append_audit(
        tx,
        &AuditEvent::new("update", actor, R::TABLE.noun)
            .object(owner_id)
            .before(Some(before))
            .after(Some(row.audit_json(change))),
    )
    .await?;
    Ok(version)
}
