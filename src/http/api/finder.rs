//! `/api/v1/finder`: the nearest public facilities offering a service, open
//! now or not, from the list in `crate::register::finder`.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::finder::{Point, Search, DEFAULT_LIMIT, MAX_LIMIT};
use crate::domain::hours::{LocalTime, OpenState};
use crate::domain::service::{ServiceSet, ServiceType};
use crate::formats::json::{Audience, FacilityJson};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

/// Whether a facility is open at the time of the search.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenNow {
    Open,
    Closed,
    /// No opening hours are recorded, or they say "unknown" now.
    Unknown,
}

/// One facility found.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinderHit {
    /// Great-circle distance from the point, in km (to 10 m).
    pub distance_km: f64,
    pub open_now: OpenNow,
    /// When it closes, if open now (RFC 3339, Dutch local time); null when
    /// not within a year.
    pub closes_at: Option<String>,
    /// When it opens next, if closed now; null when not within a year.
    pub opens_at: Option<String>,
    /// The facility, with its access conditions (`referral_required`,
    /// `intake_required`, `target_groups`, …) and opening hours.
    pub facility: FacilityJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinderAnswer {
    /// The point searched from.
    pub latitude: f64,
    pub longitude: f64,
    /// The services searched for.
    pub services: Vec<ServiceType>,
    pub open_now: bool,
    pub limit: usize,
    /// When "open now" was evaluated (RFC 3339, Dutch local time).
    pub at: String,
    /// Nearest first.
    pub results: Vec<FinderHit>,
}

/// [`FinderHit`] as it is sent: the facility's JSON as the finder's list
/// wrote it once (`FinderIndex::render_each`), else written now.
#[derive(Serialize)]
struct SentHit<'a> {
    distance_km: f64,
    open_now: OpenNow,
    closes_at: Option<String>,
    opens_at: Option<String>,
    facility: SentFacility<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum SentFacility<'a> {
    Written(&'a serde_json::value::RawValue),
    Now(Box<FacilityJson>),
}

/// [`FinderAnswer`] as it is sent.
#[derive(Serialize)]
struct SentAnswer<'a> {
    latitude: f64,
    longitude: f64,
    services: Vec<ServiceType>,
    open_now: bool,
    limit: usize,
    at: String,
    results: Vec<SentHit<'a>>,
}

/// A search as the query string asks for it.
struct FinderRequest {
    origin: Point,
    services: ServiceSet,
    open_now: bool,
    limit: usize,
}

fn bad(parameter: &str, message: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("{parameter}: {message}"))
}

fn parse_request(query: Option<&str>) -> AppResult<FinderRequest> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|e| AppError::BadRequest(format!("invalid query string: {e}")))?;
    let mut lat = None;
    let mut lon = None;
    let mut services = ServiceSet::default();
    let mut open_now = false;
    let mut limit = DEFAULT_LIMIT;
    let once = |name: &str, slot: &Option<f64>| match slot {
        Some(_) => Err(bad(name, "is given twice")),
        None => Ok(()),
    };
    for (name, value) in &pairs {
        let value = value.trim();
        match name.as_str() {
            "lat" => {
                once("lat", &lat)?;
                lat = Some(degrees("lat", value, 90.0)?);
            }
            "lon" => {
                once("lon", &lon)?;
                lon = Some(degrees("lon", value, 180.0)?);
            }
            "service" => {
                for item in value.split(',').filter(|s| !s.trim().is_empty()) {
                    services.insert(ServiceType::parse(item).ok_or_else(|| {
                        bad(
                            "service",
                            format!(
                                "unknown service '{}' (known: consumption_room, methadone_clinic, heroin_unit, syringe_exchange, paraphernalia, naloxone)",
                                item.trim()
                            ),
                        )
                    })?);
                }
            }
            "open_now" => {
                open_now = match value {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" | "" => false,
                    other => {
                        return Err(bad("open_now", format!("'{other}' is not true or false")))
                    }
                }
            }
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        bad(
                            "limit",
                            format!("'{value}' is not a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?;
            }
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown query parameter '{other}' (known: lat, lon, service, open_now, limit)"
                )))
            }
        }
    }
    let lat = lat.ok_or_else(|| bad("lat", "is required (WGS84 degrees, e.g. 52.09)"))?;
    let lon = lon.ok_or_else(|| bad("lon", "is required (WGS84 degrees, e.g. 5.12)"))?;
    let origin = Point::new(lat, lon).ok_or_else(|| bad("lat", "is not a position"))?;
    Ok(FinderRequest {
        origin,
        services,
        open_now,
        limit,
    })
}

fn degrees(name: &str, value: &str, max: f64) -> AppResult<f64> {
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && (-max..=max).contains(&n) => Ok(n),
        Ok(_) => Err(bad(
            name,
            format!("'{value}' is out of range (-{max} to {max})"),
        )),
        Err(_) => Err(bad(name, format!("'{value}' is not a number of degrees"))),
    }
}

fn time(at: &LocalTime) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The nearest public facilities offering a service, open now or not.
///
/// Facilities open today (by their opening and closing dates) that offer
/// any of the services, nearest first (great-circle distance), each with
/// whether it is open now by its opening hours in Europe/Amsterdam time and
/// when that changes. Facilities that are not open to the public are never
/// returned.
#[utoipa::path(get, path = "/api/v1/finder", tag = "finder",
    params(
        ("lat" = f64, Query, minimum = -90, maximum = 90,
            description = "Latitude of the point to search from (WGS84), e.g. 52.09"),
        ("lon" = f64, Query, minimum = -180, maximum = 180, description = "Longitude, e.g. 5.12"),
        ("service" = Option<Vec<ServiceType>>, Query, explode, style = Form,
            description = "A service to look for; repeat for several (any of them matches). Default: every service."),
        ("open_now" = Option<bool>, Query, description = "Only facilities that are open now. Default false."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 50, description = "How many, at most 50; default 10."),
    ),
    responses(
        (status = 200, body = FinderAnswer),
        (status = 400, description = "A parameter is missing or not valid; the message names it", body = ErrorBody),
    ))]
pub async fn nearest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let request = parse_request(query.as_deref())?;
    let index = state.finder.index(&state.store).await?;
    let now = Utc::now();
    let search = Search {
        origin: request.origin,
        services: request.services,
        open_now: request.open_now,
        limit: request.limit,
    };
    let results = index
        .nearest(&search, now)
        .into_iter()
        .map(|found| {
            let (open_now, closes_at, opens_at) = match &found.state {
                OpenState::Open { until } => (OpenNow::Open, until.as_ref().map(time), None),
                OpenState::Closed { opens } => (OpenNow::Closed, None, opens.as_ref().map(time)),
                OpenState::Unknown { .. } => (OpenNow::Unknown, None, None),
            };
            SentHit {
                distance_km: (found.distance_km * 100.0).round() / 100.0,
                open_now,
                closes_at,
                opens_at,
                facility: match index.rendered(&found) {
                    Some(written) => SentFacility::Written(written),
                    None => SentFacility::Now(Box::new(FacilityJson::new(
                        &found.listed.facility,
                        index.day(),
                        Audience::Public,
                    ))),
                },
            }
        })
        .collect();
    let services = if request.services.is_empty() {
        ServiceType::ALL.to_vec()
    } else {
        request.services.iter().collect()
    };
    Ok(Json(SentAnswer {
        latitude: request.origin.latitude,
        longitude: request.origin.longitude,
        services,
        open_now: request.open_now,
        limit: request.limit,
        at: time(&now.with_timezone(&chrono_tz::Europe::Amsterdam)),
        results,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(query: &str) -> String {
        match parse_request(Some(query)) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{query} should be refused"),
        }
    }

    #[test]
    fn parameters_are_read_and_services_may_repeat() {
        let r = parse_request(Some(
            "lat=52.09&lon=5.12&service=syringe_exchange&service=naloxon&open_now=true&limit=5",
        ))
        .unwrap();
        assert_eq!(r.origin, Point::new(52.09, 5.12).unwrap());
        assert_eq!(r.services.to_string(), "syringe_exchange;naloxone");
        assert!(r.open_now);
        assert_eq!(r.limit, 5);
        let r = parse_request(Some("lat=52&lon=5")).unwrap();
        assert!(r.services.is_empty() && !r.open_now && r.limit == DEFAULT_LIMIT);
    }

    #[test]
    fn errors_name_the_parameter() {
        assert!(message("lon=5").starts_with("lat: is required"));
        assert!(message("lat=52").starts_with("lon: is required"));
        assert!(message("lat=abc&lon=5").starts_with("lat: 'abc' is not a number"));
        assert!(message("lat=NaN&lon=5").starts_with("lat: 'NaN' is out of range"));
        assert!(message("lat=52&lon=500").starts_with("lon: '500' is out of range"));
        assert!(message("lat=52&lon=5&service=koffie").starts_with("service: unknown service"));
        assert!(message("lat=52&lon=5&open_now=misschien").starts_with("open_now:"));
        assert!(message("lat=52&lon=5&limit=51").starts_with("limit:"));
        assert!(message("lat=52&lon=5&limit=0").starts_with("limit:"));
        assert!(message("lat=52&lon=5&radius=3").contains("'radius'"));
        assert!(message("lat=52&lat=53&lon=5").starts_with("lat: is given twice"));
    }
}
