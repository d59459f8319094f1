//! Organisations (instellingen): the institutions that run facilities.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::provenance::{Change, Recorded, Source, Validity};
use super::{bounded_line, bounded_text, non_blank, required, FieldError, Reason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// Verslavingszorg.
    AddictionCare,
    /// Maatschappelijke opvang.
    Shelter,
    /// Gemeentelijke gezondheidsdienst.
    Ggd,
    Pharmacy,
    /// Church or volunteer body.
    Volunteer,
    Municipality,
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 7] = [
        OrganisationKind::AddictionCare,
        OrganisationKind::Shelter,
        OrganisationKind::Ggd,
        OrganisationKind::Pharmacy,
        OrganisationKind::Volunteer,
        OrganisationKind::Municipality,
        OrganisationKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::AddictionCare => "addiction_care",
            OrganisationKind::Shelter => "shelter",
            OrganisationKind::Ggd => "ggd",
            OrganisationKind::Pharmacy => "pharmacy",
            OrganisationKind::Volunteer => "volunteer",
            OrganisationKind::Municipality => "municipality",
            OrganisationKind::Other => "other",
        }
    }

    /// Parses a code or its Dutch name (`verslavingszorg`, `opvang`, `apotheek`).
    pub fn parse(text: &str) -> Option<OrganisationKind> {
        let key = text.trim().to_lowercase().replace([' ', '-'], "_");
        Some(match key.as_str() {
            "addiction_care" | "verslavingszorg" => OrganisationKind::AddictionCare,
            "shelter" | "opvang" | "maatschappelijke_opvang" => OrganisationKind::Shelter,
            "ggd" => OrganisationKind::Ggd,
            "pharmacy" | "apotheek" => OrganisationKind::Pharmacy,
            "volunteer" | "kerk" | "vrijwilligers" | "vrijwilligersorganisatie" => {
                OrganisationKind::Volunteer
            }
            "municipality" | "gemeente" => OrganisationKind::Municipality,
            "other" | "overig" | "anders" => OrganisationKind::Other,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationFields {
    pub name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

impl OrganisationFields {
    /// An organisation known only by the name a spreadsheet gave it.
    pub fn named(name: &str) -> OrganisationFields {
        OrganisationFields {
            name: name.trim().to_string(),
            kind: OrganisationKind::Other,
            website: None,
            contact_name: None,
            contact_email: None,
            contact_phone: None,
            notes: None,
        }
    }

    pub fn to_input(&self) -> OrganisationInput {
        OrganisationInput {
            name: Some(self.name.clone()),
            kind: Some(self.kind.code().to_string()),
            website: self.website.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            notes: self.notes.clone(),
            ..OrganisationInput::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    pub name: Option<String>,
    /// addiction_care, shelter, ggd, pharmacy, volunteer, municipality or other.
    pub kind: Option<String>,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
    pub source: Option<String>,
    pub verified_on: Option<NaiveDate>,
    pub change_note: Option<String>,
    pub effective_from: Option<NaiveDate>,
}

impl OrganisationInput {
    pub fn validate(
        &self,
        default_source: &Source,
        today: NaiveDate,
    ) -> Result<(OrganisationFields, Change), Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = bounded_line(&self.name, "name", 200, &mut errors);
        if name.is_none() {
            errors.push(FieldError::because("name", required()));
        }
        let kind = match non_blank(&self.kind) {
            None => Some(OrganisationKind::Other),
            Some(text) => OrganisationKind::parse(&text).or_else(|| {
                errors.push(FieldError::because(
                    "kind",
                    Reason::of(
                        "error.organisation_kind_unknown",
                        &[("value", text.clone())],
                    ),
                ));
                None
            }),
        };
        let website = bounded_line(&self.website, "website", 300, &mut errors);
        if let Some(url) = &website {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                errors.push(FieldError::because(
                    "website",
                    Reason::of("error.website", &[("value", url.clone())]),
                ));
            }
        }
        let contact_email = bounded_line(&self.contact_email, "contact_email", 254, &mut errors);
        if let Some(email) = &contact_email {
            let valid = email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
            if !valid || email.contains(char::is_whitespace) {
                errors.push(FieldError::because(
                    "contact_email",
                    Reason::of("error.email", &[("value", email.clone())]),
                ));
            }
        }
        let fields = OrganisationFields {
            name: name.unwrap_or_default(),
            kind: kind.unwrap_or(OrganisationKind::Other),
            website,
            contact_name: bounded_line(&self.contact_name, "contact_name", 200, &mut errors),
            contact_email,
            contact_phone: bounded_line(&self.contact_phone, "contact_phone", 50, &mut errors),
            notes: bounded_text(&self.notes, "notes", 4000, &mut errors),
        };
        let change = Change::from_input(
            &self.source,
            self.verified_on,
            &self.change_note,
            self.effective_from,
            default_source,
            today,
            &mut errors,
        );
        if errors.is_empty() {
            Ok((fields, change))
        } else {
            Err(errors)
        }
    }
}

/// An organisation as the register holds it at one point in its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: i64,
    pub fields: OrganisationFields,
    pub recorded: Recorded,
    pub validity: Validity,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::facility::manual_source;

    #[test]
    fn dutch_kind_names_are_understood() {
        assert_eq!(
            OrganisationKind::parse("Verslavingszorg"),
            Some(OrganisationKind::AddictionCare)
        );
        assert_eq!(
            OrganisationKind::parse("maatschappelijke opvang"),
            Some(OrganisationKind::Shelter)
        );
        assert_eq!(OrganisationKind::parse("bakkerij"), None);
    }

    #[test]
    fn bad_contact_details_are_named() {
        let input = OrganisationInput {
            name: Some("Demo Zorg".into()),
            website: Some("example.org".into()),
            contact_email: Some("not an address".into()),
            ..OrganisationInput::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let errors = input.validate(&manual_source("test"), today).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["website", "contact_email"]);
    }
}
