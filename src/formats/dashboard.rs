//! A dashboard's figures as a file (`?formaat=csv` or `xlsx` on the
//! dashboard pages): one row per area, metric and period, the value as the
//! page shows it — the number, `<5`, `x` or `.`, empty where there is none —
//! and a note column that says what a mark means; the workbook also has the
//! marks on a sheet of their own. Numbers are written plain (`1234`) in
//! CSV and as numbers in XLSX, so a spreadsheet program can add them up;
//! the marks are text. The CSV goes through the one writer (`csv`).

use rust_xlsxwriter::{Format, Workbook};

use super::csv::CsvWriter;

/// One figure of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    /// `NL`, `NL-UT`, `GM0344`, or a facility's or organisation's id.
    pub area: String,
    pub area_name: String,
    /// The metric's code (`visits`).
    pub metric: String,
    pub metric_name: String,
    /// `2025-03` or `2025`.
    pub period: String,
    /// The number, when it is shown.
    pub value: Option<i64>,
    /// `<5`, `x` or `.` when the figure is not shown.
    pub mark: Option<String>,
}

impl FigureRow {
    /// The value cell as text: the number, the mark, or empty.
    pub fn shown(&self) -> String {
        match (&self.value, &self.mark) {
            (Some(v), _) => v.to_string(),
            (None, Some(mark)) => mark.clone(),
            (None, None) => String::new(),
        }
    }
}

/// What a file holds, with its texts in the reader's language.
#[derive(Debug, Clone)]
pub struct FigureFile<'a> {
    /// Area, area name, metric, metric name, period, value, note.
    pub headers: [String; 7],
    pub rows: &'a [FigureRow],
    /// Each mark and what it means.
    pub legend: &'a [(String, String)],
    /// The worksheets' names: the figures and the legend.
    pub sheets: [String; 2],
    /// The legend sheet's column headers: mark, meaning.
    pub legend_headers: [String; 2],
}

impl FigureFile<'_> {
    /// What a row's mark means, for its note.
    fn note(&self, row: &FigureRow) -> &str {
        row.mark
            .as_deref()
            .and_then(|mark| self.legend.iter().find(|(m, _)| m == mark))
            .map_or("", |(_, meaning)| meaning.as_str())
    }
}

/// The figures as CSV (UTF-8, a header row).
pub fn csv(file: &FigureFile) -> anyhow::Result<Vec<u8>> {
    let mut writer = CsvWriter::new();
    writer.row(&file.headers)?;
    for row in file.rows {
        writer.row([
            row.area.as_str(),
            &row.area_name,
            &row.metric,
            &row.metric_name,
            &row.period,
            &row.shown(),
            file.note(row),
        ])?;
    }
    writer.finish()
}

/// The figures as a workbook: the figures on the first sheet (header row
/// frozen, numbers as numbers), the legend on the second.
pub fn xlsx(file: &FigureFile) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&file.sheets[0])?;
    for (col, header) in file.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, header, &bold)?;
    }
    for (i, row) in file.rows.iter().enumerate() {
        let r = i as u32 + 1;
        let texts = [
            &row.area,
            &row.area_name,
            &row.metric,
            &row.metric_name,
            &row.period,
        ];
        for (col, text) in texts.into_iter().enumerate() {
            sheet.write_string(r, col as u16, text)?;
        }
        match (&row.value, &row.mark) {
            (Some(v), _) => {
                sheet.write_number(r, 5, *v as f64)?;
            }
            (None, Some(mark)) => {
                sheet.write_string(r, 5, mark)?;
            }
            (None, None) => {}
        }
        let note = file.note(row);
        if !note.is_empty() {
            sheet.write_string(r, 6, note)?;
        }
    }
    for (col, width) in [10.0, 24.0, 22.0, 28.0, 10.0, 10.0, 40.0]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, file.rows.len() as u32, 6)?;
    let legend = workbook.add_worksheet();
    legend.set_name(&file.sheets[1])?;
    for (col, header) in file.legend_headers.iter().enumerate() {
        legend.write_string_with_format(0, col as u16, header, &bold)?;
    }
    for (i, (mark, meaning)) in file.legend.iter().enumerate() {
        legend.write_string(i as u32 + 1, 0, mark)?;
        legend.write_string(i as u32 + 1, 1, meaning)?;
    }
    legend.set_column_width(0, 10.0)?;
    legend.set_column_width(1, 80.0)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<FigureRow> {
        let row = |period: &str, value: Option<i64>, mark: Option<&str>| FigureRow {
            area: "GM0344".into(),
            area_name: "Utrecht".into(),
            metric: "visits".into(),
            metric_name: "Bezoeken".into(),
            period: period.into(),
            value,
            mark: mark.map(str::to_string),
        };
        vec![
            row("2025-01", Some(1234), None),
            row("2025-02", None, Some("<5")),
            row("2025-03", None, None),
        ]
    }

    fn file(rows: &[FigureRow]) -> FigureFile<'_> {
        static LEGEND: std::sync::LazyLock<Vec<(String, String)>> =
            std::sync::LazyLock::new(|| vec![("<5".into(), "1 tot 4".into())]);
        FigureFile {
            headers: [
                "gebied",
                "naam",
                "meting",
                "meting_naam",
                "periode",
                "waarde",
                "toelichting",
            ]
            .map(String::from),
            rows,
            legend: &LEGEND,
            sheets: ["Cijfers".into(), "Legenda".into()],
            legend_headers: ["teken".into(), "betekenis".into()],
        }
    }

    #[test]
    fn csv_writes_numbers_plain_marks_as_shown_and_what_a_mark_means() {
        let rows = rows();
        let text = String::from_utf8(csv(&file(&rows)).unwrap()).unwrap();
        assert_eq!(
            text,
            "gebied,naam,meting,meting_naam,periode,waarde,toelichting\n\
             GM0344,Utrecht,visits,Bezoeken,2025-01,1234,\n\
             GM0344,Utrecht,visits,Bezoeken,2025-02,<5,1 tot 4\n\
             GM0344,Utrecht,visits,Bezoeken,2025-03,,\n"
        );
    }

    #[test]
    fn the_workbook_holds_numbers_as_numbers_and_the_legend_on_its_own_sheet() {
        use calamine::{Data, Reader};
        let rows = rows();
        let bytes = xlsx(&file(&rows)).unwrap();
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["Cijfers", "Legenda"]);
        let sheet = book.worksheet_range("Cijfers").unwrap();
        assert_eq!(sheet.get((1, 5)), Some(&Data::Float(1234.0)));
        assert_eq!(sheet.get((2, 5)), Some(&Data::String("<5".into())));
        assert_eq!(sheet.get((2, 6)), Some(&Data::String("1 tot 4".into())));
        let legend = book.worksheet_range("Legenda").unwrap();
        assert_eq!(legend.get((1, 0)), Some(&Data::String("<5".into())));
    }
}
