//! What `dashboards/dashboard.html` shows of a [`Dashboard`]: the indicator
//! tiles, per metric its chart and its table, the comparison and the map,
//! every figure written as [`Figure::shown`] says (`1.234`, `<5`, `x`,
//! `.`, `–`).

use chrono::Datelike;
use minijinja::{context, Value};
use serde::Serialize;

use super::super::finder::service_label;
use super::super::Page;
use crate::dashboards::dashboard::{Dashboard, MetricPanel};
use crate::dashboards::download::legend;
use crate::dashboards::indicators::{area_name, IndicatorAnswer};
use crate::dashboards::map::MunicipalMap;
use crate::dashboards::public::Figure;
use crate::domain::date::today;
use crate::domain::figure::NATIONAL;
use crate::domain::geo::geo;
use crate::domain::hours::date_in_words;
use crate::domain::indicator::{Band, IndicatorRow};
use crate::domain::language::Language;
use crate::domain::metric::Aggregation;
use crate::domain::number::written;
use crate::domain::table1::Qualifier;
use crate::domain::text::catalogue;
use crate::formats::svg_choropleth::{choropleth, Legend, MapValue};
use crate::formats::svg_series::{bar_chart, Bar, BarTexts};

/// Where the page is and who reads it.
pub(super) struct Place<'a> {
    /// `/cijfers/dashboard` or `/beheer/dashboard`.
    pub base: &'a str,
    /// This page's path, for its forms and downloads.
    pub here: &'a str,
    /// Live, exact figures (staff).
    pub staff: bool,
    /// The reader acts for one organisation (its figures only).
    pub organisation_role: bool,
}

#[derive(Debug, Serialize)]
struct Link {
    href: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct TileRow {
    /// The service, for indicators with a row per service.
    label: Option<String>,
    value: String,
    has_value: bool,
    band: Option<&'static str>,
    band_text: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct Tile {
    code: &'static str,
    name: String,
    href: String,
    unit: String,
    /// The international bands in words, or that there are none.
    bands: String,
    per_service: bool,
    rows: Vec<TileRow>,
    /// Why no row has a value (one note for all of them).
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct MonthRow {
    name: String,
    previous: String,
    this: String,
}

#[derive(Debug, Serialize)]
struct Panel {
    code: String,
    name: String,
    /// The name with its unit, where the unit says more than the name.
    label: String,
    /// What the year's figure is: a total, an average, the last value.
    year_label: String,
    year: String,
    previous_year: String,
    svg: Value,
    months: Vec<MonthRow>,
    /// The rows are quarters (the metric is not published by month).
    by_quarter: bool,
}

#[derive(Debug, Serialize)]
struct CompareRow {
    name: String,
    href: Option<String>,
    values: Vec<String>,
}

#[derive(Debug, Serialize)]
struct MapRow {
    name: String,
    figure: String,
    inhabitants: String,
    rate: String,
}

/// A number as the page writes it.
fn whole(value: i64, lang: Language) -> String {
    written(value as f64, 0, lang)
}

fn shown(figure: &Figure, lang: Language) -> String {
    figure.shown(|v| whole(v, lang))
}

/// A metric's unit in the reader's language, where the catalogue has it.
fn unit(unit: &str, lang: Language) -> String {
    catalogue(lang)
        .get(&format!("dashboards.unit.{unit}"))
        .cloned()
        .unwrap_or_else(|| unit.to_string())
}

/// `?jaar=2025` for links that keep a year other than this one.
fn year_query(year: i32) -> String {
    if year == today().year() {
        String::new()
    } else {
        format!("?jaar={year}")
    }
}

/// Now, as the page says when it was computed: `4 december 2026, 18:47`.
fn computed_at(lang: Language) -> String {
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam);
    format!(
        "{}, {}",
        date_in_words(now.date_naive(), lang),
        now.format("%H:%M")
    )
}

/// The context of the dashboard template.
pub(super) fn dashboard(
    page: &Page,
    board: &Dashboard,
    map: Option<&MunicipalMap>,
    place: &Place,
) -> Value {
    let lang = page.lang;
    let months_of_year: Vec<String> = page
        .text("hours.months")
        .split('|')
        .map(str::to_string)
        .collect();
    let title = page.text_with(
        &format!("dashboards.title.{}", board.level),
        &[("name", board.name.clone())],
    );
    let panels: Vec<Panel> = board
        .metrics
        .iter()
        .map(|panel| panel_view(page, board, panel, &months_of_year))
        .collect();
    let tiles: Vec<Tile> = board
        .indicators
        .iter()
        .map(|answer| tile(page, answer))
        .collect();
    let comparison = board.compares.as_deref().map(|kind| {
        let rows: Vec<CompareRow> = board
            .comparison
            .iter()
            .map(|row| CompareRow {
                name: row.name.clone(),
                href: row
                    .href
                    .as_ref()
                    .map(|h| format!("{h}{}", year_query(board.year))),
                values: row.values.iter().map(|f| shown(f, lang)).collect(),
            })
            .collect();
        context! {
            heading => page.text(&format!("dashboards.comparison.{kind}")),
            caption => page.text_with(&format!("dashboards.comparison.{kind}_caption"), &[("year", board.year.to_string())]),
            first => page.text(&format!("dashboards.comparison.{kind}_column")),
            metrics => board.metrics.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
            rows,
        }
    });
    let downloads = |format: &str| format!("{}?jaar={}&formaat={format}", place.here, board.year);
    context! {
        title,
        name => board.name,
        level => board.level,
        code => board.code,
        year => board.year,
        live => place.staff,
        organisation_role => place.organisation_role,
        computed => computed_at(lang),
        crumbs => crumbs(page, board, place),
        legend => legend(lang),
        tiles,
        panels,
        comparison,
        map => map.map(|m| map_view(page, m, place)),
        map_metrics => board.metrics.iter().map(|m| (m.code.clone(), m.name.clone())).collect::<Vec<_>>(),
        csv_url => downloads("csv"),
        xlsx_url => downloads("xlsx"),
        json_url => downloads("json"),
        indicators_url => format!("/cijfers/indicatoren?jaar={}", board.year.min(today().year())),
    }
}

/// The areas above this one, each a link to its dashboard.
fn crumbs(page: &Page, board: &Dashboard, place: &Place) -> Vec<Link> {
    let year = year_query(board.year);
    let country = Link {
        href: format!("{}{year}", place.base),
        name: area_name(NATIONAL, page.lang),
    };
    match board.level.as_str() {
        "province" => vec![country],
        "municipality" => {
            let mut links = vec![country];
            if let Some(m) = geo().municipality(&board.code) {
                links.push(Link {
                    href: format!("{}/{}{year}", place.base, m.province_code),
                    name: m.province_name.clone(),
                });
            }
            links
        }
        "organisation" | "facility" if !place.organisation_role => vec![country],
        _ => Vec::new(),
    }
}

fn panel_view(page: &Page, board: &Dashboard, panel: &MetricPanel, names: &[String]) -> Panel {
    let lang = page.lang;
    let year = board.year;
    let value = |figure: &crate::dashboards::public::Figure| match figure.state {
        crate::dashboards::public::FigureState::Value => figure.value,
        _ => None,
    };
    // By quarter when the metric is not published by month.
    let by_quarter = !panel.quarters.is_empty();
    let quarter_names: Vec<String> = (1..=4)
        .map(|q| page.text_with("dashboards.quarter.name", &[("quarter", q.to_string())]))
        .collect();
    let bars: Vec<Bar> = if by_quarter {
        [year - 1, year]
            .into_iter()
            .flat_map(|y| (1..=4).map(move |q| (y, q)))
            .zip(&panel.quarters)
            .map(|((y, q), figure)| Bar {
                period: format!("{y}-Q{q}"),
                label: format!("{} {y}", quarter_names[q - 1]),
                value: value(figure),
                shown: shown(figure, lang),
            })
            .collect()
    } else {
        board
            .months
            .iter()
            .zip(&panel.months)
            .map(|(period, figure)| {
                let month: usize = period.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
                Bar {
                    period: period.clone(),
                    label: format!(
                        "{} {}",
                        names.get(month - 1).cloned().unwrap_or_default(),
                        period.get(..4).unwrap_or_default()
                    ),
                    value: value(figure),
                    shown: shown(figure, lang),
                }
            })
            .collect()
    };
    let unit_text = unit(&panel.unit, lang);
    let svg = bar_chart(
        &format!("grafiek-{}", panel.code),
        &bars,
        &BarTexts {
            title: page.text_with(
                if by_quarter {
                    "dashboards.chart.title_quarter"
                } else {
                    "dashboards.chart.title"
                },
                &[
                    ("metric", panel.name.clone()),
                    ("previous", (year - 1).to_string()),
                    ("year", year.to_string()),
                ],
            ),
            unit: unit_text.clone(),
            years: [(year - 1).to_string(), year.to_string()],
            suppressed: page.text("dashboards.chart.marks"),
        },
    );
    let (names, figures, half) = if by_quarter {
        (&quarter_names[..], &panel.quarters, 4)
    } else {
        (names, &panel.months, 12)
    };
    let months = (0..half)
        .map(|m| MonthRow {
            name: names.get(m).cloned().unwrap_or_default(),
            previous: shown(&figures[m], lang),
            this: shown(&figures[m + half], lang),
        })
        .collect();
    // "Folie uitgegeven (vellen)", but "Bezoeken", not "Bezoeken (bezoeken)".
    let label = if unit_text.eq_ignore_ascii_case(&panel.name) {
        panel.name.clone()
    } else {
        format!("{} ({unit_text})", panel.name)
    };
    Panel {
        code: panel.code.clone(),
        name: panel.name.clone(),
        label,
        year_label: page.text(&format!(
            "dashboards.year.{}",
            match panel.aggregation {
                Aggregation::Sum => "sum",
                Aggregation::Average => "average",
                Aggregation::Last => "last",
            }
        )),
        year: shown(&panel.year, lang),
        previous_year: shown(&panel.previous_year, lang),
        svg: Value::from_safe_string(svg),
        months,
        by_quarter,
    }
}

/// An indicator's value as the page writes it: the qualifier's sign, the
/// number (one decimal), and for the "beyond" indicators the share.
fn indicator_value(page: &Page, row: &IndicatorRow) -> String {
    let lang = page.lang;
    let Some(value) = row.value else {
        return if row.suppressed {
            page.text("dashboards.indicator.suppressed")
        } else {
            page.text("dashboards.indicator.none")
        };
    };
    let number = written(value, 1, lang);
    let number = match row.share {
        Some(share) => format!("{number} ({} %)", written(share, 1, lang)),
        None => number,
    };
    match row.qualifier {
        Qualifier::Exact => number,
        Qualifier::AtLeast => format!("≥ {number}"),
        Qualifier::Approximate => format!("± {number}"),
        Qualifier::Unknown => format!("{number} ({})", page.text("table1.unknown")),
    }
}

fn band_text(page: &Page, band: Band) -> String {
    page.text(&format!("dashboards.band.{}", band.code()))
}

/// The bands of an indicator in words, or that there are none.
pub(super) fn bands_text(page: &Page, answer: &IndicatorAnswer) -> String {
    match answer.bands {
        Some(bands) => {
            let lang = page.lang;
            let text = page.text_with(
                "dashboards.bands",
                &[
                    ("medium", written(bands.medium_from, 1, lang)),
                    ("high", written(bands.high_from, 1, lang)),
                ],
            );
            match bands.target {
                Some(target) => format!(
                    "{text} {}",
                    page.text_with(
                        "dashboards.bands_target",
                        &[("target", written(target, 1, lang))]
                    )
                ),
                None => text,
            }
        }
        None => page.text("dashboards.band.none"),
    }
}

pub(super) fn tile_rows(page: &Page, answer: &IndicatorAnswer) -> Vec<TileRowView> {
    answer
        .rows
        .iter()
        .map(|row| TileRowView {
            area: row.area.clone(),
            area_name: row.area_name.clone(),
            service: row.service.map(|s| service_label(page, s)),
            value: indicator_value(page, row),
            has_value: row.value.is_some(),
            band: row.band.map(Band::code),
            band_text: row.band.map(|b| band_text(page, b)),
            note: row.note.clone(),
        })
        .collect()
}

/// One row of an indicator, as the tiles and the indicator pages write it.
#[derive(Debug, Serialize)]
pub(super) struct TileRowView {
    pub area: String,
    pub area_name: String,
    pub service: Option<String>,
    pub value: String,
    pub has_value: bool,
    pub band: Option<&'static str>,
    pub band_text: Option<String>,
    pub note: Option<String>,
}

fn tile(page: &Page, answer: &IndicatorAnswer) -> Tile {
    let rows = tile_rows(page, answer);
    let any_value = answer.rows.iter().any(|r| r.value.is_some());
    // Per service without any value: one note for all (they share it).
    let (rows, note) = if answer.code.per_service() && !any_value {
        (Vec::new(), rows.first().and_then(|r| r.note.clone()))
    } else {
        (
            rows.into_iter()
                .map(|r| TileRow {
                    label: r.service,
                    value: r.value,
                    has_value: r.has_value,
                    band: r.band,
                    band_text: r.band_text,
                    note: r.note,
                })
                .collect(),
            None,
        )
    };
    Tile {
        code: answer.code.code(),
        name: answer.name.clone(),
        href: format!(
            "/cijfers/indicatoren/{}?jaar={}",
            answer.code.code(),
            answer.year
        ),
        unit: answer.unit.clone(),
        bands: bands_text(page, answer),
        per_service: answer.code.per_service(),
        rows,
        note,
    }
}

fn map_view(page: &Page, map: &MunicipalMap, place: &Place) -> Value {
    let lang = page.lang;
    let per_inhabitants = map.per_inhabitants;
    let values: Vec<MapValue> = map
        .areas
        .iter()
        .map(|a| {
            let figure = shown(&a.figure, lang);
            let (value, shown_text) = if per_inhabitants {
                match a.per_100k {
                    Some(rate) => (Some(rate), written(rate, 1, lang)),
                    None if a.inhabitants.is_none() && a.figure.value.is_some() => {
                        (None, page.text("dashboards.map.no_population"))
                    }
                    None => (None, figure.clone()),
                }
            } else {
                (a.figure.value.map(|v| v as f64), figure.clone())
            };
            MapValue {
                code: a.code.clone(),
                name: a.name.clone(),
                value,
                shown: shown_text,
            }
        })
        .collect();
    let heading = if per_inhabitants {
        page.text_with(
            "dashboards.map.per_100k",
            &[("metric", map.metric_name.clone())],
        )
    } else {
        page.text_with(
            "dashboards.map.absolute",
            &[
                ("metric", map.metric_name.clone()),
                ("year", map.year.to_string()),
            ],
        )
    };
    let title = page.text_with(
        "dashboards.map.title",
        &[
            ("metric", map.metric_name.clone()),
            ("year", map.year.to_string()),
        ],
    );
    let description = page.text_with(
        "dashboards.map.description",
        &[("count", map.areas.len().to_string())],
    );
    let svg = choropleth(
        &values,
        Some(&map.boundaries),
        &Legend {
            id: "kaart-gemeenten",
            title: &title,
            description: &description,
            heading: &heading,
            breaks: None,
        },
        lang,
    );
    let rows: Vec<MapRow> = map
        .areas
        .iter()
        .zip(&values)
        .map(|(a, v)| MapRow {
            name: a.name.clone(),
            figure: shown(&a.figure, lang),
            inhabitants: a.inhabitants.map_or_else(|| "–".into(), |n| whole(n, lang)),
            rate: if per_inhabitants {
                v.shown.clone()
            } else {
                String::new()
            },
        })
        .collect();
    context! {
        title,
        heading,
        svg => Value::from_safe_string(svg),
        per_inhabitants,
        selected => map.metric,
        rows,
        action => place.here,
    }
}
