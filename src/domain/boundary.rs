//! Municipal boundaries: the outline of each municipality (by CBS code) as
//! polygons of WGS84 longitude/latitude, for maps that shade municipalities
//! (choropleths). They are not bundled: an administrator loads the official
//! file (CBS Gebiedsindelingen, served by PDOK) with `vangnet import
//! boundaries`, and maps without them draw municipalities as circles at
//! their centres instead.
//!
//! Coordinates are kept to 5 decimals (about a metre), which is far finer
//! than any map vangnet draws and keeps the stored set small.

use super::geo::{geo, Municipality};

/// A point: (longitude, latitude) in degrees, WGS84.
pub type Point = (f64, f64);
/// A closed ring: its first point is its last.
pub type Ring = Vec<Point>;
/// An outer ring, then its holes.
pub type Polygon = Vec<Ring>;

/// One municipality's outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// CBS code with prefix, `GM0363`.
    pub code: String,
    /// The name the file gives (`statnaam`), else the reference list's.
    pub name: String,
    /// Polygons → rings → points; a municipality with islands has several.
    pub geometry: Vec<Polygon>,
}

/// The set of boundaries in use: how many, from where, since when.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundarySet {
    pub count: usize,
    /// The attribution text, e.g. "Gemeentegrenzen: CBS / PDOK, CBS Gebiedsindelingen 2025".
    pub source: String,
    /// RFC 3339, UTC.
    pub imported_at: String,
}

/// The box the European Netherlands lies in, with a margin: a coordinate
/// outside it is not WGS84 longitude/latitude of a Dutch municipality
/// (most likely RD New metres, or latitude and longitude swapped).
const LONGITUDES: std::ops::RangeInclusive<f64> = 2.5..=8.0;
const LATITUDES: std::ops::RangeInclusive<f64> = 50.0..=54.5;

/// A coordinate rounded to 5 decimals.
pub fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// Whether a point can lie in a Dutch municipality.
pub fn in_netherlands((lon, lat): Point) -> bool {
    LONGITUDES.contains(&lon) && LATITUDES.contains(&lat)
}

/// A ring as stored: rounded to 5 decimals, without repeated points, and
/// closed. `None` when fewer than three distinct points remain (a sliver
/// that encloses nothing).
pub fn clean_ring(points: &[Point]) -> Option<Ring> {
    let mut ring: Ring = Vec::with_capacity(points.len() + 1);
    for &(lon, lat) in points {
        let p = (round5(lon), round5(lat));
        if ring.last() != Some(&p) {
            ring.push(p);
        }
    }
    while ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 {
        return None;
    }
    ring.push(ring[0]);
    Some(ring)
}

/// A polygon as stored: its rings cleaned; `None` when its outer ring is a
/// sliver (its holes go with it).
pub fn clean_polygon(rings: &[Vec<Point>]) -> Option<Polygon> {
    let mut rings = rings.iter();
    let outer = clean_ring(rings.next()?)?;
    Some(
        std::iter::once(outer)
            .chain(rings.filter_map(|r| clean_ring(r)))
            .collect(),
    )
}

impl Boundary {
    /// The municipality of the reference list it outlines.
    pub fn municipality(&self) -> Option<&'static Municipality> {
        geo().municipality(&self.code)
    }
}

/// The municipalities of the reference list that none of `boundaries`
/// outlines.
pub fn without_boundary(boundaries: &[Boundary]) -> Vec<&'static Municipality> {
    let drawn: std::collections::HashSet<&str> =
        boundaries.iter().map(|b| b.code.as_str()).collect();
    geo()
        .municipalities()
        .iter()
        .filter(|m| !drawn.contains(m.code.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_rounded_closed_and_slivers_dropped() {
        let ring =
            clean_ring(&[(5.123456, 52.0), (5.123457, 52.0), (5.2, 52.0), (5.2, 52.1)]).unwrap();
        assert_eq!(
            ring,
            vec![(5.12346, 52.0), (5.2, 52.0), (5.2, 52.1), (5.12346, 52.0)]
        );
        assert_eq!(clean_ring(&[(5.0, 52.0), (5.1, 52.0), (5.0, 52.0)]), None);
        assert_eq!(
            clean_polygon(&[vec![(5.0, 52.0), (5.0, 52.0)], ring.clone()]),
            None
        );
    }

    #[test]
    fn rd_new_metres_and_swapped_coordinates_are_not_in_the_netherlands() {
        assert!(in_netherlands((4.9, 52.37)));
        assert!(!in_netherlands((121_000.0, 487_000.0)));
        assert!(!in_netherlands((52.37, 4.9)));
    }

    #[test]
    fn every_municipality_lacks_a_boundary_until_one_is_given() {
        assert_eq!(without_boundary(&[]).len(), 342);
        let amsterdam = Boundary {
            code: "GM0363".into(),
            name: "Amsterdam".into(),
            geometry: Vec::new(),
        };
        assert_eq!(
            without_boundary(std::slice::from_ref(&amsterdam)).len(),
            341
        );
        assert_eq!(amsterdam.municipality().unwrap().name, "Amsterdam");
    }
}
