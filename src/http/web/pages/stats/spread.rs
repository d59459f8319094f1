//! `/cijfers/spreiding?peildatum=D&dienst=…`: the public facilities open on
//! a day per province (a map shaded by count, and a table), the
//! municipalities with each service, and the municipalities farthest from
//! each service. Shaded by count because the bundled data has no
//! population figures; GGD regions are not in it either, and the page says so.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::super::finder::{distance, service_label};
use super::super::{parse_query, Page, PageResult};
use super::{date_field, service_options};
use crate::domain::date::today;
use crate::domain::geo::geo;
use crate::domain::hours::date_in_words;
use crate::domain::service::ServiceType;
use crate::formats::svg_map::{self, Choropleth};
use crate::http::app::AppState;
use crate::stats::spread::Spread;

/// Rows in each farthest-first table on the page.
const FARTHEST_SHOWN: usize = 10;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Query {
    peildatum: String,
    dienst: String,
}

#[derive(Debug, Serialize)]
struct ProvinceRow {
    name: String,
    counts: Vec<i64>,
    total: i64,
}

#[derive(Debug, Serialize)]
struct LegendItem {
    fill: &'static str,
    label: String,
}

#[derive(Debug, Serialize)]
struct Coverage {
    service: String,
    count: usize,
    names: String,
}

#[derive(Debug, Serialize)]
struct FarRow {
    name: String,
    province: String,
    distance: String,
    nearest: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct Farthest {
    id: &'static str,
    service: String,
    rows: Vec<FarRow>,
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
    let day = date_field(page, &mut errors, "peildatum", &query.peildatum).unwrap_or_else(today);
    let service = ServiceType::parse(&query.dienst);
    let peildatum = if query.peildatum.trim().is_empty() {
        day.to_string()
    } else {
        query.peildatum.clone()
    };
    let valid = errors.is_empty();
    let base = context! {
        errors,
        peildatum,
        service => service.map_or("", |s| s.code()),
        services => service_options(page),
    };
    if !valid {
        return Ok(page.render("stats/spread.html", StatusCode::BAD_REQUEST, base));
    }
    let spread = crate::stats::spread::spread(&state.store, day).await?;
    let view = view(page, &spread, service);
    Ok(page.render(
        "stats/spread.html",
        StatusCode::OK,
        minijinja::value::merge_maps([view, base]),
    ))
}

fn view(page: &Page, spread: &Spread, service: Option<ServiceType>) -> Value {
    let words = page.lang;
    let day = date_in_words(spread.as_of, words);
    let shaded_by = service.map_or_else(
        || page.text("stats.spread.all_facilities"),
        |s| service_label(page, s),
    );
    let values: Vec<(String, i64)> = spread
        .provinces
        .iter()
        .map(|p| {
            let n = service.map_or(p.facilities, |s| p.locations.get(s));
            (p.code.clone(), n)
        })
        .collect();
    let max = values.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let classes = svg_map::shade_classes(max);
    let title = page.text_with("stats.spread.map_title", &[("what", shaded_by.clone())]);
    let description = page.text_with(
        "stats.spread.map_description",
        &[
            ("what", shaded_by.clone()),
            ("day", day.clone()),
            (
                "values",
                spread
                    .provinces
                    .iter()
                    .zip(&values)
                    .map(|(p, (_, n))| format!("{} {n}", p.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ],
    );
    let map = svg_map::render_choropleth(&Choropleth {
        id: "kaart-spreiding",
        title: &title,
        description: &description,
        width: 420.0,
        values: &values,
        classes: &classes,
    });
    // Only the classes some province is shaded in.
    let legend: Vec<LegendItem> = classes
        .iter()
        .filter(|c| values.iter().any(|(_, n)| (c.min..=c.max).contains(n)))
        .map(|c| LegendItem {
            fill: c.fill,
            label: if c.min == c.max {
                c.min.to_string()
            } else {
                format!("{}–{}", c.min, c.max)
            },
        })
        .collect();
    let provinces: Vec<ProvinceRow> = spread
        .provinces
        .iter()
        .map(|p| ProvinceRow {
            name: p.name.clone(),
            counts: p.locations.to_vec(),
            total: p.facilities,
        })
        .collect();
    let national = ProvinceRow {
        name: page.text("map.overview.national"),
        counts: spread.national.to_vec(),
        total: spread.facilities,
    };
    let name_of = |code: &str| {
        spread
            .municipality(code)
            .map_or_else(|| code.to_string(), |m| m.name.clone())
    };
    let coverage: Vec<Coverage> = spread
        .services
        .iter()
        .map(|s| Coverage {
            service: service_label(page, s.service),
            count: s.municipalities.len(),
            names: s
                .municipalities
                .iter()
                .map(|c| name_of(c))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let farthest: Vec<Farthest> = spread
        .services
        .iter()
        .filter(|s| !s.farthest.is_empty())
        .map(|s| Farthest {
            id: s.service.code(),
            service: service_label(page, s.service),
            rows: s
                .farthest
                .iter()
                .take(FARTHEST_SHOWN)
                .map(|d| FarRow {
                    name: d.name.clone(),
                    province: d.province.clone(),
                    distance: distance(page.lang, d.km),
                    nearest: if d.nearest_municipality.is_empty() {
                        d.nearest_facility.clone()
                    } else {
                        format!("{} ({})", d.nearest_facility, d.nearest_municipality)
                    },
                    href: format!("/voorzieningen/{}", d.nearest_facility_id),
                })
                .collect(),
        })
        .collect();
    let absent: Vec<String> = spread
        .services
        .iter()
        .filter(|s| s.locations == 0)
        .map(|s| service_label(page, s.service))
        .collect();
    let no_point: Vec<String> = geo()
        .municipalities()
        .iter()
        .filter(|m| m.latitude.is_none() || m.longitude.is_none())
        .map(|m| m.name.clone())
        .collect();
    context! {
        day,
        count => spread.facilities,
        map => Value::from_safe_string(map),
        shaded_by,
        legend,
        service_names => ServiceType::ALL.iter().map(|s| service_label(page, *s)).collect::<Vec<_>>(),
        provinces,
        national,
        coverage,
        farthest,
        absent,
        no_point,
        csv_url => format!("/api/v1/reports/spread?as_of={}&format=csv", spread.as_of),
        json_url => format!("/api/v1/reports/spread?as_of={}", spread.as_of),
    }
}
