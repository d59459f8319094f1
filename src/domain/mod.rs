//! The register's domain: types, validation and rules, with no SQL and no
//! HTTP in them. Storage, the API and the file formats depend on this module,
//! never the other way round.

pub mod access;
pub mod date;
pub mod facility;
pub mod figure;
pub mod finder;
pub mod hours;
pub mod organisation;
pub mod provenance;
pub mod round;
pub mod service;
pub mod table1;

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

/// Checks a free-text value's length, collecting an error when it is too long.
pub fn bounded_text(
    value: &Option<String>,
    field: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = non_blank(value)?;
    if text.chars().count() > max_chars {
        errors.push(FieldError::new(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    Some(text)
}

/// Checks an optional whole number against an inclusive range.
pub fn bounded_count(
    value: Option<i64>,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    let n = value?;
    if !range.contains(&n) {
        errors.push(FieldError::new(
            field,
            format!("{n} is out of range ({} to {})", range.start(), range.end()),
        ));
        return None;
    }
    u32::try_from(n).ok()
}
