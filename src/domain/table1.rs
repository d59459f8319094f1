//! Table 1 of the national inventory: per service type, the number of public
//! locations, of distinct municipalities and of cities (places) open on a
//! day, their capacity, how the count should be read (its qualifier), notes
//! and the source. A location counts once however many rooms it has;
//! residents-only and closed facilities do not count.
//!
//! Counts come from the register; an inventory round may override a
//! service's count where the register is known to be incomplete (see
//! [`super::round::CountOverride`]). Notes the register can support are
//! computed ([`Fact`]) and printed in Dutch or English.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::round::{CountOverride, RoundStatus};
use super::service::ServiceType;

use super::language::Language;
use super::text::{text, text_count};

/// How a count should be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Exact,
    /// A known undercount, printed "≥29".
    AtLeast,
    /// Printed "±24".
    #[serde(alias = "approx")]
    Approximate,
    /// Printed "onbekend" / "unknown".
    Unknown,
}

impl Qualifier {
    pub const ALL: [Qualifier; 4] = [
        Qualifier::Exact,
        Qualifier::AtLeast,
        Qualifier::Approximate,
        Qualifier::Unknown,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::AtLeast => "at_least",
            Qualifier::Approximate => "approximate",
            Qualifier::Unknown => "unknown",
        }
    }

    /// A code (`approx` as the published figures write it) or its Dutch name.
    pub fn parse(text: &str) -> Option<Qualifier> {
        let key = text.trim().to_lowercase().replace([' ', '-'], "_");
        Some(match key.as_str() {
            "exact" | "exacte" => Qualifier::Exact,
            "at_least" | "ten_minste" | "minstens" | "≥" | ">=" => Qualifier::AtLeast,
            "approximate" | "approx" | "ongeveer" | "±" => Qualifier::Approximate,
            "unknown" | "onbekend" => Qualifier::Unknown,
            _ => return None,
        })
    }

    /// A count as printed: exact "23", at least "≥29", approximate "±24",
    /// and "onbekend" / "unknown" when the qualifier says so or no value is known.
    pub fn show(self, value: Option<i64>, lang: Language) -> String {
        match (self, value) {
            (Qualifier::Unknown, _) | (_, None) => text(lang, "table1.unknown", &[]),
            (Qualifier::Exact, Some(n)) => n.to_string(),
            (Qualifier::AtLeast, Some(n)) => format!("≥{n}"),
            (Qualifier::Approximate, Some(n)) => format!("±{n}"),
        }
    }

    /// The qualifier in words, for table headers and legends.
    pub fn label(self, lang: Language) -> String {
        text(lang, &format!("table1.qualifier.{}", self.code()), &[])
    }
}

/// A note the register supports, computed when counting. Facility notes
/// are internal; only these counts of them are published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// `locations` locations with `rooms` separate rooms each (rooms ≥ 2).
    Rooms { locations: i64, rooms: i64 },
    /// Mobile locations (a bus or camper).
    Mobile { locations: i64 },
    /// Locations with the feature `alcohol_room` (never from notes).
    AlcoholRoom { locations: i64 },
    /// Locations with the feature `softdrugs_only` (never from notes).
    SoftdrugsOnly { locations: i64 },
}

impl Fact {
    /// The note as printed, for a row of `service`.
    pub fn text(&self, service: ServiceType, lang: Language) -> String {
        let room = service == ServiceType::ConsumptionRoom;
        match *self {
            Fact::Rooms { locations, rooms } => text_count(
                lang,
                "table1.fact.rooms",
                locations,
                &[("rooms", rooms.to_string())],
            ),
            Fact::Mobile { locations } if room => {
                text_count(lang, "table1.fact.mobile_room", locations, &[])
            }
            Fact::Mobile { locations } => text_count(lang, "table1.fact.mobile", locations, &[]),
            Fact::AlcoholRoom { locations } => {
                text_count(lang, "table1.fact.alcohol_room", locations, &[])
            }
            Fact::SoftdrugsOnly { locations } => {
                text_count(lang, "table1.fact.softdrugs_only", locations, &[])
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Table1Row {
    pub service: ServiceType,
    /// Null when unknown.
    pub locations: Option<i64>,
    pub municipalities: Option<i64>,
    /// Distinct places (the facilities' `city`, compared case-insensitively).
    pub cities: Option<i64>,
    /// Sum of the known capacities: places in consumption rooms, treatment
    /// places in heroin units; null for other services and when none is known.
    pub capacity: Option<i64>,
    pub qualifier: Qualifier,
    /// The notes as printed in Dutch: the researcher's note, then the
    /// computed ones (`facts`).
    pub notes: Vec<String>,
    /// "register op 2026-06-01", or the external source a researcher named.
    pub source: String,
    /// The facilities counted (ids in the register): every register count
    /// traces back to them.
    pub facility_ids: Vec<i64>,
    /// The notes the register supports, as data.
    pub facts: Vec<Fact>,
    /// The researcher's note on this count, if any.
    pub note: Option<String>,
    /// The external source a researcher named, if any (else the register).
    pub external_source: Option<String>,
    /// What the register counted, whatever the qualifier says.
    pub register_locations: i64,
}

impl Table1Row {
    /// The register's count of `service` on a day, without qualifiers.
    pub fn from_tally(
        as_of: NaiveDate,
        service: ServiceType,
        count: Option<&ServiceTally>,
    ) -> Self {
        let locations = count.map_or(0, |c| c.count.locations);
        let facts = count.map_or_else(Vec::new, |c| c.facts(service));
        let mut row = Table1Row {
            service,
            locations: Some(locations),
            municipalities: Some(count.map_or(0, |c| c.count.municipalities)),
            cities: Some(count.map_or(0, |c| c.cities)),
            capacity: count
                .and_then(|c| c.count.capacity)
                .filter(|_| service.has_capacity()),
            qualifier: Qualifier::Exact,
            notes: Vec::new(),
            source: String::new(),
            facility_ids: count.map_or_else(Vec::new, |c| c.facility_ids.clone()),
            facts,
            note: None,
            external_source: None,
            register_locations: locations,
        };
        row.refresh(as_of);
        row
    }

    /// Applies a researcher's override: its qualifier, its value (for the
    /// locations), its note and source. Unknown clears every count; the
    /// counted facilities stay, so the register's part still traces.
    pub fn apply(&mut self, as_of: NaiveDate, o: &CountOverride) {
        self.qualifier = o.qualifier;
        if let Some(value) = o.value {
            self.locations = Some(value);
        }
        if o.qualifier == Qualifier::Unknown {
            self.locations = None;
            self.municipalities = None;
            self.cities = None;
            self.capacity = None;
        }
        self.note = o.note.clone();
        self.external_source = o.source.clone();
        self.refresh(as_of);
    }

    /// Recomputes the printed `notes` and `source` from the data fields.
    pub fn refresh(&mut self, as_of: NaiveDate) {
        self.notes = self.notes_in(Language::Nl);
        self.source = self.source_in(as_of, Language::Nl);
    }

    /// The researcher's note, then the computed ones.
    pub fn notes_in(&self, lang: Language) -> Vec<String> {
        self.note
            .iter()
            .cloned()
            .chain(self.facts.iter().map(|f| f.text(self.service, lang)))
            .collect()
    }

    /// Where the printed number comes from. A number somebody typed is
    /// "handmatig ingevoerd" with its source, never the register; the
    /// register's own number with a researcher's reading names both.
    pub fn source_in(&self, as_of: NaiveDate, lang: Language) -> String {
        let register = || {
            text(
                lang,
                "table1.source.register",
                &[("day", as_of.to_string())],
            )
        };
        match (&self.external_source, self.qualifier) {
            (Some(source), Qualifier::Unknown) => source.clone(),
            (None, Qualifier::Unknown) => register(),
            (source, _) if self.entered_by_hand() => match source {
                Some(source) => text(lang, "table1.source.by_hand", &[("source", source.clone())]),
                None => text(lang, "table1.source.by_hand_unnamed", &[]),
            },
            (Some(source), _) => text(
                lang,
                "table1.source.register_read",
                &[("day", as_of.to_string()), ("source", source.clone())],
            ),
            (None, _) => register(),
        }
    }

    /// Whether the number of locations was typed by a researcher rather
    /// than counted: it differs from what the register counted.
    pub fn entered_by_hand(&self) -> bool {
        self.qualifier != Qualifier::Unknown && self.locations != Some(self.register_locations)
    }

    pub fn show_locations(&self, lang: Language) -> String {
        self.qualifier.show(self.locations, lang)
    }

    pub fn show_municipalities(&self, lang: Language) -> String {
        self.qualifier.show(self.municipalities, lang)
    }

    pub fn show_cities(&self, lang: Language) -> String {
        self.qualifier.show(self.cities, lang)
    }

    /// Empty for services without a capacity.
    pub fn show_capacity(&self, lang: Language) -> String {
        if !self.service.has_capacity() {
            return String::new();
        }
        self.qualifier.show(self.capacity, lang)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Table1 {
    pub as_of: NaiveDate,
    /// The inventory round this table belongs to, if any.
    pub round: Option<String>,
    /// The round's status: an open round's counts are provisional (live
    /// from the register); a closed or published one's are frozen.
    pub status: Option<RoundStatus>,
    pub rows: Vec<Table1Row>,
}

/// Counts for one service as storage returns them (the part every caller
/// of the counting query needs).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceCount {
    pub service: ServiceType,
    pub locations: i64,
    pub municipalities: i64,
    pub capacity: Option<i64>,
}

/// Everything the counting query says about one service: the counts, what
/// the notes need, and the facilities (and their versions) counted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceDetail {
    pub cities: i64,
    pub mobile: i64,
    pub alcohol_room: i64,
    pub softdrugs_only: i64,
    /// The `rooms` of each counted location with more than one room.
    pub multi_rooms: Vec<i64>,
    /// Sorted.
    pub facility_ids: Vec<i64>,
    /// The facilities counted with the version counted, sorted by
    /// facility, when asked for (freezing a round).
    pub versions: Vec<(i64, i64)>,
}

/// A [`ServiceCount`] with its [`ServiceDetail`].
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTally {
    pub count: ServiceCount,
    pub detail: ServiceDetail,
}

impl std::ops::Deref for ServiceTally {
    type Target = ServiceDetail;
    fn deref(&self) -> &ServiceDetail {
        &self.detail
    }
}

impl ServiceTally {
    fn facts(&self, service: ServiceType) -> Vec<Fact> {
        let mut facts = Vec::new();
        if service == ServiceType::ConsumptionRoom {
            let mut rooms = self.multi_rooms.clone();
            rooms.sort_unstable();
            rooms.dedup();
            for r in rooms {
                let locations = self.multi_rooms.iter().filter(|n| **n == r).count() as i64;
                facts.push(Fact::Rooms {
                    locations,
                    rooms: r,
                });
            }
        }
        if self.mobile > 0 {
            facts.push(Fact::Mobile {
                locations: self.mobile,
            });
        }
        if service == ServiceType::ConsumptionRoom {
            if self.alcohol_room > 0 {
                facts.push(Fact::AlcoholRoom {
                    locations: self.alcohol_room,
                });
            }
            if self.softdrugs_only > 0 {
                facts.push(Fact::SoftdrugsOnly {
                    locations: self.softdrugs_only,
                });
            }
        }
        facts
    }
}

impl Table1 {
    /// One row per service of `services` (in the fixed order), from the
    /// register's tallies; zero where nothing counted.
    pub fn from_tallies(
        as_of: NaiveDate,
        services: impl IntoIterator<Item = ServiceType>,
        tallies: &[ServiceTally],
    ) -> Table1 {
        let rows = services
            .into_iter()
            .map(|service| {
                let tally = tallies.iter().find(|t| t.count.service == service);
                Table1Row::from_tally(as_of, service, tally)
            })
            .collect();
        Table1 {
            as_of,
            round: None,
            status: None,
            rows,
        }
    }

    pub fn row(&self, service: ServiceType) -> Option<&Table1Row> {
        self.rows.iter().find(|r| r.service == service)
    }
}

impl Table1 {
    /// A round's table from the register's tallies on its reference date:
    /// the services in its scope, with its overrides applied.
    pub fn for_round(
        round: &super::round::Round,
        tallies: &[ServiceTally],
        overrides: &[CountOverride],
    ) -> Table1 {
        let as_of = round.reference_date;
        let mut table = Table1::from_tallies(as_of, round.services(), tallies);
        table.round = Some(round.name.clone());
        table.status = Some(round.status);
        for row in &mut table.rows {
            if let Some(o) = overrides.iter().find(|o| o.service == row.service) {
                row.apply(as_of, o);
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::round::{Round, RoundStatus};
    use crate::domain::service::ServiceSet;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn tally(service: ServiceType, locations: i64, detail: ServiceDetail) -> ServiceTally {
        ServiceTally {
            count: ServiceCount {
                service,
                locations,
                municipalities: locations,
                capacity: Some(10 * locations),
            },
            detail,
        }
    }

    #[test]
    fn counts_print_with_their_qualifier() {
        let nl = Language::Nl;
        assert_eq!(Qualifier::Exact.show(Some(23), nl), "23");
        assert_eq!(Qualifier::AtLeast.show(Some(29), nl), "≥29");
        assert_eq!(Qualifier::Approximate.show(Some(24), nl), "±24");
        assert_eq!(Qualifier::Unknown.show(Some(3), nl), "onbekend");
        assert_eq!(Qualifier::Exact.show(None, Language::En), "unknown");
        assert_eq!(Qualifier::parse("approx"), Some(Qualifier::Approximate));
        assert_eq!(Qualifier::parse("ten minste"), Some(Qualifier::AtLeast));
    }

    #[test]
    fn services_without_facilities_still_get_a_zero_row() {
        let table = Table1::from_tallies(
            day(),
            ServiceType::ALL,
            &[
                tally(ServiceType::HeroinUnit, 2, ServiceDetail::default()),
                tally(ServiceType::SyringeExchange, 1, ServiceDetail::default()),
            ],
        );
        assert_eq!(table.rows.len(), 6);
        let mhu = table.row(ServiceType::HeroinUnit).unwrap();
        assert_eq!((mhu.locations, mhu.capacity), (Some(2), Some(20)));
        assert_eq!(
            table.row(ServiceType::SyringeExchange).unwrap().capacity,
            None,
            "not a capacity service"
        );
        let naloxone = table.row(ServiceType::Naloxone).unwrap();
        assert_eq!((naloxone.locations, naloxone.capacity), (Some(0), None));
        assert_eq!(naloxone.source, "register op 2026-06-01");
    }

    #[test]
    fn notes_are_computed_from_the_register() {
        let detail = ServiceDetail {
            cities: 14,
            mobile: 1,
            alcohol_room: 2,
            multi_rooms: vec![3, 2, 3],
            facility_ids: vec![1, 2, 3],
            ..ServiceDetail::default()
        };
        let table = Table1::from_tallies(
            day(),
            [ServiceType::ConsumptionRoom],
            &[tally(ServiceType::ConsumptionRoom, 23, detail)],
        );
        let row = &table.rows[0];
        assert_eq!(row.cities, Some(14));
        assert_eq!(
            row.notes,
            [
                "1 locatie met 2 aparte ruimtes",
                "2 locaties met 3 aparte ruimtes",
                "1 mobiele ruimte",
                "2 locaties hebben ook een alcoholruimte",
            ]
        );
        assert_eq!(
            row.notes_in(Language::En)[3],
            "2 locations also have an alcohol room"
        );
    }

    #[test]
    fn an_override_changes_the_qualifier_and_keeps_the_facilities() {
        let round = Round {
            id: 1,
            name: "2026".into(),
            reference_date: day(),
            scope: ServiceSet::parse(["methadone_clinic", "syringe_exchange"]).unwrap(),
            status: RoundStatus::Open,
            created_at: String::new(),
            created_by: String::new(),
            closed_at: None,
            published_at: None,
        };
        let detail = ServiceDetail {
            facility_ids: vec![7, 8],
            ..ServiceDetail::default()
        };
        let over = |service, qualifier, source: Option<&str>| CountOverride {
            service,
            qualifier,
            value: None,
            note: Some("zie bron".into()),
            source: source.map(str::to_string),
            updated_at: String::new(),
            updated_by: String::new(),
        };
        let table = Table1::for_round(
            &round,
            &[
                tally(ServiceType::MethadoneClinic, 2, detail.clone()),
                tally(ServiceType::SyringeExchange, 29, detail),
            ],
            &[
                over(
                    ServiceType::MethadoneClinic,
                    Qualifier::Unknown,
                    Some("LADIS"),
                ),
                over(ServiceType::SyringeExchange, Qualifier::AtLeast, None),
            ],
        );
        assert_eq!(table.rows.len(), 2, "only the round's scope");
        let methadone = table.row(ServiceType::MethadoneClinic).unwrap();
        assert_eq!(methadone.show_locations(Language::Nl), "onbekend");
        assert_eq!(methadone.source, "LADIS");
        assert_eq!(methadone.facility_ids, [7, 8]);
        assert_eq!(methadone.register_locations, 2);
        let exchange = table.row(ServiceType::SyringeExchange).unwrap();
        assert_eq!(exchange.show_locations(Language::Nl), "≥29");
        assert_eq!(exchange.notes, ["zie bron"]);
        assert_eq!(exchange.source, "register op 2026-06-01");
    }
}
