//! Who may keep an answer: answers with non-public data say
//! `Cache-Control: no-store`; public answers that depend on who asks say
//! `Vary: Cookie, Authorization`, so that no cache hands one caller's
//! answer to another.

use axum::http::{header, Method, StatusCode};
use serde_json::json;

use crate::browser::signed_in;
use crate::common::*;

/// An organisation with a public and a residents-only facility: (public, non-public).
async fn facilities(app: &TestApp) -> (i64, i64) {
    let org = app
        .post("/api/v1/organisations", json!({"name": "Demo Zorg"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    for (name, public) in [("Demo Huiskamer", true), ("Demo Bewonersruimte", false)] {
        let reply = app
            .post(
                "/api/v1/facilities",
                json!({"name": name, "organisation_id": org, "services": ["consumption_room"],
                       "city": "Utrecht", "public_access": public, "notes": "intern"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        ids.push(reply.json()["id"].as_i64().unwrap());
    }
    (ids[0], ids[1])
}

fn cache_control(reply: &Reply) -> &str {
    reply
        .headers
        .get(header::CACHE_CONTROL)
        .map_or("", |v| v.to_str().unwrap())
}

fn vary(reply: &Reply) -> String {
    reply
        .headers
        .get_all(header::VARY)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn answers_with_non_public_data_are_never_stored() {
    let app = TestApp::new().await;
    let (public, residents) = facilities(&app).await;
    let (_, researcher) = app
        .user_token("onderzoek@example.org", "researcher", None)
        .await;
    for uri in [
        "/api/v1/me".to_string(),
        "/api/v1/tokens".to_string(),
        "/api/v1/users".to_string(),
        "/api/v1/audit".to_string(),
        "/api/v1/audit?format=csv".to_string(),
        "/api/v1/locked-accounts".to_string(),
        format!("/api/v1/facilities/{residents}"),
        format!("/api/v1/facilities/{public}"),
        format!("/api/v1/facilities/{public}/history"),
        "/api/v1/facilities?status=all".to_string(),
        "/api/v1/organisations".to_string(),
    ] {
        let reply = app.get_as_admin(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        assert_eq!(cache_control(&reply), "no-store", "{uri}");
    }
    let reply = app
        .send(Method::GET, "/api/v1/rounds", None, Some(&researcher))
        .await;
    assert_eq!(cache_control(&reply), "no-store", "a researcher's rounds");
    // Refusals of credentials are not kept either.
    let guess = app
        .send(Method::GET, "/api/v1/me", None, Some("vng_guess"))
        .await;
    assert_eq!(guess.status, StatusCode::UNAUTHORIZED);
    assert_eq!(cache_control(&guess), "no-store");

    // Staff pages and downloads, signed in with a session cookie.
    let mut browser = signed_in(&app, "beheer@example.org", "admin", None).await;
    for uri in [
        "/account".to_string(),
        "/beheer/gebruikers".to_string(),
        "/beheer/audit.csv".to_string(),
        format!("/beheer/voorzieningen/{residents}/geschiedenis"),
    ] {
        let reply = browser.get(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(cache_control(&reply), "no-store", "{uri}");
    }
    let api = browser
        .get(&format!("/api/v1/facilities/{residents}"))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    assert_eq!(cache_control(&api), "no-store", "the API with a session");
}

#[tokio::test]
async fn public_answers_that_depend_on_the_caller_vary_by_cookie_and_authorization() {
    let app = TestApp::new().await;
    let (public, _) = facilities(&app).await;
    for uri in [
        "/api/v1/facilities".to_string(),
        format!("/api/v1/facilities/{public}"),
        "/api/v1/organisations".to_string(),
        "/api/v1/rounds".to_string(),
        format!("/voorzieningen/{public}"),
        "/".to_string(),
        "/zoeken?q=Utrecht".to_string(),
    ] {
        let reply = app.get(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        // An answer large enough to be compressed also varies by its encoding.
        let vary = vary(&reply).to_ascii_lowercase();
        assert!(
            vary == "cookie, authorization" || vary == "cookie, authorization, accept-encoding",
            "{uri}: {vary}"
        );
    }
    // An anonymous list of public facilities may be kept by a cache (it varies).
    assert_ne!(
        cache_control(&app.get("/api/v1/facilities").await),
        "no-store"
    );

    // Answers that are the same for everyone keep their own caching, also
    // for a signed-in browser (it sends its cookie with every request).
    let mut browser = signed_in(&app, "beheer@example.org", "admin", None).await;
    let css = browser.get("/static/vangnet.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        cache_control(&css).contains("immutable"),
        "{}",
        cache_control(&css)
    );
    assert!(!vary(&css).contains("Cookie"), "{}", vary(&css));
    let municipalities = app.get("/api/v1/municipalities").await;
    assert!(!vary(&municipalities).contains("Cookie"));
}
