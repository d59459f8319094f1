//! The report as a workbook, one sheet per table, each with its header
//! row frozen and filterable: counts and distances as numbers, dates as
//! dates, a count's qualifier in its own column next to the count as
//! printed. Text cells are stored as text, so nothing typed by people runs
//! as a formula.

use rust_xlsxwriter::{Format, Workbook};

use super::*;
use crate::domain::spread::ProvinceSpread;
use crate::formats::table::Cell;
use crate::formats::xlsx::write_cell;

/// One sheet: its name, its header row and its rows.
struct Sheet {
    name: String,
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// The report as an XLSX workbook.
pub fn to_xlsx(report: &RoundReport, lang: Language) -> anyhow::Result<Vec<u8>> {
    let services: Vec<ServiceType> = report.round.services().collect();
    let per_service = |fixed: Vec<String>, each: Vec<String>| {
        let mut all = fixed;
        for template in &each {
            all.extend(
                services
                    .iter()
                    .map(|s| fill(template, &[("service", &service_label(*s, lang))])),
            );
        }
        all
    };
    let sheets = [
        Sheet {
            name: t(lang, "report.table_1"),
            headers: columns(lang, "report.service_code_locations_qualifier_as_prin"),
            rows: table1_rows(report, lang),
        },
        Sheet {
            name: "Trend".into(),
            headers: columns(lang, "report.service_year_date_locations_qualifier_as"),
            rows: trend_rows(report, lang),
        },
        Sheet {
            name: t(lang, "report.changes_per_service"),
            headers: columns(lang, "report.service_count_before_count_after_opened"),
            rows: change_count_rows(report, lang),
        },
        Sheet {
            name: t(lang, "report.changes"),
            headers: columns(lang, "report.date_change_facility_id_facility_municip"),
            rows: change_rows(report, lang),
        },
        Sheet {
            name: t(lang, "report.spread_provinces"),
            headers: per_service(
                columns(lang, "report.province_code_province_municipalities_fa"),
                columns(lang, "report.locations_municipalities_with"),
            ),
            rows: province_rows(report, &services, lang),
        },
        Sheet {
            name: t(lang, "report.spread_municipalities"),
            headers: per_service(
                columns(lang, "report.municipality_code_municipality_province"),
                columns(lang, "report.locations_distance_to_km"),
            ),
            rows: municipality_rows(report, &services),
        },
        Sheet {
            name: t(lang, "report.sources"),
            headers: columns(lang, "report.part_source_notes"),
            rows: source_rows(report, lang),
        },
    ];
    let mut workbook = Workbook::new();
    for sheet in sheets {
        write_sheet(&mut workbook, sheet)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_sheet(workbook: &mut Workbook, sheet: Sheet) -> anyhow::Result<()> {
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let out = workbook.add_worksheet();
    out.set_name(&sheet.name)?;
    for (col, header) in sheet.headers.iter().enumerate() {
        let col = col as u16;
        out.write_string_with_format(0, col, header, &bold)?;
        out.set_column_width(col, (header.chars().count() + 4).clamp(10, 40) as f64)?;
    }
    let last_row = sheet.rows.len() as u32;
    let last_col = sheet.headers.len().saturating_sub(1) as u16;
    for (i, cells) in sheet.rows.into_iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in cells.into_iter().enumerate() {
            write_cell(out, row, col as u16, cell, &date)?;
        }
    }
    out.set_freeze_panes(1, 0)?;
    out.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

/// A count; empty when unknown.
fn number(value: Option<i64>) -> Cell {
    value.map_or(Cell::Empty, |n| Cell::Number(n as f64))
}

fn count(value: i64) -> Cell {
    Cell::Number(value as f64)
}

fn date(value: Option<NaiveDate>) -> Cell {
    value.map_or(Cell::Empty, Cell::Date)
}

fn table1_rows(report: &RoundReport, lang: Language) -> Vec<Vec<Cell>> {
    let table = &report.table;
    let row = |r: &crate::domain::table1::Table1Row| {
        vec![
            text(service_label(r.service, lang)),
            text(r.service.code()),
            number(r.locations),
            text(r.qualifier.label(lang)),
            text(r.show_locations(lang)),
            number(r.municipalities),
            number(r.cities),
            number(r.capacity),
            count(r.register_locations),
            text(r.notes_in(lang).join("; ")),
            text(r.source_in(table.as_of, lang)),
        ]
    };
    table.rows.iter().map(row).collect()
}

fn trend_rows(report: &RoundReport, lang: Language) -> Vec<Vec<Cell>> {
    let row = |service: ServiceType, p: &TrendPoint| {
        vec![
            text(service_label(service, lang)),
            text(p.label.clone()),
            Cell::Date(p.date),
            number(p.value.filter(|_| p.qualifier != Qualifier::Unknown)),
            text(p.qualifier.label(lang)),
            text(printed(p, lang)),
            text(origin_label(p.origin, lang)),
            text(p.source_in(lang).to_string()),
            p.round.clone().map_or(Cell::Empty, Cell::Text),
        ]
    };
    report
        .trends
        .iter()
        .flat_map(|trend| trend.points.iter().map(|p| row(trend.service, p)))
        .collect()
}

fn change_count_rows(report: &RoundReport, lang: Language) -> Vec<Vec<Cell>> {
    let counts = report.changes.services.iter();
    counts
        .zip(sentences(report, lang))
        .map(|(s, (_, sentence))| {
            let numbers = [
                s.count_from,
                s.count_to,
                s.opened,
                s.closed,
                s.started,
                s.stopped,
            ];
            let mut cells = vec![text(service_label(s.service, lang))];
            cells.extend(numbers.map(count));
            cells.push(text(sentence));
            cells
        })
        .collect()
}

fn change_rows(report: &RoundReport, lang: Language) -> Vec<Vec<Cell>> {
    let list = report.changes.facilities.iter();
    list.map(|c| {
        vec![
            date(c.date),
            text(kind_label(c.kind, lang)),
            count(c.facility_id),
            text(c.name.clone()),
            text(c.municipality_code.clone()),
            text(c.municipality.clone()),
            text(c.province.clone()),
            text(services_text(&c.services_before, lang)),
            text(services_text(&c.services_after, lang)),
            text(c.source.clone()),
            date(c.verified_on),
            count(c.version),
        ]
    })
    .collect()
}

/// The twelve provinces, then the country.
fn province_rows(report: &RoundReport, services: &[ServiceType], lang: Language) -> Vec<Vec<Cell>> {
    let spread = &report.spread;
    let national = ProvinceSpread {
        code: "NL".into(),
        name: t(lang, "report.netherlands"),
        facilities: spread.facilities,
        locations: spread.national,
        municipalities_with: spread.national_municipalities_with,
        municipalities: spread.municipalities.len() as i64,
    };
    let row = |p: &ProvinceSpread| {
        let mut cells = vec![
            text(p.code.clone()),
            text(p.name.clone()),
            count(p.municipalities),
            count(p.facilities),
        ];
        cells.extend(services.iter().map(|s| count(p.locations.get(*s))));
        cells.extend(
            services
                .iter()
                .map(|s| count(p.municipalities_with.get(*s))),
        );
        cells
    };
    spread
        .provinces
        .iter()
        .chain([&national])
        .map(row)
        .collect()
}

/// Every municipality: its locations and how far the nearest of each kind is.
fn municipality_rows(report: &RoundReport, services: &[ServiceType]) -> Vec<Vec<Cell>> {
    let km = |value: Option<f64>| value.map_or(Cell::Empty, Cell::Number);
    let list = report.spread.municipalities.iter();
    list.map(|m| {
        let mut cells = vec![
            text(m.code.clone()),
            text(m.name.clone()),
            text(m.province_code.clone()),
            text(m.province.clone()),
            count(m.facilities),
        ];
        cells.extend(services.iter().map(|s| count(m.locations.get(*s))));
        cells.extend(services.iter().map(|s| km(m.nearest_km.get(*s))));
        cells
    })
    .collect()
}

/// Where each part comes from: the round, the register, every external
/// source of Table 1 and the trend, the comparison, the spread, and the
/// facilities a frozen round counted.
fn source_rows(report: &RoundReport, lang: Language) -> Vec<Vec<Cell>> {
    let round = &report.round;
    let table1 = t(lang, "report.table_1");
    let status = format!(
        "{} {}; {}. {}",
        t(lang, "report.reference_date_2"),
        round.reference_date,
        status_label(round.status, lang),
        standing(report, lang)
    );
    let mut rows = vec![
        vec![
            text(t(lang, "report.round")),
            text(title(report, lang)),
            text(status),
        ],
        vec![text(&table1), text(register_source(report, lang))],
    ];
    for r in &report.table.rows {
        if let Some(source) = &r.external_source {
            let part = format!("{table1}: {}", service_label(r.service, lang));
            rows.push(vec![
                text(part),
                text(source.clone()),
                text(r.notes_in(lang).join("; ")),
            ]);
        }
    }
    for trend in &report.trends {
        for p in trend.points.iter().filter(|p| p.origin == Origin::External) {
            let part = format!("Trend: {} {}", service_label(trend.service, lang), p.label);
            rows.push(vec![
                text(part),
                text(p.source_in(lang).to_string()),
                text(origin_label(p.origin, lang)),
            ]);
        }
    }
    rows.push(vec![
        text(t(lang, "report.changes")),
        text(baseline_text(report, lang)),
    ]);
    rows.push(vec![
        text(t(lang, "report.spread")),
        text(spread_basis(report, lang)),
    ]);
    let frozen = t(lang, "report.frozen_facilities");
    for f in &report.frozen {
        let part = format!("{frozen}: {}", service_label(f.service, lang));
        rows.push(vec![text(part), text(frozen_text(&f.facility_ids, lang))]);
    }
    rows
}
