//! `/fhir`: the FHIR R4 directory (IHE mCSD Directory with the Update
//! Option) over HTTP: `application/fhir+json` answers, ETags from the
//! register's versions, and errors as OperationOutcome. The use cases are
//! in `exchange::fhir`. FHIR is its own standard with its own
//! CapabilityStatement (`/fhir/metadata`), so these paths are left out of
//! vangnet's OpenAPI document.

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CONTENT_TYPE, ETAG, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::exchange::fhir::{self, capability, Ask};
use crate::formats::fhir::operation_outcome;
use crate::http::app::AppState;
use crate::http::error::{status, AppError, AppResult};
use crate::http::request::Caller;
use crate::register::reads::Reader;

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

fn fhir_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body.to_string(),
    )
        .into_response()
}

/// An error as an OperationOutcome with the status the reason has; 500s
/// are logged with their cause and shown without it.
fn outcome(error: AppError) -> Response {
    let code = status(&error);
    let (issue, text) = match &error {
        AppError::NotFound(m) => ("not-found", m.clone()),
        AppError::BadRequest(m) => ("invalid", m.clone()),
        AppError::Unauthorized(m) => ("login", m.clone()),
        AppError::Forbidden(m) => ("forbidden", m.clone()),
        AppError::Internal(err) => {
            tracing::error!(error = ?err, "internal error");
            ("exception", "internal server error".to_string())
        }
        other => ("exception", other.to_string()),
    };
    fhir_json(code, &operation_outcome("error", issue, &text))
}

fn answer(result: AppResult<Value>) -> Response {
    match result {
        Ok(body) => fhir_json(StatusCode::OK, &body),
        Err(e) => outcome(e),
    }
}

/// A single resource, with its version as ETag and Last-Modified.
fn resource(result: AppResult<Value>) -> Response {
    let body = match result {
        Ok(body) => body,
        Err(e) => return outcome(e),
    };
    let mut response = fhir_json(StatusCode::OK, &body);
    let meta = &body["meta"];
    if let Some(v) = meta["versionId"].as_str() {
        if let Ok(value) = HeaderValue::from_str(&format!("W/\"{v}\"")) {
            response.headers_mut().insert(ETAG, value);
        }
    }
    let modified = meta["lastUpdated"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc().format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    if let Some(value) = modified.and_then(|m| HeaderValue::from_str(&m).ok()) {
        response.headers_mut().insert(LAST_MODIFIED, value);
    }
    response
}

fn pairs(query: Option<String>) -> AppResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| AppError::BadRequest(format!("the query cannot be read: {e}")))
}

/// `Prefer: handling=strict`.
fn strict(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .any(|p| p.trim().eq_ignore_ascii_case("handling=strict"))
}

fn base(state: &AppState) -> String {
    state.config.link("/fhir")
}

/// `GET /fhir/metadata`.
pub async fn metadata(State(state): State<AppState>) -> Response {
    fhir_json(
        StatusCode::OK,
        &capability::capability_statement(&base(&state), env!("CARGO_PKG_VERSION")),
    )
}

/// `GET /fhir/{type}`: search.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(kind): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    listing(&state, &caller, &headers, &kind, query, Listing::Search).await
}

/// `GET /fhir/{type}/_history`: what changed since `_since`.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(kind): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    listing(&state, &caller, &headers, &kind, query, Listing::History).await
}

/// A type-level answer: a search or the history.
enum Listing {
    Search,
    History,
}

async fn listing(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    kind: &str,
    query: Option<String>,
    listing: Listing,
) -> Response {
    let actor = caller.actor();
    let base = base(state);
    let ask = Ask {
        reader: Reader {
            who: caller.principal.as_ref(),
            actor: &actor,
        },
        base: &base,
    };
    let result = async {
        let kind = fhir::resource_type(kind)?;
        let (pairs, strict) = (pairs(query)?, strict(headers));
        match listing {
            Listing::Search => fhir::search(&state.store, ask, kind, &pairs, strict).await,
            Listing::History => fhir::history(&state.store, ask, kind, &pairs, strict).await,
        }
    };
    answer(result.await)
}

/// `GET /fhir/{type}/{id}`: the current version.
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    let actor = caller.actor();
    let reader = Reader {
        who: caller.principal.as_ref(),
        actor: &actor,
    };
    let result = async {
        let kind = fhir::resource_type(&kind)?;
        fhir::read(&state.store, reader, kind, &id).await
    };
    resource(result.await)
}

/// `GET /fhir/{type}/{id}/_history/{vid}`: one version.
pub async fn vread(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id, version)): Path<(String, String, String)>,
) -> Response {
    let actor = caller.actor();
    let reader = Reader {
        who: caller.principal.as_ref(),
        actor: &actor,
    };
    let result = async {
        let kind = fhir::resource_type(&kind)?;
        fhir::vread(&state.store, reader, kind, &id, &version).await
    };
    resource(result.await)
}
