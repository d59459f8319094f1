//! The public finder: from a point, the nearest public facilities open today
//! that offer any of the chosen services, with their distance and whether
//! they are open now; and turning what a person types ("Utrecht", "3511",
//! "52.09, 5.12") into that point.
//!
//! The search runs over an in-memory list ([`FinderIndex`]), which callers
//! build once per register state and day and keep. Facilities with a
//! location are also in R-trees (the `rstar` crate), one per service and
//! one for all, over their positions as points on the unit sphere: the
//! straight-line (chord) distance between two such points grows with the
//! great-circle distance, so the tree's nearest neighbours are the nearest
//! on the earth, and a search from any point reads a few dozen facilities
//! instead of all of them (a linear scan of 100,000 took milliseconds).

use chrono::{DateTime, NaiveDate, Utc};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::facility::{Facility, FacilityStatus, Postcode};
use super::hours::{Hours, OpenState, OpeningHoursText};
use super::service::{ServiceSet, ServiceType};
use crate::domain::geo::{geo, normalize_name, PlaceError};

/// Results a search returns unless asked for another number.
pub const DEFAULT_LIMIT: usize = 10;
/// The most results one search returns.
pub const MAX_LIMIT: usize = 50;

/// Mean radius of the earth in km (IUGG), for great-circle distances.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A position in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

impl Point {
    /// A point from degrees, if they are real coordinates.
    pub fn new(latitude: f64, longitude: f64) -> Option<Point> {
        let valid = latitude.is_finite()
            && longitude.is_finite()
            && (-90.0..=90.0).contains(&latitude)
            && (-180.0..=180.0).contains(&longitude);
        valid.then_some(Point {
            latitude,
            longitude,
        })
    }
}

/// The great-circle (haversine) distance between two points, in km.
pub fn distance_km(a: Point, b: Point) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let h = haversine(
        (lat1, lat1.cos()),
        (lat2, lat2.cos()),
        (b.longitude - a.longitude).to_radians(),
    );
    arc_km(h)
}

/// `sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2)`: grows with the distance, so
/// ranking by it ranks by distance without the arcsine.
/// Latitudes come in radians with their cosines, which the index keeps.
fn haversine((lat1, cos1): (f64, f64), (lat2, cos2): (f64, f64), delta_lon: f64) -> f64 {
    let d_lat = ((lat2 - lat1) / 2.0).sin();
    let d_lon = (delta_lon / 2.0).sin();
    d_lat * d_lat + cos1 * cos2 * d_lon * d_lon
}

fn arc_km(h: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

/// A public facility the finder can return, with its parsed hours.
#[derive(Debug, Clone)]
pub struct Listed {
    pub facility: Facility,
    /// `None` when no hours are recorded (or, impossibly, they do not parse).
    pub hours: Option<Hours>,
}

impl Listed {
    /// Open or closed at `now`; unknown without hours.
    pub fn state(&self, now: DateTime<Utc>) -> OpenState {
        self.hours
            .as_ref()
            .map_or_else(OpenState::unrecorded, |h| h.state(now))
    }
}

/// A facility's position on the unit sphere, with its place in the list.
type Node = GeomWithData<[f64; 3], u32>;

/// The point on the unit sphere at a latitude and longitude in radians.
fn on_sphere(latitude: f64, longitude: f64) -> [f64; 3] {
    let (sin_lat, cos_lat) = latitude.sin_cos();
    let (sin_lon, cos_lon) = longitude.sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

/// Points with a value each, to find the nearest to a place (the spread's
/// nearest facility per municipality): an R-tree over the unit sphere, as
/// the finder's, instead of measuring to every point.
pub struct Nearest<T> {
    tree: RTree<Node>,
    items: Vec<(Point, T)>,
}

impl<T> Nearest<T> {
    pub fn new(items: impl IntoIterator<Item = (Point, T)>) -> Nearest<T> {
        let items: Vec<(Point, T)> = items.into_iter().collect();
        let nodes = items
            .iter()
            .enumerate()
            .map(|(i, (p, _))| {
                Node::new(
                    on_sphere(p.latitude.to_radians(), p.longitude.to_radians()),
                    i as u32,
                )
            })
            .collect();
        Nearest {
            tree: RTree::bulk_load(nodes),
            items,
        }
    }

    /// The item nearest to `origin` and its distance in km; of items at the
    /// same distance the first given.
    pub fn nearest(&self, origin: Point) -> Option<(f64, &T)> {
        let at = on_sphere(origin.latitude.to_radians(), origin.longitude.to_radians());
        let first = self
            .tree
            .nearest_neighbors(&at)
            .into_iter()
            .map(|node| node.data as usize)
            .min()?;
        let (point, item) = &self.items[first];
        Some((distance_km(origin, *point), item))
    }
}

/// The public facilities open on one day, ready to search.
pub struct FinderIndex {
    day: NaiveDate,
    listed: Vec<Listed>,
    /// Per facility: latitude in radians and its cosine (NaN without a location).
    latitudes: Vec<(f64, f64)>,
    longitudes: Vec<f64>,
    /// The facilities with a location offering each service (in the order
    /// of `ServiceType::ALL`), then all of them.
    trees: Vec<RTree<Node>>,
    /// Per facility, its public JSON for the day, when the builder wrote
    /// it ([`FinderIndex::render_each`]): an answer then copies it instead
    /// of writing it again for every search.
    rendered: Vec<Box<serde_json::value::RawValue>>,
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct Search {
    pub origin: Point,
    /// Facilities offering any of these; an empty set means every service.
    pub services: ServiceSet,
    /// Only facilities open at the moment of the search.
    pub open_now: bool,
    pub limit: usize,
}

/// One search result.
#[derive(Debug, Clone)]
pub struct Found<'a> {
    pub listed: &'a Listed,
    /// Its place in [`FinderIndex::listed`].
    pub position: usize,
    pub distance_km: f64,
    pub state: OpenState,
}

impl FinderIndex {
    /// Keeps the facilities that are public and open on `day`; the order
    /// given (by name) settles ties in distance.
    pub fn new(day: NaiveDate, facilities: Vec<Facility>) -> FinderIndex {
        // Registers repeat a few hour texts many times; `Hours::parse`
        // reads each once.
        let listed: Vec<Listed> = facilities
            .into_iter()
            .filter(|f| f.fields.public_access && f.status_on(day) == FacilityStatus::Open)
            .map(|facility| Listed {
                hours: facility
                    .fields
                    .opening_hours
                    .as_ref()
                    .and_then(OpeningHoursText::hours),
                facility,
            })
            .collect();
        let location = |l: &Listed| l.facility.fields.location;
        let trees = ServiceType::ALL
            .iter()
            .map(Some)
            .chain([None])
            .map(|service| {
                let nodes = listed
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| {
                        let offered = l.facility.fields.services;
                        service.map_or(!offered.is_empty(), |s| offered.contains(*s))
                    })
                    .filter_map(|(i, l)| {
                        let p = location(l)?;
                        let at = on_sphere(p.latitude.to_radians(), p.longitude.to_radians());
                        at.iter()
                            .all(|c| c.is_finite())
                            .then(|| Node::new(at, i as u32))
                    })
                    .collect();
                RTree::bulk_load(nodes)
            })
            .collect();
        FinderIndex {
            day,
            trees,
            rendered: Vec::new(),
            latitudes: listed
                .iter()
                .map(|l| {
                    location(l).map_or((f64::NAN, f64::NAN), |p| {
                        let lat = p.latitude.to_radians();
                        (lat, lat.cos())
                    })
                })
                .collect(),
            longitudes: listed
                .iter()
                .map(|l| location(l).map_or(f64::NAN, |p| p.longitude.to_radians()))
                .collect(),
            listed,
        }
    }

    /// Writes each facility's JSON once, for [`FinderIndex::rendered`].
    pub fn render_each(
        &mut self,
        render: impl Fn(&Facility, NaiveDate) -> serde_json::Result<Box<serde_json::value::RawValue>>,
    ) -> serde_json::Result<()> {
        self.rendered = self
            .listed
            .iter()
            .map(|l| render(&l.facility, self.day))
            .collect::<serde_json::Result<_>>()?;
        Ok(())
    }

    /// What [`FinderIndex::render_each`] wrote for a result, if it ran.
    pub fn rendered(&self, found: &Found) -> Option<&serde_json::value::RawValue> {
        self.rendered.get(found.position).map(AsRef::as_ref)
    }

    /// The day the list describes.
    pub fn day(&self) -> NaiveDate {
        self.day
    }

    /// Every facility in the list, by name.
    pub fn listed(&self) -> &[Listed] {
        &self.listed
    }

    /// The nearest facilities offering any of the services, nearest first;
    /// with `open_now`, only those open at `now`. Facilities without a
    /// location cannot be ranked and are left out.
    pub fn nearest(&self, search: &Search, now: DateTime<Utc>) -> Vec<Found<'_>> {
        let lat0 = search.origin.latitude.to_radians();
        let cos0 = lat0.cos();
        let lon0 = search.origin.longitude.to_radians();
        let from = on_sphere(lat0, lon0);
        let limit = search.limit.max(1);
        // From each tree of a service asked for (or the tree of all), its
        // nearest `limit` facilities (open now, if asked) and any as near as
        // the last of them: together they hold the nearest `limit` overall.
        let trees: Vec<&RTree<Node>> = if search.services.is_empty() {
            vec![&self.trees[ServiceType::ALL.len()]]
        } else {
            ServiceType::ALL
                .iter()
                .zip(&self.trees)
                .filter(|(service, _)| search.services.contains(**service))
                .map(|(_, tree)| tree)
                .collect()
        };
        let mut candidates: Vec<(f64, u32, OpenState)> = Vec::new();
        for tree in trees {
            let mut taken = 0;
            let mut cutoff = f64::INFINITY;
            for (node, chord2) in tree.nearest_neighbor_iter_with_distance_2(from) {
                // A little above the last one taken, for ties and for the
                // last bit of rounding between chord and great circle.
                if chord2 > cutoff {
                    break;
                }
                let i = node.data;
                if candidates.iter().any(|c| c.1 == i) {
                    taken += 1;
                } else {
                    let state = self.listed[i as usize].state(now);
                    if search.open_now && !state.is_open() {
                        continue;
                    }
                    let h = haversine(
                        (lat0, cos0),
                        self.latitudes[i as usize],
                        self.longitudes[i as usize] - lon0,
                    );
                    candidates.push((h, i, state));
                    taken += 1;
                }
                if taken == limit {
                    cutoff = chord2 * (1.0 + 1e-9) + 1e-18;
                }
            }
        }
        candidates.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        candidates.truncate(limit);
        candidates
            .into_iter()
            .map(|(h, i, state)| Found {
                listed: &self.listed[i as usize],
                position: i as usize,
                distance_km: arc_km(h),
                state,
            })
            .collect()
    }
}

/// What a person typed, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A point, with the name to show for it ("Utrecht", "3511 (Utrecht)").
    Point { point: Point, label: String },
    /// Nothing was typed.
    Empty,
    /// Not a place, postcode or position that the bundled data knows.
    UnknownPlace(String),
    /// Four digits that are no Dutch postcode area.
    UnknownPostcode(String),
    /// A place name found in several municipalities.
    Ambiguous { name: String, choices: Vec<Choice> },
}

/// One of several places with the same name.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// `Winsum (Het Hogeland, Groningen)`.
    pub label: String,
    /// What to search for to get this one: `Winsum, Het Hogeland`.
    pub query: String,
}

/// Longest text worth resolving.
const MAX_QUERY_CHARS: usize = 100;

/// Resolves a place name, a municipality, a postcode (`3511`, `3511 AB`),
/// a place with its municipality (`Winsum, Het Hogeland`) or a position
/// (`52.09, 5.12`). Nothing is guessed: unknown and ambiguous names say so.
pub fn resolve(text: &str) -> Resolved {
    let text = text.trim();
    if text.is_empty() {
        return Resolved::Empty;
    }
    if text.chars().count() > MAX_QUERY_CHARS {
        return Resolved::UnknownPlace(text.chars().take(MAX_QUERY_CHARS).collect());
    }
    if let Some(point) = parse_position(text) {
        return Resolved::Point {
            point,
            label: format!("{:.5}, {:.5}", point.latitude, point.longitude),
        };
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return resolve_postcode(text);
    }
    if let Some((place, municipality)) = text.split_once(',') {
        return resolve_in_municipality(text, place.trim(), municipality.trim());
    }
    let g = geo();
    match g.resolve_place(text, None) {
        Ok(m) => {
            let coordinates = g
                .place_coordinates(text, &m.code)
                .or(m.latitude.zip(m.longitude));
            match coordinates.and_then(|(lat, lon)| Point::new(lat, lon)) {
                Some(point) => Resolved::Point {
                    point,
                    label: if normalize_name(text) == normalize_name(&m.name) {
                        m.name.clone()
                    } else {
                        format!("{text} ({})", m.name)
                    },
                },
                None => Resolved::UnknownPlace(text.to_string()),
            }
        }
        Err(PlaceError::Unknown(_)) => Resolved::UnknownPlace(text.to_string()),
        Err(PlaceError::Ambiguous { .. }) => Resolved::Ambiguous {
            name: text.to_string(),
            choices: g
                .municipalities()
                .iter()
                .filter(|m| g.place_coordinates(text, &m.code).is_some())
                .map(|m| Choice {
                    // "Bergen (L.), Limburg" rather than "Bergen (Bergen (L.), Limburg)".
                    label: if bare_name(&m.name).is_some_and(|bare| same_name(bare, text)) {
                        format!("{}, {}", m.name, m.province_name)
                    } else {
                        format!("{text} ({}, {})", m.name, m.province_name)
                    },
                    query: format!("{text}, {}", m.name),
                })
                .collect(),
        },
    }
}

/// `52.09, 5.12` or `52.09 5.12`: latitude first, as maps show it.
fn parse_position(text: &str) -> Option<Point> {
    let numbers: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    match numbers.as_slice() {
        [lat, lon] => Point::new(lat.parse().ok()?, lon.parse().ok()?),
        _ => None,
    }
}

fn resolve_postcode(text: &str) -> Resolved {
    let Ok(postcode) = Postcode::parse(text) else {
        return Resolved::UnknownPostcode(text.to_string());
    };
    match geo().postcode(postcode.pc4()) {
        Some(area) => match Point::new(area.latitude, area.longitude) {
            Some(point) => Resolved::Point {
                point,
                label: format!("{} ({})", postcode.as_str(), area.place),
            },
            None => Resolved::UnknownPostcode(postcode.as_str().to_string()),
        },
        None => Resolved::UnknownPostcode(postcode.as_str().to_string()),
    }
}

/// "Bergen" of the municipality "Bergen (L.)"; `None` for names without a
/// parenthesis.
fn bare_name(municipality: &str) -> Option<&str> {
    municipality.split_once(" (").map(|(bare, _)| bare)
}

fn same_name(a: &str, b: &str) -> bool {
    normalize_name(a) == normalize_name(b)
}

/// `Winsum, Het Hogeland`: a place within a named municipality.
fn resolve_in_municipality(text: &str, place: &str, municipality: &str) -> Resolved {
    let g = geo();
    let found = g
        .municipality_by_name(municipality)
        .or_else(|| g.resolve_place(municipality, None).ok())
        .and_then(|m| {
            let (lat, lon) = g.place_coordinates(place, &m.code)?;
            Some((Point::new(lat, lon)?, m))
        });
    match found {
        Some((point, m)) => Resolved::Point {
            point,
            label: if bare_name(&m.name).is_some_and(|bare| same_name(bare, place)) {
                m.name.clone()
            } else {
                format!("{place} ({})", m.name)
            },
        },
        None => Resolved::UnknownPlace(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::Day;
    use crate::domain::facility::{manual_source, FacilityInput};
    use crate::domain::hours::OpeningHoursText;
    use crate::domain::provenance::{Recorded, Validity};

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn facility(id: i64, name: &str, services: &[&str], lat: f64, lon: f64) -> Facility {
        let input = FacilityInput {
            name: Some(name.into()),
            organisation: Some("Demo".into()),
            services: Some(services.iter().map(|s| s.to_string()).collect()),
            city: Some("Utrecht".into()),
            latitude: Some(lat),
            longitude: Some(lon),
            opening_hours: Some("Mo-Fr 09:00-17:00".into()),
            ..FacilityInput::default()
        };
        let draft = input.validate(&manual_source("test"), day()).unwrap();
        Facility {
            id,
            organisation_id: Some(1),
            organisation_name: Some("Demo".into()),
            fields: draft.fields,
            recorded: Recorded {
                source: manual_source("test"),
                verified_on: None,
                note: None,
                recorded_by: "test".into(),
                recorded_at: "2026-01-01T00:00:00Z".into(),
            },
            validity: Validity {
                version: 1,
                valid_from: None,
                valid_to: None,
                superseded_at: None,
            },
            counts_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        }
    }

    fn utrecht() -> Point {
        Point::new(52.09, 5.12).unwrap()
    }

    fn index() -> FinderIndex {
        let mut hidden = facility(4, "Demo Bewoners", &["consumption_room"], 52.0901, 5.1201);
        hidden.fields.public_access = false;
        let mut closed = facility(5, "Demo Dicht", &["syringe_exchange"], 52.0902, 5.1202);
        closed.fields.closed_on = Day::parse("2025-01-01").ok();
        let mut evening = facility(6, "Demo Avond", &["naloxone"], 52.0903, 5.1203);
        evening.fields.opening_hours = OpeningHoursText::parse("Mo-Su 19:00-22:00").ok();
        FinderIndex::new(
            day(),
            vec![
                facility(1, "Demo Amsterdam", &["syringe_exchange"], 52.37, 4.89),
                facility(
                    2,
                    "Demo Amersfoort",
                    &["syringe_exchange", "naloxone"],
                    52.16,
                    5.39,
                ),
                facility(3, "Demo Utrecht", &["consumption_room"], 52.092, 5.128),
                hidden,
                closed,
                evening,
            ],
        )
    }

    fn search(services: &[&str], open_now: bool) -> Search {
        Search {
            origin: utrecht(),
            services: ServiceSet::parse(services.iter().copied()).unwrap(),
            open_now,
            limit: DEFAULT_LIMIT,
        }
    }

    fn ids(found: &[Found]) -> Vec<i64> {
        found.iter().map(|f| f.listed.facility.id).collect()
    }

    /// Wednesday 11:00 in Amsterdam.
    fn wednesday_morning() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn haversine_distances_match_known_ones() {
        let amsterdam = Point::new(52.3731, 4.8922).unwrap();
        let d = distance_km(utrecht(), amsterdam);
        assert!((d - 35.0).abs() < 1.0, "{d}");
        assert_eq!(distance_km(utrecht(), utrecht()), 0.0);
        assert!(Point::new(f64::NAN, 5.0).is_none());
        assert!(Point::new(91.0, 5.0).is_none());
    }

    #[test]
    fn the_nearest_come_first_and_non_public_or_closed_ones_never() {
        let index = index();
        assert_eq!(index.listed().len(), 4);
        let found = index.nearest(&search(&[], false), wednesday_morning());
        assert_eq!(ids(&found), vec![6, 3, 2, 1]);
        assert!(found
            .windows(2)
            .all(|w| w[0].distance_km <= w[1].distance_km));
        assert!((found[3].distance_km - 35.0).abs() < 1.5);
    }

    #[test]
    fn services_and_open_now_filter_and_limit_cuts() {
        let index = index();
        let now = wednesday_morning();
        let found = index.nearest(&search(&["syringe_exchange"], false), now);
        assert_eq!(ids(&found), vec![2, 1]);
        let found = index.nearest(&search(&["naloxone", "consumption_room"], false), now);
        assert_eq!(ids(&found), vec![6, 3, 2]);
        let found = index.nearest(&search(&[], true), now);
        assert_eq!(ids(&found), vec![3, 2, 1], "the evening service is closed");
        assert!(found.iter().all(|f| f.state.is_open()));
        let one = Search {
            limit: 1,
            ..search(&[], false)
        };
        assert_eq!(ids(&index.nearest(&one, now)), vec![6]);
    }

    #[test]
    fn a_hundred_thousand_facilities_are_searched_quickly() {
        let base = facility(1, "Demo", &["syringe_exchange"], 52.0, 5.0);
        let facilities: Vec<Facility> = (0..100_000)
            .map(|i| {
                let mut f = base.clone();
                f.id = i;
                let location = f.fields.location.as_mut().unwrap();
                location.latitude = 50.8 + (i % 317) as f64 * 0.008;
                location.longitude = 3.4 + (i % 331) as f64 * 0.011;
                f
            })
            .collect();
        let index = FinderIndex::new(day(), facilities);
        let started = std::time::Instant::now();
        let found = index.nearest(&search(&[], true), wednesday_morning());
        let elapsed = started.elapsed();
        assert_eq!(found.len(), DEFAULT_LIMIT);
        // Generous, for unoptimised test builds on slow machines.
        assert!(elapsed.as_millis() < 1000, "{elapsed:?}");
    }

    /// The search as a linear scan over every facility: what the trees
    /// must find, in the same order.
    fn scanned(index: &FinderIndex, search: &Search, now: DateTime<Utc>) -> Vec<(i64, f64)> {
        let lat0 = search.origin.latitude.to_radians();
        let lon0 = search.origin.longitude.to_radians();
        let mut ranked: Vec<(f64, usize)> = index
            .listed
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let offered = l.facility.fields.services;
                if search.services.is_empty() {
                    !offered.is_empty()
                } else {
                    search.services.iter().any(|s| offered.contains(s))
                }
            })
            .filter(|(_, l)| !search.open_now || l.state(now).is_open())
            .filter_map(|(i, _)| {
                let h = haversine(
                    (lat0, lat0.cos()),
                    index.latitudes[i],
                    index.longitudes[i] - lon0,
                );
                (!h.is_nan()).then_some((h, i))
            })
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        ranked
            .into_iter()
            .take(search.limit.max(1))
            .map(|(h, i)| (index.listed[i].facility.id, arc_km(h)))
            .collect()
    }

    #[test]
    fn nearest_finds_what_a_scan_finds_and_the_first_of_a_tie() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(17);
        let mut points: Vec<Point> = Vec::new();
        for i in 0..3_000 {
            // Every tenth at the place of the one before: ties.
            let p = if i % 10 == 9 {
                points[i - 1]
            } else {
                Point::new(rng.random_range(50.75..53.55), rng.random_range(3.36..7.23)).unwrap()
            };
            points.push(p);
        }
        let nearest = Nearest::new(points.iter().copied().zip(0..));
        assert!(Nearest::<i32>::new([]).nearest(points[0]).is_none());
        for (i, p) in points.iter().enumerate().filter(|(i, _)| i % 10 == 8) {
            assert_eq!(
                nearest.nearest(*p).map(|(_, n)| *n),
                Some(i),
                "a tie goes to the first"
            );
        }
        for _ in 0..500 {
            let origin =
                Point::new(rng.random_range(50.5..53.8), rng.random_range(3.0..7.5)).unwrap();
            let scan = points
                .iter()
                .enumerate()
                .map(|(i, p)| (distance_km(origin, *p), i))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .unwrap();
            let (km, i) = nearest.nearest(origin).unwrap();
            assert_eq!((km, *i), scan, "from {origin:?}");
        }
    }

    #[test]
    fn the_trees_find_what_a_scan_of_every_facility_finds() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(16);
        let base = facility(0, "Demo", &["syringe_exchange"], 52.0, 5.0);
        let hours = [
            OpeningHoursText::parse("Mo-Fr 09:00-17:00").ok(),
            OpeningHoursText::parse("Mo-Su 19:00-22:00").ok(),
            None,
        ];
        let mut facilities: Vec<Facility> = Vec::new();
        for i in 0..5_000 {
            let mut f = base.clone();
            f.id = i;
            let services: Vec<&str> = ServiceType::ALL
                .iter()
                .filter(|_| rng.random_bool(0.3))
                .map(|s| s.code())
                .collect();
            f.fields.services = ServiceSet::parse(services.iter().copied()).unwrap();
            f.fields.opening_hours = hours[rng.random_range(0..3)].clone();
            // Every tenth shares the place of the one before: ties.
            if i % 10 == 9 {
                f.fields.location = facilities.last().unwrap().fields.location;
            } else if i % 50 == 7 {
                f.fields.location = None;
            } else if let Some(location) = f.fields.location.as_mut() {
                location.latitude = rng.random_range(50.75..53.55);
                location.longitude = rng.random_range(3.36..7.23);
            }
            facilities.push(f);
        }
        let index = FinderIndex::new(day(), facilities);
        for _ in 0..400 {
            let services: Vec<&str> = ServiceType::ALL
                .iter()
                .filter(|_| rng.random_bool(0.2))
                .map(|s| s.code())
                .collect();
            let search = Search {
                origin: Point::new(rng.random_range(50.5..53.8), rng.random_range(3.0..7.5))
                    .unwrap(),
                services: ServiceSet::parse(services.iter().copied()).unwrap(),
                open_now: rng.random_bool(0.3),
                limit: rng.random_range(1..=MAX_LIMIT),
            };
            let found: Vec<(i64, f64)> = index
                .nearest(&search, wednesday_morning())
                .iter()
                .map(|f| (f.listed.facility.id, f.distance_km))
                .collect();
            assert_eq!(
                found,
                scanned(&index, &search, wednesday_morning()),
                "{search:?}"
            );
        }
    }

    #[test]
    fn places_postcodes_and_positions_resolve_to_points() {
        match resolve("Utrecht") {
            Resolved::Point { point, label } => {
                assert_eq!(label, "Utrecht");
                assert!(distance_km(point, utrecht()) < 3.0);
            }
            other => panic!("{other:?}"),
        }
        for postcode in ["3511", "3511 AB", "3511ab"] {
            match resolve(postcode) {
                Resolved::Point { point, label } => {
                    assert!(label.starts_with("3511"), "{label}");
                    assert!(distance_km(point, utrecht()) < 3.0);
                }
                other => panic!("{postcode}: {other:?}"),
            }
        }
        assert_eq!(
            resolve(" 52.09, 5.12 "),
            Resolved::Point {
                point: utrecht(),
                label: "52.09000, 5.12000".into()
            }
        );
        assert_eq!(resolve("  "), Resolved::Empty);
    }

    #[test]
    fn a_name_two_municipalities_share_always_asks() {
        // CBS names them "Bergen (NH.)" and "Bergen (L.)"; only the first
        // has a village called Bergen, which must not win silently.
        let Resolved::Ambiguous { choices, .. } = resolve("Bergen") else {
            panic!("Bergen is two municipalities");
        };
        let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Bergen (NH.), Noord-Holland", "Bergen (L.), Limburg"]
        );
        for choice in &choices {
            let Resolved::Point { label, .. } = resolve(&choice.query) else {
                panic!("{} resolves", choice.query);
            };
            assert!(choice.label.starts_with(&label), "{label}");
        }
        assert!(matches!(resolve("Bergen op Zoom"), Resolved::Point { .. }));
    }

    #[test]
    fn unknown_and_ambiguous_places_say_so() {
        assert_eq!(
            resolve("Atlantis"),
            Resolved::UnknownPlace("Atlantis".into())
        );
        assert_eq!(resolve("0000"), Resolved::UnknownPostcode("0000".into()));
        let Resolved::Ambiguous { name, choices } = resolve("Winsum") else {
            panic!("Winsum lies in two municipalities");
        };
        assert_eq!(name, "Winsum");
        assert!(choices.len() >= 2, "{choices:?}");
        for choice in &choices {
            assert!(
                matches!(resolve(&choice.query), Resolved::Point { .. }),
                "{choice:?}"
            );
        }
    }
}
