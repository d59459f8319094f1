//! Period reports as stored: one row per facility per period (its status
//! and who moved it when), one value per metric, and every change of a
//! value (who, when, before, after). One SQL text for both engines.

use std::collections::BTreeMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::{now_text, SqlBuilder, Store};
use crate::domain::metric::Period;
use crate::domain::period_report::ReportStatus;
use crate::storage::error::{StorageError, StorageResult};

/// A report's row, with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub id: i64,
    pub facility_id: i64,
    pub period: Period,
    pub status: ReportStatus,
    pub source: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub reopened_reason: Option<String>,
    /// metric → (value, note).
    pub values: BTreeMap<String, (i64, Option<String>)>,
}

/// One change of one value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueChange {
    pub metric: String,
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub changed_by: String,
    pub changed_at: String,
}

/// Which reports a listing holds.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub facility_id: Option<i64>,
    pub period: Option<Period>,
    pub status: Option<ReportStatus>,
}

const SELECT: &str = "SELECT id, facility_id, period, status, source, created_at, created_by, \
    updated_at, submitted_at, submitted_by, approved_at, approved_by, reopened_reason \
    FROM period_reports ";

fn report_from_row(row: &AnyRow) -> StorageResult<StoredReport> {
    let corrupt = |what: &str, v: &str| {
        StorageError::Database(anyhow::anyhow!("stored report {what} '{v}' is not valid"))
    };
    let period: String = row.try_get("period")?;
    let status: String = row.try_get("status")?;
    Ok(StoredReport {
        id: row.try_get("id")?,
        facility_id: row.try_get("facility_id")?,
        period: Period::parse(&period).map_err(|_| corrupt("period", &period))?,
        status: ReportStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        source: row.try_get("source")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
        submitted_at: row.try_get("submitted_at")?,
        submitted_by: row.try_get("submitted_by")?,
        approved_at: row.try_get("approved_at")?,
        approved_by: row.try_get("approved_by")?,
        reopened_reason: row.try_get("reopened_reason")?,
        values: BTreeMap::new(),
    })
}

async fn values_of(
    conn: &mut AnyConnection,
    report_id: i64,
) -> StorageResult<BTreeMap<String, (i64, Option<String>)>> {
    let rows = sqlx::query("SELECT metric, value, note FROM report_values WHERE report_id = $1")
        .bind(report_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("metric")?,
                (r.try_get("value")?, r.try_get("note")?),
            ))
        })
        .collect()
}

impl Store {
    /// A facility's report for a period, with its values.
    pub async fn period_report(
        &self,
        facility_id: i64,
        period: Period,
    ) -> StorageResult<Option<StoredReport>> {
        let mut conn = self.pool().acquire().await?;
        Store::period_report_in(&mut conn, facility_id, period).await
    }

    /// The same, inside a transaction.
    pub async fn period_report_in(
        conn: &mut AnyConnection,
        facility_id: i64,
        period: Period,
    ) -> StorageResult<Option<StoredReport>> {
        let row = sqlx::query(&format!("{SELECT} WHERE facility_id = $1 AND period = $2"))
            .bind(facility_id)
            .bind(period.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut report = report_from_row(&row)?;
        report.values = values_of(conn, report.id).await?;
        Ok(Some(report))
    }

    /// Reports matching a filter (without their values), by period then facility.
    pub async fn period_reports(&self, filter: &ReportFilter) -> StorageResult<Vec<StoredReport>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push(" WHERE 1 = 1");
        if let Some(id) = filter.facility_id {
            sql.push(" AND facility_id = ").int(id);
        }
        if let Some(period) = filter.period {
            sql.push(" AND period = ").text(period.to_string());
        }
        if let Some(status) = filter.status {
            sql.push(" AND status = ").text(status.code());
        }
        sql.push(" ORDER BY period DESC, facility_id LIMIT 5000");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(report_from_row).collect()
    }

    /// A facility's values per metric in its reports before `period`
    /// (newest period first, all kinds; the caller keeps the same kind).
    pub async fn report_history(
        &self,
        facility_id: i64,
    ) -> StorageResult<Vec<(Period, String, i64)>> {
        let rows = sqlx::query(
            "SELECT r.period, v.metric, v.value FROM report_values v \
             JOIN period_reports r ON r.id = v.report_id WHERE r.facility_id = $1 \
             ORDER BY r.period DESC",
        )
        .bind(facility_id)
        .fetch_all(self.pool())
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for r in &rows {
            let period: String = r.try_get("period")?;
            if let Ok(p) = Period::parse(&period) {
                found.push((p, r.try_get("metric")?, r.try_get("value")?));
            }
        }
        Ok(found)
    }

    /// Creates a draft report when there is none; returns the report's id.
    pub async fn ensure_period_report(
        conn: &mut AnyConnection,
        facility_id: i64,
        period: Period,
        source: &str,
        by: &str,
    ) -> StorageResult<i64> {
        let now = now_text();
        sqlx::query(
            "INSERT INTO period_reports (facility_id, period, status, source, created_at, \
             created_by, updated_at) VALUES ($1, $2, 'draft', $3, $4, $5, $4) \
             ON CONFLICT (facility_id, period) DO NOTHING",
        )
        .bind(facility_id)
        .bind(period.to_string())
        .bind(source)
        .bind(now.as_str())
        .bind(by)
        .execute(&mut *conn)
        .await?;
        let id: i64 =
            sqlx::query("SELECT id FROM period_reports WHERE facility_id = $1 AND period = $2")
                .bind(facility_id)
                .bind(period.to_string())
                .fetch_one(&mut *conn)
                .await?
                .try_get("id")?;
        Ok(id)
    }

    /// Sets (or with `None` clears) one value and keeps the change; returns
    /// whether the number changed (a new note alone is no value change).
    pub async fn set_report_value(
        conn: &mut WriteTx,
        report_id: i64,
        metric: &str,
        value: Option<i64>,
        note: Option<&str>,
        by: &str,
    ) -> StorageResult<Option<ValueChange>> {
        conn.touch_report(report_id);
        let before: Option<i64> =
            sqlx::query("SELECT value FROM report_values WHERE report_id = $1 AND metric = $2")
                .bind(report_id)
                .bind(metric)
                .fetch_optional(&mut **conn)
                .await?
                .map(|r| r.try_get("value"))
                .transpose()?;
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO report_values (report_id, metric, value, note) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (report_id, metric) \
                     DO UPDATE SET value = excluded.value, note = excluded.note",
                )
                .bind(report_id)
                .bind(metric)
                .bind(v)
                .bind(note)
                .execute(&mut **conn)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM report_values WHERE report_id = $1 AND metric = $2")
                    .bind(report_id)
                    .bind(metric)
                    .execute(&mut **conn)
                    .await?;
            }
        }
        if before == value {
            return Ok(None);
        }
        let now = now_text();
        sqlx::query(
            "INSERT INTO report_value_changes (report_id, metric, before_value, after_value, \
             changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(report_id)
        .bind(metric)
        .bind(before)
        .bind(value)
        .bind(by)
        .bind(now.as_str())
        .execute(&mut **conn)
        .await?;
        Ok(Some(ValueChange {
            metric: metric.to_string(),
            before,
            after: value,
            changed_by: by.to_string(),
            changed_at: now,
        }))
    }

    /// Moves a report to `status`, noting who and when (and a reopening's
    /// reason); a new source (a file) replaces the old.
    pub async fn set_report_status(
        conn: &mut WriteTx,
        report_id: i64,
        status: ReportStatus,
        by: &str,
        reason: Option<&str>,
        source: Option<&str>,
    ) -> StorageResult<()> {
        conn.touch_report(report_id);
        let now = now_text();
        let query = match status {
            ReportStatus::Submitted | ReportStatus::Approved => {
                let who = if status == ReportStatus::Submitted {
                    "submitted"
                } else {
                    "approved"
                };
                let sql = format!(
                    "UPDATE period_reports SET status = $1, updated_at = $2, {who}_at = $2, \
                     {who}_by = $3, source = COALESCE($4, source) WHERE id = $5"
                );
                sqlx::query(&sql)
                    .bind(status.code())
                    .bind(now.as_str())
                    .bind(by)
                    .bind(source)
                    .bind(report_id)
                    .execute(&mut **conn)
                    .await?;
                return Ok(());
            }
            ReportStatus::Reopened => sqlx::query(
                "UPDATE period_reports SET status = $1, updated_at = $2, approved_at = NULL, \
                 approved_by = NULL, reopened_reason = $3 WHERE id = $4",
            )
            .bind(status.code())
            .bind(now.as_str())
            .bind(reason),
            ReportStatus::Draft => sqlx::query(
                "UPDATE period_reports SET status = $1, updated_at = $2, \
                 source = COALESCE($3, source) WHERE id = $4",
            )
            .bind(status.code())
            .bind(now.as_str())
            .bind(source),
        };
        query.bind(report_id).execute(&mut **conn).await?;
        Ok(())
    }

    /// Every change of a report's values, oldest first.
    pub async fn report_changes(&self, report_id: i64) -> StorageResult<Vec<ValueChange>> {
        let rows = sqlx::query(
            "SELECT metric, before_value, after_value, changed_by, changed_at \
             FROM report_value_changes WHERE report_id = $1 ORDER BY id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ValueChange {
                    metric: r.try_get("metric")?,
                    before: r.try_get("before_value")?,
                    after: r.try_get("after_value")?,
                    changed_by: r.try_get("changed_by")?,
                    changed_at: r.try_get("changed_at")?,
                })
            })
            .collect()
    }
}

/// A report written whole (the demo, an import): its status, source and
/// values; every value is also kept as a change from nothing.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub facility_id: i64,
    pub period: Period,
    pub status: ReportStatus,
    pub source: String,
    /// metric, value, note.
    pub values: Vec<(String, i64, Option<String>)>,
}

/// Rows one statement writes at most (PostgreSQL takes 65,535 parameters).
const REPORT_CHUNK: usize = 500;

impl Store {
    /// Writes new reports in a few multi-row statements (a report that
    /// exists already is a conflict on the unique facility and period).
    pub async fn insert_reports(
        conn: &mut WriteTx,
        reports: &[NewReport],
        by: &str,
    ) -> StorageResult<usize> {
        let now = now_text();
        let mut ids: BTreeMap<(i64, String), i64> = BTreeMap::new();
        for chunk in reports.chunks(REPORT_CHUNK) {
            let mut sql = String::from(
                "INSERT INTO period_reports (facility_id, period, status, source, created_at, \
                 created_by, updated_at, submitted_at, submitted_by, approved_at, approved_by) \
                 VALUES ",
            );
            for i in 0..chunk.len() {
                let p = 2 + 8 * i;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, $1, $2, $1, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8
                ));
            }
            sql.push_str(" RETURNING id, facility_id, period");
            let mut query = sqlx::query(&sql).bind(now.as_str()).bind(by);
            for r in chunk {
                let submitted = r.status != ReportStatus::Draft;
                let approved = r.status == ReportStatus::Approved;
                query = query
                    .bind(r.facility_id)
                    .bind(r.period.to_string())
                    .bind(r.status.code())
                    .bind(r.source.as_str())
                    .bind(submitted.then(|| now.clone()))
                    .bind(submitted.then(|| by.to_string()))
                    .bind(approved.then(|| now.clone()))
                    .bind(approved.then(|| by.to_string()));
            }
            for row in query.fetch_all(&mut **conn).await? {
                conn.touch_report(row.try_get("id")?);
                ids.insert(
                    (row.try_get("facility_id")?, row.try_get("period")?),
                    row.try_get("id")?,
                );
            }
        }
        let mut values = Vec::new();
        for r in reports {
            let id = ids[&(r.facility_id, r.period.to_string())];
            for (metric, value, note) in &r.values {
                values.push((id, metric.as_str(), *value, note.as_deref()));
            }
        }
        for chunk in values.chunks(REPORT_CHUNK * 2) {
            let mut sql =
                String::from("INSERT INTO report_values (report_id, metric, value, note) VALUES ");
            let mut changes = String::from(
                "INSERT INTO report_value_changes (report_id, metric, before_value, after_value, \
                 changed_by, changed_at) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(", ");
                    changes.push_str(", ");
                }
                let p = 4 * i;
                sql.push_str(&format!("(${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4));
                let p = 2 + 3 * i;
                changes.push_str(&format!(
                    "(${}, ${}, NULL, ${}, $1, $2)",
                    p + 1,
                    p + 2,
                    p + 3
                ));
            }
            let mut query = sqlx::query(&sql);
            for (id, metric, value, note) in chunk {
                query = query.bind(*id).bind(*metric).bind(*value).bind(*note);
            }
            query.execute(&mut **conn).await?;
            let mut query = sqlx::query(&changes).bind(by).bind(now.as_str());
            for (id, metric, value, _) in chunk {
                query = query.bind(*id).bind(*metric).bind(*value);
            }
            query.execute(&mut **conn).await?;
        }
        Ok(reports.len())
    }
}
