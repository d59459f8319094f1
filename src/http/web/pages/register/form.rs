//! The facility form, shared by adding and editing: the fields as typed
//! (shown again when something is wrong), their conversion to a
//! [`FacilityInput`], the merge patch of what a person changed, and the
//! message next to each field the register refused.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::{context, Value};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::{feature_options, field_label, hours, service_options};
use crate::domain::access::Principal;
use crate::domain::date::parse_date;
use crate::domain::facility::{Facility, FacilityInput, LocationPrecision};
use crate::domain::feature::Features;
use crate::domain::hours::date_in_words;
use crate::domain::hours::editor::WeekSchedule;
use crate::domain::provenance::Source;
use crate::domain::service::ServiceSet;
use crate::domain::FieldError;
use crate::http::app::AppState;
use crate::http::error::AppResult;
use crate::http::web::pages::{FieldErrors, Page, PageError};
use crate::storage::broken::RawVersion;

/// The kinds of source a person can pick (imports name their own).
const SOURCE_KINDS: &[&str] = &[
    "phone",
    "website",
    "survey",
    "ladis",
    "inventory",
    "manual",
    "other",
];

/// Inputs that have a message of their own when the register refuses them.
const FIELDS_WITH_MESSAGES: &[&str] = &[
    "name",
    "organisation_id",
    "services",
    "street",
    "postcode",
    "city",
    "phone",
    "municipality_code",
    "latitude",
    "longitude",
    "opened_on",
    "closed_on",
    "rooms",
    "capacity",
    "hours_editor",
    "opening_hours",
    "target_groups",
    "max_minutes_per_visit",
    "max_visits_per_day",
    "features",
    "notes",
    "source_detail",
    "verified_on",
    "change_note",
    "effective_from",
];

/// Fields of an input (a facility's or an organisation's) that describe the
/// change, not what is changed.
const PROVENANCE: &[&str] = &["source", "verified_on", "change_note", "effective_from"];

/// The form as typed: text, so that whatever was entered is shown again.
#[derive(Debug, Default, Clone, Serialize)]
pub(super) struct FacilityForm {
    pub name: String,
    pub organisation_id: String,
    pub services: Vec<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub municipality_code: String,
    pub latitude: String,
    pub longitude: String,
    pub opened_on: String,
    pub closed_on: String,
    pub public_access: bool,
    pub mobile: bool,
    pub rooms: String,
    pub capacity: String,
    /// The hours as OpenStreetMap text (the advanced field).
    pub opening_hours: String,
    /// The hours as the week editor shows them.
    pub hours: WeekSchedule,
    /// The hours the form was filled with, to tell which way they were changed.
    pub hours_original: String,
    /// The stored hours say more than the editor can show.
    pub hours_rich: bool,
    /// `yes`, `no` or empty (unknown).
    pub referral_required: String,
    pub intake_required: String,
    pub target_groups: String,
    pub max_minutes_per_visit: String,
    pub max_visits_per_day: String,
    pub features: Vec<String>,
    pub notes: String,
    /// A source kind (`phone`, `website`, …) or empty: entered on this page.
    pub source: String,
    pub source_detail: String,
    pub verified_on: String,
    pub change_note: String,
    pub effective_from: String,
    /// The version the form was filled from, when editing.
    pub version: String,
}

fn text_of<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

impl FacilityForm {
    /// A new facility: public, not mobile, of the only organisation when there is one.
    pub fn blank(organisation_id: Option<i64>) -> FacilityForm {
        FacilityForm {
            organisation_id: text_of(organisation_id),
            public_access: true,
            ..FacilityForm::default()
        }
    }

    /// The form filled with a facility's current facts and the date they
    /// were last verified; the rest of the change's provenance starts empty.
    pub fn of(facility: &Facility) -> FacilityForm {
        let input = facility.fields.to_input(facility.organisation_id);
        FacilityForm {
            name: text_of(input.name),
            organisation_id: text_of(input.organisation_id),
            services: input.services.unwrap_or_default(),
            street: text_of(input.street),
            postcode: text_of(input.postcode),
            city: text_of(input.city),
            phone: text_of(input.phone),
            municipality_code: text_of(input.municipality_code),
            latitude: text_of(input.latitude),
            longitude: text_of(input.longitude),
            opened_on: text_of(input.opened_on),
            closed_on: text_of(input.closed_on),
            public_access: input.public_access.unwrap_or(true),
            mobile: input.mobile.unwrap_or(false),
            rooms: text_of(input.rooms),
            capacity: text_of(input.capacity),
            opening_hours: text_of(input.opening_hours),
            referral_required: yes_no(input.referral_required),
            intake_required: yes_no(input.intake_required),
            target_groups: text_of(input.target_groups),
            max_minutes_per_visit: text_of(input.max_minutes_per_visit),
            max_visits_per_day: text_of(input.max_visits_per_day),
            features: input.features.unwrap_or_default(),
            notes: text_of(input.notes),
            // Kept unless the person changes it (an edit is no verification).
            verified_on: text_of(facility.recorded.verified_on.map(|d| d.date())),
            version: facility.validity.version.to_string(),
            ..FacilityForm::default()
        }
        .with_hours_shown()
    }

    /// The editor and the remembered text filled from the text field.
    fn with_hours_shown(mut self) -> FacilityForm {
        self.hours_original = self.opening_hours.clone();
        let shown = hours::prefill(&self.opening_hours);
        self.hours_rich = shown.is_none();
        self.hours = shown.unwrap_or_default();
        self
    }

    /// The form filled with a stored version that cannot be read, value by
    /// value as stored, so that the person sees (and fixes) the bad one.
    pub fn of_raw(raw: &RawVersion) -> FacilityForm {
        let text = |column: &str| raw.get(column).unwrap_or_default().to_string();
        let flag = |column: &str| match raw.get(column) {
            Some("1") => "yes".to_string(),
            Some("0") => "no".to_string(),
            _ => String::new(),
        };
        let bits = |column: &str| {
            raw.get(column)
                .and_then(|b| b.parse::<i64>().ok())
                .unwrap_or(0)
        };
        let exact = raw.get("location_precision") == Some("exact");
        FacilityForm {
            name: text("name"),
            organisation_id: text("organisation_id"),
            services: ServiceSet::from_bits(bits("services")).codes(),
            street: text("street"),
            postcode: text("postcode"),
            city: text("city"),
            phone: text("phone"),
            municipality_code: text("municipality_code"),
            latitude: if exact {
                text("latitude")
            } else {
                String::new()
            },
            longitude: if exact {
                text("longitude")
            } else {
                String::new()
            },
            opened_on: text("opened_on"),
            closed_on: text("closed_on"),
            public_access: raw.get("public_access") != Some("0"),
            mobile: raw.get("mobile") == Some("1"),
            rooms: text("rooms"),
            capacity: text("capacity"),
            opening_hours: text("opening_hours"),
            referral_required: flag("referral_required"),
            intake_required: flag("intake_required"),
            target_groups: text("target_groups"),
            max_minutes_per_visit: text("max_minutes_per_visit"),
            max_visits_per_day: text("max_visits_per_day"),
            features: Features::from_bits(bits("features")).codes(),
            notes: text("notes"),
            version: raw.version.to_string(),
            ..FacilityForm::default()
        }
        .with_hours_shown()
    }

    /// The posted fields (names repeat for the service checkboxes).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FacilityForm {
        let mut form = FacilityForm::default();
        for (name, value) in pairs {
            if name == "hours_original" {
                form.hours_original = value;
                continue;
            }
            if hours::set(&mut form.hours, &name, value.clone()) {
                continue;
            }
            let checked = matches!(value.as_str(), "on" | "true" | "yes" | "1");
            let slot = match name.as_str() {
                "services" => {
                    form.services.push(value);
                    continue;
                }
                "features" => {
                    form.features.push(value);
                    continue;
                }
                "public_access" => {
                    form.public_access = checked;
                    continue;
                }
                "mobile" => {
                    form.mobile = checked;
                    continue;
                }
                "name" => &mut form.name,
                "organisation_id" => &mut form.organisation_id,
                "street" => &mut form.street,
                "postcode" => &mut form.postcode,
                "city" => &mut form.city,
                "phone" => &mut form.phone,
                "municipality_code" => &mut form.municipality_code,
                "latitude" => &mut form.latitude,
                "longitude" => &mut form.longitude,
                "opened_on" => &mut form.opened_on,
                "closed_on" => &mut form.closed_on,
                "rooms" => &mut form.rooms,
                "capacity" => &mut form.capacity,
                "opening_hours" => &mut form.opening_hours,
                "referral_required" => &mut form.referral_required,
                "intake_required" => &mut form.intake_required,
                "target_groups" => &mut form.target_groups,
                "max_minutes_per_visit" => &mut form.max_minutes_per_visit,
                "max_visits_per_day" => &mut form.max_visits_per_day,
                "notes" => &mut form.notes,
                "source" => &mut form.source,
                "source_detail" => &mut form.source_detail,
                "verified_on" => &mut form.verified_on,
                "change_note" => &mut form.change_note,
                "effective_from" => &mut form.effective_from,
                "version" => &mut form.version,
                // The form token and anything unknown.
                _ => continue,
            };
            *slot = value;
        }
        form.hours_rich = hours::prefill(&form.hours_original).is_none();
        form
    }

    /// The input the form describes, with a message for each field that is
    /// not even the right kind of value (a word for a number, no date).
    pub fn to_input(&self, page: &Page) -> (FacilityInput, FieldErrors) {
        let mut errors = FieldErrors::new();
        let mut unreadable = |field: &str| {
            errors.insert(field.to_string(), message(page, field));
        };
        let text = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        let mut int = |field: &str, value: &str| {
            let value = text(value)?;
            value.parse::<i64>().map_err(|_| unreadable(field)).ok()
        };
        let organisation_id = int("organisation_id", &self.organisation_id);
        let rooms = int("rooms", &self.rooms);
        let capacity = int("capacity", &self.capacity);
        let max_minutes_per_visit = int("max_minutes_per_visit", &self.max_minutes_per_visit);
        let max_visits_per_day = int("max_visits_per_day", &self.max_visits_per_day);
        let mut float = |field: &str, value: &str| {
            let value = text(value)?.replace(',', ".");
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .or_else(|| {
                    unreadable(field);
                    None
                })
        };
        let latitude = float("latitude", &self.latitude);
        let longitude = float("longitude", &self.longitude);
        let mut date = |field: &str, value: &str| {
            let value = text(value)?;
            parse_date(&value).or_else(|| {
                unreadable(field);
                None
            })
        };
        let opened_on = date("opened_on", &self.opened_on);
        let closed_on = date("closed_on", &self.closed_on);
        let verified_on = date("verified_on", &self.verified_on);
        let effective_from = date("effective_from", &self.effective_from);
        let opening_hours = hours::resolve(
            page,
            &self.hours,
            &self.opening_hours,
            &self.hours_original,
            &mut errors,
        );
        let tri = |value: &str| match value {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let kind = self.source.trim();
        let kind = if SOURCE_KINDS.contains(&kind) {
            kind
        } else {
            ""
        };
        let source = match (kind, text(&self.source_detail)) {
            ("", None) => None,
            ("", Some(detail)) => Some(detail),
            (kind, None) => Some(kind.to_string()),
            (kind, Some(detail)) => Some(format!("{kind}: {detail}")),
        };
        let input = FacilityInput {
            name: text(&self.name),
            organisation_id,
            services: Some(self.services.clone()),
            street: text(&self.street),
            postcode: text(&self.postcode),
            city: text(&self.city),
            phone: text(&self.phone),
            municipality_code: text(&self.municipality_code),
            latitude,
            longitude,
            opened_on,
            closed_on,
            public_access: Some(self.public_access),
            mobile: Some(self.mobile),
            rooms,
            capacity,
            opening_hours,
            referral_required: tri(&self.referral_required),
            intake_required: tri(&self.intake_required),
            target_groups: text(&self.target_groups),
            max_minutes_per_visit,
            max_visits_per_day,
            features: Some(self.features.clone()),
            notes: text(&self.notes),
            source,
            verified_on,
            change_note: text(&self.change_note),
            effective_from,
            ..FacilityInput::default()
        };
        (input, errors)
    }
}

/// The JSON merge patch of what a person changed (in a facility's or an
/// organisation's form): the fields where the form differs from the
/// version it was filled from, plus the change's provenance. Fields they
/// left alone are not sent, so a change someone else saved in the meantime
/// is kept.
pub(super) fn patch<T: Serialize>(input: &T, filled_from: &T) -> AppResult<Json> {
    let new = serde_json::to_value(input).map_err(anyhow::Error::from)?;
    let old = serde_json::to_value(filled_from).map_err(anyhow::Error::from)?;
    let mut patch = Map::new();
    if let Json::Object(fields) = new {
        for (field, value) in fields {
            let changed = if PROVENANCE.contains(&field.as_str()) {
                !value.is_null()
            } else {
                old.get(&field) != Some(&value)
            };
            if changed {
                patch.insert(field, value);
            }
        }
    }
    Ok(Json::Object(patch))
}

/// The posted form and the input it describes, checked as the register
/// checks it on `day`: with a message for each field that is wrong.
pub(super) fn read(
    page: &Page,
    body: &[u8],
    source: &Source,
    day: NaiveDate,
) -> Result<(FacilityForm, FacilityInput, FieldErrors), PageError> {
    let pairs: Vec<(String, String)> = page.form(body)?;
    let form = FacilityForm::from_pairs(pairs);
    let (input, mut errors) = form.to_input(page);
    if let Err(refused) = input.validate(source, day) {
        add_refusals(page, &mut errors, &refused);
    }
    Ok((form, input, errors))
}

/// The input that shows a message for a field the register refused.
fn input_for(field: &str) -> &str {
    match field {
        "organisation" => "organisation_id",
        "municipality" | "province" => "municipality_code",
        "source" => "source_detail",
        other => other,
    }
}

fn message(page: &Page, input: &str) -> String {
    if FIELDS_WITH_MESSAGES.contains(&input) {
        page.text(&format!("register.error.{input}"))
    } else {
        page.text("error.invalid.text")
    }
}

/// Adds the register's refusals to the messages next to the fields; a
/// field already marked keeps its first message.
pub(super) fn add_refusals(page: &Page, errors: &mut FieldErrors, refused: &[FieldError]) {
    for error in refused {
        let input = input_for(&error.field);
        errors
            .entry(input.to_string())
            .or_insert_with(|| message(page, input));
    }
}

/// The kinds of source a person can pick, with their labels.
pub(super) fn source_options(page: &Page) -> Vec<Value> {
    SOURCE_KINDS
        .iter()
        .map(|k| context! { value => k, label => page.text(&format!("register.source.{k}")) })
        .collect()
}

/// The organisations a person may pick: every one for national roles,
/// their own for an organisation's manager.
async fn organisation_options(state: &AppState, who: &Principal) -> AppResult<Vec<Value>> {
    let organisations = crate::register::reads::organisation_choices(&state.store).await?;
    Ok(organisations
        .iter()
        .filter(|o| who.may_create_facility(Some(o.id)))
        .map(|o| context! { value => o.id.to_string(), label => o.fields.name })
        .collect())
}

/// What the form page shows besides the form.
pub(super) enum Mode<'a> {
    New,
    Edit(&'a Facility),
    /// Repairing a stored version that cannot be read.
    Repair(&'a RawVersion),
}

/// Renders the facility form with its values and messages.
pub(super) async fn render(
    page: &Page,
    state: &AppState,
    status: StatusCode,
    mode: Mode<'_>,
    form: &FacilityForm,
    errors: &FieldErrors,
    message: Option<String>,
) -> AppResult<Response> {
    let who = page.caller.principal()?;
    let organisations = organisation_options(state, who).await?;
    let sources = source_options(page);
    // Errors in the order of the form, for the summary above it.
    let summary: Vec<Value> = FIELDS_WITH_MESSAGES
        .iter()
        .filter_map(|f| {
            errors.get(*f).map(|m| {
                let label = match *f {
                    "hours_editor" => page.text("register.field.opening_hours"),
                    f => field_label(page, f),
                };
                context! { field => f, label, message => m }
            })
        })
        .collect();
    let repair = match &mode {
        Mode::Repair(raw) => Some(context! {
            id => raw.facility_id,
            version => raw.version,
            column => raw.broken.column,
            label => field_label(page, &raw.broken.column),
            value => raw.broken.value,
            reason => raw.broken.reason,
        }),
        _ => None,
    };
    let (action, title, facility) = match mode {
        Mode::Repair(raw) => (
            format!("/beheer/voorzieningen/{}/herstel", raw.facility_id),
            page.text_with(
                "register.repair.title",
                &[("id", raw.facility_id.to_string())],
            ),
            None,
        ),
        Mode::New => (
            "/beheer/voorzieningen/nieuw".to_string(),
            page.text("register.new.title"),
            None,
        ),
        Mode::Edit(f) => {
            let location = f
                .fields
                .location
                .filter(|l| l.precision != LocationPrecision::Exact);
            let approximate = location.map(|l| {
                page.text_with(
                    "register.form.location_approximate",
                    &[
                        (
                            "precision",
                            page.text(&format!(
                                "register.location_precision.{}",
                                l.precision.code()
                            )),
                        ),
                        ("latitude", format!("{:.5}", l.latitude)),
                        ("longitude", format!("{:.5}", l.longitude)),
                    ],
                )
            });
            (
                format!("/beheer/voorzieningen/{}", f.id),
                page.text_with("register.edit.title", &[("name", f.fields.name.clone())]),
                Some(context! {
                    id => f.id,
                    version => f.validity.version,
                    recorded_by => f.recorded.recorded_by,
                    recorded_at => f.recorded.recorded_at,
                    verified_on => f.recorded.verified_on.map(|d| date_in_words(d.date(), page.lang)),
                    approximate,
                }),
            )
        }
    };
    Ok(page.render(
        "register/form.html",
        status,
        context! {
            title,
            action,
            facility,
            repair,
            form,
            errors,
            summary,
            organisations,
            services => service_options(page),
            features => feature_options(page),
            sources,
            message,
            hours => hours::view(page, &form.hours, errors),
        },
    ))
}
