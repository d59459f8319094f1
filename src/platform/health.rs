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

/// How old a background job's last heartbeat may be for the service to be
/// ready.
pub const HEARTBEAT_WITHIN: chrono::Duration = chrono::Duration::minutes(1);

/// One check of readiness: its name and, when it failed, why.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub failure: Option<String>,
}

/// Whether this server should get traffic: the database answers, its
/// schema is the one this binary expects, and the background jobs (the
/// campaign mail worker, the change watcher) beat within
/// [`HEARTBEAT_WITHIN`].
pub async fn ready(store: &Store, jobs: &crate::platform::jobs::Jobs) -> Vec<Check> {
    let database = store.ping().await.err().map(|e| e.to_string());
    let migrations = if database.is_some() {
        Some("the database does not answer".to_owned())
    } else {
        match store.schema_versions().await {
            Ok((Some(stored), known)) if stored == known => None,
            Ok((stored, known)) => Some(format!(
                "the database is at schema version {}, this binary expects {known}",
                stored.map_or("none".to_owned(), |s| s.to_string())
            )),
            Err(e) => Some(format!("cannot read the schema version: {e}")),
        }
    };
    let now = chrono::Utc::now();
    let beating = |last: Option<chrono::DateTime<chrono::Utc>>| match last {
        None => Some("not running".to_owned()),
        Some(at) if now - at > HEARTBEAT_WITHIN => {
            Some(format!("last heartbeat at {}", at.to_rfc3339()))
        }
        Some(_) => None,
    };
    let checks = vec![
        Check {
            name: "database",
            failure: database,
        },
        Check {
            name: "migrations",
            failure: migrations,
        },
        Check {
            name: "mail_worker",
            failure: beating(jobs.last_mail_beat()),
        },
        Check {
            name: "change_watcher",
            failure: beating(store.watcher_beat()),
        },
    ];
    for check in &checks {
        if let Some(failure) = &check.failure {
            tracing::warn!(check = check.name, failure, "not ready");
        }
    }
    checks
}
