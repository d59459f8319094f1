//! Counting queries over the register.

use chrono::NaiveDate;
use sqlx::Row;

use super::facilities::push_open_on;
use super::{date_text, SqlBuilder, Store};
use crate::domain::feature::Feature;
use crate::domain::service::ServiceType;
use crate::domain::table1::{ServiceCount, ServiceDetail, ServiceTally};
use crate::storage::error::{StorageError, StorageResult};

impl Store {
    /// The newest facility and organisation version ids: history is
    /// append-only, so any change to the register makes one of them grow.
    pub async fn newest_versions(&self) -> StorageResult<(Option<i64>, Option<i64>)> {
        let row = sqlx::query(
            "SELECT (SELECT MAX(id) FROM facility_versions) AS f, \
             (SELECT MAX(id) FROM organisation_versions) AS o",
        )
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("f")?, row.try_get("o")?))
    }

    /// Per service: public facilities open on `day`, the distinct
    /// municipalities they are in, and their summed capacity (the part of
    /// [`Store::tally_services`] every count needs).
    pub async fn count_services(&self, day: NaiveDate) -> StorageResult<Vec<ServiceCount>> {
        Ok(self
            .tally_services(day, false)
            .await?
            .into_iter()
            .map(|t| t.count)
            .collect())
    }

    /// Per service: public facilities open on `day`, the distinct
    /// municipalities and places (`city`, case-insensitively; the
    /// municipality when a facility has no place) they are in, their summed
    /// capacity, what Table 1's notes need (mobile locations, locations
    /// with more than one room, alcohol rooms and soft-drugs-only rooms
    /// marked in the notes) and the facilities counted, with their versions
    /// when `versions` is asked for (freezing a round).
    ///
    /// One pass over the versions valid on that day; a facility counts once
    /// per service. The id lists come back as `string_agg` text (SQLite
    /// has it since 3.44), so the pass stays one grouped query.
    ///
    /// The reference for [`Store::tally_services`], which answers the same
    /// from the in-memory counting index (src/storage/counting.rs).
    pub async fn tally_services_by_query(
        &self,
        day: NaiveDate,
        versions: bool,
    ) -> StorageResult<Vec<ServiceTally>> {
        let day = date_text(day);
        let mut sql = SqlBuilder::new(
            "SELECT s.code, COUNT(*) AS locations, \
             COUNT(DISTINCT v.municipality_code) AS municipalities, \
             COUNT(DISTINCT COALESCE(LOWER(TRIM(v.city)), v.municipality_code)) AS cities, \
             CAST(SUM(v.capacity) AS BIGINT) AS capacity, \
             CAST(SUM(v.mobile) AS BIGINT) AS mobile, \
             string_agg(CASE WHEN v.rooms > 1 THEN CAST(v.rooms AS TEXT) END, ',') AS multi_rooms, \
             string_agg(CAST(v.facility_id AS TEXT), ',') AS facility_ids, ",
        );
        sql.push("CAST(SUM(CASE WHEN (v.features & ")
            .int(Feature::AlcoholRoom.bit())
            .push(") <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS alcohol_room, ")
            .push("CAST(SUM(CASE WHEN (v.features & ")
            .int(Feature::SoftdrugsOnly.bit())
            .push(") <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS softdrugs_only");
        if versions {
            sql.push(
                ", string_agg(CAST(v.facility_id AS TEXT) || ':' || CAST(v.id AS TEXT), ',') \
                 AS versions",
            );
        }
        sql.push(
            " FROM facility_versions v \
             JOIN facilities f ON f.id = v.facility_id \
             JOIN service_types s ON (v.services & s.bit) <> 0 \
             WHERE v.public_access = 1 AND v.superseded_at IS NULL AND v.valid_from <= ",
        );
        sql.text(day.as_str())
            .push(" AND v.valid_to > ")
            .text(day.as_str());
        push_open_on(&mut sql, &day);
        sql.push(" GROUP BY s.code");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                let ids = |column: &str| -> StorageResult<Vec<i64>> {
                    let mut ids = id_list(row.try_get::<Option<String>, _>(column)?, column)?;
                    ids.sort_unstable();
                    Ok(ids)
                };
                Ok(ServiceTally {
                    count: ServiceCount {
                        service: ServiceType::parse(&code).ok_or_else(|| {
                            StorageError::Database(anyhow::anyhow!("unknown service type '{code}'"))
                        })?,
                        locations: row.try_get("locations")?,
                        municipalities: row.try_get("municipalities")?,
                        capacity: row.try_get("capacity")?,
                    },
                    detail: ServiceDetail {
                        cities: row.try_get("cities")?,
                        mobile: row.try_get::<Option<i64>, _>("mobile")?.unwrap_or(0),
                        alcohol_room: row.try_get::<Option<i64>, _>("alcohol_room")?.unwrap_or(0),
                        softdrugs_only: row
                            .try_get::<Option<i64>, _>("softdrugs_only")?
                            .unwrap_or(0),
                        multi_rooms: {
                            let mut rooms = id_list(row.try_get("multi_rooms")?, "multi_rooms")?;
                            rooms.sort_unstable();
                            rooms
                        },
                        facility_ids: ids("facility_ids")?,
                        versions: if versions {
                            pair_list(row.try_get("versions")?)?
                        } else {
                            Vec::new()
                        },
                    },
                })
            })
            .collect()
    }
}

/// A comma-separated list of whole numbers, as `string_agg` returns them.
fn id_list(text: Option<String>, column: &str) -> StorageResult<Vec<i64>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.trim().parse::<i64>().map_err(|_| {
                StorageError::Database(anyhow::anyhow!("{column}: '{t}' is not a whole number"))
            })
        })
        .collect()
}

/// `facility:version` pairs, sorted by facility.
fn pair_list(text: Option<String>) -> StorageResult<Vec<(i64, i64)>> {
    let mut pairs = text
        .unwrap_or_default()
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.split_once(':')
                .and_then(|(f, v)| Some((f.trim().parse().ok()?, v.trim().parse().ok()?)))
                .ok_or_else(|| {
                    StorageError::Database(anyhow::anyhow!(
                        "versions: '{t}' is not facility:version"
                    ))
                })
        })
        .collect::<StorageResult<Vec<(i64, i64)>>>()?;
    pairs.sort_unstable();
    Ok(pairs)
}
