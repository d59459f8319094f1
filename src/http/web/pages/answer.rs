//! `/enquete/{token}`: the answer form behind a campaign's personal link
//! (no account), and `/beheer/campagnes/{name}/uitnodigingen/{id}/bevinding`:
//! the same form for staff, to enter what a phone call or a website showed.
//!
//! Works without JavaScript: "add a location" saves the draft and shows
//! the form again with an empty location at the end; a form with errors
//! is shown again as it was typed, each error next to its field and in a
//! summary at the top. The personal link's page is never kept by a cache
//! and, like every page, sends its address to no other site.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Utc;
use minijinja::{context, Value};
use serde::Deserialize;

use crate::campaigns::answers::{self, AnswerForm, Link, Refused, Saved};
use crate::domain::answer::{facility_field, field_name, Answers, FormValues};
use crate::domain::language::Language;
use crate::domain::provenance::SourceKind;
use crate::domain::questionnaire::{Question, QuestionKind};
use crate::domain::FieldError;
use crate::http::app::AppState;
use crate::http::web::pages::campaigns::not_found;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{
    parse_id, parse_query, see_other, urlencode, FieldErrors, Page, PageError,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FormQuery {
    melding: String,
    /// Show one more, empty location in this block.
    nieuw: String,
    /// The finding form: the source chosen (phone or website) and the
    /// follow-up entry it comes from.
    bron: String,
    opvolging: Option<i64>,
}

fn text_of(texts: &crate::domain::questionnaire::Texts, lang: Language) -> String {
    match lang {
        Language::Nl if !texts.nl.is_empty() => texts.nl.clone(),
        Language::En if !texts.en.is_empty() => texts.en.clone(),
        _ => format!("{}{}", texts.nl, texts.en),
    }
}

/// One question as the template draws it.
fn question_view(
    page: &Page,
    q: &Question,
    name: &str,
    form: &FormValues,
    errors: &FieldErrors,
) -> Value {
    let values = form.get(name).cloned().unwrap_or_default();
    let options: Vec<Value> = match q.kind {
        QuestionKind::YesNo => [("yes", "answer.yes"), ("no", "answer.no")]
            .iter()
            .map(|(code, key)| {
                context! {
                    code => code,
                    label => page.text(key),
                    checked => values.iter().any(|v| v == code),
                }
            })
            .collect(),
        _ => q
            .options
            .iter()
            .map(|o| {
                context! {
                    code => o.code,
                    label => text_of(&o.label, page.lang),
                    checked => values.contains(&o.code),
                }
            })
            .collect(),
    };
    let long = q.kind == QuestionKind::Text && q.maps_to.is_none();
    context! {
        name => name,
        kind => q.kind.code(),
        label => text_of(&q.text, page.lang),
        help => text_of(&q.help, page.lang),
        required => q.required,
        value => values.first().cloned().unwrap_or_default(),
        options => options,
        min => q.min,
        max => q.max,
        long => long,
        error => errors.get(name).cloned(),
    }
}

/// The questionnaire's questions with the form's values, for the template.
fn questions_view(
    page: &Page,
    form: &AnswerForm,
    values: &FormValues,
    errors: &FieldErrors,
    extra: Option<&str>,
) -> Vec<Value> {
    form.questionnaire
        .questions
        .iter()
        .map(|q| {
            if q.kind != QuestionKind::LocationBlock {
                return context! { block => false, question => question_view(page, q, &q.code, values, errors) };
            }
            let mut count = count_locations(values, &q.code);
            if extra == Some(q.code.as_str()) {
                count += 1;
            }
            let locations: Vec<Value> = (0..count)
                .map(|i| {
                    let facility = values
                        .get(&facility_field(&q.code, i))
                        .and_then(|v| v.first())
                        .cloned()
                        .unwrap_or_default();
                    let known = facility
                        .parse::<i64>()
                        .ok()
                        .and_then(|id| form.register.get(&id).cloned());
                    let fields: Vec<Value> = q
                        .questions
                        .iter()
                        .map(|c| question_view(page, c, &field_name(&q.code, i, &c.code), values, errors))
                        .collect();
                    context! {
                        index => i,
                        number => i + 1,
                        id => format!("{}.{i}", q.code),
                        facility_field => facility_field(&q.code, i),
                        facility => facility,
                        known => known,
                        fields => fields,
                        error => errors.get(&format!("{}.{i}", q.code)).cloned()
                            .or_else(|| errors.get(&facility_field(&q.code, i)).cloned()),
                    }
                })
                .collect();
            context! {
                block => true,
                code => q.code,
                label => text_of(&q.text, page.lang),
                help => text_of(&q.help, page.lang),
                error => errors.get(&q.code).cloned(),
                locations => locations,
            }
        })
        .collect()
}

/// How many locations the form's fields name in a block.
fn count_locations(values: &FormValues, block: &str) -> usize {
    let prefix = format!("{block}.");
    values
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter_map(|rest| rest.split_once('.'))
        .filter_map(|(i, _)| i.parse::<usize>().ok())
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
}

/// The form's errors by field, in the page's language.
fn field_errors(page: &Page, errors: &[FieldError]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors {
        out.entry(e.field.clone())
            .or_insert_with(|| sentence(&e.reason.text(page.lang)));
    }
    out
}

/// The posted form's fields by name.
fn posted(page: &Page, body: &[u8]) -> Result<(FormValues, String, String), PageError> {
    let pairs: Vec<(String, String)> = page.form(body)?;
    let mut values = FormValues::new();
    let mut action = String::new();
    let mut source = String::new();
    for (name, value) in pairs {
        match name.as_str() {
            "actie" => action = value,
            "bron" => source = value,
            "csrf_token" => {}
            _ => values.entry(name).or_default().push(value),
        }
    }
    Ok((values, action, source))
}

/// The page's headers for a personal link: never kept. (Every page's
/// `Referrer-Policy: same-origin` already keeps the link's token from
/// other sites; `no-referrer` would make the browser post the form with
/// `Origin: null`, which the forgery check rightly refuses.)
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Which form a page shows: the respondent's behind a personal link, or
/// the staff's finding form; and where it posts.
struct Shown<'a> {
    page: &'a Page,
    form: &'a AnswerForm,
    action_url: String,
    staff: bool,
    /// The finding form's source and follow-up entry.
    source: String,
    follow_up: Option<i64>,
}

impl Shown<'_> {
    /// The form with stored or prefilled answers, `extra` naming a block
    /// that shows one more, empty location.
    fn stored(&self, extra: Option<&str>, message: Option<String>) -> Response {
        self.with(
            &self.form.answers.to_form(),
            FieldErrors::new(),
            StatusCode::OK,
            extra,
            message,
        )
    }

    /// The form again as posted, with its errors.
    fn refused(&self, values: &FormValues, errors: &[FieldError]) -> Response {
        let errors = field_errors(self.page, errors);
        self.with(values, errors, StatusCode::UNPROCESSABLE_ENTITY, None, None)
    }

    fn with(
        &self,
        values: &FormValues,
        errors: FieldErrors,
        status: StatusCode,
        extra: Option<&str>,
        message: Option<String>,
    ) -> Response {
        render(self, values, errors, status, extra, message)
    }
}

fn render(
    shown: &Shown,
    values: &FormValues,
    errors: FieldErrors,
    status: StatusCode,
    extra: Option<&str>,
    message: Option<String>,
) -> Response {
    let (page, form, action_url, staff) = (
        shown.page,
        shown.form,
        shown.action_url.as_str(),
        shown.staff,
    );
    let questions = questions_view(page, form, values, &errors, extra);
    let q = &form.questionnaire;
    let sources = vec![
        ["phone".to_string(), page.text("answer.staff.source.phone")],
        [
            "website".to_string(),
            page.text("answer.staff.source.website"),
        ],
    ];
    private(page.render(
        "answer/form.html",
        status,
        context! {
            title => text_of(&q.title, page.lang),
            introduction => text_of(&q.introduction, page.lang)
                .split('\n')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>(),
            organisation => form.invitation.organisation,
            campaign => form.invitation.campaign,
            closes_on => form.invitation.closes_on.to_string(),
            questions => questions,
            errors => errors,
            action_url => action_url,
            staff => staff,
            sources => sources,
            source => if shown.source == "website" { "website" } else { "phone" },
            follow_up => shown.follow_up,
            draft_saved_at => form.draft_saved_at,
            submitted_at => form.submitted_at,
            message => message,
            review_url => format!("/beheer/campagnes/{}/beoordelen", urlencode(&form.invitation.campaign)),
        },
    ))
}

fn closed(page: &Page) -> Response {
    private(page.render("answer/closed.html", StatusCode::NOT_FOUND, context! {}))
}

fn link_path(token: &str) -> String {
    format!("/enquete/{}", urlencode(token))
}

/// `GET /enquete/{token}`.
pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: FormQuery = parse_query(query.as_deref())?;
        let form =
            match answers::open(&state.store, &page.caller.actor(), &token, Utc::now()).await? {
                Link::Closed => return Ok(closed(&page)),
                Link::Open(form) => form,
            };
        let message = match query.melding.as_str() {
            "opgeslagen" => Some(page.text("answer.message.saved")),
            "verstuurd" => Some(page.text("answer.message.submitted")),
            _ => None,
        };
        let extra = (!query.nieuw.is_empty() && form.submitted_at.is_none())
            .then_some(query.nieuw.as_str());
        let shown = Shown {
            page: &page,
            form: &form,
            action_url: link_path(&token),
            staff: false,
            source: String::new(),
            follow_up: None,
        };
        Ok(shown.stored(extra, message))
    })
    .await
}

/// `POST /enquete/{token}`: `actie` = `opslaan` (a draft), `versturen`
/// (submit), or `locatie:<block>` (save the draft and add a location).
pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let (values, action, _) = posted(&page, &body)?;
        let form =
            match answers::open(&state.store, &page.caller.actor(), &token, Utc::now()).await? {
                Link::Closed => return Ok(closed(&page)),
                Link::Open(form) => form,
            };
        let here = link_path(&token);
        let submit = action == "versturen";
        let add = action.strip_prefix("locatie:").map(str::to_string);
        let parsed = Answers::from_form(&form.questionnaire, &values);
        let outcome = match parsed {
            Err(errors) => Err(Refused::Invalid(errors)),
            Ok(answers) => {
                answers::save(
                    &state.store,
                    &page.caller.actor(),
                    &token,
                    answers,
                    submit,
                    Utc::now(),
                )
                .await
            }
        };
        match outcome {
            Ok(Saved::Submitted { .. }) => Ok(see_other(&format!("{here}?melding=verstuurd"))),
            Ok(Saved::Draft) => Ok(match add {
                Some(block) => see_other(&format!(
                    "{here}?nieuw={}#{}.{}",
                    urlencode(&block),
                    block,
                    count_locations(&values, &block)
                )),
                None => see_other(&format!("{here}?melding=opgeslagen")),
            }),
            Err(Refused::Closed) => Ok(closed(&page)),
            Err(Refused::AlreadySubmitted) => Ok(see_other(&here)),
            Err(Refused::Invalid(errors)) => {
                let shown = Shown {
                    page: &page,
                    form: &form,
                    action_url: here,
                    staff: false,
                    source: String::new(),
                    follow_up: None,
                };
                Ok(shown.refused(&values, &errors))
            }
            Err(Refused::Other(e)) => Err(e.into()),
        }
    })
    .await
}

fn finding_path(name: &str, id: i64) -> String {
    format!(
        "/beheer/campagnes/{}/uitnodigingen/{id}/bevinding",
        urlencode(name)
    )
}

/// `GET /beheer/campagnes/{name}/uitnodigingen/{id}/bevinding`.
pub async fn finding(
    page: Page,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "campaigns.not_found")?;
        let query: FormQuery = parse_query(query.as_deref())?;
        let who = page.caller.principal()?;
        let form = answers::finding_form(&state.store, who, &name, id, Utc::now().date_naive())
            .await
            .map_err(not_found)?;
        let extra = (!query.nieuw.is_empty()).then_some(query.nieuw.as_str());
        let shown = Shown {
            page: &page,
            form: &form,
            action_url: finding_path(&name, id),
            staff: true,
            source: query.bron.clone(),
            follow_up: query.opvolging,
        };
        let message = query
            .opvolging
            .map(|_| page.text("answer.staff.follow_up_logged"));
        Ok(shown.stored(extra, message))
    })
    .await
}

/// `POST /beheer/campagnes/{name}/uitnodigingen/{id}/bevinding`: `bron` =
/// `phone` or `website`; `actie` = `versturen` or `locatie:<block>` (show
/// the form again with one more location; nothing is stored).
pub async fn record_finding(
    page: Page,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "campaigns.not_found")?;
        let (values, action, source) = posted(&page, &body)?;
        let follow_up = values
            .get("opvolging")
            .and_then(|v| v.first())
            .and_then(|v| v.trim().parse::<i64>().ok());
        let who = page.caller.principal()?;
        let now = Utc::now();
        let form = answers::finding_form(&state.store, who, &name, id, now.date_naive())
            .await
            .map_err(not_found)?;
        let shown = Shown {
            page: &page,
            form: &form,
            action_url: finding_path(&name, id),
            staff: true,
            source: source.clone(),
            follow_up,
        };
        if let Some(block) = action.strip_prefix("locatie:") {
            return Ok(shown.with(
                &values,
                FieldErrors::new(),
                StatusCode::OK,
                Some(block),
                None,
            ));
        }
        let source = match source.as_str() {
            "phone" => Ok(SourceKind::Phone),
            "website" => Ok(SourceKind::Website),
            _ => Err(vec![FieldError::because(
                "bron",
                crate::domain::Reason::of("answer.error.source", &[]),
            )]),
        };
        let outcome = match (source, Answers::from_form(&form.questionnaire, &values)) {
            (Ok(source), Ok(answers)) => {
                answers::record_finding(
                    &state.store,
                    who,
                    &page.caller.actor(),
                    &name,
                    id,
                    source,
                    follow_up,
                    answers,
                    now,
                )
                .await
            }
            (Err(mut a), Err(b)) => {
                a.extend(b);
                Err(Refused::Invalid(a))
            }
            (Err(e), _) | (_, Err(e)) => Err(Refused::Invalid(e)),
        };
        match outcome {
            Ok(count) => Ok(see_other(&format!(
                "/beheer/campagnes/{}/beoordelen?melding=bevinding&aantal={count}",
                urlencode(&name)
            ))),
            Err(Refused::Invalid(errors)) => Ok(shown.refused(&values, &errors)),
            Err(Refused::Other(e)) => Err(not_found(e)),
            Err(Refused::Closed | Refused::AlreadySubmitted) => {
                Err(PageError::not_found("campaigns.not_found"))
            }
        }
    })
    .await
}
