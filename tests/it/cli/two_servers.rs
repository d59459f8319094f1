//! Two `vangnet serve` processes on one database, as behind a load balancer
//! without sticky sessions (issue 16): a change made through one is seen
//! through the other within a second — in the finder, Table 1 and a
//! dashboard, including the answers a server keeps for anonymous readers —
//! and the import checked on one server is written from the other.
//!
//! Each server learns of the other's changes from the database's change
//! generation, which its watcher reads every 200 ms (`storage::changes`).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::commands::Server;
use crate::browser::{csrf_token, user_in, Browser, PASSWORD};
use crate::common::*;

/// What a reader of `path` on `server` sees (anonymous, as the public).
async fn read(server: &Server, path: &str) -> Value {
    let reply = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(server.url(path))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(reply.status(), StatusCode::OK, "{path}");
    reply.json().await.expect("JSON")
}

/// A write through `server`'s API with the admin token; its JSON answer.
async fn write(server: &Server, token: &str, method: &str, path: &str, body: Value) -> Value {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let reply = client
        .request(method, server.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    let status = reply.status();
    let text = reply.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Waits until `seen` holds for what `server` answers at `path`; how long
/// that took. Fails after a second.
async fn within_a_second(server: &Server, path: &str, seen: impl Fn(&Value) -> bool) -> Duration {
    let written = Instant::now();
    loop {
        let answer = read(server, path).await;
        if seen(&answer) {
            return written.elapsed();
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the other server still answers the old {path} after {:?}: {answer}",
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the page at `path` on `server` links the published round
/// `name`; how long that took. Fails after a second.
async fn page_within_a_second(server: &Server, path: &str, name: &str) -> Duration {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let written = Instant::now();
    loop {
        let page = client
            .get(server.url(path))
            .send()
            .await
            .expect("the server answers")
            .text()
            .await
            .unwrap();
        if page.contains(&format!("href=\"/cijfers/{name}\"")) {
            return written.elapsed();
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the other server still shows the old {path} after {:?}",
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn finder_ids(answer: &Value) -> Vec<i64> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["facility"]["id"].as_i64().unwrap())
        .collect()
}

fn table1_locations(answer: &Value, service: &str) -> i64 {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == service)
        .and_then(|r| r["locations"].as_i64())
        .unwrap_or(0)
}

fn june_visits(dashboard: &Value) -> Option<i64> {
    let visits = dashboard["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "visits")?;
    // The dashboard shows two years of months; June of the year asked is
    // the 18th.
    visits["months"][17]["value"].as_i64()
}

#[tokio::test]
async fn two_servers_on_one_database_agree_within_a_second_and_share_a_checked_import() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let (_, token) = store.create_token("twee servers", "admin").await.unwrap();
    user_in(&store, "onderzoek@example.org", "researcher", None).await;
    store.close().await;
    let args = ["serve", "--database", &db.url, "--listen", "127.0.0.1:0"];
    let (one, two) = (Server::start(&args, None), Server::start(&args, None));

    // The finder: a syringe exchange added through one is found through the other.
    let finder = "/api/v1/finder?lat=52.09&lon=5.12";
    assert_eq!(finder_ids(&read(&two, finder).await), Vec::<i64>::new());
    let organisation = write(
        &one,
        &token,
        "POST",
        "/api/v1/organisations",
        json!({"name": "Zorg Twee Servers"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let exchange = write(
        &one,
        &token,
        "POST",
        "/api/v1/facilities",
        json!({"name": "Spuitomruil Centrum", "organisation_id": organisation,
               "opened_on": "2020-01-01", "services": ["syringe_exchange"],
               "street": "Oudegracht 1", "postcode": "3511 AB", "city": "Utrecht"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let took = within_a_second(&two, finder, |a| finder_ids(a) == [exchange]).await;
    eprintln!("finder: {took:?}");

    // Table 1: a consumption room added through the other is counted through the first.
    let table1 = "/api/v1/reports/table1";
    assert_eq!(
        table1_locations(&read(&one, table1).await, "consumption_room"),
        0
    );
    let room = write(
        &two,
        &token,
        "POST",
        "/api/v1/facilities",
        json!({"name": "Huiskamer Amersfoort", "organisation_id": organisation,
               "opened_on": "2020-01-01", "services": ["consumption_room"],
               "city": "Amersfoort"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let took = within_a_second(&one, table1, |a| {
        table1_locations(a, "consumption_room") == 1
    })
    .await;
    eprintln!("Table 1: {took:?}");

    // A round published through one is listed with its Table 1 through the
    // other (a round is no facility change: the watcher reads rounds too,
    // and the kept list of published rounds follows).
    for name in ["2026-eerste", "2026-tweede"] {
        write(
            &two,
            &token,
            "POST",
            "/api/v1/rounds",
            json!({"name": name, "reference_date": "2026-07-01"}),
        )
        .await;
        for step in ["close", "publish"] {
            write(
                &two,
                &token,
                "POST",
                &format!("/api/v1/rounds/{name}/{step}"),
                json!({}),
            )
            .await;
        }
        let took = page_within_a_second(&one, "/cijfers", name).await;
        eprintln!("newest published round '{name}': {took:?}");
    }

    // A dashboard: a month approved through one shows in the other's public dashboard.
    let dashboard = "/cijfers/dashboard?formaat=json&jaar=2025";
    assert_eq!(june_visits(&read(&two, dashboard).await), None);
    let report = format!("/api/v1/reports/periods/{room}/2025-06");
    write(
        &one,
        &token,
        "PUT",
        &report,
        json!({"values": [{"metric": "visits", "value": 250}]}),
    )
    .await;
    write(&one, &token, "POST", &format!("{report}/submit"), json!({})).await;
    write(
        &one,
        &token,
        "POST",
        &format!("{report}/approve"),
        json!({}),
    )
    .await;
    let took = within_a_second(&two, dashboard, |a| june_visits(a) == Some(250)).await;
    eprintln!("dashboard: {took:?}");

    // The import: checked on one server, written from the other (the
    // balancer sent the second step elsewhere), once.
    let mut researcher = Browser::remote(&one.base);
    let signed_in = researcher.sign_in("onderzoek@example.org", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    let page = researcher.get("/beheer/import").await;
    let csv = "naam;organisatie;voorzieningen;postcode;plaats\n\
               Spuitomruil Noord;Zorg Twee Servers;spuitomruil;3531 AB;Utrecht\n";
    let checked = researcher
        .upload(
            "/beheer/import",
            Some(&csrf_token(&page)),
            "lijst.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text());
    let html = checked.text();
    let start = html
        .find("name=\"upload\" value=\"")
        .expect("an Importeren form")
        + "name=\"upload\" value=\"".len();
    let upload = html[start..].split('"').next().unwrap().to_string();
    let token_field = csrf_token(&checked);
    researcher.point_at(&two.base);
    let form = [
        ("upload", upload.as_str()),
        ("csrf_token", token_field.as_str()),
    ];
    let written = researcher.post("/beheer/import/importeren", &form).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text());
    let names = |answer: &Value| -> Vec<String> {
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["facility"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    within_a_second(&one, finder, |a| {
        names(a).contains(&"Spuitomruil Noord".to_string())
    })
    .await;
    // Taken once: the same step again, on either server, finds nothing waiting.
    for base in [&two.base, &one.base] {
        researcher.point_at(base);
        let again = researcher.post("/beheer/import/importeren", &form).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    }
}
