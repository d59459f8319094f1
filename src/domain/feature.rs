//! Facts about a facility that public output counts beyond its services:
//! an alcohol room next to the consumption room, a room for soft drugs
//! only. They are structured attributes a writer sets on purpose (API
//! field, spreadsheet column, form checkbox), stored as a bit set like
//! services, and shown on the facility's page. Free-text notes never feed
//! public output: once a note containing "alcohol" made Table 1 print "1
//! locatie heeft ook een alcoholruimte" (SECURITY.md, finding 7).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// A room where alcohol may also be used (alcoholruimte).
    AlcoholRoom,
    /// The room is for soft drugs only (alleen softdrugs).
    SoftdrugsOnly,
}

impl Feature {
    pub const ALL: [Feature; 2] = [Feature::AlcoholRoom, Feature::SoftdrugsOnly];

    pub fn code(self) -> &'static str {
        match self {
            Feature::AlcoholRoom => "alcohol_room",
            Feature::SoftdrugsOnly => "softdrugs_only",
        }
    }

    /// Stored in `facility_versions.features`; never renumber.
    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }

    /// A code or its Dutch name: `alcohol_room`, `alcoholruimte`, `alleen softdrugs`.
    pub fn parse(text: &str) -> Option<Feature> {
        let key: String = text
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        match key.as_str() {
            "alcohol_room" | "alcoholruimte" => Some(Feature::AlcoholRoom),
            "softdrugs_only" | "alleen_softdrugs" => Some(Feature::SoftdrugsOnly),
            _ => None,
        }
    }
}

/// A set of features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features(i64);

impl Features {
    pub fn from_bits(bits: i64) -> Features {
        let all: i64 = Feature::ALL.iter().map(|f| f.bit()).sum();
        Features(bits & all)
    }

    pub fn bits(self) -> i64 {
        self.0
    }

    pub fn insert(&mut self, feature: Feature) {
        self.0 |= feature.bit();
    }

    pub fn contains(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Feature> {
        Feature::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// Parses a list of feature names; returns the first it does not know.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Features, String> {
        let mut set = Features::default();
        for item in items {
            if item.trim().is_empty() {
                continue;
            }
            set.insert(Feature::parse(item).ok_or_else(|| item.trim().to_string())?);
        }
        Ok(set)
    }

    pub fn codes(self) -> Vec<String> {
        self.iter().map(|f| f.code().to_string()).collect()
    }
}

impl fmt::Display for Features {
    /// `alcohol_room;softdrugs_only`, the spreadsheet form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.codes().join(";"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_and_english_names_parse_and_round_trip() {
        let set = Features::parse("Alcoholruimte; alleen softdrugs".split(';')).unwrap();
        assert_eq!(set.to_string(), "alcohol_room;softdrugs_only");
        assert_eq!(Features::from_bits(set.bits()), set);
        assert_eq!(Features::parse(["bar"]), Err("bar".to_string()));
    }
}
