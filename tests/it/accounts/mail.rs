//! The mailer against a real SMTP server: aiosmtpd (Python, from PyPI),
//! which `scripts/test` installs into `target/schemathesis-venv`. Each test
//! starts its own server on a free port that stores what it receives in a
//! maildir, and reads the message back with Python's `email` package, as a
//! mail program would see it. Without aiosmtpd these tests fail; they do
//! not skip.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vangnet::platform::mail::{Mail, Mailer};

const FROM: &str = "vangnet <noreply@vangnet.invalid>";

/// A Python that can import aiosmtpd: the test venv of `scripts/test`, else
/// `$VANGNET_TEST_PYTHON`.
fn python_with_aiosmtpd() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/schemathesis-venv/bin/python");
    let from_env = std::env::var_os("VANGNET_TEST_PYTHON").map(PathBuf::from);
    let mut tried = Vec::new();
    for python in std::iter::once(venv).chain(from_env) {
        let imports = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if imports {
            return python;
        }
        tried.push(python.display().to_string());
    }
    panic!(
        "the mail tests need a real SMTP server, aiosmtpd from PyPI, and no Python here has it \
         (tried: {}). Run scripts/test once, which installs it into target/schemathesis-venv, \
         or set VANGNET_TEST_PYTHON to a Python with aiosmtpd installed.",
        tried.join(", ")
    );
}

/// aiosmtpd on 127.0.0.1, storing every message in a maildir; killed on drop.
struct SmtpServer {
    child: Child,
    address: SocketAddr,
    maildir: PathBuf,
    python: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let python = python_with_aiosmtpd();
        let dir = tempfile::tempdir().expect("temp dir");
        let maildir = dir.path().join("maildir");
        let log = dir.path().join("aiosmtpd.log");
        // A port taken by someone else between choosing it and the server
        // binding it makes the server exit; then another is tried.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let address = free_address();
            let mut child = Command::new(&python)
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(address.to_string())
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(&maildir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).expect("server log"))
                .spawn()
                .expect("start aiosmtpd");
            match wait_until_listening(&mut child, address, &log) {
                Ok(()) => {
                    return SmtpServer {
                        child,
                        address,
                        maildir,
                        python,
                        _dir: dir,
                    }
                }
                Err(failure) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    failures.push(failure);
                }
            }
        }
        panic!("aiosmtpd did not start: {}", failures.join("; "));
    }

    fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Every message received, oldest first, as Python's `email` package
    /// reads it: headers decoded (RFC 2047), the body decoded from its
    /// transfer encoding and charset; `raw` is the message as stored.
    fn messages(&self) -> Vec<Value> {
        const READ_MAILDIR: &str = r#"
import email, email.policy, json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=False)
messages = []
for key in box.keys():
    raw = box.get_bytes(key)
    m = email.message_from_bytes(raw, policy=email.policy.default)
    messages.append({
        "date": str(m["Date"]),
        "envelope_to": str(m["X-RcptTo"]),
        "envelope_from": str(m["X-MailFrom"]),
        "to": str(m["To"]),
        "from": str(m["From"]),
        "subject": str(m["Subject"]),
        "content_type": m.get_content_type(),
        "charset": m.get_content_charset(),
        "transfer_encoding": str(m["Content-Transfer-Encoding"]),
        "body": m.get_content(),
        "raw": raw.decode("latin-1"),
    })
messages.sort(key=lambda m: m["date"])
print(json.dumps(messages))
"#;
        if !self.maildir.join("new").exists() {
            return Vec::new();
        }
        let output = Command::new(&self.python)
            .args(["-c", READ_MAILDIR])
            .arg(&self.maildir)
            .stdin(Stdio::null())
            .output()
            .expect("run Python to read the maildir");
        assert!(
            output.status.success(),
            "reading the maildir failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON from Python")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now: the one the system gives a fresh listener.
fn free_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
}

/// Polls until the server accepts connections (or exits, or 15 s pass).
fn wait_until_listening(child: &mut Child, address: SocketAddr, log: &Path) -> Result<(), String> {
    let started = Instant::now();
    let log_text = || std::fs::read_to_string(log).unwrap_or_default();
    loop {
        if let Some(status) = child.try_wait().expect("poll aiosmtpd") {
            return Err(format!("it exited ({status}): {}", log_text()));
        }
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(15) {
            return Err(format!(
                "it did not listen on {address} within 15 s: {}",
                log_text()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends with a deadline, so a TLS or protocol mix-up fails instead of hanging.
async fn send(mailer: &Mailer, mail: &Mail) -> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(30), mailer.send(mail))
        .await
        .unwrap_or_else(|_| panic!("sending through {mailer} took more than 30 s"))
}

#[tokio::test]
async fn a_message_arrives_with_its_recipient_subject_and_utf8_body() {
    let server = SmtpServer::start();
    let mailer = Mailer::from_url(Some(&server.url()), FROM).unwrap();
    let body = "Wachtwoord instellen voor vangnet — ë\n\n\
                Stel uw wachtwoord in via deze link (24 uur geldig, één keer te gebruiken):\n\
                https://vangnet.example.nl/wachtwoord-instellen?code=Zm9v_YmFy-0123456789abcdef0123456789abcdef\n";
    let mail = Mail {
        to: "Coördinator Zwolle <coordinator@example.nl>".into(),
        subject: "Wachtwoord instellen voor vangnet — ë".into(),
        body: body.into(),
    };
    send(&mailer, &mail).await.expect("send through aiosmtpd");

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = &messages[0];
    eprintln!(
        "delivered with Content-Transfer-Encoding: {}",
        message["transfer_encoding"]
    );
    assert_eq!(message["envelope_to"], "coordinator@example.nl");
    assert_eq!(message["envelope_from"], "noreply@vangnet.invalid");
    assert_eq!(message["to"], "Coördinator Zwolle <coordinator@example.nl>");
    assert_eq!(message["from"], "vangnet <noreply@vangnet.invalid>");
    assert_eq!(message["subject"], "Wachtwoord instellen voor vangnet — ë");
    assert_eq!(message["content_type"], "text/plain");
    assert_eq!(message["charset"], "utf-8");
    let received = message["body"].as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(received, body);
    // Encoded for any relay: nothing but 7-bit ASCII on the wire, so the
    // message survives servers without 8BITMIME.
    let raw = message["raw"].as_str().unwrap();
    assert!(raw.is_ascii(), "not 7-bit clean:\n{raw}");
    assert!(
        ["quoted-printable", "base64"].contains(&message["transfer_encoding"].as_str().unwrap()),
        "{raw}"
    );
}

#[tokio::test]
async fn every_message_goes_to_its_own_recipient() {
    let server = SmtpServer::start();
    let mailer = Mailer::from_url(Some(&server.url()), FROM).unwrap();
    for to in ["een@example.nl", "twee@example.nl"] {
        let mail = Mail {
            to: to.into(),
            subject: format!("Voor {to}"),
            body: "Hallo\n".into(),
        };
        send(&mailer, &mail).await.expect("send through aiosmtpd");
    }
    let mut received: Vec<(String, String)> = server
        .messages()
        .iter()
        .map(|m| {
            (
                m["envelope_to"].as_str().unwrap().to_string(),
                m["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    received.sort();
    assert_eq!(
        received,
        [
            (
                "een@example.nl".to_string(),
                "Voor een@example.nl".to_string()
            ),
            (
                "twee@example.nl".to_string(),
                "Voor twee@example.nl".to_string()
            ),
        ]
    );
}

/// The server speaks plain SMTP only: the TLS schemes must fail rather than
/// send the message, or the password, unencrypted.
#[tokio::test]
async fn tls_schemes_never_fall_back_to_plain_text() {
    let server = SmtpServer::start();
    let port = server.address.port();
    let mail = Mail {
        to: "coordinator@example.nl".into(),
        subject: "geheim".into(),
        body: "geheim\n".into(),
    };
    for url in [
        format!("smtps://vangnet:wachtwoord@127.0.0.1:{port}"),
        format!("smtp+starttls://vangnet:wachtwoord@127.0.0.1:{port}"),
    ] {
        let mailer = Mailer::from_url(Some(&url), FROM).unwrap();
        let err = send(&mailer, &mail)
            .await
            .expect_err("a TLS scheme sent through a plain server");
        // As the caller logs it (`%e`): the cause is in the message.
        let shown = err.to_string();
        eprintln!("{shown}");
        assert!(!shown.contains("wachtwoord"), "{shown}");
        assert!(
            shown.contains(&format!("through {}: ", url.replace("wachtwoord", "***"))),
            "{shown}"
        );
        if url.starts_with("smtp+starttls:") {
            assert!(shown.contains("STARTTLS is not supported"), "{shown}");
        }
    }
    assert_eq!(server.messages().len(), 0);
}

#[tokio::test]
async fn a_new_user_gets_the_invitation_by_mail_and_its_link_sets_the_password() {
    let server = SmtpServer::start();
    let app = crate::common::TestApp::new().await;
    let config = vangnet::platform::config::Config {
        public_url: "https://vangnet.test".into(),
        smtp_url: Some(server.url()),
        ..vangnet::platform::config::Config::default()
    };
    let mailer = Mailer::from_url(config.smtp_url.as_deref(), FROM).unwrap();
    let router = vangnet::http::app::build(app.store.clone(), config, mailer);
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/users")
        .header("authorization", format!("Bearer {}", app.token))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            r#"{"email": "nieuw@ggd.example", "role": "researcher"}"#,
        ))
        .unwrap();
    let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
    assert_eq!(response.status(), 201);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let created: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(created["invitation_sent"], true);

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert_eq!(messages[0]["envelope_to"], "nieuw@ggd.example");
    let body = messages[0]["body"].as_str().unwrap();
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("https://vangnet.test/wachtwoord-instellen?code="))
        .unwrap_or_else(|| panic!("no link in the invitation:\n{body}"));
    let code = link.rsplit('=').next().unwrap();
    let actor = vangnet::domain::provenance::Actor::named("test");
    vangnet::accounts::set_password(&app.store, code, "een heel goed wachtwoord", &actor)
        .await
        .expect("the mailed link sets the password");
    let signed_in = vangnet::accounts::sign_in(
        &app.store,
        "nieuw@ggd.example",
        "een heel goed wachtwoord",
        "192.0.2.9",
    )
    .await;
    assert!(signed_in.is_ok(), "{signed_in:?}");
}
