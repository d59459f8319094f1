//! Tallies at the desk, beyond storing them (`monitoring.rs`): one tally
//! read back by its id, taking one back (the undo of a tap), and a day's
//! running totals per metric.

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::Store;
use crate::storage::error::StorageResult;

/// A stored tally as the undo needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTally {
    pub id: String,
    pub facility_id: i64,
    pub metric: String,
    pub amount: i64,
    pub recorded_by: String,
    /// RFC 3339, to the second.
    pub recorded_at: String,
}

impl Store {
    /// One tally by its id, within a write (so the undo reads what it deletes).
    pub async fn tally(conn: &mut AnyConnection, id: &str) -> StorageResult<Option<StoredTally>> {
        let row = sqlx::query(
            "SELECT id, facility_id, metric, amount, recorded_by, recorded_at FROM tallies \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?;
        row.map(|r| {
            Ok(StoredTally {
                id: r.try_get("id")?,
                facility_id: r.try_get("facility_id")?,
                metric: r.try_get("metric")?,
                amount: r.try_get("amount")?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .transpose()
    }

    /// Takes a tally back, and its amount off its day's sum (a day that
    /// comes to nothing is gone, as if never counted); false when the
    /// tally was not there.
    pub async fn delete_tally(conn: &mut WriteTx, id: &str) -> StorageResult<bool> {
        let gone = sqlx::query(
            "DELETE FROM tallies WHERE id = $1 RETURNING facility_id, metric, day, amount",
        )
        .bind(id)
        .fetch_optional(&mut **conn)
        .await?;
        let Some(gone) = gone else {
            return Ok(false);
        };
        let facility_id: i64 = gone.try_get("facility_id")?;
        let metric: String = gone.try_get("metric")?;
        let day: String = gone.try_get("day")?;
        sqlx::query(
            "UPDATE tally_days SET total = total - $4 \
             WHERE facility_id = $1 AND metric = $2 AND day = $3",
        )
        .bind(facility_id)
        .bind(metric.as_str())
        .bind(day.as_str())
        .bind(gone.try_get::<i64, _>("amount")?)
        .execute(&mut **conn)
        .await?;
        // That day's row only, by its key (not a scan of every day).
        sqlx::query(
            "DELETE FROM tally_days \
             WHERE facility_id = $1 AND metric = $2 AND day = $3 AND total <= 0",
        )
        .bind(facility_id)
        .bind(metric.as_str())
        .bind(day.as_str())
        .execute(&mut **conn)
        .await?;
        if let Some(month) = day.get(..7) {
            conn.touch_cell(facility_id, &metric, month);
        }
        Ok(true)
    }

    /// A facility's totals per metric on one Dutch day.
    pub async fn day_totals(
        &self,
        facility_id: i64,
        day: NaiveDate,
    ) -> StorageResult<Vec<(String, i64)>> {
        let next = day.succ_opt().unwrap_or(day);
        self.tally_sums(facility_id, day, next).await
    }
}
