//! The contact spreadsheet: its five columns with their English names and
//! Dutch aliases (`organisation,name,role,email,phone` or
//! `organisatie,naam,functie,e-mail,telefoon`), recognised in any case and
//! with or without accents, spaces or hyphens as the facility file's are,
//! and the empty template in either language.

use crate::domain::geo::normalize_name;
use crate::domain::language::Language;
use crate::domain::personal::Holds;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactColumn {
    Organisation,
    Name,
    Role,
    Email,
    Phone,
}

/// Every column in template order: the English name, the Dutch name, then
/// other names people use.
pub const CONTACT_COLUMNS: &[(ContactColumn, &str, &str, &[&str])] = &[
    (
        ContactColumn::Organisation,
        "organisation",
        "organisatie",
        &["organization", "instelling"],
    ),
    (ContactColumn::Name, "name", "naam", &["contactpersoon"]),
    (ContactColumn::Role, "role", "functie", &["function", "rol"]),
    (
        ContactColumn::Email,
        "email",
        "e-mail",
        &[
            "e_mail",
            "emailadres",
            "e_mailadres",
            "email_address",
            "mail",
        ],
    ),
    (
        ContactColumn::Phone,
        "phone",
        "telefoon",
        &["telefoonnummer", "phone_number", "telephone"],
    ),
];

/// Columns a file must have.
pub const REQUIRED_CONTACT_COLUMNS: [ContactColumn; 3] = [
    ContactColumn::Organisation,
    ContactColumn::Name,
    ContactColumn::Email,
];

/// A header as a key: lower case, no accents, `_` between words.
fn key(header: &str) -> String {
    normalize_name(header).replace(' ', "_")
}

impl ContactColumn {
    /// The English column name, which is also the field name in the API.
    pub fn name(self) -> &'static str {
        Self::entry(self).1
    }

    fn entry(
        self,
    ) -> &'static (
        ContactColumn,
        &'static str,
        &'static str,
        &'static [&'static str],
    ) {
        CONTACT_COLUMNS
            .iter()
            .find(|(c, _, _, _)| *c == self)
            .expect("every column is listed")
    }

    /// The column's header in a language's template.
    pub fn header(self, language: Language) -> &'static str {
        match language {
            Language::En => self.entry().1,
            Language::Nl => self.entry().2,
        }
    }

    /// Recognises a header in English or Dutch ("E-mail", "Telefoon", "Functie").
    pub fn from_header(header: &str) -> Option<ContactColumn> {
        let wanted = key(header);
        CONTACT_COLUMNS
            .iter()
            .find(|(_, en, nl, aliases)| {
                key(en) == wanted || key(nl) == wanted || aliases.iter().any(|a| key(a) == wanted)
            })
            .map(|(c, _, _, _)| *c)
    }

    /// The column an input field's errors belong to.
    pub fn for_field(field: &str) -> Option<ContactColumn> {
        match field {
            "organisation_id" => Some(ContactColumn::Organisation),
            other => ContactColumn::from_header(other),
        }
    }
}

/// What the contact file's columns may hold beyond plain values (see
/// `domain::personal`): a work address in the e-mail column and a phone
/// number in the phone column, under each of their names.
pub fn allowed_personal() -> Vec<(&'static str, Holds)> {
    CONTACT_COLUMNS
        .iter()
        .filter_map(|(column, en, nl, aliases)| {
            let holds = match column {
                ContactColumn::Email => Holds::Email,
                ContactColumn::Phone => Holds::Phone,
                _ => return None,
            };
            Some(
                [*en, *nl]
                    .into_iter()
                    .chain(aliases.iter().copied())
                    .map(move |n| (n, holds)),
            )
        })
        .flatten()
        .collect()
}

/// The empty template's header row in `language` (written as CSV or XLSX
/// by `csv::write_template` and `xlsx::write_template`).
pub fn template_headers(language: Language) -> Vec<&'static str> {
    CONTACT_COLUMNS
        .iter()
        .map(|(c, _, _, _)| c.header(language))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_either_language_and_any_spelling() {
        for (header, column) in [
            ("organisation", ContactColumn::Organisation),
            ("Organisatie", ContactColumn::Organisation),
            ("NAAM", ContactColumn::Name),
            ("Functie", ContactColumn::Role),
            ("E-mail", ContactColumn::Email),
            ("e-mailadres", ContactColumn::Email),
            ("email", ContactColumn::Email),
            ("Telefoon", ContactColumn::Phone),
            ("phone", ContactColumn::Phone),
        ] {
            assert_eq!(ContactColumn::from_header(header), Some(column), "{header}");
        }
        assert_eq!(ContactColumn::from_header("opmerkingen"), None);
    }

    #[test]
    fn the_template_names_every_column() {
        let csv = |language| {
            String::from_utf8(
                super::super::csv::write_template(&template_headers(language)).unwrap(),
            )
            .unwrap()
        };
        assert!(csv(Language::Nl).starts_with("organisatie,naam,functie,e-mail,telefoon"));
        assert!(csv(Language::En).starts_with("organisation,name,role,email,phone"));
        for (language, headers) in [
            (Language::Nl, template_headers(Language::Nl)),
            (Language::En, template_headers(Language::En)),
        ] {
            for header in headers {
                assert!(
                    ContactColumn::from_header(header).is_some(),
                    "{language:?} {header}"
                );
            }
        }
    }
}
