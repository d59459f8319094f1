//! A round's report, to hand to a ministry: one self-contained HTML file and
//! an XLSX workbook with one sheet per table, from the staff pages, the
//! public pages (published rounds only) and the command line; frozen with
//! the round; in Dutch or English.

use std::io::Cursor;
use vangnet::domain::language::Language;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use calamine::{Data, Reader};
use serde_json::json;

use crate::common::*;
use crate::rounds::lifecycle::vangnet;
use vangnet::domain::access::Principal;
use vangnet::domain::hours::date_in_words;
use vangnet::domain::provenance::Actor;
use vangnet::domain::round::RoundInput;
use vangnet::domain::service::ServiceType;
use vangnet::storage::audit::{AuditEntry, AuditFilter};
use vangnet::storage::Store;

const SCOPE: [&str; 4] = [
    "consumption_room",
    "methadone_clinic",
    "heroin_unit",
    "syringe_exchange",
];
const LADIS: &str = "LADIS Kerncijfers verslavingszorg 2015-2024 (Stichting IVZ)";

/// The demo register with the published figures loaded.
async fn demo_register(store: &Store) {
    let csv = vangnet::cli::demo::FACILITIES_CSV.as_bytes();
    let report = import_bytes(store, "demo.csv", csv, false).await;
    assert!(report.is_ok(), "{report}");
    let actor = Actor::named("test");
    let figures = vangnet::cli::demo::PUBLISHED_FIGURES_CSV.as_bytes();
    vangnet::rounds::import_figures(store, figures, "figures.csv", &actor)
        .await
        .unwrap();
}

/// A closed round counting the inventory's services on `day`, with the
/// methadone clinics unknown (LADIS).
async fn closed_round(app: &TestApp, name: &str, day: &str) {
    let created = app
        .post(
            "/api/v1/rounds",
            json!({"name": name, "reference_date": day, "services": SCOPE}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let set = app
        .post(
            &format!("/api/v1/rounds/{name}/counts"),
            json!({"service": "methadone_clinic", "qualifier": "unknown",
                   "note": "geen landelijk overzicht", "source": LADIS}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let closed = app
        .post(&format!("/api/v1/rounds/{name}/close"), json!({}))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
}

/// The demo register and its closed round 2026.
async fn app_with_round() -> TestApp {
    let app = TestApp::new().await;
    demo_register(&app.store).await;
    closed_round(&app, "2026", "2026-06-01").await;
    app
}

/// GET with an optional token and language cookie.
async fn get(app: &TestApp, uri: &str, token: Option<&str>, lang: Option<&str>) -> Reply {
    let mut request = Request::builder().method(Method::GET).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(lang) = lang {
        request = request.header(header::COOKIE, format!("lang={lang}"));
    }
    app.raw(request.body(Body::empty()).unwrap()).await
}

async fn staff_report(app: &TestApp, name: &str, format: &str) -> Reply {
    let uri = format!("/beheer/rondes/{name}/rapport.{format}");
    let reply = get(app, &uri, Some(&app.token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    reply
}

/// The part of the report between `<section id="…">` and its end.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

/// Per province the count in the map with this id, from its tooltips.
fn map_counts(html: &str, id: &str) -> Vec<(String, i64)> {
    let start = html
        .find(&format!("aria-labelledby=\"{id}-title"))
        .unwrap_or_else(|| panic!("no map {id}"));
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    svg.split("<title>")
        .skip(1)
        .map(|t| {
            let text = t.split("</title>").next().unwrap();
            let (province, n) = text.rsplit_once(": ").unwrap();
            (province.to_string(), n.parse().unwrap())
        })
        .collect()
}

/// The audited reads of rounds.
async fn audit_reads(store: &Store) -> Vec<AuditEntry> {
    let reads = AuditFilter {
        event: Some("read".into()),
        limit: 500,
        ..Default::default()
    };
    let entries = store.search_audit(&reads).await.unwrap();
    entries
        .into_iter()
        .filter(|e| e.object_type == "round")
        .collect()
}

fn workbook(bytes: &[u8]) -> calamine::Sheets<Cursor<Vec<u8>>> {
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook")
}

/// The rows of a sheet as cells, header first.
fn rows(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let range = workbook(bytes)
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("no sheet {sheet}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

/// The row whose first cell is `first` (and, if given, second `second`).
fn find_row<'a>(rows: &'a [Vec<Data>], first: &str, second: Option<&str>) -> &'a Vec<Data> {
    rows.iter()
        .find(|r| r[0] == first && second.is_none_or(|s| r[1] == s))
        .unwrap_or_else(|| panic!("no row {first} {second:?} in {rows:?}"))
}

#[tokio::test]
async fn the_html_report_is_one_self_contained_file_with_the_rounds_numbers() {
    let app = app_with_round().await;
    // Table 1 as the API gives it.
    let table = app
        .get_as_admin("/api/v1/reports/table1?round=2026")
        .await
        .json();
    let reads = audit_reads(&app.store).await.len();
    let reply = staff_report(&app, "2026", "html").await;
    assert!(reply.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(
        reply.headers[header::CONTENT_DISPOSITION],
        "inline; filename=\"vangnet-ronde-2026.html\""
    );
    assert_eq!(
        reply.headers[header::CACHE_CONTROL],
        "no-store",
        "not public"
    );
    let html = reply.text();
    assert!(html.starts_with("<!doctype html>\n<html lang=\"nl\">"));
    assert!(html.contains("<title>Inventarisatie harm-reductionvoorzieningen — ronde 2026</title>"));
    for outside in ["src=\"http", "<link", "<script", "url(", "@import", "<img"] {
        assert!(!html.contains(outside), "it fetches nothing: {outside}");
    }
    assert!(html.contains("<style>"), "its style is inline");

    let tabel = section(&html, "tabel-1");
    for row in table["rows"].as_array().unwrap() {
        let service = ServiceType::parse(row["service"].as_str().unwrap()).unwrap();
        let printed = match row["qualifier"].as_str().unwrap() {
            "unknown" => "onbekend".to_string(),
            "exact" => row["locations"].to_string(),
            other => panic!("{other}"),
        };
        let cells = format!(
            "<th scope=\"row\">{}</th><td class=\"num\">{printed}</td>",
            vangnet::formats::table1::service_label(
                service,
                vangnet::domain::language::Language::Nl
            )
        );
        assert!(tabel.contains(&cells), "{cells} in {tabel}");
    }
    let rooms = table["rows"][0]["locations"].as_i64().unwrap();
    assert_eq!(rooms, 23);

    // The trend: the published 2010 figure and the round's own count.
    let trend = section(&html, "trend");
    assert!(trend.contains("class=\"vangnet-chart\""));
    assert!(
        trend.contains("<text x=") && trend.contains(">37</text>"),
        "the 2010 dot"
    );
    assert!(trend.contains("<tr><th scope=\"row\">2010</th><td class=\"num\">37</td>"));
    assert!(trend.contains(
        "<tr><th scope=\"row\">2026</th><td class=\"num\">23</td><td>telling uit het register</td><td>register op 2026-06-01</td></tr>"
    ));
    assert_eq!(
        trend.matches("<svg xmlns").count(),
        4,
        "a figure per service in scope"
    );

    // No earlier round: the changes since the same day four years before.
    let changes =
        vangnet::stats::changes::changes(&app.store, date("2022-06-01"), date("2026-06-01"))
            .await
            .unwrap();
    let since = date_in_words(date("2022-06-01"), Language::Nl);
    let sentence = changes
        .service(ServiceType::ConsumptionRoom)
        .unwrap()
        .sentence(Language::Nl, &since);
    assert_eq!(
        sentence,
        "3 gesloten en 2 geopend sinds 1 juni 2022 (van 24 naar 23)"
    );
    let veranderingen = section(&html, "veranderingen");
    assert!(veranderingen.contains(&sentence), "{veranderingen}");
    assert!(veranderingen.contains("Er is geen eerdere ronde in het register"));
    assert!(veranderingen.contains("dezelfde dag vier jaar eerder"));

    // The spread: a map per service whose provinces add up to Table 1.
    let spreiding = section(&html, "spreiding");
    let map = map_counts(spreiding, "kaart-consumption_room");
    assert_eq!(map.len(), 12, "{map:?}");
    assert_eq!(map.iter().map(|(_, n)| n).sum::<i64>(), rooms);
    assert!(map.contains(&("Noord-Holland".to_string(), 6)), "{map:?}");
    assert!(spreiding.contains("de tien gemeenten het verst van de dichtstbijzijnde locatie"));
    assert!(
        spreiding.contains("Tabel 1 leest deze telling als onbekend"),
        "where the register's count is not Table 1's, the spread says so"
    );

    // The sources: the register with the facilities counted, and every
    // external source.
    let counted: std::collections::BTreeSet<i64> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["facility_ids"].as_array().unwrap().clone())
        .map(|v| v.as_i64().unwrap())
        .collect();
    let bronnen = section(&html, "bronnen");
    assert!(bronnen.contains(&format!(
        "register op 2026-06-01: {} voorzieningen geteld",
        counted.len()
    )));
    assert!(bronnen.contains(LADIS));
    assert!(bronnen.contains("Havinga &amp; van der Poel 2011 (Trimbos)"));
    assert!(bronnen.contains("Vastgelegde voorzieningen"));

    assert_eq!(
        audit_reads(&app.store).await.len(),
        reads + 1,
        "reading a round that is not public is audited"
    );
}

#[tokio::test]
async fn an_open_rounds_report_says_its_figures_are_provisional() {
    let app = TestApp::new().await;
    demo_register(&app.store).await;
    let body = json!({"name": "2026", "reference_date": "2026-06-01", "services": SCOPE});
    let created = app.post("/api/v1/rounds", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let html = staff_report(&app, "2026", "html").await.text();
    assert!(html.contains("Status: open (voorlopig)"));
    assert!(html.contains("<p class=\"note\">Voorlopig: de ronde is nog open."));
    assert!(html.contains("<th scope=\"row\">Gebruiksruimte</th><td class=\"num\">23</td>"));
    assert!(
        section(&html, "trend")
            .contains("<td class=\"num\">23</td><td>telling uit het register</td>"),
        "the round's live count stands for its year"
    );
    assert!(
        !html.contains("Vastgelegde voorzieningen"),
        "nothing is frozen yet"
    );
    assert_eq!(audit_reads(&app.store).await.len(), 1);
}

#[tokio::test]
async fn the_workbook_has_a_sheet_per_table_with_the_same_numbers() {
    let app = app_with_round().await;
    let reply = staff_report(&app, "2026", "xlsx").await;
    assert_eq!(
        reply.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"vangnet-ronde-2026.xlsx\""
    );
    let bytes = reply.bytes;
    assert_eq!(
        workbook(&bytes).sheet_names(),
        [
            "Tabel 1",
            "Trend",
            "Veranderingen per dienst",
            "Veranderingen",
            "Spreiding provincies",
            "Spreiding gemeenten",
            "Bronnen"
        ]
    );
    let table = rows(&bytes, "Tabel 1");
    assert_eq!(table[0][2].to_string(), "locaties");
    assert_eq!(table[0][3].to_string(), "kwalificatie");
    let rooms = find_row(&table, "Gebruiksruimte", None);
    assert_eq!(rooms[2], Data::Float(23.0), "a number: {rooms:?}");
    assert_eq!(rooms[3].to_string(), "exact");
    let methadone = find_row(&table, "Medicatiepoli (methadon)", None);
    assert_eq!(methadone[2], Data::Empty, "unknown has no number");
    assert_eq!(methadone[3].to_string(), "onbekend");
    assert_eq!(methadone[10].to_string(), LADIS);

    let trend = rows(&bytes, "Trend");
    let published = find_row(&trend, "Gebruiksruimte", Some("2010"));
    assert_eq!(published[3], Data::Float(37.0));
    assert!(published[7].to_string().contains("Havinga"));
    let ours = find_row(&trend, "Gebruiksruimte", Some("2026"));
    assert_eq!(ours[3], Data::Float(23.0));
    assert_eq!(ours[8].to_string(), "2026");

    let per_service = rows(&bytes, "Veranderingen per dienst");
    let rooms = find_row(&per_service, "Gebruiksruimte", None);
    assert_eq!(&rooms[1..5], [24.0, 23.0, 2.0, 3.0].map(Data::Float));
    let list = rows(&bytes, "Veranderingen");
    assert_eq!(list[0][0].to_string(), "datum");
    assert!(list.len() > 5, "{list:?}");

    let provinces = rows(&bytes, "Spreiding provincies");
    assert_eq!(provinces.len(), 1 + 12 + 1, "the twelve and the country");
    let national = find_row(&provinces, "NL", None);
    assert_eq!(provinces[0][4].to_string(), "locaties: Gebruiksruimte");
    assert_eq!(national[4], Data::Float(23.0));
    let municipalities = rows(&bytes, "Spreiding gemeenten");
    assert_eq!(municipalities.len(), 1 + 342, "a row per municipality");
    let amsterdam = find_row(&municipalities, "GM0363", None);
    assert!(
        matches!(amsterdam[5], Data::Float(n) if n >= 1.0),
        "{amsterdam:?}"
    );
    let last = amsterdam.len() - 4;
    assert_eq!(
        municipalities[0][last].to_string(),
        "afstand tot Gebruiksruimte (km)"
    );
    assert!(
        matches!(amsterdam[last], Data::Float(km) if km < 5.0),
        "{amsterdam:?}"
    );

    let sources = rows(&bytes, "Bronnen");
    let text = format!("{sources:?}");
    assert!(text.contains(LADIS) && text.contains("register op 2026-06-01"));

    // The page's language makes an English workbook.
    let english = get(
        &app,
        "/beheer/rondes/2026/rapport.xlsx",
        Some(&app.token),
        Some("en"),
    )
    .await;
    assert_eq!(english.status, StatusCode::OK);
    assert_eq!(
        workbook(&english.bytes).sheet_names(),
        [
            "Table 1",
            "Trend",
            "Changes per service",
            "Changes",
            "Spread provinces",
            "Spread municipalities",
            "Sources"
        ]
    );
    let table = rows(&english.bytes, "Table 1");
    assert_eq!(
        find_row(&table, "Methadone clinic", None)[3].to_string(),
        "unknown"
    );
}

#[tokio::test]
async fn a_closed_rounds_report_does_not_change_when_the_register_does() {
    let app = app_with_round().await;
    let before = staff_report(&app, "2026", "html").await.text();

    // A room the register learns of later, open since 2020.
    let org = app.facilities("status=all").await[0]["organisation_id"].clone();
    let added = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Demo Late Ruimte", "organisation_id": org, "opened_on": "2020-01-01",
                   "services": ["consumption_room"], "city": "Zwolle"}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let live = vangnet::rounds::table1::table1(&app.store, date("2026-06-01"))
        .await
        .unwrap();
    assert_eq!(
        live.row(ServiceType::ConsumptionRoom).unwrap().locations,
        Some(24),
        "the register now counts it on the round's day"
    );

    let after = staff_report(&app, "2026", "html").await.text();
    for id in ["tabel-1", "trend", "spreiding", "bronnen"] {
        assert_eq!(section(&after, id), section(&before, id), "{id}");
    }
    let workbook = staff_report(&app, "2026", "xlsx").await.bytes;
    let table = rows(&workbook, "Tabel 1");
    assert_eq!(
        find_row(&table, "Gebruiksruimte", None)[2],
        Data::Float(23.0)
    );
}

#[tokio::test]
async fn the_public_report_exists_only_once_the_round_is_published() {
    let app = app_with_round().await;
    for format in ["html", "xlsx"] {
        let public = format!("/cijfers/2026/rapport.{format}");
        let hidden = get(&app, &public, None, None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{format}");
        let staff = format!("/beheer/rondes/2026/rapport.{format}");
        let anonymous = get(&app, &staff, None, None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "sign in first");
    }
    let staff = "/beheer/rondes/2026/rapport.html";
    let (_, researcher) = app
        .user_token("onderzoek@example.org", "researcher", None)
        .await;
    let read = get(&app, staff, Some(&researcher), None).await;
    assert_eq!(read.status, StatusCode::OK);
    let organisation = app.facilities("status=all").await[0]["organisation_id"].as_i64();
    let (_, manager) = app
        .user_token("beheer@example.org", "org_manager", organisation)
        .await;
    let refused = get(&app, staff, Some(&manager), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let staff_page = get(&app, "/beheer/rondes/2026", Some(&researcher), None).await;
    assert!(staff_page
        .text()
        .contains("href=\"/beheer/rondes/2026/rapport.xlsx\""));

    let published = app.post("/api/v1/rounds/2026/publish", json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    let reads = audit_reads(&app.store).await.len();
    let html = get(&app, "/cijfers/2026/rapport.html", None, None).await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.text());
    assert!(html.text().contains("Status: gepubliceerd"));
    assert!(html.headers.get(header::CACHE_CONTROL).is_none());
    let csp = html.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let xlsx = get(&app, "/cijfers/2026/rapport.xlsx", None, None).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
    staff_report(&app, "2026", "html").await;
    assert_eq!(
        audit_reads(&app.store).await.len(),
        reads,
        "a published round is public"
    );

    let page = get(&app, "/cijfers/2026", None, None).await.text();
    assert!(page.contains("href=\"/cijfers/2026/rapport.html\">Rapport (HTML)</a>"));
    assert!(page.contains("href=\"/cijfers/2026/rapport.xlsx\" download>Rapport (XLSX)</a>"));
    let english = get(&app, "/cijfers/2026/rapport.html", None, Some("en"))
        .await
        .text();
    assert!(english.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(english.contains("<h1>Inventory of harm-reduction services — round 2026</h1>"));
    for heading in ["1. Table 1", "3. Changes", "5. Sources"] {
        assert!(english.contains(&format!("{heading}</h2>")), "{heading}");
    }
    let missing = get(&app, "/cijfers/2099/rapport.html", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changes_come_from_the_previous_round_and_the_public_sees_published_rounds_only() {
    let app = TestApp::new().await;
    demo_register(&app.store).await;
    closed_round(&app, "2022", "2022-06-01").await;
    closed_round(&app, "2026", "2026-06-01").await;
    app.post("/api/v1/rounds/2026/publish", json!({})).await;

    let staff = staff_report(&app, "2026", "html").await.text();
    let earlier = vangnet::rounds::table1::round(&app.store, "2022")
        .await
        .unwrap();
    let later = vangnet::rounds::table1::round(&app.store, "2026")
        .await
        .unwrap();
    let changes = vangnet::stats::changes::changes_between_rounds(&app.store, &earlier, &later)
        .await
        .unwrap();
    let sentence = changes
        .service(ServiceType::ConsumptionRoom)
        .unwrap()
        .sentence(Language::Nl, "2022");
    assert_eq!(
        sentence,
        "3 gesloten en 2 geopend sinds 2022 (van 24 naar 23)"
    );
    let veranderingen = section(&staff, "veranderingen");
    assert!(veranderingen.contains("Vergeleken met de vorige ronde, 2022 (peildatum 1 juni 2022)."));
    assert!(veranderingen.contains(&sentence), "{veranderingen}");
    assert!(
        section(&staff, "trend").contains(
            "<tr><th scope=\"row\">2022</th><td class=\"num\">24</td><td>telling uit het register</td>"
        ),
        "staff see the closed round in the trend"
    );

    // Round 2022 is not published: the public report does not know it.
    let public = get(&app, "/cijfers/2026/rapport.html", None, None)
        .await
        .text();
    let veranderingen = section(&public, "veranderingen");
    assert!(veranderingen.contains("Er is geen eerdere ronde in het register"));
    assert!(!public.contains("vorige ronde, 2022"));
    assert!(section(&public, "trend").contains(
        "<tr><th scope=\"row\">2022</th><td class=\"num\">24</td><td>gepubliceerd cijfer (externe bron)</td>"
    ));
}

#[tokio::test]
async fn the_command_line_writes_the_report_as_html_and_xlsx() {
    let db = TestDb::new().await;
    let store = db.store().await;
    demo_register(&store).await;
    let (who, actor) = (Principal::command_line("test"), Actor::named("test"));
    let input = RoundInput {
        name: Some("2026".into()),
        reference_date: Some("2026-06-01".into()),
        services: Vec::new(),
    };
    vangnet::rounds::create_round(&store, &input, &who, &actor)
        .await
        .unwrap();
    vangnet::rounds::close_round(&store, "2026", &who, &actor, vangnet::domain::date::today())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = |args: &[&str]| {
        let mut all = vec!["report", "round"];
        all.extend(args);
        all.extend(["--database", &db.url]);
        vangnet(&all)
    };
    let run = |args: &[&str]| {
        let (ok, out, err) = report(args);
        assert!(ok, "vangnet report round {args:?}: {err}");
        out
    };
    let html = dir.path().join("rapport.html");
    let xlsx = dir.path().join("rapport.xlsx");
    run(&["2026", "-o", html.to_str().unwrap()]);
    run(&["2026", "--format", "xlsx", "-o", xlsx.to_str().unwrap()]);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<title>Inventarisatie harm-reductionvoorzieningen — ronde 2026</title>"));
    assert!(text.contains("<th scope=\"row\">Gebruiksruimte</th><td class=\"num\">23</td>"));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(workbook(&bytes).sheet_names().len(), 7);
    let rooms = find_row(&rows(&bytes, "Tabel 1"), "Gebruiksruimte", None).clone();
    assert_eq!(rooms[2], Data::Float(23.0));

    // English, to standard output; a workbook too when it is not a terminal.
    let english = run(&["2026", "--lang", "en"]);
    assert!(english.contains("<h1>Inventory of harm-reduction services — round 2026</h1>"));
    assert!(english.contains("<h2>5. Sources</h2>"));
    let piped = run(&["2026", "--format", "xlsx"]);
    assert!(piped.starts_with("PK"), "a zip archive");

    let (ok, _, err) = report(&["2099"]);
    assert!(
        !ok && err.contains("there is no round named '2099'"),
        "{err}"
    );
    let (ok, _, err) = report(&["2026", "--lang", "fr"]);
    assert!(!ok && err.contains("--lang"), "{err}");
    // The command line reads a round that is not published: audited.
    let reads = audit_reads(&store).await;
    assert!(reads.len() >= 4, "{reads:?}");
    assert!(reads.iter().all(|r| r.actor.starts_with("cli:")));
}
