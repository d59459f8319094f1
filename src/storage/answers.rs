//! Answers of campaigns and the register changes they propose (migrations
//! 0017 and 0018). An invitation's survey answer is one row, saved over as
//! a draft and then submitted; staff findings (phone, website) are rows of
//! their own. Proposals are written with the submission, in one
//! transaction, and decided one by one.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::{parse_stored_date, Store, END};
use crate::domain::answer::Answers;
use crate::domain::language::Language;
use crate::domain::proposal::{ProposalKind, ProposalState, Proposed};
use crate::storage::error::{StorageError, StorageResult};

fn broken(what: &str, why: impl std::fmt::Display) -> StorageError {
    StorageError::Database(anyhow::anyhow!(
        "stored answer: {what} cannot be read: {why}"
    ))
}

/// An invitation with what its answer form needs.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationRow {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign: String,
    pub questionnaire_code: String,
    pub questionnaire_version: i64,
    pub closes_on: chrono::NaiveDate,
    pub organisation_id: i64,
    pub organisation: String,
    pub language: Language,
    pub revoked: bool,
    pub opened_at: Option<String>,
    pub answered_at: Option<String>,
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub id: i64,
    pub invitation_id: i64,
    /// survey, phone or website.
    pub source: String,
    pub follow_up_id: Option<i64>,
    pub submitted: bool,
    pub answers: Answers,
    pub language: Language,
    pub entered_by: Option<String>,
    pub saved_at: String,
    pub submitted_at: Option<String>,
}

/// A stored proposal with the answer it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRow {
    pub id: i64,
    pub answer_id: i64,
    pub position: i64,
    pub kind: ProposalKind,
    pub facility_id: Option<i64>,
    pub location_name: String,
    pub field: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
    pub state: ProposalState,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub organisation_id: i64,
    pub organisation: String,
    pub source: String,
    pub entered_by: Option<String>,
    pub submitted_at: Option<String>,
}

const INVITATION: &str = "SELECT i.id, i.campaign_id, c.name AS campaign, c.questionnaire_code, \
    c.questionnaire_version, c.closes_on, i.organisation_id, \
    (SELECT v.name FROM organisation_versions v WHERE v.organisation_id = i.organisation_id \
     AND v.valid_to = $END) AS organisation, i.language, i.revoked_at, i.opened_at, i.answered_at \
    FROM campaign_invitations i JOIN campaigns c ON c.id = i.campaign_id ";

fn invitation_from_row(row: &AnyRow) -> StorageResult<InvitationRow> {
    let language: String = row.try_get("language")?;
    let revoked: Option<String> = row.try_get("revoked_at")?;
    Ok(InvitationRow {
        id: row.try_get("id")?,
        campaign_id: row.try_get("campaign_id")?,
        campaign: row.try_get("campaign")?,
        questionnaire_code: row.try_get("questionnaire_code")?,
        questionnaire_version: row.try_get("questionnaire_version")?,
        closes_on: parse_stored_date(row.try_get("closes_on")?, "closes_on")?
            .ok_or_else(|| broken("closes_on", "empty"))?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row
            .try_get::<Option<String>, _>("organisation")?
            .unwrap_or_default(),
        language: Language::parse(&language).ok_or_else(|| broken("language", &language))?,
        revoked: revoked.is_some(),
        opened_at: row.try_get("opened_at")?,
        answered_at: row.try_get("answered_at")?,
    })
}

const ANSWER: &str = "SELECT id, invitation_id, source, follow_up_id, state, answers, language, \
    entered_by, saved_at, submitted_at FROM campaign_answers ";

fn answer_from_row(row: &AnyRow) -> StorageResult<AnswerRow> {
    let answers: String = row.try_get("answers")?;
    let language: String = row.try_get("language")?;
    let state: String = row.try_get("state")?;
    Ok(AnswerRow {
        id: row.try_get("id")?,
        invitation_id: row.try_get("invitation_id")?,
        source: row.try_get("source")?,
        follow_up_id: row.try_get("follow_up_id")?,
        submitted: state == "submitted",
        answers: serde_json::from_str(&answers).map_err(|e| broken("answers", e))?,
        language: Language::parse(&language).ok_or_else(|| broken("language", &language))?,
        entered_by: row.try_get("entered_by")?,
        saved_at: row.try_get("saved_at")?,
        submitted_at: row.try_get("submitted_at")?,
    })
}

const PROPOSAL: &str = "SELECT p.id, p.answer_id, p.position, p.kind, p.facility_id, \
    p.location_name, p.field, p.before_value, p.after_value, p.state, p.decided_by, p.decided_at, \
    i.organisation_id, \
    (SELECT v.name FROM organisation_versions v WHERE v.organisation_id = i.organisation_id \
     AND v.valid_to = $END) AS organisation, a.source, a.entered_by, a.submitted_at \
    FROM campaign_proposals p JOIN campaign_answers a ON a.id = p.answer_id \
    JOIN campaign_invitations i ON i.id = a.invitation_id ";

fn proposal_from_row(row: &AnyRow) -> StorageResult<ProposalRow> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let json = |text: Option<String>| -> StorageResult<Option<serde_json::Value>> {
        text.map(|t| serde_json::from_str(&t).map_err(|e| broken("value", e)))
            .transpose()
    };
    Ok(ProposalRow {
        id: row.try_get("id")?,
        answer_id: row.try_get("answer_id")?,
        position: row.try_get("position")?,
        kind: ProposalKind::parse(&kind).ok_or_else(|| broken("kind", &kind))?,
        facility_id: row.try_get("facility_id")?,
        location_name: row.try_get("location_name")?,
        field: row.try_get("field")?,
        before: json(row.try_get("before_value")?)?,
        after: json(row.try_get("after_value")?)?.unwrap_or(serde_json::Value::Null),
        state: ProposalState::parse(&state).ok_or_else(|| broken("state", &state))?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row
            .try_get::<Option<String>, _>("organisation")?
            .unwrap_or_default(),
        source: row.try_get("source")?,
        entered_by: row.try_get("entered_by")?,
        submitted_at: row.try_get("submitted_at")?,
    })
}

fn with_end(sql: &str) -> String {
    sql.replace("$END", &format!("'{END}'"))
}

impl Store {
    /// An invitation by id.
    pub async fn invitation(&self, id: i64) -> StorageResult<Option<InvitationRow>> {
        let mut conn = self.pool().acquire().await?;
        Store::invitation_on(&mut conn, id).await
    }

    /// An invitation by id on a connection (a write transaction's).
    pub async fn invitation_on(
        conn: &mut AnyConnection,
        id: i64,
    ) -> StorageResult<Option<InvitationRow>> {
        let row = sqlx::query(&with_end(&format!("{INVITATION} WHERE i.id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(invitation_from_row).transpose()
    }

    /// The invitation of an organisation in a campaign.
    pub async fn invitation_of(
        &self,
        campaign_id: i64,
        organisation_id: i64,
    ) -> StorageResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM campaign_invitations WHERE campaign_id = $1 AND organisation_id = $2",
        )
        .bind(campaign_id)
        .bind(organisation_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Notes the first time the answer form was opened.
    pub async fn mark_invitation_opened(
        tx: &mut WriteTx,
        id: i64,
        at: &str,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE campaign_invitations SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Notes when the invitation was answered.
    pub async fn mark_invitation_answered(
        tx: &mut WriteTx,
        id: i64,
        at: &str,
    ) -> StorageResult<()> {
        sqlx::query(
            "UPDATE campaign_invitations SET answered_at = $1, \
             opened_at = COALESCE(opened_at, $1) WHERE id = $2",
        )
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The survey answer of an invitation (draft or submitted), if any.
    pub async fn survey_answer(&self, invitation_id: i64) -> StorageResult<Option<AnswerRow>> {
        let mut conn = self.pool().acquire().await?;
        Store::survey_answer_on(&mut conn, invitation_id).await
    }

    pub async fn survey_answer_on(
        conn: &mut AnyConnection,
        invitation_id: i64,
    ) -> StorageResult<Option<AnswerRow>> {
        let row = sqlx::query(&format!(
            "{ANSWER} WHERE invitation_id = $1 AND source = 'survey'"
        ))
        .bind(invitation_id)
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(answer_from_row).transpose()
    }

    /// An answer by id.
    pub async fn answer(&self, id: i64) -> StorageResult<Option<AnswerRow>> {
        let row = sqlx::query(&format!("{ANSWER} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(answer_from_row).transpose()
    }

    /// Every submitted answer of a campaign, oldest first.
    pub async fn campaign_answers(&self, campaign_id: i64) -> StorageResult<Vec<AnswerRow>> {
        let rows = sqlx::query(&format!(
            "{ANSWER} WHERE state = 'submitted' AND invitation_id IN \
             (SELECT id FROM campaign_invitations WHERE campaign_id = $1) \
             ORDER BY submitted_at, id"
        ))
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(answer_from_row).collect()
    }

    /// Saves an answer: the survey answer of an invitation is saved over
    /// (one row per invitation); a staff finding is a row of its own.
    /// Returns the answer's id.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_answer(
        tx: &mut WriteTx,
        invitation_id: i64,
        source: &str,
        follow_up_id: Option<i64>,
        answers: &Answers,
        submitted: bool,
        language: Language,
        entered_by: Option<&str>,
        at: &str,
    ) -> StorageResult<i64> {
        let json = serde_json::to_string(answers).map_err(|e| broken("answers", e))?;
        let state = if submitted { "submitted" } else { "draft" };
        let submitted_at = submitted.then_some(at);
        if source == "survey" {
            if let Some(existing) = Store::survey_answer_on(tx, invitation_id).await? {
                sqlx::query(
                    "UPDATE campaign_answers SET answers = $1, state = $2, language = $3, \
                     saved_at = $4, submitted_at = $5 WHERE id = $6 AND state = 'draft'",
                )
                .bind(&json)
                .bind(state)
                .bind(language.code())
                .bind(at)
                .bind(submitted_at)
                .bind(existing.id)
                .execute(&mut **tx)
                .await?;
                return Ok(existing.id);
            }
        }
        Ok(sqlx::query_scalar(
            "INSERT INTO campaign_answers (invitation_id, source, follow_up_id, state, answers, \
             language, entered_by, saved_at, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(invitation_id)
        .bind(source)
        .bind(follow_up_id)
        .bind(state)
        .bind(&json)
        .bind(language.code())
        .bind(entered_by)
        .bind(at)
        .bind(submitted_at)
        .fetch_one(&mut **tx)
        .await?)
    }

    /// Stores the proposals of an answer, in order.
    pub async fn insert_proposals(
        tx: &mut WriteTx,
        answer_id: i64,
        proposals: &[Proposed],
    ) -> StorageResult<()> {
        for (position, p) in proposals.iter().enumerate() {
            let text = |v: &serde_json::Value| serde_json::to_string(v).unwrap_or_default();
            sqlx::query(
                "INSERT INTO campaign_proposals (answer_id, position, kind, facility_id, \
                 location_name, field, before_value, after_value, state) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'proposed')",
            )
            .bind(answer_id)
            .bind(position as i64)
            .bind(p.kind.code())
            .bind(p.facility_id)
            .bind(&p.location_name)
            .bind(p.field.as_deref())
            .bind(p.before.as_ref().map(text))
            .bind(text(&p.after))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Every proposal of a campaign, by answer and position.
    pub async fn campaign_proposals(&self, campaign_id: i64) -> StorageResult<Vec<ProposalRow>> {
        let rows = sqlx::query(&with_end(&format!(
            "{PROPOSAL} WHERE i.campaign_id = $1 ORDER BY a.submitted_at, a.id, p.position"
        )))
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// One proposal of a campaign, inside a write transaction.
    pub async fn proposal_on(
        conn: &mut AnyConnection,
        campaign_id: i64,
        id: i64,
    ) -> StorageResult<Option<ProposalRow>> {
        let row = sqlx::query(&with_end(&format!(
            "{PROPOSAL} WHERE i.campaign_id = $1 AND p.id = $2"
        )))
        .bind(campaign_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(proposal_from_row).transpose()
    }

    /// Records a decision on a proposal that is still open; false when
    /// someone decided it first. An accepted new location notes the
    /// facility it became.
    pub async fn decide_proposal(
        tx: &mut WriteTx,
        id: i64,
        state: ProposalState,
        facility_id: Option<i64>,
        by: &str,
        at: &str,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE campaign_proposals SET state = $1, decided_by = $2, decided_at = $3, \
             facility_id = COALESCE(facility_id, $4) WHERE id = $5 AND state = 'proposed'",
        )
        .bind(state.code())
        .bind(by)
        .bind(at)
        .bind(facility_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
