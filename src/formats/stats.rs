//! The change list ([`crate::domain::changes`]) and the spread
//! ([`crate::domain::spread`]) as CSV and Markdown; JSON is their serde form.
//! Markdown is Dutch, like the published inventory.

use crate::domain::changes::{ChangeKind, Changes};
use crate::domain::hours::date_in_words;
use crate::domain::language::Language;
use crate::domain::service::ServiceType;
use crate::domain::spread::{farthest_first, Spread};
use crate::domain::text::text;
use crate::formats::csv::CsvWriter;
use crate::formats::markup::markdown;
use crate::formats::table1::service_label;

fn codes(services: &[ServiceType]) -> String {
    services
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(";")
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

/// One row per facility whose place in the counts changed.
pub fn changes_csv(changes: &Changes) -> anyhow::Result<Vec<u8>> {
    let mut writer = CsvWriter::new();
    writer.row([
        "from",
        "to",
        "change",
        "date",
        "facility_id",
        "name",
        "municipality_code",
        "municipality",
        "province",
        "services_before",
        "services_after",
        "source",
        "verified_on",
        "version",
    ])?;
    for c in &changes.facilities {
        writer.row([
            changes.from.to_string(),
            changes.to.to_string(),
            c.kind.code().to_string(),
            date(c.date),
            c.facility_id.to_string(),
            c.name.clone(),
            c.municipality_code.clone(),
            c.municipality.clone(),
            c.province.clone(),
            codes(&c.services_before),
            codes(&c.services_after),
            c.source.clone(),
            date(c.verified_on),
            c.version.to_string(),
        ])?;
    }
    writer.finish()
}

/// How a change is called.
pub fn kind_label(kind: ChangeKind, lang: Language) -> String {
    text(lang, &format!("changes.kind.{}", kind.code()), &[])
}

/// The Markdown of the change list and the spread is Dutch, like the
/// published inventory.
const MARKDOWN: Language = Language::Nl;

fn t(key: &str, args: &[(&str, String)]) -> String {
    text(MARKDOWN, key, args)
}

/// A Markdown table header row and its rule, from `a|b|c`.
fn header(key: &str, rule: &str) -> String {
    let cells = t(key, &[]);
    let count = cells.split('|').count();
    format!(
        "| {} |\n|{}\n",
        cells.split('|').collect::<Vec<_>>().join(" | "),
        rule.repeat(count)
    )
}

fn labels(services: &[ServiceType]) -> String {
    if services.is_empty() {
        return "—".into();
    }
    services
        .iter()
        .map(|s| service_label(*s, MARKDOWN))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sentences per service and the list, in Dutch. `since` names the
/// first day or round in the sentences ("2022").
pub fn changes_markdown(changes: &Changes, since: &str) -> String {
    let (from, to) = (
        date_in_words(changes.from, MARKDOWN),
        date_in_words(changes.to, MARKDOWN),
    );
    let mut out = match (&changes.from_round, &changes.to_round) {
        (Some(a), Some(b)) => t(
            "changes.md.between_rounds",
            &[
                ("a", a.clone()),
                ("b", b.clone()),
                ("from", from),
                ("to", to),
            ],
        ),
        _ => t("changes.md.between", &[("from", from), ("to", to)]),
    } + "\n\n";
    for s in &changes.services {
        out.push_str(&format!(
            "- {}: {}\n",
            service_label(s.service, MARKDOWN),
            s.sentence(MARKDOWN, since)
        ));
    }
    out.push('\n');
    out.push_str(&header("changes.md.headers", " --- |"));
    for c in &changes.facilities {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            c.date
                .map_or_else(|| t("changes.md.unknown_day", &[]), |d| d.to_string()),
            kind_label(c.kind, MARKDOWN),
            markdown(&c.name),
            markdown(&c.municipality),
            labels(&c.services_before),
            labels(&c.services_after),
            markdown(&c.source)
        ));
    }
    out
}

fn km(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v:.1}"))
}

/// One row per municipality: its locations per service and the distance
/// from its representative point to the nearest public facility of each kind.
pub fn spread_csv(spread: &Spread) -> anyhow::Result<Vec<u8>> {
    let mut writer = CsvWriter::new();
    let mut header = vec![
        "as_of".to_string(),
        "municipality_code".into(),
        "municipality".into(),
        "province_code".into(),
        "province".into(),
        "facilities".into(),
    ];
    for s in ServiceType::ALL {
        header.push(format!("locations_{}", s.code()));
    }
    for s in ServiceType::ALL {
        header.push(format!("nearest_km_{}", s.code()));
    }
    writer.row(&header)?;
    for m in &spread.municipalities {
        let mut row = vec![
            spread.as_of.to_string(),
            m.code.clone(),
            m.name.clone(),
            m.province_code.clone(),
            m.province.clone(),
            m.facilities.to_string(),
        ];
        row.extend(
            ServiceType::ALL
                .iter()
                .map(|s| m.locations.get(*s).to_string()),
        );
        row.extend(ServiceType::ALL.iter().map(|s| km(m.nearest_km.get(*s))));
        writer.row(&row)?;
    }
    writer.finish()
}

/// Per province, then per service the ten municipalities farthest away, in Dutch.
pub fn spread_markdown(spread: &Spread) -> String {
    let mut out = t(
        "spread.md.title",
        &[("day", date_in_words(spread.as_of, MARKDOWN))],
    );
    out.push_str(&format!("\n\n| {} |", t("spread.md.province", &[])));
    for s in ServiceType::ALL {
        out.push_str(&format!(" {} |", service_label(s, MARKDOWN)));
    }
    out.push_str(&format!(" {} |\n| --- |", t("spread.md.locations", &[])));
    out.push_str(&" ---: |".repeat(ServiceType::ALL.len() + 1));
    out.push('\n');
    for p in &spread.provinces {
        out.push_str(&format!("| {} |", markdown(&p.name)));
        for s in ServiceType::ALL {
            out.push_str(&format!(" {} |", p.locations.get(s)));
        }
        out.push_str(&format!(" {} |\n", p.facilities));
    }
    out.push_str(&format!("\n{}\n", t("spread.md.note", &[])));
    for s in ServiceType::ALL {
        let far = farthest_first(spread, s);
        if far.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{}\n\n",
            t(
                "spread.md.farthest",
                &[("service", service_label(s, MARKDOWN))]
            )
        ));
        out.push_str(&farthest_header());
        for m in far.iter().take(10) {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                markdown(&m.name),
                markdown(&m.province),
                km(m.nearest_km.get(s))
            ));
        }
    }
    out
}

/// The farthest-municipalities table's header: distances align right.
fn farthest_header() -> String {
    let cells = t("spread.md.farthest_headers", &[]);
    format!(
        "| {} |\n| --- | --- | ---: |\n",
        cells.split('|').collect::<Vec<_>>().join(" | ")
    )
}
