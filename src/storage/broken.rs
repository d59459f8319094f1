//! Stored rows that cannot be read: finding them for `/healthz` and the
//! staff list, and reading one as plain text so that staff can repair it
//! (a correction over the broken version's stretch; see `corrections.rs`).

use std::time::{Duration, Instant};

use sqlx::Row;

use super::facilities::facility_from_row;
use super::read::BrokenRow;
use super::{SqlBuilder, Store, END};
use crate::storage::error::StorageResult;

/// The columns of a facility version a person can repair, read as text.
pub const REPAIRABLE: &[&str] = &[
    "organisation_id",
    "name",
    "services",
    "street",
    "postcode",
    "city",
    "municipality_code",
    "latitude",
    "longitude",
    "location_precision",
    "opened_on",
    "closed_on",
    "public_access",
    "mobile",
    "rooms",
    "capacity",
    "opening_hours",
    "phone",
    "referral_required",
    "intake_required",
    "target_groups",
    "max_minutes_per_visit",
    "max_visits_per_day",
    "features",
    "notes",
    "source_kind",
    "source_detail",
    "verified_on",
];

/// One stored version as text, as it is, with why it cannot be read.
#[derive(Debug, Clone)]
pub struct RawVersion {
    pub facility_id: i64,
    pub version: i64,
    /// ISO days as stored (`0001-01-01`: since the beginning; `9999-12-31`: still current).
    pub valid_from: String,
    pub valid_to: String,
    pub columns: Vec<(&'static str, Option<String>)>,
    pub broken: BrokenRow,
}

impl RawVersion {
    pub fn get(&self, column: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(c, _)| *c == column)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// How long a count of broken rows is reused when the register has not
/// changed: a hand edit in the database does not move the generation.
const RECHECK: Duration = Duration::from_secs(60);

/// The last count, with the generation and time it was made.
#[derive(Default)]
pub struct BrokenCache {
    last: Option<(i64, Instant, Vec<BrokenRow>)>,
}

impl Store {
    /// Every stored version (in force) of a facility or organisation that
    /// cannot be read. Reads the whole register at most once a minute and
    /// after each change, so `/healthz` can be asked often.
    pub async fn broken_rows(&self) -> StorageResult<Vec<BrokenRow>> {
        let generation: i64 =
            sqlx::query_scalar("SELECT generation FROM register_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        let mut cache = self.broken.lock().await;
        if let Some((seen, at, rows)) = &cache.last {
            if *seen == generation && at.elapsed() < RECHECK {
                return Ok(rows.clone());
            }
        }
        let mut sql = SqlBuilder::new(super::facilities::SELECT);
        sql.push("AND o.valid_to = ")
            .text(END)
            .push(" WHERE v.superseded_at IS NULL ORDER BY v.facility_id, v.version");
        let mut broken: Vec<BrokenRow> = sql
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .filter_map(|row| facility_from_row(row).err())
            .collect();
        broken.extend(self.broken_organisations().await?);
        cache.last = Some((generation, Instant::now(), broken.clone()));
        Ok(broken)
    }

    /// The newest version of a facility that cannot be read, as text.
    pub async fn broken_facility_version(&self, id: i64) -> StorageResult<Option<RawVersion>> {
        let mut sql = SqlBuilder::new(super::facilities::SELECT);
        sql.push("AND o.valid_to = ")
            .text(END)
            .push(" WHERE v.superseded_at IS NULL AND v.facility_id = ")
            .int(id)
            .push(" ORDER BY v.version DESC");
        let rows = sql.query().fetch_all(self.pool()).await?;
        let Some(broken) = rows.iter().find_map(|row| facility_from_row(row).err()) else {
            return Ok(None);
        };
        let Some(version) = broken.version else {
            return Ok(None);
        };
        let casts: Vec<String> = REPAIRABLE
            .iter()
            .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
            .collect();
        let row = sqlx::query(&format!(
            "SELECT version, valid_from, valid_to, {} FROM facility_versions \
             WHERE facility_id = $1 AND version = $2",
            casts.join(", ")
        ))
        .bind(id)
        .bind(version)
        .fetch_one(self.pool())
        .await?;
        let columns = REPAIRABLE
            .iter()
            .map(|c| (*c, row.try_get::<Option<String>, _>(*c).ok().flatten()))
            .collect();
        Ok(Some(RawVersion {
            facility_id: id,
            version,
            valid_from: row.try_get("valid_from")?,
            valid_to: row.try_get("valid_to")?,
            columns,
            broken,
        }))
    }
}
