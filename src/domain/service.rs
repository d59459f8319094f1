//! Service types (the kinds of harm-reduction service a facility offers) and
//! sets of them. A set is stored as a bit mask so that counting per service
//! over a whole register is one pass in SQL (`services & bit`).

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    ConsumptionRoom,
    MethadoneClinic,
    HeroinUnit,
    SyringeExchange,
    Paraphernalia,
    Naloxone,
}

impl ServiceType {
    pub const ALL: [ServiceType; 6] = [
        ServiceType::ConsumptionRoom,
        ServiceType::MethadoneClinic,
        ServiceType::HeroinUnit,
        ServiceType::SyringeExchange,
        ServiceType::Paraphernalia,
        ServiceType::Naloxone,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ServiceType::ConsumptionRoom => "consumption_room",
            ServiceType::MethadoneClinic => "methadone_clinic",
            ServiceType::HeroinUnit => "heroin_unit",
            ServiceType::SyringeExchange => "syringe_exchange",
            ServiceType::Paraphernalia => "paraphernalia",
            ServiceType::Naloxone => "naloxone",
        }
    }

    /// The bit this service has in a [`ServiceSet`]; also stored in the
    /// `service_types` table, so never renumber.
    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }

    /// Whether a facility's capacity counts for this service: places in a
    /// consumption room, treatment places in a heroin unit. For the other
    /// services a capacity says nothing.
    pub fn has_capacity(self) -> bool {
        matches!(self, ServiceType::ConsumptionRoom | ServiceType::HeroinUnit)
    }

    /// Parses a code or its Dutch name: `syringe_exchange`, `spuitomruil`, `MHU`.
    pub fn parse(text: &str) -> Option<ServiceType> {
        let key: String = text
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        let service = match key.as_str() {
            "consumption_room" | "gebruiksruimte" | "dcr" => ServiceType::ConsumptionRoom,
            "methadone_clinic" | "medicatiepoli" | "methadonpost" | "methadon" => {
                ServiceType::MethadoneClinic
            }
            "heroin_unit" | "mhu" | "heroine_unit" | "heroïne_unit" | "medische_heroine" => {
                ServiceType::HeroinUnit
            }
            "syringe_exchange" | "spuitomruil" | "spuitenomruil" => ServiceType::SyringeExchange,
            "paraphernalia" | "parafernalia" => ServiceType::Paraphernalia,
            "naloxone" | "naloxon" => ServiceType::Naloxone,
            _ => return None,
        };
        Some(service)
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A non-empty-or-empty set of services, ordered as [`ServiceType::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceSet(i64);

impl ServiceSet {
    pub fn from_bits(bits: i64) -> ServiceSet {
        let all: i64 = ServiceType::ALL.iter().map(|s| s.bit()).sum();
        ServiceSet(bits & all)
    }

    pub fn bits(self) -> i64 {
        self.0
    }

    pub fn insert(&mut self, service: ServiceType) {
        self.0 |= service.bit();
    }

    pub fn contains(self, service: ServiceType) -> bool {
        self.0 & service.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = ServiceType> {
        ServiceType::ALL
            .into_iter()
            .filter(move |s| self.contains(*s))
    }

    /// Parses a list of service names; returns the first name it does not know.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<ServiceSet, String> {
        let mut set = ServiceSet::default();
        for item in items {
            if item.trim().is_empty() {
                continue;
            }
            set.insert(ServiceType::parse(item).ok_or_else(|| item.trim().to_string())?);
        }
        Ok(set)
    }

    pub fn codes(self) -> Vec<String> {
        self.iter().map(|s| s.code().to_string()).collect()
    }
}

impl fmt::Display for ServiceSet {
    /// `consumption_room;syringe_exchange`, the spreadsheet form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.codes().join(";"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_names_and_codes_parse_to_the_same_service() {
        assert_eq!(
            ServiceType::parse("Spuitomruil"),
            Some(ServiceType::SyringeExchange)
        );
        assert_eq!(
            ServiceType::parse("syringe_exchange"),
            Some(ServiceType::SyringeExchange)
        );
        assert_eq!(ServiceType::parse("MHU"), Some(ServiceType::HeroinUnit));
        assert_eq!(
            ServiceType::parse("consumption room"),
            Some(ServiceType::ConsumptionRoom)
        );
        assert_eq!(ServiceType::parse("coffeeshop"), None);
    }

    #[test]
    fn a_set_round_trips_through_its_text_form() {
        let set = ServiceSet::parse("naloxon; gebruiksruimte".split(';')).unwrap();
        assert_eq!(set.to_string(), "consumption_room;naloxone");
        assert_eq!(ServiceSet::from_bits(set.bits()), set);
        assert_eq!(ServiceSet::parse(["x", "naloxone"]), Err("x".to_string()));
    }

    #[test]
    fn every_service_has_its_own_bit() {
        let all: i64 = ServiceType::ALL.iter().map(|s| s.bit()).sum();
        assert_eq!(all, 0b111111);
    }
}
