//! The register's domain: types, validation and rules, with no SQL and no
//! HTTP in them. Storage, the API and the file formats depend on this module,
//! never the other way round.

pub mod access;
pub mod answer;
pub mod audit;
pub mod boundary;
pub mod broken;
pub mod campaign;
pub mod changes;
pub mod contact;
pub mod date;
pub mod error;
pub mod facility;
pub mod feature;
pub mod figure;
pub mod finder;
pub mod follow_up;
pub mod geo;
pub mod hours;
pub mod indicator;
pub mod language;
pub mod metric;
pub mod number;
pub mod organisation;
pub mod period_report;
pub mod personal;
pub mod phone;
pub mod population;
pub mod proposal;
pub mod provenance;
pub mod questionnaire;
pub mod round;
pub mod round_report;
pub mod secret;
pub mod service;
pub mod spread;
pub mod suppression;
pub mod table1;
pub mod tally;
pub mod text;
pub mod throttle;
pub mod trend;
pub mod upload;

use serde::Serialize;
use utoipa::ToSchema;

/// Why a value is refused, for people: a text of the catalogue with its
/// values, so that pages and reports show it in the reader's language
/// (the API answers in English), or a text as it came (a library's).
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    Text {
        key: &'static str,
        args: Vec<(&'static str, String)>,
    },
    Plain(String),
    /// `field: reason`, for a field with no column of its own.
    In {
        field: String,
        reason: Box<Reason>,
    },
}

impl Reason {
    /// The catalogue's text `key` with `args` filled in.
    pub fn of(key: &'static str, args: &[(&'static str, String)]) -> Reason {
        Reason::Text {
            key,
            args: args.to_vec(),
        }
    }

    /// The reason in `language`.
    pub fn text(&self, language: language::Language) -> String {
        match self {
            Reason::Text { key, args } => text::text(language, key, args),
            Reason::Plain(message) => message.clone(),
            Reason::In { field, reason } => text::text(
                language,
                "error.field",
                &[("field", field.clone()), ("reason", reason.text(language))],
            ),
        }
    }

    /// The reason in English, as the API and the logs give it.
    pub fn english(&self) -> String {
        self.text(language::Language::En)
    }
}

/// In English, as the API and the logs give it.
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

/// A validation failure on one named field (a JSON field or a spreadsheet column).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    /// Why, in English.
    pub message: String,
    /// Why, for a reader in another language.
    #[serde(skip)]
    #[schema(ignore)]
    pub reason: Reason,
}

impl FieldError {
    /// A refusal with a plain (English) message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        let message = message.into();
        FieldError {
            field: field.into(),
            reason: Reason::Plain(message.clone()),
            message,
        }
    }

    /// A refusal with a reason of the catalogue.
    pub fn because(field: impl Into<String>, reason: Reason) -> FieldError {
        FieldError {
            field: field.into(),
            message: reason.english(),
            reason,
        }
    }

    /// Why, in `language`.
    pub fn text(&self, language: language::Language) -> String {
        self.reason.text(language)
    }

    /// The field's name and why, as one reason.
    pub fn named(&self) -> Reason {
        Reason::In {
            field: self.field.clone(),
            reason: Box::new(self.reason.clone()),
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
        errors.push(FieldError::because(
            field,
            Reason::of("error.too_long", &[("max", max_chars.to_string())]),
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !allowed_control(*c))
    {
        errors.push(FieldError::because(field, control_character(c)));
    }
}

/// "is required".
pub fn required() -> Reason {
    Reason::of("error.required", &[])
}

/// "contains the control character U+001B; remove it".
pub fn control_character(c: char) -> Reason {
    Reason::of(
        "error.control_character",
        &[("code", format!("{:04X}", u32::from(c)))],
    )
}

/// Checks an optional value with its type's checking constructor,
/// collecting the error under the field's name.
pub fn checked<T>(
    value: Option<i64>,
    field: &str,
    parse: impl Fn(i64) -> Result<T, Reason>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match parse(value?) {
        Ok(v) => Some(v),
        Err(reason) => {
            errors.push(FieldError::because(field, reason));
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
            errors.push(FieldError::because(field, e.reason()));
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
