//! Whole numbers with a range: rooms, capacities, visit limits, counts.
//! One generic type, so each domain value names its range once, in its
//! type (`Rooms`, `Capacity`), and nothing outside the range can be built.

use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

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
