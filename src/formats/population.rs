//! Municipal populations as CBS publishes them, one municipality a row:
//! columns `cbs_code, name, population, reference_date, source` or in
//! Dutch `gemeentecode, naam, inwoners, peildatum, bron`, in any order
//! (`name` is optional and informative only: the code decides). CSV
//! (UTF-8 with or without BOM, Windows-1252; `,`, `;` or tab) or XLSX,
//! read by `formats::table`. Every row becomes a [`MunicipalPopulation`]
//! or precise errors (row, column, reason); other columns are ignored.

use super::RowIssue;
use crate::domain::personal::{Guard, Holds};
use crate::domain::population::{
    other_name, parse_code, parse_inhabitants, parse_reference_date, parse_source,
    MunicipalPopulation,
};
use crate::domain::Reason;
use crate::formats::table::{cell_text, column_letter, read_table, FileError, Table};

/// The columns, each with its English and Dutch name.
const COLUMNS: [(&str, &str); 5] = [
    ("cbs_code", "gemeentecode"),
    ("name", "naam"),
    ("population", "inwoners"),
    ("reference_date", "peildatum"),
    ("source", "bron"),
];
const CODE: usize = 0;
const NAME: usize = 1;
const POPULATION: usize = 2;
const DATE: usize = 3;
const SOURCE: usize = 4;

/// One good row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    /// The row number as a spreadsheet program shows it (the header is 1).
    pub row: usize,
    pub population: MunicipalPopulation,
    /// The reference list's name when the file names the municipality
    /// otherwise (informative: the code decides).
    pub other_name: Option<(String, String)>,
}

/// The populations of a file, or every problem found.
pub fn read_population(bytes: &[u8]) -> Result<Vec<PopulationRow>, Vec<RowIssue>> {
    let table =
        read_table(bytes).map_err(|FileError(reason)| vec![RowIssue::new(1, None, reason)])?;
    check_personal(&table)?;
    let places = columns(&table.headers)?;
    let label = |c: usize| {
        places[c].map_or_else(
            || COLUMNS[c].0.to_string(),
            |i| format!("{} ({})", column_letter(i), table.headers[i].trim()),
        )
    };
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for row in &table.rows {
        let cell = |c: usize| -> String {
            places[c]
                .and_then(|i| row.cells.get(i))
                .and_then(cell_text)
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        let before = issues.len();
        let mut check = |c: usize, reason: Reason| {
            issues.push(RowIssue::new(row.number, Some(label(c)), reason));
        };
        let required = |c: usize| {
            let text = cell(c);
            if text.is_empty() {
                Err(Reason::of("error.required", &[]))
            } else {
                Ok(text)
            }
        };
        let municipality = required(CODE)
            .and_then(|t| parse_code(&t))
            .map_err(|r| check(CODE, r))
            .ok();
        let inhabitants = required(POPULATION)
            .and_then(|t| parse_inhabitants(&t))
            .map_err(|r| check(POPULATION, r))
            .ok();
        let reference_date = required(DATE)
            .and_then(|t| parse_reference_date(&t))
            .map_err(|r| check(DATE, r))
            .ok();
        let source = parse_source(&cell(SOURCE))
            .map_err(|r| check(SOURCE, r))
            .ok();
        if let Some(m) = municipality {
            if let Some(first) = seen.insert(m.code.clone(), row.number) {
                check(
                    CODE,
                    Reason::of(
                        "import.error.same_municipality",
                        &[("row", first.to_string()), ("code", m.code.clone())],
                    ),
                );
            }
        }
        if issues.len() > before {
            continue;
        }
        let (Some(municipality), Some(inhabitants), Some(reference_date), Some(source)) =
            (municipality, inhabitants, reference_date, source)
        else {
            continue;
        };
        let given = cell(NAME);
        rows.push(PopulationRow {
            row: row.number,
            other_name: other_name(municipality, &given).map(|o| (given.clone(), o.to_string())),
            population: MunicipalPopulation {
                municipality,
                inhabitants,
                reference_date,
                source,
            },
        });
    }
    if issues.is_empty() {
        Ok(rows)
    } else {
        Err(issues)
    }
}

/// Where each of [`COLUMNS`] is in the header; a required column that is
/// missing, or one given twice, is an error on row 1.
fn columns(headers: &[String]) -> Result<[Option<usize>; 5], Vec<RowIssue>> {
    let mut places: [Option<usize>; 5] = [None; 5];
    let mut issues = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let key = header.trim().trim_start_matches('\u{feff}').to_lowercase();
        let Some(c) = COLUMNS.iter().position(|(en, nl)| key == *en || key == *nl) else {
            continue;
        };
        if places[c].is_some() {
            issues.push(RowIssue::new(
                1,
                Some(format!("{} ({})", column_letter(i), header.trim())),
                Reason::of(
                    "import.error.repeated_column",
                    &[("column", header.trim().to_string())],
                ),
            ));
        } else {
            places[c] = Some(i);
        }
    }
    for c in [CODE, POPULATION, DATE, SOURCE] {
        if places[c].is_none() {
            let (en, nl) = COLUMNS[c];
            issues.push(RowIssue::new(
                1,
                Some(en.to_string()),
                Reason::of(
                    "import.error.required_column",
                    &[("column", format!("{en} ({nl})"))],
                ),
            ));
        }
    }
    if issues.is_empty() {
        Ok(places)
    } else {
        Err(issues)
    }
}

/// The personal-data guard every import passes: the reference date is a
/// date that is no birthday; nothing else may hold a date, a phone number,
/// an e-mail address or a BSN.
fn check_personal(table: &Table) -> Result<(), Vec<RowIssue>> {
    let label = |i: usize| format!("{} ({})", column_letter(i), table.headers[i]);
    let issue = |row: usize, f: crate::domain::personal::Found| {
        RowIssue::new(row, Some(label(f.column)), f.reason)
    };
    let dates = [("reference_date", Holds::Date), ("peildatum", Holds::Date)];
    let guard = Guard::for_header(&table.headers, &dates, label)
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

    const SOURCE_TEXT: &str = "CBS StatLine 70072NED";

    #[test]
    fn english_columns_with_a_bom_read_as_populations() {
        let text = format!(
            "\u{feff}cbs_code,name,population,reference_date,source\n\
             GM0363,Amsterdam,931298,2024-01-01,{SOURCE_TEXT}\n\
             GM0518,'s-Gravenhage,566221,2024-01-01,{SOURCE_TEXT}\n"
        );
        let rows = read_population(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].population.municipality.code, "GM0363");
        assert_eq!(rows[0].population.inhabitants, 931_298);
        assert_eq!(rows[0].other_name, None);
        assert_eq!(
            rows[1].other_name,
            Some(("'s-Gravenhage".to_string(), "Den Haag".to_string()))
        );
    }

    #[test]
    fn dutch_columns_with_semicolons_and_no_name_are_read() {
        let text = "bron;peildatum;inwoners;gemeentecode\nCBS;01-01-2024;972;0088\n";
        let rows = read_population(text.as_bytes()).unwrap();
        assert_eq!(rows[0].population.municipality.name, "Schiermonnikoog");
        assert_eq!(rows[0].population.figure().period, "2024");
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let text = "cbs_code,name,population,reference_date,source\n\
                    GM0363,Amsterdam,931298,2024-01-01,CBS\n\
                    GM9999,Nergens,10,2024-01-01,CBS\n\
                    GM0344,Utrecht,-3,2024-13-01,CBS\n\
                    0363,Amsterdam,1,2024-01-01,\n";
        let issues = read_population(text.as_bytes()).unwrap_err();
        let found: Vec<(usize, &str)> = issues
            .iter()
            .map(|i| (i.row, i.column.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                (3, "A (cbs_code)"),
                (4, "C (population)"),
                (4, "D (reference_date)"),
                (5, "E (source)"),
                (5, "A (cbs_code)"),
            ]
        );
        assert!(issues[0].message.contains("GM9999"), "{}", issues[0]);
        assert!(issues[1].message.contains("negative"), "{}", issues[1]);
        assert!(issues[4].message.contains("row 2"), "{}", issues[4]);
    }

    #[test]
    fn a_missing_column_is_named_on_the_header_row() {
        let issues =
            read_population(b"gemeentecode,naam,peildatum,bron\nGM0363,A,2024-01-01,CBS\n")
                .unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].row, 1);
        assert!(
            issues[0].message.contains("population (inwoners)"),
            "{}",
            issues[0]
        );
    }

    #[test]
    fn the_shared_cbs_file_reads_whole() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/nl/municipality_population.csv"
        );
        let Ok(bytes) = std::fs::read(path) else {
            panic!("{path} is missing: the tests read the shared CBS file from there");
        };
        let rows = read_population(&bytes).unwrap();
        assert_eq!(rows.len(), 342);
        let total: u64 = rows.iter().map(|r| r.population.inhabitants).sum();
        assert_eq!(total, 17_942_942);
    }
}
