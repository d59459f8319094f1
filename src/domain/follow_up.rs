//! Follow-up of a survey campaign (issue 14, item 6): the phone calls and
//! website checks made for organisations that have not answered. This
//! module holds what an entry is and checks it: the kind, the outcome from
//! a fixed list, the day (not in the future) and what was found (free
//! text, through the personal-data guard like every other free text).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::personal::check_field;
use super::{bounded_text, required, FieldError, Reason};

/// Longest text of what was found.
pub const FOUND_MAX: usize = 2000;

/// What was done: a phone call or a look at the organisation's website.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    Call,
    Website,
}

/// Every kind's code.
pub const KINDS: &[&str] = &["call", "website"];

impl FollowUpKind {
    pub fn code(self) -> &'static str {
        match self {
            FollowUpKind::Call => "call",
            FollowUpKind::Website => "website",
        }
    }

    pub fn parse(code: &str) -> Option<FollowUpKind> {
        match code.trim() {
            "call" => Some(FollowUpKind::Call),
            "website" => Some(FollowUpKind::Website),
            _ => None,
        }
    }
}

/// How a call or a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NotReached,
    CallBack,
    Confirmed,
    ChangesFound,
    Closed,
    Refused,
}

/// Every outcome's code, in the order a form lists them.
pub const OUTCOMES: &[&str] = &[
    "not_reached",
    "call_back",
    "confirmed",
    "changes_found",
    "closed",
    "refused",
];

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::NotReached => "not_reached",
            Outcome::CallBack => "call_back",
            Outcome::Confirmed => "confirmed",
            Outcome::ChangesFound => "changes_found",
            Outcome::Closed => "closed",
            Outcome::Refused => "refused",
        }
    }

    pub fn parse(code: &str) -> Option<Outcome> {
        match code.trim() {
            "not_reached" => Some(Outcome::NotReached),
            "call_back" => Some(Outcome::CallBack),
            "confirmed" => Some(Outcome::Confirmed),
            "changes_found" => Some(Outcome::ChangesFound),
            "closed" => Some(Outcome::Closed),
            "refused" => Some(Outcome::Refused),
            _ => None,
        }
    }

    /// Whether the organisation needs no more calls after this: we know
    /// its data is right, what changed, that it closed, or that it will
    /// not take part.
    pub fn is_final(self) -> bool {
        !matches!(self, Outcome::NotReached | Outcome::CallBack)
    }
}

/// A new follow-up entry as asked for (API, form).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// The organisation (id); one of the campaign's recipients.
    pub organisation_id: Option<i64>,
    /// `call` or `website`.
    pub kind: Option<String>,
    /// not_reached, call_back, confirmed, changes_found, closed or refused.
    pub outcome: Option<String>,
    /// The day it was done (YYYY-MM-DD); default today, not in the future.
    #[serde(default)]
    pub done_on: Option<String>,
    /// What was found (at most 2000 characters, no personal data).
    pub found: Option<String>,
}

/// A checked follow-up entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpDraft {
    pub organisation_id: i64,
    pub kind: FollowUpKind,
    pub outcome: Outcome,
    pub done_on: NaiveDate,
    pub found: String,
}

impl FollowUpInput {
    /// Checks every field; all refusals at once, each naming its field.
    pub fn validate(&self, today: NaiveDate) -> Result<FollowUpDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.organisation_id.is_none() {
            errors.push(FieldError::because("organisation_id", required()));
        }
        let kind = match self.kind.as_deref().map(str::trim).unwrap_or("") {
            "" => {
                errors.push(FieldError::because("kind", required()));
                None
            }
            text => FollowUpKind::parse(text).or_else(|| {
                errors.push(FieldError::because(
                    "kind",
                    Reason::of("campaigns.follow_up.error.kind", &[("kind", text.into())]),
                ));
                None
            }),
        };
        let outcome = match self.outcome.as_deref().map(str::trim).unwrap_or("") {
            "" => {
                errors.push(FieldError::because("outcome", required()));
                None
            }
            text => Outcome::parse(text).or_else(|| {
                errors.push(FieldError::because(
                    "outcome",
                    Reason::of(
                        "campaigns.follow_up.error.outcome",
                        &[("outcome", text.into())],
                    ),
                ));
                None
            }),
        };
        let done_on = match self.done_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) if day > today => {
                    errors.push(FieldError::because(
                        "done_on",
                        Reason::of(
                            "campaigns.follow_up.error.future",
                            &[("day", day.to_string())],
                        ),
                    ));
                    day
                }
                Ok(day) => day,
                Err(_) => {
                    errors.push(FieldError::because(
                        "done_on",
                        Reason::of("campaigns.follow_up.error.date", &[("day", text.into())]),
                    ));
                    today
                }
            },
        };
        let found = bounded_text(&self.found, "found", FOUND_MAX, &mut errors);
        if found.is_none() {
            errors.push(FieldError::because("found", required()));
        }
        check_field(found.as_deref(), "found", None, &mut errors);
        match (
            errors.is_empty(),
            self.organisation_id,
            kind,
            outcome,
            found,
        ) {
            (true, Some(organisation_id), Some(kind), Some(outcome), Some(found)) => {
                Ok(FollowUpDraft {
                    organisation_id,
                    kind,
                    outcome,
                    done_on,
                    found,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One call or website check as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub organisation_id: i64,
    /// The organisation's current name.
    pub organisation: String,
    /// `call` or `website`.
    pub kind: FollowUpKind,
    /// not_reached, call_back, confirmed, changes_found, closed or refused.
    pub outcome: Outcome,
    /// What was found.
    pub found: String,
    /// The day it was done (YYYY-MM-DD).
    pub done_on: String,
    /// Who recorded it (the signed-in person).
    pub recorded_by: String,
    pub recorded_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn input() -> FollowUpInput {
        FollowUpInput {
            organisation_id: Some(3),
            kind: Some("call".into()),
            outcome: Some("confirmed".into()),
            done_on: None,
            found: Some("Alles klopt nog.".into()),
        }
    }

    fn fields(input: &FollowUpInput) -> Vec<String> {
        let today = day("2026-12-04");
        input
            .validate(today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_good_entry_defaults_to_today() {
        let draft = input().validate(day("2026-12-04")).unwrap();
        assert_eq!(draft.done_on, day("2026-12-04"));
        assert_eq!(draft.kind, FollowUpKind::Call);
        assert!(draft.outcome.is_final());
        assert!(!Outcome::CallBack.is_final());
    }

    #[test]
    fn refusals_name_their_field() {
        let mut bad = input();
        bad.done_on = Some("2026-12-05".into());
        assert_eq!(fields(&bad), ["done_on"]);
        bad = input();
        bad.outcome = Some("maybe".into());
        bad.kind = Some("visit".into());
        assert_eq!(fields(&bad), ["kind", "outcome"]);
        bad = input();
        bad.found = Some("  ".into());
        assert_eq!(fields(&bad), ["found"]);
        bad.found = Some("Mail jan@example.nl".into());
        assert_eq!(fields(&bad), ["found"]);
        bad.found = Some("x".repeat(FOUND_MAX + 1));
        assert_eq!(fields(&bad), ["found"]);
        bad = input();
        bad.organisation_id = None;
        assert_eq!(fields(&bad), ["organisation_id"]);
    }
}
