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
    assert_eq!(migrations, 5, "one row per migration file");
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
