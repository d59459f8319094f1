//! `/beheer/campagnes/{name}/beoordelen` (admins and researchers): every
//! answer and finding of a campaign with the register changes it proposes,
//! each with its own accept and reject buttons, and both for all open
//! proposals of one answer at once; the organisations that have not
//! answered, each with a link to enter a phone or website finding.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use minijinja::{context, Value};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::campaigns::campaigns;
use crate::campaigns::review::{self, Decision, Proposal, Target};
use crate::domain::answer::Value as AnswerValue;
use crate::domain::date::today;
use crate::domain::language::Language;
use crate::domain::proposal::{ProposalKind, ProposalState};
use crate::domain::questionnaire::{Questionnaire, Texts};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::campaigns::not_found;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{parse_id, parse_query, see_other, urlencode, Page, PageError};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReviewQuery {
    melding: String,
    aantal: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    besluit: String,
}

fn review_path(name: &str) -> String {
    format!("/beheer/campagnes/{}/beoordelen", urlencode(name))
}

/// A register value in words: yes/no, lists joined, an address on one line.
fn shown(page: &Page, value: &Json) -> String {
    match value {
        Json::Null => "–".into(),
        Json::Bool(true) => page.text("answer.yes"),
        Json::Bool(false) => page.text("answer.no"),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Array(items) => items
            .iter()
            .map(|i| match i.as_str() {
                Some(code) => service_word(page, code),
                None => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Json::Object(map) => {
            let part = |k: &str| map.get(k).and_then(Json::as_str).unwrap_or_default();
            let place = format!("{} {}", part("postcode"), part("city"));
            [part("street"), place.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

fn service_word(page: &Page, code: &str) -> String {
    let key = format!("service.{code}");
    if crate::domain::text::catalogue(page.lang).contains_key(&key) {
        page.text(&key)
    } else {
        code.to_string()
    }
}

/// A question's text and its answer, in the page's language.
fn answer_words(page: &Page, q: &Questionnaire, answer: &review::OtherAnswer) -> (String, String) {
    let question = q
        .questions
        .iter()
        .flat_map(|x| std::iter::once(x).chain(x.questions.iter()))
        .find(|x| x.code == answer.question);
    let text = |t: &Texts| match page.lang {
        Language::En if !t.en.is_empty() => t.en.clone(),
        _ => t.nl.clone(),
    };
    let label = question.map_or(answer.question.clone(), |x| text(&x.text));
    let option = |code: &str| {
        question
            .and_then(|x| x.options.iter().find(|o| o.code == code))
            .map_or(code.to_string(), |o| text(&o.label))
    };
    let value = match &answer.value {
        AnswerValue::Bool(true) => page.text("answer.yes"),
        AnswerValue::Bool(false) => page.text("answer.no"),
        AnswerValue::Number(n) => n.to_string(),
        AnswerValue::Text(t) if question.is_some_and(|x| x.kind.has_options()) => option(t),
        AnswerValue::Text(t) => t.clone(),
        AnswerValue::Choices(c) => c.iter().map(|c| option(c)).collect::<Vec<_>>().join(", "),
    };
    (label, value)
}

/// What a proposal does, in words.
fn what(page: &Page, p: &Proposal) -> String {
    match p.kind {
        ProposalKind::Change => {
            let field = p.field.clone().unwrap_or_default();
            page.text_with(
                "review.kind.change",
                &[("field", page.text(&format!("review.field.{field}")))],
            )
        }
        other => page.text(&format!("review.kind.{}", other.code())),
    }
}

fn proposal_view(page: &Page, base: &str, p: &Proposal) -> Value {
    let after = match p.kind {
        ProposalKind::NewLocation => {
            let a = &p.after;
            let address = shown(page, a);
            let services = shown(page, a.get("services").unwrap_or(&Json::Null));
            [
                a.get("name")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string(),
                address,
                services,
            ]
            .into_iter()
            .filter(|s| !s.is_empty() && s != "–")
            .collect::<Vec<_>>()
            .join(" · ")
        }
        ProposalKind::Organisation => page.text("review.organisation_named"),
        ProposalKind::Confirmed => page.text("review.confirmed"),
        _ => shown(page, &p.after),
    };
    context! {
        id => p.id,
        location => p.location_name,
        facility_url => p.facility_id.map(|id| format!("/beheer/voorzieningen/{id}")),
        what => what(page, p),
        before => p.before.as_ref().map(|b| shown(page, b)),
        after => after,
        open => p.state == ProposalState::Proposed,
        state => page.text(&format!("review.state.{}", p.state.code())),
        decided_by => p.decided_by,
        decide_url => format!("{base}/voorstellen/{}/besluit", p.id),
    }
}

async fn render(
    page: &Page,
    state: &AppState,
    name: &str,
    status: StatusCode,
    message: Option<String>,
) -> Result<Response, PageError> {
    let who = page.caller.principal()?;
    let actor = page.caller.actor();
    let found = review::review(&state.store, who, &actor, name)
        .await
        .map_err(not_found)?;
    let report = campaigns::status(&state.store, who, &actor, name, today())
        .await
        .map_err(not_found)?;
    let base = format!("/beheer/campagnes/{}", urlencode(&found.campaign));
    let answers: Vec<Value> = found
        .answers
        .iter()
        .map(|a| {
            let open = a.proposals.iter().filter(|p| p.state == ProposalState::Proposed).count();
            let other: Vec<Value> = a
                .other
                .iter()
                .map(|o| {
                    let (label, value) = answer_words(page, &found.questionnaire, o);
                    context! { question => label, location => o.location, value => value }
                })
                .collect();
            context! {
                id => a.answer_id,
                other => other,
                organisation => a.organisation,
                source => page.text(&format!("review.source.{}", a.source)),
                entered_by => a.entered_by,
                submitted_at => a.submitted_at,
                open => open,
                decide_url => format!("{base}/antwoorden/{}/besluit", a.answer_id),
                proposals => a.proposals.iter().map(|p| proposal_view(page, &base, p)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let unanswered: Vec<Value> = report
        .recipients
        .iter()
        .filter(|r| r.status != "answered")
        .map(|r| {
            context! {
                organisation => r.organisation,
                finding_url => format!("{base}/uitnodigingen/{}/bevinding", r.invitation_id),
            }
        })
        .collect();
    Ok(page.render(
        "campaigns/review.html",
        status,
        context! {
            name => found.campaign,
            campaign_url => base,
            answers => answers,
            open => found.open,
            unanswered => unanswered,
            message => message,
        },
    ))
}

/// `GET /beheer/campagnes/{name}/beoordelen`.
pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: ReviewQuery = parse_query(query.as_deref())?;
        let count = query.aantal.unwrap_or(0).to_string();
        let message = match query.melding.as_str() {
            "bevinding" => Some(page.text_with("review.message.finding", &[("count", count)])),
            "besloten" => Some(page.text_with("review.message.decided", &[("count", count)])),
            _ => None,
        };
        render(&page, &state, &name, StatusCode::OK, message).await
    })
    .await
}

async fn decide(
    page: Page,
    state: AppState,
    name: String,
    target: Target,
    body: Bytes,
) -> Response {
    page.run(async {
        let form: DecisionForm = page.form(&body)?;
        let decision = match form.besluit.as_str() {
            "accepteren" => Decision::Accept,
            "afwijzen" => Decision::Reject,
            _ => {
                return Err(PageError::new(
                    StatusCode::BAD_REQUEST,
                    "error.bad_request.text",
                ))
            }
        };
        let who = page.caller.principal()?;
        match review::decide(
            &state.store,
            who,
            &page.caller.actor(),
            &name,
            target,
            decision,
            Utc::now(),
        )
        .await
        {
            Ok(done) => Ok(see_other(&format!(
                "{}?melding=besloten&aantal={}",
                review_path(&name),
                done.accepted + done.rejected
            ))),
            Err(AppError::Invalid(errors)) => {
                let text = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, sentence(&e.reason.text(page.lang))))
                    .collect::<Vec<_>>()
                    .join(" ");
                render(
                    &page,
                    &state,
                    &name,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(text),
                )
                .await
            }
            Err(e) => Err(not_found(e)),
        }
    })
    .await
}

/// `POST /beheer/campagnes/{name}/voorstellen/{id}/besluit`: `besluit` =
/// `accepteren` or `afwijzen`.
pub async fn decide_proposal(
    page: Page,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    match parse_id(&id, "campaigns.not_found") {
        Ok(id) => decide(page, state, name, Target::Proposal(id), body).await,
        Err(e) => page.run(async { Err(e) }).await,
    }
}

/// `POST /beheer/campagnes/{name}/antwoorden/{id}/besluit`: every open
/// proposal of one answer.
pub async fn decide_answer(
    page: Page,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    match parse_id(&id, "campaigns.not_found") {
        Ok(id) => decide(page, state, name, Target::Answer(id), body).await,
        Err(e) => page.run(async { Err(e) }).await,
    }
}
