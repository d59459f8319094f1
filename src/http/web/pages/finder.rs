//! The public finder: `/` (the search form) and `/zoeken?q=…&service=…`
//! (the nearest public services to a place, postcode or position), plus
//! the small script that offers "use my location". Also the texts the
//! public pages share: services, open now, distances, access conditions,
//! addresses.
//!
//! Everything works without JavaScript; the script only adds the location
//! button, which sends the browser's position as `/zoeken?lat=…&lon=…`.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{urlencode, Page, PageError};
use crate::domain::facility::{AccessRules, FacilityFields, LocationPrecision};
use crate::domain::finder::{resolve, Point, Resolved, Search, DEFAULT_LIMIT};
use crate::domain::geo::geo;
use crate::domain::hours::{time_of_day, when_in_words, LocalTime, OpenState};
use crate::domain::language::Language;
use crate::domain::service::{ServiceSet, ServiceType};
use crate::http::app::AppState;

/// The script that adds "use my location", served at [`script_url`].
pub const SCRIPT: &str = include_str!("../../../../static/finder.js");

/// The script's address, versioned by its content so it may be cached for good.
pub fn script_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| {
        let hash = hex::encode(Sha256::digest(SCRIPT.as_bytes()));
        format!("/static/finder.js?v={}", &hash[..12])
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

/// A service's name in the page's language.
pub(super) fn service_label(page: &Page, service: ServiceType) -> String {
    page.text(&format!("finder.service.{}", service.code()))
}

pub(super) fn service_labels(page: &Page, services: ServiceSet) -> Vec<String> {
    services.iter().map(|s| service_label(page, s)).collect()
}

/// `1,2 km` in Dutch, `1.2 km` in English; whole kilometres from 10 km.
pub(super) fn distance(lang: Language, km: f64) -> String {
    let number = if km < 10.0 {
        format!("{km:.1}")
    } else {
        format!("{km:.0}")
    };
    match lang {
        Language::Nl => format!("{} km", number.replace('.', ",")),
        Language::En => format!("{number} km"),
    }
}

/// Open now or not, for showing: a code for the badge and a sentence.
#[derive(Debug, Serialize)]
pub(super) struct StatusView {
    pub code: &'static str,
    pub text: String,
}

pub(super) fn status(page: &Page, state: &OpenState, now: DateTime<Utc>) -> StatusView {
    let words = page.lang;
    let today = now
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive();
    let when_or_time = |at: &LocalTime| {
        if at.date_naive() == today {
            time_of_day(at)
        } else {
            when_in_words(at, now, words)
        }
    };
    let text = match state {
        OpenState::Open { until: Some(at) } => {
            page.text_with("finder.status.open_until", &[("time", when_or_time(at))])
        }
        OpenState::Open { until: None } => page.text("finder.status.open"),
        OpenState::Closed { opens: Some(at) } => page.text_with(
            "finder.status.closed_opens",
            &[("when", when_in_words(at, now, words))],
        ),
        OpenState::Closed { opens: None } => page.text("finder.status.closed"),
        // What the hours say instead of open ("op afspraak"), with until when.
        OpenState::Unknown {
            comment: Some(comment),
            until,
        } => match until {
            Some(at) => page.text_with(
                "finder.status.comment_until",
                &[("comment", comment.clone()), ("time", when_or_time(at))],
            ),
            None => page.text_with("finder.status.comment", &[("comment", comment.clone())]),
        },
        OpenState::Unknown { comment: None, .. } => page.text("finder.status.unknown"),
    };
    StatusView {
        code: state.code(),
        text,
    }
}

/// Who may come and how, one sentence per known rule.
pub(super) fn access_lines(page: &Page, access: &AccessRules) -> Vec<String> {
    let mut lines = Vec::new();
    match access.referral_required {
        Some(true) => lines.push(page.text("finder.access.referral")),
        Some(false) => lines.push(page.text("finder.access.no_referral")),
        None => {}
    }
    match access.intake_required {
        Some(true) => lines.push(page.text("finder.access.intake")),
        Some(false) => lines.push(page.text("finder.access.no_intake")),
        None => {}
    }
    if let Some(groups) = &access.target_groups {
        lines.push(page.text_with("finder.access.target_groups", &[("groups", groups.clone())]));
    }
    if let Some(minutes) = access.max_minutes_per_visit {
        lines.push(page.text_with(
            "finder.access.max_minutes",
            &[("minutes", minutes.to_string())],
        ));
    }
    if let Some(visits) = access.max_visits_per_day {
        lines.push(page.text_with(
            "finder.access.max_visits",
            &[("visits", visits.to_string())],
        ));
    }
    lines
}

/// The town a facility is in: its city, or its municipality's name.
pub(super) fn town(fields: &FacilityFields) -> Option<String> {
    fields.city.clone().or_else(|| {
        geo()
            .municipality(&fields.municipality_code)
            .map(|m| m.name.clone())
    })
}

/// The address for people: with "(adres onbekend)" when there is no street,
/// so that a town's name is not taken for an address.
pub(super) fn address_line(page: &Page, fields: &FacilityFields) -> String {
    match fields.street {
        Some(_) => address(fields),
        None => page.text_with(
            "finder.address_unknown",
            &[("place", town(fields).unwrap_or_default())],
        ),
    }
}

/// How far a result is: the distance, or "in Zwolle (adres onbekend)" when
/// the register knows only the town (the distance to its centre means nothing).
fn how_far(page: &Page, fields: &FacilityFields, km: f64) -> String {
    match fields.location.map(|l| l.precision) {
        Some(LocationPrecision::Place) | None => {
            let place = [("place", town(fields).unwrap_or_default())];
            match fields.street {
                Some(_) => page.text_with("finder.in_place", &place),
                None => page.text_with("finder.address_unknown_in", &place),
            }
        }
        _ => distance(page.lang, km),
    }
}

/// `Voorbeeldstraat 1, 3511 AB Utrecht`; the municipality stands in for a
/// missing city.
pub(super) fn address(fields: &FacilityFields) -> String {
    let city = town(fields);
    let place = [
        fields.postcode.as_ref().map(|p| p.as_str().to_string()),
        city,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    [fields.street.clone(), Some(place).filter(|p| !p.is_empty())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the search form shows and sends.
struct Form {
    q: String,
    services: ServiceSet,
    open_now: bool,
    /// From "use my location".
    position: Option<Point>,
}

impl Form {
    /// Read leniently: a page answers any link with a page, so unknown
    /// services and parameters are ignored rather than refused.
    fn parse(query: Option<&str>) -> Form {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
        let mut form = Form {
            q: String::new(),
            services: ServiceSet::default(),
            open_now: false,
            position: None,
        };
        let (mut lat, mut lon) = (None, None);
        for (name, value) in pairs {
            match name.as_str() {
                "q" => form.q = value.trim().chars().take(200).collect(),
                "service" => {
                    if let Some(service) = ServiceType::parse(&value) {
                        form.services.insert(service);
                    }
                }
                "open_now" => form.open_now = !value.is_empty() && value != "false",
                "lat" => lat = value.trim().parse::<f64>().ok(),
                "lon" => lon = value.trim().parse::<f64>().ok(),
                _ => {}
            }
        }
        form.position = lat.zip(lon).and_then(|(lat, lon)| Point::new(lat, lon));
        form
    }

    /// The services searched for: the chosen ones, or all.
    fn wanted(&self) -> ServiceSet {
        if self.services.is_empty() {
            ServiceSet::from_bits(-1)
        } else {
            self.services
        }
    }

    /// The search link for a place name with this form's other choices.
    fn link_for(&self, q: &str) -> String {
        let mut link = format!("/zoeken?q={}", urlencode(q));
        if !self.services.is_empty() {
            for service in self.services.iter() {
                link.push_str(&format!("&service={}", service.code()));
            }
        }
        if self.open_now {
            link.push_str("&open_now=1");
        }
        link
    }
}

#[derive(Debug, Serialize)]
struct ServiceChoice {
    code: &'static str,
    label: String,
    checked: bool,
}

#[derive(Debug, Serialize)]
struct ResultView {
    id: i64,
    name: String,
    distance: String,
    status: StatusView,
    services: Vec<String>,
    access: Vec<String>,
    address: Option<String>,
}

#[derive(Debug, Serialize)]
struct ChoiceView {
    label: String,
    href: String,
}

/// `/`: the search form.
pub async fn start(page: Page) -> Response {
    render(&page, &Form::parse(None), context! {})
}

/// `/zoeken?q=Utrecht&service=syringe_exchange`: the nearest services.
pub async fn search(
    page: Page,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    page.run(async {
        let form = Form::parse(raw.as_deref());
        let resolved = match form.position {
            Some(point) => Resolved::Point {
                point,
                label: page.text("finder.your_location"),
            },
            None => resolve(&form.q),
        };
        let outcome = match resolved {
            Resolved::Point { point, label } => {
                results(&page, &state, &form, point, &label).await?
            }
            Resolved::Empty => context! { problem => page.text("finder.empty") },
            Resolved::UnknownPlace(place) => context! {
                problem => page.text_with("finder.unknown_place", &[("place", place)]),
            },
            Resolved::UnknownPostcode(postcode) => context! {
                problem => page.text_with("finder.unknown_postcode", &[("postcode", postcode)]),
            },
            Resolved::Ambiguous { name, choices } => context! {
                problem => page.text_with("finder.ambiguous", &[("place", name)]),
                choices => choices
                    .iter()
                    .map(|c| ChoiceView {
                        label: c.label.clone(),
                        href: form.link_for(&c.query),
                    })
                    .collect::<Vec<_>>(),
            },
        };
        Ok(render(&page, &form, outcome))
    })
    .await
}

async fn results(
    page: &Page,
    state: &AppState,
    form: &Form,
    origin: Point,
    label: &str,
) -> Result<minijinja::Value, PageError> {
    let index = state.finder.index(&state.store).await?;
    let now = Utc::now();
    let search = Search {
        origin,
        services: form.wanted(),
        open_now: form.open_now,
        limit: DEFAULT_LIMIT,
    };
    let found: Vec<ResultView> = index
        .nearest(&search, now)
        .iter()
        .map(|f| {
            let fields = &f.listed.facility.fields;
            ResultView {
                id: f.listed.facility.id,
                name: fields.name.clone(),
                distance: how_far(page, fields, f.distance_km),
                status: status(page, &f.state, now),
                services: service_labels(page, fields.services),
                access: access_lines(page, &fields.access),
                // Without a street, "how far" already says the town.
                address: fields.street.as_ref().map(|_| address(fields)),
            }
        })
        .collect();
    Ok(context! {
        place => label,
        results => found,
        searched => true,
    })
}

fn render(page: &Page, form: &Form, outcome: minijinja::Value) -> Response {
    let wanted = form.wanted();
    let services: Vec<ServiceChoice> = ServiceType::ALL
        .into_iter()
        .map(|s| ServiceChoice {
            code: s.code(),
            label: service_label(page, s),
            checked: wanted.contains(s),
        })
        .collect();
    let context = context! {
        q => form.q,
        services,
        open_now => form.open_now,
        script => script_url(),
        ..outcome
    };
    page.render("finder.html", StatusCode::OK, context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_use_the_language_s_decimal_mark() {
        assert_eq!(distance(Language::Nl, 1.234), "1,2 km");
        assert_eq!(distance(Language::En, 1.234), "1.2 km");
        assert_eq!(distance(Language::Nl, 0.04), "0,0 km");
        assert_eq!(distance(Language::En, 35.4), "35 km");
    }

    #[test]
    fn the_form_is_read_leniently() {
        let form = Form::parse(Some(
            "q=+Utrecht+&service=syringe_exchange&service=koffie&open_now=1&x=y",
        ));
        assert_eq!(form.q, "Utrecht");
        assert_eq!(form.services.to_string(), "syringe_exchange");
        assert!(form.open_now);
        assert_eq!(
            form.link_for("Winsum, Het Hogeland"),
            "/zoeken?q=Winsum%2C+Het+Hogeland&service=syringe_exchange&open_now=1"
        );
        let all = Form::parse(Some("lat=52.09&lon=5.12"));
        assert_eq!(all.wanted().iter().count(), 6);
        assert_eq!(all.position, Point::new(52.09, 5.12));
        assert!(Form::parse(Some("lat=NaN&lon=5")).position.is_none());
    }
}
