//! `vangnet import tallies FILE`: tallies from other registration systems'
//! CSV exports (`formats::tally_csv`), all or none. Each row passes the
//! same checks as a tally from the desk or the API (`TallyInput::validate`,
//! a facility the importer may count for, `fits`), and errors name the
//! file, row, column and reason.
//!
//! Streaming: rows are read one at a time and written in chunks into one
//! transaction, committed only when the whole file was good (and never on
//! a dry run), so a million rows need memory for one chunk plus the
//! duplicate check: 16 bytes of each row's id hash and its row number
//! (about 40 MB for a million rows with the map's overhead), and on SQLite
//! the larger page cache of the write (`Store::bulk_write`). On SQLite the
//! transaction holds the one writer while it runs: other writes wait.
//! Reading and writing overlap: the reader makes each chunk's statement
//! (`TallyChunk`) while the database writes the last one.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::fits;
use crate::domain::access::Principal;
use crate::domain::error::AppResult;
use crate::domain::facility::Facility;
use crate::domain::metric::Metric;
use crate::domain::provenance::Actor;
use crate::domain::tally::Tally;
use crate::domain::Reason;
use crate::formats::tally_csv::{separator, CellError, TallyCsv};
use crate::register::scope;
use crate::storage::audit::AuditEvent;
use crate::storage::monitoring::{TallyChunk, TallyWriter};
use crate::storage::write::Writes;
use crate::storage::Store;

/// Rows the reader hands the writer at once: one statement's worth.
const IMPORT_CHUNK: usize = crate::storage::monitoring::TALLY_CHUNK;

/// Errors a report lists; the count covers them all.
pub const ERRORS_SHOWN: usize = 100;

/// One wrong cell of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub row: u64,
    pub column: String,
    pub reason: Reason,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct TallyImportReport {
    pub file: String,
    pub dry_run: bool,
    pub rows: u64,
    /// New tallies written (none when there are errors).
    pub stored: u64,
    /// Rows whose id was stored before (an earlier import of the file).
    pub repeated: u64,
    /// The first [`ERRORS_SHOWN`] errors.
    pub errors: Vec<RowError>,
    pub error_count: u64,
}

impl TallyImportReport {
    pub fn is_ok(&self) -> bool {
        self.error_count == 0
    }

    fn error(&mut self, row: u64, column: String, reason: Reason) {
        self.error_count += 1;
        if self.errors.len() < ERRORS_SHOWN {
            self.errors.push(RowError {
                row,
                column,
                reason,
            });
        }
    }
}

impl std::fmt::Display for TallyImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for e in &self.errors {
            let column = if e.column.is_empty() {
                String::new()
            } else {
                format!(", column {}", e.column)
            };
            writeln!(f, "{}: row {}{column}: {}", self.file, e.row, e.reason)?;
        }
        if self.error_count > self.errors.len() as u64 {
            writeln!(
                f,
                "{}: … and {} more errors",
                self.file,
                self.error_count - self.errors.len() as u64
            )?;
        }
        if self.is_ok() {
            writeln!(
                f,
                "{}: {} rows, {} tallies {}, {} stored before",
                self.file,
                self.rows,
                self.stored,
                if self.dry_run {
                    "would be stored (dry run: nothing written)"
                } else {
                    "stored"
                },
                self.repeated
            )
        } else {
            writeln!(
                f,
                "{}: {} rows, {} errors: nothing stored",
                self.file, self.rows, self.error_count
            )
        }
    }
}

/// 128 bits of an id for the duplicate check: two SipHash passes with
/// std's fixed keys (the same within one import, which is all the check
/// needs; a chance of two different ids meeting of about 10^-27 in a file
/// of a million), instead of keeping every id (40 bytes and more each).
fn id_key(id: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        let mut h = std::hash::DefaultHasher::new();
        salt.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    };
    u128::from(half(1)) << 64 | u128::from(half(2))
}

/// Imports a CSV file of tallies, all or none; `progress` hears how many
/// bytes were read so far.
#[allow(clippy::too_many_arguments)]
pub async fn import_tallies<R: Read>(
    store: &Store,
    input: R,
    file_name: &str,
    dry_run: bool,
    who: &Principal,
    actor: &Actor,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> AppResult<TallyImportReport> {
    let mut report = TallyImportReport {
        file: file_name.to_string(),
        dry_run,
        ..TallyImportReport::default()
    };
    let mut input = BufReader::with_capacity(1 << 16, input);
    let sep = separator(input.fill_buf().map_err(anyhow::Error::from)?);
    let mut file = match TallyCsv::open(input, sep) {
        Ok(file) => file,
        Err(errors) => {
            for CellError { column, reason } in errors {
                report.error(1, column, reason);
            }
            return Ok(report);
        }
    };
    let catalogue: HashMap<String, Metric> = store
        .metrics()
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m))
        .collect();
    let mut facilities: HashMap<i64, Option<Facility>> = HashMap::new();
    let mut seen: HashMap<u128, u64> = HashMap::new();
    let mut tx = store.begin_write(Writes::Audit).await?;
    Store::bulk_write(&mut tx).await?;
    // Reading and checking rows and writing them overlap: the reader makes
    // each chunk's statement and hands it to the writer, whose statements
    // run on the database's thread (SQLite) or server while the reader
    // goes on.
    let (chunks, mut to_write) = tokio::sync::mpsc::channel::<TallyChunk>(4);
    let writer = async {
        let mut writer = TallyWriter::default();
        while let Some(chunk) = to_write.recv().await {
            writer.insert(&mut tx, chunk).await?;
        }
        AppResult::Ok(writer)
    };
    let reader = async {
        let mut chunk: Vec<Tally> = Vec::with_capacity(IMPORT_CHUNK);
        while let Some((row, parsed)) = file.next_row() {
            report.rows += 1;
            if report.rows.is_multiple_of(10_000) {
                progress(file.position());
            }
            if report.rows.is_multiple_of(100) {
                // Let the writer hand the next chunk to the database as
                // soon as the last one is written.
                tokio::task::yield_now().await;
            }
            let input = match parsed {
                Ok(input) => input,
                Err(errors) => {
                    for CellError { column, reason } in errors {
                        report.error(row, column, reason);
                    }
                    continue;
                }
            };
            let tally = match input.validate(now) {
                Ok(tally) => tally,
                Err(errors) => {
                    for e in errors {
                        report.error(row, file.column_of(&e.field), e.reason);
                    }
                    continue;
                }
            };
            let key = id_key(&tally.id);
            match seen.entry(key) {
                Entry::Occupied(first) => {
                    report.error(
                        row,
                        file.column_of("id"),
                        Reason::of(
                            "import.error.duplicate_tally",
                            &[("row", first.get().to_string()), ("id", tally.id.clone())],
                        ),
                    );
                    continue;
                }
                Entry::Vacant(slot) => {
                    slot.insert(row);
                }
            }
            if let Entry::Vacant(slot) = facilities.entry(tally.facility_id) {
                slot.insert(
                    crate::register::reads::current_facility(store, tally.facility_id).await?,
                );
            }
            let facility = facilities[&tally.facility_id].as_ref();
            if !facility.is_some_and(|f| who.may_report_for(scope(f))) {
                report.error(
                    row,
                    file.column_of("facility_id"),
                    Reason::of(
                        "error.tally_facility",
                        &[("id", tally.facility_id.to_string())],
                    ),
                );
                continue;
            }
            if let Err(reason) = fits(&catalogue, &tally, facility) {
                report.error(row, file.column_of("metric"), reason);
                continue;
            }
            if report.error_count > 0 {
                // Nothing will be written; keep reading to name every error.
                continue;
            }
            chunk.push(tally);
            if chunk.len() == IMPORT_CHUNK {
                let full = TallyChunk::new(store.engine(), &chunk, &actor.name)?;
                chunk.clear();
                if chunks.send(full).await.is_err() {
                    // The writer stopped on an error, which it returns.
                    break;
                }
            }
        }
        if report.error_count == 0 && !chunk.is_empty() {
            let _ = chunks
                .send(TallyChunk::new(store.engine(), &chunk, &actor.name)?)
                .await;
        }
        drop(chunks);
        AppResult::Ok(())
    };
    let (read, writer) = tokio::join!(reader, writer);
    read?;
    let writer = writer?;
    progress(file.position());
    if report.error_count > 0 {
        // Dropping the transaction rolls back what was written.
        return Ok(report);
    }
    let stored = writer.finish(&mut tx).await?;
    Store::end_bulk_write(&mut tx).await?;
    report.stored = stored;
    report.repeated = report.rows - stored;
    if dry_run {
        return Ok(report);
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("import", actor, "tally")
            .object(file_name)
            .after(Some(json!({
                "rows": report.rows,
                "stored": report.stored,
                "repeated": report.repeated,
            }))),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
