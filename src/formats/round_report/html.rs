//! The report as one HTML file that needs nothing else: a small inline
//! stylesheet that also prints well, the figures as inline SVG, every
//! figure's numbers as a table too (for screen readers and for copying),
//! tables with captions and header scopes. No script, font, image or
//! address is fetched. The page is `templates/report/round.html`; this
//! file gathers what it shows, in the reader's language.

use std::sync::LazyLock;

use minijinja::{context, Environment, Value};
use serde::Serialize;

use super::*;
use crate::domain::round_report::ServiceTrend;
use crate::formats::chart::{trend_svg, ChartPoint};
use crate::formats::markup::html_formatter;
use crate::formats::svg_map::{render_choropleth, shade_classes, Choropleth};
use crate::formats::table1::html_table;

/// Rows in each farthest-first table.
const FARTHEST_SHOWN: usize = 10;

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;line-height:1.45;color:#1a1a1a;max-width:62rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.3rem}
h2{font-size:1.3rem;border-bottom:2px solid #0b4f8a;padding-bottom:.2rem;margin-top:2.4rem}
h3{font-size:1.08rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem}
.scroll{overflow-x:auto;max-width:100%}
caption{font-weight:bold;text-align:left;padding:.3rem 0}
th,td{border:1px solid #9aa3ad;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#eef2f6}
.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}
svg.vangnet-chart{width:100%;max-width:40rem;height:auto}
svg.vangnet-map{width:100%;max-width:24rem;height:auto}
.note{border-left:4px solid #b35c00;background:#fff6ec;padding:.4rem .8rem}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem}
.meta{color:#444}
@page{margin:15mm}
@media print{body{margin:0;max-width:none}nav{display:none}h2,h3{break-after:avoid}figure,tr{break-inside:avoid}}
";

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_formatter(html_formatter);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_template(
        "round.html",
        include_str!("../../../templates/report/round.html"),
    )
    .unwrap_or_else(|e| panic!("templates/report/round.html does not compile: {e:#}"));
    env
});

/// The report as a self-contained HTML document.
pub fn to_html(report: &RoundReport, lang: Language) -> String {
    let title = title(report, lang);
    let sections: Vec<Value> = sections(lang)
        .into_iter()
        .enumerate()
        .map(|(i, (id, text))| context! { id, number => i + 1, text })
        .collect();
    let round = &report.round;
    let context = context! {
        lang => lang.code(),
        title,
        style => Value::from_safe_string(STYLE.to_string()),
        meta => context! {
            reference_date => t(lang, "report.reference_date"),
            date => day(round.reference_date, lang),
            status => t(lang, "report.status"),
            status_value => status_label(round.status, lang),
            services => t(lang, "report.services"),
            services_value => services_text(&round.services().collect::<Vec<_>>(), lang),
        },
        frozen => report.frozen(),
        standing => standing(report, lang),
        contents => t(lang, "report.contents"),
        sections,
        table1 => Value::from_safe_string(html_table(&report.table, lang)),
        trend => context! {
            intro => t(lang, "report.per_service_the_number_of_public_locatio"),
            figures => report.trends.iter().map(|trend| trend_figure(trend, lang)).collect::<Vec<_>>(),
        },
        changes => changes(report, lang),
        spread => spread(report, lang),
        sources => sources(report, lang),
        footer => fill(
            &t(lang, "report.made_with_vangnet_the_national_register"),
            &[("date", &day(crate::domain::date::today(), lang))],
        ),
    };
    ENVIRONMENT
        .get_template("round.html")
        .and_then(|template| template.render(context))
        .unwrap_or_else(|e| panic!("templates/report/round.html: {e:#}"))
}

/// Section ids and headings, in order.
fn sections(lang: Language) -> [(&'static str, String); 5] {
    [
        ("tabel-1", t(lang, "report.table_1")),
        ("trend", t(lang, "report.trend_across_inventories")),
        ("veranderingen", t(lang, "report.changes")),
        ("spreiding", t(lang, "report.spread_over_the_country")),
        ("bronnen", t(lang, "report.sources")),
    ]
}

/// A column header; `num` right-aligns a column of numbers.
#[derive(Serialize)]
struct Header {
    text: String,
    num: bool,
}

/// Headers of which the columns at the indexes in `numeric` hold numbers.
fn headers(texts: Vec<String>, numeric: &[usize]) -> Vec<Header> {
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Header {
            text,
            num: numeric.contains(&i),
        })
        .collect()
}

fn trend_figure(trend: &ServiceTrend, lang: Language) -> Value {
    let texts = chart_texts(trend.service, lang);
    let id = format!("trend-{}", trend.service.code());
    let points: Vec<ChartPoint> = trend
        .points
        .iter()
        .map(|p| ChartPoint::of(p, lang))
        .collect();
    let name = service_label(trend.service, lang);
    let rows: Vec<Value> = trend
        .points
        .iter()
        .map(|p| {
            context! {
                label => p.label,
                value => printed(p, lang),
                origin => origin_label(p.origin, lang),
                source => p.source_in(lang),
            }
        })
        .collect();
    context! {
        svg => Value::from_safe_string(trend_svg(&id, &points, &texts)),
        caption => texts.title,
        table_caption => fill(&t(lang, "report.the_figures_of_the_chart"), &[("service", &name)]),
        headers => headers(
            vec![
                t(lang, "report.year"),
                t(lang, "report.locations"),
                t(lang, "report.origin"),
                t(lang, "report.source"),
            ],
            &[1],
        ),
        name,
        rows,
    }
}

fn changes(report: &RoundReport, lang: Language) -> Value {
    let sentences: Vec<Value> = sentences(report, lang)
        .into_iter()
        .map(|(service, sentence)| context! { service => service_label(service, lang), sentence })
        .collect();
    let rows: Vec<Value> = report
        .changes
        .facilities
        .iter()
        .map(|c| {
            context! {
                date => c.date.map_or_else(|| unknown(lang), |d| day(d, lang)),
                kind => kind_label(c.kind, lang),
                name => c.name,
                municipality => c.municipality,
                province => c.province,
                before => services_text(&c.services_before, lang),
                after => services_text(&c.services_after, lang),
                source => c.source,
            }
        })
        .collect();
    context! {
        baseline => baseline_text(report, lang),
        sentences,
        rows,
        caption => t(lang, "report.facilities_that_changed"),
        headers => headers(columns(lang, "report.date_change_facility_municipality_provin"), &[]),
        none => t(lang, "report.no_facility_opened_closed_or_changed_its"),
    }
}

fn spread(report: &RoundReport, lang: Language) -> Value {
    let spread = &report.spread;
    let services: Vec<ServiceType> = report.round.services().collect();
    let mut texts = vec![t(lang, "report.province")];
    texts.extend(services.iter().map(|s| service_label(*s, lang)));
    texts.push(t(lang, "report.municipalities_in_the_province"));
    let numeric: Vec<usize> = (1..texts.len()).collect();
    let provinces: Vec<Value> = spread
        .provinces
        .iter()
        .map(|p| {
            context! {
                name => p.name,
                values => services.iter().map(|s| p.locations.get(*s)).collect::<Vec<_>>(),
                municipalities => p.municipalities,
            }
        })
        .collect();
    context! {
        basis => spread_basis(report, lang),
        caption => fill(
            &t(lang, "report.locations_per_province_on"),
            &[("date", &day(spread.as_of, lang))],
        ),
        headers => headers(texts, &numeric),
        provinces,
        national => context! {
            name => t(lang, "report.netherlands"),
            values => services.iter().map(|s| spread.national.get(*s)).collect::<Vec<_>>(),
            municipalities => spread.municipalities.len(),
        },
        services => services
            .iter()
            .map(|s| spread_of_service(report, spread.service(*s), lang))
            .collect::<Vec<_>>(),
    }
}

/// A service's map of the provinces and the municipalities farthest from it.
fn spread_of_service(report: &RoundReport, s: &ServiceSpread, lang: Language) -> Value {
    let spread = &report.spread;
    let name = service_label(s.service, lang);
    let values: Vec<(String, i64)> = spread
        .provinces
        .iter()
        .map(|p| (p.code.clone(), p.locations.get(s.service)))
        .collect();
    let classes = shade_classes(values.iter().map(|(_, n)| *n).max().unwrap_or(0));
    let title = fill(
        &t(lang, "report.map_of_the_provinces_coloured_by_number"),
        &[("service", &name)],
    );
    let listed: Vec<String> = spread
        .provinces
        .iter()
        .zip(&values)
        .map(|(p, (_, n))| format!("{} {n}", p.name))
        .collect();
    let description = fill(
        &t(lang, "report.the_twelve_provinces_coloured_by_the_num"),
        &[
            ("service", &name),
            ("date", &day(spread.as_of, lang)),
            ("values", &listed.join(", ")),
        ],
    );
    let map = render_choropleth(&Choropleth {
        id: &format!("kaart-{}", s.service.code()),
        title: &title,
        description: &description,
        width: 420.0,
        values: &values,
        classes: &classes,
    });
    // Only the classes some province is shaded in.
    let legend: Vec<Value> = classes
        .iter()
        .filter(|c| values.iter().any(|(_, n)| (c.min..=c.max).contains(n)))
        .map(|c| {
            let range = match c.max - c.min {
                0 => c.min.to_string(),
                _ => format!("{}–{}", c.min, c.max),
            };
            context! { fill => c.fill, range }
        })
        .collect();
    let farthest: Vec<Value> = s
        .farthest
        .iter()
        .take(FARTHEST_SHOWN)
        .map(|d| {
            let nearest = if d.nearest_municipality.is_empty() {
                d.nearest_facility.clone()
            } else {
                format!("{} ({})", d.nearest_facility, d.nearest_municipality)
            };
            context! { name => d.name, province => d.province, km => km(d.km, lang), nearest }
        })
        .collect();
    context! {
        reading => reading(report, s, lang),
        map => Value::from_safe_string(map),
        title,
        legend,
        coverage => fill(
            &t(lang, "report.of_the_municipalities_have_at_least_one"),
            &[
                ("n", &s.municipalities.len().to_string()),
                ("all", &spread.municipalities.len().to_string()),
            ],
        ),
        farthest,
        caption => fill(
            &t(lang, "report.the_ten_municipalities_farthest_from_the"),
            &[("service", &name)],
        ),
        headers => headers(columns(lang, "report.municipality_province_distance_km_neares"), &[2]),
        none => t(lang, "report.there_is_no_public_location_of_this_kind"),
        name,
    }
}

fn sources(report: &RoundReport, lang: Language) -> Value {
    let items = [
        (t(lang, "report.table_1"), register_source(report, lang)),
        (t(lang, "report.changes"), baseline_text(report, lang)),
        (t(lang, "report.spread"), spread_basis(report, lang)),
    ]
    .map(|(label, text)| context! { label, text });
    let frozen: Vec<Value> = report
        .frozen
        .iter()
        .map(|f| {
            context! {
                service => service_label(f.service, lang),
                text => frozen_text(&f.facility_ids, lang),
            }
        })
        .collect();
    context! {
        items => items.to_vec(),
        external_heading => t(lang, "report.external_sources"),
        external => report.external_sources,
        none => t(lang, "report.none_every_figure_comes_from_the_registe"),
        frozen,
        frozen_heading => t(lang, "report.frozen_facilities"),
        frozen_intro => t(lang, "report.the_facilities_numbers_in_the_register_e"),
    }
}
