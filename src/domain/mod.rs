//! The register's domain: types, validation and rules, with no SQL and no
//! HTTP in them. Storage, the API and the file formats depend on this module,
//! never the other way round.

pub mod access;
pub mod broken;
pub mod changes;
pub mod date;
pub mod error;
pub mod facility;
pub mod feature;
pub mod figure;
pub mod finder;
pub mod geo;
pub mod hours;
pub mod language;
pub mod number;
pub mod organisation;
pub mod provenance;
pub mod round;
pub mod round_report;
pub mod secret;
pub mod service;
pub mod spread;
pub mod table1;
pub mod text;
pub mod throttle;
pub mod trend;

use serde::Serialize;
use utoipa::ToSchema;

/// A validation failure on one named field (a JSON field or a spreadsheet column).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Trims a free-text value; blank becomes `None`.
pub fn non_blank(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Checks a multi-line free-text value (notes): its length, and that it
/// holds no control characters but line breaks and tabs. Line breaks are
/// stored as `\n` whatever the browser or spreadsheet sent (`\r\n`, `\r`).
pub fn bounded_text(
    value: &Option<String>,
    field: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = non_blank(value)?.replace("\r\n", "\n").replace('\r', "\n");
    check_text(&text, field, max_chars, |c| c == '\n' || c == '\t', errors);
    Some(text)
}

/// Checks a one-line free-text value (a name, a street): its length, and
/// that it holds no control characters at all (no line breaks, no NUL,
/// which PostgreSQL cannot store, no escape sequences).
pub fn bounded_line(
    value: &Option<String>,
    field: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = non_blank(value)?;
    check_text(&text, field, max_chars, |_| false, errors);
    Some(text)
}

fn check_text(
    text: &str,
    field: &str,
    max_chars: usize,
    allowed_control: impl Fn(char) -> bool,
    errors: &mut Vec<FieldError>,
) {
    if text.chars().count() > max_chars {
        errors.push(FieldError::new(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !allowed_control(*c))
    {
        errors.push(FieldError::new(
            field,
            format!(
                "contains the control character U+{:04X}; remove it",
                u32::from(c)
            ),
        ));
    }
}

/// Checks an optional value with its type's checking constructor,
/// collecting the error under the field's name.
pub fn checked<T>(
    value: Option<i64>,
    field: &str,
    parse: impl Fn(i64) -> Result<T, String>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match parse(value?) {
        Ok(v) => Some(v),
        Err(message) => {
            errors.push(FieldError::new(field, message));
            None
        }
    }
}

/// Checks an optional date as a [`date::Day`], naming the field.
pub fn checked_day(
    value: Option<chrono::NaiveDate>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<date::Day> {
    match date::Day::new(value?) {
        Ok(day) => Some(day),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_by_name_but_line_breaks_kept_in_notes() {
        let mut errors = Vec::new();
        let note = bounded_text(&Some("a\r\nb\tc".into()), "notes", 100, &mut errors);
        assert_eq!(note.as_deref(), Some("a\nb\tc"));
        assert!(errors.is_empty());
        bounded_text(&Some("a\u{0}b".into()), "notes", 100, &mut errors);
        bounded_line(&Some("a\nb".into()), "name", 100, &mut errors);
        bounded_line(&Some("x\u{1b}[31m".into()), "street", 100, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["notes", "name", "street"]);
        assert!(errors[0].message.contains("U+0000"), "{}", errors[0]);
    }
}
