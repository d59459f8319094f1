//! Accounts, organisation scoping, throttling and the audit log, over the API.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;
use vangnet::accounts;
use vangnet::domain::provenance::Actor;
use vangnet::http::error::AppError;
use vangnet::storage::audit::{AuditFilter, AuditVerification};
use vangnet::storage::Engine;

/// Two organisations, each with a non-public facility; B also has a public one.
struct Register {
    org_a: i64,
    org_b: i64,
    fa: i64,
    fb: i64,
    pb: i64,
}

async fn register(app: &TestApp) -> Register {
    let org = |name: &'static str| async move {
        app.post("/api/v1/organisations", json!({"name": name}))
            .await
            .json()["id"]
            .as_i64()
            .unwrap()
    };
    let org_a = org("Demo Zorg A").await;
    let org_b = org("Demo Zorg B").await;
    let facility = |name: &'static str, organisation: i64, public: bool| async move {
        let reply = app
            .post(
                "/api/v1/facilities",
                json!({"name": name, "organisation_id": organisation, "services": ["consumption_room"],
                       "city": "Utrecht", "public_access": public, "notes": "intern"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        reply.json()["id"].as_i64().unwrap()
    };
    Register {
        fa: facility("Demo Bewonersruimte A", org_a, false).await,
        fb: facility("Demo Bewonersruimte B", org_b, false).await,
        pb: facility("Demo Huiskamer B", org_b, true).await,
        org_a,
        org_b,
    }
}

async fn status(
    app: &TestApp,
    method: Method,
    uri: &str,
    body: Option<Value>,
    token: &str,
) -> StatusCode {
    app.send(method, uri, body, Some(token)).await.status
}

#[tokio::test]
async fn an_organisation_manager_sees_and_changes_only_their_own_organisation() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let (_, manager) = app
        .user_token("beheer@a.example", "org_manager", Some(r.org_a))
        .await;
    let get = |id: i64| format!("/api/v1/facilities/{id}");

    // Another organisation's non-public facility does not exist for them.
    let reply = app
        .send(Method::GET, &get(r.fb), None, Some(&manager))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!reply.text().contains("Bewonersruimte B"), "nothing leaks");
    let own = app
        .send(Method::GET, &get(r.fa), None, Some(&manager))
        .await
        .json();
    assert_eq!(own["notes"], "intern", "their own internal notes");
    let public_other = app
        .send(Method::GET, &get(r.pb), None, Some(&manager))
        .await
        .json();
    assert!(
        public_other.get("notes").is_none(),
        "not another organisation's notes"
    );

    let list = app
        .send(Method::GET, "/api/v1/facilities", None, Some(&manager))
        .await
        .json();
    let mut names: Vec<&str> = list["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Demo Bewonersruimte A", "Demo Huiskamer B"]);

    let patch = Some(json!({"capacity": 5}));
    assert_eq!(
        status(&app, Method::PATCH, &get(r.fa), patch.clone(), &manager).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, Method::PATCH, &get(r.fb), patch.clone(), &manager).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(&app, Method::PATCH, &get(r.pb), patch.clone(), &manager).await,
        StatusCode::FORBIDDEN
    );
    let move_away = Some(json!({"organisation_id": r.org_b}));
    assert_eq!(
        status(&app, Method::PATCH, &get(r.fa), move_away, &manager).await,
        StatusCode::FORBIDDEN
    );

    let new = |organisation: i64| {
        Some(
            json!({"name": "Demo Nieuw", "organisation_id": organisation, "services": ["naloxone"], "city": "Utrecht"}),
        )
    };
    assert_eq!(
        status(
            &app,
            Method::POST,
            "/api/v1/facilities",
            new(r.org_b),
            &manager
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            &app,
            Method::POST,
            "/api/v1/facilities",
            new(r.org_a),
            &manager
        )
        .await,
        StatusCode::CREATED
    );

    let history = |id: i64| format!("/api/v1/facilities/{id}/history");
    assert_eq!(
        status(&app, Method::GET, &history(r.fa), None, &manager).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, Method::GET, &history(r.fb), None, &manager).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(&app, Method::GET, &history(r.pb), None, &manager).await,
        StatusCode::FORBIDDEN
    );
    let org_history = |id: i64| format!("/api/v1/organisations/{id}/history");
    assert_eq!(
        status(&app, Method::GET, &org_history(r.org_a), None, &manager).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, Method::GET, &org_history(r.org_b), None, &manager).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            &app,
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "Demo Nieuw"})),
            &manager
        )
        .await,
        StatusCode::FORBIDDEN,
        "adding organisations is national work"
    );
}

#[tokio::test]
async fn reporters_read_their_own_organisation_and_auditors_no_internal_data() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let (_, reporter) = app
        .user_token("melder@a.example", "reporter", Some(r.org_a))
        .await;
    let (_, auditor) = app.user_token("auditor@example.org", "auditor", None).await;
    let (_, researcher) = app
        .user_token("onderzoek@example.org", "researcher", None)
        .await;
    let fa = format!("/api/v1/facilities/{}", r.fa);
    assert_eq!(
        status(&app, Method::GET, &fa, None, &reporter).await,
        StatusCode::OK
    );
    assert_eq!(
        status(
            &app,
            Method::PATCH,
            &fa,
            Some(json!({"capacity": 1})),
            &reporter
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(&app, Method::GET, &fa, None, &auditor).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(&app, Method::GET, &fa, None, &researcher).await,
        StatusCode::OK
    );
    assert_eq!(
        status(
            &app,
            Method::PATCH,
            &fa,
            Some(json!({"capacity": 1})),
            &researcher
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, Method::GET, "/api/v1/users", None, &researcher).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(&app, Method::GET, "/api/v1/audit", None, &researcher).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, Method::GET, "/api/v1/audit", None, &reporter).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn disabling_a_user_ends_their_tokens_at_once() {
    let app = TestApp::new().await;
    let (id, token) = app.user_token("weg@example.org", "researcher", None).await;
    assert_eq!(
        status(&app, Method::GET, "/api/v1/me", None, &token).await,
        StatusCode::OK
    );
    let reply = app
        .post(&format!("/api/v1/users/{id}/disable"), json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(reply.json()["disabled_at"].is_string());
    assert_eq!(
        status(&app, Method::GET, "/api/v1/me", None, &token).await,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .post(&format!("/api/v1/users/{id}/disable"), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn users_manage_their_own_tokens_and_see_each_secret_once() {
    let app = TestApp::new().await;
    let (_, token) = app.user_token("zelf@example.org", "researcher", None).await;
    let created = app
        .send(
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "script"})),
            Some(&token),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let created = created.json();
    let secret = created["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("vng_"));
    let listed = app
        .send(Method::GET, "/api/v1/tokens", None, Some(&token))
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 2);
    assert!(
        !listed.text().contains(&secret[4..]),
        "secrets are never listed"
    );
    let me = app
        .send(Method::GET, "/api/v1/me", None, Some(&secret))
        .await
        .json();
    assert_eq!(me["name"], "zelf@example.org");
    assert_eq!(me["role"], "researcher");

    let (_, other) = app
        .user_token("ander@example.org", "researcher", None)
        .await;
    let id = created["id"].as_i64().unwrap();
    let uri = format!("/api/v1/tokens/{id}");
    assert_eq!(
        status(&app, Method::DELETE, &uri, None, &other).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(&app, Method::DELETE, &uri, None, &token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(&app, Method::GET, "/api/v1/me", None, &secret).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn adding_users_checks_role_and_organisation() {
    let app = TestApp::new().await;
    let org = app
        .post("/api/v1/organisations", json!({"name": "Demo Zorg"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let add = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/users", body).await }
    };
    let reply =
        add(json!({"email": "nieuw@example.org", "role": "org_manager", "organisation_id": org}))
            .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let duplicate = add(json!({"email": "NIEUW@example.org", "role": "researcher"})).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let bad = add(json!({"email": "geen adres", "role": "koning"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["email", "role"]);
    let homeless = add(json!({"email": "melder@example.org", "role": "reporter"})).await;
    assert_eq!(homeless.json()["errors"][0]["field"], "organisation_id");
}

#[tokio::test]
async fn a_thousand_wrong_passwords_from_one_address_are_throttled() {
    let app = TestApp::new().await;
    let actor = Actor::named("test");
    let new = accounts::NewUser {
        email: "doelwit@example.org".into(),
        role: "researcher".into(),
        ..Default::default()
    };
    let (_, link) = accounts::create_user(&app.store, &new, &actor)
        .await
        .unwrap();
    accounts::set_password(&app.store, &link, "een heel goed wachtwoord", &actor)
        .await
        .unwrap();

    let (mut evaluated, mut throttled) = (0, 0);
    let mut retry_after = Vec::new();
    let started = std::time::Instant::now();
    for _ in 0..1000 {
        match accounts::sign_in(
            &app.store,
            "doelwit@example.org",
            "fout wachtwoord",
            "192.0.2.7",
        )
        .await
        {
            Err(AppError::Unauthorized(_)) => evaluated += 1,
            Err(AppError::TooManyRequests {
                message,
                retry_after: seconds,
            }) => {
                throttled += 1;
                assert!(message.contains("try again in"), "{message}");
                retry_after.push(seconds);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // Four free failures and a fifth, then 2, 4, 8 … seconds between
    // attempts: how many could be evaluated depends on how long the loop
    // took (well under a second on a quiet machine, so 5).
    let elapsed = started.elapsed().as_secs_f64();
    let mut allowed = 5;
    let mut waited = 0.0;
    while waited + vangnet::domain::throttle::delay_after(allowed).num_seconds() as f64 <= elapsed {
        waited += vangnet::domain::throttle::delay_after(allowed).num_seconds() as f64;
        allowed += 1;
    }
    assert!(
        (5..=allowed).contains(&evaluated),
        "{evaluated} attempts reached the password check in {elapsed:.1} s (at most {allowed})"
    );
    assert_eq!(throttled, 1000 - evaluated);
    assert!(throttled >= 990, "{throttled}");
    assert!(
        retry_after.iter().all(|s| (1..=60).contains(s)),
        "{retry_after:?}"
    );
    // While throttled even the right password is refused unevaluated.
    let right = accounts::sign_in(
        &app.store,
        "doelwit@example.org",
        "een heel goed wachtwoord",
        "192.0.2.7",
    )
    .await;
    assert!(
        matches!(right, Err(AppError::TooManyRequests { .. })),
        "{right:?}"
    );
    // The admin sees the account and can unlock it.
    let locked = app.get_as_admin("/api/v1/locked-accounts").await.json();
    assert_eq!(locked[0]["account"], "doelwit@example.org");
    assert_eq!(locked[0]["failures"], evaluated);
    let unlock = app
        .post(
            "/api/v1/locked-accounts/unlock",
            json!({"account": "doelwit@example.org"}),
        )
        .await;
    assert_eq!(unlock.status, StatusCode::NO_CONTENT);
    let again = accounts::sign_in(
        &app.store,
        "doelwit@example.org",
        "een heel goed wachtwoord",
        "192.0.2.8",
    )
    .await;
    assert!(again.is_ok(), "{again:?}");
    // Every attempt that was evaluated is in the audit log.
    let failed = app
        .store
        .search_audit(&AuditFilter {
            event: Some("login_failed".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), evaluated);
    assert_eq!(failed[0].access_point, "192.0.2.7");
}

#[tokio::test]
async fn invalid_tokens_are_throttled_per_address() {
    let app = TestApp::new().await;
    let statuses: Vec<u16> = {
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(
                app.send(Method::GET, "/api/v1/me", None, Some("vng_guess"))
                    .await
                    .status
                    .as_u16(),
            );
        }
        out
    };
    assert_eq!(&statuses[..5], &[401, 401, 401, 401, 401]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let throttled = app
        .send(Method::GET, "/api/v1/me", None, Some("vng_guess"))
        .await;
    assert!(throttled.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn changes_and_reads_of_internal_data_are_in_a_verifiable_audit_log() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let (_, manager) = app
        .user_token("beheer@a.example", "org_manager", Some(r.org_a))
        .await;
    app.send(
        Method::PATCH,
        &format!("/api/v1/facilities/{}", r.fa),
        Some(json!({"capacity": 7})),
        Some(&manager),
    )
    .await;
    app.send(
        Method::GET,
        &format!("/api/v1/facilities/{}", r.fa),
        None,
        Some(&manager),
    )
    .await;

    let entries = app
        .get_as_admin("/api/v1/audit?object_type=facility")
        .await
        .json();
    let entries = entries.as_array().unwrap();
    let update = entries
        .iter()
        .find(|e| e["event"] == "update")
        .expect("the change is logged");
    assert_eq!(update["actor"], "beheer@a.example");
    assert_eq!(update["on_behalf_of"], format!("organisation:{}", r.org_a));
    assert_eq!(update["object_id"], r.fa.to_string());
    assert_eq!(update["before"]["capacity"], Value::Null);
    assert_eq!(update["after"]["capacity"], 7);
    let read = entries
        .iter()
        .find(|e| e["event"] == "read" && e["actor"] == "beheer@a.example")
        .expect("reading internal data is logged");
    assert_eq!(read["object_id"], r.fa.to_string());
    let created = entries.iter().filter(|e| e["event"] == "create").count();
    assert_eq!(created, 3);

    let csv = app.get_as_admin("/api/v1/audit?format=csv").await;
    assert!(csv.text().starts_with("seq,at,event,actor,"));

    assert!(matches!(
        app.store.verify_audit().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
}

/// Runs SQL as a database owner would by hand, past the append-only triggers.
async fn tamper(app: &TestApp, sql: &str) {
    let pool = app.store.pool();
    match app.store.engine() {
        Engine::Sqlite => {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("DROP TRIGGER audit_log_no_delete")
                .execute(pool)
                .await
                .unwrap();
        }
        Engine::Postgres => {
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                .execute(pool)
                .await
                .unwrap();
        }
    }
    sqlx::query(sql).execute(pool).await.unwrap();
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_detects_them_when_forced() {
    let app = TestApp::new().await;
    register(&app).await;
    let edit = sqlx::query("UPDATE audit_log SET actor = 'niemand' WHERE seq = 2")
        .execute(app.store.pool())
        .await;
    assert!(edit.is_err(), "the table is append-only");
    let delete = sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(app.store.pool())
        .await;
    assert!(delete.is_err(), "the table is append-only");

    tamper(&app, "UPDATE audit_log SET actor = 'niemand' WHERE seq = 2").await;
    match app.store.verify_audit().await.unwrap() {
        AuditVerification::Broken { seq, reason } => {
            assert_eq!(seq, 2);
            assert!(reason.contains("altered"), "{reason}");
        }
        other => panic!("tampering went unnoticed: {other:?}"),
    }
}

#[tokio::test]
async fn deleting_the_newest_audit_entries_is_detected() {
    let app = TestApp::new().await;
    register(&app).await;
    tamper(&app, "DELETE FROM audit_log WHERE seq >= 4").await;
    match app.store.verify_audit().await.unwrap() {
        AuditVerification::Broken { reason, .. } => assert!(reason.contains("deleted"), "{reason}"),
        other => panic!("deletion went unnoticed: {other:?}"),
    }
}

#[tokio::test]
async fn sessions_end_after_half_an_hour_idle_and_when_the_user_is_disabled() {
    let app = TestApp::new().await;
    let actor = Actor::named("test");
    let new = accounts::NewUser {
        email: "sessie@example.org".into(),
        role: "researcher".into(),
        ..Default::default()
    };
    let (id, link) = accounts::create_user(&app.store, &new, &actor)
        .await
        .unwrap();
    accounts::set_password(&app.store, &link, "een heel goed wachtwoord", &actor)
        .await
        .unwrap();
    assert!(
        accounts::set_password(&app.store, &link, "nog een goed wachtwoord", &actor)
            .await
            .is_err(),
        "a reset link works once"
    );
    let (_, first, _) = accounts::sign_in(
        &app.store,
        "sessie@example.org",
        "een heel goed wachtwoord",
        "192.0.2.1",
    )
    .await
    .unwrap();
    let (_, second, _) = accounts::sign_in(
        &app.store,
        "sessie@example.org",
        "een heel goed wachtwoord",
        "192.0.2.1",
    )
    .await
    .unwrap();
    assert_ne!(first, second, "every sign-in gets a new session id");
    assert!(app.store.session(&first).await.unwrap().is_some());

    let idle = (chrono::Utc::now() - chrono::Duration::minutes(31))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(idle)
        .bind(vangnet::domain::secret::digest(&first))
        .execute(app.store.pool())
        .await
        .unwrap();
    assert!(
        app.store.session(&first).await.unwrap().is_none(),
        "idle for 31 minutes"
    );
    assert!(app.store.session(&second).await.unwrap().is_some());

    accounts::disable_user(&app.store, id, &actor)
        .await
        .unwrap();
    assert!(
        app.store.session(&second).await.unwrap().is_none(),
        "disabled users are signed out"
    );
    let again = accounts::sign_in(
        &app.store,
        "sessie@example.org",
        "een heel goed wachtwoord",
        "192.0.2.1",
    )
    .await;
    assert!(matches!(again, Err(AppError::Unauthorized(_))), "{again:?}");
}

#[tokio::test]
async fn asking_for_reset_links_cannot_flood_an_inbox_or_spoil_an_invitation() {
    let app = TestApp::new().await;
    let actor = Actor::named("test");
    let new = accounts::NewUser {
        email: "uitgenodigd@example.org".into(),
        role: "auditor".into(),
        ..Default::default()
    };
    let (_, invitation) = accounts::create_user(&app.store, &new, &actor)
        .await
        .unwrap();
    // Within five minutes of the invitation no new link is made or mailed.
    for _ in 0..10 {
        let reset = accounts::request_reset(&app.store, "uitgenodigd@example.org", &actor)
            .await
            .unwrap();
        assert!(reset.is_none());
    }
    // The invitation still works, once.
    accounts::set_password(&app.store, &invitation, "een heel goed wachtwoord", &actor)
        .await
        .expect("the invitation was not spoiled");
    assert!(
        accounts::request_reset(&app.store, "niemand@example.org", &actor)
            .await
            .unwrap()
            .is_none()
    );
}

/// A script's valid token, behind the same NAT address as someone guessing tokens.
#[tokio::test]
async fn a_valid_token_is_answered_whatever_invalid_tokens_came_from_its_address() {
    let app = TestApp::new().await;
    for _ in 0..20 {
        app.send(Method::GET, "/api/v1/me", None, Some("vng_guess"))
            .await;
    }
    let guessing = app
        .send(Method::GET, "/api/v1/me", None, Some("vng_guess"))
        .await;
    assert_eq!(guessing.status, StatusCode::TOO_MANY_REQUESTS);
    let (_, token) = app
        .user_token("script@example.org", "researcher", None)
        .await;
    let valid = app
        .send(Method::GET, "/api/v1/me", None, Some(&token))
        .await;
    assert_eq!(valid.status, StatusCode::OK, "{}", valid.text());
    assert_eq!(valid.json()["name"], "script@example.org");
    assert_eq!(
        status(&app, Method::GET, "/api/v1/me", None, "vng_guess").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesses are still throttled"
    );
}

/// Colleagues behind one NAT address: some mistype, the others must still get in.
#[tokio::test]
async fn a_right_password_is_not_refused_after_colleagues_mistyped_from_the_same_address() {
    let app = TestApp::new().await;
    let actor = Actor::named("test");
    for name in ["anna", "bram", "cor", "dirk", "eva"] {
        let new = accounts::NewUser {
            email: format!("{name}@ggd.example"),
            role: "researcher".into(),
            ..Default::default()
        };
        let (_, link) = accounts::create_user(&app.store, &new, &actor)
            .await
            .unwrap();
        accounts::set_password(&app.store, &link, "een heel goed wachtwoord", &actor)
            .await
            .unwrap();
    }
    // Four colleagues mistype three times each from the office's one address.
    for name in ["anna", "bram", "cor", "dirk"] {
        for _ in 0..3 {
            let wrong = accounts::sign_in(
                &app.store,
                &format!("{name}@ggd.example"),
                "verkeerd getypt",
                "192.0.2.50",
            )
            .await;
            assert!(matches!(wrong, Err(AppError::Unauthorized(_))), "{wrong:?}");
        }
    }
    let right = accounts::sign_in(
        &app.store,
        "eva@ggd.example",
        "een heel goed wachtwoord",
        "192.0.2.50",
    )
    .await;
    assert!(right.is_ok(), "{right:?}");
    // The colleagues who mistyped may try again too.
    let again = accounts::sign_in(
        &app.store,
        "anna@ggd.example",
        "een heel goed wachtwoord",
        "192.0.2.50",
    )
    .await;
    assert!(again.is_ok(), "{again:?}");
}

/// The app behind a reverse proxy at 10.0.0.1 that appends the client's
/// address to `X-Forwarded-For`.
fn behind_proxy(app: &TestApp) -> axum::Router {
    let config = vangnet::platform::config::Config {
        trusted_proxies: vangnet::platform::proxy::TrustedProxies::parse(&["10.0.0.1"]).unwrap(),
        ..vangnet::platform::config::Config::default()
    };
    let mailer =
        vangnet::platform::mail::Mailer::from_url(None, "vangnet <noreply@vangnet.invalid>")
            .unwrap();
    vangnet::http::app::build(app.store.clone(), config, mailer)
}

async fn guess_token(router: &axum::Router, peer: &str, forwarded_for: Option<&str>) -> u16 {
    let peer: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    let mut request = axum::http::Request::get("/api/v1/me")
        .header("authorization", "Bearer vng_guess")
        .extension(axum::extract::ConnectInfo(peer));
    if let Some(value) = forwarded_for {
        request = request.header("x-forwarded-for", value);
    }
    call(router, request.body(axum::body::Body::empty()).unwrap())
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn throttling_keys_on_the_client_behind_a_trusted_proxy_and_cannot_be_dodged() {
    let app = TestApp::new().await;
    let router = behind_proxy(&app);
    // Through the proxy: one client's guesses do not throttle another's.
    let mut first = Vec::new();
    for _ in 0..8 {
        first.push(guess_token(&router, "10.0.0.1", Some("203.0.113.5")).await);
    }
    assert_eq!(&first[..5], &[401; 5]);
    assert_eq!(&first[5..], &[429; 3]);
    assert_eq!(
        guess_token(&router, "10.0.0.1", Some("198.51.100.7")).await,
        401,
        "another client behind the same proxy"
    );
    // A client that writes its own X-Forwarded-For is keyed on the hop the
    // proxy appended, not on what it wrote.
    assert_eq!(
        guess_token(&router, "10.0.0.1", Some("192.0.2.1, 203.0.113.5")).await,
        429
    );
    // Without a proxy in between, a made-up X-Forwarded-For changes nothing.
    let mut direct = Vec::new();
    for i in 0..8 {
        let made_up = format!("192.0.2.{i}");
        direct.push(guess_token(&router, "203.0.113.99", Some(&made_up)).await);
    }
    assert_eq!(&direct[..5], &[401; 5], "{direct:?}");
    assert_eq!(&direct[5..], &[429; 3], "{direct:?}");
}

#[tokio::test]
async fn setting_a_password_with_a_reset_link_ends_every_session_and_token() {
    let app = TestApp::new().await;
    let email = "vergeten@example.org";
    crate::browser::user(&app, email, "researcher", None).await;
    let mut laptop = crate::browser::Browser::new(&app);
    let signed_in = laptop.sign_in(email, crate::browser::PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
    let user_id = app
        .store
        .user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let (_, token) = app
        .store
        .create_user_token(user_id, "script")
        .await
        .unwrap();
    assert_eq!(
        status(&app, Method::GET, "/api/v1/me", None, &token).await,
        StatusCode::OK
    );

    // The invitation was long ago (a reset is refused within five minutes of it).
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query("UPDATE password_resets SET created_at = $1 WHERE user_id = $2")
        .bind(long_ago)
        .bind(user_id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, link) = accounts::request_reset(&app.store, email, &Actor::named("test"))
        .await
        .unwrap()
        .expect("a reset link");
    let mut phone = crate::browser::Browser::new(&app);
    let form = format!("/wachtwoord-instellen?code={link}");
    let set = phone
        .submit(
            &form,
            "/wachtwoord-instellen",
            &[
                ("code", &link),
                ("password", "een nieuw goed wachtwoord"),
                ("password_confirm", "een nieuw goed wachtwoord"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text());
    assert_eq!(
        status(&app, Method::GET, "/api/v1/me", None, &token).await,
        StatusCode::UNAUTHORIZED,
        "the token made before the reset"
    );
    assert_eq!(
        laptop.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the session from before the reset goes to signing in"
    );
    let next = crate::browser::location(&set).to_string();
    let dutch = phone.get(&next).await.text();
    assert!(
        dutch.contains("Uw sessies en API-tokens zijn beëindigd"),
        "{dutch}"
    );
    phone.get("/taal?lang=en&terug=/").await;
    let english = phone.get(&next).await.text();
    assert!(
        english.contains("Your sessions and API tokens have been ended"),
        "{english}"
    );

    let tokens = app.store.list_tokens(Some(user_id)).await.unwrap();
    assert!(tokens.iter().all(|t| t.revoked_at.is_some()), "{tokens:?}");
    let audit = app
        .store
        .search_audit(&AuditFilter {
            event: Some("password_set".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let reset = audit
        .iter()
        .find(|e| e.after.as_ref().is_some_and(|a| a["tokens_revoked"] == 1))
        .unwrap_or_else(|| panic!("the reset is audited with what it ended: {audit:?}"));
    assert_eq!(reset.actor, email);
}
