//! Tallies as CSV, as other registration systems export them: one event a
//! row, columns `facility_id,at,metric,amount` (Dutch: `voorziening,
//! tijdstip,meting,aantal`) and optionally `id`; comma- or
//! semicolon-separated (the header line decides). Read as a stream, a row
//! at a time, so a file of a million rows needs no more memory than one.
//!
//! A row without an `id` gets one derived from its content
//! ([`derived_id`]): the same row in the same file always gets the same
//! id, so importing a file again stores nothing twice. Two rows with the
//! same facility, moment, metric and amount are then one event written
//! twice, and the importer refuses the second as a duplicate; a system that
//! really counts the same amount twice in the same second gives ids.

use std::io::Read;

use sha2::{Digest, Sha256};

use crate::domain::personal::{Guard, Holds};
use crate::domain::tally::TallyInput;
use crate::domain::Reason;

/// The columns, each with its English and Dutch name.
const COLUMNS: [(&str, &str); 5] = [
    ("id", "id"),
    ("facility_id", "voorziening"),
    ("at", "tijdstip"),
    ("metric", "meting"),
    ("amount", "aantal"),
];

const KNOWN: &str =
    "id, facility_id (voorziening), at (tijdstip), metric (meting), amount (aantal)";

/// A cell that is wrong: its column (as the file names it) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub column: String,
    pub reason: Reason,
}

/// The file's columns, found in its header.
pub struct TallyCsv<R: Read> {
    reader: csv::Reader<R>,
    /// Position of each of [`COLUMNS`] in a row, and its name in the file.
    places: [Option<(usize, String)>; 5],
    record: csv::StringRecord,
}

/// The separator the header line uses: a semicolon when it has one and no
/// comma (Dutch spreadsheet programs write those), else a comma.
pub fn separator(first_line: &[u8]) -> u8 {
    let line = first_line.split(|b| *b == b'\n').next().unwrap_or_default();
    if line.contains(&b';') && !line.contains(&b',') {
        b';'
    } else {
        b','
    }
}

impl<R: Read> TallyCsv<R> {
    /// Reads the header; an unknown or missing column is an error naming it.
    pub fn open(input: R, separator: u8) -> Result<TallyCsv<R>, Vec<CellError>> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .flexible(true)
            .from_reader(input);
        let header = reader.headers().map_err(|e| {
            vec![CellError {
                column: String::new(),
                reason: Reason::Plain(format!("the header cannot be read: {e}")),
            }]
        })?;
        // No data about persons: a column named like personal data refuses
        // the file as a whole, named. The values need no check of their own:
        // every column is typed (numbers, a code, a moment, a device id of at
        // most 64 letters and digits), so no name, address or e-mail fits.
        let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let moments = [("at", Holds::Date), ("tijdstip", Holds::Date)];
        if let Err(found) = Guard::for_header(&headers, &moments, |i| headers[i].clone()) {
            return Err(found
                .into_iter()
                .map(|f| CellError {
                    column: headers[f.column].clone(),
                    reason: f.reason,
                })
                .collect());
        }
        let mut places: [Option<(usize, String)>; 5] = Default::default();
        let mut errors = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let key = name.trim().trim_start_matches('\u{feff}').to_lowercase();
            match COLUMNS.iter().position(|(en, nl)| key == *en || key == *nl) {
                Some(c) if places[c].is_none() => places[c] = Some((i, name.trim().to_string())),
                Some(_) => errors.push(CellError {
                    column: name.to_string(),
                    reason: Reason::of(
                        "import.error.repeated_column",
                        &[("column", name.to_string())],
                    ),
                }),
                None => errors.push(CellError {
                    column: name.to_string(),
                    reason: Reason::of(
                        "import.error.unknown_column",
                        &[("header", name.to_string()), ("known", KNOWN.to_string())],
                    ),
                }),
            }
        }
        for (c, (en, nl)) in COLUMNS.iter().enumerate().skip(1) {
            if places[c].is_none() {
                errors.push(CellError {
                    column: format!("{en} ({nl})"),
                    reason: Reason::of(
                        "import.error.required_column",
                        &[("column", format!("{en} ({nl})"))],
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(TallyCsv {
            reader,
            places,
            record: csv::StringRecord::new(),
        })
    }

    /// How far into the file the reader is, in bytes (for the progress bar).
    pub fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next row: its line number (the header is line 1) and the tally
    /// it describes, or its errors; `None` at the end.
    #[allow(clippy::type_complexity)]
    pub fn next_row(&mut self) -> Option<(u64, Result<TallyInput, Vec<CellError>>)> {
        let line = self.reader.position().line();
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Err(e) => Some((
                line,
                Err(vec![CellError {
                    column: String::new(),
                    reason: Reason::Plain(format!("the row cannot be read: {e}")),
                }]),
            )),
            Ok(true) => {
                let record = &self.record;
                let cell = |c: usize| -> Option<&str> {
                    self.places[c]
                        .as_ref()
                        .and_then(|(i, _)| record.get(*i))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                };
                let mut errors = Vec::new();
                let number = |c: usize, errors: &mut Vec<CellError>| -> Option<i64> {
                    let text = cell(c)?;
                    text.parse().ok().or_else(|| {
                        errors.push(CellError {
                            column: self.column(c),
                            reason: Reason::of(
                                "error.cell.whole_number",
                                &[("value", text.into())],
                            ),
                        });
                        None
                    })
                };
                let facility_id = number(1, &mut errors);
                let amount = number(4, &mut errors);
                if !errors.is_empty() {
                    return Some((line, Err(errors)));
                }
                let (at, metric) = (cell(2), cell(3));
                let id = match cell(0) {
                    Some(id) => Some(id.to_string()),
                    None => Some(derived_id(
                        cell(1).unwrap_or_default(),
                        at.unwrap_or_default(),
                        metric.unwrap_or_default(),
                        cell(4).unwrap_or_default(),
                    )),
                };
                Some((
                    line,
                    Ok(TallyInput {
                        id,
                        facility_id,
                        at: at.map(str::to_string),
                        metric: metric.map(str::to_string),
                        amount,
                    }),
                ))
            }
        }
    }

    /// A column's name as the file writes it (for error messages).
    pub fn column(&self, c: usize) -> String {
        self.places[c]
            .as_ref()
            .map_or_else(|| COLUMNS[c].0.to_string(), |(_, name)| name.clone())
    }

    /// The column a field of [`TallyInput`] came from.
    pub fn column_of(&self, field: &str) -> String {
        COLUMNS
            .iter()
            .position(|(en, _)| *en == field)
            .map_or_else(|| field.to_string(), |c| self.column(c))
    }
}

/// The id of a row without one: `csv-`, the facility, the digits of the
/// moment as written (at most 14: `20261102101500`) and 12 hex digits of
/// the SHA-256 of the row's four cells as written (trimmed), so the same
/// row gets the same id in every import of the file. The facility and
/// moment come first so that a file in time order gives ids in order: the
/// database then adds each id at the end of its index instead of at a
/// random place (a third of a large import's time, bench/RESULTS.md). The
/// hash tells apart rows of one facility in one second: 48 bits are
/// plenty for those few.
pub fn derived_id(facility_id: &str, at: &str, metric: &str, amount: &str) -> String {
    let mut hash = Sha256::new();
    for cell in [facility_id, at, metric, amount] {
        hash.update(cell.as_bytes());
        hash.update([0x1f]);
    }
    let digest = hash.finalize();
    let mut id = String::with_capacity(51);
    id.push_str("csv-");
    id.extend(facility_id.chars().filter(char::is_ascii_digit).take(19));
    id.push('-');
    id.extend(at.chars().filter(char::is_ascii_digit).take(14));
    id.push('-');
    let mut hex = [0u8; 12];
    if hex::encode_to_slice(&digest[..6], &mut hex).is_ok() {
        id.extend(hex.iter().map(|&b| char::from(b)));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_valid_and_follow_the_facility_and_moment() {
        let first = derived_id("12", "2026-11-02T10:15:00", "syringes_out", "25");
        let later = derived_id("12", "2026-11-02T10:15:01", "syringes_in", "1");
        assert!(first.starts_with("csv-12-20261102101500-"), "{first}");
        assert!(first < later);
        assert_eq!(
            first,
            derived_id("12", "2026-11-02T10:15:00", "syringes_out", "25")
        );
        assert_ne!(
            first,
            derived_id("12", "2026-11-02T10:15:00", "syringes_out", "26")
        );
        let longest = derived_id(&i64::MAX.to_string(), "2026-11-02T10:15:00+01:00", "x", "1");
        assert!(
            crate::domain::tally::parse_id(&longest).is_ok(),
            "{longest}"
        );
    }

    #[test]
    fn dutch_columns_with_semicolons_read_as_tallies_with_a_stable_id() {
        let text = "voorziening;tijdstip;meting;aantal\n3;2026-11-02 10:15;syringes_out;25\n";
        let mut file = TallyCsv::open(text.as_bytes(), separator(text.as_bytes())).unwrap();
        let (line, row) = file.next_row().unwrap();
        let row = row.unwrap();
        assert_eq!(line, 2);
        assert_eq!(row.facility_id, Some(3));
        assert_eq!(row.amount, Some(25));
        assert_eq!(
            row.id.as_deref(),
            Some(derived_id("3", "2026-11-02 10:15", "syringes_out", "25").as_str())
        );
        assert!(file.next_row().is_none());
    }

    #[test]
    fn a_header_names_its_unknown_and_missing_columns() {
        let errors = TallyCsv::open("facility_id,at,metric,kleur\n".as_bytes(), b',')
            .err()
            .unwrap();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["kleur", "amount (aantal)"]);
    }

    #[test]
    fn a_column_named_like_personal_data_refuses_the_file_by_its_name() {
        let errors = TallyCsv::open("facility_id,at,metric,amount,clientnaam\n".as_bytes(), b',')
            .err()
            .unwrap();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, "clientnaam");
        assert!(matches!(
            errors[0].reason,
            Reason::Text {
                key: "personal.column",
                ..
            }
        ));
    }
}
