//! The indicators for a year and an area (`GET /api/v1/indicators`, the
//! indicator pages and the dashboards' tiles), computed at each request
//! from the rollups (`storage::rollups`), the register and the reference
//! figures.
//!
//! Decisions where the issue was silent:
//! - Figures from the register are approved report values only, for
//!   everyone: an indicator is a published statement. Summed over the
//!   year for sums (syringes, dispensations); a facility's average over
//!   its reported months for averages (patients in treatment) and its last
//!   reported value for "last" metrics (treatment places), then added up.
//! - A register figure is complete when every facility offering the
//!   service in the area on the reference day (31 December, or today in
//!   the current year) has an approved value for every month it was open;
//!   otherwise it is a lower bound ("at least"), and the input says how
//!   many facilities reported in full.
//! - Reference figures (published figures and loaded populations): the
//!   latest whose period ends at or before the year, for the area itself;
//!   none means no value, with a note saying which figure is missing.
//! - Substitution treatment coverage uses the published count of people in
//!   substitution treatment (OPAAK; else the EUDA's count of clients in
//!   opioid agonist treatment), because general practitioners and prisons
//!   also prescribe and the register's clinics can only undercount.
//! - Dispensations per client: from the register's methadone clinics when
//!   they reported, else nationally from LADIS (dispensations and persons
//!   at the reporting institutions).
//! - Without an area: the country and, where the figures exist, each
//!   province; with `province` or `municipality`: that area.
//! - In public, a value that would reveal a count of people or activity
//!   from 1 to 4 is left out (`suppressed`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::access::InternalScope;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::figure::{PublishedFigure, NATIONAL};
use crate::domain::geo::geo;
use crate::domain::indicator::{
    one_decimal, ratio_qualifier, Bands, IndicatorCode, IndicatorInput, IndicatorRow,
};
use crate::domain::language::Language;
use crate::domain::metric::Period;
use crate::domain::service::ServiceType;
use crate::domain::spread::{compute, Spread};
use crate::domain::table1::Qualifier;
use crate::domain::text::text;
use crate::domain::{FieldError, Reason};
use crate::storage::facilities::FacilityFilter;
use crate::storage::rollups::{areas_of, Basis};
use crate::storage::Store;

use super::public::{FigureState, PublicFigures};

/// The question as it arrives (query parameters, unchecked).
#[derive(Debug, Clone, Default)]
pub struct IndicatorQuery {
    pub code: Option<String>,
    pub year: Option<String>,
    pub province: Option<String>,
    pub municipality: Option<String>,
}

/// One indicator for a year: what it is, how it is computed, its rows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorAnswer {
    pub code: IndicatorCode,
    pub year: i32,
    pub name: String,
    pub unit: String,
    /// How it is computed, in words.
    pub formula: String,
    /// The international bands, where there are any.
    pub bands: Option<Bands>,
    /// The day the register's facilities are counted on.
    pub reference_day: NaiveDate,
    pub rows: Vec<IndicatorRow>,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::because(
        field,
        Reason::Plain(message.into()),
    )])
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Which areas a question asks about.
fn areas(query: &IndicatorQuery) -> AppResult<Option<String>> {
    match (given(&query.province), given(&query.municipality)) {
        (Some(_), Some(_)) => Err(invalid(
            "municipality",
            "give a province or a municipality, not both",
        )),
        (Some(p), None) => geo()
            .province(p)
            .map(|p| Some(p.code.clone()))
            .ok_or_else(|| invalid("province", format!("'{p}' is not a province (NL-UT)"))),
        (None, Some(m)) => geo()
            .municipality(m)
            .map(|m| Some(m.code.clone()))
            .ok_or_else(|| {
                invalid(
                    "municipality",
                    format!("'{m}' is not a municipality code (GM0344)"),
                )
            }),
        (None, None) => Ok(None),
    }
}

/// Checks a question: the indicator, the year (1990 up to this year) and the area.
pub fn check(
    query: &IndicatorQuery,
    today: NaiveDate,
) -> AppResult<(IndicatorCode, i32, Option<String>)> {
    let code = given(&query.code).ok_or_else(|| invalid("code", "is required"))?;
    let code = IndicatorCode::parse(code).ok_or_else(|| {
        let known: Vec<&str> = IndicatorCode::ALL.iter().map(|c| c.code()).collect();
        invalid(
            "code",
            format!("'{code}' is not an indicator ({})", known.join(", ")),
        )
    })?;
    let year = match given(&query.year) {
        None => today.year() - 1,
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=today.year()).contains(y))
            .ok_or_else(|| {
                invalid(
                    "year",
                    format!("'{y}' is not a year from 1990 to {}", today.year()),
                )
            })?,
    };
    Ok((code, year, areas(query)?))
}

/// One indicator for a year, for the public (`public`) or staff.
pub async fn indicator(
    store: &Store,
    query: &IndicatorQuery,
    public: bool,
    language: Language,
) -> AppResult<IndicatorAnswer> {
    let today = crate::domain::date::today();
    let (code, year, area) = check(query, today)?;
    let facts = Facts::load(store, year, today).await?;
    let figures = public_figures(store, public).await?;
    Ok(answer(
        &facts,
        code,
        area.as_deref(),
        figures.as_deref(),
        language,
    ))
}

/// The public figures, when the answer is for the public: a register
/// figure behind an indicator is shown only when the same figure is shown
/// in the public tables, so that no indicator gives away a suppressed cell.
async fn public_figures(store: &Store, public: bool) -> AppResult<Option<Arc<PublicFigures>>> {
    Ok(if public {
        Some(PublicFigures::load(store).await?)
    } else {
        None
    })
}

/// Every indicator for one area (the dashboards' tiles).
pub async fn indicators_for(
    store: &Store,
    area: Option<&str>,
    year: i32,
    public: bool,
    language: Language,
) -> AppResult<Vec<IndicatorAnswer>> {
    let facts = Facts::load(store, year, crate::domain::date::today()).await?;
    let figures = public_figures(store, public).await?;
    Ok(IndicatorCode::ALL
        .into_iter()
        .map(|code| answer(&facts, code, area, figures.as_deref(), language))
        .collect())
}

fn answer(
    facts: &Facts,
    code: IndicatorCode,
    area: Option<&str>,
    public: Option<&PublicFigures>,
    language: Language,
) -> IndicatorAnswer {
    let areas: Vec<String> = match area {
        Some(a) => vec![a.to_string()],
        None => std::iter::once(NATIONAL.to_string())
            .chain(geo().provinces().iter().map(|p| p.code.clone()))
            .collect(),
    };
    let mut rows = Vec::new();
    for a in &areas {
        let services: Vec<Option<ServiceType>> = if code.per_service() {
            ServiceType::ALL.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for service in services {
            let mut row = facts.row(code, a, service, language);
            if let Some(figures) = public {
                let register = text(language, "indicator.source.register", &[]);
                let year = facts.year.to_string();
                for input in row.inputs.iter_mut().filter(|i| i.source == register) {
                    let Some(metric) = facts.metrics.iter().find(|m| m.code.as_str() == input.key)
                    else {
                        continue;
                    };
                    let shown = figures.figure(metric, &input.area, &year);
                    if metric.counts.suppressed_below_5() && shown.state != FigureState::Value {
                        input.value = None;
                        row.suppressed = true;
                    }
                }
                if row.suppressed {
                    row.value = None;
                    row.share = None;
                    row.band = None;
                }
            } else {
                row.suppressed = false;
            }
            // Without an area, a province whose reference figure does not
            // exist is left out (most figures are national only).
            let missing_reference = row.value.is_none() && row.note.is_some() && !row.suppressed;
            if area.is_none() && a != NATIONAL && missing_reference && code_needs_reference(code) {
                continue;
            }
            rows.push(row);
        }
    }
    IndicatorAnswer {
        code,
        year: facts.year,
        name: code.name(language),
        unit: text(language, &code.key("unit"), &[]),
        formula: text(language, &code.key("formula"), &[]),
        bands: code.bands(),
        reference_day: facts.day,
        rows,
    }
}

/// Indicators whose denominator is a published figure that most areas lack.
fn code_needs_reference(code: IndicatorCode) -> bool {
    matches!(
        code,
        IndicatorCode::SyringesPerPwid | IndicatorCode::OatCoverage
    )
}

/// What the indicators of one year are computed from.
struct Facts {
    year: i32,
    /// 31 December, or today in the current year.
    day: NaiveDate,
    /// Whether the year is still running.
    running: bool,
    figures: Vec<PublishedFigure>,
    /// The figures with a whole value of each (key, scope), by position in
    /// `figures`: a dashboard looks up hundreds of them.
    figures_of: HashMap<(String, String), Vec<usize>>,
    metrics: Vec<crate::domain::metric::Metric>,
    /// Every facility as it is now (services, municipality, opening).
    facilities: Vec<Facility>,
    /// Positions in `facilities` by (area, service): a dashboard asks for
    /// hundreds of areas, and a scan of every facility for each took
    /// seconds on 100,000 facilities (bench/RESULTS.md, "Load").
    offering: HashMap<(String, ServiceType), Vec<usize>>,
    /// Approved figures of the year per (metric, facility): (period, value).
    approved: HashMap<(String, i64), Vec<(Period, i64)>>,
    spread: Spread,
}

const METRICS: [&str; 4] = [
    "syringes_out",
    "methadone_dispensations",
    "patients_in_treatment",
    "treatment_places",
];

impl Facts {
    async fn load(store: &Store, year: i32, today: NaiveDate) -> AppResult<Facts> {
        let running = year >= today.year();
        let day = if running {
            today
        } else {
            NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year")
        };
        let figures = store.published_figures(None).await?;
        let metrics = store.metrics().await?;
        let facilities = store
            .list_facilities(&FacilityFilter {
                as_of: Some(day),
                internal: InternalScope::All,
                ..FacilityFilter::default()
            })
            .await?;
        let (from, until) = (year.to_string(), (year + 1).to_string());
        let mut approved: HashMap<(String, i64), Vec<(Period, i64)>> = HashMap::new();
        for metric in METRICS {
            for f in store
                .facility_figures(Basis::Approved, None, Some(metric), &from, &until)
                .await?
            {
                if let Ok(period) = Period::parse(&f.period) {
                    approved
                        .entry((f.metric, f.facility_id))
                        .or_default()
                        .push((period, f.value));
                }
            }
        }
        let public: Vec<Facility> = facilities
            .iter()
            .filter(|f| f.fields.public_access && f.status_on(day) == FacilityStatus::Open)
            .cloned()
            .collect();
        let spread = compute(day, &public);
        let mut figures_of: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, f) in figures.iter().enumerate() {
            if f.value.whole().is_some() {
                figures_of
                    .entry((f.key.clone(), f.scope.clone()))
                    .or_default()
                    .push(i);
            }
        }
        let mut offering: HashMap<(String, ServiceType), Vec<usize>> = HashMap::new();
        for (i, f) in facilities.iter().enumerate() {
            for area in areas_of(&f.fields.municipality_code) {
                for service in f.fields.services.iter() {
                    offering.entry((area.clone(), service)).or_default().push(i);
                }
            }
        }
        Ok(Facts {
            year,
            day,
            running,
            figures,
            figures_of,
            metrics,
            facilities,
            offering,
            approved,
            spread,
        })
    }

    /// The latest figure of `key` for `area` whose period ends at or before the year.
    fn figure(&self, key: &str, area: &str) -> Option<&PublishedFigure> {
        self.figures_of
            .get(&(key.to_string(), area.to_string()))?
            .iter()
            .map(|i| &self.figures[*i])
            .filter_map(|f| last_year(&f.period).map(|y| (y, f)))
            .filter(|(y, _)| *y <= self.year)
            .max_by_key(|(y, _)| *y)
            .map(|(_, f)| f)
    }

    fn figure_input(&self, figure: &PublishedFigure, language: Language) -> IndicatorInput {
        IndicatorInput {
            key: figure.key.clone(),
            area: figure.scope.clone(),
            period: figure.period.clone(),
            value: figure.value.whole().map(|v| v as f64),
            qualifier: figure.qualifier.qualifier(),
            source: match language {
                Language::Nl => figure.source_nl.clone().unwrap_or(figure.source.clone()),
                Language::En => figure.source.clone(),
            },
            note: figure.note.clone(),
        }
    }

    /// Facilities in `area` offering `service` (as they are on the reference day).
    fn offering(&self, area: &str, service: ServiceType) -> Vec<&Facility> {
        self.offering
            .get(&(area.to_string(), service))
            .map(|at| at.iter().map(|i| &self.facilities[*i]).collect())
            .unwrap_or_default()
    }

    /// The months of the year a facility was open (up to the last whole
    /// month in a running year).
    fn months_open(&self, facility: &Facility) -> Vec<Period> {
        let mut months = Vec::new();
        let last = if self.running {
            self.day.month().saturating_sub(1)
        } else {
            12
        };
        for month in 1..=last {
            let p = Period::Month {
                year: self.year,
                month,
            };
            let (start, end) = (p.start(), p.end().pred_opt().unwrap_or(p.start()));
            let opened = facility.fields.opened_on.is_none_or(|o| o.date() <= end);
            let closed = facility.fields.closed_on.is_some_and(|c| c.date() < start);
            if opened && !closed {
                months.push(p);
            }
        }
        months
    }

    /// A register figure of `metric` over the facilities offering
    /// `service` in `area`: summed, each facility's average or its last
    /// value (by `how`), with how complete it is.
    fn register(
        &self,
        metric: &str,
        service: ServiceType,
        area: &str,
        how: How,
        only: Option<&[i64]>,
    ) -> Register {
        let facilities = self.offering(area, service);
        let mut per_facility = BTreeMap::new();
        let mut complete = 0;
        let mut expected = 0;
        for f in &facilities {
            if only.is_some_and(|ids| !ids.contains(&f.id)) {
                continue;
            }
            let months = self.months_open(f);
            let values = self.approved.get(&(metric.to_string(), f.id));
            let open_now = f.status_on(self.day) == FacilityStatus::Open;
            if open_now {
                expected += 1;
            }
            if let Some(values) = values {
                let covered = months.iter().all(|m| {
                    values
                        .iter()
                        .any(|(p, _)| p.start() <= m.start() && p.end() >= m.end())
                });
                if open_now && covered {
                    complete += 1;
                }
                let mut sorted = values.clone();
                sorted.sort();
                let value = match how {
                    How::Sum => sorted.iter().map(|(_, v)| *v as f64).sum(),
                    How::Average => {
                        sorted.iter().map(|(_, v)| *v as f64).sum::<f64>() / sorted.len() as f64
                    }
                    How::Last => sorted.last().map_or(0.0, |(_, v)| *v as f64),
                };
                per_facility.insert(f.id, value);
            }
        }
        Register {
            per_facility,
            complete,
            expected,
            running: self.running,
        }
    }

    fn row(
        &self,
        code: IndicatorCode,
        area: &str,
        service: Option<ServiceType>,
        language: Language,
    ) -> IndicatorRow {
        let mut row = IndicatorRow {
            area: area.to_string(),
            area_name: area_name(area, language),
            service,
            value: None,
            share: None,
            band: None,
            qualifier: Qualifier::Unknown,
            suppressed: false,
            inputs: Vec::new(),
            note: None,
        };
        let note = |key: &str, args: &[(&str, String)]| {
            Some(text(language, &format!("indicator.note.{key}"), args))
        };
        let year = self.year.to_string();
        match code {
            IndicatorCode::SyringesPerPwid => {
                let syringes = self.register(
                    "syringes_out",
                    ServiceType::SyringeExchange,
                    area,
                    How::Sum,
                    None,
                );
                let people = self.figure("people_who_inject.persons", area);
                if let Some(input) = syringes.input("syringes_out", area, &year, language) {
                    row.inputs.push(input);
                }
                if let Some(p) = people {
                    row.inputs.push(self.figure_input(p, language));
                }
                match (syringes.total(), people) {
                    (None, _) => {
                        row.note = note("no_register", &[("metric", "syringes_out".into())])
                    }
                    (_, None) => {
                        row.note = note("no_figure", &[("key", "people_who_inject.persons".into())])
                    }
                    (Some(total), Some(p)) => {
                        let persons = p.value.whole().unwrap_or(0) as f64;
                        if persons > 0.0 {
                            row.value = Some(one_decimal(total / persons));
                            row.qualifier =
                                ratio_qualifier(syringes.qualifier(), p.qualifier.qualifier());
                            row.suppressed = (1.0..5.0).contains(&total);
                        }
                    }
                }
            }
            IndicatorCode::OatCoverage => {
                let treated = self
                    .figure("high_risk_opioid_use.in_substitution_treatment", area)
                    .or_else(|| self.figure("opioid_agonist_treatment.clients", area));
                let population = self.figure("high_risk_opioid_use.persons", area);
                for f in [treated, population].into_iter().flatten() {
                    row.inputs.push(self.figure_input(f, language));
                }
                match (treated, population) {
                    (None, _) => {
                        row.note = note(
                            "no_figure",
                            &[(
                                "key",
                                "high_risk_opioid_use.in_substitution_treatment".into(),
                            )],
                        )
                    }
                    (_, None) => {
                        row.note = note(
                            "no_figure",
                            &[("key", "high_risk_opioid_use.persons".into())],
                        )
                    }
                    (Some(t), Some(p)) => {
                        let (t_value, p_value) = (
                            t.value.whole().unwrap_or(0) as f64,
                            p.value.whole().unwrap_or(0) as f64,
                        );
                        if p_value > 0.0 {
                            row.value = Some(one_decimal(100.0 * t_value / p_value));
                            row.qualifier =
                                ratio_qualifier(t.qualifier.qualifier(), p.qualifier.qualifier());
                        }
                    }
                }
            }
            IndicatorCode::MhuOccupancy => {
                let places = self.register(
                    "treatment_places",
                    ServiceType::HeroinUnit,
                    area,
                    How::Last,
                    None,
                );
                let ids: Vec<i64> = places.per_facility.keys().copied().collect();
                let patients = self.register(
                    "patients_in_treatment",
                    ServiceType::HeroinUnit,
                    area,
                    How::Average,
                    Some(&ids),
                );
                let both: Vec<i64> = patients.per_facility.keys().copied().collect();
                let places = self.register(
                    "treatment_places",
                    ServiceType::HeroinUnit,
                    area,
                    How::Last,
                    Some(&both),
                );
                row.inputs
                    .extend(patients.input("patients_in_treatment", area, &year, language));
                row.inputs
                    .extend(places.input("treatment_places", area, &year, language));
                match (patients.total(), places.total()) {
                    (Some(p), Some(t)) if t > 0.0 => {
                        row.value = Some(one_decimal(100.0 * p / t));
                        row.qualifier = if patients.qualifier() == Qualifier::Exact {
                            Qualifier::Exact
                        } else {
                            Qualifier::Approximate
                        };
                        row.suppressed = (0.5..4.5).contains(&p);
                        row.note = note("units", &[("count", both.len().to_string())]);
                    }
                    _ => {
                        row.note = note(
                            "no_register",
                            &[("metric", "patients_in_treatment, treatment_places".into())],
                        )
                    }
                }
            }
            IndicatorCode::DispensationsPerClient => {
                let dispensations = self.register(
                    "methadone_dispensations",
                    ServiceType::MethadoneClinic,
                    area,
                    How::Sum,
                    None,
                );
                let ids: Vec<i64> = dispensations.per_facility.keys().copied().collect();
                let clients = self.register(
                    "patients_in_treatment",
                    ServiceType::MethadoneClinic,
                    area,
                    How::Average,
                    Some(&ids),
                );
                match (dispensations.total(), clients.total()) {
                    (Some(d), Some(c)) if c > 0.0 => {
                        row.inputs.extend(dispensations.input(
                            "methadone_dispensations",
                            area,
                            &year,
                            language,
                        ));
                        row.inputs.extend(clients.input(
                            "patients_in_treatment",
                            area,
                            &year,
                            language,
                        ));
                        row.value = Some(one_decimal(d / c));
                        row.qualifier = if clients.qualifier() == Qualifier::Exact
                            && dispensations.qualifier() == Qualifier::Exact
                        {
                            Qualifier::Exact
                        } else {
                            Qualifier::Approximate
                        };
                        row.suppressed = (0.5..4.5).contains(&c);
                    }
                    _ => {
                        let d = self.figure("methadone.dispensations", area);
                        let c = self.figure("methadone.persons", area);
                        for f in [d, c].into_iter().flatten() {
                            row.inputs.push(self.figure_input(f, language));
                        }
                        match (d, c) {
                            (Some(d), Some(c)) if c.value.whole().unwrap_or(0) > 0 => {
                                row.value = Some(one_decimal(
                                    d.value.whole().unwrap_or(0) as f64
                                        / c.value.whole().unwrap_or(1) as f64,
                                ));
                                row.qualifier = ratio_qualifier(
                                    d.qualifier.qualifier(),
                                    c.qualifier.qualifier(),
                                );
                                row.note = note("published_instead", &[]);
                            }
                            _ => {
                                row.note = note(
                                    "no_register",
                                    &[("metric", "methadone_dispensations".into())],
                                )
                            }
                        }
                    }
                }
            }
            IndicatorCode::ServicesPer100k => {
                let service = service.expect("a row per service");
                let count = self.locations(area, service);
                row.inputs.push(IndicatorInput {
                    key: "facilities".to_string(),
                    area: area.to_string(),
                    period: self.day.to_string(),
                    value: Some(count as f64),
                    qualifier: Qualifier::Exact,
                    source: text(language, "indicator.source.register", &[]),
                    note: None,
                });
                match self.figure("inhabitants", area) {
                    Some(p) if p.value.whole().unwrap_or(0) > 0 => {
                        row.inputs.push(self.figure_input(p, language));
                        let inhabitants = p.value.whole().unwrap_or(1) as f64;
                        row.value = Some(one_decimal(100_000.0 * count as f64 / inhabitants));
                        row.qualifier = ratio_qualifier(Qualifier::Exact, p.qualifier.qualifier());
                    }
                    _ => row.note = note("no_figure", &[("key", "inhabitants".into())]),
                }
            }
            IndicatorCode::InhabitantsBeyond25km | IndicatorCode::InhabitantsBeyond50km => {
                let service = service.expect("a row per service");
                let km = code.beyond_km().expect("a distance");
                let municipalities: Vec<_> = self
                    .spread
                    .municipalities
                    .iter()
                    .filter(|m| area == NATIONAL || m.province_code == area || m.code == area)
                    .collect();
                let mut beyond = 0i64;
                let mut counted = 0i64;
                let mut missing = 0usize;
                let mut latest_period = None;
                for m in &municipalities {
                    match self.figure("inhabitants", &m.code) {
                        Some(p) => {
                            let people = p.value.whole().unwrap_or(0);
                            counted += people;
                            latest_period = latest_period.max(Some(p.period.clone()));
                            let far = m.nearest_km.get(service).is_none_or(|d| d > km);
                            if far {
                                beyond += people;
                            }
                        }
                        None => missing += 1,
                    }
                }
                if counted == 0 {
                    row.note = note("no_municipal_population", &[]);
                } else {
                    row.value = Some(beyond as f64);
                    row.share = Some(one_decimal(100.0 * beyond as f64 / counted as f64));
                    row.qualifier = if missing == 0 {
                        Qualifier::Approximate
                    } else {
                        row.note =
                            note("municipalities_missing", &[("count", missing.to_string())]);
                        Qualifier::AtLeast
                    };
                    row.inputs.push(IndicatorInput {
                        key: "inhabitants".to_string(),
                        area: area.to_string(),
                        period: latest_period.unwrap_or_default(),
                        value: Some(counted as f64),
                        qualifier: Qualifier::Exact,
                        source: text(language, "indicator.source.municipal_population", &[]),
                        note: Some(text(
                            language,
                            "indicator.note.municipalities_counted",
                            &[("count", (municipalities.len() - missing).to_string())],
                        )),
                    });
                    row.inputs.push(IndicatorInput {
                        key: "facilities".to_string(),
                        area: NATIONAL.to_string(),
                        period: self.day.to_string(),
                        value: Some(self.spread.national.get(service) as f64),
                        qualifier: Qualifier::Exact,
                        source: text(language, "indicator.source.register", &[]),
                        note: None,
                    });
                }
            }
        }
        row.band = match (code.bands(), row.value) {
            (Some(bands), Some(v)) => Some(bands.band(v)),
            _ => None,
        };
        row
    }

    /// Public facilities open on the reference day offering `service` in `area`.
    fn locations(&self, area: &str, service: ServiceType) -> i64 {
        if area == NATIONAL {
            return self.spread.national.get(service);
        }
        if let Some(p) = self.spread.province(area) {
            return p.locations.get(service);
        }
        self.spread
            .municipality(area)
            .map_or(0, |m| m.locations.get(service))
    }
}

#[derive(Debug, Clone, Copy)]
enum How {
    Sum,
    Average,
    Last,
}

/// A register figure over facilities, with how complete it is.
struct Register {
    per_facility: BTreeMap<i64, f64>,
    complete: usize,
    expected: usize,
    running: bool,
}

impl Register {
    fn total(&self) -> Option<f64> {
        (!self.per_facility.is_empty()).then(|| self.per_facility.values().sum())
    }

    fn qualifier(&self) -> Qualifier {
        if self.complete >= self.expected && !self.running {
            Qualifier::Exact
        } else {
            Qualifier::AtLeast
        }
    }

    fn input(
        &self,
        metric: &str,
        area: &str,
        year: &str,
        language: Language,
    ) -> Option<IndicatorInput> {
        let total = self.total()?;
        Some(IndicatorInput {
            key: metric.to_string(),
            area: area.to_string(),
            period: year.to_string(),
            value: Some(one_decimal(total)),
            qualifier: self.qualifier(),
            source: text(language, "indicator.source.register", &[]),
            note: Some(text(
                language,
                "indicator.note.complete",
                &[
                    ("complete", self.complete.to_string()),
                    ("expected", self.expected.to_string()),
                ],
            )),
        })
    }
}

/// The last year a figure's period covers: `2025`, `2022-2026`, `2024-01-01`.
fn last_year(period: &str) -> Option<i32> {
    let tail = period.rsplit('-').find(|part| part.len() == 4)?;
    let year = match period.split_once('-') {
        Some((first, rest)) if first.len() == 4 && rest.len() == 4 => rest,
        Some((first, _)) if first.len() == 4 => first,
        _ => tail,
    };
    year.parse().ok()
}

/// An area's name: the country, a province, a municipality.
pub fn area_name(area: &str, language: Language) -> String {
    if area == NATIONAL {
        return text(language, "indicator.area.nl", &[]);
    }
    if let Some(p) = geo().province(area) {
        return p.name.clone();
    }
    geo()
        .municipality(area)
        .map_or_else(|| area.to_string(), |m| m.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figures_period_ends_in_its_last_year() {
        assert_eq!(last_year("2025"), Some(2025));
        assert_eq!(last_year("2022-2026"), Some(2026));
        assert_eq!(last_year("2024-01-01"), Some(2024));
        assert_eq!(last_year("1994-06-10"), Some(1994));
        assert_eq!(last_year("soon"), None);
    }
}
