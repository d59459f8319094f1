//! The audit log: append-only, every entry carrying the hash of the one
//! before it, so that any edit or deletion is detected by [`Store::verify_audit`].
//! Entries are written in the same transaction as the change they record.
//! Database triggers refuse UPDATE and DELETE on the table as well.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa::ToSchema;

use super::write::{retrying, WriteTx, Writes};
use super::{now_millis_text, SqlBuilder, Store};
use crate::domain::audit::{AuditView, READ_EVENTS};
use crate::domain::provenance::Actor;
use crate::storage::error::{StorageError, StorageResult};

/// Something to record: an event on an object, by an actor.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// `create`, `update`, `read`, `export`, `login`, `login_failed`, `logout`, …
    pub event: &'a str,
    pub actor: &'a Actor,
    /// `facility`, `organisation`, `user`, `token`, `session`, `audit_log`, …
    pub object_type: &'a str,
    pub object_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub detail: Option<String>,
}

impl<'a> AuditEvent<'a> {
    pub fn new(event: &'a str, actor: &'a Actor, object_type: &'a str) -> AuditEvent<'a> {
        AuditEvent {
            event,
            actor,
            object_type,
            object_id: None,
            before: None,
            after: None,
            detail: None,
        }
    }

    pub fn object(mut self, id: impl ToString) -> Self {
        self.object_id = Some(id.to_string());
        self
    }

    pub fn before(mut self, value: Option<Value>) -> Self {
        self.before = value;
        self
    }

    pub fn after(mut self, value: Option<Value>) -> Self {
        self.after = value;
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub event: String,
    pub actor: String,
    pub actor_user_id: Option<i64>,
    pub on_behalf_of: Option<String>,
    pub access_point: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash of this entry: SHA-256 over the previous hash and every field.
    fn compute_hash(&self) -> String {
        let fields = serde_json::json!([
            self.prev_hash,
            self.seq,
            self.at,
            self.event,
            self.actor,
            self.actor_user_id,
            self.on_behalf_of,
            self.access_point,
            self.object_type,
            self.object_id,
            self.before,
            self.after,
            self.detail,
        ]);
        hex::encode(Sha256::digest(fields.to_string().as_bytes()))
    }
}

/// What searching the log filters on.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub event: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// ISO date or timestamp; inclusive.
    pub from: Option<String>,
    /// ISO date or timestamp; exclusive.
    pub until: Option<String>,
    /// Only entries by this user (their id, whatever name they signed with).
    pub user_id: Option<i64>,
    /// Changes, reads or both.
    pub view: AuditView,
    /// Paging: only entries older than this one (`seq` below it) …
    pub before_seq: Option<i64>,
    /// … or only entries newer than this one: then the `limit` entries
    /// right after it (still returned newest first).
    pub after_seq: Option<i64>,
    pub limit: i64,
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerification {
    Intact { entries: i64 },
    Broken { seq: i64, reason: String },
}

fn json_text(value: &Option<Value>) -> Option<String> {
    value.as_ref().map(Value::to_string)
}

fn entry_from_row(row: &AnyRow) -> StorageResult<AuditEntry> {
    let json = |column: &str| -> StorageResult<Option<Value>> {
        match row.try_get::<Option<String>, _>(column)? {
            Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                StorageError::Database(anyhow::anyhow!("audit {column} is not JSON: {e}"))
            }),
            None => Ok(None),
        }
    };
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        event: row.try_get("event")?,
        actor: row.try_get("actor")?,
        actor_user_id: row.try_get("actor_user_id")?,
        on_behalf_of: row.try_get("on_behalf_of")?,
        access_point: row.try_get("access_point")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        before: json("before_json")?,
        after: json("after_json")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const SELECT: &str = "SELECT seq, at, event, actor, actor_user_id, on_behalf_of, access_point, \
    object_type, object_id, before_json, after_json, detail, prev_hash, hash FROM audit_log ";

impl Store {
    /// Appends an entry inside the caller's write transaction, which
    /// holds the log's head (see [`super::write`]).
    pub async fn append_audit(tx: &mut WriteTx, event: &AuditEvent<'_>) -> StorageResult<i64> {
        let head = tx.audit_head().await?;
        let mut entry = AuditEntry {
            seq: head.seq + 1,
            at: now_millis_text(),
            event: event.event.to_string(),
            actor: event.actor.name.clone(),
            actor_user_id: event.actor.user_id,
            on_behalf_of: event.actor.on_behalf_of.clone(),
            access_point: event.actor.access_point.clone(),
            object_type: event.object_type.to_string(),
            object_id: event.object_id.clone(),
            before: event.before.clone(),
            after: event.after.clone(),
            detail: event.detail.clone(),
            prev_hash: head.hash.clone(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        sqlx::query(
            "INSERT INTO audit_log (seq, at, event, actor, actor_user_id, on_behalf_of, access_point, \
             object_type, object_id, before_json, after_json, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(entry.seq)
        .bind(entry.at.as_str())
        .bind(entry.event.as_str())
        .bind(entry.actor.as_str())
        .bind(entry.actor_user_id)
        .bind(entry.on_behalf_of.as_deref())
        .bind(entry.access_point.as_str())
        .bind(entry.object_type.as_str())
        .bind(entry.object_id.as_deref())
        .bind(json_text(&entry.before))
        .bind(json_text(&entry.after))
        .bind(entry.detail.as_deref())
        .bind(entry.prev_hash.as_str())
        .bind(entry.hash.as_str())
        .execute(&mut **tx)
        .await?;
        // The stored head moved with the insert (a trigger); follow it.
        let head = tx.audit_head().await?;
        head.seq = entry.seq;
        head.hash = entry.hash;
        Ok(entry.seq)
    }

    /// Appends an entry in a transaction of its own (for reads and logins).
    pub async fn audit(&self, event: &AuditEvent<'_>) -> StorageResult<i64> {
        retrying(|| async {
            let mut tx = self.begin_write(Writes::Audit).await?;
            let seq = Store::append_audit(&mut tx, event).await?;
            tx.commit().await?;
            Ok(seq)
        })
        .await
    }

    /// Entries matching a filter, newest first.
    pub async fn search_audit(&self, filter: &AuditFilter) -> StorageResult<Vec<AuditEntry>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("WHERE 1 = 1");
        if let Some(actor) = &filter.actor {
            sql.push(" AND LOWER(actor) LIKE ")
                .text(format!("%{}%", actor.to_lowercase()));
        }
        if let Some(event) = &filter.event {
            sql.push(" AND event = ").text(event.as_str());
        }
        if let Some(object_type) = &filter.object_type {
            sql.push(" AND object_type = ").text(object_type.as_str());
        }
        if let Some(object_id) = &filter.object_id {
            sql.push(" AND object_id = ").text(object_id.as_str());
        }
        if let Some(from) = &filter.from {
            sql.push(" AND at >= ").text(from.as_str());
        }
        if let Some(until) = &filter.until {
            sql.push(" AND at < ").text(until.as_str());
        }
        if let Some(user_id) = filter.user_id {
            sql.push(" AND actor_user_id = ").int(user_id);
        }
        let reads = match filter.view {
            AuditView::All => None,
            AuditView::Changes => Some(" AND event NOT IN ("),
            AuditView::Reads => Some(" AND event IN ("),
        };
        if let Some(reads) = reads {
            sql.push(reads);
            for (i, event) in READ_EVENTS.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.text(*event);
            }
            sql.push(")");
        }
        if let Some(before) = filter.before_seq {
            sql.push(" AND seq < ").int(before);
        }
        // Newer than an entry: the ones right after it, oldest first, turned
        // round below, so that a page is always newest first.
        let ascending = match filter.after_seq {
            Some(after) => {
                sql.push(" AND seq > ").int(after);
                true
            }
            None => false,
        };
        sql.push(if ascending {
            " ORDER BY seq ASC LIMIT "
        } else {
            " ORDER BY seq DESC LIMIT "
        })
        .int(filter.limit.clamp(1, 100_000));
        let rows = sql.query().fetch_all(self.pool()).await?;
        let mut entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<StorageResult<Vec<_>>>()?;
        if ascending {
            entries.reverse();
        }
        Ok(entries)
    }

    /// Walks the whole chain: every entry must follow its predecessor and
    /// hash to what it says, and the last must match the head.
    pub async fn verify_audit(&self) -> StorageResult<AuditVerification> {
        let mut previous = "genesis".to_string();
        let mut expected_seq = 1;
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT 5000"))
                .bind(after)
                .fetch_all(self.pool())
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let entry = entry_from_row(row)?;
                let broken = |reason: String| {
                    Ok(AuditVerification::Broken {
                        seq: entry.seq,
                        reason,
                    })
                };
                if entry.seq != expected_seq {
                    return broken(format!("entry {expected_seq} is missing"));
                }
                if entry.prev_hash != previous {
                    return broken("it does not follow the entry before it".into());
                }
                if entry.compute_hash() != entry.hash {
                    return broken("its content does not match its hash: it was altered".into());
                }
                previous = entry.hash.clone();
                expected_seq += 1;
                after = entry.seq;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        if head_seq != expected_seq - 1 || head_hash != previous {
            return Ok(AuditVerification::Broken {
                seq: head_seq,
                reason: format!(
                    "the log ends at entry {} but {head_seq} were written: entries were deleted",
                    expected_seq - 1
                ),
            });
        }
        Ok(AuditVerification::Intact {
            entries: expected_seq - 1,
        })
    }
}
