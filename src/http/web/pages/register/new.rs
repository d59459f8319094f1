//! `/beheer/voorzieningen/nieuw`: adding a facility through
//! `register::create_facility`, which checks that the person may add to the
//! organisation they chose (their own, for an organisation's manager).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::form::{self, FacilityForm, Mode};
use crate::domain::date::today;
use crate::domain::facility::manual_source;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{see_other, FieldErrors, Page};
use crate::register;

pub async fn form(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        // An organisation's manager adds to their own organisation.
        let organisation = who
            .organisation_id
            .filter(|_| who.role.needs_organisation());
        let form = FacilityForm::blank(organisation);
        let errors = FieldErrors::new();
        Ok(form::render(
            &page,
            &state,
            StatusCode::OK,
            Mode::New,
            &form,
            &errors,
            None,
        )
        .await?)
    })
    .await
}

pub async fn create(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let day = today();
        let source = manual_source("web");
        let (form, input, mut errors) = form::read(&page, &body, &source, day)?;
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        if !errors.is_empty() {
            return Ok(form::render(&page, &state, status, Mode::New, &form, &errors, None).await?);
        }
        let actor = page.caller.actor();
        match register::create_facility(&state.store, &input, &source, who, &actor, day).await {
            Ok(id) => Ok(see_other(&format!(
                "/beheer/voorzieningen/{id}?melding=voorziening-toegevoegd"
            ))),
            Err(AppError::Invalid(refused)) => {
                form::add_refusals(&page, &mut errors, &refused);
                Ok(form::render(&page, &state, status, Mode::New, &form, &errors, None).await?)
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}
