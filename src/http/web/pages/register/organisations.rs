//! `/beheer/organisaties`: the organisations a person may keep (all for
//! national roles, their own for an organisation's manager), and editing
//! one through `register::patch_organisation`, which records the change
//! as a new version with its provenance.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::form;
use crate::domain::date::{parse_date, today};
use crate::domain::error::Conflict;
use crate::domain::facility::manual_source;
use crate::domain::organisation::{Organisation, OrganisationInput, OrganisationKind};
use crate::domain::FieldError;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{
    parse_id, parse_query, see_other, FieldErrors, MessageQuery, Page, PageError,
};
use crate::register;
use crate::register::reads;

/// Inputs with a message of their own, in the order of the form.
const FIELDS: &[&str] = &[
    "name",
    "kind",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "notes",
    "source_detail",
    "verified_on",
    "change_note",
    "effective_from",
];

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
struct OrganisationForm {
    name: String,
    kind: String,
    website: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    notes: String,
    source: String,
    source_detail: String,
    verified_on: String,
    change_note: String,
    effective_from: String,
    version: String,
}

impl OrganisationForm {
    fn of(organisation: &Organisation) -> OrganisationForm {
        let f = &organisation.fields;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        OrganisationForm {
            name: f.name.clone(),
            kind: f.kind.code().to_string(),
            website: text(&f.website),
            contact_name: text(&f.contact_name),
            contact_email: text(&f.contact_email),
            contact_phone: text(&f.contact_phone),
            notes: text(&f.notes),
            version: organisation.validity.version.to_string(),
            ..OrganisationForm::default()
        }
    }

    fn to_input(&self, page: &Page) -> (OrganisationInput, FieldErrors) {
        let mut errors = FieldErrors::new();
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let mut date = |field: &str, value: &str| {
            let value = text(value)?;
            parse_date(&value).or_else(|| {
                errors.insert(field.to_string(), message(page, field));
                None
            })
        };
        let verified_on = date("verified_on", &self.verified_on);
        let effective_from = date("effective_from", &self.effective_from);
        let source = match (text(&self.source), text(&self.source_detail)) {
            (None, None) => None,
            (None, Some(detail)) => Some(detail),
            (Some(kind), None) => Some(kind),
            (Some(kind), Some(detail)) => Some(format!("{kind}: {detail}")),
        };
        let input = OrganisationInput {
            name: text(&self.name),
            kind: text(&self.kind),
            website: text(&self.website),
            contact_name: text(&self.contact_name),
            contact_email: text(&self.contact_email),
            contact_phone: text(&self.contact_phone),
            notes: text(&self.notes),
            source,
            verified_on,
            change_note: text(&self.change_note),
            effective_from,
        };
        (input, errors)
    }
}

fn message(page: &Page, input: &str) -> String {
    if FIELDS.contains(&input) {
        page.text(&format!("register.organisation.error.{input}"))
    } else {
        page.text("error.invalid.text")
    }
}

fn add_refusals(page: &Page, errors: &mut FieldErrors, refused: &[FieldError]) {
    for error in refused {
        let input = if error.field == "source" {
            "source_detail"
        } else {
            error.field.as_str()
        };
        errors
            .entry(input.to_string())
            .or_insert_with(|| message(page, input));
    }
}

pub async fn list(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let organisations: Vec<_> = reads::organisation_choices(&state.store)
            .await?
            .into_iter()
            .filter(|o| who.may_edit_organisation(o.id))
            .map(|o| {
                context! {
                    id => o.id,
                    name => o.fields.name,
                    kind => page.text(&format!("register.organisation.kind.{}", o.fields.kind.code())),
                    website => o.fields.website,
                    verified_on => o.recorded.verified_on.map(|d| d.to_string()),
                }
            })
            .collect();
        Ok(page.render(
            "register/organisations.html",
            StatusCode::OK,
            context! { organisations },
        ))
    })
    .await
}

/// The organisation if the person may keep it: others' are refused (that
/// an organisation exists is public).
async fn editable(state: &AppState, page: &Page, id: i64) -> Result<Organisation, PageError> {
    let who = page.caller.principal()?;
    reads::editable_organisation(&state.store, who, &page.caller.actor(), id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => PageError::not_found("register.organisation.not_found"),
            AppError::Forbidden(_) => PageError::new(StatusCode::FORBIDDEN, "error.forbidden.text"),
            other => other.into(),
        })
}

fn render(
    page: &Page,
    status: StatusCode,
    organisation: &Organisation,
    form: &OrganisationForm,
    errors: &FieldErrors,
    message: Option<String>,
) -> Response {
    let kinds: Vec<Value> = OrganisationKind::ALL
        .iter()
        .map(|k| {
            context! {
                value => k.code(),
                label => page.text(&format!("register.organisation.kind.{}", k.code())),
            }
        })
        .collect();
    let sources = form::source_options(page);
    let summary: Vec<Value> = FIELDS
        .iter()
        .filter_map(|f| {
            errors.get(*f).map(|m| {
                let label = page.text(&format!("register.organisation.field.{f}"));
                context! { field => f, label, message => m }
            })
        })
        .collect();
    page.render(
        "register/organisation.html",
        status,
        context! {
            id => organisation.id,
            title => page.text_with("register.edit.title", &[("name", organisation.fields.name.clone())]),
            recorded_by => organisation.recorded.recorded_by,
            recorded_at => organisation.recorded.recorded_at,
            form,
            errors,
            summary,
            kinds,
            sources,
            message,
        },
    )
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "register.organisation.not_found")?;
        let query: MessageQuery = parse_query(query.as_deref())?;
        let organisation = editable(&state, &page, id).await?;
        let form = OrganisationForm::of(&organisation);
        let message = page.message(&query.melding);
        let errors = FieldErrors::new();
        Ok(render(
            &page,
            StatusCode::OK,
            &organisation,
            &form,
            &errors,
            message,
        ))
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
        let id = parse_id(&id, "register.organisation.not_found")?;
        let current = editable(&state, &page, id).await?;
        let form: OrganisationForm = page.form(&body)?;
        let (input, mut errors) = form.to_input(&page);
        let day = today();
        let source = manual_source("web");
        if let Err(refused) = input.validate(&source, day) {
            add_refusals(&page, &mut errors, &refused);
        }
        let invalid = StatusCode::UNPROCESSABLE_ENTITY;
        if !errors.is_empty() {
            return Ok(render(&page, invalid, &current, &form, &errors, None));
        }
        let filled_from = match form.version.trim().parse::<i64>() {
            Ok(version) if version != current.validity.version => {
                reads::organisation_version(&state.store, id, version)
                    .await?
                    .unwrap_or(current.clone())
            }
            _ => current.clone(),
        };
        let patch = form::patch(&input, &filled_from.fields.to_input())?;
        let who = page.caller.principal()?;
        let actor = page.caller.actor();
        match register::patch_organisation(&state.store, id, &patch, &source, who, &actor, day)
            .await
        {
            Ok(()) => Ok(see_other(&format!(
                "/beheer/organisaties/{id}?melding=organisatie-opgeslagen"
            ))),
            Err(AppError::Invalid(refused)) => {
                add_refusals(&page, &mut errors, &refused);
                Ok(render(&page, invalid, &current, &form, &errors, None))
            }
            Err(AppError::Conflict(Conflict {
                field: Some(field),
                reason,
            })) => {
                errors.insert(field.into(), sentence(&reason.text(page.lang)));
                Ok(render(
                    &page,
                    StatusCode::CONFLICT,
                    &current,
                    &form,
                    &errors,
                    None,
                ))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}
