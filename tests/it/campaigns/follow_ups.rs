//! Follow-up of a campaign (issue 14, item 6): calls and website checks
//! for the organisations that have not answered, through the API and the
//! campaign page; who still needs a call; refused input naming the field;
//! access; the audit log. No mail is sent: the campaigns stay drafts.

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use crate::browser::*;
use crate::common::*;
use vangnet::storage::audit::AuditFilter;

/// Organisations with a contact each, a round, and a campaign `opvolgen`
/// for Utrecht and Zwolle (not Delft).
struct Setup {
    utrecht: i64,
    zwolle: i64,
    delft: i64,
}

async fn with_contact(app: &TestApp, name: &str, email: &str) -> i64 {
    let made = app
        .post("/api/v1/organisations", json!({ "name": name }))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let id = made.json()["id"].as_i64().unwrap();
    let person = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": id, "name": "Contactpersoon", "email": email}),
        )
        .await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.text());
    id
}

async fn setup(app: &TestApp) -> Setup {
    let round = app
        .post(
            "/api/v1/rounds",
            json!({"name": "2026", "reference_date": "2026-01-01"}),
        )
        .await;
    assert_eq!(round.status, StatusCode::CREATED, "{}", round.text());
    let utrecht = with_contact(app, "Demo Zorg Utrecht", "info@utrecht.example").await;
    let zwolle = with_contact(app, "Demo Apotheek Zwolle", "info@zwolle.example").await;
    let delft = with_contact(app, "Demo Delft", "info@delft.example").await;
    let campaign = app
        .post(
            "/api/v1/campaigns",
            json!({"name": "opvolgen", "round": "2026", "organisations": [utrecht, zwolle]}),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.text());
    Setup {
        utrecht,
        zwolle,
        delft,
    }
}

const API: &str = "/api/v1/campaigns/opvolgen/follow-ups";
const PAGE: &str = "/beheer/campagnes/opvolgen";
const FORM: &str = "/beheer/campagnes/opvolgen/opvolging";

fn today() -> String {
    Utc::now().date_naive().to_string()
}

async fn campaign_status(app: &TestApp) -> Value {
    let reply = app.get_as_admin("/api/v1/campaigns/opvolgen").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

fn line(status: &Value, organisation: i64) -> Value {
    status["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organisation_id"] == organisation)
        .cloned()
        .unwrap_or_else(|| panic!("no recipient {organisation}: {status}"))
}

/// The names in the "still needs a call" list of the page.
fn needs_call(html: &str) -> String {
    let start = html.find("id=\"nog-bellen\"").expect("the list is shown");
    let rest = &html[start..];
    let end = rest.find("<h3").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[tokio::test]
async fn calls_and_checks_are_logged_and_shown_in_the_status() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let before = campaign_status(&app).await;
    assert_eq!(before["totals"]["called"], 0, "{before}");
    assert_eq!(before["totals"]["checked_on_website"], 0, "{before}");
    assert!(line(&before, s.utrecht)["called_at"].is_null());

    let added = app
        .post(
            API,
            json!({"organisation_id": s.utrecht, "kind": "call", "outcome": "call_back",
                   "done_on": "2026-01-05", "found": "Coördinator is er donderdag weer."}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let entry = added.json();
    assert_eq!(entry["outcome"], "call_back");
    assert_eq!(entry["done_on"], "2026-01-05");
    assert!(
        !entry["recorded_by"].as_str().unwrap().is_empty(),
        "{entry}"
    );
    let later = app
        .post(
            API,
            json!({"organisation_id": s.utrecht, "kind": "call", "outcome": "not_reached",
                   "done_on": "2026-01-09", "found": "Geen gehoor."}),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.text());
    let checked = app
        .post(
            API,
            json!({"organisation_id": s.zwolle, "kind": "website", "outcome": "changes_found",
                   "found": "Nieuwe openingstijden op de website."}),
        )
        .await;
    assert_eq!(checked.status, StatusCode::CREATED, "{}", checked.text());
    assert_eq!(
        checked.json()["done_on"],
        today(),
        "the day defaults to today"
    );

    let listed = app.get_as_admin(API).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let days: Vec<String> = listed.json()["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["done_on"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(days, [today(), "2026-01-09".into(), "2026-01-05".into()]);

    let after = campaign_status(&app).await;
    assert_eq!(after["totals"]["called"], 1, "{after}");
    assert_eq!(after["totals"]["checked_on_website"], 1, "{after}");
    assert_eq!(
        after["totals"]["not_sent"], 2,
        "existing totals stay: {after}"
    );
    let utrecht = line(&after, s.utrecht);
    assert_eq!(utrecht["called_at"], "2026-01-09", "the latest call");
    assert!(utrecht["checked_website_at"].is_null());
    assert_eq!(line(&after, s.zwolle)["checked_website_at"], today());
    assert_eq!(utrecht["status"], "not_sent", "existing fields stay");
}

#[tokio::test]
async fn wrong_entries_are_refused_with_the_field() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let tomorrow = (Utc::now() + chrono::Duration::days(2))
        .date_naive()
        .to_string();
    let good = json!({"organisation_id": s.utrecht, "kind": "call",
                      "outcome": "confirmed", "found": "Klopt."});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    for (body, field) in [
        (with("done_on", json!(tomorrow)), "done_on"),
        (with("found", json!("  ")), "found"),
        (with("outcome", json!("misschien")), "outcome"),
        (with("kind", json!("bezoek")), "kind"),
        (
            with("found", json!("Mail naar piet.jansen@example.nl")),
            "found",
        ),
        (with("organisation_id", json!(s.delft)), "organisation_id"),
    ] {
        let reply = app.post(API, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.text()
        );
        assert!(
            reply.text().contains(&format!("\"{field}\"")),
            "{body}: {}",
            reply.text()
        );
    }
    let none = app.get_as_admin(API).await.json();
    assert_eq!(none["follow_ups"], json!([]), "nothing was written");
    let missing = app
        .post("/api/v1/campaigns/bestaat-niet/follow-ups", good.clone())
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Posts the page's follow-up form: organisation, (kind, outcome), day, found.
async fn log(
    browser: &mut Browser,
    organisation: i64,
    (kind, outcome): (&str, &str),
    day: &str,
    found: &str,
) -> Reply {
    let organisation = organisation.to_string();
    let fields = [
        ("organisation_id", organisation.as_str()),
        ("kind", kind),
        ("outcome", outcome),
        ("done_on", day),
        ("found", found),
    ];
    browser.submit(PAGE, FORM, &fields).await
}

#[tokio::test]
async fn the_campaign_page_logs_calls_and_shrinks_the_call_list() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let shown = page(&browser.get(PAGE).await);
    let list = needs_call(&shown);
    assert!(
        list.contains("Demo Zorg Utrecht") && list.contains("Demo Apotheek Zwolle"),
        "{list}"
    );

    let refused = log(
        &mut browser,
        s.utrecht,
        ("call", "confirmed"),
        "2999-01-01",
        "",
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("done_on-error"), "{html}");
    assert!(html.contains("found-error"), "{html}");
    assert!(html.contains("2999-01-01"), "{html}");

    let added = log(
        &mut browser,
        s.utrecht,
        ("call", "confirmed"),
        &today(),
        "Gegevens nagelopen met de coördinator.",
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    // What the call confirmed is entered next, in the finding form.
    assert!(
        location(&added).starts_with("/beheer/campagnes/opvolgen/uitnodigingen/")
            && location(&added).contains("/bevinding?bron=phone&opvolging="),
        "{}",
        location(&added)
    );
    let finding = page(&browser.get(location(&added)).await);
    assert!(finding.contains("De opvolging is vastgelegd."), "{finding}");
    let shown = page(&browser.get("/beheer/campagnes/opvolgen").await);
    assert!(
        shown.contains("Gegevens nagelopen met de coördinator.")
            && shown.contains("Gegevens kloppen"),
        "{shown}"
    );
    let list = needs_call(&shown);
    assert!(!list.contains("Demo Zorg Utrecht"), "settled: {list}");
    assert!(list.contains("Demo Apotheek Zwolle"), "{list}");

    // A website check asking to call back does not settle an organisation.
    let call_back = log(
        &mut browser,
        s.zwolle,
        ("website", "call_back"),
        "",
        "Morgen terugbellen.",
    )
    .await;
    assert_eq!(call_back.status, StatusCode::SEE_OTHER);
    let shown = page(&browser.get(PAGE).await);
    assert!(
        needs_call(&shown).contains("Demo Apotheek Zwolle"),
        "{shown}"
    );
    let totals = &campaign_status(&app).await["totals"];
    assert_eq!(
        (&totals["called"], &totals["checked_on_website"]),
        (&json!(1), &json!(1))
    );

    browser.get("/taal?lang=en&terug=/").await;
    let english = page(&browser.get(PAGE).await);
    assert!(
        english.contains("Still needs a call") && english.contains("Data is correct"),
        "{english}"
    );
}

#[tokio::test]
async fn only_admins_and_researchers_follow_up_and_it_is_audited() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let (_, manager) = app
        .user_token("beheerder@utrecht.example", "org_manager", Some(s.utrecht))
        .await;
    let (_, researcher) = app
        .user_token("onderzoeker@example.org", "researcher", None)
        .await;
    let body = json!({"organisation_id": s.zwolle, "kind": "website",
                      "outcome": "closed", "found": "Website meldt: locatie gesloten."});
    for (method, payload) in [(Method::GET, None), (Method::POST, Some(body.clone()))] {
        let refused = app
            .send(method.clone(), API, payload.clone(), Some(&manager))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{method}");
        let anonymous = app.send(method.clone(), API, payload.clone(), None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method}");
    }
    let added = app
        .send(Method::POST, API, Some(body), Some(&researcher))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let id = added.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.get_as_admin(API).await.json()["follow_ups"][0]["recorded_by"],
        added.json()["recorded_by"]
    );
    let mut manager_browser = signed_in(
        &app,
        "beheer@utrecht.example",
        "org_manager",
        Some(s.utrecht),
    )
    .await;
    let page_post = manager_browser
        .post(FORM, &[("organisation_id", "1"), ("found", "x")])
        .await;
    assert_ne!(page_post.status, StatusCode::SEE_OTHER);
    assert_ne!(
        app.get(PAGE).await.status,
        StatusCode::OK,
        "not for anonymous readers"
    );

    let entries = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("follow_up".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let created = entries
        .iter()
        .find(|e| e.event == "create" && e.object_id == Some(id.to_string()))
        .expect("the entry is in the log");
    let detail = created.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains(&format!("organisation {}", s.zwolle)),
        "{detail}"
    );
    assert!(detail.contains("locatie gesloten"), "{detail}");
    assert!(entries.iter().any(|e| e.event == "read"), "{entries:?}");
    assert_eq!(entries.iter().filter(|e| e.event == "create").count(), 1);
}
