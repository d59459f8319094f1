//! What changed in the public counts between two days: the types of the
//! change list (computed by `stats::changes` from the register's history),
//! which the formats write as JSON, CSV, Markdown and pages.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::language::Language;
use super::service::ServiceType;
use super::text::text;

/// How a facility's place in the public counts changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Opened (or reopened) between the two days.
    Opened,
    /// Closed between the two days.
    Closed,
    /// Open on both days, offering other services.
    ServicesChanged,
    /// Open on both days, but open to the public only on the second.
    NowPublic,
    /// Open on both days, but no longer open to the public (e.g. now for
    /// residents only) on the second. Listed with only what its last public
    /// version showed: no source, no verification day.
    NoLongerPublic,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Opened => "opened",
            ChangeKind::Closed => "closed",
            ChangeKind::ServicesChanged => "services_changed",
            ChangeKind::NowPublic => "now_public",
            ChangeKind::NoLongerPublic => "no_longer_public",
        }
    }
}

/// One facility whose place in the public counts changed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacilityChange {
    pub kind: ChangeKind,
    pub facility_id: i64,
    /// The name on the day it counted (the second day, or the first for a closure).
    pub name: String,
    pub municipality_code: String,
    pub municipality: String,
    pub province: String,
    /// When it happened: the opening day (or, when unknown, the first day a
    /// source saw it), the closing day, or the day from which the version
    /// with the new facts holds. Null when history does not say.
    pub date: Option<NaiveDate>,
    /// Services counted on the first day (empty when not counted then).
    pub services_before: Vec<ServiceType>,
    /// Services counted on the second day (empty when not counted then).
    pub services_after: Vec<ServiceType>,
    /// The source of the version that made the difference, e.g. `phone: …`;
    /// empty for `no_longer_public`, whose deciding version is not public.
    pub source: String,
    /// When that source last confirmed the facts (null for `no_longer_public`).
    pub verified_on: Option<NaiveDate>,
    /// That version's number in the facility's history; for
    /// `no_longer_public` the last public version's.
    pub version: i64,
}

impl FacilityChange {
    /// Whether the change affects the count of `service`.
    pub fn touches(&self, service: ServiceType) -> bool {
        self.services_before.contains(&service) != self.services_after.contains(&service)
    }
}

/// Per service: the counts on both days and what explains the difference.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ServiceChanges {
    pub service: ServiceType,
    /// Public locations offering the service on the first day.
    pub count_from: i64,
    /// … and on the second.
    pub count_to: i64,
    /// Locations where the service opened: new facilities, and facilities
    /// that began to offer it or became public.
    pub opened: i64,
    /// Locations where the service closed: closed facilities, and facilities
    /// that stopped offering it or stopped being public.
    pub closed: i64,
    /// Of `opened`, facilities open on both days that began to offer the service.
    pub started: i64,
    /// Of `closed`, facilities open on both days that stopped offering the service.
    pub stopped: i64,
}

impl ServiceChanges {
    /// `3 gesloten en 2 geopend sinds 2022 (van 24 naar 23)`; `since` names
    /// the first day or round.
    pub fn sentence(&self, language: Language, since: &str) -> String {
        let (from, to) = (self.count_from, self.count_to);
        let args = [
            ("since", since.to_string()),
            ("from", from.to_string()),
            ("to", to.to_string()),
            ("opened", self.opened.to_string()),
            ("closed", self.closed.to_string()),
        ];
        if self.opened == 0 && self.closed == 0 {
            text(language, "changes.sentence.none", &args)
        } else {
            text(language, "changes.sentence", &args)
        }
    }
}

/// What changed between two days.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Changes {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The rounds compared, when the days are two rounds' reference dates.
    pub from_round: Option<String>,
    pub to_round: Option<String>,
    /// One entry per service compared (every type, or those two rounds
    /// both count), in the fixed order.
    pub services: Vec<ServiceChanges>,
    /// Ordered by date (unknown last), then name.
    pub facilities: Vec<FacilityChange>,
}

impl Changes {
    /// The entry of a service, if it was compared.
    pub fn service(&self, service: ServiceType) -> Option<&ServiceChanges> {
        self.services.iter().find(|s| s.service == service)
    }

    /// Only what affects `service`: its facilities and its counts.
    pub fn only(&self, service: ServiceType) -> Changes {
        Changes {
            services: self.service(service).into_iter().cloned().collect(),
            facilities: self
                .facilities
                .iter()
                .filter(|f| f.touches(service))
                .cloned()
                .collect(),
            ..self.clone()
        }
    }
}
