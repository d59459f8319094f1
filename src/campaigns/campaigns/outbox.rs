//! Delivering the campaign outbox: the mails `send` and `remind` queued in
//! `campaign_mails`, sent through the [`Mailer`] by a worker that `vangnet
//! serve` starts ([`start_worker`]), or at once by the command line's
//! `--now` ([`deliver_due`]).
//!
//! A round claims the due mails (see `storage::campaigns`): each gets
//! status `sending` with a lease of [`LEASE`]. Per mail the worker makes a
//! fresh personal token, stores only its hash with the mail, sends, and
//! records the outcome in the statement that ends its claim:
//!
//! - accepted by the SMTP server: `sent`;
//! - refused for good (a 5xx reply, such as an unknown recipient):
//!   `bounced`, with the server's reply;
//! - anything else (no server, a 4xx, a lost connection): back to `queued`
//!   with the error, tried again after 1, 2, 4, 8 minutes; after
//!   [`MAX_ATTEMPTS`] attempts `failed`;
//! - the invitation was revoked or answered, or the contact erased or
//!   opted out, since it was queued: `failed` with that reason, unsent.
//!
//! Restarts: a mail is `sending` only while a worker holds its lease. A
//! server that stops mid-round leaves its claims; when their lease runs out
//! another worker (or the same after its restart) takes them over, so no
//! one is skipped. The one window left is a mail the SMTP server accepted
//! just before the process died, before the outcome was written: it is
//! sent again after the lease (at-least-once: a rare second copy, whose
//! fresh link replaces the first's, rather than an invitation lost). A
//! worker whose lease ran out while it was still sending cannot overwrite
//! the new holder's outcome: the final UPDATE matches only its own claim.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::campaign::{next_attempt, Fill, MAX_ATTEMPTS};
use crate::domain::secret;
use crate::platform::config::Config;
use crate::platform::mail::{Mail, Mailer, SendFailure};
use crate::storage::campaigns::{ClaimedMail, MailOutcome};
use crate::storage::Store;

/// How long a claim holds a mail before another worker may take it over.
pub const LEASE: Duration = Duration::minutes(5);
/// How often the worker of `vangnet serve` looks for due mail.
pub const WORKER_EVERY: StdDuration = StdDuration::from_secs(10);
/// Mails claimed at once.
const BATCH: i64 = 50;

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    /// Failed this time, to be tried again later.
    pub retrying: usize,
    pub failed: usize,
    pub bounced: usize,
}

impl Delivered {
    pub fn total(&self) -> usize {
        self.sent + self.retrying + self.failed + self.bounced
    }
}

impl std::fmt::Display for Delivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} sent, {} to be tried again, {} failed, {} bounced",
            self.sent, self.retrying, self.failed, self.bounced
        )
    }
}

fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The personal link of a token.
pub fn link(config: &Config, token: &str) -> String {
    config.link(&format!("/enquete/{token}"))
}

/// Delivers every mail due at `now`, batch after batch, until none is due.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    now: DateTime<Utc>,
) -> anyhow::Result<Delivered> {
    let mut done = Delivered::default();
    let claim = secret::generate("claim_");
    loop {
        let claimed = store
            .claim_campaign_mails(&time_text(now), &time_text(now + LEASE), &claim, BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(done);
        }
        for mail in claimed {
            let outcome = deliver_one(store, mailer, config, &claim, &mail, now).await?;
            match &outcome {
                MailOutcome::Sent { .. } => done.sent += 1,
                MailOutcome::Retry { .. } => done.retrying += 1,
                MailOutcome::Failed { .. } => done.failed += 1,
                MailOutcome::Bounced { .. } => done.bounced += 1,
            }
            if !store.finish_mail(mail.id, &claim, &outcome).await? {
                tracing::warn!(
                    mail = mail.id,
                    "campaign mail: the claim ran out before its outcome was written"
                );
            }
        }
    }
}

async fn deliver_one(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    claim: &str,
    mail: &ClaimedMail,
    now: DateTime<Utc>,
) -> anyhow::Result<MailOutcome> {
    let unsendable = if mail.revoked {
        Some("the invitation was revoked")
    } else if mail.answered {
        Some("the invitation was answered")
    } else if mail.email.is_none() {
        Some("the contact was erased or opted out")
    } else if now.date_naive() > mail.campaign.closes_on {
        Some("the campaign closed")
    } else {
        None
    };
    if let Some(reason) = unsendable {
        return Ok(MailOutcome::Failed {
            error: format!("not sent: {reason}"),
        });
    }
    let token = secret::generate("");
    if !store
        .set_mail_token(mail.id, claim, &secret::digest(&token))
        .await?
    {
        anyhow::bail!("campaign mail {}: the claim was lost", mail.id);
    }
    let (subject, body) = mail.campaign.texts.render(
        mail.kind,
        mail.language,
        &Fill {
            link: &link(config, &token),
            closes_on: mail.campaign.closes_on,
            organisation: &mail.organisation,
        },
    );
    let address = mail.email.clone().unwrap_or_default();
    let to = match &mail.contact_name {
        // A name with quotes or brackets would not parse as a mailbox.
        Some(name) if !name.contains(['"', '<', '>', '\\']) => format!("\"{name}\" <{address}>"),
        _ => address,
    };
    let sent = mailer.send(&Mail { to, subject, body }).await;
    Ok(match sent {
        Ok(()) => MailOutcome::Sent {
            at: time_text(Utc::now().max(now)),
        },
        Err(e) => match e.downcast_ref::<SendFailure>() {
            Some(failure) if failure.permanent => MailOutcome::Bounced {
                reply: failure.message.clone(),
            },
            _ => match next_attempt(mail.attempts, now) {
                Some(at) => MailOutcome::Retry {
                    error: format!("{e}"),
                    at: time_text(at),
                },
                None => MailOutcome::Failed {
                    error: format!("{e} (given up after {MAX_ATTEMPTS} attempts)"),
                },
            },
        },
    })
}

/// Starts the worker of `vangnet serve`: every [`WORKER_EVERY`] it
/// delivers what is due. Errors are logged and tried again next time.
pub fn start_worker(store: Store, mailer: Arc<Mailer>, config: Arc<Config>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(WORKER_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match deliver_due(&store, &mailer, &config, Utc::now()).await {
                Ok(done) if done.total() > 0 => {
                    tracing::info!(%done, "campaign mail delivered");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot deliver campaign mail"),
            }
        }
    });
}
