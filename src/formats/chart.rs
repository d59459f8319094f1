//! The trend figure as SVG, drawn on the server: a service's count per
//! inventory round on a time axis, register counts as filled dots joined by
//! a solid line, published (external) figures as hollow dots joined by a
//! dashed one, each dot labelled with its qualified value (`≥30`, `±24`); an
//! unknown count is a gap in the line with a `?` on the axis. The legend is
//! inside the drawing, so a downloaded file explains itself.
//!
//! Like the maps (`svg_map`): `role="img"` with `<title>` and `<desc>` (the
//! desc lists every value, for screen readers), presentation attributes
//! only (no `style`, for the pages' CSP), a few KB. Pages show the same
//! numbers as a table beside it.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::language::Language;
use crate::domain::service::ServiceType;
use crate::domain::table1::Qualifier;
use crate::domain::text::text;
use crate::domain::trend::{Origin, TrendPoint};
use crate::formats::labels::{thin_out, wrap, Anchor, TextBox};
use crate::formats::markup::{escape, number};

/// One value in the trend.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChartPoint {
    /// What the axis says under it: the round's name or year (`2022`).
    pub label: String,
    /// Where it lies on the time axis: the reference date.
    pub date: NaiveDate,
    /// `None` for an unknown count.
    pub value: Option<i64>,
    pub qualifier: Qualifier,
    /// A published figure from an external source rather than a count of the register.
    pub external: bool,
    /// Where the number comes from.
    pub source: String,
}

impl ChartPoint {
    /// A trend point to draw, its source in `language`.
    pub fn of(point: &TrendPoint, language: Language) -> ChartPoint {
        ChartPoint {
            label: point.label.clone(),
            date: point.date,
            value: point.value,
            qualifier: point.qualifier,
            external: point.origin == Origin::External,
            source: point.source_in(language).to_string(),
        }
    }
}

impl ChartPoint {
    fn known(&self) -> Option<i64> {
        self.value.filter(|_| self.qualifier != Qualifier::Unknown)
    }
}

/// The texts drawn in the chart, in the page's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartTexts {
    pub title: String,
    /// Said before the list of values in `<desc>`.
    pub description: String,
    /// Legend: a count of the register.
    pub register: String,
    /// Legend: a figure published elsewhere.
    pub external: String,
    /// Legend: what `≥` and `±` mean.
    pub qualifiers: String,
    /// An unknown count, as printed (`onbekend`).
    pub unknown: String,
    /// The y axis (`locaties`).
    pub y_axis: String,
}

impl ChartTexts {
    /// The texts of `service`'s trend figure in `lang`, from the catalogue.
    pub fn of(lang: Language, service: ServiceType) -> ChartTexts {
        let service = text(lang, &format!("finder.service.{}", service.code()), &[]);
        ChartTexts {
            title: text(lang, "stats.chart.title", &[("service", service.clone())]),
            description: text(lang, "stats.chart.description", &[("service", service)]),
            register: text(lang, "stats.chart.register", &[]),
            external: text(lang, "stats.chart.external", &[]),
            qualifiers: text(lang, "stats.chart.qualifiers", &[]),
            unknown: text(lang, "stats.unknown", &[]),
            y_axis: text(lang, "stats.chart.y_axis", &[]),
        }
    }
}

/// A value as printed: `23`, `≥29`, `±24` or the text for unknown.
pub fn qualified(value: Option<i64>, qualifier: Qualifier, unknown: &str) -> String {
    match (value, qualifier) {
        (None, _) | (_, Qualifier::Unknown) => unknown.to_string(),
        (Some(n), Qualifier::Exact) => n.to_string(),
        (Some(n), Qualifier::AtLeast) => format!("≥{n}"),
        (Some(n), Qualifier::Approximate) => format!("±{n}"),
    }
}

/// Narrow enough that text of [`FONT`] units stays at 11 px or more when the
/// figure shrinks to a 360 px phone (about 328 px wide there), and pages
/// cap its width so the same text is not huge on a desktop.
const WIDTH: f64 = 400.0;
/// Every text in the drawing, in drawing units.
const FONT: f64 = 14.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
/// The plot's own height, between the legend and the year labels.
const PLOT: f64 = 180.0;
/// Below the plot: the year labels.
const BOTTOM: f64 = 34.0;
/// Where the legend's lines start.
const LEGEND_LEFT: f64 = 8.0;
const LINE: f64 = 21.0;
const COLOUR: &str = "#0b4f8a";
const TEXT: &str = "#1a1a1a";
const GRID: &str = "#d0d7de";

/// The trend as a standalone `<svg>` element (also a valid `.svg` file).
pub fn trend_svg(id: &str, points: &[ChartPoint], texts: &ChartTexts) -> String {
    let mut points: Vec<&ChartPoint> = points.iter().collect();
    points.sort_by_key(|p| (p.date, p.external));
    let id = escape(id);
    let mut body = String::with_capacity(4096);
    let legend_bottom = legend(&mut body, texts);
    // The y axis's name, then the plot.
    let top = legend_bottom + LINE + 14.0;
    let height = top + PLOT + BOTTOM;
    let max = points.iter().filter_map(|p| p.known()).max().unwrap_or(0);
    let (top_value, step) = y_scale(max);
    let (plot_top, plot_bottom) = (top, top + PLOT);
    let y = |v: f64| plot_bottom - (v / top_value as f64) * (plot_bottom - plot_top);
    // Grid and y labels.
    let mut grid = String::new();
    let mut v = 0;
    while v <= top_value {
        let gy = y(v as f64).round();
        let _ = write!(grid, "M{LEFT} {gy}H{}", WIDTH - RIGHT);
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{v}</text>",
            LEFT - 6.0,
            gy + 5.0
        );
        v += step;
    }
    let _ = write!(
        body,
        "<path d=\"{grid}\" stroke=\"{GRID}\" stroke-width=\"1\" fill=\"none\"/>\
         <text x=\"{LEGEND_LEFT}\" y=\"{}\">{}</text>",
        number(top - 12.0),
        escape(&texts.y_axis)
    );
    if !points.is_empty() {
        plot(&mut body, &points, texts, &y, plot_bottom);
    }
    let mut svg = String::with_capacity(body.len() + 512);
    let desc = description(&points, texts);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"vangnet-chart\" focusable=\"false\" \
         font-family=\"system-ui, sans-serif\" font-size=\"{FONT}\" fill=\"{TEXT}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{WIDTH}\" height=\"{h}\" fill=\"#ffffff\"/>{body}</svg>",
        escape(&texts.title),
        escape(&desc),
        h = number(height),
    );
    svg
}

/// The lines, the year labels under the axis and the dots with their
/// values, no two labels overlapping: crowded years are thinned (every
/// year keeps a tick), and a value that finds no free place above or below
/// its dot is left to the dot's tooltip, the description and the table.
fn plot(
    svg: &mut String,
    points: &[&ChartPoint],
    texts: &ChartTexts,
    y: &dyn Fn(f64) -> f64,
    plot_bottom: f64,
) {
    let x = x_scale(points);
    // Lines between neighbouring known values; none across an unknown one.
    let mut solid = String::new();
    let mut dashed = String::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (Some(va), Some(vb)) = (a.known(), b.known()) else {
            continue;
        };
        if a.date == b.date {
            continue;
        }
        let target = if a.external || b.external {
            &mut dashed
        } else {
            &mut solid
        };
        let _ = write!(
            target,
            "M{} {}L{} {}",
            number(x(a.date)),
            number(y(va as f64)),
            number(x(b.date)),
            number(y(vb as f64))
        );
    }
    if !solid.is_empty() {
        let _ = write!(
            svg,
            "<path d=\"{solid}\" stroke=\"{COLOUR}\" stroke-width=\"2.5\" fill=\"none\"/>"
        );
    }
    if !dashed.is_empty() {
        let _ = write!(
            svg,
            "<path d=\"{dashed}\" stroke=\"{COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"6 4\" fill=\"none\"/>"
        );
    }
    // Year labels, once per distinct label, thinned where they crowd.
    let mut years: Vec<(&str, NaiveDate)> = Vec::new();
    for p in points {
        if !years.iter().any(|(l, d)| *l == p.label && *d == p.date) {
            years.push((&p.label, p.date));
        }
    }
    let baseline = plot_bottom + 22.0;
    let boxes: Vec<TextBox> = years
        .iter()
        .map(|(label, date)| TextBox::of(label, x(*date), baseline, FONT, Anchor::Middle))
        .collect();
    let mut ticks = String::new();
    for ((label, date), keep) in years.iter().zip(thin_out(&boxes)) {
        let _ = write!(ticks, "M{} {plot_bottom}v5", number(x(*date)));
        if keep {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{baseline}\" text-anchor=\"middle\" class=\"vangnet-chart__year\">{}</text>",
                number(x(*date)),
                escape(label)
            );
        }
    }
    let _ = write!(
        svg,
        "<path d=\"{ticks}\" stroke=\"{TEXT}\" stroke-width=\"1\"/>"
    );
    // Dots and their values; a register count and a published figure of
    // the same day are drawn one over the other, labelled once each side.
    let mut taken: Vec<TextBox> = boxes;
    for (i, p) in points.iter().enumerate() {
        let px = number(x(p.date));
        let twin = points
            .iter()
            .enumerate()
            .any(|(j, q)| j != i && q.date == p.date && q.known().is_some());
        let shown = qualified(p.value, p.qualifier, &texts.unknown);
        let tip = format!("{}: {shown} ({})", p.label, p.source);
        match p.known() {
            Some(v) => {
                let py = y(v as f64);
                let (fill, r, width) = if p.external {
                    ("#ffffff", 6.0, 2.5)
                } else {
                    (COLOUR, 5.0, 1.0)
                };
                let _ = write!(
                    svg,
                    "<circle cx=\"{px}\" cy=\"{}\" r=\"{r}\" fill=\"{fill}\" stroke=\"{COLOUR}\" stroke-width=\"{width}\"><title>{}</title></circle>",
                    number(py),
                    escape(&tip)
                );
                let (dx, anchor) = match (twin, p.external) {
                    (false, _) => (0.0, Anchor::Middle),
                    (true, true) => (-9.0, Anchor::End),
                    (true, false) => (9.0, Anchor::Start),
                };
                let lx = x(p.date) + dx;
                // Above the dot, else below it (inside the plot).
                let place = [py - 11.0, py + 22.0]
                    .into_iter()
                    .filter(|by| *by <= plot_bottom - 4.0)
                    .map(|by| TextBox::of(&shown, lx, by, FONT, anchor))
                    .find(|b| !taken.iter().any(|t| t.collides(b)));
                if let Some(b) = place {
                    taken.push(b);
                    let _ = write!(
                        svg,
                        "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-weight=\"700\">{}</text>",
                        number(lx),
                        number(b.bottom - FONT * 0.25),
                        anchor.attribute(),
                        escape(&shown)
                    );
                }
            }
            None => {
                let _ = write!(
                    svg,
                    "<text x=\"{px}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"700\">?<title>{}</title></text>",
                    number(plot_bottom - 6.0),
                    escape(&tip)
                );
            }
        }
    }
}

/// The legend above the plot, one entry a line (a filled dot on a line,
/// a hollow dot on a dashed one), then what the qualifiers mean, wrapped;
/// returns the baseline of its last line.
fn legend(svg: &mut String, texts: &ChartTexts) -> f64 {
    let (x, text_x) = (LEGEND_LEFT, LEGEND_LEFT + 32.0);
    let _ = write!(
        svg,
        "<path d=\"M{x} 15h24\" stroke=\"{COLOUR}\" stroke-width=\"2.5\"/>\
         <circle cx=\"{}\" cy=\"15\" r=\"5\" fill=\"{COLOUR}\" stroke=\"{COLOUR}\"/>\
         <text x=\"{text_x}\" y=\"20\">{}</text>\
         <path d=\"M{x} {}h24\" stroke=\"{COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
         <circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"#ffffff\" stroke=\"{COLOUR}\" stroke-width=\"2.5\"/>\
         <text x=\"{text_x}\" y=\"{}\">{}</text>",
        x + 12.0,
        escape(&texts.register),
        15.0 + LINE,
        x + 12.0,
        15.0 + LINE,
        20.0 + LINE,
        escape(&texts.external),
    );
    let items: Vec<&str> = texts.qualifiers.split(" · ").collect();
    let mut baseline = 20.0 + LINE;
    for line in wrap(&items, " · ", WIDTH - 2.0 * LEGEND_LEFT, FONT) {
        baseline += LINE;
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{baseline}\">{}</text>",
            escape(&line)
        );
    }
    baseline
}

/// The description followed by every value: `2010: 37 (…); 2022: ≥29 (…)`.
fn description(points: &[&ChartPoint], texts: &ChartTexts) -> String {
    let values: Vec<String> = points
        .iter()
        .map(|p| {
            let origin = if p.external {
                &texts.external
            } else {
                &texts.register
            };
            format!(
                "{}: {} ({})",
                p.label,
                qualified(p.value, p.qualifier, &texts.unknown),
                origin.to_lowercase()
            )
        })
        .collect();
    if values.is_empty() {
        texts.description.clone()
    } else {
        format!("{} {}.", texts.description, values.join("; "))
    }
}

/// The top of the y axis and the step between grid lines: 4 to 6 steps of
/// 1, 2 or 5 times a power of ten, with room above the highest value.
pub(super) fn y_scale(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            let s = step * factor;
            let top = ((max as f64 * 1.1) / s as f64).ceil() as i64 * s;
            if top / s <= 6 {
                return (top.max(s), s);
            }
        }
        step *= 10;
    }
}

/// The x position of a day: years proportionally between the first and
/// last point, with a margin; a single day sits in the middle.
fn x_scale(points: &[&ChartPoint]) -> impl Fn(NaiveDate) -> f64 {
    let year = |d: NaiveDate| d.year() as f64 + d.ordinal0() as f64 / 366.0;
    let first = points
        .iter()
        .map(|p| year(p.date))
        .fold(f64::INFINITY, f64::min);
    let last = points
        .iter()
        .map(|p| year(p.date))
        .fold(f64::NEG_INFINITY, f64::max);
    let (inner_left, inner_right) = (LEFT + 22.0, WIDTH - RIGHT - 22.0);
    move |d: NaiveDate| {
        if last - first < 1e-9 {
            (inner_left + inner_right) / 2.0
        } else {
            inner_left + (year(d) - first) / (last - first) * (inner_right - inner_left)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(year: i32, value: Option<i64>, qualifier: Qualifier, external: bool) -> ChartPoint {
        ChartPoint {
            label: year.to_string(),
            date: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
            value,
            qualifier,
            external,
            source: if external { "Trimbos" } else { "vangnet" }.into(),
        }
    }

    fn texts() -> ChartTexts {
        ChartTexts {
            title: "Gebruiksruimten <per jaar>".into(),
            description: "Aantal locaties per inventarisatie.".into(),
            register: "Register".into(),
            external: "Gepubliceerd".into(),
            qualifiers: "≥ ten minste, ± ongeveer, ? onbekend".into(),
            unknown: "onbekend".into(),
            y_axis: "locaties".into(),
        }
    }

    #[test]
    fn published_figures_are_hollow_and_qualifiers_are_printed() {
        let points = [
            point(2010, Some(37), Qualifier::Exact, true),
            point(2018, Some(24), Qualifier::Approximate, true),
            point(2000, Some(30), Qualifier::AtLeast, true),
            point(2022, Some(24), Qualifier::Exact, false),
            point(2026, Some(23), Qualifier::Exact, false),
        ];
        let svg = trend_svg("trend", &points, &texts());
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"trend-title\">Gebruiksruimten &lt;per jaar&gt;</title>"));
        // Hollow: three data dots and the legend's.
        assert_eq!(svg.matches("fill=\"#ffffff\" stroke=").count(), 4);
        assert!(svg.contains(">≥30<") && svg.contains(">±24<") && svg.contains(">37<"));
        assert!(
            svg.contains("stroke-dasharray"),
            "published figures are joined by a dashed line"
        );
        assert!(
            svg.contains("2000: ≥30 (gepubliceerd); 2010: 37"),
            "sorted by date in the desc"
        );
        assert!(!svg.contains("style="));
        assert!(svg.len() < 8_000, "{} bytes", svg.len());
    }

    #[test]
    fn an_unknown_count_is_a_gap_with_a_question_mark() {
        let points = [
            point(2018, Some(10), Qualifier::Exact, false),
            point(2022, None, Qualifier::Unknown, true),
            point(2026, Some(12), Qualifier::Exact, false),
        ];
        let svg = trend_svg("t", &points, &texts());
        assert!(svg.contains(">?<title>2022: onbekend"));
        assert!(
            !svg.contains("stroke-width=\"2.5\" fill=\"none\""),
            "no line across the gap"
        );
        assert_eq!(
            svg.matches("<circle").count(),
            2 + 2,
            "two dots and the legend's two"
        );
    }

    #[test]
    fn consecutive_years_do_not_print_over_each_other() {
        let points: Vec<ChartPoint> = [2000, 2010, 2013, 2014, 2018, 2022, 2026]
            .into_iter()
            .map(|y| point(y, Some(30), Qualifier::Exact, true))
            .collect();
        let svg = trend_svg("t", &points, &texts());
        assert!(!svg.contains("2013014"));
        let years: Vec<(f64, String)> = svg
            .split("<text x=\"")
            .skip(1)
            .filter(|t| t.contains("vangnet-chart__year"))
            .map(|t| {
                let x: f64 = t[..t.find('"').unwrap()].parse().unwrap();
                let label = t[t.find('>').unwrap() + 1..t.find('<').unwrap()].to_string();
                (x, label)
            })
            .collect();
        let labels: Vec<&str> = years.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels.first(), Some(&"2000"));
        assert_eq!(labels.last(), Some(&"2026"));
        assert!(labels.len() < 7, "crowded years are thinned: {labels:?}");
        for pair in years.windows(2) {
            let a = TextBox::of(&pair[0].1, pair[0].0, 0.0, FONT, Anchor::Middle);
            let b = TextBox::of(&pair[1].1, pair[1].0, 0.0, FONT, Anchor::Middle);
            assert!(!a.collides(&b), "{pair:?}");
        }
        assert_eq!(
            svg.matches("</title></circle>").count(),
            7,
            "every dot keeps its tooltip"
        );
    }

    #[test]
    fn the_y_axis_has_a_few_round_steps_above_the_highest_value() {
        assert_eq!(y_scale(37), (50, 10));
        assert_eq!(y_scale(3), (4, 1));
        assert_eq!(y_scale(0), (2, 1));
        let (top, step) = y_scale(1_468_258);
        assert!(top >= 1_468_258 && top / step <= 6);
        assert_eq!(qualified(Some(29), Qualifier::AtLeast, "onbekend"), "≥29");
        assert_eq!(qualified(None, Qualifier::Exact, "unknown"), "unknown");
    }
}
