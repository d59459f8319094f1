//! A metric's months as an SVG bar chart, drawn on the server (the
//! dashboards): one bar per month over two years, last year's lighter, a
//! "<5" or "x" written where a figure is suppressed and nothing where there
//! is none, the years under their months and the legend inside, so a
//! downloaded file explains itself. And a percentage day by day as a
//! step line ([`step_chart`], a campaign's response rate) on the same grid
//! and frame.
//!
//! Like the trend figure (`chart`): `role="img"` with `<title>` and a
//! `<desc>` that lists every month, presentation attributes only (no
//! `style`, for the pages' CSP), a few KB. Pages show the same numbers as
//! a table beside it.

use std::fmt::Write;

use super::chart::y_scale;
use super::markup::{escape, number};

/// One month (or quarter: `2025-Q1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// `2025-03`.
    pub period: String,
    /// The month in words for the description (`maart 2025`).
    pub label: String,
    /// The number drawn, when it may be shown.
    pub value: Option<i64>,
    /// As the table shows it: `1.234`, `<5`, `x` or `–`.
    pub shown: String,
}

/// The texts of one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BarTexts {
    pub title: String,
    /// The y axis: the unit.
    pub unit: String,
    /// The two years' names in the legend, earlier first.
    pub years: [String; 2],
    /// Says what "<5" and "x" mean, when a bar shows one.
    pub suppressed: String,
}

const WIDTH: f64 = 400.0;
const FONT: f64 = 14.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 50.0;
const PLOT: f64 = 150.0;
const BOTTOM: f64 = 30.0;
const CURRENT: &str = "#0b4f8a";
const EARLIER: &str = "#8db3d4";
const TEXT: &str = "#1a1a1a";
const GRID: &str = "#d0d7de";

/// The chart as a standalone `<svg>` element (also a valid `.svg` file).
/// `bars` are the months in order; the first half is the earlier year.
pub fn bar_chart(id: &str, bars: &[Bar], texts: &BarTexts) -> String {
    let id = escape(id);
    let max = bars.iter().filter_map(|b| b.value).max().unwrap_or(0);
    let (top_value, step) = y_scale(max);
    let bottom = TOP + PLOT;
    let y = |v: f64| bottom - v / top_value as f64 * PLOT;
    let mut body = String::with_capacity(4096);
    // Legend: two swatches and the unit.
    for (i, (year, colour)) in texts.years.iter().zip([EARLIER, CURRENT]).enumerate() {
        let x = 8.0 + i as f64 * 110.0;
        let _ = write!(
            body,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"17\">{}</text>",
            x + 17.0,
            escape(year)
        );
    }
    let _ = write!(
        body,
        "<text x=\"8\" y=\"{}\">{}</text>",
        TOP - 12.0,
        escape(&texts.unit)
    );
    grid(&mut body, top_value, step, &y, "");
    // Bars, and the marks of suppressed months.
    let n = bars.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    let half = bars.len() / 2;
    let mut marks = false;
    for (i, bar) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64;
        let colour = if i < half { EARLIER } else { CURRENT };
        match bar.value {
            Some(value) => {
                let top = y(value as f64);
                let _ = write!(
                    body,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\">\
                     <title>{}: {}</title></rect>",
                    number(x + 1.5),
                    number(top),
                    number((slot - 3.0).max(1.0)),
                    number((bottom - top).max(0.5)),
                    escape(&bar.label),
                    escape(&bar.shown)
                );
            }
            None if bar.shown == "<5" || bar.shown == "x" => {
                marks = true;
                let _ = write!(
                    body,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12.5\">{}<title>{}: {}</title></text>",
                    number(x + slot / 2.0),
                    bottom - 4.0,
                    escape(&bar.shown),
                    escape(&bar.label),
                    escape(&bar.shown)
                );
            }
            None => {}
        }
    }
    // The x axis: a tick at each January (or first quarter), the year under
    // its months.
    let mut ticks = format!("M{LEFT} {bottom}H{}", WIDTH - RIGHT);
    for (i, bar) in bars.iter().enumerate() {
        if bar.period.ends_with("-01") || bar.period.ends_with("-Q1") {
            let x = LEFT + slot * i as f64;
            let _ = write!(ticks, "M{} {bottom}v6", number(x));
            let year = bar.period.get(..4).unwrap_or_default();
            let months = bars[i..]
                .iter()
                .take_while(|b| b.period.starts_with(year))
                .count() as f64;
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                number(x + slot * months / 2.0),
                bottom + 20.0,
                escape(year)
            );
        }
    }
    let _ = write!(
        body,
        "<path d=\"{ticks}\" stroke=\"{TEXT}\" stroke-width=\"1\" fill=\"none\"/>"
    );
    let height = bottom + BOTTOM + if marks { 18.0 } else { 0.0 };
    if marks {
        let _ = write!(
            body,
            "<text x=\"8\" y=\"{}\" font-size=\"13\">{}</text>",
            bottom + BOTTOM + 10.0,
            escape(&texts.suppressed)
        );
    }
    let desc: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect();
    frame(&id, &texts.title, &desc.join("; "), height, &body)
}

/// The horizontal grid lines and their values on the left (`suffix`
/// after each, such as `%`).
fn grid(body: &mut String, top_value: i64, step: i64, y: &dyn Fn(f64) -> f64, suffix: &str) {
    let mut grid = String::new();
    let mut v = 0;
    while v <= top_value {
        let gy = y(v as f64).round();
        let _ = write!(grid, "M{LEFT} {gy}H{}", WIDTH - RIGHT);
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}{}</text>",
            LEFT - 5.0,
            gy + 5.0,
            short(v),
            escape(suffix)
        );
        v += step;
    }
    let _ = write!(
        body,
        "<path d=\"{grid}\" stroke=\"{GRID}\" stroke-width=\"1\" fill=\"none\"/>"
    );
}

/// The `<svg>` element around a chart's drawing, with its title and the
/// description that lists every value. `id` is escaped already.
fn frame(id: &str, title: &str, desc: &str, height: f64, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"vangnet-chart\" focusable=\"false\" \
         font-family=\"system-ui, sans-serif\" font-size=\"{FONT}\" fill=\"{TEXT}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{WIDTH}\" height=\"{h}\" fill=\"#ffffff\"/>{body}</svg>",
        escape(title),
        escape(desc),
        h = number(height),
    )
}

/// One day of a [`step_chart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The day as the axis and the description say it (`4 dec`).
    pub label: String,
    /// A percentage (0 to 100), when there is one that day.
    pub percent: Option<f64>,
    /// As the table shows it: `41,7%` or `–`.
    pub shown: String,
}

/// The texts of a step chart.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTexts {
    pub title: String,
    /// The y axis (`antwoordpercentage`).
    pub unit: String,
}

/// A percentage day by day as a step line over a 0–100% axis (a
/// campaign's response rate), on the same grid, frame and description as
/// [`bar_chart`]: each day holds its value until the next; the first and
/// the last day are named under the axis.
pub fn step_chart(id: &str, steps: &[Step], texts: &StepTexts) -> String {
    let id = escape(id);
    let bottom = TOP + PLOT;
    let y = |v: f64| bottom - v.clamp(0.0, 100.0) / 100.0 * PLOT;
    let mut body = String::with_capacity(2048);
    let _ = write!(
        body,
        "<text x=\"8\" y=\"{}\">{}</text>",
        TOP - 12.0,
        escape(&texts.unit)
    );
    grid(&mut body, 100, 20, &y, "%");
    let slot = (WIDTH - LEFT - RIGHT) / steps.len().max(1) as f64;
    let mut line = String::new();
    for (i, step) in steps.iter().enumerate() {
        let Some(percent) = step.percent else {
            continue;
        };
        let (x, sy) = (LEFT + slot * i as f64, number(y(percent)));
        let joined = i > 0 && steps[i - 1].percent.is_some();
        if joined {
            let _ = write!(line, "V{sy}H{}", number(x + slot));
        } else {
            let _ = write!(line, "M{} {sy}H{}", number(x), number(x + slot));
        }
        // A strip per day that names its value on hover.
        let _ = write!(
            body,
            "<rect x=\"{}\" y=\"{TOP}\" width=\"{}\" height=\"{PLOT}\" fill=\"#ffffff\" fill-opacity=\"0\">\
             <title>{}: {}</title></rect>",
            number(x),
            number(slot),
            escape(&step.label),
            escape(&step.shown)
        );
    }
    let _ = write!(
        body,
        "<path d=\"{line}\" stroke=\"{CURRENT}\" stroke-width=\"2.5\" fill=\"none\"/>\
         <path d=\"M{LEFT} {bottom}H{}\" stroke=\"{TEXT}\" stroke-width=\"1\" fill=\"none\"/>",
        WIDTH - RIGHT
    );
    if let (Some(first), Some(last)) = (steps.first(), steps.last()) {
        let _ = write!(
            body,
            "<text x=\"{LEFT}\" y=\"{}\">{}</text>",
            bottom + 20.0,
            escape(&first.label)
        );
        if steps.len() > 1 {
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                WIDTH - RIGHT,
                bottom + 20.0,
                escape(&last.label)
            );
        }
    }
    let desc: Vec<String> = steps
        .iter()
        .map(|s| format!("{}: {}", s.label, s.shown))
        .collect();
    frame(&id, &texts.title, &desc.join("; "), bottom + BOTTOM, &body)
}

/// An axis value, short: `900`, `12k`, `1.5M`.
fn short(v: i64) -> String {
    match v {
        v if v >= 1_000_000 => format!("{}M", number(v as f64 / 1_000_000.0)),
        v if v >= 10_000 => format!("{}k", number(v as f64 / 1_000.0)),
        v => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<Bar> {
        (0..24)
            .map(|i| {
                let (year, month) = (2024 + i / 12, i % 12 + 1);
                let value = match i {
                    3 => None,
                    20 => None,
                    _ => Some(100 + i as i64 * 10),
                };
                Bar {
                    period: format!("{year}-{month:02}"),
                    label: format!("{month}/{year}"),
                    value,
                    shown: match i {
                        3 => "<5".into(),
                        20 => "–".into(),
                        _ => value.unwrap().to_string(),
                    },
                }
            })
            .collect()
    }

    #[test]
    fn every_month_is_a_bar_or_a_mark_and_the_description_lists_them() {
        let svg = bar_chart(
            "visits",
            &bars(),
            &BarTexts {
                title: "Bezoeken".into(),
                unit: "bezoeken".into(),
                years: ["2024".into(), "2025".into()],
                suppressed: "<5: minder dan 5".into(),
            },
        );
        assert_eq!(
            svg.matches("<rect x=").count(),
            22 + 2,
            "22 bars and 2 swatches"
        );
        assert!(svg.contains(">&lt;5<title>4/2024: &lt;5</title>"), "{svg}");
        assert!(
            svg.contains("9/2025: –"),
            "a month without a figure is described"
        );
        assert!(
            svg.contains("&lt;5: minder dan 5"),
            "the legend explains the mark"
        );
        assert!(!svg.contains("style="));
        assert!(svg.contains(">2024</text>") && svg.contains(">2025</text>"));
        assert!(svg.len() < 8_000, "{} bytes", svg.len());
    }

    #[test]
    fn a_step_chart_holds_each_day_until_the_next_and_describes_every_day() {
        let steps: Vec<Step> = [Some(0.0), Some(50.0), None, Some(75.0)]
            .iter()
            .enumerate()
            .map(|(i, p)| Step {
                label: format!("{} dec", i + 1),
                percent: *p,
                shown: p.map(|p| format!("{p}%")).unwrap_or("–".into()),
            })
            .collect();
        let svg = step_chart(
            "rate",
            &steps,
            &StepTexts {
                title: "Antwoordpercentage".into(),
                unit: "% beantwoord".into(),
            },
        );
        // 0% at the bottom (200), 50% halfway (125), then a gap, then 75%.
        assert!(
            svg.contains("d=\"M48 200H134V125H220M306 87.5H392\""),
            "{svg}"
        );
        assert!(svg.contains("<title>2 dec: 50%</title>"));
        assert!(svg.contains("1 dec: 0%; 2 dec: 50%; 3 dec: –; 4 dec: 75%"));
        assert!(
            svg.contains(">100%</text>")
                && svg.contains(">1 dec</text>")
                && svg.contains(">4 dec</text>")
        );
        assert!(!svg.contains("style="));
    }

    #[test]
    fn axis_values_are_short() {
        assert_eq!(short(900), "900");
        assert_eq!(short(12_000), "12k");
        assert_eq!(short(1_500_000), "1.5M");
    }
}
