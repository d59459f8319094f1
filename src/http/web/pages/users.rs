//! `/beheer/gebruikers` (admins): the users, adding one (who gets an
//! invitation by e-mail) and disabling one (their sessions and tokens end
//! at once).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{
    parse_id, parse_query, see_other, FieldErrors, MessageQuery, Page, PageError, PageResult,
};
use crate::accounts::access;
use crate::accounts::mails;
use crate::accounts::{self, NewUser};
use crate::domain::access::Role;
use crate::domain::error::Conflict;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;

/// The add-user form as typed, to show again when something is wrong.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct UserForm {
    email: String,
    name: String,
    role: String,
    organisation_id: String,
    /// The facilities ticked, as their numbers.
    facility_ids: Vec<String>,
}

impl UserForm {
    /// The form from its fields; `facility` repeats, once per ticked box.
    fn from_pairs(pairs: Vec<(String, String)>) -> UserForm {
        let mut form = UserForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "email" => form.email = value,
                "name" => form.name = value,
                "role" => form.role = value,
                "organisation_id" => form.organisation_id = value,
                "facility" => form.facility_ids.push(value),
                _ => {}
            }
        }
        form
    }
}

async fn render(
    page: &Page,
    state: &AppState,
    status: StatusCode,
    form: &UserForm,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let users = access::users(&state.store, &page.caller.actor()).await?;
    let organisations = crate::register::reads::organisation_choices(&state.store).await?;
    let names: HashMap<i64, &str> = organisations
        .iter()
        .map(|o| (o.id, o.fields.name.as_str()))
        .collect();
    // The facilities to limit a reporter to, by organisation, by name: a
    // person picks them, nobody types numbers (non-public ones included,
    // so the read is audited).
    let who = page.caller.principal()?;
    let (facilities, _) = crate::register::reads::staff_list(
        &state.store,
        who,
        &page.caller.actor(),
        crate::storage::facilities::FacilityFilter::default(),
        usize::MAX,
    )
    .await?;
    let facility_names: HashMap<i64, &str> = facilities
        .iter()
        .map(|f| (f.id, f.fields.name.as_str()))
        .collect();
    let me = page.caller.principal()?.user_id;
    let users: Vec<_> = users
        .iter()
        .map(|u| {
            context! {
                id => u.id,
                email => u.email,
                name => u.name,
                role => u.role.code(),
                organisation => u.organisation_id.map(|id| names.get(&id).map_or_else(|| id.to_string(), |n| n.to_string())),
                facility_ids => u.facility_ids.iter().map(|id| facility_names.get(id).map_or_else(|| id.to_string(), |n| n.to_string())).collect::<Vec<_>>(),
                disabled_at => u.disabled_at,
                has_password => u.has_password,
                is_me => Some(u.id) == me,
            }
        })
        .collect();
    let facility_groups: Vec<_> = organisations
        .iter()
        .filter_map(|o| {
            let mut own: Vec<_> = facilities
                .iter()
                .filter(|f| f.organisation_id == Some(o.id))
                .collect();
            own.sort_by(|a, b| a.fields.name.cmp(&b.fields.name));
            let choices: Vec<_> = own
                .iter()
                .map(|f| {
                    let id = f.id.to_string();
                    context! {
                        checked => form.facility_ids.contains(&id),
                        id,
                        label => match &f.fields.city {
                            Some(city) => format!("{} ({city})", f.fields.name),
                            None => f.fields.name.clone(),
                        },
                    }
                })
                .collect();
            (!choices.is_empty()).then(|| {
                context! {
                    name => o.fields.name,
                    open => own.iter().any(|f| form.facility_ids.contains(&f.id.to_string())),
                    facilities => choices,
                }
            })
        })
        .collect();
    let organisations: Vec<_> = organisations
        .iter()
        .map(|o| context! { id => o.id.to_string(), name => o.fields.name })
        .collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
    Ok(page.render(
        "users.html",
        status,
        context! { users, organisations, facility_groups, roles, form, errors, message },
    ))
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let message = page.message(&query.melding);
        render(
            &page,
            &state,
            StatusCode::OK,
            &UserForm::default(),
            FieldErrors::new(),
            message,
        )
        .await
    })
    .await
}

/// The message next to a field that `accounts::create_user` refused.
fn field_error_key(field: &str) -> &'static str {
    match field {
        "email" => "users.error.email",
        "role" => "users.error.role",
        "organisation_id" => "users.error.organisation_id",
        "facility_ids" => "users.error.facility_ids",
        _ => "error.invalid.text",
    }
}

/// Adds a user and e-mails them the link to set their password.
pub async fn create(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form = UserForm::from_pairs(page.form(&body)?);
        let mut errors = FieldErrors::new();
        let organisation_id = match form.organisation_id.trim() {
            "" => None,
            text => text.parse::<i64>().map_or_else(
                |_| {
                    errors.insert(
                        "organisation_id".into(),
                        page.text("users.error.organisation_id"),
                    );
                    None
                },
                Some,
            ),
        };
        let facility_ids: Result<Vec<i64>, _> =
            form.facility_ids.iter().map(|s| s.trim().parse()).collect();
        let facility_ids = facility_ids.unwrap_or_else(|_| {
            errors.insert("facility_ids".into(), page.text("users.error.facility_ids"));
            Vec::new()
        });
        if !errors.is_empty() {
            return render(
                &page,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                errors,
                None,
            )
            .await;
        }
        let new = NewUser {
            email: form.email.trim().to_string(),
            name: Some(form.name.trim().to_string()).filter(|n| !n.is_empty()),
            role: form.role.clone(),
            organisation_id,
            facility_ids,
        };
        match accounts::create_user(&state.store, &new, &page.caller.actor()).await {
            Ok((_, secret)) => {
                let sent = mails::send_invitation(&state.services(), &new.email, &secret).await;
                Ok(see_other(if sent {
                    "/beheer/gebruikers?melding=uitgenodigd"
                } else {
                    "/beheer/gebruikers?melding=uitnodiging-mislukt"
                }))
            }
            Err(AppError::Invalid(refused)) => {
                for e in refused {
                    errors
                        .entry(e.field.clone())
                        .or_insert_with(|| page.text(field_error_key(&e.field)));
                }
                render(
                    &page,
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form,
                    errors,
                    None,
                )
                .await
            }
            Err(AppError::Conflict(Conflict {
                field: Some(field),
                reason,
            })) => {
                errors.insert(field.into(), sentence(&reason.text(page.lang)));
                render(&page, &state, StatusCode::CONFLICT, &form, errors, None).await
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Disables a user (not yourself).
pub async fn disable(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "users.not_found")?;
        match accounts::disable_user(&state.store, id, &page.caller.actor()).await {
            Ok(()) => Ok(see_other("/beheer/gebruikers?melding=uitgeschakeld")),
            Err(AppError::NotFound(_)) => Err(PageError::not_found("users.not_found")),
            // A conflict (yourself, already disabled) shows its reason.
            Err(e) => Err(e.into()),
        }
    })
    .await
}
