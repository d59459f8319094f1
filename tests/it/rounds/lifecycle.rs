//! Inventory rounds: a round freezes its Table 1 when closed, so later
//! register edits do not change it; reopening is explicit and audited;
//! researchers' qualifiers print as "≥29" and "onbekend"; only published
//! rounds are public; published figures load idempotently and feed the
//! trend; every count traces back to the facilities it is made of.

use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use vangnet::domain::language::Language;

use crate::browser::*;
use crate::common::*;
use vangnet::domain::service::ServiceType;
use vangnet::storage::audit::AuditFilter;

const FIGURES: &[u8] = include_bytes!("../../../data/published_figures.csv");

fn today() -> String {
    vangnet::domain::date::today().to_string()
}

fn ids(row: &Value) -> Vec<i64> {
    row["facility_ids"]
        .as_array()
        .unwrap_or_else(|| panic!("no facility_ids in {row}"))
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

async fn round_events(app: &TestApp, event: &str) -> Vec<vangnet::storage::audit::AuditEntry> {
    app.store
        .search_audit(&AuditFilter {
            object_type: Some("round".into()),
            event: Some(event.into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap()
}

/// The Dutch sample register and an open round "2026" counting it today,
/// with methadone clinics unknown (LADIS) and syringe exchange at least.
async fn register_with_round(app: &TestApp) {
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.is_ok(), "{report}");
    let created = app
        .post(
            "/api/v1/rounds",
            json!({"name": "2026", "reference_date": today()}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["status"], "open");
    for body in [
        json!({"service": "methadone_clinic", "qualifier": "unknown",
               "note": "geen landelijk overzicht; LADIS telt 11 instellingen",
               "source": "LADIS Kerncijfers verslavingszorg 2015-2024 (Stichting IVZ)"}),
        json!({"service": "syringe_exchange", "qualifier": "at_least",
               "note": "omruil is vaak een nevenactiviteit"}),
    ] {
        let reply = app.post("/api/v1/rounds/2026/counts", body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
}

#[tokio::test]
async fn a_closed_round_keeps_its_counts_when_the_register_changes_afterwards() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    let closed = app.post("/api/v1/rounds/2026/close", json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
    assert_eq!(closed.json()["status"], "closed");
    let frozen = app
        .get_as_admin("/api/v1/reports/table1?round=2026")
        .await
        .json();
    assert_eq!(frozen["round"], "2026");
    assert_eq!(frozen["status"], "closed");
    let rooms = table1_row(&frozen, "consumption_room");
    assert_eq!(rooms["locations"], 1, "{frozen}");
    assert_eq!(rooms["cities"], 1);
    assert_eq!(rooms["notes"], json!(["1 locatie met 3 aparte ruimtes"]));
    assert_eq!(rooms["source"], format!("register op {}", today()));
    let centrum = app.facility_id("Demo Huiskamer Centrum").await;
    assert_eq!(ids(rooms), [centrum], "the count traces to its facility");

    // The register changes after closing: a room opens, the MHU closes.
    let org = app.facilities("status=all").await[0]["organisation_id"].clone();
    let new_room = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Demo Nieuwe Ruimte", "organisation_id": org,
                   "services": ["consumption_room"], "city": "Zwolle"}),
        )
        .await;
    assert_eq!(new_room.status, StatusCode::CREATED, "{}", new_room.text());
    let mhu = app.facility_id("Demo MHU Amsterdam").await;
    let patched = app
        .patch(
            &format!("/api/v1/facilities/{mhu}"),
            json!({"closed_on": today(), "change_note": "gesloten"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());

    let live = vangnet::rounds::table1::table1(&app.store, vangnet::domain::date::today())
        .await
        .unwrap();
    let live_rooms = live.row(ServiceType::ConsumptionRoom).unwrap();
    assert_eq!(live_rooms.locations, Some(2), "the register moved on");
    assert_eq!(live_rooms.cities, Some(2));
    assert_eq!(
        live.row(ServiceType::HeroinUnit).unwrap().locations,
        Some(0)
    );
    let again = app
        .get_as_admin("/api/v1/reports/table1?round=2026")
        .await
        .json();
    assert_eq!(again, frozen, "a closed round does not change");
    let round = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    assert_eq!(
        round.row(ServiceType::HeroinUnit).unwrap().locations,
        Some(1)
    );

    // Closing again, or changing a count of a closed round, is refused.
    let twice = app.post("/api/v1/rounds/2026/close", json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let late = app
        .post(
            "/api/v1/rounds/2026/counts",
            json!({"service": "heroin_unit", "qualifier": "approximate"}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text());
    assert_eq!(round_events(&app, "close").await.len(), 1);
    assert_eq!(round_events(&app, "update").await.len(), 2);
}

#[tokio::test]
async fn every_count_traces_to_public_facilities_open_on_the_day_with_that_service() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    app.post("/api/v1/rounds/2026/close", json!({})).await;
    let table = app
        .get_as_admin("/api/v1/reports/table1?round=2026")
        .await
        .json();
    let day = today();
    let mut traced = 0;
    for r in table["rows"].as_array().unwrap() {
        let facilities = ids(r);
        if r["qualifier"] == "exact" {
            assert_eq!(r["locations"], facilities.len() as i64, "{r}");
        }
        assert_eq!(r["register_locations"], facilities.len() as i64, "{r}");
        for id in facilities {
            let f = app
                .get(&format!("/api/v1/facilities/{id}?as_of={day}"))
                .await;
            assert_eq!(f.status, StatusCode::OK, "a public facility: {}", f.text());
            let f = f.json();
            assert!(
                f["services"].as_array().unwrap().contains(&r["service"]),
                "{f} offers {}",
                r["service"]
            );
            assert_eq!(f["status"], "open", "{f}");
            traced += 1;
        }
    }
    assert!(traced >= 4, "{table}");
    // The frozen versions are those the register had on the day.
    let round = app.store.round_by_name("2026").await.unwrap().unwrap();
    let versions = app.store.round_versions(round.id).await.unwrap();
    assert_eq!(versions.len(), traced);
}

#[tokio::test]
async fn qualified_counts_print_as_at_least_and_unknown_with_their_source() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    let table = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    let methadone = table.row(ServiceType::MethadoneClinic).unwrap();
    assert_eq!(methadone.show_locations(Language::Nl), "onbekend");
    assert_eq!(methadone.show_locations(Language::En), "unknown");
    assert_eq!(methadone.locations, None);
    assert_eq!(
        methadone.source,
        "LADIS Kerncijfers verslavingszorg 2015-2024 (Stichting IVZ)"
    );
    let exchange = table.row(ServiceType::SyringeExchange).unwrap();
    assert_eq!(exchange.show_locations(Language::Nl), "≥2");
    assert_eq!(exchange.notes[0], "omruil is vaak een nevenactiviteit");

    // A researcher's value replaces the register's number.
    let reply = app
        .post(
            "/api/v1/rounds/2026/counts",
            json!({"service": "syringe_exchange", "qualifier": "at_least", "value": 29,
                   "source": "Trimbos inventory 2026"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let md = app
        .get_as_admin("/api/v1/reports/table1?round=2026&format=md")
        .await
        .text();
    assert!(md.contains("| Spuitomruil | ≥29 |"), "{md}");
    assert!(
        md.contains("| Medicatiepoli (methadon) | onbekend | onbekend | onbekend |"),
        "{md}"
    );
    assert!(md.contains("Trimbos inventory 2026"), "{md}");
    assert!(
        md.contains("voorlopig"),
        "an open round is provisional: {md}"
    );

    // An unknown count without a note or source, or with a value, is refused.
    let bad = app
        .post(
            "/api/v1/rounds/2026/counts",
            json!({"service": "heroin_unit", "qualifier": "unknown", "value": 3}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["value", "note"]);
    // Exact with nothing else returns the count to the register's.
    app.post(
        "/api/v1/rounds/2026/counts",
        json!({"service": "syringe_exchange", "qualifier": "exact"}),
    )
    .await;
    let table = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    assert_eq!(
        table
            .row(ServiceType::SyringeExchange)
            .unwrap()
            .show_locations(Language::Nl),
        "2"
    );
}

/// The fields a refused count names.
fn refused_fields(reply: &Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_typed_count_needs_a_source_and_is_published_as_entered_by_hand_never_as_the_register() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    let count = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/rounds/2026/counts", body).await }
    };
    // A number without where it comes from could pass for the register's.
    let bare =
        count(json!({"service": "syringe_exchange", "qualifier": "exact", "value": 40})).await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.text()
    );
    assert_eq!(refused_fields(&bare), ["source"]);
    // "At least 1" where the register itself counts 2 says less than it does.
    let below = count(
        json!({"service": "syringe_exchange", "qualifier": "at_least", "value": 1,
                             "source": "telefoonronde"}),
    )
    .await;
    assert_eq!(
        below.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        below.text()
    );
    assert_eq!(refused_fields(&below), ["value"]);
    assert!(
        below.text().contains("(2)"),
        "names the register's count: {}",
        below.text()
    );
    let reasoned = count(
        json!({"service": "syringe_exchange", "qualifier": "at_least", "value": 1,
                                "source": "telefoonronde",
                                "note": "twee locaties bleken één adres"}),
    )
    .await;
    assert_eq!(
        reasoned.status,
        StatusCode::OK,
        "with a reason it is taken: {}",
        reasoned.text()
    );

    let typed = count(
        json!({"service": "syringe_exchange", "qualifier": "at_least", "value": 29,
                             "source": "Trimbos inventory 2026"}),
    )
    .await;
    assert_eq!(typed.status, StatusCode::OK, "{}", typed.text());
    let table = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    let exchange = table.row(ServiceType::SyringeExchange).unwrap();
    assert_eq!(
        exchange.source,
        "handmatig ingevoerd, bron: Trimbos inventory 2026"
    );
    assert!(!exchange.source.contains("register"));
    // A reading of the register's own number names the register and the reading.
    count(json!({"service": "naloxone", "qualifier": "at_least", "source": "GGD-enquête"})).await;
    let table = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    let naloxone = table.row(ServiceType::Naloxone).unwrap();
    assert!(
        naloxone.source.starts_with("register op ")
            && naloxone.source.ends_with("; lezing: GGD-enquête"),
        "{}",
        naloxone.source
    );
    // The same in the frozen round, and in English.
    app.post("/api/v1/rounds/2026/close", json!({})).await;
    let table = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    let exchange = table.row(ServiceType::SyringeExchange).unwrap();
    assert_eq!(
        exchange.source_in(table.as_of, Language::En),
        "entered by hand, source: Trimbos inventory 2026"
    );
}

#[tokio::test]
async fn reopening_needs_a_reason_is_audited_and_counts_live_again() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    app.post("/api/v1/rounds/2026/close", json!({})).await;
    let org = app.facilities("status=all").await[0]["organisation_id"].clone();
    app.post(
        "/api/v1/facilities",
        json!({"name": "Demo Late Ruimte", "organisation_id": org,
               "services": ["consumption_room"], "city": "Zwolle"}),
    )
    .await;

    let no_reason = app.post("/api/v1/rounds/2026/reopen", json!({})).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.json()["errors"][0]["field"], "reason");
    let reopened = app
        .post(
            "/api/v1/rounds/2026/reopen",
            json!({"reason": "Zwolle meldde een ruimte die we misten"}),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text());
    let body = reopened.json();
    assert_eq!(body["status"], "open");
    assert_eq!(body["closed_at"], Value::Null);
    assert_eq!(
        table1_row(&body["table1"], "consumption_room")["locations"],
        2
    );
    assert_eq!(
        table1_row(&body["table1"], "methadone_clinic")["qualifier"],
        "unknown",
        "the readings stay"
    );
    let entries = round_events(&app, "reopen").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].detail.as_deref(),
        Some("Zwolle meldde een ruimte die we misten")
    );
    assert_eq!(
        entries[0].before.as_ref().unwrap()["rows"][0]["locations"],
        1,
        "the frozen counts are kept in the audit log"
    );

    // Closed again and published, a round is final.
    assert_eq!(
        app.post("/api/v1/rounds/2026/close", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post("/api/v1/rounds/2026/publish", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let final_ = app
        .post("/api/v1/rounds/2026/reopen", json!({"reason": "nog eens"}))
        .await;
    assert_eq!(final_.status, StatusCode::CONFLICT, "{}", final_.text());
    assert!(matches!(
        app.store.verify_audit().await.unwrap(),
        vangnet::storage::audit::AuditVerification::Intact { .. }
    ));
}

#[tokio::test]
async fn only_published_rounds_are_public() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    let (_, auditor) = app.user_token("audit@example.org", "auditor", None).await;
    let (_, researcher) = app
        .user_token("onderzoek@example.org", "researcher", None)
        .await;
    let hidden = [
        "/api/v1/rounds/2026",
        "/api/v1/reports/table1?round=2026",
        "/cijfers/2026",
    ];
    for stage in ["open", "closed"] {
        if stage == "closed" {
            app.post("/api/v1/rounds/2026/close", json!({})).await;
        }
        for uri in hidden {
            assert_eq!(
                app.get(uri).await.status,
                StatusCode::NOT_FOUND,
                "{stage} {uri}"
            );
            let as_auditor = app.send(Method::GET, uri, None, Some(&auditor)).await;
            assert_eq!(as_auditor.status, StatusCode::NOT_FOUND, "{stage} {uri}");
        }
        let listed = app.get("/api/v1/rounds").await.json();
        assert_eq!(listed["rounds"], json!([]), "{stage}");
        let seen = app
            .send(Method::GET, "/api/v1/rounds/2026", None, Some(&researcher))
            .await;
        assert_eq!(seen.status, StatusCode::OK, "{stage}");
        assert!(seen.json()["overrides"].is_array());
    }
    // Reading an unpublished round is a read of non-public data.
    let reads = round_events(&app, "read").await;
    assert_eq!(
        reads
            .iter()
            .filter(|e| e.object_id.as_deref() == Some("2026"))
            .count(),
        2,
        "one read per researcher look at the unpublished round: {reads:?}"
    );
    // Changes are for national roles only.
    let refused = app
        .send(
            Method::POST,
            "/api/v1/rounds/2026/publish",
            Some(json!({})),
            Some(&auditor),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let anonymous = app
        .send(
            Method::POST,
            "/api/v1/rounds/2026/publish",
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let staff_page = app.get("/beheer/rondes/2026").await;
    assert_eq!(staff_page.status, StatusCode::SEE_OTHER);

    let published = app
        .send(
            Method::POST,
            "/api/v1/rounds/2026/publish",
            Some(json!({})),
            Some(&researcher),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    assert_eq!(published.json()["status"], "published");
    for uri in hidden {
        assert_eq!(app.get(uri).await.status, StatusCode::OK, "{uri}");
    }
    let public = app.get("/api/v1/rounds/2026").await.json();
    assert!(public.get("overrides").is_none(), "{public}");
    assert!(
        public.get("created_by").is_none(),
        "no names of people: {public}"
    );
    let listed = app.get("/api/v1/rounds").await.json();
    assert_eq!(listed["rounds"][0]["name"], "2026");
    app.send(Method::GET, "/api/v1/rounds/2026", None, Some(&researcher))
        .await;
    assert_eq!(
        round_events(&app, "read").await.len(),
        reads.len(),
        "published rounds are public; reading them is not logged"
    );
    let page = app.get("/cijfers/2026").await.text();
    assert!(page.contains("onbekend") && page.contains("≥2"), "{page}");
    assert!(page.contains("LADIS Kerncijfers"), "{page}");
    let index = app.get("/cijfers").await.text();
    assert!(index.contains("href=\"/cijfers/2026\""), "{index}");
}

#[tokio::test]
async fn table1_downloads_in_every_format_for_a_round_and_a_day() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    app.post("/api/v1/rounds/2026/close", json!({})).await;
    app.post("/api/v1/rounds/2026/publish", json!({})).await;
    for query in ["round=2026", "as_of=2025-01-01"] {
        for (format, content_type, start) in [
            ("json", "application/json", "{"),
            ("csv", "text/csv; charset=utf-8", "as_of,service,"),
            ("md", "text/markdown; charset=utf-8", "Tabel 1"),
            ("html", "text/html; charset=utf-8", "<!doctype html>"),
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "PK",
            ),
        ] {
            let reply = app
                .get(&format!("/api/v1/reports/table1?{query}&format={format}"))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{query} {format}");
            assert_eq!(reply.headers[header::CONTENT_TYPE], content_type);
            assert!(
                reply.bytes.starts_with(start.as_bytes()),
                "{query} {format}: {}",
                reply.text()
            );
            if format != "json" {
                let disposition = reply.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
                assert!(disposition.contains("vangnet-tabel1-"), "{disposition}");
            }
        }
    }
    let english = app
        .get("/api/v1/reports/table1?round=2026&format=md&lang=en")
        .await
        .text();
    assert!(
        english.contains("| Methadone clinic | unknown |"),
        "{english}"
    );
    for bad in ["format=pdf", "lang=fr", "round=2026&as_of=2026-01-01"] {
        let reply = app.get(&format!("/api/v1/reports/table1?{bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn published_figures_load_idempotently_and_bad_rows_are_named() {
    let app = TestApp::new().await;
    let actor = vangnet::domain::provenance::Actor::named("test");
    let first =
        vangnet::rounds::import_figures(&app.store, FIGURES, "published_figures.csv", &actor)
            .await
            .unwrap();
    assert!(first.is_ok(), "{first}");
    assert!(first.created > 40, "{first}");
    let again =
        vangnet::rounds::import_figures(&app.store, FIGURES, "published_figures.csv", &actor)
            .await
            .unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, first.created),
        "{again}"
    );
    let stored = app.store.published_figures(None).await.unwrap();
    assert_eq!(stored.len(), first.created);
    let methadone = stored
        .iter()
        .find(|f| f.key == "methadone_clinics.locations")
        .unwrap();
    assert_eq!(methadone.source, "Trimbos inventory 2026");

    let bad = "key,scope,period,value,qualifier,unit,source,note\n\
               consumption_rooms.locations,NL,2030,40,exact,locations,Nieuw,\n\
               consumption_rooms.locations,NL,2031,veertig,exact,locations,Nieuw,\n\
               consumption_rooms.locations,NL,2032,,exact,locations,Nieuw,\n";
    let report = vangnet::rounds::import_figures(&app.store, bad.as_bytes(), "bad.csv", &actor)
        .await
        .unwrap();
    let text = report.to_string();
    assert!(
        text.contains("bad.csv: row 3, column D (value): 'veertig' is not a number"),
        "{text}"
    );
    assert!(text.contains("bad.csv: row 4, column D (value):"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(
        app.store.published_figures(None).await.unwrap().len(),
        first.created,
        "no row of a bad file is written"
    );
}

#[tokio::test]
async fn a_researcher_runs_a_round_from_the_staff_pages() {
    let app = TestApp::new().await;
    let report = app.import("voorzieningen.csv", DUTCH_CSV).await;
    assert!(report.is_ok(), "{report}");
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let list = researcher.get("/beheer/rondes").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert!(list.text().contains("Er zijn nog geen rondes."));

    let day = today();
    let created = researcher
        .submit(
            "/beheer/rondes",
            "/beheer/rondes",
            &[
                ("name", "2026"),
                ("reference_date", &day),
                ("services", "consumption_room"),
                ("services", "methadone_clinic"),
                ("services", "syringe_exchange"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    assert_eq!(
        location(&created),
        "/beheer/rondes/2026?melding=ronde-aangemaakt"
    );
    let page = researcher.get(location(&created)).await.text();
    assert!(page.contains("De ronde is aangemaakt"), "{page}");
    assert!(page.contains("Voorlopig"), "{page}");
    assert!(
        !page.contains("Medische heroïne-unit"),
        "not in scope: {page}"
    );

    let taken = researcher
        .submit(
            "/beheer/rondes",
            "/beheer/rondes",
            &[
                ("name", "2026"),
                ("reference_date", &day),
                ("services", "naloxone"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken
            .text()
            .contains("Er is al een ronde met de naam &#39;2026&#39;."),
        "the page says why, as the use case does: {}",
        taken.text()
    );

    let saved = researcher
        .submit(
            "/beheer/rondes/2026",
            "/beheer/rondes/2026/telling",
            &[
                ("service", "methadone_clinic"),
                ("qualifier", "unknown"),
                ("value", ""),
                ("note", ""),
                ("source", "LADIS Kerncijfers verslavingszorg 2015-2024"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let invalid = researcher
        .submit(
            "/beheer/rondes/2026",
            "/beheer/rondes/2026/telling",
            &[
                ("service", "syringe_exchange"),
                ("qualifier", "at_least"),
                ("value", "veel"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid
        .text()
        .contains("id=\"syringe_exchange-value-error\""));

    // Closing first shows what will be frozen, and asks.
    let asked = researcher
        .submit("/beheer/rondes/2026", "/beheer/rondes/2026/sluiten", &[])
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
    let question = asked.text();
    assert!(question.contains("Ronde 2026 sluiten?"), "{question}");
    assert!(question.contains("Ja, sluit ronde 2026"), "{question}");
    assert!(
        question.contains("<table"),
        "the table as it will be frozen: {question}"
    );
    assert_eq!(
        vangnet::rounds::round_named(&app.store, "2026")
            .await
            .unwrap()
            .unwrap()
            .status,
        vangnet::domain::round::RoundStatus::Open,
        "asking changes nothing"
    );
    let closed = researcher
        .submit(
            "/beheer/rondes/2026",
            "/beheer/rondes/2026/sluiten",
            &[("bevestigd", "ja")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
    let page = researcher.get(location(&closed)).await.text();
    assert!(page.contains("haar cijfers zijn vastgelegd"), "{page}");
    assert!(page.contains("onbekend"), "{page}");
    assert!(
        page.contains("/api/v1/reports/table1?round=2026&amp;format=xlsx"),
        "{page}"
    );
    let no_reason = researcher
        .submit(
            "/beheer/rondes/2026",
            "/beheer/rondes/2026/heropenen",
            &[("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = researcher
        .submit("/beheer/rondes/2026", "/beheer/rondes/2026/publiceren", &[])
        .await;
    assert!(
        asked.text().contains("Ja, publiceer ronde 2026"),
        "{}",
        asked.text()
    );
    assert_eq!(
        Browser::new(&app).get("/cijfers/2026").await.status,
        StatusCode::NOT_FOUND,
        "asking publishes nothing"
    );
    let published = researcher
        .submit(
            "/beheer/rondes/2026",
            "/beheer/rondes/2026/publiceren",
            &[("bevestigd", "ja")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    let public = Browser::new(&app).get("/cijfers/2026").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text().contains("LADIS Kerncijfers"));
    assert!(
        !public.text().contains("/beheer/voorzieningen/"),
        "the public page does not link staff pages"
    );

    // Others may not see the staff pages.
    let mut manager = signed_in(&app, "beheer@example.org", "auditor", None).await;
    assert_eq!(
        manager.get("/beheer/rondes").await.status,
        StatusCode::FORBIDDEN
    );
}

/// `vangnet ARGS`: its exit status, stdout and stderr.
pub fn vangnet(args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(args)
        .env_remove("VANGNET_DATABASE_URL")
        .output()
        .expect("run vangnet");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_runs_a_round_and_writes_table1_files() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("voorzieningen.csv");
    std::fs::write(&data, DUTCH_CSV).unwrap();
    let figures = dir.path().join("published_figures.csv");
    std::fs::write(&figures, FIGURES).unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", &db.url]);
        let (ok, out, err) = vangnet(&all);
        assert!(ok, "vangnet {args:?}: {err}{out}");
        out
    };
    run(&["import", "facilities", data.to_str().unwrap()]);
    let loaded = run(&["import", "figures", figures.to_str().unwrap()]);
    assert!(
        loaded.contains("created, 0 updated, 0 unchanged"),
        "{loaded}"
    );
    let again = run(&["import", "figures", figures.to_str().unwrap()]);
    assert!(again.contains(" 0 created, 0 updated,"), "{again}");
    let day = today();
    run(&[
        "round",
        "create",
        "2026",
        "--date",
        &day,
        "--services",
        "consumption_room,syringe_exchange,methadone_clinic",
    ]);
    let set = run(&[
        "round",
        "set-count",
        "2026",
        "syringe_exchange",
        "--qualifier",
        "at_least",
        "--note",
        "bekende ondertelling",
    ]);
    assert!(set.contains("| Spuitomruil | ≥2 |"), "{set}");
    run(&["round", "close", "2026"]);
    let listed = run(&["round", "list"]);
    assert!(
        listed.starts_with(&format!("2026\t{day}\tclosed\t")),
        "{listed}"
    );
    let (ok, _, err) = vangnet(&[
        "round",
        "reopen",
        "2026",
        "--reason",
        "",
        "--database",
        &db.url,
    ]);
    assert!(!ok && err.contains("--reason"), "{err}");
    run(&["round", "publish", "2026"]);
    for format in ["json", "csv", "md", "xlsx", "html"] {
        let file = dir.path().join(format!("tabel1.{format}"));
        run(&[
            "report",
            "table1",
            "--round",
            "2026",
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ]);
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.is_empty(), "{format}");
    }
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("tabel1.json")).unwrap()).unwrap();
    assert_eq!(json["status"], "published");
    let (ok, _, err) = vangnet(&[
        "round",
        "create",
        "twintig",
        "--date",
        &day,
        "--database",
        &db.url,
    ]);
    assert!(!ok && err.contains("--name"), "{err}");
}

#[tokio::test]
async fn table1_markdown_shows_a_typed_note_as_text_not_as_html_or_markup() {
    let app = TestApp::new().await;
    register_with_round(&app).await;
    let reply = app
        .post(
            "/api/v1/rounds/2026/counts",
            json!({"service": "syringe_exchange", "qualifier": "at_least",
                   "note": "<script>alert(1)</script> | *x*\n[link](http://x) _y_ `z` & co",
                   "source": "<b>Trimbos</b>"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let md = app
        .get_as_admin("/api/v1/reports/table1?round=2026&format=md")
        .await
        .text();
    let row = md
        .lines()
        .find(|l| l.starts_with("| Spuitomruil |"))
        .unwrap_or_else(|| panic!("no syringe exchange row: {md}"));
    assert!(
        row.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\* \\[link\\](http://x) \\_y\\_ \\`z\\` &amp; co"
        ),
        "{row}"
    );
    assert!(row.contains("&lt;b&gt;Trimbos&lt;/b&gt;"), "{row}");
    assert!(!md.contains("<script>") && !md.contains("<b>"), "{md}");
    // Still one row of seven cells: the pipe in the note does not split it.
    let cells = row.split(" | ").count();
    assert_eq!(cells, 7, "{row}");
}

/// A refusal shows the use case's reason, in the reader's language: the
/// page does not work out for itself why closing failed.
#[tokio::test]
async fn a_refused_close_says_why_in_dutch_and_english() {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let later = (vangnet::domain::date::today() + chrono::Days::new(30)).to_string();
    let created = researcher
        .submit(
            "/beheer/rondes",
            "/beheer/rondes",
            &[
                ("name", "2099"),
                ("reference_date", &later),
                ("services", "naloxone"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());

    let expected = [
        (
            "nl",
            format!("Ronde &#39;2099&#39; telt {later}, en die dag moet nog komen"),
        ),
        (
            "en",
            format!("Round &#39;2099&#39; counts {later}, which is still to come"),
        ),
    ];
    for (lang, reason) in expected {
        researcher
            .get(&format!("/taal?lang={lang}&terug=/beheer/rondes/2099"))
            .await;
        let refused = researcher
            .submit("/beheer/rondes/2099", "/beheer/rondes/2099/sluiten", &[])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        let html = refused.text();
        assert!(html.contains(&reason), "{lang}: {html}");
        assert_eq!(html.contains("moet nog komen"), lang == "nl", "{html}");
    }
}
