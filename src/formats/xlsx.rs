//! XLSX export of facilities, in the columns the importer reads, with real
//! dates and numbers so a spreadsheet program can sort and filter them.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::columns::{export_columns, facility_cells, ExportScope};
use super::table::Cell;
use crate::domain::facility::Facility;

pub fn write_facilities(facilities: &[Facility], scope: ExportScope) -> anyhow::Result<Vec<u8>> {
    let columns = export_columns(scope);
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet();
    sheet.set_name("facilities")?;
    for (col, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, column.name(), &bold)?;
    }
    for (i, facility) in facilities.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in facility_cells(facility, &columns).into_iter().enumerate() {
            write_cell(sheet, row, col as u16, cell, &date)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        facilities.len() as u32,
        columns.len().saturating_sub(1) as u16,
    )?;
    Ok(workbook.save_to_buffer()?)
}

/// The import template: one worksheet with the header row in bold, frozen,
/// each column wide enough for its header.
pub fn write_template(headers: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("import")?;
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
        sheet.set_column_width(col as u16, (header.chars().count() + 4).max(12) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// Writes a cell as what it is: text, a number, a boolean, or a date in
/// `date_format`; an empty cell is left empty.
pub fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell,
    date_format: &Format,
) -> anyhow::Result<()> {
    match cell {
        Cell::Empty => {}
        Cell::Text(text) => {
            sheet.write_string(row, col, text)?;
        }
        Cell::Number(n) => {
            sheet.write_number(row, col, n)?;
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, col, b)?;
        }
        Cell::Date(d) => {
            use chrono::Datelike;
            let value = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            sheet.write_datetime_with_format(row, col, &value, date_format)?;
        }
    }
    Ok(())
}

/// A table as a workbook of one sheet named `name`: the header row in
/// bold and frozen, whole numbers written as numbers, the rest as text.
pub fn write_table(name: &str, headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            match cell.parse::<i64>() {
                Ok(number) => sheet.write_number(r, col as u16, number as f64)?,
                Err(_) if cell.is_empty() => continue,
                Err(_) => sheet.write_string(r, col as u16, cell)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        rows.len() as u32,
        headers.len().saturating_sub(1) as u16,
    )?;
    Ok(workbook.save_to_buffer()?)
}
