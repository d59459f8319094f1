//! What goes wrong in storage, in storage's terms: a record that is not
//! there, a unique constraint that refused a write (named), contention
//! (deadlock, serialization failure, busy: rolled back, may be tried
//! again), a stored row that cannot be read, or anything else the database
//! said. Use cases receive these as their own errors (`From` below).

use crate::domain::broken::BrokenRow;
use crate::domain::error::{AppError, Conflict};
use crate::domain::Reason;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0}")]
    NotFound(String),
    /// A unique constraint refused the write.
    #[error("{reason}")]
    Conflict {
        /// The constraint or index, when the database names it.
        constraint: Option<String>,
        reason: Reason,
    },
    #[error("the register is busy ({0})")]
    Contention(String),
    #[error("{0}")]
    Broken(BrokenRow),
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

pub type StorageResult<T> = Result<T, StorageError>;

impl StorageError {
    /// A refusal with the catalogue's text `key` and `args` for people.
    pub fn conflict(key: &'static str, args: &[(&'static str, String)]) -> StorageError {
        StorageError::Conflict {
            constraint: None,
            reason: Reason::of(key, args),
        }
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> StorageError {
        match &err {
            sqlx::Error::Database(db) if is_contention(db.as_ref()) => {
                StorageError::Contention(db.message().to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict {
                constraint: db.constraint().map(str::to_string),
                reason: Reason::of("error.conflict.concurrent", &[]),
            },
            _ => StorageError::Database(anyhow::Error::new(err).context("database error")),
        }
    }
}

/// Deadlock (40P01), serialization failure (40001) and lock not available
/// (55P03) on PostgreSQL; busy (5, 517 with a stale snapshot) and locked (6)
/// on SQLite.
fn is_contention(db: &dyn sqlx::error::DatabaseError) -> bool {
    matches!(
        db.code().as_deref(),
        Some("40001" | "40P01" | "55P03" | "5" | "6" | "517" | "261" | "262")
    )
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> AppError {
        match err {
            StorageError::NotFound(what) => AppError::NotFound(what),
            StorageError::Conflict { reason, .. } => AppError::Conflict(Conflict {
                field: None,
                reason,
            }),
            StorageError::Contention(why) => AppError::Contention(why),
            StorageError::Broken(row) => AppError::Broken(row),
            StorageError::Database(e) => AppError::Internal(e),
        }
    }
}
