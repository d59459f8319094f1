//! `/cijfers`: the published inventory rounds, with the latest one's
//! Table 1; `/cijfers/tabel-1`: a lasting address for the newest published
//! Table 1 (the footer links here); `/cijfers/{name}`: a published round's Table 1 with its notes
//! and sources, downloads, and the round's statistics (`statistics.rs`).
//! Rounds that are not published do not exist here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};

use super::{downloads, round_context, table_context};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{see_other, urlencode, Page, PageError};

pub async fn list(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let rounds = crate::rounds::published_rounds(&state.store).await?;
        let latest = match rounds.first() {
            Some(round) => {
                let table = crate::rounds::table1::round_table(&state.store, round).await?;
                Some(context! {
                    round => round_context(&page, round),
                    path_name => urlencode(&round.name),
                    table => table_context(&page, &table, false),
                })
            }
            None => None,
        };
        let rounds: Vec<Value> = rounds
            .iter()
            .map(|r| {
                context! {
                    round => round_context(&page, r),
                    path_name => urlencode(&r.name),
                }
            })
            .collect();
        Ok(page.render(
            "rounds/public_list.html",
            StatusCode::OK,
            context! { rounds, latest },
        ))
    })
    .await
}

/// To the newest published round's page, whose first table is Table 1; to
/// the list (which says none is published) while there is none. A 303,
/// because the target changes when the next round is published.
pub async fn newest_table1(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let rounds = crate::rounds::published_rounds(&state.store).await?;
        Ok(match rounds.first() {
            Some(round) => see_other(&format!("/cijfers/{}", urlencode(&round.name))),
            None => see_other("/cijfers"),
        })
    })
    .await
}

pub async fn show(page: Page, State(state): State<AppState>, Path(name): Path<String>) -> Response {
    page.run(async {
        let round = match crate::rounds::readable_round(&state.store, &name, None).await {
            Ok(round) => round,
            Err(AppError::NotFound(_)) => return Err(PageError::not_found("rounds.not_found")),
            Err(e) => return Err(e.into()),
        };
        let table = crate::rounds::table1::round_table(&state.store, &round).await?;
        let statistics = super::statistics::round_statistics(&page, &state, &round).await?;
        let query = format!("round={}", urlencode(&round.name));
        Ok(page.render(
            "rounds/public_round.html",
            StatusCode::OK,
            context! {
                round => round_context(&page, &round),
                table => table_context(&page, &table, false),
                downloads => downloads(&page, &query),
                report_url => format!("/cijfers/{}/rapport", urlencode(&round.name)),
                statistics,
            },
        ))
    })
    .await
}
