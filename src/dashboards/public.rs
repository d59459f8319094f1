//! The public figures: every approved area total of every metric, as the
//! public may see it. Each metric's totals form one cube (the country, its
//! provinces and their municipalities × years, quarters and months),
//! suppressed once (`domain::suppression`), and every public table —
//! dashboards, `GET /api/v1/stats/metrics` without a token, downloads —
//! reads its cells from that cube, so no two tables show a cell
//! differently and no table's totals undo another's suppression.
//!
//! The cubes are worked out when the approved figures change (their
//! generation, `Store::approved_generation`, moves with every approval on
//! any app server) and kept in the process until then.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::error::AppResult;
use crate::domain::figure::NATIONAL;
use crate::domain::geo::geo;
use crate::domain::metric::{Aggregation, Metric, Period, PeriodKind};
use crate::domain::suppression::{Area, Cube, PeriodNode, Shown, SuppressedCube};
use crate::storage::Store;

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureState {
    /// The number itself.
    Value,
    /// 1 to 4 people or acts: shown "<5".
    Small,
    /// Hidden (shown "x") so that a "<5" elsewhere cannot be worked out.
    Hidden,
    /// Not published (shown "."): one of the parts of a total below 5 that
    /// no hiding could protect, so the parts are left out altogether.
    Withheld,
    /// No figure.
    Missing,
}

/// A figure as someone may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figure {
    /// Null unless `state` is `value`.
    pub value: Option<i64>,
    pub state: FigureState,
}

impl Figure {
    /// An exact figure (staff), or none.
    pub fn exact(value: Option<i64>) -> Figure {
        match value {
            Some(v) => Figure {
                value: Some(v),
                state: FigureState::Value,
            },
            None => Figure::missing(),
        }
    }

    pub fn missing() -> Figure {
        Figure {
            value: None,
            state: FigureState::Missing,
        }
    }

    /// Left out of what is published ("."): a part of a small total, or
    /// a period or area the metric is not published at.
    pub fn is_withheld(&self) -> bool {
        self.state == FigureState::Withheld
    }

    pub fn is_missing(&self) -> bool {
        self.state == FigureState::Missing
    }

    /// As a table shows it: the number, `<5`, `x` or `–`.
    pub fn shown(&self, number: impl Fn(i64) -> String) -> String {
        match (self.state, self.value) {
            (FigureState::Value, Some(v)) => number(v),
            (FigureState::Small, _) => "<5".to_string(),
            (FigureState::Hidden, _) => "x".to_string(),
            (FigureState::Withheld, _) => ".".to_string(),
            _ => "–".to_string(),
        }
    }

    fn of(shown: Shown) -> Figure {
        match shown {
            Shown::Value(v) => Figure::exact(Some(v)),
            Shown::Small => Figure {
                value: None,
                state: FigureState::Small,
            },
            Shown::Hidden => Figure {
                value: None,
                state: FigureState::Hidden,
            },
            Shown::Withheld => Figure {
                value: None,
                state: FigureState::Withheld,
            },
            Shown::Missing => Figure::missing(),
        }
    }
}

/// The public figures as an open-data CSV: `metric,area,area_name,period,
/// value,shown` — `shown` as the tables show it (`<5`, `x`, `.` or the
/// number), `value` empty unless shown.
pub async fn open_data_csv(store: &Store) -> AppResult<Vec<u8>> {
    let figures = PublicFigures::load(store).await?;
    let mut out = crate::formats::csv::CsvWriter::new();
    let fail = |e: anyhow::Error| crate::domain::error::AppError::Internal(e);
    out.row(["metric", "area", "area_name", "period", "value", "shown"])
        .map_err(fail)?;
    for (metric, area, period, figure) in figures.cells() {
        let name = super::indicators::area_name(&area, crate::domain::language::Language::Nl);
        let value = figure.value.map(|v| v.to_string()).unwrap_or_default();
        let shown = figure.shown(|v| v.to_string());
        out.row([
            metric.as_str(),
            area.as_str(),
            name.as_str(),
            period.as_str(),
            value.as_str(),
            shown.as_str(),
        ])
        .map_err(fail)?;
    }
    out.finish().map_err(fail)
}

/// One metric's public cube, at the finest detail that protects every
/// "<5" (see [`Detail`]).
struct MetricCube {
    /// The published areas and periods, by code and label.
    areas: HashMap<String, usize>,
    periods: HashMap<String, usize>,
    cube: SuppressedCube,
    /// Every area and period of the whole table: those not published at
    /// the chosen detail are withheld.
    all_areas: HashSet<String>,
    all_periods: HashSet<String>,
    detail: Detail,
}

impl MetricCube {
    fn figure(&self, area: &str, period: &str) -> Figure {
        match (self.areas.get(area), self.periods.get(period)) {
            (Some(a), Some(p)) => Figure::of(self.cube.get(*a, *p)),
            _ if self.all_areas.contains(area) && self.all_periods.contains(period) => Figure {
                value: None,
                state: FigureState::Withheld,
            },
            _ => Figure::missing(),
        }
    }
}

/// How much of a metric's table is published, finest first. A table whose
/// suppression leaves a "<5" that no hiding protects (a reader can narrow
/// it through cells hidden as "x", which are at least 5) is published at
/// the next detail instead, down to nothing: its months left out (quarters
/// and years stay), its municipalities, both, and so on. What is left out
/// is withheld, ".", whole rows and columns at a time, so a "." there says
/// nothing about its own value. (Before, such a "<5" was withheld alone,
/// which a reader who knows the rule could tell from the others.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every area, every month, quarter and year.
    Full,
    /// Every area; quarters and years.
    Quarters,
    /// The country and the provinces; every period.
    Provinces,
    /// Every area; years.
    Years,
    /// The country and the provinces; quarters and years.
    ProvinceQuarters,
    /// The country and the provinces; years.
    ProvinceYears,
    /// The country; years.
    CountryYears,
    /// Nothing.
    Nothing,
}

impl Detail {
    const FINEST_FIRST: [Detail; 8] = [
        Detail::Full,
        Detail::Quarters,
        Detail::Provinces,
        Detail::Years,
        Detail::ProvinceQuarters,
        Detail::ProvinceYears,
        Detail::CountryYears,
        Detail::Nothing,
    ];

    fn keeps_area(self, code: &str) -> bool {
        match self {
            Detail::Full | Detail::Quarters | Detail::Years => true,
            Detail::Provinces | Detail::ProvinceQuarters | Detail::ProvinceYears => {
                !code.starts_with("GM")
            }
            Detail::CountryYears => code == NATIONAL,
            Detail::Nothing => false,
        }
    }

    fn keeps_period(self, period: &Period) -> bool {
        match (self, period.kind()) {
            (Detail::Nothing, _) => false,
            (Detail::Full | Detail::Provinces, _) => true,
            (Detail::Quarters | Detail::ProvinceQuarters, kind) => kind != PeriodKind::Month,
            (_, kind) => kind == PeriodKind::Year,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Detail::Full => "full",
            Detail::Quarters => "quarters",
            Detail::Provinces => "provinces",
            Detail::Years => "years",
            Detail::ProvinceQuarters => "province_quarters",
            Detail::ProvinceYears => "province_years",
            Detail::CountryYears => "country_years",
            Detail::Nothing => "nothing",
        }
    }
}

/// Every metric's public figures at one generation.
pub struct PublicFigures {
    metrics: HashMap<String, Arc<MetricCube>>,
    /// Each metric's approved generation its cube was worked out at.
    generations: HashMap<String, i64>,
}

impl PublicFigures {
    /// The public figures as they are now: worked out again when an
    /// approval changed them since (on any app server), else the ones this
    /// process has.
    pub async fn load(store: &Store) -> AppResult<Arc<PublicFigures>> {
        let generation = store.seen().await?.approved_generation;
        let mut derived = store.derived().lock().await;
        if let Some((seen, figures)) = derived.as_ref() {
            if *seen == generation {
                if let Ok(figures) = Arc::clone(figures).downcast::<PublicFigures>() {
                    return Ok(figures);
                }
            }
        }
        let before = derived
            .as_ref()
            .and_then(|(_, f)| Arc::clone(f).downcast::<PublicFigures>().ok());
        let figures = Arc::new(PublicFigures::work_out(store, before.as_deref()).await?);
        *derived = Some((generation, figures.clone()));
        Ok(figures)
    }

    /// Works out the cube of every metric whose approved generation moved
    /// since `before` (all of them at first); keeps the others.
    async fn work_out(store: &Store, before: Option<&PublicFigures>) -> AppResult<PublicFigures> {
        let generations = store.approved_generations().await?;
        let mut metrics = HashMap::new();
        // Read everything first; the suppression itself then runs off the
        // async workers, so that other requests are served meanwhile.
        let mut inputs = Vec::new();
        for metric in store.metrics().await? {
            let code = metric.code.as_str();
            if let Some(before) = before {
                if before.generations.get(code) == generations.get(code) {
                    if let Some(cube) = before.metrics.get(code) {
                        metrics.insert(code.to_string(), Arc::clone(cube));
                    }
                    continue;
                }
            }
            let totals = store.approved_totals(metric.code.as_str()).await?;
            if totals.is_empty() {
                continue;
            }
            let averages = if metric.aggregation == Aggregation::Sum {
                Vec::new()
            } else {
                store
                    .metric_facts(
                        crate::storage::rollups::Basis::Approved,
                        metric.code.as_str(),
                        "0",
                        "9",
                    )
                    .await?
            };
            let values: Vec<(String, String, i64)> = totals
                .into_iter()
                .map(|t| (t.area, t.period, t.total))
                .collect();
            inputs.push((metric, values, averages));
        }
        // One blocking task per metric: they run side by side on the cores.
        let tasks: Vec<_> = inputs
            .into_iter()
            .map(|(metric, values, averages)| {
                tokio::task::spawn_blocking(move || {
                    let started = std::time::Instant::now();
                    let cube = metric_cube(&metric, &values, &averages);
                    tracing::info!(
                        metric = %metric.code,
                        cells = cube.areas.len() * cube.periods.len(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "public figures worked out"
                    );
                    (metric.code.to_string(), cube)
                })
            })
            .collect();
        for task in tasks {
            let (code, cube) = task
                .await
                .map_err(|e| anyhow::anyhow!("working out the public figures failed: {e}"))?;
            metrics.insert(code, Arc::new(cube));
        }
        Ok(PublicFigures {
            metrics,
            generations,
        })
    }

    /// How many "<5"s no hiding protects in what is published (none: a
    /// table where one would be is published at a coarser [`Detail`]).
    pub fn unprotected(&self) -> usize {
        self.metrics
            .values()
            .map(|cube| cube.cube.unprotected().len())
            .sum()
    }

    /// The detail each metric with figures is published at, by code.
    pub fn details(&self) -> BTreeMap<String, Detail> {
        self.metrics
            .iter()
            .map(|(code, cube)| (code.clone(), cube.detail))
            .collect()
    }

    /// Every published cell: (metric, area, period, figure), by metric,
    /// area and period; cells without a figure are left out.
    pub fn cells(&self) -> Vec<(String, String, String, Figure)> {
        let mut out = Vec::new();
        let mut metrics: Vec<&String> = self.metrics.keys().collect();
        metrics.sort();
        for metric in metrics {
            let cube = &self.metrics[metric];
            let mut areas: Vec<&String> = cube.all_areas.iter().collect();
            areas.sort();
            let mut periods: Vec<&String> = cube.all_periods.iter().collect();
            periods.sort();
            for area in &areas {
                for period in &periods {
                    let figure = cube.figure(area, period);
                    if !figure.is_missing() {
                        out.push((metric.clone(), (*area).clone(), (*period).clone(), figure));
                    }
                }
            }
        }
        out
    }

    /// `area` (`NL`, `NL-UT`, `GM0344`) in `period` (`2025-03`, `2025-Q1`,
    /// `2025`) of `metric`, as the public may see it.
    pub fn figure(&self, metric: &Metric, area: &str, period: &str) -> Figure {
        match self.metrics.get(metric.code.as_str()) {
            Some(cube) => cube.figure(area, period),
            None => Figure::missing(),
        }
    }
}

/// A metric's cube from its approved area totals (area, period, total):
/// months, quarters and years of every year with a figure; a quarter or a
/// year of a sum adds up its parts, of an average or a last value it is
/// each facility's own over the period (`facts`), added up.
fn metric_cube(
    metric: &Metric,
    totals: &[(String, String, i64)],
    facts: &[crate::storage::metric_stats::MetricFact],
) -> MetricCube {
    // Areas: the country, every province, the municipalities with figures.
    let mut areas = vec![Area {
        code: NATIONAL.to_string(),
        parent: None,
    }];
    let mut index: HashMap<String, usize> = HashMap::new();
    index.insert(NATIONAL.to_string(), 0);
    for p in geo().provinces() {
        index.insert(p.code.clone(), areas.len());
        areas.push(Area {
            code: p.code.clone(),
            parent: Some(0),
        });
    }
    let municipalities: BTreeSet<&str> = totals
        .iter()
        .map(|(a, _, _)| a.as_str())
        .filter(|a| a.starts_with("GM"))
        .collect();
    for code in municipalities {
        let parent = geo()
            .municipality(code)
            .and_then(|m| index.get(&m.province_code).copied());
        index.insert(code.to_string(), areas.len());
        areas.push(Area {
            code: code.to_string(),
            parent,
        });
    }
    // Periods: each year with a figure, its quarters and months.
    let years: BTreeSet<i32> = totals
        .iter()
        .filter_map(|(_, p, _)| Period::parse(p).ok())
        .map(|p| match p {
            Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Year { year } => {
                year
            }
        })
        .collect();
    let mut periods = Vec::new();
    let mut nodes: Vec<Period> = Vec::new();
    for year in years {
        let y = periods.len();
        let node = Period::Year { year };
        periods.push(PeriodNode {
            label: node.to_string(),
            parent: None,
        });
        nodes.push(node);
        for quarter in 1..=4 {
            let q = periods.len();
            let node = Period::Quarter { year, quarter };
            periods.push(PeriodNode {
                label: node.to_string(),
                parent: Some(y),
            });
            nodes.push(node);
            for month in (3 * quarter - 2)..=(3 * quarter) {
                let node = Period::Month { year, month };
                periods.push(PeriodNode {
                    label: node.to_string(),
                    parent: Some(q),
                });
                nodes.push(node);
            }
        }
    }
    let sum = metric.aggregation == Aggregation::Sum;
    // The values: each stored total at its own period, and (sums) in every
    // longer period that holds it.
    let mut values: BTreeMap<(usize, usize), i64> = BTreeMap::new();
    for (area, period, total) in totals {
        let (Some(&a), Ok(p)) = (index.get(area), Period::parse(period)) else {
            continue;
        };
        for (n, node) in nodes.iter().enumerate() {
            let holds = node.start() <= p.start() && p.end() <= node.end();
            let own = *node == p;
            if own || (sum && holds) {
                *values.entry((a, n)).or_insert(0) += total;
            }
        }
    }
    if !sum {
        // Averages and last values over quarters and years: each facility's own.
        let mut per: BTreeMap<(usize, i64), Vec<(Period, i64)>> = BTreeMap::new();
        for f in facts {
            let Ok(p) = Period::parse(&f.period) else {
                continue;
            };
            for (n, node) in nodes.iter().enumerate() {
                if node.kind() != PeriodKind::Month
                    && node.kind() != p.kind()
                    && node.start() <= p.start()
                    && p.end() <= node.end()
                {
                    per.entry((n, f.facility_id))
                        .or_default()
                        .push((p, f.value));
                }
            }
        }
        for ((n, facility), mut list) in per {
            list.sort();
            let value = match metric.aggregation {
                Aggregation::Average => {
                    let total: i64 = list.iter().map(|(_, v)| v).sum();
                    (total as f64 / list.len() as f64).round() as i64
                }
                _ => list.last().map_or(0, |(_, v)| *v),
            };
            let Some(fact) = facts.iter().find(|f| f.facility_id == facility) else {
                continue;
            };
            for area in crate::storage::rollups::areas_of(&fact.municipality_code) {
                if let Some(&a) = index.get(&area) {
                    *values.entry((a, n)).or_insert(0) += value;
                }
            }
        }
    }
    let all_areas: HashSet<String> = areas.iter().map(|a| a.code.clone()).collect();
    let all_periods: HashSet<String> = periods.iter().map(|p| p.label.clone()).collect();
    let sensitive = metric.counts.suppressed_below_5();
    for detail in Detail::FINEST_FIRST {
        // The rows and columns kept, and where each went.
        let area_at = kept(areas.len(), |a| detail.keeps_area(&areas[a].code));
        let period_at = kept(nodes.len(), |p| detail.keeps_period(&nodes[p]));
        let sub_areas: Vec<Area> = (0..areas.len())
            .filter(|a| area_at[*a].is_some())
            .map(|a| Area {
                code: areas[a].code.clone(),
                parent: areas[a].parent.and_then(|up| area_at[up]),
            })
            .collect();
        let sub_periods: Vec<PeriodNode> = (0..periods.len())
            .filter(|p| period_at[*p].is_some())
            .map(|p| PeriodNode {
                label: periods[p].label.clone(),
                parent: periods[p].parent.and_then(|up| period_at[up]),
            })
            .collect();
        let sub_values: Vec<((usize, usize), i64)> = values
            .iter()
            .filter_map(|((a, p), v)| Some(((area_at[*a]?, period_at[*p]?), *v)))
            .collect();
        let cube = suppressed(
            metric,
            sum,
            sensitive,
            &sub_areas,
            &sub_periods,
            &sub_values,
        );
        if cube.unprotected().is_empty() || detail == Detail::Nothing {
            return MetricCube {
                areas: index_of(sub_areas.iter().map(|a| a.code.clone())),
                periods: index_of(sub_periods.iter().map(|p| p.label.clone())),
                cube,
                all_areas,
                all_periods,
                detail,
            };
        }
    }
    unreachable!("nothing published protects everything")
}

/// For each of `n` rows, its place among the rows `keep` keeps.
fn kept(n: usize, keep: impl Fn(usize) -> bool) -> Vec<Option<usize>> {
    let mut next = 0;
    (0..n)
        .map(|i| {
            keep(i).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

fn index_of(codes: impl Iterator<Item = String>) -> HashMap<String, usize> {
    codes.enumerate().map(|(i, code)| (code, i)).collect()
}

/// The suppressed cube of these areas, periods and values.
fn suppressed(
    metric: &Metric,
    sum: bool,
    sensitive: bool,
    areas: &[Area],
    periods: &[PeriodNode],
    values: &[((usize, usize), i64)],
) -> SuppressedCube {
    let build = |time_adds_up: bool| {
        let mut cube = Cube::new(areas, periods, time_adds_up);
        for ((a, p), v) in values {
            cube.set(*a, *p, Some(*v));
        }
        cube.suppress(sensitive)
    };
    match build(sum) {
        Ok(cube) => cube,
        Err(e) => {
            // Periods that do not add up (reports of a metric over months
            // and quarters at once): suppressed without the relations over
            // time, which are then not published sums either.
            tracing::warn!(metric = %metric.code, error = %e, "public figures over time do not add up");
            build(false).unwrap_or_else(|e| {
                tracing::error!(metric = %metric.code, error = %e, "public figures do not add up over areas");
                Cube::new(areas, periods, false)
                    .suppress(sensitive)
                    .expect("an empty cube adds up")
            })
        }
    }
}
