//! `/turven` (signed in): counting at the desk. The person picks one of the
//! facilities they may count at (remembered in a cookie), then taps +1 or
//! +5 per metric of its services; the day's running totals show beside
//! each. Every button is a plain form, so counting works without
//! JavaScript: the page makes each form's tally id when it is rendered, so
//! a browser that posts the same form twice counts once. `static/desk.js`
//! takes over the buttons when it runs: ids made on the device, a queue in
//! localStorage, sent in batches through the API (see that file).

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{parse_query, see_other, set_cookie, Page, PageError};
use crate::domain::date::today;
use crate::domain::language::Language;
use crate::domain::secret;
use crate::domain::tally::{TallyInput, AMOUNT_MAX, UNDO_SECONDS};
use crate::http::app::AppState;
use crate::monitoring::{self, desk};

/// The cookie that remembers the facility counted at last.
const FACILITY_COOKIE: &str = "vangnet_turven";
/// A year: the desk stays the same desk.
const FACILITY_COOKIE_AGE: i64 = 365 * 24 * 3600;

/// The script that queues taps on the device, served at [`script_url`].
pub const SCRIPT: &str = include_str!("../../../../static/desk.js");

/// The script's address, versioned by its content so it may be cached for good.
pub fn script_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| {
        let hash = hex::encode(Sha256::digest(SCRIPT.as_bytes()));
        format!("/static/desk.js?v={}", &hash[..12])
    });
    &URL
}

pub async fn script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        SCRIPT,
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Query {
    voorziening: String,
    /// The tally just counted without JavaScript, which may be taken back.
    laatste: String,
    melding: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TapForm {
    facility_id: String,
    metric: String,
    amount: String,
    form_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UndoForm {
    facility_id: String,
    id: String,
}

fn remembered(headers: &HeaderMap) -> Option<i64> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == FACILITY_COOKIE)
        .and_then(|(_, value)| value.parse().ok())
}

/// A tally id for one rendered form: the same on a repeated post.
fn form_id() -> String {
    format!("form-{}", &secret::generate("")[..32])
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: Query = parse_query(query.as_deref())?;
        let who = page.caller.principal.as_ref().ok_or_else(|| {
            PageError::from(crate::domain::error::AppError::Unauthorized("sign in".into()))
        })?;
        let facilities = desk::desk_facilities(&state.store, who).await?;
        let asked: Option<i64> = query.voorziening.parse().ok();
        let wanted = asked.or_else(|| remembered(&headers));
        let chosen = wanted
            .and_then(|id| facilities.iter().find(|f| f.id == id))
            .or(facilities.first());
        let Some(chosen) = chosen else {
            return Ok(page.render(
                "desk.html",
                StatusCode::OK,
                context! { facilities => Vec::<()>::new(), script => script_url() },
            ));
        };
        let totals = desk::day_totals(
            &state.store,
            who,
            &page.caller.actor(),
            chosen.id,
            today(),
        )
        .await?;
        let total_of = |code: &str| {
            totals
                .iter()
                .find(|t| t.metric == code)
                .map_or(0, |t| t.total)
        };
        let metrics: Vec<_> = chosen
            .metrics
            .iter()
            .map(|m| {
                context! {
                    code => m.code.as_str(),
                    name => if page.lang == Language::En { &m.name_en } else { &m.name_nl },
                    total => total_of(m.code.as_str()),
                    form_id => form_id(),
                }
            })
            .collect();
        let choices: Vec<_> = facilities
            .iter()
            .map(|f| context! { id => f.id, name => f.name, city => f.city, selected => f.id == chosen.id })
            .collect();
        let mut response = page.render(
            "desk.html",
            StatusCode::OK,
            context! {
                facilities => choices,
                facility_id => chosen.id,
                facility_name => chosen.name,
                metrics,
                plain_form_id => form_id(),
                last => (!query.laatste.is_empty()).then_some(query.laatste),
                done => query.melding == "teruggedraaid",
                amount_max => AMOUNT_MAX,
                undo_seconds => UNDO_SECONDS,
                script => script_url(),
            },
        );
        if asked.is_some_and(|id| id == chosen.id) {
            response.headers_mut().append(
                SET_COOKIE,
                set_cookie(
                    FACILITY_COOKIE,
                    &chosen.id.to_string(),
                    "Lax",
                    Some(FACILITY_COOKIE_AGE),
                    page.secure,
                ),
            );
        }
        Ok(response)
    })
    .await
}

/// Records one tally from the plain form; its id is the form's, so the
/// same post twice counts once.
pub async fn record(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: TapForm = page.form(&body)?;
        let who = page.caller.principal.as_ref().ok_or_else(|| {
            PageError::from(crate::domain::error::AppError::Unauthorized(
                "sign in".into(),
            ))
        })?;
        let input = TallyInput {
            id: Some(form.form_id.clone()),
            facility_id: form.facility_id.trim().parse().ok(),
            at: Some(Utc::now().to_rfc3339()),
            metric: Some(form.metric.trim().to_string()),
            amount: form.amount.trim().parse().ok(),
        };
        monitoring::record_tallies(
            &state.store,
            &[input],
            who,
            &page.caller.actor(),
            Utc::now(),
        )
        .await?;
        Ok(see_other(&format!(
            "/turven?voorziening={}&laatste={}",
            form.facility_id.trim(),
            super::urlencode(&form.form_id)
        )))
    })
    .await
}

/// Takes back the tally just counted (within a minute, by its counter).
pub async fn undo(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: UndoForm = page.form(&body)?;
        let who = page.caller.principal.as_ref().ok_or_else(|| {
            PageError::from(crate::domain::error::AppError::Unauthorized(
                "sign in".into(),
            ))
        })?;
        desk::undo_tally(
            &state.store,
            form.id.trim(),
            who,
            &page.caller.actor(),
            Utc::now(),
        )
        .await?;
        Ok(see_other(&format!(
            "/turven?voorziening={}&melding=teruggedraaid",
            form.facility_id.trim()
        )))
    })
    .await
}
