//! `/api/v1/finder`: the nearest public facilities offering a service, open
//! now or not; and the in-memory list the finder pages and this endpoint
//! search ([`index`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::Json;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use sqlx::Row;
use tokio::sync::watch;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::access::InternalScope;
use crate::domain::date::today;
use crate::domain::facility::FacilityStatus;
use crate::domain::finder::{FinderIndex, Point, Search, DEFAULT_LIMIT, MAX_LIMIT};
use crate::domain::hours::{LocalTime, OpenState};
use crate::domain::service::{ServiceSet, ServiceType};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::formats::json::{Audience, FacilityJson};
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// What the list was built from: the day, and the newest facility and
/// organisation versions (history is append-only, so every change makes a
/// newer one). Every part only grows, so a later stamp compares greater.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp {
    day: chrono::NaiveDate,
    facility_version: Option<i64>,
    organisation_version: Option<i64>,
}

/// The list kept for one database, and the rebuild under way, if any.
#[derive(Default)]
struct Entry {
    current: Option<(Stamp, Arc<FinderIndex>)>,
    building: Option<(Stamp, Building)>,
}

/// Announces the rebuilt list; `None` until it is there. Dropped unsent
/// when the rebuild fails (which it logs).
type Building = watch::Receiver<Option<Arc<FinderIndex>>>;

/// Lists kept per database (tests run many in one process).
static CACHE: LazyLock<Mutex<HashMap<String, Entry>>> = LazyLock::new(Default::default);
const CACHED_DATABASES: usize = 16;

/// Up to this size a rebuild takes milliseconds, so a search after a change
/// waits for it; above it, a search waits at most [`STALE_AFTER`] and
/// otherwise answers from the list as it was a moment before.
const WAIT_FOR_REBUILD_BELOW: usize = 5_000;
const STALE_AFTER: Duration = Duration::from_millis(40);

/// The public facilities open today, ready to search: built from the
/// register on first use and again after any change (one indexed query per
/// call checks that). One rebuild runs at a time per database; meanwhile
/// searches in a large register use the previous list (see
/// [`WAIT_FOR_REBUILD_BELOW`]).
pub async fn index(store: &Store) -> AppResult<Arc<FinderIndex>> {
    let key = store.pool().connect_options().database_url.to_string();
    let stamp = stamp(store).await?;
    let (mut building, previous) = {
        let mut cache = lock();
        if cache.len() >= CACHED_DATABASES && !cache.contains_key(&key) {
            cache.clear();
        }
        let entry = cache.entry(key.clone()).or_default();
        if let Some((built, index)) = &entry.current {
            if *built == stamp {
                return Ok(index.clone());
            }
        }
        let building = match &entry.building {
            // (A rebuild that died, e.g. panicked, has dropped its sender.)
            Some((for_stamp, receiver))
                if *for_stamp == stamp && receiver.has_changed().is_ok() =>
            {
                receiver.clone()
            }
            _ => {
                let (sender, receiver) = watch::channel(None);
                entry.building = Some((stamp.clone(), receiver.clone()));
                tokio::spawn(rebuild(store.clone(), key, stamp, sender));
                receiver
            }
        };
        let previous = entry.current.as_ref().map(|(_, index)| index.clone());
        (building, previous)
    };
    let rebuilt = async {
        building
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|index| index.clone())
    };
    match previous {
        Some(previous) if previous.listed().len() >= WAIT_FOR_REBUILD_BELOW => {
            Ok(tokio::time::timeout(STALE_AFTER, rebuilt)
                .await
                .ok()
                .flatten()
                .unwrap_or(previous))
        }
        _ => rebuilt.await.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "the finder's list of facilities could not be built"
            ))
        }),
    }
}

/// Builds the list for `stamp` and keeps it, unless a newer one got there first.
async fn rebuild(
    store: Store,
    key: String,
    stamp: Stamp,
    sender: watch::Sender<Option<Arc<FinderIndex>>>,
) {
    let filter = FacilityFilter {
        as_of: Some(stamp.day),
        status: Some(FacilityStatus::Open),
        internal: InternalScope::None,
        ..FacilityFilter::default()
    };
    let built = store
        .list_facilities(&filter)
        .await
        .map(|facilities| Arc::new(FinderIndex::new(stamp.day, facilities)));
    let mut cache = lock();
    let entry = cache.entry(key).or_default();
    if entry.building.as_ref().is_some_and(|(s, _)| *s == stamp) {
        entry.building = None;
    }
    match built {
        Ok(index) => {
            if entry.current.as_ref().is_none_or(|(s, _)| *s < stamp) {
                entry.current = Some((stamp, index.clone()));
            }
            sender.send_replace(Some(index));
        }
        Err(e) => tracing::error!(error = %e, "cannot build the finder's list of facilities"),
    }
}

fn lock() -> std::sync::MutexGuard<'static, HashMap<String, Entry>> {
    // A panic while holding the lock leaves a map that is still whole.
    CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The newest version ids: a primary-key lookup each, on both engines.
async fn stamp(store: &Store) -> AppResult<Stamp> {
    let row = sqlx::query(
        "SELECT (SELECT MAX(id) FROM facility_versions) AS f, \
         (SELECT MAX(id) FROM organisation_versions) AS o",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(Stamp {
        day: today(),
        facility_version: row.try_get("f")?,
        organisation_version: row.try_get("o")?,
    })
}

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

/// The nearest public facilities that are open today (by their opening and
/// closing dates) and offer any of the services, nearest first, with the
/// distance and whether each is open now by its opening hours
/// (Europe/Amsterdam time). Facilities that are not open to the public are
/// never returned.
#[utoipa::path(get, path = "/api/v1/finder", tag = "finder",
    params(
        ("lat" = f64, Query, description = "Latitude of the point to search from (WGS84), e.g. 52.09"),
        ("lon" = f64, Query, description = "Longitude, e.g. 5.12"),
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
) -> AppResult<Json<FinderAnswer>> {
    let request = parse_request(query.as_deref())?;
    let index = index(&state.store).await?;
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
                OpenState::Unknown => (OpenNow::Unknown, None, None),
            };
            FinderHit {
                distance_km: (found.distance_km * 100.0).round() / 100.0,
                open_now,
                closes_at,
                opens_at,
                facility: FacilityJson::new(&found.listed.facility, index.day(), Audience::Public),
            }
        })
        .collect();
    let services = if request.services.is_empty() {
        ServiceType::ALL.to_vec()
    } else {
        request.services.iter().collect()
    };
    Ok(Json(FinderAnswer {
        latitude: request.origin.latitude,
        longitude: request.origin.longitude,
        services,
        open_now: request.open_now,
        limit: request.limit,
        at: time(&now.with_timezone(&chrono_tz::Europe::Amsterdam)),
        results,
    }))
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
