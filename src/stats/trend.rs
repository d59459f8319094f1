//! The trend of a service's count across the inventory rounds, with the
//! figures published elsewhere for the years without a round of ours.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::domain::error::AppResult;
use crate::domain::figure::{locations_key, NATIONAL};
use crate::domain::language::Language;
use crate::domain::round::Round;
use crate::domain::service::ServiceType;
use crate::domain::trend::{Origin, TrendPoint};
use crate::formats::chart::ChartPoint;
use crate::storage::Store;

/// The count of `service`'s locations across all closed and published
/// rounds and the published national figures (for researchers and round
/// reports; public pages use [`public_trend`]). Every round is a point of
/// its own, labelled by its name, so a second round in a year does not
/// hide the first; a published figure is left out for a year a round of
/// ours counted. Sorted by date.
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
                    source_nl: figure.source_nl.clone(),
                    source: figure.source,
                    origin: Origin::External,
                    round: None,
                },
            );
        }
    }
    let rounds: Vec<Round> = store
        .list_rounds(published_only)
        .await?
        .into_iter()
        .filter(|r| r.status.is_frozen() && r.scope.contains(service))
        .collect();
    let mut ours = Vec::with_capacity(rounds.len());
    for round in rounds {
        let table = store.frozen_table(&round).await?;
        let Some(row) = table.row(service) else {
            continue;
        };
        let date = round.reference_date;
        years.remove(&date.year());
        ours.push(TrendPoint {
            label: round.name.clone(),
            date,
            value: row.locations,
            qualifier: row.qualifier,
            source: row.source_in(date, Language::En),
            source_nl: Some(row.source_in(date, Language::Nl)),
            origin: Origin::Register,
            round: Some(round.name.clone()),
        });
    }
    let mut points: Vec<TrendPoint> = years.into_values().chain(ours).collect();
    points.sort_by(|a, b| (a.date, &a.label).cmp(&(b.date, &b.label)));
    Ok(points)
}

/// The points of a service's public trend, oldest first, ready to draw.
pub async fn public_chart_points(
    store: &Store,
    service: ServiceType,
    language: Language,
) -> AppResult<Vec<ChartPoint>> {
    let points = public_trend(store, service).await?;
    Ok(points.iter().map(|p| ChartPoint::of(p, language)).collect())
}
