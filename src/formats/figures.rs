//! The published-figures file (`data/published_figures.csv`) as it is:
//! columns `key, scope, period, value, qualifier, unit, source, note` and
//! optionally `source_nl` (the source in Dutch, for Dutch pages), in
//! any order; CSV or XLSX. Every row becomes a [`PublishedFigure`] or
//! precise errors (row, column, reason).

use super::RowIssue;
use crate::domain::figure::{FigureQualifier, FigureValue, PublishedFigure};
use crate::domain::personal::{Guard, Holds};
use crate::domain::Reason;
use crate::formats::table::{cell_text, column_letter, read_table, FileError, Table};

pub const COLUMNS: [&str; 9] = [
    "key",
    "scope",
    "period",
    "value",
    "qualifier",
    "unit",
    "source",
    "note",
    "source_nl",
];
const REQUIRED: [&str; 5] = ["key", "scope", "period", "qualifier", "source"];

/// The figures of a file, each with its row number, or every problem found.
pub fn read_figures(bytes: &[u8]) -> Result<Vec<(usize, PublishedFigure)>, Vec<RowIssue>> {
    let table =
        read_table(bytes).map_err(|FileError(reason)| vec![RowIssue::new(1, None, reason)])?;
    check_personal(&table)?;
    let position = |name: &str| {
        table
            .headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| position(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowIssue::new(
            1,
            None,
            Reason::Plain(format!(
                "the header lacks the column(s) {}; expected {}",
                missing.join(", "),
                COLUMNS.join(", ")
            )),
        )]);
    }
    let mut figures = Vec::new();
    let mut issues = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for row in &table.rows {
        let cell = |name: &str| -> String {
            position(name)
                .and_then(|i| row.cells.get(i))
                .and_then(cell_text)
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        let column = |name: &str| position(name).map(|i| format!("{} ({name})", column_letter(i)));
        let issue = |name: &str, message: String| {
            RowIssue::new(row.number, column(name), Reason::Plain(message))
        };
        let value = match FigureValue::parse(&cell("value")) {
            Ok(value) => value,
            Err(message) => {
                issues.push(issue("value", message));
                continue;
            }
        };
        let qualifier = match FigureQualifier::parse(&cell("qualifier")) {
            Some(q) => q,
            None => {
                issues.push(issue(
                    "qualifier",
                    format!(
                        "'{}' is not a qualifier; use exact, at_least, approx, unknown or range",
                        cell("qualifier")
                    ),
                ));
                continue;
            }
        };
        let optional = |name: &str| Some(cell(name)).filter(|t| !t.is_empty());
        let figure = PublishedFigure {
            key: cell("key"),
            scope: cell("scope"),
            period: cell("period"),
            value,
            qualifier,
            unit: optional("unit"),
            source: cell("source"),
            source_nl: optional("source_nl"),
            note: optional("note"),
        };
        if let Err((name, message)) = figure.check() {
            issues.push(issue(name, message));
            continue;
        }
        let id = (
            figure.key.clone(),
            figure.scope.clone(),
            figure.period.clone(),
        );
        if let Some(first) = seen.insert(id, row.number) {
            issues.push(issue(
                "period",
                format!("row {first} has the same key, scope and period; a figure may stand once"),
            ));
            continue;
        }
        figures.push((row.number, figure));
    }
    if issues.is_empty() {
        Ok(figures)
    } else {
        Err(issues)
    }
}

/// personal-data guard: the whole file is refused when its header or any
/// row holds data about persons (domain::personal). The period may be a
/// date; no column holds a phone number or an address.
fn check_personal(table: &Table) -> Result<(), Vec<RowIssue>> {
    let label = |i: usize| format!("{} ({})", column_letter(i), table.headers[i]);
    let issue = |row: usize, f: crate::domain::personal::Found| {
        RowIssue::new(row, Some(label(f.column)), f.reason)
    };
    let guard = Guard::for_header(&table.headers, &[("period", Holds::Date)], label)
        .map_err(|found| found.into_iter().map(|f| issue(1, f)).collect::<Vec<_>>())?;
    let found: Vec<RowIssue> = table
        .rows
        .iter()
        .flat_map(|row| {
            let texts: Vec<Option<String>> = row.cells.iter().map(cell_text).collect();
            guard
                .check_row(row.number, &texts)
                .into_iter()
                .map(|f| issue(row.number, f))
                .collect::<Vec<_>>()
        })
        .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_file_reads_as_it_is() {
        let figures = read_figures(include_bytes!("../../data/published_figures.csv")).unwrap();
        assert!(figures.len() > 40);
        let (_, mhu) = figures
            .iter()
            .find(|(_, f)| f.key == "medical_heroin_units.usual_places")
            .unwrap();
        assert_eq!(mhu.qualifier, FigureQualifier::Range);
        let (_, methadone) = figures
            .iter()
            .find(|(_, f)| f.key == "methadone_clinics.locations")
            .unwrap();
        assert_eq!(methadone.value, FigureValue::None);
    }

    #[test]
    fn a_bad_row_is_named_by_row_and_column() {
        let text = "key,scope,period,value,qualifier,unit,source,note\n\
                    a.locations,NL,2010,37,exact,locations,Trimbos,\n\
                    a.locations,NL,2011,veel,exact,locations,Trimbos,\n\
                    a.locations,NL,2012,3,misschien,locations,Trimbos,\n";
        let issues = read_figures(text.as_bytes()).unwrap_err();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].row, 3);
        assert_eq!(issues[0].column.as_deref(), Some("D (value)"));
        assert_eq!(issues[1].row, 4);
        assert_eq!(issues[1].column.as_deref(), Some("E (qualifier)"));
    }
}
