//! Table 1 as files: CSV, Markdown, XLSX and HTML (JSON is its serde form),
//! in Dutch (the published inventory's language) or English. Counts print
//! with their qualifier ("≥29", "±24", "onbekend"); every file names the
//! day, the round and each count's source, and the CSV and XLSX list the
//! facilities each count is made of.

use crate::domain::language::Language;
use crate::domain::text::text;
use rust_xlsxwriter::{Format, Workbook};

use crate::domain::round::RoundStatus;
use crate::domain::service::ServiceType;
use crate::domain::table1::{Table1, Table1Row};
use crate::formats::csv::CsvWriter;
use crate::formats::markup::{escape, markdown};

/// A download format of Table 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table1Format {
    Json,
    Csv,
    Md,
    Xlsx,
    Html,
}

impl Table1Format {
    pub fn parse(text: &str) -> Option<Table1Format> {
        Some(match text.trim() {
            "json" => Table1Format::Json,
            "csv" => Table1Format::Csv,
            "md" | "markdown" => Table1Format::Md,
            "xlsx" => Table1Format::Xlsx,
            "html" => Table1Format::Html,
            _ => return None,
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Table1Format::Json => "json",
            Table1Format::Csv => "csv",
            Table1Format::Md => "md",
            Table1Format::Xlsx => "xlsx",
            Table1Format::Html => "html",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Table1Format::Json => "application/json",
            Table1Format::Csv => "text/csv; charset=utf-8",
            Table1Format::Md => "text/markdown; charset=utf-8",
            Table1Format::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            Table1Format::Html => "text/html; charset=utf-8",
        }
    }
}

/// Writes Table 1 in a format.
pub fn write(table: &Table1, format: Table1Format, lang: Language) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        Table1Format::Json => serde_json::to_vec_pretty(table)?,
        Table1Format::Csv => to_csv(table, lang)?,
        Table1Format::Md => to_markdown(table, lang).into_bytes(),
        Table1Format::Xlsx => to_xlsx(table, lang)?,
        Table1Format::Html => to_html(table, lang).into_bytes(),
    })
}

/// The file name a download gets: `vangnet-tabel1-2026.csv`, or the day.
pub fn file_name(table: &Table1, format: Table1Format) -> String {
    let what = table
        .round
        .clone()
        .unwrap_or_else(|| table.as_of.to_string());
    format!("vangnet-tabel1-{what}.{}", format.extension())
}

pub fn service_label(service: ServiceType, lang: Language) -> String {
    text(lang, &format!("service.{}", service.code()), &[])
}

/// Texts of the files, per language (`i18n/<language>/report.json`).
struct Words {
    title: String,
    round: String,
    provisional: String,
    headers: Vec<String>,
    footnote: String,
    facilities_sheet: String,
    facility_headers: Vec<String>,
}

fn words(lang: Language) -> Words {
    let word = |key: &str| text(lang, &format!("table1.{key}"), &[]);
    let list = |key: &str| word(key).split('|').map(str::to_string).collect();
    Words {
        title: word("title"),
        round: word("round"),
        provisional: word("provisional"),
        headers: list("headers"),
        footnote: word("footnote"),
        facilities_sheet: word("facilities_sheet"),
        facility_headers: list("facility_headers"),
    }
}

fn number(n: Option<i64>) -> String {
    n.map_or_else(String::new, |n| n.to_string())
}

fn heading(table: &Table1, lang: Language) -> String {
    let w = words(lang);
    let mut text = format!("{} {}", w.title, table.as_of);
    if let Some(round) = &table.round {
        text.push_str(&format!(" ({} {round})", w.round));
    }
    text
}

fn provisional(table: &Table1) -> bool {
    table.status == Some(RoundStatus::Open)
}

/// The printed cells of a row: service, locations, municipalities,
/// cities, capacity, notes, source.
fn printed(table: &Table1, row: &Table1Row, lang: Language) -> [String; 7] {
    [
        service_label(row.service, lang).to_string(),
        row.show_locations(lang),
        row.show_municipalities(lang),
        row.show_cities(lang),
        row.show_capacity(lang),
        row.notes_in(lang).join("; "),
        row.source_in(table.as_of, lang),
    ]
}

/// One line per service; the counts as numbers (empty when unknown) with
/// their qualifier, as printed, notes, source and the facilities counted.
pub fn to_csv(table: &Table1, lang: Language) -> anyhow::Result<Vec<u8>> {
    let mut writer = CsvWriter::new();
    writer.row([
        "as_of",
        "service",
        "locations",
        "municipalities",
        "capacity",
        "qualifier",
        "cities",
        "printed",
        "notes",
        "source",
        "round",
        "facility_ids",
    ])?;
    for row in &table.rows {
        writer.row([
            table.as_of.to_string(),
            row.service.code().to_string(),
            number(row.locations),
            number(row.municipalities),
            number(row.capacity),
            row.qualifier.code().to_string(),
            number(row.cities),
            row.show_locations(lang),
            row.notes_in(lang).join("; "),
            row.source_in(table.as_of, lang),
            table.round.clone().unwrap_or_default(),
            row.facility_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(";"),
        ])?;
    }
    writer.finish()
}

/// Markdown for a report to hand on. Every cell is [`markdown`]-escaped:
/// notes and sources are typed by people.
pub fn to_markdown(table: &Table1, lang: Language) -> String {
    let w = words(lang);
    let mut out = format!("{}\n\n", markdown(&heading(table, lang)));
    if provisional(table) {
        out.push_str(&format!("_{}_\n\n", w.provisional));
    }
    out.push_str(&format!("| {} |\n", w.headers.join(" | ")));
    out.push_str("| --- | ---: | ---: | ---: | ---: | --- | --- |\n");
    for row in &table.rows {
        let cells = printed(table, row, lang);
        let cells: Vec<String> = cells.iter().map(|c| markdown(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push_str(&format!("\n{}\n", w.footnote));
    out
}

/// A workbook: the table as printed (exact counts as numbers), and a
/// second sheet with the facilities each count is made of.
pub fn to_xlsx(table: &Table1, lang: Language) -> anyhow::Result<Vec<u8>> {
    let w = words(lang);
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name(text(lang, "table1.sheet", &[]))?;
    sheet.write_string_with_format(0, 0, heading(table, lang), &bold)?;
    let mut first = 2;
    if provisional(table) {
        sheet.write_string(1, 0, w.provisional)?;
        first = 3;
    }
    for (col, header) in w.headers.iter().enumerate() {
        sheet.write_string_with_format(first, col as u16, header.as_str(), &bold)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = first + 1 + i as u32;
        let cells = printed(table, row, lang);
        let values = [
            None,
            row.locations,
            row.municipalities,
            row.cities,
            row.capacity,
        ];
        for (col, cell) in cells.iter().enumerate() {
            let exact = row.qualifier == crate::domain::table1::Qualifier::Exact;
            match values.get(col).copied().flatten() {
                Some(n) if exact => {
                    sheet.write_number(r, col as u16, n as f64)?;
                }
                _ if col >= 5 => {
                    sheet.write_string_with_format(r, col as u16, cell, &wrap)?;
                }
                _ => {
                    sheet.write_string(r, col as u16, cell)?;
                }
            }
        }
    }
    let last = first + 2 + table.rows.len() as u32;
    sheet.write_string(last, 0, w.footnote)?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(5, 50)?;
    sheet.set_column_width(6, 40)?;

    let facilities = workbook.add_worksheet();
    facilities.set_name(w.facilities_sheet)?;
    for (col, header) in w.facility_headers.iter().enumerate() {
        facilities.write_string_with_format(0, col as u16, header.as_str(), &bold)?;
    }
    let mut r = 1;
    for row in &table.rows {
        for id in &row.facility_ids {
            facilities.write_string(r, 0, row.service.code())?;
            facilities.write_number(r, 1, *id as f64)?;
            r += 1;
        }
    }
    facilities.set_column_width(0, 20)?;
    Ok(workbook.save_to_buffer()?)
}

/// The table as an HTML `<table>` (with caption and footnote), for
/// embedding in a page or a report.
pub fn html_table(table: &Table1, lang: Language) -> String {
    let w = words(lang);
    let mut out = format!(
        "<table class=\"vangnet-table1\">\n<caption>{}</caption>\n<thead><tr>",
        escape(&heading(table, lang))
    );
    for header in w.headers {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(&header)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        let cells = printed(table, row, lang);
        out.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(&cells[0])));
        for (i, cell) in cells.iter().enumerate().skip(1) {
            let class = if (1..=4).contains(&i) {
                " class=\"num\""
            } else {
                ""
            };
            out.push_str(&format!("<td{class}>{}</td>", escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if provisional(table) {
        out.push_str(&format!(
            "<p><strong>{}</strong></p>\n",
            escape(&w.provisional)
        ));
    }
    out.push_str(&format!("<p><small>{}</small></p>\n", escape(&w.footnote)));
    out
}

/// A self-contained HTML document (no outside requests) with the table.
pub fn to_html(table: &Table1, lang: Language) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>\n\
         body{{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}}\n\
         table{{border-collapse:collapse}}\n\
         caption{{font-weight:bold;text-align:left;padding:.5rem 0}}\n\
         th,td{{border:1px solid #999;padding:.3rem .6rem;text-align:left;vertical-align:top}}\n\
         td.num{{text-align:right;font-variant-numeric:tabular-nums}}\n\
         </style>\n</head>\n<body>\n{}</body>\n</html>\n",
        lang.code(),
        escape(&heading(table, lang)),
        html_table(table, lang)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::table1::{Qualifier, ServiceCount, ServiceDetail, ServiceTally};
    use chrono::NaiveDate;

    fn table() -> Table1 {
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let mut table = Table1::from_tallies(
            day,
            [ServiceType::ConsumptionRoom, ServiceType::SyringeExchange],
            &[ServiceTally {
                count: ServiceCount {
                    service: ServiceType::ConsumptionRoom,
                    locations: 23,
                    municipalities: 14,
                    capacity: Some(200),
                },
                detail: ServiceDetail {
                    cities: 14,
                    mobile: 1,
                    facility_ids: vec![4, 5],
                    ..ServiceDetail::default()
                },
            }],
        );
        table.round = Some("2026".into());
        table.rows[1].qualifier = Qualifier::AtLeast;
        table.rows[1].locations = Some(29);
        table
    }

    #[test]
    fn markdown_prints_counts_with_their_qualifiers_and_notes() {
        let md = to_markdown(&table(), Language::Nl);
        assert!(md.starts_with("Tabel 1 — harm-reductionvoorzieningen open op 2026-06-01 (inventarisatieronde 2026)"), "{md}");
        assert!(md.contains("| Gebruiksruimte | 23 | 14 | 14 | 200 | 1 mobiele ruimte | register op 2026-06-01 |"), "{md}");
        assert!(md.contains("| Spuitomruil | ≥29 |"), "{md}");
    }

    #[test]
    fn csv_keeps_the_old_columns_first_and_lists_the_facilities() {
        let csv = String::from_utf8(to_csv(&table(), Language::Nl).unwrap()).unwrap();
        let mut lines = csv.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("as_of,service,locations,municipalities,capacity,qualifier,cities"));
        assert_eq!(
            lines.next().unwrap(),
            "2026-06-01,consumption_room,23,14,200,exact,14,23,1 mobiele ruimte,register op 2026-06-01,2026,4;5"
        );
    }

    #[test]
    fn html_is_escaped_and_self_contained() {
        let mut t = table();
        t.rows[0].note = Some("<b>let op</b>".into());
        let html = to_html(&t, Language::En);
        assert!(html.contains("&lt;b&gt;let op&lt;/b&gt;"));
        assert!(html.contains("<th scope=\"row\">Drug consumption room</th>"));
        assert!(!html.contains("http"));
    }

    #[test]
    fn the_workbook_has_the_table_and_the_facilities() {
        let bytes = to_xlsx(&table(), Language::Nl).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
