//! Write transactions: how vangnet keeps many concurrent writers correct
//! and fast on both engines.
//!
//! Every write that changes the register or appends to the audit log goes
//! through [`Store::begin_write`]:
//!
//! - SQLite allows one writer at a time. A transaction that starts reading
//!   (`BEGIN` is deferred) and later writes cannot upgrade while another
//!   connection writes, and fails with "database is locked" at once, busy
//!   timeout or not. So a write transaction begins `IMMEDIATE` (it holds the
//!   write lock from its first statement, and waits for it with the busy
//!   timeout), and inside one process writers queue for the one connection
//!   of a writer pool, so that they wait in a queue rather than in SQLite's
//!   sleeping busy handler, and never for a connection readers hold.
//! - PostgreSQL: locks are taken in one order, so no two writers can each
//!   hold one and wait for the other (a deadlock): first the rows of the
//!   writer's own objects (a facility's current version; an import locks
//!   all of its facilities up front, by id), then the rows all writers
//!   share, in one statement (the register generation, then the audit
//!   log's head). The shared rows are taken as late as possible, at the
//!   first version or audit entry written, because they are held to the
//!   commit (the generation orders versions by commit for the counting
//!   index; the head chains audit entries) and so serialise every writer.
//!
//! [`retrying`] runs a whole write again when the database still reports a
//! deadlock or a serialization failure: the transaction was rolled back, so
//! nothing is half-written and running it again is safe.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use sqlx::{Any, AnyConnection, Row, Transaction};

use super::{Engine, Store};
use crate::storage::error::{StorageError, StorageResult};

/// Which shared rows a write transaction will touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Register versions (facilities, organisations): the generation and the audit head.
    Register,
    /// Only the audit log (and rows no other writer shares first).
    Audit,
}

/// The audit log's head as this transaction sees it (a trigger moves the
/// stored head with every entry; migration 0005).
#[derive(Debug, Clone)]
pub(super) struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// An open write transaction; dereferences to its connection.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    engine: Engine,
    writes: Writes,
    /// Whether the shared rows were taken (see [`WriteTx::take_shared`]).
    shared: bool,
    /// This transaction's register generation, once taken.
    pub(super) generation: Option<i64>,
    pub(super) audit_head: Option<AuditHead>,
    /// The rollups this transaction must bring up to date (`rollups.rs`).
    pub(super) pending: super::rollups::Pending,
    /// Facilities' municipalities as the rollups add them up, once read.
    pub(super) rollup_places: std::collections::HashMap<i64, String>,
    /// Told at the commit, so this process sees its own write at once.
    watch: std::sync::Arc<super::changes::Watch>,
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl WriteTx {
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Takes the rows every writer shares, once, as late as the
    /// transaction needs them (its first version or audit entry), so they
    /// are held only for the last statements and the commit: for register
    /// writes the next generation and the audit head, in one statement; for
    /// others the audit head. On PostgreSQL this locks them; every writer
    /// takes them here, always in this order, after the rows of its own
    /// objects (see the module comment).
    async fn take_shared(&mut self) -> StorageResult<()> {
        if self.shared {
            return Ok(());
        }
        let sql = match (self.engine, self.writes) {
            (Engine::Sqlite, Writes::Register) => REGISTER_SQLITE,
            (Engine::Postgres, Writes::Register) => REGISTER_POSTGRES,
            (Engine::Sqlite, Writes::Audit) => AUDIT_SQLITE,
            (Engine::Postgres, Writes::Audit) => AUDIT_POSTGRES,
        };
        let row = sqlx::query(sql).fetch_one(&mut *self.tx).await?;
        self.generation = row.try_get("generation")?;
        self.audit_head = Some(AuditHead {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
        });
        self.shared = true;
        Ok(())
    }

    /// The register generation of this transaction: every version it
    /// writes carries it.
    pub(super) async fn generation(&mut self) -> StorageResult<i64> {
        self.take_shared().await?;
        self.generation.ok_or_else(|| {
            StorageError::Database(anyhow::anyhow!(
                "a register version was written in a transaction not begun for register writes"
            ))
        })
    }

    /// The audit head, as this transaction has moved it.
    pub(super) async fn audit_head(&mut self) -> StorageResult<&mut AuditHead> {
        self.take_shared().await?;
        self.audit_head
            .as_mut()
            .ok_or_else(|| StorageError::Database(anyhow::anyhow!("the audit head was not read")))
    }

    /// Undoes everything the transaction wrote.
    pub async fn rollback(self) -> StorageResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Brings the rollups of what it wrote up to date, then commits.
    pub async fn commit(mut self) -> StorageResult<()> {
        if !self.pending.is_empty() {
            self.bring_rollups_up_to_date().await?;
        }
        self.tx.commit().await?;
        self.watch.forget();
        Ok(())
    }
}

/// Takes the next register generation and reads the audit head, in one
/// statement; on PostgreSQL it locks both rows (always in this order:
/// every writer that takes the generation takes it here).
const REGISTER_SQLITE: &str = "UPDATE register_generation SET generation = generation + 1 \
    WHERE id = 1 RETURNING generation, (SELECT seq FROM audit_head WHERE id = 1) AS seq, \
    (SELECT hash FROM audit_head WHERE id = 1) AS hash";
const REGISTER_POSTGRES: &str = "WITH g AS (UPDATE register_generation \
    SET generation = generation + 1 WHERE id = 1 RETURNING generation) \
    SELECT (SELECT generation FROM g) AS generation, seq, hash FROM audit_head \
    WHERE id = 1 FOR UPDATE OF audit_head";
const AUDIT_SQLITE: &str = "SELECT NULL AS generation, seq, hash FROM audit_head WHERE id = 1";
const AUDIT_POSTGRES: &str =
    "SELECT CAST(NULL AS BIGINT) AS generation, seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";

impl Store {
    /// Begins a write transaction (see the module comment).
    pub async fn begin_write(&self, writes: Writes) -> StorageResult<WriteTx> {
        let tx = match &self.writer {
            // The one connection of the writer pool: writers queue for it.
            Some(writer) => writer.begin_with("BEGIN IMMEDIATE").await?,
            None => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            engine: self.engine,
            writes,
            shared: false,
            generation: None,
            audit_head: None,
            pending: Default::default(),
            rollup_places: Default::default(),
            watch: self.watch.clone(),
        })
    }

    /// Locks the current versions of facilities a write will change, in
    /// the order of their ids, before anything else (PostgreSQL; SQLite
    /// has one writer): a write that changes several facilities (an
    /// import) then never holds the shared rows while it waits for a
    /// facility another writer holds.
    pub async fn lock_facilities(tx: &mut WriteTx, ids: &[i64]) -> StorageResult<()> {
        if tx.engine != Engine::Postgres || ids.is_empty() {
            return Ok(());
        }
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(1_000) {
            // The ids as literals: they are numbers.
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            sqlx::query(&format!(
                "SELECT id FROM facility_versions WHERE facility_id IN ({}) \
                 AND valid_to = '9999-12-31' AND superseded_at IS NULL ORDER BY facility_id FOR UPDATE",
                list.join(",")
            ))
            .fetch_all(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// How often a write is tried when the database reports contention.
const ATTEMPTS: u32 = 8;

/// An error that says whether the database met contention (the
/// transaction was rolled back, so the whole write may run again).
pub trait Contended {
    fn contention(&self) -> Option<&str>;
}

impl Contended for StorageError {
    fn contention(&self) -> Option<&str> {
        match self {
            StorageError::Contention(why) => Some(why),
            _ => None,
        }
    }
}

impl Contended for crate::domain::error::AppError {
    fn contention(&self) -> Option<&str> {
        match self {
            crate::domain::error::AppError::Contention(why) => Some(why),
            _ => None,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for another reason, or has met
/// contention [`ATTEMPTS`] times; waits a little longer (with jitter) each time.
pub async fn retrying<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: Contended,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if tries < ATTEMPTS && e.contention().is_some() => {
                let jitter = rand::random_range(0..=2u64 << tries);
                tracing::debug!(
                    tries,
                    reason = e.contention(),
                    "write met contention; trying again"
                );
                tokio::time::sleep(Duration::from_millis(jitter)).await;
            }
            other => return other,
        }
    }
}
