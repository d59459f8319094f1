//! The authorisation matrix: every route of the route table × every role
//! (and anonymous) × an object of the caller's own organisation and of
//! another, each answer also checked for who may keep it (`no-store` with a
//! token or on a private route, `Vary` on a per-caller one). Generated from
//! `vangnet::http::routes::table()`, so a new route is in
//! the matrix the moment it exists, and a route whose path this test cannot
//! fill in fails the test until a fixture is added here.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::*;
use vangnet::domain::access::{FacilityScope, Principal, Role, Via};
use vangnet::http::routes::{table, Access};
use vangnet::http::web::caching::Answer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Own,
    Other,
}

struct Caller {
    label: &'static str,
    principal: Option<Principal>,
    token: Option<String>,
    /// A token of this caller's own, to revoke.
    spare_token: Option<i64>,
}

struct Fixture {
    org_a: i64,
    org_b: i64,
    /// Non-public facilities of A and B.
    fa: i64,
    fb: i64,
    /// A token of someone else, for "other" token routes.
    foreign_token: i64,
    /// A published inventory round, for `{name}` paths (rounds are not
    /// owned by organisations: one fixture for both targets).
    round: String,
    /// Contacts of A and B.
    ca: i64,
    cb: i64,
    /// A campaign named after the id of its one invitation, so that one
    /// value fills both `{name}` and `{id}` (campaigns are not owned by
    /// organisations: one fixture for both targets).
    campaign: String,
}

fn principal(role: Role, organisation_id: Option<i64>, user_id: i64) -> Principal {
    Principal {
        user_id: Some(user_id),
        name: String::new(),
        role,
        organisation_id,
        facility_ids: Vec::new(),
        via: Via::Token,
    }
}

/// What the path's `{id}` is, for a caller and target; `None` for routes without one.
fn object_id(path: &str, target: Target, f: &Fixture, caller: &Caller) -> Option<String> {
    let own_or_other = |own: i64, other: i64| match target {
        Target::Own => own,
        Target::Other => other,
    };
    if !path.contains('{') {
        return None;
    }
    let id = if path.starts_with("/api/v1/facilities/{id}")
        || path.starts_with("/beheer/voorzieningen/{id}")
    {
        own_or_other(f.fa, f.fb)
    } else if path.starts_with("/api/v1/organisations/{id}")
        || path.starts_with("/beheer/organisaties/{id}")
    {
        own_or_other(f.org_a, f.org_b)
    } else if path.starts_with("/api/v1/contacts/{id}")
        || path.starts_with("/beheer/contacten/{id}")
    {
        own_or_other(f.ca, f.cb)
    } else if path.contains("/tokens/{id}") {
        match target {
            Target::Own => caller.spare_token.unwrap_or(f.foreign_token),
            Target::Other => f.foreign_token,
        }
    } else if path.contains("/users/{id}") || path.contains("/gebruikers/{id}") {
        // A user made for the purpose; disabling twice is a 409, not a denial.
        999_999
    } else if path == "/voorzieningen/{id}" {
        own_or_other(f.fa, f.fb)
    } else if path.contains("/campaigns/{name}") || path.contains("/campagnes/{name}") {
        return Some(f.campaign.clone());
    } else if path.contains("{name}")
        && (path.contains("/rounds/") || path.contains("/rondes/") || path.starts_with("/cijfers/"))
    {
        return Some(f.round.clone());
    } else if path.contains("/questionnaires/{code}") || path.contains("/vragenlijsten/{code}") {
        // Questionnaires are not owned by organisations: one fixture for both targets.
        return Some("inventory".into());
    } else if path.contains("/metrics/{code}") || path.contains("/metingen/{code}") {
        return Some("visits".into());
    } else if path == "/api/v1/tallies/{id}" {
        // No such tally: who counted one is checked in tests/it/monitoring/desk.rs.
        return Some("matrix-none-0001".into());
    } else if path.contains("{facility_id}/{period}") {
        own_or_other(f.fa, f.fb)
    } else if path.contains("{gebied}") {
        // Areas are not owned by organisations: one fixture for both targets.
        return Some("NL-UT".into());
    } else if path == "/cijfers/indicatoren/{code}" {
        return Some("syringes_per_pwid".into());
    } else if path == "/beheer/dashboard/organisatie/{id}" {
        own_or_other(f.org_a, f.org_b)
    } else if path == "/beheer/dashboard/voorziening/{id}" {
        own_or_other(f.fa, f.fb)
    } else if path == "/enquete/{token}" || path == "/api/v1/survey/{token}" {
        // Personal links belong to no account: a token that opens nothing.
        return Some("0123456789abcdef".into());
    } else if path == "/opendata/{file}" {
        return Some("facilities.csv".into());
    } else if path.starts_with("/fhir/{type}") {
        // The FHIR directory: its Locations are the facilities ({type} is Location).
        own_or_other(f.fa, f.fb)
    } else if path == "/beheer/export/{file}" {
        return Some("voorzieningen.csv".into());
    } else if path == "/hsds/organizations/{id}" {
        // HSDS ids are UUIDs derived from the register's ids; public, so
        // an organisation of either target will do.
        return Some(vangnet::formats::hsds::organization_id(own_or_other(
            f.org_a, f.org_b,
        )));
    } else if path == "/hsds/services/{id}" {
        // The fixture facilities are not public: HSDS answers 404.
        let facility = own_or_other(f.fa, f.fb);
        return Some(vangnet::formats::hsds::service_id(
            facility,
            vangnet::domain::service::ServiceType::ConsumptionRoom,
        ));
    } else if path == "/hsds/service_at_locations/{id}" {
        let facility = own_or_other(f.fa, f.fb);
        return Some(vangnet::formats::hsds::service_at_location_id(
            facility,
            vangnet::domain::service::ServiceType::ConsumptionRoom,
        ));
    } else {
        panic!("the matrix test has no fixture for the path {path}: add one");
    };
    Some(id.to_string())
}

/// Whether the rules let this caller through for this target.
fn allowed(
    access: Access,
    scoped: bool,
    path: &str,
    caller: &Caller,
    target: Target,
    f: &Fixture,
) -> bool {
    let p = match (&caller.principal, access) {
        // Only the operator's scraper (an allowed address or the metrics
        // token; requests here come from no address): `http::metrics`.
        (_, Access::Operator) => return false,
        (None, Access::Public) => None,
        (None, _) => return false,
        (Some(p), Access::Roles(roles)) if !roles.contains(&p.role) => return false,
        (Some(p), _) => Some(p),
    };
    if !scoped {
        return true;
    }
    let facility = |id: i64, organisation_id: i64| FacilityScope {
        id,
        organisation_id: Some(organisation_id),
        public_access: false,
    };
    let (fac, org) = match target {
        Target::Own => (facility(f.fa, f.org_a), f.org_a),
        Target::Other => (facility(f.fb, f.org_b), f.org_b),
    };
    let is_item = path.contains("{id}");
    match p {
        // Anonymous callers see public things only: lists yes, a non-public facility no.
        None => !(path.starts_with("/api/v1/facilities/{id}") && is_item),
        Some(p) if path.starts_with("/api/v1/facilities/{id}") => match path {
            "/api/v1/facilities/{id}" if access == Access::Public => p.may_read_internal(fac),
            _ if access == Access::Public => p.may_read_internal(fac),
            "/api/v1/facilities/{id}/history" => p.may_read_internal(fac),
            _ => p.may_edit_facility(fac),
        },
        Some(p) if path.starts_with("/api/v1/organisations/{id}") => match path {
            "/api/v1/organisations/{id}" if access == Access::Public => true,
            "/api/v1/organisations/{id}/history" => p.may_read_organisation_internal(org),
            _ => p.may_edit_organisation(org),
        },
        // Staff pages: reading needs the facility's internal facts, the
        // form's post (a role-limited line) needs the right to change it.
        Some(p) if path.starts_with("/beheer/voorzieningen/{id}") => match access {
            Access::Roles(_) => p.may_edit_facility(fac),
            _ => p.may_read_internal(fac),
        },
        Some(p) if path.starts_with("/beheer/organisaties/{id}") => p.may_edit_organisation(org),
        // Contacts: national roles all, an organisation's manager their own.
        Some(p)
            if path.starts_with("/api/v1/contacts/{id}")
                || path.starts_with("/beheer/contacten/{id}") =>
        {
            p.contact_scope().admits(org)
        }
        // Dashboards of an organisation or a facility: its own staff and
        // national roles (an auditor sees the public ones of areas only).
        Some(p) if path.starts_with("/beheer/dashboard/") && is_item => {
            p.may_read_organisation_internal(org)
        }
        Some(p) if path.contains("/tokens/{id}") => {
            p.may_manage_users() || (target == Target::Own && caller.spare_token.is_some())
        }
        // Period reports: filing needs the right to report for the
        // facility; approving and reopening are steps of their own.
        Some(p) if path.contains("{facility_id}") => match path.rsplit('/').next() {
            Some("approve" | "goedkeuren") => p.may_approve_for(fac),
            Some("reopen" | "heropenen") => p.may_manage_monitoring(),
            _ => p.may_report_for(fac),
        },
        // The FHIR directory shows a token's non-public facilities in its scope.
        Some(p) if path.starts_with("/fhir/{type}/{id}") => p.may_see(fac),
        Some(_) if !is_item => true,
        Some(_) => panic!("the matrix test does not know the scope rule of {path}: add it"),
    }
}

/// A body that passes validation, so that an allowed call can succeed.
fn body(method: &Method, path: &str, f: &Fixture) -> Option<Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return None;
    }
    Some(match path {
        "/api/v1/facilities" => json!({"name": "Demo Matrix", "organisation_id": f.org_a,
                                      "services": ["naloxone"], "city": "Utrecht"}),
        "/api/v1/facilities/{id}" => json!({"capacity": 3}),
        "/api/v1/organisations" => json!({"name": format!("Demo Matrix {}", rand_suffix())}),
        "/api/v1/organisations/{id}" => json!({"website": "https://demo.example"}),
        "/api/v1/tokens" => json!({"name": "matrix"}),
        "/api/v1/contacts" => json!({"organisation_id": f.org_a, "name": "Demo Matrix",
                                    "email": format!("m{}@matrix.example", rand_suffix())}),
        "/api/v1/contacts/{id}" => json!({"role": "coördinator"}),
        "/api/v1/users" => {
            json!({"email": format!("m{}@example.org", rand_suffix()), "role": "auditor"})
        }
        "/api/v1/locked-accounts/unlock" => json!({"account": "niemand@example.org"}),
        "/api/v1/rounds" => {
            json!({"name": format!("2025-matrix-{}", rand_suffix()), "reference_date": "2025-01-01"})
        }
        "/api/v1/rounds/{name}/counts" => {
            json!({"service": "syringe_exchange", "qualifier": "at_least"})
        }
        "/api/v1/rounds/{name}/reopen" => json!({"reason": "matrix"}),
        "/api/v1/campaigns" => {
            json!({"name": format!("matrix-{}", rand_suffix()), "round": f.round})
        }
        _ => json!({}),
    })
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn is_page(path: &str) -> bool {
    !path.starts_with("/api/")
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_rule_says() {
    let app = TestApp::new().await;
    let org = |name: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/organisations", json!({"name": name}))
                .await
                .json()["id"]
                .as_i64()
                .unwrap()
        }
    };
    let (org_a, org_b) = (org("Demo A").await, org("Demo B").await);
    let facility = |organisation: i64| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/facilities",
                json!({"name": format!("Demo F{organisation}"), "organisation_id": organisation,
                       "services": ["consumption_room"], "city": "Utrecht", "public_access": false}),
            )
            .await
            .json()["id"]
                .as_i64()
                .unwrap()
        }
    };
    let (fa, fb) = (facility(org_a).await, facility(org_b).await);
    let (stranger, _) = app
        .user_token("vreemde@example.org", "researcher", None)
        .await;
    let (foreign_token, _) = app
        .store
        .create_user_token(stranger, "vreemd")
        .await
        .unwrap();
    let round = "2025".to_string();
    for (uri, body) in [
        (
            "/api/v1/rounds".to_string(),
            json!({"name": round, "reference_date": "2025-01-01"}),
        ),
        (format!("/api/v1/rounds/{round}/close"), json!({})),
        (format!("/api/v1/rounds/{round}/publish"), json!({})),
    ] {
        let reply = app.post(&uri, body).await;
        assert!(reply.status.is_success(), "{uri}: {}", reply.text());
    }
    let contact = |organisation: i64| {
        let app = &app;
        async move {
            let reply = app
                .post(
                    "/api/v1/contacts",
                    json!({"organisation_id": organisation, "name": "Demo Contact",
                           "email": format!("contact{organisation}@matrix.example")}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
            reply.json()["id"].as_i64().unwrap()
        }
    };
    let (ca, cb) = (contact(org_a).await, contact(org_b).await);
    let campaign = |name: String| {
        let app = &app;
        let round = round.clone();
        async move {
            let uri = "/api/v1/campaigns";
            let body = json!({"name": name, "round": round, "organisations": [org_a]});
            let reply = app.post(uri, body).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
            let status = app.get_as_admin(&format!("{uri}/{name}")).await.json();
            status["recipients"][0]["invitation_id"].as_i64().unwrap()
        }
    };
    let next = campaign("matrix-first".into()).await + 1;
    assert_eq!(campaign(next.to_string()).await, next);
    let f = Fixture {
        org_a,
        org_b,
        fa,
        fb,
        foreign_token,
        round,
        ca,
        cb,
        campaign: next.to_string(),
    };

    let mut callers = vec![Caller {
        label: "anonymous",
        principal: None,
        token: None,
        spare_token: None,
    }];
    for (label, role, organisation) in [
        ("admin", Role::Admin, None),
        ("researcher", Role::Researcher, None),
        ("org_manager", Role::OrgManager, Some(org_a)),
        ("reporter", Role::Reporter, Some(org_a)),
        ("auditor", Role::Auditor, None),
    ] {
        let (user, token) = app
            .user_token(
                &format!("{label}@matrix.example"),
                role.code(),
                organisation,
            )
            .await;
        let routes = table();
        let spare_needed = routes
            .iter()
            .filter(|r| r.path.contains("/tokens/{id}"))
            .count();
        let mut spare = None;
        for _ in 0..spare_needed.max(1) {
            spare = Some(app.store.create_user_token(user, "spare").await.unwrap().0);
        }
        callers.push(Caller {
            label,
            principal: Some(principal(role, organisation, user)),
            token: Some(token),
            spare_token: spare,
        });
    }

    let mut checked = 0;
    let mut failures = Vec::new();
    for route in table() {
        for caller in &callers {
            for target in [Target::Own, Target::Other] {
                // Each call may change state (a token revoked); refresh the spare token per call.
                let spare = match (&caller.principal, route.path.contains("/tokens/{id}")) {
                    (Some(p), true) => Some(
                        app.store
                            .create_user_token(p.user_id.unwrap(), "spare")
                            .await
                            .unwrap()
                            .0,
                    ),
                    _ => caller.spare_token,
                };
                let caller_now = Caller {
                    label: caller.label,
                    principal: caller.principal.clone(),
                    token: caller.token.clone(),
                    spare_token: spare,
                };
                let path = match object_id(route.path, target, &f, &caller_now) {
                    Some(id) => route
                        .path
                        .replace("{id}", &id)
                        .replace("{file}", &id)
                        .replace("{name}", &id)
                        .replace("{code}", &id)
                        .replace("{gebied}", &id)
                        .replace("{facility_id}", &id)
                        .replace("{period}", "2025-03")
                        .replace("{type}", "Location")
                        .replace("{vid}", "1"),
                    None => route.path.to_string(),
                };
                let mut request = Request::builder()
                    .method(route.method.clone())
                    .uri(&path)
                    .header(header::HOST, "localhost")
                    .header(header::ORIGIN, "http://localhost");
                if let Some(token) = &caller_now.token {
                    request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
                }
                let request = match body(&route.method, route.path, &f) {
                    Some(body) => request
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(body.to_string())),
                    None => request.body(Body::empty()),
                }
                .unwrap();
                let reply = app.raw(request).await;
                let status = reply.status;
                let expect = allowed(
                    route.access,
                    route.scoped,
                    route.path,
                    &caller_now,
                    target,
                    &f,
                );
                let denied = matches!(
                    status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ) || (is_page(route.path)
                    && status == StatusCode::SEE_OTHER
                    && reply
                        .headers
                        .get(header::LOCATION)
                        .is_some_and(|l| l.to_str().unwrap_or("").starts_with("/inloggen")));
                // Readiness needs the background jobs, which the router
                // alone does not start: 503 there says "not ready", not a
                // fault (`http::health` tests its answers).
                let not_ready =
                    route.path == "/healthz/ready" && status == StatusCode::SERVICE_UNAVAILABLE;
                let ok = if status.is_server_error() {
                    not_ready
                } else if expect {
                    // An allowed call is never refused for who the caller is,
                    // nor told that an existing facility does not exist (other
                    // fixtures, like user 999999, may really be missing).
                    let refused =
                        matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
                    let hidden = status == StatusCode::NOT_FOUND
                        && (path.contains("/facilities/")
                            || path.contains("/beheer/voorzieningen/"));
                    !(refused || hidden)
                } else {
                    denied
                };
                // Who may keep the answer (`web::caching`), on every cell:
                // never with a token or from a private route; per caller varies.
                let cache_control = reply
                    .headers
                    .get(header::CACHE_CONTROL)
                    .map_or("", |v| v.to_str().unwrap_or(""));
                let vary = reply
                    .headers
                    .get(header::VARY)
                    .map_or("", |v| v.to_str().unwrap_or(""));
                let kept_right = match (route.answer(), caller_now.token.is_some()) {
                    (Answer::Private, _) | (_, true) => cache_control == "no-store",
                    (Answer::PerCaller, false) => vary.ends_with("Cookie, Authorization"),
                    (Answer::Shared, false) => true,
                };
                if !kept_right {
                    failures.push(format!(
                        "{} {} as {} ({target:?}): {:?} answer with Cache-Control '{cache_control}', Vary '{vary}'",
                        route.method,
                        path,
                        caller.label,
                        route.answer()
                    ));
                }
                if !ok {
                    failures.push(format!(
                        "{} {} as {} ({target:?}): expected {}, got {status}: {}",
                        route.method,
                        path,
                        caller.label,
                        if expect { "allowed" } else { "denied" },
                        reply.text().chars().take(200).collect::<String>()
                    ));
                }
                checked += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        checked,
        table().len() * callers.len() * 2,
        "every route, caller and target"
    );
}

/// A path is written once: the route table and the OpenAPI document list
/// the same API operations, each in both.
#[test]
fn the_route_table_and_the_openapi_document_list_the_same_api_operations() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(vangnet::http::api::ApiDoc::openapi()).unwrap();
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: std::collections::BTreeSet<(String, String)> = table()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.as_str().to_string(), r.path.to_string()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "in the table, not documented: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented, not in the table: {unrouted:?}"
    );
}

/// Finding 3: a reporter limited to some facilities once listed every
/// non-public facility of the organisation (address and coordinates) while
/// the single read answered 404. Lists, single reads and the staff list
/// now follow one rule: for every role, a facility is in the list exactly
/// when its single read answers, and shows internal facts in both or neither.
#[tokio::test]
async fn lists_show_exactly_what_single_reads_show_for_every_role() {
    let app = TestApp::new().await;
    let org = |name: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/organisations", json!({"name": name}))
                .await
                .json()["id"]
                .as_i64()
                .unwrap()
        }
    };
    let (org_a, org_b) = (org("Demo A").await, org("Demo B").await);
    let facility = |name: &'static str, organisation: i64, public: bool| {
        let app = &app;
        async move {
            let reply = app
                .post(
                    "/api/v1/facilities",
                    json!({"name": name, "organisation_id": organisation,
                           "services": ["consumption_room"], "city": "Utrecht",
                           "street": "Geheimstraat 1", "public_access": public}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
            reply.json()["id"].as_i64().unwrap()
        }
    };
    let a_public = facility("Demo A open", org_a, true).await;
    let a_hidden_1 = facility("Demo A bewoners 1", org_a, false).await;
    let a_hidden_2 = facility("Demo A bewoners 2", org_a, false).await;
    let b_hidden = facility("Demo B bewoners", org_b, false).await;
    let b_public = facility("Demo B open", org_b, true).await;
    let all = [a_public, a_hidden_1, a_hidden_2, b_hidden, b_public];

    let limited = vangnet::accounts::NewUser {
        email: "beperkt@a.example".into(),
        role: "reporter".into(),
        organisation_id: Some(org_a),
        facility_ids: vec![a_hidden_1],
        ..Default::default()
    };
    let (limited_id, _) = vangnet::accounts::create_user(
        &app.store,
        &limited,
        &vangnet::domain::provenance::Actor::named("test"),
    )
    .await
    .unwrap();
    let (_, limited_token) = app
        .store
        .create_user_token(limited_id, "test")
        .await
        .unwrap();
    let mut callers: Vec<(String, Option<String>)> = vec![
        ("anonymous".into(), None),
        ("limited reporter".into(), Some(limited_token)),
    ];
    for (role, organisation) in [
        ("admin", None),
        ("researcher", None),
        ("org_manager", Some(org_a)),
        ("reporter", Some(org_a)),
        ("auditor", None),
    ] {
        let (_, token) = app
            .user_token(&format!("{role}@lijst.example"), role, organisation)
            .await;
        callers.push((role.into(), Some(token)));
    }

    for (label, token) in &callers {
        let token = token.as_deref();
        let list = app
            .send(Method::GET, "/api/v1/facilities?status=all", None, token)
            .await;
        assert_eq!(list.status, StatusCode::OK, "{label}: {}", list.text());
        let listed: Vec<Value> = list.json()["facilities"].as_array().unwrap().clone();
        for id in all {
            let single = app
                .send(
                    Method::GET,
                    &format!("/api/v1/facilities/{id}"),
                    None,
                    token,
                )
                .await;
            let in_list = listed.iter().find(|f| f["id"] == id);
            assert_eq!(
                in_list.is_some(),
                single.status == StatusCode::OK,
                "{label}: facility {id} listed {} but single read {}",
                in_list.is_some(),
                single.status
            );
            if let Some(listed) = in_list {
                let single = single.json();
                assert_eq!(
                    listed.get("recorded_by").is_some(),
                    single.get("recorded_by").is_some(),
                    "{label}: internal facts of facility {id} differ between list and single read"
                );
            }
            // The staff list page follows the same rule for what is not
            // public (it lists an organisation's own public facilities
            // only, by design).
            let hidden = [a_hidden_1, a_hidden_2, b_hidden].contains(&id);
            if hidden && token.is_some() {
                let staff = app
                    .send(Method::GET, "/beheer/voorzieningen", None, token)
                    .await;
                if staff.status == StatusCode::OK {
                    let shown = staff
                        .text()
                        .contains(&format!("/beheer/voorzieningen/{id}\""));
                    assert_eq!(
                        shown,
                        in_list.is_some(),
                        "{label}: facility {id} on the staff list {shown}, in the API list {}",
                        in_list.is_some()
                    );
                }
            }
        }
    }
}
