//! The answer form and the review, end to end on a real SMTP server: the
//! invitation's link opens a form prefilled from the register; drafts,
//! errors next to their fields, an added location; a submission becomes
//! proposed register changes; a researcher accepts and rejects them, and
//! the accepted ones are in the register with their provenance and in
//! the round's Table 1. Staff findings (phone, website) go the same way.

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use super::support::*;
use crate::browser::*;
use crate::common::*;

async fn facility(app: &TestApp, body: Value) -> i64 {
    let reply = app.post("/api/v1/facilities", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

struct Setup {
    w: World,
    brug: i64,
    anker: i64,
    unknown: i64,
    round: String,
}

/// A round counted today, Utrecht's two locations, a heroin unit in
/// Utrecht whose operator nobody named, and a campaign `enquete` sent.
async fn setup(app: &TestApp, smtp: &SmtpServer) -> Setup {
    let w = world(app).await;
    let today = Utc::now().date_naive();
    let round = "2026-peildag".to_string();
    let reply = app
        .post(
            "/api/v1/rounds",
            json!({"name": round, "reference_date": today.to_string()}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let brug = facility(
        app,
        json!({"name": "Demo De Brug", "organisation_id": w.utrecht,
               "services": ["consumption_room", "syringe_exchange"],
               "street": "Testlaan 90", "postcode": "3511 AB", "city": "Utrecht",
               "capacity": 6, "rooms": 2, "opening_hours": "Mo-Fr 09:00-17:00",
               "opened_on": "2020-01-01"}),
    )
    .await;
    let anker = facility(
        app,
        json!({"name": "Demo Het Anker", "organisation_id": w.utrecht,
               "services": ["syringe_exchange"], "street": "Proefkade 3",
               "postcode": "3512 CD", "city": "Utrecht", "opened_on": "2019-03-01"}),
    )
    .await;
    let unknown = facility(
        app,
        json!({"name": "Demo Heroïnepoli Utrecht", "services": ["heroin_unit"],
               "city": "Utrecht", "capacity": 40, "opened_on": "2018-01-01"}),
    )
    .await;
    let closes = (Utc::now() + chrono::Duration::days(30)).date_naive();
    create(
        app,
        json!({"name": "enquete", "round": round, "closes_on": closes.to_string(),
               "organisations": [w.utrecht, w.zwolle]}),
    )
    .await;
    let reply = app.post("/api/v1/campaigns/enquete/send", json!({})).await;
    assert_eq!(reply.json()["queued"], 2, "{}", reply.text());
    deliver(app, &smtp.mailer(), Utc::now()).await;
    Setup {
        w,
        brug,
        anker,
        unknown,
        round,
    }
}

fn link(smtp: &SmtpServer, address: &str) -> String {
    let mails = smtp.to(address);
    assert_eq!(mails.len(), 1, "{:?}", smtp.received());
    format!("/enquete/{}", mails[0].token())
}

async fn table1(app: &TestApp, round: &str, service: &str) -> i64 {
    let reply = app
        .get_as_admin(&format!("/api/v1/reports/table1?round={round}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let table = reply.json();
    let row = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == service)
        .unwrap_or_else(|| panic!("no {service} in {table}"))
        .clone();
    row["locations"]
        .as_i64()
        .or_else(|| row["locations"]["value"].as_i64())
        .unwrap_or_else(|| panic!("no count in {row}"))
}

async fn current(app: &TestApp, id: i64) -> Value {
    let reply = app.get_as_admin(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn a_respondent_corrects_closes_and_adds_and_a_researcher_accepts() {
    let app = TestApp::new().await;
    let smtp = SmtpServer::start();
    let s = setup(&app, &smtp).await;
    let form = link(&smtp, "anna@utrecht.example");
    let exchanges_before = table1(&app, &s.round, "syringe_exchange").await;

    // The form, prefilled from the register, needs no account.
    let mut respondent = Browser::new(&app);
    let shown = respondent.get(&form).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
    assert_eq!(
        shown.headers["referrer-policy"], "same-origin",
        "the token does not travel on"
    );
    let html = page(&shown);
    assert!(html.contains("Voor Demo Zorg Utrecht"), "{html}");
    assert!(html.contains("Locatie 1: Demo De Brug"), "{html}");
    assert!(html.contains("Locatie 2: Demo Het Anker"), "{html}");
    assert!(html.contains("value=\"Testlaan 90\""), "{html}");
    assert!(
        !html.contains("Heroïnepoli"),
        "not this organisation's: {html}"
    );
    let invitation = s_invitation(&app, s.w.utrecht).await;
    let opened = app.store.invitation(invitation).await.unwrap().unwrap();
    assert!(opened.opened_at.is_some(), "opening the form counts");

    // A draft with a wrong postcode is refused next to its field.
    let wrong = respondent
        .submit_as_shown(
            &form,
            &form,
            &[("locations.0.postcode", "12345"), ("actie", "opslaan")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text();
    assert!(html.contains("id=\"locations.0.postcode-error\""), "{html}");
    assert!(html.contains("value=\"12345\""), "shown as typed: {html}");

    // A draft: the new capacity is kept, the form says so.
    let saved = respondent
        .submit_as_shown(
            &form,
            &form,
            &[("locations.0.capacity", "8"), ("actie", "opslaan")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let html = page(&respondent.get(location(&saved)).await);
    assert!(html.contains("opgeslagen als concept"), "{html}");
    assert!(html.contains("value=\"8\""), "{html}");

    // Another location: the form comes back with an empty third one.
    let added = respondent
        .submit_as_shown(&form, &form, &[("actie", "locatie:locations")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let html = page(&respondent.get(location(&added)).await);
    assert!(html.contains("Locatie 3 (nieuw)"), "{html}");

    // Sending without the required answers names each.
    let token = csrf_token(&respondent.get(&form).await);
    let incomplete = respondent
        .post(
            &form,
            &[("csrf_token", token.as_str()), ("actie", "versturen")],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.text().contains("id=\"consumption_room-error\""));

    // The whole answer: Het Anker closed in May, the heroin unit is theirs.
    let answer = [
        ("consumption_room", "yes"),
        ("syringe_exchange", "yes"),
        ("paraphernalia_naloxone", "no"),
        ("methadone_clinic", "no"),
        ("heroin_unit", "yes"),
        ("locations.1.still_open", "no"),
        ("locations.1.closed_on", "2026-05-01"),
        ("locations.1.public_access", "yes"),
        ("locations.2.name", "Demo Heroïnepoli Utrecht"),
        ("locations.2.street", "Schetsgracht 12"),
        ("locations.2.postcode", "3511 XY"),
        ("locations.2.place", "Utrecht"),
        ("locations.2.services", "heroin_unit"),
        ("locations.2.public_access", "no"),
        ("locations.2.still_open", "yes"),
        ("remarks", "Vanaf 2027 ook op zaterdag open."),
        ("actie", "versturen"),
    ];
    let page_now = respondent.get(&format!("{form}?nieuw=locations")).await;
    let mut fields = form_fields(&page_now.text(), &form);
    for (name, value) in answer {
        if name != "locations.2.services" {
            fields.retain(|(n, _)| n != name);
        }
        fields.push((name.to_string(), value.to_string()));
    }
    let sent = respondent.post(&form, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let html = page(&respondent.get(location(&sent)).await);
    assert!(html.contains("Verstuurd op"), "{html}");
    assert!(
        !html.contains("name=\"actie\""),
        "read-only once sent: {html}"
    );
    let again = respondent.post(&form, &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "nothing changes");
    let report = status(&app, "enquete").await;
    assert_eq!(recipient(&report, s.w.utrecht)["status"], "answered");
    let figures = dashboard(&app).await;
    assert_eq!(
        (
            figures["opened"].clone(),
            figures["draft"].clone(),
            figures["answered"].clone()
        ),
        (json!(1), json!(0), json!(1)),
        "{figures}"
    );

    // Nothing is in the register yet.
    assert_eq!(current(&app, s.brug).await["capacity"], 6);

    // The review lists what the answer proposes.
    let review = app.get_as_admin("/api/v1/campaigns/enquete/review").await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text());
    let review = review.json();
    let answers = review["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{review}");
    assert_eq!(answers[0]["source"], "survey");
    let proposals = answers[0]["proposals"].as_array().unwrap();
    let find = |kind: &str, facility: i64| {
        proposals
            .iter()
            .find(|p| p["kind"] == kind && p["facility_id"] == facility)
            .unwrap_or_else(|| panic!("no {kind} for {facility}: {review}"))
            .clone()
    };
    let other = answers[0]["other"].as_array().unwrap();
    assert!(
        other
            .iter()
            .any(|o| o["question"] == "remarks" && o["value"] == "Vanaf 2027 ook op zaterdag open."),
        "the remarks are read in the review: {review}"
    );
    let capacity = find("change", s.brug);
    assert_eq!(capacity["field"], "capacity");
    assert_eq!(
        (capacity["before"].clone(), capacity["after"].clone()),
        (json!(6), json!(8))
    );
    let closed = find("closed", s.anker);
    assert_eq!(closed["after"], "2026-05-01");
    let named = find("organisation", s.unknown);
    assert_eq!(named["after"], s.w.utrecht);
    let address = find("change", s.unknown);
    assert_eq!(address["field"], "address");

    // A researcher rejects the address on the page and accepts the rest at once.
    let mut researcher = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let review_page = researcher.get("/beheer/campagnes/enquete/beoordelen").await;
    assert_eq!(review_page.status, StatusCode::OK);
    let html = page(&review_page);
    assert!(html.contains("Capaciteit gewijzigd"), "{html}");
    assert!(html.contains("Organisatie gevonden"), "{html}");
    assert!(
        html.contains("Wilt u nog iets kwijt over uw voorzieningen?"),
        "{html}"
    );
    assert!(html.contains("Vanaf 2027 ook op zaterdag open."), "{html}");
    let rejected = researcher
        .submit(
            "/beheer/campagnes/enquete/beoordelen",
            &format!(
                "/beheer/campagnes/enquete/voorstellen/{}/besluit",
                address["id"]
            ),
            &[("besluit", "afwijzen")],
        )
        .await;
    assert_eq!(
        rejected.status,
        StatusCode::SEE_OTHER,
        "{}",
        page(&rejected)
    );
    let all = researcher
        .submit(
            "/beheer/campagnes/enquete/beoordelen",
            &format!(
                "/beheer/campagnes/enquete/antwoorden/{}/besluit",
                answers[0]["answer_id"]
            ),
            &[("besluit", "accepteren")],
        )
        .await;
    assert_eq!(all.status, StatusCode::SEE_OTHER, "{}", all.text());
    let html = page(&researcher.get(location(&all)).await);
    assert!(html.contains("Nog te beoordelen: 0"), "{html}");

    // In the register, with the answer as source and its day as verified_on.
    let today = Utc::now().date_naive().to_string();
    let brug = current(&app, s.brug).await;
    assert_eq!(brug["capacity"], 8, "{brug}");
    let text = brug.to_string();
    assert!(text.contains("antwoord van Demo Zorg Utrecht"), "{text}");
    assert!(text.contains("survey"), "{text}");
    assert!(
        text.contains(&today),
        "verified on the day of the answer: {text}"
    );
    assert_eq!(current(&app, s.anker).await["closed_on"], "2026-05-01");
    let unit = current(&app, s.unknown).await;
    assert_eq!(unit["organisation_id"], s.w.utrecht, "{unit}");
    assert!(
        unit["street"].is_null(),
        "the rejected address stays out: {unit}"
    );
    assert_eq!(
        table1(&app, &s.round, "syringe_exchange").await,
        exchanges_before - 1,
        "Het Anker no longer counts"
    );

    // Deciding again is refused: it was decided.
    let twice = app
        .post(
            &format!(
                "/api/v1/campaigns/enquete/proposals/{}/decision",
                capacity["id"]
            ),
            json!({"decision": "reject"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text());
}

/// The campaign dashboard's figures.
async fn dashboard(app: &TestApp) -> Value {
    let reply = app
        .get_as_admin("/api/v1/campaigns/enquete/dashboard")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()["figures"].clone()
}

async fn s_invitation(app: &TestApp, organisation: i64) -> i64 {
    recipient(&status(app, "enquete").await, organisation)["invitation_id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_phone_finding_adds_a_location_with_its_provenance() {
    let app = TestApp::new().await;
    let smtp = SmtpServer::start();
    let s = setup(&app, &smtp).await;
    let zwolle = s_invitation(&app, s.w.zwolle).await;
    let rooms_before = table1(&app, &s.round, "consumption_room").await;
    let finding = json!({
        "source": "phone",
        "answers": {
            "values": {"consumption_room": true, "syringe_exchange": false,
                       "paraphernalia_naloxone": false, "methadone_clinic": false,
                       "heroin_unit": false},
            "locations": {"locations": [{"values": {
                "name": "Demo Gebruiksruimte Zwolle", "street": "Oefenplein 4",
                "postcode": "8011 AA", "place": "Zwolle",
                "services": ["consumption_room"], "public_access": true,
                "still_open": true}}]}
        }
    });
    let reply = app
        .post(
            &format!("/api/v1/campaigns/enquete/invitations/{zwolle}/findings"),
            finding,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert_eq!(reply.json()["proposals"], 1);
    let review = app
        .get_as_admin("/api/v1/campaigns/enquete/review")
        .await
        .json();
    let answer = &review["answers"][0];
    assert_eq!(answer["source"], "phone", "{review}");
    let new = &answer["proposals"][0];
    assert_eq!(new["kind"], "new_location");
    let decided = app
        .post(
            &format!("/api/v1/campaigns/enquete/proposals/{}/decision", new["id"]),
            json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.text());
    let review = app
        .get_as_admin("/api/v1/campaigns/enquete/review")
        .await
        .json();
    let id = review["answers"][0]["proposals"][0]["facility_id"]
        .as_i64()
        .expect("the new location's id");
    let created = current(&app, id).await;
    assert_eq!(created["organisation_id"], s.w.zwolle, "{created}");
    assert!(
        created
            .to_string()
            .contains("telefoongesprek met Demo Apotheek Zwolle"),
        "{created}"
    );
    assert_eq!(
        table1(&app, &s.round, "consumption_room").await,
        rooms_before + 1
    );

    // An incomplete finding is refused with the fields, nothing stored.
    let reply = app
        .post(
            &format!("/api/v1/campaigns/enquete/invitations/{zwolle}/findings"),
            json!({"source": "phone", "answers": {"values": {"consumption_room": true}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.text().contains("syringe_exchange"),
        "{}",
        reply.text()
    );
    let review = app
        .get_as_admin("/api/v1/campaigns/enquete/review")
        .await
        .json();
    assert_eq!(review["answers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_revoked_or_unknown_link_opens_nothing_and_the_api_answers_alike() {
    let app = TestApp::new().await;
    let smtp = SmtpServer::start();
    let s = setup(&app, &smtp).await;
    let form = link(&smtp, "anna@utrecht.example");
    let token = form.trim_start_matches("/enquete/").to_string();

    // The API gives the same form; a draft through it shows on the page.
    let shown = app.get(&format!("/api/v1/survey/{token}")).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
    let mut answers = shown.json()["answers"].clone();
    assert_eq!(answers["locations"]["locations"][0]["facility_id"], s.brug);
    answers["locations"]["locations"][0]["values"]["opening_hours"] = json!("Mo-Su 08:00-20:00");
    let saved = app
        .send(
            Method::PUT,
            &format!("/api/v1/survey/{token}"),
            Some(json!({"answers": answers})),
            None,
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(saved.json()["state"], "draft");
    assert!(page(&Browser::new(&app).get(&form).await).contains("Mo-Su 08:00-20:00"));
    let figures = dashboard(&app).await;
    assert_eq!(
        (
            figures["opened"].clone(),
            figures["draft"].clone(),
            figures["answered"].clone()
        ),
        (json!(1), json!(1), json!(0)),
        "the campaign dashboard counts the opened form and the draft: {figures}"
    );
    answers["locations"]["locations"][0]["values"]["opening_hours"] = json!("elke dag");
    let wrong = app
        .send(
            Method::PUT,
            &format!("/api/v1/survey/{token}"),
            Some(json!({"answers": answers})),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text().contains("locations.0.opening_hours"),
        "{}",
        wrong.text()
    );

    let invitation = s_invitation(&app, s.w.utrecht).await;
    let reply = app
        .post(
            &format!("/api/v1/campaigns/enquete/invitations/{invitation}/revoke"),
            json!({}),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    let gone = Browser::new(&app).get(&form).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.text().contains("Deze link werkt niet"));
    let unknown = Browser::new(&app)
        .get(&format!("/enquete/{}", "0".repeat(64)))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let main =
        |html: String| html[html.find("<main").unwrap()..html.find("</main>").unwrap()].to_string();
    assert_eq!(
        main(unknown.text()),
        main(gone.text()),
        "the same answer for both"
    );
    assert_eq!(
        app.get(&format!("/api/v1/survey/{token}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_call_that_found_something_leads_to_the_finding_form() {
    let app = TestApp::new().await;
    let smtp = SmtpServer::start();
    let s = setup(&app, &smtp).await;
    let mut researcher = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let zwolle = s.w.zwolle.to_string();
    let logged = researcher
        .submit(
            "/beheer/campagnes/enquete",
            "/beheer/campagnes/enquete/opvolging",
            &[
                ("organisation_id", zwolle.as_str()),
                ("kind", "call"),
                ("outcome", "changes_found"),
                (
                    "found",
                    "Er is een nieuwe gebruiksruimte aan het Oefenplein.",
                ),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.text());
    let invitation = s_invitation(&app, s.w.zwolle).await;
    let next = location(&logged).to_string();
    assert!(
        next.starts_with(&format!(
            "/beheer/campagnes/enquete/uitnodigingen/{invitation}/bevinding?bron=phone&opvolging="
        )),
        "{next}"
    );
    let form = researcher.get(&next).await;
    let html = page(&form);
    assert!(html.contains("name=\"opvolging\""), "{html}");
    assert!(html.contains("<option value=\"phone\" selected>"), "{html}");
    let action = format!("/beheer/campagnes/enquete/uitnodigingen/{invitation}/bevinding");
    let mut fields = form_fields(&html, &action);
    for (name, value) in [
        ("consumption_room", "yes"),
        ("syringe_exchange", "no"),
        ("paraphernalia_naloxone", "no"),
        ("methadone_clinic", "no"),
        ("heroin_unit", "no"),
    ] {
        fields.push((name.into(), value.into()));
    }
    fields.push(("actie".into(), "locatie:locations".into()));
    let more = researcher.post(&action, &fields).await;
    assert_eq!(
        more.status,
        StatusCode::OK,
        "nothing stored, one more location"
    );
    let mut fields = form_fields(&more.text(), &action);
    for (name, value) in [
        ("locations.0.name", "Demo Gebruiksruimte Oefenplein"),
        ("locations.0.place", "Zwolle"),
        ("locations.0.services", "consumption_room"),
        ("locations.0.public_access", "yes"),
        ("locations.0.still_open", "yes"),
        ("actie", "versturen"),
    ] {
        fields.retain(|(n, _)| n != name);
        fields.push((name.into(), value.into()));
    }
    let sent = researcher.post(&action, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let review = app
        .get_as_admin("/api/v1/campaigns/enquete/review")
        .await
        .json();
    let answer = &review["answers"][0];
    assert_eq!(answer["source"], "phone", "{review}");
    assert_eq!(answer["proposals"][0]["kind"], "new_location", "{review}");
    assert_eq!(
        answer["entered_by"], "onderzoek@demo.example",
        "who entered it: {review}"
    );
}
