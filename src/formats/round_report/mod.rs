//! A round's report ([`crate::domain::round_report::RoundReport`]) as files to hand
//! on: one self-contained HTML document (`html.rs` fills the template
//! `templates/report/round.html`: inline style and SVG, nothing fetched)
//! and an XLSX workbook with one sheet per table (`xlsx.rs`). Dutch by
//! default, English on request; every text comes from the catalogue
//! (`i18n/<language>/report.json`).

mod html;
mod xlsx;

pub use html::to_html;
pub use xlsx::to_xlsx;

use crate::domain::language::Language;
use chrono::NaiveDate;

use crate::domain::changes::ChangeKind;
use crate::domain::hours::date_in_words;
use crate::domain::round::RoundStatus;
use crate::domain::round_report::{Baseline, RoundReport};
use crate::domain::service::ServiceType;
use crate::domain::spread::ServiceSpread;
use crate::domain::table1::Qualifier;
use crate::domain::trend::{Origin, TrendPoint};
use crate::formats::chart::{qualified, ChartTexts};

/// A download format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Xlsx,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// Writes the report in a format.
pub fn write(
    report: &RoundReport,
    format: ReportFormat,
    lang: Language,
) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        ReportFormat::Html => to_html(report, lang).into_bytes(),
        ReportFormat::Xlsx => to_xlsx(report, lang)?,
    })
}

/// The file name a download gets: `vangnet-ronde-2026.xlsx`.
pub fn file_name(round: &str, format: ReportFormat) -> String {
    format!("vangnet-ronde-{round}.{}", format.extension())
}

/// The report's text `key` (`i18n/<language>/report.json`).
fn t(lang: Language, key: &str) -> String {
    crate::domain::text::text(lang, key, &[])
}

/// Column headers, written `a|b|c` in the catalogue.
fn columns(lang: Language, key: &str) -> Vec<String> {
    t(lang, key).split('|').map(str::to_string).collect()
}

/// A text with `{name}` placeholders filled in.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

fn day(date: NaiveDate, lang: Language) -> String {
    date_in_words(date, lang)
}

fn title(report: &RoundReport, lang: Language) -> String {
    fill(
        &t(lang, "report.inventory_of_harm_reduction_services_rou"),
        &[("name", &report.round.name)],
    )
}

fn status_label(status: RoundStatus, lang: Language) -> String {
    let key = match status {
        RoundStatus::Open => "report.open_provisional",
        RoundStatus::Closed => "report.closed_frozen_not_yet_published",
        RoundStatus::Published => "report.published",
    };
    t(lang, key)
}

/// How the round's figures should be read: provisional or frozen.
fn standing(report: &RoundReport, lang: Language) -> String {
    if !report.frozen() {
        return t(lang, "report.provisional_the_round_is_still_open_its").to_string();
    }
    let closed = report
        .round
        .closed_at
        .as_deref()
        .and_then(|at| NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok())
        .map_or_else(String::new, |d| day(d, lang));
    fill(
        &t(lang, "report.the_figures_were_frozen_when_the_round_w"),
        &[("closed", &closed)],
    )
}

fn service_label(service: ServiceType, lang: Language) -> String {
    crate::formats::table1::service_label(service, lang)
}

fn services_text(services: &[ServiceType], lang: Language) -> String {
    if services.is_empty() {
        return "—".into();
    }
    services
        .iter()
        .map(|s| service_label(*s, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_label(kind: ChangeKind, lang: Language) -> String {
    crate::formats::stats::kind_label(kind, lang)
}

fn origin_label(origin: Origin, lang: Language) -> String {
    match origin {
        Origin::Register => t(lang, "report.count_from_the_register"),
        Origin::External => t(lang, "report.published_figure_external_source"),
    }
}

fn unknown(lang: Language) -> String {
    Qualifier::Unknown.label(lang)
}

/// A trend point's value as printed: `23`, `≥29`, `±24`, `onbekend`.
fn printed(point: &TrendPoint, lang: Language) -> String {
    qualified(point.value, point.qualifier, &unknown(lang))
}

/// The texts drawn in the trend figure of `service`.
fn chart_texts(service: ServiceType, lang: Language) -> ChartTexts {
    let name = service_label(service, lang);
    ChartTexts {
        title: fill(
            &t(lang, "report.number_of_locations_per_inventory_round"),
            &[("service", &name)],
        ),
        description: fill(
            &t(lang, "report.number_of_public_locations_of_the_kind_p"),
            &[("service", &name)],
        ),
        register: origin_label(Origin::Register, lang).to_string(),
        external: origin_label(Origin::External, lang).to_string(),
        qualifiers: t(lang, "report.at_least_known_undercount_approximately").to_string(),
        unknown: unknown(lang).to_string(),
        y_axis: t(lang, "report.locations").to_string(),
    }
}

/// What the change list compares with, in a sentence.
fn baseline_text(report: &RoundReport, lang: Language) -> String {
    match &report.baseline {
        Baseline::Round { name, date } => fill(
            &t(lang, "report.compared_with_the_previous_round_referen"),
            &[("name", name), ("date", &day(*date, lang))],
        ),
        Baseline::RegisterOn(date) => fill(
            &t(lang, "report.there_is_no_earlier_round_in_the_registe"),
            &[("date", &day(*date, lang))],
        ),
    }
}

/// How the sentences name the first day: the previous round, or the day.
fn since(report: &RoundReport, lang: Language) -> String {
    match &report.baseline {
        Baseline::Round { name, .. } => name.clone(),
        Baseline::RegisterOn(date) => day(*date, lang),
    }
}

/// "3 gesloten en 2 geopend sinds 2022 (van 24 naar 23)" per service.
fn sentences(report: &RoundReport, lang: Language) -> Vec<(ServiceType, String)> {
    let since = since(report, lang);
    report
        .changes
        .services
        .iter()
        .map(|s| (s.service, s.sentence(lang, &since)))
        .collect()
}

/// What the spread counts, in a sentence.
fn spread_basis(report: &RoundReport, lang: Language) -> String {
    let date = day(report.spread.as_of, lang);
    if report.frozen() {
        fill(
            &t(lang, "report.the_public_locations_the_round_counted_a"),
            &[
                ("n", &report.spread.facilities.to_string()),
                ("date", &date),
            ],
        )
    } else {
        fill(
            &t(lang, "report.the_public_locations_in_the_register_on"),
            &[("date", &date)],
        )
    }
}

/// "register op 2026-06-01: 27 voorzieningen geteld".
fn register_source(report: &RoundReport, lang: Language) -> String {
    fill(
        &t(lang, "report.register_on_facilities_counted"),
        &[
            ("date", &report.round.reference_date.to_string()),
            ("n", &report.facilities_counted.to_string()),
        ],
    )
}

/// A distance in kilometres with the language's decimal mark.
fn km(value: f64, lang: Language) -> String {
    let text = format!("{value:.1}");
    match lang {
        Language::Nl => text.replace('.', ","),
        Language::En => text,
    }
}

/// "23 voorzieningen: 1, 2, 4, …", the facilities a count was frozen with.
fn frozen_text(ids: &[i64], lang: Language) -> String {
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    fill(
        &t(lang, "report.facilities"),
        &[("n", &ids.len().to_string()), ("ids", &list)],
    )
}

/// Where Table 1 reads a service's count otherwise than the register
/// counts it, the spread (which shows what the register knows) says so.
fn reading(report: &RoundReport, spread: &ServiceSpread, lang: Language) -> Option<String> {
    let row = report.table.row(spread.service)?;
    (row.qualifier != Qualifier::Exact || row.locations != Some(row.register_locations)).then(
        || {
            fill(
                &t(lang, "report.table_1_reads_this_count_as_the_map_and"),
                &[
                    ("printed", &row.show_locations(lang)),
                    ("qualifier", &row.qualifier.label(lang)),
                    ("n", &spread.locations.to_string()),
                ],
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_distances_use_the_decimal_mark() {
        assert_eq!(
            fill("{a} en {b}", &[("a", "1"), ("b", "2")]),
            "1 en 2".to_string()
        );
        assert_eq!(km(12.34, Language::Nl), "12,3");
        assert_eq!(km(12.34, Language::En), "12.3");
        assert_eq!(
            file_name("2026", ReportFormat::Xlsx),
            "vangnet-ronde-2026.xlsx"
        );
    }
}
