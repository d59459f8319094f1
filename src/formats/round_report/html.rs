//! The report as one HTML file that needs nothing else: a small inline
//! stylesheet that also prints well, the figures as inline SVG, every
//! figure's numbers as a table too (for screen readers and for copying),
//! tables with captions and header scopes. No script, font, image or
//! address is fetched.

use std::fmt::Write;

use super::*;
use crate::domain::round_report::ServiceTrend;
use crate::formats::chart::{trend_svg, ChartPoint};
use crate::formats::markup::escape;
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

/// The report as a self-contained HTML document.
pub fn to_html(report: &RoundReport, lang: Language) -> String {
    let mut out = String::with_capacity(160 * 1024);
    let title = title(report, lang);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        escape(&title)
    );
    header(&mut out, report, lang, &title);
    out.push_str("<main>\n");
    table1_section(&mut out, report, lang);
    trend_section(&mut out, report, lang);
    changes_section(&mut out, report, lang);
    spread_section(&mut out, report, lang);
    sources_section(&mut out, report, lang);
    let _ = write!(
        out,
        "</main>\n<footer><p class=\"meta\"><small>{}</small></p></footer>\n</body>\n</html>\n",
        escape(&fill(
            &t(lang, "report.made_with_vangnet_the_national_register"),
            &[("date", &day(crate::domain::date::today(), lang))],
        ))
    );
    out
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

fn heading(out: &mut String, lang: Language, index: usize) {
    let [section, ..] = &sections(lang)[index..] else {
        return;
    };
    let (id, text) = (section.0, section.1.as_str());
    let _ = write!(
        out,
        "<section id=\"{id}\">\n<h2>{}. {}</h2>\n",
        index + 1,
        escape(text)
    );
}

fn header(out: &mut String, report: &RoundReport, lang: Language, title: &str) {
    let round = &report.round;
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{}: {} · {}: {} · {}: {}</p>\n",
        escape(title),
        t(lang, "report.reference_date"),
        escape(&day(round.reference_date, lang)),
        t(lang, "report.status"),
        status_label(round.status, lang),
        t(lang, "report.services"),
        escape(&services_text(&round.services().collect::<Vec<_>>(), lang)),
    );
    let class = if report.frozen() {
        ""
    } else {
        " class=\"note\""
    };
    let _ = writeln!(out, "<p{class}>{}</p>", escape(&standing(report, lang)));
    let _ = write!(
        out,
        "<nav aria-label=\"{}\"><ol>",
        t(lang, "report.contents")
    );
    for (id, text) in sections(lang) {
        let _ = write!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(&text));
    }
    out.push_str("</ol></nav>\n</header>\n");
}

fn table1_section(out: &mut String, report: &RoundReport, lang: Language) {
    heading(out, lang, 0);
    out.push_str(&html_table(&report.table, lang));
    out.push_str("</section>\n");
}

fn trend_section(out: &mut String, report: &RoundReport, lang: Language) {
    heading(out, lang, 1);
    paragraph(
        out,
        &t(lang, "report.per_service_the_number_of_public_locatio"),
    );
    for trend in &report.trends {
        trend_figure(out, trend, lang);
    }
    out.push_str("</section>\n");
}

fn trend_figure(out: &mut String, trend: &ServiceTrend, lang: Language) {
    let texts = chart_texts(trend.service, lang);
    let id = format!("trend-{}", trend.service.code());
    let points: Vec<ChartPoint> = trend.points.iter().map(ChartPoint::from).collect();
    let _ = write!(
        out,
        "<h3>{}</h3>\n<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(&service_label(trend.service, lang)),
        trend_svg(&id, &points, &texts),
        escape(&texts.title)
    );
    let _ = write!(
        out,
        "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        escape(&fill(
            &t(lang, "report.the_figures_of_the_chart"),
            &[("service", &service_label(trend.service, lang))],
        )),
        t(lang, "report.year"),
        t(lang, "report.locations"),
        t(lang, "report.origin"),
        t(lang, "report.source"),
    );
    for p in &trend.points {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.label),
            escape(&printed(p, lang)),
            origin_label(p.origin, lang),
            escape(&p.source)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn changes_section(out: &mut String, report: &RoundReport, lang: Language) {
    heading(out, lang, 2);
    paragraph(out, &baseline_text(report, lang));
    out.push_str("<ul>\n");
    for (service, sentence) in sentences(report, lang) {
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>: {}</li>",
            escape(&service_label(service, lang)),
            escape(&sentence)
        );
    }
    out.push_str("</ul>\n");
    let list = &report.changes.facilities;
    if list.is_empty() {
        paragraph(
            out,
            &t(lang, "report.no_facility_opened_closed_or_changed_its"),
        );
        out.push_str("</section>\n");
        return;
    }
    let headers = columns(lang, "report.date_change_facility_municipality_provin");
    table_head(
        out,
        &t(lang, "report.facilities_that_changed"),
        &headers,
        &[],
    );
    for c in list {
        let date = c
            .date
            .map_or_else(|| unknown(lang).to_string(), |d| day(d, lang));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&date),
            kind_label(c.kind, lang),
            escape(&c.name),
            escape(&c.municipality),
            escape(&c.province),
            escape(&services_text(&c.services_before, lang)),
            escape(&services_text(&c.services_after, lang)),
            escape(&c.source)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// A paragraph of text.
fn paragraph(out: &mut String, text: &str) {
    let _ = writeln!(out, "<p>{}</p>", escape(text));
}

/// `<table>`, its caption and header row; `numeric` names the columns
/// (by index) that hold numbers.
fn table_head(out: &mut String, caption: &str, headers: &[String], numeric: &[usize]) {
    let _ = write!(
        out,
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        escape(caption)
    );
    for (i, h) in headers.iter().enumerate() {
        let class = if numeric.contains(&i) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn spread_section(out: &mut String, report: &RoundReport, lang: Language) {
    heading(out, lang, 3);
    let spread = &report.spread;
    let services: Vec<ServiceType> = report.round.services().collect();
    paragraph(out, &spread_basis(report, lang));
    let mut headers = vec![t(lang, "report.province").to_string()];
    headers.extend(services.iter().map(|s| service_label(*s, lang).to_string()));
    headers.push(t(lang, "report.municipalities_in_the_province").to_string());
    let numeric: Vec<usize> = (1..headers.len()).collect();
    table_head(
        out,
        &fill(
            &t(lang, "report.locations_per_province_on"),
            &[("date", &day(spread.as_of, lang))],
        ),
        &headers,
        &numeric,
    );
    for p in &spread.provinces {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(&p.name));
        for s in &services {
            let _ = write!(out, "<td class=\"num\">{}</td>", p.locations.get(*s));
        }
        let _ = writeln!(out, "<td class=\"num\">{}</td></tr>", p.municipalities);
    }
    let _ = write!(
        out,
        "<tr><th scope=\"row\">{}</th>",
        t(lang, "report.netherlands")
    );
    for s in &services {
        let _ = write!(out, "<td class=\"num\">{}</td>", spread.national.get(*s));
    }
    let _ = write!(
        out,
        "<td class=\"num\">{}</td></tr>\n</tbody>\n</table>\n",
        spread.municipalities.len()
    );
    for service in &services {
        spread_of_service(out, report, spread.service(*service), lang);
    }
    out.push_str("</section>\n");
}

/// A service's map of the provinces and the municipalities farthest from it.
fn spread_of_service(out: &mut String, report: &RoundReport, s: &ServiceSpread, lang: Language) {
    let spread = &report.spread;
    let name = service_label(s.service, lang);
    let _ = writeln!(out, "<h3>{}</h3>", escape(&name));
    if let Some(reading) = reading(report, s, lang) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&reading));
    }
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
    let _ = write!(
        out,
        "<figure>\n{map}\n<figcaption>{}<ul class=\"legend\">",
        escape(&title)
    );
    for c in &classes {
        let range = match c.max - c.min {
            0 => c.min.to_string(),
            _ => format!("{}–{}", c.min, c.max),
        };
        let _ = write!(
            out,
            "<li><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><rect width=\"14\" height=\"14\" fill=\"{}\" stroke=\"#4a5560\"/></svg> {range}</li>",
            c.fill
        );
    }
    out.push_str("</ul></figcaption>\n</figure>\n");
    paragraph(
        out,
        &fill(
            &t(lang, "report.of_the_municipalities_have_at_least_one"),
            &[
                ("n", &s.municipalities.len().to_string()),
                ("all", &spread.municipalities.len().to_string()),
            ],
        ),
    );
    if s.farthest.is_empty() {
        paragraph(
            out,
            &t(lang, "report.there_is_no_public_location_of_this_kind"),
        );
        return;
    }
    let headers = columns(lang, "report.municipality_province_distance_km_neares");
    table_head(
        out,
        &fill(
            &t(lang, "report.the_ten_municipalities_farthest_from_the"),
            &[("service", &name)],
        ),
        &headers,
        &[2],
    );
    for d in s.farthest.iter().take(FARTHEST_SHOWN) {
        let nearest = if d.nearest_municipality.is_empty() {
            d.nearest_facility.clone()
        } else {
            format!("{} ({})", d.nearest_facility, d.nearest_municipality)
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&d.name),
            escape(&d.province),
            km(d.km, lang),
            escape(&nearest)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn sources_section(out: &mut String, report: &RoundReport, lang: Language) {
    heading(out, lang, 4);
    let _ = write!(
        out,
        "<ul>\n<li>{}: {}</li>\n<li>{}: {}</li>\n<li>{}: {}</li>\n",
        t(lang, "report.table_1"),
        escape(&register_source(report, lang)),
        t(lang, "report.changes"),
        escape(&baseline_text(report, lang)),
        t(lang, "report.spread"),
        escape(&spread_basis(report, lang)),
    );
    out.push_str("</ul>\n");
    let _ = writeln!(out, "<h3>{}</h3>", t(lang, "report.external_sources"));
    if report.external_sources.is_empty() {
        paragraph(
            out,
            &t(lang, "report.none_every_figure_comes_from_the_registe"),
        );
    } else {
        out.push_str("<ul>\n");
        for source in &report.external_sources {
            let _ = writeln!(out, "<li>{}</li>", escape(source));
        }
        out.push_str("</ul>\n");
    }
    if !report.frozen.is_empty() {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<p>{}</p>\n<ul>\n",
            t(lang, "report.frozen_facilities"),
            t(lang, "report.the_facilities_numbers_in_the_register_e")
        );
        for f in &report.frozen {
            let _ = writeln!(
                out,
                "<li>{}: {}</li>",
                escape(&service_label(f.service, lang)),
                escape(&frozen_text(&f.facility_ids, lang))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
