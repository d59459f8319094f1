//! Monthly figures from facilities' own systems: a CSV or XLSX file with
//! one row per facility per period (`facility_id`, or `naam` with
//! `gemeentecode`; `period`/`periode`; one column per metric code, or
//! their own names mapped to codes by a mapping file `their_column,
//! metric_code`; an optional `note`/`toelichting`). Checked as the form
//! checks a report (`domain::period_report`), then written all or nothing:
//! submitted, or approved with `approve` (national roles), with the file
//! as the source. Errors name file, row, column and reason; a file without
//! errors lists the reports it holds, on a dry run too, so a page can show
//! what "Importeren" would write (`/beheer/rapportages/import`).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Facility;
use crate::domain::geo::normalize_name;
use crate::domain::metric::{Metric, Period};
use crate::domain::period_report::{parse_value, warnings, ReportFacts, ReportStatus, ValueInput};
use crate::domain::personal::{Guard, Holds};
use crate::domain::provenance::Actor;
use crate::domain::Reason;
use crate::formats::table::{column_letter, read_table, Cell};
use crate::register::scope;
use crate::storage::audit::AuditEvent;
use crate::storage::facilities::FacilityFilter;
use crate::storage::write::Writes;
use crate::storage::Store;

/// How a file is imported.
pub struct ReportImportOptions<'a> {
    pub file_name: String,
    /// Their column name → metric code.
    pub mapping: Vec<(String, String)>,
    pub approve: bool,
    pub dry_run: bool,
    pub who: &'a Principal,
    pub actor: Actor,
    pub today: NaiveDate,
}

/// One refused cell or row: row 1 is the header.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError {
    pub row: usize,
    pub column: Option<String>,
    pub reason: Reason,
}

/// One report a file holds: what a clean file writes (or, on a dry run,
/// would write).
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub row: usize,
    pub facility_id: i64,
    pub facility_name: String,
    pub period: Period,
    /// How many values the row gives.
    pub values: usize,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone)]
pub struct ReportImportReport {
    pub file: String,
    pub rows: usize,
    /// Reports written (0 on a dry run or with errors).
    pub written: usize,
    pub dry_run: bool,
    pub errors: Vec<ImportError>,
    /// The reports of a file without errors, in file order (empty when it has errors).
    pub reports: Vec<FileReport>,
}

impl ReportImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

impl std::fmt::Display for ReportImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for e in &self.errors {
            match &e.column {
                Some(c) => writeln!(f, "{}: row {}, column {c}: {}", self.file, e.row, e.reason)?,
                None => writeln!(f, "{}: row {}: {}", self.file, e.row, e.reason)?,
            }
        }
        if self.errors.is_empty() {
            let verb = if self.dry_run { "would write" } else { "wrote" };
            let n = if self.dry_run {
                self.rows
            } else {
                self.written
            };
            writeln!(f, "{}: {verb} {n} reports", self.file)
        } else {
            writeln!(
                f,
                "{}: {} errors; nothing written",
                self.file,
                self.errors.len()
            )
        }
    }
}

/// Reads a mapping file: CSV lines `their_column,metric_code` (a header
/// line naming `metric_code` is skipped).
pub fn read_mapping(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut pairs = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", i + 1))?;
        let (Some(theirs), Some(code)) = (record.get(0), record.get(1)) else {
            return Err(format!("line {}: give their_column,metric_code", i + 1));
        };
        if code.trim() == "metric_code" {
            continue;
        }
        pairs.push((theirs.trim().to_string(), code.trim().to_string()));
    }
    Ok(pairs)
}

/// What a header names.
enum Column {
    FacilityId,
    Name,
    Municipality,
    Period,
    Note,
    Metric(String),
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.trim().to_string(),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Cell::Number(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Date(d) => d.format("%Y-%m").to_string(),
    }
}

/// A column as errors name it: its letter and header, `D (syringes_out)`;
/// a cell past the last header (a row longer than the header) by its
/// letter alone.
fn cell_label(headers: &[String], i: usize) -> String {
    match headers.get(i) {
        Some(header) => format!("{} ({})", column_letter(i), header.trim()),
        None => column_letter(i),
    }
}

/// One checked row, ready to write.
struct Row {
    number: usize,
    facility: Facility,
    period: Period,
    values: Vec<ValueInput>,
}

/// Checks a file and, unless it is a dry run or has errors, writes it.
pub async fn import_reports(
    store: &Store,
    bytes: &[u8],
    options: &ReportImportOptions<'_>,
) -> AppResult<ReportImportReport> {
    let mut report = ReportImportReport {
        file: options.file_name.clone(),
        rows: 0,
        written: 0,
        dry_run: options.dry_run,
        errors: Vec::new(),
        reports: Vec::new(),
    };
    let mut errors: Vec<ImportError> = Vec::new();
    fn refuse(errors: &mut Vec<ImportError>, row: usize, column: Option<&str>, reason: Reason) {
        errors.push(ImportError {
            row,
            column: column.map(str::to_string),
            reason,
        })
    }
    if options.approve && !options.who.may_manage_monitoring() {
        return Err(AppError::Forbidden(format!(
            "your role ({}) may not approve reports; import without --approve",
            options.who.role
        )));
    }
    let table = match read_table(bytes) {
        Ok(t) => t,
        Err(e) => {
            refuse(&mut errors, 0, None, e.0);
            report.errors = errors;
            return Ok(report);
        }
    };
    // No data about persons: a column named like personal data refuses the
    // file as a whole; every cell is checked below (a note may not carry an
    // e-mail address, a BSN, a phone number or a date of birth).
    let label = |i: usize| format!("{} ({})", column_letter(i), table.headers[i].trim());
    let periods = [("period", Holds::Date), ("periode", Holds::Date)];
    let guard = match Guard::for_header(&table.headers, &periods, label) {
        Ok(guard) => guard,
        Err(found) => {
            for f in found {
                refuse(&mut errors, 1, Some(&label(f.column)), f.reason);
            }
            report.errors = errors;
            return Ok(report);
        }
    };
    let catalogue: Vec<Metric> = store.metrics().await?;
    let mapped: HashMap<String, String> = options
        .mapping
        .iter()
        .map(|(theirs, code)| (theirs.trim().to_lowercase(), code.clone()))
        .collect();
    let mut columns = Vec::with_capacity(table.headers.len());
    for (i, header) in table.headers.iter().enumerate() {
        let name = header.trim().to_lowercase();
        let column = match name.as_str() {
            "facility_id" | "voorziening_id" | "voorziening" => Column::FacilityId,
            "naam" | "name" => Column::Name,
            "gemeentecode" | "municipality_code" => Column::Municipality,
            "period" | "periode" => Column::Period,
            "note" | "toelichting" => Column::Note,
            other => {
                let code = mapped
                    .get(other)
                    .cloned()
                    .unwrap_or_else(|| other.to_string());
                if !catalogue.iter().any(|m| m.code.as_str() == code) {
                    let letter = format!("{} ({header})", column_letter(i));
                    refuse(
                        &mut errors,
                        1,
                        Some(&letter),
                        Reason::of("error.metric_unknown", &[("value", code.clone())]),
                    );
                }
                Column::Metric(code)
            }
        };
        columns.push(column);
    }
    let has = |f: fn(&Column) -> bool| columns.iter().any(f);
    if !has(|c| matches!(c, Column::Period)) {
        refuse(
            &mut errors,
            1,
            Some("period"),
            Reason::of("error.required", &[]),
        );
    }
    let by_id = has(|c| matches!(c, Column::FacilityId));
    let by_name = has(|c| matches!(c, Column::Name)) && has(|c| matches!(c, Column::Municipality));
    if !(by_id || by_name) {
        refuse(
            &mut errors,
            1,
            Some("facility_id"),
            Reason::of("error.required", &[]),
        );
    }
    if !errors.is_empty() {
        report.errors = errors;
        return Ok(report);
    }
    let everyone = store
        .list_facilities(&FacilityFilter {
            internal: crate::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await?;
    let by_name: HashMap<(String, String), &Facility> = everyone
        .iter()
        .map(|f| {
            (
                (
                    normalize_name(&f.fields.name),
                    f.fields.municipality_code.clone(),
                ),
                f,
            )
        })
        .collect();
    let mut seen: HashSet<(i64, Period)> = HashSet::new();
    let mut rows: Vec<Row> = Vec::new();
    for row in &table.rows {
        report.rows += 1;
        let n = row.number;
        let at = |i: usize| cell_label(&table.headers, i);
        let texts: Vec<Option<String>> = row
            .cells
            .iter()
            .map(|c| Some(cell_text(c)).filter(|t| !t.is_empty()))
            .collect();
        let personal = guard.check_row(n, &texts);
        if !personal.is_empty() {
            for f in personal {
                refuse(&mut errors, n, Some(&at(f.column)), f.reason);
            }
            continue;
        }
        let get = |wanted: fn(&Column) -> bool| {
            columns
                .iter()
                .position(wanted)
                .map(|i| (i, cell_text(row.cells.get(i).unwrap_or(&Cell::Empty))))
        };
        let facility = match get(|c| matches!(c, Column::FacilityId)) {
            Some((i, text)) if !text.is_empty() => {
                match text
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| everyone.iter().find(|f| f.id == id))
                {
                    Some(f) => Some(f),
                    None => {
                        refuse(
                            &mut errors,
                            n,
                            Some(&at(i)),
                            Reason::of("error.tally_facility", &[("id", text)]),
                        );
                        continue;
                    }
                }
            }
            _ => None,
        };
        let facility = match facility {
            Some(f) => f,
            None => {
                let name = get(|c| matches!(c, Column::Name))
                    .map(|(_, t)| t)
                    .unwrap_or_default();
                let code = get(|c| matches!(c, Column::Municipality))
                    .map(|(_, t)| t)
                    .unwrap_or_default();
                match by_name.get(&(normalize_name(&name), code.trim().to_uppercase())) {
                    Some(f) => f,
                    None => {
                        refuse(
                            &mut errors,
                            n,
                            Some("naam"),
                            Reason::of(
                                "error.report_facility_unknown",
                                &[("name", name), ("code", code)],
                            ),
                        );
                        continue;
                    }
                }
            }
        };
        if !options.who.may_report_for(scope(facility)) {
            refuse(
                &mut errors,
                n,
                Some("facility_id"),
                Reason::of("error.tally_facility", &[("id", facility.id.to_string())]),
            );
            continue;
        }
        let (pi, period_text) = get(|c| matches!(c, Column::Period)).expect("checked above");
        let period = match Period::parse(&period_text) {
            Ok(p) => p,
            Err(reason) => {
                refuse(&mut errors, n, Some(&at(pi)), reason);
                continue;
            }
        };
        if !seen.insert((facility.id, period)) {
            refuse(
                &mut errors,
                n,
                None,
                Reason::of(
                    "error.report_duplicate_row",
                    &[
                        ("id", facility.id.to_string()),
                        ("period", period.to_string()),
                    ],
                ),
            );
            continue;
        }
        let facts = ReportFacts::of(facility, &catalogue, options.today);
        if let Err(reason) = facts.check_period(period) {
            refuse(&mut errors, n, Some(&at(pi)), reason);
            continue;
        }
        let note = get(|c| matches!(c, Column::Note))
            .map(|(_, t)| t)
            .filter(|t| !t.is_empty());
        let mut values = Vec::new();
        let mut numbers: BTreeMap<String, i64> = BTreeMap::new();
        let mut metric_column: HashMap<String, String> = HashMap::new();
        for (i, column) in columns.iter().enumerate() {
            let Column::Metric(code) = column else {
                continue;
            };
            let text = cell_text(row.cells.get(i).unwrap_or(&Cell::Empty));
            match parse_value(&text) {
                Ok(None) => {}
                Ok(Some(v)) => {
                    let input = ValueInput {
                        metric: code.clone(),
                        value: Some(v),
                        note: note.clone(),
                    };
                    match facts.check_value(&input) {
                        Ok(()) => {
                            numbers.insert(code.clone(), v);
                            metric_column.insert(code.clone(), at(i));
                            values.push(input);
                        }
                        Err(e) => refuse(&mut errors, n, Some(&at(i)), e.reason),
                    }
                }
                Err(reason) => refuse(&mut errors, n, Some(&at(i)), reason),
            }
        }
        if let Some(existing) = store.period_report(facility.id, period).await? {
            if !existing.status.editable() {
                refuse(
                    &mut errors,
                    n,
                    Some(&at(pi)),
                    Reason::of("error.report_locked", &[("period", period.to_string())]),
                );
                continue;
            }
        }
        if note.is_none() {
            let history = history(store, facility.id, period).await?;
            for w in warnings(&numbers, &history) {
                let column = metric_column.get(&w.metric).cloned();
                refuse(&mut errors, n, column.as_deref(), w.reason);
            }
        }
        rows.push(Row {
            number: n,
            facility: facility.clone(),
            period,
            values,
        });
    }
    if !errors.is_empty() {
        report.errors = errors;
        return Ok(report);
    }
    report.reports = rows
        .iter()
        .map(|r| FileReport {
            row: r.number,
            facility_id: r.facility.id,
            facility_name: r.facility.fields.name.clone(),
            period: r.period,
            values: r.values.len(),
        })
        .collect();
    if options.dry_run {
        return Ok(report);
    }
    let source = format!("file: {}", options.file_name);
    let actor = &options.actor;
    let mut tx = store.begin_write(Writes::Audit).await?;
    for row in &rows {
        let id =
            Store::ensure_period_report(&mut tx, row.facility.id, row.period, &source, &actor.name)
                .await?;
        for v in &row.values {
            Store::set_report_value(
                &mut tx,
                id,
                &v.metric,
                v.value,
                v.note.as_deref(),
                &actor.name,
            )
            .await?;
        }
        Store::set_report_status(
            &mut tx,
            id,
            ReportStatus::Submitted,
            &actor.name,
            None,
            Some(&source),
        )
        .await?;
        if options.approve {
            Store::set_report_status(&mut tx, id, ReportStatus::Approved, &actor.name, None, None)
                .await?;
        }
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("import", actor, "period_report")
            .object(options.file_name.as_str())
            .detail(format!(
                "{} reports {}",
                rows.len(),
                if options.approve {
                    "approved"
                } else {
                    "submitted"
                }
            )),
    )
    .await?;
    tx.commit().await?;
    report.written = rows.len();
    Ok(report)
}

async fn history(
    store: &Store,
    facility_id: i64,
    period: Period,
) -> AppResult<BTreeMap<String, Vec<i64>>> {
    let mut found: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (p, metric, value) in store.report_history(facility_id).await? {
        if p.kind() == period.kind() && p < period {
            let list = found.entry(metric).or_default();
            if list.len() < crate::domain::period_report::HISTORY_PERIODS {
                list.push(value);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn personal_data_past_the_last_header_is_refused_naming_its_column() {
        // Found by fuzzing (fuzz/fuzz_targets/report_csv.rs): a row longer
        // than the header, with personal data in the extra cell, made the
        // import panic instead of refusing the cell.
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite:{}", dir.path().join("register.db").display());
        let store = Store::connect(&database).await.unwrap();
        let who = Principal::command_line("cli:test");
        let options = ReportImportOptions {
            file_name: "maand.csv".into(),
            mapping: Vec::new(),
            approve: false,
            dry_run: true,
            who: &who,
            actor: Actor::named("cli:test"),
            today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        };
        let csv = "facility_id,period,syringes_out\n1,2026-03,100,jan@example.org\n";
        let report = import_reports(&store, csv.as_bytes(), &options)
            .await
            .unwrap();
        let refused: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(refused, [(2, Some("D"))], "{report}");
        assert_eq!(cell_label(&["a".to_string()], 0), "A (a)");
    }
}
