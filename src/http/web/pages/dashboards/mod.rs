//! The dashboards as pages: the public ones under `/cijfers/dashboard`
//! (the country, a province, a municipality: approved figures, small counts
//! suppressed) and the staff ones under `/beheer/dashboard` (live and exact,
//! also of an organisation or a facility), both from one template
//! (`dashboards/dashboard.html`); and the indicator pages under
//! `/cijfers/indicatoren` ([`indicators`]).
//!
//! Each dashboard answers `?jaar=` (this year by default), `?kaart=` (the
//! metric of the municipality map) and `?formaat=csv|xlsx|json` (the same
//! figures as a file, `dashboards::download`). The figures, refusals and the
//! audit of staff reads are the use cases' (`dashboards::dashboard`,
//! `dashboards::map`); this module only shows them.

pub mod indicators;
pub mod public;
pub mod staff;
mod view;

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::Datelike;
use minijinja::context;
use serde::Deserialize;

use super::{parse_query, FieldErrors, Page, PageError, PageResult};
use crate::dashboards::dashboard::{dashboard, Level, Viewer};
use crate::dashboards::download::{self, FileFormat};
use crate::dashboards::map::map;
use crate::domain::date::today;
use crate::http::app::AppState;

/// The first year a dashboard or an indicator page may show.
const FIRST_YEAR: i32 = 1990;
/// Years offered in the year field (this year and the ones before).
const YEARS_OFFERED: i32 = 10;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Query {
    jaar: String,
    formaat: String,
    kaart: String,
}

/// The year asked for (`default` when none), or the reason it is not one.
fn year_field(page: &Page, text: &str, default: i32) -> Result<i32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default);
    }
    let last = today().year();
    text.parse::<i32>()
        .ok()
        .filter(|y| (FIRST_YEAR..=last).contains(y))
        .ok_or_else(|| {
            page.text_with(
                "dashboards.error.year",
                &[
                    ("value", text.chars().take(20).collect()),
                    ("first", FIRST_YEAR.to_string()),
                    ("last", last.to_string()),
                ],
            )
        })
}

/// The years of the year field: this year and the nine before, and the
/// chosen one when it is older.
fn year_options(chosen: i32) -> Vec<(String, String)> {
    let last = today().year();
    let mut years: Vec<i32> = (last - YEARS_OFFERED + 1..=last).rev().collect();
    if !years.contains(&chosen) && (FIRST_YEAR..=last).contains(&chosen) {
        years.push(chosen);
    }
    years
        .into_iter()
        .map(|y| (y.to_string(), y.to_string()))
        .collect()
}

/// Who looks at a dashboard page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    Public,
    Staff,
}

impl Audience {
    fn base(self) -> &'static str {
        match self {
            Audience::Public => "/cijfers/dashboard",
            Audience::Staff => "/beheer/dashboard",
        }
    }
}

/// A dashboard page (or its file) for `level`: the whole answer of every
/// dashboard route.
async fn respond(
    page: &Page,
    state: &AppState,
    level: Level,
    audience: Audience,
    query: Option<String>,
) -> PageResult {
    let query: Query = parse_query(query.as_deref())?;
    let this_year = today().year();
    let format =
        match query.formaat.trim() {
            "" => None,
            text => Some(FileFormat::parse(text).ok_or_else(|| {
                PageError::new(StatusCode::BAD_REQUEST, "dashboards.error.format")
            })?),
        };
    let here = page.here.split('?').next().unwrap_or("/").to_string();
    let year = match year_field(page, &query.jaar, this_year) {
        Ok(year) => year,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.insert("jaar".into(), message);
            return Ok(page.render(
                "dashboards/dashboard.html",
                StatusCode::BAD_REQUEST,
                context! {
                    errors,
                    action => here,
                    year => this_year,
                    years => year_options(this_year),
                    failed => true,
                },
            ));
        }
    };
    let actor = page.caller.actor();
    let principal = match audience {
        Audience::Staff => Some(page.caller.principal()?),
        Audience::Public => None,
    };
    let viewer = || match principal {
        Some(p) => Viewer::Staff(p, &actor),
        None => Viewer::Public,
    };
    let board = dashboard(&state.store, &level, year, viewer(), page.lang).await?;
    if let Some(format) = format {
        let bytes = download::write(&board, format, page.lang)?;
        return Ok((
            [
                (CONTENT_TYPE, format.content_type().to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        download::file_name(&board, format)
                    ),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    // The map: of the country or a province, for a metric on the dashboard.
    let within = match &level {
        Level::Country => Some(None),
        Level::Province(code) => Some(Some(code.clone())),
        _ => None,
    };
    let chosen = board
        .metrics
        .iter()
        .find(|m| m.code == query.kaart.trim())
        .or_else(|| board.metrics.first());
    let municipal = match (within, chosen) {
        (Some(within), Some(metric)) => Some(
            map(
                &state.store,
                within.as_deref(),
                &metric.code,
                year,
                viewer(),
                page.lang,
            )
            .await?,
        ),
        _ => None,
    };
    let organisation_role = principal.is_some_and(|p| p.role.needs_organisation());
    let context = view::dashboard(
        page,
        &board,
        municipal.as_ref(),
        &view::Place {
            base: audience.base(),
            here: &here,
            staff: audience == Audience::Staff && board.basis == "live",
            organisation_role,
        },
    );
    Ok(page.render(
        "dashboards/dashboard.html",
        StatusCode::OK,
        minijinja::value::merge_maps([
            context,
            context! {
                errors => FieldErrors::new(),
                action => here,
                years => year_options(year),
                // National staff on the country's page: the year's figures
                // for other systems (ADX, EUDA tables; issue 15).
                exchange_year => (matches!(level, Level::Country)
                    && crate::exchange::adx::exact_for(principal))
                .then_some(year),
            },
        ]),
    ))
}
