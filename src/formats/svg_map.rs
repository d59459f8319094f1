//! Maps as inline SVG, drawn on the server from the bundled outlines
//! (`crate::domain::geo::PROVINCES_GEOJSON`, `OUTLINE_GEOJSON`): no tiles, no map
//! library, no request to anyone else. The projection is equirectangular
//! with longitudes scaled by cos 52° (true enough for a country this size);
//! coordinates are simplified (Douglas–Peucker) and rounded to whole units
//! of the drawing, and paths use relative steps, so the national map stays
//! around 10 KB.
//!
//! Every map is an `<svg role="img">` with a `<title>` and `<desc>`; the
//! page around it gives the same facts as text.

use std::collections::HashSet;
use std::fmt::Write;
use std::sync::LazyLock;

use serde_json::Value;

use crate::domain::geo::{OUTLINE_GEOJSON, PROVINCES_GEOJSON};
use crate::domain::service::ServiceType;
use crate::formats::markup::{escape, number};

/// Longitudes are scaled by the cosine of this latitude.
const REFERENCE_LATITUDE: f64 = 52.0;
/// How far (in drawing units) simplified outlines may stray from the data.
const TOLERANCE: f64 = 0.6;

/// A rectangle in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    fn empty() -> BBox {
        BBox {
            west: f64::INFINITY,
            south: f64::INFINITY,
            east: f64::NEG_INFINITY,
            north: f64::NEG_INFINITY,
        }
    }

    fn extend(&mut self, lon: f64, lat: f64) {
        self.west = self.west.min(lon);
        self.east = self.east.max(lon);
        self.south = self.south.min(lat);
        self.north = self.north.max(lat);
    }

    fn union(self, other: BBox) -> BBox {
        BBox {
            west: self.west.min(other.west),
            south: self.south.min(other.south),
            east: self.east.max(other.east),
            north: self.north.max(other.north),
        }
    }

    /// Grown by a fraction of its size on every side.
    pub fn padded(self, fraction: f64) -> BBox {
        let dx = (self.east - self.west) * fraction;
        let dy = (self.north - self.south) * fraction;
        BBox {
            west: self.west - dx,
            south: self.south - dy,
            east: self.east + dx,
            north: self.north + dy,
        }
    }
}

/// A named area: a province or the country.
#[derive(Debug, Clone)]
pub struct Shape {
    /// ISO 3166-2 code of a province, `NL` for the country.
    pub code: String,
    pub name: String,
    /// Closed rings of (longitude, latitude).
    pub(super) rings: Vec<Vec<(f64, f64)>>,
    pub bbox: BBox,
}

fn parse_shapes(geojson: &str, code_key: &str) -> Vec<Shape> {
    let document: Value = serde_json::from_str(geojson).expect("bundled GeoJSON is valid");
    let features = document["features"].as_array().cloned().unwrap_or_default();
    features
        .iter()
        .map(|feature| {
            let geometry = &feature["geometry"];
            let polygons: Vec<&Value> = match geometry["type"].as_str() {
                Some("Polygon") => vec![&geometry["coordinates"]],
                Some("MultiPolygon") => geometry["coordinates"]
                    .as_array()
                    .map(|p| p.iter().collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let mut bbox = BBox::empty();
            let mut rings = Vec::new();
            for polygon in polygons {
                for ring in polygon.as_array().into_iter().flatten() {
                    let points: Vec<(f64, f64)> = ring
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                        .collect();
                    for (lon, lat) in &points {
                        bbox.extend(*lon, *lat);
                    }
                    rings.push(points);
                }
            }
            let properties = &feature["properties"];
            Shape {
                code: properties[code_key]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                name: properties["name"].as_str().unwrap_or_default().to_string(),
                rings,
                bbox,
            }
        })
        .collect()
}

/// The twelve provinces.
pub fn provinces() -> &'static [Shape] {
    static SHAPES: LazyLock<Vec<Shape>> =
        LazyLock::new(|| parse_shapes(PROVINCES_GEOJSON, "iso_3166_2"));
    &SHAPES
}

/// The outline of the European Netherlands.
pub fn outline() -> &'static [Shape] {
    static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| parse_shapes(OUTLINE_GEOJSON, "iso_a2"));
    &SHAPES
}

/// The rectangle around the whole country.
pub fn netherlands() -> BBox {
    outline()
        .iter()
        .chain(provinces())
        .map(|s| s.bbox)
        .fold(BBox::empty(), BBox::union)
}

/// The rectangle around one province, by ISO code.
pub fn province_bbox(code: &str) -> Option<BBox> {
    provinces().iter().find(|p| p.code == code).map(|p| p.bbox)
}

/// A marker's colour per service, from the Okabe–Ito palette (told apart
/// with the common colour-vision deficiencies).
pub fn service_colour(service: ServiceType) -> &'static str {
    match service {
        ServiceType::ConsumptionRoom => "#d55e00",
        ServiceType::MethadoneClinic => "#0072b2",
        ServiceType::HeroinUnit => "#cc79a7",
        ServiceType::SyringeExchange => "#009e73",
        ServiceType::Paraphernalia => "#e69f00",
        ServiceType::Naloxone => "#56b4e9",
    }
}

/// A dot on the map.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Marker<'a> {
    pub latitude: f64,
    pub longitude: f64,
    /// The colour of its (first) service.
    pub colour: &'static str,
    /// It offers several services: drawn with a dark ring around the dot
    /// (a pie of up to six slices is unreadable at this size).
    pub several: bool,
    /// The facility's page and name: the dot becomes a link (`<a href>`
    /// with a `<title>`), which the keyboard reaches.
    pub link: Option<(&'a str, &'a str)>,
}

/// The ring around a dot that stands for several services.
pub const RING: &str = "#1a1a1a";

/// What to draw.
#[derive(Debug, Clone)]
pub struct Map<'a> {
    /// Prefix of the element ids (unique on the page).
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// The area shown.
    pub bbox: BBox,
    /// Width of the drawing in its own units (about CSS pixels at full size).
    pub width: f64,
    /// A province (ISO code) to shade.
    pub highlight: Option<&'a str>,
    pub markers: &'a [Marker<'a>],
    pub marker_radius: f64,
}

/// Equirectangular projection of a bounding box onto `width` units.
pub(super) struct Projection {
    west: f64,
    north: f64,
    /// Units per degree of latitude.
    scale: f64,
    x_factor: f64,
    pub(super) width: f64,
    pub(super) height: f64,
}

impl Projection {
    pub(super) fn new(bbox: BBox, width: f64) -> Projection {
        let x_factor = REFERENCE_LATITUDE.to_radians().cos();
        let scale = width / ((bbox.east - bbox.west) * x_factor);
        Projection {
            west: bbox.west,
            north: bbox.north,
            scale,
            x_factor,
            width,
            height: ((bbox.north - bbox.south) * scale).round(),
        }
    }

    pub(super) fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.west) * self.x_factor * self.scale,
            (self.north - lat) * self.scale,
        )
    }
}

/// Renders a map as an inline `<svg>` element.
pub fn render(map: &Map) -> String {
    let projection = Projection::new(map.bbox, map.width);
    let (w, h) = (projection.width.round(), projection.height);
    let mut svg = String::with_capacity(16 * 1024);
    let id = escape(map.id);
    // An image's children are hidden from assistive technology, so a map
    // whose dots are links is a group of them instead.
    let role = if map.markers.iter().any(|m| m.link.is_some()) {
        "group"
    } else {
        "img"
    };
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"{role}\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"vangnet-map\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#eef4f9\"/>",
        escape(map.title),
        escape(map.description),
    );
    let mut land = String::new();
    let mut shaded = String::new();
    for province in provinces() {
        let target = if map.highlight == Some(province.code.as_str()) {
            &mut shaded
        } else {
            &mut land
        };
        for ring in &province.rings {
            push_ring(target, ring, &projection);
        }
    }
    let _ = write!(
        svg,
        "<path fill=\"#fbfbf8\" stroke=\"#7b8794\" stroke-width=\"0.8\" stroke-linejoin=\"round\" d=\"{land}\"/>"
    );
    if !shaded.is_empty() {
        let _ = write!(
            svg,
            "<path fill=\"#dde8f2\" stroke=\"#2c4a6b\" stroke-width=\"1.4\" stroke-linejoin=\"round\" d=\"{shaded}\"/>"
        );
    }
    push_markers(&mut svg, map, &projection);
    svg.push_str("</svg>");
    svg
}

/// A class of a choropleth: counts from `min` to `max` share a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShadeClass {
    pub min: i64,
    pub max: i64,
    pub fill: &'static str,
    /// Whether text on this fill is white.
    pub dark: bool,
}

/// Light grey for none, then four blues (ColorBrewer "Blues", told apart in
/// greyscale too); numbers are printed on the map as well.
const SHADES: [(&str, bool); 5] = [
    ("#f2f2f2", false),
    ("#c6dbef", false),
    ("#6baed6", false),
    ("#2171b5", true),
    ("#08306b", true),
];

/// Classes for counts from 0 to `max`: 0 alone, then up to four equal
/// ranges (single numbers when `max` is 4 or less).
pub fn shade_classes(max: i64) -> Vec<ShadeClass> {
    let mut classes = vec![ShadeClass {
        min: 0,
        max: 0,
        fill: SHADES[0].0,
        dark: SHADES[0].1,
    }];
    let step = ((max.max(0) + 3) / 4).max(1);
    let mut low = 1;
    for (fill, dark) in SHADES.iter().skip(1) {
        if low > max {
            break;
        }
        classes.push(ShadeClass {
            min: low,
            max: (low + step - 1).min(max),
            fill,
            dark: *dark,
        });
        low += step;
    }
    classes
}

/// A map of the provinces shaded by a count each.
#[derive(Debug, Clone)]
pub struct Choropleth<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub width: f64,
    /// Province ISO code and its count; provinces not listed count 0.
    pub values: &'a [(String, i64)],
    pub classes: &'a [ShadeClass],
}

/// Renders a choropleth as an inline `<svg>`, each province shaded by its
/// class and labelled with its count (so that colour is not the only cue),
/// with the province's name and count as a tooltip.
pub fn render_choropleth(map: &Choropleth) -> String {
    let projection = Projection::new(netherlands().padded(0.02), map.width);
    let (w, h) = (projection.width.round(), projection.height);
    let mut svg = String::with_capacity(16 * 1024);
    let id = escape(map.id);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"vangnet-map\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#eef4f9\"/>",
        escape(map.title),
        escape(map.description),
    );
    let mut labels = String::new();
    for province in provinces() {
        let value = map
            .values
            .iter()
            .find(|(code, _)| *code == province.code)
            .map_or(0, |(_, n)| *n);
        let class = map
            .classes
            .iter()
            .find(|c| (c.min..=c.max).contains(&value))
            .or(map.classes.last());
        let (fill, dark) = class.map_or(("#ffffff", false), |c| (c.fill, c.dark));
        let mut d = String::new();
        for ring in &province.rings {
            push_ring(&mut d, ring, &projection);
        }
        let _ = write!(
            svg,
            "<path fill=\"{fill}\" stroke=\"#4a5560\" stroke-width=\"0.8\" stroke-linejoin=\"round\" d=\"{d}\"><title>{}: {value}</title></path>",
            escape(&province.name)
        );
        if let Some((x, y)) = label_point(province, &projection) {
            let (text, halo) = if dark {
                ("#ffffff", "#08306b")
            } else {
                ("#1a1a1a", "#ffffff")
            };
            let _ = write!(
                labels,
                "<text x=\"{}\" y=\"{}\" fill=\"{text}\" stroke=\"{halo}\" stroke-width=\"3\" paint-order=\"stroke\">{value}</text>",
                number(x),
                number(y + 5.0)
            );
        }
    }
    let _ = write!(
        svg,
        "<g font-family=\"system-ui, sans-serif\" font-size=\"15\" font-weight=\"700\" text-anchor=\"middle\" aria-hidden=\"true\">{labels}</g></svg>"
    );
    svg
}

/// Where a province's number goes: the centroid of its largest ring, in
/// drawing units.
fn label_point(shape: &Shape, projection: &Projection) -> Option<(f64, f64)> {
    let mut best: Option<(f64, f64, f64)> = None;
    for ring in &shape.rings {
        let points: Vec<(f64, f64)> = ring
            .iter()
            .map(|(lon, lat)| projection.xy(*lon, *lat))
            .collect();
        let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let cross = x0 * y1 - x1 * y0;
            area += cross;
            cx += (x0 + x1) * cross;
            cy += (y0 + y1) * cross;
        }
        if area.abs() < 1e-9 {
            continue;
        }
        let (cx, cy) = (cx / (3.0 * area), cy / (3.0 * area));
        if best.is_none_or(|(a, _, _)| area.abs() > a) {
            best = Some((area.abs(), cx, cy));
        }
    }
    best.map(|(_, x, y)| (x, y))
}

/// Markers grouped by colour, each drawn once per spot; linked markers
/// are drawn one by one, each in its own link, so every facility can be
/// reached even where two share a spot.
fn push_markers(svg: &mut String, map: &Map, projection: &Projection) {
    let mut seen = HashSet::new();
    let mut colours: Vec<&str> = map.markers.iter().map(|m| m.colour).collect();
    colours.sort_unstable();
    colours.dedup();
    let r = map.marker_radius;
    for colour in colours {
        let mut group = String::new();
        for marker in map.markers.iter().filter(|m| m.colour == colour) {
            let (x, y) = projection.xy(marker.longitude, marker.latitude);
            let inside =
                (0.0..=projection.width).contains(&x) && (0.0..=projection.height).contains(&y);
            let key = (
                colour,
                marker.several,
                (x * 2.0).round() as i64,
                (y * 2.0).round() as i64,
            );
            // Dots that would cover each other exactly are drawn once.
            if !inside || (marker.link.is_none() && !seen.insert(key)) {
                continue;
            }
            let mut dot = format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
                number(x),
                number(y),
                number(r)
            );
            if marker.several {
                let _ = write!(
                    dot,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"{RING}\" stroke-width=\"{}\"/>",
                    number(x),
                    number(y),
                    number(r + r * 0.6),
                    number(r * 0.5)
                );
            }
            match marker.link {
                Some((href, name)) => {
                    let _ = write!(
                        group,
                        "<a href=\"{}\"><title>{}</title>{dot}</a>",
                        escape(href),
                        escape(name)
                    );
                }
                None => group.push_str(&dot),
            }
        }
        if !group.is_empty() {
            let _ = write!(
                svg,
                "<g fill=\"{colour}\" stroke=\"#1a1a1a\" stroke-width=\"1\">{group}</g>"
            );
        }
    }
}

/// One ring as `M x y l dx dy … z` in whole units; rings outside the
/// drawing or smaller than a unit are left out.
pub(super) fn push_ring(d: &mut String, ring: &[(f64, f64)], projection: &Projection) {
    let points: Vec<(f64, f64)> = ring
        .iter()
        .map(|(lon, lat)| projection.xy(*lon, *lat))
        .collect();
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (x, y) in &points {
        min_x = min_x.min(*x);
        max_x = max_x.max(*x);
        min_y = min_y.min(*y);
        max_y = max_y.max(*y);
    }
    let outside =
        max_x < 0.0 || max_y < 0.0 || min_x > projection.width || min_y > projection.height;
    if outside || (max_x - min_x < 1.5 && max_y - min_y < 1.5) {
        return;
    }
    let mut kept: Vec<(i64, i64)> = Vec::new();
    for (x, y) in simplify(&points, TOLERANCE) {
        let p = (x.round() as i64, y.round() as i64);
        if kept.last() != Some(&p) {
            kept.push(p);
        }
    }
    if kept.len() > 1 && kept.first() == kept.last() {
        kept.pop();
    }
    if kept.len() < 3 {
        return;
    }
    let (x0, y0) = kept[0];
    let _ = write!(d, "M{x0} {y0}l");
    let mut previous = (x0, y0);
    for (i, &(x, y)) in kept.iter().enumerate().skip(1) {
        let (dx, dy) = (x - previous.0, y - previous.1);
        // Minus signs separate numbers by themselves.
        if i > 1 && dx >= 0 {
            d.push(' ');
        }
        let _ = write!(d, "{dx}");
        if dy >= 0 {
            d.push(' ');
        }
        let _ = write!(d, "{dy}");
        previous = (x, y);
    }
    d.push('z');
}

/// Douglas–Peucker: the points of a polyline that keep it within
/// `tolerance` of the original.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (points[first], points[last]);
        let mut farthest = (0.0, first);
        for (i, p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = distance_to_segment(*p, a, b);
            if d > farthest.0 {
                farthest = (d, i);
            }
        }
        if farthest.0 > tolerance {
            keep[farthest.1] = true;
            stack.push((first, farthest.1));
            stack.push((farthest.1, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn national(markers: &[Marker]) -> String {
        render(&Map {
            id: "kaart",
            title: "Nederland",
            description: "Twaalf provincies <en> markers",
            bbox: netherlands().padded(0.02),
            width: 500.0,
            highlight: None,
            markers,
            marker_radius: 4.0,
        })
    }

    #[test]
    fn the_bundled_outlines_are_read() {
        assert_eq!(provinces().len(), 12);
        assert!(provinces().iter().any(|p| p.code == "NL-UT"));
        assert_eq!(outline().len(), 1);
        let nl = netherlands();
        assert!(nl.west < 3.5 && nl.east > 7.1 && nl.south < 50.8 && nl.north > 53.4);
    }

    #[test]
    fn the_national_map_is_an_accessible_and_small_svg() {
        let utrecht = Marker {
            latitude: 52.09,
            longitude: 5.12,
            colour: service_colour(ServiceType::SyringeExchange),
            ..Marker::default()
        };
        let svg = national(&[utrecht, utrecht]);
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"kaart-title kaart-desc\""));
        assert!(svg.contains("<title id=\"kaart-title\">Nederland</title>"));
        assert!(svg.contains("&lt;en&gt;"), "text is escaped");
        assert_eq!(svg.matches("<circle").count(), 1, "one dot per spot");
        assert!(!svg.contains("style"), "no inline styles (CSP)");
        assert!(svg.len() < 30_000, "{} bytes", svg.len());
    }

    #[test]
    fn linked_dots_are_named_links_and_several_services_get_a_ring() {
        let at = |longitude, several, link| Marker {
            latitude: 52.09,
            longitude,
            colour: service_colour(ServiceType::ConsumptionRoom),
            several,
            link,
        };
        let svg = national(&[
            at(5.12, true, Some(("/voorzieningen/1", "Het Anker & Co"))),
            at(5.12, false, Some(("/voorzieningen/2", "De Haven"))),
            at(5.3, false, None),
        ]);
        assert!(svg.contains("role=\"group\""), "an image hides its links");
        assert!(
            svg.contains("<a href=\"/voorzieningen/1\"><title>Het Anker &amp; Co</title><circle")
        );
        assert!(
            svg.contains("<a href=\"/voorzieningen/2\">"),
            "a link on the same spot is drawn too"
        );
        assert_eq!(svg.matches("<a ").count(), 2);
        assert_eq!(
            svg.matches(&format!("fill=\"none\" stroke=\"{RING}\""))
                .count(),
            1,
            "one ring, for the facility with several services"
        );
        assert!(national(&[at(5.3, false, None)]).contains("role=\"img\""));
    }

    #[test]
    fn a_province_map_shades_the_province_and_leaves_out_what_lies_outside() {
        let bbox = province_bbox("NL-UT").unwrap().padded(0.1);
        let markers = [
            Marker {
                latitude: 52.09,
                longitude: 5.12,
                colour: "#000000",
                ..Marker::default()
            },
            Marker {
                latitude: 53.2,
                longitude: 6.56,
                colour: "#000000",
                ..Marker::default()
            },
        ];
        let svg = render(&Map {
            id: "f",
            title: "Utrecht",
            description: "",
            bbox,
            width: 320.0,
            highlight: Some("NL-UT"),
            markers: &markers,
            marker_radius: 6.0,
        });
        assert!(svg.contains("fill=\"#dde8f2\""));
        assert_eq!(
            svg.matches("<circle").count(),
            1,
            "Groningen is off the map"
        );
        assert!(svg.len() < national(&[]).len());
    }

    #[test]
    fn a_choropleth_shades_provinces_by_class_and_prints_their_counts() {
        assert_eq!(
            shade_classes(3)
                .iter()
                .map(|c| (c.min, c.max))
                .collect::<Vec<_>>(),
            vec![(0, 0), (1, 1), (2, 2), (3, 3)]
        );
        assert_eq!(
            shade_classes(9)
                .iter()
                .map(|c| (c.min, c.max))
                .collect::<Vec<_>>(),
            vec![(0, 0), (1, 3), (4, 6), (7, 9)]
        );
        assert_eq!(shade_classes(0).len(), 1);
        let classes = shade_classes(8);
        let values = vec![("NL-UT".to_string(), 8), ("NL-NH".to_string(), 2)];
        let svg = render_choropleth(&Choropleth {
            id: "spreiding",
            title: "Per provincie",
            description: "Utrecht 8",
            width: 400.0,
            values: &values,
            classes: &classes,
        });
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title>Utrecht: 8</title>"));
        assert_eq!(svg.matches("<title>").count(), 12, "one per province");
        assert!(svg.contains(&format!("fill=\"{}\"", classes.last().unwrap().fill)));
        assert!(svg.contains(">8</text>") && svg.contains(">2</text>"));
        assert!(!svg.contains("style="));
        assert!(svg.len() < 30_000, "{} bytes", svg.len());
    }

    #[test]
    fn marker_positions_follow_the_projection() {
        let p = Projection::new(
            BBox {
                west: 4.0,
                south: 51.0,
                east: 6.0,
                north: 53.0,
            },
            100.0,
        );
        let (x, y) = p.xy(4.0, 53.0);
        assert_eq!((x, y), (0.0, 0.0));
        let (x, y) = p.xy(6.0, 51.0);
        assert!((x - 100.0).abs() < 1e-9);
        assert!((y - p.height).abs() < 0.5);
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.26), "12.3");
    }

    #[test]
    fn simplification_keeps_corners_and_drops_points_on_a_line() {
        let line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (2.0, 5.0)];
        assert_eq!(
            simplify(&line, 0.5),
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 5.0)]
        );
    }
}
