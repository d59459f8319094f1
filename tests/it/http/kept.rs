//! The answers the server keeps for anonymous readers (`http/web/kept.rs`):
//! the same answer for everyone who is not signed in, gzipped for who takes
//! it, never one that is out of date, and never one a signed-in reader, a
//! token or another language should get instead of their own.

use std::io::Read;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::browser::signed_in;
use crate::common::*;

async fn get_with(app: &TestApp, uri: &str, headers: &[(header::HeaderName, &str)]) -> Reply {
    let mut request = Request::builder().uri(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    app.raw(request.body(Body::empty()).unwrap()).await
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("a gzip body");
    plain
}

async fn facility(app: &TestApp, org: i64, name: &str) -> i64 {
    let reply = app
        .post(
            "/api/v1/facilities",
            json!({"name": name, "organisation_id": org, "services": ["syringe_exchange"],
                   "city": "Utrecht", "latitude": 52.09, "longitude": 5.12}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

async fn organisation(app: &TestApp) -> i64 {
    app.post("/api/v1/organisations", json!({"name": "Zorg Utrecht"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_browser_that_takes_gzip_gets_the_same_page_gzipped() {
    let app = TestApp::new().await;
    let org = organisation(&app).await;
    facility(&app, org, "Spuitpunt Centrum").await;
    for uri in [
        "/",
        "/zoeken?q=Utrecht",
        "/api/v1/finder?lat=52.09&lon=5.12",
        "/cijfers/dashboard",
        "/cijfers/indicatoren",
    ] {
        let plain = app.get(uri).await;
        assert_eq!(plain.status, StatusCode::OK, "{uri}: {}", plain.text());
        assert!(
            plain.headers.get(header::CONTENT_ENCODING).is_none(),
            "{uri}"
        );
        // Twice: the first works it out, the second is the kept answer.
        for _ in 0..2 {
            let gzipped =
                get_with(&app, uri, &[(header::ACCEPT_ENCODING, "gzip, deflate, br")]).await;
            assert_eq!(gzipped.status, StatusCode::OK, "{uri}");
            assert_eq!(gzipped.headers[header::CONTENT_ENCODING], "gzip", "{uri}");
            assert!(
                gzipped.bytes.len() < plain.bytes.len(),
                "{uri}: {} bytes gzipped of {}",
                gzipped.bytes.len(),
                plain.bytes.len()
            );
            let vary: Vec<_> = gzipped.headers.get_all(header::VARY).iter().collect();
            assert!(
                vary.iter()
                    .any(|v| v.to_str().unwrap().contains("Accept-Encoding")),
                "{uri}: {vary:?}"
            );
            let unpacked = String::from_utf8(gunzip(&gzipped.bytes)).unwrap();
            // The same answer but for the minute it says it is now.
            if uri.starts_with("/api/v1/finder") {
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(&unpacked).unwrap()["results"],
                    plain.json()["results"],
                    "{uri}"
                );
            } else {
                assert_eq!(unpacked, plain.text(), "{uri}");
            }
        }
    }
}

#[tokio::test]
async fn a_change_is_in_the_next_anonymous_answer() {
    let app = TestApp::new().await;
    let org = organisation(&app).await;
    facility(&app, org, "Spuitpunt Centrum").await;
    let finder = "/api/v1/finder?lat=52.09&lon=5.12";
    let names = |reply: &Reply| -> Vec<String> {
        reply.json()["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["facility"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&app.get(finder).await), ["Spuitpunt Centrum"]);
    assert_eq!(names(&app.get(finder).await), ["Spuitpunt Centrum"]);
    let page = app.get("/zoeken?q=Utrecht").await;
    assert!(!page.text().contains("Spuitpunt Oost"));

    facility(&app, org, "Spuitpunt Oost").await;
    let mut after = names(&app.get(finder).await);
    after.sort();
    assert_eq!(after, ["Spuitpunt Centrum", "Spuitpunt Oost"]);
    assert!(app
        .get("/zoeken?q=Utrecht")
        .await
        .text()
        .contains("Spuitpunt Oost"));

    // Reference data too: the bundled figures bring the inhabitants that
    // services per 100,000 inhabitants divides by.
    let indicator = "/api/v1/indicators?code=services_per_100k&year=2025";
    let before = app.get(indicator).await.json();
    app.import_bundled_figures().await;
    let after = app.get(indicator).await.json();
    assert_ne!(before, after, "the kept indicator was sent after an import");
    assert!(
        after["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["value"].is_number()),
        "{after}"
    );
}

#[tokio::test]
async fn a_signed_in_reader_a_token_and_another_language_get_their_own_answer() {
    let app = TestApp::new().await;
    let org = organisation(&app).await;
    facility(&app, org, "Spuitpunt Centrum").await;
    // Anonymous readers in Dutch first, so that an answer is kept.
    for _ in 0..2 {
        let page = app.get("/cijfers/dashboard").await;
        assert_eq!(page.headers[header::CONTENT_LANGUAGE], "nl");
        assert!(!page.text().contains("Ingelogd als"));
    }
    let english = get_with(&app, "/cijfers/dashboard", &[(header::COOKIE, "lang=en")]).await;
    assert_eq!(english.status, StatusCode::OK);
    assert_eq!(english.headers[header::CONTENT_LANGUAGE], "en");

    let mut browser = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let mine = browser.get("/cijfers/dashboard").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.text().contains("Ingelogd als"),
        "the header names who is signed in"
    );
    assert_eq!(mine.headers[header::CACHE_CONTROL], "no-store");

    // Public metric figures: "<5" for anyone, exact with a token.
    let (_, staff) = app.user_token("staf@example.org", "researcher", None).await;
    let uri = "/api/v1/stats/metrics?metric=visits&by=year&from=2025&to=2025";
    let public = app.get(uri).await;
    let exact = app
        .send(axum::http::Method::GET, uri, None, Some(&staff))
        .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text());
    assert_eq!(exact.status, StatusCode::OK, "{}", exact.text());
    assert_eq!(exact.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(app.get(uri).await.bytes, public.bytes);
}

#[tokio::test]
async fn a_first_visit_still_gets_its_form_cookie_and_a_kept_page_holds_no_token() {
    let app = TestApp::new().await;
    let first = app.get("/").await;
    let cookie = first
        .headers
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string())
        .expect("a first visit gets the form cookie");
    let token = cookie
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .unwrap()
        .1
        .to_string();
    assert!(!first.text().contains(&token));
    let second = app.get("/").await;
    // Served from what was kept: nobody else's cookie comes with it.
    assert!(
        second
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|v| !v.to_str().unwrap().contains(&token)),
        "another visitor's form cookie was sent again"
    );
    // The sign-in page (not kept) shows the token of the cookie it sets.
    let sign_in = app.get("/inloggen").await;
    let set = sign_in.headers[header::SET_COOKIE].to_str().unwrap();
    let token = set.split(';').next().unwrap().split_once('=').unwrap().1;
    assert!(sign_in.text().contains(token));
}
