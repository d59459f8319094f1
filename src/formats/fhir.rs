//! The register as FHIR R4 resources for the IHE mCSD directory: an
//! Organization per organisation, a FacilityOrganization and a
//! FacilityLocation per facility, a HealthcareService per service a
//! facility ever offered; and the Bundles and OperationOutcomes around them.
//!
//! Resources are built as `serde_json` values, not with a FHIR crate: the
//! Rust FHIR model crates generate every R4 resource type, are large and
//! build slowly on the two cores vangnet is built on, for the three
//! resource types needed here. The output is checked instead against the
//! official FHIR R4 JSON Schema and parsed with Python's `fhir.resources`
//! in the tests (tests/it/exchange/fhir.rs).
//!
//! One register version is one FHIR version: `meta.versionId` is the
//! facility's (or organisation's) version number, `meta.lastUpdated` when
//! it was recorded. A FacilityOrganization and the HealthcareServices of a
//! facility share its versions. Nothing is ever deleted: a closed facility
//! is an `inactive` Location, a service no longer offered an inactive
//! HealthcareService. Internal notes and contact people are never part of
//! a resource, whoever asks.

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::geo::geo;
use crate::domain::hours::editor::WeekSchedule;
use crate::domain::hours::OpeningHoursText;
use crate::domain::language::Language;
use crate::domain::organisation::Organisation;
use crate::domain::service::ServiceType;
use crate::domain::text::text;

/// The mCSD code system of Organization and Location types (`facility`,
/// `jurisdiction`), as published in mCSD 3.x and 4.x.
pub const MCSD_TYPES: &str =
    "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";
/// vangnet's naming systems: the register's ids.
pub const FACILITY_IDS: &str = "https://vangnet.nl/fhir/NamingSystem/facility-id";
pub const ORGANISATION_IDS: &str = "https://vangnet.nl/fhir/NamingSystem/organisation-id";
/// CBS municipality codes (gemeentecode, `GM0344`).
pub const CBS_MUNICIPALITY: &str = "https://vangnet.nl/fhir/NamingSystem/cbs-gemeentecode";
/// vangnet's code systems: the six service kinds and organisation kinds.
pub const SERVICE_TYPES: &str = "https://vangnet.nl/fhir/CodeSystem/service-type";
pub const ORGANISATION_KINDS: &str = "https://vangnet.nl/fhir/CodeSystem/organisation-kind";
const PHYSICAL_TYPES: &str = "http://terminology.hl7.org/CodeSystem/location-physical-type";

/// The resource types the directory serves.
pub const TYPES: [&str; 3] = ["Organization", "Location", "HealthcareService"];

/// The id of a facility's FacilityOrganization (organisations keep their
/// register id, so facility ids get a prefix).
pub fn facility_organization_id(facility_id: i64) -> String {
    format!("facility-{facility_id}")
}

/// The id of a facility's HealthcareService for one service (FHIR ids
/// allow letters, digits, `-` and `.`).
pub fn healthcare_service_id(facility_id: i64, service: ServiceType) -> String {
    format!("{facility_id}-{}", service.code().replace('_', "-"))
}

/// The facility and service a HealthcareService id names.
pub fn parse_healthcare_service_id(id: &str) -> Option<(i64, ServiceType)> {
    let (facility, service) = id.split_once('-')?;
    Some((
        facility.parse().ok()?,
        ServiceType::parse(&service.replace('-', "_"))?,
    ))
}

fn meta(version: i64, recorded_at: &str) -> Value {
    json!({"versionId": version.to_string(), "lastUpdated": recorded_at})
}

/// A facility's Location status on `day`: closed ones are inactive,
/// planned ones (not open yet) suspended.
pub fn location_status(facility: &Facility, day: NaiveDate) -> &'static str {
    match facility.status_on(day) {
        FacilityStatus::Open => "active",
        FacilityStatus::Planned => "suspended",
        FacilityStatus::Closed => "inactive",
    }
}

fn service_coding(service: ServiceType) -> Value {
    json!({
        "system": SERVICE_TYPES,
        "code": service.code(),
        "display": text(Language::En, &format!("service.{}", service.code()), &[]),
    })
}

fn mcsd_facility() -> Value {
    json!({"coding": [{"system": MCSD_TYPES, "code": "facility", "display": "Facility"}]})
}

/// An organisation as an Organization.
pub fn organization(o: &Organisation) -> Value {
    let mut r = json!({
        "resourceType": "Organization",
        "id": o.id.to_string(),
        "meta": meta(o.validity.version, &o.recorded.recorded_at),
        "identifier": [{"system": ORGANISATION_IDS, "value": o.id.to_string()}],
        "active": true,
        "type": [{"coding": [{"system": ORGANISATION_KINDS, "code": o.fields.kind.code()}]}],
        "name": o.fields.name,
    });
    if let Some(website) = &o.fields.website {
        r["telecom"] = json!([{"system": "url", "value": website}]);
    }
    r
}

/// A facility's FacilityOrganization: the facility as an organisation,
/// part of its operator when known.
pub fn facility_organization(f: &Facility, day: NaiveDate) -> Value {
    let mut r = json!({
        "resourceType": "Organization",
        "id": facility_organization_id(f.id),
        "meta": meta(f.validity.version, &f.recorded.recorded_at),
        "identifier": [{"system": FACILITY_IDS, "value": f.id.to_string()}],
        "active": f.status_on(day) != FacilityStatus::Closed,
        "type": [mcsd_facility()],
        "name": f.fields.name,
    });
    if let Some(operator) = f.organisation_id {
        r["partOf"] = json!({"reference": format!("Organization/{operator}")});
    }
    r
}

/// A facility's FacilityLocation.
pub fn location(f: &Facility, day: NaiveDate) -> Value {
    let fields = &f.fields;
    let mut types = vec![mcsd_facility()];
    types.extend(
        fields
            .services
            .iter()
            .map(|s| json!({"coding": [service_coding(s)]})),
    );
    let mut r = json!({
        "resourceType": "Location",
        "id": f.id.to_string(),
        "meta": meta(f.validity.version, &f.recorded.recorded_at),
        "identifier": [
            {"system": FACILITY_IDS, "value": f.id.to_string()},
            {"system": CBS_MUNICIPALITY, "value": fields.municipality_code,
             "type": {"text": "CBS gemeentecode"}},
        ],
        "status": location_status(f, day),
        "name": fields.name,
        "mode": "instance",
        "type": types,
        "physicalType": {"coding": [if fields.mobile {
            json!({"system": PHYSICAL_TYPES, "code": "ve", "display": "Vehicle"})
        } else {
            json!({"system": PHYSICAL_TYPES, "code": "bu", "display": "Building"})
        }]},
        "managingOrganization": {"reference": format!("Organization/{}", facility_organization_id(f.id))},
    });
    if let Some(phone) = &fields.phone {
        r["telecom"] = json!([{"system": "phone", "value": phone.as_str(), "use": "work"}]);
    }
    let mut address = Map::new();
    address.insert("use".into(), json!("work"));
    address.insert("type".into(), json!("physical"));
    if let Some(street) = &fields.street {
        address.insert("line".into(), json!([street]));
    }
    if let Some(city) = &fields.city {
        address.insert("city".into(), json!(city));
    }
    if let Some(m) = geo().municipality(&fields.municipality_code) {
        address.insert("district".into(), json!(m.name));
        address.insert("state".into(), json!(m.province_name));
    }
    if let Some(postcode) = &fields.postcode {
        address.insert("postalCode".into(), json!(postcode.as_str()));
    }
    address.insert("country".into(), json!("NL"));
    r["address"] = Value::Object(address);
    if let Some(p) = &fields.location {
        r["position"] = json!({"longitude": p.longitude, "latitude": p.latitude});
    }
    if let Some(hours) = &fields.opening_hours {
        let (week, words) = hours_of_operation(hours);
        if !week.is_empty() {
            r["hoursOfOperation"] = Value::Array(week);
        }
        if let Some(words) = words {
            r["availabilityExceptions"] = json!(words);
        }
    }
    r
}

/// One HealthcareService: `service` at facility `f`; inactive when the
/// facility no longer offers it or is closed.
pub fn healthcare_service(f: &Facility, service: ServiceType, day: NaiveDate) -> Value {
    let fields = &f.fields;
    let offered = fields.services.contains(service) && f.status_on(day) != FacilityStatus::Closed;
    let label = text(Language::Nl, &format!("service.{}", service.code()), &[]);
    let mut r = json!({
        "resourceType": "HealthcareService",
        "id": healthcare_service_id(f.id, service),
        "meta": meta(f.validity.version, &f.recorded.recorded_at),
        "identifier": [{"system": FACILITY_IDS, "value": format!("{}/{}", f.id, service.code())}],
        "active": offered,
        "providedBy": {"reference": format!("Organization/{}", facility_organization_id(f.id))},
        "type": [{"coding": [service_coding(service)]}],
        "location": [{"reference": format!("Location/{}", f.id)}],
        "name": format!("{} – {label}", fields.name),
    });
    if let Some(phone) = &fields.phone {
        r["telecom"] = json!([{"system": "phone", "value": phone.as_str(), "use": "work"}]);
    }
    let access = &fields.access;
    let mut eligibility = Vec::new();
    if let Some(required) = access.referral_required {
        let t = if required {
            "Verwijzing nodig / referral required"
        } else {
            "Geen verwijzing nodig / no referral needed"
        };
        eligibility.push(json!({"code": {"text": t}}));
    }
    if let Some(required) = access.intake_required {
        let t = if required {
            "Intake nodig / intake required"
        } else {
            "Geen intake nodig / no intake needed"
        };
        eligibility.push(json!({"code": {"text": t}}));
    }
    if let Some(groups) = &access.target_groups {
        eligibility.push(json!({"code": {"text": "Doelgroep / target group"}, "comment": groups}));
    }
    if !eligibility.is_empty() {
        r["eligibility"] = Value::Array(eligibility);
    }
    if let Some(hours) = &fields.opening_hours {
        let (week, words) = hours_of_operation(hours);
        // HealthcareService names the same times differently.
        let week: Vec<Value> = week
            .into_iter()
            .map(|mut t| {
                if let Some(o) = t.as_object_mut() {
                    for (from, to) in [
                        ("openingTime", "availableStartTime"),
                        ("closingTime", "availableEndTime"),
                    ] {
                        if let Some(v) = o.remove(from) {
                            o.insert(to.into(), v);
                        }
                    }
                }
                t
            })
            .collect();
        if !week.is_empty() {
            r["availableTime"] = Value::Array(week);
        }
        if let Some(words) = words {
            r["availabilityExceptions"] = json!(words);
        }
    }
    r
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// FHIR's time (`09:00:00`) from a form time (`09:00`); `24:00` is not a
/// FHIR time and `None`.
fn fhir_time(t: &str) -> Option<String> {
    let (h, m) = t.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}:00"))
}

/// Opening hours as weekly `hoursOfOperation` where the rule is a plain
/// week (times per weekday), and in words (Dutch / English) whenever it
/// says more (public holidays, dates, past midnight, comments) or nothing
/// weekly at all.
pub fn hours_of_operation(hours: &OpeningHoursText) -> (Vec<Value>, Option<String>) {
    let words = || {
        hours.hours().map(|h| {
            format!(
                "{} / {}",
                h.in_words(Language::Nl),
                h.in_words(Language::En)
            )
        })
    };
    let Some(week) = WeekSchedule::from_text(hours) else {
        return (Vec::new(), words());
    };
    let mut out = Vec::new();
    for (code, day) in DAYS.iter().zip(&week.days) {
        if day.closed {
            continue;
        }
        for span in day.spans.iter().filter(|s| !s.from.trim().is_empty()) {
            let from = fhir_time(&span.from);
            let to = fhir_time(&span.to);
            match (from.as_deref(), to.as_deref(), span.to.trim()) {
                (Some("00:00:00"), None, "24:00") => {
                    out.push(json!({"daysOfWeek": [code], "allDay": true}));
                }
                (Some(from), Some(to), _) if from < to => {
                    out.push(json!({"daysOfWeek": [code], "openingTime": from, "closingTime": to}));
                }
                // Past midnight or unreadable: the words say it.
                _ => return (Vec::new(), words()),
            }
        }
    }
    let exceptions = week
        .exceptions
        .iter()
        .any(|e| !e.start.trim().is_empty() || !e.end.trim().is_empty());
    let more = week.holidays_closed || exceptions;
    (out, if more { words() } else { None })
}

/// An OperationOutcome with one issue.
pub fn operation_outcome(severity: &str, code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(text: &str) -> (Vec<Value>, Option<String>) {
        hours_of_operation(&OpeningHoursText::parse(text).unwrap())
    }

    #[test]
    fn a_plain_week_becomes_hours_of_operation_without_words() {
        let (week, words) = hours("Mo-Fr 09:00-12:00,13:00-17:00");
        assert_eq!(week.len(), 10);
        assert_eq!(week[1]["openingTime"], "13:00:00");
        assert_eq!(week[1]["daysOfWeek"], json!(["mon"]));
        assert_eq!(words, None);
    }

    #[test]
    fn what_a_week_cannot_say_is_said_in_words() {
        let (week, words) = hours("Fr 22:00-02:00");
        assert!(week.is_empty(), "past midnight is not a FHIR time range");
        assert!(words.is_some());
        let (week, words) = hours("Mo-Fr 09:00-17:00; PH off");
        assert_eq!(week.len(), 5);
        assert!(words.unwrap().contains('/'), "Dutch / English");
    }

    #[test]
    fn around_the_clock_is_all_day() {
        let (week, _) = hours("Mo-Su 00:00-24:00");
        assert_eq!(week.len(), 7);
        assert_eq!(week[0]["allDay"], true);
    }

    #[test]
    fn service_ids_read_back() {
        let id = healthcare_service_id(12, ServiceType::SyringeExchange);
        assert_eq!(id, "12-syringe-exchange");
        assert_eq!(
            parse_healthcare_service_id(&id),
            Some((12, ServiceType::SyringeExchange))
        );
        assert_eq!(parse_healthcare_service_id("12-syringe"), None);
    }
}
