//! Sending e-mail: password links, invitations and other notices, as plain
//! UTF-8 text.
//!
//! A [`Mailer`] is built once from configuration with [`Mailer::from_url`]:
//!
//! | URL | how mail is sent |
//! | --- | --- |
//! | none | not at all: the development mailer logs every message (recipient, subject and body, so links can be followed) with `tracing::warn!` and keeps the last [`KEPT_IN_DEVELOPMENT`] for [`Mailer::sent`] |
//! | `smtp://host[:port]` | plain SMTP to a trusted local relay (port 25 by default), no TLS and no login |
//! | `smtps://[user:pass@]host[:port]` | SMTP over TLS from the first byte (port 465 by default) |
//! | `smtp+starttls://[user:pass@]host[:port]` | SMTP upgraded with STARTTLS, which the server must offer (port 587 by default) |
//!
//! TLS certificates are checked against the Mozilla roots bundled with the
//! binary (`webpki-roots`), for the host named in the URL. A user name or
//! password with `@`, `:`, `/` or `%` in it is written percent-encoded
//! (`%40` for `@`). The password never appears in messages or logs: the URL
//! is shown through [`crate::storage::redact_url`].
//!
//! Bodies go out as `text/plain; charset=utf-8`, as lettre encodes them:
//! `7bit` when they are ASCII, otherwise quoted-printable (or base64 when
//! that is shorter). That is safe through any relay, also one without
//! 8BITMIME, and every mail program decodes it; subjects with non-ASCII
//! characters are encoded as RFC 2047 words.
//!
//! Each message goes over a connection of its own, built from lettre's
//! pieces rather than its ready-made transport, so that a caller can act
//! in the moment before the SMTP server takes the message
//! ([`Mailer::send_handing_over`]).

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use lettre::message::header::{ContentType, MIME_VERSION_1_0};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail as MailCommand, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::Error as SmtpError;
use lettre::Message;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::storage::redact_url;

/// How many messages the development mailer keeps for [`Mailer::sent`].
pub const KEPT_IN_DEVELOPMENT: usize = 100;
/// How long connecting, and each wait for a reply of the SMTP server, may
/// take (lettre's default for connecting).
const TIMEOUT: Duration = Duration::from_secs(60);

/// One plain-text message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// An address, optionally with a name: `a@example.nl` or `Naam <a@example.nl>`.
    pub to: String,
    pub subject: String,
    /// Plain UTF-8 text. Line breaks are sent as CRLF, and the text arrives
    /// ending in exactly one line break whether or not it ends in one here.
    pub body: String,
}

/// The SMTP server did not take a message. `permanent` when it refused
/// with a 5xx reply (such as an unknown recipient), so that sending again
/// will not help; the message holds the server's reply. Callers that care
/// find it with `anyhow::Error::downcast_ref`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendFailure {
    pub permanent: bool,
    pub message: String,
}

/// Sends [`Mail`]; cheap to clone (clones share the connection settings and,
/// in development, the kept messages).
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Messages sent and failed, shared by the clones (for `/metrics`).
    counts: Arc<MailCounts>,
}

/// What a mailer and its clones sent, and failed to send.
#[derive(Debug, Default)]
struct MailCounts {
    sent: std::sync::atomic::AtomicU64,
    failed: std::sync::atomic::AtomicU64,
}

#[derive(Clone)]
enum Transport {
    /// No SMTP server configured: log and keep.
    Development(Arc<Mutex<Vec<Mail>>>),
    Smtp {
        server: Arc<SmtpServer>,
        /// The URL with its password redacted, for messages.
        shown_as: String,
    },
}

/// Where and how to reach the SMTP server.
struct SmtpServer {
    host: String,
    port: u16,
    security: Security,
    /// For `smtps://` and `smtp+starttls://`: the host's certificate is
    /// checked against the bundled Mozilla roots.
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
}

impl Mailer {
    /// A mailer for `url` (see the module documentation), sending as `from`
    /// (`vangnet <noreply@example.nl>`). `None` gives the development mailer.
    pub fn from_url(url: Option<&str>, from: &str) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow!("invalid sender address {from:?}: {e}"))?;
        let Some(url) = url else {
            return Ok(Mailer {
                from,
                transport: Transport::Development(Arc::default()),
                counts: Arc::default(),
            });
        };
        let config =
            SmtpUrl::parse(url).with_context(|| format!("invalid SMTP URL {}", redact_url(url)))?;
        let tls = match config.security {
            Security::Plain => None,
            Security::Tls | Security::StartTls => Some(
                TlsParameters::new(config.host.clone())
                    .with_context(|| format!("cannot set up TLS for {}", config.host))?,
            ),
        };
        Ok(Mailer {
            from,
            transport: Transport::Smtp {
                server: Arc::new(SmtpServer {
                    host: config.host,
                    port: config.port,
                    security: config.security,
                    tls,
                    credentials: config
                        .credentials
                        .map(|(user, password)| Credentials::new(user, password)),
                }),
                shown_as: redact_url(url),
            },
            counts: Arc::default(),
        })
    }

    /// Whether this is the development mailer, which sends nothing.
    pub fn is_development(&self) -> bool {
        matches!(self.transport, Transport::Development(_))
    }

    /// Sends one message, or in development logs and keeps it. An invalid
    /// recipient address is an error in both cases.
    pub async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        self.send_handing_over(mail, async { Ok(()) }).await
    }

    /// Sends one message like [`Mailer::send`], and awaits `hand_over` at
    /// the last moment before the SMTP server takes it: when the whole
    /// message is written but the final `CRLF . CRLF` is not.
    ///
    /// Why this seam: an SMTP server takes a message only when it reads
    /// that final dot, and drops one whose connection closes before it. So
    /// a caller that records "handed over" in `hand_over` (the campaign
    /// outbox) knows, after a crash, which messages went out: those it
    /// recorded (unless the process died in the instant between that
    /// record and writing the dot), and no others. Recording after the
    /// server's reply instead leaves the whole reply's round trip in which
    /// a crash sends the message twice.
    ///
    /// When `hand_over` fails, the dot is not written: the connection is
    /// dropped, the server discards the message, and that error is
    /// returned as it is. Once handed over, a refusal the server still
    /// replies with (4xx, 5xx) is a [`SendFailure`]; a connection lost
    /// while waiting for that reply is not an error: the message most
    /// likely arrived, and sending it again could deliver it twice.
    /// The development mailer awaits `hand_over` before it keeps the mail.
    pub async fn send_handing_over<H>(&self, mail: &Mail, hand_over: H) -> anyhow::Result<()>
    where
        H: Future<Output = anyhow::Result<()>>,
    {
        let result = self.deliver(mail, hand_over).await;
        let count = match result {
            Ok(()) => &self.counts.sent,
            Err(_) => &self.counts.failed,
        };
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        result
    }

    /// How many messages this mailer and its clones sent (in development:
    /// logged) and failed to send, since the process started.
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.counts.sent.load(Relaxed),
            self.counts.failed.load(Relaxed),
        )
    }

    /// [`Mailer::send_handing_over`] without the counting.
    async fn deliver<H>(&self, mail: &Mail, hand_over: H) -> anyhow::Result<()>
    where
        H: Future<Output = anyhow::Result<()>>,
    {
        let message = self.message(mail)?;
        match &self.transport {
            Transport::Development(kept) => {
                hand_over.await?;
                tracing::warn!(
                    to = %mail.to,
                    subject = %mail.subject,
                    body = %mail.body,
                    "no SMTP server configured: this message was not sent"
                );
                let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
                if kept.len() == KEPT_IN_DEVELOPMENT {
                    kept.remove(0);
                }
                kept.push(mail.clone());
                Ok(())
            }
            Transport::Smtp { server, shown_as } => {
                // The cause in the message itself: callers log errors with
                // `%e`, which shows no chain, and lettre's errors already
                // include their sources.
                let failure = |e: Refusal| SendFailure {
                    permanent: e.permanent,
                    message: format!(
                        "cannot send mail to {} through {shown_as}: {}",
                        mail.to, e.text
                    ),
                };
                let (gate, body_written, open) = Gate::new();
                let conversation = server.send(&message, gate);
                let decide = async move {
                    // Nothing to decide when the conversation ended before
                    // the body was written (the gate, and with it the
                    // sender, is dropped with the conversation).
                    body_written.await.ok()?;
                    let decision = hand_over.await;
                    let _ = open.send(decision.is_ok());
                    Some(decision)
                };
                let (sent, decided) = tokio::join!(conversation, decide);
                match (decided, sent) {
                    (Some(Err(refused)), _) => return Err(refused),
                    (None, Err(e)) => return Err(failure(e).into()),
                    (None, Ok(())) => bail!("the message went out without being handed over"),
                    (Some(Ok(())), Ok(())) => {}
                    (Some(Ok(())), Err(e)) if e.replied => return Err(failure(e).into()),
                    (Some(Ok(())), Err(e)) => tracing::warn!(
                        to = %mail.to,
                        error = %e.text,
                        "no reply after the message was handed over: taken as sent"
                    ),
                }
                tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent");
                Ok(())
            }
        }
    }

    /// The messages the development mailer kept, oldest first (at most
    /// [`KEPT_IN_DEVELOPMENT`]); always empty for a mailer that sends.
    pub fn sent(&self) -> Vec<Mail> {
        match &self.transport {
            Transport::Development(kept) => kept.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            Transport::Smtp { .. } => Vec::new(),
        }
    }

    fn message(&self, mail: &Mail) -> anyhow::Result<Message> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| anyhow!("invalid recipient address {:?}: {e}", mail.to))?;
        // A subject is one line; a line break in it would start a new header.
        let subject = mail.subject.replace(['\r', '\n'], " ");
        // The line break that ends the text is left to SMTP: lettre ends
        // DATA with CRLF . CRLF whatever the message ends with, so a final
        // line break of our own would arrive as an extra blank line. (For
        // the same reason the body is not lettre's `SinglePart`, which adds
        // one more.)
        let body = mail
            .body
            .strip_suffix('\n')
            .map_or(mail.body.as_str(), |b| b.strip_suffix('\r').unwrap_or(b));
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .context("cannot build the message")
    }
}

impl SmtpServer {
    /// One message over a connection of its own, as lettre's
    /// `AsyncSmtpTransport` sends it (EHLO, STARTTLS or TLS, AUTH, MAIL,
    /// RCPT, DATA), except that the socket is behind `gate`, which holds
    /// the final dot until the caller decided.
    async fn send(&self, message: &Message, gate: Gate) -> Result<(), Refusal> {
        let hello = ClientId::default();
        let socket =
            tokio::time::timeout(TIMEOUT, TcpStream::connect((self.host.as_str(), self.port)))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connecting timed out"))
                .and_then(|connected| connected)
                .map_err(|e| Refusal::client(format!("Connection error: {e}")))?;
        let gated = Gated::new(socket, gate.clone());
        let mut connection = match (&self.security, &self.tls) {
            (Security::Tls, Some(tls)) => {
                #[allow(deprecated)] // public, and the one way to TLS a socket of our own
                let mut stream =
                    lettre::transport::smtp::client::AsyncNetworkStream::use_existing_tokio1(
                        Box::new(gated),
                    );
                stream.upgrade_tls(tls.clone()).await?;
                AsyncSmtpConnection::connect_with_transport(Box::new(Tls(stream)), &hello).await?
            }
            _ => AsyncSmtpConnection::connect_with_transport(Box::new(gated), &hello).await?,
        };
        let result = self.converse(&mut connection, &hello, message, &gate).await;
        // QUIT while the connection is sound: after the message, or after
        // the server refused something. After a network or TLS failure (or
        // a refused hand-over, which the gate keeps refusing) it is only
        // dropped.
        if result.as_ref().map_or_else(|e| e.replied, |()| true) {
            connection.abort().await;
        }
        result
    }

    async fn converse(
        &self,
        connection: &mut AsyncSmtpConnection,
        hello: &ClientId,
        message: &Message,
        gate: &Gate,
    ) -> Result<(), Refusal> {
        if let (Security::StartTls, Some(tls)) = (&self.security, &self.tls) {
            connection.starttls(tls.clone(), hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        let envelope = message.envelope();
        let email = message.formatted();
        let info = connection.server_info();
        let mut options = Vec::new();
        let non_ascii = |a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii();
        if envelope.to().iter().chain(envelope.from()).any(non_ascii) {
            if !info.supports_feature(Extension::SmtpUtfEight) {
                return Err(Refusal::client(
                    "the addresses are not ASCII and the server lacks SMTPUTF8".into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !email.is_ascii() {
            if !info.supports_feature(Extension::EightBitMime) {
                return Err(Refusal::client(
                    "the message is not ASCII and the server lacks 8BITMIME".into(),
                ));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        connection
            .command(MailCommand::new(envelope.from().cloned(), options))
            .await?;
        for to in envelope.to() {
            connection.command(Rcpt::new(to.clone(), vec![])).await?;
        }
        connection.command(Data).await?;
        // lettre writes (and flushes) each part, then CRLF . CRLF: the
        // gate is armed when the parts run out, so the write it holds is
        // that final dot.
        let mut body = Some(email);
        let parts = std::iter::from_fn(|| {
            let part = body.take();
            if part.is_none() {
                gate.arm();
            }
            part
        });
        connection.message_iter(parts).await?;
        Ok(())
    }
}

/// Why a message did not go out.
#[derive(Debug)]
struct Refusal {
    /// A 5xx reply: sending again will not help.
    permanent: bool,
    /// The server replied with a refusal (4xx or 5xx), rather than the
    /// connection failing or the client giving up.
    replied: bool,
    text: String,
}

impl Refusal {
    fn client(text: String) -> Refusal {
        Refusal {
            permanent: false,
            replied: false,
            text,
        }
    }
}

impl From<SmtpError> for Refusal {
    fn from(e: SmtpError) -> Refusal {
        Refusal {
            permanent: e.is_permanent(),
            replied: e.is_permanent() || e.is_transient(),
            text: e.to_string(),
        }
    }
}

/// Holds the first write after [`Gate::arm`] until the decision comes
/// whether it may pass; refused, it fails that write and every later one.
#[derive(Clone)]
struct Gate(Arc<Mutex<GateState>>);

struct GateState {
    armed: bool,
    refused: bool,
    body_written: Option<oneshot::Sender<()>>,
    decision: Option<oneshot::Receiver<bool>>,
}

impl Gate {
    /// A gate; a receiver that resolves once the body is written (an error
    /// when the gate is dropped before), and the sender of the decision.
    fn new() -> (Gate, oneshot::Receiver<()>, oneshot::Sender<bool>) {
        let (written_tx, written_rx) = oneshot::channel();
        let (decide_tx, decide_rx) = oneshot::channel();
        let gate = Gate(Arc::new(Mutex::new(GateState {
            armed: false,
            refused: false,
            body_written: Some(written_tx),
            decision: Some(decide_rx),
        })));
        (gate, written_rx, decide_tx)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn arm(&self) {
        let mut state = self.state();
        state.armed = true;
        if let Some(written) = state.body_written.take() {
            let _ = written.send(());
        }
    }

    /// Ready when writing may go on.
    fn poll_pass(&self, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let mut state = self.state();
        if state.refused {
            return Poll::Ready(Err(io::Error::other(
                "not handed over: the message is dropped",
            )));
        }
        if !state.armed {
            return Poll::Ready(Ok(()));
        }
        let pass = match state.decision.as_mut() {
            Some(decision) => match Pin::new(decision).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(pass) => pass.unwrap_or(false),
            },
            None => false,
        };
        state.armed = false;
        state.decision = None;
        if pass {
            Poll::Ready(Ok(()))
        } else {
            state.refused = true;
            Poll::Ready(Err(io::Error::other(
                "not handed over: the message is dropped",
            )))
        }
    }
}

/// The socket to the SMTP server behind a [`Gate`], with a time limit on
/// each wait for the server.
struct Gated {
    socket: TcpStream,
    gate: Gate,
    reading_since: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Gated {
    fn new(socket: TcpStream, gate: Gate) -> Gated {
        Gated {
            socket,
            gate,
            reading_since: None,
        }
    }
}

impl fmt::Debug for Gated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gated({:?})", self.socket)
    }
}

impl AsyncRead for Gated {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.socket).poll_read(cx, buf) {
            Poll::Ready(done) => {
                this.reading_since = None;
                Poll::Ready(done)
            }
            Poll::Pending => {
                let limit = this
                    .reading_since
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(TIMEOUT)));
                match limit.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.reading_since = None;
                        Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the SMTP server did not reply in time",
                        )))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Gated {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.gate.poll_pass(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.socket).poll_write(cx, buf),
            other => other.map(|r| r.map(|()| 0)),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Gated {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.socket.peer_addr()
    }
}

/// A socket lettre wrapped in TLS (`smtps://`), for a connection of our
/// own: lettre's stream speaks the `futures` I/O traits, a connection
/// wants tokio's.
#[allow(deprecated)]
struct Tls(lettre::transport::smtp::client::AsyncNetworkStream);

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tls({:?})", self.0)
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        match futures_io::AsyncRead::poll_read(Pin::new(&mut self.0), cx, unfilled) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_io::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_close(Pin::new(&mut self.0), cx)
    }
}

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.peer_addr()
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mailer({self})")
    }
}

/// How the mailer sends, for logs: `SMTP smtps://user:***@host:465, from …`.
impl fmt::Display for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.transport {
            Transport::Development(_) => {
                write!(f, "development mailer (logs messages, sends nothing)")?
            }
            Transport::Smtp { shown_as, .. } => write!(f, "SMTP {shown_as}")?,
        }
        write!(f, ", from {}", self.from)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    Tls,
    StartTls,
}

/// An SMTP URL taken apart.
#[derive(Debug, PartialEq, Eq)]
struct SmtpUrl {
    security: Security,
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl SmtpUrl {
    fn parse(url: &str) -> anyhow::Result<SmtpUrl> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| anyhow!("expected smtp://, smtps:// or smtp+starttls://"))?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => (Security::Plain, 25),
            "smtps" => (Security::Tls, 465),
            "smtp+starttls" => (Security::StartTls, 587),
            other => {
                bail!("unknown scheme {other:?}; expected smtp://, smtps:// or smtp+starttls://")
            }
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            bail!("an SMTP URL has no path, query or fragment: only [user:password@]host[:port]");
        }
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let credentials = match userinfo {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo
                    .split_once(':')
                    .ok_or_else(|| anyhow!("the user name needs a password: user:password@host"))?;
                let user = percent_decode(user).context("in the user name")?;
                let password = percent_decode(password).context("in the password")?;
                if user.is_empty() {
                    bail!("the user name is empty");
                }
                Some((user, password))
            }
        };
        if credentials.is_some() && security == Security::Plain {
            bail!(
                "smtp:// sends the password unencrypted; use smtps:// or smtp+starttls:// \
                 with a user name and password"
            );
        }
        let (host, port) = split_host_port(host_port)?;
        if host.is_empty() {
            bail!("the host name is missing");
        }
        Ok(SmtpUrl {
            security,
            host: host.to_string(),
            port: port.unwrap_or(default_port),
            credentials,
        })
    }
}

/// `host`, `host:25`, `[::1]` or `[::1]:25`; an IPv6 host is returned without
/// its brackets.
fn split_host_port(host_port: &str) -> anyhow::Result<(&str, Option<u16>)> {
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| anyhow!("an IPv6 address lacks its closing ]"))?;
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => bail!("unexpected {after:?} after the IPv6 address"),
            },
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        None => None,
        Some(port) => match port.parse::<u16>() {
            Ok(port) if port > 0 => Some(port),
            _ => bail!("the port {port:?} is not a number from 1 to 65535"),
        },
    };
    Ok((host, port))
}

/// `%40` → `@`; the result must be UTF-8.
fn percent_decode(text: &str) -> anyhow::Result<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| anyhow!("% must be followed by two hexadecimal digits"))?;
            decoded.push(hex);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| anyhow!("the percent-encoded bytes are not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> SmtpUrl {
        SmtpUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e:#}"))
    }

    fn error(url: &str) -> String {
        format!("{:#}", SmtpUrl::parse(url).unwrap_err())
    }

    #[test]
    fn plain_smtp_to_a_local_relay() {
        assert_eq!(
            parse("smtp://127.0.0.1:2525"),
            SmtpUrl {
                security: Security::Plain,
                host: "127.0.0.1".into(),
                port: 2525,
                credentials: None,
            }
        );
        assert_eq!(parse("smtp://localhost").port, 25);
        assert_eq!(parse("smtp://localhost/").host, "localhost");
        assert_eq!(parse("SMTP://relay.local:25").security, Security::Plain);
    }

    #[test]
    fn smtps_with_credentials() {
        assert_eq!(
            parse("smtps://vangnet:geheim@smtp.example.nl:465"),
            SmtpUrl {
                security: Security::Tls,
                host: "smtp.example.nl".into(),
                port: 465,
                credentials: Some(("vangnet".into(), "geheim".into())),
            }
        );
        assert_eq!(parse("smtps://smtp.example.nl").port, 465);
        assert_eq!(parse("smtps://smtp.example.nl").credentials, None);
    }

    #[test]
    fn starttls_with_credentials() {
        let url = parse("smtp+starttls://mail%40example.nl:p%40ss%3Aw%2Fo%25rd@smtp.example.nl");
        assert_eq!(url.security, Security::StartTls);
        assert_eq!(url.port, 587);
        assert_eq!(
            url.credentials,
            Some(("mail@example.nl".into(), "p@ss:w/o%rd".into()))
        );
    }

    #[test]
    fn a_password_may_hold_an_unencoded_at_sign() {
        let url = parse("smtps://user:p@ss@smtp.example.nl:2465");
        assert_eq!(url.credentials, Some(("user".into(), "p@ss".into())));
        assert_eq!((url.host.as_str(), url.port), ("smtp.example.nl", 2465));
    }

    #[test]
    fn ipv6_hosts_lose_their_brackets() {
        let url = parse("smtp://[::1]:2525");
        assert_eq!((url.host.as_str(), url.port), ("::1", 2525));
        assert_eq!(parse("smtp://[::1]").port, 25);
    }

    #[test]
    fn wrong_urls_are_refused_with_the_reason() {
        assert!(error("mail.example.nl").contains("expected smtp://"));
        assert!(error("http://mail.example.nl").contains("unknown scheme \"http\""));
        assert!(error("smtp://").contains("host name is missing"));
        assert!(error("smtp://:25").contains("host name is missing"));
        assert!(error("smtp://host:0").contains("not a number from 1 to 65535"));
        assert!(error("smtp://host:smtp").contains("not a number from 1 to 65535"));
        assert!(error("smtp://host:70000").contains("not a number from 1 to 65535"));
        assert!(error("smtp://host/ehlo?tls=required").contains("no path, query"));
        assert!(error("smtps://user@host").contains("needs a password"));
        assert!(error("smtps://:pw@host").contains("user name is empty"));
        assert!(error("smtps://user:%zz@host").contains("two hexadecimal digits"));
        assert!(error("smtps://user:%ff@host").contains("not UTF-8"));
        assert!(error("smtp://[::1:25").contains("closing ]"));
    }

    #[test]
    fn plain_smtp_refuses_credentials_rather_than_sending_them_in_clear() {
        assert!(error("smtp://user:pw@relay:25").contains("unencrypted"));
    }

    #[test]
    fn passwords_never_show() {
        let mailer = Mailer::from_url(
            Some("smtps://vangnet:geheim@smtp.example.nl"),
            "vangnet <noreply@example.nl>",
        )
        .unwrap();
        let shown = format!("{mailer} {mailer:?}");
        assert!(!shown.contains("geheim"), "{shown}");
        assert!(
            shown.contains("smtps://vangnet:***@smtp.example.nl"),
            "{shown}"
        );

        let err =
            Mailer::from_url(Some("smtp://vangnet:geheim@relay"), "a@example.nl").unwrap_err();
        let shown = format!("{err:#}");
        assert!(!shown.contains("geheim"), "{shown}");
        assert!(
            shown.starts_with("invalid SMTP URL smtp://vangnet:***@relay: "),
            "{shown}"
        );
    }

    #[test]
    fn every_scheme_builds_a_mailer() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtps://u:p@smtp.example.nl",
            "smtp+starttls://u:p@smtp.example.nl:2587",
        ] {
            let mailer = Mailer::from_url(Some(url), "noreply@example.nl").unwrap();
            assert!(!mailer.is_development(), "{url}");
        }
    }

    #[test]
    fn the_sender_must_be_an_address() {
        let err = Mailer::from_url(None, "vangnet").unwrap_err();
        assert!(err.to_string().contains("invalid sender address"), "{err}");
    }

    #[tokio::test]
    async fn the_development_mailer_keeps_what_it_would_send() {
        let mailer = Mailer::from_url(None, "vangnet <noreply@example.nl>").unwrap();
        assert!(mailer.is_development());
        let mail = Mail {
            to: "Coördinator <coordinator@example.nl>".into(),
            subject: "Wachtwoord instellen voor vangnet — ë".into(),
            body: "Open https://vangnet.example.nl/wachtwoord?token=abc\n".into(),
        };
        mailer.send(&mail).await.unwrap();
        mailer.clone().send(&mail).await.unwrap();
        assert_eq!(mailer.sent(), [mail.clone(), mail]);
    }

    #[tokio::test]
    async fn the_development_mailer_keeps_only_the_latest() {
        let mailer = Mailer::from_url(None, "noreply@example.nl").unwrap();
        for i in 0..KEPT_IN_DEVELOPMENT + 5 {
            let mail = Mail {
                to: "a@example.nl".into(),
                subject: format!("{i}"),
                body: String::new(),
            };
            mailer.send(&mail).await.unwrap();
        }
        let sent = mailer.sent();
        assert_eq!(sent.len(), KEPT_IN_DEVELOPMENT);
        assert_eq!(sent[0].subject, "5");
    }

    #[tokio::test]
    async fn an_invalid_recipient_is_an_error_even_in_development() {
        let mailer = Mailer::from_url(None, "noreply@example.nl").unwrap();
        let mail = Mail {
            to: "geen adres".into(),
            subject: "x".into(),
            body: "x".into(),
        };
        let err = mailer.send(&mail).await.unwrap_err();
        assert!(
            err.to_string().contains("invalid recipient address"),
            "{err}"
        );
        assert!(mailer.sent().is_empty());
    }

    #[test]
    fn a_subject_cannot_smuggle_in_headers() {
        let mailer = Mailer::from_url(None, "noreply@example.nl").unwrap();
        let message = mailer
            .message(&Mail {
                to: "a@example.nl".into(),
                subject: "Hallo\r\nBcc: iedereen@example.nl".into(),
                body: "x".into(),
            })
            .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(
            text.contains("Subject: Hallo  Bcc: iedereen@example.nl\r\n"),
            "{text}"
        );
    }
}
