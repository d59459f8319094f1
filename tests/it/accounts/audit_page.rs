//! The audit log a page at a time: paging by sequence number, the choice
//! between changes and reads, who from the accounts, and the staff page
//! that names events in the reader's language, links to their objects and
//! shows the before and after of a change. Storage is run on both engines.

use axum::http::StatusCode;
use serde_json::json;

use crate::browser::{signed_in, unescape};
use crate::common::*;
use vangnet::domain::audit::AuditView;
use vangnet::domain::provenance::Actor;
use vangnet::storage::audit::{AuditEvent, AuditFilter};

fn actor(name: &str, user_id: Option<i64>) -> Actor {
    Actor {
        user_id,
        ..Actor::named(name)
    }
}

#[tokio::test]
async fn the_log_pages_by_sequence_and_keeps_reads_apart_from_changes() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let (ann, bob) = (
        actor("ann@example.org", Some(7)),
        actor("bob@example.org", Some(8)),
    );
    let mut changes = Vec::new();
    for i in 0..6 {
        let who = if i % 2 == 0 { &ann } else { &bob };
        let seq = store
            .audit(&AuditEvent::new("update", who, "facility").object(i))
            .await
            .unwrap();
        changes.push(seq);
        store
            .audit(&AuditEvent::new("read", who, "facility").object(i))
            .await
            .unwrap();
    }
    let seqs = |filter: AuditFilter| {
        let store = &store;
        async move {
            store
                .search_audit(&filter)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.seq, e.event))
                .collect::<Vec<_>>()
        }
    };
    let only_changes = AuditFilter {
        view: AuditView::Changes,
        limit: 4,
        ..AuditFilter::default()
    };
    let newest = seqs(only_changes.clone()).await;
    let expect = |list: &[i64]| -> Vec<(i64, String)> {
        list.iter().map(|s| (*s, "update".to_string())).collect()
    };
    assert_eq!(
        newest,
        expect(&[changes[5], changes[4], changes[3], changes[2]])
    );
    // Older than the last of a page: the rest.
    let older = seqs(AuditFilter {
        before_seq: Some(changes[2]),
        ..only_changes.clone()
    })
    .await;
    assert_eq!(older, expect(&[changes[1], changes[0]]));
    // Newer than an entry: the ones right after it, still newest first.
    let newer = seqs(AuditFilter {
        after_seq: Some(changes[0]),
        limit: 2,
        ..only_changes.clone()
    })
    .await;
    assert_eq!(newer, expect(&[changes[2], changes[1]]));

    let reads = seqs(AuditFilter {
        view: AuditView::Reads,
        limit: 100,
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(reads.len(), 6);
    assert!(reads.iter().all(|(_, e)| e == "read"), "{reads:?}");
    let all = seqs(AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(all.len(), 12);

    let by_bob = seqs(AuditFilter {
        user_id: Some(8),
        view: AuditView::Changes,
        limit: 100,
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(by_bob, expect(&[changes[5], changes[3], changes[1]]));
}

#[tokio::test]
async fn the_audit_page_names_a_change_links_its_facility_and_shows_before_and_after() {
    let app = TestApp::new().await;
    let report = app
        .import(
            "een.csv",
            "naam;organisatie;voorzieningen;plaats;openingstijden\n\
             Demo Inloop;Demo Zorg;spuitomruil;Utrecht;Mo-Fr 09:00-12:00\n",
        )
        .await;
    assert!(report.is_ok(), "{report}");
    let id = app.facility_id("Demo Inloop").await;
    let changed = app
        .patch(
            &format!("/api/v1/facilities/{id}"),
            json!({"opening_hours": "Mo-Fr 09:00-17:00"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());

    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    let page = admin.get("/beheer/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<td>Gewijzigd</td>"), "{html}");
    assert!(
        html.contains(&format!(
            "href=\"/beheer/voorzieningen/{id}\">Voorziening {id}</a>"
        )),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"/beheer/voorzieningen/{id}/geschiedenis\"")));
    assert!(
        html.contains("Openingstijden</span>: <del><span class=\"visually-hidden\">was </span>Mo-Fr 09:00-12:00</del> → <ins><span class=\"visually-hidden\">werd </span>Mo-Fr 09:00-17:00</ins>"),
        "{html}"
    );
    assert!(
        !html.contains("<td>Ingezien</td>"),
        "changes by default: {html}"
    );
    assert!(
        html.contains("<option value=\"admin@example.org\"")
            || html.contains(">admin@example.org</option>")
    );

    // The form as a browser sends it, with every choice left open.
    let sent = admin
        .get("/beheer/audit?kind=reads&event=&user=&object_type=&object_id=&from=&until=")
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
    let reads = sent.text();
    assert!(reads.contains("<td>Ingezien</td>"), "{reads}");
    assert!(!reads.contains("<td>Gewijzigd</td>"), "{reads}");

    let english = admin.get("/taal?lang=en&terug=/beheer/audit").await;
    assert_eq!(english.status, StatusCode::SEE_OTHER);
    let html = admin.get("/beheer/audit").await.text();
    assert!(html.contains("<td>Changed</td>"), "{html}");
    assert!(html.contains("Opening hours</span>"), "{html}");
}

#[tokio::test]
async fn the_audit_page_shows_50_at_a_time_with_older_and_newer_links() {
    let app = TestApp::new().await;
    let someone = Actor::named("cli:test");
    for i in 0..60 {
        app.store
            .audit(&AuditEvent::new("disable", &someone, "user").object(1000 + i))
            .await
            .unwrap();
    }
    let mut admin = signed_in(&app, "admin@example.org", "admin", None).await;
    let first = admin.get("/beheer/audit?event=disable").await.text();
    assert_eq!(first.matches("<tr data-seq=").count(), 50, "{first}");
    assert!(first.contains("Gebruiker 1059") && !first.contains("Gebruiker 1009<"));
    assert!(
        !first.contains("rel=\"prev\""),
        "no newer page on the first"
    );
    let link = |html: &str, rel: &str| {
        let at = html
            .find(&format!("rel=\"{rel}\""))
            .unwrap_or_else(|| panic!("no {rel}: {html}"));
        let start = html[..at].rfind("href=\"").unwrap() + 6;
        unescape(&html[start..start + html[start..].find('"').unwrap()])
    };
    let older_url = link(&first, "next");
    assert!(
        older_url.contains("event=disable") && older_url.contains("before="),
        "{older_url}"
    );
    let older = admin.get(&older_url).await.text();
    assert_eq!(older.matches("<tr data-seq=").count(), 10, "{older}");
    assert!(older.contains("Gebruiker 1009") && older.contains("Gebruiker 1000"));
    assert!(
        !older.contains("rel=\"next\""),
        "the oldest page has no older link"
    );
    let newer = admin.get(&link(&older, "prev")).await.text();
    assert_eq!(newer.matches("<tr data-seq=").count(), 50);
    assert!(newer.contains("Gebruiker 1059") && newer.contains("Gebruiker 1010"));

    // Each view is read from the log and recorded as a read of it.
    let reads = app
        .store
        .search_audit(&AuditFilter {
            object_type: Some("audit_log".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(reads.len(), 3);
}
