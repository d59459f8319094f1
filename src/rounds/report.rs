//! An inventory round's report, to hand to a ministry: the round, its
//! Table 1, the trend of every service it counts, what changed since the
//! previous count, the spread over the country on its reference date, and
//! the sources of every number. [`RoundReport::read`] gathers it (and
//! audits reading a round that is not public); `formats::round_report`
//! writes it as one self-contained HTML file or an XLSX workbook. The
//! command line and the pages both come through here.
//!
//! Counts of facilities only: nothing in the report counts people.

use std::collections::BTreeSet;

use chrono::{Datelike, Months};

use crate::domain::error::AppResult;
use crate::domain::facility::Facility;
use crate::domain::language::Language;
use crate::domain::provenance::Actor;
use crate::domain::round::Round;
pub use crate::domain::round_report::*;
use crate::domain::service::{ServiceSet, ServiceType};
use crate::domain::table1::Table1;
use crate::domain::trend::{Origin, TrendPoint};
use crate::stats::changes::Changes;
use crate::stats::spread::Spread;
use crate::storage::Store;

/// Who reads the report, which decides what it may show.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// Anyone: published rounds only, and only published rounds in the
    /// trend and as the previous round.
    Public,
    /// A national role (or the command line): every round; reading one
    /// that is not published is recorded in the audit log.
    Staff(&'a Actor),
}

/// What the change list compares the round with.
/// The report of the round `name` as `reader` may see it; a round the
/// reader may not see does not exist (404).
pub async fn read(store: &Store, name: &str, reader: Reader<'_>) -> AppResult<RoundReport> {
    let staff = match reader {
        Reader::Public => None,
        Reader::Staff(actor) => Some(actor),
    };
    let round = crate::rounds::readable_round(store, name, staff).await?;
    gather(store, round, staff.is_none()).await
}

async fn gather(store: &Store, round: Round, public: bool) -> AppResult<RoundReport> {
    let table = crate::rounds::table1::round_table(store, &round).await?;
    let mut trends = Vec::new();
    for service in round.services() {
        trends.push(ServiceTrend {
            service,
            points: trend(store, &round, &table, service, public).await?,
        });
    }
    let (baseline, changes) = changes(store, &round, public).await?;
    let spread = spread(store, &round).await?;
    let facilities_counted = table
        .rows
        .iter()
        .flat_map(|r| r.facility_ids.iter())
        .collect::<BTreeSet<_>>()
        .len();
    let external_sources: BTreeSet<String> = table
        .rows
        .iter()
        .filter_map(|r| r.external_source.clone())
        .chain(
            trends
                .iter()
                .flat_map(|t| t.points.iter())
                .filter(|p| p.origin == Origin::External)
                .map(|p| p.source.clone()),
        )
        .collect();
    let frozen = if round.status.is_frozen() {
        table
            .rows
            .iter()
            .map(|r| FrozenIds {
                service: r.service,
                facility_ids: r.facility_ids.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(RoundReport {
        round,
        table,
        trends,
        baseline,
        changes,
        spread,
        facilities_counted,
        external_sources: external_sources.into_iter().collect(),
        frozen,
    })
}

/// The trend of `service` up to the round's year, with the round's own
/// count for its year (frozen or, while open, provisional).
async fn trend(
    store: &Store,
    round: &Round,
    table: &Table1,
    service: ServiceType,
    public: bool,
) -> AppResult<Vec<TrendPoint>> {
    let year = round.reference_date.year();
    let all = if public {
        crate::stats::trend::public_trend(store, service).await?
    } else {
        crate::stats::trend::trend(store, service).await?
    };
    // Every earlier round stays, also one of the same year; a published
    // figure of the round's own year gives way to the round.
    let mut points: Vec<TrendPoint> = all
        .into_iter()
        .filter(|p| match &p.round {
            Some(name) => *name != round.name && p.date <= round.reference_date,
            None => p.date.year() < year,
        })
        .collect();
    if let Some(row) = table.row(service) {
        points.push(TrendPoint {
            label: round.name.clone(),
            date: round.reference_date,
            value: row.locations,
            qualifier: row.qualifier,
            source: row.source_in(round.reference_date, Language::En),
            source_nl: Some(row.source_in(round.reference_date, Language::Nl)),
            origin: Origin::Register,
            round: Some(round.name.clone()),
        });
    }
    Ok(points)
}

/// The changes since the previous round, or since the same day four years
/// earlier, over the round's scope.
async fn changes(store: &Store, round: &Round, public: bool) -> AppResult<(Baseline, Changes)> {
    // Newest first: the first earlier one is the previous round.
    let previous = store
        .list_rounds(public)
        .await?
        .into_iter()
        .find(|r| r.status.is_frozen() && r.reference_date < round.reference_date);
    if let Some(previous) = previous {
        let changes =
            crate::stats::changes::changes_between_rounds(store, &previous, round).await?;
        let baseline = Baseline::Round {
            name: previous.name,
            date: previous.reference_date,
        };
        return Ok((baseline, changes));
    }
    let day = round.reference_date;
    let from = day
        .checked_sub_months(Months::new(FALLBACK_MONTHS))
        .unwrap_or(day);
    let mut changes = crate::stats::changes::changes(store, from, day).await?;
    let scope = round.scope;
    changes.services.retain(|s| scope.contains(s.service));
    changes
        .facilities
        .retain(|f| scope.iter().any(|s| f.touches(s)));
    Ok((Baseline::RegisterOn(from), changes))
}

/// The spread on the reference date: over the facilities a frozen round
/// counted (each as the register has it on that day, offering the services
/// it was counted for), or over the register while the round is open.
async fn spread(store: &Store, round: &Round) -> AppResult<Spread> {
    let day = round.reference_date;
    if !round.status.is_frozen() {
        return crate::stats::spread::spread(store, day).await;
    }
    let mut counted: std::collections::BTreeMap<i64, ServiceSet> = Default::default();
    for (service, facility, _) in store.round_versions(round.id).await? {
        counted.entry(facility).or_default().insert(service);
    }
    let mut facilities: Vec<Facility> = Vec::with_capacity(counted.len());
    for (id, services) in counted {
        let facility = match store.facility(id, Some(day)).await? {
            Some(f) => Some(f),
            None => store.facility(id, None).await?,
        };
        if let Some(mut facility) = facility {
            facility.fields.services = services;
            facilities.push(facility);
        }
    }
    Ok(crate::stats::spread::compute(day, &facilities))
}
