//! Importing facilities from a spreadsheet (CSV or XLSX). Every row becomes
//! a typed facility or precise errors (row, column, reason); a dry run
//! reports what would happen and writes nothing; a real run writes all rows
//! in one transaction or none. Rows match existing facilities by `id` or by
//! name + organisation + municipality, so importing a file twice changes
//! nothing the second time. A row without an organisation (public lists
//! often name a place and a service but not who runs it) matches by name +
//! municipality, keeps the operator the register already knows, and
//! otherwise adds a facility whose operator is not known.
//!
//! The file is read row by row ([`Spreadsheet`]), never as a whole table,
//! and a dry run keeps no row once it is checked, so memory follows the
//! register and the errors, not the file. The report keeps every error;
//! people are shown the first [`SHOWN_ERRORS`] and can take all of them as
//! a CSV file ([`ImportReport::errors_csv`]).

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::date::Day;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityDraft, OrganisationRef};
use crate::domain::geo::normalize_name;
use crate::domain::language::Language;
use crate::domain::organisation::OrganisationFields;
use crate::domain::personal::{Guard, Holds};
use crate::domain::provenance::{Actor, Change, Source, SourceKind};
use crate::domain::text::text;
use crate::domain::Reason;
use crate::formats::columns::{read_row, Column, COLUMNS, PLACE_COLUMNS, REQUIRED};
use crate::formats::csv::CsvWriter;
use crate::formats::table::{cell_text, column_letter, Cell, FileError, Spreadsheet};
use crate::storage::facilities::{natural_key, place_key, FacilityFilter};
use crate::storage::write::Writes;
use crate::storage::Store;

pub use crate::formats::RowIssue;

/// How many errors a report shows; all of them are in [`ImportReport::errors_csv`].
pub const SHOWN_ERRORS: usize = 100;

/// How many rows a report lists of each kind (added, changed, rejected),
/// so that a report of a large file stays small; it counts all of them.
pub const SHOWN_ROWS: usize = 100;

/// A row as a report lists it: where it is in the file and which facility
/// it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedRow {
    pub row: usize,
    /// The name the row gives (empty when it gives none).
    pub name: String,
    /// The facility a changed row changes.
    pub facility_id: Option<i64>,
    /// The columns a changed row changes (English column names).
    pub columns: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
    /// Rows read after the header (blank rows not counted).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub organisations_created: Vec<String>,
    /// Every error, in the order of the file.
    pub errors: Vec<RowIssue>,
    pub notes: Vec<String>,
    /// The header's row number: errors on it are about the columns, not a row.
    pub header_row: usize,
    /// Whether the file could not be read as a spreadsheet (to its end);
    /// the last error says why.
    pub unreadable: bool,
    /// The first [`SHOWN_ROWS`] rows that add a facility (all are counted in `created`).
    pub added: Vec<ListedRow>,
    /// The first [`SHOWN_ROWS`] rows that change one (all are counted in `updated`).
    pub changed: Vec<ListedRow>,
    /// The first [`SHOWN_ROWS`] rows refused, with the name they give;
    /// their reasons are in `errors`.
    pub rejected: Vec<ListedRow>,
    /// How many rows (after the header) are refused.
    pub rejected_rows: usize,
}

/// What a report's errors add up to, for its closing sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSummary {
    Clean,
    /// The file is not a spreadsheet that can be read: no rows to count.
    Unreadable,
    /// Errors in the header and/or in the rows after it.
    Found {
        header_row: usize,
        header_errors: usize,
        /// Rows (after the header) with at least one error.
        rows_with_errors: usize,
        /// Errors in those rows together.
        row_errors: usize,
        /// Rows read after the header.
        rows: usize,
    },
}

impl ImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// How the errors add up. Rows are counted as they are read, so the
    /// count is there whenever the file could be read; errors of the header
    /// are told apart from errors of rows.
    pub fn summary(&self) -> ErrorSummary {
        if self.errors.is_empty() {
            return ErrorSummary::Clean;
        }
        if self.unreadable {
            return ErrorSummary::Unreadable;
        }
        let (header, rows): (Vec<&RowIssue>, Vec<&RowIssue>) =
            self.errors.iter().partition(|e| e.row <= self.header_row);
        ErrorSummary::Found {
            header_row: self.header_row,
            header_errors: header.len(),
            rows_with_errors: rows
                .iter()
                .map(|e| e.row)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            row_errors: rows.len(),
            rows: self.rows,
        }
    }

    /// The name a refused row gives, if it is among those listed.
    pub fn rejected_name(&self, row: usize) -> Option<&str> {
        self.rejected
            .iter()
            .find(|r| r.row == row)
            .map(|r| r.name.as_str())
    }

    /// The errors a report shows: the first [`SHOWN_ERRORS`].
    pub fn shown_errors(&self) -> &[RowIssue] {
        &self.errors[..self.errors.len().min(SHOWN_ERRORS)]
    }

    /// Every error as CSV (`row,column,message`, or `rij,kolom,fout` in
    /// Dutch), for errors beyond the first [`SHOWN_ERRORS`]. Messages quote
    /// what the file held, so they go through the one CSV writer like
    /// every CSV vangnet writes.
    pub fn errors_csv(&self, language: Language) -> anyhow::Result<Vec<u8>> {
        let mut writer = CsvWriter::new();
        writer.row(
            ["row", "column", "message"]
                .map(|k| text(language, &format!("import.errors_csv.{k}"), &[])),
        )?;
        for e in &self.errors {
            writer.row([
                e.row.to_string(),
                e.column.clone().unwrap_or_default(),
                e.text(language),
            ])?;
        }
        writer.finish()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for note in &self.notes {
            writeln!(f, "{}: note: {note}", self.file)?;
        }
        for error in self.shown_errors() {
            writeln!(f, "{}: {error}", self.file)?;
        }
        let more = self.errors.len() - self.shown_errors().len();
        if more > 0 {
            writeln!(
                f,
                "{}: {more} more errors not shown ({} in all)",
                self.file,
                self.errors.len()
            )?;
        }
        let verb = if self.written { "" } else { "would be " };
        if self.errors.is_empty() {
            writeln!(
                f,
                "{}: {} rows: {} {verb}created, {} {verb}updated, {} unchanged",
                self.file, self.rows, self.created, self.updated, self.unchanged
            )?;
            if !self.organisations_created.is_empty() {
                writeln!(
                    f,
                    "{}: organisations {verb}created: {}",
                    self.file,
                    self.organisations_created.join(", ")
                )?;
            }
        } else {
            writeln!(f, "{}: {}", self.file, self.summary())?;
        }
        if self.dry_run && self.errors.is_empty() {
            writeln!(f, "{}: dry run: nothing was written", self.file)?;
        }
        Ok(())
    }
}

/// The closing sentence in English, as the command line prints it:
/// "1 of 5 rows has an error; nothing was written".
impl fmt::Display for ErrorSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = match *self {
            ErrorSummary::Clean => return write!(f, "no errors"),
            ErrorSummary::Unreadable => {
                return write!(f, "the file cannot be read; nothing was written")
            }
            ErrorSummary::Found {
                header_row,
                header_errors,
                rows_with_errors,
                row_errors,
                rows,
            } => {
                let header = match header_errors {
                    0 => None,
                    1 => Some(format!("the header (row {header_row}) has an error")),
                    _ => Some(format!("the header (row {header_row}) has errors")),
                };
                let errors = if row_errors == 1 {
                    "an error"
                } else {
                    "errors"
                };
                let in_rows = match rows_with_errors {
                    0 => None,
                    1 if rows == 1 => Some(format!("the only row has {errors}")),
                    1 => Some(format!("1 of {rows} rows has {errors}")),
                    n => Some(format!("{n} of {rows} rows have errors")),
                };
                [header, in_rows].into_iter().flatten().collect::<Vec<_>>()
            }
        };
        write!(f, "{}; nothing was written", found.join("; "))
    }
}

pub struct ImportOptions {
    pub dry_run: bool,
    pub actor: Actor,
    /// The file's name, for messages and as the default source.
    pub file_name: String,
    pub today: NaiveDate,
}

/// Which organisation a row belongs to: one in the register or one this import creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum OrgTarget {
    Existing(i64),
    New(usize),
    /// The row names no organisation: the operator is not known (a facility
    /// it updates keeps the one the register has).
    Unknown,
}

impl OrgTarget {
    fn of(facility: &Facility) -> OrgTarget {
        facility
            .organisation_id
            .map_or(OrgTarget::Unknown, OrgTarget::Existing)
    }

    /// Whether writing this row would change the facility's operator.
    fn changes(self, facility: &Facility) -> bool {
        self != OrgTarget::Unknown && self != OrgTarget::of(facility)
    }
}

enum Action {
    Create,
    Update(i64),
}

struct Planned {
    action: Action,
    organisation: OrgTarget,
    draft: FacilityDraft,
}

/// Imports the bytes of a spreadsheet. `progress(done, total)` is called
/// while rows are written.
pub async fn import_facilities(
    store: &Store,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        file: options.file_name.clone(),
        dry_run: options.dry_run,
        header_row: 1,
        ..ImportReport::default()
    };
    let unreadable = |report: &mut ImportReport, FileError(reason)| {
        report.unreadable = true;
        report.errors.push(RowIssue::new(1, None, reason));
    };
    let mut sheet = match Spreadsheet::open(bytes) {
        Ok(sheet) => sheet,
        Err(e) => {
            unreadable(&mut report, e);
            return Ok(report);
        }
    };
    report.notes = sheet.notes().to_vec();
    let mut rows = match sheet.rows() {
        Ok(rows) => rows,
        Err(e) => {
            unreadable(&mut report, e);
            return Ok(report);
        }
    };
    report.header_row = rows.header_row;
    let headers = std::mem::take(&mut rows.headers);
    // personal-data guard: the header before anything else, so a file with
    // a column of personal data is refused as a whole, its rows unread. The
    // values are checked by FacilityInput::validate, as on every entry point.
    let header_label = |i: usize| format!("{} ({})", column_letter(i), headers[i]);
    match Guard::for_header(&headers, &allowed_personal(), header_label) {
        Ok(_) => {}
        Err(found) => {
            for f in found {
                let column = Some(header_label(f.column));
                report
                    .errors
                    .push(RowIssue::new(rows.header_row, column, f.reason));
            }
            return Ok(report);
        }
    };
    let columns = map_headers(&headers, rows.header_row, &mut report.errors);

    let organisations = store.organisations_by_name().await?;
    let existing = store
        .list_facilities(&FacilityFilter {
            internal: crate::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await?;
    let by_id: HashMap<i64, &Facility> = existing.iter().map(|f| (f.id, f)).collect();
    let by_key: HashMap<String, &Facility> = existing
        .iter()
        .filter_map(|f| {
            let organisation = f.organisation_id?;
            Some((
                natural_key(&f.fields.name, organisation, &f.fields.municipality_code),
                f,
            ))
        })
        .collect();
    let mut by_place: HashMap<String, Vec<&Facility>> = HashMap::new();
    for f in &existing {
        by_place
            .entry(place_key(&f.fields.name, &f.fields.municipality_code))
            .or_default()
            .push(f);
    }

    let default_source = Source::new(SourceKind::Import, Some(options.file_name.clone()));
    let mut new_organisations: Vec<String> = Vec::new();
    let mut new_by_key: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut plan: Vec<Planned> = Vec::new();
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                unreadable(&mut report, e);
                break;
            }
        };
        report.rows += 1;
        let failed_before_row = report.errors.len();
        let name = columns
            .iter()
            .position(|c| *c == Some(Column::Name))
            .and_then(|i| row.cells.get(i))
            .and_then(cell_text)
            .unwrap_or_default();
        'row: {
            let label = |column: Column| column_label(&headers, &columns, column);
            let issue =
                |column: Option<String>, reason: Reason| RowIssue::new(row.number, column, reason);
            if row.cells.len() > headers.len() {
                report.errors.push(issue(
                    None,
                    Reason::of(
                        "import.error.too_many_cells",
                        &[
                            ("cells", row.cells.len().to_string()),
                            ("columns", headers.len().to_string()),
                        ],
                    ),
                ));
                break 'row;
            }
            let (known, cells): (Vec<Column>, Vec<Cell>) = columns
                .iter()
                .zip(&row.cells)
                .filter_map(|(column, cell)| column.map(|c| (c, cell.clone())))
                .unzip();
            let (row_input, conversion_errors) = read_row(&known, &cells);
            let failed_before = report.errors.len();
            for (column, message) in conversion_errors {
                report.errors.push(issue(label(column), message));
            }
            let mut draft = match row_input.input.validate(&default_source, options.today) {
                Ok(draft) => draft,
                Err(field_errors) => {
                    for e in field_errors {
                        let column = Column::for_field(&e.field).and_then(label);
                        let reason = match column {
                            Some(_) => e.reason,
                            None => e.named(),
                        };
                        report.errors.push(issue(column, reason));
                    }
                    break 'row;
                }
            };
            if report.errors.len() > failed_before {
                break 'row;
            }
            let organisation = match &draft.organisation {
                None => OrgTarget::Unknown,
                Some(OrganisationRef::Name(name)) => {
                    let key = normalize_name(name);
                    match organisations.get(&key) {
                        Some(&id) => OrgTarget::Existing(id),
                        None => {
                            let next = new_organisations.len();
                            let index = *new_by_key.entry(key).or_insert(next);
                            if index == next {
                                new_organisations.push(name.clone());
                            }
                            OrgTarget::New(index)
                        }
                    }
                }
                Some(OrganisationRef::Id(id)) => OrgTarget::Existing(*id),
            };
            let key = match organisation {
                OrgTarget::Existing(id) => {
                    natural_key(&draft.fields.name, id, &draft.fields.municipality_code)
                }
                OrgTarget::New(i) => format!(
                    "new{i}|{}|{}",
                    normalize_name(&draft.fields.name),
                    draft.fields.municipality_code
                ),
                OrgTarget::Unknown => format!(
                    "place|{}",
                    place_key(&draft.fields.name, &draft.fields.municipality_code)
                ),
            };
            let duplicate_key = match row_input.id {
                Some(id) => format!("id:{id}"),
                None => key.clone(),
            };
            if let Some(first) = seen.insert(duplicate_key, row.number) {
                report.errors.push(issue(
                    None,
                    Reason::of("import.error.same_facility", &[("row", first.to_string())]),
                ));
                break 'row;
            }
            let matched = match row_input.id {
                Some(id) => match by_id.get(&id) {
                    Some(f) => Some(*f),
                    None => {
                        report.errors.push(issue(
                            label(Column::Id),
                            Reason::of("import.error.no_such_facility", &[("id", id.to_string())]),
                        ));
                        break 'row;
                    }
                },
                None if organisation == OrgTarget::Unknown => {
                    let place = place_key(&draft.fields.name, &draft.fields.municipality_code);
                    match by_place.get(&place).map(Vec::as_slice).unwrap_or_default() {
                        [] => None,
                        [one] => Some(*one),
                        several => {
                            // Two operators' places of the same name: the
                            // row must say which (its id or organisation).
                            let ids: Vec<String> =
                                several.iter().map(|f| f.id.to_string()).collect();
                            report.errors.push(issue(
                                label(Column::Organisation),
                                Reason::of(
                                    "import.error.which_facility",
                                    &[("ids", ids.join(", "))],
                                ),
                            ));
                            break 'row;
                        }
                    }
                }
                None => by_key.get(&key).copied(),
            };
            let explicit_source = row_input.input.source.is_some();
            let action = match matched {
                None => Action::Create,
                Some(current) => {
                    let same = current.fields == draft.fields
                        && !organisation.changes(current)
                        && (draft.change.verified_on.is_none()
                            || current.recorded.verified_on == draft.change.verified_on)
                        && (!explicit_source || current.recorded.source == draft.change.source);
                    if same {
                        report.unchanged += 1;
                        break 'row;
                    }
                    if let Some(message) = too_old(current, &draft.change, options.today) {
                        report
                            .errors
                            .push(issue(label(Column::VerifiedOn), message));
                        break 'row;
                    }
                    // When the change holds is settled before a row without a
                    // date keeps the last verification, as an edit does.
                    draft.change.effective_from = Some(effective_day(&draft.change, options.today));
                    if draft.change.verified_on.is_none() {
                        draft.change.verified_on = current.recorded.verified_on;
                    }
                    Action::Update(current.id)
                }
            };
            match action {
                Action::Create => report.created += 1,
                Action::Update(_) => report.updated += 1,
            }
            let listed = |facility_id, columns| ListedRow {
                row: row.number,
                name: name.clone(),
                facility_id,
                columns,
            };
            match action {
                Action::Create if report.added.len() < SHOWN_ROWS => {
                    report.added.push(listed(None, Vec::new()))
                }
                Action::Update(id) if report.changed.len() < SHOWN_ROWS => {
                    let current = by_id[&id];
                    report.changed.push(listed(
                        Some(id),
                        changed_columns(current, &draft, organisation),
                    ))
                }
                _ => {}
            }
            // Only a clean file is written; a dry run keeps nothing.
            if !options.dry_run && report.errors.is_empty() {
                plan.push(Planned {
                    action,
                    organisation,
                    draft,
                });
            }
        }
        if report.errors.len() > failed_before_row {
            report.rejected_rows += 1;
            if report.rejected.len() < SHOWN_ROWS {
                report.rejected.push(ListedRow {
                    row: row.number,
                    name,
                    facility_id: None,
                    columns: Vec::new(),
                });
            }
        }
    }
    // The file's cells (an XLSX's shared strings) are no longer needed.
    drop(sheet);
    report.organisations_created = new_organisations.clone();
    if !report.errors.is_empty() || options.dry_run {
        return Ok(report);
    }

    let mut tx = store.begin_write(Writes::Register).await?;
    // Every facility this import changes, locked first (see storage::write).
    let changed: Vec<i64> = plan
        .iter()
        .filter_map(|p| match p.action {
            Action::Update(id) => Some(id),
            Action::Create => None,
        })
        .collect();
    Store::lock_facilities(&mut tx, &changed).await?;
    let mut created_organisations = Vec::with_capacity(new_organisations.len());
    let org_change = Change {
        source: default_source.clone(),
        verified_on: None,
        note: Some("created by a facility import".into()),
        effective_from: None,
    };
    for name in &new_organisations {
        let id = Store::create_organisation(
            &mut tx,
            &OrganisationFields::named(name),
            &org_change,
            &options.actor,
        )
        .await?;
        created_organisations.push(id);
    }
    let total = plan.len();
    for (done, planned) in plan.iter_mut().enumerate() {
        let organisation = match planned.organisation {
            OrgTarget::Existing(id) => Some(id),
            OrgTarget::New(i) => Some(created_organisations[i]),
            OrgTarget::Unknown => None,
        };
        let draft = &mut planned.draft;
        match planned.action {
            Action::Create => {
                Store::create_facility(
                    &mut tx,
                    organisation,
                    &draft.fields,
                    &draft.change,
                    &options.actor,
                    options.today,
                )
                .await?;
            }
            Action::Update(id) => {
                let current = Store::facility_in(&mut tx, id).await?.ok_or_else(|| {
                    AppError::conflict(
                        "error.conflict.removed_while_importing",
                        &[("id", id.to_string())],
                    )
                })?;
                // A row that names no operator keeps the one the register knows.
                let organisation = organisation.or(current.organisation_id);
                Store::update_facility(
                    &mut tx,
                    &current,
                    organisation,
                    &draft.fields,
                    &draft.change,
                    &options.actor,
                    options.today,
                )
                .await?;
            }
        }
        if done % 100 == 0 || done + 1 == total {
            progress(done + 1, total);
        }
    }
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

/// The columns in which a row differs from the facility it changes.
fn changed_columns(
    current: &Facility,
    draft: &FacilityDraft,
    organisation: OrgTarget,
) -> Vec<&'static str> {
    let as_json = |input| serde_json::to_value(input).unwrap_or_default();
    let before = as_json(current.fields.to_input(current.organisation_id));
    let after = as_json(draft.fields.to_input(current.organisation_id));
    let mut columns: Vec<&'static str> = COLUMNS
        .iter()
        .map(|(c, name, _)| (*c, *name))
        .filter(|(_, name)| before.get(name) != after.get(name))
        .map(|(_, name)| name)
        .collect();
    if organisation.changes(current) {
        columns.insert(0, Column::Organisation.name());
    }
    if current.recorded.verified_on != draft.change.verified_on {
        columns.push(Column::VerifiedOn.name());
    }
    columns
}

/// A changed row takes effect on the day its source verified it, or today.
fn effective_day(change: &Change, today: NaiveDate) -> Day {
    change
        .verified_on
        .or(change.effective_from)
        .unwrap_or_else(|| Day::clamped(today))
}

/// A row whose information is older than what the register already holds
/// cannot be recorded without rewriting history.
fn too_old(current: &Facility, change: &Change, today: NaiveDate) -> Option<Reason> {
    let effective = effective_day(change, today);
    let holds_from = current.validity.valid_from?;
    (effective < holds_from).then(|| {
        Reason::of(
            "import.error.too_old",
            &[
                ("verified", effective.to_string()),
                ("holds_from", holds_from.to_string()),
            ],
        )
    })
}

/// What the facility file's columns may hold (see domain::personal): the
/// service's own phone number, the facility's address, and the dates of
/// the register, each under any of its names.
fn allowed_personal() -> Vec<(&'static str, Holds)> {
    COLUMNS
        .iter()
        .filter_map(|(column, name, aliases)| {
            let holds = match column {
                Column::Phone => Holds::Phone,
                Column::Street => Holds::Address,
                Column::OpenedOn | Column::ClosedOn | Column::VerifiedOn => Holds::Date,
                _ => return None,
            };
            Some(
                std::iter::once(*name)
                    .chain(aliases.iter().copied())
                    .map(move |n| (n, holds)),
            )
        })
        .flatten()
        .collect()
}

/// Maps each header to its column; unknown and repeated headers are errors
/// on the header's row, and so are missing required columns.
fn map_headers(headers: &[String], row: usize, errors: &mut Vec<RowIssue>) -> Vec<Option<Column>> {
    let mut columns: Vec<Option<Column>> = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        let letter = column_letter(index);
        let column = Column::from_header(header);
        match column {
            None if header.trim().is_empty() => errors.push(RowIssue::new(
                row,
                Some(letter),
                Reason::of("import.error.no_header", &[]),
            )),
            None => errors.push(RowIssue::new(
                row,
                Some(format!("{letter} ({header})")),
                Reason::of(
                    "import.error.unknown_column",
                    &[
                        ("header", header.clone()),
                        (
                            "known",
                            COLUMNS
                                .iter()
                                .map(|(_, name, _)| *name)
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ],
                ),
            )),
            Some(c) if columns.contains(&Some(c)) => errors.push(RowIssue::new(
                row,
                Some(format!("{letter} ({header})")),
                Reason::of(
                    "import.error.repeated_column",
                    &[("column", c.name().to_string())],
                ),
            )),
            Some(_) => {}
        }
        columns.push(column.filter(|c| !columns[..index].contains(&Some(*c))));
    }
    for required in REQUIRED {
        if !columns.contains(&Some(required)) {
            errors.push(RowIssue::new(
                row,
                None,
                Reason::of(
                    "import.error.required_column",
                    &[("column", required.name().to_string())],
                ),
            ));
        }
    }
    if !PLACE_COLUMNS.iter().any(|c| columns.contains(&Some(*c))) {
        errors.push(RowIssue::new(
            row,
            None,
            Reason::of("import.error.place_column", &[]),
        ));
    }
    columns
}

/// `C (plaats)` for a column present in the file.
fn column_label(headers: &[String], columns: &[Option<Column>], column: Column) -> Option<String> {
    let index = columns.iter().position(|c| *c == Some(column))?;
    Some(format!("{} ({})", column_letter(index), headers[index]))
}
