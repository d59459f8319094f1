//! The municipality map of a dashboard: one metric's year per municipality,
//! per 100,000 inhabitants when municipal populations are loaded, and the
//! boundaries to draw it on (none loaded: the map draws circles).
//!
//! Decisions where the issue was silent:
//! - The public sees each municipality's year from the suppressed public
//!   figures (`public::PublicFigures`): a "<5" or "x" stays one on the map,
//!   and a rate is worked out only from a figure that is shown.
//! - Staff see live, exact figures, as on their dashboards: national roles
//!   every municipality, organisation roles their own facilities'; the
//!   read is in the audit log. An auditor sees the public map.
//! - Per 100,000 inhabitants as soon as any municipality's population is
//!   loaded (`vangnet import population`); a municipality without one then
//!   has a figure but no rate, and the map leaves it without a value rather
//!   than mix rates with counts.
//! - Within a province, only its municipalities have values.

use std::collections::BTreeMap;

use crate::domain::access::Role;
use crate::domain::boundary::Boundary;
use crate::domain::error::{AppError, AppResult};
use crate::domain::geo::geo;
use crate::domain::language::Language;
use crate::domain::metric::Aggregation;
use crate::domain::population::{latest_inhabitants, INHABITANTS};
use crate::storage::audit::AuditEvent;
use crate::storage::metric_stats::MetricFact;
use crate::storage::rollups::Basis;
use crate::storage::Store;

use super::dashboard::{per_facility_year, Viewer};
use super::public::{Figure, FigureState, PublicFigures};

/// One municipality on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapArea {
    /// `GM0344`.
    pub code: String,
    pub name: String,
    /// The year's figure, as the viewer may see it.
    pub figure: Figure,
    /// The latest population at or before the year, when loaded.
    pub inhabitants: Option<i64>,
    /// The figure per 100,000 inhabitants (one decimal), when both are known.
    pub per_100k: Option<f64>,
}

/// A metric's year per municipality.
#[derive(Debug, Clone)]
pub struct MunicipalMap {
    pub metric: String,
    pub metric_name: String,
    pub unit: String,
    pub year: i32,
    /// Whether municipal populations are loaded: the values are per 100,000 inhabitants.
    pub per_inhabitants: bool,
    /// The municipalities with a figure (shown or marked), by name.
    pub areas: Vec<MapArea>,
    /// The loaded municipal boundaries (empty: none loaded).
    pub boundaries: Vec<Boundary>,
}

/// The map of `metric` in `year`, for the country or the province `within`.
pub async fn map(
    store: &Store,
    within: Option<&str>,
    metric: &str,
    year: i32,
    viewer: Viewer<'_>,
    language: Language,
) -> AppResult<MunicipalMap> {
    let metrics = store.metrics().await?;
    let metric = metrics
        .iter()
        .find(|m| m.code.as_str() == metric)
        .ok_or_else(|| AppError::NotFound(format!("no metric {metric}")))?;
    let in_area = |code: &str| {
        within.is_none_or(|p| {
            geo()
                .municipality(code)
                .is_some_and(|m| m.province_code == p)
        })
    };
    let staff = match viewer {
        Viewer::Staff(p, a) if p.role != Role::Auditor => Some((p, a)),
        _ => None,
    };
    let mut figures: BTreeMap<String, Figure> = BTreeMap::new();
    match staff {
        None => {
            let public = PublicFigures::load(store).await?;
            for m in geo().municipalities() {
                let figure = public.figure(metric, &m.code, &year.to_string());
                if !figure.is_missing() && in_area(&m.code) {
                    figures.insert(m.code.clone(), figure);
                }
            }
        }
        Some((principal, actor)) => {
            let own = match principal.role {
                Role::OrgManager | Role::Reporter => Some(principal.organisation_id.unwrap_or(-1)),
                _ => None,
            };
            let prefix = year.to_string();
            let facts: Vec<MetricFact> = store
                .metric_facts(
                    Basis::Live,
                    metric.code.as_str(),
                    &prefix,
                    &(year + 1).to_string(),
                )
                .await?
                .into_iter()
                .filter(|f| own.is_none_or(|o| f.organisation_id == Some(o)))
                .filter(|f| in_area(&f.municipality_code))
                .collect();
            let mut by_municipality: BTreeMap<&str, Vec<&MetricFact>> = BTreeMap::new();
            for f in &facts {
                by_municipality
                    .entry(f.municipality_code.as_str())
                    .or_default()
                    .push(f);
            }
            for (code, list) in by_municipality {
                let value = if metric.aggregation == Aggregation::Sum {
                    list.iter().map(|f| f.value).sum()
                } else {
                    let owned: Vec<MetricFact> = list.iter().map(|f| (*f).clone()).collect();
                    match per_facility_year(metric, &owned, year, &|_| true) {
                        Some(v) => v,
                        None => continue,
                    }
                };
                figures.insert(code.to_string(), Figure::exact(Some(value)));
            }
            store
                .audit(
                    &AuditEvent::new("read", actor, "dashboard")
                        .object(format!("map:{}", metric.code))
                        .detail(format!(
                            "exact figures of {year} per municipality{}",
                            within.map(|p| format!(" in {p}")).unwrap_or_default()
                        )),
                )
                .await?;
        }
    }
    let populations = store.published_figures(Some(INHABITANTS)).await?;
    let per_inhabitants = populations.iter().any(|f| f.scope.starts_with("GM"));
    let mut areas: Vec<MapArea> = figures
        .into_iter()
        .map(|(code, figure)| {
            let inhabitants = latest_inhabitants(&populations, &code, year)
                .and_then(|f| f.value.whole())
                .filter(|n| *n > 0);
            let per_100k = match (figure.state, figure.value, inhabitants) {
                (FigureState::Value, Some(v), Some(n)) => {
                    Some((v as f64 * 100_000.0 / n as f64 * 10.0).round() / 10.0)
                }
                _ => None,
            };
            MapArea {
                name: geo()
                    .municipality(&code)
                    .map_or_else(|| code.clone(), |m| m.name.clone()),
                code,
                figure,
                inhabitants,
                per_100k,
            }
        })
        .collect();
    areas.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(MunicipalMap {
        metric: metric.code.to_string(),
        metric_name: metric.name(language).to_string(),
        unit: metric.unit.clone(),
        year,
        per_inhabitants,
        areas,
        boundaries: store.boundaries().await?,
    })
}
