//! The figures behind `/api/v1/stats/metrics` and the dashboards, read
//! from the rollups (`rollups.rs`): each facility's figure of one metric
//! per period on a basis, with the facility's current organisation and
//! municipality. Filtering by place and scope and adding up over time are
//! the use case's (monitoring::stats), so the SQL stays one portable text
//! for both engines.

use sqlx::Row;

use super::rollups::Basis;
use super::{Store, END};
use crate::storage::error::StorageResult;

/// One facility's value of a metric for one period, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricFact {
    pub facility_id: i64,
    /// None while nobody knows who runs the facility.
    pub organisation_id: Option<i64>,
    pub municipality_code: String,
    /// The report's period text (`2025-03`, `2025-Q1`, `2025`), or the
    /// month of tallies.
    pub period: String,
    pub value: i64,
}

impl Store {
    /// Facilities' figures of `metric` on `basis` for periods whose text
    /// lies from `from` (inclusive) to `until` (exclusive), as text
    /// compares (`2025` ≤ `2025-Q1` < `2026`).
    pub async fn metric_facts(
        &self,
        basis: Basis,
        metric: &str,
        from: &str,
        until: &str,
    ) -> StorageResult<Vec<MetricFact>> {
        let value = match basis {
            Basis::Approved => "c.approved",
            Basis::Live => "COALESCE(c.reported, CASE WHEN c.tallied <> 0 THEN c.tallied END)",
        };
        let sql = format!(
            "SELECT c.facility_id, v.organisation_id, v.municipality_code, c.period, \
             {value} AS value FROM metric_cells c \
             JOIN facility_versions v ON v.facility_id = c.facility_id \
             AND v.superseded_at IS NULL AND v.valid_to = $2 \
             WHERE c.metric = $1 AND c.period >= $3 AND c.period < $4 AND {value} IS NOT NULL"
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
                    period: r.try_get("period")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }
}

/// A facility as the dashboards place it: its current name, organisation
/// and municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacilityPlace {
    pub id: i64,
    pub name: String,
    /// None while nobody knows who runs the facility.
    pub organisation_id: Option<i64>,
    pub municipality_code: String,
}

impl Store {
    /// Every facility's current name, organisation and municipality, by name.
    pub async fn facility_places(&self) -> StorageResult<Vec<FacilityPlace>> {
        let rows = sqlx::query(
            "SELECT facility_id, name, organisation_id, municipality_code FROM facility_versions \
             WHERE superseded_at IS NULL AND valid_to = $1 ORDER BY name, facility_id",
        )
        .bind(END)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FacilityPlace {
                    id: r.try_get("facility_id")?,
                    name: r.try_get("name")?,
                    organisation_id: r.try_get("organisation_id")?,
                    municipality_code: r.try_get("municipality_code")?,
                })
            })
            .collect()
    }
}
