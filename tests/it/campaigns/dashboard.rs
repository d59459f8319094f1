//! The campaign dashboard (issue 14, item 8) through the product: mail
//! delivered to a real aiosmtpd (one address refused), reminders, calls
//! and website checks through the follow-up API, a revoked link; the
//! figures, the response rate day by day, who still needs a call and in
//! which order, the CSV, the staff page, and who may read it.
//!
//! Covered here: recipients, sent, failed (0), bounced, reminded, called,
//! checked on the website, the rate over time (sent per day) and the call
//! list. Opened, draft and answered stay 0 until the answer form lands;
//! then this test should answer one invitation through its link, open
//! another and save a draft on a third.

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use super::support::*;
use crate::browser::*;
use crate::common::*;
use vangnet::campaigns::{campaigns, dashboard, follow_ups};
use vangnet::domain::access::Principal;
use vangnet::domain::date::today;
use vangnet::domain::follow_up::FollowUpInput;
use vangnet::domain::provenance::Actor;

const NAME: &str = "overzicht";
const API: &str = "/api/v1/campaigns/overzicht/dashboard";
const PAGE: &str = "/beheer/campagnes/overzicht/overzicht";

struct Setup {
    world: World,
    amersfoort: i64,
    breda: i64,
    emmen: i64,
}

/// The support world (Utrecht, Zwolle, Delft, whose address the server
/// refuses) and Amersfoort, Breda (with a phone) and Emmen; a campaign to
/// all six, sent today and reminded fifteen days on; Emmen's link revoked
/// since; calls and a website check logged.
async fn setup(app: &TestApp, smtp: &SmtpServer) -> Setup {
    let world = world(app).await;
    let amersfoort = organisation(app, "Demo Amersfoort").await;
    contact(app, amersfoort, "Ans Amersfoort", "ans@amersfoort.example").await;
    let breda = organisation(app, "Demo Breda").await;
    let reply = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": breda, "name": "Bas Breda",
                   "email": "bas@breda.example", "phone": "030 123 4567"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let emmen = organisation(app, "Demo Emmen").await;
    contact(app, emmen, "Eva Emmen", "eva@emmen.example").await;
    let closes = (Utc::now() + Duration::days(30)).date_naive();
    let created = create(
        app,
        json!({"name": NAME, "round": "2026", "closes_on": closes.to_string(),
               "remind_after_days": 14}),
    )
    .await;
    assert_eq!(created["recipients"], 6, "{created}");

    let reply = app
        .post(&format!("/api/v1/campaigns/{NAME}/send"), json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 6, "{}", reply.text());
    let done = deliver(app, &smtp.mailer(), Utc::now()).await;
    assert_eq!((done.sent, done.bounced), (5, 1), "{done:?}");
    // A call today, before the reminder: Zwolle needs a call again after it.
    // The website settles Utrecht.
    for (organisation, kind, outcome) in [
        (world.zwolle, "call", "not_reached"),
        (world.utrecht, "website", "changes_found"),
    ] {
        let reply = app
            .post(
                &format!("/api/v1/campaigns/{NAME}/follow-ups"),
                json!({"organisation_id": organisation, "kind": kind, "outcome": outcome,
                       "found": "Opgezocht voor het overzicht."}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    // Mail goes out when it is sent, so the reminder is fifteen days on,
    // and so is the call to Amersfoort after it (the use cases take the
    // time the API takes from the clock).
    let who = Principal::command_line("test");
    let actor = Actor::named("test");
    let later = Utc::now() + Duration::days(15);
    let queued = campaigns::remind(&app.store, &who, &actor, NAME, later)
        .await
        .unwrap();
    assert_eq!(queued.queued, 5, "everyone the invitation reached");
    assert_eq!(deliver(app, &smtp.mailer(), later).await.sent, 5);
    let call = FollowUpInput {
        organisation_id: Some(amersfoort),
        kind: Some("call".into()),
        outcome: Some("call_back".into()),
        done_on: None,
        found: Some("Belt volgende week terug.".into()),
    };
    follow_ups::record(
        &app.store,
        &who,
        &actor,
        NAME,
        &call,
        later + Duration::days(1),
    )
    .await
    .unwrap();

    let status = status(app, NAME).await;
    let emmen_invitation = recipient(&status, emmen)["invitation_id"].as_i64().unwrap();
    let reply = app
        .post(
            &format!("/api/v1/campaigns/{NAME}/invitations/{emmen_invitation}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    Setup {
        world,
        amersfoort,
        breda,
        emmen,
    }
}

fn line(board: &Value, organisation: i64) -> &Value {
    board["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organisation_id"] == organisation)
        .unwrap_or_else(|| panic!("no recipient {organisation}: {board}"))
}

/// The count in a tile of the page.
fn tile(html: &str, key: &str) -> String {
    let start = html
        .find(&format!("id=\"tegel-{key}\""))
        .unwrap_or_else(|| panic!("no tile {key}"));
    let rest = &html[start..];
    let value = rest.find("vangnet-tile__value\">").unwrap() + "vangnet-tile__value\">".len();
    rest[value..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn the_dashboard_counts_the_campaign_and_lists_who_to_call_first() {
    let app = TestApp::new().await;
    let smtp = SmtpServer::start();
    let s = setup(&app, &smtp).await;
    let reply = app.get_as_admin(API).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let board = reply.json();

    assert_eq!(
        board["figures"],
        json!({"recipients": 6, "sent": 5, "failed": 0, "bounced": 1, "opened": 0,
               "draft": 0, "answered": 0, "reminded": 5, "called": 2,
               "checked_on_website": 1}),
        "{board}"
    );
    assert_eq!(board["response_rate"], json!(0.0));

    // Today the campaign has one day; seventeen days on, eighteen, each
    // counted up to that day; past its closing day, up to that day.
    assert_eq!(
        board["over_time"],
        json!([{"day": today().to_string(), "sent": 5, "opened": 0, "answered": 0,
                "response_rate": 0.0}])
    );
    let who = Principal::command_line("test");
    let actor = Actor::named("test");
    let on = |days: i64| today() + Duration::days(days);
    let later = dashboard::dashboard(&app.store, &who, &actor, NAME, on(17))
        .await
        .unwrap();
    assert_eq!(later.over_time.len(), 18);
    assert_eq!(later.over_time[17].day, on(17).to_string());
    assert!(later
        .over_time
        .iter()
        .all(|d| d.sent == 5 && d.response_rate == Some(0.0)));
    let closed = dashboard::dashboard(&app.store, &who, &actor, NAME, on(40))
        .await
        .unwrap();
    assert_eq!(closed.over_time.last().unwrap().day, closed.closes_on);

    // Bounced first; then who waited longest (the same day here), by name.
    // Zwolle was called before the reminder; Amersfoort after it; the
    // website settled Utrecht; Emmen's link is revoked.
    let order: Vec<&str> = board["needs_call"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["organisation"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["Demo Delft", "Demo Apotheek Zwolle", "Demo Breda"],
        "{board}"
    );
    let delft = &board["needs_call"][0];
    assert_eq!(delft["status"], "bounced");
    assert!(delft["invited_at"].is_string(), "tried: {delft}");
    let zwolle = &board["needs_call"][1];
    assert_eq!(zwolle["last_outcome"], "not_reached");
    assert!(zwolle["reminded_at"].is_string() && zwolle["called_at"].is_string());
    let breda = &board["needs_call"][2];
    assert!(
        breda["phone"].as_str().is_some_and(|p| !p.is_empty()),
        "{breda}"
    );
    assert!(breda["called_at"].is_null());
    assert_eq!(line(&board, s.amersfoort)["needs_call"], false);
    assert_eq!(line(&board, s.world.utrecht)["needs_call"], false);
    assert_eq!(line(&board, s.emmen)["status"], "revoked");
    assert_eq!(line(&board, s.world.delft)["needs_call"], true);

    // The CSV: one row per recipient, yes/no like the other CSV files.
    let csv = app.get_as_admin(&format!("{API}?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(
        rows[0],
        "organisation_id,organisation,email,phone,status,invited_at,reminded_at,opened_at,draft,\
         answered_at,called_at,checked_website_at,needs_call"
    );
    assert_eq!(rows.len(), 7, "{text}");
    let row = |name: &str| -> Vec<String> {
        let found = rows
            .iter()
            .find(|r| r.contains(name))
            .unwrap_or_else(|| panic!("no row for {name}: {text}"));
        found.split(',').map(str::to_string).collect()
    };
    let delft = row("Demo Delft");
    assert_eq!((delft[4].as_str(), delft[12].as_str()), ("bounced", "yes"));
    assert!(delft[5].is_empty(), "not sent: {delft:?}");
    let amersfoort = row("Demo Amersfoort");
    assert_eq!(amersfoort[12], "no");
    assert_eq!(
        amersfoort[10],
        (Utc::now() + Duration::days(16)).date_naive().to_string()
    );
    assert!(!amersfoort[6].is_empty(), "reminded: {amersfoort:?}");
    let utrecht = row("Demo Zorg Utrecht");
    assert_eq!(
        (utrecht[11].as_str(), utrecht[12].as_str()),
        (Utc::now().date_naive().to_string().as_str(), "no")
    );
    assert_eq!(row("Demo Breda")[3], breda["phone"].as_str().unwrap());
    let wrong = app.get_as_admin(&format!("{API}?format=xlsx")).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let missing = app
        .get_as_admin("/api/v1/campaigns/bestaat-niet/dashboard")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The page shows the same numbers, and links each call to the form.
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let shown = page(&browser.get(PAGE).await);
    for (key, count) in [
        ("recipients", "6"),
        ("sent", "5"),
        ("bounced", "1"),
        ("reminded", "5"),
        ("called", "2"),
        ("checked_on_website", "1"),
        ("answered", "0"),
        ("rate", "0%"),
    ] {
        assert_eq!(tile(&shown, key), count, "{key}");
    }
    let list = &shown[shown.find("id=\"nog-bellen\"").unwrap()..];
    let at = |name: &str| {
        list.find(name)
            .unwrap_or_else(|| panic!("{name} in {list}"))
    };
    assert!(at("Demo Delft") < at("Demo Apotheek Zwolle"));
    assert!(at("Demo Apotheek Zwolle") < at("Demo Breda"));
    assert!(!list.contains("Demo Amersfoort") && !list.contains("Demo Emmen"));
    assert!(
        list.contains(&format!(
            "/beheer/campagnes/overzicht?organisatie={}#opvolging-nieuw",
            s.breda
        )),
        "{list}"
    );
    assert!(shown.contains("<svg") && shown.contains("role=\"img\""));
    assert!(shown.contains("dashboard?format=csv"));
    // The link preselects the organisation in the follow-up form.
    let form = page(
        &browser
            .get(&format!(
                "/beheer/campagnes/overzicht?organisatie={}",
                s.breda
            ))
            .await,
    );
    assert!(
        form.contains(&format!("value=\"{}\" selected", s.breda)),
        "the form starts with Breda"
    );
    assert!(
        form.contains("/beheer/campagnes/overzicht/overzicht"),
        "linked"
    );
    browser.get("/taal?lang=en&terug=/").await;
    let english = page(&browser.get(PAGE).await);
    assert!(
        english.contains("Response rate per day") && english.contains("Log a call with Demo Breda"),
        "{english}"
    );
}

#[tokio::test]
async fn only_admins_and_researchers_read_the_dashboard() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    create(&app, json!({"name": NAME, "round": "2026"})).await;
    let (_, manager) = app
        .user_token("beheerder@utrecht.example", "org_manager", Some(w.utrecht))
        .await;
    let (_, reporter) = app
        .user_token("melder@utrecht.example", "reporter", Some(w.utrecht))
        .await;
    let (_, researcher) = app
        .user_token("onderzoeker@example.org", "researcher", None)
        .await;
    for uri in [API.to_string(), format!("{API}?format=csv")] {
        for token in [&manager, &reporter] {
            let refused = app.send(Method::GET, &uri, None, Some(token)).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{uri}");
        }
        let allowed = app.send(Method::GET, &uri, None, Some(&researcher)).await;
        assert_eq!(allowed.status, StatusCode::OK, "{uri}: {}", allowed.text());
    }
    // Not sent yet: nothing over time, nobody to call.
    let board = app.get_as_admin(API).await.json();
    assert_eq!(board["over_time"], json!([]));
    assert_eq!(board["needs_call"], json!([]));
    assert_eq!(board["response_rate"], Value::Null);
    let mut manager_browser = signed_in(
        &app,
        "beheer@utrecht.example",
        "org_manager",
        Some(w.utrecht),
    )
    .await;
    assert_eq!(
        manager_browser.get(PAGE).await.status,
        StatusCode::FORBIDDEN
    );
    assert_ne!(
        app.get(PAGE).await.status,
        StatusCode::OK,
        "not anonymously"
    );
    let audited = app
        .store
        .search_audit(&vangnet::storage::audit::AuditFilter {
            object_type: Some("campaign".into()),
            event: Some("read".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        audited.iter().any(|e| e
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("dashboard of 3"))),
        "{audited:?}"
    );
}
