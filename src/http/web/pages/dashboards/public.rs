//! `/cijfers/dashboard` (the country) and `/cijfers/dashboard/{gebied}`
//! (`NL-UT`, `GM0344`): the public dashboards, approved figures with small
//! counts suppressed. The same page for everyone, signed in or not.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::super::{Page, PageError};
use super::{respond, Audience};
use crate::dashboards::dashboard::Level;
use crate::http::app::AppState;

pub async fn country(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(respond(
        &page,
        &state,
        Level::Country,
        Audience::Public,
        query,
    ))
    .await
}

pub async fn area(
    page: Page,
    State(state): State<AppState>,
    Path(area): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let level = area_level(&area)?;
        respond(&page, &state, level, Audience::Public, query).await
    })
    .await
}

/// A province or a municipality by its code; anything else is not there
/// (the country has its own path).
pub(super) fn area_level(text: &str) -> Result<Level, PageError> {
    match Level::area(text) {
        Some(level @ (Level::Province(_) | Level::Municipality(_))) => Ok(level),
        _ => Err(PageError::not_found("dashboards.error.no_area")),
    }
}
