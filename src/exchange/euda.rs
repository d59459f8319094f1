//! EUDA-shaped national tables for a year (issue 15, item 4): syringe
//! provision by type of programme, provision sites and their spread over
//! the provinces, consumption rooms and their capacity, naloxone
//! programmes and kits, people in opioid agonist treatment — each row with
//! its source, as CSV and XLSX.
//!
//! Decisions:
//! - For national staff only (the EUDA reporting is the national focal
//!   point's work): the figures are exact, per type of programme, and so
//!   not suppressed; reading them is audited.
//! - Which facilities: the public ones (the register's public counting
//!   rule, `register::reads::open_public_facilities`) open on 31 December
//!   of the year, or today for the current year. Residents-only rooms are
//!   not public and not counted.
//! - Type of programme, for a facility offering syringe exchange: a
//!   pharmacy when its organisation is one; outreach/mobile when it is
//!   mobile; a fixed site otherwise. vangnet registers no vending
//!   machines: that row says so (qualifier `unknown`).
//! - Activity (syringes handed out, naloxone kits): the approved period
//!   values of the year, summed per facility (`syringes_out`,
//!   `naloxone_kits_out`). People in treatment (`patients_in_treatment`,
//!   reported by methadone clinics and heroin units): each facility's
//!   average over its approved values of the year, added up — the
//!   metric's own aggregation. A figure some sites did not report is
//!   `at_least`, and the note says how many reported.
//! - External figures (`data/published_figures.csv`, as loaded): every
//!   figure of the table's keys up to the year, with its own period,
//!   qualifier and source.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use crate::domain::access::Principal;
use crate::domain::date::today;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Facility;
use crate::domain::geo::geo;
use crate::domain::metric::Period;
use crate::domain::organisation::OrganisationKind;
use crate::domain::provenance::Actor;
use crate::domain::service::ServiceType;
use crate::storage::audit::AuditEvent;
use crate::storage::rollups::Basis;
use crate::storage::Store;

/// One cell of the tables, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `syringes`, `sites`, `consumption_rooms`, `naloxone`, `oat`.
    pub table: &'static str,
    pub indicator: String,
    /// A type of programme, a province, `NL`, or an external figure's scope.
    pub breakdown: String,
    /// Empty when unknown; a range as `low-high`.
    pub value: String,
    /// exact, at_least, approx, range, unknown.
    pub qualifier: String,
    pub unit: String,
    /// The period the value covers (the year, or an external figure's own).
    pub period: String,
    pub source: String,
    pub note: String,
}

/// The columns, in order.
pub const COLUMNS: [&str; 9] = [
    "table",
    "indicator",
    "breakdown",
    "value",
    "qualifier",
    "unit",
    "period",
    "source",
    "note",
];

impl Row {
    pub fn cells(&self) -> [&str; 9] {
        [
            self.table,
            &self.indicator,
            &self.breakdown,
            &self.value,
            &self.qualifier,
            &self.unit,
            &self.period,
            &self.source,
            &self.note,
        ]
    }
}

/// The types of syringe programme the EUDA asks for.
pub const PROGRAMMES: [&str; 4] = [
    "fixed_site",
    "outreach_mobile",
    "pharmacy",
    "vending_machine",
];

fn programme(facility: &Facility, kinds: &HashMap<i64, OrganisationKind>) -> &'static str {
    let pharmacy = facility
        .organisation_id
        .and_then(|id| kinds.get(&id))
        .is_some_and(|k| *k == OrganisationKind::Pharmacy);
    if pharmacy {
        "pharmacy"
    } else if facility.fields.mobile {
        "outreach_mobile"
    } else {
        "fixed_site"
    }
}

/// Per facility, its approved values of `metric` in `year`.
async fn approved(store: &Store, metric: &str, year: i32) -> AppResult<BTreeMap<i64, Vec<i64>>> {
    let mut out: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let facts = store
        .metric_facts(
            Basis::Approved,
            metric,
            &year.to_string(),
            &(year + 1).to_string(),
        )
        .await?;
    for fact in facts {
        if Period::parse(&fact.period).is_ok_and(|p| p.start().year() == year) {
            out.entry(fact.facility_id).or_default().push(fact.value);
        }
    }
    Ok(out)
}

const REGISTER: &str = "vangnet register";

fn register_row(
    table: &'static str,
    indicator: &str,
    breakdown: &str,
    (value, complete): (i64, bool),
    unit: &str,
    year: i32,
    (source, note): (String, String),
) -> Row {
    Row {
        table,
        indicator: indicator.to_string(),
        breakdown: breakdown.to_string(),
        value: value.to_string(),
        qualifier: if complete { "exact" } else { "at_least" }.to_string(),
        unit: unit.to_string(),
        period: year.to_string(),
        source,
        note,
    }
}

/// An activity metric summed over `sites`: (total, how many reported).
fn summed(values: &BTreeMap<i64, Vec<i64>>, sites: &[&Facility]) -> (i64, usize) {
    let mut total = 0;
    let mut reported = 0;
    for f in sites {
        if let Some(v) = values.get(&f.id) {
            total += v.iter().sum::<i64>();
            reported += 1;
        }
    }
    (total, reported)
}

/// The tables of `year` (default: last year) for national staff, with
/// the year; audited.
pub async fn tables(
    store: &Store,
    year: Option<&str>,
    who: &Principal,
    actor: &Actor,
) -> AppResult<(i32, Vec<Row>)> {
    if !crate::exchange::adx::exact_for(Some(who)) {
        return Err(AppError::Forbidden(
            "the EUDA tables are for national staff (admin, researcher)".into(),
        ));
    }
    let now = today();
    let year: i32 = match year.map(str::trim).filter(|t| !t.is_empty()) {
        None => now.year() - 1,
        Some(t) => t
            .parse()
            .ok()
            .filter(|y| (1990..=now.year()).contains(y))
            .ok_or_else(|| {
                AppError::invalid(
                    "year",
                    format!("'{t}' is not a year from 1990 to {}", now.year()),
                )
            })?,
    };
    let day = if year == now.year() {
        now
    } else {
        NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists")
    };
    let facilities = crate::register::reads::open_public_facilities(store, day).await?;
    let kinds: HashMap<i64, OrganisationKind> = store
        .list_organisations(Some(day))
        .await?
        .into_iter()
        .map(|o| (o.id, o.fields.kind))
        .collect();
    let offering = |s: ServiceType| -> Vec<&Facility> {
        facilities
            .iter()
            .filter(|f| f.fields.services.contains(s))
            .collect()
    };
    let on = format!("public facilities open on {day}");
    let mut rows = Vec::new();

    // Syringes by type of programme, and the sites.
    let exchanges = offering(ServiceType::SyringeExchange);
    let syringes = approved(store, "syringes_out", year).await?;
    for kind in PROGRAMMES {
        if kind == "vending_machine" {
            for (table, indicator, unit) in [
                ("syringes", "syringes_provided", "syringes"),
                ("sites", "provision_sites", "sites"),
            ] {
                rows.push(Row {
                    table,
                    indicator: indicator.into(),
                    breakdown: kind.into(),
                    value: String::new(),
                    qualifier: "unknown".into(),
                    unit: unit.into(),
                    period: year.to_string(),
                    source: REGISTER.into(),
                    note: "vangnet does not register syringe vending machines".into(),
                });
            }
            continue;
        }
        let sites: Vec<&Facility> = exchanges
            .iter()
            .copied()
            .filter(|f| programme(f, &kinds) == kind)
            .collect();
        let (total, reported) = summed(&syringes, &sites);
        rows.push(register_row(
            "syringes",
            "syringes_provided",
            kind,
            (total, reported == sites.len()),
            "syringes",
            year,
            (
                format!("{REGISTER}: approved period reports, metric syringes_out, {year}"),
                format!("{reported} of {} sites reported", sites.len()),
            ),
        ));
        rows.push(register_row(
            "sites",
            "provision_sites",
            kind,
            (sites.len() as i64, true),
            "sites",
            year,
            (
                format!("{REGISTER}: {on}, offering syringe_exchange"),
                String::new(),
            ),
        ));
    }
    let (total, reported) = summed(&syringes, &exchanges);
    rows.push(register_row(
        "syringes",
        "syringes_provided",
        "NL",
        (total, reported == exchanges.len()),
        "syringes",
        year,
        (
            format!("{REGISTER}: approved period reports, metric syringes_out, {year}"),
            format!("{reported} of {} sites reported", exchanges.len()),
        ),
    ));
    rows.push(register_row(
        "sites",
        "provision_sites",
        "NL",
        (exchanges.len() as i64, true),
        "sites",
        year,
        (
            format!("{REGISTER}: {on}, offering syringe_exchange"),
            String::new(),
        ),
    ));
    for province in geo().provinces() {
        let count = exchanges
            .iter()
            .filter(|f| {
                geo()
                    .municipality(&f.fields.municipality_code)
                    .is_some_and(|m| m.province_code == province.code)
            })
            .count();
        rows.push(register_row(
            "sites",
            "provision_sites",
            &province.code,
            (count as i64, true),
            "sites",
            year,
            (
                format!("{REGISTER}: {on}, offering syringe_exchange"),
                province.name.clone(),
            ),
        ));
    }
    rows.extend(
        external(
            store,
            &[
                "syringe_exchange.syringes_distributed",
                "syringe_exchange.sites",
                "syringe_exchange.locations",
            ],
            "syringes",
            year,
        )
        .await?,
    );

    // Consumption rooms and their capacity.
    let rooms = offering(ServiceType::ConsumptionRoom);
    rows.push(register_row(
        "consumption_rooms",
        "consumption_rooms",
        "NL",
        (rooms.len() as i64, true),
        "locations",
        year,
        (
            format!("{REGISTER}: {on}, offering consumption_room"),
            "a location is counted once, however many rooms it has".into(),
        ),
    ));
    let known: Vec<i64> = rooms
        .iter()
        .filter_map(|f| f.fields.capacity.map(|c| c.get() as i64))
        .collect();
    rows.push(register_row(
        "consumption_rooms",
        "places",
        "NL",
        (known.iter().sum(), known.len() == rooms.len()),
        "places",
        year,
        (
            format!("{REGISTER}: {on}, capacity of each consumption room"),
            format!(
                "capacity known for {} of {} locations",
                known.len(),
                rooms.len()
            ),
        ),
    ));
    let separate: Vec<i64> = rooms
        .iter()
        .filter_map(|f| f.fields.rooms.map(|r| r.get() as i64))
        .collect();
    rows.push(register_row(
        "consumption_rooms",
        "rooms",
        "NL",
        (separate.iter().sum(), separate.len() == rooms.len()),
        "rooms",
        year,
        (
            format!("{REGISTER}: {on}, separate rooms of each location"),
            format!(
                "rooms known for {} of {} locations",
                separate.len(),
                rooms.len()
            ),
        ),
    ));
    rows.extend(
        external(
            store,
            &["consumption_rooms.locations"],
            "consumption_rooms",
            year,
        )
        .await?,
    );

    // Naloxone.
    let naloxone = offering(ServiceType::Naloxone);
    rows.push(register_row(
        "naloxone",
        "programmes",
        "NL",
        (naloxone.len() as i64, true),
        "sites",
        year,
        (
            format!("{REGISTER}: {on}, offering naloxone"),
            String::new(),
        ),
    ));
    let kits = approved(store, "naloxone_kits_out", year).await?;
    let (total, reported) = summed(&kits, &naloxone);
    rows.push(register_row(
        "naloxone",
        "kits_handed_out",
        "NL",
        (total, reported == naloxone.len()),
        "kits",
        year,
        (
            format!("{REGISTER}: approved period reports, metric naloxone_kits_out, {year}"),
            format!("{reported} of {} sites reported", naloxone.len()),
        ),
    ));

    // Opioid agonist treatment.
    let clinics: Vec<&Facility> = facilities
        .iter()
        .filter(|f| {
            f.fields.services.contains(ServiceType::MethadoneClinic)
                || f.fields.services.contains(ServiceType::HeroinUnit)
        })
        .collect();
    let patients = approved(store, "patients_in_treatment", year).await?;
    let mut people = 0;
    let mut reported = 0;
    for f in &clinics {
        if let Some(values) = patients.get(&f.id).filter(|v| !v.is_empty()) {
            let sum: i64 = values.iter().sum();
            people += (sum as f64 / values.len() as f64).round() as i64;
            reported += 1;
        }
    }
    rows.push(register_row(
        "oat",
        "clients_in_treatment",
        "NL",
        (people, reported == clinics.len()),
        "persons",
        year,
        (format!("{REGISTER}: approved period reports, metric patients_in_treatment, average per site over {year}, summed"), format!("{reported} of {} methadone clinics and heroin units reported", clinics.len())),
    ));
    rows.push(register_row(
        "oat",
        "treatment_sites",
        "NL",
        (clinics.len() as i64, true),
        "sites",
        year,
        (
            format!("{REGISTER}: {on}, offering methadone_clinic or heroin_unit"),
            String::new(),
        ),
    ));
    rows.extend(
        external(
            store,
            &[
                "opioid_agonist_treatment.clients",
                "high_risk_opioid_use.in_substitution_treatment",
                "methadone.persons",
            ],
            "oat",
            year,
        )
        .await?,
    );

    store
        .audit(
            &AuditEvent::new("export", actor, "period_report")
                .object(format!("euda:{year}"))
                .detail(format!("{} rows", rows.len())),
        )
        .await?;
    Ok((year, rows))
}

/// The external figures of `keys` up to `year`, as rows of `table`.
async fn external(
    store: &Store,
    keys: &[&str],
    table: &'static str,
    year: i32,
) -> AppResult<Vec<Row>> {
    let mut rows = Vec::new();
    for key in keys {
        for f in store.published_figures(Some(key)).await? {
            let first_year: Option<i32> = f.period.get(..4).and_then(|y| y.parse().ok());
            if first_year.is_none_or(|y| y > year) {
                continue;
            }
            rows.push(Row {
                table,
                indicator: format!("external: {}", f.key),
                breakdown: f.scope.clone(),
                value: f.value.text(),
                qualifier: f.qualifier.code().to_string(),
                unit: f.unit.clone().unwrap_or_default(),
                period: f.period.clone(),
                source: f.source.clone(),
                note: f.note.clone().unwrap_or_default(),
            });
        }
    }
    Ok(rows)
}

/// The tables as CSV.
pub fn csv(rows: &[Row]) -> AppResult<Vec<u8>> {
    let fail = |e: anyhow::Error| AppError::Internal(e);
    let mut out = crate::formats::csv::CsvWriter::new();
    out.row(COLUMNS).map_err(fail)?;
    for row in rows {
        out.row(row.cells()).map_err(fail)?;
    }
    out.finish().map_err(fail)
}

/// The tables as an XLSX workbook: one sheet, numbers as numbers.
pub fn xlsx(rows: &[Row], year: i32) -> AppResult<Vec<u8>> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.cells().iter().map(|c| c.to_string()).collect())
        .collect();
    crate::formats::xlsx::write_table(&format!("euda {year}"), &COLUMNS, &cells)
        .map_err(AppError::Internal)
}
