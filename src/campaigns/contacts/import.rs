//! Importing contacts from a spreadsheet (CSV or XLSX) with the columns of
//! `formats::contacts`. Rows match contacts by e-mail address (compared
//! lower-cased): a row whose address is known updates that contact's name,
//! function, phone and organisation, so importing a file twice changes
//! nothing the second time; the contact's opt-out is never changed by a
//! file. The organisation is matched by name as the facility import
//! matches it, and must exist: contacts never create organisations.
//!
//! A dry run reports what would be added, changed, left unchanged and
//! refused (row, column, reason); a real run writes all rows in one
//! transaction, or nothing when any row is refused.
//!
//! The personal-data guard runs as in every import, except that the
//! e-mail column may hold e-mail addresses and the phone column phone
//! numbers (the contact's work address and number); a BSN or a date of
//! birth is refused everywhere.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::contact::{Contact, ContactDraft, ContactInput, EmailAddress};
use crate::domain::error::AppResult;
use crate::domain::geo::normalize_name;
use crate::domain::personal::Guard;
use crate::domain::provenance::Actor;
use crate::domain::{required, Reason};
use crate::formats::contacts::{
    allowed_personal, ContactColumn, CONTACT_COLUMNS, REQUIRED_CONTACT_COLUMNS,
};
use crate::formats::table::{cell_text, column_letter, FileError, Spreadsheet};
use crate::formats::RowIssue;
use crate::storage::audit::AuditEvent;
use crate::storage::contacts::ContactFilter;
use crate::storage::write::{retrying, Writes};
use crate::storage::Store;

/// A row as a report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedContact {
    pub row: usize,
    /// The name the row gives (empty when none).
    pub name: String,
    /// The contact a changed or unchanged row matches.
    pub contact_id: Option<i64>,
    /// What a changed row changes (field names: organisation_id, name, role, email, phone).
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactImportReport {
    pub file: String,
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
    /// Rows read after the header (blank rows not counted).
    pub rows: usize,
    pub header_row: usize,
    /// The file could not be read to its end; the last error says why.
    pub unreadable: bool,
    pub added: Vec<ListedContact>,
    pub changed: Vec<ListedContact>,
    pub unchanged: Vec<ListedContact>,
    /// Rows refused; their reasons are in `errors`.
    pub refused: Vec<ListedContact>,
    /// Every error, in the order of the file.
    pub errors: Vec<RowIssue>,
    pub notes: Vec<String>,
}

impl ContactImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The name a refused row gives.
    pub fn refused_name(&self, row: usize) -> Option<&str> {
        self.refused
            .iter()
            .find(|r| r.row == row)
            .map(|r| r.name.as_str())
    }
}

impl fmt::Display for ContactImportReport {
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
                "{}: {} rows: {} {verb}added, {} {verb}changed, {} unchanged",
                self.file,
                self.rows,
                self.added.len(),
                self.changed.len(),
                self.unchanged.len()
            )?;
            if self.dry_run {
                writeln!(f, "{}: dry run: nothing was written", self.file)?;
            }
        } else if self.unreadable {
            writeln!(
                f,
                "{}: the file cannot be read; nothing was written",
                self.file
            )?;
        } else {
            writeln!(
                f,
                "{}: {} of {} rows refused; nothing was written",
                self.file,
                self.refused.len(),
                self.rows
            )?;
        }
        Ok(())
    }
}

pub struct ContactImportOptions {
    pub dry_run: bool,
    pub actor: Actor,
    /// The file's name, for messages and the audit log.
    pub file_name: String,
    pub today: NaiveDate,
}

enum Action {
    Add,
    Change(Contact),
}

/// Imports the bytes of a spreadsheet of contacts. Importing is national
/// work: the caller checks the right to (`Principal::may_manage_register`).
pub async fn import_contacts(
    store: &Store,
    bytes: &[u8],
    options: &ContactImportOptions,
) -> AppResult<ContactImportReport> {
    let mut report = ContactImportReport {
        file: options.file_name.clone(),
        dry_run: options.dry_run,
        header_row: 1,
        ..ContactImportReport::default()
    };
    let unreadable = |report: &mut ContactImportReport, FileError(reason)| {
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
    let label = |i: usize| format!("{} ({})", column_letter(i), headers[i]);
    let guard = match Guard::for_header(&headers, &allowed_personal(), label) {
        Ok(guard) => guard,
        Err(found) => {
            for f in found {
                report.errors.push(RowIssue::new(
                    rows.header_row,
                    Some(label(f.column)),
                    f.reason,
                ));
            }
            return Ok(report);
        }
    };
    let columns = map_headers(&headers, rows.header_row, &mut report.errors);
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let column_label =
        |column: ContactColumn| columns.iter().position(|c| *c == Some(column)).map(&label);

    let organisations = store.organisations_by_name().await?;
    let existing: HashMap<String, Contact> = store
        .list_contacts(ContactFilter::default())
        .await?
        .into_iter()
        .filter_map(|c| Some((c.person.as_ref()?.email.key(), c)))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut plan: Vec<(Action, ContactDraft)> = Vec::new();
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                unreadable(&mut report, e);
                break;
            }
        };
        report.rows += 1;
        let texts: Vec<Option<String>> = row.cells.iter().map(cell_text).collect();
        let cell = |column: ContactColumn| -> Option<String> {
            let index = columns.iter().position(|c| *c == Some(column))?;
            texts.get(index).cloned().flatten()
        };
        let name = cell(ContactColumn::Name).unwrap_or_default();
        let errors_before = report.errors.len();
        let issue =
            |column: Option<String>, reason: Reason| RowIssue::new(row.number, column, reason);
        'row: {
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
            // The guard first, and alone: its reasons never repeat the value.
            let found = guard.check_row(row.number, &texts);
            if !found.is_empty() {
                for f in found {
                    report.errors.push(issue(Some(label(f.column)), f.reason));
                }
                break 'row;
            }
            let organisation_id = match cell(ContactColumn::Organisation) {
                None => {
                    report
                        .errors
                        .push(issue(column_label(ContactColumn::Organisation), required()));
                    None
                }
                Some(text) => match organisations.get(&normalize_name(&text)) {
                    Some(id) => Some(*id),
                    None => {
                        report.errors.push(issue(
                            column_label(ContactColumn::Organisation),
                            Reason::of("contacts.import.error.no_organisation", &[("name", text)]),
                        ));
                        None
                    }
                },
            };
            let email = cell(ContactColumn::Email);
            let known = email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok())
                .and_then(|e| existing.get(&e.key()));
            let input = ContactInput {
                // A placeholder when the organisation is refused above, so
                // the other fields are still checked.
                organisation_id: Some(organisation_id.unwrap_or(0)),
                name: cell(ContactColumn::Name),
                role: cell(ContactColumn::Role),
                email,
                phone: cell(ContactColumn::Phone),
                // A file says nothing about opting out: the contact's stays.
                opt_out: Some(known.is_some_and(|c| c.opted_out_on.is_some())),
            };
            let draft = match input.validate() {
                Ok(draft) => draft,
                Err(field_errors) => {
                    for e in field_errors {
                        let column = ContactColumn::for_field(&e.field).and_then(column_label);
                        let reason = match column {
                            Some(_) => e.reason,
                            None => e.named(),
                        };
                        report.errors.push(issue(column, reason));
                    }
                    break 'row;
                }
            };
            if report.errors.len() > errors_before {
                break 'row;
            }
            let key = draft.person.email.key();
            if let Some(first) = seen.insert(key, row.number) {
                report.errors.push(issue(
                    column_label(ContactColumn::Email),
                    Reason::of(
                        "contacts.import.error.same_email",
                        &[
                            ("first", first.to_string()),
                            ("row", row.number.to_string()),
                        ],
                    ),
                ));
                break 'row;
            }
            let listed = |contact_id, fields| ListedContact {
                row: row.number,
                name: name.clone(),
                contact_id,
                fields,
            };
            match known {
                None => {
                    report.added.push(listed(None, Vec::new()));
                    plan.push((Action::Add, draft));
                }
                Some(current) => {
                    let fields = current.changed_fields(&draft);
                    if fields.is_empty() {
                        report.unchanged.push(listed(Some(current.id), Vec::new()));
                    } else {
                        report.changed.push(listed(Some(current.id), fields));
                        plan.push((Action::Change(current.clone()), draft));
                    }
                }
            }
        }
        if report.errors.len() > errors_before {
            report.refused.push(ListedContact {
                row: row.number,
                name,
                contact_id: None,
                fields: Vec::new(),
            });
        }
    }
    drop(sheet);
    if !report.errors.is_empty() || options.dry_run {
        // The check compared the file with the stored contacts and says
        // which of them it would change: a read of contacts.
        store
            .audit(
                &AuditEvent::new("read", &options.actor, "contact").detail(format!(
                    "import check of {}: {} rows compared with {} contacts",
                    options.file_name,
                    report.rows,
                    existing.len()
                )),
            )
            .await?;
        return Ok(report);
    }
    let (added, changed) = (report.added.len(), report.changed.len());
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        for (action, draft) in &plan {
            match action {
                Action::Add => {
                    super::insert(&mut tx, draft, &options.actor, options.today).await?;
                }
                Action::Change(current) => {
                    super::overwrite(&mut tx, current, draft, &options.actor, options.today)
                        .await?;
                }
            }
        }
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("import", &options.actor, "contact").detail(format!(
                "{}: {added} added, {changed} changed",
                options.file_name
            )),
        )
        .await?;
        tx.commit().await?;
        Ok::<(), crate::domain::error::AppError>(())
    })
    .await?;
    report.written = true;
    Ok(report)
}

/// Maps each header to its column; unknown and repeated headers are errors
/// on the header's row, and so are missing required columns.
fn map_headers(
    headers: &[String],
    row: usize,
    errors: &mut Vec<RowIssue>,
) -> Vec<Option<ContactColumn>> {
    let mut columns: Vec<Option<ContactColumn>> = Vec::new();
    let known = || {
        CONTACT_COLUMNS
            .iter()
            .map(|(_, en, nl, _)| format!("{en}/{nl}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (index, header) in headers.iter().enumerate() {
        let letter = column_letter(index);
        let column = ContactColumn::from_header(header);
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
                    &[("header", header.clone()), ("known", known())],
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
    for required in REQUIRED_CONTACT_COLUMNS {
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
    columns
}
