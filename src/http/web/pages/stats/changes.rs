//! `/cijfers/veranderingen?van=D&tot=D[&dienst=…]`: which public
//! facilities opened, closed or changed service between two days, with the
//! sentence per service ("3 gesloten en 2 geopend sinds …") and the list
//! with dates and sources.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::super::finder::service_label;
use super::super::{parse_query, urlencode, Page, PageResult};
use super::{date_field, service_options, source_text};
use crate::domain::date::today;
use crate::domain::hours::date_in_words;
use crate::domain::service::ServiceType;
use crate::http::app::AppState;
use crate::http::error::AppResult;
use crate::stats::changes::{ChangeKind, Changes};
use crate::storage::Store;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Query {
    van: String,
    tot: String,
    dienst: String,
}

#[derive(Debug, Serialize)]
struct Sentence {
    service: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct Row {
    date: String,
    kind: &'static str,
    kind_text: String,
    name: String,
    /// The public facility page, unless the facility is no longer public.
    href: Option<String>,
    municipality: String,
    province: String,
    before: String,
    after: String,
    source: String,
}

fn services_text(page: &Page, services: &[ServiceType]) -> String {
    if services.is_empty() {
        return "—".into();
    }
    services
        .iter()
        .map(|s| service_label(page, *s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The context of `stats/change_list.html` for what `changes` holds:
/// a sentence per service (all, or those with a change or a location) and
/// the list. `since` names the first day in the sentences (`2022`, or a
/// round's name); `None` says the date in words.
pub fn change_list_view(page: &Page, changes: &Changes, since: Option<&str>) -> Value {
    let words = page.lang;
    let since = since.map_or_else(|| date_in_words(changes.from, words), str::to_string);
    let sentences: Vec<Sentence> = changes
        .services
        .iter()
        .filter(|s| changes.services.len() == 1 || s.count_from + s.count_to > 0)
        .map(|s| Sentence {
            service: service_label(page, s.service),
            text: s.sentence(words, &since),
        })
        .collect();
    let rows: Vec<Row> = changes
        .facilities
        .iter()
        .map(|c| Row {
            date: c
                .date
                .map_or_else(|| page.text("stats.unknown"), |d| date_in_words(d, words)),
            kind: c.kind.code(),
            kind_text: page.text(&format!("stats.change.{}", c.kind.code())),
            name: c.name.clone(),
            href: (c.kind != ChangeKind::NoLongerPublic)
                .then(|| format!("/voorzieningen/{}", c.facility_id)),
            municipality: c.municipality.clone(),
            province: c.province.clone(),
            before: services_text(page, &c.services_before),
            after: services_text(page, &c.services_after),
            source: source_text(page, &c.source),
        })
        .collect();
    let service = (changes.services.len() == 1).then(|| changes.services[0].service.code());
    let link = |format: &str| {
        let mut url = match (&changes.from_round, &changes.to_round) {
            (Some(a), Some(b)) => format!(
                "/api/v1/reports/changes?from_round={}&to_round={}",
                urlencode(a),
                urlencode(b)
            ),
            _ => format!(
                "/api/v1/reports/changes?from={}&to={}",
                changes.from, changes.to
            ),
        };
        if let Some(s) = service {
            url.push_str(&format!("&service={s}"));
        }
        if !format.is_empty() {
            url.push_str(&format!("&format={format}"));
        }
        url
    };
    context! {
        from => date_in_words(changes.from, words),
        to => date_in_words(changes.to, words),
        sentences,
        rows,
        csv_url => link("csv"),
        json_url => link(""),
    }
}

/// [`change_list_view`] of the changes between two days, for embedding.
pub async fn change_list(
    page: &Page,
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    since: Option<&str>,
) -> AppResult<Value> {
    let changes = crate::stats::changes::changes(store, from, to).await?;
    Ok(change_list_view(page, &changes, since))
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(render(&page, &state, query)).await
}

async fn render(page: &Page, state: &AppState, query: Option<String>) -> PageResult {
    let query: Query = parse_query(query.as_deref())?;
    let mut errors = BTreeMap::new();
    let to = date_field(page, &mut errors, "tot", &query.tot).unwrap_or_else(today);
    // By default since 1 January four years back: the rounds' rhythm.
    let default_from = NaiveDate::from_ymd_opt(to.year() - 4, 1, 1).unwrap_or(to);
    let from = date_field(page, &mut errors, "van", &query.van).unwrap_or(default_from);
    let service = ServiceType::parse(&query.dienst);
    let (status, changes) = if errors.is_empty() {
        let mut changes = crate::stats::changes::changes(&state.store, from, to).await?;
        if let Some(s) = service {
            changes = changes.only(s);
        }
        (StatusCode::OK, Some(change_list_view(page, &changes, None)))
    } else {
        (StatusCode::BAD_REQUEST, None)
    };
    Ok(page.render(
        "stats/changes.html",
        status,
        context! {
            changes,
            errors,
            van => if query.van.trim().is_empty() { from.to_string() } else { query.van.clone() },
            tot => if query.tot.trim().is_empty() { to.to_string() } else { query.tot.clone() },
            service => service.map_or("", |s| s.code()),
            services => service_options(page),
        },
    ))
}
