//! Integrity: no request can break the register or leak through it. Each
//! test here reproduces a fault found when the product was probed as an
//! attacker with each role would (SECURITY.md, "Findings").

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

/// Every public read that once answered 500 for everyone after one bad value.
const PUBLIC_READS: &[&str] = &[
    "/zoeken?q=Utrecht",
    "/kaart",
    "/opendata/facilities.csv",
    "/opendata/facilities.json",
    "/opendata/facilities.geojson",
    "/api/v1/facilities",
    "/api/v1/finder?lat=52.09&lon=5.12",
    "/cijfers/veranderingen?van=2020-01-01&tot=2026-01-01",
    "/api/v1/reports/changes?from=2020-01-01&to=2026-01-01",
    "/cijfers/spreiding",
    "/api/v1/reports/table1",
];

async fn every_public_read_answers(app: &TestApp) {
    for uri in PUBLIC_READS {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    }
}

/// The register of `DUTCH_CSV` and a manager of its Utrecht organisation.
async fn register_with_manager() -> (TestApp, i64, String) {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let id = app.facility_id("Demo Huiskamer Centrum").await;
    let facility = app
        .get_as_admin(&format!("/api/v1/facilities/{id}"))
        .await
        .json();
    let organisation = facility["organisation_id"].as_i64().unwrap();
    let (_, token) = app
        .user_token("beheer@utrecht.example", "org_manager", Some(organisation))
        .await;
    (app, id, token)
}

async fn versions(app: &TestApp, id: i64) -> Vec<Value> {
    let reply = app
        .get_as_admin(&format!("/api/v1/facilities/{id}/history"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn a_day_outside_the_register_is_refused_by_name_and_nothing_is_stored() {
    let (app, id, manager) = register_with_manager().await;
    for field in ["opened_on", "closed_on", "verified_on", "effective_from"] {
        for day in [
            "0001-01-01",
            "+99999-01-01",
            "-0001-01-01",
            "0000-01-01",
            "1899-12-31",
        ] {
            let reply = app
                .send(
                    Method::PATCH,
                    &format!("/api/v1/facilities/{id}"),
                    Some(json!({ field: day })),
                    Some(&manager),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field} = {day}: {}",
                reply.text()
            );
            let errors = reply.json()["errors"].clone();
            assert_eq!(errors[0]["field"], field, "{field} = {day}: {errors}");
        }
    }
    assert_eq!(versions(&app, id).await.len(), 1, "nothing was stored");
    every_public_read_answers(&app).await;
    let page = app.get(&format!("/voorzieningen/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
}

/// Finding 0: sixteen writers at once once got "database is locked" (500)
/// on SQLite and deadlocks (500) and needless conflicts (409) on
/// PostgreSQL. Now every write lands, once, and the audit chain holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_writers_all_land_without_errors_or_conflicts() {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ids: Vec<i64> = app
        .facilities("status=all")
        .await
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    let app = std::sync::Arc::new(app);
    const WRITERS: usize = 16;
    const WRITES: usize = 12;
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let app = app.clone();
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for n in 0..WRITES {
                let id = ids[(writer + n) % ids.len()];
                // Half the writers change the notes, the other half the
                // target groups of the same facilities: no two patches
                // touch a conflicting field.
                let body = if writer % 2 == 0 {
                    json!({"notes": format!("writer {writer} write {n}")})
                } else {
                    json!({"target_groups": format!("groep {writer}-{n}")})
                };
                let reply = app.patch(&format!("/api/v1/facilities/{id}"), body).await;
                statuses.push((id, reply.status, reply.text()));
            }
            statuses
        }));
    }
    let mut per_facility = std::collections::HashMap::<i64, usize>::new();
    let mut failures = Vec::new();
    for task in tasks {
        for (id, status, text) in task.await.unwrap() {
            if status == StatusCode::OK {
                *per_facility.entry(id).or_default() += 1;
            } else {
                failures.push(format!("{status}: {text}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} writes failed, e.g. {}",
        failures.len(),
        WRITERS * WRITES,
        failures[0]
    );
    for id in &ids {
        let history = versions(&app, *id).await;
        assert_eq!(history.len(), 1 + per_facility[id], "facility {id}");
        let last = &history.last().unwrap()["record"];
        assert!(
            last["notes"]
                .as_str()
                .is_some_and(|n| n.starts_with("writer ")),
            "{last}"
        );
        assert!(
            last["target_groups"]
                .as_str()
                .is_some_and(|t| t.starts_with("groep ")),
            "{last}"
        );
    }
    assert!(matches!(
        app.store.verify_audit().await.unwrap(),
        vangnet::storage::audit::AuditVerification::Intact { .. }
    ));
}

/// Finding 7: a free-text note containing "alcohol" once made the public
/// Table 1 print "1 locatie heeft ook een alcoholruimte". Such facts are
/// now attributes set on purpose, counted and shown from those only.
#[tokio::test]
async fn internal_notes_never_feed_table_1_but_features_do() {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let id = app.facility_id("Demo Huiskamer Centrum").await;
    let notes = |table: &Value| table1_row(table, "consumption_room")["notes"].to_string();

    let reply = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"notes": "Ook alcohol toegestaan, alleen softdrugs op vrijdag"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let table = app.get("/api/v1/reports/table1").await.json();
    assert!(!notes(&table).contains("alcohol"), "{}", notes(&table));
    assert!(!notes(&table).contains("softdrugs"), "{}", notes(&table));

    let reply = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"features": ["alcoholruimte"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["features"], json!(["alcohol_room"]));
    let table = app.get("/api/v1/reports/table1").await.json();
    assert!(
        notes(&table).contains("ook een alcoholruimte"),
        "{}",
        notes(&table)
    );
    let page = page(&app.get(&format!("/voorzieningen/{id}")).await);
    assert!(page.contains("Ook een alcoholruimte"), "the page shows it");

    let unknown = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"features": ["bar"]}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["errors"][0]["field"], "features");
}

/// Finding 2: `effective_from` once had no window: a day far back rewrote
/// the past and 2999 froze the facility against every later change. Now a
/// change holds from the current version's start at the earliest and a
/// year ahead at the latest; the past is corrected by a separate,
/// audited researcher action that keeps what it corrects in the history.
#[tokio::test]
async fn a_change_stays_in_its_window_and_the_past_is_corrected_openly() {
    let (app, id, manager) = register_with_manager().await;
    let uri = format!("/api/v1/facilities/{id}");
    let change = |body: Value, token: String| {
        let app = &app;
        let uri = uri.clone();
        async move {
            app.send(Method::PATCH, &uri, Some(body), Some(&token))
                .await
        }
    };
    let first = change(
        json!({"capacity": 14, "effective_from": "2025-06-01"}),
        manager.clone(),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());

    let back = change(
        json!({"capacity": 10, "effective_from": "2024-01-01"}),
        manager.clone(),
    )
    .await;
    assert_eq!(
        back.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        back.text()
    );
    assert_eq!(back.json()["errors"][0]["field"], "effective_from");
    let ahead = change(
        json!({"capacity": 10, "effective_from": "2999-01-01"}),
        manager.clone(),
    )
    .await;
    assert_eq!(
        ahead.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        ahead.text()
    );
    assert_eq!(ahead.json()["errors"][0]["field"], "effective_from");
    assert_eq!(versions(&app, id).await.len(), 2, "neither was stored");
    let later = change(json!({"capacity": 16}), app.token.clone()).await;
    assert_eq!(later.status, StatusCode::OK, "not frozen: {}", later.text());

    // Correcting the past is for researchers, with a reason.
    let corrections = format!("/api/v1/facilities/{id}/corrections");
    let body = json!({"effective_from": "2020-01-01", "effective_until": "2025-06-01",
                      "capacity": 8, "change_note": "jaarverslag 2020: 8 plaatsen"});
    let refused = app
        .send(
            Method::POST,
            &corrections,
            Some(body.clone()),
            Some(&manager),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let no_reason = app
        .post(
            &corrections,
            json!({"effective_from": "2020-01-01", "capacity": 8}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.json()["errors"][0]["field"], "change_note");
    let corrected = app.post(&corrections, body).await;
    assert_eq!(
        corrected.status,
        StatusCode::CREATED,
        "{}",
        corrected.text()
    );

    let capacity_on = |day: &'static str| {
        let app = &app;
        let uri = format!("/api/v1/facilities/{id}?as_of={day}");
        async move { app.get_as_admin(&uri).await.json()["capacity"].clone() }
    };
    assert_eq!(
        capacity_on("2019-06-01").await,
        json!(12),
        "before the stretch: as it was"
    );
    assert_eq!(
        capacity_on("2021-06-01").await,
        json!(8),
        "the corrected stretch"
    );
    assert_eq!(
        capacity_on("2025-07-01").await,
        json!(14),
        "after it: unchanged"
    );
    // Nothing was lost: the superseded version is still in the history.
    let history = versions(&app, id).await;
    let superseded: Vec<&Value> = history
        .iter()
        .filter(|v| !v["record"]["superseded_at"].is_null())
        .collect();
    assert_eq!(superseded.len(), 1, "{history:?}");
    assert_eq!(superseded[0]["record"]["capacity"], 12);
    // One version holds on each day, so Table 1 and the record agree.
    for day in ["2019-06-01", "2021-06-01", "2026-01-01"] {
        let table = app
            .get(&format!("/api/v1/reports/table1?as_of={day}"))
            .await
            .json();
        let row = table1_row(&table, "consumption_room");
        let ids = row["facility_ids"].as_array().unwrap();
        assert_eq!(
            ids.iter().filter(|f| **f == id).count(),
            1,
            "{day}: {table}"
        );
        assert_eq!(row["locations"], ids.len(), "{day}: {table}");
    }
    let audit = app
        .get_as_admin(&format!("/api/v1/audit?event=correct&object_id={id}"))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
    assert!(
        audit.text().contains("jaarverslag 2020"),
        "{}",
        audit.text()
    );
}

/// The cause, part 2: one stored value the domain would refuse (written
/// before a check existed, or by hand in the database) once failed every
/// list it was part of. Now such a row is left out of public lists and
/// logged, `/healthz` warns, and staff see it and repair it.
#[tokio::test]
async fn a_row_that_cannot_be_read_is_left_out_reported_and_repaired() {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let id = app.facility_id("Demo Huiskamer Centrum").await;
    // A hand edit in the database, as a broken row arises (`/healthz`
    // notices it within a minute; it was not asked before here).
    sqlx::query("UPDATE facility_versions SET opened_on = '0001-01-01' WHERE facility_id = $1")
        .bind(id)
        .execute(app.store.pool())
        .await
        .unwrap();

    every_public_read_answers(&app).await;
    let listed = app.facilities("status=all").await;
    assert_eq!(listed.len(), 4, "the other four are still listed");
    assert!(listed.iter().all(|f| f["id"] != id));
    let healthz = app.get("/healthz").await;
    assert_eq!(healthz.status, StatusCode::OK);
    assert_eq!(healthz.json()["status"], "warning", "{}", healthz.text());
    assert_eq!(healthz.json()["broken_rows"], 1, "{}", healthz.text());
    assert!(
        !healthz.text().contains("0001-01-01"),
        "no stored value in public"
    );

    let mut admin =
        crate::browser::signed_in(&app, "coordinator@example.org", "researcher", None).await;
    let list = admin.get("/beheer/voorzieningen?status=all").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let repair = format!("/beheer/voorzieningen/{id}/herstel");
    assert!(list.text().contains(&repair), "the list offers a repair");
    assert!(
        list.text().contains("0001-01-01"),
        "and shows the stored value"
    );
    let form = admin.get(&repair).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert!(
        form.text().contains("value=\"0001-01-01\""),
        "the form shows what is stored"
    );
    let saved = admin
        .submit_as_shown(&repair, &repair, &[("opened_on", "2015-03-01")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());

    let facility = app.get(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(facility.status, StatusCode::OK, "{}", facility.text());
    assert_eq!(facility.json()["opened_on"], "2015-03-01");
    assert_eq!(app.facilities("status=all").await.len(), 5);
    let healthz = app.get("/healthz").await;
    assert_eq!(healthz.json()["broken_rows"], 0, "{}", healthz.text());
    let history = versions(&app, id).await;
    assert!(
        history
            .iter()
            .any(|v| !v["record"]["superseded_at"].is_null())
            || history.len() == 1,
        "{history:?}"
    );
}

/// A change answers with the version as stored: the same as reading it back.
#[tokio::test]
async fn a_change_answers_with_exactly_what_a_read_gives_afterwards() {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for (name, patch) in [
        (
            "Demo Huiskamer Centrum",
            json!({"notes": "nieuw", "verified_on": "2026-01-10"}),
        ),
        (
            "Demo Apotheek Zwolle",
            json!({"capacity": 3, "verified_on": "2020-02-02"}),
        ),
        (
            "Demo Apotheek Zwolle",
            json!({"opened_on": "2019-01-01", "source": "telefoon: balie"}),
        ),
        (
            "Demo MHU Amsterdam",
            json!({"opened_on": null, "features": ["softdrugs_only"]}),
        ),
    ] {
        let id = app.facility_id(name).await;
        let answer = app
            .patch(&format!("/api/v1/facilities/{id}"), patch.clone())
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let read = app.get_as_admin(&format!("/api/v1/facilities/{id}")).await;
        assert_eq!(answer.json(), read.json(), "{name}: {patch}");
    }
}
