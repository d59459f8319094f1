//! Open Referral HSDS 3.0 (Human Services Data Specification): the public
//! register as HSDS objects, in the shapes of the specification's compiled
//! JSON Schemas (`schema/compiled/*.json`, branch 3.0) and its API's paging
//! envelope. What is public is decided by the caller (`exchange::hsds`);
//! this module only writes.
//!
//! Mapping: an organisation is an `organization`; a facility is a
//! `location` (physical, with its address and position); each service kind
//! a facility offers is a `service` of that organisation, at that location
//! through one `service_at_location`. The facility's public telephone number
//! is the service's `phone` (never a person's: HSDS `contacts` stay empty);
//! its opening hours become `schedule`s (see [`schedules`]); the service
//! kind is also an `attribute` with a term of vangnet's own taxonomy.
//!
//! HSDS wants UUIDs: every id is a UUID v5 (RFC 9562, SHA-1 over a name)
//! in a vangnet namespace, from the register's ids ([`id`]), so it is the
//! same on every export and server and needs no table of its own.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};

use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::geo::geo;
use crate::domain::hours::editor::{DayRow, WeekSchedule};
use crate::domain::language::Language;
use crate::domain::organisation::Organisation;
use crate::domain::service::ServiceType;
use crate::domain::text::text;

/// The HSDS version these objects follow.
pub const VERSION: &str = "3.0";
/// The specification's description of the API.
pub const OPENAPI_URL: &str =
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json";

/// RFC 9562's namespace for URLs.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// UUID version 5: the first 16 bytes of SHA-1(namespace ‖ name), with
/// the version and variant bits set.
fn uuid_v5(namespace: [u8; 16], name: &str) -> [u8; 16] {
    let mut hasher = Sha1::new();
    hasher.update(namespace);
    hasher.update(name.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}

fn uuid_text(b: [u8; 16]) -> String {
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The stable UUID of a vangnet object named like `service/12/naloxone`.
pub fn id(name: &str) -> String {
    let namespace = uuid_v5(NAMESPACE_URL, "urn:vangnet:hsds");
    uuid_text(uuid_v5(namespace, name))
}

pub fn organization_id(organisation: i64) -> String {
    id(&format!("organization/{organisation}"))
}

pub fn service_id(facility: i64, kind: ServiceType) -> String {
    id(&format!("service/{facility}/{}", kind.code()))
}

pub fn location_id(facility: i64) -> String {
    id(&format!("location/{facility}"))
}

pub fn service_at_location_id(facility: i64, kind: ServiceType) -> String {
    id(&format!("service_at_location/{facility}/{}", kind.code()))
}

fn taxonomy_term_id(kind: ServiceType) -> String {
    id(&format!("taxonomy_term/{}", kind.code()))
}

/// A public facility as HSDS shows it: its version in force on the day,
/// its status then, and when it or its organisation last changed.
#[derive(Debug, Clone)]
pub struct Listed {
    pub facility: Facility,
    pub status: FacilityStatus,
    pub last_modified: DateTime<Utc>,
}

/// What the objects are built from: the day they describe, the public
/// facilities and the organisations.
#[derive(Debug, Clone)]
pub struct Directory {
    pub day: NaiveDate,
    pub facilities: Vec<Listed>,
    pub organisations: Vec<Organisation>,
}

/// How much of an object to write: the API's list shape (one-to-one
/// fields) or the full nested object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    List,
    Full,
}

/// The start of a day in Europe/Amsterdam, in UTC: when a dated change
/// (a new version, an opening, a closure) took effect.
pub fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Amsterdam
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(
            || Utc.from_utc_datetime(&midnight),
            |t| t.with_timezone(&Utc),
        )
}

/// When a facility as shown on `day` last changed: its version recorded,
/// the version taking effect, its opening or closing day passed, or its
/// organisation's version recorded (`organisation_recorded`).
pub fn last_modified(
    facility: &Facility,
    day: NaiveDate,
    organisation_recorded: Option<&str>,
) -> DateTime<Utc> {
    let recorded = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .ok()
    };
    let dates = [
        facility.validity.valid_from,
        Some(facility.counts_from),
        facility.fields.closed_on.map(|d| d.date()),
    ];
    dates
        .into_iter()
        .flatten()
        .filter(|d| *d <= day)
        .map(start_of_day)
        .chain(recorded(&facility.recorded.recorded_at))
        .chain(organisation_recorded.and_then(recorded))
        .max()
        .unwrap_or_else(|| start_of_day(day))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// HSDS's service status for a facility's status.
fn status(status: FacilityStatus) -> &'static str {
    match status {
        FacilityStatus::Open => "active",
        FacilityStatus::Planned => "inactive",
        FacilityStatus::Closed => "defunct",
    }
}

/// Sets the fields whose values are `Some`, leaving out the others (HSDS
/// has no nulls in its schemas).
fn put(object: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        object.insert(key.to_string(), value.into());
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Directory {
    pub fn organisation(&self, id: i64) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.id == id)
    }

    /// Every (facility, service kind) pair: the services, in register order.
    pub fn services(&self) -> impl Iterator<Item = (&Listed, ServiceType)> {
        self.facilities
            .iter()
            .flat_map(|l| l.facility.fields.services.iter().map(move |k| (l, k)))
    }

    /// When an organisation (or any of its public facilities) last changed.
    pub fn organisation_modified(&self, organisation: &Organisation) -> Option<DateTime<Utc>> {
        self.facilities
            .iter()
            .filter(|l| l.facility.organisation_id == Some(organisation.id))
            .map(|l| l.last_modified)
            .chain(
                DateTime::parse_from_rfc3339(&organisation.recorded.recorded_at)
                    .ok()
                    .map(|t| t.with_timezone(&Utc)),
            )
            .max()
    }

    /// An organization; in full with its locations and services (those in
    /// `service_shape`).
    pub fn organization(
        &self,
        o: &Organisation,
        shape: Shape,
        service_shape: Shape,
        lang: Language,
    ) -> Value {
        let kind = text(
            lang,
            &format!("register.organisation.kind.{}", o.fields.kind.code()),
            &[],
        );
        let mut out = object(json!({
            "id": organization_id(o.id),
            "name": o.fields.name,
            "description": text(lang, "hsds.organization.description", &[("kind", kind)]),
        }));
        put(&mut out, "website", o.fields.website.clone());
        if shape == Shape::Full {
            let own: Vec<&Listed> = self
                .facilities
                .iter()
                .filter(|l| l.facility.organisation_id == Some(o.id))
                .collect();
            out.insert(
                "locations".into(),
                own.iter().map(|l| location(l, lang)).collect(),
            );
            out.insert(
                "services".into(),
                own.iter()
                    .flat_map(|l| l.facility.fields.services.iter().map(move |k| (*l, k)))
                    .map(|(l, k)| self.service(l, k, service_shape, false, lang))
                    .collect(),
            );
            out.insert(
                "organization_identifiers".into(),
                json!([{
                    "id": id(&format!("organization_identifier/{}", o.id)),
                    "organization_id": organization_id(o.id),
                    "identifier_scheme": "vangnet",
                    "identifier_type": text(lang, "hsds.identifier.organisation", &[]),
                    "identifier": o.id.to_string(),
                }]),
            );
            out.insert("contacts".into(), json!([]));
        }
        Value::Object(out)
    }

    /// A service: one kind of service at one facility. In full with its
    /// phone, schedules, attributes and, when `with_locations`, its
    /// service_at_location.
    pub fn service(
        &self,
        l: &Listed,
        kind: ServiceType,
        shape: Shape,
        with_locations: bool,
        lang: Language,
    ) -> Value {
        let f = &l.facility;
        let sid = service_id(f.id, kind);
        let kind_name = text(lang, &format!("register.service.{}", kind.code()), &[]);
        let mut out = object(json!({
            "id": sid,
            "name": format!("{kind_name} – {}", f.fields.name),
            "description": text(lang, &format!("hsds.service.{}", kind.code()), &[]),
            "status": status(l.status),
            "last_modified": timestamp(l.last_modified),
        }));
        put(
            &mut out,
            "organization_id",
            f.organisation_id.map(organization_id),
        );
        put(&mut out, "eligibility_description", eligibility(f, lang));
        put(&mut out, "application_process", application(f, lang));
        if let Some(o) = f.organisation_id.and_then(|id| self.organisation(id)) {
            out.insert(
                "organization".into(),
                self.organization(o, Shape::List, Shape::List, lang),
            );
        }
        if shape == Shape::Full {
            let phones: Vec<Value> = f
                .fields
                .phone
                .iter()
                .map(|p| {
                    json!({
                        "id": id(&format!("phone/{}/{}", f.id, kind.code())),
                        "service_id": sid,
                        "number": p.as_str(),
                        "type": "voice",
                    })
                })
                .collect();
            out.insert("phones".into(), phones.into());
            out.insert(
                "schedules".into(),
                schedules(l, ("service_id", &sid), lang).into(),
            );
            out.insert(
                "attributes".into(),
                json!([{
                    "id": id(&format!("attribute/{}/{}", f.id, kind.code())),
                    "link_id": sid,
                    "link_type": "service_type",
                    "link_entity": "service",
                    "taxonomy_term_id": taxonomy_term_id(kind),
                    "taxonomy_term": taxonomy_term(kind, lang),
                }]),
            );
            out.insert("contacts".into(), json!([]));
            if with_locations {
                out.insert(
                    "service_at_locations".into(),
                    json!([self.service_at_location(l, kind, Shape::Full, false, lang)]),
                );
            }
        }
        Value::Object(out)
    }

    /// A service at its location; in full with the location's address and
    /// schedules, and, when `with_service`, the service.
    pub fn service_at_location(
        &self,
        l: &Listed,
        kind: ServiceType,
        shape: Shape,
        with_service: bool,
        lang: Language,
    ) -> Value {
        let f = &l.facility;
        let said = service_at_location_id(f.id, kind);
        let mut out = object(json!({
            "id": said,
            "service_id": service_id(f.id, kind),
            "location_id": location_id(f.id),
            "location": location(l, lang),
        }));
        if with_service {
            out.insert("service".into(), self.service(l, kind, shape, false, lang));
        }
        if shape == Shape::Full {
            out.insert(
                "schedules".into(),
                schedules(l, ("service_at_location_id", &said), lang).into(),
            );
            out.insert("contacts".into(), json!([]));
        }
        Value::Object(out)
    }
}

/// vangnet's taxonomy term for a service kind.
fn taxonomy_term(kind: ServiceType, lang: Language) -> Value {
    json!({
        "id": taxonomy_term_id(kind),
        "code": kind.code(),
        "name": text(lang, &format!("register.service.{}", kind.code()), &[]),
        "description": text(lang, &format!("hsds.service.{}", kind.code()), &[]),
        "taxonomy": "vangnet service kinds",
        "language": lang.code(),
    })
}

/// A facility's place: physical, with its address when the register has a
/// whole one (HSDS requires street, city, province and postcode) and its
/// position.
fn location(l: &Listed, lang: Language) -> Value {
    let f = &l.facility;
    let lid = location_id(f.id);
    let mut out = object(json!({
        "id": lid,
        "location_type": "physical",
        "name": f.fields.name,
        "external_identifier": f.id.to_string(),
        "external_identifier_type": text(lang, "hsds.identifier.facility", &[]),
    }));
    put(
        &mut out,
        "organization_id",
        f.organisation_id.map(organization_id),
    );
    if f.fields.mobile {
        out.insert(
            "description".into(),
            text(lang, "hsds.location.mobile", &[]).into(),
        );
    }
    if let Some(position) = &f.fields.location {
        out.insert("latitude".into(), position.latitude.into());
        out.insert("longitude".into(), position.longitude.into());
    }
    let municipality = geo().municipality(&f.fields.municipality_code);
    let city = f
        .fields
        .city
        .clone()
        .or_else(|| municipality.map(|m| m.name.clone()));
    let addresses: Vec<Value> = match (&f.fields.street, &f.fields.postcode, city, municipality) {
        (Some(street), Some(postcode), Some(city), Some(m)) => vec![json!({
            "id": id(&format!("address/{}", f.id)),
            "location_id": lid,
            "address_1": street,
            "city": city,
            "region": m.name,
            "state_province": m.province_name,
            "postal_code": postcode.as_str(),
            "country": "NL",
            "address_type": "physical",
        })],
        _ => Vec::new(),
    };
    out.insert("addresses".into(), addresses.into());
    out.insert(
        "schedules".into(),
        schedules(l, ("location_id", &lid), lang).into(),
    );
    out.insert("contacts".into(), json!([]));
    Value::Object(out)
}

/// Who the service is for, in words: target groups and the register's
/// access rules.
fn eligibility(f: &Facility, lang: Language) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(groups) = &f.fields.access.target_groups {
        parts.push(text(
            lang,
            "hsds.eligibility.groups",
            &[("groups", groups.clone())],
        ));
    }
    if let Some(minutes) = f.fields.access.max_minutes_per_visit {
        parts.push(text(
            lang,
            "hsds.eligibility.minutes",
            &[("n", minutes.get().to_string())],
        ));
    }
    if let Some(visits) = f.fields.access.max_visits_per_day {
        parts.push(text(
            lang,
            "hsds.eligibility.visits",
            &[("n", visits.get().to_string())],
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// How to get the service: whether a referral or an intake is needed.
fn application(f: &Facility, lang: Language) -> Option<String> {
    let mut parts = Vec::new();
    match f.fields.access.referral_required {
        Some(true) => parts.push(text(lang, "hsds.application.referral", &[])),
        Some(false) => parts.push(text(lang, "hsds.application.no_referral", &[])),
        None => {}
    }
    match f.fields.access.intake_required {
        Some(true) => parts.push(text(lang, "hsds.application.intake", &[])),
        Some(false) => parts.push(text(lang, "hsds.application.no_intake", &[])),
        None => {}
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// RFC 5545 day codes, Monday first.
const BYDAY: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// The opening hours as HSDS schedules, owned by `owner` (its id field and
/// id). Hours a week can say (per weekday one or more from–to times) are
/// one weekly schedule per time span with the days that share it
/// (`freq` WEEKLY, `byday`, `opens_at`, `closes_at`, `valid_from` the day
/// the register's version took effect); anything else (holidays, dated
/// exceptions, months, sun times) is one schedule with the hours in words
/// as `description`. Every schedule carries the original OpenStreetMap
/// text in `notes`, so nothing is lost.
pub fn schedules(l: &Listed, owner: (&str, &str), lang: Language) -> Vec<Value> {
    let f = &l.facility;
    let Some(hours) = &f.fields.opening_hours else {
        return Vec::new();
    };
    let (owner_field, owner_id) = owner;
    let schedule_id = |n: usize| id(&format!("schedule/{owner_id}/{n}"));
    let notes = text(
        lang,
        "hsds.schedule.notes",
        &[("hours", hours.as_str().to_string())],
    );
    let words = hours.hours().map(|h| h.in_words(lang));
    let weekly = WeekSchedule::from_text(hours)
        .filter(|w| !w.holidays_closed && w.exceptions.iter().all(|e| e.start.is_empty()));
    let Some(week) = weekly else {
        let mut out = object(json!({
            "id": schedule_id(0),
            owner_field: owner_id,
            "notes": notes,
        }));
        put(&mut out, "description", words);
        return vec![Value::Object(out)];
    };
    // Each distinct span, with the days that have it, in week order.
    let mut spans: Vec<((String, String), Vec<usize>)> = Vec::new();
    for (day, row) in week.days.iter().enumerate() {
        for span in open_spans(row) {
            match spans.iter_mut().find(|(s, _)| *s == span) {
                Some((_, days)) => days.push(day),
                None => spans.push((span, vec![day])),
            }
        }
    }
    spans
        .into_iter()
        .enumerate()
        .map(|(n, ((opens, closes), days))| {
            let mut out = object(json!({
                "id": schedule_id(n),
                owner_field: owner_id,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": days.iter().map(|d| BYDAY[*d]).collect::<Vec<_>>().join(","),
                "opens_at": opens,
                "closes_at": closes,
                "notes": notes,
            }));
            put(&mut out, "description", words.clone());
            put(
                &mut out,
                "valid_from",
                f.validity.valid_from.map(|d| d.to_string()),
            );
            Value::Object(out)
        })
        .collect()
}

/// A weekday's filled time spans (none when closed).
fn open_spans(row: &DayRow) -> Vec<(String, String)> {
    if row.closed {
        return Vec::new();
    }
    row.spans
        .iter()
        .filter(|s| !s.from.is_empty() && !s.to.is_empty())
        .map(|s| (s.from.clone(), s.to.clone()))
        .collect()
}

/// The HSDS API's paging envelope around one page of `items` out of
/// `total`.
pub fn page(contents: Vec<Value>, total: usize, page_number: usize, per_page: usize) -> Value {
    let total_pages = total.div_ceil(per_page).max(1);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": contents.len(),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_matches_the_rfc_example() {
        // RFC 9562's namespace DNS and Python's uuid.uuid5(NAMESPACE_DNS, "python.org").
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(
            uuid_text(uuid_v5(dns, "python.org")),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(
            service_id(7, ServiceType::Naloxone),
            service_id(7, ServiceType::Naloxone)
        );
        assert_ne!(
            service_id(7, ServiceType::Naloxone),
            service_id(8, ServiceType::Naloxone)
        );
        assert_ne!(location_id(7), organization_id(7));
    }

    #[test]
    fn every_service_kind_has_its_description_in_both_languages() {
        for lang in Language::ALL {
            for kind in ServiceType::ALL {
                let key = format!("hsds.service.{}", kind.code());
                assert!(
                    crate::domain::text::catalogue(lang).contains_key(&key),
                    "{key} in {}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn the_envelope_counts_pages() {
        let p = page(vec![json!(1), json!(2)], 5, 3, 2);
        assert_eq!(p["total_pages"], 3);
        assert_eq!(p["last_page"], true);
        assert_eq!(p["first_page"], false);
        let empty = page(Vec::new(), 0, 1, 50);
        assert_eq!(empty["total_pages"], 1);
        assert_eq!(empty["empty"], true);
    }
}
