//! What a campaign's dashboard reads beyond the status of its recipients
//! (`campaigns::campaign_recipients`): per invitation, the addressee's
//! phone, when the answer form was first opened, whether a survey answer
//! is saved as a draft, and when and how the invitation mail ended (the
//! day it went out, or the day it was queued for one that failed or
//! bounced). One portable statement for both engines.

use sqlx::Row;

use super::Store;
use crate::storage::error::StorageResult;

/// One invitation's dashboard facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardRow {
    pub invitation_id: i64,
    /// The addressee's phone; None when there is none or it is erased.
    pub phone: Option<String>,
    /// When the respondent first opened the answer form.
    pub opened_at: Option<String>,
    /// A survey answer saved as a draft and not submitted.
    pub draft: bool,
    /// The invitation mail's status (None before `send`).
    pub invitation_status: Option<String>,
    /// When the invitation mail was queued.
    pub invitation_queued_at: Option<String>,
}

impl Store {
    /// The dashboard facts of every invitation of a campaign.
    pub async fn campaign_dashboard_rows(
        &self,
        campaign_id: i64,
    ) -> StorageResult<Vec<DashboardRow>> {
        let rows = sqlx::query(
            "SELECT i.id, c.phone, i.opened_at, \
             (SELECT count(*) FROM campaign_answers a WHERE a.invitation_id = i.id \
                AND a.source = 'survey' AND a.state = 'draft') AS drafts, \
             m.status AS invitation_status, m.queued_at AS invitation_queued_at \
             FROM campaign_invitations i JOIN contacts c ON c.id = i.contact_id \
             LEFT JOIN campaign_mails m ON m.invitation_id = i.id AND m.kind = 'invitation' \
             WHERE i.campaign_id = $1 ORDER BY i.id",
        )
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DashboardRow {
                    invitation_id: row.try_get("id")?,
                    phone: row.try_get("phone")?,
                    opened_at: row.try_get("opened_at")?,
                    draft: row.try_get::<i64, _>("drafts")? > 0,
                    invitation_status: row.try_get("invitation_status")?,
                    invitation_queued_at: row.try_get("invitation_queued_at")?,
                })
            })
            .collect()
    }
}
