//! A map of the municipalities shaded by a value (a choropleth), as inline
//! SVG in the house style of `svg_map`: the same projection and
//! simplification, `role="img"` with `<title>` and `<desc>`, presentation
//! attributes only (the pages' CSP allows no `style`), whole-unit relative
//! paths, so the 342 municipalities stay near 100 KB.
//!
//! With the boundaries loaded (`vangnet import boundaries`) each
//! municipality is a path filled by its class: five classes of a
//! colour-blind-safe sequential palette (ColorBrewer YlGnBu), breaks given
//! by the caller or the quintiles of the known values; no value or a
//! suppressed one is hatched grey. Each path's `<title>` gives the name and
//! the value as shown ("12,3", "<5"), and the legend sits in the North Sea.
//! Without boundaries the country and its provinces are drawn as on the
//! other maps, each municipality with a value is a circle at its centre
//! with its area proportional to the value, and a caption says so.

use std::fmt::Write;

use super::labels::wrap;
use super::markup::{escape, number};
use super::svg_map::{netherlands, provinces, push_ring, Projection};
use crate::domain::boundary::Boundary;
use crate::domain::geo::geo;
use crate::domain::language::Language;
use crate::domain::text::text;

/// One municipality's value.
#[derive(Debug, Clone, PartialEq)]
pub struct MapValue {
    /// CBS code, `GM0363`.
    pub code: String,
    pub name: String,
    /// The value that decides the class or the circle; `None` when there is
    /// none to show (no data, suppressed).
    pub value: Option<f64>,
    /// The value as the page prints it: "12,3", "<5", "x", "–".
    pub shown: String,
}

/// What the drawing says about itself, and how it classes the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Legend<'a> {
    /// Prefix of element ids (unique on the page).
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// What the values are, at the top of the legend: "Spuiten per
    /// 100.000 inwoners".
    pub heading: &'a str,
    /// The upper bounds of classes 1 to 4 (class 5 holds what lies above);
    /// `None`: the quintiles of the known values.
    pub breaks: Option<[f64; 4]>,
}

/// Light to dark: ColorBrewer YlGnBu, five classes (colour-blind safe,
/// and in order in greyscale too).
pub const PALETTE: [&str; 5] = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
/// The drawing's width in its own units (about CSS pixels at full size).
const WIDTH: f64 = 480.0;
/// Text size in the drawing's units: on a 390 px phone the map is about
/// 360 px wide, so 16 units are 12 px there (and 13 would be under 10).
const FONT: f64 = 16.0;
const LINE: f64 = 20.0;
/// The smaller text of notes.
const SMALL: f64 = 15.0;
/// The radius of the circle of the largest value, without boundaries.
const LARGEST_CIRCLE: f64 = 16.0;

/// The quintiles of the known values (nearest rank); `None` without any.
pub fn quantile_breaks(values: &[f64]) -> Option<[f64; 4]> {
    let mut known: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if known.is_empty() {
        return None;
    }
    known.sort_by(f64::total_cmp);
    let n = known.len();
    let at = |q: usize| known[((q * n).div_ceil(5)).saturating_sub(1)];
    Some([at(1), at(2), at(3), at(4)])
}

/// The class (0 to 4) of a value: the first whose upper bound it does not
/// exceed.
pub fn class_of(value: f64, breaks: &[f64; 4]) -> usize {
    breaks.iter().position(|b| value <= *b).unwrap_or(4)
}

/// A value for the legend: whole above 100, else one or two decimals, in
/// the reader's notation (`1.234,5` or `1,234.5`).
fn figure(value: f64, lang: Language) -> String {
    let decimals = match value.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    let text = format!("{value:.decimals$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let (group, point) = match lang {
        Language::Nl => ('.', ','),
        Language::En => (',', '.'),
    };
    let (sign, digits) = whole
        .strip_prefix('-')
        .map_or(("", whole), |digits| ("-", digits));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{fraction}")
    }
}

/// The map of the municipalities: shaded paths with `boundaries`, circles
/// at their centres without (`None` or none loaded).
pub fn choropleth(
    areas: &[MapValue],
    boundaries: Option<&[Boundary]>,
    legend: &Legend,
    lang: Language,
) -> String {
    let projection = Projection::new(netherlands().padded(0.02), WIDTH);
    let mut svg = String::with_capacity(128 * 1024);
    let body = match boundaries.filter(|b| !b.is_empty()) {
        Some(boundaries) => shaded(&mut svg, areas, boundaries, legend, lang, &projection),
        None => circles(&mut svg, areas, legend, lang, &projection),
    };
    let id = escape(legend.id);
    let (w, h) = (projection.width.round(), projection.height + body);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"vangnet-map\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#eef4f9\"/>{svg}</svg>",
        escape(legend.title),
        escape(legend.description),
    )
}

/// `name: shown` for a tooltip.
fn tooltip(name: &str, shown: &str) -> String {
    format!("<title>{}: {}</title>", escape(name), escape(shown))
}

/// The municipalities as shaded paths and the legend; returns the height
/// added below the map (none).
fn shaded(
    svg: &mut String,
    areas: &[MapValue],
    boundaries: &[Boundary],
    legend: &Legend,
    lang: Language,
    projection: &Projection,
) -> f64 {
    let values: Vec<f64> = areas.iter().filter_map(|a| a.value).collect();
    let breaks = legend.breaks.or_else(|| quantile_breaks(&values));
    let hatch = format!("{}-none", escape(legend.id));
    let _ = write!(
        svg,
        "<defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e6e6e6\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8a8a8a\" stroke-width=\"1.5\"/>\
         </pattern></defs>"
    );
    // Paths grouped by class: one fill attribute per group, not per path.
    let mut groups: [String; 6] = Default::default();
    let mut counts = [0usize; 6];
    for boundary in boundaries {
        let area = areas.iter().find(|a| a.code == boundary.code);
        let class = match (area.and_then(|a| a.value), &breaks) {
            (Some(v), Some(breaks)) => class_of(v, breaks),
            _ => 5,
        };
        let mut d = String::new();
        for ring in boundary.geometry.iter().flatten() {
            push_ring(&mut d, ring, projection);
        }
        if d.is_empty() {
            continue;
        }
        counts[class] += 1;
        let (name, shown) = area.map_or((boundary.name.as_str(), "–"), |a| {
            (a.name.as_str(), a.shown.as_str())
        });
        let _ = write!(
            groups[class],
            "<path d=\"{d}\">{}</path>",
            tooltip(name, shown)
        );
    }
    let _ = write!(
        svg,
        "<g stroke=\"#4a5560\" stroke-width=\"0.4\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">"
    );
    for (class, paths) in groups.iter().enumerate() {
        if paths.is_empty() {
            continue;
        }
        let fill = PALETTE
            .get(class)
            .map_or_else(|| format!("url(#{hatch})"), |c| c.to_string());
        let _ = write!(svg, "<g fill=\"{fill}\">{paths}</g>");
    }
    // No province borders over them: the bundled province outlines
    // (Natural Earth) do not follow CBS's municipal boundaries, and drawn
    // together they cross each other along the coast and the lakes.
    svg.push_str("</g>");
    // The legend: each class that has municipalities, then the hatch.
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Some(breaks) = &breaks {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for class in 0..5 {
            if counts[class] == 0 {
                continue;
            }
            let from = if class == 0 { low } else { breaks[class - 1] };
            let to = if class == 4 { high } else { breaks[class] };
            let label = if from == to {
                figure(to, lang)
            } else {
                format!("{} – {}", figure(from, lang), figure(to, lang))
            };
            rows.push((PALETTE[class].to_string(), label));
        }
    }
    if counts[5] > 0 {
        rows.push((
            format!("url(#{hatch})"),
            text(lang, "map.choropleth.no_value", &[]),
        ));
    }
    push_legend(svg, legend.heading, &rows, &[]);
    0.0
}

/// The legend in the North Sea: the heading (wrapped), then a swatch and a
/// label per row, then notes.
fn push_legend(svg: &mut String, heading: &str, rows: &[(String, String)], notes: &[String]) {
    let words: Vec<&str> = heading.split_whitespace().collect();
    let mut y = 8.0;
    let _ = write!(
        svg,
        "<g font-family=\"system-ui, sans-serif\" font-size=\"{FONT}\" fill=\"#1a1a1a\">"
    );
    for line in wrap(&words, " ", 150.0, FONT) {
        y += LINE;
        let _ = write!(
            svg,
            "<text x=\"8\" y=\"{y}\" font-weight=\"700\">{}</text>",
            escape(&line)
        );
    }
    y += 6.0;
    for (fill, label) in rows {
        let _ = write!(
            svg,
            "<rect x=\"8\" y=\"{y}\" width=\"16\" height=\"12\" fill=\"{fill}\" stroke=\"#5f6b76\" stroke-width=\"0.5\"/>"
        );
        // Kept narrow: the legend must not cover Noord-Holland.
        for line in wrap(&label.split(' ').collect::<Vec<_>>(), " ", 130.0, FONT) {
            let _ = write!(
                svg,
                "<text x=\"30\" y=\"{}\">{}</text>",
                number(y + 11.0),
                escape(&line)
            );
            y += LINE;
        }
    }
    for note in notes {
        for line in wrap(
            &note.split_whitespace().collect::<Vec<_>>(),
            " ",
            150.0,
            SMALL,
        ) {
            y += LINE - 2.0;
            let _ = write!(
                svg,
                "<text x=\"8\" y=\"{y}\" font-size=\"{}\">{}</text>",
                SMALL,
                escape(&line)
            );
        }
    }
    svg.push_str("</g>");
}

/// The country and its provinces, a circle per municipality with a value
/// (area proportional to it), the legend, and the caption below the map
/// saying why there are circles; returns the caption's height.
fn circles(
    svg: &mut String,
    areas: &[MapValue],
    legend: &Legend,
    lang: Language,
    projection: &Projection,
) -> f64 {
    let mut land = String::new();
    for province in provinces() {
        for ring in &province.rings {
            push_ring(&mut land, ring, projection);
        }
    }
    let _ = write!(
        svg,
        "<path fill=\"#fbfbf8\" stroke=\"#7b8794\" stroke-width=\"0.8\" stroke-linejoin=\"round\" d=\"{land}\"/>"
    );
    let mut placed: Vec<(f64, f64, f64, &MapValue)> = areas
        .iter()
        .filter_map(|area| {
            let value = area.value.filter(|v| v.is_finite() && *v > 0.0)?;
            let m = geo().municipality(&area.code)?;
            // Etten-Leur has no point of its own in the reference list; its
            // place (from its postcodes) stands in.
            let (lat, lon) = m
                .latitude
                .zip(m.longitude)
                .or_else(|| geo().place_coordinates(&m.name, &m.code))?;
            let (x, y) = projection.xy(lon, lat);
            Some((value, x, y, area))
        })
        .collect();
    let largest = placed.iter().map(|p| p.0).fold(0.0, f64::max);
    let radius = |value: f64| LARGEST_CIRCLE * (value / largest).sqrt();
    // Large circles first, so that small ones lie on top and stay visible.
    placed.sort_by(|a, b| b.0.total_cmp(&a.0));
    let _ = write!(
        svg,
        "<g fill=\"#2c7fb8\" fill-opacity=\"0.6\" stroke=\"#253494\" stroke-width=\"0.8\">"
    );
    for (value, x, y, area) in &placed {
        let _ = write!(
            svg,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\">{}</circle>",
            number(*x),
            number(*y),
            number(radius(*value).max(0.8)),
            tooltip(&area.name, &area.shown)
        );
    }
    svg.push_str("</g>");
    // The legend: the largest value's circle and one of a quarter of it.
    let mut y = 8.0;
    let words: Vec<&str> = legend.heading.split_whitespace().collect();
    let heading = wrap(&words, " ", 150.0, FONT);
    // Below the heading's last line with room for the largest circle's
    // label, which stands level with the circle's top.
    y += LINE * heading.len() as f64 + 6.0 + FONT / 2.0;
    let mut keys = String::new();
    if largest > 0.0 {
        let cx = 8.0 + LARGEST_CIRCLE;
        for value in [largest, largest / 4.0] {
            let r = radius(value);
            let cy = y + 2.0 * LARGEST_CIRCLE - r;
            let _ = write!(
                keys,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#2c7fb8\" fill-opacity=\"0.6\" stroke=\"#253494\" stroke-width=\"0.8\"/>\
                 <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#5f6b76\" stroke-width=\"0.5\"/>\
                 <text x=\"{}\" y=\"{}\">{}</text>",
                number(cx),
                number(cy),
                number(r),
                number(cx),
                number(cy - r),
                number(cx + LARGEST_CIRCLE + 8.0),
                number(cy - r),
                number(cx + LARGEST_CIRCLE + 10.0),
                number(cy - r + 4.0),
                escape(&figure(value, lang))
            );
        }
    }
    let note = text(lang, "map.choropleth.no_circle", &[]);
    push_legend(svg, legend.heading, &[], &[]);
    let _ = write!(
        svg,
        "<g font-family=\"system-ui, sans-serif\" font-size=\"{FONT}\" fill=\"#1a1a1a\">{keys}"
    );
    let mut note_y = y + 2.0 * LARGEST_CIRCLE + 4.0;
    for line in wrap(
        &note.split_whitespace().collect::<Vec<_>>(),
        " ",
        150.0,
        SMALL,
    ) {
        note_y += LINE - 2.0;
        let _ = write!(
            svg,
            "<text x=\"8\" y=\"{}\" font-size=\"{}\">{}</text>",
            number(note_y),
            SMALL,
            escape(&line)
        );
    }
    svg.push_str("</g>");
    // The caption, below the map, over its whole width.
    let caption = text(lang, "map.choropleth.no_boundaries", &[]);
    let lines = wrap(
        &caption.split_whitespace().collect::<Vec<_>>(),
        " ",
        WIDTH - 16.0,
        FONT,
    );
    let top = projection.height;
    let _ = write!(
        svg,
        "<g font-family=\"system-ui, sans-serif\" font-size=\"{FONT}\" fill=\"#1a1a1a\">"
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"8\" y=\"{}\">{}</text>",
            number(top + LINE * (i as f64 + 1.0)),
            escape(line)
        );
    }
    svg.push_str("</g>");
    LINE * lines.len() as f64 + 8.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared CBS boundaries (tests read them from `../shared`).
    fn cbs_boundaries() -> Vec<Boundary> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/nl/municipalities_2025.topojson"
        );
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        crate::formats::boundaries::read_boundaries(&bytes)
            .unwrap()
            .boundaries
    }

    /// A value for every municipality but Amsterdam (suppressed).
    fn areas() -> Vec<MapValue> {
        geo()
            .municipalities()
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let value = (m.code != "GM0363").then_some(i as f64 * 1.5);
                MapValue {
                    code: m.code.clone(),
                    name: m.name.clone(),
                    value,
                    shown: value.map_or("<5".to_string(), |v| figure(v, Language::Nl)),
                }
            })
            .collect()
    }

    fn legend(breaks: Option<[f64; 4]>) -> Legend<'static> {
        Legend {
            id: "kaart",
            title: "Spuiten per gemeente",
            description: "Per 100.000 inwoners <2025>",
            heading: "Spuiten per 100.000 inwoners",
            breaks,
        }
    }

    /// Parses the whole drawing as XML: it is well-formed, or this panics.
    fn well_formed(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!(
                    "not well-formed XML at byte {}: {e}",
                    reader.buffer_position()
                ),
            }
        }
    }

    #[test]
    fn quintiles_break_the_known_values_into_five_classes() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let breaks = quantile_breaks(&values).unwrap();
        assert_eq!(breaks, [2.0, 4.0, 6.0, 8.0]);
        assert_eq!(class_of(1.0, &breaks), 0);
        assert_eq!(class_of(2.0, &breaks), 0);
        assert_eq!(class_of(2.5, &breaks), 1);
        assert_eq!(class_of(100.0, &breaks), 4);
        assert_eq!(quantile_breaks(&[]), None);
        assert_eq!(quantile_breaks(&[3.0]), Some([3.0; 4]));
    }

    #[test]
    fn legend_values_follow_the_readers_notation() {
        assert_eq!(figure(931_298.0, Language::Nl), "931.298");
        assert_eq!(figure(931_298.0, Language::En), "931,298");
        assert_eq!(figure(12.34, Language::Nl), "12,3");
        assert_eq!(figure(0.5, Language::En), "0.5");
        assert_eq!(figure(20.0, Language::Nl), "20");
        assert_eq!(figure(-1234.0, Language::Nl), "-1.234");
    }

    #[test]
    fn with_boundaries_every_municipality_is_a_shaded_path_with_its_name_and_value() {
        let boundaries = cbs_boundaries();
        let svg = choropleth(&areas(), Some(&boundaries), &legend(None), Language::Nl);
        well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"kaart-title\">Spuiten per gemeente</title>"));
        assert!(svg.contains("&lt;2025&gt;"), "text is escaped");
        assert_eq!(
            svg.matches("</path>").count(),
            342,
            "one path per municipality"
        );
        for colour in PALETTE {
            assert!(svg.contains(&format!("<g fill=\"{colour}\">")), "{colour}");
        }
        assert!(svg.contains("<title>Amsterdam: &lt;5</title>"));
        assert!(
            svg.contains("<g fill=\"url(#kaart-none)\">"),
            "suppressed is hatched"
        );
        assert!(
            svg.contains(">geen waarde</text>") && svg.contains(">afgeschermd</text>"),
            "the hatch's label, wrapped"
        );
        assert!(svg.contains(">Spuiten per</text>"), "the legend's heading");
        assert!(!svg.contains("style="), "no inline styles (CSP)");
        assert!(!svg.contains("<circle"));
        assert!(svg.len() < 150_000, "{} bytes", svg.len());
    }

    #[test]
    fn given_breaks_decide_the_classes_and_empty_classes_leave_the_legend() {
        let boundaries = cbs_boundaries();
        let svg = choropleth(
            &areas(),
            Some(&boundaries),
            &legend(Some([1e6, 2e6, 3e6, 4e6])),
            Language::En,
        );
        well_formed(&svg);
        assert!(svg.contains(&format!("<g fill=\"{}\">", PALETTE[0])));
        assert!(!svg.contains(&format!("fill=\"{}\"", PALETTE[1])));
        assert!(
            svg.contains(">suppressed</text>"),
            "the hatch in the legend"
        );
    }

    #[test]
    fn without_boundaries_municipalities_are_circles_and_the_caption_says_why() {
        for loaded in [None, Some(&[][..])] {
            let svg = choropleth(&areas(), loaded, &legend(None), Language::Nl);
            well_formed(&svg);
            // 340 with a value above 0 (Amsterdam is suppressed, the first is 0),
            // and two in the legend.
            assert_eq!(svg.matches("<circle").count(), 340 + 2);
            assert!(svg.contains("<title>Utrecht: "));
            assert!(
                !svg.contains("Amsterdam:"),
                "no circle for a suppressed value"
            );
            let caption = text(Language::Nl, "map.choropleth.no_boundaries", &[]);
            let first_word = caption.split_whitespace().next().unwrap();
            assert!(svg.contains(&format!(">{first_word} ")), "{caption}");
            assert!(!svg.contains("style="));
            assert!(svg.len() < 150_000, "{} bytes", svg.len());
        }
        let english = choropleth(&areas(), None, &legend(None), Language::En);
        assert!(
            english.contains(">Municipal boundaries "),
            "the caption in English"
        );
    }
}
