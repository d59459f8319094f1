//! The storage engines themselves.

use sqlx::Row;

use crate::common::*;
use vangnet::storage::Engine;

#[tokio::test]
async fn the_schema_is_created_once_and_a_second_start_keeps_the_data() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let (id, _) = store.create_token("eerste", "admin").await.unwrap();
    store.close().await;
    // Starting again runs the migrations again: nothing is lost or duplicated.
    let again = db.store().await;
    let tokens = again.list_tokens(None).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].id, id);
    let migrations: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations")
        .fetch_one(again.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    // Counted from the engine's folder rather than written down, so that
    // branches adding migrations at the same time (0010, 0011) agree after
    // a merge; a file not registered in storage/mod.rs still fails here.
    let folder = format!("{}/migrations/{}", env!("CARGO_MANIFEST_DIR"), engine());
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert!(files >= 10, "{folder} holds {files} files");
    assert_eq!(migrations, files as i64, "one row per migration file");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync_and_a_busy_timeout() {
    let db = TestDb::new().await;
    let store = db.store().await;
    if store.engine() != Engine::Sqlite {
        assert_eq!(store.engine(), Engine::Postgres);
        return;
    }
    let pragma = |name: &'static str| {
        let store = store.clone();
        async move {
            let row = sqlx::query(&format!("PRAGMA {name}"))
                .fetch_one(store.pool())
                .await
                .unwrap();
            match row.try_get::<String, _>(0) {
                Ok(text) => text,
                Err(_) => row.try_get::<i64, _>(0).unwrap().to_string(),
            }
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("synchronous").await, "2", "FULL");
    assert_eq!(pragma("busy_timeout").await, "5000");
    assert_eq!(pragma("foreign_keys").await, "1");
}

#[tokio::test]
async fn two_current_versions_of_one_facility_cannot_exist() {
    // The partial unique index guards history against concurrent writers.
    let app = TestApp::new().await;
    assert!(app.import("a.csv", DUTCH_CSV).await.is_ok());
    let duplicate = sqlx::query(
        "INSERT INTO facility_versions (facility_id, version, valid_from, valid_to, recorded_at, \
         recorded_by, source_kind, organisation_id, name, name_key, services, municipality_code, \
         public_access, mobile) \
         SELECT facility_id, version + 1, valid_from, valid_to, recorded_at, recorded_by, \
         source_kind, organisation_id, name, name_key, services, municipality_code, public_access, \
         mobile FROM facility_versions WHERE facility_id = 1",
    )
    .execute(app.store.pool())
    .await;
    let err = duplicate.expect_err("a second current version is refused");
    assert!(
        err.as_database_error()
            .is_some_and(|e| e.is_unique_violation()),
        "{err}"
    );
}

/// A column: its name, and whether NULL is allowed.
type Column = (String, bool);
/// An index made by CREATE INDEX: its name, whether unique, its columns.
type Index = (String, bool, Vec<String>);

/// What a database's schema holds, engine-neutral: per table its columns
/// and its indexes.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: std::collections::BTreeMap<String, (Vec<Column>, Vec<Index>)>,
}

async fn sqlite_schema(store: &vangnet::storage::Store) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    for table in tables {
        let mut columns: Vec<(String, bool)> = sqlx::query(&format!("PRAGMA table_info({table})"))
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let pk: i64 = r.try_get("pk").unwrap();
                let notnull: i64 = r.try_get("notnull").unwrap();
                (r.try_get("name").unwrap(), notnull == 0 && pk == 0)
            })
            .collect();
        columns.sort();
        let mut indexes = Vec::new();
        for row in sqlx::query(&format!("PRAGMA index_list({table})"))
            .fetch_all(store.pool())
            .await
            .unwrap()
        {
            let name: String = row.try_get("name").unwrap();
            let origin: String = row.try_get("origin").unwrap();
            if origin != "c" {
                continue; // implicit (primary key, UNIQUE in the table): both engines make one
            }
            let unique: i64 = row.try_get("unique").unwrap();
            let mut cols: Vec<String> = sqlx::query(&format!("PRAGMA index_info({name})"))
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get("name").unwrap())
                .collect();
            cols.sort();
            indexes.push((name, unique != 0, cols));
        }
        indexes.sort();
        schema.tables.insert(table, (columns, indexes));
    }
    schema
}

async fn postgres_schema(store: &vangnet::storage::Store) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    for table in tables {
        let mut columns: Vec<(String, bool)> = sqlx::query(
            "SELECT c.column_name::text AS name, c.is_nullable::text AS nullable, \
             (SELECT COUNT(*) FROM information_schema.key_column_usage k \
              JOIN information_schema.table_constraints t ON t.constraint_name = k.constraint_name \
              WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name \
              AND k.column_name = c.column_name) AS pk \
             FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name = $1",
        )
        .bind(&table)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let nullable: String = r.try_get("nullable").unwrap();
            let pk: i64 = r.try_get("pk").unwrap();
            (r.try_get("name").unwrap(), nullable == "YES" && pk == 0)
        })
        .collect();
        columns.sort();
        // Indexes made by CREATE INDEX, not by constraints (primary key, UNIQUE).
        let mut indexes: Vec<(String, bool, Vec<String>)> = sqlx::query(
            "SELECT i.relname::text AS name, ix.indisunique AS uniq, \
             array_to_string(ARRAY(SELECT a.attname::text FROM pg_attribute a \
               WHERE a.attrelid = t.oid AND a.attnum = ANY(ix.indkey) ORDER BY a.attname), ',') AS cols \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
             WHERE t.relname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
        )
        .bind(&table)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let cols: String = r.try_get("cols").unwrap();
            (
                r.try_get("name").unwrap(),
                r.try_get("uniq").unwrap(),
                cols.split(',').map(str::to_string).collect(),
            )
        })
        .collect();
        indexes.sort();
        schema.tables.insert(table, (columns, indexes));
    }
    schema
}

/// Both engines' migrations make the same tables, columns (and whether
/// they may be NULL) and indexes. Runs in the PostgreSQL half of the suite,
/// against a fresh SQLite database beside it.
#[tokio::test]
async fn both_engines_migrations_make_the_same_tables_columns_and_indexes() {
    if engine() != "postgres" {
        return;
    }
    let postgres = TestDb::new().await;
    let postgres = postgres.store().await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = vangnet::storage::Store::connect(&dir.path().join("s.db").display().to_string())
        .await
        .unwrap();
    let (a, b) = (
        sqlite_schema(&sqlite).await,
        postgres_schema(&postgres).await,
    );
    assert!(a.tables.len() > 10, "{a:?}");
    let names = |s: &Schema| s.tables.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same tables");
    for (table, sqlite_side) in &a.tables {
        assert_eq!(
            Some(sqlite_side),
            b.tables.get(table),
            "table {table}: SQLite left, PostgreSQL right"
        );
    }
}
