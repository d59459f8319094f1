//! Reading a spreadsheet row by row, so that a large file is never held as
//! a whole table: CSV records are read one at a time from the bytes, and an
//! XLSX worksheet is read cell by cell with calamine's streaming cell
//! reader (`Xlsx::worksheet_cells_reader`), holding only the shared-string
//! table and the current row. The other workbook formats calamine reads
//! (XLS, XLSB, ODS) are read as a whole range first, as calamine offers no
//! streaming reader for them; they are rare in practice.
//!
//! Row numbers are the ones a person sees: the header is row 1 in a CSV
//! file, and XLSX rows keep their sheet numbers. CSV cells lose the
//! apostrophe vangnet's CSV writer put before text that would otherwise
//! run as a formula ([`super::csv::restore`]).

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, DataType, Reader, Sheets};

use super::csv::restore;
use super::table::{cell_text, check_workbook_archive, Cell, FileError, TableRow, ZIP_SIGNATURE};
use crate::domain::date::parse_date;

/// The widest sheet spreadsheet programs make (XFD); a cell beyond it is
/// refused rather than padded to.
const MAX_COLUMNS: u32 = 16_384;

/// A spreadsheet opened for reading.
pub enum Spreadsheet<'a> {
    /// Delimited text, decoded (borrowed when it was UTF-8 already).
    Csv {
        text: Cow<'a, str>,
        notes: Vec<String>,
    },
    Xlsx(Box<calamine::Xlsx<Cursor<&'a [u8]>>>),
    /// The first worksheet of another workbook format, read whole.
    Range(calamine::Range<Data>),
}

impl<'a> Spreadsheet<'a> {
    /// Opens a file by its content: workbooks start with a ZIP or OLE
    /// signature, anything else is taken as delimited text. ZIP-based
    /// workbooks are checked against zip bombs first.
    pub fn open(bytes: &'a [u8]) -> Result<Spreadsheet<'a>, FileError> {
        const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
        if bytes.starts_with(ZIP_SIGNATURE) || bytes.starts_with(OLE) {
            open_workbook(bytes)
        } else {
            open_csv(bytes)
        }
    }

    /// What the reader noticed that the user should know (e.g. encoding).
    pub fn notes(&self) -> &[String] {
        match self {
            Spreadsheet::Csv { notes, .. } => notes,
            _ => &[],
        }
    }

    /// The header (the first row that is not empty) and the rows after it.
    pub fn rows(&mut self) -> Result<Rows<'_>, FileError> {
        let (mut source, empty) = match self {
            Spreadsheet::Csv { text, .. } => (
                RowSource::Csv(CsvRows::new(text)),
                "import.error.empty_file",
            ),
            Spreadsheet::Xlsx(workbook) => (
                RowSource::Xlsx(xlsx_rows(workbook)?),
                "import.error.empty_worksheet",
            ),
            Spreadsheet::Range(range) => (
                RowSource::Range(range_rows(range)),
                "import.error.empty_worksheet",
            ),
        };
        let header = source
            .next_row()
            .ok_or_else(|| FileError::of(empty, &[]))??;
        Ok(Rows {
            headers: header
                .cells
                .iter()
                .map(|c| cell_text(c).unwrap_or_default())
                .collect(),
            header_row: header.number,
            source,
            done: false,
        })
    }
}

/// The rows of a spreadsheet after its header, one at a time. Blank rows
/// are skipped; after an error nothing more is read.
pub struct Rows<'s> {
    pub headers: Vec<String>,
    /// The header's row number.
    pub header_row: usize,
    source: RowSource<'s>,
    done: bool,
}

impl Iterator for Rows<'_> {
    type Item = Result<TableRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.source.next_row();
        self.done = !matches!(next, Some(Ok(_)));
        next
    }
}

enum RowSource<'s> {
    Csv(CsvRows<'s>),
    Xlsx(XlsxRows<'s>),
    Range(RangeRows<'s>),
}

impl RowSource<'_> {
    fn next_row(&mut self) -> Option<Result<TableRow, FileError>> {
        match self {
            RowSource::Csv(rows) => rows.next_row(),
            RowSource::Xlsx(rows) => rows.next_row(),
            RowSource::Range(rows) => rows.next_row(),
        }
    }
}

/// Decodes CSV text: UTF-8 (with or without BOM) or, failing that,
/// Windows-1252 as older Excel versions save it.
fn open_csv(bytes: &[u8]) -> Result<Spreadsheet<'_>, FileError> {
    let mut notes = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            notes.push(
                "the file is not UTF-8; it was read as Windows-1252 (Excel's older CSV format)"
                    .to_string(),
            );
            encoding_rs::WINDOWS_1252.decode(bytes).0
        }
    };
    if text.contains('\0') {
        return Err(FileError::of("import.error.binary", &[]));
    }
    Ok(Spreadsheet::Csv { text, notes })
}

/// CSV records one at a time; the delimiter (`,`, `;` or tab) is taken
/// from the header line.
struct CsvRows<'s> {
    reader: csv::Reader<&'s [u8]>,
    record: csv::StringRecord,
    lines: LineCounter<'s>,
}

impl<'s> CsvRows<'s> {
    fn new(text: &'s str) -> CsvRows<'s> {
        let delimiter = sniff_delimiter(text.lines().next().unwrap_or(""));
        CsvRows {
            reader: csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .has_headers(false)
                .from_reader(text.as_bytes()),
            record: csv::StringRecord::new(),
            lines: LineCounter::new(text),
        }
    }

    fn next_row(&mut self) -> Option<Result<TableRow, FileError>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(0, |p| self.lines.line_at(p.byte() as usize));
                    return Some(Err(FileError::of(
                        "import.error.malformed_csv",
                        &[("row", line.to_string()), ("detail", e.to_string())],
                    )));
                }
            }
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let number = self
                .record
                .position()
                .map_or(0, |p| self.lines.line_at(p.byte() as usize));
            let cells = self
                .record
                .iter()
                .map(|c| match restore(c.trim()) {
                    "" => Cell::Empty,
                    text => Cell::Text(text.to_string()),
                })
                .collect();
            return Some(Ok(TableRow { number, cells }));
        }
    }
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

fn open_workbook(bytes: &[u8]) -> Result<Spreadsheet<'_>, FileError> {
    if bytes.starts_with(ZIP_SIGNATURE) {
        check_workbook_archive(bytes)?;
    }
    let workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        FileError::of(
            "import.error.unreadable_workbook",
            &[("detail", e.to_string())],
        )
    })?;
    match workbook {
        Sheets::Xlsx(xlsx) => Ok(Spreadsheet::Xlsx(Box::new(xlsx))),
        mut other => {
            let range = other
                .worksheet_range_at(0)
                .ok_or_else(|| FileError::of("import.error.no_worksheet", &[]))?
                .map_err(|e| {
                    FileError::of(
                        "import.error.unreadable_worksheet",
                        &[("detail", e.to_string())],
                    )
                })?;
            Ok(Spreadsheet::Range(range))
        }
    }
}

/// One cell of a worksheet: its row and column (from 0) and value.
type SheetCell = (u32, u32, Data);

/// The cells of the first worksheet of an XLSX workbook as calamine
/// streams them, gathered into rows.
struct XlsxRows<'s> {
    next_cell: Box<dyn FnMut() -> Result<Option<SheetCell>, FileError> + Send + 's>,
    /// The first cell of the next row, read while finishing the last.
    pending: Option<SheetCell>,
    /// Whether the last cell has been read (the reader must not be asked again).
    finished: bool,
}

fn xlsx_rows<'s>(
    workbook: &'s mut calamine::Xlsx<Cursor<&[u8]>>,
) -> Result<XlsxRows<'s>, FileError> {
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| FileError::of("import.error.no_worksheet", &[]))?;
    let unreadable = |e: calamine::XlsxError| {
        FileError::of(
            "import.error.unreadable_worksheet",
            &[("detail", e.to_string())],
        )
    };
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(unreadable)?;
    Ok(XlsxRows {
        next_cell: Box::new(move || {
            let cell = cells.next_cell().map_err(unreadable)?;
            Ok(cell.map(|c| {
                let (row, col) = c.get_position();
                (row, col, Data::from(c.get_value().clone()))
            }))
        }),
        pending: None,
        finished: false,
    })
}

impl XlsxRows<'_> {
    fn cell(&mut self) -> Result<Option<SheetCell>, FileError> {
        if self.finished {
            return Ok(None);
        }
        let cell = (self.next_cell)()?;
        self.finished = cell.is_none();
        Ok(cell)
    }

    fn next_row(&mut self) -> Option<Result<TableRow, FileError>> {
        loop {
            let first = match self.pending.take() {
                Some(cell) => cell,
                None => match self.cell() {
                    Ok(Some(cell)) => cell,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                },
            };
            let row = first.0;
            let number = row as usize + 1;
            let mut cells = Vec::new();
            let mut cell = Some(first);
            while let Some((_, col, data)) = cell.take() {
                if col >= MAX_COLUMNS {
                    return Some(Err(FileError::of(
                        "import.error.beyond_last_column",
                        &[("row", number.to_string())],
                    )));
                }
                let col = col as usize;
                if cells.len() <= col {
                    cells.resize(col + 1, Cell::Empty);
                }
                cells[col] = match cell_of(&data, number) {
                    Ok(value) => value,
                    Err(e) => return Some(Err(e)),
                };
                match self.cell() {
                    Ok(Some(next)) if next.0 == row => cell = Some(next),
                    Ok(next) => self.pending = next,
                    Err(e) => return Some(Err(e)),
                }
            }
            while cells.last() == Some(&Cell::Empty) {
                cells.pop();
            }
            if !cells.is_empty() {
                return Some(Ok(TableRow { number, cells }));
            }
        }
    }
}

/// The rows of a worksheet read whole, by their sheet numbers.
struct RangeRows<'s> {
    rows: std::iter::Enumerate<calamine::Rows<'s, Data>>,
    first_row: usize,
    /// Empty cells before the first used column.
    pad: usize,
}

fn range_rows(range: &calamine::Range<Data>) -> RangeRows<'_> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    RangeRows {
        rows: range.rows().enumerate(),
        first_row: first_row as usize,
        pad: first_col as usize,
    }
}

impl RangeRows<'_> {
    fn next_row(&mut self) -> Option<Result<TableRow, FileError>> {
        for (offset, row) in self.rows.by_ref() {
            let number = self.first_row + offset + 1;
            let cells: Result<Vec<Cell>, FileError> =
                std::iter::repeat_n(Ok(Cell::Empty), self.pad)
                    .chain(row.iter().map(|d| cell_of(d, number)))
                    .collect();
            let mut cells = match cells {
                Ok(cells) => cells,
                Err(e) => return Some(Err(e)),
            };
            while cells.last() == Some(&Cell::Empty) {
                cells.pop();
            }
            if !cells.is_empty() {
                return Some(Ok(TableRow { number, cells }));
            }
        }
        None
    }
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
            return Err(FileError::of(
                "import.error.cell_error",
                &[("row", row.to_string()), ("detail", e.to_string())],
            ))
        }
    })
}
