//! The JSON form of facilities and organisations, shared by the API and the
//! open-data export, and of their history with what changed per version.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::date::Day;
use crate::domain::facility::{Facility, FacilityStatus, LocationPrecision};
use crate::domain::geo::geo;
use crate::domain::organisation::{Organisation, OrganisationKind};
use crate::domain::provenance::{Recorded, Validity};
use crate::domain::service::ServiceType;

/// What a reader may see: the public, or a signed-in user who also sees
/// internal notes, contact people and who recorded each change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Internal,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacilityJson {
    pub id: i64,
    pub name: String,
    /// `null`: the operator is not known.
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub services: Vec<ServiceType>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// The service's public telephone number, never a person's.
    pub phone: Option<String>,
    pub municipality_code: String,
    pub municipality: Option<String>,
    pub province_code: Option<String>,
    pub province: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_precision: Option<LocationPrecision>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// On the day asked for (`as_of`, default today).
    pub status: FacilityStatus,
    pub public_access: bool,
    pub mobile: bool,
    pub rooms: Option<u32>,
    pub capacity: Option<u32>,
    pub opening_hours: Option<String>,
    pub referral_required: Option<bool>,
    pub intake_required: Option<bool>,
    pub target_groups: Option<String>,
    pub max_minutes_per_visit: Option<u32>,
    pub max_visits_per_day: Option<u32>,
    /// Counted facts: alcohol_room, softdrugs_only.
    pub features: Vec<String>,
    /// Internal notes; only for signed-in readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(flatten)]
    pub provenance: ProvenanceJson,
}

/// Provenance and place in history of one version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvenanceJson {
    /// `survey`, `phone`, `website`, `ladis`, `inventory`, `manual`, `import` or `other`, with detail.
    pub source: String,
    pub verified_on: Option<NaiveDate>,
    pub recorded_at: String,
    /// Only for signed-in readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_note: Option<String>,
    pub version: i64,
    /// The first day this version holds; null: since the beginning.
    pub valid_from: Option<NaiveDate>,
    /// The first day it no longer holds; null: still current.
    pub valid_to: Option<NaiveDate>,
    /// When a researcher's correction replaced this version; it then no
    /// longer counts but stays in the history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_at: Option<String>,
}

impl ProvenanceJson {
    fn new(recorded: &Recorded, validity: &Validity, audience: Audience) -> ProvenanceJson {
        let internal = audience == Audience::Internal;
        ProvenanceJson {
            source: recorded.source.to_string(),
            verified_on: recorded.verified_on.map(Day::date),
            recorded_at: recorded.recorded_at.clone(),
            recorded_by: internal.then(|| recorded.recorded_by.clone()),
            change_note: recorded.note.clone().filter(|_| internal),
            version: validity.version,
            valid_from: validity.valid_from,
            valid_to: validity.valid_to,
            superseded_at: validity.superseded_at.clone(),
        }
    }
}

impl FacilityJson {
    pub fn new(facility: &Facility, day: NaiveDate, audience: Audience) -> FacilityJson {
        let f = &facility.fields;
        let municipality = geo().municipality(&f.municipality_code);
        FacilityJson {
            id: facility.id,
            name: f.name.clone(),
            organisation_id: facility.organisation_id,
            organisation: facility.organisation_name.clone(),
            services: f.services.iter().collect(),
            street: f.street.clone(),
            postcode: f.postcode.as_ref().map(|p| p.as_str().to_string()),
            city: f.city.clone(),
            phone: f.phone.as_ref().map(|p| p.as_str().to_string()),
            municipality_code: f.municipality_code.clone(),
            municipality: municipality.map(|m| m.name.clone()),
            province_code: municipality.map(|m| m.province_code.clone()),
            province: municipality.map(|m| m.province_name.clone()),
            latitude: f.location.map(|l| l.latitude),
            longitude: f.location.map(|l| l.longitude),
            location_precision: f.location.map(|l| l.precision),
            opened_on: f.opened_on.map(Day::date),
            closed_on: f.closed_on.map(Day::date),
            status: facility.status_on(day),
            public_access: f.public_access,
            mobile: f.mobile,
            rooms: f.rooms.map(|n| n.get()),
            capacity: f.capacity.map(|n| n.get()),
            opening_hours: f.opening_hours.as_ref().map(|h| h.as_str().to_string()),
            referral_required: f.access.referral_required,
            intake_required: f.access.intake_required,
            target_groups: f.access.target_groups.clone(),
            max_minutes_per_visit: f.access.max_minutes_per_visit.map(|n| n.get()),
            max_visits_per_day: f.access.max_visits_per_day.map(|n| n.get()),
            features: f.features.codes(),
            notes: f.notes.clone().filter(|_| audience == Audience::Internal),
            provenance: ProvenanceJson::new(&facility.recorded, &facility.validity, audience),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationJson {
    pub id: i64,
    pub name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
    /// Contact details; only for signed-in readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(flatten)]
    pub provenance: ProvenanceJson,
}

impl OrganisationJson {
    pub fn new(organisation: &Organisation, audience: Audience) -> OrganisationJson {
        let f = &organisation.fields;
        let internal = |v: &Option<String>| v.clone().filter(|_| audience == Audience::Internal);
        OrganisationJson {
            id: organisation.id,
            name: f.name.clone(),
            kind: f.kind,
            website: f.website.clone(),
            contact_name: internal(&f.contact_name),
            contact_email: internal(&f.contact_email),
            contact_phone: internal(&f.contact_phone),
            notes: internal(&f.notes),
            provenance: ProvenanceJson::new(
                &organisation.recorded,
                &organisation.validity,
                audience,
            ),
        }
    }
}

/// One field that differs between a version and the one before it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// One version of a facility, with what it changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacilityVersion {
    pub changes: Vec<FieldChange>,
    pub record: FacilityJson,
}

/// One version of an organisation, with what it changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationVersion {
    pub changes: Vec<FieldChange>,
    pub record: OrganisationJson,
}

/// Fields that describe a version rather than the thing itself.
const VERSION_FIELDS: &[&str] = &[
    "version",
    "valid_from",
    "valid_to",
    "superseded_at",
    "recorded_at",
    "recorded_by",
    "source",
    "verified_on",
    "change_note",
    "status",
];

/// Pairs each version with the fields it changed; the first version lists
/// every field it set.
pub fn history<T: Serialize>(versions: Vec<T>) -> Vec<(Vec<FieldChange>, T)> {
    let mut previous = Value::Null;
    versions
        .into_iter()
        .map(|record| {
            let current = serde_json::to_value(&record).unwrap_or(Value::Null);
            let mut changes = Vec::new();
            if let Value::Object(fields) = &current {
                for (field, after) in fields {
                    if VERSION_FIELDS.contains(&field.as_str()) {
                        continue;
                    }
                    let before = previous.get(field).cloned().unwrap_or(Value::Null);
                    if &before != after {
                        changes.push(FieldChange {
                            field: field.clone(),
                            before,
                            after: after.clone(),
                        });
                    }
                }
            }
            previous = current;
            (changes, record)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Thing {
        name: &'static str,
        hours: Option<&'static str>,
        version: i64,
    }

    #[test]
    fn history_lists_only_what_each_version_changed() {
        let entries = history(vec![
            Thing {
                name: "A",
                hours: None,
                version: 1,
            },
            Thing {
                name: "A",
                hours: Some("Mo 09:00-17:00"),
                version: 2,
            },
        ]);
        assert_eq!(entries[0].0.len(), 1, "first version sets the name");
        assert_eq!(
            entries[1].0,
            vec![FieldChange {
                field: "hours".into(),
                before: Value::Null,
                after: Value::String("Mo 09:00-17:00".into()),
            }]
        );
    }
}
