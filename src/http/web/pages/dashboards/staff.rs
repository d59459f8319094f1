//! `/beheer/dashboard…`: the dashboards for signed-in staff, live and
//! exact (submitted reports and tallies not yet reported too): national
//! roles start at the country, organisation roles at their organisation.
//! Who may see which dashboard is the use case's to say
//! (`dashboards::dashboard`): another organisation's is refused there, and
//! an auditor sees the public figures of areas.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::super::{parse_id, see_other, Page};
use super::public::area_level;
use super::{respond, Audience};
use crate::dashboards::dashboard::Level;
use crate::http::app::AppState;

/// The country, or for an organisation role its organisation's dashboard.
pub async fn home(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        if let (true, Some(id)) = (who.role.needs_organisation(), who.organisation_id) {
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            return Ok(see_other(&format!(
                "/beheer/dashboard/organisatie/{id}{query}"
            )));
        }
        respond(&page, &state, Level::Country, Audience::Staff, query).await
    })
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
        respond(&page, &state, level, Audience::Staff, query).await
    })
    .await
}

pub async fn organisation(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "dashboards.error.no_organisation")?;
        respond(
            &page,
            &state,
            Level::Organisation(id),
            Audience::Staff,
            query,
        )
        .await
    })
    .await
}

pub async fn facility(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "dashboards.error.no_facility")?;
        respond(&page, &state, Level::Facility(id), Audience::Staff, query).await
    })
    .await
}
