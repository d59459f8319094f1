//! The open-data page and its addresses: the page in the reader's language
//! with every exported column explained, the JSON index for programs at
//! its own address and still at `/opendata/`, `/opendata` without the
//! slash, and the footer's lasting link to the newest published Table 1.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use vangnet::formats::columns::{export_columns, ExportScope, COLUMNS};

use crate::common::TestApp;

/// A GET as a browser asks for a page, optionally with a language cookie.
async fn browse(app: &TestApp, uri: &str, lang: Option<&str>) -> crate::common::Reply {
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8");
    if let Some(lang) = lang {
        request = request.header(header::COOKIE, format!("lang={lang}"));
    }
    app.raw(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_open_data_page_explains_every_file_and_column_in_the_readers_language() {
    let app = TestApp::new().await;
    let dutch = browse(&app, "/opendata/", None).await;
    assert_eq!(dutch.status, StatusCode::OK);
    assert!(dutch.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = dutch.text();
    assert!(page.contains("<html lang=\"nl\""));
    assert!(page.contains("Bijgewerkt: live"), "the update time");
    assert!(page.contains("CC BY 4.0"), "the licence");
    for file in [
        "facilities.csv",
        "facilities.xlsx",
        "facilities.json",
        "facilities.geojson",
        "provinces.geojson",
        "netherlands.geojson",
    ] {
        assert!(
            page.contains(&format!("href=\"/opendata/{file}\"")),
            "{file}"
        );
    }
    // Every column the exporters write, explained; none left untranslated.
    for column in export_columns(ExportScope::Public) {
        assert!(
            page.contains(&format!("<code>{}</code>", column.name())),
            "{}",
            column.name()
        );
    }
    assert!(
        !page.contains("<code>notes</code>"),
        "internal notes are not published"
    );
    assert!(
        !page.contains("register.column."),
        "a column without its text"
    );
    assert!(
        page.contains("href=\"/opendata/index.json\""),
        "the index is one link on"
    );
    assert!(page.contains("Er is nog geen inventarisatie gepubliceerd."));

    let english = browse(&app, "/opendata/", Some("en")).await.text();
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Updated: live"));
    assert!(english.contains("Longitude (WGS 84)"));
}

#[test]
fn every_column_has_its_meaning_in_both_languages() {
    use vangnet::domain::language::Language;
    use vangnet::domain::text::catalogue;
    for (column, _, _) in COLUMNS {
        for lang in [Language::Nl, Language::En] {
            let key = format!("register.column.{}", column.name());
            assert!(catalogue(lang).contains_key(&key), "{key} in {lang:?}");
        }
    }
}

#[tokio::test]
async fn programs_find_the_index_at_its_own_address_and_where_it_was() {
    let app = TestApp::new().await;
    let index = app.get("/opendata/index.json").await;
    assert_eq!(index.status, StatusCode::OK);
    let index = index.json();
    let files = index["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        7,
        "four formats of the facilities, the metric figures, two outlines"
    );
    for file in files {
        let url = file["url"].as_str().unwrap();
        assert_eq!(app.get(url).await.status, StatusCode::OK, "{url}");
    }
    // Where scripts fetched it before the page existed: not asking for HTML.
    let old = app.get("/opendata/").await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(
        old.headers[header::VARY]
            .to_str()
            .unwrap()
            .split(", ")
            .next(),
        Some("Accept")
    );
    assert_eq!(old.json(), index);

    let bare = app.get("/opendata").await;
    assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(bare.headers[header::LOCATION], "/opendata/");
}

#[tokio::test]
async fn the_footers_table_1_leads_to_the_newest_published_round() {
    let app = TestApp::new().await;
    let page = browse(&app, "/opendata/", None).await.text();
    assert!(page.contains("href=\"/cijfers/tabel-1\""));
    assert!(
        !page.contains("href=\"/api/v1/reports/table1\""),
        "not the live register's JSON"
    );
    let none = app.get("/cijfers/tabel-1").await;
    assert_eq!(none.status, StatusCode::SEE_OTHER);
    assert_eq!(none.headers[header::LOCATION], "/cijfers");

    for name in ["2025", "2026"] {
        let created = app
            .post(
                "/api/v1/rounds",
                json!({"name": name, "reference_date": format!("{name}-01-01"),
                       "services": ["consumption_room"]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        app.post(&format!("/api/v1/rounds/{name}/close"), json!({}))
            .await;
        let published = app
            .post(&format!("/api/v1/rounds/{name}/publish"), json!({}))
            .await;
        assert!(published.status.is_success(), "{}", published.text());
    }
    let newest = app.get("/cijfers/tabel-1").await;
    assert_eq!(newest.status, StatusCode::SEE_OTHER);
    assert_eq!(newest.headers[header::LOCATION], "/cijfers/2026");
    let round = browse(&app, "/cijfers/2026", None).await;
    assert_eq!(round.status, StatusCode::OK);
    assert!(round.text().contains("Tabel 1"));
    // The open-data page names it with its files.
    let page = browse(&app, "/opendata/", None).await.text();
    assert!(page.contains("href=\"/cijfers/2026\""));
    assert!(
        page.contains("/api/v1/reports/table1?round=2026"),
        "Table 1 as files"
    );
}
