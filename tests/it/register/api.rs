//! The JSON API, driven in process.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

fn facility_body() -> Value {
    json!({
        "name": "Demo Spuitpunt Centrum",
        "organisation": "Demo Zorg Utrecht",
        "services": ["syringe_exchange", "naloxone"],
        "street": "Voorbeeldstraat 10",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "opened_on": "2019-04-01",
        "opening_hours": "Mo-Fr 09:00-17:00",
        "referral_required": false,
        "target_groups": "mensen die injecteren",
        "source": "website: https://demo.example",
        "verified_on": "2026-01-10"
    })
}

async fn app_with_organisation() -> TestApp {
    let app = TestApp::new().await;
    let reply = app
        .post(
            "/api/v1/organisations",
            json!({"name": "Demo Zorg Utrecht", "kind": "verslavingszorg"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    app
}

fn ids(list: &Value) -> Vec<i64> {
    list["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_facility_created_over_the_api_reads_back_with_its_provenance() {
    let app = app_with_organisation().await;
    let reply = app.post("/api/v1/facilities", facility_body()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let id = reply.json()["id"].as_i64().unwrap();

    let facility = app.get(&format!("/api/v1/facilities/{id}")).await.json();
    assert_eq!(facility["name"], "Demo Spuitpunt Centrum");
    assert_eq!(facility["organisation"], "Demo Zorg Utrecht");
    assert_eq!(facility["municipality"], "Utrecht");
    assert_eq!(facility["province_code"], "NL-UT");
    assert_eq!(facility["status"], "open");
    assert_eq!(facility["source"], "website: https://demo.example");
    assert_eq!(facility["verified_on"], "2026-01-10");
    assert_eq!(facility["version"], 1);
    assert!(
        facility.get("recorded_by").is_none(),
        "who recorded it is not public"
    );

    let internal = app
        .get_as_admin(&format!("/api/v1/facilities/{id}"))
        .await
        .json();
    assert_eq!(internal["recorded_by"], "token:test-admin");
}

#[tokio::test]
async fn no_write_is_possible_without_a_valid_token() {
    let app = app_with_organisation().await;
    let anonymous = app
        .send(
            Method::POST,
            "/api/v1/facilities",
            Some(facility_body()),
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.json()["message"]
        .as_str()
        .unwrap()
        .contains("API token"));
    assert_eq!(anonymous.headers[header::WWW_AUTHENTICATE], "Bearer");

    let forged = app
        .send(
            Method::POST,
            "/api/v1/facilities",
            Some(facility_body()),
            Some("vng_forged"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    for (method, uri) in [
        (Method::PATCH, "/api/v1/facilities/1"),
        (Method::POST, "/api/v1/organisations"),
        (Method::PATCH, "/api/v1/organisations/1"),
    ] {
        let reply = app
            .send(method.clone(), uri, Some(json!({"name": "x"})), None)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
    }
    assert_eq!(
        app.get("/api/v1/facilities/1/history").await.status,
        StatusCode::UNAUTHORIZED
    );

    // A revoked token stops working at once.
    let (id, secret) = app.store.create_token("tijdelijk", "admin").await.unwrap();
    assert!(app.store.revoke_token(id, None).await.unwrap());
    let revoked = app
        .send(
            Method::POST,
            "/api/v1/facilities",
            Some(facility_body()),
            Some(&secret),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_fields_are_each_named_in_a_422() {
    let app = app_with_organisation().await;
    let mut body = facility_body();
    body["postcode"] = json!("35111");
    body["services"] = json!(["coffeeshop"]);
    body["opening_hours"] = json!("altijd");
    body["organisation"] = json!("Bestaat Niet");
    let reply = app.post("/api/v1/facilities", body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["services", "postcode", "opening_hours"]);

    // Valid fields but an organisation that does not exist.
    let mut body = facility_body();
    body["organisation"] = json!("Bestaat Niet");
    let reply = app.post("/api/v1/facilities", body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["errors"][0]["field"], "organisation");

    // A wrong type names its field too.
    let mut body = facility_body();
    body["capacity"] = json!("twaalf");
    let reply = app.post("/api/v1/facilities", body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["errors"][0]["field"], "capacity");

    // So does a field the API does not know.
    let mut body = facility_body();
    body["kleur"] = json!("rood");
    let reply = app.post("/api/v1/facilities", body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.json()["message"].as_str().unwrap().contains("kleur"));
}

#[tokio::test]
async fn malformed_requests_get_json_errors_with_the_right_status() {
    let app = app_with_organisation().await;
    let bad_json = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/facilities")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"name\": "))
        .unwrap();
    let reply = app.raw(bad_json).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));

    let no_type = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/facilities")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .body(Body::from(facility_body().to_string()))
        .unwrap();
    assert_eq!(
        app.raw(no_type).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let huge = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/facilities")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            "{{\"notes\": \"{}\"}}",
            "x".repeat(2 * 1024 * 1024)
        )))
        .unwrap();
    assert_eq!(app.raw(huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);

    let cases = [
        (
            "/api/v1/facilities?as_of=2022-13-01",
            StatusCode::BAD_REQUEST,
            "as_of",
        ),
        (
            "/api/v1/facilities?service=coffeeshop",
            StatusCode::BAD_REQUEST,
            "service",
        ),
        (
            "/api/v1/facilities?province=Vlaanderen",
            StatusCode::BAD_REQUEST,
            "province",
        ),
        (
            "/api/v1/facilities?limit=0",
            StatusCode::BAD_REQUEST,
            "limit",
        ),
        (
            "/api/v1/facilities?kleur=rood",
            StatusCode::BAD_REQUEST,
            "kleur",
        ),
        ("/api/v1/facilities/abc", StatusCode::NOT_FOUND, "abc"),
        ("/api/v1/facilities/999", StatusCode::NOT_FOUND, "999"),
        ("/api/v1/nergens", StatusCode::NOT_FOUND, "/api/v1/nergens"),
        (
            "/opendata/facilities.pdf",
            StatusCode::NOT_FOUND,
            "facilities.pdf",
        ),
    ];
    for (uri, status, mentions) in cases {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.text());
        let message = reply.json()["message"].as_str().unwrap().to_string();
        assert!(message.contains(mentions), "{uri}: {message}");
    }
    let wrong_method = app
        .send(Method::DELETE, "/api/v1/facilities", None, None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.json()["message"].is_string());
}

#[tokio::test]
async fn a_patch_is_a_new_version_and_the_old_one_stays_readable() {
    let app = app_with_organisation().await;
    let id = app.post("/api/v1/facilities", facility_body()).await.json()["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({
                "opening_hours": "Mo-Sa 08:00-20:00",
                "target_groups": null,
                "effective_from": "2026-03-01",
                "source": "telefoon",
                "change_note": "ruimere openingstijden"
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let patched = reply.json();
    assert_eq!(patched["opening_hours"], "Mo-Sa 08:00-20:00");
    assert_eq!(patched["target_groups"], Value::Null);
    assert_eq!(
        patched["name"], "Demo Spuitpunt Centrum",
        "untouched fields stay"
    );
    assert_eq!(patched["version"], 2);
    assert_eq!(patched["source"], "phone");
    assert_eq!(
        patched["verified_on"], "2026-01-10",
        "an edit that does not say keeps the last verification"
    );

    let before = app
        .get(&format!("/api/v1/facilities/{id}?as_of=2026-02-28"))
        .await
        .json();
    assert_eq!(before["opening_hours"], "Mo-Fr 09:00-17:00");
    assert_eq!(before["target_groups"], "mensen die injecteren");

    let history = app
        .get_as_admin(&format!("/api/v1/facilities/{id}/history"))
        .await
        .json();
    let second = &history[1];
    assert_eq!(second["record"]["recorded_by"], "token:test-admin");
    assert_eq!(second["record"]["change_note"], "ruimere openingstijden");
    let changes: Vec<(&str, &Value, &Value)> = second["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["field"].as_str().unwrap(), &c["before"], &c["after"]))
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(
        changes[0],
        (
            "opening_hours",
            &json!("Mo-Fr 09:00-17:00"),
            &json!("Mo-Sa 08:00-20:00")
        )
    );
    assert_eq!(changes[1].0, "target_groups");

    // History is appended to, never rewritten.
    let backdated = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"capacity": 3, "effective_from": "2026-01-01"}),
        )
        .await;
    assert_eq!(backdated.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(backdated.json()["errors"][0]["field"], "effective_from");

    let invalid = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"postcode": "nope"}),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app
        .patch("/api/v1/facilities/424242", json!({"name": "x"}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let not_object = app
        .patch(&format!("/api/v1/facilities/{id}"), json!(["x"]))
        .await;
    assert_eq!(not_object.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn facilities_not_open_to_the_public_are_only_visible_with_a_token() {
    let app = app_with_organisation().await;
    let mut body = facility_body();
    body["name"] = json!("Demo Bewonersruimte");
    body["services"] = json!(["consumption_room"]);
    body["public_access"] = json!(false);
    body["notes"] = json!("alleen voor bewoners");
    let id = app.post("/api/v1/facilities", body).await.json()["id"]
        .as_i64()
        .unwrap();

    assert_eq!(
        app.get(&format!("/api/v1/facilities/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(ids(&app.get("/api/v1/facilities").await.json()).is_empty());
    let internal = app
        .get_as_admin(&format!("/api/v1/facilities/{id}"))
        .await
        .json();
    assert_eq!(internal["notes"], "alleen voor bewoners");
    assert_eq!(
        ids(&app.get_as_admin("/api/v1/facilities").await.json()),
        [id]
    );
    let opendata = app.get("/opendata/facilities.json").await.json();
    assert_eq!(opendata["facilities"], json!([]));
}

#[tokio::test]
async fn the_facility_list_filters_by_service_place_text_status_and_date() {
    let app = TestApp::new().await;
    assert!(app.import("a.csv", DUTCH_CSV).await.is_ok());
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let reply = app.get(&format!("/api/v1/facilities?{query}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text());
            let mut names: Vec<String> = reply.json()["facilities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(list("service=heroin_unit").await, ["Demo MHU Amsterdam"]);
    assert_eq!(
        list("service=spuitomruil").await,
        ["Demo Apotheek Zwolle", "Demo Huiskamer Centrum"]
    );
    assert_eq!(list("municipality=GM0193").await, ["Demo Apotheek Zwolle"]);
    assert_eq!(list("municipality=Amsterdam").await, ["Demo MHU Amsterdam"]);
    assert_eq!(list("province=Noord-Holland").await, ["Demo MHU Amsterdam"]);
    assert_eq!(list("province=NL-OV").await, ["Demo Apotheek Zwolle"]);
    assert_eq!(list("q=huiskamer").await, ["Demo Huiskamer Centrum"]);
    assert_eq!(
        list("q=zorg%20amsterdam").await,
        ["Demo MHU Amsterdam"],
        "matches the organisation"
    );
    assert_eq!(
        list("q=100%25").await,
        Vec::<String>::new(),
        "% is not a wildcard"
    );
    assert_eq!(list("status=closed").await, ["Demo Oude Ruimte"]);
    assert_eq!(
        list("as_of=2010-01-01").await,
        ["Demo MHU Amsterdam", "Demo Oude Ruimte"],
        "only what was open in 2010"
    );
    assert_eq!(list("status=planned&as_of=2010-01-01").await.len(), 2);
    assert_eq!(list("status=all").await.len(), 4, "all public facilities");
    assert_eq!(list("limit=1&offset=1&status=all").await.len(), 1);
}

#[tokio::test]
async fn organisations_have_unique_names_and_a_history() {
    let app = app_with_organisation().await;
    let duplicate = app
        .post(
            "/api/v1/organisations",
            json!({"name": "demo zorg UTRECHT"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert!(duplicate.json()["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    let bad = app
        .post(
            "/api/v1/organisations",
            json!({"name": "Demo X", "kind": "bakkerij", "website": "demo.example"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"].as_array().unwrap().len(), 2);

    let patched = app
        .patch(
            "/api/v1/organisations/1",
            json!({"contact_email": "info@demo.example", "effective_from": "2026-02-01"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    let public = app.get("/api/v1/organisations/1").await.json();
    assert_eq!(public["kind"], "addiction_care");
    assert!(
        public.get("contact_email").is_none(),
        "contact details need a token"
    );
    let internal = app.get_as_admin("/api/v1/organisations/1").await.json();
    assert_eq!(internal["contact_email"], "info@demo.example");
    let before = app
        .get_as_admin("/api/v1/organisations/1?as_of=2026-01-31")
        .await
        .json();
    assert!(before.get("contact_email").is_none());
    let history = app
        .get_as_admin("/api/v1/organisations/1/history")
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["changes"][0]["field"], "contact_email");
}

#[tokio::test]
async fn open_data_is_published_in_every_format() {
    let app = TestApp::new().await;
    assert!(app.import("a.csv", DUTCH_CSV).await.is_ok());
    let catalogue = app.get("/opendata/").await.json();
    assert_eq!(catalogue["files"].as_array().unwrap().len(), 7);

    let geojson = app.get("/opendata/facilities.geojson").await;
    assert_eq!(
        geojson.headers[header::CONTENT_TYPE],
        "application/geo+json"
    );
    let geojson = geojson.json();
    assert_eq!(geojson["type"], "FeatureCollection");
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), 3, "the open public facilities");
    let [lon, lat] = [
        &features[0]["geometry"]["coordinates"][0],
        &features[0]["geometry"]["coordinates"][1],
    ];
    assert!(
        (3.2..7.3).contains(&lon.as_f64().unwrap())
            && (50.7..53.7).contains(&lat.as_f64().unwrap())
    );

    let json = app
        .get("/opendata/facilities.json?as_of=2022-01-01")
        .await
        .json();
    assert_eq!(json["as_of"], "2022-01-01");
    let names: Vec<&str> = json["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Demo Oude Ruimte"),
        "open in 2022: {names:?}"
    );

    let xlsx = app.get("/opendata/facilities.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert!(xlsx.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains(".xlsx"));

    let provinces = app.get("/opendata/provinces.geojson").await.json();
    assert_eq!(provinces["features"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn health_reference_data_and_the_openapi_document_answer() {
    let app = TestApp::new().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["database"]["engine"], engine());

    let utrecht = app
        .get("/api/v1/municipalities?province=Utrecht")
        .await
        .json();
    assert_eq!(utrecht.as_array().unwrap().len(), 26);
    assert_eq!(
        app.get("/api/v1/provinces")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        12
    );

    let doc = app.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/facilities",
        "/api/v1/facilities/{id}",
        "/api/v1/facilities/{id}/history",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/organisations/{id}/history",
        "/api/v1/reports/table1",
        "/api/v1/municipalities",
        "/api/v1/provinces",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert!(paths["/api/v1/facilities"]["post"]["security"].is_array());
    assert!(app.get("/").await.text().contains("vangnet"));
}

#[tokio::test]
async fn the_health_check_says_when_the_database_is_gone() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    app.store.close().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["database"]["status"], "unavailable");
}
