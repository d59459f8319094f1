//! The service's health, as monitoring asks for it: whether the database
//! answers, and which stored rows cannot be read (they are left out of
//! lists, so the service works, but someone should repair them).

use crate::domain::broken::BrokenRow;
use crate::storage::Store;

/// What the health check found.
#[derive(Debug)]
pub struct Health {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    pub database_answers: bool,
    /// The rows that cannot be read; `None` when they could not be counted.
    pub broken: Option<Vec<BrokenRow>>,
}

pub async fn check(store: &Store) -> Health {
    let engine = store.engine().name();
    if let Err(err) = store.ping().await {
        tracing::error!(error = %err, "health check: database does not answer");
        return Health {
            engine,
            database_answers: false,
            broken: None,
        };
    }
    let broken = match store.broken_rows().await {
        Ok(broken) => Some(broken),
        Err(err) => {
            tracing::error!(error = %err, "health check: cannot count unreadable rows");
            None
        }
    };
    Health {
        engine,
        database_answers: true,
        broken,
    }
}
