//! Inventory rounds (inventarisaties): a named count of the register at a
//! reference date, over a scope of service types, with a life of its own:
//! open (counts are live from the register, researchers may override them)
//! → closed (counts frozen: later register edits never change them) →
//! published (public, final). A closed round may be reopened, explicitly
//! and with a reason; a published one may not: what was published stays.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use super::date::Day;
use super::service::{ServiceSet, ServiceType};
use super::table1::Qualifier;
use super::{bounded_text, FieldError, Reason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Open,
    Closed,
    Published,
}

impl RoundStatus {
    pub fn code(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
            RoundStatus::Published => "published",
        }
    }

    pub fn parse(text: &str) -> Option<RoundStatus> {
        [
            RoundStatus::Open,
            RoundStatus::Closed,
            RoundStatus::Published,
        ]
        .into_iter()
        .find(|s| s.code() == text)
    }

    /// Whether the round's counts are frozen.
    pub fn is_frozen(self) -> bool {
        self != RoundStatus::Open
    }
}

fn serialize_scope<S: Serializer>(scope: &ServiceSet, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(scope.iter())
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Round {
    #[serde(skip)]
    pub id: i64,
    /// Unique; letters, digits, `-`, `_` and `.` (it is part of addresses).
    pub name: String,
    /// The day the round counts.
    pub reference_date: NaiveDate,
    /// The service types the round counts.
    #[serde(serialize_with = "serialize_scope")]
    #[schema(value_type = Vec<ServiceType>)]
    pub scope: ServiceSet,
    pub status: RoundStatus,
    pub created_at: String,
    /// Who created it (not published: it names a person).
    #[serde(skip)]
    pub created_by: String,
    pub closed_at: Option<String>,
    pub published_at: Option<String>,
}

/// Why a round cannot change status.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal(pub Reason);

impl Round {
    /// A refusal about this round: the catalogue's text `key`, which names
    /// the round as `{name}`, with `args`.
    fn refusal(&self, key: &'static str, args: &[(&'static str, String)]) -> Refusal {
        let mut args = args.to_vec();
        args.push(("name", self.name.to_string()));
        Refusal(Reason::of(key, &args))
    }

    /// Closing freezes the counts, so the reference date must have passed.
    pub fn may_close(&self, today: NaiveDate) -> Result<(), Refusal> {
        match self.status {
            RoundStatus::Open if self.reference_date > today => Err(self.refusal(
                "error.round.close_future",
                &[("date", self.reference_date.to_string())],
            )),
            RoundStatus::Open => Ok(()),
            RoundStatus::Closed => Err(self.refusal("error.round.already_closed", &[])),
            RoundStatus::Published => Err(self.refusal("error.round.already_published", &[])),
        }
    }

    pub fn may_reopen(&self) -> Result<(), Refusal> {
        match self.status {
            RoundStatus::Closed => Ok(()),
            RoundStatus::Open => Err(self.refusal("error.round.open", &[])),
            RoundStatus::Published => Err(self.refusal("error.round.published_final", &[])),
        }
    }

    pub fn may_publish(&self) -> Result<(), Refusal> {
        match self.status {
            RoundStatus::Closed => Ok(()),
            RoundStatus::Open => Err(self.refusal("error.round.close_first", &[])),
            RoundStatus::Published => Err(self.refusal("error.round.already_published", &[])),
        }
    }

    /// Overrides change the counts, so only while the round is open.
    pub fn may_override(&self) -> Result<(), Refusal> {
        match self.status {
            RoundStatus::Open => Ok(()),
            RoundStatus::Closed => Err(self.refusal("error.round.closed_reopen", &[])),
            RoundStatus::Published => Err(self.refusal("error.round.published_final", &[])),
        }
    }

    /// The services in scope, in the fixed order.
    pub fn services(&self) -> impl Iterator<Item = ServiceType> {
        self.scope.iter()
    }
}

/// A new round as asked for (API body, form, command line).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RoundInput {
    pub name: Option<String>,
    /// `YYYY-MM-DD`.
    pub reference_date: Option<String>,
    /// Service types; all when empty.
    pub services: Vec<String>,
}

/// A validated new round.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRound {
    pub name: String,
    pub reference_date: NaiveDate,
    pub scope: ServiceSet,
}

pub const NAME_MAX: usize = 40;

/// A round name: 1–40 letters, digits, `-`, `_` or `.`, starting with a
/// digit, as rounds are named after their year (`2026`,
/// `2026-herziening`). It stands in addresses (`/cijfers/2026`) next to
/// pages with word names (`/cijfers/trend`), which it cannot shadow.
pub fn parse_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let valid = !name.is_empty()
        && name.chars().count() <= NAME_MAX
        && name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(name.to_string())
    } else {
        Err(format!(
            "give 1 to {NAME_MAX} letters, digits, '-', '_' or '.', starting with the year, such as 2026 or 2026-herziening"
        ))
    }
}

/// How far ahead a round's reference date may lie: a round is planned the
/// year before it counts, not centuries ahead (2999-12-31 was once accepted).
pub const REFERENCE_HORIZON_DAYS: u64 = 366;

impl RoundInput {
    pub fn validate(&self, today: NaiveDate) -> Result<NewRound, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = match parse_name(self.name.as_deref().unwrap_or_default()) {
            Ok(name) => Some(name),
            Err(message) => {
                errors.push(FieldError::new("name", message));
                None
            }
        };
        let reference_date = match self.reference_date.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    "reference_date",
                    "give the day the round counts, such as 2026-06-01",
                ));
                None
            }
            Some(text) => match Day::parse(text) {
                Ok(day) => {
                    let horizon = today
                        .checked_add_days(chrono::Days::new(REFERENCE_HORIZON_DAYS))
                        .unwrap_or(today);
                    if day > horizon {
                        errors.push(FieldError::new(
                            "reference_date",
                            format!("{day} is more than a year ahead (at most {horizon})"),
                        ));
                        None
                    } else {
                        Some(day.date())
                    }
                }
                Err(e) => {
                    errors.push(FieldError::new("reference_date", e.to_string()));
                    None
                }
            },
        };
        let scope = match ServiceSet::parse(self.services.iter().flat_map(|s| s.split([',', ';'])))
        {
            Ok(set) if set.is_empty() => ServiceSet::from_bits(-1),
            Ok(set) => set,
            Err(unknown) => {
                errors.push(FieldError::new(
                    "services",
                    format!(
                        "'{unknown}' is not a service type (known: {})",
                        ServiceType::ALL.map(|s| s.code()).join(", ")
                    ),
                ));
                ServiceSet::default()
            }
        };
        match (name, reference_date) {
            (Some(name), Some(reference_date)) if errors.is_empty() => Ok(NewRound {
                name,
                reference_date,
                scope,
            }),
            _ => Err(errors),
        }
    }
}

/// A researcher's reading of one service's count in a round, where the
/// register is known to be incomplete: syringe exchange "at least",
/// methadone clinics "unknown" with the LADIS figures as the source.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CountOverride {
    pub service: ServiceType,
    pub qualifier: Qualifier,
    /// Replaces the register's count of locations when given.
    pub value: Option<i64>,
    pub note: Option<String>,
    /// An external source, such as "LADIS Kerncijfers verslavingszorg 2015-2024".
    pub source: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
}

/// An override as asked for.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct OverrideInput {
    pub service: Option<String>,
    /// exact, at_least, approximate (or approx), unknown.
    pub qualifier: Option<String>,
    pub value: Option<i64>,
    pub note: Option<String>,
    pub source: Option<String>,
}

pub const VALUE_MAX: i64 = 1_000_000;

/// A validated override, before it is stored with who and when.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideDraft {
    pub service: ServiceType,
    pub qualifier: Qualifier,
    pub value: Option<i64>,
    pub note: Option<String>,
    pub source: Option<String>,
}

impl OverrideDraft {
    /// Exact with no value, note or source says nothing the register does
    /// not: storing it removes the override.
    pub fn is_neutral(&self) -> bool {
        self.qualifier == Qualifier::Exact
            && self.value.is_none()
            && self.note.is_none()
            && self.source.is_none()
    }
}

impl OverrideInput {
    /// A validated override (without who and when).
    pub fn validate(&self) -> Result<OverrideDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let service = match self.service.as_deref().map(ServiceType::parse) {
            Some(Some(service)) => Some(service),
            _ => {
                errors.push(FieldError::new(
                    "service",
                    format!(
                        "give a service type (one of {})",
                        ServiceType::ALL.map(|s| s.code()).join(", ")
                    ),
                ));
                None
            }
        };
        let qualifier = match self.qualifier.as_deref().map(Qualifier::parse) {
            Some(Some(q)) => Some(q),
            _ => {
                errors.push(FieldError::new(
                    "qualifier",
                    "give exact, at_least, approximate or unknown",
                ));
                None
            }
        };
        if let Some(value) = self.value {
            if !(0..=VALUE_MAX).contains(&value) {
                errors.push(FieldError::new(
                    "value",
                    format!("give a whole number from 0 to {VALUE_MAX}"),
                ));
            }
            if qualifier == Some(Qualifier::Unknown) {
                errors.push(FieldError::new(
                    "value",
                    "an unknown count has no value; leave it empty and say what is known in the note",
                ));
            }
        }
        let note = bounded_text(&self.note, "note", 1000, &mut errors);
        let source = bounded_text(&self.source, "source", 500, &mut errors);
        // A typed number is published as "handmatig ingevoerd" with where
        // it comes from; without a source it could pass for the register's.
        if self.value.is_some() && source.is_none() && qualifier != Some(Qualifier::Unknown) {
            errors.push(FieldError::because(
                "source",
                Reason::of("error.override_needs_source", &[]),
            ));
        }
        if qualifier == Some(Qualifier::Unknown) && note.is_none() && source.is_none() {
            errors.push(FieldError::new(
                "note",
                "say why the count is unknown, or name the external source",
            ));
        }
        match (service, qualifier) {
            (Some(service), Some(qualifier)) if errors.is_empty() => Ok(OverrideDraft {
                service,
                qualifier,
                value: self.value,
                note,
                source,
            }),
            _ => Err(errors),
        }
    }
}

/// Reopening needs a reason, kept in the audit log.
pub fn parse_reason(text: Option<&str>) -> Result<String, FieldError> {
    let reason = text.map(str::trim).unwrap_or_default();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(FieldError::new(
            "reason",
            "say why the round is reopened (at most 1000 characters)",
        ));
    }
    Ok(reason.to_string())
}

/// A reading "at least N" with N below what the register itself counts
/// says less than the register does: refused, unless the note says why.
pub fn check_at_least(draft: &OverrideDraft, register: i64) -> Result<(), FieldError> {
    match draft.value {
        Some(value)
            if draft.qualifier == Qualifier::AtLeast
                && value < register
                && draft.note.is_none() =>
        {
            Err(FieldError::because(
                "value",
                Reason::of(
                    "error.at_least_below_register",
                    &[
                        ("value", value.to_string()),
                        ("count", register.to_string()),
                    ],
                ),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn round(status: RoundStatus) -> Round {
        Round {
            id: 1,
            name: "2026".into(),
            reference_date: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            scope: ServiceSet::from_bits(-1),
            status,
            created_at: String::new(),
            created_by: String::new(),
            closed_at: None,
            published_at: None,
        }
    }

    #[test]
    fn a_round_goes_from_open_to_closed_to_published_and_only_closed_reopens() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert!(round(RoundStatus::Open).may_close(day).is_ok());
        assert!(round(RoundStatus::Open).may_publish().is_err());
        assert!(round(RoundStatus::Closed).may_publish().is_ok());
        assert!(round(RoundStatus::Closed).may_reopen().is_ok());
        assert!(round(RoundStatus::Closed).may_override().is_err());
        assert!(round(RoundStatus::Published).may_reopen().is_err());
        assert!(round(RoundStatus::Published).may_close(day).is_err());
    }

    #[test]
    fn a_round_is_not_closed_before_its_reference_date() {
        let before = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        assert!(round(RoundStatus::Open).may_close(before).is_err());
    }

    #[test]
    fn names_are_safe_in_addresses() {
        assert_eq!(parse_name(" 2026 "), Ok("2026".into()));
        assert!(parse_name("2026-herziening.b").is_ok());
        for bad in ["", "-2026", "trend", "2026 bis", "2026/b", &"2".repeat(41)] {
            assert!(parse_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reference_date_more_than_a_year_ahead_is_refused() {
        let input = RoundInput {
            name: Some("2999".into()),
            reference_date: Some("2999-12-31".into()),
            services: vec![],
        };
        assert_eq!(
            input.validate(today()).unwrap_err()[0].field,
            "reference_date"
        );
        let next_year = RoundInput {
            reference_date: Some("2027-06-01".into()),
            ..input
        };
        assert!(next_year.validate(today()).is_ok());
    }

    #[test]
    fn a_new_round_counts_every_service_unless_told_otherwise() {
        let input = RoundInput {
            name: Some("2026".into()),
            reference_date: Some("2026-06-01".into()),
            services: vec![],
        };
        assert_eq!(input.validate(today()).unwrap().scope.iter().count(), 6);
        let input = RoundInput {
            services: vec!["gebruiksruimte,mhu".into()],
            ..input
        };
        assert_eq!(
            input.validate(today()).unwrap().scope.codes(),
            vec!["consumption_room", "heroin_unit"]
        );
        let bad = RoundInput {
            services: vec!["coffeeshop".into()],
            ..input
        };
        assert_eq!(bad.validate(today()).unwrap_err()[0].field, "services");
    }

    #[test]
    fn an_unknown_count_needs_a_note_or_source_and_no_value() {
        let mut input = OverrideInput {
            service: Some("methadone_clinic".into()),
            qualifier: Some("unknown".into()),
            ..Default::default()
        };
        assert_eq!(input.validate().unwrap_err()[0].field, "note");
        input.source = Some("LADIS".into());
        assert!(input.validate().is_ok());
        input.value = Some(3);
        assert_eq!(input.validate().unwrap_err()[0].field, "value");
    }
}
