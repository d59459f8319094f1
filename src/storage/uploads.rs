//! Checked uploads waiting for their second step (migration 0020; see
//! `domain::upload`). Kept in the database so that every server sees them.

use sqlx::Row;

use super::write::Writes;
use super::Store;
use crate::domain::upload::{Upload, UploadKind, UploadOwner, KEEP_AT_MOST, KEEP_FOR};
use crate::storage::error::{StorageError, StorageResult};

/// The stored time before which a waiting upload has expired.
fn expired_before() -> String {
    let keep = chrono::Duration::from_std(KEEP_FOR).unwrap_or(chrono::Duration::minutes(30));
    (chrono::Utc::now() - keep).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// Keeps a checked upload under the digest of its secret id, replacing
    /// the owner's waiting upload of the same kind; drops expired uploads,
    /// and the oldest ones while all together exceed [`KEEP_AT_MOST`].
    pub async fn keep_upload(
        &self,
        id_digest: &str,
        owner: &UploadOwner,
        kind: UploadKind,
        upload: &Upload,
    ) -> StorageResult<()> {
        let mapping = serde_json::to_string(&upload.mapping)
            .map_err(|e| StorageError::Database(anyhow::anyhow!("upload mapping: {e}")))?;
        let mut tx = self.begin_write(Writes::Audit).await?;
        sqlx::query(
            "DELETE FROM waiting_uploads WHERE kept_at < $1 OR (owner_key = $2 AND kind = $3)",
        )
        .bind(expired_before())
        .bind(owner.key())
        .bind(kind.code())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO waiting_uploads (id_digest, owner_key, kind, file_name, bytes, mapping, \
             approve, kept_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id_digest)
        .bind(owner.key())
        .bind(kind.code())
        .bind(&upload.file_name)
        .bind(upload.bytes.as_slice())
        .bind(mapping)
        .bind(i64::from(upload.approve))
        .bind(super::now_millis_text())
        .execute(&mut *tx)
        .await?;
        // Newest first; everything past the limit goes (the newest stays
        // whatever its size: the upload limit keeps it small enough).
        let sizes = sqlx::query(
            "SELECT id_digest, length(bytes) AS size FROM waiting_uploads \
             ORDER BY kept_at DESC, id_digest",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut total = 0usize;
        for (i, row) in sizes.iter().enumerate() {
            let size: i64 = row.try_get("size")?;
            total = total.saturating_add(usize::try_from(size).unwrap_or(usize::MAX));
            if i > 0 && total > KEEP_AT_MOST {
                let id: String = row.try_get("id_digest")?;
                sqlx::query("DELETE FROM waiting_uploads WHERE id_digest = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await
    }

    /// The owner's waiting upload of this kind under this digest, if it has
    /// not expired; `take` removes it (it can be taken once).
    pub async fn waiting_upload(
        &self,
        id_digest: &str,
        owner: &UploadOwner,
        kind: UploadKind,
        take: bool,
    ) -> StorageResult<Option<Upload>> {
        let row = if take {
            // Deleted and read in one statement: of two requests taking the
            // same upload at once, only one gets it.
            let mut tx = self.begin_write(Writes::Audit).await?;
            let row = sqlx::query(
                "DELETE FROM waiting_uploads WHERE id_digest = $1 AND owner_key = $2 \
                 AND kind = $3 AND kept_at >= $4 RETURNING file_name, bytes, mapping, approve",
            )
            .bind(id_digest)
            .bind(owner.key())
            .bind(kind.code())
            .bind(expired_before())
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            row
        } else {
            sqlx::query(
                "SELECT file_name, bytes, mapping, approve FROM waiting_uploads \
                 WHERE id_digest = $1 AND owner_key = $2 AND kind = $3 AND kept_at >= $4",
            )
            .bind(id_digest)
            .bind(owner.key())
            .bind(kind.code())
            .bind(expired_before())
            .fetch_optional(self.pool())
            .await?
        };
        let Some(row) = row else { return Ok(None) };
        let mapping: String = row.try_get("mapping")?;
        let approve: i64 = row.try_get("approve")?;
        Ok(Some(Upload {
            file_name: row.try_get("file_name")?,
            bytes: row.try_get("bytes")?,
            mapping: serde_json::from_str(&mapping).map_err(|e| {
                StorageError::Database(anyhow::anyhow!("stored upload mapping: {e}"))
            })?,
            approve: approve != 0,
        }))
    }
}
