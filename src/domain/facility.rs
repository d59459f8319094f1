//! Facilities (voorzieningen): one place with an address that offers one or
//! more services. [`FacilityInput`] is what arrives at the boundary (a JSON
//! body or a spreadsheet row, already typed); [`FacilityInput::validate`]
//! turns it into [`FacilityFields`] or a list of field errors.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::date::Day;
use super::feature::Features;
use super::hours::OpeningHoursText;
use super::number::{Capacity, MinutesPerVisit, Rooms, VisitsPerDay};
use super::personal::{self, Holds};
use super::phone::PhoneNumber;
use super::provenance::{Change, Recorded, Source, SourceKind, Validity};
use super::service::ServiceSet;
use super::{
    bounded_line, bounded_text, checked, checked_day, non_blank, required, FieldError, Reason,
};
use crate::domain::geo::{geo, Municipality};

/// A Dutch postcode: four digits, optionally with the two letters (`3511 AB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(text: &str) -> Result<Postcode, Reason> {
        let refused = || Reason::of("error.postcode", &[("value", text.trim().to_string())]);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = compact.to_uppercase();
        if !compact.is_ascii() {
            return Err(refused());
        }
        let (digits, letters) = compact.split_at(compact.len().min(4));
        let digits_ok = digits.len() == 4
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        let letters_ok = letters.is_empty()
            || (letters.len() == 2
                && letters.bytes().all(|b| b.is_ascii_uppercase())
                && !["SA", "SD", "SS"].contains(&letters));
        if !digits_ok || !letters_ok {
            return Err(refused());
        }
        Ok(Postcode(if letters.is_empty() {
            digits.to_string()
        } else {
            format!("{digits} {letters}")
        }))
    }

    /// The four-digit area (PC4).
    pub fn pc4(&self) -> u16 {
        self.0[..4].parse().expect("validated digits")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How exact a facility's coordinates are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationPrecision {
    /// Given by a source.
    Exact,
    /// The centre of the four-digit postcode area.
    Postcode,
    /// The centre of the city or village.
    Place,
}

impl LocationPrecision {
    pub fn code(self) -> &'static str {
        match self {
            LocationPrecision::Exact => "exact",
            LocationPrecision::Postcode => "postcode",
            LocationPrecision::Place => "place",
        }
    }

    pub fn parse(code: &str) -> Option<LocationPrecision> {
        match code {
            "exact" => Some(LocationPrecision::Exact),
            "postcode" => Some(LocationPrecision::Postcode),
            "place" => Some(LocationPrecision::Place),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub precision: LocationPrecision,
}

/// Latitude and longitude bounds of the European Netherlands, with a margin.
const LATITUDE_RANGE: std::ops::RangeInclusive<f64> = 50.70..=53.70;
const LONGITUDE_RANGE: std::ops::RangeInclusive<f64> = 3.20..=7.30;

/// Who may come and how (toegangsregels).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessRules {
    pub referral_required: Option<bool>,
    pub intake_required: Option<bool>,
    pub target_groups: Option<String>,
    pub max_minutes_per_visit: Option<MinutesPerVisit>,
    pub max_visits_per_day: Option<VisitsPerDay>,
}

/// The validated facts about a facility, as one version in its history holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityFields {
    pub name: String,
    pub services: ServiceSet,
    pub street: Option<String>,
    pub postcode: Option<Postcode>,
    pub city: Option<String>,
    pub municipality_code: String,
    pub location: Option<Location>,
    pub opened_on: Option<Day>,
    /// The first day the facility is closed; open on D means `opened_on <= D < closed_on`.
    pub closed_on: Option<Day>,
    /// `false` for rooms only for residents of a housing project.
    pub public_access: bool,
    pub mobile: bool,
    pub rooms: Option<Rooms>,
    pub capacity: Option<Capacity>,
    /// OpenStreetMap `opening_hours` syntax, evaluated in Europe/Amsterdam.
    pub opening_hours: Option<OpeningHoursText>,
    /// The service's public number; never a person's.
    pub phone: Option<PhoneNumber>,
    pub access: AccessRules,
    /// Counted facts such as an alcohol room; never derived from `notes`.
    pub features: Features,
    pub notes: Option<String>,
}

/// Which organisation runs the facility, as the writer named it.
#[derive(Debug, Clone, PartialEq)]
pub enum OrganisationRef {
    Id(i64),
    Name(String),
}

/// A validated facility write: the facts, who runs it, and the provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityDraft {
    /// `None`: the operator is not known (public lists often name a place
    /// and a service but not who runs it); it can be given later.
    pub organisation: Option<OrganisationRef>,
    pub fields: FacilityFields,
    pub change: Change,
}

/// A facility as the boundary receives it: typed, not yet validated.
/// Every field is optional so that errors can name each missing one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityInput {
    pub name: Option<String>,
    /// The organisation's id; or give `organisation` by name; neither when
    /// the operator is not known (the facility is then listed on the "to
    /// find out" page until someone names it).
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    #[schema(example = json!(["consumption_room", "syringe_exchange"]))]
    pub services: Option<Vec<String>>,
    pub street: Option<String>,
    #[schema(example = "3511 AB")]
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// CBS gemeentecode, e.g. `GM0344`; otherwise resolved from `city` or `municipality`.
    pub municipality_code: Option<String>,
    pub municipality: Option<String>,
    /// Checked against the municipality's province when given.
    pub province: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub public_access: Option<bool>,
    pub mobile: Option<bool>,
    pub rooms: Option<i64>,
    pub capacity: Option<i64>,
    #[schema(example = "Mo-Fr 09:00-17:00")]
    pub opening_hours: Option<String>,
    /// The service's public telephone number (a front desk, a team's line), never a person's.
    #[schema(example = "030 123 45 67")]
    pub phone: Option<String>,
    pub referral_required: Option<bool>,
    pub intake_required: Option<bool>,
    pub target_groups: Option<String>,
    pub max_minutes_per_visit: Option<i64>,
    pub max_visits_per_day: Option<i64>,
    /// alcohol_room, softdrugs_only: facts Table 1 counts.
    #[schema(example = json!(["alcohol_room"]))]
    pub features: Option<Vec<String>>,
    /// Internal; never published and never counted.
    pub notes: Option<String>,
    /// Where this information comes from: `survey`, `phone`, `website`, `ladis`,
    /// `inventory`, `manual`, optionally followed by `: detail`.
    pub source: Option<String>,
    /// When a source last confirmed these facts.
    pub verified_on: Option<NaiveDate>,
    /// Why the change was made.
    pub change_note: Option<String>,
    /// The day from which this change holds (default: today).
    pub effective_from: Option<NaiveDate>,
}

impl FacilityInput {
    /// Validates every field, collecting all errors rather than stopping at the first.
    /// `default_source` is used when the input names none.
    pub fn validate(
        &self,
        default_source: &Source,
        today: NaiveDate,
    ) -> Result<FacilityDraft, Vec<FieldError>> {
        let mut errors = Vec::new();

        let name = bounded_line(&self.name, "name", 200, &mut errors);
        if name.is_none() {
            errors.push(FieldError::because("name", required()));
        }
        // Unknown is a value: no organisation named means nobody knows yet.
        let organisation = match (self.organisation_id, non_blank(&self.organisation)) {
            (Some(id), _) => Some(OrganisationRef::Id(id)),
            (None, Some(name)) => Some(OrganisationRef::Name(name)),
            (None, None) => None,
        };
        let services = match &self.services {
            Some(items) => match ServiceSet::parse(items.iter().map(String::as_str)) {
                Ok(set) if set.is_empty() => {
                    errors.push(FieldError::because(
                        "services",
                        Reason::of("error.services_empty", &[]),
                    ));
                    None
                }
                Ok(set) => Some(set),
                Err(unknown) => {
                    errors.push(FieldError::because(
                        "services",
                        Reason::of("error.service_unknown", &[("value", unknown.to_string())]),
                    ));
                    None
                }
            },
            None => {
                errors.push(FieldError::because("services", required()));
                None
            }
        };
        let postcode = non_blank(&self.postcode).and_then(|text| {
            Postcode::parse(&text)
                .map_err(|e| errors.push(FieldError::because("postcode", e)))
                .ok()
        });
        let city = bounded_line(&self.city, "city", 100, &mut errors);
        let municipality =
            self.resolve_municipality(city.as_deref(), postcode.as_ref(), &mut errors);
        let location = municipality
            .and_then(|m| self.location(m, city.as_deref(), postcode.as_ref(), &mut errors));

        let opened_on = checked_day(self.opened_on, "opened_on", &mut errors);
        let closed_on = checked_day(self.closed_on, "closed_on", &mut errors);
        if let (Some(opened), Some(closed)) = (opened_on, closed_on) {
            if closed < opened {
                errors.push(FieldError::because(
                    "closed_on",
                    Reason::of(
                        "error.closed_before_opened",
                        &[
                            ("closed", closed.to_string()),
                            ("opened", opened.to_string()),
                        ],
                    ),
                ));
            }
        }
        let opening_hours = non_blank(&self.opening_hours).and_then(|hours| {
            OpeningHoursText::parse(&hours)
                .map_err(|e| errors.push(FieldError::because("opening_hours", e)))
                .ok()
        });
        let access = AccessRules {
            referral_required: self.referral_required,
            intake_required: self.intake_required,
            target_groups: bounded_line(&self.target_groups, "target_groups", 500, &mut errors),
            max_minutes_per_visit: checked(
                self.max_minutes_per_visit,
                "max_minutes_per_visit",
                MinutesPerVisit::new,
                &mut errors,
            ),
            max_visits_per_day: checked(
                self.max_visits_per_day,
                "max_visits_per_day",
                VisitsPerDay::new,
                &mut errors,
            ),
        };
        let rooms = checked(self.rooms, "rooms", Rooms::new, &mut errors);
        let capacity = checked(self.capacity, "capacity", Capacity::new, &mut errors);
        let street = bounded_line(&self.street, "street", 200, &mut errors);
        let phone = non_blank(&self.phone).and_then(|text| {
            PhoneNumber::parse(&text)
                .map_err(|e| errors.push(FieldError::because("phone", e)))
                .ok()
        });
        let notes = bounded_text(&self.notes, "notes", 4000, &mut errors);
        // No data about persons in any free-text field (domain::personal).
        for (field, value, holds) in [
            ("name", &name, None),
            ("city", &city, None),
            ("street", &street, Some(Holds::Address)),
            ("target_groups", &access.target_groups, None),
            ("notes", &notes, None),
        ] {
            personal::check_field(value.as_deref(), field, holds, &mut errors);
        }
        let features = match &self.features {
            None => Features::default(),
            Some(items) => Features::parse(items.iter().flat_map(|i| i.split([';', ','])))
                .unwrap_or_else(|unknown| {
                    errors.push(FieldError::because(
                        "features",
                        Reason::of("error.feature_unknown", &[("value", unknown.to_string())]),
                    ));
                    Features::default()
                }),
        };
        let change = Change::from_input(
            &self.source,
            self.verified_on,
            &self.change_note,
            self.effective_from,
            default_source,
            today,
            &mut errors,
        );

        match (name, services, municipality) {
            (Some(name), Some(services), Some(municipality)) if errors.is_empty() => {
                Ok(FacilityDraft {
                    organisation,
                    fields: FacilityFields {
                        name,
                        services,
                        street,
                        postcode,
                        city,
                        municipality_code: municipality.code.clone(),
                        location,
                        opened_on,
                        closed_on,
                        public_access: self.public_access.unwrap_or(true),
                        mobile: self.mobile.unwrap_or(false),
                        rooms,
                        capacity,
                        opening_hours,
                        phone,
                        access,
                        features,
                        notes,
                    },
                    change,
                })
            }
            _ => Err(errors),
        }
    }

    /// The municipality from its code, its name or the city, which must agree
    /// with each other and with the province when several are given.
    fn resolve_municipality(
        &self,
        city: Option<&str>,
        postcode: Option<&Postcode>,
        errors: &mut Vec<FieldError>,
    ) -> Option<&'static Municipality> {
        let g = geo();
        let mut found: Option<(&'static Municipality, &str)> = None;
        let mut agree = |m: &'static Municipality,
                         field: &'static str,
                         errors: &mut Vec<FieldError>| {
            match found {
                Some((earlier, by)) if earlier.code != m.code => errors.push(FieldError::because(
                    field,
                    Reason::of(
                        "error.place_disagrees",
                        &[
                            ("name", m.name.clone()),
                            ("code", m.code.clone()),
                            ("by", by.to_string()),
                            ("other", earlier.name.clone()),
                            ("other_code", earlier.code.clone()),
                        ],
                    ),
                )),
                Some(_) => {}
                None => found = Some((m, field)),
            }
        };
        if let Some(code) = non_blank(&self.municipality_code) {
            match g.municipality(&code) {
                Some(m) => agree(m, "municipality_code", errors),
                None => errors.push(FieldError::because(
                    "municipality_code",
                    Reason::of("error.municipality_code_unknown", &[("value", code)]),
                )),
            }
        }
        if let Some(name) = non_blank(&self.municipality) {
            match g.municipality_by_name(&name) {
                Some(m) => agree(m, "municipality", errors),
                None => errors.push(FieldError::because(
                    "municipality",
                    Reason::of("error.municipality_unknown", &[("value", name)]),
                )),
            }
        }
        if let Some(city) = city {
            match g.resolve_place(city, postcode.map(Postcode::pc4)) {
                Ok(m) => agree(m, "city", errors),
                // A hamlet missing from the reference data is fine when the
                // municipality is given explicitly.
                Err(_) if found.is_some() => {}
                Err(e) => errors.push(FieldError::because("city", e.reason())),
            }
        }
        let Some((municipality, _)) = found else {
            if city.is_none() && errors.is_empty() {
                errors.push(FieldError::because(
                    "city",
                    Reason::of("error.place_required", &[]),
                ));
            }
            return None;
        };
        if let Some(province) = non_blank(&self.province) {
            match g.province(&province) {
                Some(p) if p.code == municipality.province_code => {}
                Some(p) => errors.push(FieldError::because(
                    "province",
                    Reason::of(
                        "error.province_disagrees",
                        &[
                            ("municipality", municipality.name.clone()),
                            ("province", municipality.province_name.clone()),
                            ("given", p.name.clone()),
                        ],
                    ),
                )),
                None => errors.push(FieldError::because(
                    "province",
                    Reason::of("error.province_unknown", &[("value", province)]),
                )),
            }
        }
        Some(municipality)
    }

    /// Given coordinates, or else the best approximation the reference data offers.
    fn location(
        &self,
        municipality: &Municipality,
        city: Option<&str>,
        postcode: Option<&Postcode>,
        errors: &mut Vec<FieldError>,
    ) -> Option<Location> {
        match (self.latitude, self.longitude) {
            (Some(latitude), Some(longitude)) => {
                let mut ok = true;
                if !LATITUDE_RANGE.contains(&latitude) {
                    let key = if LONGITUDE_RANGE.contains(&latitude) {
                        "error.latitude_swapped"
                    } else {
                        "error.latitude_outside"
                    };
                    errors.push(FieldError::because(
                        "latitude",
                        Reason::of(key, &[("value", latitude.to_string())]),
                    ));
                    ok = false;
                }
                if !LONGITUDE_RANGE.contains(&longitude) {
                    errors.push(FieldError::because(
                        "longitude",
                        Reason::of(
                            "error.longitude_outside",
                            &[("value", longitude.to_string())],
                        ),
                    ));
                    ok = false;
                }
                ok.then_some(Location {
                    latitude,
                    longitude,
                    precision: LocationPrecision::Exact,
                })
            }
            (Some(_), None) => {
                errors.push(FieldError::because(
                    "longitude",
                    Reason::of("error.longitude_needed", &[]),
                ));
                None
            }
            (None, Some(_)) => {
                errors.push(FieldError::because(
                    "latitude",
                    Reason::of("error.latitude_needed", &[]),
                ));
                None
            }
            (None, None) => {
                let g = geo();
                let by_postcode = postcode
                    .and_then(|p| g.postcode(p.pc4()))
                    .filter(|area| area.municipality_code == municipality.code)
                    .map(|area| Location {
                        latitude: area.latitude,
                        longitude: area.longitude,
                        precision: LocationPrecision::Postcode,
                    });
                let by_place = || {
                    let (latitude, longitude) = city
                        .and_then(|c| g.place_coordinates(c, &municipality.code))
                        .or(municipality.latitude.zip(municipality.longitude))?;
                    Some(Location {
                        latitude,
                        longitude,
                        precision: LocationPrecision::Place,
                    })
                };
                by_postcode.or_else(by_place)
            }
        }
    }
}

impl FacilityFields {
    /// The input that would produce these fields again (for merge-patching
    /// and export); provenance is left empty.
    pub fn to_input(&self, organisation_id: Option<i64>) -> FacilityInput {
        let exact = self
            .location
            .filter(|l| l.precision == LocationPrecision::Exact);
        FacilityInput {
            name: Some(self.name.clone()),
            organisation_id,
            services: Some(self.services.codes()),
            street: self.street.clone(),
            postcode: self.postcode.as_ref().map(|p| p.as_str().to_string()),
            city: self.city.clone(),
            municipality_code: Some(self.municipality_code.clone()),
            latitude: exact.map(|l| l.latitude),
            longitude: exact.map(|l| l.longitude),
            opened_on: self.opened_on.map(Day::date),
            closed_on: self.closed_on.map(Day::date),
            public_access: Some(self.public_access),
            mobile: Some(self.mobile),
            rooms: self.rooms.map(i64::from),
            capacity: self.capacity.map(i64::from),
            opening_hours: self.opening_hours.as_ref().map(|h| h.as_str().to_string()),
            phone: self.phone.as_ref().map(|p| p.as_str().to_string()),
            referral_required: self.access.referral_required,
            intake_required: self.access.intake_required,
            target_groups: self.access.target_groups.clone(),
            max_minutes_per_visit: self.access.max_minutes_per_visit.map(i64::from),
            max_visits_per_day: self.access.max_visits_per_day.map(i64::from),
            features: Some(self.features.codes()),
            notes: self.notes.clone(),
            ..FacilityInput::default()
        }
    }
}

/// Whether a facility is open on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FacilityStatus {
    /// Not open yet on that day (or not yet seen by any source).
    Planned,
    Open,
    Closed,
}

impl FacilityStatus {
    /// `counts_from` is the opening date, or when unknown the first day a
    /// source saw the facility (DESIGN.md: domain rules).
    pub fn on(
        day: NaiveDate,
        counts_from: NaiveDate,
        closed_on: Option<NaiveDate>,
    ) -> FacilityStatus {
        match closed_on {
            Some(closed) if closed <= day => FacilityStatus::Closed,
            _ if counts_from > day => FacilityStatus::Planned,
            _ => FacilityStatus::Open,
        }
    }

    pub fn parse(text: &str) -> Option<FacilityStatus> {
        match text {
            "planned" => Some(FacilityStatus::Planned),
            "open" => Some(FacilityStatus::Open),
            "closed" => Some(FacilityStatus::Closed),
            _ => None,
        }
    }
}

/// A facility as the register holds it at one point in its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    pub id: i64,
    /// `None`: the operator is not known.
    pub organisation_id: Option<i64>,
    /// The organisation's name at the same point in history.
    pub organisation_name: Option<String>,
    pub fields: FacilityFields,
    pub recorded: Recorded,
    pub validity: Validity,
    /// The opening date, or when unknown the first day a source saw it.
    pub counts_from: NaiveDate,
}

impl Facility {
    pub fn status_on(&self, day: NaiveDate) -> FacilityStatus {
        FacilityStatus::on(day, self.counts_from, self.fields.closed_on.map(Day::date))
    }
}

/// The source used for changes that name none.
pub fn manual_source(detail: &str) -> Source {
    Source::new(SourceKind::Manual, Some(detail.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn valid() -> FacilityInput {
        FacilityInput {
            name: Some("Demo Huiskamer".into()),
            organisation: Some("Demo Zorg".into()),
            services: Some(vec!["consumption_room".into()]),
            city: Some("Utrecht".into()),
            postcode: Some("3511ab".into()),
            ..FacilityInput::default()
        }
    }

    fn errors_of(input: FacilityInput) -> Vec<FieldError> {
        input
            .validate(&manual_source("test"), today())
            .expect_err("input should be rejected")
    }

    #[test]
    fn postcodes_are_normalised_and_checked() {
        assert_eq!(Postcode::parse("3511ab").unwrap().as_str(), "3511 AB");
        assert_eq!(Postcode::parse(" 3511 ").unwrap().as_str(), "3511");
        for bad in [
            "35111",
            "0511 AB",
            "3511 SS",
            "3511 A",
            "abcd",
            "R\u{ead37}<",
            "35ñ1",
        ] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_valid_facility_gets_its_municipality_and_an_approximate_location() {
        let draft = valid().validate(&manual_source("test"), today()).unwrap();
        assert_eq!(draft.fields.municipality_code, "GM0344");
        assert_eq!(draft.fields.postcode.unwrap().as_str(), "3511 AB");
        let location = draft.fields.location.unwrap();
        assert_eq!(location.precision, LocationPrecision::Postcode);
        assert!(draft.fields.public_access);
    }

    #[test]
    fn every_bad_field_is_reported_by_name() {
        let errors = errors_of(FacilityInput {
            name: None,
            services: Some(vec!["coffeeshop".into()]),
            latitude: Some(5.1),
            longitude: Some(52.1),
            opening_hours: Some("elke werkdag".into()),
            opened_on: NaiveDate::from_ymd_opt(2020, 1, 1),
            closed_on: NaiveDate::from_ymd_opt(2019, 1, 1),
            rooms: Some(-1),
            ..valid()
        });
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "name",
            "services",
            "latitude",
            "longitude",
            "opening_hours",
            "closed_on",
            "rooms",
        ] {
            assert!(fields.contains(&field), "{field} missing from {errors:?}");
        }
        let latitude = errors.iter().find(|e| e.field == "latitude").unwrap();
        assert!(latitude.message.contains("swapped"), "{latitude}");
    }

    #[test]
    fn city_and_municipality_code_must_agree() {
        let errors = errors_of(FacilityInput {
            municipality_code: Some("GM0363".into()),
            ..valid()
        });
        assert_eq!(errors[0].field, "city");
        assert!(errors[0].message.contains("Utrecht"), "{}", errors[0]);
    }

    #[test]
    fn an_unknown_city_is_an_error_unless_the_code_is_given() {
        let unknown = FacilityInput {
            city: Some("Nergenshuizen".into()),
            postcode: None,
            ..valid()
        };
        assert_eq!(errors_of(unknown.clone())[0].field, "city");
        let with_code = FacilityInput {
            municipality_code: Some("0344".into()),
            ..unknown
        };
        let draft = with_code.validate(&manual_source("test"), today()).unwrap();
        assert_eq!(draft.fields.municipality_code, "GM0344");
    }

    #[test]
    fn a_province_that_does_not_hold_the_municipality_is_rejected() {
        let errors = errors_of(FacilityInput {
            province: Some("Limburg".into()),
            ..valid()
        });
        assert_eq!(errors[0].field, "province");
    }

    #[test]
    fn status_follows_opening_and_closing_dates() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let opened = d(2020, 1, 1);
        assert_eq!(
            FacilityStatus::on(d(2019, 12, 31), opened, None),
            FacilityStatus::Planned
        );
        assert_eq!(
            FacilityStatus::on(d(2020, 1, 1), opened, None),
            FacilityStatus::Open
        );
        let closed = Some(d(2023, 5, 1));
        assert_eq!(
            FacilityStatus::on(d(2023, 4, 30), opened, closed),
            FacilityStatus::Open
        );
        assert_eq!(
            FacilityStatus::on(d(2023, 5, 1), opened, closed),
            FacilityStatus::Closed
        );
    }

    #[test]
    fn fields_round_trip_through_input() {
        let draft = valid().validate(&manual_source("test"), today()).unwrap();
        let again = draft
            .fields
            .to_input(Some(7))
            .validate(&manual_source("test"), today())
            .unwrap();
        assert_eq!(again.fields, draft.fields);
        assert_eq!(again.organisation, Some(OrganisationRef::Id(7)));
    }
}
