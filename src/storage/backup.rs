//! The SQL of backups: an online copy of an SQLite database.

use crate::storage::error::StorageResult;
use crate::storage::{Engine, Store};

impl Store {
    /// SQLite only: writes the whole database, as one consistent snapshot,
    /// to a new file at `path` (`VACUUM INTO`). It runs as a read
    /// transaction, so writers continue under WAL while it copies.
    pub async fn vacuum_into(&self, path: &str) -> StorageResult<()> {
        debug_assert_eq!(self.engine, Engine::Sqlite);
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// SQLite only: `PRAGMA integrity_check` says "ok".
    pub async fn integrity_ok(&self) -> StorageResult<bool> {
        let (answer,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(answer == "ok")
    }
}
