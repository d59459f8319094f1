//! The version rows the FHIR directory's incremental sync reads
//! (`_history?_since=`): every facility and organisation version recorded
//! at or after an instant, superseded ones included, because a history
//! shows what was recorded, in the order it was recorded.

use std::collections::HashMap;

use sqlx::Row;

use super::facilities::{facility_from_row, SELECT as FACILITY_SELECT};
use super::organisations::{organisation_from_row, SELECT as ORGANISATION_SELECT};
use super::read::BrokenRow;
use super::{SqlBuilder, Store, END};
use crate::domain::facility::Facility;
use crate::domain::organisation::Organisation;
use crate::storage::error::StorageResult;

impl Store {
    /// Every facility version recorded at or after `since` (RFC 3339,
    /// UTC, as `recorded_at` is stored), oldest first, each with its
    /// organisation's current name; unreadable rows are logged and left out.
    pub async fn facility_versions_since(&self, since: &str) -> StorageResult<Vec<Facility>> {
        let mut sql = SqlBuilder::new(FACILITY_SELECT);
        sql.push("AND o.valid_to = ")
            .text(END)
            .push(" WHERE v.recorded_at >= ")
            .text(since)
            .push(" ORDER BY v.recorded_at, v.facility_id, v.version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .filter_map(|row| facility_from_row(row).map_err(|b| b.log()).ok())
            .collect())
    }

    /// Every organisation version recorded at or after `since`, oldest first.
    pub async fn organisation_versions_since(
        &self,
        since: &str,
    ) -> StorageResult<Vec<Organisation>> {
        let mut sql = SqlBuilder::new(ORGANISATION_SELECT);
        sql.push("WHERE recorded_at >= ")
            .text(since)
            .push(" ORDER BY recorded_at, organisation_id, version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                organisation_from_row(row)
                    .map_err(|b: BrokenRow| b.log())
                    .ok()
            })
            .collect())
    }
}

impl Store {
    /// Per facility, every service kind any of its versions offered (as
    /// `ServiceSet` bits): the HealthcareServices it has, active or not.
    pub async fn facility_services_ever(&self) -> StorageResult<HashMap<i64, i64>> {
        let rows = sqlx::query("SELECT facility_id, services FROM facility_versions")
            .fetch_all(self.pool())
            .await?;
        let mut ever: HashMap<i64, i64> = HashMap::new();
        for row in rows {
            let id: i64 = row.try_get("facility_id")?;
            let services: i64 = row.try_get("services")?;
            *ever.entry(id).or_default() |= services;
        }
        Ok(ever)
    }
}
