//! `/beheer/voorzieningen/{id}`: a facility's edit form for those who may
//! change it (national roles, its organisation's manager), a read-only view
//! for others who may read its internal facts (the organisation's
//! reporters), and saving the form as a new version through
//! `register::patch_facility`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::form::{self, FacilityForm, Mode};
use super::{
    current_facility, display_value, facility_error, field_label, field_rank, HIDDEN_FIELDS,
};
use crate::domain::date::today;
use crate::domain::facility::{manual_source, Facility};
use crate::domain::provenance::{Source, SourceKind};
use crate::formats::json::{Audience, FacilityJson};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{
    parse_id, parse_query, see_other, FieldErrors, MessageQuery, Page, PageError,
};
use crate::register::reads;
use crate::register::{self, refuse, scope};

/// The form, or the facts for a reader who may not change them.
pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "register.not_found")?;
        let query: MessageQuery = parse_query(query.as_deref())?;
        let who = page.caller.principal()?;
        let facility = reads::read_facility_internal(&state.store, who, &page.caller.actor(), id)
            .await
            .map_err(facility_error)?;
        let message = page.message(&query.melding);
        if !who.may_edit_facility(scope(&facility)) {
            return Ok(read_only(&page, &facility, message));
        }
        let form = FacilityForm::of(&facility);
        let errors = FieldErrors::new();
        let mode = Mode::Edit(&facility);
        Ok(form::render(&page, &state, StatusCode::OK, mode, &form, &errors, message).await?)
    })
    .await
}

/// Every field of a facility as text, for those who may read but not change it.
fn read_only(page: &Page, facility: &Facility, message: Option<String>) -> Response {
    let record = FacilityJson::new(facility, today(), Audience::Internal);
    let value = serde_json::to_value(&record).unwrap_or_default();
    let mut fields: Vec<_> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(field, _)| !HIDDEN_FIELDS.contains(&field.as_str()))
        .collect();
    fields.sort_by_key(|(field, _)| field_rank(field));
    let rows: Vec<_> = fields
        .into_iter()
        .map(|(field, v)| {
            context! {
                label => field_label(page, field),
                value => display_value(page, field, v),
            }
        })
        .collect();
    page.render(
        "register/view.html",
        StatusCode::OK,
        context! {
            title => facility.fields.name,
            id => facility.id,
            rows,
            message,
        },
    )
}

/// The facility a form posts to, once it is clear the person may change
/// it: checked before the form is read.
async fn editable(page: &Page, state: &AppState, id: &str) -> Result<(i64, Facility), PageError> {
    let id = parse_id(id, "register.not_found")?;
    let who = page.caller.principal()?;
    let current = current_facility(state, id).await?;
    if !who.may_edit_facility(scope(&current)) {
        return Err(refuse(who, scope(&current), "change").into());
    }
    Ok((id, current))
}

/// Saves the form: the fields that changed, with why and from when.
pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let (id, current) = editable(&page, &state, &id).await?;
        let who = page.caller.principal()?;
        let day = today();
        let source = manual_source("web");
        let (form, input, mut errors) = form::read(&page, &body, &source, day)?;
        if errors.is_empty() {
            // The version the person saw: only what they changed is sent.
            let filled_from = match form.version.trim().parse::<i64>() {
                Ok(version) if version != current.validity.version => {
                    crate::register::reads::facility_version(&state.store, id, version)
                        .await?
                        .unwrap_or(current.clone())
                }
                _ => current.clone(),
            };
            let patch = form::patch(
                &input,
                &filled_from.fields.to_input(filled_from.organisation_id),
            )?;
            let actor = page.caller.actor();
            match register::patch_facility(&state.store, id, &patch, &source, who, &actor, day)
                .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/beheer/voorzieningen/{id}?melding=voorziening-opgeslagen"
                    )))
                }
                Err(AppError::Invalid(refused)) => {
                    form::add_refusals(&page, &mut errors, &refused);
                }
                Err(e) => return Err(e.into()),
            }
        }
        // What is wrong, shown next to the fields as they were typed.
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let mode = Mode::Edit(&current);
        Ok(form::render(&page, &state, status, mode, &form, &errors, None).await?)
    })
    .await
}

/// What "Klopt nog" sends: how the facts were checked.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ConfirmForm {
    source: String,
}

/// "Klopt nog": records today's verification with how it was checked, and
/// goes back to the facility.
pub async fn confirm(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let (id, _) = editable(&page, &state, &id).await?;
        let who = page.caller.principal()?;
        let form: ConfirmForm = page.form(&body)?;
        let kind = SourceKind::parse(form.source.trim()).unwrap_or(SourceKind::Manual);
        let source = Source::new(kind, None);
        let actor = page.caller.actor();
        register::confirm_facility(&state.store, id, &source, who, &actor, today())
            .await
            .map_err(facility_error)?;
        Ok(see_other(&format!(
            "/beheer/voorzieningen/{id}?melding=klopt-nog"
        )))
    })
    .await
}
