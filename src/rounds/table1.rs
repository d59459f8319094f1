//! Reports computed from the register, inventory rounds and published
//! figures: Table 1 for a day or a round, and the trend of a service's
//! count across rounds.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::domain::error::{AppError, AppResult};
use crate::domain::figure::{locations_key, NATIONAL};
use crate::domain::round::{Round, RoundStatus};
use crate::domain::service::ServiceType;
use crate::domain::table1::Table1;
use crate::storage::Store;

/// Table 1 for the facilities open on `day`, every service, from the register.
pub async fn table1(store: &Store, day: NaiveDate) -> AppResult<Table1> {
    let tallies = store.tally_services(day, false).await?;
    Ok(Table1::from_tallies(day, ServiceType::ALL, &tallies))
}

/// The round with this name, or 404.
pub async fn round(store: &Store, name: &str) -> AppResult<Round> {
    store
        .round_by_name(name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no round named '{name}'")))
}

/// Table 1 of a round: its frozen counts once closed (or published); while
/// open, the register's live counts on its reference date with its
/// overrides applied.
pub async fn table1_for_round(store: &Store, name: &str) -> AppResult<Table1> {
    round_table(store, &round(store, name).await?).await
}

/// [`table1_for_round`] for a round at hand.
pub async fn round_table(store: &Store, round: &Round) -> AppResult<Table1> {
    if round.status.is_frozen() {
        return Ok(store.frozen_table(round).await?);
    }
    let tallies = store.tally_services(round.reference_date, false).await?;
    let overrides = store.round_overrides(round.id).await?;
    Ok(Table1::for_round(round, &tallies, &overrides))
}

pub use crate::domain::trend::{Origin, TrendPoint};

/// The count of `service`'s locations per year across all closed and
/// published rounds and the published national figures (for researchers
/// and round reports; public pages use [`public_trend`]). One point per
/// year; a round of ours wins over a published figure of the same year
/// (and a published round over a closed one, then the later reference
/// date). Sorted by date.
pub async fn trend(store: &Store, service: ServiceType) -> AppResult<Vec<TrendPoint>> {
    trend_of(store, service, false).await
}

/// [`trend`] with only published rounds: what the public may see.
pub async fn public_trend(store: &Store, service: ServiceType) -> AppResult<Vec<TrendPoint>> {
    trend_of(store, service, true).await
}

async fn trend_of(
    store: &Store,
    service: ServiceType,
    published_only: bool,
) -> AppResult<Vec<TrendPoint>> {
    let mut years: BTreeMap<i32, TrendPoint> = BTreeMap::new();
    if let Some(key) = locations_key(service) {
        for figure in store.published_figures(Some(&key)).await? {
            let Some(date) = figure.date().filter(|_| figure.scope == NATIONAL) else {
                continue;
            };
            years.insert(
                date.year(),
                TrendPoint {
                    label: date.year().to_string(),
                    date,
                    value: figure.value.whole(),
                    qualifier: figure.qualifier.qualifier(),
                    source: figure.source,
                    origin: Origin::External,
                    round: None,
                },
            );
        }
    }
    // Oldest first, closed before published: a later one of a year wins.
    let mut rounds: Vec<Round> = store
        .list_rounds(published_only)
        .await?
        .into_iter()
        .filter(|r| r.status.is_frozen() && r.scope.contains(service))
        .collect();
    rounds.sort_by_key(|r| (r.status == RoundStatus::Published, r.reference_date));
    for round in rounds {
        let table = store.frozen_table(&round).await?;
        let Some(row) = table.row(service) else {
            continue;
        };
        let date = round.reference_date;
        years.insert(
            date.year(),
            TrendPoint {
                label: date.year().to_string(),
                date,
                value: row.locations,
                qualifier: row.qualifier,
                source: row.source.clone(),
                origin: Origin::Register,
                round: Some(round.name.clone()),
            },
        );
    }
    let mut points: Vec<TrendPoint> = years.into_values().collect();
    points.sort_by_key(|p| p.date);
    Ok(points)
}
