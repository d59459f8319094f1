//! The personal-data guard on the register's imports: a file with data
//! about persons is refused as a whole, naming the column (and the row),
//! and nothing of it is stored; the service's own phone number passes.

use serde_json::Value;

use crate::common::*;

async fn stored_facilities(app: &TestApp) -> usize {
    let all = app
        .get_as_admin("/api/v1/facilities?status=all")
        .await
        .json();
    all["facilities"].as_array().map_or(0, Vec::len)
}

const HEADER: &str = "naam;organisatie;voorzieningen;adres;postcode;plaats;telefoon;opmerkingen";

#[tokio::test]
async fn a_facility_file_with_a_bsn_column_is_refused_naming_the_column() {
    let app = TestApp::new().await;
    let csv = "naam;organisatie;voorzieningen;plaats;BSN\n\
               Demo Huiskamer;Demo Zorg;spuitomruil;Utrecht;111222333\n";
    let report = app.import("clienten.csv", csv).await;
    assert!(!report.is_ok());
    assert!(!report.written);
    assert_eq!(report.errors.len(), 1, "{report}");
    let error = &report.errors[0];
    assert_eq!(error.row, 1);
    assert_eq!(error.column.as_deref(), Some("E (BSN)"));
    assert!(
        error.message.contains("column E (BSN)"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("data about persons"),
        "{}",
        error.message
    );
    assert_eq!(stored_facilities(&app).await, 0, "nothing is stored");
    let organisations: Value = app.get("/api/v1/organisations").await.json();
    assert_eq!(
        organisations,
        serde_json::json!([]),
        "nor its organisations"
    );
}

#[tokio::test]
async fn a_bsn_in_the_notes_is_refused_naming_row_and_column() {
    let app = TestApp::new().await;
    let csv = format!(
        "{HEADER}\n\
         Demo Huiskamer;Demo Zorg;spuitomruil;Voorbeeldstraat 1;3511 AB;Utrecht;030 123 45 67;ruim\n\
         Demo Bus;Demo Zorg;spuitomruil;Demoweg 2;3512 CD;Utrecht;;cliënt 1234.56.782 belt vaak\n"
    );
    let report = app.import("notities.csv", &csv).await;
    assert!(!report.written);
    assert_eq!(report.errors.len(), 1, "{report}");
    let error = &report.errors[0];
    assert_eq!(error.row, 3);
    assert_eq!(error.column.as_deref(), Some("H (opmerkingen)"));
    let said = error.to_string();
    assert!(
        said.contains("row 3") && said.contains("H (opmerkingen)"),
        "{said}"
    );
    assert!(error.message.contains("BSN"), "{}", error.message);
    assert!(!error.message.contains("782"), "the number is not repeated");
    assert_eq!(
        stored_facilities(&app).await,
        0,
        "the clean first row is not stored either"
    );
}

#[tokio::test]
async fn an_email_address_or_a_phone_number_in_free_text_is_refused() {
    let app = TestApp::new().await;
    for (notes, reason) in [
        ("contact jan@voorbeeld.nl", "e-mail address"),
        ("bel mevrouw op 06-12345678", "phone number"),
    ] {
        let csv = format!(
            "{HEADER}\nDemo Bus;Demo Zorg;spuitomruil;Demoweg 2;3512 CD;Utrecht;;{notes}\n"
        );
        let report = app.import("notities.csv", &csv).await;
        assert_eq!(report.errors.len(), 1, "{report}");
        assert!(report.errors[0].message.contains(reason), "{report}");
        assert_eq!(report.errors[0].row, 2);
    }
    assert_eq!(stored_facilities(&app).await, 0);
}

#[tokio::test]
async fn the_services_own_phone_number_in_the_phone_column_passes() {
    let app = TestApp::new().await;
    let csv = format!(
        "{HEADER}\n\
         Demo Huiskamer;Demo Zorg;spuitomruil;Voorbeeldstraat 1;3511 AB;Utrecht;+31 30 123 45 67;open sinds 2019-05-01\n"
    );
    let report = app.import("telefoon.csv", &csv).await;
    assert!(report.is_ok(), "{report}");
    assert!(report.written);
    assert_eq!(stored_facilities(&app).await, 1);
}

#[tokio::test]
async fn a_figures_file_with_personal_data_is_refused_and_nothing_stored() {
    let app = TestApp::new().await;
    let actor = vangnet::domain::provenance::Actor::named("test");
    let csv = "key,scope,period,value,qualifier,unit,source,note\n\
               syringes.out,GM0363,2018,89650,exact,syringes,GGD,mail a.jansen@ggd.nl for details\n";
    let report = vangnet::rounds::import_figures(&app.store, csv.as_bytes(), "figures.csv", &actor)
        .await
        .unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].row, 2);
    assert_eq!(report.errors[0].column.as_deref(), Some("H (note)"));
    assert!(report.errors[0].message.contains("e-mail"));
    assert_eq!(report.created, 0);
    let csv = "key,scope,period,value,qualifier,unit,source,Geboortedatum\n";
    let report = vangnet::rounds::import_figures(&app.store, csv.as_bytes(), "figures.csv", &actor)
        .await
        .unwrap();
    assert_eq!(
        report.errors[0].column.as_deref(),
        Some("H (Geboortedatum)")
    );
}

#[tokio::test]
async fn the_api_refuses_the_same_bsn_in_the_notes_naming_the_field() {
    let app = TestApp::new().await;
    let reply = app
        .post(
            "/api/v1/facilities",
            serde_json::json!({
                "name": "Demo Spuitpunt Centrum",
                "organisation": "Demo Zorg Utrecht",
                "services": ["syringe_exchange"],
                "city": "Utrecht",
                "notes": "cliënt 1234.56.782 belt vaak",
            }),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let text = reply.text();
    assert!(text.contains("notes") && text.contains("BSN"), "{text}");
    assert_eq!(stored_facilities(&app).await, 0);
}
