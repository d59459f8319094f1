//! Questionnaires as versions (migration 0014): a save appends version
//! n + 1 and never changes an earlier one, because a campaign keeps the
//! version it sent. Definitions are stored as JSON and read back through
//! `Questionnaire::from_json`, so a definition that no longer passes the
//! domain's rules is reported rather than shown or sent.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{now_text, Store};
use crate::domain::questionnaire::Questionnaire;
use crate::storage::error::{StorageError, StorageResult};

/// Who installs the shipped questionnaire.
pub const SHIPPED_BY: &str = "vangnet";

/// One stored version of a questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionnaireVersion {
    pub version: i64,
    pub definition: Questionnaire,
    pub changed_by: String,
    /// RFC 3339, UTC.
    pub changed_at: String,
}

/// A version without its definition, for the history.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionSummary {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
}

const SELECT: &str =
    "SELECT code, version, definition, changed_by, changed_at FROM questionnaire_versions";

fn version_from_row(row: &AnyRow) -> StorageResult<QuestionnaireVersion> {
    let code: String = row.try_get("code")?;
    let version: i64 = row.try_get("version")?;
    let text: String = row.try_get("definition")?;
    let definition = Questionnaire::from_json(&text).map_err(|errors| {
        StorageError::Database(anyhow::anyhow!(
            "questionnaire {code} version {version}: the stored definition cannot be read: {}",
            crate::domain::error::describe_fields(&errors)
        ))
    })?;
    Ok(QuestionnaireVersion {
        version,
        definition,
        changed_by: row.try_get("changed_by")?,
        changed_at: row.try_get("changed_at")?,
    })
}

impl Store {
    /// Installs the shipped inventory questionnaire as its version 1 when
    /// no version of it exists (at every start; a no-op once it is there).
    pub async fn ensure_default_questionnaire(&self) -> StorageResult<()> {
        let inventory = Questionnaire::inventory();
        sqlx::query(
            "INSERT INTO questionnaire_versions (code, version, definition, changed_by, changed_at) \
             VALUES ($1, 1, $2, $3, $4) ON CONFLICT (code, version) DO NOTHING",
        )
        .bind(inventory.code.as_str())
        .bind(inventory.to_json())
        .bind(SHIPPED_BY)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest version of every questionnaire, by code.
    pub async fn latest_questionnaires(&self) -> StorageResult<Vec<QuestionnaireVersion>> {
        let rows = sqlx::query(&format!(
            "{SELECT} v WHERE version = (SELECT MAX(version) FROM questionnaire_versions \
             WHERE code = v.code) ORDER BY code"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// One version of a questionnaire, or its newest without `version`.
    pub async fn questionnaire(
        &self,
        code: &str,
        version: Option<i64>,
    ) -> StorageResult<Option<QuestionnaireVersion>> {
        let row = match version {
            Some(version) => {
                sqlx::query(&format!("{SELECT} WHERE code = $1 AND version = $2"))
                    .bind(code)
                    .bind(version)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => {
                sqlx::query(&format!(
                    "{SELECT} WHERE code = $1 ORDER BY version DESC LIMIT 1"
                ))
                .bind(code)
                .fetch_optional(self.pool())
                .await?
            }
        };
        row.as_ref().map(version_from_row).transpose()
    }

    /// Every version of a questionnaire, newest first, without definitions.
    pub async fn questionnaire_history(&self, code: &str) -> StorageResult<Vec<VersionSummary>> {
        let rows = sqlx::query(
            "SELECT version, changed_by, changed_at FROM questionnaire_versions \
             WHERE code = $1 ORDER BY version DESC",
        )
        .bind(code)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(VersionSummary {
                    version: row.try_get("version")?,
                    changed_by: row.try_get("changed_by")?,
                    changed_at: row.try_get("changed_at")?,
                })
            })
            .collect()
    }

    /// The newest version number of a questionnaire, in a write transaction.
    pub async fn questionnaire_head_in(
        conn: &mut AnyConnection,
        code: &str,
    ) -> StorageResult<Option<i64>> {
        let row =
            sqlx::query("SELECT MAX(version) AS head FROM questionnaire_versions WHERE code = $1")
                .bind(code)
                .fetch_one(conn)
                .await?;
        Ok(row.try_get::<Option<i64>, _>("head")?)
    }

    /// Appends `version` of a questionnaire; a version someone else wrote
    /// first is a conflict on the primary key.
    pub async fn insert_questionnaire_version(
        conn: &mut AnyConnection,
        definition: &Questionnaire,
        version: i64,
        changed_by: &str,
    ) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO questionnaire_versions (code, version, definition, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(definition.code.as_str())
        .bind(version)
        .bind(definition.to_json())
        .bind(changed_by)
        .bind(now_text())
        .execute(conn)
        .await?;
        Ok(())
    }
}
