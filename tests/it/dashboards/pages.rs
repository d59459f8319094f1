//! The dashboard pages over HTTP on each engine: what the public sees
//! (approved figures, small counts as "<5") and what staff see (live and
//! exact), the downloads holding the same cells as the page, who may see
//! which dashboard, and the errors a wrong year or area gives.

use std::io::Cursor;

use axum::http::{header, Method, StatusCode};
use calamine::{Data, Reader};
use serde_json::{json, Value};

use crate::common::*;
use vangnet::domain::metric::Period;
use vangnet::domain::period_report::ReportStatus;
use vangnet::storage::audit::AuditFilter;
use vangnet::storage::period_reports::NewReport;
use vangnet::storage::write::Writes;

/// An organisation; its id.
async fn organisation(app: &TestApp, name: &str) -> i64 {
    let reply = app
        .post("/api/v1/organisations", json!({ "name": name }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

/// A public consumption room in `city`; its id.
async fn facility(app: &TestApp, org: i64, name: &str, city: &str) -> i64 {
    let reply = app
        .post(
            "/api/v1/facilities",
            json!({"name": name, "organisation_id": org, "opened_on": "2020-01-01",
                   "services": ["consumption_room"], "city": city}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

/// Monthly reports of 2025 with these visits, in one status.
async fn reports(app: &TestApp, facility: i64, status: ReportStatus, months: &[(u32, i64)]) {
    let reports: Vec<NewReport> = months
        .iter()
        .map(|&(month, visits)| NewReport {
            facility_id: facility,
            period: Period::Month { year: 2025, month },
            status,
            source: "test".into(),
            values: vec![("visits".to_string(), visits, None)],
        })
        .collect();
    let mut tx = app.store.begin_write(Writes::Audit).await.unwrap();
    vangnet::storage::Store::insert_reports(&mut tx, &reports, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Text without its tags, entities undone, spaces squeezed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of the table with this id (header and body), each as its cells' texts.
fn table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id} in the page"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter(|cell| cell.starts_with('h') || cell.starts_with('d'))
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = inner.split("</t").next().unwrap_or_default();
                    text_of(inner)
                })
                .collect()
        })
        .collect()
}

/// The cells of `month` (Dutch name) in a metric's table: last year, this year.
fn month_cells(html: &str, metric: &str, month: &str) -> (String, String) {
    let rows = table(html, &format!("tabel-{metric}"));
    let row = rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some(month))
        .unwrap_or_else(|| panic!("no row {month} in {rows:?}"));
    (row[1].clone(), row[2].clone())
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A CSV file as rows of cells, the header first.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn download(reply: &Reply, content_type: &str) -> Vec<u8> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(content_type),
        "{:?}",
        reply.headers[header::CONTENT_TYPE]
    );
    assert!(reply.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"dashboard-"));
    reply.bytes.clone()
}

#[tokio::test]
async fn the_public_national_dashboard_shows_an_approved_month_and_not_a_submitted_one() {
    let app = TestApp::new().await;
    let org = organisation(&app, "Demo Zorg").await;
    let room = facility(&app, org, "Demo Ruimte Utrecht", "Utrecht").await;
    reports(&app, room, ReportStatus::Approved, &[(1, 1400)]).await;
    reports(&app, room, ReportStatus::Submitted, &[(2, 1500)]).await;

    let html = page(&app.get("/cijfers/dashboard?jaar=2025").await);
    assert!(html.contains("<h1 class=\"utrecht-heading-1\">Dashboard Nederland</h1>"));
    assert!(html.contains("Alleen goedgekeurde cijfers"), "says so");
    assert_eq!(month_cells(&html, "visits", "januari").1, "1.400");
    assert_eq!(
        month_cells(&html, "visits", "februari").1,
        "–",
        "a submitted report is not public"
    );
    assert!(!html.contains("1.500"), "nowhere on the page");
    assert!(
        html.contains("<svg") && html.contains("id=\"grafiek-visits-title\""),
        "the month chart"
    );
    // The comparison lists the provinces, Utrecht with its year.
    let comparison = table(&html, "vergelijking-tabel");
    let utrecht = comparison.iter().find(|r| r[0] == "Utrecht").unwrap();
    assert_eq!(utrecht[1], "1.400");
    assert!(html.contains("href=\"/cijfers/dashboard/NL-UT?jaar=2025\""));

    // Staff see the live month, and the page says it is live.
    let staff = page(&app.get_as_admin("/beheer/dashboard?jaar=2025").await);
    assert_eq!(month_cells(&staff, "visits", "februari").1, "1.500");
    assert!(staff.contains("Live: ingediende en goedgekeurde rapportages"));
    assert!(staff.contains("href=\"/beheer/dashboard/NL-UT?jaar=2025\""));

    // English is one click away, and the same figures are there.
    let english = app.get_in_english("/cijfers/dashboard?jaar=2025").await;
    let english = page(&english);
    assert!(english.contains(">Dashboard Netherlands</h1>"), "{english}");
    assert!(english.contains("1,400"), "English number notation");
}

#[tokio::test]
async fn three_visits_in_a_municipality_are_under_five_in_public_and_in_the_csv_and_three_for_staff(
) {
    let app = TestApp::new().await;
    let org = organisation(&app, "Demo Zorg").await;
    let room = facility(&app, org, "Demo Ruimte Utrecht", "Utrecht").await;
    reports(&app, room, ReportStatus::Approved, &[(3, 3)]).await;

    for path in [
        "/cijfers/dashboard/GM0344?jaar=2025",
        "/cijfers/dashboard/NL-UT?jaar=2025",
        "/cijfers/dashboard?jaar=2025",
    ] {
        let html = page(&app.get(path).await);
        let rows = table(&html, "tabel-visits");
        // "<5", or "." where the cell is part of a total below 5 itself.
        let march = month_cells(&html, "visits", "maart").1;
        assert!(["<5", "."].contains(&march.as_str()), "{path}: {march}");
        for row in &rows {
            assert!(
                !row.iter().skip(1).any(|c| c == "3"),
                "{path}: no cell says 3: {rows:?}"
            );
        }
        assert!(
            !html.contains("maart 2025: 3"),
            "{path}: the chart does not describe 3"
        );
        assert!(html.contains("1 tot 4: afgeschermd"), "{path}: the legend");
    }
    let csv = download(
        &app.get("/cijfers/dashboard/GM0344?jaar=2025&formaat=csv")
            .await,
        "text/csv",
    );
    let rows = csv_rows(&csv);
    assert_eq!(
        rows[0],
        [
            "gebied",
            "naam",
            "meting",
            "meting_naam",
            "periode",
            "waarde",
            "toelichting"
        ]
    );
    let march = rows
        .iter()
        .find(|r| r[0] == "GM0344" && r[2] == "visits" && r[4] == "2025-03")
        .unwrap();
    assert!(["<5", "."].contains(&march[5].as_str()), "{march:?}");
    assert!(!march[6].is_empty(), "the note says what the mark is");
    assert!(
        !rows.iter().any(|r| r[2] == "visits" && r[5] == "3"),
        "{rows:?}"
    );

    // Staff see the 3.
    let staff = page(&app.get_as_admin("/beheer/dashboard/GM0344?jaar=2025").await);
    assert_eq!(month_cells(&staff, "visits", "maart").1, "3");
    let staff_csv = download(
        &app.get_as_admin("/beheer/dashboard/GM0344?jaar=2025&formaat=csv")
            .await,
        "text/csv",
    );
    assert!(csv_rows(&staff_csv)
        .iter()
        .any(|r| r[0] == "GM0344" && r[4] == "2025-03" && r[5] == "3"));
    // An auditor is neither national nor of an organisation: the public figures.
    let (_, auditor) = app.user_token("auditor@example.org", "auditor", None).await;
    let audited = app
        .send(
            Method::GET,
            "/beheer/dashboard/GM0344?jaar=2025",
            None,
            Some(&auditor),
        )
        .await;
    let audited = page(&audited);
    let march = month_cells(&audited, "visits", "maart").1;
    assert!(["<5", "."].contains(&march.as_str()), "{march}");
    assert!(audited.contains("Alleen goedgekeurde cijfers"));
    // Reading the exact figures is in the audit log.
    let reads = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("dashboard".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        reads
            .iter()
            .any(|r| r.object_id.as_deref() == Some("municipality:GM0344")),
        "{reads:?}"
    );
}

#[tokio::test]
async fn the_csv_and_the_xlsx_hold_the_same_cells_as_the_page() {
    let app = TestApp::new().await;
    let org = organisation(&app, "Demo Zorg").await;
    let utrecht = facility(&app, org, "Demo Ruimte Utrecht", "Utrecht").await;
    let amersfoort = facility(&app, org, "Demo Ruimte Amersfoort", "Amersfoort").await;
    let zwolle = facility(&app, org, "Demo Ruimte Zwolle", "Zwolle").await;
    let months: Vec<(u32, i64)> = (1..=10).map(|m| (m, 1000 + m as i64 * 7)).collect();
    reports(&app, utrecht, ReportStatus::Approved, &months).await;
    reports(
        &app,
        amersfoort,
        ReportStatus::Approved,
        &[(1, 2), (2, 40), (3, 60)],
    )
    .await;
    reports(&app, zwolle, ReportStatus::Approved, &[(1, 500), (2, 4)]).await;

    let path = "/cijfers/dashboard/NL-UT?jaar=2025";
    let html = page(&app.get(path).await);
    let csv = csv_rows(&download(
        &app.get(&format!("{path}&formaat=csv")).await,
        "text/csv",
    ));
    let xlsx = download(
        &app.get(&format!("{path}&formaat=xlsx")).await,
        "application/vnd.openxmlformats",
    );
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(xlsx)).unwrap();
    assert_eq!(book.sheet_names(), ["Cijfers", "Legenda"]);
    let sheet = book.worksheet_range("Cijfers").unwrap();
    let xlsx_rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{}", *f as i64),
                    Data::Int(i) => i.to_string(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(
        csv, xlsx_rows,
        "the CSV and the workbook hold the same cells"
    );
    let legend = book.worksheet_range("Legenda").unwrap();
    assert!(legend.rows().any(|r| r[0] == Data::String("<5".into())));

    // Each month of the page's table is the file's cell, as the page writes it.
    let as_page = |cell: &str| {
        if cell.is_empty() {
            "–".to_string()
        } else if cell.parse::<i64>().is_ok() {
            vangnet::domain::number::written(
                cell.parse::<f64>().unwrap(),
                0,
                vangnet::domain::language::Language::Nl,
            )
        } else {
            cell.to_string()
        }
    };
    let mut compared = 0;
    for (m, name) in MONTHS.iter().enumerate() {
        let period = format!("2025-{:02}", m + 1);
        let cell = csv
            .iter()
            .find(|r| r[0] == "NL-UT" && r[2] == "visits" && r[4] == period)
            .unwrap_or_else(|| panic!("no row for {period}"));
        assert_eq!(
            month_cells(&html, "visits", name).1,
            as_page(&cell[5]),
            "{period}"
        );
        compared += 1;
    }
    assert_eq!(compared, 12);
    // The comparison: each municipality's year, as on the page.
    let comparison = table(&html, "vergelijking-tabel");
    for row in comparison.iter().skip(1) {
        let code = match row[0].as_str() {
            "Utrecht" => "GM0344",
            "Amersfoort" => "GM0307",
            other => panic!("unexpected municipality {other}"),
        };
        let cell = csv
            .iter()
            .find(|r| r[0] == code && r[2] == "visits" && r[4] == "2025")
            .unwrap();
        assert_eq!(row[1], as_page(&cell[5]), "{code}");
    }
    assert!(
        !csv.iter().any(|r| r[0] == "GM0193"),
        "Zwolle is not in the province of Utrecht"
    );
    let amersfoort = csv_rows(&download(
        &app.get("/cijfers/dashboard/GM0307?jaar=2025&formaat=csv")
            .await,
        "text/csv",
    ));
    assert!(
        amersfoort
            .iter()
            .any(|r| r[0] == "GM0307" && r[4] == "2025-01" && r[5] == "<5"),
        "Amersfoort's 2 visits in January are <5 in its file: {amersfoort:?}"
    );

    // JSON: the dashboard itself.
    let json: Value = serde_json::from_slice(&download(
        &app.get(&format!("{path}&formaat=json")).await,
        "application/json",
    ))
    .unwrap();
    assert_eq!(json["code"], "NL-UT");
    assert_eq!(json["basis"], "approved");
    let visits = json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "visits")
        .unwrap();
    assert_eq!(visits["months"].as_array().unwrap().len(), 24);
}

#[tokio::test]
async fn an_organisation_manager_sees_their_own_organisation_and_is_refused_another() {
    let app = TestApp::new().await;
    let own = organisation(&app, "Demo Eigen").await;
    let other = organisation(&app, "Demo Ander").await;
    let own_room = facility(&app, own, "Demo Eigen Ruimte", "Utrecht").await;
    let other_room = facility(&app, other, "Demo Andere Ruimte", "Utrecht").await;
    reports(&app, own_room, ReportStatus::Submitted, &[(5, 700)]).await;
    reports(&app, other_room, ReportStatus::Approved, &[(5, 900)]).await;
    let (_, manager) = app
        .user_token("beheerder@eigen.example", "org_manager", Some(own))
        .await;
    let get = |path: String| {
        let app = &app;
        let manager = manager.clone();
        async move { app.send(Method::GET, &path, None, Some(&manager)).await }
    };

    let home = get("/beheer/dashboard?jaar=2025".into()).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(
        home.headers[header::LOCATION],
        format!("/beheer/dashboard/organisatie/{own}?jaar=2025").as_str()
    );
    let mine = page(&get(format!("/beheer/dashboard/organisatie/{own}?jaar=2025")).await);
    assert_eq!(month_cells(&mine, "visits", "mei").1, "700");
    assert!(mine.contains("Demo Eigen Ruimte") && !mine.contains("Demo Andere Ruimte"));

    for path in [
        format!("/beheer/dashboard/organisatie/{other}"),
        format!("/beheer/dashboard/voorziening/{other_room}"),
    ] {
        let reply = get(path.clone()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(reply.text().contains("<html"), "{path}: the error page");
    }
    // An area's dashboard shows the manager their own facilities only.
    let area = page(&get("/beheer/dashboard/GM0344?jaar=2025".into()).await);
    assert_eq!(month_cells(&area, "visits", "mei").1, "700");

    // The public may not see an organisation's dashboard at all.
    let anonymous = app
        .get(&format!("/beheer/dashboard/organisatie/{own}"))
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_year_or_an_area_that_is_not_one_is_a_clear_error() {
    let app = TestApp::new().await;
    let reply = app.get("/cijfers/dashboard?jaar=abc").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let text = text_of(&reply.text());
    assert!(
        text.contains("'abc' is geen jaar: kies een jaar van 1990 tot en met"),
        "{text}"
    );
    let reply = app
        .get("/cijfers/dashboard/GM0344?jaar=abc&formaat=csv")
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "a file neither");
    let reply = app.get("/cijfers/dashboard?formaat=pdf").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("kies formaat csv, xlsx of json"));
    for area in ["XX", "NL-XX", "GM9999", "organisatie"] {
        let reply = app.get(&format!("/cijfers/dashboard/{area}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{area}");
        assert!(reply.text().contains("Dit gebied kennen we niet"), "{area}");
    }
    let reply = app.get("/cijfers/indicatoren?jaar=3000").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(text_of(&reply.text()).contains("'3000' is geen jaar"));
    let reply = app.get("/cijfers/indicatoren/geen_indicator").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_indicator_pages_say_how_each_is_computed_and_link_the_json() {
    let app = TestApp::new().await;
    let html = page(&app.get("/cijfers/indicatoren?jaar=2025").await);
    for code in [
        "syringes_per_pwid",
        "oat_coverage",
        "mhu_occupancy",
        "services_per_100k",
    ] {
        assert!(
            html.contains(&format!("href=\"/cijfers/indicatoren/{code}?jaar=2025\"")),
            "{code}"
        );
    }
    assert!(html.contains("geen internationale norm"));
    assert!(html.contains("laag onder 100, midden van 100 tot 200, hoog vanaf 200"));

    let one = page(
        &app.get("/cijfers/indicatoren/syringes_per_pwid?jaar=2025")
            .await,
    );
    assert!(one.contains("Hoe het wordt berekend"));
    assert!(one.contains("gedeeld door het geschatte aantal mensen dat drugs injecteert"));
    assert!(one
        .contains("href=\"/api/v1/indicators?code=syringes_per_pwid&amp;year=2025&amp;lang=nl\""));
    let rows = table(&one, "uitkomsten-tabel");
    assert_eq!(rows[1][0], "Nederland", "{rows:?}");
}
