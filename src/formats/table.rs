//! Spreadsheets as a table of typed cells, read from CSV or XLSX (and the
//! other workbook formats calamine reads: XLS, ODS), and the checks a
//! workbook archive passes before it is unpacked. Reading row by row is in
//! [`super::sheet`]. Row numbers are the ones a person sees: the header is
//! row 1 in a CSV file, and XLSX rows keep their sheet numbers.

use std::io::Cursor;

use chrono::NaiveDate;

use crate::domain::Reason;

pub use super::sheet::Spreadsheet;

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
/// The reason is a text of the catalogue, so that the import page can
/// show it in the reader's language; `Display` gives it in English.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.english())]
pub struct FileError(pub Reason);

impl FileError {
    /// The catalogue's text `key` with `args`.
    pub fn of(key: &'static str, args: &[(&'static str, String)]) -> FileError {
        FileError(Reason::of(key, args))
    }

    /// The reason in English.
    pub fn message(&self) -> String {
        self.0.english()
    }
}

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

/// How a ZIP archive (XLSX, ODS) starts: a local file header.
pub(crate) const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// Reads a whole file as a table (see [`Spreadsheet`] for reading it row
/// by row, as the importer does).
pub fn read_table(bytes: &[u8]) -> Result<Table, FileError> {
    let mut sheet = Spreadsheet::open(bytes)?;
    let notes = sheet.notes().to_vec();
    let mut rows = sheet.rows()?;
    let headers = std::mem::take(&mut rows.headers);
    let rows = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(Table {
        headers,
        rows,
        notes,
    })
}

/// The most a ZIP-based workbook (XLSX, ODS) may unpack to, all entries
/// together. An XLSX register with every column filled unpacks to about
/// 1 KB a row, so this holds about 140,000 rows (see the tests), more than
/// the 100,000 facilities the register is sized for; a zip bomb declares
/// gigabytes.
pub const MAX_UNPACKED_BYTES: u64 = 128 * MIB;

/// The most entries a workbook archive may have (a real one has a few dozen).
pub const MAX_ENTRIES: usize = 10_000;

/// The highest compression ratio accepted for an entry larger than
/// [`RATIO_CHECKED_ABOVE`]. Spreadsheet XML compresses about 10:1; long
/// runs of one byte, the stuff of zip bombs, compress about 1000:1.
pub const MAX_RATIO: u64 = 200;

/// Entries up to this size are too small to matter, whatever their ratio.
pub const RATIO_CHECKED_ABOVE: u64 = MIB;

const MIB: u64 = 1024 * 1024;

/// Refuses a ZIP-based workbook that would unpack to more than the limits
/// allow, before anything is unpacked. The sizes declared in the central
/// directory are checked first (no inflating); then every entry is inflated
/// into nothing, never beyond its declared size, to catch an archive that
/// understates its sizes. Memory use stays flat either way, and the time
/// is bounded by [`MAX_UNPACKED_BYTES`].
pub fn check_workbook_archive(bytes: &[u8]) -> Result<(), FileError> {
    let unreadable = |e: zip::result::ZipError| {
        FileError::of(
            "import.error.unreadable_workbook",
            &[("detail", e.to_string())],
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > MAX_ENTRIES {
        return Err(FileError::of(
            "import.error.too_many_parts",
            &[
                ("parts", archive.len().to_string()),
                ("max", MAX_ENTRIES.to_string()),
            ],
        ));
    }
    let mut total: u64 = 0;
    let mut packed_too_tightly = None;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(unreadable)?;
        let size = entry.size();
        total = total.saturating_add(size);
        if packed_too_tightly.is_none()
            && size > RATIO_CHECKED_ABOVE
            && size / entry.compressed_size().max(1) > MAX_RATIO
        {
            packed_too_tightly = Some(FileError::of(
                "import.error.compressed_too_tightly",
                &[
                    ("part", entry.name().to_string()),
                    ("ratio", (size / entry.compressed_size().max(1)).to_string()),
                    ("max", MAX_RATIO.to_string()),
                ],
            ));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(FileError::of(
            "import.error.unpacks_too_large",
            &[
                ("size", total.div_ceil(MIB).to_string()),
                ("max", (MAX_UNPACKED_BYTES / MIB).to_string()),
            ],
        ));
    }
    if let Some(error) = packed_too_tightly {
        return Err(error);
    }
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(unreadable)?;
        let declared = entry.size();
        let name = entry.name().to_string();
        let mut part = Counted {
            inner: std::io::Read::take(&mut entry, declared + 1),
            count: 0,
        };
        // Every part: which parts are worksheets is the workbook's to say
        // (its relationships may name any), not the parts' names.
        if let Some(reference) = reference_out_of_range(&mut part) {
            return Err(FileError::of(
                "import.error.cell_reference_out_of_range",
                &[("part", name), ("reference", reference)],
            ));
        }
        std::io::copy(&mut part, &mut std::io::sink()).map_err(|e| {
            FileError::of(
                "import.error.unreadable_workbook",
                &[("detail", format!("{name}: {e}"))],
            )
        })?;
        let unpacked = part.count;
        if unpacked > declared {
            return Err(FileError::of(
                "import.error.part_larger_than_declared",
                &[("part", name), ("declared", declared.to_string())],
            ));
        }
    }
    Ok(())
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// The first cell reference (`r` or `ref` attribute, `A1` or `A1:C3`) of a
/// worksheet that lies beyond the last column (XFD, 3 letters) or row
/// (1048576, 7 digits) a sheet can have. calamine (up to 0.36 at least)
/// computes such a reference's row and column without overflow checks: a
/// debug build panics, a release build places the cell wrongly. Read with
/// the XML reader calamine itself uses; XML it cannot read is left to
/// calamine, which reports it (the reader is set up as calamine sets up
/// its own, so that it reads what calamine reads).
fn reference_out_of_range(part: &mut impl std::io::Read) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        let element = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => e,
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {
                buf.clear();
                continue;
            }
        };
        for attribute in element.attributes().flatten() {
            if !matches!(attribute.key.as_ref(), b"r" | b"ref") {
                continue;
            }
            let value = attribute.value.as_ref();
            let run_too_long = |is: fn(&u8) -> bool, max: usize| {
                value.split(|b| !is(b)).any(|run| run.len() > max)
            };
            if run_too_long(u8::is_ascii_alphabetic, 3) || run_too_long(u8::is_ascii_digit, 7) {
                return Some(String::from_utf8_lossy(value).chars().take(40).collect());
            }
        }
        buf.clear();
    }
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
        let table = read_table("naam;plaats\r\n\r\nDemo A;Utrecht\r\nDemo B;Zwolle\r\n".as_bytes())
            .unwrap();
        assert_eq!(table.headers, ["naam", "plaats"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].number, 3);
        assert_eq!(table.rows[1].cells[1], Cell::Text("Zwolle".into()));
        assert_eq!(table.rows[1].number, 4);
    }

    #[test]
    fn rows_after_multi_line_cells_keep_their_numbers() {
        let table = read_table(b"naam,opmerkingen\nA,\"twee\nregels\"\nB,x\n").unwrap();
        assert_eq!(table.rows[0].number, 2);
        assert_eq!(table.rows[1].number, 4);
    }

    #[test]
    fn csv_cells_lose_only_the_apostrophe_the_writer_put_before_a_formula() {
        let table = read_table(b"naam,plaats\n'=1+1,'s-Hertogenbosch\n''@x,'-3.5\n").unwrap();
        assert_eq!(
            table.rows[0].cells,
            [
                Cell::Text("=1+1".into()),
                Cell::Text("'s-Hertogenbosch".into())
            ]
        );
        assert_eq!(
            table.rows[1].cells,
            [Cell::Text("'@x".into()), Cell::Text("'-3.5".into())]
        );
    }

    #[test]
    fn windows_1252_text_is_decoded_and_noted() {
        let bytes = b"naam,plaats\nCaf\xe9 Demo,Utrecht\n";
        let table = read_table(bytes).unwrap();
        assert_eq!(table.rows[0].cells[0], Cell::Text("Café Demo".into()));
        assert_eq!(table.notes.len(), 1);
    }

    /// A ZIP archive of the given entries, deflated as spreadsheet programs do.
    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// Rewrites the uncompressed size an archive's central directory
    /// declares for one entry, as a hand-made zip bomb would.
    fn declare_size(archive: &mut [u8], name: &str, size: u32) {
        let mut at = 0;
        while let Some(found) = archive[at..].windows(4).position(|w| w == b"PK\x01\x02") {
            let header = at + found;
            let name_len = u16::from_le_bytes([archive[header + 28], archive[header + 29]]);
            let entry_name = &archive[header + 46..header + 46 + name_len as usize];
            if entry_name == name.as_bytes() {
                archive[header + 24..header + 28].copy_from_slice(&size.to_le_bytes());
                return;
            }
            at = header + 4;
        }
        panic!("no central directory entry for {name}");
    }

    /// A minimal workbook calamine reads: one sheet with a header and one row.
    fn minimal_xlsx(sheet_xml: &[u8]) -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
            ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="facilities" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ("xl/worksheets/sheet1.xml", sheet_xml),
        ])
    }

    const SHEET: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Demo A</t></is></c></row></sheetData></worksheet>"#;

    #[test]
    fn a_small_hand_made_workbook_passes_the_checks_and_reads() {
        let table = read_table(&minimal_xlsx(SHEET)).unwrap();
        assert_eq!(table.headers, ["naam"]);
        assert_eq!(table.rows[0].cells, [Cell::Text("Demo A".into())]);
    }

    #[test]
    fn a_workbook_declaring_more_than_the_limit_is_refused_unread() {
        let mut archive = minimal_xlsx(SHEET);
        declare_size(&mut archive, "xl/worksheets/sheet1.xml", 3_000_000_000);
        let message = read_table(&archive).unwrap_err().message();
        assert_eq!(
            message,
            "the workbook would unpack to 2862 MiB, more than the limit of 128 MiB"
        );
    }

    #[test]
    fn the_size_limit_counts_all_entries_together() {
        let mut archive = minimal_xlsx(SHEET);
        declare_size(&mut archive, "xl/worksheets/sheet1.xml", 80 * 1024 * 1024);
        declare_size(&mut archive, "xl/workbook.xml", 80 * 1024 * 1024);
        let message = read_table(&archive).unwrap_err().message();
        assert!(message.contains("would unpack to 161 MiB"), "{message}");
    }

    #[test]
    fn an_entry_compressed_beyond_any_spreadsheet_is_refused() {
        let spaces = vec![b' '; 2 * 1024 * 1024];
        let archive = zip_of(&[("xl/worksheets/sheet1.xml", &spaces)]);
        let message = check_workbook_archive(&archive).unwrap_err().message();
        assert!(
            message.starts_with("the workbook part xl/worksheets/sheet1.xml is compressed "),
            "{message}"
        );
        assert!(
            message.contains("more than the limit of 200:1"),
            "{message}"
        );
        // Below 1 MiB the ratio does not matter.
        let archive = zip_of(&[("xl/styles.xml", &spaces[..512 * 1024])]);
        assert_eq!(check_workbook_archive(&archive), Ok(()));
    }

    #[test]
    fn too_many_entries_are_refused() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("e{i}")).collect();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for name in &names {
            writer.start_file(name.as_str(), options).unwrap();
        }
        let archive = writer.finish().unwrap().into_inner();
        let message = read_table(&archive).unwrap_err().message();
        assert!(
            message.starts_with("the workbook holds 10001 files, more than the limit of 10000"),
            "{message}"
        );
    }

    #[test]
    fn an_entry_understating_its_size_is_caught_without_unpacking_it_all() {
        let spaces = vec![b' '; 512 * 1024];
        let mut archive = zip_of(&[("xl/worksheets/sheet1.xml", &spaces)]);
        declare_size(&mut archive, "xl/worksheets/sheet1.xml", 1000);
        let message = read_table(&archive).unwrap_err().message();
        assert_eq!(
            message,
            "the workbook part xl/worksheets/sheet1.xml unpacks to more than the 1000 bytes \
             it declares; the file is damaged or a zip bomb"
        );
    }

    #[test]
    fn a_cell_naming_a_shared_string_the_workbook_lacks_is_an_error_not_a_panic() {
        // Found by fuzzing (fuzz/fuzz_targets/facility_xlsx.rs): calamine
        // 0.31 indexed its shared strings without a check; 0.32 refuses.
        let sheet = br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c></row><row r="2"><c r="A2" t="s"><v>2425</v></c></row></sheetData></worksheet>"#;
        let message = read_table(&minimal_xlsx(sheet)).unwrap_err().message();
        assert!(message.contains("shared strings"), "{message}");
    }

    #[test]
    fn a_cell_reference_beyond_any_sheet_is_refused_not_a_panic() {
        // Found by fuzzing (fuzz/fuzz_targets/facility_xlsx.rs): calamine
        // computes a reference's column without overflow checks.
        for reference in ["EZZZZZZZZZZZZZZZZZZZZ1", "A99999999999", "A1:XFDD2"] {
            // A broken declaration does not stop calamine, so it may not
            // stop the check either.
            let sheet = format!(
                r#"<?xml ve"UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{reference}"/><sheetData><row r="1"><c r='{reference}' t="inlineStr"><is><t>naam</t></is></c></row></sheetData></worksheet>"#
            );
            let message = read_table(&minimal_xlsx(sheet.as_bytes()))
                .unwrap_err()
                .message();
            assert!(
                message.starts_with("the workbook part xl/worksheets/sheet1.xml names cell "),
                "{message}"
            );
        }
        // The last cell a sheet can have is fine.
        let last = br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#;
        assert_eq!(check_workbook_archive(&minimal_xlsx(last)), Ok(()));
    }

    #[test]
    fn an_archive_without_a_central_directory_is_not_a_readable_workbook() {
        let message = read_table(b"PK\x03\x04garbage").unwrap_err().message();
        assert!(
            message.starts_with("the file is not a readable workbook: "),
            "{message}"
        );
    }

    /// A register with every column filled, as `vangnet export` writes it
    /// (shared strings, real numbers, dates and booleans).
    fn register_xlsx(rows: u32) -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let sheet = workbook.add_worksheet();
        let headers = crate::formats::columns::COLUMNS
            .iter()
            .map(|(_, name, _)| *name);
        for (col, header) in headers.enumerate() {
            sheet.write_string(0, col as u16, header).unwrap();
        }
        let opened = ExcelDateTime::from_ymd(2015, 3, 1).unwrap();
        for i in 1..=rows {
            let f = f64::from(i);
            let texts = [
                (1, format!("Demo Huiskamer {i}")),
                (2, format!("Demo Zorg {}", i % 500)),
                (3, "gebruiksruimte;spuitomruil".to_string()),
                (4, format!("Voorbeeldstraat {}", i % 300 + 1)),
                (5, format!("{} AB", 1000 + i % 9000)),
                (6, "Utrecht".to_string()),
                (7, format!("GM{:04}", i % 400)),
                (8, "Utrecht".to_string()),
                (9, "Utrecht".to_string()),
                (18, "Mo-Fr 09:00-17:00; Sa 10:00-14:00".to_string()),
                (21, "volwassenen".to_string()),
                (24, "telefoon: gesprek met coordinator".to_string()),
                (26, format!("opmerking bij rij {i}")),
            ];
            for (col, text) in texts {
                sheet.write_string(i, col, text).unwrap();
            }
            sheet.write_number(i, 0, f).unwrap();
            sheet.write_number(i, 10, 52.0 + f / 1e6).unwrap();
            sheet.write_number(i, 11, 5.0 + f / 1e6).unwrap();
            for col in [12, 13, 25] {
                sheet
                    .write_datetime_with_format(i, col, &opened, &date)
                    .unwrap();
            }
            for col in [14, 15, 19, 20] {
                sheet.write_boolean(i, col, i % 2 == 0).unwrap();
            }
            for col in [16, 17, 22, 23] {
                sheet.write_number(i, col, f64::from(i % 60)).unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    /// How far the limits are from real registers. Every column filled
    /// costs about 1 KB of XML per row, so 128 MiB holds about 140,000 such
    /// rows (the national register has hundreds). 10,000 rows are built
    /// here, to keep the test quick in debug builds.
    #[test]
    fn the_limits_hold_registers_of_tens_of_thousands_of_full_rows() {
        let rows = 10_000;
        let bytes = register_xlsx(rows);
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let (mut unpacked, mut ratio) = (0, 0);
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).unwrap();
            unpacked += entry.size();
            ratio = ratio.max(entry.size() / entry.compressed_size().max(1));
        }
        let rows_within_limit = MAX_UNPACKED_BYTES / (unpacked / u64::from(rows));
        eprintln!(
            "{rows} full rows: {} KiB packed, {} KiB unpacked, highest ratio {ratio}:1; \
             the limit holds about {rows_within_limit} such rows",
            bytes.len() / 1024,
            unpacked / 1024
        );
        assert!(rows_within_limit > 60_000, "{rows_within_limit} rows");
        assert!(ratio < MAX_RATIO / 4, "compressed {ratio}:1");
        let started = std::time::Instant::now();
        assert_eq!(check_workbook_archive(&bytes), Ok(()));
        eprintln!("checking took {:?}", started.elapsed());
    }

    #[test]
    fn a_workbook_is_read_row_by_row_with_its_sheet_row_numbers_and_columns() {
        use rust_xlsxwriter::Workbook;
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(1, 1, "naam").unwrap();
        sheet.write_string(1, 3, "plaats").unwrap();
        sheet.write_string(4, 1, "Demo A").unwrap();
        sheet.write_number(4, 2, 3.0).unwrap();
        sheet.write_string(4, 4, " ").unwrap();
        sheet.write_string(5, 3, "'=Zwolle").unwrap();
        let table = read_table(&workbook.save_to_buffer().unwrap()).unwrap();
        assert_eq!(table.headers, ["", "naam", "", "plaats"]);
        let rows: Vec<(usize, Vec<Cell>)> = table
            .rows
            .into_iter()
            .map(|r| (r.number, r.cells))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    5,
                    vec![Cell::Empty, Cell::Text("Demo A".into()), Cell::Number(3.0)]
                ),
                (
                    6,
                    // Workbook text is taken as it is: only CSV loses an apostrophe.
                    vec![
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Text("'=Zwolle".into())
                    ]
                ),
            ]
        );
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        assert!(read_table(b"").is_err());
        assert!(read_table(b"PK\x03\x04garbage").is_err());
        assert!(read_table(b"a,b\n\0\0\0").is_err());
    }
}
