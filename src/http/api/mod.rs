//! The JSON API under `/api/v1/`, described by the OpenAPI document at
//! `/api/openapi.json`. Reads of public facts need no token; every write
//! needs an API token (`Authorization: Bearer vng_…`).

pub mod accounts;
pub mod answers;
pub mod audit;
pub mod campaigns;
pub mod contacts;
pub mod exchange;
pub mod facilities;
pub mod fhir;
pub mod finder;
pub mod hsds;
pub mod indicators;
pub mod metric_stats;
pub mod metrics;
pub mod organisations;
pub mod periods;
pub mod questionnaires;
pub mod reference;
pub mod reports;
pub mod rounds;
pub mod stats;
pub mod tallies;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::domain::date::parse_date;
use crate::domain::FieldError;
use crate::http::error::{AppError, AppResult};
pub use crate::http::request::Caller;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vangnet API",
        description = "The national register of harm-reduction services in the Netherlands. \
            Reads of public facts are open; writes need an API token of a user whose role allows them. \
            Every read takes `as_of=YYYY-MM-DD` and answers what was true on that day.",
        license(name = "EUPL-1.2")
    ),
    paths(
        facilities::list,
        facilities::show,
        facilities::history,
        facilities::create,
        facilities::update,
        facilities::correct,
        finder::nearest,
        organisations::list,
        organisations::show,
        organisations::history,
        organisations::create,
        organisations::update,
        reports::table1,
        rounds::list,
        rounds::create,
        rounds::show,
        rounds::set_count,
        rounds::close,
        rounds::reopen,
        rounds::publish,
        stats::changes,
        stats::trend,
        stats::trend_svg,
        stats::spread,
        metric_stats::metrics,
        exchange::adx_message,
        exchange::dhis2_data_values,
        exchange::dhis2_metadata,
        exchange::euda_tables,
        indicators::indicator,
        reference::municipalities,
        reference::provinces,
        accounts::me,
        accounts::list_tokens,
        accounts::create_token,
        accounts::revoke_token,
        accounts::list_users,
        accounts::create_user,
        accounts::disable_user,
        accounts::locked_accounts,
        accounts::unlock_account,
        audit::search,
        metrics::list,
        metrics::create,
        metrics::retire,
        tallies::record,
        tallies::undo,
        tallies::totals,
        periods::list,
        periods::show,
        periods::update,
        periods::submit,
        periods::approve,
        periods::reopen,
        contacts::list,
        contacts::create,
        contacts::update,
        contacts::erase,
        questionnaires::list,
        questionnaires::show,
        questionnaires::put,
        campaigns::list,
        campaigns::create,
        campaigns::show,
        campaigns::send,
        campaigns::remind,
        campaigns::revoke,
        campaigns::follow_ups,
        campaigns::add_follow_up,
        answers::show,
        answers::save,
        answers::show_review,
        answers::decide_proposal,
        answers::decide_answer,
        answers::record_finding,
        campaigns::dashboard,
    ),
    components(schemas(crate::http::error::ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "register", description = "Facilities and organisations, with history"),
        (name = "finder", description = "The nearest public services, open now or not"),
        (name = "reports", description = "Counts over the register"),
        (name = "rounds", description = "Inventory rounds: Table 1 frozen at a reference date, with qualifiers"),
        (name = "reference", description = "Bundled reference geography"),
        (name = "accounts", description = "Who you are, API tokens, users and the audit log"),
        (name = "monitoring", description = "What the services do: the metric catalogue, tallies, period reports"),
        (name = "campaigns", description = "Survey campaigns: the contacts at organisations they mail, the questionnaires, stored as versions, and the campaigns that send them by e-mail with personal links"),
        (name = "exchange", description = "The figures in other systems' standards: ADX, DHIS2 data value sets and metadata, EUDA-shaped national tables"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// `Json` whose rejections are this API's JSON errors.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(e) => {
                    let detail = std::error::Error::source(&e)
                        .map_or_else(|| e.body_text(), |s| s.to_string());
                    // serde_path_to_error puts the field path first: "capacity: invalid type …"
                    let (field, message) = match detail.split_once(": ") {
                        Some((path, message)) if !path.contains(' ') && path != "." => {
                            (path.to_string(), message.to_string())
                        }
                        _ => ("body".to_string(), detail),
                    };
                    AppError::Invalid(vec![FieldError::new(field, message)])
                }
                JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!(
                    "the body is not valid JSON: {}",
                    std::error::Error::source(&e).map_or_else(|| e.body_text(), |s| s.to_string())
                )),
                JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType(
                    "send the body with Content-Type: application/json".into(),
                ),
                JsonRejection::BytesRejection(e)
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
                {
                    AppError::PayloadTooLarge("the body is too large".into())
                }
                other => AppError::BadRequest(other.body_text()),
            }),
        }
    }
}

/// `Query` whose rejections are this API's JSON errors.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(AppError::BadRequest(format!(
                    "invalid query parameter: {}",
                    std::error::Error::source(&e).map_or_else(|| e.body_text(), |s| s.to_string())
                )))
            }
            Err(other) => Err(AppError::BadRequest(other.body_text())),
        }
    }
}

/// A path id; anything but a positive whole number is a 404, as no such record exists.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Id)
            .ok_or_else(|| AppError::NotFound(format!("no record has the id '{raw}'")))
    }
}

/// Parses an optional date query parameter, naming it in the error.
pub fn date_param(name: &str, value: &Option<String>) -> AppResult<Option<NaiveDate>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| parse_date(text).is_some())
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{name}: '{text}' is not a date; use YYYY-MM-DD, e.g. 2022-01-01"
                ))
            }),
    }
}
