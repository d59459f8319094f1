//! Counting queries over the register.

use chrono::NaiveDate;
use sqlx::Row;

use super::facilities::push_open_on;
use super::{date_text, SqlBuilder, Store};
use crate::domain::service::ServiceType;
use crate::domain::table1::ServiceCount;
use crate::error::{AppError, AppResult};

impl Store {
    /// The newest facility and organisation version ids: history is
    /// append-only, so any change to the register makes one of them grow.
    pub async fn newest_versions(&self) -> AppResult<(Option<i64>, Option<i64>)> {
        let row = sqlx::query(
            "SELECT (SELECT MAX(id) FROM facility_versions) AS f, \
             (SELECT MAX(id) FROM organisation_versions) AS o",
        )
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("f")?, row.try_get("o")?))
    }

    /// Per service: public facilities open on `day`, the distinct
    /// municipalities they are in, and their summed capacity. One pass over
    /// the versions valid on that day; a facility counts once per service.
    pub async fn count_services(&self, day: NaiveDate) -> AppResult<Vec<ServiceCount>> {
        let day = date_text(day);
        let mut sql = SqlBuilder::new(
            "SELECT s.code, COUNT(*) AS locations, \
             COUNT(DISTINCT v.municipality_code) AS municipalities, \
             CAST(SUM(v.capacity) AS BIGINT) AS capacity \
             FROM facility_versions v \
             JOIN facilities f ON f.id = v.facility_id \
             JOIN service_types s ON (v.services & s.bit) <> 0 \
             WHERE v.public_access = 1 AND v.valid_from <= ",
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
                Ok(ServiceCount {
                    service: ServiceType::parse(&code).ok_or_else(|| {
                        AppError::Internal(anyhow::anyhow!("unknown service type '{code}'"))
                    })?,
                    locations: row.try_get("locations")?,
                    municipalities: row.try_get("municipalities")?,
                    capacity: row.try_get("capacity")?,
                })
            })
            .collect()
    }
}
