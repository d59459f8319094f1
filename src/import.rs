//! Importing facilities from a spreadsheet (CSV or XLSX). Every row becomes
//! a typed facility or precise errors (row, column, reason); a dry run
//! reports what would happen and writes nothing; a real run writes all rows
//! in one transaction or none. Rows match existing facilities by `id` or by
//! name + organisation + municipality, so importing a file twice changes
//! nothing the second time.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::date::Day;
use crate::domain::facility::{Facility, FacilityDraft, OrganisationRef};
use crate::domain::organisation::OrganisationFields;
use crate::domain::provenance::{Actor, Change, Source, SourceKind};
use crate::error::{AppError, AppResult};
use crate::formats::columns::{read_row, Column, COLUMNS};
use crate::formats::table::{column_letter, read_table, Cell, FileError, Table};
use crate::geo::normalize_name;
use crate::storage::facilities::{natural_key, FacilityFilter};
use crate::storage::write::Writes;
use crate::storage::Store;

/// One problem in the file: where, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowIssue {
    /// Row number as a spreadsheet program shows it (the header is row 1).
    pub row: usize,
    /// `C (plaats)`: the column letter and its header, when one column is at fault.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "row {}, column {}: {}", self.row, column, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub organisations_created: Vec<String>,
    pub errors: Vec<RowIssue>,
    pub notes: Vec<String>,
}

impl ImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for note in &self.notes {
            writeln!(f, "{}: note: {note}", self.file)?;
        }
        for error in &self.errors {
            writeln!(f, "{}: {error}", self.file)?;
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
            writeln!(
                f,
                "{}: {} of {} rows have errors; nothing was written",
                self.file,
                self.errors
                    .iter()
                    .map(|e| e.row)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                self.rows
            )?;
        }
        if self.dry_run && self.errors.is_empty() {
            writeln!(f, "{}: dry run: nothing was written", self.file)?;
        }
        Ok(())
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
        ..ImportReport::default()
    };
    let table = match read_table(bytes) {
        Ok(table) => table,
        Err(FileError(message)) => {
            report.errors.push(RowIssue {
                row: 1,
                column: None,
                message,
            });
            return Ok(report);
        }
    };
    report.notes = table.notes.clone();
    report.rows = table.rows.len();
    let columns = map_headers(&table, &mut report.errors);

    let mut conn = store.pool().acquire().await?;
    let organisations = Store::organisation_ids_by_name(&mut conn).await?;
    drop(conn);
    let existing = store
        .list_facilities(&FacilityFilter {
            internal: crate::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await?;
    let by_id: HashMap<i64, &Facility> = existing.iter().map(|f| (f.id, f)).collect();
    let by_key: HashMap<String, &Facility> = existing
        .iter()
        .map(|f| {
            (
                natural_key(
                    &f.fields.name,
                    f.organisation_id,
                    &f.fields.municipality_code,
                ),
                f,
            )
        })
        .collect();

    let default_source = Source::new(SourceKind::Import, Some(options.file_name.clone()));
    let mut new_organisations: Vec<String> = Vec::new();
    let mut new_by_key: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut plan: Vec<Planned> = Vec::new();
    for row in &table.rows {
        let label = |column: Column| column_label(&table, &columns, column);
        let issue = |column: Option<String>, message: String| RowIssue {
            row: row.number,
            column,
            message,
        };
        if row.cells.len() > table.headers.len() {
            report.errors.push(issue(
                None,
                format!(
                    "has {} cells but the header has {} columns",
                    row.cells.len(),
                    table.headers.len()
                ),
            ));
            continue;
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
        let draft = match row_input.input.validate(&default_source, options.today) {
            Ok(draft) => draft,
            Err(field_errors) => {
                for e in field_errors {
                    let column = Column::for_field(&e.field).and_then(label);
                    let message = match column {
                        Some(_) => e.message,
                        None => e.to_string(),
                    };
                    report.errors.push(issue(column, message));
                }
                continue;
            }
        };
        if report.errors.len() > failed_before {
            continue;
        }
        let organisation = match &draft.organisation {
            OrganisationRef::Name(name) => {
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
            OrganisationRef::Id(id) => OrgTarget::Existing(*id),
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
        };
        let duplicate_key = match row_input.id {
            Some(id) => format!("id:{id}"),
            None => key.clone(),
        };
        if let Some(first) = seen.insert(duplicate_key, row.number) {
            report.errors.push(issue(
                None,
                format!("describes the same facility as row {first}"),
            ));
            continue;
        }
        let matched = match row_input.id {
            Some(id) => {
                match by_id.get(&id) {
                    Some(f) => Some(*f),
                    None => {
                        report.errors.push(issue(
                        label(Column::Id),
                        format!("facility {id} does not exist; leave id empty to add a new facility"),
                    ));
                        continue;
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
                    && OrgTarget::Existing(current.organisation_id) == organisation
                    && current.recorded.verified_on == draft.change.verified_on
                    && (!explicit_source || current.recorded.source == draft.change.source);
                if same {
                    report.unchanged += 1;
                    continue;
                }
                if let Some(message) = too_old(current, &draft.change, options.today) {
                    report
                        .errors
                        .push(issue(label(Column::VerifiedOn), message));
                    continue;
                }
                Action::Update(current.id)
            }
        };
        match action {
            Action::Create => report.created += 1,
            Action::Update(_) => report.updated += 1,
        }
        plan.push(Planned {
            action,
            organisation,
            draft,
        });
    }
    report.organisations_created = new_organisations.clone();
    if !report.errors.is_empty() || options.dry_run {
        return Ok(report);
    }

    let mut tx = store.begin_write(Writes::Register).await?;
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
            OrgTarget::Existing(id) => id,
            OrgTarget::New(i) => created_organisations[i],
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
                draft.change.effective_from = Some(effective_day(&draft.change, options.today));
                let current = Store::facility_in(&mut tx, id).await?.ok_or_else(|| {
                    AppError::Conflict(format!("facility {id} was removed while importing"))
                })?;
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

/// A changed row takes effect on the day its source verified it, or today.
fn effective_day(change: &Change, today: NaiveDate) -> Day {
    change
        .verified_on
        .or(change.effective_from)
        .unwrap_or_else(|| Day::clamped(today))
}

/// A row whose information is older than what the register already holds
/// cannot be recorded without rewriting history.
fn too_old(current: &Facility, change: &Change, today: NaiveDate) -> Option<String> {
    let effective = effective_day(change, today);
    let holds_from = current.validity.valid_from?;
    (effective < holds_from).then(|| {
        format!(
            "this row was verified on {effective}, but the register already holds newer information about this facility (from {holds_from}); use a later verified_on"
        )
    })
}

/// Maps each header to its column; unknown and repeated headers are errors
/// on row 1, and so are missing required columns.
fn map_headers(table: &Table, errors: &mut Vec<RowIssue>) -> Vec<Option<Column>> {
    let mut columns: Vec<Option<Column>> = Vec::new();
    for (index, header) in table.headers.iter().enumerate() {
        let letter = column_letter(index);
        let column = Column::from_header(header);
        match column {
            None if header.trim().is_empty() => errors.push(RowIssue {
                row: 1,
                column: Some(letter),
                message: "the column has no header".into(),
            }),
            None => errors.push(RowIssue {
                row: 1,
                column: Some(format!("{letter} ({header})")),
                message: format!(
                    "unknown column '{header}'; known columns: {}",
                    COLUMNS
                        .iter()
                        .map(|(_, name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
            Some(c) if columns.contains(&Some(c)) => errors.push(RowIssue {
                row: 1,
                column: Some(format!("{letter} ({header})")),
                message: format!("repeats the column '{}'", c.name()),
            }),
            Some(_) => {}
        }
        columns.push(column.filter(|c| !columns[..index].contains(&Some(*c))));
    }
    for required in [Column::Name, Column::Organisation, Column::Services] {
        if !columns.contains(&Some(required)) {
            errors.push(RowIssue {
                row: 1,
                column: None,
                message: format!("the required column '{}' is missing", required.name()),
            });
        }
    }
    let place_columns = [Column::City, Column::Municipality, Column::MunicipalityCode];
    if !place_columns.iter().any(|c| columns.contains(&Some(*c))) {
        errors.push(RowIssue {
            row: 1,
            column: None,
            message: "give a column 'city', 'municipality' or 'municipality_code'".into(),
        });
    }
    columns
}

/// `C (plaats)` for a column present in the file.
fn column_label(table: &Table, columns: &[Option<Column>], column: Column) -> Option<String> {
    let index = columns.iter().position(|c| *c == Some(column))?;
    Some(format!(
        "{} ({})",
        column_letter(index),
        table.headers[index]
    ))
}
