//! What the campaign tests share: aiosmtpd (Python, from PyPI, in
//! `target/schemathesis-venv` as `scripts/test` installs it, or
//! `$VANGNET_TEST_PYTHON`), started per test with a handler that stores
//! every message in a maildir and refuses, with a permanent 550, every
//! recipient whose address starts with `weiger`; and a small world of
//! organisations with contacts. Without aiosmtpd these tests fail; they do
//! not skip.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{json, Value};

use crate::common::*;
use vangnet::campaigns::campaigns::outbox;
use vangnet::platform::config::Config;
use vangnet::platform::mail::Mailer;

pub(super) const FROM: &str = "vangnet <noreply@vangnet.invalid>";
pub(super) const PUBLIC_URL: &str = "https://vangnet.example";

const SERVER: &str = r#"
import sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("weiger"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

controller = Controller(Handler(sys.argv[3]), hostname=sys.argv[1], port=int(sys.argv[2]))
controller.start()
threading.Event().wait()
"#;

pub(super) fn python_with_aiosmtpd() -> PathBuf {
    python_with("import aiosmtpd", "the campaign tests need aiosmtpd")
}

pub(super) fn free_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// aiosmtpd on 127.0.0.1 with the refusing handler; killed on drop.
pub(super) struct SmtpServer {
    child: Child,
    address: SocketAddr,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub(super) fn start() -> SmtpServer {
        let address = free_address();
        SmtpServer::start_at(address)
    }

    pub(super) fn start_at(address: SocketAddr) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("maildir");
        let mut child = Command::new(python_with_aiosmtpd())
            .args(["-c", SERVER, "127.0.0.1"])
            .arg(address.port().to_string())
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while TcpStream::connect(address).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("aiosmtpd exited: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd does not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer {
            child,
            address,
            maildir,
            _dir: dir,
        }
    }

    pub(super) fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    pub(super) fn mailer(&self) -> Mailer {
        Mailer::from_url(Some(&self.url()), FROM).unwrap()
    }

    /// Every message received: (recipient header, subject, body with soft
    /// line breaks undone).
    pub(super) fn received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let header = |name: &str| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(name))
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                };
                Received {
                    to: header("To:"),
                    subject: header("Subject:"),
                    body: text
                        .replace("=\r\n", "")
                        .replace("=\n", "")
                        .replace("=3D", "="),
                }
            })
            .collect()
    }

    /// How many messages were received, without reading them.
    pub(super) fn count(&self) -> usize {
        std::fs::read_dir(self.maildir.join("new")).map_or(0, |entries| entries.count())
    }

    pub(super) fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.contains(address))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone)]
pub(super) struct Received {
    pub(super) to: String,
    pub(super) subject: String,
    pub(super) body: String,
}

impl Received {
    /// The personal link's token.
    pub(super) fn token(&self) -> String {
        let start = self
            .body
            .find("/enquete/")
            .unwrap_or_else(|| panic!("no personal link in {}", self.body))
            + "/enquete/".len();
        self.body[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect()
    }
}

pub(super) fn config(smtp: Option<&SmtpServer>) -> Config {
    Config {
        public_url: PUBLIC_URL.into(),
        smtp_url: smtp.map(SmtpServer::url),
        ..Config::default()
    }
}

pub(super) async fn deliver(
    app: &TestApp,
    mailer: &Mailer,
    at: chrono::DateTime<Utc>,
) -> outbox::Delivered {
    outbox::deliver_due(&app.store, mailer, &config(None), at)
        .await
        .expect("delivery runs")
}

pub(super) async fn organisation(app: &TestApp, name: &str) -> i64 {
    let reply = app
        .post("/api/v1/organisations", json!({ "name": name }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

pub(super) async fn contact(app: &TestApp, organisation: i64, name: &str, email: &str) -> i64 {
    let reply = app
        .post(
            "/api/v1/contacts",
            json!({"organisation_id": organisation, "name": name, "email": email}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_i64().unwrap()
}

/// A round 2026 and organisations with contacts: Utrecht (two contacts,
/// Anna first by name), Zwolle, Groningen (opted out), Leiden (erased),
/// and Delft, whose address the test server refuses.
pub(super) struct World {
    pub(super) utrecht: i64,
    pub(super) zwolle: i64,
    pub(super) delft: i64,
}

pub(super) async fn world(app: &TestApp) -> World {
    let reply = app
        .post(
            "/api/v1/rounds",
            json!({"name": "2026", "reference_date": "2026-01-01"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let utrecht = organisation(app, "Demo Zorg Utrecht").await;
    let zwolle = organisation(app, "Demo Apotheek Zwolle").await;
    let groningen = organisation(app, "Demo Groningen").await;
    let leiden = organisation(app, "Demo Leiden").await;
    let delft = organisation(app, "Demo Delft").await;
    contact(app, utrecht, "Bert Bakker", "bert@utrecht.example").await;
    contact(app, utrecht, "Anna de Vries", "anna@utrecht.example").await;
    contact(app, zwolle, "Jan Jansen", "jan@zwolle.example").await;
    let opted = contact(app, groningen, "Gerda Groen", "gerda@groningen.example").await;
    let reply = app
        .patch(
            &format!("/api/v1/contacts/{opted}"),
            json!({"opt_out": true}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let erased = contact(app, leiden, "Lies Leiden", "lies@leiden.example").await;
    let reply = app
        .post(&format!("/api/v1/contacts/{erased}/erase"), json!({}))
        .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    contact(app, delft, "Weiger Delft", "weiger@delft.example").await;
    World {
        utrecht,
        zwolle,
        delft,
    }
}

pub(super) async fn status(app: &TestApp, name: &str) -> Value {
    let reply = app.get_as_admin(&format!("/api/v1/campaigns/{name}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

pub(super) fn recipient(status: &Value, organisation: i64) -> &Value {
    status["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organisation_id"] == organisation)
        .unwrap_or_else(|| panic!("organisation {organisation} is no recipient: {status}"))
}

pub(super) async fn create(app: &TestApp, body: Value) -> Value {
    let reply = app.post("/api/v1/campaigns", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}
