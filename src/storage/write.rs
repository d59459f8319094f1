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
//! - PostgreSQL: every write transaction takes the rows all writers share
//!   first and in one order (the register generation, then the audit
//!   log's head), so no two writers can each hold one and wait for the
//!   other (a deadlock). Both rows are held to the commit anyway (the
//!   generation orders versions by commit for the counting index; the head
//!   chains audit entries), so taking them first costs no concurrency.
//!
//! [`retrying`] runs a whole write again when the database still reports a
//! deadlock or a serialization failure: the transaction was rolled back, so
//! nothing is half-written and running it again is safe.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use sqlx::{Any, AnyConnection, Row, Transaction};

use super::{Engine, Store};
use crate::error::{AppError, AppResult};

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
    /// This transaction's register generation, once taken.
    pub(super) generation: Option<i64>,
    pub(super) audit_head: Option<AuditHead>,
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

    /// The register generation of this transaction: every version it
    /// writes carries it. Taken when the transaction began for
    /// [`Writes::Register`].
    pub(super) async fn generation(&mut self) -> AppResult<i64> {
        match self.generation {
            Some(g) => Ok(g),
            None => Err(AppError::Internal(anyhow::anyhow!(
                "a register version was written in a transaction not begun for register writes"
            ))),
        }
    }

    /// The audit head, read (and on PostgreSQL locked) when the
    /// transaction began.
    pub(super) fn audit_head(&mut self) -> AppResult<&mut AuditHead> {
        self.audit_head
            .as_mut()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the audit head was not read")))
    }

    /// Undoes everything the transaction wrote.
    pub async fn rollback(self) -> AppResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    pub async fn commit(self) -> AppResult<()> {
        self.tx.commit().await?;
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
    pub async fn begin_write(&self, writes: Writes) -> AppResult<WriteTx> {
        let mut tx = match &self.writer {
            // The one connection of the writer pool: writers queue for it.
            Some(writer) => writer.begin_with("BEGIN IMMEDIATE").await?,
            None => self.pool.begin().await?,
        };
        let sql = match (self.engine, writes) {
            (Engine::Sqlite, Writes::Register) => REGISTER_SQLITE,
            (Engine::Postgres, Writes::Register) => REGISTER_POSTGRES,
            (Engine::Sqlite, Writes::Audit) => AUDIT_SQLITE,
            (Engine::Postgres, Writes::Audit) => AUDIT_POSTGRES,
        };
        let row = sqlx::query(sql).fetch_one(&mut *tx).await?;
        Ok(WriteTx {
            tx,
            engine: self.engine,
            generation: row.try_get("generation")?,
            audit_head: Some(AuditHead {
                seq: row.try_get("seq")?,
                hash: row.try_get("hash")?,
            }),
        })
    }
}

/// How often a write is tried when the database reports contention.
const ATTEMPTS: u32 = 8;

/// Runs `attempt` until it succeeds, fails for another reason, or has met
/// contention [`ATTEMPTS`] times; waits a little longer (with jitter) each time.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(AppError::Contention(reason)) if tries < ATTEMPTS => {
                let jitter = rand::random_range(0..=2u64 << tries);
                tracing::debug!(tries, %reason, "write met contention; trying again");
                tokio::time::sleep(Duration::from_millis(jitter)).await;
            }
            other => return other,
        }
    }
}
