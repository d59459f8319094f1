//! The personal-data guard of every import: vangnet stores no data about
//! persons (DESIGN.md, privacy), so a file that holds any is refused as a
//! whole, before anything is stored, with a reason naming the column (and
//! the row where a value gave it away). The guard never repeats the value
//! it found: the reason would otherwise carry the personal data on.
//!
//! A **column name** suggests personal data when, normalised (case, accents,
//! spaces, `_` and `-` ignored), it is one of BSN, burgerservicenummer,
//! cliëntnummer, naam cliënt / cliëntnaam / client name, geboortedatum,
//! date of birth / birth date / dob, e-mail, telefoon / phone, adres cliënt
//! / client address, or contains `bsn`, `burgerservice`, `geboorte` or
//! `birth` as part of a word.
//!
//! A **value** gives personal data away when it holds
//! - an e-mail address: refused in every column;
//! - a BSN: a nine-digit number (alone, or written `1234.56.782`) that
//!   passes the eleven-test; refused in every column, except as part of a
//!   valid phone number in a column that holds phone numbers;
//! - a phone number: a number of ten or more digits that is a valid Dutch or
//!   international number; refused except in a column that holds phone
//!   numbers. Short service numbers (0800/0900, municipal 14 0xx) are
//!   lines of organisations, never of a person, and pass everywhere;
//! - a date of birth: a cell that is a date, in a column not meant for
//!   dates (a date has no business there, and the likeliest one is a
//!   birthday); in free text, a date after a birth word (`geboren`, `geb.`,
//!   `born`, `dob`). Dates in free text otherwise pass: notes say when a
//!   service opened or moved.
//!
//! What is allowed where is the caller's to say ([`Holds`]); the contact
//! import allows an e-mail address in its `email` column and a phone
//! number in its `phone` column, nowhere else. The facility
//! import's `phone`/`telefoon` column holds the service's own number and its
//! `street`/`adres` the facility's address; its dates are in `opened_on`,
//! `closed_on` and `verified_on`; everything else, free text included
//! (`notes`, `target_groups`), may hold no e-mail address, BSN, phone
//! number or date of birth.
//!
//! Hand-written rather than a PII-detection library: the rules are the
//! Dutch BSN and numbering plan, which the general libraries don't know.

use super::date::parse_date;
use super::geo::normalize_name;
use super::phone::PhoneNumber;
use super::{FieldError, Reason};

/// What a column may hold beyond plain values, as the importer declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// A service's own telephone number: a phone column named `telefoon`
    /// passes, and so does a phone number in it.
    Phone,
    /// A facility's address: passes although "adres" is near "adres cliënt".
    Address,
    /// A date that is not a birthday (opened on, verified on, a period).
    Date,
    /// The work address of a contact at an institution (the contact
    /// import's `email` column): an e-mail address passes there, a BSN or a
    /// date of birth still does not.
    Email,
}

/// The column names (squashed: normalised, no spaces) that suggest
/// personal data.
const PERSONAL_NAMES: &[&str] = &[
    "bsn",
    "burgerservicenummer",
    "clientnummer",
    "clientnr",
    "naamclient",
    "clientnaam",
    "clientname",
    "nameclient",
    "geboortedatum",
    "dateofbirth",
    "birthdate",
    "dob",
    "email",
    "emailadres",
    "emailaddress",
    "mail",
    "telefoon",
    "telefoonnummer",
    "telnr",
    "phone",
    "phonenumber",
    "mobiel nummer",
    "adresclient",
    "clientadres",
    "clientaddress",
];

/// Parts of a column name that suggest personal data wherever they occur.
const PERSONAL_PARTS: &[&str] = &["bsn", "burgerservice", "geboorte", "birth"];

/// Words after which a date in free text is a date of birth.
const BIRTH_WORDS: &[&str] = &["geboren", "geb", "born", "dob", "geboortedatum"];

/// A column name normalised and without spaces: `Naam_Cliënt` → `naamclient`.
fn squash(name: &str) -> String {
    normalize_name(name).replace(' ', "")
}

/// Personal data found in a file: the column (its index and its label as
/// the reader sees it, `C (BSN)`), the row when a value gave it away, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub row: Option<usize>,
    pub column: usize,
    pub reason: Reason,
}

/// The guard over one file's columns, made from its header.
#[derive(Debug, Clone)]
pub struct Guard {
    holds: Vec<Option<Holds>>,
}

impl Guard {
    /// Checks the header: every column whose name suggests personal data
    /// and that the caller does not allow is found. `allowed` names columns
    /// (in any spelling; they are normalised) and what they hold; `label`
    /// gives a column's label as the reader sees it (`C (BSN)`).
    pub fn for_header(
        headers: &[String],
        allowed: &[(&str, Holds)],
        label: impl Fn(usize) -> String,
    ) -> Result<Guard, Vec<Found>> {
        let allowed: Vec<(String, Holds)> = allowed.iter().map(|(n, h)| (squash(n), *h)).collect();
        let mut found = Vec::new();
        let mut holds = Vec::with_capacity(headers.len());
        for (index, header) in headers.iter().enumerate() {
            let name = squash(header);
            let declared = allowed.iter().find(|(n, _)| *n == name).map(|(_, h)| *h);
            holds.push(declared);
            let personal = PERSONAL_NAMES.iter().any(|p| p.replace(' ', "") == name)
                || PERSONAL_PARTS.iter().any(|p| name.contains(p));
            if personal && declared.is_none() {
                found.push(Found {
                    row: None,
                    column: index,
                    reason: Reason::of("personal.column", &[("column", label(index))]),
                });
            }
        }
        if !found.is_empty() {
            return Err(found);
        }
        Ok(Guard { holds })
    }

    /// Checks one row's cells (as text; dates as `YYYY-MM-DD`): everything
    /// found, in column order.
    pub fn check_row(&self, row: usize, cells: &[Option<String>]) -> Vec<Found> {
        let mut found = Vec::new();
        for (index, cell) in cells.iter().enumerate() {
            let Some(text) = cell.as_deref() else {
                continue;
            };
            let holds = self.holds.get(index).copied().flatten();
            if let Some(key) = personal_value(text, holds) {
                found.push(Found {
                    row: Some(row),
                    column: index,
                    reason: Reason::of(key, &[]),
                });
            }
        }
        found
    }
}

/// Checks one field's value wherever it comes from (API, form, import,
/// CLI): the domain types call this for their free-text fields, so every
/// entry point gives the same verdict with the field named.
pub fn check_field(
    value: Option<&str>,
    field: &str,
    holds: Option<Holds>,
    errors: &mut Vec<FieldError>,
) {
    if let Some(key) = value.and_then(|text| personal_value(text, holds)) {
        errors.push(FieldError::because(field, Reason::of(key, &[])));
    }
}

/// The reason's key when `text`, in a column that holds `holds`, gives
/// personal data away.
fn personal_value(text: &str, holds: Option<Holds>) -> Option<&'static str> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if holds != Some(Holds::Email) && has_email(text) {
        return Some("personal.email");
    }
    let is_phone = holds == Some(Holds::Phone) && PhoneNumber::parse(text).is_ok();
    if !is_phone && has_bsn(text) {
        return Some("personal.bsn");
    }
    if holds != Some(Holds::Phone) && has_phone(text) {
        return Some("personal.phone");
    }
    if holds != Some(Holds::Date) && has_birth_date(text) {
        return Some("personal.birth_date");
    }
    None
}

/// An e-mail address: something@domain.tld, anywhere in the text.
fn has_email(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || "<>,;:()[]\"'".contains(c))
        .any(|word| match word.split_once('@') {
            Some((local, domain)) => {
                let domain = domain.trim_end_matches('.');
                !local.is_empty()
                    && domain.contains('.')
                    && domain
                        .split('.')
                        .all(|part| !part.is_empty() && part.chars().all(is_domain_char))
            }
            None => false,
        })
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// Whether nine digits pass the BSN eleven-test:
/// 9×d1 + 8×d2 + … + 2×d8 − 1×d9 ≡ 0 (mod 11), not all zeros.
pub fn is_bsn(digits: &str) -> bool {
    let digits: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 9 || digits.iter().all(|d| *d == 0) {
        return false;
    }
    let sum: i64 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let weight = if i == 8 { -1 } else { 9 - i as i64 };
            weight * i64::from(*d)
        })
        .sum();
    sum.rem_euclid(11) == 0
}

/// A BSN in the text: a run of exactly nine digits, or nine digits written
/// with dots or spaces in the usual groups (`1234.56.782`, `1234 56 782`).
fn has_bsn(text: &str) -> bool {
    numbers(text, ".").any(|run| {
        let digits: String = run.chars().filter(char::is_ascii_digit).collect();
        digits.len() == 9 && is_bsn(&digits)
    }) || numbers(text, " ").any(|run| {
        let groups: Vec<&str> = run.split(' ').collect();
        groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [4, 2, 3] && is_bsn(&groups.concat())
    })
}

/// Runs of digits joined by the characters of `joiners`.
fn numbers<'a>(text: &'a str, joiners: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.split(move |c: char| !(c.is_ascii_digit() || joiners.contains(c)))
        .map(move |run| run.trim_matches(|c: char| joiners.contains(c)))
        .filter(|run| !run.is_empty())
}

/// A phone number of ten or more digits in the text.
fn has_phone(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_digit() || " +-().".contains(c)))
        .map(|run| run.trim_matches(|c: char| " -.()".contains(c)))
        .filter(|run| run.chars().filter(char::is_ascii_digit).count() >= 10)
        .any(|run| {
            PhoneNumber::parse(run).is_ok()
                // "Telefoon (020) 123 4567": the bracket was trimmed away.
                || PhoneNumber::parse(&run.replace(['(', ')'], "")).is_ok()
        })
}

/// A date of birth: the whole cell a date, or a date after a birth word.
fn has_birth_date(text: &str) -> bool {
    if parse_date(text).is_some() {
        return true;
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || ",;:()".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, word)| {
        let word = normalize_name(word);
        BIRTH_WORDS.contains(&word.as_str())
            && words[i + 1..]
                .iter()
                .take(3)
                .any(|next| parse_date(next.trim_end_matches('.')).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str], allowed: &[(&str, Holds)]) -> Result<Guard, Vec<Found>> {
        let headers: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        Guard::for_header(&headers, allowed, |i| headers[i].clone())
    }

    fn refused_columns(names: &[&str]) -> Vec<usize> {
        match header(names, &[("telefoon", Holds::Phone)]) {
            Ok(_) => Vec::new(),
            Err(found) => found.iter().map(|f| f.column).collect(),
        }
    }

    #[test]
    fn column_names_of_personal_data_are_refused_in_any_spelling() {
        for name in [
            "BSN",
            "Burgerservicenummer",
            "Cliëntnummer",
            "client_nummer",
            "Naam cliënt",
            "naam-client",
            "Geboortedatum",
            "Date of birth",
            "DOB",
            "E-mail",
            "email",
            "Adres cliënt",
            "bsn_nummer",
            "Phone",
        ] {
            assert_eq!(refused_columns(&["naam", name]), vec![1], "{name}");
        }
        assert!(refused_columns(&["naam", "straat", "telefoon", "notes"]).is_empty());
    }

    #[test]
    fn the_eleven_test_holds_for_known_numbers() {
        assert!(is_bsn("111222333"));
        assert!(is_bsn("123456782"));
        assert!(!is_bsn("123456789"));
        assert!(!is_bsn("000000000"));
        assert!(!is_bsn("12345678"));
    }

    fn value(text: &str, holds: Option<Holds>) -> Option<&'static str> {
        personal_value(text, holds)
    }

    #[test]
    fn values_that_give_a_person_away_are_found() {
        assert_eq!(value("BSN 111222333", None), Some("personal.bsn"));
        assert_eq!(value("1234.56.782", None), Some("personal.bsn"));
        assert_eq!(value("1234 56 782", None), Some("personal.bsn"));
        assert_eq!(value("mail jan@example.nl", None), Some("personal.email"));
        assert_eq!(value("bel 06-12345678", None), Some("personal.phone"));
        assert_eq!(value("+31 20 123 4567", None), Some("personal.phone"));
        assert_eq!(value("1985-03-12", None), Some("personal.birth_date"));
        assert_eq!(
            value("geboren 12-03-1985", None),
            Some("personal.birth_date")
        );
    }

    #[test]
    fn what_a_column_may_hold_passes() {
        assert_eq!(value("020 123 4567", Some(Holds::Phone)), None);
        assert_eq!(value("+31 20 123 4567", Some(Holds::Phone)), None);
        assert_eq!(value("2019-05-01", Some(Holds::Date)), None);
        assert_eq!(value("Keizersgracht 1", Some(Holds::Address)), None);
        // An e-mail address is no phone number, even in the phone column.
        assert_eq!(value("a@b.nl", Some(Holds::Phone)), Some("personal.email"));
        assert_eq!(value("Jan@Instelling.nl", Some(Holds::Email)), None);
        // A BSN or a birth date stays refused in the e-mail column.
        assert_eq!(
            value("111222333@instelling.nl", Some(Holds::Email)),
            Some("personal.bsn")
        );
        assert_eq!(
            value("1985-03-12", Some(Holds::Email)),
            Some("personal.birth_date")
        );
    }

    #[test]
    fn ordinary_notes_and_figures_pass() {
        for text in [
            "opened in 2019, moved on 2021-04-01",
            "geopend 1 maart 2019",
            "1468258",
            "89650",
            "open 9.00-17.00, max 30 minutes",
            "people who inject; sex workers",
            "2018 2019 2020 2021 2022",
            "0800-1234 or 14 020",
            "123456789",
        ] {
            assert_eq!(value(text, None), None, "{text}");
        }
    }

    #[test]
    fn a_row_finding_names_row_and_column() {
        let guard = header(&["name", "notes"], &[]).unwrap();
        let found = guard.check_row(7, &[Some("Hulp".into()), Some("BSN 111222333".into())]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].row, Some(7));
        assert_eq!(found[0].column, 1);
        let english = found[0].reason.english();
        assert!(english.contains("BSN"), "{english}");
        assert!(!english.contains("111222333"), "{english}");
    }
}
