//! A facility page one can act on (a number to call, a route, how fresh the
//! facts are, no pretend precision) and keeping it fresh: "Klopt nog" in one
//! click, the oldest checks first, and edits that keep the verification.

use axum::http::StatusCode;
use serde_json::json;

use crate::browser::*;
use crate::common::*;

/// One facility with a street and a number, verified long ago; one known
/// only by its town (as an inventory list often names them).
const CSV: &str = "naam;organisatie;voorzieningen;adres;postcode;plaats;telefoon;breedtegraad;lengtegraad;openbaar;openingstijden;bron;geverifieerd
Demo Spuitomruil Centrum;Demo Zorg Utrecht;spuitomruil;Voorbeeldstraat 1;3511 AB;Utrecht;030 123 45 67;52.0925;5.1180;ja;24/7;telefoon: gesproken met de balie;2025-06-01
Demo Spuitomruil Zwolle;Demo Zorg Utrecht;spuitomruil;;;Zwolle;;;;ja;24/7;import: lijst-gemeenten-v3-definitief.xlsx;
";

async fn app() -> TestApp {
    let app = TestApp::new().await;
    let report = app.import("acting.csv", CSV).await;
    assert!(report.is_ok(), "{report}");
    app
}

#[tokio::test]
async fn the_facility_page_offers_its_number_and_a_route_in_the_phones_own_maps_app() {
    let app = app().await;
    let id = app.facility_id("Demo Spuitomruil Centrum").await;
    let html = page(&app.get(&format!("/voorzieningen/{id}")).await);
    assert!(
        html.contains("href=\"tel:+31301234567\">030 123 45 67</a>"),
        "{html}"
    );
    assert!(
        html.contains(
            "href=\"geo:52.092500,5.118000?q=52.092500,5.118000(Demo%20Spuitomruil%20Centrum)\""
        ) || html.contains(
            "href=\"geo:52.092500,5.118000?q=52.092500,5.118000(Demo+Spuitomruil+Centrum)\""
        ),
        "{html}"
    );
    assert!(html.contains("https://www.openstreetmap.org/directions?to=52.092500%2C5.118000"));
    // Nothing is loaded from OpenStreetMap: it is a link, not a map tile.
    assert!(!html.contains("src=\"https://"), "{html}");
}

#[tokio::test]
async fn a_check_more_than_a_year_old_is_shown_next_to_the_badge_with_a_warning() {
    let app = app().await;
    let id = app.facility_id("Demo Spuitomruil Centrum").await;
    let html = page(&app.get(&format!("/voorzieningen/{id}")).await);
    assert!(
        html.contains("Laatst gecontroleerd op 1 juni 2025"),
        "{html}"
    );
    assert!(
        html.contains("meer dan een jaar niet gecontroleerd"),
        "{html}"
    );
    // The source's kind and no more: the person's note stays internal.
    assert!(html.contains("(bron: telefoon)"), "{html}");
    assert!(!html.contains("balie"), "{html}");
}

#[tokio::test]
async fn a_facility_known_only_by_its_town_says_so_instead_of_a_distance() {
    let app = app().await;
    let html = page(&app.get("/zoeken?q=Zwolle").await);
    assert!(html.contains("Demo Spuitomruil Zwolle"), "{html}");
    assert!(html.contains("in Zwolle (adres onbekend)"), "{html}");
    assert!(!html.contains("0,0 km"), "{html}");
    let id = app.facility_id("Demo Spuitomruil Zwolle").await;
    let html = page(&app.get(&format!("/voorzieningen/{id}")).await);
    assert!(html.contains("Zwolle (adres onbekend)"), "{html}");
    // No route to the middle of a town; no internal file name.
    assert!(!html.contains("geo:"), "{html}");
    assert!(!html.contains("xlsx"), "{html}");
    assert!(html.contains("(bron: spreadsheet)"), "{html}");
    assert!(
        html.contains("Niemand heeft vastgelegd wanneer deze gegevens zijn gecontroleerd"),
        "{html}"
    );
}

#[tokio::test]
async fn a_number_that_cannot_be_called_is_refused_at_every_entry_point() {
    let app = app().await;
    let id = app.facility_id("Demo Spuitomruil Centrum").await;
    let reply = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"phone": "bel Jan op 06-1234"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.text().contains("phone"), "{}", reply.text());
    let bad = "naam;organisatie;voorzieningen;plaats;telefoon\nDemo X;Demo Zorg Utrecht;naloxon;Utrecht;12345\n";
    let report = app.import("bad.csv", bad).await;
    assert!(!report.is_ok(), "{report}");
    assert!(report.to_string().contains("12345"), "{report}");
}

#[tokio::test]
async fn klopt_nog_records_todays_check_with_its_source_in_one_click() {
    let app = app().await;
    let id = app.facility_id("Demo Spuitomruil Centrum").await;
    let mut admin = signed_in(&app, "beheer@example.org", "admin", None).await;
    let form = format!("/beheer/voorzieningen/{id}");
    let html = admin.get(&form).await.text();
    assert!(
        html.contains("Laatst gecontroleerd op 1 juni 2025."),
        "{html}"
    );
    let reply = admin
        .submit(
            &form,
            &format!("{form}/klopt-nog"),
            &[("source", "website")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let facility = app.get(&format!("/api/v1/facilities/{id}")).await.json();
    let today = vangnet::domain::date::today().to_string();
    assert_eq!(facility["verified_on"], today.as_str());
    assert_eq!(facility["source"], "website");
    assert_eq!(facility["phone"], "030 123 45 67", "the facts stay");
    let public = page(&app.get(&format!("/voorzieningen/{id}")).await);
    assert!(!public.contains("meer dan een jaar"), "{public}");
    // The check is in the history, by whom.
    let history = app
        .get_as_admin(&format!("/api/v1/facilities/{id}/history"))
        .await
        .json();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["record"]["verified_on"], today.as_str());
    assert_eq!(last["changes"], json!([]), "no fact changed");
}

#[tokio::test]
async fn saving_an_edit_keeps_the_verification_date() {
    let app = app().await;
    let id = app.facility_id("Demo Spuitomruil Centrum").await;
    let mut admin = signed_in(&app, "beheer@example.org", "admin", None).await;
    let form = format!("/beheer/voorzieningen/{id}");
    let reply = admin
        .submit_as_shown(&form, &form, &[("phone", "030 765 43 21")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let facility = app.get(&format!("/api/v1/facilities/{id}")).await.json();
    assert_eq!(facility["phone"], "030 765 43 21");
    assert_eq!(facility["verified_on"], "2025-06-01");
}

#[tokio::test]
async fn the_staff_list_puts_the_longest_unchecked_first() {
    let app = app().await;
    app.post(
        "/api/v1/facilities",
        json!({"name": "Demo Aaa Vers", "organisation": "Demo Zorg Utrecht",
               "services": ["naloxone"], "city": "Utrecht", "verified_on": "2026-11-01"}),
    )
    .await;
    let mut admin = signed_in(&app, "beheer@example.org", "admin", None).await;
    let html = admin.get("/beheer/voorzieningen").await.text();
    let at = |name: &str| html.find(name).unwrap_or_else(|| panic!("{name}: {html}"));
    // Never checked, then checked in 2025, then in November 2026.
    assert!(at("Demo Spuitomruil Zwolle") < at("Demo Spuitomruil Centrum"));
    assert!(at("Demo Spuitomruil Centrum") < at("Demo Aaa Vers"));
    let by_name = admin.get("/beheer/voorzieningen?sort=name").await.text();
    assert!(by_name.find("Demo Aaa Vers") < by_name.find("Demo Spuitomruil Centrum"));
}
