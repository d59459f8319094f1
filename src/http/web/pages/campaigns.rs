//! `/beheer/campagnes` (admins and researchers): the campaigns and a form
//! to create one; `/beheer/campagnes/{name}`: its recipients with their
//! status, the buttons that queue the invitations and the reminders, and a
//! button per invitation that revokes its link, and the follow-up: the
//! calls and website checks per organisation that has not answered, who
//! still needs a call, and a form to add an entry
//! (`/beheer/campagnes/{name}/opvolging`; `?organisatie=ID` chooses the
//! organisation in it, for the links of the dashboard). The figures, the
//! response rate and who still needs a call in order are on the
//! campaign's dashboard (`campaign_dashboard`), linked at the top.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use crate::campaigns::{campaigns, follow_ups};
use crate::domain::campaign::{CampaignInput, MailKind, RECIPIENT_STATUSES};
use crate::domain::date::today;
use crate::domain::error::Conflict;
use crate::domain::follow_up::{FollowUpInput, FollowUpKind, Outcome, KINDS, OUTCOMES};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{
    parse_query, see_other, urlencode, FieldErrors, Page, PageError, PageResult,
};

fn page_path(name: &str) -> String {
    format!("/beheer/campagnes/{}", urlencode(name))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MessageQuery {
    melding: String,
    aantal: Option<u64>,
    /// The organisation the follow-up form starts with.
    organisatie: Option<i64>,
}

/// The message a redirect carries, in the page's language.
fn message(page: &Page, query: &MessageQuery) -> Option<String> {
    let count = query.aantal.unwrap_or(0).to_string();
    let key = match query.melding.as_str() {
        "aangemaakt" => "campaigns.message.created",
        "verstuurd" => "campaigns.message.queued",
        "herinnerd" => "campaigns.message.reminded",
        "ingetrokken" => "campaigns.message.revoked",
        "opgevolgd" => "campaigns.message.followed_up",
        _ => return None,
    };
    Some(page.text_with(key, &[("count", count)]))
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct CreateForm {
    name: String,
    round: String,
    closes_on: String,
    remind_after_days: String,
    organisations: String,
    csrf_token: String,
}

async fn render_list(
    page: &Page,
    state: &AppState,
    status: StatusCode,
    form: &CreateForm,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let who = page.caller.principal()?;
    let listed = campaigns::list(&state.store, who).await?;
    let day = today();
    let rows: Vec<Value> = listed
        .iter()
        .map(|c| {
            context! {
                name => c.name,
                url => page_path(&c.name),
                round => c.round,
                closes_on => c.closes_on.to_string(),
                status => page.text(&format!("campaigns.status.{}", c.status_on(day).code())),
                created_at => c.created_at,
            }
        })
        .collect();
    Ok(page.render(
        "campaigns/list.html",
        status,
        context! { campaigns => rows, form, errors, message },
    ))
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let message = message(&page, &query);
        let form = CreateForm {
            remind_after_days: "14".into(),
            ..CreateForm::default()
        };
        render_list(
            &page,
            &state,
            StatusCode::OK,
            &form,
            FieldErrors::new(),
            message,
        )
        .await
    })
    .await
}

pub async fn create(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: CreateForm = page.form(&body)?;
        let mut errors = FieldErrors::new();
        let organisations: Result<Vec<i64>, _> = form
            .organisations
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<i64>())
            .collect();
        let remind = form.remind_after_days.trim();
        let remind_after_days = if remind.is_empty() {
            None
        } else {
            match remind.parse::<i64>() {
                Ok(days) => Some(days),
                Err(_) => {
                    errors.insert(
                        "remind_after_days".into(),
                        page.text("campaigns.error.remind_after_days"),
                    );
                    None
                }
            }
        };
        if organisations.is_err() {
            errors.insert(
                "organisations".into(),
                page.text("campaigns.error.organisation_ids"),
            );
        }
        let mut conflict = false;
        if errors.is_empty() {
            let input = CampaignInput {
                name: form.name.clone(),
                round: form.round.clone(),
                closes_on: Some(form.closes_on.clone()),
                remind_after_days,
                organisations: organisations.ok().filter(|ids| !ids.is_empty()),
                texts: None,
            };
            let who = page.caller.principal()?;
            match campaigns::create(&state.store, who, &page.caller.actor(), &input, Utc::now())
                .await
            {
                Ok(created) => {
                    return Ok(see_other(&format!(
                        "{}?melding=aangemaakt&aantal={}",
                        page_path(&created.name),
                        created.recipients
                    )))
                }
                Err(AppError::Invalid(refused)) => {
                    for e in refused {
                        let reason = sentence(&e.reason.text(page.lang));
                        errors.entry(e.field).or_insert(reason);
                    }
                }
                Err(AppError::Conflict(Conflict {
                    field: Some(field),
                    reason,
                })) => {
                    conflict = true;
                    errors.insert(field.into(), sentence(&reason.text(page.lang)));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let status = if conflict {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        render_list(&page, &state, status, &form, errors, None).await
    })
    .await
}

/// A campaign (or one of its invitations, proposals or answers) that is
/// not there, as the campaign pages say it.
pub(super) fn not_found(error: AppError) -> PageError {
    match error {
        AppError::NotFound(_) => PageError::not_found("campaigns.not_found"),
        other => other.into(),
    }
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let form = FollowUpForm {
            done_on: today().to_string(),
            organisation_id: query
                .organisatie
                .map(|id| id.to_string())
                .unwrap_or_default(),
            ..FollowUpForm::default()
        };
        let message = message(&page, &query);
        render_show(
            &page,
            &state,
            &name,
            StatusCode::OK,
            &form,
            FieldErrors::new(),
            message,
        )
        .await
    })
    .await
}

/// The follow-up form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct FollowUpForm {
    organisation_id: String,
    kind: String,
    outcome: String,
    done_on: String,
    found: String,
    csrf_token: String,
}

async fn render_show(
    page: &Page,
    state: &AppState,
    name: &str,
    status: StatusCode,
    form: &FollowUpForm,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let who = page.caller.principal()?;
    let actor = page.caller.actor();
    let report = campaigns::status(&state.store, who, &actor, name, today())
        .await
        .map_err(not_found)?;
    let entries = follow_ups::list(&state.store, who, &actor, name)
        .await
        .map_err(not_found)?;
    let base = page_path(&report.campaign);
    let recipients: Vec<Value> = report
        .recipients
        .iter()
        .map(|r| {
            context! {
                id => r.invitation_id,
                organisation => r.organisation,
                email => r.email,
                status => page.text(&format!("campaigns.recipient.{}", r.status)),
                invited_at => r.invited_at,
                reminded_at => r.reminded_at,
                answered_at => r.answered_at,
                last_error => r.last_error,
                may_revoke => r.status != "revoked" && r.status != "answered",
                revoke_url => format!("{base}/uitnodigingen/{}/intrekken", r.invitation_id),
            }
        })
        .collect();
    let totals: Vec<Value> = report
        .totals
        .iter()
        .filter(|(status, count)| **count > 0 && RECIPIENT_STATUSES.contains(&status.as_str()))
        .map(|(status, count)| {
            context! {
                status => page.text(&format!("campaigns.recipient.{status}")),
                count => count,
            }
        })
        .collect();
    // Per organisation that has not answered: its entries, newest first.
    let open: Vec<&campaigns::RecipientStatus> = report
        .recipients
        .iter()
        .filter(|r| r.status != "answered")
        .collect();
    let follow_up: Vec<Value> = open
        .iter()
        .map(|r| {
            let logged: Vec<Value> = entries
                .iter()
                .filter(|f| f.organisation_id == r.organisation_id)
                .map(|f| {
                    context! {
                        kind => page.text(&format!("campaigns.follow_up.kind.{}", f.kind.code())),
                        outcome => page.text(&format!("campaigns.follow_up.outcome.{}", f.outcome.code())),
                        done_on => f.done_on,
                        found => f.found,
                        recorded_by => f.recorded_by,
                    }
                })
                .collect();
            context! { organisation => r.organisation, entries => logged }
        })
        .collect();
    let needs_call: Vec<Value> = open
        .iter()
        .filter(|r| !follow_ups::settled(&entries, r.organisation_id))
        .map(|r| context! { organisation => r.organisation, email => r.email, called_at => r.called_at })
        .collect();
    // Select options: [value, text] pairs.
    let mut organisations = vec![[String::new(), page.text("campaigns.follow_up.choose")]];
    organisations.extend(
        report
            .recipients
            .iter()
            .map(|r| [r.organisation_id.to_string(), r.organisation.clone()]),
    );
    let kinds = coded_options(page, KINDS, "campaigns.follow_up.kind");
    let outcomes = coded_options(page, OUTCOMES, "campaigns.follow_up.outcome");
    Ok(page.render(
        "campaigns/show.html",
        status,
        context! {
            name => report.campaign,
            round => report.round,
            status => page.text(&format!("campaigns.status.{}", report.status.code())),
            closed => report.status == crate::domain::campaign::CampaignStatus::Closed,
            closes_on => report.closes_on,
            remind_after_days => report.remind_after_days,
            questionnaire => format!("{} (versie {})", report.questionnaire_code, report.questionnaire_version),
            recipients,
            totals,
            called => report.totals.get("called"),
            checked_on_website => report.totals.get("checked_on_website"),
            follow_up,
            needs_call,
            organisations,
            kinds,
            outcomes,
            form,
            errors,
            message,
            send_url => format!("{base}/versturen"),
            remind_url => format!("{base}/herinneren"),
            review_url => format!("{base}/beoordelen"),
            follow_up_url => format!("{base}/opvolging"),
            dashboard_url => format!("{base}/overzicht"),
        },
    ))
}

/// Select options ([value, text] pairs) for a fixed list of codes, each
/// text under `{prefix}.{code}`.
fn coded_options(page: &Page, codes: &[&str], prefix: &str) -> Vec<[String; 2]> {
    codes
        .iter()
        .map(|code| [code.to_string(), page.text(&format!("{prefix}.{code}"))])
        .collect()
}

/// Records a call or a website check from the campaign page.
pub async fn follow_up(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let form: FollowUpForm = page.form(&body)?;
        let mut errors = FieldErrors::new();
        let organisation_id = match form.organisation_id.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.insert(
                        "organisation_id".into(),
                        page.text("campaigns.follow_up.error.organisation"),
                    );
                    None
                }
            },
        };
        if errors.is_empty() {
            let input = FollowUpInput {
                organisation_id,
                kind: Some(form.kind.clone()),
                outcome: Some(form.outcome.clone()),
                done_on: Some(form.done_on.clone()),
                found: Some(form.found.clone()),
            };
            let who = page.caller.principal()?;
            match follow_ups::record(
                &state.store,
                who,
                &page.caller.actor(),
                &name,
                &input,
                Utc::now(),
            )
            .await
            {
                Ok(entry) => {
                    // What the call or the website showed goes on in the
                    // finding form, whose answer the review turns into
                    // proposed changes.
                    let found = matches!(
                        entry.outcome,
                        Outcome::Confirmed | Outcome::ChangesFound | Outcome::Closed
                    );
                    if found {
                        let invitation = crate::campaigns::answers::invitation_of(
                            &state.store,
                            who,
                            &name,
                            entry.organisation_id,
                        )
                        .await?;
                        let source = match entry.kind {
                            FollowUpKind::Call => "phone",
                            FollowUpKind::Website => "website",
                        };
                        return Ok(see_other(&format!(
                            "{}/uitnodigingen/{invitation}/bevinding?bron={source}&opvolging={}",
                            page_path(&name),
                            entry.id
                        )));
                    }
                    return Ok(see_other(&format!(
                        "{}?melding=opgevolgd",
                        page_path(&name)
                    )));
                }
                Err(AppError::Invalid(refused)) => {
                    for e in refused {
                        let reason = sentence(&e.reason.text(page.lang));
                        errors.entry(e.field).or_insert(reason);
                    }
                }
                Err(e) => return Err(not_found(e)),
            }
        }
        render_show(
            &page,
            &state,
            &name,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            errors,
            None,
        )
        .await
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ButtonForm {
    #[allow(dead_code)]
    csrf_token: String,
    /// `ja` on the reminder button for everyone without an answer.
    iedereen: String,
}

pub async fn send(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    queue(page, state, name, body, MailKind::Invitation).await
}

pub async fn remind(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    queue(page, state, name, body, MailKind::Reminder).await
}

async fn queue(page: Page, state: AppState, name: String, body: Bytes, kind: MailKind) -> Response {
    page.run(async {
        let button: ButtonForm = page.form(&body)?;
        let message = match kind {
            MailKind::Invitation => "verstuurd",
            MailKind::Reminder => "herinnerd",
        };
        let who = page.caller.principal()?;
        let actor = page.caller.actor();
        let everyone = kind == MailKind::Reminder && button.iedereen == "ja";
        let queued =
            campaigns::queue_with(&state.store, who, &actor, &name, Utc::now(), kind, everyone)
                .await
                .map_err(not_found)?;
        Ok(see_other(&format!(
            "{}?melding={message}&aantal={}",
            page_path(&name),
            queued.queued
        )))
    })
    .await
}

pub async fn revoke(
    page: Page,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    page.run(async {
        let _: ButtonForm = page.form(&body)?;
        let id = id
            .parse::<i64>()
            .map_err(|_| PageError::not_found("campaigns.not_found"))?;
        let who = page.caller.principal()?;
        campaigns::revoke(
            &state.store,
            who,
            &page.caller.actor(),
            &name,
            id,
            Utc::now(),
        )
        .await
        .map_err(not_found)?;
        Ok(see_other(&format!(
            "{}?melding=ingetrokken",
            page_path(&name)
        )))
    })
    .await
}
