//! Calendar dates as the register uses them: the day in Europe/Amsterdam,
//! and lenient parsing of the date forms found in Dutch spreadsheets.

use chrono::{NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;

/// Today's date in the Netherlands.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Amsterdam).date_naive()
}

/// Parses `2024-03-01` (ISO 8601), and the Dutch forms `01-03-2024` and `1/3/2024`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=2999).contains(&chrono::Datelike::year(d)))
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
}
