//! The web pages for accounts, driven in process as a browser would: with
//! cookies, the form token from the page, and our own `Origin`.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use crate::browser::*;
use crate::common::*;
use vangnet::accounts::{self, NewUser};
use vangnet::domain::provenance::Actor;
use vangnet::platform::mail::Mailer;
use vangnet::storage::audit::AuditFilter;

fn set_cookies(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn assert_html(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
}

#[tokio::test]
async fn the_sign_in_page_is_dutch_until_english_is_chosen() {
    let app = TestApp::new().await;
    let mut browser = Browser::new(&app);
    let page = browser.get("/inloggen").await;
    assert_html(&page, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<html lang=\"nl\">"), "{html}");
    assert!(html.contains("<h1>Inloggen</h1>") && html.contains("E-mailadres"));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(!html.contains("<style") && !html.contains("<script") && !html.contains("style="));
    assert!(
        html.contains("href=\"/taal?lang=en&amp;terug=%2Finloggen\""),
        "{html}"
    );

    let switch = browser.get("/taal?lang=en&terug=/inloggen").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&switch), "/inloggen");
    let cookie = set_cookies(&switch).join("\n");
    assert!(
        cookie.starts_with("lang=en;")
            && cookie.contains("Max-Age=31536000")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    for _ in 0..2 {
        let html = browser.get("/inloggen").await.text();
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<h1>Sign in</h1>") && html.contains("Forgot your password?"));
        assert!(html.contains(">Nederlands<"));
    }
    let start = browser.get("/").await.text();
    assert!(
        start.contains("href=\"/static/vangnet.css") && !start.contains("<style"),
        "{start}"
    );

    let elsewhere = browser.get("/taal?lang=nl&terug=//evil.example/").await;
    assert_eq!(
        location(&elsewhere),
        "/",
        "only local paths are returned to"
    );
    assert!(browser
        .get("/inloggen")
        .await
        .text()
        .contains("<html lang=\"nl\">"));

    let css = browser.get("/static/vangnet.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
}

#[tokio::test]
async fn an_invited_user_sets_a_password_and_signs_in() {
    let app = TestApp::new().await;
    let new = NewUser {
        email: "nieuw@example.org".into(),
        role: "researcher".into(),
        ..Default::default()
    };
    let (_, code) = accounts::create_user(&app.store, &new, &Actor::named("test"))
        .await
        .unwrap();
    let form = format!("/wachtwoord-instellen?code={code}");
    let mut browser = Browser::new(&app);
    let page = browser.get(&form).await;
    assert_html(&page, StatusCode::OK);
    assert!(page.text().contains("nieuw@example.org"));
    assert!(page.text().contains("autocomplete=\"new-password\""));

    let fields = |password: &'static str, confirm: &'static str| {
        vec![
            ("code", code.clone()),
            ("password", password.to_string()),
            ("password_confirm", confirm.to_string()),
        ]
    };
    for (password, confirm, message) in [
        ("kort", "kort", "minstens 12 tekens"),
        (PASSWORD, "een ander wachtwoord", "niet gelijk"),
        (
            "aaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaa",
            "niet steeds hetzelfde teken",
        ),
    ] {
        let owned = fields(password, confirm);
        let borrowed: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = browser
            .submit(&form, "/wachtwoord-instellen", &borrowed)
            .await;
        assert_html(&reply, StatusCode::UNPROCESSABLE_ENTITY);
        let html = reply.text();
        assert!(html.contains(message), "{message}: {html}");
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(
            html.contains("-error\">"),
            "the message is tied to its field: {html}"
        );
    }

    let owned = fields(PASSWORD, PASSWORD);
    let borrowed: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = browser
        .submit(&form, "/wachtwoord-instellen", &borrowed)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(location(&done), "/inloggen?melding=wachtwoord-ingesteld");
    assert!(browser
        .get(location(&done))
        .await
        .text()
        .contains("Uw wachtwoord is ingesteld"));

    let used = browser.get(&form).await;
    assert_html(&used, StatusCode::NOT_FOUND);
    assert!(
        used.text().contains("niet (meer) geldig"),
        "a link works once"
    );

    let signed_in = browser.sign_in("Nieuw@Example.org", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    assert_eq!(
        location(&signed_in),
        "/beheer/rondes",
        "a researcher's work starts at the rounds, not the token page"
    );
    let account = browser.get("/account").await;
    assert_html(&account, StatusCode::OK);
    assert!(account.text().contains("nieuw@example.org"));
    assert!(account.text().contains("onderzoeker"));
}

#[tokio::test]
async fn the_session_cookie_is_strict_new_at_every_sign_in_and_ends_at_sign_out() {
    let app = TestApp::new().await;
    user(&app, "sessie@example.org", "researcher", None).await;
    let mut browser = Browser::new(&app);

    let reply = browser
        .submit(
            "/inloggen?terug=/beheer/audit",
            "/inloggen",
            &[
                ("email", "sessie@example.org"),
                ("password", PASSWORD),
                ("terug", "/beheer/audit"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&reply),
        "/beheer/audit",
        "back to where the visitor was sent from"
    );
    let cookie = set_cookies(&reply)
        .into_iter()
        .find(|c| c.starts_with("vangnet-session="))
        .unwrap();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let first = browser.cookie("vangnet-session").unwrap();

    let reply = browser.sign_in("sessie@example.org", PASSWORD).await;
    assert_eq!(location(&reply), "/beheer/rondes");
    let second = browser.cookie("vangnet-session").unwrap();
    assert_ne!(first, second, "a new session id at every sign-in");

    let mut old = Browser::new(&app);
    old.cookies.insert("vangnet-session".into(), first);
    assert_eq!(
        old.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "signing in again ended the old session"
    );

    let page = browser.get("/account").await;
    assert!(page.text().contains("Uitloggen"));
    let token = csrf_token(&page);
    let out = browser
        .post_from(ORIGIN, "/uitloggen", &[("csrf_token", &token)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/");
    assert!(
        browser.cookie("vangnet-session").is_none(),
        "the cookie is removed"
    );

    let mut stolen = Browser::new(&app);
    stolen.cookies.insert("vangnet-session".into(), second);
    let reply = stolen.get("/account").await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "the session ended on the server"
    );
    assert_eq!(location(&reply), "/inloggen?terug=%2Faccount");

    let logouts = app
        .store
        .search_audit(&AuditFilter {
            event: Some("logout".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].actor, "sessie@example.org");
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_dutch_and_repeated_tries_are_slowed_down() {
    let app = TestApp::new().await;
    user(&app, "fout@example.org", "researcher", None).await;
    let mut browser = Browser::new(&app);
    let reply = browser
        .sign_in("fout@example.org", "niet het wachtwoord")
        .await;
    assert_html(&reply, StatusCode::UNAUTHORIZED);
    assert!(reply
        .text()
        .contains("Het e-mailadres of wachtwoord klopt niet."));
    assert!(
        reply.text().contains("value=\"fout@example.org\""),
        "the address stays filled in"
    );
    assert!(browser.cookie("vangnet-session").is_none());

    for _ in 0..4 {
        browser
            .sign_in("fout@example.org", "niet het wachtwoord")
            .await;
    }
    let throttled = browser.sign_in("fout@example.org", PASSWORD).await;
    assert_html(&throttled, StatusCode::TOO_MANY_REQUESTS);
    let seconds = throttled.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        throttled
            .text()
            .contains(&format!("Probeer het over {seconds} seconden opnieuw")),
        "{}",
        throttled.text()
    );
}

#[tokio::test]
async fn forms_without_their_token_or_from_another_site_are_refused() {
    let app = TestApp::new().await;
    user(&app, "csrf@example.org", "researcher", None).await;
    let mut browser = Browser::new(&app);
    let page = browser.get("/inloggen").await;
    let token = csrf_token(&page);
    let credentials = [("email", "csrf@example.org"), ("password", PASSWORD)];

    let without = browser.post_from(ORIGIN, "/inloggen", &credentials).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let mut with_token = credentials.to_vec();
    with_token.push(("csrf_token", &token));
    let elsewhere = browser
        .post_from("https://evil.example", "/inloggen", &with_token)
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let wrong = [
        ("email", "csrf@example.org"),
        ("password", PASSWORD),
        ("csrf_token", "0123"),
    ];
    assert_eq!(
        browser.post_from(ORIGIN, "/inloggen", &wrong).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(browser.cookie("vangnet-session").is_none());
    // A cross-site `text/plain` form is refused like any other forged form.
    let plain = Request::builder()
        .method(Method::POST)
        .uri("/inloggen")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "text/plain");
    let body = format!(
        "x=&email=csrf%40example.org&password={}&y=",
        PASSWORD.replace(' ', "+")
    );
    let reply = browser.send(plain, Body::from(body)).await;
    assert_html(&reply, StatusCode::FORBIDDEN);
    assert!(browser.cookie("vangnet-session").is_none());

    let signed_in = browser.post_from(ORIGIN, "/inloggen", &with_token).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    // Signed in, forms carry the session's token; the pre-sign-in one no longer counts.
    let forged = browser
        .post_from(
            ORIGIN,
            "/account/tokens",
            &[("name", "x"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let session_token = csrf_token(&browser.get("/account").await);
    let from_elsewhere = browser
        .post_from(
            "https://evil.example",
            "/uitloggen",
            &[("csrf_token", &session_token)],
        )
        .await;
    assert_eq!(from_elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/account").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn admin_pages_send_visitors_to_sign_in_and_refuse_other_roles() {
    let app = TestApp::new().await;
    let mut anonymous = Browser::new(&app);
    for path in [
        "/beheer/gebruikers",
        "/beheer/geblokkeerd",
        "/beheer/audit",
        "/account",
    ] {
        let reply = anonymous.get(path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            location(&reply).starts_with("/inloggen?terug=%2F"),
            "{path}"
        );
    }
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    assert_eq!(
        researcher.get("/beheer/gebruikers").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        researcher.get("/beheer/geblokkeerd").await.status,
        StatusCode::FORBIDDEN
    );
    assert_html(&researcher.get("/beheer/audit").await, StatusCode::OK);
    let nav = researcher.get("/account").await.text();
    assert!(nav.contains("href=\"/beheer/audit\"") && !nav.contains("href=\"/beheer/gebruikers\""));

    let mut auditor = signed_in(&app, "audit@example.org", "auditor", None).await;
    assert_eq!(
        auditor.get("/beheer/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        auditor.get("/beheer/audit.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_admin_adds_and_disables_users_and_the_disabled_are_out_at_once() {
    let app = TestApp::new().await;
    let mailer = Mailer::from_url(None, "vangnet <noreply@vangnet.invalid>").unwrap();
    let router = vangnet::http::app::build(
        app.store.clone(),
        vangnet::platform::config::Config::default(),
        mailer.clone(),
    );
    let admin_id = user(&app, "beheer@example.org", "admin", None).await;
    let mut browser = Browser::on(router.clone());
    assert_eq!(
        browser.sign_in("beheer@example.org", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    let page = browser.get("/beheer/gebruikers").await;
    assert_html(&page, StatusCode::OK);
    assert!(page.text().contains("beheer@example.org"));

    let refused = browser
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", "geen-adres"),
                ("role", "reporter"),
                ("organisation_id", ""),
                ("facility", "x"),
            ],
        )
        .await;
    assert_html(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("id=\"facility_ids-error\""), "{html}");
    assert!(
        html.contains("value=\"geen-adres\""),
        "what was typed stays"
    );
    let refused = browser
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[("email", "geen-adres"), ("role", "reporter")],
        )
        .await;
    let html = refused.text();
    assert!(
        html.contains("id=\"email-error\"") && html.contains("Vul een geldig e-mailadres in"),
        "{html}"
    );
    assert!(html.contains("id=\"organisation_id-error\""), "{html}");

    let added = browser
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", "Collega@Example.org"),
                ("name", "Een Collega"),
                ("role", "researcher"),
                ("organisation_id", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    assert_eq!(location(&added), "/beheer/gebruikers?melding=uitgenodigd");
    let list = browser.get(location(&added)).await.text();
    assert!(
        list.contains("collega@example.org")
            && list.contains("Een Collega")
            && list.contains("uitgenodigd")
    );
    let invitation = mailer
        .sent()
        .into_iter()
        .find(|m| m.to == "Collega@Example.org")
        .expect("an invitation");
    let code = invitation
        .body
        .split("code=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    let twice = browser
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[("email", "collega@example.org"), ("role", "researcher")],
        )
        .await;
    assert_html(&twice, StatusCode::CONFLICT);
    assert!(twice
        .text()
        .contains("Er is al een gebruiker met e-mailadres collega@example.org."));

    // The colleague follows the invitation, signs in and makes a token.
    let mut colleague = Browser::on(router.clone());
    let form = format!("/wachtwoord-instellen?code={code}");
    let set = colleague
        .submit(
            &form,
            "/wachtwoord-instellen",
            &[
                ("code", &code),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text());
    assert_eq!(
        colleague
            .sign_in("collega@example.org", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let created = colleague
        .submit("/account", "/account/tokens", &[("name", "script")])
        .await;
    let secret = created
        .text()
        .split("value=\"vng_")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let secret = format!("vng_{secret}");
    let me = Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {secret}"));
    assert_eq!(
        app.raw(me.body(Body::empty()).unwrap()).await.status,
        StatusCode::OK
    );

    let colleague_id = app
        .store
        .user_by_email("collega@example.org")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let own = browser
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{admin_id}/uitschakelen"),
            &[],
        )
        .await;
    assert_html(&own, StatusCode::CONFLICT);
    assert!(own.text().contains("U kunt uzelf niet uitschakelen."));

    let disabled = browser
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{colleague_id}/uitschakelen"),
            &[],
        )
        .await;
    assert_eq!(
        disabled.status,
        StatusCode::SEE_OTHER,
        "{}",
        disabled.text()
    );
    assert!(browser
        .get(location(&disabled))
        .await
        .text()
        .contains("uitgeschakeld op"));
    assert_eq!(
        colleague.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the session ended at once"
    );
    let me = Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {secret}"));
    assert_eq!(
        app.raw(me.body(Body::empty()).unwrap()).await.status,
        StatusCode::UNAUTHORIZED,
        "so did the token"
    );

    let missing = browser
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers/999999/uitschakelen",
            &[],
        )
        .await;
    assert_html(&missing, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn users_make_and_revoke_their_own_tokens_on_the_account_page() {
    let app = TestApp::new().await;
    let mut browser = signed_in(&app, "tokens@example.org", "researcher", None).await;
    let empty = browser
        .submit("/account", "/account/tokens", &[("name", "  ")])
        .await;
    assert_html(&empty, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .contains("aria-describedby=\"name-hint name-error\""),
        "{}",
        empty.text()
    );

    let created = browser
        .submit("/account", "/account/tokens", &[("name", "spreadsheet")])
        .await;
    assert_html(&created, StatusCode::OK);
    let html = created.text();
    assert!(html.contains("maar één keer getoond"));
    let secret = html
        .split("value=\"vng_")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        !browser.get("/account").await.text().contains(&secret),
        "the secret is shown once"
    );
    let token = app
        .store
        .list_tokens(None)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "spreadsheet")
        .unwrap();

    let mut other = signed_in(&app, "ander@example.org", "researcher", None).await;
    let foreign = other
        .submit(
            "/account",
            &format!("/account/tokens/{}/intrekken", token.id),
            &[],
        )
        .await;
    assert_html(&foreign, StatusCode::NOT_FOUND);

    let revoked = browser
        .submit(
            "/account",
            &format!("/account/tokens/{}/intrekken", token.id),
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let page = browser.get(location(&revoked)).await.text();
    assert!(page.contains("Het token is ingetrokken") && page.contains("ingetrokken op"));
    let me =
        Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer vng_{secret}"));
    assert_eq!(
        app.raw(me.body(Body::empty()).unwrap()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let events: Vec<String> = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("token".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, ["revoke", "create"]);
}

#[tokio::test]
async fn asking_for_a_new_password_says_the_same_whether_or_not_the_account_exists() {
    let app = TestApp::new().await;
    user(&app, "vergeten@example.org", "researcher", None).await;
    // The invitation was long ago (a new link is made at most every five minutes).
    sqlx::query("UPDATE password_resets SET created_at = '2026-01-01T00:00:00.000Z'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let mailer = Mailer::from_url(None, "vangnet <noreply@vangnet.invalid>").unwrap();
    let router = vangnet::http::app::build(
        app.store.clone(),
        vangnet::platform::config::Config::default(),
        mailer.clone(),
    );
    let mut browser = Browser::on(router);
    let known = browser
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", "vergeten@example.org")],
        )
        .await;
    let unknown = browser
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", "niemand@example.org")],
        )
        .await;
    assert_html(&known, StatusCode::OK);
    assert_eq!(known.text(), unknown.text());
    assert!(known
        .text()
        .contains("Hoort er een account bij dit e-mailadres"));
    // The mail goes out in the background.
    let mut mails = Vec::new();
    for _ in 0..200 {
        mails = mailer.sent();
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, "vergeten@example.org");
    assert!(mails[0].body.contains("/wachtwoord-instellen?code="));
}

#[tokio::test]
async fn admins_see_and_unlock_accounts_with_failed_sign_ins() {
    let app = TestApp::new().await;
    user(&app, "slot@example.org", "researcher", None).await;
    let mut admin = signed_in(&app, "beheer@example.org", "admin", None).await;
    let mut stranger = Browser::new(&app);
    for _ in 0..5 {
        stranger.sign_in("slot@example.org", "geraden").await;
    }
    assert_eq!(
        stranger.sign_in("slot@example.org", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    let page = admin.get("/beheer/geblokkeerd").await;
    assert_html(&page, StatusCode::OK);
    assert!(page.text().contains("slot@example.org") && page.text().contains("vertraagd"));
    let unlocked = admin
        .submit(
            "/beheer/geblokkeerd",
            "/beheer/geblokkeerd/ontgrendelen",
            &[("account", "slot@example.org")],
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER);
    let page = admin.get(location(&unlocked)).await.text();
    assert!(page.contains("is ontgrendeld") && page.contains("Geen mislukte inlogpogingen"));
    assert_eq!(
        stranger.sign_in("slot@example.org", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_audit_page_lists_sign_ins_and_exports_them_as_csv() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "beheer@example.org", "admin", None).await;
    let page = admin.get("/beheer/audit?event=login&actor=beheer").await;
    assert_html(&page, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("<td>Ingelogd</td>") && html.contains("beheer@example.org"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/beheer/audit.csv?actor=beheer&amp;event=login&amp;kind=changes\""),
        "{html}"
    );
    assert!(
        html.contains("value=\"beheer\""),
        "the search stays filled in"
    );

    let csv = admin
        .get("/beheer/audit.csv?actor=beheer&event=login")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(csv.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = csv.text();
    assert!(text.starts_with("seq,at,event,actor"));
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(",login,beheer@example.org,"));

    let recorded: Vec<String> = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("audit_log".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        recorded,
        ["export", "read"],
        "reading and exporting the log are audited"
    );

    let bad = admin.get("/beheer/audit?onbekend=1").await;
    assert_html(&bad, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_404_page_keeps_the_visitor_signed_in_and_signing_in_lands_on_the_persons_work() {
    let app = TestApp::new().await;
    let org = organisation(&app, "Demo Zorg").await;
    user(&app, "beheer@zorg.example", "org_manager", Some(org)).await;
    let mut browser = Browser::new(&app);
    let reply = browser.sign_in("beheer@zorg.example", PASSWORD).await;
    assert_eq!(location(&reply), "/beheer/voorzieningen");
    let missing = browser.get("/bestaat-niet").await;
    assert_html(&missing, StatusCode::NOT_FOUND);
    let html = missing.text();
    assert!(
        html.contains("Uitloggen"),
        "the header still offers to sign out: {html}"
    );
    assert!(!html.contains(">Inloggen<"), "{html}");
    // Nobody signed in: the same page offers to sign in.
    let html = Browser::new(&app).get("/bestaat-niet").await.text();
    assert!(html.contains("Inloggen"), "{html}");
}

#[tokio::test]
async fn a_reporter_is_limited_to_facilities_picked_by_name_not_typed_by_number() {
    let app = TestApp::new().await;
    let org = organisation(&app, "Demo Zorg").await;
    let mut ids = Vec::new();
    for name in ["Demo Huiskamer Noord", "Demo Huiskamer Zuid"] {
        let reply = app
            .post(
                "/api/v1/facilities",
                serde_json::json!({"name": name, "organisation_id": org,
                       "services": ["naloxone"], "city": "Utrecht"}),
            )
            .await;
        ids.push(reply.json()["id"].as_i64().unwrap().to_string());
    }
    user(&app, "beheer@example.org", "admin", None).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("beheer@example.org", PASSWORD).await;
    let html = browser.get("/beheer/gebruikers").await.text();
    assert!(
        html.contains(&format!("name=\"facility\" value=\"{}\"", ids[1]))
            && html.contains("Demo Huiskamer Zuid (Utrecht)"),
        "each facility is a box with its name: {html}"
    );
    let org = org.to_string();
    let added = browser
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", "melder@example.org"),
                ("role", "reporter"),
                ("organisation_id", &org),
                ("facility", &ids[1]),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let list = browser.get("/beheer/gebruikers").await.text();
    assert!(list.contains("alleen: Demo Huiskamer Zuid"), "{list}");
}

/// A new organisation's id.
async fn organisation(app: &TestApp, name: &str) -> i64 {
    app.post("/api/v1/organisations", serde_json::json!({ "name": name }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap()
}
