//! The figures behind `/api/v1/stats/metrics`: the values of one metric in
//! period reports (by status), and the tallies no report covers yet, each
//! with the facility's current organisation and municipality. Filtering by
//! place and scope and adding up over time are the use case's
//! (monitoring::stats), so the SQL stays one portable text for both engines.

use sqlx::Row;

use super::{Store, END};
use crate::storage::error::StorageResult;

/// One facility's value of a metric for one period, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricFact {
    pub facility_id: i64,
    pub organisation_id: i64,
    pub municipality_code: String,
    /// The report's period text (`2025-03`, `2025-Q1`, `2025`), or the
    /// month of tallies.
    pub period: String,
    pub value: i64,
}

const FACILITY_NOW: &str = "JOIN facility_versions v ON v.facility_id = x.facility_id \
     AND v.superseded_at IS NULL AND v.valid_to = $2";

impl Store {
    /// Values of `metric` in reports with one of `statuses`, for periods
    /// whose text lies from `from` (inclusive) to `until` (exclusive), as
    /// text compares (`2025` ≤ `2025-Q1` < `2026`).
    pub async fn metric_report_values(
        &self,
        metric: &str,
        statuses: &[&str],
        from: &str,
        until: &str,
    ) -> StorageResult<Vec<MetricFact>> {
        let placeholders: Vec<String> =
            (0..statuses.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "SELECT x.facility_id, v.organisation_id, v.municipality_code, x.period, rv.value \
             FROM period_reports x JOIN report_values rv ON rv.report_id = x.id {FACILITY_NOW} \
             WHERE rv.metric = $1 AND x.period >= $3 AND x.period < $4 AND x.status IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(metric)
            .bind(END)
            .bind(from)
            .bind(until);
        for status in statuses {
            query = query.bind(*status);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(MetricFact {
                    facility_id: r.try_get("facility_id")?,
                    organisation_id: r.try_get("organisation_id")?,
                    municipality_code: r.try_get("municipality_code")?,
                    period: r.try_get("period")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    /// Tallies of `metric` from day `from` to day `until` (exclusive) that
    /// no report covers, summed per facility per month: a tally is in a
    /// report when its facility has a report (any status) for its month.
    pub async fn unreported_tallies(
        &self,
        metric: &str,
        from: &str,
        until: &str,
    ) -> StorageResult<Vec<MetricFact>> {
        let sql = format!(
            "SELECT x.facility_id, v.organisation_id, v.municipality_code, \
             SUBSTR(x.day, 1, 7) AS month, CAST(SUM(x.total) AS BIGINT) AS total \
             FROM tally_days x {FACILITY_NOW} \
             WHERE x.metric = $1 AND x.day >= $3 AND x.day < $4 \
             AND NOT EXISTS (SELECT 1 FROM period_reports r \
                 WHERE r.facility_id = x.facility_id AND r.period = SUBSTR(x.day, 1, 7)) \
             GROUP BY x.facility_id, v.organisation_id, v.municipality_code, SUBSTR(x.day, 1, 7)"
        );
        let rows = sqlx::query(&sql)
            .bind(metric)
            .bind(END)
            .bind(from)
            .bind(until)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MetricFact {
                    facility_id: r.try_get("facility_id")?,
                    organisation_id: r.try_get("organisation_id")?,
                    municipality_code: r.try_get("municipality_code")?,
                    period: r.try_get("month")?,
                    value: r.try_get("total")?,
                })
            })
            .collect()
    }
}
