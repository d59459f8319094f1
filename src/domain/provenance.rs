//! Provenance: where a fact about a facility or organisation came from, who
//! recorded it, and when a source last confirmed it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::date::Day;
use super::{bounded_line, bounded_text, checked_day, non_blank, FieldError, Reason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An answer to an inventory questionnaire.
    Survey,
    Phone,
    Website,
    /// The national addiction-care information system.
    Ladis,
    /// A previous inventory round.
    Inventory,
    /// Edited by hand in vangnet.
    Manual,
    /// A spreadsheet import without a named source.
    Import,
    Other,
}

impl SourceKind {
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Survey => "survey",
            SourceKind::Phone => "phone",
            SourceKind::Website => "website",
            SourceKind::Ladis => "ladis",
            SourceKind::Inventory => "inventory",
            SourceKind::Manual => "manual",
            SourceKind::Import => "import",
            SourceKind::Other => "other",
        }
    }

    /// Parses a code or its Dutch word (`telefoon`, `vragenlijst`).
    pub fn parse(word: &str) -> Option<SourceKind> {
        Some(match word.to_lowercase().as_str() {
            "survey" | "vragenlijst" | "uitvraag" | "enquete" | "enquête" => SourceKind::Survey,
            "phone" | "telefoon" | "gebeld" | "telefonisch" => SourceKind::Phone,
            "website" | "site" | "web" => SourceKind::Website,
            "ladis" => SourceKind::Ladis,
            "inventory" | "inventarisatie" => SourceKind::Inventory,
            "manual" | "handmatig" => SourceKind::Manual,
            "import" => SourceKind::Import,
            "other" | "overig" | "anders" => SourceKind::Other,
            _ => return None,
        })
    }
}

/// A source as written in a spreadsheet or API call: a kind, optionally with
/// a detail (`website: https://…`, `Trimbos inventory 2026`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    pub detail: Option<String>,
}

impl Source {
    pub fn new(kind: SourceKind, detail: Option<String>) -> Source {
        Source { kind, detail }
    }

    /// `website`, `website: https://example.org`, `Telefoon: gesproken met balie`;
    /// text without a known leading kind is kept whole as the detail of `other`.
    pub fn parse(text: &str) -> Source {
        let text = text.trim();
        let (head, rest) = match text.split_once([':', ' ']) {
            Some((head, rest)) => (head, Some(rest.trim().trim_start_matches(':').trim())),
            None => (text, None),
        };
        match SourceKind::parse(head) {
            Some(kind) => Source::new(kind, rest.filter(|r| !r.is_empty()).map(str::to_string)),
            None => Source::new(SourceKind::Other, Some(text.to_string())),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}: {}", self.kind.code(), detail),
            None => f.write_str(self.kind.code()),
        }
    }
}

/// How far ahead a change may be scheduled: a year and a day, so that next
/// year's new opening hours can be entered, but a typo such as 2999 cannot
/// freeze a facility against every later change (DESIGN.md: history).
pub const EFFECTIVE_HORIZON_DAYS: u64 = 366;

/// What a writer says about one change: its source, when the source last
/// confirmed the facts, why, and from which day the change holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub source: Source,
    pub verified_on: Option<Day>,
    pub note: Option<String>,
    /// The day from which the new facts are true; today when not given.
    /// At most [`EFFECTIVE_HORIZON_DAYS`] ahead; storage also refuses a day
    /// before the current version began (a correction of the past is a
    /// separate action).
    pub effective_from: Option<Day>,
}

impl Change {
    /// A change as a writer described it in an input: the source (or
    /// `default_source`), when it was verified (not in the future), why,
    /// and from when it holds (not beyond the horizon).
    pub fn from_input(
        source: &Option<String>,
        verified_on: Option<NaiveDate>,
        note: &Option<String>,
        effective_from: Option<NaiveDate>,
        default_source: &Source,
        today: NaiveDate,
        errors: &mut Vec<FieldError>,
    ) -> Change {
        let verified_on = checked_day(verified_on, "verified_on", errors);
        if let Some(verified) = verified_on.filter(|v| *v > today) {
            errors.push(FieldError::because(
                "verified_on",
                Reason::of("error.verified_future", &[("value", verified.to_string())]),
            ));
        }
        let effective_from = checked_day(effective_from, "effective_from", errors);
        let horizon = today
            .checked_add_days(chrono::Days::new(EFFECTIVE_HORIZON_DAYS))
            .unwrap_or(today);
        if let Some(effective) = effective_from.filter(|e| *e > horizon) {
            errors.push(FieldError::because(
                "effective_from",
                Reason::of(
                    "error.effective_ahead",
                    &[
                        ("value", effective.to_string()),
                        ("days", EFFECTIVE_HORIZON_DAYS.to_string()),
                        ("horizon", horizon.to_string()),
                    ],
                ),
            ));
        }
        let source = non_blank(source);
        let mut source_errors = Vec::new();
        bounded_line(&source, "source", 500, &mut source_errors);
        errors.extend(source_errors);
        Change {
            source: source
                .map(|s| Source::parse(&s))
                .unwrap_or_else(|| default_source.clone()),
            verified_on,
            note: bounded_text(note, "change_note", 1000, errors),
            effective_from,
        }
    }
}

/// Who made a change or read internal data, as the history and the audit log
/// record it (NEN 7513: user, on whose behalf, access point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// E-mail address, token name or `cli:user`.
    pub name: String,
    pub user_id: Option<i64>,
    /// The organisation the actor acts for, if any.
    pub on_behalf_of: Option<String>,
    /// The client address, or `cli` for the command line.
    pub access_point: String,
}

impl Actor {
    /// An actor on the command line or inside vangnet itself.
    pub fn named(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            user_id: None,
            on_behalf_of: None,
            access_point: "cli".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_keyword_becomes_its_kind_with_the_rest_as_detail() {
        assert_eq!(
            Source::parse("website: https://example.org"),
            Source::new(SourceKind::Website, Some("https://example.org".into()))
        );
        assert_eq!(
            Source::parse("Telefoon"),
            Source::new(SourceKind::Phone, None)
        );
        assert_eq!(
            Source::parse("LADIS 2024"),
            Source::new(SourceKind::Ladis, Some("2024".into()))
        );
    }

    #[test]
    fn unknown_source_text_is_kept_whole() {
        assert_eq!(
            Source::parse("Trimbos inventory 2026"),
            Source::new(SourceKind::Other, Some("Trimbos inventory 2026".into()))
        );
    }
}

/// The provenance of one stored version: the change as written, plus who
/// recorded it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub source: Source,
    pub verified_on: Option<Day>,
    pub note: Option<String>,
    pub recorded_by: String,
    /// RFC 3339, UTC.
    pub recorded_at: String,
}

impl Validity {
    /// Whether a change may take effect on `effective` (ISO day): not
    /// before this, the current version, began. History is appended to,
    /// never rewritten; a researcher corrects the past as a separate action.
    pub fn admits_change_from(&self, effective: NaiveDate) -> Result<(), FieldError> {
        match self.valid_from {
            Some(valid_from) if effective < valid_from => Err(FieldError::because(
                "effective_from",
                Reason::of(
                    "error.effective_before_current",
                    &[
                        ("value", effective.to_string()),
                        ("valid_from", valid_from.to_string()),
                    ],
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// A version's place in history: valid from `valid_from` (None: since the
/// beginning) until the day before `valid_to` (None: still current).
#[derive(Debug, Clone, PartialEq)]
pub struct Validity {
    pub version: i64,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// When a researcher's correction replaced this version (RFC 3339);
    /// it then stays in the history but no longer counts.
    pub superseded_at: Option<String>,
}
