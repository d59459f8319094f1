//! Dashboards: per metric the months of two years, the year's totals
//! compared between the areas (or facilities) below, and the indicator
//! tiles, for the country, a province, a municipality (public: approved
//! figures with small counts suppressed; staff: live and exact), an
//! organisation or a facility (staff of its organisation, and national
//! staff).
//!
//! Everything is read from the rollups (`storage::rollups`), which every
//! write keeps current: a tally or an approval is in the next dashboard.
//!
//! Decisions where the issue was silent:
//! - A dashboard shows one year and the year before it, month by month, so
//!   a season and last year's same month are side by side; the year is
//!   chosen (`jaar`), this year by default.
//! - Metrics without any figure in those two years at that level are left
//!   out (a retired metric with figures stays); the others in the shipped
//!   catalogue's order (visits first), metrics added later after them.
//! - Comparison: the country compares its provinces, a province its
//!   municipalities with figures, a municipality (staff only) and an
//!   organisation their facilities. A public municipality dashboard has no
//!   comparison: facilities' own figures are not public.
//! - A year's figure adds up the months for sums; for averages and last
//!   values each facility's average (or last value) over the year, then
//!   added up, as `GET /api/v1/stats/metrics` does.
//! - An auditor (neither national nor of an organisation) sees the public
//!   figures of areas and no organisation's or facility's dashboard, as
//!   `GET /api/v1/stats/metrics` treats that role.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::access::{Principal, Role};
use crate::domain::error::{AppError, AppResult};
use crate::domain::figure::NATIONAL;
use crate::domain::geo::geo;
use crate::domain::language::Language;
use crate::domain::metric::{Aggregation, Counts, Metric, Period, PeriodKind};
use crate::domain::provenance::Actor;
use crate::storage::audit::AuditEvent;
use crate::storage::metric_stats::{FacilityPlace, MetricFact};
use crate::storage::rollups::{areas_of, Basis};
use crate::storage::Store;

use super::indicators::{area_name, indicators_for};
use super::public::{Figure, PublicFigures};

/// Which dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Country,
    Province(String),
    Municipality(String),
    Organisation(i64),
    Facility(i64),
}

impl Level {
    pub fn code(&self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Province(_) => "province",
            Level::Municipality(_) => "municipality",
            Level::Organisation(_) => "organisation",
            Level::Facility(_) => "facility",
        }
    }

    /// An area (`NL`, `NL-UT`, `GM0344`) as a level; `None` when it is none.
    pub fn area(text: &str) -> Option<Level> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case(NATIONAL) {
            return Some(Level::Country);
        }
        if let Some(p) = geo().province(text) {
            return Some(Level::Province(p.code.clone()));
        }
        if text.len() >= 5 && text[..2].eq_ignore_ascii_case("GM") {
            return geo()
                .municipality(text)
                .map(|m| Level::Municipality(m.code.clone()));
        }
        None
    }

    fn area_code(&self) -> Option<String> {
        match self {
            Level::Country => Some(NATIONAL.to_string()),
            Level::Province(c) | Level::Municipality(c) => Some(c.clone()),
            _ => None,
        }
    }
}

/// A metric on a dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricPanel {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// `people`, `activity` (suppressed in public below 5) or `things`.
    pub counts: Counts,
    pub aggregation: Aggregation,
    /// One per month of [`Dashboard::months`].
    pub months: Vec<Figure>,
    /// The eight quarters of the two years, when the public figures of this
    /// metric are published by quarter and not by month (its months would
    /// let a small count be worked out: `public::Detail`); else empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quarters: Vec<Figure>,
    /// The year asked for, and the year before.
    pub year: Figure,
    pub previous_year: Figure,
}

/// One row of the comparison: an area or a facility, its year per metric.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparisonRow {
    /// `NL-UT`, `GM0344` or a facility's id.
    pub code: String,
    pub name: String,
    /// A link to its own dashboard.
    pub href: Option<String>,
    /// One per metric of [`Dashboard::metrics`], in that order.
    pub values: Vec<Figure>,
}

/// A dashboard: what it covers, and its figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// `country`, `province`, `municipality`, `organisation` or `facility`.
    pub level: String,
    /// `NL`, `NL-UT`, `GM0344`, or the organisation's or facility's id.
    pub code: String,
    pub name: String,
    pub year: i32,
    /// `approved` (public) or `live` (staff: submitted reports and tallies too).
    pub basis: String,
    /// The months shown, `2024-01` … `2025-12`.
    pub months: Vec<String>,
    pub metrics: Vec<MetricPanel>,
    /// What the comparison compares: `province`, `municipality` or `facility`.
    pub compares: Option<String>,
    pub comparison: Vec<ComparisonRow>,
    /// The indicators of the year (country, province, municipality).
    pub indicators: Vec<super::indicators::IndicatorAnswer>,
}

/// Who sees the dashboard: the public, or a signed-in person.
pub enum Viewer<'a> {
    Public,
    Staff(&'a Principal, &'a Actor),
}

/// The dashboard of `level` for `year`, as `viewer` may see it.
pub async fn dashboard(
    store: &Store,
    level: &Level,
    year: i32,
    viewer: Viewer<'_>,
    language: Language,
) -> AppResult<Dashboard> {
    let staff = match viewer {
        Viewer::Public => None,
        // An auditor is neither national nor of an organisation: the
        // public figures of areas, as `GET /api/v1/stats/metrics` gives.
        Viewer::Staff(p, _) if p.role == Role::Auditor => match level {
            Level::Organisation(_) | Level::Facility(_) => {
                return Err(AppError::Forbidden(
                    "your role sees the public dashboards of areas only".into(),
                ))
            }
            _ => None,
        },
        Viewer::Staff(p, a) => Some((p, a)),
    };
    let own = staff.and_then(|(p, _)| match p.role {
        Role::Admin | Role::Researcher | Role::Auditor => None,
        Role::OrgManager | Role::Reporter => Some(p.organisation_id.unwrap_or(-1)),
    });
    // Which facilities the dashboard covers (organisation and facility
    // levels, and any level for staff of an organisation).
    let facilities = store.facility_places().await?;
    let organisation_of_facility = |id: i64| {
        facilities
            .iter()
            .find(|f| f.id == id)
            .and_then(|f| f.organisation_id)
    };
    match (staff.is_some(), level) {
        (false, Level::Organisation(_) | Level::Facility(_)) => {
            return Err(AppError::Unauthorized(
                "an organisation's or a facility's dashboard is for its staff: sign in".into(),
            ))
        }
        (true, Level::Organisation(id)) if own.is_some_and(|o| o != *id) => {
            return Err(AppError::Forbidden(
                "you see the dashboard of your own organisation only".into(),
            ))
        }
        (true, Level::Facility(id))
            if own.is_some_and(|o| organisation_of_facility(*id) != Some(o)) =>
        {
            return Err(AppError::Forbidden(
                "you see the dashboards of your own organisation's facilities only".into(),
            ))
        }
        _ => {}
    }
    let basis = if staff.is_some() {
        Basis::Live
    } else {
        Basis::Approved
    };
    let months: Vec<Period> = (1..=12)
        .map(|m| Period::Month {
            year: year - 1,
            month: m,
        })
        .chain((1..=12).map(|m| Period::Month { year, month: m }))
        .collect();
    let (from, until) = ((year - 1).to_string(), (year + 1).to_string());
    let mut metrics = store.metrics().await?;
    // The shipped catalogue's order (visits first, as the desk and the
    // report form list them), metrics added later after it, by code.
    let shipped: Vec<String> = crate::domain::metric::default_metrics()
        .into_iter()
        .map(|m| m.code.to_string())
        .collect();
    metrics.sort_by_key(|m| {
        (
            shipped
                .iter()
                .position(|c| c == m.code.as_str())
                .unwrap_or(usize::MAX),
            m.code.to_string(),
        )
    });

    // Exact figures per (area or facility, metric, period); for the public
    // the suppressed figures come from `PublicFigures`.
    let public = match staff {
        None => Some(PublicFigures::load(store).await?),
        Some(_) => None,
    };
    // Facility figures, by metric (staff of an organisation, organisation
    // and facility levels, averages and last values over a year).
    let in_scope = |fact: &MetricFact| -> bool {
        own.is_none_or(|o| fact.organisation_id == Some(o))
            && match level {
                Level::Country => true,
                Level::Province(p) => areas_of(&fact.municipality_code).contains(p),
                Level::Municipality(m) => &fact.municipality_code == m,
                Level::Organisation(o) => fact.organisation_id == Some(*o),
                Level::Facility(f) => fact.facility_id == *f,
            }
    };
    let by_facility = own.is_some() || level.area_code().is_none();

    let mut panels = Vec::new();
    let mut compared: Vec<(String, String, Option<String>, Vec<Figure>)> = Vec::new();
    let children = children(level, staff.is_some(), own, &facilities);
    let mut child_values: BTreeMap<String, Vec<Figure>> = BTreeMap::new();
    for metric in &metrics {
        let code = metric.code.as_str();
        let (month_values, year_values, child_years) = if let Some(public) = &public {
            let area = level.area_code().expect("public dashboards are of areas");
            let months: Vec<Figure> = months
                .iter()
                .map(|p| public.figure(metric, &area, &p.to_string()))
                .collect();
            let years = [
                public.figure(metric, &area, &(year - 1).to_string()),
                public.figure(metric, &area, &year.to_string()),
            ];
            let kids: Vec<Figure> = children
                .iter()
                .map(|(c, _, _)| public.figure(metric, c, &year.to_string()))
                .collect();
            (months, years, kids)
        } else {
            let facts: Vec<MetricFact> = if by_facility || metric.aggregation != Aggregation::Sum {
                store
                    .metric_facts(basis, code, &from, &until)
                    .await?
                    .into_iter()
                    .filter(|f| in_scope(f))
                    .collect()
            } else {
                Vec::new()
            };
            let month_totals: HashMap<String, i64> = if by_facility {
                let mut totals = HashMap::new();
                for f in &facts {
                    *totals.entry(f.period.clone()).or_insert(0) += f.value;
                }
                totals
            } else {
                let area = level.area_code().expect("an area");
                store
                    .area_totals(basis, &[area], Some(code), &from, &until)
                    .await?
                    .into_iter()
                    .map(|t| (t.period, t.total))
                    .collect()
            };
            let months: Vec<Figure> = months
                .iter()
                .map(|p| Figure::exact(month_totals.get(&p.to_string()).copied()))
                .collect();
            let year_of = |y: i32, keep: &dyn Fn(&MetricFact) -> bool| -> Figure {
                if metric.aggregation == Aggregation::Sum {
                    let prefix = y.to_string();
                    let mut any = false;
                    let mut sum = 0;
                    if by_facility {
                        for f in facts
                            .iter()
                            .filter(|f| f.period.starts_with(&prefix) && keep(f))
                        {
                            any = true;
                            sum += f.value;
                        }
                    } else {
                        for (p, v) in &month_totals {
                            if p.starts_with(&prefix) {
                                any = true;
                                sum += v;
                            }
                        }
                    }
                    Figure::exact(any.then_some(sum))
                } else {
                    Figure::exact(per_facility_year(metric, &facts, y, keep))
                }
            };
            let years = [year_of(year - 1, &|_| true), year_of(year, &|_| true)];
            let kids: Vec<Figure> = if children.is_empty() {
                Vec::new()
            } else if metric.aggregation == Aggregation::Sum && !by_facility {
                let codes: Vec<String> = children.iter().map(|(c, _, _)| c.clone()).collect();
                let totals = store
                    .area_totals(
                        basis,
                        &codes,
                        Some(code),
                        &year.to_string(),
                        &(year + 1).to_string(),
                    )
                    .await?;
                let mut sums: HashMap<String, i64> = HashMap::new();
                for t in totals {
                    *sums.entry(t.area).or_insert(0) += t.total;
                }
                children
                    .iter()
                    .map(|(c, _, _)| Figure::exact(sums.get(c).copied()))
                    .collect()
            } else {
                let facts = if facts.is_empty() {
                    store
                        .metric_facts(basis, code, &from, &until)
                        .await?
                        .into_iter()
                        .filter(|f| in_scope(f))
                        .collect()
                } else {
                    facts.clone()
                };
                children
                    .iter()
                    .map(|(c, _, _)| {
                        let c = c.clone();
                        let keep = move |f: &MetricFact| {
                            f.facility_id.to_string() == c
                                || areas_of(&f.municipality_code).contains(&c)
                        };
                        if metric.aggregation == Aggregation::Sum {
                            let prefix = year.to_string();
                            let values: Vec<i64> = facts
                                .iter()
                                .filter(|f| f.period.starts_with(&prefix) && keep(f))
                                .map(|f| f.value)
                                .collect();
                            Figure::exact((!values.is_empty()).then(|| values.iter().sum()))
                        } else {
                            Figure::exact(per_facility_year(metric, &facts, year, &keep))
                        }
                    })
                    .collect()
            };
            (months, years, kids)
        };
        let any = month_values
            .iter()
            .chain(year_values.iter())
            .any(|f| !f.is_missing());
        if !any {
            continue;
        }
        for ((c, _, _), figure) in children.iter().zip(child_years) {
            child_values.entry(c.clone()).or_default().push(figure);
        }
        let [previous_year, this_year] = year_values;
        // Not published by month: the quarters instead, if they are.
        let quarters = match &public {
            Some(public) if month_values.iter().all(Figure::is_withheld) => {
                let area = level.area_code().expect("public dashboards are of areas");
                [year - 1, year]
                    .into_iter()
                    .flat_map(|y| (1..=4).map(move |quarter| Period::Quarter { year: y, quarter }))
                    .map(|p| public.figure(metric, &area, &p.to_string()))
                    .collect::<Vec<Figure>>()
            }
            _ => Vec::new(),
        };
        let quarters = if quarters.iter().all(Figure::is_withheld) {
            Vec::new()
        } else {
            quarters
        };
        panels.push(MetricPanel {
            code: code.to_string(),
            name: match language {
                Language::Nl => metric.name_nl.clone(),
                Language::En => metric.name_en.clone(),
            },
            unit: metric.unit.clone(),
            counts: metric.counts,
            aggregation: metric.aggregation,
            months: month_values,
            quarters,
            year: this_year,
            previous_year,
        });
    }
    for (c, name, href) in &children {
        let values = child_values.remove(c).unwrap_or_default();
        if values.iter().any(|f| !f.is_missing()) || !matches!(level, Level::Province(_)) {
            compared.push((c.clone(), name.clone(), href.clone(), values));
        }
    }
    let comparison = compared
        .into_iter()
        .map(|(code, name, href, values)| ComparisonRow {
            code,
            name,
            href,
            values,
        })
        .collect();

    let (code, name) = match level {
        Level::Country | Level::Province(_) | Level::Municipality(_) => {
            let area = level.area_code().expect("an area");
            (area.clone(), area_name(&area, language))
        }
        Level::Organisation(id) => (
            id.to_string(),
            store
                .organisation(*id, None)
                .await?
                .map(|o| o.fields.name.to_string())
                .ok_or_else(|| AppError::NotFound(format!("no organisation {id}")))?,
        ),
        Level::Facility(id) => (
            id.to_string(),
            store
                .facility(*id, None)
                .await?
                .map(|f| f.fields.name.to_string())
                .ok_or_else(|| AppError::NotFound(format!("no facility {id}")))?,
        ),
    };
    let indicators = match level.area_code() {
        Some(area) if own.is_none() => {
            let area = (area != NATIONAL).then_some(area);
            let mut answers =
                indicators_for(store, area.as_deref(), year, staff.is_none(), language).await?;
            // The country's tiles: its own row only (the provinces have theirs).
            for answer in &mut answers {
                let keep = area.clone().unwrap_or_else(|| NATIONAL.to_string());
                answer.rows.retain(|r| r.area == keep);
            }
            answers
        }
        _ => Vec::new(),
    };
    if let Some((_, actor)) = staff {
        store
            .audit(
                &AuditEvent::new("read", actor, "dashboard")
                    .object(format!("{}:{code}", level.code()))
                    .detail(format!("exact figures of {year} and {}", year - 1)),
            )
            .await?;
    }
    Ok(Dashboard {
        level: level.code().to_string(),
        code,
        name,
        year,
        basis: basis.code().to_string(),
        months: months.iter().map(Period::to_string).collect(),
        metrics: panels,
        compares: children_kind(level, staff.is_some()).map(str::to_string),
        comparison,
        indicators,
    })
}

/// What a level compares.
fn children_kind(level: &Level, staff: bool) -> Option<&'static str> {
    match level {
        Level::Country => Some("province"),
        Level::Province(_) => Some("municipality"),
        Level::Municipality(_) if staff => Some("facility"),
        Level::Organisation(_) => Some("facility"),
        _ => None,
    }
}

/// The areas (or, for staff, facilities) a level compares: (code, name, link).
fn children(
    level: &Level,
    staff: bool,
    own: Option<i64>,
    facilities: &[FacilityPlace],
) -> Vec<(String, String, Option<String>)> {
    let base = if staff {
        "/beheer/dashboard"
    } else {
        "/cijfers/dashboard"
    };
    let area =
        |code: &String, name: &String| (code.clone(), name.clone(), Some(format!("{base}/{code}")));
    let facility = |f: &FacilityPlace| {
        (
            f.id.to_string(),
            f.name.clone(),
            Some(format!("/beheer/dashboard/voorziening/{}", f.id)),
        )
    };
    match level {
        Level::Municipality(code) if staff => facilities
            .iter()
            .filter(|f| {
                &f.municipality_code == code && own.is_none_or(|o| f.organisation_id == Some(o))
            })
            .map(facility)
            .collect(),
        Level::Organisation(id) => facilities
            .iter()
            .filter(|f| f.organisation_id == Some(*id))
            .map(facility)
            .collect(),
        Level::Country => geo()
            .provinces()
            .iter()
            .map(|p| area(&p.code, &p.name))
            .collect(),
        Level::Province(code) => geo()
            .municipalities_in_province(code)
            .into_iter()
            .map(|m| area(&m.code, &m.name))
            .collect(),
        _ => Vec::new(),
    }
}

/// Each facility's average (or last value) over the year, added up.
pub(super) fn per_facility_year(
    metric: &Metric,
    facts: &[MetricFact],
    year: i32,
    keep: &dyn Fn(&MetricFact) -> bool,
) -> Option<i64> {
    let prefix = year.to_string();
    let mut per: BTreeMap<i64, Vec<(Period, i64)>> = BTreeMap::new();
    for f in facts
        .iter()
        .filter(|f| f.period.starts_with(&prefix) && keep(f))
    {
        if let Ok(p) = Period::parse(&f.period) {
            if p.kind() != PeriodKind::Year || metric.period == PeriodKind::Year {
                per.entry(f.facility_id).or_default().push((p, f.value));
            }
        }
    }
    if per.is_empty() {
        return None;
    }
    Some(
        per.values_mut()
            .map(|values| {
                values.sort();
                match metric.aggregation {
                    Aggregation::Average => {
                        let sum: i64 = values.iter().map(|(_, v)| v).sum();
                        (sum as f64 / values.len() as f64).round() as i64
                    }
                    Aggregation::Last => values.last().map_or(0, |(_, v)| *v),
                    Aggregation::Sum => values.iter().map(|(_, v)| v).sum(),
                }
            })
            .sum(),
    )
}
