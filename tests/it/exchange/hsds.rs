//! Open Referral HSDS 3.0 under `/hsds/`: every API answer and every file of
//! the export validates against the specification's compiled JSON Schemas
//! (`../shared/data/standards/hsds-3.0/compiled/`, Python `jsonschema`,
//! draft 7, with the formats checked); only public facilities and no
//! contact people appear; opening hours become weekly schedules where a
//! week can say them; and a change in the register shows in the
//! `modified_after` answer while an untouched facility does not.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{TestApp, DUTCH_CSV};

const SCHEMAS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/standards/hsds-3.0/compiled"
);

/// Validates `[{"schema", "kind", "doc", "what"}]`: `kind` is `object`
/// (the document against the schema), `page` (the API's paging envelope
/// with the schema for each of `contents`) or `array` (each element).
/// Formats are checked too: uuid, date-time, uri and email.
const VALIDATE: &str = r#"
import json, sys, uuid, datetime, urllib.parse
import jsonschema
checker = jsonschema.FormatChecker()
@checker.checks("uuid", raises=ValueError)
def is_uuid(value):
    return not isinstance(value, str) or str(uuid.UUID(value)) == value
@checker.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value and t.tzinfo is not None
@checker.checks("uri")
def is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc) and " " not in value
page_fields = {"total_items": "integer", "total_pages": "integer", "page_number": "integer",
               "size": "integer", "first_page": "boolean", "last_page": "boolean", "empty": "boolean"}
schemas_dir, cases_file = sys.argv[1], sys.argv[2]
cases = json.load(open(cases_file))
failures = 0
for case in cases:
    schema = json.load(open(f"{schemas_dir}/{case['schema']}.json")) if case["schema"] else case["inline"]
    if case["kind"] == "page":
        schema = {"type": "object", "required": list(page_fields) + ["contents"],
                  "properties": {**{k: {"type": t} for k, t in page_fields.items()},
                                 "contents": {"type": "array", "items": schema}}}
    elif case["kind"] == "array":
        schema = {"type": "array", "items": schema}
    validator = jsonschema.Draft7Validator(schema, format_checker=checker)
    for error in validator.iter_errors(case["doc"]):
        failures += 1
        print(f"{case['what']}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
print(f"checked {len(cases)} documents")
sys.exit(1 if failures else 0)
"#;

fn python_with_jsonschema() -> PathBuf {
    crate::common::python_with("import jsonschema", "the HSDS tests need jsonschema")
}

/// Documents to validate, with the schema each must meet.
#[derive(Default)]
struct Cases(Vec<Value>);

impl Cases {
    fn add(&mut self, what: &str, schema: &str, kind: &str, doc: &Value) {
        self.0
            .push(json!({"what": what, "schema": schema, "kind": kind, "doc": doc}));
    }

    /// Runs the validator over every document; panics with its findings.
    fn validate(&self) {
        assert!(
            Path::new(SCHEMAS).join("service.json").exists(),
            "the HSDS 3.0 schemas are missing from {SCHEMAS}"
        );
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases.json");
        std::fs::write(&cases, serde_json::to_vec(&self.0).unwrap()).unwrap();
        let output = Command::new(python_with_jsonschema())
            .args(["-c", VALIDATE, SCHEMAS])
            .arg(&cases)
            .output()
            .expect("run python");
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "HSDS schema validation failed:\n{report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            report.contains(&format!("checked {} documents", self.0.len())),
            "{report}"
        );
    }
}

async fn ok(app: &TestApp, uri: &str) -> Value {
    let reply = app.get(uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    reply.json()
}

/// Every item of a paged list, walking the pages `per_page` at a time;
/// each page is added to `cases`.
async fn all_pages(app: &TestApp, cases: &mut Cases, path: &str, schema: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut number = 1;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let uri = format!("{path}{sep}per_page=2&page={number}");
        let page = ok(app, &uri).await;
        cases.add(&uri, schema, "page", &page);
        assert_eq!(page["page_number"], number);
        assert_eq!(page["first_page"], number == 1);
        items.extend(page["contents"].as_array().unwrap().iter().cloned());
        if page["last_page"] == true {
            assert_eq!(page["total_pages"], number, "{uri}");
            assert_eq!(page["total_items"], items.len(), "{uri}");
            return items;
        }
        number += 1;
    }
}

/// The demo register: the Dutch spreadsheet (a residents-only room that is
/// not public, a closed room, weekly hours) and a pharmacy with a phone
/// number, access rules and hours with public holidays.
async fn demo() -> TestApp {
    let app = TestApp::new().await;
    let report = app.import("demo.csv", DUTCH_CSV).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let reply = app
        .post(
            "/api/v1/organisations",
            json!({"name": "Demo Stichting", "kind": "volunteer", "website": "https://demo.example",
                   "contact_name": "Piet Geheim", "contact_email": "piet@geheim.example"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let organisation = reply.json()["id"].as_i64().unwrap();
    let reply = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Demo Inloop Noord", "organisation_id": organisation,
                   "services": ["naloxone", "paraphernalia"], "street": "Proefstraat 9",
                   "postcode": "3521 AB", "city": "Utrecht", "latitude": 52.0832, "longitude": 5.1105,
                   "opening_hours": "Mo,We 10:00-12:00,13:00-16:00; Fr 10:00-12:00; PH off",
                   "phone": "030 123 45 67", "referral_required": false, "intake_required": true,
                   "target_groups": "dak- en thuislozen", "max_visits_per_day": 2,
                   "notes": "interne notitie: sleutel bij de buren"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    app
}

#[tokio::test]
async fn every_hsds_answer_and_export_file_meets_the_hsds_3_schemas() {
    let app = demo().await;
    let mut cases = Cases::default();

    let meta = ok(&app, "/hsds/").await;
    assert_eq!(meta["version"], "3.0");
    cases.0.push(
        json!({"what": "/hsds/", "schema": null, "kind": "object", "doc": meta,
        "inline": {"type": "object", "required": ["version", "openapi_url"],
                   "properties": {"version": {"type": "string"},
                                  "openapi_url": {"type": "string", "format": "uri"}}}}),
    );

    let services = all_pages(&app, &mut cases, "/hsds/services", "service_list").await;
    let full = all_pages(&app, &mut cases, "/hsds/services?full=true", "service").await;
    assert_eq!(services.len(), full.len());
    // Public facilities only: 5 spreadsheet rows less the residents' room,
    // with 2 + 1 + 1 + 2 services, and the pharmacy's 2.
    assert_eq!(services.len(), 8, "{services:#?}");
    for s in &services {
        let id = s["id"].as_str().unwrap();
        let one = ok(&app, &format!("/hsds/services/{id}")).await;
        cases.add(id, "service", "object", &one);
        assert_eq!(one["id"], id);
    }

    let organisations =
        all_pages(&app, &mut cases, "/hsds/organizations", "organization_list").await;
    all_pages(
        &app,
        &mut cases,
        "/hsds/organizations?full=true",
        "organization",
    )
    .await;
    for o in &organisations {
        let id = o["id"].as_str().unwrap();
        let one = ok(&app, &format!("/hsds/organizations/{id}")).await;
        cases.add(id, "organization", "object", &one);
        let with_services = ok(&app, &format!("/hsds/organizations/{id}?full_service=true")).await;
        cases.add(id, "organization", "object", &with_services);
    }

    let at_locations = all_pages(
        &app,
        &mut cases,
        "/hsds/service_at_locations",
        "service_at_location_list",
    )
    .await;
    all_pages(
        &app,
        &mut cases,
        "/hsds/service_at_locations?full=true",
        "service_at_location",
    )
    .await;
    assert_eq!(at_locations.len(), services.len());
    for s in &at_locations {
        let id = s["id"].as_str().unwrap();
        let one = ok(&app, &format!("/hsds/service_at_locations/{id}")).await;
        cases.add(id, "service_at_location", "object", &one);
    }

    // Near a postcode: nearest first, and within a distance only those.
    let near = ok(
        &app,
        "/hsds/service_at_locations?postcode=3521AB&proximity=2000",
    )
    .await;
    cases.add("near", "service_at_location_list", "page", &near);
    let near_names: Vec<&str> = near["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["location"]["name"].as_str().unwrap())
        .collect();
    assert!(!near_names.is_empty());
    assert!(
        near_names
            .iter()
            .all(|n| ["Demo Inloop Noord", "Demo Huiskamer Centrum"].contains(n)),
        "{near_names:?}"
    );
    assert_eq!(near_names[0], "Demo Inloop Noord");
    let bad = app.get("/hsds/service_at_locations?proximity=2000").await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );

    let zip = app.get("/hsds/export.zip").await;
    assert_eq!(zip.status, StatusCode::OK);
    assert_eq!(zip.headers["content-type"], "application/zip");
    let mut archive = zip::ZipArchive::new(Cursor::new(zip.bytes.clone())).unwrap();
    let mut names = Vec::new();
    let mut exported = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().to_string();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let schema = name.trim_end_matches(".json").trim_end_matches('s');
        cases.add(&name, schema, "array", &doc);
        if name == "services.json" {
            assert_eq!(doc.as_array().unwrap().len(), services.len());
        }
        exported.push_str(&text);
        names.push(name);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "organizations.json",
            "service_at_locations.json",
            "services.json"
        ]
    );

    cases.validate();

    // Nothing that is not public: not the residents' room, not the
    // organisation's contact person, not internal notes.
    let everything = format!("{exported}{}", serde_json::to_string(&full).unwrap());
    for secret in [
        "Demo Bewonersruimte",
        "Piet Geheim",
        "piet@geheim.example",
        "interne notitie",
    ] {
        assert!(!everything.contains(secret), "{secret} is published");
    }

    // Statuses, phone and schedules of the services.
    let named = |name: &str| -> Vec<&Value> {
        full.iter()
            .filter(|s| s["name"].as_str().unwrap().ends_with(name))
            .collect()
    };
    assert!(named("Demo Oude Ruimte")
        .iter()
        .all(|s| s["status"] == "defunct"));
    let centre = named("Demo Huiskamer Centrum");
    assert_eq!(centre.len(), 2);
    let schedules = centre[0]["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 1, "{schedules:?}");
    assert_eq!(schedules[0]["freq"], "WEEKLY");
    assert_eq!(schedules[0]["byday"], "MO,TU,WE,TH,FR");
    assert_eq!(schedules[0]["opens_at"], "09:00");
    assert_eq!(schedules[0]["closes_at"], "17:00");
    let noord = named("Demo Inloop Noord");
    assert_eq!(noord[0]["status"], "active");
    assert_eq!(noord[0]["phones"][0]["number"], "030 123 45 67");
    assert!(noord[0]["application_process"]
        .as_str()
        .unwrap()
        .contains("intake"));
    // Public holidays are more than a week can say: the hours in words and
    // the original text, no weekly rule that would claim them open.
    let schedules = noord[0]["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 1, "{schedules:?}");
    assert!(schedules[0].get("freq").is_none());
    assert!(schedules[0]["description"]
        .as_str()
        .unwrap()
        .contains("10:00"));
    assert!(schedules[0]["notes"].as_str().unwrap().contains("PH off"));
    // In English on request.
    let english = ok(
        &app,
        &format!(
            "/hsds/services/{}?lang=en",
            noord[0]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert!(english["description"]
        .as_str()
        .unwrap()
        .starts_with("Paraphernalia: pipes"));
}

#[tokio::test]
async fn a_change_in_the_register_shows_in_modified_after_and_an_untouched_facility_does_not() {
    let app = demo().await;
    // The register records times to the second: start the change in a
    // second of its own, and ask for what changed from that second on.
    let now = chrono::Utc::now();
    let next_second =
        chrono::DateTime::<chrono::Utc>::from_timestamp(now.timestamp() + 1, 0).unwrap();
    tokio::time::sleep((next_second - now).to_std().unwrap()).await;
    let since = next_second.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let changed = app.facility_id("Demo Apotheek Zwolle").await;
    let reply = app
        .patch(
            &format!("/api/v1/facilities/{changed}"),
            json!({"opening_hours": "Mo-Fr 08:00-20:00"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let mut cases = Cases::default();
    let uri = format!("/hsds/services?full=true&modified_after={since}");
    let page = ok(&app, &uri).await;
    cases.add(&uri, "service", "page", &page);
    let names: Vec<&str> = page["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "syringe exchange and naloxone: {names:?}");
    assert!(
        names.iter().all(|n| n.ends_with("Demo Apotheek Zwolle")),
        "{names:?}"
    );
    let modified = page["contents"][0]["last_modified"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(modified).unwrap() >= next_second);
    let schedule = &page["contents"][0]["schedules"][0];
    assert_eq!(schedule["opens_at"], "08:00");
    // The new hours hold from the day the change took effect.
    assert_eq!(
        schedule["valid_from"],
        vangnet::domain::date::today().to_string()
    );

    let uri = format!("/hsds/service_at_locations?modified_after={since}");
    let page = ok(&app, &uri).await;
    cases.add(&uri, "service_at_location_list", "page", &page);
    assert_eq!(page["total_items"], 2);

    let uri = format!("/hsds/organizations?modified_after={since}");
    let page = ok(&app, &uri).await;
    cases.add(&uri, "organization_list", "page", &page);
    let organisations: Vec<&str> = page["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(organisations, ["Demo Apotheek"]);

    // Before the change, everything public.
    let all = ok(&app, "/hsds/services?modified_after=2000-01-01").await;
    assert_eq!(all["total_items"], 8);
    let bad = app.get("/hsds/services?modified_after=gisteren").await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    cases.validate();
}
