//! Campaigns, their invitations and their outbox (migration 0015).
//!
//! The outbox (`campaign_mails`) is worked by claims: a worker sets a due
//! mail to `sending` with a claim id of its own and a lease (a conditional
//! UPDATE, atomic on both engines, so two workers never hold one mail),
//! stores the hash of the token the mail will carry, writes the message,
//! marks it `sent` just before the SMTP server takes it (the hand-over,
//! again only while the claim is its own), and then ends the claim with
//! the outcome in one UPDATE that only matches while the claim is still
//! its own. A lease that ran out (the server stopped mid-send) makes a mail
//! not yet handed over due again for whoever looks next; a mail handed
//! over is never claimed again.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::{date_text, parse_stored_date, Store, END};
use crate::domain::campaign::{Campaign, CampaignDraft, CampaignStatus, CampaignTexts, MailKind};
use crate::domain::language::Language;
use crate::storage::error::{StorageError, StorageResult};

const SELECT: &str = "SELECT c.id, c.name, r.name AS round_name, c.questionnaire_code, \
    c.questionnaire_version, c.closes_on, c.remind_after_days, c.texts, c.status, \
    c.created_by, c.created_at FROM campaigns c JOIN rounds r ON r.id = c.round_id ";

fn broken(what: &str, why: impl std::fmt::Display) -> StorageError {
    StorageError::Database(anyhow::anyhow!(
        "stored campaign: {what} cannot be read: {why}"
    ))
}

fn campaign_from_row(row: &AnyRow) -> StorageResult<Campaign> {
    let texts: String = row.try_get("texts")?;
    let status: String = row.try_get("status")?;
    Ok(Campaign {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        round: row.try_get("round_name")?,
        questionnaire_code: row.try_get("questionnaire_code")?,
        questionnaire_version: row.try_get("questionnaire_version")?,
        closes_on: parse_stored_date(row.try_get("closes_on")?, "closes_on")?
            .ok_or_else(|| broken("closes_on", "empty"))?,
        remind_after_days: row.try_get("remind_after_days")?,
        texts: serde_json::from_str::<CampaignTexts>(&texts).map_err(|e| broken("texts", e))?,
        status: CampaignStatus::parse(&status).ok_or_else(|| broken("status", &status))?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// One recipient of a campaign as its status shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientRow {
    pub invitation_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub contact_id: i64,
    /// None once the contact is erased.
    pub email: Option<String>,
    pub revoked_at: Option<String>,
    pub answered_at: Option<String>,
    /// When the invitation mail went out.
    pub invited_at: Option<String>,
    /// When the newest reminder went out.
    pub reminded_at: Option<String>,
    /// The newest mail's status and error.
    pub mail_status: Option<String>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub attempts: i64,
}

/// A mail a worker claimed, with what it takes to write and address it.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub kind: MailKind,
    pub attempts: i64,
    pub invitation_id: i64,
    pub campaign: Campaign,
    pub language: Language,
    pub organisation: String,
    /// None when the contact was erased or opted out since.
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub revoked: bool,
    pub answered: bool,
}

/// How a claimed mail ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent { at: String },
    Retry { error: String, at: String },
    Failed { error: String },
    Bounced { reply: String },
}

const CURRENT_NAME: &str = "(SELECT v.name FROM organisation_versions v \
    WHERE v.organisation_id = i.organisation_id AND v.valid_to = $END)";

impl Store {
    /// Adds a campaign; a taken name is a conflict on `name`.
    pub async fn insert_campaign(
        tx: &mut WriteTx,
        draft: &CampaignDraft,
        round_id: i64,
        questionnaire: (&str, i64),
        created_by: &str,
        now: &str,
    ) -> StorageResult<i64> {
        let texts = serde_json::to_string(&draft.texts).map_err(anyhow::Error::from)?;
        sqlx::query_scalar(
            "INSERT INTO campaigns (name, round_id, questionnaire_code, questionnaire_version, \
             closes_on, remind_after_days, texts, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9) RETURNING id",
        )
        .bind(draft.name.as_str())
        .bind(round_id)
        .bind(questionnaire.0)
        .bind(questionnaire.1)
        .bind(date_text(draft.closes_on))
        .bind(draft.remind_after_days)
        .bind(texts)
        .bind(created_by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| match StorageError::from(e) {
            StorageError::Conflict { constraint, .. } => StorageError::Conflict {
                constraint,
                reason: crate::domain::Reason::of(
                    "campaigns.error.name_taken",
                    &[("name", draft.name.clone())],
                ),
            },
            other => other,
        })
    }

    /// Every campaign, newest first.
    pub async fn list_campaigns(&self) -> StorageResult<Vec<Campaign>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY c.created_at DESC, c.id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(campaign_from_row).collect()
    }

    /// A campaign by name.
    pub async fn campaign(&self, name: &str) -> StorageResult<Option<Campaign>> {
        let mut conn = self.pool().acquire().await?;
        Store::campaign_on(&mut conn, name).await
    }

    /// A campaign by name on a connection (a write transaction's).
    pub async fn campaign_on(
        conn: &mut AnyConnection,
        name: &str,
    ) -> StorageResult<Option<Campaign>> {
        let row = sqlx::query(&format!("{SELECT} WHERE c.name = $1"))
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(campaign_from_row).transpose()
    }

    pub async fn set_campaign_status(
        tx: &mut WriteTx,
        id: i64,
        status: CampaignStatus,
    ) -> StorageResult<()> {
        sqlx::query("UPDATE campaigns SET status = $1 WHERE id = $2")
            .bind(status.code())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The addressee of each organisation that can be mailed (of `only`,
    /// when given): its first contact by name that is not erased and has
    /// not opted out. Pairs of (organisation, contact), by organisation.
    pub async fn campaign_addressees(
        tx: &mut WriteTx,
        only: Option<&[i64]>,
    ) -> StorageResult<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT organisation_id, id FROM contacts \
             WHERE erased_at IS NULL AND opted_out_on IS NULL \
             ORDER BY organisation_id, lower(name), id",
        )
        .fetch_all(&mut **tx)
        .await?;
        let mut chosen: Vec<(i64, i64)> = Vec::new();
        for row in &rows {
            let organisation: i64 = row.try_get("organisation_id")?;
            let contact: i64 = row.try_get("id")?;
            if chosen.last().is_some_and(|(o, _)| *o == organisation) {
                continue;
            }
            if only.is_none_or(|ids| ids.contains(&organisation)) {
                chosen.push((organisation, contact));
            }
        }
        Ok(chosen)
    }

    pub async fn insert_invitation(
        tx: &mut WriteTx,
        campaign_id: i64,
        (organisation_id, contact_id): (i64, i64),
        language: Language,
        expires_on: NaiveDate,
        now: &str,
    ) -> StorageResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO campaign_invitations (campaign_id, organisation_id, contact_id, \
             language, expires_on, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(campaign_id)
        .bind(organisation_id)
        .bind(contact_id)
        .bind(language.code())
        .bind(date_text(expires_on))
        .bind(now)
        .fetch_one(&mut **tx)
        .await?)
    }

    /// Queues an invitation mail for every live invitation that has none;
    /// returns how many.
    pub async fn queue_invitations(
        tx: &mut WriteTx,
        campaign_id: i64,
        now: &str,
    ) -> StorageResult<u64> {
        let done = sqlx::query(
            "INSERT INTO campaign_mails (invitation_id, kind, status, attempts, next_attempt_at, \
             queued_at) SELECT i.id, 'invitation', 'queued', 0, $1, $1 \
             FROM campaign_invitations i WHERE i.campaign_id = $2 AND i.revoked_at IS NULL \
             AND i.answered_at IS NULL AND NOT EXISTS (SELECT 1 FROM campaign_mails m \
             WHERE m.invitation_id = i.id AND m.kind = 'invitation')",
        )
        .bind(now)
        .bind(campaign_id)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected())
    }

    /// Queues a reminder for every live, unanswered invitation whose
    /// invitation went out at or before `cutoff` and that had no reminder
    /// queued since `cutoff` (nor one waiting); returns how many.
    pub async fn queue_reminders(
        tx: &mut WriteTx,
        campaign_id: i64,
        now: &str,
        cutoff: &str,
    ) -> StorageResult<u64> {
        let done = sqlx::query(
            "INSERT INTO campaign_mails (invitation_id, kind, status, attempts, next_attempt_at, \
             queued_at) SELECT i.id, 'reminder', 'queued', 0, $1, $1 \
             FROM campaign_invitations i WHERE i.campaign_id = $2 AND i.revoked_at IS NULL \
             AND i.answered_at IS NULL \
             AND EXISTS (SELECT 1 FROM campaign_mails m WHERE m.invitation_id = i.id \
                 AND m.kind = 'invitation' AND m.status = 'sent' AND m.sent_at <= $3) \
             AND NOT EXISTS (SELECT 1 FROM campaign_mails m WHERE m.invitation_id = i.id \
                 AND m.kind = 'reminder' AND (m.queued_at > $3 OR m.status IN ('queued', 'sending'))) \
             ON CONFLICT DO NOTHING",
        )
        .bind(now)
        .bind(campaign_id)
        .bind(cutoff)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected())
    }

    /// Revokes a live invitation of a campaign; its waiting mails fail.
    /// Returns whether there was one to revoke.
    pub async fn revoke_invitation(
        tx: &mut WriteTx,
        campaign_id: i64,
        invitation_id: i64,
        now: &str,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE campaign_invitations SET revoked_at = $1 \
             WHERE id = $2 AND campaign_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(invitation_id)
        .bind(campaign_id)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE campaign_mails SET status = 'failed', last_error = 'revoked before sending' \
             WHERE invitation_id = $1 AND status = 'queued'",
        )
        .bind(invitation_id)
        .execute(&mut **tx)
        .await?;
        Ok(true)
    }

    /// Whether a campaign has this invitation (revoked or not).
    pub async fn invitation_exists(
        conn: &mut AnyConnection,
        campaign_id: i64,
        invitation_id: i64,
    ) -> StorageResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM campaign_invitations WHERE id = $1 AND campaign_id = $2",
        )
        .bind(invitation_id)
        .bind(campaign_id)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(found.is_some())
    }

    /// A campaign's recipients with their newest mail, by organisation name.
    pub async fn campaign_recipients(&self, campaign_id: i64) -> StorageResult<Vec<RecipientRow>> {
        let sql = format!(
            "SELECT * FROM (SELECT i.id, i.organisation_id, {CURRENT_NAME} AS organisation, i.contact_id, \
             c.email, i.revoked_at, i.answered_at, \
             (SELECT m.sent_at FROM campaign_mails m WHERE m.invitation_id = i.id \
                AND m.kind = 'invitation') AS invited_at, \
             (SELECT max(m.sent_at) FROM campaign_mails m WHERE m.invitation_id = i.id \
                AND m.kind = 'reminder') AS reminded_at, \
             n.status AS mail_status, n.last_error, n.next_attempt_at, n.attempts \
             FROM campaign_invitations i JOIN contacts c ON c.id = i.contact_id \
             LEFT JOIN campaign_mails n ON n.id = (SELECT max(m.id) FROM campaign_mails m \
                WHERE m.invitation_id = i.id) \
             WHERE i.campaign_id = $1) r ORDER BY lower(organisation), id"
        )
        .replace("$END", "$2");
        let rows = sqlx::query(&sql)
            .bind(campaign_id)
            .bind(END)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(RecipientRow {
                    invitation_id: row.try_get("id")?,
                    organisation_id: row.try_get("organisation_id")?,
                    organisation: row
                        .try_get::<Option<String>, _>("organisation")?
                        .unwrap_or_default(),
                    contact_id: row.try_get("contact_id")?,
                    email: row.try_get("email")?,
                    revoked_at: row.try_get("revoked_at")?,
                    answered_at: row.try_get("answered_at")?,
                    invited_at: row.try_get("invited_at")?,
                    reminded_at: row.try_get("reminded_at")?,
                    mail_status: row.try_get("mail_status")?,
                    last_error: row.try_get("last_error")?,
                    next_attempt_at: row.try_get("next_attempt_at")?,
                    attempts: row.try_get::<Option<i64>, _>("attempts")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Claims up to `limit` due mails (queued and due, or sending with a
    /// lease that ran out) for `claim` until `lease_until`.
    pub async fn claim_campaign_mails(
        &self,
        now: &str,
        lease_until: &str,
        claim: &str,
        limit: i64,
    ) -> StorageResult<Vec<ClaimedMail>> {
        const DUE: &str = "((status = 'queued' AND next_attempt_at <= $1) \
            OR (status = 'sending' AND lease_until <= $1))";
        let candidates: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM campaign_mails WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for id in candidates {
            // Conditional: whoever updates first holds it; the others match nothing.
            let done = sqlx::query(&format!(
                "UPDATE campaign_mails SET status = 'sending', claim = $2, lease_until = $3, \
                 attempts = attempts + 1 WHERE id = $4 AND {DUE}"
            ))
            .bind(now)
            .bind(claim)
            .bind(lease_until)
            .bind(id)
            .execute(self.pool())
            .await?;
            if done.rows_affected() == 1 {
                claimed.push(self.claimed_mail(id).await?);
            }
        }
        Ok(claimed)
    }

    async fn claimed_mail(&self, id: i64) -> StorageResult<ClaimedMail> {
        let sql = format!(
            "SELECT m.id, m.kind, m.attempts, i.id AS invitation_id, i.language, \
             i.revoked_at, i.answered_at, {CURRENT_NAME} AS organisation, \
             CASE WHEN c.opted_out_on IS NULL THEN c.email END AS email, \
             c.name AS contact_name, camp.name AS campaign_name \
             FROM campaign_mails m JOIN campaign_invitations i ON i.id = m.invitation_id \
             JOIN contacts c ON c.id = i.contact_id JOIN campaigns camp ON camp.id = i.campaign_id \
             WHERE m.id = $1"
        )
        .replace("$END", "$2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(END)
            .fetch_one(self.pool())
            .await?;
        let kind: String = row.try_get("kind")?;
        let language: String = row.try_get("language")?;
        let campaign_name: String = row.try_get("campaign_name")?;
        let campaign = self
            .campaign(&campaign_name)
            .await?
            .ok_or_else(|| broken("mail", format!("campaign {campaign_name} is gone")))?;
        Ok(ClaimedMail {
            id,
            kind: MailKind::parse(&kind).ok_or_else(|| broken("mail kind", &kind))?,
            attempts: row.try_get("attempts")?,
            invitation_id: row.try_get("invitation_id")?,
            campaign,
            language: Language::parse(&language).unwrap_or_default(),
            organisation: row
                .try_get::<Option<String>, _>("organisation")?
                .unwrap_or_default(),
            email: row.try_get("email")?,
            contact_name: row.try_get("contact_name")?,
            revoked: row.try_get::<Option<String>, _>("revoked_at")?.is_some(),
            answered: row.try_get::<Option<String>, _>("answered_at")?.is_some(),
        })
    }

    /// Stores the hash of the token a claimed mail is about to carry
    /// (replacing an earlier attempt's); false when the claim was lost.
    pub async fn set_mail_token(&self, id: i64, claim: &str, hash: &str) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE campaign_mails SET token_hash = $1 WHERE id = $2 AND claim = $3 \
             AND status = 'sending'",
        )
        .bind(hash)
        .bind(id)
        .bind(claim)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that a claimed mail is handed over to the SMTP server: it
    /// is `sent` from now on, also when the process dies before the
    /// server's reply, and no worker claims it again. The claim stays
    /// until [`Store::finish_mail`], which can still turn it back (the
    /// server refused it after all). False when the claim was lost: the
    /// mail must not be handed over.
    pub async fn hand_over_mail(&self, id: i64, claim: &str, at: &str) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE campaign_mails SET status = 'sent', sent_at = $1 WHERE id = $2 \
             AND claim = $3 AND status = 'sending'",
        )
        .bind(at)
        .bind(id)
        .bind(claim)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends the lease of every mail `claim` holds and has not yet
    /// handed over; how many.
    pub async fn renew_mail_lease(&self, claim: &str, lease_until: &str) -> StorageResult<u64> {
        let done = sqlx::query(
            "UPDATE campaign_mails SET lease_until = $1 WHERE claim = $2 AND status = 'sending'",
        )
        .bind(lease_until)
        .bind(claim)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// How many campaign mails the outbox holds in each status (`queued`,
    /// `sending`, `sent`, `failed`, `bounced`), for `/metrics`.
    pub async fn mail_outbox_counts(&self) -> StorageResult<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM campaign_mails GROUP BY status")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// When the first lease of a mail still being sent runs out, if any:
    /// when a stopped server's mails can be taken over.
    pub async fn next_lease_end(&self) -> StorageResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT min(lease_until) FROM campaign_mails WHERE status = 'sending'",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Ends a claim with its outcome, in one statement, also of a mail
    /// handed over (a refusal turns it back from `sent`); false when the
    /// claim was no longer ours (its lease ran out and another took it).
    pub async fn finish_mail(
        &self,
        id: i64,
        claim: &str,
        outcome: &MailOutcome,
    ) -> StorageResult<bool> {
        let (status, error, sent_at, next): (&str, Option<&str>, Option<&str>, Option<&str>) =
            match outcome {
                MailOutcome::Sent { at } => ("sent", None, Some(at), None),
                MailOutcome::Retry { error, at } => ("queued", Some(error), None, Some(at)),
                MailOutcome::Failed { error } => ("failed", Some(error), None, None),
                MailOutcome::Bounced { reply } => ("bounced", Some(reply), None, None),
            };
        let done = sqlx::query(
            "UPDATE campaign_mails SET status = $1, last_error = COALESCE($2, last_error), \
             sent_at = $3, next_attempt_at = COALESCE($4, next_attempt_at), claim = NULL, \
             lease_until = NULL WHERE id = $5 AND claim = $6 AND status IN ('sending', 'sent')",
        )
        .bind(status)
        .bind(error)
        .bind(sent_at)
        .bind(next)
        .bind(id)
        .bind(claim)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The invitation a personal link's token belongs to, if the link is
    /// live: not revoked and not past its closing day (`today`).
    pub async fn invitation_by_token_hash(
        &self,
        hash: &str,
        today: NaiveDate,
    ) -> StorageResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT i.id FROM campaign_mails m JOIN campaign_invitations i \
             ON i.id = m.invitation_id WHERE m.token_hash = $1 AND i.revoked_at IS NULL \
             AND i.expires_on >= $2",
        )
        .bind(hash)
        .bind(date_text(today))
        .fetch_optional(self.pool())
        .await?)
    }
}
