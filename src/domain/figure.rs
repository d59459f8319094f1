//! Published figures: counts others published (the national inventories of
//! 2010, 2022 and 2026, LADIS, the EUDA), each with its source and
//! qualifier, as `data/published_figures.csv` lists them. Past rounds whose
//! facility lists are not in the register appear in trends through these.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::ServiceType;
use super::table1::Qualifier;

/// How a published value should be read; `range` is a value like "20-35".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureQualifier {
    Exact,
    AtLeast,
    Approx,
    Unknown,
    Range,
}

impl FigureQualifier {
    pub fn code(self) -> &'static str {
        match self {
            FigureQualifier::Exact => "exact",
            FigureQualifier::AtLeast => "at_least",
            FigureQualifier::Approx => "approx",
            FigureQualifier::Unknown => "unknown",
            FigureQualifier::Range => "range",
        }
    }

    pub fn parse(text: &str) -> Option<FigureQualifier> {
        Some(match text.trim().to_lowercase().as_str() {
            "exact" => FigureQualifier::Exact,
            "at_least" | "at least" => FigureQualifier::AtLeast,
            "approx" | "approximate" => FigureQualifier::Approx,
            "unknown" => FigureQualifier::Unknown,
            "range" => FigureQualifier::Range,
            _ => return None,
        })
    }

    /// As a count's qualifier; a range reads as approximate (its middle).
    pub fn qualifier(self) -> Qualifier {
        match self {
            FigureQualifier::Exact => Qualifier::Exact,
            FigureQualifier::AtLeast => Qualifier::AtLeast,
            FigureQualifier::Approx | FigureQualifier::Range => Qualifier::Approximate,
            FigureQualifier::Unknown => Qualifier::Unknown,
        }
    }
}

/// A published value: none, one number, or a range "low-high".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FigureValue {
    None,
    One { value: f64 },
    Range { low: f64, high: f64 },
}

impl FigureValue {
    /// Empty, a number ("1468258", "12.5") or a range ("20-35").
    pub fn parse(text: &str) -> Result<FigureValue, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(FigureValue::None);
        }
        let number = |t: &str| -> Result<f64, String> {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| format!("'{text}' is not a number or a range like 20-35"))
        };
        match text.split_once('-') {
            Some((low, high)) => {
                let (low, high) = (number(low)?, number(high)?);
                if low > high {
                    return Err(format!("the range '{text}' runs backwards"));
                }
                Ok(FigureValue::Range { low, high })
            }
            None => Ok(FigureValue::One {
                value: number(text)?,
            }),
        }
    }

    /// The value as a whole number, a range by its middle.
    pub fn whole(self) -> Option<i64> {
        match self {
            FigureValue::None => None,
            FigureValue::One { value } => Some(value.round() as i64),
            FigureValue::Range { low, high } => Some(((low + high) / 2.0).round() as i64),
        }
    }

    /// As the file writes it.
    pub fn text(self) -> String {
        fn n(x: f64) -> String {
            if x.fract() == 0.0 {
                format!("{}", x as i64)
            } else {
                x.to_string()
            }
        }
        match self {
            FigureValue::None => String::new(),
            FigureValue::One { value } => n(value),
            FigureValue::Range { low, high } => format!("{}-{}", n(low), n(high)),
        }
    }

    pub fn bounds(self) -> (Option<f64>, Option<f64>) {
        match self {
            FigureValue::None => (None, None),
            FigureValue::One { value } => (Some(value), Some(value)),
            FigureValue::Range { low, high } => (Some(low), Some(high)),
        }
    }
}

/// One published figure. `key`, `scope` and `period` identify it: loading
/// the same file twice changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublishedFigure {
    /// `consumption_rooms.locations`, `methadone.dispensations`, …
    pub key: String,
    /// `NL`, a city, or several separated by `;`.
    pub scope: String,
    /// A year (`2026`), a span (`2022-2026`) or a day (`1994-06-10`).
    pub period: String,
    pub value: FigureValue,
    pub qualifier: FigureQualifier,
    pub unit: Option<String>,
    pub source: String,
    /// The source in Dutch, for Dutch pages; `source` when not given.
    pub source_nl: Option<String>,
    pub note: Option<String>,
}

/// The scope of national figures.
pub const NATIONAL: &str = "NL";

impl PublishedFigure {
    /// The source in `language`: the Dutch text on Dutch pages when the
    /// figures file gives one.
    pub fn source_in(&self, language: super::language::Language) -> &str {
        match (language, &self.source_nl) {
            (super::language::Language::Nl, Some(dutch)) => dutch,
            _ => &self.source,
        }
    }

    /// Checks a figure's fields together; the message names the column at fault.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.key.is_empty() || self.key.chars().any(char::is_whitespace) {
            return Err((
                "key",
                "give a key without spaces, such as consumption_rooms.locations".into(),
            ));
        }
        for (column, value) in [
            ("scope", &self.scope),
            ("period", &self.period),
            ("source", &self.source),
        ] {
            if value.is_empty() {
                return Err((column, format!("the {column} is missing")));
            }
        }
        match (self.qualifier, self.value) {
            (FigureQualifier::Range, FigureValue::Range { .. }) => Ok(()),
            (FigureQualifier::Range, _) => {
                Err(("value", "a range needs a value like 20-35".into()))
            }
            (_, FigureValue::Range { .. }) => Err((
                "qualifier",
                "a value like 20-35 needs the qualifier range".into(),
            )),
            (FigureQualifier::Unknown, _) => Ok(()),
            (_, FigureValue::None) => Err((
                "value",
                format!(
                    "a figure that is {} needs a value; leave it empty only when unknown",
                    self.qualifier.code()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The day a one-day or one-year period stands for (a year by its
    /// first day); spans ("2022-2026") have none.
    pub fn date(&self) -> Option<NaiveDate> {
        period_date(&self.period)
    }
}

/// `2010` → 2010-01-01, `1994-06-10` → that day, a span → none.
pub fn period_date(period: &str) -> Option<NaiveDate> {
    let period = period.trim();
    if period.len() == 4 && period.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::from_ymd_opt(period.parse().ok()?, 1, 1);
    }
    NaiveDate::parse_from_str(period, "%Y-%m-%d").ok()
}

/// The prefix of the keys of published figures about a service.
pub fn key_prefix(service: ServiceType) -> Option<&'static str> {
    Some(match service {
        ServiceType::ConsumptionRoom => "consumption_rooms",
        ServiceType::HeroinUnit => "medical_heroin_units",
        ServiceType::SyringeExchange => "syringe_exchange",
        ServiceType::MethadoneClinic => "methadone_clinics",
        ServiceType::Paraphernalia | ServiceType::Naloxone => return None,
    })
}

/// The key of the published national count of a service's locations.
pub fn locations_key(service: ServiceType) -> Option<String> {
    key_prefix(service).map(|prefix| format!("{prefix}.locations"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::language::Language;

    #[test]
    fn values_are_empty_a_number_or_a_range() {
        assert_eq!(FigureValue::parse(""), Ok(FigureValue::None));
        assert_eq!(FigureValue::parse("23").unwrap().whole(), Some(23));
        assert_eq!(
            FigureValue::parse("20-35"),
            Ok(FigureValue::Range {
                low: 20.0,
                high: 35.0
            })
        );
        assert_eq!(
            FigureValue::parse("300000-400000").unwrap().text(),
            "300000-400000"
        );
        assert!(FigureValue::parse("veel").is_err());
        assert!(FigureValue::parse("35-20").is_err());
    }

    #[test]
    fn a_year_stands_for_its_first_day_and_a_span_for_none() {
        assert_eq!(period_date("2010"), NaiveDate::from_ymd_opt(2010, 1, 1));
        assert_eq!(
            period_date("1994-06-10"),
            NaiveDate::from_ymd_opt(1994, 6, 10)
        );
        assert_eq!(period_date("2022-2026"), None);
    }

    #[test]
    fn the_qualifier_must_fit_the_value() {
        let figure = PublishedFigure {
            key: "medical_heroin_units.usual_places".into(),
            scope: "NL".into(),
            period: "2026".into(),
            value: FigureValue::parse("20-35").unwrap(),
            qualifier: FigureQualifier::Exact,
            unit: None,
            source: "Trimbos inventory".into(),
            source_nl: Some("Trimbos-inventarisatie".into()),
            note: None,
        };
        assert_eq!(figure.check().unwrap_err().0, "qualifier");
        assert_eq!(figure.source_in(Language::Nl), "Trimbos-inventarisatie");
        assert_eq!(figure.source_in(Language::En), "Trimbos inventory");
        let unknown = PublishedFigure {
            value: FigureValue::None,
            qualifier: FigureQualifier::Unknown,
            ..figure.clone()
        };
        assert!(unknown.check().is_ok());
        let missing = PublishedFigure {
            value: FigureValue::None,
            ..figure
        };
        assert_eq!(missing.check().unwrap_err().0, "value");
    }
}
