//! Inventory rounds: the rounds, researchers' overrides, and the frozen
//! Table 1 (counts and the facilities counted) of a closed round. Status
//! changes are guarded by the status they leave (`… WHERE status = 'open'`),
//! so two people closing the same round at once cannot both succeed.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{date_text, now_text, Store};
use crate::domain::provenance::Actor;
use crate::domain::round::{CountOverride, NewRound, OverrideDraft, Round, RoundStatus};
use crate::domain::service::{ServiceSet, ServiceType};
use crate::domain::table1::{Fact, Qualifier, Table1, Table1Row};
use crate::storage::error::{StorageError, StorageResult};

const SELECT: &str = "SELECT id, name, reference_date, scope, status, created_at, created_by, \
    closed_at, published_at FROM rounds ";

fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Database(anyhow::anyhow!("stored {what} '{value}' is not valid"))
}

fn round_from_row(row: &AnyRow) -> StorageResult<Round> {
    let date: String = row.try_get("reference_date")?;
    let status: String = row.try_get("status")?;
    Ok(Round {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        reference_date: chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|_| corrupt("reference date", &date))?,
        scope: ServiceSet::from_bits(row.try_get("scope")?),
        status: RoundStatus::parse(&status).ok_or_else(|| corrupt("round status", &status))?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        closed_at: row.try_get("closed_at")?,
        published_at: row.try_get("published_at")?,
    })
}

fn service(code: &str) -> StorageResult<ServiceType> {
    ServiceType::parse(code).ok_or_else(|| corrupt("service type", code))
}

fn qualifier(code: &str) -> StorageResult<Qualifier> {
    Qualifier::parse(code).ok_or_else(|| corrupt("qualifier", code))
}

/// Rows per multi-row `INSERT` of counted facilities.
const CHUNK: usize = 400;

impl Store {
    /// Creates an open round; a name in use is a conflict.
    pub async fn create_round(
        conn: &mut AnyConnection,
        round: &NewRound,
        actor: &Actor,
    ) -> StorageResult<i64> {
        let row = sqlx::query(
            "INSERT INTO rounds (name, reference_date, scope, status, created_at, created_by) \
             VALUES ($1, $2, $3, 'open', $4, $5) RETURNING id",
        )
        .bind(round.name.as_str())
        .bind(date_text(round.reference_date))
        .bind(round.scope.bits())
        .bind(now_text())
        .bind(actor.name.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match StorageError::from(e) {
            StorageError::Conflict { constraint, .. } => StorageError::Conflict {
                constraint,
                reason: crate::domain::Reason::of(
                    "error.conflict.round_name_taken",
                    &[("name", round.name.to_string())],
                ),
            },
            other => other,
        })?;
        Ok(row.try_get("id")?)
    }

    /// The round with this name.
    pub async fn round_by_name(&self, name: &str) -> StorageResult<Option<Round>> {
        let row = sqlx::query(&format!("{SELECT} WHERE name = $1"))
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(round_from_row).transpose()
    }

    /// The round with this name, read inside a transaction.
    pub async fn round_in(conn: &mut AnyConnection, name: &str) -> StorageResult<Option<Round>> {
        let row = sqlx::query(&format!("{SELECT} WHERE name = $1"))
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(round_from_row).transpose()
    }

    /// Every round, the latest reference date first; only published ones
    /// when `published_only`.
    pub async fn list_rounds(&self, published_only: bool) -> StorageResult<Vec<Round>> {
        let filter = if published_only {
            "WHERE status = 'published' "
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "{SELECT}{filter}ORDER BY reference_date DESC, name"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// A round's overrides, in service order.
    pub async fn round_overrides(&self, round_id: i64) -> StorageResult<Vec<CountOverride>> {
        let mut conn = self.pool().acquire().await?;
        Store::round_overrides_in(&mut conn, round_id).await
    }

    /// [`Store::round_overrides`] inside a transaction.
    pub async fn round_overrides_in(
        conn: &mut AnyConnection,
        round_id: i64,
    ) -> StorageResult<Vec<CountOverride>> {
        let rows = sqlx::query(
            "SELECT service, qualifier, value, note, source, updated_at, updated_by \
             FROM round_overrides WHERE round_id = $1",
        )
        .bind(round_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut overrides = rows
            .iter()
            .map(|row| {
                Ok(CountOverride {
                    service: service(&row.try_get::<String, _>("service")?)?,
                    qualifier: qualifier(&row.try_get::<String, _>("qualifier")?)?,
                    value: row.try_get("value")?,
                    note: row.try_get("note")?,
                    source: row.try_get("source")?,
                    updated_at: row.try_get("updated_at")?,
                    updated_by: row.try_get("updated_by")?,
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        overrides.sort_by_key(|o| o.service);
        Ok(overrides)
    }

    /// Stores (or, for a neutral one, removes) an override of an open round.
    pub async fn set_round_override(
        conn: &mut AnyConnection,
        round_id: i64,
        draft: &OverrideDraft,
        actor: &Actor,
    ) -> StorageResult<()> {
        if draft.is_neutral() {
            sqlx::query("DELETE FROM round_overrides WHERE round_id = $1 AND service = $2")
                .bind(round_id)
                .bind(draft.service.code())
                .execute(&mut *conn)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO round_overrides \
             (round_id, service, qualifier, value, note, source, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (round_id, service) DO UPDATE SET qualifier = excluded.qualifier, \
             value = excluded.value, note = excluded.note, source = excluded.source, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(round_id)
        .bind(draft.service.code())
        .bind(draft.qualifier.code())
        .bind(draft.value)
        .bind(draft.note.as_deref())
        .bind(draft.source.as_deref())
        .bind(now_text())
        .bind(actor.name.as_str())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Moves a round from one status to another, setting the time of the
    /// move; false when the round was not in `from` (someone was first).
    pub async fn move_round(
        conn: &mut AnyConnection,
        round_id: i64,
        from: RoundStatus,
        to: RoundStatus,
    ) -> StorageResult<bool> {
        let set = match to {
            RoundStatus::Open => "closed_at = NULL",
            RoundStatus::Closed => "closed_at = $4",
            RoundStatus::Published => "published_at = $4",
        };
        let sql = format!(
            "UPDATE rounds SET status = $1, {set} WHERE id = $2 AND status = $3 RETURNING id"
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql)
            .bind(to.code())
            .bind(round_id)
            .bind(from.code());
        if to != RoundStatus::Open {
            query = query.bind(now_text());
        }
        Ok(query.fetch_optional(&mut *conn).await?.is_some())
    }

    /// Stores a closed round's Table 1 and the facilities (with the
    /// versions) each count is made of.
    pub async fn freeze_round(
        conn: &mut AnyConnection,
        round_id: i64,
        table: &Table1,
        versions: &[(ServiceType, Vec<(i64, i64)>)],
    ) -> StorageResult<()> {
        for row in &table.rows {
            let facts = serde_json::to_string(&row.facts).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO round_counts (round_id, service, locations, municipalities, cities, \
                 capacity, qualifier, register_locations, note, source, facts_json) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(round_id)
            .bind(row.service.code())
            .bind(row.locations)
            .bind(row.municipalities)
            .bind(row.cities)
            .bind(row.capacity)
            .bind(row.qualifier.code())
            .bind(row.register_locations)
            .bind(row.note.as_deref())
            .bind(row.external_source.as_deref())
            .bind(facts)
            .execute(&mut *conn)
            .await?;
        }
        for (service, pairs) in versions {
            for chunk in pairs.chunks(CHUNK) {
                let mut sql = String::from(
                    "INSERT INTO round_facilities (round_id, service, facility_id, version_id) VALUES ",
                );
                for (i, _) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("($1, $2, ${}, ${})", 3 + 2 * i, 4 + 2 * i));
                }
                let mut query = sqlx::query(&sql).bind(round_id).bind(service.code());
                for (facility, version) in chunk {
                    query = query.bind(*facility).bind(*version);
                }
                query.execute(&mut *conn).await?;
            }
        }
        Ok(())
    }

    /// Forgets a reopened round's frozen counts (the audit log keeps them).
    pub async fn thaw_round(conn: &mut AnyConnection, round_id: i64) -> StorageResult<()> {
        for table in ["round_facilities", "round_counts"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE round_id = $1"))
                .bind(round_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The frozen Table 1 of a closed or published round.
    pub async fn frozen_table(&self, round: &Round) -> StorageResult<Table1> {
        let rows = sqlx::query(
            "SELECT service, locations, municipalities, cities, capacity, qualifier, \
             register_locations, note, source, facts_json FROM round_counts WHERE round_id = $1",
        )
        .bind(round.id)
        .fetch_all(self.pool())
        .await?;
        let ids = sqlx::query(
            "SELECT service, facility_id FROM round_facilities WHERE round_id = $1 \
             ORDER BY service, facility_id",
        )
        .bind(round.id)
        .fetch_all(self.pool())
        .await?;
        let mut counted: std::collections::HashMap<String, Vec<i64>> = Default::default();
        for r in &ids {
            counted
                .entry(r.try_get("service")?)
                .or_default()
                .push(r.try_get("facility_id")?);
        }
        let mut table_rows = Vec::new();
        for row in &rows {
            let code: String = row.try_get("service")?;
            let facts_json: String = row.try_get("facts_json")?;
            let facts: Vec<Fact> = serde_json::from_str(&facts_json)
                .map_err(|_| corrupt("round facts", &facts_json))?;
            let facility_ids = counted.remove(&code).unwrap_or_default();
            let mut table_row = Table1Row {
                service: service(&code)?,
                locations: row.try_get("locations")?,
                municipalities: row.try_get("municipalities")?,
                cities: row.try_get("cities")?,
                capacity: row.try_get("capacity")?,
                qualifier: qualifier(&row.try_get::<String, _>("qualifier")?)?,
                notes: Vec::new(),
                source: String::new(),
                facility_ids,
                facts,
                note: row.try_get("note")?,
                external_source: row.try_get("source")?,
                register_locations: row.try_get("register_locations")?,
            };
            table_row.refresh(round.reference_date);
            table_rows.push(table_row);
        }
        table_rows.sort_by_key(|r| r.service);
        Ok(Table1 {
            as_of: round.reference_date,
            round: Some(round.name.clone()),
            status: Some(round.status),
            rows: table_rows,
        })
    }

    /// The facility versions a closed round counted, per service, as
    /// (facility id, version id): what each count is made of.
    pub async fn round_versions(
        &self,
        round_id: i64,
    ) -> StorageResult<Vec<(ServiceType, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT service, facility_id, version_id FROM round_facilities WHERE round_id = $1 \
             ORDER BY service, facility_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    service(&r.try_get::<String, _>("service")?)?,
                    r.try_get("facility_id")?,
                    r.try_get("version_id")?,
                ))
            })
            .collect()
    }
}
