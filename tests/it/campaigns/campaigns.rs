//! Campaigns against a real SMTP server: aiosmtpd (Python, from PyPI, in
//! `target/schemathesis-venv` as `scripts/test` installs it, or
//! `$VANGNET_TEST_PYTHON`), started per test with a handler that stores
//! every message in a maildir and refuses, with a permanent 550, every
//! recipient whose address starts with `weiger`. Without aiosmtpd these
//! tests fail; they do not skip.
//!
//! Covered: creating a campaign for a round, sending (one invitation per
//! contact with a working personal link whose token is stored only as a
//! hash; sending again sends nothing), opted-out and erased contacts, a
//! refused recipient (bounced, with the server's reply), no server at all
//! (queued for later, sent when it is back), reminders only to those due,
//! revoking a link, the status as JSON and CSV, the command line, access.

use std::process::Command;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use super::support::*;
use crate::browser::*;
use crate::common::*;
use vangnet::campaigns::campaigns::{invitation_for_link, outbox};
use vangnet::platform::mail::Mailer;

#[tokio::test]
async fn invitations_reach_each_contact_once_with_a_working_link() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let smtp = SmtpServer::start();
    let closes = (Utc::now() + chrono::Duration::days(30)).date_naive();
    let created = create(
        &app,
        json!({"name": "2026-inventarisatie", "round": "2026", "closes_on": closes.to_string()}),
    )
    .await;
    // Utrecht, Zwolle, Delft; not the opted-out Groningen nor the erased Leiden.
    assert_eq!(created["recipients"], 3, "{created}");
    let before = status(&app, "2026-inventarisatie").await;
    assert_eq!(before["status"], "draft");
    assert_eq!(before["totals"]["not_sent"], 3, "{before}");

    let reply = app
        .post("/api/v1/campaigns/2026-inventarisatie/send", json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 3, "{}", reply.text());
    let done = deliver(&app, &smtp.mailer(), Utc::now()).await;
    assert_eq!((done.sent, done.bounced), (2, 1), "{done:?}");

    // Anna is Utrecht's addressee (first by name); Bert gets nothing.
    let anna = smtp.to("anna@utrecht.example");
    assert_eq!(anna.len(), 1, "{:?}", smtp.received());
    assert!(smtp.to("bert@utrecht.example").is_empty());
    assert!(smtp.to("gerda@groningen.example").is_empty());
    assert!(smtp.to("lies@leiden.example").is_empty());
    assert_eq!(smtp.to("jan@zwolle.example").len(), 1);
    assert!(
        anna[0].subject.contains("Demo Zorg Utrecht"),
        "{:?}",
        anna[0]
    );
    assert!(
        anna[0].body.contains(&format!("{PUBLIC_URL}/enquete/")),
        "{}",
        anna[0].body
    );
    let day = closes.format("%Y").to_string();
    assert!(
        anna[0].body.contains(&day),
        "the closing day: {}",
        anna[0].body
    );

    // The link works; the token itself is nowhere in the database, its hash is.
    let token = anna[0].token();
    assert_eq!(token.len(), 64, "{token}");
    let today = Utc::now().date_naive();
    let invitation = invitation_for_link(&app.store, &token, today)
        .await
        .unwrap()
        .expect("the link leads to the invitation");
    assert!(invitation_for_link(&app.store, &"0".repeat(64), today)
        .await
        .unwrap()
        .is_none());
    let stored: Vec<Option<String>> =
        sqlx::query_scalar("SELECT token_hash FROM campaign_mails ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert!(stored.contains(&Some(vangnet::domain::secret::digest(&token))));
    assert!(!stored.contains(&Some(token.clone())));
    // After the closing day the link is dead.
    assert!(
        invitation_for_link(&app.store, &token, closes + chrono::Duration::days(1))
            .await
            .unwrap()
            .is_none()
    );

    // The refused recipient is bounced, with the server's reply.
    let after = status(&app, "2026-inventarisatie").await;
    assert_eq!(after["status"], "open");
    let delft = recipient(&after, w.delft);
    assert_eq!(delft["status"], "bounced", "{delft}");
    let reply = delft["last_error"].as_str().unwrap();
    assert!(
        reply.contains("550") && reply.contains("User unknown"),
        "{reply}"
    );
    assert_eq!(recipient(&after, w.utrecht)["status"], "sent");
    assert_eq!(recipient(&after, w.utrecht)["invitation_id"], invitation);
    assert_eq!(
        recipient(&after, w.utrecht)["email"],
        "anna@utrecht.example"
    );
    assert!(recipient(&after, w.zwolle)["invited_at"].is_string());
    assert_eq!(after["totals"]["sent"], 2, "{after}");
    assert_eq!(after["totals"]["bounced"], 1, "{after}");

    // Sending again queues and sends nothing new.
    let reply = app
        .post("/api/v1/campaigns/2026-inventarisatie/send", json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 0, "{}", reply.text());
    let done = deliver(&app, &smtp.mailer(), Utc::now()).await;
    assert_eq!(done.total(), 0, "{done:?}");
    assert_eq!(smtp.received().len(), 2);

    // Revoking stops the link at once.
    let reply = app
        .post(
            &format!("/api/v1/campaigns/2026-inventarisatie/invitations/{invitation}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    assert!(invitation_for_link(&app.store, &token, today)
        .await
        .unwrap()
        .is_none());
    let again = app
        .post(
            &format!("/api/v1/campaigns/2026-inventarisatie/invitations/{invitation}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let after = status(&app, "2026-inventarisatie").await;
    assert_eq!(recipient(&after, w.utrecht)["status"], "revoked");

    // The audit log has the campaign's changes and no address.
    let log: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT event, detail FROM audit_log WHERE object_type = 'campaign' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let events: Vec<&str> = log.iter().map(|(e, _)| e.as_str()).collect();
    for event in ["create", "send", "revoke", "read"] {
        assert!(events.contains(&event), "{events:?}");
    }
    assert!(
        log.iter()
            .all(|(_, d)| !d.as_deref().unwrap_or("").contains('@')),
        "{log:?}"
    );
}

#[tokio::test]
async fn without_a_server_mail_waits_and_goes_out_when_it_is_back() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    create(
        &app,
        json!({"name": "retry", "round": "2026", "organisations": [w.zwolle]}),
    )
    .await;
    app.post("/api/v1/campaigns/retry/send", json!({})).await;
    let address = free_address();
    let nobody = Mailer::from_url(Some(&format!("smtp://{address}")), FROM).unwrap();
    let now = Utc::now();
    let done = deliver(&app, &nobody, now).await;
    assert_eq!(done.retrying, 1, "{done:?}");
    let waiting = status(&app, "retry").await;
    let zwolle = recipient(&waiting, w.zwolle);
    assert_eq!(zwolle["status"], "queued", "{zwolle}");
    assert_eq!(zwolle["attempts"], 1);
    assert!(zwolle["last_error"]
        .as_str()
        .unwrap()
        .contains("cannot send"));
    let next =
        chrono::DateTime::parse_from_rfc3339(zwolle["next_attempt_at"].as_str().unwrap()).unwrap();
    assert!(next > now, "{next} is later than {now}");
    // Not due yet: nothing happens, even with the server back.
    let smtp = SmtpServer::start_at(address);
    assert_eq!(deliver(&app, &smtp.mailer(), now).await.total(), 0);
    // Due: sent, once.
    let later = now + chrono::Duration::minutes(2);
    assert_eq!(deliver(&app, &smtp.mailer(), later).await.sent, 1);
    assert_eq!(smtp.to("jan@zwolle.example").len(), 1);
    assert_eq!(
        recipient(&status(&app, "retry").await, w.zwolle)["status"],
        "sent"
    );

    // A claim whose server stopped (lease ran out) is taken over, not skipped.
    create(
        &app,
        json!({"name": "lease", "round": "2026", "organisations": [w.utrecht]}),
    )
    .await;
    app.post("/api/v1/campaigns/lease/send", json!({})).await;
    let now = Utc::now();
    let claimed = app
        .store
        .claim_campaign_mails(
            &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            &(now + outbox::LEASE).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "crashed-server",
            10,
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        deliver(&app, &smtp.mailer(), now).await.total(),
        0,
        "still leased"
    );
    let after_lease = now + outbox::LEASE + chrono::Duration::seconds(1);
    assert_eq!(deliver(&app, &smtp.mailer(), after_lease).await.sent, 1);
    assert_eq!(smtp.to("anna@utrecht.example").len(), 1);
    // The crashed server's late outcome cannot overwrite it.
    let late = vangnet::storage::campaigns::MailOutcome::Failed {
        error: "late".into(),
    };
    assert!(!app
        .store
        .finish_mail(claimed[0].id, "crashed-server", &late)
        .await
        .unwrap());
}

#[tokio::test]
async fn reminders_go_only_to_those_due() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let smtp = SmtpServer::start();
    let closes = (Utc::now() + chrono::Duration::days(60)).date_naive();
    create(
        &app,
        json!({"name": "herinnering", "round": "2026", "closes_on": closes.to_string(),
               "remind_after_days": 14, "organisations": [w.utrecht, w.zwolle]}),
    )
    .await;
    // Nothing sent yet: nobody is due.
    let reply = app
        .post("/api/v1/campaigns/herinnering/remind", json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 0, "{}", reply.text());
    app.post("/api/v1/campaigns/herinnering/send", json!({}))
        .await;
    deliver(&app, &smtp.mailer(), Utc::now()).await;
    // Just sent: not due.
    let reply = app
        .post("/api/v1/campaigns/herinnering/remind", json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 0);

    // Zwolle's link is revoked; fifteen days on only Utrecht is reminded.
    let before = status(&app, "herinnering").await;
    let zwolle = recipient(&before, w.zwolle)["invitation_id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/campaigns/herinnering/invitations/{zwolle}/revoke"),
        json!({}),
    )
    .await;
    let who = vangnet::domain::access::Principal::command_line("test");
    let actor = vangnet::domain::provenance::Actor::named("test");
    let later = Utc::now() + chrono::Duration::days(15);
    let queued =
        vangnet::campaigns::campaigns::remind(&app.store, &who, &actor, "herinnering", later)
            .await
            .unwrap();
    assert_eq!(queued.queued, 1);
    let again =
        vangnet::campaigns::campaigns::remind(&app.store, &who, &actor, "herinnering", later)
            .await
            .unwrap();
    assert_eq!(again.queued, 0, "a reminder waits already");
    assert_eq!(deliver(&app, &smtp.mailer(), later).await.sent, 1);
    let anna = smtp.to("anna@utrecht.example");
    assert_eq!(anna.len(), 2, "{anna:?}");
    let reminder = anna
        .iter()
        .find(|m| m.subject.starts_with("Herinnering"))
        .unwrap();
    // The reminder's link works, and so does the invitation's.
    let today = Utc::now().date_naive();
    for mail in &anna {
        assert!(invitation_for_link(&app.store, &mail.token(), today)
            .await
            .unwrap()
            .is_some());
    }
    assert!(reminder.body.contains("/enquete/"));
    assert_eq!(
        smtp.to("jan@zwolle.example").len(),
        1,
        "revoked: no reminder"
    );
    // Reminded now: not again within the interval, again after it.
    let soon = later + chrono::Duration::days(3);
    let none = vangnet::campaigns::campaigns::remind(&app.store, &who, &actor, "herinnering", soon)
        .await
        .unwrap();
    assert_eq!(none.queued, 0);
    let after = status(&app, "herinnering").await;
    assert!(
        recipient(&after, w.utrecht)["reminded_at"].is_string(),
        "{after}"
    );
    assert!(
        recipient(&after, w.utrecht)["invited_at"].is_string(),
        "{after}"
    );
}

#[tokio::test]
async fn a_contact_who_opts_out_after_queueing_gets_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let smtp = SmtpServer::start();
    create(
        &app,
        json!({"name": "afmelden", "round": "2026", "organisations": [w.zwolle]}),
    )
    .await;
    app.post("/api/v1/campaigns/afmelden/send", json!({})).await;
    let contacts = app.get_as_admin("/api/v1/contacts").await.json();
    let jan = contacts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "jan@zwolle.example")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.patch(&format!("/api/v1/contacts/{jan}"), json!({"opt_out": true}))
        .await;
    let done = deliver(&app, &smtp.mailer(), Utc::now()).await;
    assert_eq!(done.failed, 1, "{done:?}");
    assert!(smtp.received().is_empty());
    let after = status(&app, "afmelden").await;
    let zwolle = recipient(&after, w.zwolle);
    assert_eq!(zwolle["status"], "failed");
    assert!(zwolle["last_error"].as_str().unwrap().contains("opted out"));
}

#[tokio::test]
async fn wrong_campaigns_are_refused_with_the_field() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    for (body, field, code) in [
        (
            json!({"name": "x", "round": "1999"}),
            "round",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"name": "met spatie", "round": "2026"}),
            "name",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"name": "x", "round": "2026", "closes_on": "2020-01-01"}),
            "closes_on",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"name": "x", "round": "2026", "organisations": [w.utrecht, 999_999]}),
            "organisations",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = app.post("/api/v1/campaigns", body.clone()).await;
        assert_eq!(reply.status, code, "{body}: {}", reply.text());
        assert!(reply.text().contains(field), "{body}: {}", reply.text());
    }
    create(&app, json!({"name": "eenmalig", "round": "2026"})).await;
    let twice = app
        .post(
            "/api/v1/campaigns",
            json!({"name": "eenmalig", "round": "2026"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text());
    let missing = app.get_as_admin("/api/v1/campaigns/bestaat-niet").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let list = app.get_as_admin("/api/v1/campaigns").await.json();
    assert_eq!(list["campaigns"][0]["name"], "eenmalig");
    assert_eq!(list["campaigns"][0]["questionnaire_code"], "inventory");
}

#[tokio::test]
async fn only_admins_and_researchers_run_campaigns() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    create(&app, json!({"name": "toegang", "round": "2026"})).await;
    let (_, manager) = app
        .user_token("beheerder@utrecht.example", "org_manager", Some(w.utrecht))
        .await;
    let (_, researcher) = app
        .user_token("onderzoeker@example.org", "researcher", None)
        .await;
    for (method, uri) in [
        (Method::GET, "/api/v1/campaigns"),
        (Method::GET, "/api/v1/campaigns/toegang"),
        (Method::POST, "/api/v1/campaigns/toegang/send"),
        (Method::POST, "/api/v1/campaigns/toegang/remind"),
    ] {
        let body = (method == Method::POST).then(|| json!({}));
        let refused = app
            .send(method.clone(), uri, body.clone(), Some(&manager))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{uri}");
        let allowed = app.send(method, uri, body, Some(&researcher)).await;
        assert_eq!(allowed.status, StatusCode::OK, "{uri}: {}", allowed.text());
    }
    let page = app.get("/beheer/campagnes").await;
    assert_ne!(page.status, StatusCode::OK, "not for anonymous readers");
}

#[tokio::test]
async fn the_command_line_creates_sends_now_and_reports() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let who = vangnet::domain::access::Principal::command_line("test");
    let actor = vangnet::domain::provenance::Actor::named("test");
    vangnet::rounds::create_round(
        &store,
        &vangnet::domain::round::RoundInput {
            name: Some("2026".into()),
            reference_date: Some("2026-01-01".into()),
            services: Vec::new(),
        },
        &who,
        &actor,
    )
    .await
    .unwrap();
    let organisation = vangnet::register::create_organisation(
        &store,
        &vangnet::domain::organisation::OrganisationInput {
            name: Some("Demo Zorg Utrecht".into()),
            ..Default::default()
        },
        &vangnet::domain::facility::manual_source("test"),
        &who,
        &actor,
        Utc::now().date_naive(),
    )
    .await
    .unwrap();
    let input = vangnet::domain::contact::ContactInput {
        organisation_id: Some(organisation),
        name: Some("Anna de Vries".into()),
        email: Some("anna@utrecht.example".into()),
        ..Default::default()
    };
    vangnet::campaigns::contacts::create(&store, &who, &actor, &input, Utc::now().date_naive())
        .await
        .unwrap();
    let smtp = SmtpServer::start();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_vangnet"))
            .arg("campaign")
            .args(args)
            .args(["--database", &db.url])
            .env_remove("VANGNET_DATABASE_URL")
            .env_remove("VANGNET_SMTP_URL")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{args:?}: {out}{err}");
        out
    };
    // A name with a space is refused, naming the argument (not a flag).
    let refused = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args([
            "campaign",
            "create",
            "Inventarisatie 2026",
            "--round",
            "2026",
        ])
        .args(["--database", &db.url])
        .env_remove("VANGNET_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("error: NAME: "), "{err}");
    let out = run(&["create", "cli", "--round", "2026", "--closes", "2099-12-31"]);
    assert!(out.contains("1 organisations to invite"), "{out}");
    let out = run(&[
        "send",
        "cli",
        "--now",
        "--smtp-url",
        &smtp.url(),
        "--public-url",
        PUBLIC_URL,
    ]);
    assert!(
        out.contains("1 invitations queued") && out.contains("1 sent"),
        "{out}"
    );
    let anna = smtp.to("anna@utrecht.example");
    assert_eq!(anna.len(), 1);
    assert!(anna[0].body.contains(PUBLIC_URL), "{}", anna[0].body);
    assert!(
        anna[0].body.contains("31 december 2099"),
        "{}",
        anna[0].body
    );

    let json: Value = serde_json::from_str(&run(&["status", "cli", "--format", "json"])).unwrap();
    assert_eq!(json["campaign"], "cli");
    assert_eq!(json["recipients"][0]["organisation"], "Demo Zorg Utrecht");
    assert_eq!(json["recipients"][0]["email"], "anna@utrecht.example");
    assert_eq!(json["recipients"][0]["status"], "sent");
    assert!(json["recipients"][0]["invited_at"].is_string());
    assert_eq!(json["totals"]["sent"], 1);
    let csv = run(&["status", "cli", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("campaign,organisation_id,organisation,email,status,invited_at,reminded_at,answered_at,last_error,called_at,checked_website_at")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!(
            "cli,{organisation},Demo Zorg Utrecht,anna@utrecht.example,sent,"
        )),
        "{row}"
    );
    // Without --now nothing more goes out; the server's worker would send it.
    let out = run(&["send", "cli"]);
    assert!(out.contains("0 invitations queued"), "{out}");
}

/// The staff pages, as a browser without JavaScript drives them: create a
/// campaign with the form, send, revoke a link, in Dutch and in English;
/// an organisation's manager is turned away.
#[tokio::test]
async fn the_staff_pages_create_send_and_revoke() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let list = browser.get("/beheer/campagnes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(page(&list).contains("Nieuwe campagne"), "{}", page(&list));
    assert!(
        page(&list).contains("href=\"/beheer/campagnes\""),
        "the navigation links it"
    );

    let refused = browser
        .submit(
            "/beheer/campagnes",
            "/beheer/campagnes",
            &[("name", "met spatie"), ("round", "1999")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains("id=\"name-error\"") || html.contains("name-error"),
        "{html}"
    );
    assert!(html.contains("1999"), "{html}");

    let organisations = format!("{},{}", w.utrecht, w.zwolle);
    let created = browser
        .submit(
            "/beheer/campagnes",
            "/beheer/campagnes",
            &[
                ("name", "pagina"),
                ("round", "2026"),
                ("remind_after_days", "10"),
                ("organisations", &organisations),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    assert_eq!(
        location(&created),
        "/beheer/campagnes/pagina?melding=aangemaakt&aantal=2"
    );
    let shown = page(&browser.get(location(&created)).await);
    assert!(
        shown.contains("De campagne is gemaakt, met 2 organisaties."),
        "{shown}"
    );
    assert!(shown.contains("anna@utrecht.example"), "{shown}");
    assert!(shown.contains("Nog niet verstuurd"), "{shown}");

    let sent = browser
        .submit(
            "/beheer/campagnes/pagina",
            "/beheer/campagnes/pagina/versturen",
            &[],
        )
        .await;
    assert_eq!(
        location(&sent),
        "/beheer/campagnes/pagina?melding=verstuurd&aantal=2"
    );
    let shown = page(&browser.get(location(&sent)).await);
    assert!(shown.contains("In de wachtrij"), "{shown}");

    let report = status(&app, "pagina").await;
    let zwolle = recipient(&report, w.zwolle)["invitation_id"]
        .as_i64()
        .unwrap();
    let revoked = browser
        .submit(
            "/beheer/campagnes/pagina",
            &format!("/beheer/campagnes/pagina/uitnodigingen/{zwolle}/intrekken"),
            &[],
        )
        .await;
    assert_eq!(
        location(&revoked),
        "/beheer/campagnes/pagina?melding=ingetrokken"
    );
    assert_eq!(
        recipient(&status(&app, "pagina").await, w.zwolle)["status"],
        "revoked"
    );

    browser.get("/taal?lang=en&terug=/").await;
    let english = page(&browser.get("/beheer/campagnes/pagina").await);
    assert!(
        english.contains("Recipients") && english.contains("Revoked"),
        "{english}"
    );

    let mut manager = signed_in(
        &app,
        "beheer@utrecht.example",
        "org_manager",
        Some(w.utrecht),
    )
    .await;
    assert_eq!(
        manager.get("/beheer/campagnes").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_schedule_reminds_open_campaigns_when_due_and_everyone_now_on_request() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let smtp = SmtpServer::start();
    let closes = (Utc::now() + chrono::Duration::days(60)).date_naive();
    for name in ["gepland", "concept"] {
        create(
            &app,
            json!({"name": name, "round": "2026", "closes_on": closes.to_string(),
                   "remind_after_days": 14, "organisations": [w.utrecht, w.zwolle]}),
        )
        .await;
    }
    app.post("/api/v1/campaigns/gepland/send", json!({})).await;
    deliver(&app, &smtp.mailer(), Utc::now()).await;
    let schedule = |at| vangnet::campaigns::campaigns::remind_on_schedule(&app.store, at);
    assert_eq!(schedule(Utc::now()).await.unwrap(), 0, "not due yet");
    // "Remind everyone now" does not wait for the interval, and not twice.
    let reply = app
        .post("/api/v1/campaigns/gepland/remind?all=true", json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 2, "{}", reply.text());
    let reply = app
        .post("/api/v1/campaigns/gepland/remind?all=true", json!({}))
        .await;
    assert_eq!(reply.json()["queued"], 0, "one reminder waits already");
    assert_eq!(deliver(&app, &smtp.mailer(), Utc::now()).await.sent, 2);
    // Fifteen days on, the schedule reminds the sent campaign's two, not
    // the draft that was never sent; then nothing until the next interval.
    let later = Utc::now() + chrono::Duration::days(15);
    assert_eq!(schedule(later).await.unwrap(), 2);
    assert_eq!(schedule(later).await.unwrap(), 0);
    assert_eq!(deliver(&app, &smtp.mailer(), later).await.sent, 2);
    assert_eq!(
        smtp.to("jan@zwolle.example").len(),
        3,
        "invitation and two reminders"
    );
    assert_eq!(status(&app, "concept").await["totals"]["not_sent"], 2);
}
