//! Sending survives a kill (issue 14): a real `vangnet serve` delivering
//! 500 invitations to aiosmtpd is killed with SIGKILL three times in the
//! middle of sending and started again; in the end each of the 500
//! contacts received exactly one invitation, and the campaign's status
//! says 500 sent.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;

use super::support::*;
use crate::common::*;
use vangnet::domain::access::Principal;
use vangnet::domain::provenance::Actor;

const CONTACTS: usize = 500;
const BIN: &str = env!("CARGO_BIN_EXE_vangnet");

fn vangnet(db: &TestDb, args: &[&str]) -> String {
    let output = Command::new(BIN)
        .args(args)
        .args(["--database", &db.url])
        .env_remove("VANGNET_DATABASE_URL")
        .env_remove("VANGNET_SMTP_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{args:?}: {out}{err}");
    out
}

/// `vangnet serve` with the SMTP server, its log appended to `log`.
fn serve(db: &TestDb, smtp: &SmtpServer, log: &Path) -> Child {
    let log = File::options().create(true).append(true).open(log).unwrap();
    Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &db.url])
        .args(["--smtp-url", &smtp.url(), "--public-url", PUBLIC_URL])
        .env_remove("VANGNET_DATABASE_URL")
        .env_remove("VANGNET_SMTP_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start vangnet serve")
}

fn totals(db: &TestDb) -> Value {
    let status: Value = serde_json::from_str(&vangnet(
        db,
        &["campaign", "status", "kill", "--format", "json"],
    ))
    .unwrap();
    status["totals"].clone()
}

#[tokio::test]
async fn killed_while_sending_each_of_500_contacts_gets_exactly_one_invitation() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let who = Principal::command_line("test");
    let actor = Actor::named("test");
    vangnet::rounds::create_round(
        &store,
        &vangnet::domain::round::RoundInput {
            name: Some("2026".into()),
            reference_date: Some("2026-01-01".into()),
            services: Vec::new(),
        },
        &who,
        &actor,
    )
    .await
    .unwrap();
    let today = Utc::now().date_naive();
    let addresses: Vec<String> = (0..CONTACTS)
        .map(|i| format!("contact{i:03}@org{i:03}.example"))
        .collect();
    for (i, email) in addresses.iter().enumerate() {
        let organisation = vangnet::register::create_organisation(
            &store,
            &vangnet::domain::organisation::OrganisationInput {
                name: Some(format!("Organisatie {i:03}")),
                ..Default::default()
            },
            &vangnet::domain::facility::manual_source("test"),
            &who,
            &actor,
            today,
        )
        .await
        .unwrap();
        let contact = vangnet::domain::contact::ContactInput {
            organisation_id: Some(organisation),
            name: Some(format!("Contact {i:03}")),
            email: Some(email.clone()),
            ..Default::default()
        };
        vangnet::campaigns::contacts::create(&store, &who, &actor, &contact, today)
            .await
            .unwrap();
    }
    let out = vangnet(
        &db,
        &[
            "campaign",
            "create",
            "kill",
            "--round",
            "2026",
            "--closes",
            "2099-12-31",
        ],
    );
    assert!(out.contains("500 organisations to invite"), "{out}");
    let out = vangnet(&db, &["campaign", "send", "kill"]);
    assert!(out.contains("500 invitations queued"), "{out}");

    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let server_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let started = Instant::now();
    let mut server = serve(&db, &smtp, &log);
    // Killed three times in the middle of sending, started again each time.
    for kill_at in [100, 200, 300] {
        while smtp.count() < kill_at {
            if let Ok(Some(exit)) = server.try_wait() {
                panic!("vangnet serve exited: {exit}\n{}", server_log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "only {} of {CONTACTS} received after a minute\n{}",
                smtp.count(),
                server_log()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        server.kill().unwrap(); // SIGKILL: no chance to finish anything
        server.wait().unwrap();
        let received = smtp.count();
        assert!(
            received < CONTACTS,
            "all {received} were sent before the kill: the test kills too late"
        );
        server = serve(&db, &smtp, &log);
    }

    // The last server delivers the rest, also what the killed ones held.
    let mut last = Value::Null;
    while last["sent"] != CONTACTS {
        if let Ok(Some(exit)) = server.try_wait() {
            panic!("vangnet serve exited: {exit}\n{}", server_log());
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not all sent in time: {last}; {} received\n{}",
            smtp.count(),
            server_log()
        );
        std::thread::sleep(Duration::from_millis(500));
        last = totals(&db);
    }
    // "Sent" is recorded just before the final line goes out: let the last
    // one arrive before the server is stopped.
    let finishing = Instant::now();
    while smtp.count() < CONTACTS && finishing.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let mut per_address: BTreeMap<String, usize> = BTreeMap::new();
    for mail in smtp.received() {
        *per_address.entry(mail.to.clone()).or_default() += 1;
    }
    let twice: Vec<_> = per_address.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "mailed more than once: {twice:?}");
    let missing: Vec<_> = addresses
        .iter()
        .filter(|a| !per_address.keys().any(|to| to.contains(a.as_str())))
        .collect();
    assert!(missing.is_empty(), "never mailed: {missing:?}");
    assert_eq!(smtp.count(), CONTACTS);
    assert_eq!(last["sent"], CONTACTS, "{last}");
    assert_eq!(last["recipients"], CONTACTS, "{last}");
    eprintln!(
        "500 invitations through 3 kills in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The seam the guarantee rests on: a message whose hand-over fails is
/// dropped by the SMTP server, not delivered; the next one goes out.
#[tokio::test]
async fn a_refused_hand_over_delivers_nothing() {
    let smtp = SmtpServer::start();
    let mailer = smtp.mailer();
    let mail = |to: &str| vangnet::platform::mail::Mail {
        to: to.into(),
        subject: "Uitnodiging".into(),
        body: "Regel één\n.\nnog een regel\n".into(),
    };
    let refused = mailer
        .send_handing_over(&mail("anna@utrecht.example"), async {
            anyhow::bail!("the claim was lost")
        })
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "the claim was lost");
    let mut handed_over = false;
    mailer
        .send_handing_over(&mail("jan@zwolle.example"), async {
            handed_over = true;
            Ok(())
        })
        .await
        .unwrap();
    assert!(handed_over);
    // The SMTP server writes a message when it takes it: give it a moment.
    let started = Instant::now();
    while smtp.count() < 1 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let received = smtp.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(
        received[0].to.contains("jan@zwolle.example"),
        "{received:?}"
    );
    assert!(
        received[0].body.contains("\n.\nnog een regel"),
        "a line of one dot arrives as it was: {}",
        received[0].body
    );
    // A refused recipient is still a permanent failure, before any hand-over.
    let bounced = mailer
        .send_handing_over(&mail("weiger@delft.example"), async {
            panic!("no hand-over for a refused recipient")
        })
        .await
        .unwrap_err();
    let failure = bounced
        .downcast_ref::<vangnet::platform::mail::SendFailure>()
        .expect("a SendFailure");
    assert!(failure.permanent, "{failure}");
}
