//! Whole numbers with a range: rooms, capacities, visit limits, counts.
//! One generic type, so each domain value names its range once, in its
//! type (`Rooms`, `Capacity`), and nothing outside the range can be built.
//! [`written`] writes a figure as a reader of the language expects it.

use std::fmt;

use super::language::Language;
use super::Reason;

/// A whole number from `MIN` to `MAX` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<const MIN: u32, const MAX: u32>(u32);

impl<const MIN: u32, const MAX: u32> Bounded<MIN, MAX> {
    /// The number, when it lies in the range; the error says the range.
    pub fn new(value: i64) -> Result<Self, Reason> {
        if (i64::from(MIN)..=i64::from(MAX)).contains(&value) {
            Ok(Bounded(value as u32))
        } else {
            Err(Reason::of(
                "error.out_of_range",
                &[
                    ("value", value.to_string()),
                    ("min", MIN.to_string()),
                    ("max", MAX.to_string()),
                ],
            ))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl<const MIN: u32, const MAX: u32> fmt::Display for Bounded<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<const MIN: u32, const MAX: u32> From<Bounded<MIN, MAX>> for i64 {
    fn from(n: Bounded<MIN, MAX>) -> i64 {
        i64::from(n.0)
    }
}

/// Separate rooms at one location.
pub type Rooms = Bounded<0, 100>;
/// Places in rooms, or treatment places of a heroin unit.
pub type Capacity = Bounded<0, 10_000>;
/// The longest a visit may last, in minutes (a day at most).
pub type MinutesPerVisit = Bounded<1, 1440>;
/// How often a person may come in one day.
pub type VisitsPerDay = Bounded<1, 100>;

/// A figure as a reader of `language` writes it: digits grouped by three
/// (`1.234.567` in Dutch, `1,234,567` in English) and at most `decimals`
/// decimals, trailing zeros left off (`12,5`, `12`).
pub fn written(value: f64, decimals: usize, language: Language) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let (group, point) = match language {
        Language::Nl => ('.', ','),
        Language::En => (',', '.'),
    };
    let mut out = String::new();
    if value < 0.0 && (whole.bytes().any(|b| b != b'0') || !fraction.is_empty()) {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_as_each_language_writes_them() {
        assert_eq!(written(1_234_567.0, 0, Language::Nl), "1.234.567");
        assert_eq!(written(1_234_567.0, 0, Language::En), "1,234,567");
        assert_eq!(written(200.8, 1, Language::Nl), "200,8");
        assert_eq!(written(200.0, 1, Language::En), "200");
        assert_eq!(written(-1234.5, 1, Language::Nl), "-1.234,5");
        assert_eq!(written(-0.04, 1, Language::Nl), "0");
        assert_eq!(written(999.0, 0, Language::Nl), "999");
    }

    #[test]
    fn numbers_outside_their_range_are_refused_with_the_range() {
        assert_eq!(Rooms::new(3).unwrap().get(), 3);
        assert_eq!(
            Rooms::new(-1).unwrap_err().english(),
            "-1 is out of range (0 to 100)"
        );
        assert!(Capacity::new(10_001).is_err());
        assert!(Capacity::new(i64::MAX).is_err());
        assert!(MinutesPerVisit::new(0).is_err());
        assert_eq!(i64::from(VisitsPerDay::new(100).unwrap()), 100);
    }
}
