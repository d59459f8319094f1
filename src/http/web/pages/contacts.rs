//! `/beheer/contacten`: the people at organisations whom campaigns mail.
//! The list (by organisation, opt-outs shown), adding one, the edit form
//! with the opt-out, and for admins erasing one after a confirmation step.
//! National roles keep all contacts, an organisation's manager their own
//! organisation's; the rules and the audit log are in
//! `campaigns::contacts`. The spreadsheet import is in [`import`].

mod import;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use self::import::{import_check, import_form, import_write, template_csv, template_xlsx};
use crate::campaigns::contacts;
use crate::domain::contact::{Contact, ContactInput};
use crate::domain::date::today;
use crate::domain::error::Conflict;
use crate::domain::organisation::Organisation;
use crate::domain::FieldError;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{
    parse_id, parse_query, see_other, FieldErrors, MessageQuery, Page, PageError,
};
use crate::register::reads;

/// The form's inputs, in its order.
const FIELDS: &[&str] = &["organisation_id", "name", "role", "email", "phone"];

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
struct ContactForm {
    organisation_id: String,
    name: String,
    role: String,
    email: String,
    phone: String,
    /// `on` when the box is ticked.
    opt_out: String,
}

impl ContactForm {
    fn of(contact: &Contact) -> ContactForm {
        let input = contact.to_input();
        let text = |v: Option<String>| v.unwrap_or_default();
        ContactForm {
            organisation_id: contact.organisation_id.to_string(),
            name: text(input.name),
            role: text(input.role),
            email: text(input.email),
            phone: text(input.phone),
            opt_out: if contact.opted_out_on.is_some() {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    /// The form as the use cases' input; a chosen organisation that is not
    /// a number is the form's own error.
    fn to_input(&self, page: &Page) -> (ContactInput, FieldErrors) {
        let mut errors = FieldErrors::new();
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let organisation_id = match text(&self.organisation_id) {
            None => None,
            Some(id) => id.parse::<i64>().ok().or_else(|| {
                errors.insert(
                    "organisation_id".into(),
                    page.text("contacts.error.organisation"),
                );
                None
            }),
        };
        let input = ContactInput {
            organisation_id,
            name: text(&self.name),
            role: text(&self.role),
            email: text(&self.email),
            phone: text(&self.phone),
            opt_out: Some(self.opt_out == "on"),
        };
        (input, errors)
    }
}

fn add_refusals(page: &Page, errors: &mut FieldErrors, refused: &[FieldError]) {
    for error in refused {
        let field = if FIELDS.contains(&error.field.as_str()) {
            error.field.clone()
        } else {
            "name".to_string()
        };
        errors
            .entry(field)
            .or_insert_with(|| sentence(&error.text(page.lang)));
    }
}

/// The organisations whose contacts the person may keep, by name.
async fn organisations(state: &AppState, page: &Page) -> Result<Vec<Organisation>, PageError> {
    let scope = page.caller.principal()?.contact_scope();
    Ok(reads::organisation_choices(&state.store)
        .await?
        .into_iter()
        .filter(|o| scope.admits(o.id))
        .collect())
}

fn organisation_options(organisations: &[Organisation]) -> Vec<Value> {
    organisations
        .iter()
        .map(|o| context! { value => o.id.to_string(), label => o.fields.name })
        .collect()
}

fn organisation_name(organisations: &[Organisation], id: i64) -> String {
    organisations
        .iter()
        .find(|o| o.id == id)
        .map_or_else(|| format!("#{id}"), |o| o.fields.name.clone())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    organisation_id: String,
    melding: String,
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: ListQuery = parse_query(query.as_deref())?;
        let chosen =
            match query.organisation_id.trim() {
                "" => None,
                id => Some(id.parse::<i64>().map_err(|_| {
                    PageError::new(StatusCode::BAD_REQUEST, "error.bad_request.text")
                })?),
            };
        let who = page.caller.principal()?;
        let found = contacts::list(&state.store, who, &page.caller.actor(), chosen).await?;
        let organisations = organisations(&state, &page).await?;
        let rows: Vec<Value> = found
            .iter()
            .map(|c| {
                let person = c.person.as_ref();
                context! {
                    id => c.id,
                    name => person.map(|p| p.name.clone()),
                    role => person.and_then(|p| p.role.clone()),
                    email => person.map(|p| p.email.as_str().to_string()),
                    phone => person.and_then(|p| p.phone.as_ref().map(|n| n.as_str().to_string())),
                    organisation => organisation_name(&organisations, c.organisation_id),
                    opted_out_on => c.opted_out_on.map(|d| d.to_string()),
                }
            })
            .collect();
        Ok(page.render(
            "contacts/list.html",
            StatusCode::OK,
            context! {
                contacts => rows,
                organisations => organisation_options(&organisations),
                chosen => chosen.map(|id| id.to_string()).unwrap_or_default(),
                message => page.message(&query.melding),
            },
        ))
    })
    .await
}

/// The add or edit form. `contact` is the one edited (none: a new one).
fn render_form(
    page: &Page,
    status: StatusCode,
    contact: Option<&Contact>,
    organisations: &[Organisation],
    form: &ContactForm,
    errors: &FieldErrors,
    message: Option<String>,
) -> Response {
    let summary: Vec<Value> = FIELDS
        .iter()
        .filter_map(|f| {
            errors.get(*f).map(|m| {
                context! { field => f, label => page.text(&format!("contacts.field.{f}")), message => m }
            })
        })
        .collect();
    let may_erase = page
        .caller
        .principal
        .as_ref()
        .is_some_and(|p| p.may_erase_contacts());
    let title = match contact {
        Some(_) => page.text("contacts.edit.title"),
        None => page.text("contacts.new.title"),
    };
    page.render(
        "contacts/form.html",
        status,
        context! {
            title,
            id => contact.map(|c| c.id),
            erased => contact.is_some_and(Contact::is_erased),
            erased_at => contact.and_then(|c| c.erased_at.clone()),
            organisation => contact.map(|c| organisation_name(organisations, c.organisation_id)),
            opted_out_on => contact.and_then(|c| c.opted_out_on.map(|d| d.to_string())),
            action => contact.map_or_else(|| "/beheer/contacten/nieuw".to_string(), |c| format!("/beheer/contacten/{}", c.id)),
            organisations => organisation_options(organisations),
            form,
            errors,
            summary,
            may_erase,
            message,
        },
    )
}

pub async fn new_form(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let organisations = organisations(&state, &page).await?;
        let form = ContactForm {
            // One organisation to choose from (a manager's): chosen already.
            organisation_id: match organisations.as_slice() {
                [only] => only.id.to_string(),
                _ => String::new(),
            },
            ..ContactForm::default()
        };
        Ok(render_form(
            &page,
            StatusCode::OK,
            None,
            &organisations,
            &form,
            &FieldErrors::new(),
            None,
        ))
    })
    .await
}

/// A refusal of the use case as messages next to the fields, or an error page.
fn refused(
    page: &Page,
    errors: &mut FieldErrors,
    error: AppError,
) -> Result<StatusCode, PageError> {
    match error {
        AppError::Invalid(refused) => {
            add_refusals(page, errors, &refused);
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
        AppError::Conflict(Conflict {
            field: Some(field),
            reason,
        }) => {
            errors.insert(field.into(), sentence(&reason.text(page.lang)));
            Ok(StatusCode::CONFLICT)
        }
        other => Err(other.into()),
    }
}

pub async fn create(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: ContactForm = page.form(&body)?;
        let organisations = organisations(&state, &page).await?;
        let (input, mut errors) = form.to_input(&page);
        if let Err(refused) = input.validate() {
            add_refusals(&page, &mut errors, &refused);
        }
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if errors.is_empty() {
            let who = page.caller.principal()?;
            match contacts::create(&state.store, who, &page.caller.actor(), &input, today()).await {
                Ok(id) => {
                    return Ok(see_other(&format!(
                        "/beheer/contacten/{id}?melding=contact-toegevoegd"
                    )))
                }
                Err(e) => status = refused(&page, &mut errors, e)?,
            }
        }
        Ok(render_form(
            &page,
            status,
            None,
            &organisations,
            &form,
            &errors,
            None,
        ))
    })
    .await
}

/// The contact if the person may keep it (read, and audited as such).
async fn keepable(state: &AppState, page: &Page, id: &str) -> Result<Contact, PageError> {
    let id = parse_id(id, "contacts.not_found")?;
    let who = page.caller.principal()?;
    contacts::read(&state.store, who, &page.caller.actor(), id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => PageError::not_found("contacts.not_found"),
            other => other.into(),
        })
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let contact = keepable(&state, &page, &id).await?;
        let organisations = organisations(&state, &page).await?;
        Ok(render_form(
            &page,
            StatusCode::OK,
            Some(&contact),
            &organisations,
            &ContactForm::of(&contact),
            &FieldErrors::new(),
            page.message(&query.melding),
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
        let current = keepable(&state, &page, &id).await?;
        let form: ContactForm = page.form(&body)?;
        let organisations = organisations(&state, &page).await?;
        let (input, mut errors) = form.to_input(&page);
        if let Err(refused) = input.validate() {
            add_refusals(&page, &mut errors, &refused);
        }
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if errors.is_empty() {
            let patch = json!({
                "organisation_id": input.organisation_id,
                "name": input.name,
                "role": input.role,
                "email": input.email,
                "phone": input.phone,
                "opt_out": input.opt_out,
            });
            let who = page.caller.principal()?;
            let actor = page.caller.actor();
            match contacts::patch(&state.store, who, &actor, current.id, &patch, today()).await {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/beheer/contacten/{}?melding=contact-opgeslagen",
                        current.id
                    )))
                }
                Err(e) => status = refused(&page, &mut errors, e)?,
            }
        }
        Ok(render_form(
            &page,
            status,
            Some(&current),
            &organisations,
            &form,
            &errors,
            None,
        ))
    })
    .await
}

/// The confirmation step before an erasure: what goes, what stays.
pub async fn erase_confirm(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    page.run(async {
        let contact = keepable(&state, &page, &id).await?;
        let organisations = organisations(&state, &page).await?;
        Ok(page.render(
            "contacts/erase.html",
            StatusCode::OK,
            context! {
                id => contact.id,
                erased => contact.is_erased(),
                name => contact.person.as_ref().map(|p| p.name.clone()),
                organisation => organisation_name(&organisations, contact.organisation_id),
            },
        ))
    })
    .await
}

pub async fn erase(page: Page, State(state): State<AppState>, Path(id): Path<String>) -> Response {
    page.run(async {
        let id = parse_id(&id, "contacts.not_found")?;
        let who = page.caller.principal()?;
        contacts::erase(&state.store, who, &page.caller.actor(), id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => PageError::not_found("contacts.not_found"),
                other => other.into(),
            })?;
        Ok(see_other("/beheer/contacten?melding=contact-gewist"))
    })
    .await
}
