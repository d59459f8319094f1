//! `vangnet backup` under load and `vangnet restore` into an empty database
//! (SQLite), and the printed pg_dump recipe doing the same (PostgreSQL).

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use crate::common::{engine, TestApp, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_vangnet");

fn run(program: &str, args: &[&str]) -> Output {
    let output = Command::new(program)
        .env_remove("VANGNET_DATABASE_URL")
        .stdin(Stdio::null())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    output
}

fn said(output: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn run_async(program: &'static str, args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(program, &args)
    })
    .await
    .unwrap()
}

/// What a user would compare: histories, report values, Table 1.
async fn view(app: &TestApp, router: &axum::Router, ids: &[i64]) -> Vec<(String, Value)> {
    let mut uris: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/facilities/{id}/history"))
        .collect();
    uris.push("/api/v1/reports/periods".into());
    uris.push("/api/v1/reports/table1".into());
    let mut seen = Vec::new();
    for uri in uris {
        let request = axum::http::Request::builder()
            .uri(&uri)
            .header("authorization", format!("Bearer {}", app.token))
            .body(axum::body::Body::empty())
            .unwrap();
        let reply = crate::common::call(router, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        seen.push((uri, reply.json()));
    }
    seen
}

async fn tally_ids(store: &vangnet::storage::Store) -> HashSet<String> {
    sqlx::query_scalar::<_, String>("SELECT id FROM tallies")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .into_iter()
        .collect()
}

fn router_on(store: &vangnet::storage::Store) -> axum::Router {
    let mailer =
        vangnet::platform::mail::Mailer::from_url(None, "vangnet <noreply@vangnet.invalid>")
            .unwrap();
    vangnet::http::app::build(
        store.clone(),
        vangnet::platform::config::Config::default(),
        mailer,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_load_restores_the_same_register() {
    let app = Arc::new(TestApp::new().await);
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let ids: Vec<i64> = app
        .facilities("status=all")
        .await
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() >= 8, "the demo has facilities");
    let (patched, untouched) = ids.split_at(3);
    // A facility that takes tallies.
    let mut tallied = None;
    for id in &ids {
        let body = json!({"tallies": [{"id": format!("setup-{id}"), "facility_id": id,
            "at": Utc::now().to_rfc3339(), "metric": "syringes_out", "amount": 1}]});
        if app
            .send(
                Method::POST,
                "/api/v1/tallies",
                Some(body),
                Some(&app.token),
            )
            .await
            .status
            .is_success()
        {
            tallied = Some(*id);
            break;
        }
    }
    let tallied = tallied.expect("some demo facility takes syringe tallies");
    let before = view(&app, &app.router, untouched).await;
    let histories_before: Vec<usize> = view(&app, &app.router, patched).await[..patched.len()]
        .iter()
        .map(|(_, v)| v.as_array().unwrap().len())
        .collect();

    // Writers run from before the backup starts until after it ends.
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..3usize {
        let (app, stop) = (app.clone(), stop.clone());
        let patched = patched.to_vec();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut n = 0usize;
            while !stop.load(Ordering::SeqCst) || n < 5 {
                n += 1;
                if writer == 0 {
                    let id = patched[n % patched.len()];
                    let reply = app
                        .patch(
                            &format!("/api/v1/facilities/{id}"),
                            json!({"notes": format!("backup writer {n}")}),
                        )
                        .await;
                    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
                } else {
                    let tally = format!("load-{writer}-{n}");
                    let body = json!({"tallies": [{"id": tally, "facility_id": tallied,
                        "at": Utc::now().to_rfc3339(), "metric": "syringes_out", "amount": 1}]});
                    let reply = app
                        .send(
                            Method::POST,
                            "/api/v1/tallies",
                            Some(body),
                            Some(&app.token),
                        )
                        .await;
                    assert!(reply.status.is_success(), "{}", reply.text());
                    acknowledged.push(tally);
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let acknowledged_before = tally_ids(&app.store).await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vangnet.backup");
    let file_text = file.display().to_string();
    let source = app.database_url().to_string();
    let target = TestDb::new().await;
    let backup = run_async(
        BIN,
        vec![
            "backup".into(),
            file_text.clone(),
            "--database".into(),
            source.clone(),
        ],
    )
    .await;
    if engine() == "sqlite" {
        assert!(backup.status.success(), "{}", said(&backup));
    } else {
        // PostgreSQL: the command refuses and prints the recipe, which is
        // run here as an operator would.
        assert!(!backup.status.success(), "{}", said(&backup));
        assert!(
            said(&backup).contains("pg_dump --format=custom"),
            "{}",
            said(&backup)
        );
        let dump = run_async(
            "pg_dump",
            vec![
                "--format=custom".into(),
                format!("--file={file_text}"),
                source.clone(),
            ],
        )
        .await;
        assert!(dump.status.success(), "{}", said(&dump));
    }
    stop.store(true, Ordering::SeqCst);
    let mut acknowledged = HashSet::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }

    assert!(
        acknowledged
            .iter()
            .any(|t| !acknowledged_before.contains(t)),
        "writers kept writing while the backup ran"
    );

    if engine() == "sqlite" {
        let restore = run_async(
            BIN,
            vec![
                "restore".into(),
                file_text.clone(),
                "--database".into(),
                target.url.clone(),
            ],
        )
        .await;
        assert!(restore.status.success(), "{}", said(&restore));
    } else {
        let restore = run_async(
            "pg_restore",
            vec![
                "--exit-on-error".into(),
                "--no-owner".into(),
                format!("--dbname={}", target.url),
                file_text.clone(),
            ],
        )
        .await;
        assert!(restore.status.success(), "{}", said(&restore));
        let migrate = run_async(
            BIN,
            vec!["migrate".into(), "--database".into(), target.url.clone()],
        )
        .await;
        assert!(migrate.status.success(), "{}", said(&migrate));
    }

    let verify = run_async(
        BIN,
        vec![
            "audit".into(),
            "verify".into(),
            "--database".into(),
            target.url.clone(),
        ],
    )
    .await;
    assert!(verify.status.success(), "{}", said(&verify));
    assert!(said(&verify).contains("intact"), "{}", said(&verify));

    let restored = target.store().await;
    let router = router_on(&restored);
    assert_eq!(
        view(&app, &router, untouched).await,
        before,
        "the restored register shows the same histories, report values and Table 1"
    );
    let histories_after = view(&app, &router, patched).await;
    for (i, (uri, history)) in histories_after[..patched.len()].iter().enumerate() {
        let versions = history.as_array().unwrap().len();
        assert!(
            versions >= histories_before[i],
            "{uri}: the changes made before the backup are there"
        );
    }
    let restored_tallies = tally_ids(&restored).await;
    let missing: Vec<_> = acknowledged_before.difference(&restored_tallies).collect();
    assert!(
        missing.is_empty(),
        "tallies saved before the backup are lost: {missing:?}"
    );
    let strange: Vec<_> = restored_tallies
        .iter()
        .filter(|t| t.starts_with("load-") && !acknowledged.contains(*t))
        .collect();
    assert!(
        strange.is_empty(),
        "unacknowledged tallies restored: {strange:?}"
    );
    assert!(
        restored_tallies.len() <= tally_ids(&app.store).await.len(),
        "the backup holds no more than the register"
    );
    restored.close().await;
}

#[tokio::test]
async fn restore_refuses_a_database_that_holds_data_and_changes_nothing() {
    let app = TestApp::new().await;
    let source = app.database_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vangnet.backup");
    if engine() == "sqlite" {
        let backup = run(
            BIN,
            &["backup", &file.display().to_string(), "--database", &source],
        );
        assert!(backup.status.success(), "{}", said(&backup));
        let again = run(
            BIN,
            &["backup", &file.display().to_string(), "--database", &source],
        );
        assert!(
            !again.status.success(),
            "an existing backup is not overwritten"
        );
    } else {
        std::fs::write(&file, b"not used").unwrap();
    }
    let audit_entries = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    let entries = audit_entries().await;
    let bytes_before = read_if_sqlite(&source);
    let restore = run(
        BIN,
        &[
            "restore",
            &file.display().to_string(),
            "--database",
            &source,
        ],
    );
    assert!(!restore.status.success(), "{}", said(&restore));
    let text = said(&restore);
    if engine() == "sqlite" {
        assert!(text.contains("already holds a database"), "{text}");
    } else {
        assert!(text.contains("pg_restore"), "{text}");
    }
    assert_eq!(audit_entries().await, entries, "nothing was written");
    assert_eq!(
        read_if_sqlite(&source),
        bytes_before,
        "the file is unchanged"
    );
}

fn read_if_sqlite(url: &str) -> Option<Vec<u8>> {
    (engine() == "sqlite").then(|| std::fs::read(Path::new(url)).unwrap())
}
