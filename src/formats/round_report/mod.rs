//! A round's report ([`crate::domain::round_report::RoundReport`]) as files to hand
//! on: one self-contained HTML document (`html.rs`: inline style and SVG,
//! nothing fetched) and an XLSX workbook with one sheet per table
//! (`xlsx.rs`). Dutch by default, English on request; the texts are here,
//! as the other formats keep theirs (`table1::service_label`).

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

/// The text in the report's language.
fn t(lang: Language, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Nl => nl,
        Language::En => en,
    }
}

/// Column headers, written `a|b|c` in each language.
fn columns(lang: Language, nl: &'static str, en: &'static str) -> Vec<String> {
    t(lang, nl, en).split('|').map(str::to_string).collect()
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
        t(
            lang,
            "Inventarisatie harm-reductionvoorzieningen — ronde {name}",
            "Inventory of harm-reduction services — round {name}",
        ),
        &[("name", &report.round.name)],
    )
}

fn status_label(status: RoundStatus, lang: Language) -> &'static str {
    let (nl, en) = match status {
        RoundStatus::Open => ("open (voorlopig)", "open (provisional)"),
        RoundStatus::Closed => (
            "gesloten (vastgelegd, nog niet gepubliceerd)",
            "closed (frozen, not yet published)",
        ),
        RoundStatus::Published => ("gepubliceerd", "published"),
    };
    t(lang, nl, en)
}

/// How the round's figures should be read: provisional or frozen.
fn standing(report: &RoundReport, lang: Language) -> String {
    if !report.frozen() {
        return t(
            lang,
            "Voorlopig: de ronde is nog open. De cijfers komen live uit het register en kunnen nog veranderen.",
            "Provisional: the round is still open. Its figures come live from the register and may still change.",
        )
        .to_string();
    }
    let closed = report
        .round
        .closed_at
        .as_deref()
        .and_then(|at| NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok())
        .map_or_else(String::new, |d| day(d, lang));
    fill(
        t(
            lang,
            "De cijfers zijn vastgelegd bij het sluiten van de ronde ({closed}); latere wijzigingen in het register veranderen ze niet.",
            "The figures were frozen when the round was closed ({closed}); later changes to the register do not change them.",
        ),
        &[("closed", &closed)],
    )
}

fn service_label(service: ServiceType, lang: Language) -> &'static str {
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

fn kind_label(kind: ChangeKind, lang: Language) -> &'static str {
    match lang {
        Language::Nl => crate::formats::stats::kind_nl(kind),
        Language::En => match kind {
            ChangeKind::Opened => "opened",
            ChangeKind::Closed => "closed",
            ChangeKind::ServicesChanged => "other services",
            ChangeKind::NowPublic => "now public",
            ChangeKind::NoLongerPublic => "no longer publicly accessible",
        },
    }
}

fn origin_label(origin: Origin, lang: Language) -> &'static str {
    match origin {
        Origin::Register => t(lang, "telling uit het register", "count from the register"),
        Origin::External => t(
            lang,
            "gepubliceerd cijfer (externe bron)",
            "published figure (external source)",
        ),
    }
}

fn unknown(lang: Language) -> &'static str {
    Qualifier::Unknown.label(lang)
}

/// A trend point's value as printed: `23`, `≥29`, `±24`, `onbekend`.
fn printed(point: &TrendPoint, lang: Language) -> String {
    qualified(point.value, point.qualifier, unknown(lang))
}

/// The texts drawn in the trend figure of `service`.
fn chart_texts(service: ServiceType, lang: Language) -> ChartTexts {
    let name = service_label(service, lang);
    ChartTexts {
        title: fill(
            t(
                lang,
                "{service}: aantal locaties per inventarisatie",
                "{service}: number of locations per inventory round",
            ),
            &[("service", name)],
        ),
        description: fill(
            t(
                lang,
                "Aantal openbare locaties van de soort {service} per inventarisatie.",
                "Number of public locations of the kind {service} per inventory round.",
            ),
            &[("service", name)],
        ),
        register: origin_label(Origin::Register, lang).to_string(),
        external: origin_label(Origin::External, lang).to_string(),
        qualifiers: t(
            lang,
            "≥ ten minste (bekende ondertelling) · ± ongeveer · ? onbekend",
            "≥ at least (known undercount) · ± approximately · ? unknown",
        )
        .to_string(),
        unknown: unknown(lang).to_string(),
        y_axis: t(lang, "locaties", "locations").to_string(),
    }
}

/// What the change list compares with, in a sentence.
fn baseline_text(report: &RoundReport, lang: Language) -> String {
    match &report.baseline {
        Baseline::Round { name, date } => fill(
            t(
                lang,
                "Vergeleken met de vorige ronde, {name} (peildatum {date}).",
                "Compared with the previous round, {name} (reference date {date}).",
            ),
            &[("name", name), ("date", &day(*date, lang))],
        ),
        Baseline::RegisterOn(date) => fill(
            t(
                lang,
                "Er is geen eerdere ronde in het register. Vergeleken is met het register op {date}, dezelfde dag vier jaar eerder. Een eerder gepubliceerde inventarisatie is een externe bron die geen voorzieningen één voor één noemt; deze veranderingen komen daarom uit de geschiedenis van het register op die twee dagen.",
                "There is no earlier round in the register. The comparison is with the register on {date}, the same day four years earlier. An inventory published before is an external source that does not name facilities one by one, so these changes come from the register's history on those two days.",
            ),
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
            t(
                lang,
                "De {n} openbare locaties die de ronde telde, zoals het register ze op {date} kent. Gekleurd naar aantal: zonder bevolkingscijfers kan niet per 100.000 inwoners worden gerekend.",
                "The {n} public locations the round counted, as the register knows them on {date}. Coloured by count: without population figures there is no rate per 100,000 inhabitants.",
            ),
            &[("n", &report.spread.facilities.to_string()), ("date", &date)],
        )
    } else {
        fill(
            t(
                lang,
                "De openbare locaties in het register op {date}. Gekleurd naar aantal: zonder bevolkingscijfers kan niet per 100.000 inwoners worden gerekend.",
                "The public locations in the register on {date}. Coloured by count: without population figures there is no rate per 100,000 inhabitants.",
            ),
            &[("date", &date)],
        )
    }
}

/// "register op 2026-06-01: 27 voorzieningen geteld".
fn register_source(report: &RoundReport, lang: Language) -> String {
    fill(
        t(
            lang,
            "register op {date}: {n} voorzieningen geteld",
            "register on {date}: {n} facilities counted",
        ),
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
        t(lang, "{n} voorzieningen: {ids}", "{n} facilities: {ids}"),
        &[("n", &ids.len().to_string()), ("ids", &list)],
    )
}

/// Where Table 1 reads a service's count otherwise than the register
/// counts it, the spread (which shows what the register knows) says so.
fn reading(report: &RoundReport, spread: &ServiceSpread, lang: Language) -> Option<String> {
    let row = report.table.row(spread.service)?;
    (row.qualifier != Qualifier::Exact || row.locations != Some(row.register_locations)).then(|| {
        fill(
            t(
                lang,
                "Tabel 1 leest deze telling als {printed} ({qualifier}); de kaart en de tabellen hier tonen de {n} locaties die het register kent.",
                "Table 1 reads this count as {printed} ({qualifier}); the map and tables here show the {n} locations the register knows.",
            ),
            &[
                ("printed", &row.show_locations(lang)),
                ("qualifier", row.qualifier.label(lang)),
                ("n", &spread.locations.to_string()),
            ],
        )
    })
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
