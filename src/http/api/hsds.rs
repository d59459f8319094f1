//! `/hsds/`: the Open Referral HSDS 3.0 API (see `exchange::hsds`). HSDS
//! is its own standard with its own OpenAPI description (linked from
//! `/hsds/`), so these lines are not in vangnet's OpenAPI document.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiQuery;
use crate::domain::language::Language;
use crate::exchange::hsds::{self, ListQuery};
use crate::formats::hsds::{OPENAPI_URL, VERSION};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult};

/// The parameters of the HSDS list endpoints (each takes those that fit).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    page: Option<i64>,
    per_page: Option<i64>,
    search: Option<String>,
    modified_after: Option<String>,
    organization_id: Option<String>,
    taxonomy_term_id: Option<String>,
    postcode: Option<String>,
    proximity: Option<String>,
    full: Option<bool>,
    full_service: Option<bool>,
    /// Only `json`: results are paged.
    format: Option<String>,
    /// nl (default) or en: the language of vangnet's own texts.
    lang: Option<String>,
}

impl Query {
    fn list(&self) -> AppResult<ListQuery> {
        if let Some(format) = self.format.as_deref().filter(|f| *f != "json") {
            return Err(AppError::invalid(
                "format",
                format!("'{format}' is not offered; only json"),
            ));
        }
        let mut q = ListQuery::parse(
            self.page,
            self.per_page,
            self.search.clone(),
            self.modified_after.as_deref(),
            self.postcode.as_deref(),
            self.proximity.as_deref(),
            self.lang.as_deref(),
        )?;
        q.organization_id = self.organization_id.clone().filter(|s| !s.is_empty());
        q.taxonomy_term_id = self.taxonomy_term_id.clone().filter(|s| !s.is_empty());
        q.full = self.full.unwrap_or(false);
        Ok(q)
    }

    /// Refuses parameters the endpoint does not take.
    fn only(&self, allowed: &[&str]) -> AppResult<()> {
        let given = [
            ("organization_id", self.organization_id.is_some()),
            ("taxonomy_term_id", self.taxonomy_term_id.is_some()),
            ("modified_after", self.modified_after.is_some()),
            ("postcode", self.postcode.is_some()),
            ("proximity", self.proximity.is_some()),
            ("full_service", self.full_service.is_some()),
        ];
        match given
            .iter()
            .find(|(name, set)| *set && !allowed.contains(name))
        {
            Some((name, _)) => Err(AppError::invalid(
                name,
                "is not a parameter of this endpoint",
            )),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemQuery {
    full_service: Option<bool>,
    lang: Option<String>,
}

fn language(lang: &Option<String>) -> AppResult<Language> {
    match lang.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(Language::Nl),
        Some(code) => {
            Language::parse(code).ok_or_else(|| AppError::invalid("lang", "must be nl or en"))
        }
    }
}

/// `GET /hsds/`: which HSDS this is and where its API is described.
pub async fn meta() -> Json<Value> {
    Json(json!({
        "version": VERSION,
        "openapi_url": OPENAPI_URL,
    }))
}

/// `GET /hsds/services`
pub async fn services(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Query>,
) -> AppResult<Json<Value>> {
    query.only(&["organization_id", "taxonomy_term_id", "modified_after"])?;
    Ok(Json(hsds::services(&state.store, &query.list()?).await?))
}

/// `GET /hsds/services/{id}`
pub async fn service(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> AppResult<Json<Value>> {
    let lang = language(&query.lang)?;
    Ok(Json(hsds::service(&state.store, &id, lang).await?))
}

/// `GET /hsds/organizations`
pub async fn organizations(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Query>,
) -> AppResult<Json<Value>> {
    query.only(&["full_service", "modified_after"])?;
    let full_service = query.full_service.unwrap_or(false);
    Ok(Json(
        hsds::organizations(&state.store, &query.list()?, full_service).await?,
    ))
}

/// `GET /hsds/organizations/{id}`
pub async fn organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> AppResult<Json<Value>> {
    let lang = language(&query.lang)?;
    let full_service = query.full_service.unwrap_or(false);
    Ok(Json(
        hsds::organization(&state.store, &id, full_service, lang).await?,
    ))
}

/// `GET /hsds/service_at_locations`
pub async fn service_at_locations(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Query>,
) -> AppResult<Json<Value>> {
    query.only(&[
        "organization_id",
        "taxonomy_term_id",
        "modified_after",
        "postcode",
        "proximity",
    ])?;
    Ok(Json(
        hsds::service_at_locations(&state.store, &query.list()?).await?,
    ))
}

/// `GET /hsds/service_at_locations/{id}`
pub async fn service_at_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> AppResult<Json<Value>> {
    let lang = language(&query.lang)?;
    Ok(Json(
        hsds::service_at_location(&state.store, &id, lang).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    lang: Option<String>,
}

/// `GET /hsds/export.zip`: every public object in full, as JSON files.
pub async fn export(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<impl IntoResponse> {
    let lang = language(&query.lang)?;
    let body = hsds::export_zip(&state.store, lang).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/zip"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"vangnet-hsds.zip\"",
            ),
        ],
        body,
    ))
}
