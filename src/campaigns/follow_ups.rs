//! Follow-up of a campaign: the phone calls and website checks made for
//! the organisations that have not answered, and who still needs a call.
//! Admins and researchers only, like the campaign itself. Every entry is
//! in the audit log (object kind `follow_up`), the organisation by id;
//! what was found goes into the audit detail because it passed the
//! personal-data guard of its domain type.

use chrono::{DateTime, Utc};

use super::campaigns::{allowed, not_found, time_text};
use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::follow_up::{FollowUp, FollowUpInput, FollowUpKind};
use crate::domain::provenance::Actor;
use crate::domain::{FieldError, Reason};
use crate::storage::audit::AuditEvent;
use crate::storage::write::{retrying, Writes};
use crate::storage::Store;

/// Records a call or a website check for one of the campaign's recipients.
pub async fn record(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    input: &FollowUpInput,
    now: DateTime<Utc>,
) -> AppResult<FollowUp> {
    allowed(who)?;
    let draft = input
        .validate(now.date_naive())
        .map_err(AppError::Invalid)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    let stamp = time_text(now);
    let id = retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        if !Store::is_campaign_recipient(&mut tx, campaign.id, draft.organisation_id).await? {
            return Err(AppError::Invalid(vec![FieldError::because(
                "organisation_id",
                Reason::of(
                    "campaigns.follow_up.error.not_recipient",
                    &[("id", draft.organisation_id.to_string())],
                ),
            )]));
        }
        let id = Store::insert_follow_up(&mut tx, campaign.id, &draft, &actor.name, &stamp).await?;
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("create", actor, "follow_up")
                .object(id.to_string())
                .after(Some(serde_json::json!({
                    "campaign": campaign.name,
                    "organisation_id": draft.organisation_id,
                    "kind": draft.kind.code(),
                    "outcome": draft.outcome.code(),
                    "done_on": draft.done_on.to_string(),
                })))
                .detail(format!(
                    "campaign {}, organisation {}: {} on {}, {}; found: {}",
                    campaign.name,
                    draft.organisation_id,
                    draft.kind.code(),
                    draft.done_on,
                    draft.outcome.code(),
                    draft.found
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await?;
    store
        .campaign_follow_ups(campaign.id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("follow-up {id} is gone")))
}

/// A campaign's follow-up entries, newest first; audited as a read.
pub async fn list(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
) -> AppResult<Vec<FollowUp>> {
    allowed(who)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    let entries = store.campaign_follow_ups(campaign.id).await?;
    store
        .audit(
            &AuditEvent::new("read", actor, "follow_up")
                .object(&campaign.name)
                .detail(format!("{} follow-up entries", entries.len())),
        )
        .await?;
    Ok(entries)
}

/// The latest day of each kind for one organisation: (called, checked).
pub fn latest(entries: &[FollowUp], organisation_id: i64) -> (Option<String>, Option<String>) {
    let newest = |kind: FollowUpKind| {
        entries
            .iter()
            .filter(|f| f.organisation_id == organisation_id && f.kind == kind)
            .map(|f| f.done_on.clone())
            .max()
    };
    (newest(FollowUpKind::Call), newest(FollowUpKind::Website))
}

/// Whether an organisation had a follow-up that settles it (confirmed,
/// changes found, closed or refused): it needs no more calls.
pub fn settled(entries: &[FollowUp], organisation_id: i64) -> bool {
    entries
        .iter()
        .any(|f| f.organisation_id == organisation_id && f.outcome.is_final())
}
