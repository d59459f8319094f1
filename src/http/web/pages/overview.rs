//! `/kaart`: the national overview: every public facility open today on a
//! map of the Netherlands, coloured by service, and the same as a table of
//! counts per province and service. Counts of facilities say nothing about
//! persons, so none is suppressed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::Serialize;

use super::finder::service_label;
use super::Page;
use crate::domain::finder::Listed;
use crate::domain::geo::geo;
use crate::domain::hours::date_in_words;
use crate::domain::service::ServiceType;
use crate::formats::svg_map::{self, Map, Marker};
use crate::http::app::AppState;

#[derive(Debug, Serialize)]
struct Row {
    name: String,
    /// Per service, in `ServiceType::ALL` order.
    counts: Vec<usize>,
    /// Facilities, each once however many services it offers.
    total: usize,
}

#[derive(Debug, Serialize)]
struct LegendItem {
    label: String,
    colour: &'static str,
    count: usize,
}

/// Counts per province (in the reference data's order) and the national totals.
fn count(listed: &[Listed]) -> (Vec<Row>, Row) {
    let provinces = geo().provinces();
    let mut rows: Vec<Row> = provinces
        .iter()
        .map(|p| Row {
            name: p.name.clone(),
            counts: vec![0; ServiceType::ALL.len()],
            total: 0,
        })
        .collect();
    let mut national = Row {
        name: String::new(),
        counts: vec![0; ServiceType::ALL.len()],
        total: 0,
    };
    for l in listed {
        let province = geo()
            .municipality(&l.facility.fields.municipality_code)
            .and_then(|m| provinces.iter().position(|p| p.code == m.province_code));
        for row in province
            .map(|i| &mut rows[i])
            .into_iter()
            .chain([&mut national])
        {
            row.total += 1;
            for (i, service) in ServiceType::ALL.iter().enumerate() {
                if l.facility.fields.services.contains(*service) {
                    row.counts[i] += 1;
                }
            }
        }
    }
    (rows, national)
}

pub async fn show(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let index = state.finder.index(&state.store).await?;
        let listed = index.listed();
        let (rows, mut national) = count(listed);
        national.name = page.text("map.overview.national");
        let markers: Vec<Marker> = listed
            .iter()
            .filter_map(|l| {
                let location = l.facility.fields.location?;
                let service = l.facility.fields.services.iter().next()?;
                Some(Marker {
                    latitude: location.latitude,
                    longitude: location.longitude,
                    colour: svg_map::service_colour(service),
                })
            })
            .collect();
        let day = date_in_words(index.day(), page.lang);
        let title = page.text("map.overview.map_title");
        let description = page.text_with(
            "map.overview.map_description",
            &[("count", listed.len().to_string()), ("day", day.clone())],
        );
        let svg = svg_map::render(&Map {
            id: "kaart-nederland",
            title: &title,
            description: &description,
            bbox: svg_map::netherlands().padded(0.02),
            width: 480.0,
            highlight: None,
            markers: &markers,
            marker_radius: 3.5,
        });
        let legend: Vec<LegendItem> = ServiceType::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem {
                label: service_label(&page, *s),
                colour: svg_map::service_colour(*s),
                count: national.counts[i],
            })
            .collect();
        let services: Vec<String> = ServiceType::ALL
            .iter()
            .map(|s| service_label(&page, *s))
            .collect();
        Ok(page.render(
            "overview.html",
            StatusCode::OK,
            context! {
                map => Value::from_safe_string(svg),
                day,
                count => listed.len(),
                legend,
                services,
                rows,
                national,
            },
        ))
    })
    .await
}
