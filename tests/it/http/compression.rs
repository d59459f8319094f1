//! Compression (issue 16): pages, JSON, CSV and SVG go out gzipped to
//! clients that accept it and unchanged to those that do not; spreadsheets
//! (already compressed) go out as they are.

use std::io::Read;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use crate::common::*;

/// `GET uri` as an admin, with or without `Accept-Encoding: gzip`.
async fn fetch(app: &TestApp, uri: &str, gzip: bool) -> Reply {
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token));
    if gzip {
        request = request.header(header::ACCEPT_ENCODING, "gzip, deflate, br");
    }
    call(&app.router, request.body(Body::empty()).unwrap()).await
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("a gzip body");
    plain
}

#[tokio::test]
async fn pages_json_csv_and_svg_are_gzipped_for_clients_that_accept_it() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    for (uri, kind) in [
        ("/beheer/voorzieningen", "text/html"),
        ("/api/v1/facilities", "application/json"),
        ("/opendata/facilities.csv", "text/csv"),
        ("/api/v1/reports/trend.svg", "image/svg+xml"),
        ("/niets-hier", "text/html"),
    ] {
        let plain = fetch(&app, uri, false).await;
        let packed = fetch(&app, uri, true).await;
        assert_eq!(plain.status, packed.status, "{uri}");
        let content_type = packed.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(content_type.starts_with(kind), "{uri}: {content_type}");
        assert!(
            plain.headers.get(header::CONTENT_ENCODING).is_none(),
            "{uri}"
        );
        assert_eq!(packed.headers[header::CONTENT_ENCODING], "gzip", "{uri}");
        assert!(
            packed.headers.get_all(header::VARY).iter().any(|v| v
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding")),
            "{uri}"
        );
        let unpacked = gunzip(&packed.bytes);
        assert!(
            packed.bytes.len() * 2 < unpacked.len(),
            "{uri}: {} bytes for {}",
            packed.bytes.len(),
            unpacked.len()
        );
        if plain.status == StatusCode::OK && !uri.starts_with("/beheer") {
            // Pages carry a fresh form token; the rest must be the same bytes.
            assert_eq!(unpacked, plain.bytes, "{uri}");
        }
    }
    let xlsx = fetch(&app, "/opendata/facilities.xlsx", true).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(xlsx.bytes.starts_with(b"PK"), "a spreadsheet as it is");
}
