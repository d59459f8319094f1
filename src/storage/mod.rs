//! Storage on SQLite (embedded, the default) or PostgreSQL, behind one
//! [`Store`].
//!
//! Why one SQL text for both engines: sqlx's `Any` driver runs the same
//! statement on both (`$1` placeholders, `RETURNING`, partial indexes), and
//! the register's queries use nothing else. Only the DDL differs, so each
//! engine has its own folder under `migrations/`, embedded and run at start.
//! Dates travel as ISO-8601 text and flags as 0/1 integers, which both
//! engines compare and index the same way.

pub mod answers;
pub mod audit;
pub mod backup;
pub mod boundaries;
pub mod broken;
pub mod campaign_dashboard;
pub mod campaigns;
pub mod changes;
pub mod contacts;
pub mod corrections;
mod counting;
pub mod desk;
pub mod error;
pub mod facilities;
pub mod fhir;
pub mod figures;
pub mod follow_ups;
mod history;
pub mod metric_stats;
pub mod monitoring;
pub mod organisations;
pub mod period_reports;
pub mod questionnaires;
pub mod read;
pub mod reports;
pub mod rollups;
pub mod rounds;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod write;

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor};

use crate::storage::error::{StorageError, StorageResult};

/// `valid_from` of a first version: true since the beginning.
pub const BEGINNING: &str = "0001-01-01";
/// `valid_to` of a current version.
pub const END: &str = "9999-12-31";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Append-only: a landed migration is never edited; changes come as new files.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "register",
        include_str!("../../migrations/sqlite/0001_register.sql"),
    ),
    (
        2,
        "accounts_audit",
        include_str!("../../migrations/sqlite/0002_accounts_audit.sql"),
    ),
    (
        3,
        "rounds",
        include_str!("../../migrations/sqlite/0003_rounds.sql"),
    ),
    (
        4,
        "counting",
        include_str!("../../migrations/sqlite/0004_counting.sql"),
    ),
    (
        5,
        "integrity",
        include_str!("../../migrations/sqlite/0005_integrity.sql"),
    ),
    (
        6,
        "facility_phone",
        include_str!("../../migrations/sqlite/0006_facility_phone.sql"),
    ),
    (
        7,
        "figure_source_nl",
        include_str!("../../migrations/sqlite/0007_figure_source_nl.sql"),
    ),
    (
        8,
        "monitoring",
        include_str!("../../migrations/sqlite/0008_monitoring.sql"),
    ),
    (
        9,
        "tally_days",
        include_str!("../../migrations/sqlite/0009_tally_days.sql"),
    ),
    (
        10,
        "rollups",
        include_str!("../../migrations/sqlite/0010_rollups.sql"),
    ),
    (
        11,
        "boundaries",
        include_str!("../../migrations/sqlite/0011_boundaries.sql"),
    ),
    (
        12,
        "operator_unknown",
        include_str!("../../migrations/sqlite/0012_operator_unknown.sql"),
    ),
    (
        13,
        "contacts",
        include_str!("../../migrations/sqlite/0013_contacts.sql"),
    ),
    (
        14,
        "questionnaires",
        include_str!("../../migrations/sqlite/0014_questionnaires.sql"),
    ),
    (
        15,
        "campaigns",
        include_str!("../../migrations/sqlite/0015_campaigns.sql"),
    ),
    (
        16,
        "campaign_follow_ups",
        include_str!("../../migrations/sqlite/0016_campaign_follow_ups.sql"),
    ),
    (
        17,
        "campaign_answers",
        include_str!("../../migrations/sqlite/0017_campaign_answers.sql"),
    ),
    (
        18,
        "campaign_proposals",
        include_str!("../../migrations/sqlite/0018_campaign_proposals.sql"),
    ),
    (
        19,
        "one_waiting_reminder",
        include_str!("../../migrations/sqlite/0019_one_waiting_reminder.sql"),
    ),
    (
        20,
        "waiting_uploads",
        include_str!("../../migrations/sqlite/0020_waiting_uploads.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "register",
        include_str!("../../migrations/postgres/0001_register.sql"),
    ),
    (
        2,
        "accounts_audit",
        include_str!("../../migrations/postgres/0002_accounts_audit.sql"),
    ),
    (
        3,
        "rounds",
        include_str!("../../migrations/postgres/0003_rounds.sql"),
    ),
    (
        4,
        "counting",
        include_str!("../../migrations/postgres/0004_counting.sql"),
    ),
    (
        5,
        "integrity",
        include_str!("../../migrations/postgres/0005_integrity.sql"),
    ),
    (
        6,
        "facility_phone",
        include_str!("../../migrations/postgres/0006_facility_phone.sql"),
    ),
    (
        7,
        "figure_source_nl",
        include_str!("../../migrations/postgres/0007_figure_source_nl.sql"),
    ),
    (
        8,
        "monitoring",
        include_str!("../../migrations/postgres/0008_monitoring.sql"),
    ),
    (
        9,
        "tally_days",
        include_str!("../../migrations/postgres/0009_tally_days.sql"),
    ),
    (
        10,
        "rollups",
        include_str!("../../migrations/postgres/0010_rollups.sql"),
    ),
    (
        11,
        "boundaries",
        include_str!("../../migrations/postgres/0011_boundaries.sql"),
    ),
    (
        12,
        "operator_unknown",
        include_str!("../../migrations/postgres/0012_operator_unknown.sql"),
    ),
    (
        13,
        "contacts",
        include_str!("../../migrations/postgres/0013_contacts.sql"),
    ),
    (
        14,
        "questionnaires",
        include_str!("../../migrations/postgres/0014_questionnaires.sql"),
    ),
    (
        15,
        "campaigns",
        include_str!("../../migrations/postgres/0015_campaigns.sql"),
    ),
    (
        16,
        "campaign_follow_ups",
        include_str!("../../migrations/postgres/0016_campaign_follow_ups.sql"),
    ),
    (
        17,
        "campaign_answers",
        include_str!("../../migrations/postgres/0017_campaign_answers.sql"),
    ),
    (
        18,
        "campaign_proposals",
        include_str!("../../migrations/postgres/0018_campaign_proposals.sql"),
    ),
    (
        19,
        "one_waiting_reminder",
        include_str!("../../migrations/postgres/0019_one_waiting_reminder.sql"),
    ),
    (
        20,
        "waiting_uploads",
        include_str!("../../migrations/postgres/0020_waiting_uploads.sql"),
    ),
];

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// Table 1's in-memory counting index, shared by the clones.
    counting: Arc<tokio::sync::Mutex<counting::CountingIndex>>,
    /// On SQLite, a pool of one connection for write transactions: one at
    /// a time, queued in order (see `write.rs`).
    writer: Option<AnyPool>,
    /// The last count of rows that cannot be read (for `/healthz`).
    broken: Arc<tokio::sync::Mutex<broken::BrokenCache>>,
    /// What was worked out from the approved figures (`rollups::Derived`).
    derived: Arc<tokio::sync::Mutex<rollups::Derived>>,
    /// What the data was last seen as (`changes.rs`).
    watch: Arc<changes::Watch>,
}

/// Turns what a user typed into a database URL: `postgres://…` and
/// `sqlite://…` as they are, and a bare path as an SQLite file.
pub fn normalize_url(database: &str) -> String {
    if database.starts_with("postgres://")
        || database.starts_with("postgresql://")
        || database.starts_with("sqlite:")
    {
        database.to_string()
    } else {
        format!("sqlite://{database}")
    }
}

/// A URL that is safe to print: the password, if any, is hidden.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Connects, creating an SQLite file if needed, and runs the migrations.
    pub async fn connect(database: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let url = normalize_url(database);
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let url = match engine {
            Engine::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url,
        };
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("invalid database URL {}", redact_url(&url)))?;
        let pool_options = |connections: u32| {
            AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if engine == Engine::Sqlite {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                        }
                        Ok(())
                    })
                })
        };
        let pool = pool_options(match engine {
            Engine::Sqlite => 4,
            Engine::Postgres => 16,
        })
        .connect_with(options.clone())
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&url)))?;
        let single = || async {
            pool_options(1)
                .connect_with(options.clone())
                .await
                .with_context(|| format!("cannot open database {}", redact_url(&url)))
        };
        let writer = match engine {
            Engine::Sqlite => Some(single().await?),
            Engine::Postgres => None,
        };
        // SQLite: migrations run on a connection of their own, closed after.
        // A migration that edits a table's stored definition (0012) is read
        // again by every other connection, but the connection that made the
        // edit would keep the old one for as long as it lives.
        let migrating = match engine {
            Engine::Sqlite => Some(single().await?),
            Engine::Postgres => None,
        };
        let store = Store {
            pool,
            engine,
            counting: Arc::default(),
            writer,
            broken: Arc::default(),
            derived: Arc::default(),
            watch: Arc::default(),
        };
        store.migrate(migrating.as_ref()).await?;
        if let Some(migrating) = migrating {
            migrating.close().await;
        }
        Ok(store)
    }

    async fn migrate(&self, on: Option<&AnyPool>) -> anyhow::Result<()> {
        let sources = match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS,
            Engine::Postgres => POSTGRES_MIGRATIONS,
        };
        let migrations: Vec<Migration> = sources
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator {
            migrations: Cow::Owned(migrations),
            ..Migrator::DEFAULT
        };
        migrator
            .run(on.unwrap_or(&self.pool))
            .await
            .context("cannot migrate the database")?;
        self.ensure_default_metrics()
            .await
            .context("cannot add the shipped metrics")?;
        self.ensure_default_questionnaire()
            .await
            .context("cannot add the shipped questionnaire")?;
        self.build_rollups_once()
            .await
            .context("cannot build the monitoring rollups")
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The newest migration applied to the database, and the newest this
    /// binary knows: equal when the schema is current.
    pub async fn schema_versions(&self) -> StorageResult<(Option<i64>, i64)> {
        let known = match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS,
            Engine::Postgres => POSTGRES_MIGRATIONS,
        }
        .iter()
        .map(|(version, _, _)| *version)
        .max()
        .unwrap_or(0);
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok((stored, known))
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// The current time as stored: RFC 3339 in UTC, to the second.
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The current time with milliseconds, for events that must sort finely.
pub fn now_millis_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Reads a stored date; the sentinels become `None`.
pub fn parse_stored_date(text: Option<String>, column: &str) -> StorageResult<Option<NaiveDate>> {
    match text.as_deref() {
        None | Some(BEGINNING) | Some(END) => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                StorageError::Database(anyhow::anyhow!("stored {column} '{t}' is not a date"))
            }),
    }
}

/// Builds a statement with `$n` placeholders numbered in the order values are bound.
#[derive(Default)]
pub struct SqlBuilder {
    pub sql: String,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl SqlBuilder {
    pub fn new(sql: &str) -> SqlBuilder {
        SqlBuilder {
            sql: sql.to_string(),
            binds: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for a text value.
    pub fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.binds.push(Bind::Text(value.into()));
        self.sql.push_str(&format!("${}", self.binds.len()));
        self
    }

    /// Appends a placeholder for an integer value.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.binds.push(Bind::Int(value));
        self.sql.push_str(&format!("${}", self.binds.len()));
        self
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(&self.sql);
        for bind in &self.binds {
            query = match bind {
                Bind::Text(text) => query.bind(text.as_str()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_path_is_an_sqlite_file() {
        assert_eq!(normalize_url("vangnet.db"), "sqlite://vangnet.db");
        assert_eq!(normalize_url("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn passwords_are_hidden_when_urls_are_printed() {
        assert_eq!(
            redact_url("postgres://vangnet:geheim@db.example:5432/vangnet"),
            "postgres://vangnet:***@db.example:5432/vangnet"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let mut b = SqlBuilder::new("SELECT 1 WHERE a = ");
        b.text("x").push(" AND b = ").int(2);
        assert_eq!(b.sql, "SELECT 1 WHERE a = $1 AND b = $2");
    }
}
