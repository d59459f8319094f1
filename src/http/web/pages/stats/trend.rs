//! `/cijfers/trend?dienst=…`: the number of locations of a service per
//! inventory round, register counts and published figures together, as a
//! figure and as a table with the same numbers.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::super::finder::service_label;
use super::super::{parse_query, Page, PageResult};
use super::{service_options, source_text};
use crate::domain::service::ServiceType;
use crate::formats::chart::ChartTexts;
use crate::formats::chart::{self, qualified};
use crate::http::app::AppState;
use crate::http::error::AppResult;
use crate::storage::Store;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Query {
    dienst: String,
}

#[derive(Debug, Serialize)]
struct Row {
    label: String,
    value: String,
    external: bool,
    source: String,
}

/// The context of `stats/trend_figure.html`: the figure (inline SVG, its
/// element ids prefixed with `id`), its numbers as table rows, and links to
/// the SVG and JSON.
pub async fn trend_figure(
    page: &Page,
    store: &Store,
    service: ServiceType,
    id: &str,
) -> AppResult<Value> {
    let points = crate::stats::trend::public_chart_points(store, service, page.lang).await?;
    let texts = ChartTexts::of(page.lang, service);
    let svg = chart::trend_svg(id, &points, &texts);
    let mut sorted: Vec<_> = points.iter().collect();
    sorted.sort_by_key(|p| (p.date, p.external));
    let rows: Vec<Row> = sorted
        .iter()
        .map(|p| Row {
            label: p.label.clone(),
            value: qualified(p.value, p.qualifier, &texts.unknown),
            external: p.external,
            source: source_text(page, &p.source),
        })
        .collect();
    Ok(context! {
        id,
        service => service_label(page, service),
        title => texts.title,
        svg => Value::from_safe_string(svg),
        rows,
        svg_url => format!("/api/v1/reports/trend.svg?service={}&lang={}", service.code(), page.lang.code()),
        json_url => format!("/api/v1/reports/trend?service={}", service.code()),
    })
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
    // A page answers any link: an unknown service shows the default one.
    let service = ServiceType::parse(&query.dienst).unwrap_or(ServiceType::ConsumptionRoom);
    let trend = trend_figure(page, &state.store, service, "trend").await?;
    Ok(page.render(
        "stats/trend.html",
        StatusCode::OK,
        context! {
            trend,
            service => service.code(),
            services => service_options(page),
        },
    ))
}
