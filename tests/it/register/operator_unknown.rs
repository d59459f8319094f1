//! Locations whose operator is not known (issue 14): a public list that
//! names places and services but not who runs them imports, counts like any
//! other list, imports again without change, and a facility can be given
//! its organisation later, with provenance. Only national roles act on such
//! a facility.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

/// A public list with Dutch headers; the organisation is empty on half the rows.
const LIST: &str = "naam,organisatie,diensten,plaats,postcode\n\
Spuitomruil Centrum,,syringe_exchange,Utrecht,3511AB\n\
Spuitomruil Oost,Zorg Oost,syringe_exchange,Utrecht,3581AA\n\
Gebruiksruimte Station,,consumption_room,Zwolle,8011AA\n\
Gebruiksruimte Noord,Zorg Noord,consumption_room,Groningen,9711AA\n";

fn by_name<'a>(facilities: &'a [Value], name: &str) -> &'a Value {
    facilities
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[tokio::test]
async fn a_list_without_operators_imports_counts_and_imports_again_unchanged() {
    let app = TestApp::new().await;
    let report = app.import("lijst.csv", LIST).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.created, report.updated), (4, 0));
    assert_eq!(report.organisations_created, ["Zorg Oost", "Zorg Noord"]);

    let facilities = app.facilities("status=all").await;
    let centrum = by_name(&facilities, "Spuitomruil Centrum");
    assert_eq!(centrum["organisation_id"], Value::Null);
    assert_eq!(centrum["organisation"], Value::Null);
    assert!(by_name(&facilities, "Spuitomruil Oost")["organisation_id"].is_i64());

    // They count like any other location.
    let table = app.get("/api/v1/reports/table1").await.json();
    let exchange = table1_row(&table, "syringe_exchange");
    assert_eq!(exchange["locations"], 2);
    assert_eq!(exchange["municipalities"], 1);
    let rooms = table1_row(&table, "consumption_room");
    assert_eq!(rooms["locations"], 2);
    assert_eq!(rooms["municipalities"], 2);

    // The same file again changes nothing (name + municipality).
    let again = app.import("lijst.csv", LIST).await;
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 4));
    assert_eq!(app.facilities("status=all").await.len(), 4);
}

#[tokio::test]
async fn an_operator_found_later_is_recorded_with_its_source_and_kept_on_reimport() {
    let app = TestApp::new().await;
    app.import("lijst.csv", LIST).await;
    let facilities = app.facilities("status=all").await;
    let id = by_name(&facilities, "Spuitomruil Centrum")["id"]
        .as_i64()
        .unwrap();
    let org = app
        .post("/api/v1/organisations", json!({"name": "Zorg Centrum"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"organisation_id": org, "source": "phone: gebeld met de gemeente",
                   "verified_on": "2026-11-30"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let history = app
        .get_as_admin(&format!("/api/v1/facilities/{id}/history"))
        .await
        .json();
    let versions = history.as_array().unwrap();
    let last = versions.last().unwrap();
    assert_eq!(
        last["record"]["source"], "phone: gebeld met de gemeente",
        "{last}"
    );
    let changed: Vec<&Value> = last["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"] == "organisation_id")
        .collect();
    assert_eq!(changed.len(), 1, "{last}");
    assert_eq!(changed[0]["before"], Value::Null);
    assert_eq!(changed[0]["after"], org);

    // The public list again: the row still names no operator, the register
    // keeps the one found.
    let again = app.import("lijst.csv", LIST).await;
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(again.created, 0);
    let now = app.facilities("status=all").await;
    assert_eq!(by_name(&now, "Spuitomruil Centrum")["organisation_id"], org);
}

#[tokio::test]
async fn the_api_takes_a_facility_without_an_organisation_from_national_roles_only() {
    let app = TestApp::new().await;
    let body = json!({"name": "Naloxonepunt Markt", "services": ["naloxone"], "city": "Utrecht"});
    let reply = app.post("/api/v1/facilities", body.clone()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let id = reply.json()["id"].as_i64().unwrap();
    let read = app.get(&format!("/api/v1/facilities/{id}")).await.json();
    assert_eq!(read["organisation_id"], Value::Null);

    let org = app
        .post("/api/v1/organisations", json!({"name": "Zorg Markt"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let (_, manager) = app
        .user_token("beheer@zorg.example", "org_manager", Some(org))
        .await;
    let refused = app
        .send(
            axum::http::Method::POST,
            "/api/v1/facilities",
            Some(body),
            Some(&manager),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    // Nor may they claim the facility by editing it.
    let claim = app
        .send(
            axum::http::Method::PATCH,
            &format!("/api/v1/facilities/{id}"),
            Some(json!({"organisation_id": org})),
            Some(&manager),
        )
        .await;
    assert_eq!(claim.status, StatusCode::FORBIDDEN, "{}", claim.text());
}

#[tokio::test]
async fn two_places_of_one_name_need_the_row_to_say_which() {
    let app = TestApp::new().await;
    let two = "naam,organisatie,diensten,plaats\n\
               Inloop,Zorg A,consumption_room,Utrecht\n\
               Inloop,Zorg B,consumption_room,Utrecht\n";
    assert!(app.import("twee.csv", two).await.errors.is_empty());
    let unknown = "naam,organisatie,diensten,plaats\nInloop,,consumption_room,Utrecht\n";
    let report = app.import("lijst.csv", unknown).await;
    assert_eq!(report.created, 0);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let error = report.errors[0].to_string();
    assert!(error.contains("organisatie"), "{error}");
}

#[tokio::test]
async fn the_to_find_out_page_lists_unknown_operators_and_unconfirmed_facilities() {
    let app = TestApp::new().await;
    let list = "naam,organisatie,diensten,plaats,bron,geverifieerd_op\n\
                Spuitomruil Centrum,,syringe_exchange,Utrecht,website,2026-11-01\n\
                Gebruiksruimte Noord,Zorg Noord,consumption_room,Groningen,phone,2024-03-01\n\
                Inloop Zuid,Zorg Noord,consumption_room,Maastricht,phone,2026-11-01\n\
                Huiskamer West,Zorg West,consumption_room,Den Haag,phone,2026-11-01\n";
    let report = app.import("lijst.csv", list).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let facilities = app.facilities("status=all").await;
    let noord = by_name(&facilities, "Inloop Zuid")["organisation_id"]
        .as_i64()
        .unwrap();
    let contact = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": noord, "name": "A. de Vries", "email": "info@noord.example"}),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.text());
    let mut browser =
        crate::browser::signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let reply = browser.get("/beheer/uitzoeken").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let text = page(&reply);
    assert!(text.contains("Spuitomruil Centrum"), "{text}");
    assert!(text.contains("exploitant onbekend"), "{text}");
    assert!(text.contains("Gebruiksruimte Noord"), "{text}");
    assert!(
        text.contains("langer dan een jaar niet bevestigd"),
        "{text}"
    );
    assert!(
        !text.contains("Inloop Zuid"),
        "confirmed this month, operator known"
    );
    // The unknown operator comes first.
    assert!(text.find("Spuitomruil Centrum") < text.find("Gebruiksruimte Noord"));

    let mut manager =
        crate::browser::signed_in(&app, "beheer@noord.example", "org_manager", Some(noord)).await;
    assert_eq!(
        manager.get("/beheer/uitzoeken").await.status,
        StatusCode::FORBIDDEN
    );
}
