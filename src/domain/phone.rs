//! A facility's public telephone number: the number of the service, that
//! anyone may call (a front desk, an outreach team's line), never a person's.
//! Dutch numbers as people write them (`030 123 45 67`, `+31 30 1234567`,
//! `0800-1234`, `14 020`); a foreign number in international form.
//!
//! Hand-written rather than a phone-number library: the rules needed here
//! are the Dutch numbering plan's lengths, and the libraries that know every
//! country's plan (libphonenumber ports) carry megabytes of metadata.

use super::Reason;

/// A checked telephone number, kept as it was written (trimmed, single
/// spaces), with the digits to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub const MAX_CHARS: usize = 30;

    pub fn parse(text: &str) -> Result<PhoneNumber, Reason> {
        let written = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let refused = || Reason::of("error.phone", &[("value", written.clone())]);
        if written.chars().count() > Self::MAX_CHARS
            || !written
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0))
        {
            return Err(refused());
        }
        let number = PhoneNumber(written.clone());
        match number.dial() {
            Some(_) => Ok(number),
            None => Err(refused()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number to dial from a phone, for a `tel:` link: international
    /// form for ordinary Dutch numbers, as is for short service numbers.
    pub fn dial(&self) -> Option<String> {
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        let international = self.0.starts_with('+') || digits.starts_with("00");
        if international {
            let digits = digits.strip_prefix("00").unwrap_or(&digits);
            return match digits.strip_prefix("31") {
                // +31 (0)30 … is written both ways.
                Some(national) => {
                    let national = national.strip_prefix('0').unwrap_or(national);
                    Self::national(&format!("0{national}"))
                }
                None => (8..=15)
                    .contains(&digits.len())
                    .then(|| format!("+{digits}")),
            };
        }
        Self::national(&digits)
    }

    /// A number in the Dutch plan: ten digits from 0 (geographic, mobile,
    /// 085/088/091), 0800/090x with 4 or 7 more, or a municipal 14 number.
    fn national(digits: &str) -> Option<String> {
        let service = ["0800", "0900", "0906", "0909"]
            .iter()
            .any(|p| digits.starts_with(p));
        let municipal = digits.starts_with("14") && matches!(digits.len(), 5 | 6);
        if (service && matches!(digits.len(), 8 | 11)) || municipal {
            Some(digits.to_string())
        } else if digits.len() == 10 && digits.starts_with('0') && !digits.starts_with("00") {
            Some(format!("+31{}", &digits[1..]))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_numbers_as_people_write_them_dial_internationally() {
        for (written, dial) in [
            ("030 123 45 67", "+31301234567"),
            ("030-1234567", "+31301234567"),
            ("+31 30 123 4567", "+31301234567"),
            ("+31 (0)30 123 4567", "+31301234567"),
            ("0031 6 12345678", "+31612345678"),
            ("06-12345678", "+31612345678"),
            ("0800-1234", "08001234"),
            ("0900 123 4567", "09001234567"),
            ("14 020", "14020"),
            ("+32 2 123 45 67", "+3221234567"),
        ] {
            let number = PhoneNumber::parse(written).unwrap();
            assert_eq!(number.dial().as_deref(), Some(dial), "{written}");
        }
        assert_eq!(
            PhoneNumber::parse("  030  1234567 ").unwrap().as_str(),
            "030 1234567"
        );
    }

    #[test]
    fn what_is_not_a_number_to_call_is_refused() {
        for bad in [
            "",
            "030 123",
            "0301234567890",
            "bel de balie",
            "030+1234567",
            "1234567890",
            "+31 30 12",
            "06 1234 5678 of 06 8765 4321",
            "0800-12",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
