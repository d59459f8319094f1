//! Questionnaires: the shipped inventory questionnaire, refusals that name
//! the question and field, versions through the API and through the
//! editor page (driven as a browser without JavaScript would), and who may
//! see them at all.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::browser::*;
use crate::common::*;
use vangnet::domain::questionnaire::Questionnaire;
use vangnet::storage::audit::AuditFilter;

const EDIT: &str = "/beheer/vragenlijsten/inventory/bewerken";

async fn put(app: &TestApp, code: &str, body: &Value) -> Reply {
    app.send(
        Method::PUT,
        &format!("/api/v1/questionnaires/{code}"),
        Some(body.clone()),
        Some(&app.token.clone()),
    )
    .await
}

/// The shipped definition as JSON, to change in a test.
fn inventory() -> Value {
    serde_json::to_value(Questionnaire::inventory()).unwrap()
}

/// The refusals of a 422 as (field, message).
fn refusals(reply: &Reply) -> Vec<(String, String)> {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_inventory_questionnaire_is_installed_once_in_both_languages() {
    let app = TestApp::new().await;
    // A second start installs nothing again.
    app.store.ensure_default_questionnaire().await.unwrap();
    let list = app.get_as_admin("/api/v1/questionnaires").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let all = list.json()["questionnaires"].as_array().unwrap().clone();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["version"], 1);
    assert_eq!(all[0]["changed_by"], "vangnet");
    let q = &all[0]["definition"];
    assert_eq!(q["code"], "inventory");
    // Every text a respondent reads is there in Dutch and in English.
    let mut texts = vec![&q["title"], &q["introduction"]];
    let mut questions: Vec<&Value> = q["questions"].as_array().unwrap().iter().collect();
    let block = questions
        .iter()
        .find(|q| q["kind"] == "location_block")
        .expect("a location block")
        .to_owned();
    questions.extend(block["questions"].as_array().unwrap());
    for question in &questions {
        texts.push(&question["text"]);
        if question.get("help").is_some() {
            texts.push(&question["help"]);
        }
        for option in question["options"].as_array().into_iter().flatten() {
            texts.push(&option["label"]);
        }
    }
    for text in &texts {
        for lang in ["nl", "en"] {
            let t = text[lang].as_str().unwrap_or_default();
            assert!(!t.trim().is_empty(), "no {lang} in {text}");
        }
    }
    // English is written, not copied: only "Postcode" reads the same.
    let same: Vec<&&Value> = texts.iter().filter(|t| t["nl"] == t["en"]).collect();
    assert_eq!(same.len(), 1, "{same:?}");
    // The services, rooms, places, hours and closing of each location.
    let in_block: Vec<&str> = block["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["maps_to"].as_str())
        .collect();
    for field in [
        "name",
        "street",
        "postcode",
        "city",
        "services",
        "public_access",
        "target_groups",
        "rooms",
        "capacity",
        "opening_hours",
        "closed_on",
    ] {
        assert!(in_block.contains(&field), "{field} in {in_block:?}");
    }
    // The stored definition is the shipped file, read through the domain type.
    assert_eq!(
        serde_json::from_value::<Questionnaire>(q.clone()).unwrap(),
        Questionnaire::inventory()
    );
}

#[tokio::test]
async fn invalid_definitions_are_refused_naming_the_question_and_field() {
    let app = TestApp::new().await;
    let change = |edit: &dyn Fn(&mut Value)| {
        let mut q = inventory();
        edit(&mut q);
        q
    };
    // A code used twice: a child of the block takes a top-level code.
    let twice = change(&|q| q["questions"][5]["questions"][0]["code"] = json!("heroin_unit"));
    let found = refusals(&put(&app, "inventory", &twice).await);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "questions[5].questions[0].code");
    assert!(found[0].1.contains("heroin_unit"), "{found:?}");
    // A choice with one option.
    let one = change(&|q| {
        let services = &mut q["questions"][5]["questions"][4]["options"];
        services.as_array_mut().unwrap().truncate(1);
    });
    let found = refusals(&put(&app, "inventory", &one).await);
    assert_eq!(found[0].0, "questions[5].questions[4].options");
    assert!(
        found[0].1.contains("services") && found[0].1.contains("two"),
        "{found:?}"
    );
    // A location block inside the location block.
    let nested = change(&|q| {
        let block = q["questions"][5].clone();
        let mut inner = block.clone();
        inner["code"] = json!("inner_locations");
        inner["questions"] = json!([{"code": "inner_name", "kind": "text",
            "text": {"nl": "Naam", "en": "Name"}}]);
        q["questions"][5]["questions"]
            .as_array_mut()
            .unwrap()
            .push(inner);
    });
    let found = refusals(&put(&app, "inventory", &nested).await);
    assert_eq!(found[0].0, "questions[5].questions[14].kind", "{found:?}");
    assert!(found[0].1.contains("inner_locations"), "{found:?}");
    // English text missing.
    let no_english = change(&|q| q["questions"][4]["text"]["en"] = json!(""));
    let found = refusals(&put(&app, "inventory", &no_english).await);
    assert_eq!(
        found,
        [(
            "questions[4].text.en".to_string(),
            "question heroin_unit: the English text is missing".to_string()
        )]
    );
    // A field no question has.
    let unknown = change(&|q| q["questions"][0]["colour"] = json!("red"));
    let found = refusals(&put(&app, "inventory", &unknown).await);
    assert!(found[0].0.starts_with("questions[0]"), "{found:?}");
    // Nothing was stored.
    let latest = app
        .get_as_admin("/api/v1/questionnaires/inventory")
        .await
        .json();
    assert_eq!(latest["version"], 1);
}

#[tokio::test]
async fn a_put_stores_a_new_version_and_every_earlier_one_stays_readable() {
    let app = TestApp::new().await;
    let mut changed = inventory();
    changed["title"]["nl"] = json!("Inventarisatie 2026");
    let created = put(&app, "inventory", &changed).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["version"], 2);
    let latest = app
        .get_as_admin("/api/v1/questionnaires/inventory")
        .await
        .json();
    assert_eq!(latest["version"], 2);
    assert_eq!(latest["definition"], changed);
    let first = app
        .get_as_admin("/api/v1/questionnaires/inventory?version=1")
        .await
        .json();
    assert_eq!(first["definition"], inventory());
    // The same definition again makes no version.
    let again = put(&app, "inventory", &changed).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["version"], 2);
    // A new questionnaire starts at version 1; its code comes from the path.
    let mut short = inventory();
    short["code"] = json!("");
    short["questions"].as_array_mut().unwrap().truncate(2);
    let new = put(&app, "short_2026", &short).await;
    assert_eq!(new.status, StatusCode::CREATED, "{}", new.text());
    assert_eq!(new.json()["definition"]["code"], "short_2026");
    assert_eq!(new.json()["version"], 1);
    let missing = app
        .get_as_admin("/api/v1/questionnaires/inventory?version=9")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Each change is in the audit log with what it was before.
    let audit = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("questionnaire".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let update = audit
        .iter()
        .find(|e| e.event == "update" && e.object_id.as_deref() == Some("inventory"))
        .expect("the update is audited");
    assert_eq!(update.detail.as_deref(), Some("version 2"));
    assert_eq!(
        update.before.as_ref().unwrap()["title"]["nl"],
        inventory()["title"]["nl"]
    );
    assert_eq!(
        update.after.as_ref().unwrap()["title"]["nl"],
        "Inventarisatie 2026"
    );
    assert!(audit
        .iter()
        .any(|e| e.event == "create" && e.object_id.as_deref() == Some("short_2026")));
    assert!(audit.iter().any(|e| e.event == "read"), "reads are audited");
    // The API's description lists the routes.
    let openapi = app.get("/api/openapi.json").await.json();
    assert!(openapi["paths"]["/api/v1/questionnaires/{code}"]["put"].is_object());
}

#[tokio::test]
async fn only_admins_and_researchers_see_questionnaires() {
    let app = TestApp::new().await;
    let org = app
        .post("/api/v1/organisations", json!({"name": "Demo Zorg"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let (_, manager) = app
        .user_token("beheer@demo.example", "org_manager", Some(org))
        .await;
    let (_, researcher) = app
        .user_token("onderzoek@demo.example", "researcher", None)
        .await;
    for (method, body) in [(Method::GET, None), (Method::PUT, Some(inventory()))] {
        let uri = "/api/v1/questionnaires/inventory";
        let refused = app
            .send(method.clone(), uri, body.clone(), Some(&manager))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{method}");
        let anonymous = app.send(method.clone(), uri, body.clone(), None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method}");
        let allowed = app.send(method.clone(), uri, body, Some(&researcher)).await;
        assert!(allowed.status.is_success(), "{method}: {}", allowed.text());
    }
    let mut browser = signed_in(&app, "manager@demo.example", "org_manager", Some(org)).await;
    for page in [
        "/beheer/vragenlijsten",
        "/beheer/vragenlijsten/inventory",
        EDIT,
    ] {
        assert_eq!(
            browser.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    let anonymous = app.get("/beheer/vragenlijsten").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

/// Replaces (or adds) a field of a form.
fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_string(), value.to_string()));
}

/// Posts the editor's form as shown with `changes` and the button `action`.
async fn press(browser: &mut Browser, html: &str, changes: &[(&str, &str)], action: &str) -> Reply {
    let mut fields = form_fields(html, EDIT);
    for (name, value) in changes {
        set(&mut fields, name, value);
    }
    set(&mut fields, "action", action);
    browser.post(EDIT, &fields).await
}

async fn version(app: &TestApp, n: i64) -> Value {
    let reply = app
        .get_as_admin(&format!("/api/v1/questionnaires/inventory?version={n}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()["definition"].clone()
}

fn codes(q: &Value) -> Vec<String> {
    q["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_editor_adds_every_kind_reorders_and_removes_each_save_a_version() {
    let app = TestApp::new().await;
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let shown = page(&browser.get("/beheer/vragenlijsten/inventory").await);
    assert!(shown.contains("Heeft uw organisatie een medische heroïne-unit"));
    assert!(shown.contains("Does your organisation run a medical heroin unit"));
    let mut html = page(&browser.get(EDIT).await);
    // One question of each kind at the end, and a text question in the new block.
    let kinds = [
        "yes_no",
        "number",
        "text",
        "date",
        "choice",
        "multi_choice",
        "location_block",
    ];
    for kind in kinds {
        let reply = press(
            &mut browser,
            &html,
            &[("add_kind", kind), ("add_to", "")],
            "add",
        )
        .await;
        html = page(&reply);
    }
    assert!(
        html.contains("name=\"questions[13].kind\" value=\"location_block\""),
        "{html}"
    );
    let reply = press(
        &mut browser,
        &html,
        &[("add_kind", "text"), ("add_to", "questions[13]")],
        "add",
    )
    .await;
    html = page(&reply);
    assert!(
        html.contains("name=\"questions[13].questions[0].code\""),
        "{html}"
    );
    // Adding stored nothing yet.
    assert_eq!(
        app.get_as_admin("/api/v1/questionnaires/inventory")
            .await
            .json()["version"],
        1
    );
    // Fill them in; one English text left out is shown at its field.
    let mut changes: Vec<(String, String)> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let p = format!("questions[{}]", 7 + i);
        changes.push((format!("{p}.code"), format!("new_{kind}")));
        changes.push((format!("{p}.text.nl"), format!("Nieuwe vraag {kind}")));
        changes.push((format!("{p}.text.en"), format!("New question {kind}")));
    }
    changes.push(("questions[8].min".into(), "0".into()));
    changes.push(("questions[8].max".into(), "20".into()));
    for p in ["questions[11]", "questions[12]"] {
        changes.push((
            format!("{p}.options"),
            "ja | Ja | Yes\nnee | Nee | No".into(),
        ));
    }
    changes.push(("questions[13].questions[0].code".into(), "new_child".into()));
    changes.push(("questions[13].questions[0].text.nl".into(), "Kind".into()));
    changes.push(("questions[13].questions[0].text.en".into(), "".into()));
    let as_refs: Vec<(&str, &str)> = changes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let refused = press(&mut browser, &html, &as_refs, "save").await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    let refused_html = refused.text();
    assert!(
        refused_html.contains(
            "id=\"questions[13].questions[0].text.en-error\">Vraag new_child: de Engelse tekst ontbreekt."
        ),
        "{refused_html}"
    );
    let saved = press(
        &mut browser,
        &refused_html,
        &[("questions[13].questions[0].text.en", "Child")],
        "save",
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert!(location(&saved).contains("melding=vragenlijst-opgeslagen"));
    let v2 = version(&app, 2).await;
    let added: Vec<&str> = v2["questions"].as_array().unwrap()[7..]
        .iter()
        .map(|q| q["kind"].as_str().unwrap())
        .collect();
    assert_eq!(added, kinds);
    assert_eq!(v2["questions"][8]["max"], 20);
    assert_eq!(v2["questions"][11]["options"][1]["label"]["en"], "No");
    assert_eq!(v2["questions"][13]["questions"][0]["code"], "new_child");
    // Version 1 is still the shipped questionnaire.
    assert_eq!(version(&app, 1).await, inventory());

    // Move the second question up, then save: version 3.
    let html = page(&browser.get(EDIT).await);
    let moved = press(&mut browser, &html, &[], "up:questions[1]").await;
    let saved = press(&mut browser, &page(&moved), &[], "save").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let v3 = version(&app, 3).await;
    assert_eq!(codes(&v3)[..2], ["syringe_exchange", "consumption_room"]);
    // Move a child of the shipped block down.
    let html = page(&browser.get(EDIT).await);
    let moved = press(&mut browser, &html, &[], "down:questions[5].questions[0]").await;
    let saved = press(&mut browser, &page(&moved), &[], "save").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let v4 = version(&app, 4).await;
    assert_eq!(v4["questions"][5]["questions"][0]["code"], "street");
    assert_eq!(v4["questions"][5]["questions"][1]["code"], "name");
    // Remove the new block and the remarks question: version 5.
    let html = page(&browser.get(EDIT).await);
    let removed = page(&press(&mut browser, &html, &[], "remove:questions[13]").await);
    let removed = press(&mut browser, &removed, &[], "remove:questions[6]").await;
    let saved = press(&mut browser, &page(&removed), &[], "save").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let v5 = version(&app, 5).await;
    let now = codes(&v5);
    assert!(
        !now.contains(&"remarks".to_string()) && !now.contains(&"new_location_block".to_string()),
        "{now:?}"
    );
    assert_eq!(now.len(), 12);
    // Every version is listed and readable on the page.
    let shown = page(
        &browser
            .get("/beheer/vragenlijsten/inventory?versie=2")
            .await,
    );
    assert!(
        shown.contains("Nieuwe vraag multi_choice") && shown.contains("New question multi_choice")
    );
    for n in 1..=5 {
        assert!(
            shown.contains(&format!("?versie={n}\"")) || n == 2,
            "version {n} listed"
        );
    }
    // Saving what is already stored makes no version.
    let html = page(&browser.get(EDIT).await);
    let same = press(&mut browser, &html, &[], "save").await;
    assert!(location(&same).contains("vragenlijst-ongewijzigd"));
    assert_eq!(
        app.get_as_admin("/api/v1/questionnaires/inventory")
            .await
            .json()["version"],
        5
    );
}

#[tokio::test]
async fn a_save_over_a_version_someone_else_stored_meanwhile_is_refused() {
    let app = TestApp::new().await;
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let html = page(&browser.get(EDIT).await);
    let mut other = inventory();
    other["title"]["en"] = json!("Inventory 2026");
    assert_eq!(
        put(&app, "inventory", &other).await.status,
        StatusCode::CREATED
    );
    let late = press(&mut browser, &html, &[("title.nl", "Mijn titel")], "save").await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text());
    assert!(late.text().contains("intussen opgeslagen"));
    let latest = app
        .get_as_admin("/api/v1/questionnaires/inventory")
        .await
        .json();
    assert_eq!(latest["version"], 2);
    assert_eq!(latest["definition"]["title"]["en"], "Inventory 2026");
}

#[tokio::test]
async fn the_pages_speak_english_one_click_away() {
    let app = TestApp::new().await;
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let list = page(&browser.get("/beheer/vragenlijsten").await);
    assert!(list.contains("Inventarisatie harm-reductionvoorzieningen"));
    let switch = browser
        .get("/taal?lang=en&terug=/beheer/vragenlijsten")
        .await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    let list = page(&browser.get("/beheer/vragenlijsten").await);
    assert!(
        list.contains("Inventory of harm-reduction services"),
        "{list}"
    );
    let edit = page(&browser.get(EDIT).await);
    assert!(edit.contains("Kind of question") && edit.contains("Location block (per location)"));
}

#[tokio::test]
async fn the_editor_refuses_a_block_in_a_block_and_a_number_it_cannot_read() {
    let app = TestApp::new().await;
    let mut browser = signed_in(&app, "onderzoek@demo.example", "researcher", None).await;
    let html = page(&browser.get(EDIT).await);
    let nested = press(
        &mut browser,
        &html,
        &[("add_kind", "location_block"), ("add_to", "questions[5]")],
        "add",
    )
    .await;
    let nested = page(&nested);
    assert!(
        nested.contains(
            "id=\"add_kind-error\">Een locatieblok kan niet in een ander locatieblok staan."
        ),
        "{nested}"
    );
    assert!(!nested.contains("name=\"questions[5].questions[14].code\""));
    let typed = press(
        &mut browser,
        &html,
        &[("questions[5].questions[9].max", "veel")],
        "save",
    )
    .await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let typed = typed.text();
    assert!(
        typed.contains("id=\"questions[5].questions[9].max-error\">Vul een heel getal in"),
        "{typed}"
    );
    assert!(
        typed.contains("value=\"veel\""),
        "what was typed is shown again"
    );
    assert_eq!(
        app.get_as_admin("/api/v1/questionnaires/inventory")
            .await
            .json()["version"],
        1
    );
}
