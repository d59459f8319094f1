//! Delivering the campaign outbox: the mails `send` and `remind` queued in
//! `campaign_mails`, sent through the [`Mailer`] by a worker that `vangnet
//! serve` starts ([`start_worker`]), or at once by the command line's
//! `--now` ([`deliver_due`]).
//!
//! A round claims the due mails (see `storage::campaigns`): each gets
//! status `sending` with a lease of [`LEASE`], renewed every
//! [`RENEW_EVERY`] while the round is busy. Per mail the worker makes a
//! fresh personal token, stores only its hash with the mail, writes the
//! message to the SMTP server, and records the outcome in the statement
//! that ends its claim:
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
//! # Exactly once, also when the server is killed
//!
//! An SMTP server takes a message only when it reads the final
//! `CRLF . CRLF`; a connection that closes before it is discarded. So the
//! worker writes the whole message, then records the mail as `sent` (the
//! hand-over, [`Mailer::send_handing_over`]), and only then writes that
//! final dot. A server that stops (a crash, a kill, a restart) at any
//! moment leaves each mail either handed over, and so delivered, or not,
//! and so still `sending` under a lease that runs out within [`LEASE`];
//! then another worker, or the same server after its restart, takes it
//! over and sends it. Nobody is skipped and nobody gets two invitations.
//! The one gap left is the instant between the hand-over's commit and
//! writing the dot: a process that dies exactly there leaves a mail marked
//! sent that never arrived. If the server refuses the message after the
//! dot, the outcome turns the mail back from `sent` (to `bounced` or
//! `queued`); a lost connection while waiting for that reply counts as
//! sent.
//!
//! Several servers on one database are safe: the claim is a conditional
//! UPDATE, so two workers never hold one mail, and a worker whose lease
//! ran out (stalled, not dead) and was taken over can no longer hand the
//! mail over, nor overwrite the new holder's outcome: those statements
//! match only its own claim. It drops the connection before the dot. So
//! the lease only decides how soon a stopped server's mails go out, not
//! whether a mail can go out twice.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::time_text;
use crate::domain::campaign::{next_attempt, Fill, MAX_ATTEMPTS};
use crate::domain::secret;
use crate::platform::config::Config;
use crate::platform::mail::{Mail, Mailer, SendFailure};
use crate::storage::campaigns::{ClaimedMail, MailOutcome};
use crate::storage::Store;

/// How long a claim holds a mail before another worker may take it over:
/// how long mail of a server that stopped mid-round waits.
pub const LEASE: Duration = Duration::seconds(20);
/// How often a busy round extends the lease of the mails it holds.
pub const RENEW_EVERY: StdDuration = StdDuration::from_secs(5);
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

/// The personal link of a token.
pub fn link(config: &Config, token: &str) -> String {
    config.link(&format!("/enquete/{token}"))
}

/// The claim on a mail was lost (its lease ran out and another worker
/// took it over): this worker must leave it alone.
#[derive(Debug, thiserror::Error)]
#[error("campaign mail {0}: the claim was lost")]
struct ClaimLost(i64);

/// Delivers every mail due at `now`, batch after batch, until none is due.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    now: DateTime<Utc>,
) -> anyhow::Result<Delivered> {
    let mut done = Delivered::default();
    let claim = secret::generate("claim_");
    // `now` may be another day than today (the tests, a replay); time goes
    // on from there.
    let started = std::time::Instant::now();
    let clock = || now + Duration::from_std(started.elapsed()).unwrap_or_default();
    loop {
        let at = clock();
        let claimed = store
            .claim_campaign_mails(&time_text(at), &time_text(at + LEASE), &claim, BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(done);
        }
        let work = async {
            for mail in claimed {
                let Some(outcome) = deliver_one(store, mailer, config, &claim, &mail, now).await?
                else {
                    tracing::warn!(
                        mail = mail.id,
                        "campaign mail: the claim ran out while sending; left to its new holder"
                    );
                    continue;
                };
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
            anyhow::Ok(())
        };
        // The mails of this batch stay ours while it is worked through,
        // however slow the SMTP server.
        let renew = async {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                if let Err(e) = store
                    .renew_mail_lease(&claim, &time_text(clock() + LEASE))
                    .await
                {
                    tracing::warn!(error = %e, "cannot extend the lease of campaign mail");
                }
            }
        };
        tokio::select! {
            worked = work => worked?,
            () = renew => {}
        }
    }
}

/// Sends one claimed mail; its outcome, or `None` when the claim was lost.
async fn deliver_one(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    claim: &str,
    mail: &ClaimedMail,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<MailOutcome>> {
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
        return Ok(Some(MailOutcome::Failed {
            error: format!("not sent: {reason}"),
        }));
    }
    let token = secret::generate("");
    if !store
        .set_mail_token(mail.id, claim, &secret::digest(&token))
        .await?
    {
        return Ok(None);
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
    let hand_over = async {
        let at = time_text(Utc::now().max(now));
        if store.hand_over_mail(mail.id, claim, &at).await? {
            Ok(())
        } else {
            Err(ClaimLost(mail.id).into())
        }
    };
    let sent = mailer
        .send_handing_over(&Mail { to, subject, body }, hand_over)
        .await;
    Ok(Some(match sent {
        Ok(()) => MailOutcome::Sent {
            at: time_text(Utc::now().max(now)),
        },
        Err(e) if e.is::<ClaimLost>() => return Ok(None),
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
    }))
}

/// Starts the worker of `vangnet serve`: at once, and then every
/// [`WORKER_EVERY`] (sooner when the lease of a stopped server's mail runs
/// out before), it delivers what is due. Errors are logged and tried again
/// next time. It notes each round in `beat` and ends after the round under
/// way when `stop` turns true.
pub fn start_worker(
    store: Store,
    mailer: Arc<Mailer>,
    config: Arc<Config>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    beat: Arc<std::sync::atomic::AtomicI64>,
) -> tokio::task::JoinHandle<()> {
    use crate::platform::jobs;
    tokio::spawn(async move {
        loop {
            if *stop.borrow() {
                break;
            }
            jobs::beat(&beat);
            match super::remind_on_schedule(&store, Utc::now()).await {
                Ok(queued) if queued > 0 => tracing::info!(queued, "reminders queued on schedule"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot queue the reminders that are due"),
            }
            match deliver_due(&store, &mailer, &config, Utc::now()).await {
                Ok(done) if done.total() > 0 => {
                    tracing::info!(%done, "campaign mail delivered");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot deliver campaign mail"),
            }
            jobs::beat(&beat);
            tokio::select! {
                () = async { tokio::time::sleep(until_next_round(&store).await).await } => {}
                () = jobs::stopped(&mut stop) => break,
            }
        }
        tracing::info!("campaign mail worker stopped");
    })
}

/// [`WORKER_EVERY`], or less when a lease runs out before (a second after
/// it, at least a second from now).
async fn until_next_round(store: &Store) -> StdDuration {
    let lease_end = match store.next_lease_end().await {
        Ok(end) => end.and_then(|end| DateTime::parse_from_rfc3339(&end).ok()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the leases of campaign mail");
            None
        }
    };
    match lease_end {
        Some(end) => (end.with_timezone(&Utc) - Utc::now() + Duration::seconds(1))
            .to_std()
            .unwrap_or_default()
            .clamp(StdDuration::from_secs(1), WORKER_EVERY),
        None => WORKER_EVERY,
    }
}
