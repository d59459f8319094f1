//! `/beheer/rondes` (national roles): the rounds and a form to create one;
//! `/beheer/rondes/{name}`: a round's Table 1, a form per service to set
//! how its count reads, and closing, reopening and publishing. Every
//! change goes through `crate::rounds`, which audits it.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::{downloads, round_context, service_label, table_context};
use crate::domain::date::today;
use crate::domain::error::Conflict;
use crate::domain::round::{OverrideInput, Round, RoundInput, RoundStatus};
use crate::domain::service::ServiceType;
use crate::domain::table1::Qualifier;
use crate::domain::Reason;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{
    parse_query, see_other, urlencode, FieldErrors, MessageQuery, Page, PageError, PageResult,
};
use crate::rounds;

/// The create form as typed, to show again when something is wrong.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct CreateForm {
    name: String,
    reference_date: String,
    /// Checked services; several fields of the same name.
    #[serde(skip)]
    services: Vec<String>,
}

/// The override form of one service.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
struct CountForm {
    service: String,
    qualifier: String,
    value: String,
    note: String,
    source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReopenForm {
    reason: String,
}

fn round_path(name: &str) -> String {
    format!("/beheer/rondes/{}", urlencode(name))
}

/// The round, or the page's 404.
async fn find(state: &AppState, name: &str) -> Result<Round, PageError> {
    rounds::round_named(&state.store, name)
        .await?
        .ok_or(PageError::not_found("rounds.not_found"))
}

async fn render_list(
    page: &Page,
    state: &AppState,
    status: StatusCode,
    form: &CreateForm,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let listed = rounds::rounds_for(&state.store, true, &page.caller.actor()).await?;
    let rounds: Vec<Value> = listed.iter().map(|r| round_context(page, r)).collect();
    let services: Vec<Value> = ServiceType::ALL
        .iter()
        .map(|s| {
            context! {
                value => s.code(),
                label => service_label(page, s.code()),
                checked => form.services.is_empty() || form.services.iter().any(|c| c == s.code()),
            }
        })
        .collect();
    let suggestion = today().year().to_string();
    Ok(page.render(
        "rounds/list.html",
        status,
        context! { rounds, services, form, errors, message, suggestion },
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
        render_list(
            &page,
            &state,
            StatusCode::OK,
            &CreateForm::default(),
            FieldErrors::new(),
            message,
        )
        .await
    })
    .await
}

/// The posted fields in order; the services checkboxes repeat a name.
fn fields(page: &Page, body: &[u8]) -> Result<Vec<(String, String)>, PageError> {
    page.form(body)
}

pub async fn create(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let fields = fields(&page, &body)?;
        let value = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let form = CreateForm {
            name: value("name"),
            reference_date: value("reference_date"),
            services: fields
                .iter()
                .filter(|(n, _)| n == "services")
                .map(|(_, v)| v.clone())
                .collect(),
        };
        let mut errors = FieldErrors::new();
        let mut taken = false;
        if form.services.is_empty() {
            errors.insert("services".into(), page.text("rounds.error.services"));
        }
        if errors.is_empty() {
            let input = RoundInput {
                name: Some(form.name.clone()),
                reference_date: Some(form.reference_date.clone()),
                services: form.services.clone(),
            };
            let who = page.caller.principal()?;
            match rounds::create_round(&state.store, &input, who, &page.caller.actor()).await {
                Ok(round) => {
                    return Ok(see_other(&format!(
                        "{}?melding=ronde-aangemaakt",
                        round_path(&round.name)
                    )))
                }
                Err(AppError::Invalid(refused)) => {
                    for e in refused {
                        let key = match e.field.as_str() {
                            "name" => "rounds.error.name",
                            "reference_date" => "rounds.error.reference_date",
                            _ => "rounds.error.services",
                        };
                        errors.entry(e.field).or_insert_with(|| page.text(key));
                    }
                }
                Err(AppError::Conflict(Conflict {
                    field: Some(field),
                    reason,
                })) => {
                    taken = true;
                    errors.insert(field.into(), sentence(&reason.text(page.lang)));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let status = if taken {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        render_list(&page, &state, status, &form, errors, None).await
    })
    .await
}

/// A round's page, with the forms as typed (`forms`) and their errors.
async fn render_round(
    page: &Page,
    state: &AppState,
    round: &Round,
    status: StatusCode,
    edited: Option<(&CountForm, &FieldErrors)>,
    problem: Option<String>,
    message: Option<String>,
) -> PageResult {
    let table = crate::rounds::table1::round_table(&state.store, round).await?;
    let overrides = rounds::overrides(&state.store, round).await?;
    let qualifiers: Vec<(String, String)> = Qualifier::ALL
        .iter()
        .map(|q| {
            (
                q.code().to_string(),
                page.text(&format!("rounds.qualifier.{}", q.code())),
            )
        })
        .collect();
    let forms: Vec<Value> = round
        .services()
        .map(|service| {
            let saved = overrides.iter().find(|o| o.service == service);
            let (form, errors) = match edited {
                Some((form, errors)) if form.service == service.code() => {
                    (form.clone(), errors.clone())
                }
                _ => (
                    CountForm {
                        service: service.code().to_string(),
                        qualifier: saved.map_or("exact", |o| o.qualifier.code()).to_string(),
                        value: saved
                            .and_then(|o| o.value)
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                        note: saved.and_then(|o| o.note.clone()).unwrap_or_default(),
                        source: saved.and_then(|o| o.source.clone()).unwrap_or_default(),
                    },
                    FieldErrors::new(),
                ),
            };
            context! {
                service => service.code(),
                label => service_label(page, service.code()),
                form,
                errors,
                updated_by => saved.map(|o| o.updated_by.clone()),
                updated_at => saved.map(|o| o.updated_at.clone()),
            }
        })
        .collect();
    let query = format!("round={}", urlencode(&round.name));
    Ok(page.render(
        "rounds/round.html",
        status,
        context! {
            round => round_context(page, round),
            path_name => urlencode(&round.name),
            table => table_context(page, &table, true),
            count_forms => forms,
            qualifiers,
            downloads => downloads(page, &query),
            report_url => format!("{}/rapport", round_path(&round.name)),
            may_close => round.status == RoundStatus::Open,
            may_reopen => round.status == RoundStatus::Closed,
            may_publish => round.status == RoundStatus::Closed,
            future => round.reference_date > today(),
            problem,
            message,
        },
    ))
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let round = find(&state, &name).await?;
        rounds::audit_read(&state.store, &page.caller.actor(), &[&round]).await?;
        let message = page.message(&query.melding);
        render_round(&page, &state, &round, StatusCode::OK, None, None, message).await
    })
    .await
}

/// Sets how one service's count reads.
pub async fn set_count(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let round = find(&state, &name).await?;
        let form: CountForm = page.form(&body)?;
        let mut errors = FieldErrors::new();
        let value = match form.value.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.insert("value".into(), page.text("rounds.error.value"));
                    None
                }
            },
        };
        if errors.is_empty() {
            let input = OverrideInput {
                service: Some(form.service.clone()),
                qualifier: Some(form.qualifier.clone()),
                value,
                note: Some(form.note.clone()),
                source: Some(form.source.clone()),
            };
            let who = page.caller.principal()?;
            match rounds::set_count(&state.store, &name, &input, who, &page.caller.actor()).await {
                Ok(()) => {
                    return Ok(see_other(&format!(
                        "{}?melding=telling-opgeslagen#telling-{}",
                        round_path(&name),
                        form.service
                    )))
                }
                Err(AppError::Invalid(refused)) => {
                    for e in refused {
                        let key = match e.field.as_str() {
                            "qualifier" => "rounds.error.qualifier",
                            "value" => "rounds.error.value",
                            "note" => "rounds.error.note",
                            "source" => "rounds.error.source",
                            _ => "rounds.error.service",
                        };
                        // A reason of the catalogue says exactly what is wrong;
                        // the others (English from a library) get the field's text.
                        let text = match &e.reason {
                            Reason::Text { .. } => sentence(&e.reason.text(page.lang)),
                            _ => page.text(key),
                        };
                        errors.entry(e.field).or_insert(text);
                    }
                }
                Err(AppError::Conflict(conflict)) => {
                    let round = find(&state, &name).await?;
                    let problem = sentence(&conflict.reason.text(page.lang));
                    return render_round(
                        &page,
                        &state,
                        &round,
                        StatusCode::CONFLICT,
                        None,
                        Some(problem),
                        None,
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if errors.contains_key("service") || ServiceType::parse(&form.service).is_none() {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "rounds.error.service",
            ));
        }
        render_round(
            &page,
            &state,
            &round,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((&form, &errors)),
            None,
            None,
        )
        .await
    })
    .await
}

/// Shows the round again with why a status change was refused.
/// The round's page with the reason a change was refused.
async fn refused(page: &Page, state: &AppState, name: &str, conflict: Conflict) -> PageResult {
    let round = find(state, name).await?;
    render_round(
        page,
        state,
        &round,
        StatusCode::CONFLICT,
        None,
        Some(sentence(&conflict.reason.text(page.lang))),
        None,
    )
    .await
}

/// What closing and publishing send: `bevestigd=ja` once the person has
/// seen what will be frozen or published.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ConfirmForm {
    bevestigd: String,
}

/// The confirmation before closing or publishing: Table 1 exactly as it
/// will be frozen or made public, and one button to go ahead.
async fn confirm_step(page: &Page, state: &AppState, round: &Round, step: &str) -> PageResult {
    let table = crate::rounds::table1::round_table(&state.store, round).await?;
    let action = match step {
        "close" => "sluiten",
        _ => "publiceren",
    };
    Ok(page.render(
        "rounds/confirm.html",
        StatusCode::OK,
        context! {
            round => round_context(page, round),
            path_name => urlencode(&round.name),
            table => table_context(page, &table, true),
            step,
            action,
        },
    ))
}

pub async fn close(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let round = find(&state, &name).await?;
        let form: ConfirmForm = page.form(&body)?;
        if form.bevestigd != "ja" && round.may_close(today()).is_ok() {
            return confirm_step(&page, &state, &round, "close").await;
        }
        let who = page.caller.principal()?;
        match rounds::close_round(&state.store, &name, who, &page.caller.actor(), today()).await {
            Ok(_) => Ok(see_other(&format!(
                "{}?melding=ronde-gesloten",
                round_path(&name)
            ))),
            Err(AppError::Conflict(conflict)) => refused(&page, &state, &name, conflict).await,
            Err(e) => Err(e.into()),
        }
    })
    .await
}

pub async fn reopen(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let round = find(&state, &name).await?;
        let form: ReopenForm = page.form(&body)?;
        let who = page.caller.principal()?;
        match rounds::reopen_round(
            &state.store,
            &name,
            Some(&form.reason),
            who,
            &page.caller.actor(),
        )
        .await
        {
            Ok(_) => Ok(see_other(&format!(
                "{}?melding=ronde-heropend",
                round_path(&name)
            ))),
            Err(AppError::Invalid(_)) => {
                render_round(
                    &page,
                    &state,
                    &round,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(page.text("rounds.error.reason")),
                    None,
                )
                .await
            }
            Err(AppError::Conflict(conflict)) => refused(&page, &state, &name, conflict).await,
            Err(e) => Err(e.into()),
        }
    })
    .await
}

pub async fn publish(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let round = find(&state, &name).await?;
        let form: ConfirmForm = page.form(&body)?;
        if form.bevestigd != "ja" && round.may_publish().is_ok() {
            return confirm_step(&page, &state, &round, "publish").await;
        }
        let who = page.caller.principal()?;
        match rounds::publish_round(&state.store, &name, who, &page.caller.actor()).await {
            Ok(_) => Ok(see_other(&format!(
                "{}?melding=ronde-gepubliceerd",
                round_path(&name)
            ))),
            Err(AppError::Conflict(conflict)) => refused(&page, &state, &name, conflict).await,
            Err(e) => Err(e.into()),
        }
    })
    .await
}
