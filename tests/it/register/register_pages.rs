//! The staff pages of the register, driven in process as a browser would:
//! with cookies, the whole form as the page shows it, the form token, and
//! our own `Origin`. Who sees and changes what follows `domain::access`.

use axum::http::{header, StatusCode};
use serde_json::json;

use crate::browser::*;
use crate::common::*;
use vangnet::storage::audit::AuditFilter;

/// The message shown next to a field.
fn field_error(html: &str, field: &str) -> String {
    let marker = format!("id=\"{field}-error\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no message next to {field}: {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

/// Two organisations, each with a public and a non-public facility.
struct Register {
    org_a: i64,
    org_b: i64,
    /// (public, non-public) of A and of B.
    a: (i64, i64),
    b: (i64, i64),
}

async fn register(app: &TestApp) -> Register {
    let org = |name: &'static str| async move {
        let reply = app
            .post("/api/v1/organisations", json!({"name": name}))
            .await;
        reply.json()["id"].as_i64().unwrap()
    };
    let (org_a, org_b) = (org("Demo Zorg A").await, org("Demo Zorg B").await);
    let facility = |name: &'static str, organisation: i64, public: bool| async move {
        let reply = app
            .post(
                "/api/v1/facilities",
                json!({"name": name, "organisation_id": organisation,
                       "services": ["consumption_room", "syringe_exchange"], "city": "Utrecht",
                       "postcode": "3511 AB", "opening_hours": "Mo-Fr 09:00-17:00",
                       "public_access": public}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        reply.json()["id"].as_i64().unwrap()
    };
    Register {
        org_a,
        org_b,
        a: (
            facility("Demo Huiskamer A", org_a, true).await,
            facility("Demo Bewonersruimte A", org_a, false).await,
        ),
        b: (
            facility("Demo Huiskamer B", org_b, true).await,
            facility("Demo Bewonersruimte B", org_b, false).await,
        ),
    }
}

#[tokio::test]
async fn an_org_manager_lists_only_their_organisations_facilities() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    let page = manager.get("/beheer/voorzieningen").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Demo Huiskamer A") && html.contains("Demo Bewonersruimte A"));
    assert!(
        !html.contains("Demo Huiskamer B") && !html.contains("Demo Bewonersruimte B"),
        "another organisation's facilities are not listed: {html}"
    );
    assert!(html.contains(&format!(
        "href=\"/beheer/voorzieningen/{}/geschiedenis\"",
        r.a.1
    )));
    assert!(html.contains("href=\"/beheer/voorzieningen/nieuw\""));
    assert!(
        !html.contains("/beheer/export/"),
        "the full export is for national roles"
    );
    // Asking for the other organisation changes nothing.
    let other = manager
        .get(&format!(
            "/beheer/voorzieningen?organisation_id={}",
            r.org_b
        ))
        .await
        .text();
    assert!(!other.contains("Demo Huiskamer B") && other.contains("Demo Huiskamer A"));

    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let all = researcher.get("/beheer/voorzieningen").await.text();
    for name in [
        "Huiskamer A",
        "Bewonersruimte A",
        "Huiskamer B",
        "Bewonersruimte B",
    ] {
        assert!(all.contains(&format!("Demo {name}")), "{name}");
    }
    let filtered = researcher
        .get(&format!(
            "/beheer/voorzieningen?q=huiskamer&organisation_id={}&status=open",
            r.org_b
        ))
        .await
        .text();
    assert!(filtered.contains("Demo Huiskamer B"));
    assert!(!filtered.contains("Demo Huiskamer A") && !filtered.contains("Bewonersruimte B"));
    let unknown = researcher
        .get("/beheer/voorzieningen?municipality=Nergenshuizen")
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(field_error(&unknown.text(), "municipality").contains("kennen we niet"));
    assert!(unknown.text().contains("value=\"Nergenshuizen\""));

    // An auditor sees what the public sees.
    let mut auditor = signed_in(&app, "audit@example.org", "auditor", None).await;
    let public = auditor.get("/beheer/voorzieningen").await.text();
    assert!(public.contains("Demo Huiskamer B") && !public.contains("Bewonersruimte"));
    assert!(!public.contains("/beheer/voorzieningen/nieuw"));
}

#[tokio::test]
async fn an_org_manager_changes_opening_hours_and_the_history_and_api_show_who_what_and_why() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let id = r.a.0;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    let form = manager.get(&format!("/beheer/voorzieningen/{id}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    let html = form.text();
    assert!(html.contains(
        "<label class=\"utrecht-form-label\" for=\"opening_hours\">Openingstijden als OpenStreetMap-tekst (gevorderd)</label>"
    ));
    assert!(html.contains("value=\"Mo-Fr 09:00-17:00\""));
    assert!(html.contains(">Opslaan</button>"));
    assert!(!html.contains("style=") && !html.contains("<script"));

    let page = format!("/beheer/voorzieningen/{id}");
    let saved = manager
        .submit_as_shown(
            &page,
            &page,
            &[
                ("opening_hours", "Mo-Sa 10:00-18:00"),
                ("change_note", "ruimere openingstijden na evaluatie"),
                ("source", "phone"),
                ("source_detail", "gesproken met de teamleider"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        location(&saved),
        format!("/beheer/voorzieningen/{id}?melding=voorziening-opgeslagen")
    );
    let after = manager.get(location(&saved)).await.text();
    assert!(after.contains("opgeslagen als nieuwe versie"), "{after}");
    assert!(after.contains("value=\"Mo-Sa 10:00-18:00\""));

    let history = manager
        .get(&format!("/beheer/voorzieningen/{id}/geschiedenis"))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text());
    let html = history.text();
    let latest = &html[html.find("Versie 2").expect("a second version")..];
    let latest = &latest[..latest.find("Versie 1").expect("the first version after it")];
    for expected in [
        "beheer@a.example",
        "ruimere openingstijden na evaluatie",
        "phone: gesproken met de teamleider",
        "Openingstijden",
        "Mo-Fr 09:00-17:00",
        "Mo-Sa 10:00-18:00",
    ] {
        assert!(latest.contains(expected), "{expected} in {latest}");
    }
    assert!(
        !latest.contains(">Naam<"),
        "only what changed is listed: {latest}"
    );
    let reads = app
        .store
        .search_audit(&AuditFilter {
            event: Some("read".into()),
            actor: Some("beheer@a.example".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        reads.iter().any(|e| e.detail.as_deref() == Some("history")
            && e.object_id.as_deref() == Some(id.to_string().as_str())),
        "reading the history is audited"
    );

    let api = app.get(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(api.json()["opening_hours"], "Mo-Sa 10:00-18:00");
    let versions = app
        .get_as_admin(&format!("/api/v1/facilities/{id}/history"))
        .await
        .json();
    let last = &versions.as_array().unwrap()[1];
    assert_eq!(last["record"]["recorded_by"], "beheer@a.example");
    assert_eq!(
        last["record"]["change_note"],
        "ruimere openingstijden na evaluatie"
    );
    let changed: Vec<&str> = last["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["opening_hours"], "nothing else changed");
}

#[tokio::test]
async fn a_wrong_postcode_and_opening_hours_are_shown_next_to_their_fields_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let id = r.a.0;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    let page = format!("/beheer/voorzieningen/{id}");
    let reply = manager
        .submit_as_shown(
            &page,
            &page,
            &[
                ("postcode", "12345"),
                ("opening_hours", "elke werkdag"),
                ("change_note", "nieuw adres"),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    let html = reply.text();
    assert!(field_error(&html, "postcode").contains("Nederlandse postcode"));
    assert!(field_error(&html, "opening_hours").contains("OpenStreetMap-notatie"));
    assert!(html.contains("value=\"12345\"") && html.contains("value=\"elke werkdag\""));
    assert!(
        html.contains("nieuw adres</textarea>"),
        "every value is kept"
    );
    assert!(html.contains("aria-describedby=\"postcode-hint postcode-error\""));
    assert!(
        html.contains("href=\"#postcode\""),
        "the summary links to the field"
    );

    let facility = app.get(&format!("/api/v1/facilities/{id}")).await.json();
    assert_eq!(facility["postcode"], "3511 AB");
    assert_eq!(facility["opening_hours"], "Mo-Fr 09:00-17:00");
    assert_eq!(facility["version"], 1, "nothing was saved");

    // In English the same messages are English, next to the same fields.
    manager.get("/taal?lang=en&terug=/").await;
    let reply = manager
        .submit_as_shown(&page, &page, &[("rooms", "drie"), ("name", "")])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = reply.text();
    assert!(field_error(&html, "rooms").contains("whole number"));
    assert!(field_error(&html, "name").contains("Enter the name"));
    assert!(html.contains("value=\"drie\""));
}

#[tokio::test]
async fn another_organisations_facility_is_hidden_or_refused_and_reporters_only_read() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    let (public_b, private_b) = r.b;
    let hidden = manager
        .get(&format!("/beheer/voorzieningen/{private_b}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.text().contains("Bewonersruimte B"));
    assert_eq!(
        manager
            .get(&format!("/beheer/voorzieningen/{private_b}/geschiedenis"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        manager
            .get(&format!("/beheer/voorzieningen/{public_b}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Posting a form to it (with a valid token) is refused and changes nothing.
    let token = csrf_token(&manager.get("/beheer/voorzieningen").await);
    let fields = vec![
        ("csrf_token".to_string(), token),
        ("name".to_string(), "Overgenomen".to_string()),
    ];
    let refused = manager
        .post(&format!("/beheer/voorzieningen/{public_b}"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = manager
        .post(&format!("/beheer/voorzieningen/{private_b}"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let facility = app
        .get(&format!("/api/v1/facilities/{public_b}"))
        .await
        .json();
    assert_eq!(facility["name"], "Demo Huiskamer B");
    // Nor can a facility be added to another organisation.
    let added = manager
        .submit_as_shown(
            "/beheer/voorzieningen/nieuw",
            "/beheer/voorzieningen/nieuw",
            &[
                ("name", "Demo Nieuw"),
                ("organisation_id", &r.org_b.to_string()),
                ("services", "naloxone"),
                ("city", "Utrecht"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::FORBIDDEN, "{}", added.text());

    let mut reporter = signed_in(&app, "rapport@a.example", "reporter", Some(r.org_a)).await;
    let view = reporter
        .get(&format!("/beheer/voorzieningen/{}", r.a.1))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text());
    let html = view.text();
    assert!(html.contains("Demo Bewonersruimte A") && html.contains("Mo-Fr 09:00-17:00"));
    assert!(html.contains("inzien maar niet wijzigen"));
    assert!(!html.contains(&format!("action=\"/beheer/voorzieningen/{}\"", r.a.1)));
    let token = csrf_token(&reporter.get("/beheer/voorzieningen").await);
    let fields = vec![
        ("csrf_token".to_string(), token),
        ("opening_hours".to_string(), "24/7".to_string()),
    ];
    let refused = reporter
        .post(&format!("/beheer/voorzieningen/{}", r.a.1), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reporter.get("/beheer/voorzieningen/nieuw").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reporter
            .get(&format!("/beheer/voorzieningen/{}/geschiedenis", r.a.1))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_org_manager_adds_a_facility_to_their_organisation() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    let form = manager.get("/beheer/voorzieningen/nieuw").await.text();
    assert!(form.contains(&format!(
        "<option value=\"{}\" selected>Demo Zorg A</option>",
        r.org_a
    )));
    assert!(!form.contains("Demo Zorg B"), "only their own organisation");
    let added = manager
        .submit_as_shown(
            "/beheer/voorzieningen/nieuw",
            "/beheer/voorzieningen/nieuw",
            &[
                ("name", "Demo Naloxonpunt A"),
                ("services", "naloxone"),
                ("city", "Utrecht"),
                ("opening_hours", "Tu,Th 13:00-16:00"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let id: i64 = location(&added)
        .trim_start_matches("/beheer/voorzieningen/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let facility = app.get(&format!("/api/v1/facilities/{id}")).await.json();
    assert_eq!(facility["organisation_id"], r.org_a);
    assert_eq!(facility["services"], json!(["naloxone"]));
    assert!(manager
        .get(location(&added))
        .await
        .text()
        .contains("is toegevoegd"));
}

const BAD_CSV: &str = "naam;organisatie;voorzieningen;postcode;plaats;openingstijden
Demo Import Goed;Demo Import Zorg;spuitomruil;3511 AB;Utrecht;Mo-Fr 09:00-17:00
Demo Import Fout;Demo Import Zorg;spuitomruil;99999;Utrecht;Mo-Fr 09:00-17:00
";

const GOOD_CSV: &str = "naam;organisatie;voorzieningen;postcode;plaats;openingstijden
Demo Import Een;Demo Import Zorg;spuitomruil;3511 AB;Utrecht;Mo-Fr 09:00-17:00
Demo Import Twee;Demo Import Zorg;naloxon;1012 AB;Amsterdam;Sa 10:00-14:00
";

async fn facility_names(app: &TestApp) -> Vec<String> {
    app.facilities("status=all")
        .await
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_import_page_checks_first_and_writes_only_a_clean_file_on_the_second_step() {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let page = researcher.get("/beheer/import").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<label class=\"utrecht-form-label\" for=\"file\">Bestand</label>"));
    assert!(
        html.contains("enctype=\"multipart/form-data\"") && html.contains(">Controleren</button>")
    );
    let token = csrf_token(&page);

    // A file with an error: every error with row, column and reason; nothing written.
    let checked = researcher
        .upload(
            "/beheer/import",
            Some(&token),
            "lijst.csv",
            BAD_CSV.as_bytes(),
        )
        .await;
    assert_eq!(
        checked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        checked.text()
    );
    let html = checked.text();
    assert!(html.contains("Controle van lijst.csv"));
    assert!(
        html.contains("<td class=\"utrecht-table__cell\">3</td>"),
        "{html}"
    );
    assert!(html.contains("D (postcode)"), "{html}");
    assert!(
        html.contains("&#39;99999&#39; is geen Nederlandse postcode"),
        "{html}"
    );
    assert!(!html.contains(">Importeren</button>"));
    assert!(facility_names(&app).await.is_empty(), "nothing written");

    // A clean file: the dry-run report, then "Importeren" writes it.
    let checked = researcher
        .upload(
            "/beheer/import",
            Some(&token),
            "lijst.csv",
            GOOD_CSV.as_bytes(),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text());
    let html = checked.text();
    assert!(
        html.contains(
            "Zouden worden toegevoegd</dt><dd class=\"utrecht-data-list__item-value\">2<"
        ),
        "{html}"
    );
    assert!(
        html.contains("Demo Import Zorg"),
        "organisations to create: {html}"
    );
    assert!(html.contains(">Importeren</button>"));
    assert!(
        facility_names(&app).await.is_empty(),
        "the check writes nothing"
    );

    let fields = form_fields(&html, "/beheer/import/importeren");
    let written = researcher.post("/beheer/import/importeren", &fields).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text());
    assert!(
        written.text().contains("2 toegevoegd"),
        "{}",
        written.text()
    );
    let mut names = facility_names(&app).await;
    names.sort();
    assert_eq!(names, ["Demo Import Een", "Demo Import Twee"]);
    let history = app.get_as_admin("/api/v1/facilities?q=Een").await.json();
    assert_eq!(
        history["facilities"][0]["recorded_by"], "onderzoek@example.org",
        "the importer is recorded"
    );

    // The check is used once.
    let again = researcher.post("/beheer/import/importeren", &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(field_error(&again.text(), "file").contains("verlopen of al gebruikt"));
    assert_eq!(facility_names(&app).await.len(), 2);

    // Someone else cannot use another person's check.
    let checked = researcher
        .upload(
            "/beheer/import",
            Some(&token),
            "nog een.csv",
            GOOD_CSV.replace("Een", "Drie").as_bytes(),
        )
        .await;
    let fields = form_fields(&checked.text(), "/beheer/import/importeren");
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    let mut stolen = fields.clone();
    stolen.retain(|(n, _)| n != "csrf_token");
    stolen.push((
        "csrf_token".into(),
        csrf_token(&admin.get("/beheer/import").await),
    ));
    let refused = admin.post("/beheer/import/importeren", &stolen).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(facility_names(&app).await.len(), 2);
}

#[tokio::test]
async fn a_check_shows_the_first_100_errors_and_offers_all_of_them_as_csv() {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let token = csrf_token(&researcher.get("/beheer/import").await);
    let mut csv = String::from("naam;organisatie;voorzieningen;plaats\n");
    for i in 1..=150 {
        csv.push_str(&format!(
            "Demo Rij {i};Demo Zorg;spuitomruil;@Nergens {i}\n"
        ));
    }
    let checked = researcher
        .upload("/beheer/import", Some(&token), "veel.csv", csv.as_bytes())
        .await;
    assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = checked.text();
    assert_eq!(html.matches("onbekende plaats").count(), 100, "{html}");
    assert!(html.contains("De eerste 100 van 150 fouten"), "{html}");
    let marker = "href=\"/beheer/import/fouten.csv?rapport=";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no download: {html}"))
        + 6;
    let url = unescape(&html[start..start + html[start..].find('"').unwrap()]);
    assert!(
        html.contains("Alle 150 fouten downloaden als CSV"),
        "{html}"
    );

    let download = researcher.get(&url).await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.text());
    let text = download.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 151, "{text}");
    assert_eq!(lines[0], "rij,kolom,fout");
    assert!(
        lines[150].starts_with("151,D (plaats),onbekende plaats '@Nergens 150'"),
        "{text}"
    );

    // Only the person who checked the file gets its errors.
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    assert_eq!(admin.get(&url).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_check_says_how_many_rows_have_errors_in_dutch_and_english() {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let token = csrf_token(&researcher.get("/beheer/import").await);
    let mut csv = String::from("naam;organisatie;voorzieningen;plaats\n");
    for i in 1..=4 {
        csv.push_str(&format!("Demo Goed {i};Demo Zorg;spuitomruil;Utrecht\n"));
    }
    csv.push_str("Demo Fout;Demo Zorg;spuitomruil;Nergenshuizen\n");
    let checked = researcher
        .upload("/beheer/import", Some(&token), "lijst.csv", csv.as_bytes())
        .await;
    assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = checked.text();
    assert!(html.contains("1 van de 5 rijen heeft een fout."), "{html}");
    assert!(!html.contains("hebben fouten"), "{html}");
    assert!(
        html.contains("onbekende plaats &#39;Nergenshuizen&#39;"),
        "the reason is Dutch too: {html}"
    );

    let binary = researcher
        .upload("/beheer/import", Some(&token), "foto.csv", b"a,b\n\0\0\0")
        .await;
    assert_eq!(binary.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = binary.text();
    assert!(
        html.contains("Het bestand kan niet worden gelezen"),
        "{html}"
    );
    assert!(!html.contains("van de 0 rijen"), "{html}");

    let switch = researcher.get("/taal?lang=en&terug=/beheer/import").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    let checked = researcher
        .upload("/beheer/import", Some(&token), "lijst.csv", csv.as_bytes())
        .await;
    let html = checked.text();
    assert!(html.contains("1 of 5 rows has an error."), "{html}");
    assert!(
        html.contains("unknown place &#39;Nergenshuizen&#39;"),
        "{html}"
    );
    assert!(!html.contains("onbekende plaats"), "{html}");
}

#[tokio::test]
async fn uploads_need_the_form_token_and_a_national_role() {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let without = researcher
        .upload("/beheer/import", None, "lijst.csv", GOOD_CSV.as_bytes())
        .await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let wrong = researcher
        .upload(
            "/beheer/import",
            Some("0123"),
            "lijst.csv",
            GOOD_CSV.as_bytes(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    // Larger than a form may be, smaller than the upload limit: read.
    let token = csrf_token(&researcher.get("/beheer/import").await);
    let reply = researcher
        .upload_padded(
            "/beheer/import",
            Some(&token),
            "lijst.csv",
            GOOD_CSV.as_bytes(),
            2 << 20,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(reply.text().contains(">Importeren</button>"));
    let too_large = vec![b'x'; vangnet::http::web::pages::upload::UPLOAD_LIMIT + 1];
    let reply = researcher
        .upload("/beheer/import", Some(&token), "te groot.csv", &too_large)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);

    let r = register(&app).await;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    assert_eq!(
        manager.get("/beheer/import").await.status,
        StatusCode::FORBIDDEN
    );
    let token = csrf_token(&manager.get("/beheer/voorzieningen").await);
    let refused = manager
        .upload(
            "/beheer/import",
            Some(&token),
            "lijst.csv",
            GOOD_CSV.as_bytes(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(facility_names(&app).await.len(), 4);
}

#[tokio::test]
async fn the_export_links_download_the_lists_selection_with_the_right_content_type() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let html = researcher
        .get(&format!(
            "/beheer/voorzieningen?organisation_id={}",
            r.org_a
        ))
        .await
        .text();
    let mut links = Vec::new();
    for piece in html.split("href=\"").skip(1) {
        let href = unescape(piece.split('"').next().unwrap());
        if href.starts_with("/beheer/export/") || href.starts_with("/opendata/facilities.") {
            links.push(href);
        }
    }
    assert_eq!(links.len(), 8, "four full and four public: {links:?}");
    for link in &links {
        let reply = researcher.get(link).await;
        assert_eq!(reply.status, StatusCode::OK, "{link}: {}", reply.text());
        let extension = link.split('?').next().unwrap().rsplit('.').next().unwrap();
        let expected = match extension {
            "csv" => "text/csv; charset=utf-8",
            "json" => "application/json",
            "geojson" => "application/geo+json",
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            other => panic!("unexpected format {other}"),
        };
        assert_eq!(reply.headers[header::CONTENT_TYPE], expected, "{link}");
        assert!(reply.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
    }
    let full = researcher
        .get(
            &links
                .iter()
                .find(|l| l.starts_with("/beheer/export/voorzieningen.csv"))
                .unwrap()
                .clone(),
        )
        .await
        .text();
    assert!(
        full.contains("Demo Bewonersruimte A"),
        "non-public included: {full}"
    );
    assert!(
        !full.contains("Huiskamer B"),
        "the list's filter applies: {full}"
    );
    let public = researcher.get("/opendata/facilities.csv").await.text();
    assert!(!public.contains("Bewonersruimte"));

    let exports = app
        .store
        .search_audit(&AuditFilter {
            event: Some("export".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        exports.len(),
        5,
        "each full export is audited (the CSV twice)"
    );
    assert_eq!(exports[0].actor, "onderzoek@example.org");

    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    assert_eq!(
        manager.get("/beheer/export/voorzieningen.csv").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        researcher
            .get("/beheer/export/voorzieningen.pdf")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_org_manager_keeps_their_own_organisation_and_not_another() {
    let app = TestApp::new().await;
    let r = register(&app).await;
    let mut manager = signed_in(&app, "beheer@a.example", "org_manager", Some(r.org_a)).await;
    let list = manager.get("/beheer/organisaties").await.text();
    assert!(list.contains("Demo Zorg A") && !list.contains("Demo Zorg B"));
    assert!(
        list.contains("href=\"/beheer/organisaties\""),
        "in the navigation"
    );

    let page = format!("/beheer/organisaties/{}", r.org_a);
    let wrong = manager
        .submit_as_shown(&page, &page, &[("contact_email", "geen adres")])
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text()
    );
    assert!(field_error(&wrong.text(), "contact_email").contains("e-mailadres"));
    assert!(wrong.text().contains("value=\"geen adres\""));

    let saved = manager
        .submit_as_shown(
            &page,
            &page,
            &[
                ("contact_email", "balie@zorg-a.example"),
                ("change_note", "nieuwe contactpersoon"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert!(manager
        .get(location(&saved))
        .await
        .text()
        .contains("is opgeslagen"));
    let history = app
        .get_as_admin(&format!("/api/v1/organisations/{}/history", r.org_a))
        .await
        .json();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["record"]["contact_email"], "balie@zorg-a.example");
    assert_eq!(last["record"]["change_note"], "nieuwe contactpersoon");
    assert_eq!(last["record"]["recorded_by"], "beheer@a.example");
    assert_eq!(last["record"]["name"], "Demo Zorg A", "the rest is kept");

    let other = format!("/beheer/organisaties/{}", r.org_b);
    assert_eq!(manager.get(&other).await.status, StatusCode::FORBIDDEN);
    let token = csrf_token(&manager.get("/beheer/organisaties").await);
    let fields = vec![
        ("csrf_token".to_string(), token),
        ("name".to_string(), "Overgenomen".to_string()),
    ];
    assert_eq!(
        manager.post(&other, &fields).await.status,
        StatusCode::FORBIDDEN
    );
    let mut reporter = signed_in(&app, "rapport@a.example", "reporter", Some(r.org_a)).await;
    assert_eq!(reporter.get(&page).await.status, StatusCode::FORBIDDEN);
}
