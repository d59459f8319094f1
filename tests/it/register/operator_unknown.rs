//! Locations whose operator is not known (issue 14): a public list that
//! names places and services but not who runs them imports, counts like any
//! other list, imports again without change, and a facility can be given
//! its organisation later, with provenance. Only national roles act on such
//! a facility.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::browser::{signed_in, Browser};
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

/// A public list as a municipality or ministry publishes it, with the
/// demo spreadsheet's Dutch headers (`;`-separated): who runs the place is
/// empty on half the rows. Verified last month, so only the operator is left
/// to find out.
fn public_list() -> String {
    let recent = vangnet::domain::date::today() - chrono::Duration::days(30);
    format!(
        "naam;organisatie;voorzieningen;adres;postcode;plaats;bron;geverifieerd\n\
         Spuitomruil Centrum;;spuitomruil;Voorbeeldstraat 1;3511 AB;Utrecht;website: gemeente;{recent}\n\
         Spuitomruil Oost;Zorg Oost;spuitomruil;Demoweg 2;3581 AA;Utrecht;website: gemeente;{recent}\n\
         Gebruiksruimte Station;;gebruiksruimte;Stationsplein 3;8011 AA;Zwolle;website: gemeente;{recent}\n\
         Gebruiksruimte Noord;Zorg Noord;gebruiksruimte;Proefkade 4;9711 AA;Groningen;website: gemeente;{recent}\n\
         Heroïne-unit Almere;;heroïne-unit;;;Almere;website: gemeente;{recent}\n\
         Heroïne-unit Leeuwarden;Zorg Noord;heroïne-unit;Testlaan 6;8911 AA;Leeuwarden;website: gemeente;{recent}\n"
    )
}

/// The rows of the public list without an organisation.
const WITHOUT_OPERATOR: [&str; 3] = [
    "Gebruiksruimte Station",
    "Heroïne-unit Almere",
    "Spuitomruil Centrum",
];

/// `vangnet import facilities FILE --database URL`; its standard output.
fn import_on_the_command_line(app: &TestApp, list: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openbare-lijst.csv");
    std::fs::write(&file, list).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(["import", "facilities"])
        .arg(&file)
        .args(["--database", app.database_url()])
        .env_remove("VANGNET_DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Checks and writes `list` on the staff import page as a researcher; the
/// page that says what was written.
async fn import_on_the_page(researcher: &mut Browser, list: &str) -> String {
    let token = crate::browser::csrf_token(&researcher.get("/beheer/import").await);
    let checked = researcher
        .upload(
            "/beheer/import",
            Some(&token),
            "openbare-lijst.csv",
            list.as_bytes(),
        )
        .await;
    let html = page(&checked);
    let fields = crate::browser::form_fields(&html, "/beheer/import/importeren");
    page(&researcher.post("/beheer/import/importeren", &fields).await)
}

/// The facilities by name, each with its organisation's name (if any).
async fn operators(app: &TestApp) -> Vec<(String, Option<String>)> {
    let mut list: Vec<(String, Option<String>)> = app
        .facilities("status=all")
        .await
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["organisation"].as_str().map(str::to_string),
            )
        })
        .collect();
    list.sort();
    list
}

/// The names on the to-find-out page (as an admin) with their reasons.
async fn to_find_out(admin: &mut Browser) -> (String, Vec<(String, String)>) {
    let html = page(&admin.get("/beheer/uitzoeken").await);
    let body = &html[html.find("<tbody").expect("a table of facilities")..];
    let rows = body
        .split("<tr class=\"utrecht-table__row\">")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row
                .split("<td class=\"utrecht-table__cell\">")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap())
                .collect();
            let name = cells[0].split('>').nth(1).unwrap().trim_end_matches("</a");
            (name.to_string(), cells[1].to_string())
        })
        .collect();
    (html, rows)
}

/// A contact for each organisation the public list names, so that the
/// operator is all the to-find-out page has left to ask.
async fn contacts_for_the_known_operators(app: &TestApp) {
    for organisation in ["Zorg Oost", "Zorg Noord"] {
        let list = app.get("/api/v1/organisations").await.json();
        let id = list
            .as_array()
            .or_else(|| list["organisations"].as_array())
            .unwrap()
            .iter()
            .find(|o| o["name"] == organisation)
            .unwrap_or_else(|| panic!("no {organisation} in {list}"))["id"]
            .as_i64()
            .unwrap();
        let email = format!(
            "info@{}.example",
            organisation.replace(' ', "-").to_lowercase()
        );
        let reply = app
            .post(
                "/api/v1/contacts",
                json!({"organisation_id": id, "name": "A. de Vries", "email": email}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
}

/// What every import of the public list must leave: six facilities, the
/// three without an operator among them, counted in Table 1, and the
/// to-find-out page naming exactly those three, operator unknown (the
/// known organisations have a contact).
async fn the_list_is_in_the_register(app: &TestApp, admin: &mut Browser) {
    let facilities = operators(app).await;
    assert_eq!(facilities.len(), 6, "no duplicates: {facilities:?}");
    let unknown: Vec<&str> = facilities
        .iter()
        .filter(|(_, organisation)| organisation.is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(unknown, WITHOUT_OPERATOR);

    let table = app.get("/api/v1/reports/table1").await.json();
    for (service, locations, municipalities) in [
        ("syringe_exchange", 2, 1),
        ("consumption_room", 2, 2),
        ("heroin_unit", 2, 2),
    ] {
        let row = table1_row(&table, service);
        assert_eq!(row["locations"], locations, "{service}: {row}");
        assert_eq!(row["municipalities"], municipalities, "{service}: {row}");
    }

    let (html, rows) = to_find_out(admin).await;
    assert!(html.contains("Exploitant onbekend: 3"), "{html}");
    let mut listed: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
    listed.sort();
    assert_eq!(listed, WITHOUT_OPERATOR, "{rows:?}");
    for (name, why) in &rows {
        assert_eq!(why, "exploitant onbekend", "{name}");
    }
}

#[tokio::test]
async fn a_public_list_without_operators_imports_on_the_command_line_then_again_on_the_page_unchanged(
) {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    let list = public_list();
    let first = import_on_the_command_line(&app, &list);
    assert!(
        first.contains("6 rows: 6 created, 0 updated, 0 unchanged"),
        "{first}"
    );
    contacts_for_the_known_operators(&app).await;
    the_list_is_in_the_register(&app, &mut admin).await;

    let again = import_on_the_command_line(&app, &list);
    assert!(
        again.contains("6 rows: 0 created, 0 updated, 6 unchanged"),
        "{again}"
    );
    let written = import_on_the_page(&mut researcher, &list).await;
    assert!(
        written.contains("Geschreven: 0 toegevoegd, 0 bijgewerkt, 6 ongewijzigd."),
        "{written}"
    );
    the_list_is_in_the_register(&app, &mut admin).await;
}

#[tokio::test]
async fn a_public_list_without_operators_imports_on_the_page_then_again_on_the_command_line_unchanged(
) {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    let list = public_list();
    let written = import_on_the_page(&mut researcher, &list).await;
    assert!(
        written.contains("Geschreven: 6 toegevoegd, 0 bijgewerkt, 0 ongewijzigd."),
        "{written}"
    );
    contacts_for_the_known_operators(&app).await;
    the_list_is_in_the_register(&app, &mut admin).await;

    let again = import_on_the_command_line(&app, &list);
    assert!(
        again.contains("6 rows: 0 created, 0 updated, 6 unchanged"),
        "{again}"
    );
    let written = import_on_the_page(&mut researcher, &list).await;
    assert!(
        written.contains("Geschreven: 0 toegevoegd, 0 bijgewerkt, 6 ongewijzigd."),
        "{written}"
    );
    the_list_is_in_the_register(&app, &mut admin).await;
}

/// The demo's heroin units listed as the official allocation names them.
const DEMO_UNITS_WITHOUT_OPERATOR: [&str; 4] = [
    "Demo MHU Almere",
    "Demo MHU Apeldoorn",
    "Demo MHU Breda",
    "Demo MHU Leeuwarden",
];

#[tokio::test]
async fn the_demos_units_known_by_municipality_only_are_to_find_out_and_on_the_dashboards() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    let (html, rows) = to_find_out(&mut admin).await;
    assert!(html.contains("Exploitant onbekend: 4"), "{html}");
    let unknown: Vec<&str> = rows
        .iter()
        .filter(|(_, why)| why.contains("exploitant onbekend"))
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(unknown, DEMO_UNITS_WITHOUT_OPERATOR, "listed first");

    // Their monthly reports count on the public dashboard, and staff open
    // their municipality's and their own dashboards.
    let public = app.get("/cijfers/dashboard").await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text());
    let almere = app.facility_id("Demo MHU Almere").await;
    let area = page(&admin.get("/beheer/dashboard/GM0034").await);
    assert!(
        area.contains(&format!("/beheer/dashboard/voorziening/{almere}")),
        "{area}"
    );
    let own = page(
        &admin
            .get(&format!("/beheer/dashboard/voorziening/{almere}"))
            .await,
    );
    assert!(own.contains("Demo MHU Almere"), "{own}");
}
