//! The staff pages of the register: the facilities a user may see, with
//! filters and export links (`list`), adding one (`new`), editing one or
//! reading it (`edit`), its history (`history`), importing a spreadsheet
//! (`import`), the full export (`export`) and the organisations
//! (`organisations`).
//!
//! Who may see or change what is decided by `domain::access` and enforced
//! by `crate::register` (writes) and here (reads); these handlers only turn
//! forms into register calls and results into pages.

pub mod edit;
pub mod export;
pub mod find_out;
mod form;
pub mod history;
mod hours;
pub mod import;
pub mod import_template;
pub mod list;
pub mod new;
pub mod organisations;
pub mod repair;

use minijinja::{context, Value};
use serde_json::Value as Json;

use super::{Page, PageError};
use crate::domain::error::AppError;
use crate::domain::facility::Facility;
use crate::domain::feature::Feature;
use crate::domain::service::ServiceType;
use crate::http::app::AppState;

/// A facility's current version, or the page's 404.
async fn current_facility(state: &AppState, id: i64) -> Result<Facility, PageError> {
    crate::register::reads::current_facility(&state.store, id)
        .await?
        .ok_or(PageError::not_found("register.not_found"))
}

/// A facility's error as the register pages show it: a facility that does
/// not exist (or may not be known) with the register's own message.
fn facility_error(error: AppError) -> PageError {
    match error {
        AppError::NotFound(_) => PageError::not_found("register.not_found"),
        other => other.into(),
    }
}

/// Facility fields in the order pages show them (input names and JSON
/// names are the same).
const FIELDS: &[&str] = &[
    "id",
    "name",
    "organisation_id",
    "organisation",
    "services",
    "street",
    "postcode",
    "city",
    "phone",
    "municipality_code",
    "municipality",
    "province_code",
    "province",
    "latitude",
    "longitude",
    "location_precision",
    "opened_on",
    "closed_on",
    "status",
    "public_access",
    "mobile",
    "rooms",
    "capacity",
    "opening_hours",
    "referral_required",
    "intake_required",
    "target_groups",
    "max_minutes_per_visit",
    "max_visits_per_day",
    "features",
    "notes",
    "source",
    "source_detail",
    "verified_on",
    "change_note",
    "effective_from",
    "recorded_by",
    "recorded_at",
    "version",
    "valid_from",
    "valid_to",
];

/// Fields that pages do not show: numbers that other fields name.
const HIDDEN_FIELDS: &[&str] = &["id", "organisation_id", "province_code"];

/// Where a field comes in [`FIELDS`]; unknown ones last.
fn field_rank(field: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| *f == field)
        .unwrap_or(FIELDS.len())
}

/// The label of a facility field.
fn field_label(page: &Page, field: &str) -> String {
    if FIELDS.contains(&field) {
        page.text(&format!("register.field.{field}"))
    } else {
        field.to_string()
    }
}

fn service_label(page: &Page, code: &str) -> String {
    match ServiceType::parse(code) {
        Some(service) => page.text(&format!("register.service.{}", service.code())),
        None => code.to_string(),
    }
}

/// A facility's services in words, as lists show them ("Gebruiksruimte, Naloxone").
fn services_text(page: &Page, services: &crate::domain::service::ServiceSet) -> String {
    services
        .iter()
        .map(|s| service_label(page, s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The services as options for checkboxes and selects.
fn service_options(page: &Page) -> Vec<Value> {
    ServiceType::ALL
        .iter()
        .map(|s| context! { value => s.code(), label => service_label(page, s.code()) })
        .collect()
}

fn feature_options(page: &Page) -> Vec<Value> {
    Feature::ALL
        .iter()
        .map(|f| context! { value => f.code(), label => page.text(&format!("register.feature.{}", f.code())) })
        .collect()
}

/// A value of a facility field as a person reads it.
fn display_value(page: &Page, field: &str, value: &Json) -> String {
    match value {
        Json::Null => "—".to_string(),
        Json::Bool(true) => page.text("register.yes"),
        Json::Bool(false) => page.text("register.no"),
        Json::Array(items) => items
            .iter()
            .map(|item| match (field, item) {
                ("services", Json::String(code)) => service_label(page, code),
                ("features", Json::String(code)) => page.text(&format!("register.feature.{code}")),
                (_, other) => display_value(page, field, other),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Json::String(text) => match field {
            "status" | "location_precision" => {
                let key = format!("register.{field}.{text}");
                if ["planned", "open", "closed", "exact", "postcode", "place"]
                    .contains(&text.as_str())
                {
                    page.text(&key)
                } else {
                    text.clone()
                }
            }
            _ => text.clone(),
        },
        other => other.to_string(),
    }
}
