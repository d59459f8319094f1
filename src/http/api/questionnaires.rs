//! `/api/v1/questionnaires`: the survey questionnaires, for admins and
//! researchers only. A PUT sends a whole definition and stores it as a new
//! version; earlier versions stay readable with `?version=N`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, Caller};
use crate::campaigns::questionnaires::{self, QuestionnaireVersion, Saved};
use crate::domain::questionnaire::Questionnaire;
use crate::http::app::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// A stored version of a questionnaire.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireDetail {
    pub version: i64,
    /// Who stored this version (`vangnet` for the shipped one).
    pub changed_by: String,
    /// RFC 3339, UTC.
    pub changed_at: String,
    pub definition: Questionnaire,
}

impl From<QuestionnaireVersion> for QuestionnaireDetail {
    fn from(v: QuestionnaireVersion) -> Self {
        QuestionnaireDetail {
            version: v.version,
            changed_by: v.changed_by,
            changed_at: v.changed_at,
            definition: v.definition,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireList {
    /// The newest version of each questionnaire, by code.
    pub questionnaires: Vec<QuestionnaireDetail>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct VersionQuery {
    /// A version number; the newest when left out.
    pub version: Option<i64>,
}

/// The questionnaires, each in its newest version.
#[utoipa::path(get, path = "/api/v1/questionnaires", tag = "campaigns",
    security(("token" = [])),
    responses(
        (status = 200, body = QuestionnaireList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<QuestionnaireList>> {
    let who = caller.principal()?;
    let all = questionnaires::list(&state.store, who, &caller.actor()).await?;
    Ok(Json(QuestionnaireList {
        questionnaires: all.into_iter().map(Into::into).collect(),
    }))
}

/// One questionnaire: its newest version, or the version asked for.
#[utoipa::path(get, path = "/api/v1/questionnaires/{code}", tag = "campaigns",
    params(("code" = String, Path, description = "The questionnaire's code, such as inventory"), VersionQuery),
    security(("token" = [])),
    responses(
        (status = 200, body = QuestionnaireDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> AppResult<Json<QuestionnaireDetail>> {
    let who = caller.principal()?;
    let found =
        questionnaires::read(&state.store, &code, query.version, who, &caller.actor()).await?;
    Ok(Json(found.into()))
}

/// Stores a whole definition as the questionnaire's next version (201;
/// 200 with the newest version when nothing changed). An invalid
/// definition is refused with every field at fault, such as
/// `questions[5].questions[2].text.en`.
#[utoipa::path(put, path = "/api/v1/questionnaires/{code}", tag = "campaigns",
    params(("code" = String, Path)), request_body = Questionnaire,
    security(("token" = [])),
    responses(
        (status = 201, body = QuestionnaireDetail, description = "a new version"),
        (status = 200, body = QuestionnaireDetail, description = "unchanged"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "another version was stored at the same time"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(definition): ApiJson<Questionnaire>,
) -> AppResult<impl IntoResponse> {
    let who = caller.principal()?;
    let saved =
        questionnaires::save(&state.store, &code, definition, None, who, &caller.actor()).await?;
    let status = match saved {
        Saved::New(_) => StatusCode::CREATED,
        Saved::Unchanged(_) => StatusCode::OK,
    };
    let detail: QuestionnaireDetail = saved.version().clone().into();
    Ok((status, Json(detail)))
}
