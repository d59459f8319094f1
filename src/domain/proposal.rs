//! Proposed register changes (issue 14, review): what a submitted answer
//! says about each location, compared with what the register holds. Pure:
//! the campaign's use case gives the register's facts, this module says
//! what differs, and nothing reaches the register until a researcher
//! accepts a proposal.
//!
//! A location the register knows gives one proposal per register field
//! that the answer changes (the address as one: street, postcode and
//! place), one for a closing day, or, when nothing differs, one that it
//! is confirmed (accepting records that the source checked it). A new
//! location gives one proposal to add it; a new location that is a place
//! the register holds without an operator gives a proposal to name the
//! operator, and the changes to that place.
//!
//! Both sides are compared after the facility's own validation, so a
//! postcode typed `3511ab` is the register's `3511 AB` and no change.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use utoipa::ToSchema;

use super::answer::{location_input, says_closed, LocationAnswer};
use super::facility::{FacilityFields, FacilityInput};
use super::provenance::{Source, SourceKind};
use super::questionnaire::Question;

/// What a proposal would do to the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    NewLocation,
    Closed,
    Change,
    Organisation,
    Confirmed,
}

impl ProposalKind {
    pub fn code(self) -> &'static str {
        match self {
            ProposalKind::NewLocation => "new_location",
            ProposalKind::Closed => "closed",
            ProposalKind::Change => "change",
            ProposalKind::Organisation => "organisation",
            ProposalKind::Confirmed => "confirmed",
        }
    }

    pub fn parse(code: &str) -> Option<ProposalKind> {
        [
            ProposalKind::NewLocation,
            ProposalKind::Closed,
            ProposalKind::Change,
            ProposalKind::Organisation,
            ProposalKind::Confirmed,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Accepted,
    Rejected,
}

impl ProposalState {
    pub fn code(self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Accepted => "accepted",
            ProposalState::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<ProposalState> {
        match code {
            "proposed" => Some(ProposalState::Proposed),
            "accepted" => Some(ProposalState::Accepted),
            "rejected" => Some(ProposalState::Rejected),
            _ => None,
        }
    }
}

/// One proposed change, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposed {
    pub kind: ProposalKind,
    /// The facility it changes; none for a new location.
    pub facility_id: Option<i64>,
    /// The location's name, as the answer or the register gives it.
    pub location_name: String,
    /// The register field a change is about (`address` for street,
    /// postcode and place together).
    pub field: Option<String>,
    pub before: Option<Json>,
    /// A change: the field's new value (an object of fields for the
    /// address); closed: the day; new location: the facility input;
    /// organisation: the organisation's id; confirmed: null.
    pub after: Json,
}

/// The register fields a change can be about, each with the input fields
/// that hold it.
const FIELDS: &[(&str, &[&str])] = &[
    ("name", &["name"]),
    (
        "address",
        &[
            "street",
            "postcode",
            "city",
            "municipality_code",
            "latitude",
            "longitude",
        ],
    ),
    ("services", &["services"]),
    ("opened_on", &["opened_on"]),
    ("public_access", &["public_access"]),
    ("mobile", &["mobile"]),
    ("rooms", &["rooms"]),
    ("capacity", &["capacity"]),
    ("opening_hours", &["opening_hours"]),
    ("phone", &["phone"]),
    ("referral_required", &["referral_required"]),
    ("intake_required", &["intake_required"]),
    ("target_groups", &["target_groups"]),
    ("max_minutes_per_visit", &["max_minutes_per_visit"]),
    ("max_visits_per_day", &["max_visits_per_day"]),
    ("features", &["features"]),
];

/// Which of [`FIELDS`] a question's `maps_to` touches.
fn field_of(maps_to: &str) -> &'static str {
    match maps_to {
        "street" | "postcode" | "city" | "address" => "address",
        other => FIELDS
            .iter()
            .find(|(f, _)| *f == other)
            .map_or("", |(f, _)| f),
    }
}

/// The facts as the register would store them (normalised), as input.
fn normalised(input: &FacilityInput) -> Option<FacilityInput> {
    let source = Source::new(SourceKind::Survey, None);
    // Validity only matters through the facts: the day is any day.
    let today = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)?;
    let draft = input.validate(&source, today).ok()?;
    Some(fields_input(&draft.fields))
}

fn fields_input(fields: &FacilityFields) -> FacilityInput {
    fields.to_input(None)
}

fn pick(input: &FacilityInput, names: &[&str]) -> Json {
    let all = serde_json::to_value(input).unwrap_or(Json::Null);
    if names.len() == 1 {
        return all.get(names[0]).cloned().unwrap_or(Json::Null);
    }
    let mut object = serde_json::Map::new();
    for name in names {
        object.insert(
            name.to_string(),
            all.get(*name).cloned().unwrap_or(Json::Null),
        );
    }
    Json::Object(object)
}

/// The proposals for one location of a submitted answer. `current` is the
/// register's facility the location describes, or for a new location a
/// facility the register holds at the same place without an operator;
/// `named` says which of the two it is (`Some(organisation)`: name this
/// organisation as the operator of `current`).
pub fn propose(
    block: &Question,
    location: &LocationAnswer,
    current: Option<(i64, &FacilityInput)>,
    named: Option<i64>,
) -> Vec<Proposed> {
    let merged = location_input(block, location, current.map(|(_, base)| base));
    let name = merged.name.clone().unwrap_or_default();
    let Some((id, base)) = current else {
        let mut after = serde_json::to_value(&merged).unwrap_or(Json::Null);
        if let Json::Object(map) = &mut after {
            map.retain(|_, v| !v.is_null());
        }
        return vec![Proposed {
            kind: ProposalKind::NewLocation,
            facility_id: None,
            location_name: name,
            field: None,
            before: None,
            after,
        }];
    };
    let mut out = Vec::new();
    if let Some(organisation) = named {
        out.push(Proposed {
            kind: ProposalKind::Organisation,
            facility_id: Some(id),
            location_name: name.clone(),
            field: Some("organisation_id".into()),
            before: None,
            after: json!(organisation),
        });
    }
    let (Some(before), Some(after)) = (normalised(base), normalised(&merged)) else {
        // The register's own facts no longer validate (a rule changed):
        // compare as given.
        return out;
    };
    let asked: Vec<&str> = block
        .questions
        .iter()
        .filter_map(|q| q.maps_to.as_deref())
        .map(field_of)
        .collect();
    for (field, names) in FIELDS {
        if !asked.contains(field) {
            continue;
        }
        let (old, new) = (pick(&before, names), pick(&after, names));
        if old != new {
            out.push(Proposed {
                kind: ProposalKind::Change,
                facility_id: Some(id),
                location_name: name.clone(),
                field: Some(field.to_string()),
                before: Some(old),
                after: new,
            });
        }
    }
    if after.closed_on.is_some() && after.closed_on != before.closed_on {
        out.push(Proposed {
            kind: ProposalKind::Closed,
            facility_id: Some(id),
            location_name: name.clone(),
            field: Some("closed_on".into()),
            before: before.closed_on.map(|d| json!(d)),
            after: json!(after.closed_on),
        });
    }
    let nothing = out.iter().all(|p| p.kind == ProposalKind::Organisation);
    if nothing && !says_closed(location) {
        out.push(Proposed {
            kind: ProposalKind::Confirmed,
            facility_id: Some(id),
            location_name: name,
            field: None,
            before: None,
            after: Json::Null,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::answer::Value;
    use crate::domain::questionnaire::{QuestionKind, Questionnaire};

    fn block() -> Question {
        Questionnaire::inventory()
            .questions
            .into_iter()
            .find(|q| q.kind == QuestionKind::LocationBlock)
            .unwrap()
    }

    fn register() -> FacilityInput {
        FacilityInput {
            name: Some("Demo De Brug".into()),
            services: Some(vec!["consumption_room".into(), "syringe_exchange".into()]),
            street: Some("Testlaan 90".into()),
            postcode: Some("3511 AB".into()),
            city: Some("Utrecht".into()),
            municipality_code: Some("GM0344".into()),
            capacity: Some(6),
            opening_hours: Some("Mo-Fr 09:00-17:00".into()),
            public_access: Some(true),
            ..FacilityInput::default()
        }
    }

    fn answer(values: &[(&str, Value)]) -> LocationAnswer {
        LocationAnswer {
            facility_id: Some(4),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn the_same_facts_written_otherwise_confirm() {
        let location = answer(&[
            ("postcode", Value::Text("3511ab".into())),
            ("name", Value::Text("Demo De Brug".into())),
            ("still_open", Value::Bool(true)),
        ]);
        let p = propose(&block(), &location, Some((4, &register())), None);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].kind, ProposalKind::Confirmed);
    }

    #[test]
    fn each_changed_field_is_one_proposal() {
        let location = answer(&[
            ("capacity", Value::Number(8)),
            ("opening_hours", Value::Text("Mo-Sa 09:00-17:00".into())),
            (
                "services",
                Value::Choices(vec!["consumption_room".into(), "naloxone".into()]),
            ),
        ]);
        let p = propose(&block(), &location, Some((4, &register())), None);
        let fields: Vec<_> = p.iter().map(|p| p.field.clone().unwrap()).collect();
        assert_eq!(fields, ["services", "capacity", "opening_hours"]);
        assert_eq!(p[1].before, Some(json!(6)));
        assert_eq!(p[1].after, json!(8));
    }

    #[test]
    fn a_move_to_another_place_is_one_address_change() {
        let location = answer(&[
            ("street", Value::Text("Nieuwe Gracht 1".into())),
            ("place", Value::Text("Zeist".into())),
            ("postcode", Value::Text("3701 AA".into())),
        ]);
        let p = propose(&block(), &location, Some((4, &register())), None);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].field.as_deref(), Some("address"));
        assert_eq!(p[0].after["city"], json!("Zeist"));
        assert_eq!(p[0].after["municipality_code"], json!("GM0355"));
        assert_eq!(p[0].before.as_ref().unwrap()["city"], json!("Utrecht"));
    }

    #[test]
    fn closed_and_new_and_named() {
        let closed = answer(&[
            ("still_open", Value::Bool(false)),
            ("closed_on", Value::Text("2026-05-01".into())),
        ]);
        let p = propose(&block(), &closed, Some((4, &register())), None);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].kind, ProposalKind::Closed);
        assert_eq!(p[0].after, json!("2026-05-01"));

        let mut new = answer(&[("name", Value::Text("Nieuw punt".into()))]);
        new.facility_id = None;
        let p = propose(&block(), &new, None, None);
        assert_eq!(p[0].kind, ProposalKind::NewLocation);
        assert_eq!(p[0].after["name"], json!("Nieuw punt"));

        let p = propose(&block(), &new, Some((9, &register())), Some(3));
        assert_eq!(p[0].kind, ProposalKind::Organisation);
        assert_eq!(p[0].after, json!(3));
        assert_eq!(p[1].field.as_deref(), Some("name"));
    }
}
