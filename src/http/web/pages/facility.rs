//! `/voorzieningen/{id}`: everything public about one facility: open now,
//! its hours in words, services, who may come, the address with a small
//! map, and when a source last confirmed it. Facilities that are not open
//! to the public do not exist here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use minijinja::{context, Value};

use super::finder::{access_lines, address, address_line, service_labels, status};
use super::{parse_id, urlencode, Page, PageError};
use crate::domain::date::today;
use crate::domain::date::Day;
use crate::domain::facility::{Facility, FacilityStatus, LocationPrecision};
use crate::domain::geo::geo;
use crate::domain::hours::{date_in_words, OpenState};
use crate::domain::service::ServiceType;
use crate::domain::text::text_count;
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
        let state = hours
            .as_ref()
            .map_or_else(OpenState::unrecorded, |h| h.state(now));
        status(page, &state, now)
    });
    let municipality = geo().municipality(&fields.municipality_code);
    // "2 ruimtes, 14 gebruiksplekken", each counted in the right form.
    let capacity = fields
        .services
        .iter()
        .any(ServiceType::has_capacity)
        .then(|| {
            let rooms = fields
                .rooms
                .map(|n| text_count(words, "finder.facility.rooms", n.get().into(), &[]));
            let places = fields
                .capacity
                .map(|n| text_count(words, "finder.facility.places", n.get().into(), &[]));
            [rooms, places]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|text| !text.is_empty());
    let checked = checked(page, facility, day);
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
        address => address_line(page, fields),
        phone => fields.phone.as_ref().map(|p| context! { text => p.as_str(), href => p.dial().map(|d| format!("tel:{d}")) }),
        route => route(facility),
        checked => checked.0,
        stale => checked.1,
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

/// "Laatst bijgewerkt op 2 juni 2022 (bron: telefoon)": the kind of source
/// only; its detail can be an internal file name or a person's note.
fn provenance(page: &Page, facility: &Facility) -> String {
    let recorded = &facility.recorded;
    let source = page.text(&format!("finder.source.{}", recorded.source.kind.code()));
    let day = recorded
        .recorded_at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    page.text_with(
        "finder.facility.recorded",
        &[
            (
                "date",
                day.map(|d| date_in_words(d, page.lang)).unwrap_or_default(),
            ),
            ("source", source),
        ],
    )
}

/// How long a verification stays fresh: after a year the facts may well
/// have changed, and a person should call before going.
const FRESH_DAYS: i64 = 365;

/// "Laatst gecontroleerd op 3 maart 2026", and a warning when that is more
/// than a year ago or nobody knows.
fn checked(page: &Page, facility: &Facility, day: NaiveDate) -> (String, Option<String>) {
    match facility.recorded.verified_on.map(Day::date) {
        Some(verified) => {
            let text = page.text_with(
                "finder.facility.checked",
                &[("date", date_in_words(verified, page.lang))],
            );
            let stale = (day - verified).num_days() > FRESH_DAYS;
            (text, stale.then(|| page.text("finder.facility.stale")))
        }
        None => (
            page.text("finder.facility.never_checked"),
            Some(page.text("finder.facility.stale_unknown")),
        ),
    }
}

/// Links that start a route in the phone's own maps app (`geo:`, RFC 5870)
/// or on OpenStreetMap; only for an exact address, since the centre of a
/// town is no place to go to.
fn route(facility: &Facility) -> Option<Value> {
    let location = facility.fields.location?;
    if location.precision != LocationPrecision::Exact {
        return None;
    }
    let (lat, lon) = (location.latitude, location.longitude);
    let label = urlencode(&facility.fields.name);
    Some(context! {
        geo => format!("geo:{lat:.6},{lon:.6}?q={lat:.6},{lon:.6}({label})"),
        osm => format!("https://www.openstreetmap.org/directions?to={lat:.6}%2C{lon:.6}#map=17/{lat:.6}/{lon:.6}"),
    })
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
