//! Spreadsheets as a table of typed cells, read from CSV or XLSX (and the
//! other workbook formats calamine reads: XLS, ODS). Row numbers are the
//! ones a person sees: the header is row 1 in a CSV file, and XLSX rows keep
//! their sheet numbers.

use std::io::Cursor;

use calamine::{Data, DataType, Reader};
use chrono::NaiveDate;

use crate::domain::date::parse_date;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
}

#[derive(Debug, Clone)]
pub struct TableRow {
    /// The row number as shown in a spreadsheet program.
    pub number: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// Something the reader noticed that the user should know (e.g. encoding).
    pub notes: Vec<String>,
}

/// Why a file could not be read as a table at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct FileError(pub String);

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// Reads a file by its content: workbooks start with a ZIP or OLE signature,
/// anything else is taken as delimited text.
pub fn read_table(bytes: &[u8]) -> Result<Table, FileError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
    if bytes.starts_with(ZIP) || bytes.starts_with(OLE) {
        read_workbook(bytes)
    } else {
        read_csv(bytes)
    }
}

/// Reads CSV text: UTF-8 (with or without BOM) or, failing that, Windows-1252
/// as older Excel versions save it; the delimiter (`,`, `;` or tab) is
/// taken from the header line.
pub fn read_csv(bytes: &[u8]) -> Result<Table, FileError> {
    let mut notes = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            notes.push(
                "the file is not UTF-8; it was read as Windows-1252 (Excel's older CSV format)"
                    .to_string(),
            );
            encoding_rs::WINDOWS_1252.decode(bytes).0
        }
    };
    if text.contains('\0') {
        return Err(FileError(
            "the file contains binary data; expected CSV text or an XLSX workbook".to_string(),
        ));
    }
    let delimiter = sniff_delimiter(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(&text);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
            FileError(format!("row {line}: the CSV is malformed: {e}"))
        })?;
        let number = record
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match &headers {
            None => headers = Some(record.iter().map(|h| h.trim().to_string()).collect()),
            Some(_) => rows.push(TableRow {
                number,
                cells: record
                    .iter()
                    .map(|c| {
                        let c = c.trim();
                        if c.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(c.to_string())
                        }
                    })
                    .collect(),
            }),
        }
    }
    let headers = headers.ok_or_else(|| FileError("the file is empty: no header row".into()))?;
    Ok(Table {
        headers,
        rows,
        notes,
    })
}

/// Line numbers from byte offsets. The csv crate's own line numbers lag
/// behind after blank lines, and its record offsets point at the previous
/// record's line break, so both are corrected here.
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    /// The line on which the record starting at (or just before) `byte` begins.
    fn line_at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.byte {
            self.byte = 0;
            self.line = 1;
        }
        self.line += self.text[self.byte..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.byte = start;
        self.line
    }
}

fn sniff_delimiter(header_line: &str) -> u8 {
    let count = |c: char| header_line.matches(c).count();
    [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| d)
}

/// Reads the first worksheet of a workbook.
pub fn read_workbook(bytes: &[u8]) -> Result<Table, FileError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| FileError(format!("the file is not a readable workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| FileError("the workbook has no worksheet".into()))?
        .map_err(|e| FileError(format!("the first worksheet cannot be read: {e}")))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let pad = first_col as usize;
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (offset, row) in range.rows().enumerate() {
        let number = first_row as usize + offset + 1;
        let mut cells: Vec<Cell> = std::iter::repeat_n(Ok(Cell::Empty), pad)
            .chain(row.iter().map(|d| cell_of(d, number)))
            .collect::<Result<_, _>>()?;
        while cells.last() == Some(&Cell::Empty) {
            cells.pop();
        }
        if cells.is_empty() {
            continue;
        }
        match &headers {
            None => {
                headers = Some(
                    cells
                        .iter()
                        .map(|c| cell_text(c).unwrap_or_default())
                        .collect(),
                )
            }
            Some(_) => rows.push(TableRow { number, cells }),
        }
    }
    let headers =
        headers.ok_or_else(|| FileError("the first worksheet is empty: no header row".into()))?;
    Ok(Table {
        headers,
        rows,
        notes: Vec::new(),
    })
}

fn cell_of(data: &Data, row: usize) -> Result<Cell, FileError> {
    Ok(match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_string()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(_) => match data.as_datetime() {
            Some(dt) => Cell::Date(dt.date()),
            None => Cell::Text(data.to_string()),
        },
        Data::DateTimeIso(s) => match parse_date(s.get(..10).unwrap_or(s)) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => {
            return Err(FileError(format!(
                "row {row}: a cell holds the spreadsheet error {e}; fix the formula first"
            )))
        }
    })
}

/// A cell as text, the way a person would type it.
pub fn cell_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        Cell::Text(s) => Some(s.clone()),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
        Cell::Number(n) => Some(n.to_string()),
        Cell::Bool(b) => Some(if *b { "yes" } else { "no" }.to_string()),
        Cell::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheet_programs() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn semicolon_csv_from_dutch_excel_is_read_with_row_numbers() {
        let table =
            read_csv("naam;plaats\r\n\r\nDemo A;Utrecht\r\nDemo B;Zwolle\r\n".as_bytes()).unwrap();
        assert_eq!(table.headers, ["naam", "plaats"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].number, 3);
        assert_eq!(table.rows[1].cells[1], Cell::Text("Zwolle".into()));
        assert_eq!(table.rows[1].number, 4);
    }

    #[test]
    fn rows_after_multi_line_cells_keep_their_numbers() {
        let table = read_csv(b"naam,opmerkingen\nA,\"twee\nregels\"\nB,x\n").unwrap();
        assert_eq!(table.rows[0].number, 2);
        assert_eq!(table.rows[1].number, 4);
    }

    #[test]
    fn windows_1252_text_is_decoded_and_noted() {
        let bytes = b"naam,plaats\nCaf\xe9 Demo,Utrecht\n";
        let table = read_csv(bytes).unwrap();
        assert_eq!(table.rows[0].cells[0], Cell::Text("Café Demo".into()));
        assert_eq!(table.notes.len(), 1);
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        assert!(read_table(b"").is_err());
        assert!(read_table(b"PK\x03\x04garbage").is_err());
        assert!(read_table(b"a,b\n\0\0\0").is_err());
    }
}
