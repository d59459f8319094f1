//! The metric catalogue: what a facility's service does, counted per
//! period (DESIGN.md, capability 4). Each metric has a stable code, a name
//! in Dutch and English, a unit, the period it is reported over, how it adds
//! up over time, whether it counts people or activity (then suppressed in
//! public below 5) or things that are not personal, and the services that
//! have it. Admins add metrics and retire them; nothing is deleted.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{ServiceSet, ServiceType};
use super::{bounded_line, required, FieldError, Reason};

/// A metric's stable code: `syringes_out`. Lower-case letters, digits and
/// `_`, starting with a letter, at most 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MetricCode(String);

impl MetricCode {
    pub fn parse(text: &str) -> Result<MetricCode, Reason> {
        let code = text.trim();
        let ok = (2..=40).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(MetricCode(code.to_string()))
        } else {
            Err(Reason::of(
                "error.metric_code",
                &[("value", code.to_string())],
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MetricCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How long a reporting period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<PeriodKind> {
        Some(match text.trim().to_lowercase().as_str() {
            "month" | "maand" => PeriodKind::Month,
            "quarter" | "kwartaal" => PeriodKind::Quarter,
            "year" | "jaar" => PeriodKind::Year,
            _ => return None,
        })
    }
}

/// One reporting period: `2025-03`, `2025-Q1` or `2025`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

/// The years a period may lie in: the register's days (1900–2999) would
/// allow more, but figures from before 1990 or far ahead are typing errors.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

impl Period {
    /// `2025-03`, `2025-3`, `2025-Q1` (or `2025Q1`, `2025-k1`), `2025`.
    pub fn parse(text: &str) -> Result<Period, Reason> {
        let text = text.trim();
        let refused = || Reason::of("error.period", &[("value", text.to_string())]);
        let upper = text.to_uppercase();
        let (year, rest) = match upper.split_at_checked(4) {
            Some((year, rest)) => (year.parse::<i32>().map_err(|_| refused())?, rest),
            None => return Err(refused()),
        };
        if !YEARS.contains(&year) {
            return Err(refused());
        }
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let period = if rest.is_empty() {
            Period::Year { year }
        } else if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('K')) {
            match q.parse::<u32>() {
                Ok(quarter @ 1..=4) => Period::Quarter { year, quarter },
                _ => return Err(refused()),
            }
        } else {
            match rest.parse::<u32>() {
                Ok(month @ 1..=12) if !rest.starts_with('+') => Period::Month { year, month },
                _ => return Err(refused()),
            }
        };
        Ok(period)
    }

    /// The month of a day.
    pub fn month_of(day: NaiveDate) -> Period {
        Period::Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn kind(self) -> PeriodKind {
        match self {
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Year { .. } => PeriodKind::Year,
        }
    }

    /// The first day of the period.
    pub fn start(self) -> NaiveDate {
        let (year, month) = match self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, 3 * quarter - 2),
            Period::Year { year } => (year, 1),
        };
        NaiveDate::from_ymd_opt(year, month, 1).expect("a period's first day exists")
    }

    /// The first day after the period.
    pub fn end(self) -> NaiveDate {
        let months = match self {
            Period::Month { .. } => 1,
            Period::Quarter { .. } => 3,
            Period::Year { .. } => 12,
        };
        self.start()
            .checked_add_months(chrono::Months::new(months))
            .expect("a period ends within the calendar")
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start() <= day && day < self.end()
    }

    /// The period of the same kind that follows this one.
    pub fn next(self) -> Period {
        match self {
            Period::Month { .. } => Period::month_of(self.end()),
            Period::Quarter { year, quarter: 4 } => Period::Quarter {
                year: year + 1,
                quarter: 1,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter + 1,
            },
            Period::Year { year } => Period::Year { year: year + 1 },
        }
    }

    /// The period of `kind` this one lies in (a month's quarter or year).
    pub fn within(self, kind: PeriodKind) -> Period {
        let start = self.start();
        match kind {
            PeriodKind::Month => Period::month_of(start),
            PeriodKind::Quarter => Period::Quarter {
                year: start.year(),
                quarter: (start.month() - 1) / 3 + 1,
            },
            PeriodKind::Year => Period::Year { year: start.year() },
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::Year { year } => write!(f, "{year}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// How a metric adds up over a longer period or several facilities' months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Syringes handed out in a quarter: the months added up.
    Sum,
    /// Patients in treatment over a year: the months' average.
    Average,
    /// Treatment places: the last month's value.
    Last,
}

impl Aggregation {
    pub fn code(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Average => "average",
            Aggregation::Last => "last",
        }
    }

    pub fn parse(text: &str) -> Option<Aggregation> {
        Some(match text.trim() {
            "sum" => Aggregation::Sum,
            "average" => Aggregation::Average,
            "last" => Aggregation::Last,
            _ => return None,
        })
    }
}

/// What a metric counts: people and activity are suppressed in public
/// below 5 (DESIGN.md, privacy); things (treatment places, open days) are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    People,
    Activity,
    Things,
}

impl Counts {
    pub fn code(self) -> &'static str {
        match self {
            Counts::People => "people",
            Counts::Activity => "activity",
            Counts::Things => "things",
        }
    }

    pub fn parse(text: &str) -> Option<Counts> {
        Some(match text.trim() {
            "people" => Counts::People,
            "activity" => Counts::Activity,
            "things" => Counts::Things,
            _ => return None,
        })
    }

    /// Whether a small public value could point at a person.
    pub fn suppressed_below_5(self) -> bool {
        self != Counts::Things
    }
}

/// The largest value one report holds for one metric: ten times
/// Amsterdam's yearly syringes, far above any facility's month.
pub const VALUE_MAX: i64 = 10_000_000;

/// A metric of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Metric {
    #[schema(value_type = String, example = "syringes_out")]
    pub code: MetricCode,
    pub name_nl: String,
    pub name_en: String,
    /// What one unit is: `syringes`, `visits`, `people`, `days`.
    pub unit: String,
    pub period: PeriodKind,
    pub aggregation: Aggregation,
    pub counts: Counts,
    /// The services whose facilities report it.
    #[schema(value_type = Vec<ServiceType>)]
    #[serde(serialize_with = "service_codes")]
    pub services: ServiceSet,
    /// When it was retired (RFC 3339); its data and history stay.
    pub retired_at: Option<String>,
}

fn service_codes<S: serde::Serializer>(set: &ServiceSet, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(set.iter())
}

impl Metric {
    pub fn name(&self, language: super::language::Language) -> &str {
        match language {
            super::language::Language::Nl => &self.name_nl,
            super::language::Language::En => &self.name_en,
        }
    }

    /// Whether a facility offering `services` reports this metric.
    pub fn applies_to(&self, services: ServiceSet) -> bool {
        services.iter().any(|s| self.services.contains(s))
    }
}

/// A new metric as an admin describes it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricInput {
    pub code: Option<String>,
    pub name_nl: Option<String>,
    pub name_en: Option<String>,
    pub unit: Option<String>,
    /// month, quarter or year (default month).
    pub period: Option<String>,
    /// sum, average or last (default sum).
    pub aggregation: Option<String>,
    /// people, activity or things.
    pub counts: Option<String>,
    pub services: Option<Vec<String>>,
}

impl MetricInput {
    pub fn validate(&self) -> Result<Metric, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = match self.code.as_deref().map(MetricCode::parse) {
            Some(Ok(code)) => Some(code),
            Some(Err(reason)) => {
                errors.push(FieldError::because("code", reason));
                None
            }
            None => {
                errors.push(FieldError::because("code", required()));
                None
            }
        };
        let mut named = |field: &'static str, value: &Option<String>| {
            let text = bounded_line(value, field, 100, &mut errors);
            if text.is_none() && !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::because(field, required()));
            }
            text
        };
        let name_nl = named("name_nl", &self.name_nl);
        let name_en = named("name_en", &self.name_en);
        let unit = named("unit", &self.unit);
        let choice = |field: &'static str, value: &Option<String>, allowed: &str| {
            FieldError::because(
                field,
                Reason::of(
                    "error.choice",
                    &[
                        ("value", value.clone().unwrap_or_default()),
                        ("allowed", allowed.to_string()),
                    ],
                ),
            )
        };
        let period = match self.period.as_deref() {
            None => Some(PeriodKind::Month),
            Some(text) => PeriodKind::parse(text).or_else(|| {
                errors.push(choice("period", &self.period, "month, quarter, year"));
                None
            }),
        };
        let aggregation = match self.aggregation.as_deref() {
            None => Some(Aggregation::Sum),
            Some(text) => Aggregation::parse(text).or_else(|| {
                errors.push(choice(
                    "aggregation",
                    &self.aggregation,
                    "sum, average, last",
                ));
                None
            }),
        };
        let counts = self.counts.as_deref().and_then(Counts::parse);
        if counts.is_none() {
            errors.push(choice("counts", &self.counts, "people, activity, things"));
        }
        let services = match &self.services {
            Some(items) => match ServiceSet::parse(items.iter().map(String::as_str)) {
                Ok(set) if !set.is_empty() => Some(set),
                Ok(_) => {
                    errors.push(FieldError::because(
                        "services",
                        Reason::of("error.services_empty", &[]),
                    ));
                    None
                }
                Err(unknown) => {
                    errors.push(FieldError::because(
                        "services",
                        Reason::of("error.service_unknown", &[("value", unknown)]),
                    ));
                    None
                }
            },
            None => {
                errors.push(FieldError::because("services", required()));
                None
            }
        };
        match (
            code,
            name_nl,
            name_en,
            unit,
            period,
            aggregation,
            counts,
            services,
        ) {
            (
                Some(code),
                Some(name_nl),
                Some(name_en),
                Some(unit),
                Some(period),
                Some(aggregation),
                Some(counts),
                Some(services),
            ) if errors.is_empty() => Ok(Metric {
                code,
                name_nl,
                name_en,
                unit,
                period,
                aggregation,
                counts,
                services,
                retired_at: None,
            }),
            _ => Err(errors),
        }
    }
}

/// The catalogue vangnet ships: (code, Dutch, English, unit, aggregation,
/// counts, services). All monthly. Loaded at start when missing; an admin
/// may retire any of them.
/// (code, Dutch name, English name, unit, aggregation, counts, services).
type Shipped = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Aggregation,
    Counts,
    &'static [ServiceType],
);

const DEFAULTS: &[Shipped] = {
    use Aggregation::*;
    use Counts::*;
    use ServiceType::*;
    &[
        (
            "visits",
            "Bezoeken",
            "Visits",
            "visits",
            Sum,
            Activity,
            &[ConsumptionRoom],
        ),
        (
            "unique_visitors",
            "Unieke bezoekers",
            "Unique visitors",
            "people",
            Average,
            People,
            &[ConsumptionRoom],
        ),
        (
            "syringes_out",
            "Spuiten uitgegeven",
            "Syringes handed out",
            "syringes",
            Sum,
            Activity,
            &[SyringeExchange],
        ),
        (
            "syringes_in",
            "Spuiten ingeleverd",
            "Syringes returned",
            "syringes",
            Sum,
            Activity,
            &[SyringeExchange],
        ),
        (
            "pipes_out",
            "Pijpjes uitgegeven",
            "Pipes handed out",
            "pipes",
            Sum,
            Activity,
            &[Paraphernalia],
        ),
        (
            "foil_out",
            "Folie uitgegeven",
            "Foil handed out",
            "sheets",
            Sum,
            Activity,
            &[Paraphernalia],
        ),
        (
            "naloxone_kits_out",
            "Naloxonkits uitgegeven",
            "Naloxone kits handed out",
            "kits",
            Sum,
            Activity,
            &[Naloxone],
        ),
        (
            "naloxone_administered",
            "Naloxon toegediend",
            "Naloxone administered",
            "administrations",
            Sum,
            Activity,
            &[ConsumptionRoom, Naloxone],
        ),
        (
            "overdoses_responded",
            "Overdoses opgevangen",
            "Overdoses responded to",
            "overdoses",
            Sum,
            Activity,
            &[ConsumptionRoom],
        ),
        (
            "methadone_dispensations",
            "Methadonverstrekkingen",
            "Methadone dispensations",
            "dispensations",
            Sum,
            Activity,
            &[MethadoneClinic],
        ),
        (
            "patients_in_treatment",
            "Patiënten in behandeling",
            "Patients in treatment",
            "people",
            Average,
            People,
            &[MethadoneClinic, HeroinUnit],
        ),
        (
            "treatment_places",
            "Behandelplekken",
            "Treatment places",
            "places",
            Last,
            Things,
            &[HeroinUnit],
        ),
        (
            "admissions",
            "Instroom",
            "Admissions",
            "people",
            Sum,
            People,
            &[MethadoneClinic, HeroinUnit],
        ),
        (
            "discharges_death",
            "Uitstroom: overleden",
            "Discharges: died",
            "people",
            Sum,
            People,
            &[MethadoneClinic, HeroinUnit],
        ),
        (
            "discharges_hospital",
            "Uitstroom: ziekenhuis",
            "Discharges: hospital",
            "people",
            Sum,
            People,
            &[MethadoneClinic, HeroinUnit],
        ),
        (
            "discharges_transfer",
            "Uitstroom: overgedragen",
            "Discharges: transferred",
            "people",
            Sum,
            People,
            &[MethadoneClinic, HeroinUnit],
        ),
        (
            "discharges_stopped",
            "Uitstroom: gestopt",
            "Discharges: stopped",
            "people",
            Sum,
            People,
            &[MethadoneClinic, HeroinUnit],
        ),
        (
            "referrals_to_care",
            "Verwijzingen naar zorg",
            "Referrals to care",
            "referrals",
            Sum,
            Activity,
            &[ConsumptionRoom, SyringeExchange],
        ),
        (
            "emergency_calls",
            "Meldingen 112",
            "Emergency calls",
            "calls",
            Sum,
            Activity,
            &[ConsumptionRoom],
        ),
        (
            "open_days",
            "Dagen open",
            "Days open",
            "days",
            Sum,
            Things,
            &[
                ConsumptionRoom,
                MethadoneClinic,
                HeroinUnit,
                SyringeExchange,
                Paraphernalia,
                Naloxone,
            ],
        ),
    ]
};

/// The shipped catalogue.
pub fn default_metrics() -> Vec<Metric> {
    DEFAULTS
        .iter()
        .map(
            |(code, nl, en, unit, aggregation, counts, services)| Metric {
                code: MetricCode(code.to_string()),
                name_nl: nl.to_string(),
                name_en: en.to_string(),
                unit: unit.to_string(),
                period: PeriodKind::Month,
                aggregation: *aggregation,
                counts: *counts,
                services: ServiceSet::from_bits(services.iter().map(|s| s.bit()).sum()),
                retired_at: None,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_as_people_write_them_and_know_their_days() {
        let march = Period::parse("2025-03").unwrap();
        assert_eq!(march.to_string(), "2025-03");
        assert_eq!(Period::parse("2025-3").unwrap(), march);
        assert_eq!(march.start(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(march.end(), NaiveDate::from_ymd_opt(2025, 4, 1).unwrap());
        let q4 = Period::parse("2025-q4").unwrap();
        assert_eq!(q4.to_string(), "2025-Q4");
        assert_eq!(q4.end(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(q4.next().to_string(), "2026-Q1");
        assert_eq!(Period::parse("2025").unwrap().kind(), PeriodKind::Year);
        assert_eq!(march.within(PeriodKind::Quarter).to_string(), "2025-Q1");
        assert_eq!(
            Period::parse("2025-12").unwrap().next().to_string(),
            "2026-01"
        );
        for bad in [
            "",
            "25-03",
            "2025-13",
            "2025-00",
            "2025-Q5",
            "maart",
            "1850",
            "2025-03-01",
            "2025-+3",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shipped_catalogue_has_the_codes_the_issue_names_each_once() {
        let metrics = default_metrics();
        let codes: Vec<&str> = metrics.iter().map(|m| m.code.as_str()).collect();
        for code in [
            "visits",
            "unique_visitors",
            "syringes_out",
            "syringes_in",
            "naloxone_kits_out",
            "methadone_dispensations",
            "treatment_places",
            "open_days",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        let places = metrics
            .iter()
            .find(|m| m.code.as_str() == "treatment_places")
            .unwrap();
        assert!(
            !places.counts.suppressed_below_5(),
            "places are not personal"
        );
        assert!(places.applies_to(ServiceSet::from_bits(ServiceType::HeroinUnit.bit())));
        assert!(!places.applies_to(ServiceSet::from_bits(ServiceType::Naloxone.bit())));
    }

    #[test]
    fn a_new_metric_is_checked_field_by_field() {
        let input = MetricInput {
            code: Some("Spuiten!".into()),
            counts: Some("mensen".into()),
            services: Some(vec!["spuitomruil".into()]),
            ..MetricInput::default()
        };
        let errors = input.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name_nl", "name_en", "unit", "counts"]);
    }
}
