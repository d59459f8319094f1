//! Monitoring's catalogue and tallies: the metrics (the shipped ones added
//! at start when missing; retired, never deleted) and the anonymous counts
//! at the desk, stored once per device-made id.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{now_text, Store};
use crate::domain::metric::{default_metrics, Aggregation, Counts, Metric, MetricCode, PeriodKind};
use crate::domain::service::ServiceSet;
use crate::domain::tally::Tally;
use crate::storage::error::{StorageError, StorageResult};

const SELECT_METRIC: &str = "SELECT code, name_nl, name_en, unit, period, aggregation, counts, \
    services, retired_at FROM metrics ";

/// Tallies one statement inserts at most (five values each; PostgreSQL
/// takes at most 65,535 parameters in a statement).
pub const TALLY_CHUNK: usize = 1000;

fn metric_from_row(row: &AnyRow) -> StorageResult<Metric> {
    let corrupt = |what: &str, v: &str| {
        StorageError::Database(anyhow::anyhow!("stored metric {what} '{v}' is not valid"))
    };
    let text = |column: &str| -> StorageResult<String> { Ok(row.try_get(column)?) };
    let code = text("code")?;
    let (period, aggregation, counts) = (text("period")?, text("aggregation")?, text("counts")?);
    Ok(Metric {
        code: MetricCode::parse(&code).map_err(|_| corrupt("code", &code))?,
        name_nl: text("name_nl")?,
        name_en: text("name_en")?,
        unit: text("unit")?,
        period: PeriodKind::parse(&period).ok_or_else(|| corrupt("period", &period))?,
        aggregation: Aggregation::parse(&aggregation)
            .ok_or_else(|| corrupt("aggregation", &aggregation))?,
        counts: Counts::parse(&counts).ok_or_else(|| corrupt("counts", &counts))?,
        services: ServiceSet::from_bits(row.try_get("services")?),
        retired_at: row.try_get("retired_at")?,
    })
}

impl Store {
    /// Adds the shipped metrics that are missing (a retired one stays retired).
    pub async fn ensure_default_metrics(&self) -> StorageResult<()> {
        let mut conn = self.pool().acquire().await?;
        for metric in default_metrics() {
            Store::insert_metric(&mut conn, &metric, true).await?;
        }
        Ok(())
    }

    /// Every metric, retired ones included, by code.
    pub async fn metrics(&self) -> StorageResult<Vec<Metric>> {
        let rows = sqlx::query(&format!("{SELECT_METRIC} ORDER BY code"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(metric_from_row).collect()
    }

    /// Adds a metric; with `if_missing`, an existing code is left as it is,
    /// otherwise it is a conflict on `metrics_pkey`.
    pub async fn insert_metric(
        conn: &mut AnyConnection,
        metric: &Metric,
        if_missing: bool,
    ) -> StorageResult<bool> {
        let sql = format!(
            "INSERT INTO metrics (code, name_nl, name_en, unit, period, aggregation, counts, \
             services, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9){}",
            if if_missing {
                " ON CONFLICT (code) DO NOTHING"
            } else {
                ""
            }
        );
        let done = sqlx::query(&sql)
            .bind(metric.code.as_str())
            .bind(metric.name_nl.as_str())
            .bind(metric.name_en.as_str())
            .bind(metric.unit.as_str())
            .bind(metric.period.code())
            .bind(metric.aggregation.code())
            .bind(metric.counts.code())
            .bind(metric.services.bits())
            .bind(now_text())
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Retires a metric: it takes no new values; its data stays. False
    /// when there is no such metric or it was retired already.
    pub async fn retire_metric(conn: &mut AnyConnection, code: &MetricCode) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE metrics SET retired_at = $1 WHERE code = $2 AND retired_at IS NULL",
        )
        .bind(now_text())
        .bind(code.as_str())
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores tallies, each once: an id stored before is skipped (the
    /// device sent it again). Returns how many were new.
    pub async fn insert_tallies(
        conn: &mut AnyConnection,
        tallies: &[Tally],
        recorded_by: &str,
    ) -> StorageResult<u64> {
        let now = now_text();
        let mut inserted = 0;
        for chunk in tallies.chunks(TALLY_CHUNK) {
            let mut sql = String::from(
                "INSERT INTO tallies (id, facility_id, at, day, metric, amount, recorded_by, \
                 recorded_at) VALUES ",
            );
            for i in 0..chunk.len() {
                let p = 6 * i;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, $1, $2)",
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8
                ));
            }
            sql.push_str(" ON CONFLICT (id) DO NOTHING");
            let mut query = sqlx::query(&sql).bind(recorded_by).bind(now.as_str());
            for t in chunk {
                query = query
                    .bind(t.id.as_str())
                    .bind(t.facility_id)
                    .bind(t.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                    .bind(t.day().to_string())
                    .bind(t.metric.as_str())
                    .bind(t.amount);
            }
            inserted += query.execute(&mut *conn).await?.rows_affected();
        }
        Ok(inserted)
    }

    /// A facility's tallies per metric over the Dutch days `from` (inclusive)
    /// to `until` (exclusive): what a period's report is prefilled with.
    pub async fn tally_sums(
        &self,
        facility_id: i64,
        from: NaiveDate,
        until: NaiveDate,
    ) -> StorageResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT metric, CAST(SUM(amount) AS BIGINT) AS total FROM tallies \
             WHERE facility_id = $1 AND day >= $2 AND day < $3 GROUP BY metric ORDER BY metric",
        )
        .bind(facility_id)
        .bind(from.to_string())
        .bind(until.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("metric")?, r.try_get("total")?)))
            .collect()
    }
}
