//! Campaigns: creating one for an inventory round with its recipients,
//! queueing its invitations and reminders, revoking a personal link, and
//! the status per recipient, for the API, the staff pages and the command
//! line alike. Admins and researchers only (`Principal::may_manage_rounds`).
//!
//! Recipients: one per organisation, the organisations that have a contact
//! who is not erased and has not opted out (all, or a chosen few). The
//! addressee is the organisation's first such contact by name; other
//! contacts of the organisation get nothing (kept simple on purpose). An
//! organisation has no language of its own yet, so every invitation is
//! Dutch; the language is stored per invitation for when it has.
//!
//! Nothing here sends: `send` and `remind` queue mails in the outbox in the
//! database, which [`outbox`] delivers (the worker of `vangnet serve`, or
//! the command line with `--now`). Every change is in the audit log, with
//! contacts and invitations by id and never an e-mail address.

pub mod outbox;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::access::Principal;
use crate::domain::campaign::{
    Campaign, CampaignInput, CampaignStatus, MailKind, RECIPIENT_STATUSES,
};
use crate::domain::error::{AppError, AppResult};
use crate::domain::language::Language;
use crate::domain::provenance::Actor;
use crate::domain::questionnaire::Questionnaire;
use crate::storage::audit::AuditEvent;
use crate::storage::campaigns::RecipientRow;
use crate::storage::write::{retrying, Writes};
use crate::storage::Store;

/// Admins and researchers run campaigns; nobody else.
pub(super) fn allowed(who: &Principal) -> AppResult<()> {
    if who.may_manage_rounds() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "your role ({}) may not run campaigns",
            who.role
        )))
    }
}

pub(super) fn not_found(name: &str) -> AppError {
    AppError::NotFound(format!("there is no campaign '{name}'"))
}

/// An instant as the campaign tables store it (RFC 3339, whole seconds, UTC).
pub(super) fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What a new campaign got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CreatedCampaign {
    pub name: String,
    /// How many organisations it will invite.
    pub recipients: usize,
    pub questionnaire_version: i64,
}

/// Creates a campaign with one invitation per organisation that can be
/// mailed (or per organisation of `input.organisations`, each of which must
/// have such a contact); all or nothing.
pub async fn create(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    input: &CampaignInput,
    now: DateTime<Utc>,
) -> AppResult<CreatedCampaign> {
    allowed(who)?;
    let today = now.date_naive();
    let draft = input.validate(today).map_err(AppError::Invalid)?;
    let round = store.round_by_name(&draft.round).await?.ok_or_else(|| {
        AppError::invalid("round", format!("there is no round '{}'", draft.round))
    })?;
    let code = Questionnaire::inventory().code;
    let questionnaire = store
        .questionnaire(&code, None)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("questionnaire {code} is missing")))?;
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let chosen = Store::campaign_addressees(&mut tx, draft.organisations.as_deref()).await?;
        if let Some(asked) = &draft.organisations {
            let missing: Vec<String> = asked
                .iter()
                .filter(|id| !chosen.iter().any(|(o, _)| o == *id))
                .map(i64::to_string)
                .collect();
            if !missing.is_empty() {
                return Err(AppError::invalid(
                    "organisations",
                    format!(
                        "no contact that may be mailed at organisation(s) {}",
                        missing.join(", ")
                    ),
                ));
            }
        }
        if chosen.is_empty() {
            return Err(AppError::invalid(
                "organisations",
                "no organisation has a contact that may be mailed",
            ));
        }
        let stamp = time_text(now);
        let id = Store::insert_campaign(
            &mut tx,
            &draft,
            round.id,
            (&code, questionnaire.version),
            &actor.name,
            &stamp,
        )
        .await
        .map_err(|e| AppError::from(e).about("name"))?;
        for pair in &chosen {
            Store::insert_invitation(&mut tx, id, *pair, Language::Nl, draft.closes_on, &stamp)
                .await?;
        }
        let contacts: Vec<String> = chosen.iter().map(|(_, c)| c.to_string()).collect();
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("create", actor, "campaign")
                .object(&draft.name)
                .after(Some(serde_json::json!({
                    "round": draft.round,
                    "questionnaire": code,
                    "questionnaire_version": questionnaire.version,
                    "closes_on": draft.closes_on.to_string(),
                    "remind_after_days": draft.remind_after_days,
                    "organisations": chosen.iter().map(|(o, _)| o).collect::<Vec<_>>(),
                })))
                .detail(format!(
                    "{} invitations, to contacts {}",
                    chosen.len(),
                    contacts.join(", ")
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedCampaign {
            name: draft.name.clone(),
            recipients: chosen.len(),
            questionnaire_version: questionnaire.version,
        })
    })
    .await
}

/// Every campaign, newest first.
pub async fn list(store: &Store, who: &Principal) -> AppResult<Vec<Campaign>> {
    allowed(who)?;
    Ok(store.list_campaigns().await?)
}

/// One recipient's line in a campaign's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecipientStatus {
    pub invitation_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    /// The addressee's address; null once the contact is erased.
    pub email: Option<String>,
    /// not_sent, queued, sending, sent, failed, bounced, revoked or answered.
    pub status: String,
    pub invited_at: Option<String>,
    pub reminded_at: Option<String>,
    pub answered_at: Option<String>,
    /// Why the newest mail failed or bounced (the server's reply), or the
    /// last failed attempt of a mail waiting to be tried again.
    pub last_error: Option<String>,
    /// When a waiting mail is tried (again).
    pub next_attempt_at: Option<String>,
    pub attempts: i64,
    /// The day of the latest phone call (follow-up), if any.
    pub called_at: Option<String>,
    /// The day of the latest website check (follow-up), if any.
    pub checked_website_at: Option<String>,
}

impl From<RecipientRow> for RecipientStatus {
    fn from(r: RecipientRow) -> RecipientStatus {
        let status = if r.answered_at.is_some() {
            "answered".to_string()
        } else if r.revoked_at.is_some() {
            "revoked".to_string()
        } else {
            r.mail_status.unwrap_or_else(|| "not_sent".into())
        };
        let waiting = status == "queued";
        RecipientStatus {
            invitation_id: r.invitation_id,
            organisation_id: r.organisation_id,
            organisation: r.organisation,
            email: r.email,
            status,
            invited_at: r.invited_at,
            reminded_at: r.reminded_at,
            answered_at: r.answered_at,
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at.filter(|_| waiting),
            attempts: r.attempts,
            called_at: None,
            checked_website_at: None,
        }
    }
}

/// A campaign's status: per recipient, and how many are in each state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignReport {
    pub campaign: String,
    pub round: String,
    /// draft, open or closed.
    pub status: CampaignStatus,
    pub closes_on: String,
    pub remind_after_days: i64,
    pub questionnaire_code: String,
    pub questionnaire_version: i64,
    pub recipients: Vec<RecipientStatus>,
    /// Recipients per status (every status, also those with none), and
    /// how many were `called` and `checked_on_website` (follow-up).
    #[schema(value_type = Object)]
    pub totals: std::collections::BTreeMap<String, usize>,
}

/// The status of every recipient; audited as a read (it names people's
/// addresses).
pub async fn status(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    today: NaiveDate,
) -> AppResult<CampaignReport> {
    allowed(who)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    let follow_ups = store.campaign_follow_ups(campaign.id).await?;
    let recipients: Vec<RecipientStatus> = store
        .campaign_recipients(campaign.id)
        .await?
        .into_iter()
        .map(|row| {
            let mut r = RecipientStatus::from(row);
            (r.called_at, r.checked_website_at) =
                super::follow_ups::latest(&follow_ups, r.organisation_id);
            r
        })
        .collect();
    let mut totals: std::collections::BTreeMap<String, usize> = RECIPIENT_STATUSES
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    for r in &recipients {
        *totals.entry(r.status.clone()).or_default() += 1;
    }
    totals.insert("recipients".into(), recipients.len());
    let count = |has: fn(&RecipientStatus) -> bool| recipients.iter().filter(|r| has(r)).count();
    totals.insert("called".into(), count(|r| r.called_at.is_some()));
    totals.insert(
        "checked_on_website".into(),
        count(|r| r.checked_website_at.is_some()),
    );
    store
        .audit(
            &AuditEvent::new("read", actor, "campaign")
                .object(&campaign.name)
                .detail(format!("status of {} recipients", recipients.len())),
        )
        .await?;
    Ok(CampaignReport {
        status: campaign.status_on(today),
        campaign: campaign.name,
        round: campaign.round,
        closes_on: campaign.closes_on.to_string(),
        remind_after_days: campaign.remind_after_days,
        questionnaire_code: campaign.questionnaire_code,
        questionnaire_version: campaign.questionnaire_version,
        recipients,
        totals,
    })
}

/// How many mails a `send` or `remind` queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Queued {
    pub queued: u64,
}

/// Queues the invitation of every recipient not yet invited (running it
/// again queues nothing new) and opens the campaign.
pub async fn send(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<Queued> {
    queue(store, who, actor, name, now, MailKind::Invitation).await
}

/// Queues a reminder for every invitation sent at least
/// `remind_after_days` ago that is not answered, not revoked, and had no
/// reminder in that time.
pub async fn remind(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<Queued> {
    queue(store, who, actor, name, now, MailKind::Reminder).await
}

/// Queues the invitations (`send`) or the reminders (`remind`).
pub async fn queue(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
    kind: MailKind,
) -> AppResult<Queued> {
    queue_with(store, who, actor, name, now, kind, false).await
}

/// The reminder schedule, run by the mail worker of `vangnet serve`: for
/// every open campaign (sent, not past its closing day), the reminders
/// that are due (as [`remind`]: sent at least the interval ago, not
/// answered, not reminded since), so that nobody has to remember to press
/// the button. Returns how many it queued.
pub async fn remind_on_schedule(store: &Store, now: DateTime<Utc>) -> AppResult<u64> {
    let who = Principal::command_line("reminder schedule");
    let actor = Actor::named("vangnet (reminder schedule)");
    let mut queued = 0;
    for campaign in store.list_campaigns().await? {
        if campaign.status_on(now.date_naive()) == CampaignStatus::Open {
            queued += remind(store, &who, &actor, &campaign.name, now)
                .await?
                .queued;
        }
    }
    Ok(queued)
}

/// Queues a reminder now for every invitation that went out and is not
/// answered, whatever the reminder interval (a last call before the
/// campaign closes); one that is already waiting is not queued twice.
pub async fn remind_everyone(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<Queued> {
    queue_with(store, who, actor, name, now, MailKind::Reminder, true).await
}

/// [`queue`]; `everyone`: reminders regardless of the interval.
#[allow(clippy::too_many_arguments)]
pub async fn queue_with(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
    kind: MailKind,
    everyone: bool,
) -> AppResult<Queued> {
    allowed(who)?;
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let campaign = Store::campaign_on(&mut tx, name)
            .await?
            .ok_or_else(|| not_found(name))?;
        refuse_closed(&campaign, now)?;
        let stamp = time_text(now);
        let (queued, event) = match kind {
            MailKind::Invitation => {
                let queued = Store::queue_invitations(&mut tx, campaign.id, &stamp).await?;
                if campaign.status == CampaignStatus::Draft {
                    Store::set_campaign_status(&mut tx, campaign.id, CampaignStatus::Open).await?;
                }
                (queued, "send")
            }
            MailKind::Reminder => {
                let wait = if everyone {
                    Duration::zero()
                } else {
                    Duration::days(campaign.remind_after_days)
                };
                let cutoff = time_text(now - wait);
                let queued = Store::queue_reminders(&mut tx, campaign.id, &stamp, &cutoff).await?;
                (queued, "remind")
            }
        };
        if queued > 0 {
            Store::append_audit(
                &mut tx,
                &AuditEvent::new(event, actor, "campaign")
                    .object(&campaign.name)
                    .detail(format!("{queued} {}s queued", kind.code())),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Queued { queued })
    })
    .await
}

fn refuse_closed(campaign: &Campaign, now: DateTime<Utc>) -> AppResult<()> {
    if campaign.status_on(now.date_naive()) == CampaignStatus::Closed {
        return Err(AppError::conflict(
            "campaigns.error.closed",
            &[("closes_on", campaign.closes_on.to_string())],
        ));
    }
    Ok(())
}

/// Revokes one invitation's personal link at once (its waiting mails are
/// not sent).
pub async fn revoke(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    invitation_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    allowed(who)?;
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let campaign = Store::campaign_on(&mut tx, name)
            .await?
            .ok_or_else(|| not_found(name))?;
        if !Store::invitation_exists(&mut tx, campaign.id, invitation_id).await? {
            return Err(AppError::NotFound(format!(
                "campaign '{name}' has no invitation {invitation_id}"
            )));
        }
        if !Store::revoke_invitation(&mut tx, campaign.id, invitation_id, &time_text(now)).await? {
            return Err(AppError::conflict("campaigns.error.revoked", &[]));
        }
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("revoke", actor, "campaign")
                .object(&campaign.name)
                .detail(format!("invitation {invitation_id}")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The invitation a personal link belongs to, if it is live on `today`
/// (for the answer form, later work, and the tests).
pub async fn invitation_for_link(
    store: &Store,
    token: &str,
    today: NaiveDate,
) -> AppResult<Option<i64>> {
    Ok(store
        .invitation_by_token_hash(&crate::domain::secret::digest(token), today)
        .await?)
}
