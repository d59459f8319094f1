//! The follow-up log of a campaign: phone calls and website checks per
//! organisation (migration 0016).

use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::{date_text, parse_stored_date, Store, END};
use crate::domain::follow_up::{FollowUp, FollowUpDraft, FollowUpKind, Outcome};
use crate::storage::error::{StorageError, StorageResult};

fn broken(what: &str, why: impl std::fmt::Display) -> StorageError {
    StorageError::Database(anyhow::anyhow!(
        "stored follow-up: {what} cannot be read: {why}"
    ))
}

impl Store {
    /// Whether an organisation is one of a campaign's recipients.
    pub async fn is_campaign_recipient(
        conn: &mut AnyConnection,
        campaign_id: i64,
        organisation_id: i64,
    ) -> StorageResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM campaign_invitations WHERE campaign_id = $1 AND organisation_id = $2",
        )
        .bind(campaign_id)
        .bind(organisation_id)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(found.is_some())
    }

    pub async fn insert_follow_up(
        tx: &mut WriteTx,
        campaign_id: i64,
        draft: &FollowUpDraft,
        recorded_by: &str,
        now: &str,
    ) -> StorageResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO campaign_follow_ups (campaign_id, organisation_id, kind, outcome, \
             found, done_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(campaign_id)
        .bind(draft.organisation_id)
        .bind(draft.kind.code())
        .bind(draft.outcome.code())
        .bind(draft.found.as_str())
        .bind(date_text(draft.done_on))
        .bind(recorded_by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?)
    }

    /// A campaign's follow-up entries, newest first (by day, then by when
    /// they were recorded).
    pub async fn campaign_follow_ups(&self, campaign_id: i64) -> StorageResult<Vec<FollowUp>> {
        let rows = sqlx::query(
            "SELECT f.id, f.organisation_id, (SELECT v.name FROM organisation_versions v \
             WHERE v.organisation_id = f.organisation_id AND v.valid_to = $2) AS organisation, \
             f.kind, f.outcome, f.found, f.done_on, f.recorded_by, f.recorded_at \
             FROM campaign_follow_ups f WHERE f.campaign_id = $1 \
             ORDER BY f.done_on DESC, f.recorded_at DESC, f.id DESC",
        )
        .bind(campaign_id)
        .bind(END)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let outcome: String = row.try_get("outcome")?;
                Ok(FollowUp {
                    id: row.try_get("id")?,
                    organisation_id: row.try_get("organisation_id")?,
                    organisation: row
                        .try_get::<Option<String>, _>("organisation")?
                        .unwrap_or_default(),
                    kind: FollowUpKind::parse(&kind).ok_or_else(|| broken("kind", &kind))?,
                    outcome: Outcome::parse(&outcome).ok_or_else(|| broken("outcome", &outcome))?,
                    found: row.try_get("found")?,
                    done_on: parse_stored_date(row.try_get("done_on")?, "done_on")?
                        .ok_or_else(|| broken("done_on", "empty"))?
                        .to_string(),
                    recorded_by: row.try_get("recorded_by")?,
                    recorded_at: row.try_get("recorded_at")?,
                })
            })
            .collect()
    }
}
