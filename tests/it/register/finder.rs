//! The public finder, facility pages and the national map, as a person and
//! an app would use them: nearest first, only public facilities open today,
//! the service and "open now" filters, places and postcodes people type,
//! in Dutch and in English.

use axum::http::{header, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

/// Facilities around Utrecht (52.09, 5.12) whose "open now" does not
/// depend on the clock: `24/7` is always open, `off` never.
const CSV: &str = "naam;organisatie;voorzieningen;adres;postcode;plaats;breedtegraad;lengtegraad;geopend;gesloten;openbaar;openingstijden;verwijzing_nodig;intake_nodig;doelgroepen;bron;geverifieerd
Demo Spuitomruil Centrum;Demo Zorg Utrecht;spuitomruil;Voorbeeldstraat 1;3511 AB;Utrecht;52.0925;5.1180;2015-01-01;;ja;24/7;nee;ja;mensen die injecteren;telefoon: balie;2026-01-15
Demo Spuitomruil Noord;Demo Zorg Utrecht;\"spuitomruil;naloxon\";Noorderweg 2;3513 AA;Utrecht;52.1100;5.1200;2015-01-01;;ja;off;;;;website;2026-01-15
Demo Gebruiksruimte Dichtbij;Demo Zorg Utrecht;gebruiksruimte;Proefstraat 3;3511 AB;Utrecht;52.0905;5.1205;2015-01-01;;ja;24/7;;ja;;inventarisatie;2025-06-01
Demo Bewonersruimte;Demo Zorg Utrecht;\"gebruiksruimte;spuitomruil\";Demoweg 4;3512 CD;Utrecht;52.0900;5.1200;2018-01-01;;nee;24/7;;;alleen bewoners;website;2026-01-15
Demo Oude Spuitomruil;Demo Zorg Utrecht;spuitomruil;Oudeweg 5;3512 CD;Utrecht;52.0901;5.1201;2000-01-01;2020-01-01;ja;24/7;;;;inventarisatie;2019-06-01
Demo Spuitomruil Amersfoort;Demo GGD;spuitomruil;Testlaan 6;3811 AA;Amersfoort;52.1560;5.3870;2010-01-01;;ja;\"Mo-Fr 09:00-17:00; PH off\";;;;vragenlijst;2026-03-01
Demo Spuitomruil Amsterdam;Demo GGD;spuitomruil;Proefkade 7;1012 AB;Amsterdam;52.3700;4.8900;2010-01-01;;ja;24/7;;;;vragenlijst;2026-03-01
";

async fn app_with_facilities() -> TestApp {
    let app = TestApp::new().await;
    let report = app.import("finder.csv", CSV).await;
    assert!(report.is_ok(), "{report}");
    app
}

fn names(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["facility"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// The position of each name in the page, which must all be there.
fn order_of(html: &str, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| {
            html.find(n)
                .unwrap_or_else(|| panic!("{n} is not on the page"))
        })
        .collect()
}

#[tokio::test]
async fn the_finder_api_lists_public_open_facilities_nearest_first() {
    let app = app_with_facilities().await;
    let reply = app.get("/api/v1/finder?lat=52.09&lon=5.12").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(
        names(&answer),
        [
            "Demo Gebruiksruimte Dichtbij",
            "Demo Spuitomruil Centrum",
            "Demo Spuitomruil Noord",
            "Demo Spuitomruil Amersfoort",
            "Demo Spuitomruil Amsterdam",
        ],
        "non-public and closed facilities are never listed"
    );
    let distances: Vec<f64> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["distance_km"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(
        (distances[4] - 35.0).abs() < 2.0,
        "Amsterdam is ~35 km away"
    );
    let centrum = &answer["results"][1];
    assert_eq!(centrum["open_now"], "open");
    assert_eq!(centrum["closes_at"], Value::Null, "24/7 never closes");
    assert_eq!(centrum["facility"]["referral_required"], false);
    assert_eq!(centrum["facility"]["intake_required"], true);
    assert_eq!(
        centrum["facility"]["target_groups"],
        "mensen die injecteren"
    );
    assert_eq!(answer["results"][2]["open_now"], "closed");
    assert_eq!(answer["results"][2]["opens_at"], Value::Null);
    assert!(
        answer["at"].as_str().unwrap().contains('+'),
        "local time with offset"
    );

    let one = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&limit=1")
        .await
        .json();
    assert_eq!(names(&one), ["Demo Gebruiksruimte Dichtbij"]);
}

#[tokio::test]
async fn the_finder_api_filters_by_service_and_open_now() {
    let app = app_with_facilities().await;
    let syringes = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&service=syringe_exchange")
        .await
        .json();
    assert_eq!(names(&syringes)[0], "Demo Spuitomruil Centrum");
    assert!(!names(&syringes).contains(&"Demo Gebruiksruimte Dichtbij".to_string()));
    assert!(!names(&syringes).contains(&"Demo Bewonersruimte".to_string()));

    let two_kinds = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&service=naloxone&service=consumption_room")
        .await
        .json();
    assert_eq!(
        names(&two_kinds),
        ["Demo Gebruiksruimte Dichtbij", "Demo Spuitomruil Noord"]
    );
    assert_eq!(
        two_kinds["services"],
        json!(["consumption_room", "naloxone"])
    );

    let open = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&service=syringe_exchange&open_now=true")
        .await
        .json();
    let open_names = names(&open);
    assert_eq!(open_names[0], "Demo Spuitomruil Centrum");
    assert!(open_names.contains(&"Demo Spuitomruil Amsterdam".to_string()));
    assert!(
        !open_names.contains(&"Demo Spuitomruil Noord".to_string()),
        "never open"
    );
    assert!(open["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["open_now"] == "open"));
}

#[tokio::test]
async fn the_finder_api_names_the_parameter_that_is_wrong() {
    let app = TestApp::new().await;
    for (query, parameter) in [
        ("lon=5.12", "lat"),
        ("lat=52.09", "lon"),
        ("lat=north&lon=5.12", "lat"),
        ("lat=52.09&lon=5.12&service=coffeeshop", "service"),
        ("lat=52.09&lon=5.12&open_now=soms", "open_now"),
        ("lat=52.09&lon=5.12&limit=51", "limit"),
    ] {
        let reply = app.get(&format!("/api/v1/finder?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let message = reply.json()["message"].as_str().unwrap().to_string();
        assert!(
            message.starts_with(&format!("{parameter}:")),
            "{query}: {message}"
        );
    }
}

#[tokio::test]
async fn a_change_to_the_register_shows_in_the_finder_at_once() {
    let app = app_with_facilities().await;
    let before = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&limit=1")
        .await
        .json();
    assert_eq!(names(&before), ["Demo Gebruiksruimte Dichtbij"]);
    let created = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Demo Nieuw Naloxonpunt", "organisation": "Demo Zorg Utrecht",
                   "services": ["naloxone"], "city": "Utrecht",
                   "latitude": 52.0901, "longitude": 5.1201}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let after = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&limit=1")
        .await
        .json();
    assert_eq!(names(&after), ["Demo Nieuw Naloxonpunt"]);

    let id = created.json()["id"].as_i64().unwrap();
    let hidden = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"public_access": false}),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::OK, "{}", hidden.text());
    let again = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&limit=1")
        .await
        .json();
    assert_eq!(names(&again), ["Demo Gebruiksruimte Dichtbij"]);
}

#[tokio::test]
async fn the_start_page_is_a_search_form_that_works_without_javascript() {
    let app = TestApp::new().await;
    let html = page(&app.get("/").await);
    assert!(
        html.contains("<form method=\"get\" action=\"/zoeken\""),
        "{html}"
    );
    assert!(html.contains(">Plaats of postcode</label>"));
    assert!(html.contains("name=\"q\""));
    assert_eq!(html.matches("name=\"service\"").count(), 6);
    assert_eq!(
        html.matches(" checked").count(),
        6,
        "every service by default"
    );
    assert!(html.contains(">Zoeken</button>"));
    // The location button is hidden until the script shows it.
    assert!(html.contains("id=\"vangnet-locate\" class=\"vangnet-locate\" hidden"));
    assert!(html.contains(">Gebruik mijn locatie</button>"));
    assert!(!html.contains("<script>") && !html.contains("style="));
    let script_url = html
        .split("<script src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page loads its script");
    assert!(script_url.starts_with("/static/finder.js?v="));
    let script = app.get(script_url).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(
        script.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text().contains("navigator.geolocation"));
}

#[tokio::test]
async fn searching_by_place_or_postcode_lists_the_nearest_syringe_exchange_first() {
    let app = app_with_facilities().await;
    for query in ["q=Utrecht", "q=3511", "q=3511+AB", "q=52.09%2C+5.12"] {
        let html = page(
            &app.get(&format!("/zoeken?{query}&service=syringe_exchange"))
                .await,
        );
        let positions = order_of(
            &html,
            &[
                "Demo Spuitomruil Centrum",
                "Demo Spuitomruil Noord",
                "Demo Spuitomruil Amersfoort",
            ],
        );
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{query}: {html}");
        assert!(!html.contains("Demo Bewonersruimte"), "{query}");
        assert!(!html.contains("Demo Oude Spuitomruil"), "{query}");
        assert!(!html.contains("Demo Gebruiksruimte Dichtbij"), "{query}");
    }
    let html = page(&app.get("/zoeken?q=Utrecht&service=syringe_exchange").await);
    assert!(html.contains("Dichtbij Utrecht"));
    let id = app.facility_id("Demo Spuitomruil Centrum").await;
    assert!(html.contains(&format!(
        "href=\"/voorzieningen/{id}\">Demo Spuitomruil Centrum</a>"
    )));
    assert!(html.contains("Nu open"), "24/7 is open now");
    assert!(html.contains("Nu gesloten"), "'off' is closed");
    assert!(html.contains("Geen verwijzing nodig") && html.contains("Intake nodig"));
    assert!(html.contains("Voor: mensen die injecteren"));
    assert!(html.contains("Voorbeeldstraat 1, 3511 AB Utrecht"));
    assert!(
        html.contains("<span class=\"vangnet-distance\">0,"),
        "Dutch decimal comma: {html}"
    );
    // The service choice is kept in the form.
    assert!(html.contains("value=\"syringe_exchange\" checked"));
    assert!(!html.contains("value=\"naloxone\" checked"));

    let open = page(
        &app.get("/zoeken?q=Utrecht&service=syringe_exchange&open_now=1")
            .await,
    );
    assert!(open.contains("Demo Spuitomruil Centrum"));
    assert!(!open.contains("Demo Spuitomruil Noord"));
}

#[tokio::test]
async fn the_demo_register_finds_the_syringe_exchange_nearest_to_utrecht_and_3511() {
    let app = TestApp::new().await;
    let report = import_bytes(
        &app.store,
        "demo.csv",
        vangnet::cli::demo::FACILITIES_CSV.as_bytes(),
        false,
    )
    .await;
    assert!(report.is_ok(), "{report}");
    for q in ["Utrecht", "3511"] {
        let html = page(
            &app.get(&format!("/zoeken?q={q}&service=syringe_exchange"))
                .await,
        );
        let first = html
            .split("<li class=\"vangnet-result\">")
            .nth(1)
            .unwrap_or_else(|| panic!("{q}: no results: {html}"));
        assert!(
            first.contains("Demo Gebruiksruimte Het Anker Utrecht 1"),
            "{q}: {first}"
        );
    }
}

#[tokio::test]
async fn unknown_and_ambiguous_places_are_explained() {
    let app = app_with_facilities().await;
    let html = page(&app.get("/zoeken?q=Atlantis").await);
    assert!(
        html.contains("De plaats ‘Atlantis’ kennen wij niet"),
        "{html}"
    );
    assert!(!html.contains("vangnet-result"));
    let html = page(&app.get("/zoeken?q=1000").await);
    assert!(
        html.contains("De postcode ‘1000’ kennen wij niet"),
        "{html}"
    );

    let html = page(&app.get("/zoeken?q=Winsum&service=naloxone").await);
    assert!(
        html.contains("meerdere plaatsen met de naam ‘Winsum’"),
        "{html}"
    );
    let link = "/zoeken?q=Winsum%2C+Het+Hogeland&amp;service=naloxone";
    assert!(html.contains(link), "{html}");
    assert!(html.contains("Winsum (Het Hogeland, Groningen)"));
    let chosen = page(&app.get(&link.replace("&amp;", "&")).await);
    assert!(
        chosen.contains("Dichtbij Winsum (Het Hogeland)"),
        "{chosen}"
    );
    assert!(chosen.contains("Demo Spuitomruil Noord"));
}

#[tokio::test]
async fn a_facility_page_shows_hours_in_words_and_when_it_was_verified() {
    let app = app_with_facilities().await;
    let id = app.facility_id("Demo Spuitomruil Amersfoort").await;
    let html = page(&app.get(&format!("/voorzieningen/{id}")).await);
    assert!(html.contains("<h1 class=\"utrecht-heading-1\">Demo Spuitomruil Amersfoort</h1>"));
    assert!(
        html.contains("maandag t/m vrijdag 09:00–17:00; feestdagen gesloten"),
        "{html}"
    );
    assert!(
        html.contains("Laatst gecontroleerd op 1 maart 2026"),
        "{html}"
    );
    assert!(
        html.contains("(bron: vragenlijst)"),
        "the kind of source: {html}"
    );
    assert!(html.contains("Testlaan 6, 3811 AA Amersfoort"));
    assert!(html.contains("<svg") && html.contains("role=\"img\""));
    assert!(html.contains("<title id=\"kaart-voorziening-title\">Kaart: Demo Spuitomruil Amersfoort in Utrecht</title>"));

    let centrum = app.facility_id("Demo Spuitomruil Centrum").await;
    let html = page(&app.get(&format!("/voorzieningen/{centrum}")).await);
    assert!(html.contains("altijd open (dag en nacht)"));
    assert!(html.contains("Laatst gecontroleerd op 15 januari 2026"));
    assert!(
        html.contains("(bron: telefoon)") && !html.contains("balie"),
        "the kind of source, not its detail: {html}"
    );

    let english = page(&app.get_in_english(&format!("/voorzieningen/{id}")).await);
    assert!(english.contains("Monday to Friday 09:00–17:00; public holidays closed"));
    assert!(english.contains("Last checked on 1 March 2026"));
    assert!(english.contains("(source: questionnaire)"));
}

#[tokio::test]
async fn non_public_and_unknown_facilities_have_no_page() {
    let app = app_with_facilities().await;
    let hidden = app.facility_id("Demo Bewonersruimte").await;
    for uri in [
        format!("/voorzieningen/{hidden}"),
        "/voorzieningen/999999".to_string(),
        "/voorzieningen/abc".to_string(),
    ] {
        let reply = app.get(&uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!reply.text().contains("Demo Bewonersruimte"));
    }
    // Not even for a signed-in admin: the public page shows public facilities.
    let reply = app.get_as_admin(&format!("/voorzieningen/{hidden}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_national_map_shows_every_public_facility_and_counts_per_province() {
    let app = app_with_facilities().await;
    let html = page(&app.get("/kaart").await);
    let svg_start = html.find("<svg xmlns").expect("an inline map");
    let svg = &html[svg_start..html[svg_start..].find("</svg>").unwrap() + svg_start];
    // A group of links (an image would hide them from screen readers).
    assert!(svg.contains("role=\"group\"") && svg.contains("<title") && svg.contains("<desc"));
    // One dot per public facility open today, each a link to its page.
    assert_eq!(svg.matches("<a href=\"/voorzieningen/").count(), 5, "{svg}");
    assert!(svg.len() < 30_000, "{} bytes", svg.len());
    assert!(html.contains("<th scope=\"row\" class=\"utrecht-table__header-cell\">Utrecht</th>"));
    let footer = &html[html.find("<tfoot>").unwrap()..];
    assert!(footer.contains(">Nederland</th>"));
    // Locations: 5 in all; syringe exchange: 4; consumption room: 1.
    let cells: Vec<&str> = footer
        .split("numeric-data\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(cells, ["1", "0", "0", "4", "0", "1", "5"], "{footer}");
}

#[tokio::test]
async fn the_public_pages_are_in_english_after_choosing_it() {
    let app = app_with_facilities().await;
    let html = page(&app.get_in_english("/").await);
    assert!(html.contains(">Place or postcode</label>"));
    assert!(html.contains(">Search</button>") && html.contains(">Use my location</button>"));
    let html = page(
        &app.get_in_english("/zoeken?q=Utrecht&service=syringe_exchange")
            .await,
    );
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Near Utrecht"));
    assert!(html.contains("Open now") && html.contains("Closed now"));
    assert!(html.contains("No referral needed") && html.contains("For: mensen die injecteren"));
    assert!(
        html.contains("<span class=\"vangnet-distance\">0."),
        "{html}"
    );
    let html = page(&app.get_in_english("/zoeken?q=Atlantis").await);
    assert!(html.contains("We do not know the place ‘Atlantis’"));
    let html = page(&app.get_in_english("/kaart").await);
    assert!(html.contains("Map of all services") && html.contains(">The Netherlands</th>"));
    assert!(html.contains("Syringe exchange"));
}

#[tokio::test]
async fn each_facility_in_the_finder_reads_as_the_public_api_shows_it() {
    let app = app_with_facilities().await;
    let answer = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&limit=50")
        .await
        .json();
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "{answer}");
    for result in results {
        let id = result["facility"]["id"].as_i64().unwrap();
        let alone = app.get(&format!("/api/v1/facilities/{id}")).await.json();
        assert_eq!(result["facility"], alone, "facility {id}");
    }
    // A change shows in the finder's copy at once.
    let first = results[0]["facility"]["id"].as_i64().unwrap();
    let changed = app
        .patch(
            &format!("/api/v1/facilities/{first}"),
            json!({"phone": "030 123 4567"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let again = app
        .get("/api/v1/finder?lat=52.09&lon=5.12&limit=1")
        .await
        .json();
    assert_eq!(again["results"][0]["facility"]["phone"], "030 123 4567");
}
