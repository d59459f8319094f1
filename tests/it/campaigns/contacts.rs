//! Contacts, the people at organisations whom campaigns mail: the import
//! (CSV and XLSX, English and Dutch headers, dry run, deduplication on
//! e-mail, the personal-data guard), opting out, who sees and changes
//! which contacts, erasure, the audit log, and the staff pages.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::browser::*;
use crate::common::*;
use vangnet::campaigns::contacts::import::{
    import_contacts, ContactImportOptions, ContactImportReport,
};
use vangnet::domain::provenance::Actor;
use vangnet::storage::audit::AuditFilter;

async fn organisation(app: &TestApp, name: &str) -> i64 {
    let reply = app
        .post("/api/v1/organisations", json!({ "name": name }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

/// Two organisations, as the register knows them.
async fn register(app: &TestApp) -> (i64, i64) {
    (
        organisation(app, "Demo Zorg Utrecht").await,
        organisation(app, "Demo Apotheek Zwolle").await,
    )
}

async fn import(app: &TestApp, name: &str, bytes: &[u8], dry_run: bool) -> ContactImportReport {
    let options = ContactImportOptions {
        dry_run,
        actor: Actor::named("test"),
        file_name: name.to_string(),
        today: vangnet::domain::date::today(),
    };
    import_contacts(&app.store, bytes, &options)
        .await
        .expect("the import runs")
}

/// Every contact the admin sees, by e-mail address.
async fn contacts(app: &TestApp) -> Vec<Value> {
    let reply = app.get_as_admin("/api/v1/contacts").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json().as_array().unwrap().clone()
}

async fn contact(app: &TestApp, email: &str) -> Value {
    contacts(app)
        .await
        .into_iter()
        .find(|c| c["email"] == email)
        .unwrap_or_else(|| panic!("no contact {email}"))
}

const ENGLISH: &str = "organisation,name,role,email,phone
Demo Zorg Utrecht,Jan de Vries,coordinator,jan@zorg-utrecht.example,030 123 45 67
Demo Apotheek Zwolle,Fatma Yilmaz,,fatma@apotheek.example,
";

const DUTCH: &str = "Organisatie;Naam;Functie;E-mail;Telefoon
demo zorg utrecht;Piet Bakker;teamleider;Piet@Zorg-Utrecht.example;06-12345678
";

#[tokio::test]
async fn contacts_import_from_csv_with_english_or_dutch_headers() {
    let app = TestApp::new().await;
    let (utrecht, zwolle) = register(&app).await;
    let report = import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    assert!(report.is_ok() && report.written, "{report}");
    assert_eq!(report.added.len(), 2, "{report}");
    let report = import(&app, "contacten.csv", DUTCH.as_bytes(), false).await;
    assert!(report.is_ok() && report.written, "{report}");
    let jan = contact(&app, "jan@zorg-utrecht.example").await;
    assert_eq!(jan["name"], "Jan de Vries");
    assert_eq!(jan["role"], "coordinator");
    assert_eq!(jan["phone"], "030 123 45 67");
    assert_eq!(jan["organisation_id"], utrecht);
    assert_eq!(jan["opt_out"], false);
    let fatma = contact(&app, "fatma@apotheek.example").await;
    assert_eq!(fatma["organisation_id"], zwolle);
    assert!(fatma["role"].is_null() && fatma["phone"].is_null());
    // Matched by name as the facility import matches organisations.
    let piet = contact(&app, "Piet@Zorg-Utrecht.example").await;
    assert_eq!(piet["organisation_id"], utrecht);
    assert_eq!(piet["role"], "teamleider");
    let only_utrecht = app
        .get_as_admin(&format!("/api/v1/contacts?organisation_id={utrecht}"))
        .await
        .json();
    assert_eq!(only_utrecht.as_array().unwrap().len(), 2, "{only_utrecht}");
}

fn workbook(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn contacts_import_from_xlsx_in_either_language() {
    let app = TestApp::new().await;
    register(&app).await;
    let dutch = workbook(&[
        ["organisatie", "naam", "functie", "e-mail", "telefoon"],
        [
            "Demo Zorg Utrecht",
            "Jan de Vries",
            "coördinator",
            "jan@zorg-utrecht.example",
            "030 123 45 67",
        ],
    ]);
    let report = import(&app, "contacten.xlsx", &dutch, false).await;
    assert!(report.is_ok() && report.written, "{report}");
    let english = workbook(&[
        ["Organisation", "Name", "Role", "Email", "Phone"],
        [
            "Demo Apotheek Zwolle",
            "Fatma Yilmaz",
            "",
            "fatma@apotheek.example",
            "",
        ],
    ]);
    let report = import(&app, "contacts.xlsx", &english, false).await;
    assert!(report.is_ok() && report.written, "{report}");
    assert_eq!(
        contact(&app, "jan@zorg-utrecht.example").await["role"],
        "coördinator"
    );
    assert_eq!(
        contact(&app, "fatma@apotheek.example").await["name"],
        "Fatma Yilmaz"
    );
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    let app = TestApp::new().await;
    register(&app).await;
    let report = import(&app, "contacts.csv", ENGLISH.as_bytes(), true).await;
    assert!(report.is_ok() && !report.written, "{report}");
    assert_eq!(report.added.len(), 2);
    assert!(report.to_string().contains("2 would be added"), "{report}");
    let checks = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("contact".into()),
            event: Some("read".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        checks.iter().any(|e| e
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("import check of contacts.csv"))),
        "the check is a read of contacts: {checks:?}"
    );
    assert!(contacts(&app).await.is_empty(), "nothing written");
}

#[tokio::test]
async fn importing_again_changes_nothing_and_a_known_address_updates_its_contact() {
    let app = TestApp::new().await;
    let (utrecht, zwolle) = register(&app).await;
    import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    let jan = contact(&app, "jan@zorg-utrecht.example").await;
    // The contact opted out in between: a file never lifts that.
    let reply = app
        .patch(
            &format!("/api/v1/contacts/{}", jan["id"]),
            json!({"opt_out": true}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let again = import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    assert!(again.is_ok(), "{again}");
    assert_eq!(
        (
            again.added.len(),
            again.changed.len(),
            again.unchanged.len()
        ),
        (0, 0, 2),
        "{again}"
    );
    let moved = "organisation,name,role,email,phone
Demo Apotheek Zwolle,Jan de Vries,apotheker,JAN@zorg-utrecht.example,
";
    let check = import(&app, "moved.csv", moved.as_bytes(), true).await;
    assert_eq!(check.changed.len(), 1, "{check}");
    assert_eq!(
        check.changed[0].fields,
        ["organisation_id", "role", "email", "phone"]
    );
    let report = import(&app, "moved.csv", moved.as_bytes(), false).await;
    assert!(report.written, "{report}");
    let all = contacts(&app).await;
    assert_eq!(all.len(), 2, "updated, not added: {all:?}");
    let jan_now = contact(&app, "JAN@zorg-utrecht.example").await;
    assert_eq!(jan_now["id"], jan["id"]);
    assert_eq!(jan_now["organisation_id"], zwolle);
    assert_ne!(jan_now["organisation_id"], utrecht);
    assert_eq!(jan_now["role"], "apotheker");
    assert!(jan_now["phone"].is_null());
    assert_eq!(jan_now["opt_out"], true, "the opt-out stays");
}

#[tokio::test]
async fn the_same_address_twice_in_a_file_names_both_rows() {
    let app = TestApp::new().await;
    register(&app).await;
    let csv = "organisation,name,role,email,phone
Demo Zorg Utrecht,Jan de Vries,,jan@zorg-utrecht.example,
Demo Zorg Utrecht,Anna Smit,,anna@zorg-utrecht.example,
Demo Zorg Utrecht,J. de Vries,,Jan@Zorg-Utrecht.example,
";
    let report = import(&app, "double.csv", csv.as_bytes(), false).await;
    assert!(!report.written);
    assert_eq!(report.errors.len(), 1, "{report}");
    let error = &report.errors[0];
    assert_eq!(error.row, 4);
    assert_eq!(error.column.as_deref(), Some("D (email)"));
    assert!(
        error.message.contains("row 2") && error.message.contains("row 4"),
        "{error}"
    );
    assert!(contacts(&app).await.is_empty(), "all or nothing");
}

#[tokio::test]
async fn an_unknown_organisation_is_refused_with_its_row_and_column() {
    let app = TestApp::new().await;
    register(&app).await;
    let csv = "organisatie;naam;functie;e-mail;telefoon
Demo Zorg Utrecht;Jan de Vries;;jan@zorg-utrecht.example;
Demo Nergens;Anna Smit;;anna@nergens.example;
";
    let report = import(&app, "onbekend.csv", csv.as_bytes(), false).await;
    assert!(!report.written);
    assert_eq!(report.errors.len(), 1, "{report}");
    let error = &report.errors[0];
    assert_eq!(error.row, 3);
    assert_eq!(error.column.as_deref(), Some("A (organisatie)"));
    assert!(error.message.contains("Demo Nergens"), "{error}");
    assert_eq!(report.refused[0].name, "Anna Smit");
    assert!(contacts(&app).await.is_empty(), "all or nothing");
    let orgs = app.get("/api/v1/organisations").await.json();
    assert_eq!(orgs.as_array().unwrap().len(), 2, "no organisation created");
}

#[tokio::test]
async fn a_bsn_or_a_birth_date_is_refused_in_any_column() {
    let app = TestApp::new().await;
    register(&app).await;
    let csv = "organisation,name,role,email,phone
Demo Zorg Utrecht,Jan de Vries,BSN 111222333,jan@zorg-utrecht.example,
Demo Zorg Utrecht,\"Anna Smit, geboren 12-03-1985\",,anna@zorg-utrecht.example,
Demo Zorg Utrecht,Kees Jansen,,kees@zorg-utrecht.example,030 123 45 67
";
    let report = import(&app, "persoonlijk.csv", csv.as_bytes(), false).await;
    assert!(!report.written);
    let found: Vec<(usize, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_deref()))
        .collect();
    assert_eq!(
        found,
        [(2, Some("C (role)")), (3, Some("B (name)"))],
        "{report}"
    );
    assert!(report.errors[0].message.contains("BSN"), "{report}");
    assert!(
        !report.to_string().contains("111222333"),
        "the guard never repeats the value: {report}"
    );
    // A date cell in a workbook is a likely birthday.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["organisatie", "naam", "functie", "e-mail", "telefoon"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Demo Zorg Utrecht").unwrap();
    sheet.write_string(1, 1, "Jan de Vries").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
    sheet
        .write_datetime_with_format(
            1,
            2,
            rust_xlsxwriter::ExcelDateTime::from_ymd(1985, 3, 12).unwrap(),
            &date,
        )
        .unwrap();
    sheet
        .write_string(1, 3, "jan@zorg-utrecht.example")
        .unwrap();
    let report = import(
        &app,
        "geboren.xlsx",
        &workbook.save_to_buffer().unwrap(),
        false,
    )
    .await;
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].column.as_deref(), Some("C (functie)"));
    assert!(report.errors[0].message.contains("birth"), "{report}");
    // An address or a number outside its own column is refused as well.
    let elsewhere = "organisation,name,role,email,phone
Demo Zorg Utrecht,Jan de Vries,mail anna@zorg-utrecht.example,jan@zorg-utrecht.example,
";
    let report = import(&app, "elders.csv", elsewhere.as_bytes(), false).await;
    assert_eq!(
        report.errors[0].column.as_deref(),
        Some("C (role)"),
        "{report}"
    );
    assert!(contacts(&app).await.is_empty());
}

#[tokio::test]
async fn an_opt_out_is_kept_with_its_day_and_can_be_lifted() {
    let app = TestApp::new().await;
    let (utrecht, _) = register(&app).await;
    let reply = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": utrecht, "name": "Jan de Vries",
                   "email": "jan@zorg-utrecht.example", "opt_out": true}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let id = reply.json()["id"].as_i64().unwrap();
    let jan = contact(&app, "jan@zorg-utrecht.example").await;
    assert_eq!(jan["opt_out"], true);
    assert_eq!(
        jan["opted_out_on"],
        vangnet::domain::date::today().to_string()
    );
    let reply = app
        .patch(&format!("/api/v1/contacts/{id}"), json!({"opt_out": false}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["opt_out"], false);
    assert!(reply.json()["opted_out_on"].is_null());
    // The same address (in any case) is one contact only.
    let taken = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": utrecht, "name": "Iemand",
                   "email": "JAN@zorg-utrecht.example"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text());
    let bad = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": utrecht, "name": "Iemand", "email": "geen adres"}),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert!(bad.text().contains("email"), "{}", bad.text());
}

#[tokio::test]
async fn an_org_manager_keeps_only_their_own_contacts_and_cannot_erase() {
    let app = TestApp::new().await;
    let (utrecht, zwolle) = register(&app).await;
    import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    let jan = contact(&app, "jan@zorg-utrecht.example").await["id"]
        .as_i64()
        .unwrap();
    let fatma = contact(&app, "fatma@apotheek.example").await["id"]
        .as_i64()
        .unwrap();
    let (_, manager) = app
        .user_token("beheer@zorg-utrecht.example", "org_manager", Some(utrecht))
        .await;
    let send = |method: Method, uri: String, body: Option<Value>| {
        let app = &app;
        let manager = manager.clone();
        async move { app.send(method, &uri, body, Some(&manager)).await }
    };
    let list = send(Method::GET, "/api/v1/contacts".into(), None).await;
    assert_eq!(list.status, StatusCode::OK);
    let emails: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(emails, ["jan@zorg-utrecht.example"]);
    let asked_other = send(
        Method::GET,
        format!("/api/v1/contacts?organisation_id={zwolle}"),
        None,
    )
    .await
    .json();
    assert_eq!(
        asked_other.as_array().unwrap().len(),
        1,
        "still only their own"
    );
    let own = send(
        Method::PATCH,
        format!("/api/v1/contacts/{jan}"),
        Some(json!({"role": "directeur"})),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    let other = send(
        Method::PATCH,
        format!("/api/v1/contacts/{fatma}"),
        Some(json!({"role": "directeur"})),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text());
    let moved = send(
        Method::PATCH,
        format!("/api/v1/contacts/{jan}"),
        Some(json!({"organisation_id": zwolle})),
    )
    .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN, "{}", moved.text());
    let create_other = send(
        Method::POST,
        "/api/v1/contacts".into(),
        Some(json!({"organisation_id": zwolle, "name": "X", "email": "x@apotheek.example"})),
    )
    .await;
    assert_eq!(create_other.status, StatusCode::FORBIDDEN);
    let erase = send(Method::POST, format!("/api/v1/contacts/{jan}/erase"), None).await;
    assert_eq!(erase.status, StatusCode::FORBIDDEN);
    assert_eq!(
        contact(&app, "jan@zorg-utrecht.example").await["name"],
        "Jan de Vries"
    );
    // Reporters, auditors and the public see no contacts at all.
    let (_, reporter) = app
        .user_token("balie@zorg-utrecht.example", "reporter", Some(utrecht))
        .await;
    let refused = app
        .send(Method::GET, "/api/v1/contacts", None, Some(&reporter))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/contacts").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn erasing_removes_the_person_and_keeps_the_contact_of_the_organisation() {
    let app = TestApp::new().await;
    let (utrecht, _) = register(&app).await;
    import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    let jan = contact(&app, "jan@zorg-utrecht.example").await["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .post(&format!("/api/v1/contacts/{jan}/erase"), json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let kept = app
        .store
        .contact(jan)
        .await
        .unwrap()
        .expect("the row stays");
    assert_eq!(kept.organisation_id, utrecht);
    assert!(kept.person.is_none() && kept.erased_at.is_some());
    assert_eq!(
        contacts(&app).await.len(),
        1,
        "erased contacts are not listed"
    );
    let again = app
        .post(&format!("/api/v1/contacts/{jan}/erase"), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let change = app
        .patch(&format!("/api/v1/contacts/{jan}"), json!({"name": "Jan"}))
        .await;
    assert_eq!(change.status, StatusCode::CONFLICT);
    // The address is free again, for a new contact.
    let report = import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    assert_eq!(report.added.len(), 1, "{report}");
    assert_ne!(contact(&app, "jan@zorg-utrecht.example").await["id"], jan);
    // Nothing in the audit log names the person.
    let entries = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("contact".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        !text.contains("Jan de Vries") && !text.contains("jan@zorg-utrecht"),
        "{text}"
    );
    assert!(entries
        .iter()
        .any(|e| e.event == "erase" && e.object_id.as_deref() == Some(&jan.to_string())));
}

#[tokio::test]
async fn every_read_and_change_of_contacts_is_audited() {
    let app = TestApp::new().await;
    let (utrecht, _) = register(&app).await;
    let created = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": utrecht, "name": "Jan de Vries",
                   "email": "jan@zorg-utrecht.example"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/contacts/{created}"),
        json!({"email": "j.devries@zorg-utrecht.example"}),
    )
    .await;
    contacts(&app).await;
    import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    let entries = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("contact".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let has = |event: &str, object: Option<i64>| {
        entries.iter().any(|e| {
            e.event == event && object.is_none_or(|id| e.object_id == Some(id.to_string()))
        })
    };
    assert!(has("create", Some(created)));
    assert!(has("read", None));
    assert!(has("import", None));
    let update = entries
        .iter()
        .find(|e| e.event == "update" && e.object_id == Some(created.to_string()))
        .expect("the change is in the log");
    assert_eq!(update.detail.as_deref(), Some("changed: email"));
    assert!(!serde_json::to_string(update).unwrap().contains("devries"));
    assert_eq!(entries.iter().filter(|e| e.event == "create").count(), 3);
}

#[tokio::test]
async fn staff_list_edit_and_erase_contacts_on_the_pages() {
    let app = TestApp::new().await;
    let (utrecht, _) = register(&app).await;
    import(&app, "contacts.csv", ENGLISH.as_bytes(), false).await;
    let jan = contact(&app, "jan@zorg-utrecht.example").await["id"]
        .as_i64()
        .unwrap();
    let mut admin = signed_in(&app, "admin@vangnet.example", "admin", None).await;
    let list = page(&admin.get("/beheer/contacten").await);
    assert!(
        list.contains("Jan de Vries") && list.contains("Fatma Yilmaz"),
        "{list}"
    );
    assert!(
        list.contains("href=\"/beheer/contacten\""),
        "linked in the staff menu"
    );
    let filtered = page(
        &admin
            .get(&format!("/beheer/contacten?organisation_id={utrecht}"))
            .await,
    );
    assert!(filtered.contains("Jan de Vries") && !filtered.contains("Fatma Yilmaz"));
    let form = page(&admin.get(&format!("/beheer/contacten/{jan}")).await);
    assert!(
        form.contains("value=\"jan@zorg-utrecht.example\""),
        "{form}"
    );
    assert!(
        form.contains(&format!("/beheer/contacten/{jan}/wissen")),
        "{form}"
    );

    let edit = format!("/beheer/contacten/{jan}");
    let saved = admin
        .submit_as_shown(&edit, &edit, &[("role", "directeur"), ("opt_out", "on")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let jan_now = contact(&app, "jan@zorg-utrecht.example").await;
    assert_eq!(jan_now["role"], "directeur");
    assert_eq!(jan_now["opt_out"], true);
    let after = page(&admin.get("/beheer/contacten").await);
    assert!(
        after.contains("afgemeld op"),
        "the opt-out is shown: {after}"
    );
    let bad = admin
        .submit_as_shown(&edit, &edit, &[("email", "geen adres")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("id=\"email-error\""), "{}", bad.text());

    let erase = format!("/beheer/contacten/{jan}/wissen");
    let confirm = page(&admin.get(&erase).await);
    assert!(confirm.contains("Jan de Vries") && confirm.contains("Demo Zorg Utrecht"));
    let erased = admin.submit(&erase, &erase, &[]).await;
    assert_eq!(erased.status, StatusCode::SEE_OTHER, "{}", erased.text());
    let gone = page(&admin.get(&edit).await);
    assert!(
        !gone.contains("Jan de Vries") && gone.contains("gewist"),
        "{gone}"
    );

    // An organisation's manager has no erase button and no erase page.
    let mut manager = signed_in(
        &app,
        "beheer@zorg-utrecht.example",
        "org_manager",
        Some(utrecht),
    )
    .await;
    let piet = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": utrecht, "name": "Piet Bakker",
                   "email": "piet@zorg-utrecht.example"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let theirs = page(&manager.get(&format!("/beheer/contacten/{piet}")).await);
    assert!(!theirs.contains("/wissen"), "{theirs}");
    let list = page(&manager.get("/beheer/contacten").await);
    assert!(!list.contains("Fatma Yilmaz"), "{list}");
    let refused = manager
        .get(&format!("/beheer/contacten/{piet}/wissen"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_import_page_checks_first_and_writes_on_request() {
    let app = TestApp::new().await;
    register(&app).await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let token = csrf_token(&researcher.get("/beheer/contacten/import").await);
    let checked = researcher
        .upload(
            "/beheer/contacten/import",
            Some(&token),
            "contacten.csv",
            DUTCH.as_bytes(),
        )
        .await;
    let html = page(&checked);
    assert!(
        html.contains("Piet Bakker") && html.contains("Wordt toegevoegd"),
        "{html}"
    );
    assert!(contacts(&app).await.is_empty(), "a check writes nothing");
    let upload = form_fields(&html, "/beheer/contacten/import/importeren");
    let written = researcher
        .post("/beheer/contacten/import/importeren", &upload)
        .await;
    let html = page(&written);
    assert!(html.contains("Toegevoegd: 1"), "{html}");
    assert_eq!(contacts(&app).await.len(), 1);
    let template = researcher
        .get("/beheer/contacten/import/sjabloon.csv")
        .await;
    assert!(template
        .text()
        .starts_with("organisatie,naam,functie,e-mail,telefoon"));
}

/// `vangnet contacts import FILE [--dry-run]`: the report printed, nothing
/// written on a dry run, and a failing exit with nothing written when a
/// row is refused.
#[tokio::test]
async fn the_command_line_imports_contacts_all_or_nothing() {
    let db = TestDb::new().await;
    let store = db.store().await;
    vangnet::register::create_organisation(
        &store,
        &vangnet::domain::organisation::OrganisationInput {
            name: Some("Demo Zorg Utrecht".into()),
            ..Default::default()
        },
        &vangnet::domain::facility::manual_source("test"),
        &vangnet::domain::access::Principal::command_line("test"),
        &Actor::named("test"),
        vangnet::domain::date::today(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |file: &str, text: &str, dry_run: bool| {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let mut args = vec![
            "contacts".to_string(),
            "import".to_string(),
            path.display().to_string(),
            "--database".to_string(),
            db.url.clone(),
        ];
        if dry_run {
            args.push("--dry-run".into());
        }
        std::process::Command::new(env!("CARGO_BIN_EXE_vangnet"))
            .args(&args)
            .env_remove("VANGNET_DATABASE_URL")
            .output()
            .unwrap()
    };
    let good = "organisatie;naam;functie;e-mail;telefoon\n\
                Demo Zorg Utrecht;Jan de Vries;;jan@zorg-utrecht.example;\n";
    let checked = run("goed.csv", good, true);
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{out}");
    assert!(
        out.contains("1 would be added") && out.contains("dry run"),
        "{out}"
    );
    let none = vangnet::storage::contacts::ContactFilter::default();
    assert!(store.list_contacts(none).await.unwrap().is_empty());
    let bad = format!("{good}Demo Nergens;Anna Smit;;anna@nergens.example;\n");
    let refused = run("fout.csv", &bad, false);
    let out = String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success(), "{out}");
    assert!(out.contains("row 3, column A (organisatie)"), "{out}");
    assert!(
        store.list_contacts(none).await.unwrap().is_empty(),
        "nothing written"
    );
    let written = run("goed.csv", good, false);
    assert!(written.status.success());
    assert_eq!(store.list_contacts(none).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_demo_contacts_import_into_the_demo_and_leave_one_organisation_to_find_out() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/demo/contacten.csv"
    ))
    .unwrap();
    let report = import(&app, "contacten.csv", &bytes, false).await;
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.added.len(), 9);
    // The volunteers' street pastorate has no contact: to find out.
    let mut browser = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let text = page(&browser.get("/beheer/uitzoeken").await);
    let pastorate = text
        .find("Demo Straatpastoraat")
        .expect("the pastorate's facilities are listed");
    assert!(text[pastorate..].contains("geen contactpersoon"), "{text}");
}
