//! `/kaart`: the national overview: every public facility open today on a
//! map of the Netherlands, coloured by service (a ring for several), each
//! dot a link to its page; below it the same facilities as plain links per
//! province, so the map is not the only way in, and a table of counts per
//! province and service. Counts of facilities say nothing about persons, so
//! none is suppressed.

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
    /// The legend's ring entry: several services.
    ring: bool,
    /// Dots drawn so.
    count: usize,
}

/// A province with its facilities, for the list under the map.
#[derive(Debug, Serialize)]
struct Region {
    name: String,
    facilities: Vec<Entry>,
}

#[derive(Debug, Serialize)]
struct Entry {
    name: String,
    href: String,
    services: String,
}

/// The facilities per province (in the reference data's order, empty
/// provinces left out), by name; those without a known province last.
fn regions(page: &Page, listed: &[Listed]) -> Vec<Region> {
    let provinces = geo().provinces();
    let mut regions: Vec<Region> = provinces
        .iter()
        .map(|p| Region {
            name: p.name.clone(),
            facilities: Vec::new(),
        })
        .chain([Region {
            name: page.text("map.overview.no_province"),
            facilities: Vec::new(),
        }])
        .collect();
    for l in listed {
        let fields = &l.facility.fields;
        let index = geo()
            .municipality(&fields.municipality_code)
            .and_then(|m| provinces.iter().position(|p| p.code == m.province_code))
            .unwrap_or(provinces.len());
        regions[index].facilities.push(Entry {
            name: fields.name.clone(),
            href: facility_href(l),
            services: fields
                .services
                .iter()
                .map(|s| service_label(page, s))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    regions.retain(|r| !r.facilities.is_empty());
    for r in &mut regions {
        r.facilities.sort_by(|a, b| a.name.cmp(&b.name));
    }
    regions
}

fn facility_href(listed: &Listed) -> String {
    format!("/voorzieningen/{}", listed.facility.id)
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
        let hrefs: Vec<String> = listed.iter().map(facility_href).collect();
        let markers: Vec<Marker> = listed
            .iter()
            .zip(&hrefs)
            .filter_map(|(l, href)| {
                let fields = &l.facility.fields;
                let location = fields.location?;
                let service = fields.services.iter().next()?;
                Some(Marker {
                    latitude: location.latitude,
                    longitude: location.longitude,
                    colour: svg_map::service_colour(service),
                    several: fields.services.iter().nth(1).is_some(),
                    link: Some((href.as_str(), fields.name.as_str())),
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
        // Only what is drawn: the colours of dots on the map, and the ring
        // when a dot has one.
        let drawn = |colour: &str| markers.iter().filter(|m| m.colour == colour).count();
        let several = markers.iter().filter(|m| m.several).count();
        let legend: Vec<LegendItem> = ServiceType::ALL
            .iter()
            .map(|s| LegendItem {
                label: service_label(&page, *s),
                colour: svg_map::service_colour(*s),
                ring: false,
                count: drawn(svg_map::service_colour(*s)),
            })
            .chain([LegendItem {
                label: page.text("map.overview.several"),
                colour: "#ffffff",
                ring: true,
                count: several,
            }])
            .filter(|item| item.count > 0)
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
                ring => svg_map::RING,
                regions => regions(&page, listed),
                services,
                rows,
                national,
            },
        ))
    })
    .await
}
