//! Municipal boundary files: a GeoJSON FeatureCollection or a TopoJSON
//! Topology (told apart by `"type"`), as CBS publishes its
//! "Gebiedsindelingen" through PDOK and as mapshaper writes them. Each
//! feature is one municipality (Polygon or MultiPolygon, WGS84 longitude
//! and latitude), keyed on its CBS code in the property `statcode` (CBS and
//! PDOK), else `code` or `gemeentecode`, else the feature's `id`; its name
//! is `statnaam`, `name`, `naam` or `gemeentenaam`, else the reference
//! list's. Features with the same code are one municipality's parts.
//!
//! TopoJSON is decoded here by hand rather than with the `topojson` crate:
//! that crate (0.5.1) pins `geojson` below 0.24 (the current one is 1.0)
//! and would hand us `geojson` values to convert again, while decoding is
//! short: arcs are delta-encoded integers when the topology has a
//! `transform` (position = running sum × scale + translate), a ring is its
//! arcs joined end to start (each arc after the first repeats the previous
//! one's last point), and arc index `i < 0` is arc `!i` (that is `-i - 1`)
//! reversed.

use std::fmt;

use serde_json::Value;

use crate::domain::boundary::{clean_polygon, in_netherlands, Boundary, Point, Polygon};
use crate::domain::geo::geo;
use crate::domain::Reason;

/// The properties that carry the CBS code, in the order they are tried.
const CODE_PROPERTIES: [&str; 3] = ["statcode", "code", "gemeentecode"];
/// The properties that carry the municipality's name.
const NAME_PROPERTIES: [&str; 4] = ["statnaam", "name", "naam", "gemeentenaam"];

/// Which of the two formats a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryFormat {
    GeoJson,
    TopoJson,
}

/// What a good file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryFile {
    pub format: BoundaryFormat,
    /// How many features the file has (parts of one municipality count each).
    pub features: usize,
    /// One per municipality, in the file's order.
    pub boundaries: Vec<Boundary>,
    /// The document's own `source`, `attribution` or `name` member, if any
    /// (GDAL writes the layer's name as `name`).
    pub source: Option<String>,
}

/// A problem with the file (no feature) or with one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureIssue {
    /// The feature's number, counting from 1 in the file's order.
    pub feature: Option<usize>,
    /// The code the feature gave, if any.
    pub code: Option<String>,
    pub reason: Reason,
}

impl fmt::Display for FeatureIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.feature, &self.code) {
            (Some(n), Some(code)) => write!(f, "feature {n} ({code}): {}", self.reason),
            (Some(n), None) => write!(f, "feature {n}: {}", self.reason),
            _ => write!(f, "{}", self.reason),
        }
    }
}

fn file_issue(reason: Reason) -> Vec<FeatureIssue> {
    vec![FeatureIssue {
        feature: None,
        code: None,
        reason,
    }]
}

/// One feature as found: its properties, its id and its polygons (or why
/// they cannot be read).
struct Feature<'a> {
    properties: Option<&'a Value>,
    id: Option<&'a Value>,
    polygons: Result<Vec<Vec<Vec<Point>>>, Reason>,
}

/// Reads a boundary file; every feature must be a known municipality with
/// a polygon in the Netherlands, or the file is refused with each problem.
pub fn read_boundaries(bytes: &[u8]) -> Result<BoundaryFile, Vec<FeatureIssue>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: Value = serde_json::from_slice(bytes).map_err(|e| {
        file_issue(Reason::of(
            "import.error.boundaries_json",
            &[("detail", e.to_string())],
        ))
    })?;
    let (format, features) = match document.get("type").and_then(Value::as_str) {
        Some("Topology") => (BoundaryFormat::TopoJson, topology_features(&document)?),
        Some("FeatureCollection") => (BoundaryFormat::GeoJson, geojson_features(&document)),
        other => {
            return Err(file_issue(Reason::of(
                "import.error.boundaries_type",
                &[("found", other.unwrap_or("nothing").to_string())],
            )))
        }
    };
    let source = ["source", "attribution", "name"]
        .iter()
        .find_map(|k| document.get(k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let mut boundaries: Vec<Boundary> = Vec::new();
    let mut issues = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        match boundary(feature) {
            Ok(b) => match boundaries.iter_mut().find(|o| o.code == b.code) {
                Some(earlier) => earlier.geometry.extend(b.geometry),
                None => boundaries.push(b),
            },
            Err((code, reason)) => issues.push(FeatureIssue {
                feature: Some(i + 1),
                code,
                reason,
            }),
        }
    }
    if features.is_empty() {
        issues.extend(file_issue(Reason::of("import.error.boundaries_empty", &[])));
    }
    if issues.is_empty() {
        Ok(BoundaryFile {
            format,
            features: features.len(),
            boundaries,
            source,
        })
    } else {
        Err(issues)
    }
}

/// A feature as a municipality's boundary, or the code it gave and why not.
fn boundary(feature: &Feature) -> Result<Boundary, (Option<String>, Reason)> {
    let property = |names: &[&str]| {
        names.iter().find_map(
            |name| match feature.properties.and_then(|p| p.get(*name))? {
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
        )
    };
    let id = feature.id.and_then(|id| match id {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let Some(given) = property(&CODE_PROPERTIES).or(id) else {
        return Err((None, Reason::of("import.error.boundary_no_code", &[])));
    };
    let refuse = |reason| Err((Some(given.clone()), reason));
    let Some(municipality) = geo().municipality(&given) else {
        return refuse(Reason::of(
            "error.municipality_code_unknown",
            &[("value", given.clone())],
        ));
    };
    let polygons = match &feature.polygons {
        Ok(polygons) => polygons,
        Err(reason) => return refuse(reason.clone()),
    };
    if let Some(&(lon, lat)) = polygons
        .iter()
        .flatten()
        .flatten()
        .find(|p| !in_netherlands(**p))
    {
        return refuse(Reason::of(
            "import.error.boundary_outside",
            &[("lon", lon.to_string()), ("lat", lat.to_string())],
        ));
    }
    let geometry: Vec<Polygon> = polygons.iter().filter_map(|p| clean_polygon(p)).collect();
    if geometry.is_empty() {
        return refuse(Reason::of("import.error.boundary_empty", &[]));
    }
    Ok(Boundary {
        code: municipality.code.clone(),
        name: property(&NAME_PROPERTIES).unwrap_or_else(|| municipality.name.clone()),
        geometry,
    })
}

/// The features of a GeoJSON FeatureCollection.
fn geojson_features(document: &Value) -> Vec<Feature<'_>> {
    let features = document.get("features").and_then(Value::as_array);
    features
        .into_iter()
        .flatten()
        .map(|feature| {
            let geometry = feature.get("geometry").unwrap_or(&Value::Null);
            let coordinates = geometry.get("coordinates").unwrap_or(&Value::Null);
            let polygons = match geometry.get("type").and_then(Value::as_str) {
                Some("Polygon") => geojson_polygon(coordinates).map(|p| vec![p]),
                Some("MultiPolygon") => match coordinates.as_array() {
                    Some(polygons) => polygons.iter().map(geojson_polygon).collect(),
                    None => Err(bad_geometry()),
                },
                other => Err(not_a_polygon(other)),
            };
            Feature {
                properties: feature.get("properties"),
                id: feature.get("id"),
                polygons,
            }
        })
        .collect()
}

fn geojson_polygon(rings: &Value) -> Result<Vec<Vec<Point>>, Reason> {
    let rings = rings.as_array().ok_or_else(bad_geometry)?;
    rings
        .iter()
        .map(|ring| {
            let points = ring.as_array().ok_or_else(bad_geometry)?;
            points.iter().map(position).collect()
        })
        .collect()
}

/// `[lon, lat]` or `[lon, lat, height]`.
fn position(point: &Value) -> Result<Point, Reason> {
    match point.as_array().map(Vec::as_slice) {
        Some([lon, lat, ..]) => Ok((
            lon.as_f64().ok_or_else(bad_geometry)?,
            lat.as_f64().ok_or_else(bad_geometry)?,
        )),
        _ => Err(bad_geometry()),
    }
}

fn bad_geometry() -> Reason {
    Reason::of("import.error.boundary_geometry", &[])
}

fn not_a_polygon(found: Option<&str>) -> Reason {
    Reason::of(
        "import.error.boundary_not_polygon",
        &[("found", found.unwrap_or("nothing").to_string())],
    )
}

/// The features of a TopoJSON Topology: the geometries of its one object,
/// or of the one named after municipalities when it has several.
fn topology_features(document: &Value) -> Result<Vec<Feature<'_>>, Vec<FeatureIssue>> {
    let arcs = decode_arcs(document).map_err(file_issue)?;
    let objects = document
        .get("objects")
        .and_then(Value::as_object)
        .ok_or_else(|| file_issue(Reason::of("import.error.boundaries_objects", &[])))?;
    let chosen: Vec<&Value> = if objects.len() == 1 {
        objects.values().collect()
    } else {
        objects
            .iter()
            .filter(|(name, _)| {
                let name = name.to_lowercase();
                name.contains("gemeente") || name.contains("municipal")
            })
            .map(|(_, object)| object)
            .collect()
    };
    let [object] = chosen.as_slice() else {
        return Err(file_issue(Reason::of(
            "import.error.boundaries_objects",
            &[],
        )));
    };
    let mut geometries = Vec::new();
    collect_geometries(object, &mut geometries);
    Ok(geometries
        .into_iter()
        .map(|geometry| {
            let refs = geometry.get("arcs").unwrap_or(&Value::Null);
            let polygons = match geometry.get("type").and_then(Value::as_str) {
                Some("Polygon") => topology_polygon(refs, &arcs).map(|p| vec![p]),
                Some("MultiPolygon") => match refs.as_array() {
                    Some(polygons) => polygons
                        .iter()
                        .map(|p| topology_polygon(p, &arcs))
                        .collect(),
                    None => Err(bad_geometry()),
                },
                other => Err(not_a_polygon(other)),
            };
            Feature {
                properties: geometry.get("properties"),
                id: geometry.get("id"),
                polygons,
            }
        })
        .collect())
}

/// The geometries of an object, a collection's members in order.
fn collect_geometries<'a>(object: &'a Value, out: &mut Vec<&'a Value>) {
    match object.get("type").and_then(Value::as_str) {
        Some("GeometryCollection") => {
            for member in object
                .get("geometries")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect_geometries(member, out);
            }
        }
        _ => out.push(object),
    }
}

/// Every arc as absolute positions.
fn decode_arcs(document: &Value) -> Result<Vec<Vec<Point>>, Reason> {
    let transform = match document.get("transform") {
        None => None,
        Some(t) => {
            let pair = |name: &str| -> Option<(f64, f64)> {
                match t.get(name)?.as_array()?.as_slice() {
                    [a, b] => Some((a.as_f64()?, b.as_f64()?)),
                    _ => None,
                }
            };
            Some((
                pair("scale").ok_or_else(bad_geometry)?,
                pair("translate").ok_or_else(bad_geometry)?,
            ))
        }
    };
    let arcs = document
        .get("arcs")
        .and_then(Value::as_array)
        .ok_or_else(bad_geometry)?;
    arcs.iter()
        .map(|arc| {
            let positions = arc.as_array().ok_or_else(bad_geometry)?;
            let (mut x, mut y) = (0.0, 0.0);
            positions
                .iter()
                .map(|p| {
                    let (a, b) = position(p)?;
                    Ok(match transform {
                        Some(((sx, sy), (tx, ty))) => {
                            x += a;
                            y += b;
                            (x * sx + tx, y * sy + ty)
                        }
                        None => (a, b),
                    })
                })
                .collect()
        })
        .collect()
}

/// A polygon given as rings of arc indexes.
fn topology_polygon(rings: &Value, arcs: &[Vec<Point>]) -> Result<Vec<Vec<Point>>, Reason> {
    let rings = rings.as_array().ok_or_else(bad_geometry)?;
    rings.iter().map(|ring| topology_ring(ring, arcs)).collect()
}

fn topology_ring(indexes: &Value, arcs: &[Vec<Point>]) -> Result<Vec<Point>, Reason> {
    let indexes = indexes.as_array().ok_or_else(bad_geometry)?;
    let mut ring: Vec<Point> = Vec::new();
    for index in indexes {
        let index = index.as_i64().ok_or_else(bad_geometry)?;
        let (arc, reversed) = if index >= 0 {
            (usize::try_from(index).ok(), false)
        } else {
            (usize::try_from(!index).ok(), true)
        };
        let arc = arc.and_then(|i| arcs.get(i)).ok_or_else(bad_geometry)?;
        let points: Vec<Point> = if reversed {
            arc.iter().rev().copied().collect()
        } else {
            arc.clone()
        };
        // Each arc starts where the one before ended.
        let skip = usize::from(!ring.is_empty());
        ring.extend(points.into_iter().skip(skip));
    }
    Ok(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AMSTERDAM: &str = r#"{"type": "Polygon", "coordinates":
        [[[4.8, 52.3], [5.0, 52.3], [5.0, 52.4], [4.8, 52.4], [4.8, 52.3]]]}"#;

    fn collection(features: &[(&str, &str)]) -> String {
        let features: Vec<String> = features
            .iter()
            .map(|(properties, geometry)| {
                format!(
                    r#"{{"type": "Feature", "properties": {properties}, "geometry": {geometry}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
            features.join(",")
        )
    }

    #[test]
    fn a_geojson_feature_is_keyed_on_statcode_and_named_by_statnaam() {
        let text = collection(&[(
            r#"{"statcode": "GM0363", "statnaam": "Amsterdam"}"#,
            AMSTERDAM,
        )]);
        let file = read_boundaries(text.as_bytes()).unwrap();
        assert_eq!(file.format, BoundaryFormat::GeoJson);
        assert_eq!(file.boundaries.len(), 1);
        let b = &file.boundaries[0];
        assert_eq!((b.code.as_str(), b.name.as_str()), ("GM0363", "Amsterdam"));
        assert_eq!(b.geometry[0][0].len(), 5);
    }

    #[test]
    fn a_numeric_gemeentecode_works_and_parts_of_one_municipality_merge() {
        let text = collection(&[
            (r#"{"gemeentecode": 363}"#, AMSTERDAM),
            (r#"{"code": "GM0363"}"#, AMSTERDAM),
        ]);
        let file = read_boundaries(text.as_bytes()).unwrap();
        assert_eq!(file.features, 2);
        assert_eq!(file.boundaries.len(), 1);
        assert_eq!(file.boundaries[0].name, "Amsterdam", "the reference name");
        assert_eq!(file.boundaries[0].geometry.len(), 2);
    }

    #[test]
    fn unknown_codes_missing_codes_and_foreign_coordinates_name_the_feature() {
        let rd = r#"{"type": "Polygon", "coordinates":
            [[[121000, 487000], [122000, 487000], [122000, 488000], [121000, 487000]]]}"#;
        let text = collection(&[
            (r#"{"statcode": "GM0363"}"#, AMSTERDAM),
            (r#"{"statcode": "GM9999"}"#, AMSTERDAM),
            (r#"{}"#, AMSTERDAM),
            (r#"{"statcode": "GM0344"}"#, rd),
            (
                r#"{"statcode": "GM0518"}"#,
                r#"{"type": "Point", "coordinates": [4.3, 52.1]}"#,
            ),
        ]);
        let issues = read_boundaries(text.as_bytes()).unwrap_err();
        let shown: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 4, "{shown:#?}");
        assert!(
            shown[0].starts_with("feature 2 (GM9999): 'GM9999' is not"),
            "{}",
            shown[0]
        );
        assert!(shown[1].starts_with("feature 3: "), "{}", shown[1]);
        assert!(shown[2].starts_with("feature 4 (GM0344): "), "{}", shown[2]);
        assert!(shown[2].contains("121000"), "{}", shown[2]);
        assert!(shown[3].contains("Point"), "{}", shown[3]);
    }

    #[test]
    fn other_json_is_refused_as_a_whole() {
        for text in ["", "[1, 2]", r#"{"type": "Feature"}"#] {
            let issues = read_boundaries(text.as_bytes()).unwrap_err();
            assert_eq!(issues.len(), 1, "{text}");
            assert_eq!(issues[0].feature, None);
        }
    }

    #[test]
    fn topojson_arcs_are_delta_decoded_joined_and_reversed() {
        // Two squares sharing the arc 0 (their common side), quantised to
        // units of 0.1 degree from (4, 52).
        let text = r#"{"type": "Topology",
            "transform": {"scale": [0.1, 0.1], "translate": [4, 52]},
            "arcs": [[[5, 0], [0, 5]], [[5, 5], [-5, 0], [0, -5], [5, 0]],
                     [[5, 0], [5, 0], [0, 5], [-5, 0]]],
            "objects": {"gemeenten": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"statcode": "GM0363"}},
                {"type": "MultiPolygon", "arcs": [[[2, -1]]], "id": "GM0344"}
            ]}}}"#;
        let file = read_boundaries(text.as_bytes()).unwrap();
        assert_eq!(file.format, BoundaryFormat::TopoJson);
        let west = &file.boundaries[0].geometry[0][0];
        assert_eq!(
            west,
            &vec![
                (4.5, 52.0),
                (4.5, 52.5),
                (4.0, 52.5),
                (4.0, 52.0),
                (4.5, 52.0)
            ]
        );
        let east = &file.boundaries[1];
        assert_eq!(east.code, "GM0344");
        assert_eq!(
            east.geometry[0][0],
            vec![
                (4.5, 52.0),
                (5.0, 52.0),
                (5.0, 52.5),
                (4.5, 52.5),
                (4.5, 52.0)
            ]
        );
    }

    #[test]
    fn the_shared_cbs_topology_reads_as_342_municipalities() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/nl/municipalities_2025.topojson"
        );
        let bytes = std::fs::read(path)
            .unwrap_or_else(|e| panic!("{path}: {e}; the tests read the shared file from there"));
        let file = read_boundaries(&bytes).unwrap();
        assert_eq!(file.boundaries.len(), 342);
        let hague = file.boundaries.iter().find(|b| b.code == "GM0518").unwrap();
        assert_eq!(hague.name, "'s-Gravenhage");
        assert!(crate::domain::boundary::without_boundary(&file.boundaries).is_empty());
    }
}
