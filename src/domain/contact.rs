//! Contacts: the people at organisations whom an inventory campaign mails
//! (DESIGN.md, capability 3). They are staff of institutions, not clients,
//! so a contact holds only what a campaign needs: a name, a function, an
//! e-mail address, a phone number and whether they want campaign mail.
//! There is no field for notes about the person.
//!
//! The e-mail address is checked by one type, [`EmailAddress`], whatever the
//! entry point (API, form, import, command line), and compared lower-cased
//! ([`EmailAddress::key`]): `Jan@Instelling.nl` and `jan@instelling.nl` are
//! one contact. Names and functions pass the personal-data guard as free
//! text does (no BSN, no date of birth, no other address or number in them).
//!
//! An admin may erase a contact: its personal fields go, the row and its
//! organisation stay, so that a campaign's history can still say "a
//! contact of organisation X".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::personal::{check_field, Holds};
use super::phone::PhoneNumber;
use super::{bounded_line, non_blank, required, FieldError, Reason};

/// A checked e-mail address, kept as it was written (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// RFC 5321's limit on a whole address.
    pub const MAX_CHARS: usize = 254;

    /// `local@domain.tld`: one `@`, a local part of printable characters
    /// without spaces, and a domain of at least two labels of letters,
    /// digits and hyphens. Deliberately simpler than RFC 5322 (no quoted
    /// local parts, no IP literals): addresses of institutions never need
    /// them, and a typo should be caught rather than accepted.
    pub fn parse(text: &str) -> Result<EmailAddress, Reason> {
        let written = text.trim();
        let refused = || Reason::of("error.email", &[("value", written.to_string())]);
        if written.is_empty() || written.chars().count() > Self::MAX_CHARS {
            return Err(refused());
        }
        let Some((local, domain)) = written.split_once('@') else {
            return Err(refused());
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().all(char::is_alphabetic) && tld.len() >= 2);
        if local_ok && domain_ok {
            Ok(EmailAddress(written.to_string()))
        } else {
            Err(refused())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address as contacts are compared and kept unique: lower-cased.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// What a person enters or a file row gives for a contact (API, form,
/// import): everything optional here, checked by [`ContactInput::validate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The organisation the contact works at.
    pub organisation_id: Option<i64>,
    pub name: Option<String>,
    /// Their function, such as "coördinator" (free text).
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The contact does not want campaign mail.
    pub opt_out: Option<bool>,
}

/// The personal fields of a contact that is not erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub role: Option<String>,
    pub email: EmailAddress,
    pub phone: Option<PhoneNumber>,
}

/// A checked contact, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub organisation_id: i64,
    pub person: Person,
    pub opt_out: bool,
}

impl ContactInput {
    /// Checks every field; all refusals at once, each naming its field.
    pub fn validate(&self) -> Result<ContactDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.organisation_id.is_none() {
            errors.push(FieldError::because("organisation_id", required()));
        }
        let name = bounded_line(&self.name, "name", 200, &mut errors);
        if name.is_none() {
            errors.push(FieldError::because("name", required()));
        }
        check_field(name.as_deref(), "name", None, &mut errors);
        let role = bounded_line(&self.role, "role", 200, &mut errors);
        check_field(role.as_deref(), "role", None, &mut errors);
        let email = match non_blank(&self.email) {
            None => {
                errors.push(FieldError::because("email", required()));
                None
            }
            Some(text) => match EmailAddress::parse(&text) {
                Ok(email) => {
                    // An address made of a BSN or a birth date is still one.
                    check_field(Some(&text), "email", Some(Holds::Email), &mut errors);
                    Some(email)
                }
                Err(reason) => {
                    errors.push(FieldError::because("email", reason));
                    None
                }
            },
        };
        let phone = non_blank(&self.phone).and_then(|text| match PhoneNumber::parse(&text) {
            Ok(phone) => {
                check_field(Some(&text), "phone", Some(Holds::Phone), &mut errors);
                Some(phone)
            }
            Err(reason) => {
                errors.push(FieldError::because("phone", reason));
                None
            }
        });
        match (errors.is_empty(), self.organisation_id, name, email) {
            (true, Some(organisation_id), Some(name), Some(email)) => Ok(ContactDraft {
                organisation_id,
                person: Person {
                    name,
                    role,
                    email,
                    phone,
                },
                opt_out: self.opt_out.unwrap_or(false),
            }),
            _ => Err(errors),
        }
    }
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub organisation_id: i64,
    /// `None` once erased.
    pub person: Option<Person>,
    /// The day the contact asked for no more campaign mail.
    pub opted_out_on: Option<NaiveDate>,
    pub created_at: String,
    pub updated_at: String,
    pub erased_at: Option<String>,
}

impl Contact {
    pub fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }

    /// The contact as input, for a merge patch or a form (empty once erased).
    pub fn to_input(&self) -> ContactInput {
        let person = self.person.as_ref();
        ContactInput {
            organisation_id: Some(self.organisation_id),
            name: person.map(|p| p.name.clone()),
            role: person.and_then(|p| p.role.clone()),
            email: person.map(|p| p.email.as_str().to_string()),
            phone: person.and_then(|p| p.phone.as_ref().map(|n| n.as_str().to_string())),
            opt_out: Some(self.opted_out_on.is_some()),
        }
    }

    /// What the audit log may keep of a contact: nothing that names the
    /// person (the log is append-only, so what it holds stays after an
    /// erasure). The contact itself is the entry's object id.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "organisation_id": self.organisation_id,
            "opt_out": self.opted_out_on.is_some(),
            "opted_out_on": self.opted_out_on.map(|d| d.to_string()),
            "erased": self.is_erased(),
        })
    }

    /// The personal fields a draft changes, by name (for the audit log's
    /// detail, which says *that* they changed, never to what).
    pub fn changed_fields(&self, draft: &ContactDraft) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.organisation_id != draft.organisation_id {
            changed.push("organisation_id");
        }
        let Some(person) = &self.person else {
            return changed;
        };
        let new = &draft.person;
        if person.name != new.name {
            changed.push("name");
        }
        if person.role != new.role {
            changed.push("role");
        }
        if person.email != new.email {
            changed.push("email");
        }
        if person.phone != new.phone {
            changed.push("phone");
        }
        if self.opted_out_on.is_some() != draft.opt_out {
            changed.push("opt_out");
        }
        changed
    }
}

/// The day an opt-out holds from: kept when it was already set, today when
/// it is set now, none when it is lifted.
pub fn opted_out_on(
    current: Option<NaiveDate>,
    opt_out: bool,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match (opt_out, current) {
        (false, _) => None,
        (true, Some(day)) => Some(day),
        (true, None) => Some(today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_compared_lower_cased() {
        let email = EmailAddress::parse("  Jan.de-Vries@Instelling.nl ").unwrap();
        assert_eq!(email.as_str(), "Jan.de-Vries@Instelling.nl");
        assert_eq!(email.key(), "jan.de-vries@instelling.nl");
        for bad in [
            "",
            "jan",
            "jan@",
            "@instelling.nl",
            "jan@instelling",
            "jan de vries@instelling.nl",
            "jan@@instelling.nl",
            "jan@instelling..nl",
            "jan@-instelling.nl",
            "jan.@instelling.nl",
            "jan@instelling.n1",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    fn input() -> ContactInput {
        ContactInput {
            organisation_id: Some(1),
            name: Some("Jan de Vries".into()),
            role: Some("coördinator".into()),
            email: Some("jan@instelling.nl".into()),
            phone: Some("030 123 45 67".into()),
            opt_out: None,
        }
    }

    #[test]
    fn a_contact_needs_an_organisation_a_name_and_an_address() {
        let draft = input().validate().unwrap();
        assert_eq!(draft.person.email.key(), "jan@instelling.nl");
        assert!(!draft.opt_out);
        let errors = ContactInput::default().validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["organisation_id", "name", "email"]);
    }

    #[test]
    fn personal_data_of_clients_is_refused_in_every_field() {
        let refused = |input: ContactInput| -> Vec<String> {
            input
                .validate()
                .unwrap_err()
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect()
        };
        let bsn = refused(ContactInput {
            role: Some("BSN 111222333".into()),
            ..input()
        });
        assert!(
            bsn[0].starts_with("role:") && bsn[0].contains("BSN"),
            "{bsn:?}"
        );
        let birth = refused(ContactInput {
            name: Some("Jan, geboren 12-03-1985".into()),
            ..input()
        });
        assert!(birth[0].starts_with("name:"), "{birth:?}");
        let phone_in_role = refused(ContactInput {
            role: Some("bel 06-12345678".into()),
            ..input()
        });
        assert!(phone_in_role[0].starts_with("role:"), "{phone_in_role:?}");
        let bad_phone = refused(ContactInput {
            phone: Some("bel maar".into()),
            ..input()
        });
        assert!(bad_phone[0].starts_with("phone:"), "{bad_phone:?}");
    }

    #[test]
    fn an_opt_out_keeps_its_day_until_lifted() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(opted_out_on(None, true, day(4)), Some(day(4)));
        assert_eq!(opted_out_on(Some(day(1)), true, day(4)), Some(day(1)));
        assert_eq!(opted_out_on(Some(day(1)), false, day(4)), None);
    }

    #[test]
    fn the_audit_never_holds_the_person() {
        let contact = Contact {
            id: 7,
            organisation_id: 3,
            person: Some(input().validate().unwrap().person),
            opted_out_on: None,
            created_at: String::new(),
            updated_at: String::new(),
            erased_at: None,
        };
        let text = contact.audit_json().to_string();
        assert!(
            !text.contains("Jan") && !text.contains("instelling"),
            "{text}"
        );
    }
}
