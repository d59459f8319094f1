//! `/voorzieningen/{id}`: everything public about one facility: open now,
//! its hours in words, services, who may come, the address with a small
//! map, and when a source last confirmed it. Facilities that are not open
//! to the public do not exist here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use minijinja::{context, Value};

use super::finder::{access_lines, address, service_labels, status};
use super::{parse_id, Page, PageError};
use crate::domain::date::today;
use crate::domain::facility::{Facility, FacilityStatus, LocationPrecision};
use crate::domain::geo::geo;
use crate::domain::hours::{date_in_words, OpenState};
use crate::domain::provenance::SourceKind;
use crate::domain::service::ServiceType;
use crate::formats::svg_map::{self, Map, Marker};
use crate::http::app::AppState;

const NOT_FOUND: &str = "finder.facility.not_found";

pub async fn show(page: Page, State(state): State<AppState>, Path(id): Path<String>) -> Response {
    page.run(async {
        let id = parse_id(&id, NOT_FOUND)?;
        let day = today();
        let facility = crate::register::reads::public_facility(&state.store, id, day)
            .await?
            .ok_or(PageError::not_found(NOT_FOUND))?;
        Ok(page.render("facility.html", StatusCode::OK, view(&page, &facility, day)))
    })
    .await
}

fn view(page: &Page, facility: &Facility, day: NaiveDate) -> Value {
    let words = page.lang;
    let fields = &facility.fields;
    let now = Utc::now();
    let hours = fields.opening_hours.as_ref().and_then(|raw| raw.hours());
    let life = match facility.status_on(day) {
        FacilityStatus::Open => None,
        FacilityStatus::Planned => Some(page.text_with(
            "finder.facility.planned",
            &[("date", date_in_words(facility.counts_from, words))],
        )),
        FacilityStatus::Closed => Some(
            page.text_with(
                "finder.facility.closed",
                &[(
                    "date",
                    fields
                        .closed_on
                        .map(|d| date_in_words(d, words))
                        .unwrap_or_default(),
                )],
            ),
        ),
    };
    let open_now = life.is_none().then(|| {
        let state = hours.as_ref().map_or(OpenState::Unknown, |h| h.state(now));
        status(page, &state, now)
    });
    let municipality = geo().municipality(&fields.municipality_code);
    let capacity = match (fields.rooms, fields.capacity) {
        _ if !fields.services.iter().any(ServiceType::has_capacity) => None,
        (Some(rooms), Some(places)) => Some(page.text_with(
            "finder.facility.rooms_places",
            &[("rooms", rooms.to_string()), ("places", places.to_string())],
        )),
        (None, Some(places)) => {
            Some(page.text_with("finder.facility.places", &[("places", places.to_string())]))
        }
        (Some(rooms), None) => {
            Some(page.text_with("finder.facility.rooms", &[("rooms", rooms.to_string())]))
        }
        (None, None) => None,
    };
    let precision = fields.location.and_then(|l| match l.precision {
        LocationPrecision::Exact => None,
        LocationPrecision::Postcode => Some(page.text("finder.facility.precision_postcode")),
        LocationPrecision::Place => Some(page.text("finder.facility.precision_place")),
    });
    context! {
        id => facility.id,
        name => fields.name,
        organisation => facility.organisation_name,
        life,
        open_now,
        hours => hours.as_ref().map(|h| h.in_words(words)),
        services => service_labels(page, fields.services),
        access => access_lines(page, &fields.access),
        address => address(fields),
        mobile => fields.mobile,
        features => fields.features.iter().map(|f| page.text(&format!("register.feature.{}", f.code()))).collect::<Vec<_>>(),
        municipality => municipality.map(|m| m.name.clone()),
        province => municipality.map(|m| m.province_name.clone()),
        capacity,
        opened_on => fields.opened_on.map(|d| date_in_words(d, words)),
        provenance => provenance(page, facility),
        map => map(page, facility).map(Value::from_safe_string),
        precision,
    }
}

/// "Laatst geverifieerd op 1 juni 2022 (bron: inventarisatie, Trimbos 2022)".
fn provenance(page: &Page, facility: &Facility) -> String {
    let words = page.lang;
    let recorded = &facility.recorded;
    let kind = match recorded.source.kind {
        SourceKind::Other => None,
        kind => Some(page.text(&format!("finder.source.{}", kind.code()))),
    };
    let source = [kind, recorded.source.detail.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    match recorded.verified_on {
        Some(day) => page.text_with(
            "finder.facility.verified",
            &[("date", date_in_words(day, words)), ("source", source)],
        ),
        None => {
            let day = recorded
                .recorded_at
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            page.text_with(
                "finder.facility.recorded",
                &[
                    (
                        "date",
                        day.map(|d| date_in_words(d, words)).unwrap_or_default(),
                    ),
                    ("source", source),
                ],
            )
        }
    }
}

/// The facility on a map of its province.
fn map(page: &Page, facility: &Facility) -> Option<String> {
    let location = facility.fields.location?;
    let municipality = geo().municipality(&facility.fields.municipality_code)?;
    let bbox = svg_map::province_bbox(&municipality.province_code)?.padded(0.08);
    let service = facility.fields.services.iter().next()?;
    let marker = [Marker {
        latitude: location.latitude,
        longitude: location.longitude,
        colour: svg_map::service_colour(service),
        ..Marker::default()
    }];
    let title = page.text_with(
        "map.facility.title",
        &[
            ("name", facility.fields.name.clone()),
            ("province", municipality.province_name.clone()),
        ],
    );
    let description = page.text_with(
        "map.facility.description",
        &[
            ("address", address(&facility.fields)),
            ("province", municipality.province_name.clone()),
        ],
    );
    Some(svg_map::render(&Map {
        id: "kaart-voorziening",
        title: &title,
        description: &description,
        bbox,
        width: 320.0,
        highlight: Some(&municipality.province_code),
        markers: &marker,
        marker_radius: 6.0,
    }))
}
