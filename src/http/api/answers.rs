//! Answers and their review in the API: `/api/v1/survey/{token}` is the
//! answer form's API for a respondent's personal link (no account: the
//! token is the key), `/api/v1/campaigns/{name}/review` and the decisions
//! are the researchers' review, and `…/invitations/{id}/findings` records
//! what a phone call or a website showed. The same use cases as the pages
//! (`campaigns::answers`, `campaigns::review`), so the same checks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::campaigns::CampaignPath;
use super::{ApiJson, Caller};
use crate::campaigns::answers::{self, Link, Refused, Saved};
use crate::campaigns::review::{self, Decided, Decision, Review, Target};
use crate::domain::answer::Answers;
use crate::domain::provenance::SourceKind;
use crate::domain::questionnaire::Questionnaire;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

/// What a personal link's form holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyForm {
    pub campaign: String,
    pub organisation: String,
    /// The last day the link works.
    pub closes_on: String,
    /// nl or en.
    pub language: String,
    pub questionnaire: Questionnaire,
    /// The draft, the submitted answer, or what the register already knows.
    pub answers: Answers,
    pub draft_saved_at: Option<String>,
    /// Once submitted, the answers are final.
    pub submitted_at: Option<String>,
}

fn refused(r: Refused) -> AppError {
    match r {
        Refused::Closed => closed(),
        Refused::AlreadySubmitted => AppError::conflict("answer.error.submitted", &[]),
        Refused::Invalid(errors) => AppError::Invalid(errors),
        Refused::Other(e) => e,
    }
}

fn closed() -> AppError {
    AppError::NotFound("this link is not valid (revoked, closed or mistyped)".into())
}

/// The answer form of a personal link: the questionnaire, and the answers
/// so far (prefilled from the register before the first save). Opening it
/// the first time counts as "opened".
#[utoipa::path(get, path = "/api/v1/survey/{token}", tag = "campaigns",
    params(("token" = String, Path, description = "The token of the personal link")),
    responses((status = 200, body = SurveyForm), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
) -> AppResult<Json<SurveyForm>> {
    match answers::open(&state.store, &caller.actor(), &token, Utc::now()).await? {
        Link::Closed => Err(closed()),
        Link::Open(form) => Ok(Json(SurveyForm {
            campaign: form.invitation.campaign.clone(),
            organisation: form.invitation.organisation.clone(),
            closes_on: form.invitation.closes_on.to_string(),
            language: form.language().code().into(),
            questionnaire: form.questionnaire,
            answers: form.answers,
            draft_saved_at: form.draft_saved_at,
            submitted_at: form.submitted_at,
        })),
    }
}

/// Answers to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswers {
    pub answers: Answers,
    /// true: submit (the answers must be complete and are final); false or
    /// absent: save a draft.
    #[serde(default)]
    pub submit: bool,
}

/// What a save did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveySaved {
    /// draft or submitted.
    pub state: String,
    /// How many register changes a submission proposes.
    pub proposals: usize,
}

/// Save a draft, or submit the answers of a personal link.
#[utoipa::path(put, path = "/api/v1/survey/{token}", tag = "campaigns",
    params(("token" = String, Path, description = "The token of the personal link")),
    request_body = SurveyAnswers,
    responses((status = 200, body = SurveySaved), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<SurveyAnswers>,
) -> AppResult<Json<SurveySaved>> {
    let saved = answers::save(
        &state.store,
        &caller.actor(),
        &token,
        input.answers,
        input.submit,
        Utc::now(),
    )
    .await
    .map_err(refused)?;
    Ok(Json(match saved {
        Saved::Draft => SurveySaved {
            state: "draft".into(),
            proposals: 0,
        },
        Saved::Submitted { proposals } => SurveySaved {
            state: "submitted".into(),
            proposals,
        },
    }))
}

/// Every answer and finding of a campaign with the register changes it
/// proposes and their decisions.
#[utoipa::path(get, path = "/api/v1/campaigns/{name}/review", tag = "campaigns",
    params(("name" = String, Path)), security(("token" = [])),
    responses((status = 200, body = Review), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show_review(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
) -> AppResult<Json<Review>> {
    Ok(Json(
        review::review(
            &state.store,
            caller.principal()?,
            &caller.actor(),
            &path.name,
        )
        .await?,
    ))
}

/// A decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// accept or reject.
    #[schema(example = "accept")]
    pub decision: String,
}

fn decision(input: &DecisionInput) -> AppResult<Decision> {
    match input.decision.trim() {
        "accept" => Ok(Decision::Accept),
        "reject" => Ok(Decision::Reject),
        _ => Err(AppError::invalid("decision", "expected accept or reject")),
    }
}

async fn decide(
    state: &AppState,
    caller: &Caller,
    name: &str,
    target: Target,
    input: &DecisionInput,
) -> AppResult<Json<Decided>> {
    let decision = decision(input)?;
    Ok(Json(
        review::decide(
            &state.store,
            caller.principal()?,
            &caller.actor(),
            name,
            target,
            decision,
            Utc::now(),
        )
        .await?,
    ))
}

/// Accept or reject one proposed change. An accepted change enters the
/// register with the answer's source and day as its provenance.
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/proposals/{id}/decision", tag = "campaigns",
    params(("name" = String, Path), ("id" = i64, Path)), request_body = DecisionInput, security(("token" = [])),
    responses((status = 200, body = Decided), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_proposal(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<Decided>> {
    let id = path
        .invitation
        .ok_or_else(|| AppError::NotFound("no proposal given".into()))?;
    decide(&state, &caller, &path.name, Target::Proposal(id), &input).await
}

/// Accept or reject every open proposal of one answer, in one step.
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/answers/{id}/decision", tag = "campaigns",
    params(("name" = String, Path), ("id" = i64, Path)), request_body = DecisionInput, security(("token" = [])),
    responses((status = 200, body = Decided), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_answer(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<Decided>> {
    let id = path
        .invitation
        .ok_or_else(|| AppError::NotFound("no answer given".into()))?;
    decide(&state, &caller, &path.name, Target::Answer(id), &input).await
}

/// What staff found.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// phone or website.
    #[schema(example = "phone")]
    pub source: String,
    /// As complete as a submitted answer.
    pub answers: Answers,
    /// The follow-up entry (call or website check) it came from, if any.
    #[serde(default)]
    pub follow_up: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingRecorded {
    pub proposals: usize,
}

/// Record what a phone call or a website showed about an organisation of
/// the campaign, in the questionnaire's form; it becomes proposals to review.
#[utoipa::path(post, path = "/api/v1/campaigns/{name}/invitations/{id}/findings", tag = "campaigns",
    params(("name" = String, Path), ("id" = i64, Path)), request_body = FindingInput, security(("token" = [])),
    responses((status = 201, body = FindingRecorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_finding(
    State(state): State<AppState>,
    caller: Caller,
    path: CampaignPath,
    ApiJson(input): ApiJson<FindingInput>,
) -> AppResult<impl IntoResponse> {
    let id = path
        .invitation
        .ok_or_else(|| AppError::NotFound("no invitation given".into()))?;
    let source = match input.source.trim() {
        "phone" => SourceKind::Phone,
        "website" => SourceKind::Website,
        _ => return Err(AppError::invalid("source", "expected phone or website")),
    };
    let proposals = answers::record_finding(
        &state.store,
        caller.principal()?,
        &caller.actor(),
        &path.name,
        id,
        source,
        input.follow_up,
        input.answers,
        Utc::now(),
    )
    .await
    .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(FindingRecorded { proposals })))
}
