//! Calendar dates as the register uses them: the day in Europe/Amsterdam,
//! [`Day`], the one type every stored day goes through, and lenient parsing
//! of the date forms found in Dutch spreadsheets.
//!
//! Why a window: a day the register stores must be a day somebody could
//! mean (an opening in 1975, a planned closure in 2031), and must never
//! collide with storage's markers for "since the beginning" and "still
//! current" (years 1 and 9999). Chrono happily parses `+99999-01-01` and
//! `0000-01-01`; such a value once made every public list answer 500.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Today's date in the Netherlands.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Amsterdam).date_naive()
}

/// A day between [`Day::FIRST`] and [`Day::LAST`], built only by checking
/// constructors. Serialised as `YYYY-MM-DD`; deserialising checks the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NaiveDate);

/// Why a text or date is not a [`Day`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayError {
    NotADate(String),
    OutOfRange(NaiveDate),
}

impl fmt::Display for DayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayError::NotADate(text) => {
                write!(f, "'{text}' is not a date; use YYYY-MM-DD, e.g. 2024-03-01")
            }
            DayError::OutOfRange(day) => write!(
                f,
                "{day} is outside the days the register holds ({} to {})",
                Day::FIRST,
                Day::LAST
            ),
        }
    }
}

impl std::error::Error for DayError {}

impl DayError {
    /// Why, for a reader in any language.
    pub fn reason(&self) -> super::Reason {
        match self {
            DayError::NotADate(text) => {
                super::Reason::of("error.not_a_date", &[("value", text.clone())])
            }
            DayError::OutOfRange(day) => {
                super::Reason::of("error.day_outside", &[("value", day.to_string())])
            }
        }
    }
}

impl Day {
    pub const FIRST: Day = Day(match NaiveDate::from_ymd_opt(1900, 1, 1) {
        Some(d) => d,
        None => unreachable!(),
    });
    pub const LAST: Day = Day(match NaiveDate::from_ymd_opt(2999, 12, 31) {
        Some(d) => d,
        None => unreachable!(),
    });

    /// The day, when it lies in the window.
    pub fn new(date: NaiveDate) -> Result<Day, DayError> {
        if (Day::FIRST.0..=Day::LAST.0).contains(&date) {
            Ok(Day(date))
        } else {
            Err(DayError::OutOfRange(date))
        }
    }

    /// `2024-03-01` (ISO 8601), and the Dutch forms `01-03-2024` and `1/3/2024`.
    pub fn parse(text: &str) -> Result<Day, DayError> {
        let text = text.trim();
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
            .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
            .map_err(|_| DayError::NotADate(text.to_string()))?;
        // Chrono reads `+02024-…` and `2024-1-1` too; the register's forms
        // have a four-digit year, so anything else is a typing error.
        let year_digits = text.split(['-', '/']).find(|part| part.len() >= 4);
        if year_digits.is_some_and(|y| y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit())) {
            return Err(DayError::NotADate(text.to_string()));
        }
        Day::new(date)
    }

    /// Exactly `YYYY-MM-DD`, as JSON and query parameters carry days.
    pub fn parse_iso(text: &str) -> Result<Day, DayError> {
        let b = text.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| shaped)
            .ok_or_else(|| DayError::NotADate(text.to_string()))?;
        Day::new(date)
    }

    /// Today in the Netherlands.
    pub fn today() -> Day {
        Day::clamped(today())
    }

    /// The day in the window nearest to `date`: for a clock's today (always
    /// inside until the year 3000), never for input.
    pub fn clamped(date: NaiveDate) -> Day {
        Day(date.clamp(Day::FIRST.0, Day::LAST.0))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// `YYYY-MM-DD`, as storage and the formats write it.
    pub fn iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// The day `days` later, or None past [`Day::LAST`].
    pub fn plus_days(self, days: u64) -> Option<Day> {
        self.0
            .checked_add_days(Days::new(days))
            .and_then(|d| Day::new(d).ok())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> NaiveDate {
        day.0
    }
}

impl TryFrom<NaiveDate> for Day {
    type Error = DayError;
    fn try_from(date: NaiveDate) -> Result<Day, DayError> {
        Day::new(date)
    }
}

impl PartialEq<NaiveDate> for Day {
    fn eq(&self, other: &NaiveDate) -> bool {
        self.0 == *other
    }
}

impl PartialOrd<NaiveDate> for Day {
    fn partial_cmp(&self, other: &NaiveDate) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(other)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        let text = String::deserialize(deserializer)?;
        Day::parse_iso(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .description(Some("A day from 1900-01-01 to 2999-12-31 (YYYY-MM-DD)"))
            .into()
    }
}

impl utoipa::ToSchema for Day {}

/// Parses the forms [`Day::parse`] reads, for callers that want a plain date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    Day::parse(text).ok().map(Day::date)
}

/// A stretch of days, `from` to `to` inclusive, with `from <= to`: the
/// window of a changes report, a reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: Day,
    to: Day,
}

impl Period {
    pub fn new(from: Day, to: Day) -> Result<Period, String> {
        if from <= to {
            Ok(Period { from, to })
        } else {
            Err(format!("{from} is after {to}"))
        }
    }

    pub fn from(self) -> Day {
        self.from
    }

    pub fn to(self) -> Day {
        self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_dutch_date_forms_parse_to_the_same_day() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(parse_date("2024-03-01"), Some(day));
        assert_eq!(parse_date("01-03-2024"), Some(day));
        assert_eq!(parse_date(" 1/3/2024 "), Some(day));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("gisteren"), None);
        assert_eq!(parse_date("0024-01-01"), None);
    }

    #[test]
    fn days_outside_the_window_and_signed_years_are_refused() {
        for text in [
            "0001-01-01",
            "0000-01-01",
            "-0001-01-01",
            "+99999-01-01",
            "+2024-01-01",
            "1899-12-31",
            "3000-01-01",
            "9999-12-31",
        ] {
            assert!(Day::parse(text).is_err(), "{text}");
            let json = serde_json::to_string(text).unwrap();
            assert!(serde_json::from_str::<Day>(&json).is_err(), "{text}");
        }
        assert_eq!(Day::parse("1900-01-01"), Ok(Day::FIRST));
        assert_eq!(Day::parse("2999-12-31"), Ok(Day::LAST));
        let far = NaiveDate::from_ymd_opt(-1, 1, 1).unwrap();
        assert_eq!(Day::new(far), Err(DayError::OutOfRange(far)));
    }

    #[test]
    fn a_day_travels_as_iso_text() {
        let day = Day::parse("2026-06-01").unwrap();
        assert_eq!(serde_json::to_string(&day).unwrap(), "\"2026-06-01\"");
        assert_eq!(serde_json::from_str::<Day>("\"2026-06-01\"").unwrap(), day);
        assert_eq!(Day::LAST.plus_days(1), None);
    }

    #[test]
    fn a_period_runs_forwards() {
        let a = Day::parse("2022-01-01").unwrap();
        let b = Day::parse("2026-01-01").unwrap();
        assert!(Period::new(a, b).is_ok());
        assert!(Period::new(b, a).is_err());
    }
}
