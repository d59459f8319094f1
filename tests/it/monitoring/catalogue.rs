//! The metric catalogue through the API: anyone reads it, the national
//! roles add and retire metrics, nothing is deleted.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn anyone_reads_the_catalogue_and_the_national_roles_keep_it() {
    let app = TestApp::new().await;
    let list = app.get("/api/v1/metrics").await;
    assert_eq!(list.status, StatusCode::OK);
    let metrics = list.json()["metrics"].as_array().unwrap().clone();
    let syringes = metrics
        .iter()
        .find(|m| m["code"] == "syringes_out")
        .unwrap();
    assert_eq!(syringes["name_nl"], "Spuiten uitgegeven");
    assert_eq!(syringes["services"], json!(["syringe_exchange"]));
    assert_eq!(syringes["counts"], "activity");

    let new = json!({"code": "test_kits_out", "name_nl": "Testkits uitgegeven",
                     "name_en": "Test kits handed out", "unit": "kits", "counts": "activity",
                     "services": ["syringe_exchange", "naloxone"]});
    let created = app.post("/api/v1/metrics", new.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(
        created.json()["period"],
        "month",
        "monthly unless said otherwise"
    );
    let again = app.post("/api/v1/metrics", new).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    assert!(again.text().contains("test_kits_out"));
    let bad = app
        .post(
            "/api/v1/metrics",
            json!({"code": "Kits!", "counts": "mensen"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        ["code", "name_nl", "name_en", "unit", "counts", "services"]
    );

    let retired = app
        .post("/api/v1/metrics/test_kits_out/retire", json!({}))
        .await;
    assert_eq!(retired.status, StatusCode::NO_CONTENT, "{}", retired.text());
    let twice = app
        .post("/api/v1/metrics/test_kits_out/retire", json!({}))
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    let after = app.get("/api/v1/metrics").await.json();
    let kept = after["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "test_kits_out")
        .cloned()
        .unwrap();
    assert!(
        kept["retired_at"].is_string(),
        "retired, still listed: {kept}"
    );

    let (_, reporter) = app.user_token("kijker@example.org", "auditor", None).await;
    let refused = app
        .send(
            Method::POST,
            "/api/v1/metrics",
            Some(json!({"code": "x_kits"})),
            Some(&reporter),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_staff_page_lists_the_catalogue_in_dutch_and_a_researcher_adds_and_retires() {
    use crate::browser::*;
    let app = TestApp::new().await;
    user(&app, "onderzoek@example.org", "researcher", None).await;
    let mut researcher = Browser::new(&app);
    researcher.sign_in("onderzoek@example.org", PASSWORD).await;
    let html = researcher.get("/beheer/metingen").await.text();
    assert!(
        html.contains("Spuiten uitgegeven") && html.contains("Behandelplekken"),
        "{html}"
    );
    let refused = researcher
        .submit(
            "/beheer/metingen",
            "/beheer/metingen",
            &[("code", "Kits!"), ("counts", "activity")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("id=\"code-error\""),
        "{}",
        refused.text()
    );
    let added = researcher
        .submit(
            "/beheer/metingen",
            "/beheer/metingen",
            &[
                ("code", "test_kits_out"),
                ("name_nl", "Testkits uitgegeven"),
                ("name_en", "Test kits handed out"),
                ("unit", "kits"),
                ("counts", "activity"),
                ("aggregation", "sum"),
                ("services", "naloxone"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let retired = researcher
        .submit(
            "/beheer/metingen",
            "/beheer/metingen/test_kits_out/buiten-gebruik",
            &[],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER, "{}", retired.text());
    let html = researcher.get(location(&retired)).await.text();
    assert!(html.contains("buiten gebruik gesteld"), "{html}");
    assert!(
        html.contains("Testkits uitgegeven"),
        "retired, still listed: {html}"
    );
}
