//! The one CSV writer. Every CSV file vangnet writes (open data, the staff
//! export, the audit log, the change list and the spread, Table 1, the
//! errors of an import) goes through [`CsvWriter`], so that no cell can run
//! as a formula when the file is opened in a spreadsheet program (OWASP
//! "CSV injection"): a text cell that starts with `=`, `+`, `-`, `@`, a tab
//! or a carriage return gets a leading apostrophe ([`inert`]). Plain
//! numbers such as `-3.5` are no formula and stay numbers.
//!
//! The facility importer undoes exactly that apostrophe ([`restore`]), so
//! an exported file imports back to the original text. The rule is made
//! reversible by also marking text that already starts with an apostrophe
//! followed by something that would be marked (`'=x` is written `''=x`):
//! then `restore(inert(s)) == s` for every text, and a text that was never
//! marked is never changed on reading. Only CSV is read this way: XLSX
//! cells carry their type, and vangnet writes text there as text.

use std::borrow::Cow;

use super::columns::{export_columns, facility_cells, ExportScope};
use super::table::cell_text;
use crate::domain::facility::Facility;

/// A CSV file being written: a header row, then rows of text cells.
pub struct CsvWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        CsvWriter::new()
    }
}

impl CsvWriter {
    pub fn new() -> CsvWriter {
        CsvWriter {
            writer: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// Writes one row (the header is the first); every cell is made [`inert`].
    pub fn row<I, S>(&mut self, cells: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<S> = cells.into_iter().collect();
        self.writer
            .write_record(cells.iter().map(|c| inert(c.as_ref()).into_owned()))?;
        Ok(())
    }

    /// The bytes written (UTF-8, no byte order mark).
    pub fn finish(self) -> anyhow::Result<Vec<u8>> {
        Ok(self.writer.into_inner()?)
    }
}

/// The import template as CSV: the header row only.
pub fn write_template(headers: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut writer = CsvWriter::new();
    writer.row(headers)?;
    writer.finish()
}

/// The characters a spreadsheet program reads as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell would run as a formula, or would lose its apostrophe on
/// reading (see the module comment).
fn needs_mark(text: &str) -> bool {
    match text.strip_prefix('\'') {
        Some(rest) => needs_mark(rest),
        None => text.starts_with(FORMULA_STARTS) && !is_plain_number(text),
    }
}

/// `-3.5`, `+31`, `-1,5`, `-2e3`: a number a spreadsheet program reads as
/// a number, not a formula.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (digits, None),
    };
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && all_digits(whole)
        && all_digits(fraction)
        && exponent.is_none_or(|e| !e.is_empty() && all_digits(e))
}

/// A cell as written: text a spreadsheet program would run as a formula
/// gets a leading apostrophe, which makes it text.
pub fn inert(text: &str) -> Cow<'_, str> {
    if needs_mark(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell as read from CSV: undoes exactly what [`inert`] did.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_mark(rest) => rest,
        _ => cell,
    }
}

/// Facilities in the columns the importer reads.
pub fn write_facilities(facilities: &[Facility], scope: ExportScope) -> anyhow::Result<Vec<u8>> {
    let columns = export_columns(scope);
    let mut writer = CsvWriter::new();
    writer.row(columns.iter().map(|c| c.name()))?;
    for facility in facilities {
        let cells = facility_cells(facility, &columns);
        writer.row(cells.iter().map(|c| cell_text(c).unwrap_or_default()))?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_would_run_as_formulas_get_an_apostrophe_and_numbers_do_not() {
        for (text, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("-- nee --", "'-- nee --"),
            ("@home", "'@home"),
            ("+31 20 123", "'+31 20 123"),
            ("\tinspringen", "'\tinspringen"),
            ("\rregel", "'\rregel"),
            ("-1+1", "'-1+1"),
            ("-", "'-"),
            ("'=al gemerkt", "''=al gemerkt"),
            ("-3.5", "-3.5"),
            ("+31", "+31"),
            ("-1,5", "-1,5"),
            ("-2e3", "-2e3"),
            ("Demo", "Demo"),
            ("'s-Hertogenbosch", "'s-Hertogenbosch"),
            ("", ""),
        ] {
            assert_eq!(inert(text), written, "{text:?}");
        }
    }

    #[test]
    fn reading_undoes_exactly_the_apostrophe_writing_adds() {
        for text in [
            "=HYPERLINK(\"http://x\")",
            "-- nee --",
            "@home",
            "+31 20 123",
            "'=x",
            "''@y",
            "'",
            "''",
            "'s-Hertogenbosch",
            "'-3.5",
            "-3.5",
            "Demo",
        ] {
            assert_eq!(restore(&inert(text)), text, "{text:?}");
        }
        // A cell the writer never marked is read as it is.
        assert_eq!(restore("'s-Hertogenbosch"), "'s-Hertogenbosch");
        assert_eq!(restore("'-3.5"), "'-3.5");
    }

    #[test]
    fn rows_are_written_with_every_cell_made_inert() {
        let mut writer = CsvWriter::new();
        writer.row(["name", "notes"]).unwrap();
        writer.row(["=1+1", "a, \"b\""]).unwrap();
        let text = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(text, "name,notes\n'=1+1,\"a, \"\"b\"\"\"\n");
    }

    /// Every CSV the product writes goes through [`CsvWriter`]: no other
    /// module may build a `csv::Writer` of its own.
    #[test]
    fn no_module_writes_csv_except_through_the_one_writer() {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    visit(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("formats/csv.rs")
                {
                    let text = std::fs::read_to_string(&path).expect("read source");
                    if text.contains("csv::Writer") || text.contains("csv::WriterBuilder") {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "write CSV with formats::csv::CsvWriter: {found:?}"
        );
    }
}
