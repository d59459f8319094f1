//! What a metric adds up to, per period, over a place or the caller's
//! facilities (`GET /api/v1/stats/metrics`).
//!
//! Decisions where the issue was silent:
//! - Every period from `from` to `to` is a row; a period without any value
//!   has `"value": null, "suppressed": false` (no data is not zero).
//! - `from`/`to` may be coarser than `by` (`from=2025&by=month` starts in
//!   January, `to=2025` ends in December); at most [`PERIODS_MAX`] rows.
//! - Over time each facility's values add up by the metric's aggregation
//!   (sum; average, rounded to a whole number; last: the latest period's
//!   value); facilities are then added up. A report of a longer period than
//!   `by` (a yearly report when asking by month) cannot be split and is left
//!   out of those rows.
//! - Without a token (or with a role that is neither national nor of an
//!   organisation, an auditor's): approved values only, nationally or per
//!   province or municipality; `organisation`, `facility` and `source=all`
//!   are refused with 403 naming the parameter. People and activity values
//!   of 1 to 4 are then `null` with `"suppressed": true` (state `small`),
//!   and so are the values hidden so that those cannot be worked out from
//!   totals or other tables (`hidden`, `withheld`): the public figures are
//!   read from the one suppressed cube of the metric that every public
//!   table reads (dashboards::public).
//! - With a token: exact values; national roles see everything, organisation
//!   roles their organisation's facilities (asking for another organisation
//!   or its facility is 403). Such a read is in the audit log.
//! - `source=all` (staff): a submitted or approved report's value, else the
//!   month's tallies: a draft, prefilled from the tallies, does not replace
//!   them until it is submitted (the live basis of the rollups).
//! - Read from the rollups (`storage::rollups`), kept current by every
//!   write: a tally or an approval is in the next answer.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::dashboards::public::{Figure, FigureState, PublicFigures};
use crate::domain::access::{Principal, Role};
use crate::domain::error::{AppError, AppResult};
use crate::domain::figure::NATIONAL;
use crate::domain::geo::geo;
use crate::domain::metric::{Aggregation, Metric, MetricCode, Period, PeriodKind};
use crate::domain::provenance::Actor;
use crate::domain::{FieldError, Reason};
use crate::storage::audit::AuditEvent;
use crate::storage::metric_stats::MetricFact;
use crate::storage::rollups::Basis;
use crate::storage::Store;

/// The most rows one answer has: ten years of months.
pub const PERIODS_MAX: usize = 120;

/// The question as it arrives (query parameters, unchecked).
#[derive(Debug, Clone, Default)]
pub struct SeriesQuery {
    pub metric: Option<String>,
    pub by: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub province: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    pub facility: Option<String>,
    pub source: Option<String>,
}

/// One period's figure.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SeriesRow {
    /// `2025-01`, `2025-Q1` or `2025`.
    #[schema(value_type = String, example = "2025-01")]
    pub period: Period,
    /// Null when there is no value, or when it is suppressed.
    pub value: Option<i64>,
    /// Whether a public value was left out: 1 to 4 people or acts, or
    /// hidden so that such a value cannot be worked out (see `state`).
    pub suppressed: bool,
    /// `value`, `small` (1 to 4: shown "<5"), `hidden` ("x"), `withheld`
    /// (".") or `missing` (no figure).
    pub state: FigureState,
}

/// A metric per period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricSeries {
    pub metric: String,
    pub by: PeriodKind,
    pub rows: Vec<SeriesRow>,
}

enum Place {
    Country,
    Province(String),
    Municipality(String),
    Organisation(i64),
    Facility(i64),
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::because(
        field,
        Reason::Plain(message.into()),
    )])
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The figures of one metric per period, for `who` (None: the public).
pub async fn metric_series(
    store: &Store,
    query: &SeriesQuery,
    who: Option<&Principal>,
    actor: &Actor,
) -> AppResult<MetricSeries> {
    let code = text(&query.metric).ok_or_else(|| invalid("metric", "is required"))?;
    let code = MetricCode::parse(code).map_err(|r| invalid("metric", r.english()))?;
    let metrics = store.metrics().await?;
    let metric = metrics.iter().find(|m| m.code == code).ok_or_else(|| {
        invalid(
            "metric",
            format!("'{code}' is not a metric of the catalogue"),
        )
    })?;
    let by = match text(&query.by) {
        None => PeriodKind::Month,
        Some(t) => PeriodKind::parse(t)
            .ok_or_else(|| invalid("by", format!("'{t}' is not month, quarter or year")))?,
    };
    let period = |field: &str, value: &Option<String>| -> AppResult<Period> {
        let t = text(value).ok_or_else(|| invalid(field, "is required"))?;
        Period::parse(t).map_err(|r| invalid(field, r.english()))
    };
    let from = period("from", &query.from)?.within(by);
    let to = period("to", &query.to)?;
    let to = last_day_period(to, by);
    if from > to {
        return Err(invalid("to", format!("{to} is before from ({from})")));
    }
    let mut periods = vec![from];
    while *periods.last().expect("one period") < to {
        if periods.len() >= PERIODS_MAX {
            return Err(invalid(
                "to",
                format!("more than {PERIODS_MAX} periods from {from}; ask for a shorter stretch or a longer period (by)"),
            ));
        }
        periods.push(periods.last().expect("one period").next());
    }
    let place = place(query)?;
    let all = match text(&query.source) {
        None | Some("approved") => false,
        Some("all") => true,
        Some(other) => {
            return Err(invalid(
                "source",
                format!("'{other}' is not approved or all"),
            ))
        }
    };

    // Who may see what: None is the public.
    let scope = who.and_then(|p| match p.role {
        Role::Admin | Role::Researcher => Some(None),
        Role::OrgManager | Role::Reporter => p.organisation_id.map(Some),
        Role::Auditor => None,
    });
    match (&scope, &place) {
        (None, Place::Organisation(_)) => return Err(forbidden("organisation")),
        (None, Place::Facility(_)) => return Err(forbidden("facility")),
        (None, _) if all => return Err(forbidden("source")),
        (Some(Some(own)), Place::Organisation(id)) if id != own => {
            return Err(AppError::Forbidden(format!(
                "organisation: your role sees the figures of organisation {own} only"
            )))
        }
        (Some(Some(own)), Place::Facility(id)) => {
            let facility = store.facility(*id, None).await?;
            if facility.is_none_or(|f| f.organisation_id != Some(*own)) {
                return Err(AppError::Forbidden(format!(
                    "facility: your role sees the figures of organisation {own}'s facilities only"
                )));
            }
        }
        _ => {}
    }

    let first_year = from.start().format("%Y").to_string();
    let after_year = (to
        .end()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(9998)
        + 1)
    .to_string();
    let basis = if all { Basis::Live } else { Basis::Approved };
    // A place's totals are kept per period (rollups); a caller limited to
    // an organisation, an organisation or a facility, and averages or last
    // values over longer periods (each facility's first) add up facilities.
    let area = match &place {
        Place::Country => Some(NATIONAL.to_string()),
        Place::Province(code) | Place::Municipality(code) => Some(code.clone()),
        Place::Organisation(_) | Place::Facility(_) => None,
    };
    let values = match area.clone() {
        _ if scope.is_none() => HashMap::new(),
        Some(area)
            if scope.flatten().is_none()
                && (metric.aggregation == Aggregation::Sum || by == metric.period) =>
        {
            let totals = store
                .area_totals(
                    basis,
                    &[area],
                    Some(code.as_str()),
                    &first_year,
                    &after_year,
                )
                .await?;
            let mut values = HashMap::new();
            for total in totals {
                if let Some(bucket) = bucket(&total.period, by, from, to) {
                    *values.entry(bucket).or_insert(0) += total.total;
                }
            }
            values
        }
        _ => {
            let mut facts = store
                .metric_facts(basis, code.as_str(), &first_year, &after_year)
                .await?;
            facts.retain(|f| admits(&place, scope.flatten(), f));
            add_up(metric, by, from, to, &facts)
        }
    };
    let public = scope.is_none();
    let rows = match (public, area) {
        // The public reads the same suppressed figures as every public table.
        (true, Some(area)) => {
            let figures = PublicFigures::load(store).await?;
            periods
                .into_iter()
                .map(|period| {
                    let figure = figures.figure(metric, &area, &period.to_string());
                    SeriesRow {
                        period,
                        value: figure.value,
                        suppressed: !matches!(
                            figure.state,
                            FigureState::Value | FigureState::Missing
                        ),
                        state: figure.state,
                    }
                })
                .collect()
        }
        _ => periods
            .into_iter()
            .map(|period| {
                let figure = Figure::exact(values.get(&period).copied());
                SeriesRow {
                    period,
                    value: figure.value,
                    suppressed: false,
                    state: figure.state,
                }
            })
            .collect(),
    };
    if !public {
        store
            .audit(
                &AuditEvent::new("read", actor, "metric")
                    .object(code.as_str())
                    .detail(format!(
                        "figures by {} from {from} to {to}, source {}",
                        by.code(),
                        if all { "all" } else { "approved" }
                    )),
            )
            .await?;
    }
    Ok(MetricSeries {
        metric: code.to_string(),
        by,
        rows,
    })
}

fn forbidden(parameter: &str) -> AppError {
    AppError::Forbidden(format!(
        "{parameter}: without an API token, figures are public: approved values nationally, per province or per municipality"
    ))
}

/// The last period of kind `by` within `period` (`2025` by month: `2025-12`).
fn last_day_period(period: Period, by: PeriodKind) -> Period {
    let last_day = period.end().pred_opt().expect("a period has a last day");
    Period::month_of(last_day).within(by)
}

fn place(query: &SeriesQuery) -> AppResult<Place> {
    let given: Vec<&str> = [
        ("province", &query.province),
        ("municipality", &query.municipality),
        ("organisation", &query.organisation),
        ("facility", &query.facility),
    ]
    .iter()
    .filter(|(_, v)| text(v).is_some())
    .map(|(name, _)| *name)
    .collect();
    if given.len() > 1 {
        return Err(invalid(
            given[1],
            format!("give one of {} only", given.join(", ")),
        ));
    }
    let id = |field: &str, value: &str| {
        value
            .parse::<i64>()
            .map_err(|_| invalid(field, format!("'{value}' is not an id")))
    };
    Ok(match given.first().copied() {
        None => Place::Country,
        Some("province") => {
            let key = text(&query.province).unwrap_or_default();
            let province = geo()
                .province(key)
                .ok_or_else(|| invalid("province", format!("'{key}' is not a province (NL-NH)")))?;
            Place::Province(province.code.clone())
        }
        Some("municipality") => {
            let key = text(&query.municipality).unwrap_or_default();
            let municipality = geo().municipality(&key.to_uppercase()).ok_or_else(|| {
                invalid(
                    "municipality",
                    format!("'{key}' is not a municipality code (GM0363)"),
                )
            })?;
            Place::Municipality(municipality.code.clone())
        }
        Some("organisation") => Place::Organisation(id(
            "organisation",
            text(&query.organisation).unwrap_or_default(),
        )?),
        _ => Place::Facility(id("facility", text(&query.facility).unwrap_or_default())?),
    })
}

/// Whether a fact lies in the place asked for and the caller's organisation.
fn admits(place: &Place, organisation: Option<i64>, fact: &MetricFact) -> bool {
    if organisation.is_some_and(|own| fact.organisation_id != Some(own)) {
        return false;
    }
    match place {
        Place::Country => true,
        Place::Province(code) => geo()
            .municipality(&fact.municipality_code)
            .is_some_and(|m| &m.province_code == code),
        Place::Municipality(code) => &fact.municipality_code == code,
        Place::Organisation(id) => fact.organisation_id == Some(*id),
        Place::Facility(id) => fact.facility_id == *id,
    }
}

/// The period of kind `by` from `from` to `to` a stored period adds to;
/// none for a period longer than `by` (it cannot be split over its parts).
fn bucket(period: &str, by: PeriodKind, from: Period, to: Period) -> Option<Period> {
    let period = Period::parse(period).ok()?;
    let bucket = period.within(by);
    (bucket.end() >= period.end() && bucket >= from && bucket <= to).then_some(bucket)
}

/// Per period of kind `by`: each facility's values over time by the
/// metric's aggregation, then the facilities added up.
fn add_up(
    metric: &Metric,
    by: PeriodKind,
    from: Period,
    to: Period,
    facts: &[MetricFact],
) -> HashMap<Period, i64> {
    let mut per_facility: BTreeMap<(Period, i64), Vec<(Period, i64)>> = BTreeMap::new();
    for fact in facts {
        let Some(bucket) = bucket(&fact.period, by, from, to) else {
            continue;
        };
        let Ok(period) = Period::parse(&fact.period) else {
            continue;
        };
        per_facility
            .entry((bucket, fact.facility_id))
            .or_default()
            .push((period, fact.value));
    }
    let mut totals = HashMap::new();
    for ((bucket, _), mut values) in per_facility {
        values.sort();
        let value = match metric.aggregation {
            Aggregation::Sum => values.iter().map(|(_, v)| v).sum(),
            Aggregation::Average => {
                let sum: i64 = values.iter().map(|(_, v)| v).sum();
                (sum as f64 / values.len() as f64).round() as i64
            }
            Aggregation::Last => values.last().map_or(0, |(_, v)| *v),
        };
        *totals.entry(bucket).or_insert(0) += value;
    }
    totals
}
