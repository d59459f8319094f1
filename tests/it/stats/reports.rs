//! Statistics as a researcher and the public use them: what opened and
//! closed between two days or two published rounds (with dates and
//! sources, and the sentence per service), the trend figure with published
//! figures drawn apart from register counts, and the spread over the
//! country with the municipalities farthest from a service; through the
//! API (JSON, CSV, SVG), the pages in Dutch and English, and the command line.

use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

/// A register with a history between 2022 and 2026. Consumption rooms on
/// 1 January 2022: Blijft, Dicht, Maastricht, Groningen (4); on 1 January
/// 2026: Blijft, Nieuw, Zwolle (3). Dicht closes (phoned), Maastricht
/// closes (as imported), Groningen stops its room; Nieuw opens, Zwolle
/// starts one. Bewoners is residents-only, Kort opened and closed in between.
const REGISTER: &str = "naam;organisatie;voorzieningen;adres;postcode;plaats;geopend;gesloten;openbaar;bron;geverifieerd
Demo Ruimte Blijft;Demo Zorg Utrecht;gebruiksruimte;Voorbeeldstraat 1;3511 AB;Utrecht;2015-03-01;;ja;telefoon;2021-06-01
Demo Ruimte Dicht;Demo Zorg Amsterdam;gebruiksruimte;Proefkade 3;1012 AB;Amsterdam;2005-01-01;;ja;inventarisatie;2021-06-01
Demo Ruimte Nieuw;Demo Zorg Rotterdam;gebruiksruimte;Testplein 4;3011 AB;Rotterdam;2024-03-01;;ja;vragenlijst: ronde 2026;2024-04-01
Demo Spuitpunt Zwolle;Demo Apotheek;spuitomruil;Testlaan 5;8011 AB;Zwolle;2012-01-01;;ja;;
Demo Ruimte Maastricht;Demo Zorg Limburg;gebruiksruimte;Markt 1;6211 AB;Maastricht;2010-01-01;2024-09-01;ja;inventarisatie: Trimbos 2026;2025-01-10
Demo Ruimte Groningen;Demo Zorg Noord;\"gebruiksruimte;spuitomruil\";Grote Markt 2;9711 AB;Groningen;2011-01-01;;ja;;
Demo Bewoners;Demo Zorg Utrecht;gebruiksruimte;Demoweg 2;3512 CD;Utrecht;2018-01-01;;nee;website;2021-06-01
Demo Kort;Demo Zorg Den Haag;gebruiksruimte;Kortweg 1;2511 AB;Den Haag;2023-01-01;2024-01-01;ja;;
";

const FROM: &str = "2022-01-01";
const TO: &str = "2026-01-01";

async fn app_with_history() -> TestApp {
    let app = TestApp::new().await;
    let report = app.import("register.csv", REGISTER).await;
    assert!(report.is_ok(), "{report}");
    for (name, patch) in [
        (
            "Demo Ruimte Dicht",
            json!({"closed_on": "2023-06-01", "effective_from": "2023-06-15",
                   "source": "telefoon: gesproken met de teamleider", "verified_on": "2023-06-15"}),
        ),
        (
            "Demo Spuitpunt Zwolle",
            json!({"services": ["syringe_exchange", "consumption_room"], "effective_from": "2025-02-01",
                   "source": "website: https://demo.example/zwolle"}),
        ),
        (
            "Demo Ruimte Groningen",
            json!({"services": ["syringe_exchange"], "effective_from": "2025-06-01",
                   "source": "vragenlijst"}),
        ),
    ] {
        let id = app.facility_id(name).await;
        let reply = app.patch(&format!("/api/v1/facilities/{id}"), patch).await;
        assert!(reply.status.is_success(), "{name}: {}", reply.text());
    }
    app
}

/// (change, name, date, source, version) of each listed change.
fn listed(changes: &Value) -> Vec<(String, String, String, String, i64)> {
    changes["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
                c["date"].as_str().unwrap_or("").to_string(),
                c["source"].as_str().unwrap().to_string(),
                c["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn expected_changes() -> Vec<(String, String, String, String, i64)> {
    [
        (
            "closed",
            "Demo Ruimte Dicht",
            "2023-06-01",
            "phone: gesproken met de teamleider",
            2,
        ),
        (
            "opened",
            "Demo Ruimte Nieuw",
            "2024-03-01",
            "survey: ronde 2026",
            1,
        ),
        (
            "closed",
            "Demo Ruimte Maastricht",
            "2024-09-01",
            "inventory: Trimbos 2026",
            1,
        ),
        (
            "services_changed",
            "Demo Spuitpunt Zwolle",
            "2025-02-01",
            "website: https://demo.example/zwolle",
            2,
        ),
        (
            "services_changed",
            "Demo Ruimte Groningen",
            "2025-06-01",
            "survey",
            2,
        ),
    ]
    .into_iter()
    .map(|(k, n, d, s, v)| (k.into(), n.into(), d.into(), s.into(), v))
    .collect()
}

fn service<'a>(changes: &'a Value, code: &str) -> &'a Value {
    changes["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == code)
        .unwrap_or_else(|| panic!("no entry for {code}"))
}

#[tokio::test]
async fn the_change_list_names_exactly_what_opened_closed_or_changed_with_dates_and_sources() {
    let app = app_with_history().await;
    let reply = app
        .get(&format!("/api/v1/reports/changes?from={FROM}&to={TO}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let changes = reply.json();
    assert_eq!(listed(&changes), expected_changes());
    let rooms = service(&changes, "consumption_room");
    assert_eq!(
        (
            &rooms["count_from"],
            &rooms["count_to"],
            &rooms["opened"],
            &rooms["closed"]
        ),
        (&json!(4), &json!(3), &json!(2), &json!(3)),
        "4 + 2 opened - 3 closed = 3"
    );
    assert_eq!(
        (&rooms["started"], &rooms["stopped"]),
        (&json!(1), &json!(1))
    );
    let exchange = service(&changes, "syringe_exchange");
    assert_eq!(
        (
            &exchange["count_from"],
            &exchange["count_to"],
            &exchange["opened"],
            &exchange["closed"]
        ),
        (&json!(2), &json!(2), &json!(0), &json!(0))
    );
    let zwolle = &changes["facilities"][3];
    assert_eq!(zwolle["services_before"], json!(["syringe_exchange"]));
    assert_eq!(
        zwolle["services_after"],
        json!(["consumption_room", "syringe_exchange"])
    );
    assert_eq!(zwolle["municipality"], "Zwolle");
    assert_eq!(zwolle["province"], "Overijssel");

    // Only what touches a service; the others are not in its list.
    let exchange_only = app
        .get(&format!(
            "/api/v1/reports/changes?from={FROM}&to={TO}&service=spuitomruil"
        ))
        .await
        .json();
    assert_eq!(exchange_only["facilities"], json!([]));
    assert_eq!(exchange_only["services"].as_array().unwrap().len(), 1);

    // Nothing changes between a day and itself; nor before anything opened.
    let same = app
        .get(&format!("/api/v1/reports/changes?from={TO}&to={TO}"))
        .await
        .json();
    assert_eq!(same["facilities"], json!([]));
}

#[tokio::test]
async fn the_change_list_downloads_as_csv_and_refuses_bad_parameters() {
    let app = app_with_history().await;
    let reply = app
        .get(&format!(
            "/api/v1/reports/changes?from={FROM}&to={TO}&format=csv"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = reply.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("from,to,change,date,facility_id,name,"));
    assert!(lines[1].starts_with("2022-01-01,2026-01-01,closed,2023-06-01,"));
    assert!(lines[1].contains("Demo Ruimte Dicht,GM0363,Amsterdam,Noord-Holland,consumption_room,,phone: gesproken met de teamleider,2023-06-15,2"));
    assert!(lines[4].contains(
        ",syringe_exchange,consumption_room;syringe_exchange,website: https://demo.example/zwolle,"
    ));

    for bad in [
        "/api/v1/reports/changes",
        "/api/v1/reports/changes?from=gisteren",
        "/api/v1/reports/changes?from=2022-01-01&service=coffeeshop",
        "/api/v1/reports/changes?from=2022-01-01&format=pdf",
        "/api/v1/reports/changes?from_round=2022",
    ] {
        let reply = app.get(bad).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text()
        );
        assert!(reply.json()["message"].is_string());
    }
    let reply = app
        .get("/api/v1/reports/changes?from_round=2010&to_round=2026")
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
}

#[tokio::test]
async fn the_changes_page_says_how_many_closed_and_opened_in_dutch_and_english() {
    let app = app_with_history().await;
    let uri = format!("/cijfers/veranderingen?van={FROM}&tot={TO}");
    let html = page(&app.get(&uri).await);
    assert!(
        html.contains("<strong>Gebruiksruimte</strong>: 3 gesloten en 2 geopend sinds 1 januari 2022 (van 4 naar 3)"),
        "{html}"
    );
    assert!(
        html.contains("<strong>Spuitomruil</strong>: geen veranderingen sinds 1 januari 2022 (2)")
    );
    assert_eq!(html.matches("data-change=").count(), 5);
    assert!(html.contains("<caption class=\"utrecht-table__caption\">"));
    assert!(html.contains("<th scope=\"col\""));
    for (name, text) in [
        ("Demo Ruimte Dicht", "telefoon, gesproken met de teamleider"),
        ("Demo Ruimte Maastricht", "inventarisatie, Trimbos 2026"),
        (
            "Demo Spuitpunt Zwolle",
            "website, https://demo.example/zwolle",
        ),
    ] {
        let at = html
            .find(name)
            .unwrap_or_else(|| panic!("{name} is listed"));
        let row_end = at + html[at..].find("</tr>").unwrap();
        assert!(
            html[at..row_end].contains(text),
            "{name}: {}",
            &html[at..row_end]
        );
    }
    assert!(html.contains("1 juni 2023"), "dates in words");
    assert!(!html.contains("Demo Kort"), "opened and closed in between");
    assert!(!html.contains("Demo Bewoners"), "residents only");

    let english = page(&app.get_in_english(&uri).await);
    assert!(
        english.contains("<strong>Drug consumption room</strong>: 3 closed and 2 opened since 1 January 2022 (from 4 to 3)"),
        "{english}"
    );
    assert!(english.contains("phone call, gesproken met de teamleider"));
    assert!(english.contains(">closed<") && english.contains(">other services<"));

    let only = page(&app.get(&format!("{uri}&dienst=spuitomruil")).await);
    assert!(only.contains("Tussen 1 januari 2022 en 1 januari 2026 is geen openbare voorziening"));

    let bad = app.get("/cijfers/veranderingen?van=31-02-2022").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("Dat is geen datum"));
}

#[tokio::test]
async fn between_published_rounds_the_list_explains_their_frozen_counts() {
    let app = app_with_history().await;
    for (name, date) in [("2022", FROM), ("2026", TO)] {
        let reply = app
            .post(
                "/api/v1/rounds",
                json!({"name": name, "reference_date": date}),
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.text());
        for step in ["close", "publish"] {
            let reply = app
                .send(
                    Method::POST,
                    &format!("/api/v1/rounds/{name}/{step}"),
                    None,
                    Some(&app.token.clone()),
                )
                .await;
            assert!(reply.status.is_success(), "{step} {name}: {}", reply.text());
        }
    }
    // An edit after publishing: Blijft turns out to have closed in 2021.
    let blijft = app.facility_id("Demo Ruimte Blijft").await;
    let reply = app
        .patch(
            &format!("/api/v1/facilities/{blijft}"),
            json!({"closed_on": "2021-06-01", "effective_from": "2021-07-01", "source": "telefoon"}),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.text());

    let rounds = app
        .get("/api/v1/reports/changes?from_round=2022&to_round=2026")
        .await;
    assert_eq!(rounds.status, StatusCode::OK, "{}", rounds.text());
    let rounds = rounds.json();
    assert_eq!(listed(&rounds), expected_changes());
    assert_eq!(rounds["from_round"], "2022");
    let rooms = service(&rounds, "consumption_room");
    assert_eq!(
        (&rooms["count_from"], &rooms["count_to"]),
        (&json!(4), &json!(3))
    );
    // The register on the same days now counts one room less on each.
    let live = app
        .get(&format!("/api/v1/reports/changes?from={FROM}&to={TO}"))
        .await
        .json();
    let rooms = service(&live, "consumption_room");
    assert_eq!(
        (&rooms["count_from"], &rooms["count_to"]),
        (&json!(3), &json!(2))
    );

    // The published round's page shows the list since the previous round.
    let html = page(&app.get("/cijfers/2026").await);
    assert!(
        html.contains("Veranderingen sinds de inventarisatie 2022"),
        "{html}"
    );
    assert!(html.contains("3 gesloten en 2 geopend sinds 2022 (van 4 naar 3)"));
    assert!(html.contains("class=\"vangnet-chart\""), "the trend figure");
    let first = page(&app.get("/cijfers/2022").await);
    assert!(first.contains("Er is geen eerdere gepubliceerde inventarisatie"));
}

#[tokio::test]
async fn the_trend_draws_published_figures_apart_from_register_counts_and_tables_them() {
    let app = app_with_history().await;
    let figures = include_bytes!("../../../data/published_figures.csv");
    let report = vangnet::rounds::import_figures(
        &app.store,
        figures,
        "published_figures.csv",
        &vangnet::domain::provenance::Actor::named("test"),
    )
    .await
    .expect("figures load");
    assert!(report.is_ok());
    app.post(
        "/api/v1/rounds",
        json!({"name": "2026", "reference_date": TO}),
    )
    .await;
    for step in ["close", "publish"] {
        let reply = app
            .send(
                Method::POST,
                &format!("/api/v1/rounds/2026/{step}"),
                None,
                Some(&app.token.clone()),
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.text());
    }

    let trend = app
        .get("/api/v1/reports/trend?service=consumption_room")
        .await
        .json();
    let points: Vec<(String, Value, String)> = trend["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["label"].as_str().unwrap().to_string(),
                p["value"].clone(),
                p["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(points.first().unwrap().0, "2000");
    assert!(points.contains(&("2010".into(), json!(37), "external".into())));
    assert!(
        points.contains(&("2026".into(), json!(3), "register".into())),
        "our round wins over the published 2026 figure: {points:?}"
    );

    let reply = app
        .get("/api/v1/reports/trend.svg?service=consumption_room")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    let svg = reply.text();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"trend-title\">"));
    let external = points.iter().filter(|p| p.2 == "external").count();
    assert_eq!(
        svg.matches("fill=\"#ffffff\" stroke=").count(),
        external + 1,
        "a hollow dot per published figure and the legend's"
    );
    assert!(svg.contains(">≥30<") && svg.contains(">±24<"), "qualifiers");
    assert!(svg.contains("Gepubliceerd cijfer (externe bron)"));
    let english = app
        .get("/api/v1/reports/trend.svg?service=gebruiksruimte&lang=en")
        .await
        .text();
    assert!(english.contains("Published figure (external source)"));
    assert_eq!(
        app.get("/api/v1/reports/trend.svg?lang=fr").await.status,
        StatusCode::BAD_REQUEST
    );

    let html = page(&app.get("/cijfers/trend?dienst=consumption_room").await);
    assert!(html.contains("class=\"vangnet-chart\""));
    assert!(
        html.contains("Gebruiksruimte: aantal locaties per inventarisatie, met herkomst en bron.")
    );
    let table = &html[html.find("<table").unwrap()..];
    assert_eq!(
        table.matches("<th scope=\"row\"").count(),
        points.len(),
        "every point in the table"
    );
    assert!(
        table.contains("Van der Gouwe e.a. 2022 (Trimbos)"),
        "a Dutch page gives the source in Dutch: {table}"
    );
    assert!(table.contains(">≥30<"));
    let english = page(&app.get_in_english("/cijfers/trend").await);
    assert!(english.contains("Count from the register"));
    assert!(english.contains("Van der Gouwe et al. 2022 (Trimbos)"));
}

#[tokio::test]
async fn the_spread_counts_per_province_and_lists_the_farthest_municipalities_first() {
    let app = app_with_history().await;
    let spread = app
        .get(&format!("/api/v1/reports/spread?as_of={TO}"))
        .await
        .json();
    assert_eq!(spread["facilities"], 4);
    assert_eq!(spread["national"]["consumption_room"], 3);
    assert_eq!(spread["national"]["syringe_exchange"], 2);
    assert_eq!(spread["ggd_regions_available"], false);
    let province = |code: &str| {
        spread["provinces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(province("NL-OV")["locations"]["consumption_room"], 1);
    assert_eq!(province("NL-OV")["locations"]["syringe_exchange"], 1);
    assert_eq!(province("NL-GR")["locations"]["consumption_room"], 0);
    assert_eq!(province("NL-NH")["facilities"], 0, "Dicht closed in 2023");
    assert_eq!(
        province("NL-UT")["facilities"],
        1,
        "residents-only not counted"
    );
    let rooms = spread["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "consumption_room")
        .unwrap();
    assert_eq!(
        rooms["municipalities"],
        json!(["GM0599", "GM0344", "GM0193"])
    );
    let farthest = rooms["farthest"].as_array().unwrap();
    assert_eq!(farthest[0]["province"], "Limburg", "{:?}", farthest[0]);
    assert!(farthest[0]["km"].as_f64().unwrap() > 130.0);
    let km: Vec<f64> = farthest.iter().map(|d| d["km"].as_f64().unwrap()).collect();
    assert!(km.windows(2).all(|w| w[0] >= w[1]), "{km:?}");

    let csv = app
        .get(&format!("/api/v1/reports/spread?as_of={TO}&format=csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert_eq!(text.lines().count(), 343, "a header and every municipality");
    let zwolle = text.lines().find(|l| l.contains(",GM0193,")).unwrap();
    assert!(
        zwolle.starts_with("2026-01-01,GM0193,Zwolle,NL-OV,Overijssel,1,1,0,0,1,0,0,"),
        "{zwolle}"
    );
    assert_eq!(
        app.get("/api/v1/reports/spread?as_of=morgen").await.status,
        StatusCode::BAD_REQUEST
    );

    let html = page(&app.get(&format!("/cijfers/spreiding?peildatum={TO}")).await);
    assert!(html.contains("GGD-regio&#39;s: niet beschikbaar in de meegeleverde gegevens"));
    assert!(html.contains("niet per 100.000 inwoners"));
    assert!(html.contains("aria-labelledby=\"kaart-spreiding-title kaart-spreiding-desc\""));
    assert!(html.contains("<title>Overijssel: 1</title>"));
    assert!(html.contains("id=\"verst-consumption_room\""));
    assert!(html
        .contains("Gebruiksruimte: de 10 gemeenten die het verst van een openbare locatie liggen"));
    let shaded = page(
        &app.get(&format!(
            "/cijfers/spreiding?peildatum={TO}&dienst=spuitomruil"
        ))
        .await,
    );
    assert!(shaded.contains("<title>Groningen: 1</title>"));
    assert!(shaded.contains("<title>Zuid-Holland: 0</title>"));
    let english = page(
        &app.get_in_english(&format!("/cijfers/spreiding?peildatum={TO}"))
            .await,
    );
    assert!(english.contains("GGD regions: not available in the bundled data."));
    assert!(english.contains("Farthest from a service"));
}

#[tokio::test]
async fn the_command_line_reports_changes_and_spread() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let report = import_bytes(&store, "register.csv", REGISTER.as_bytes(), false).await;
    assert!(report.is_ok(), "{report}");
    store.close().await;
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_vangnet"))
            .env_remove("VANGNET_DATABASE_URL")
            .args(args)
            .args(["--database", &db.url])
            .output()
            .expect("run vangnet");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "vangnet {args:?}: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let csv = run(&[
        "report", "changes", "--from", FROM, "--to", TO, "--format", "csv",
    ]);
    let kinds: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "closed"], "{csv}");
    let md = run(&[
        "report",
        "changes",
        "--from",
        FROM,
        "--to",
        TO,
        "--service",
        "gebruiksruimte",
    ]);
    assert!(
        md.contains(
            "- Gebruiksruimte: 1 gesloten en 1 geopend sinds 1 januari 2022 (van 4 naar 4)"
        ),
        "{md}"
    );
    let spread = run(&["report", "spread", "--as-of", TO, "--format", "csv"]);
    assert_eq!(spread.lines().count(), 343);
    let text = run(&["report", "spread", "--as-of", TO]);
    assert!(text.contains("GGD-regio's: niet beschikbaar"));
}

/// A room that became residents-only in 2024, recorded from a phone call
/// whose source holds a person's name and number and whose notes a name
/// (a phone number in the notes is refused: domain::personal).
async fn app_with_room_no_longer_public() -> TestApp {
    let app = app_with_history().await;
    let id = app.facility_id("Demo Ruimte Blijft").await;
    let reply = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"public_access": false, "effective_from": "2024-05-01",
                   "source": "telefoon: Jan Jansen 06-12345678", "verified_on": "2024-05-01",
                   "notes": "alleen bewoners; contact Jan Jansen",
                   "change_note": "gebeld met Jan Jansen"}),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    app
}

fn assert_private_fields_absent(what: &str, text: &str) {
    for private in ["Jansen", "12345678", "alleen bewoners", "gebeld"] {
        assert!(!text.contains(private), "{what} shows «{private}»:\n{text}");
    }
}

#[tokio::test]
async fn a_facility_no_longer_public_is_listed_without_any_field_of_its_non_public_version() {
    let app = app_with_room_no_longer_public().await;
    let uri = format!("/api/v1/reports/changes?from={FROM}&to={TO}");
    let json = app.get(&uri).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text());
    assert_private_fields_absent("JSON", &json.text());
    let changes = json.json();
    let room = changes["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Demo Ruimte Blijft")
        .unwrap_or_else(|| panic!("the room is listed: {changes}"));
    assert_eq!(room["kind"], "no_longer_public");
    assert_eq!(room["date"], "2024-05-01");
    assert_eq!(room["services_before"], json!(["consumption_room"]));
    assert_eq!(room["services_after"], json!([]));
    assert_eq!(room["municipality"], "Utrecht");
    assert_eq!(room["source"], "", "the source of the change is not public");
    assert_eq!(room["verified_on"], Value::Null);
    assert_eq!(room["version"], 1, "the version the public knew");

    let csv = app.get(&format!("{uri}&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_private_fields_absent("CSV", &csv.text());
    assert!(
        csv.text().contains(",no_longer_public,2024-05-01,"),
        "{}",
        csv.text()
    );

    let page_uri = format!("/cijfers/veranderingen?van={FROM}&tot={TO}");
    let html = page(&app.get(&page_uri).await);
    assert_private_fields_absent("the page", &html);
    assert!(html.contains(">niet meer openbaar toegankelijk<"), "{html}");
    let english = page(&app.get_in_english(&page_uri).await);
    assert_private_fields_absent("the English page", &english);
    assert!(
        english.contains(">no longer publicly accessible<"),
        "{english}"
    );
}

#[tokio::test]
async fn the_markdown_change_list_names_a_facility_no_longer_public_without_its_private_fields() {
    let app = app_with_room_no_longer_public().await;
    let changes = vangnet::stats::changes::changes(&app.store, date(FROM), date(TO))
        .await
        .unwrap();
    let md = vangnet::formats::stats::changes_markdown(&changes, "2022");
    assert_private_fields_absent("Markdown", &md);
    assert!(
        md.contains("| niet meer openbaar toegankelijk | Demo Ruimte Blijft |"),
        "{md}"
    );
    let csv = String::from_utf8(vangnet::formats::stats::changes_csv(&changes).unwrap()).unwrap();
    assert_private_fields_absent("CSV", &csv);
}
