//! `/beheer/voorzieningen/{id}/herstel`: repairing a stored version that
//! cannot be read (a value written before a check existed, or edited by
//! hand in the database). The form shows what is stored, value by value,
//! and saving writes the facts as a correction over that version's days
//! through `register::repair_facility`; national roles only.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::facility_error;
use super::form::{self, FacilityForm, Mode};
use crate::domain::date::today;
use crate::domain::facility::manual_source;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{parse_id, see_other, FieldErrors, Page, PageError};
use crate::register;
use crate::register::reads;
use crate::storage::broken::RawVersion;

/// The broken version, for those who may repair it (reading it is
/// audited); `Err(Ok(response))` sends a facility with nothing to repair
/// to its own page.
async fn broken(
    page: &Page,
    state: &AppState,
    id: i64,
) -> Result<Result<RawVersion, Response>, PageError> {
    let who = page.caller.principal()?;
    match reads::broken_version(&state.store, who, &page.caller.actor(), id)
        .await
        .map_err(facility_error)?
    {
        Some(raw) => Ok(Ok(raw)),
        None => Ok(Err(see_other(&format!("/beheer/voorzieningen/{id}")))),
    }
}

pub async fn show(page: Page, State(state): State<AppState>, Path(id): Path<String>) -> Response {
    page.run(async {
        let id = parse_id(&id, "register.not_found")?;
        let raw = match broken(&page, &state, id).await? {
            Ok(raw) => raw,
            Err(nothing_to_repair) => return Ok(nothing_to_repair),
        };
        let form = FacilityForm::of_raw(&raw);
        let mut errors = FieldErrors::new();
        form::add_refusals(
            &page,
            &mut errors,
            &[crate::domain::FieldError::new(
                raw.broken.column.clone(),
                "",
            )],
        );
        let mode = Mode::Repair(&raw);
        Ok(form::render(&page, &state, StatusCode::OK, mode, &form, &errors, None).await?)
    })
    .await
}

pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "register.not_found")?;
        let raw = match broken(&page, &state, id).await? {
            Ok(raw) => raw,
            Err(nothing_to_repair) => return Ok(nothing_to_repair),
        };
        let who = page.caller.principal()?;
        let day = today();
        let source = manual_source("web repair");
        let (form, input, mut errors) = form::read(&page, &body, &source, day)?;
        if errors.is_empty() {
            let actor = page.caller.actor();
            let version = form.version.trim().parse::<i64>().unwrap_or(raw.version);
            match register::repair_facility(
                &state.store,
                id,
                version,
                &input,
                &source,
                who,
                &actor,
                day,
            )
            .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/beheer/voorzieningen/{id}?melding=voorziening-hersteld"
                    )))
                }
                Err(AppError::Invalid(refused)) => {
                    form::add_refusals(&page, &mut errors, &refused);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let mode = Mode::Repair(&raw);
        Ok(form::render(&page, &state, status, mode, &form, &errors, None).await?)
    })
    .await
}
