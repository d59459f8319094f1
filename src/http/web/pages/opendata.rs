//! `/opendata/`: the open-data page in the reader's language: each file
//! offered, what it holds, its columns (from `formats::columns`, the
//! definitions the exporters write, so the page cannot drift from the
//! files), format, licence and when it is updated; Table 1 of the newest
//! published round with its files; the machine-readable index one link on.
//!
//! Programs that fetched the index from `/opendata/` before this page
//! existed still get it there: a request that does not ask for HTML (no
//! `text/html` in `Accept`, as from curl or a script) is answered with the
//! JSON index, which also lives at `/opendata/index.json`.

use axum::extract::State;
use axum::http::header::{ACCEPT, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use minijinja::{context, Value};

use super::rounds::downloads;
use super::{urlencode, Page};
use crate::domain::date::today;
use crate::domain::hours::date_in_words;
use crate::formats::columns::{export_columns, ExportScope};
use crate::http::app::AppState;
use crate::http::web::opendata::{index, FORMATS, GEOGRAPHY};

/// Whether the request asks for a page rather than data.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"))
}

pub async fn show(page: Page, headers: HeaderMap, State(state): State<AppState>) -> Response {
    let mut response = if wants_html(&headers) {
        page.run(render(&page, &state)).await
    } else {
        Json(index()).into_response()
    };
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept"));
    response
}

async fn render(page: &Page, state: &AppState) -> super::PageResult {
    let files: Vec<Value> = FORMATS
        .iter()
        .map(|f| {
            context! {
                name => format!("facilities.{}", f.extension()),
                format => f.extension().to_uppercase(),
                what => page.text(&format!("opendata.{}", f.extension())),
            }
        })
        .collect();
    let columns: Vec<Value> = export_columns(ExportScope::Public)
        .into_iter()
        .map(|c| {
            context! {
                name => c.name(),
                meaning => page.text(&format!("register.column.{}", c.name())),
            }
        })
        .collect();
    let geography: Vec<Value> = GEOGRAPHY
        .iter()
        .zip(["opendata.provinces", "opendata.outline"])
        .map(|(name, key)| context! { name, what => page.text(key) })
        .collect();
    let rounds = crate::rounds::published_rounds(&state.store).await?;
    let round = rounds.first().map(|r| {
        let published = r
            .published_at
            .as_deref()
            .and_then(|at| at.get(..10))
            .and_then(crate::domain::date::parse_date)
            .map_or_else(String::new, |d| date_in_words(d, page.lang));
        context! {
            name => r.name,
            date => date_in_words(r.reference_date, page.lang),
            published,
            href => format!("/cijfers/{}", urlencode(&r.name)),
            downloads => downloads(page, &format!("round={}", urlencode(&r.name))),
        }
    });
    let example = format!("/opendata/facilities.csv?as_of={}-01-01", today().year());
    Ok(page.render(
        "opendata.html",
        StatusCode::OK,
        context! { files, columns, geography, round, example },
    ))
}
