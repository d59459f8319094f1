//! Facilities and their version history.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::audit::AuditEvent;
use super::history::{recorded_from_row, validity_from_row, Versioned};
use super::{date_text, now_text, parse_stored_date, SqlBuilder, Store, BEGINNING, END};
use crate::domain::access::InternalScope;
use crate::domain::facility::{
    AccessRules, Facility, FacilityFields, FacilityStatus, Location, LocationPrecision, Postcode,
};
use crate::domain::provenance::{Actor, Change};
use crate::domain::service::{ServiceSet, ServiceType};
use crate::error::{AppError, AppResult};
use crate::geo::{geo, normalize_name};

const FACILITY_VERSIONS: Versioned = Versioned {
    table: "facility_versions",
    owner_column: "facility_id",
    noun: "facility",
};

/// Which facilities a listing returns.
#[derive(Debug, Clone, Default)]
pub struct FacilityFilter {
    /// The day the listing describes; `None` for the latest version of each.
    pub as_of: Option<NaiveDate>,
    pub service: Option<ServiceType>,
    pub municipality_code: Option<String>,
    /// ISO 3166-2 code of a province.
    pub province_code: Option<String>,
    /// Words that must occur in the name, street, city or organisation.
    pub text: Option<String>,
    /// Only facilities with this status on the day (`as_of`, or today).
    pub status: Option<FacilityStatus>,
    /// Which facilities that are not open to the public to include.
    pub internal: InternalScope,
    pub organisation_id: Option<i64>,
    pub limit: Option<i64>,
    pub offset: i64,
}

const SELECT: &str = "SELECT v.facility_id, v.version, v.valid_from, v.valid_to, v.recorded_at, \
    v.recorded_by, v.source_kind, v.source_detail, v.verified_on, v.change_note, v.organisation_id, \
    v.name, v.services, v.street, v.postcode, v.city, v.municipality_code, v.latitude, v.longitude, \
    v.location_precision, v.opened_on, v.closed_on, v.public_access, v.mobile, v.rooms, v.capacity, \
    v.opening_hours, v.referral_required, v.intake_required, v.target_groups, \
    v.max_minutes_per_visit, v.max_visits_per_day, v.notes, \
    COALESCE(v.opened_on, f.first_seen_on) AS counts_from, o.name AS organisation_name \
    FROM facility_versions v \
    JOIN facilities f ON f.id = v.facility_id \
    LEFT JOIN organisation_versions o ON o.organisation_id = v.organisation_id ";

/// Adds the join condition for the organisation's version and the filter for
/// the facility's version: valid on `as_of`, or the current one.
fn push_version_scope(sql: &mut SqlBuilder, as_of: Option<NaiveDate>) {
    match as_of {
        Some(day) => {
            let day = date_text(day);
            sql.push("AND o.valid_from <= ")
                .text(day.clone())
                .push(" AND o.valid_to > ")
                .text(day.clone())
                .push(" WHERE v.valid_from <= ")
                .text(day.clone())
                .push(" AND v.valid_to > ")
                .text(day);
        }
        None => {
            sql.push("AND o.valid_to = ")
                .text(END)
                .push(" WHERE v.valid_to = ")
                .text(END);
        }
    }
}

/// The SQL condition "open on `day`", with `counts_from` as in [`SELECT`].
pub(super) fn push_open_on(sql: &mut SqlBuilder, day: &str) {
    sql.push(" AND COALESCE(v.opened_on, f.first_seen_on) <= ")
        .text(day)
        .push(" AND (v.closed_on IS NULL OR v.closed_on > ")
        .text(day)
        .push(")");
}

fn flag(row: &AnyRow, column: &str) -> AppResult<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|n| n != 0))
}

fn count(row: &AnyRow, column: &str) -> AppResult<Option<u32>> {
    Ok(row
        .try_get::<Option<i64>, _>(column)?
        .and_then(|n| u32::try_from(n).ok()))
}

fn corrupt(what: &str, value: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored {what} '{value}' is not valid"))
}

fn facility_from_row(row: &AnyRow) -> AppResult<Facility> {
    let text = |column: &str| row.try_get::<Option<String>, _>(column);
    let date = |column: &str| -> AppResult<Option<NaiveDate>> {
        parse_stored_date(row.try_get(column)?, column)
    };
    let postcode = match text("postcode")? {
        Some(p) => Some(Postcode::parse(&p).map_err(|_| corrupt("postcode", &p))?),
        None => None,
    };
    let location = match (
        row.try_get::<Option<f64>, _>("latitude")?,
        row.try_get::<Option<f64>, _>("longitude")?,
    ) {
        (Some(latitude), Some(longitude)) => {
            let precision = text("location_precision")?.unwrap_or_default();
            Some(Location {
                latitude,
                longitude,
                precision: LocationPrecision::parse(&precision)
                    .ok_or_else(|| corrupt("location precision", &precision))?,
            })
        }
        _ => None,
    };
    let counts_from: String = row.try_get("counts_from")?;
    Ok(Facility {
        id: row.try_get("facility_id")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_name: text("organisation_name")?,
        fields: FacilityFields {
            name: row.try_get("name")?,
            services: ServiceSet::from_bits(row.try_get("services")?),
            street: text("street")?,
            postcode,
            city: text("city")?,
            municipality_code: row.try_get("municipality_code")?,
            location,
            opened_on: date("opened_on")?,
            closed_on: date("closed_on")?,
            public_access: flag(row, "public_access")?.unwrap_or(true),
            mobile: flag(row, "mobile")?.unwrap_or(false),
            rooms: count(row, "rooms")?,
            capacity: count(row, "capacity")?,
            opening_hours: text("opening_hours")?,
            access: AccessRules {
                referral_required: flag(row, "referral_required")?,
                intake_required: flag(row, "intake_required")?,
                target_groups: text("target_groups")?,
                max_minutes_per_visit: count(row, "max_minutes_per_visit")?,
                max_visits_per_day: count(row, "max_visits_per_day")?,
            },
            notes: text("notes")?,
        },
        recorded: recorded_from_row(row)?,
        validity: validity_from_row(row)?,
        counts_from: parse_stored_date(Some(counts_from.clone()), "counts_from")?
            .ok_or_else(|| corrupt("counts_from", &counts_from))?,
    })
}

/// The natural key of a facility: its name, organisation and municipality.
pub fn natural_key(name: &str, organisation_id: i64, municipality_code: &str) -> String {
    format!(
        "{}|{organisation_id}|{municipality_code}",
        normalize_name(name)
    )
}

impl Store {
    /// Facilities matching a filter, ordered by name.
    pub async fn list_facilities(&self, filter: &FacilityFilter) -> AppResult<Vec<Facility>> {
        let mut sql = SqlBuilder::new(SELECT);
        push_version_scope(&mut sql, filter.as_of);
        if let Some(service) = filter.service {
            sql.push(" AND (v.services & ")
                .int(service.bit())
                .push(") <> 0");
        }
        if let Some(code) = &filter.municipality_code {
            sql.push(" AND v.municipality_code = ").text(code.as_str());
        }
        if let Some(province) = &filter.province_code {
            let codes = geo().municipalities_in_province(province);
            sql.push(" AND v.municipality_code IN ('-'");
            for m in codes {
                sql.push(", ").text(m.code.as_str());
            }
            sql.push(")");
        }
        if let Some(text) = &filter.text {
            for word in text.split_whitespace().take(8) {
                let pattern = format!("%{}%", escape_like(&word.to_lowercase()));
                sql.push(" AND (LOWER(v.name) LIKE ")
                    .text(pattern.clone())
                    .push(" ESCAPE '\\' OR LOWER(COALESCE(v.city, '')) LIKE ")
                    .text(pattern.clone())
                    .push(" ESCAPE '\\' OR LOWER(COALESCE(v.street, '')) LIKE ")
                    .text(pattern.clone())
                    .push(" ESCAPE '\\' OR LOWER(COALESCE(o.name, '')) LIKE ")
                    .text(pattern)
                    .push(" ESCAPE '\\')");
            }
        }
        match filter.internal {
            InternalScope::All => {}
            InternalScope::Organisation(id) => {
                sql.push(" AND (v.public_access = 1 OR v.organisation_id = ")
                    .int(id)
                    .push(")");
            }
            InternalScope::None => {
                sql.push(" AND v.public_access = 1");
            }
        }
        if let Some(id) = filter.organisation_id {
            sql.push(" AND v.organisation_id = ").int(id);
        }
        if let Some(status) = filter.status {
            let day = date_text(filter.as_of.unwrap_or_else(crate::domain::date::today));
            match status {
                FacilityStatus::Open => push_open_on(&mut sql, &day),
                FacilityStatus::Closed => {
                    sql.push(" AND v.closed_on <= ").text(day);
                }
                FacilityStatus::Planned => {
                    sql.push(" AND COALESCE(v.opened_on, f.first_seen_on) > ")
                        .text(day.clone())
                        .push(" AND (v.closed_on IS NULL OR v.closed_on > ")
                        .text(day)
                        .push(")");
                }
            }
        }
        sql.push(" ORDER BY v.name_key, v.facility_id");
        if let Some(limit) = filter.limit {
            sql.push(" LIMIT ")
                .int(limit)
                .push(" OFFSET ")
                .int(filter.offset);
        }
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(facility_from_row).collect()
    }

    /// One facility as of a day, or its current version.
    pub async fn facility(&self, id: i64, as_of: Option<NaiveDate>) -> AppResult<Option<Facility>> {
        select_one(self.pool(), id, as_of).await
    }

    /// Every version of a facility, oldest first, each with the organisation
    /// name it had when recorded.
    pub async fn facility_history(&self, id: i64) -> AppResult<Vec<Facility>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("AND o.valid_to = ")
            .text(END)
            .push(" WHERE v.facility_id = ")
            .int(id)
            .push(" ORDER BY v.version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(facility_from_row).collect()
    }

    /// Records a new facility; its first version holds since the beginning.
    pub async fn create_facility(
        conn: &mut AnyConnection,
        organisation_id: i64,
        fields: &FacilityFields,
        change: &Change,
        actor: &Actor,
        today: NaiveDate,
    ) -> AppResult<i64> {
        let now = now_text();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO facilities (created_at, first_seen_on) VALUES ($1, $2) RETURNING id",
        )
        .bind(now.as_str())
        .bind(date_text(
            change.verified_on.map_or(today, |v| v.min(today)),
        ))
        .fetch_one(&mut *conn)
        .await?;
        insert_version(
            conn,
            id,
            1,
            BEGINNING,
            organisation_id,
            fields,
            change,
            actor,
            &now,
        )
        .await?;
        let after = audit_json(organisation_id, fields, change);
        Store::append_audit(
            conn,
            &AuditEvent::new("create", actor, "facility")
                .object(id)
                .after(Some(after)),
        )
        .await?;
        Ok(id)
    }

    /// Records a change to a facility: the current version ends on the
    /// change's effective day and a new version starts there. History is
    /// never rewritten, so a change cannot take effect before the current
    /// version began.
    pub async fn update_facility(
        conn: &mut AnyConnection,
        id: i64,
        organisation_id: i64,
        fields: &FacilityFields,
        change: &Change,
        actor: &Actor,
        today: NaiveDate,
    ) -> AppResult<()> {
        let before = select_one(&mut *conn, id, None)
            .await?
            .map(|f| audit_json(f.organisation_id, &f.fields, &change_of(&f)));
        let effective = date_text(change.effective_from.unwrap_or(today));
        let version = FACILITY_VERSIONS.end_current(conn, id, &effective).await?;
        let now = now_text();
        insert_version(
            conn,
            id,
            version,
            &effective,
            organisation_id,
            fields,
            change,
            actor,
            &now,
        )
        .await?;
        if let Some(verified) = change.verified_on {
            sqlx::query(
                "UPDATE facilities SET first_seen_on = $1 WHERE id = $2 AND first_seen_on > $1",
            )
            .bind(date_text(verified))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        let after = audit_json(organisation_id, fields, change);
        Store::append_audit(
            conn,
            &AuditEvent::new("update", actor, "facility")
                .object(id)
                .before(before)
                .after(Some(after)),
        )
        .await?;
        Ok(())
    }
}

/// One facility as of a day (or its current version), on a pool or inside a transaction.
async fn select_one<'e, E>(
    executor: E,
    id: i64,
    as_of: Option<NaiveDate>,
) -> AppResult<Option<Facility>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut sql = SqlBuilder::new(SELECT);
    push_version_scope(&mut sql, as_of);
    sql.push(" AND v.facility_id = ").int(id);
    let row = sql.query().fetch_optional(executor).await?;
    row.as_ref().map(facility_from_row).transpose()
}

/// The change a stored version records, as it was written.
fn change_of(facility: &Facility) -> Change {
    Change {
        source: facility.recorded.source.clone(),
        verified_on: facility.recorded.verified_on,
        note: facility.recorded.note.clone(),
        effective_from: facility.validity.valid_from,
    }
}

/// A facility version as the audit log shows it: the input form with its provenance.
fn audit_json(organisation_id: i64, fields: &FacilityFields, change: &Change) -> serde_json::Value {
    let mut input = fields.to_input(organisation_id);
    input.source = Some(change.source.to_string());
    input.verified_on = change.verified_on;
    input.change_note = change.note.clone();
    input.effective_from = change.effective_from;
    serde_json::to_value(input).unwrap_or(serde_json::Value::Null)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    conn: &mut AnyConnection,
    facility_id: i64,
    version: i64,
    valid_from: &str,
    organisation_id: i64,
    f: &FacilityFields,
    change: &Change,
    actor: &Actor,
    now: &str,
) -> AppResult<()> {
    let flag = |b: Option<bool>| b.map(i64::from);
    let count = |n: Option<u32>| n.map(i64::from);
    let generation = Store::next_generation(conn).await?;
    sqlx::query(
        "INSERT INTO facility_versions (facility_id, version, valid_from, valid_to, recorded_at, \
         recorded_by, source_kind, source_detail, verified_on, change_note, organisation_id, name, \
         name_key, services, street, postcode, city, municipality_code, latitude, longitude, \
         location_precision, opened_on, closed_on, public_access, mobile, rooms, capacity, \
         opening_hours, referral_required, intake_required, target_groups, max_minutes_per_visit, \
         max_visits_per_day, notes, generation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, \
         $29, $30, $31, $32, $33, $34, $35)",
    )
    .bind(facility_id)
    .bind(version)
    .bind(valid_from)
    .bind(END)
    .bind(now)
    .bind(actor.name.as_str())
    .bind(change.source.kind.code())
    .bind(change.source.detail.as_deref())
    .bind(change.verified_on.map(date_text))
    .bind(change.note.as_deref())
    .bind(organisation_id)
    .bind(f.name.as_str())
    .bind(normalize_name(&f.name))
    .bind(f.services.bits())
    .bind(f.street.as_deref())
    .bind(f.postcode.as_ref().map(|p| p.as_str()))
    .bind(f.city.as_deref())
    .bind(f.municipality_code.as_str())
    .bind(f.location.map(|l| l.latitude))
    .bind(f.location.map(|l| l.longitude))
    .bind(f.location.map(|l| l.precision.code()))
    .bind(f.opened_on.map(date_text))
    .bind(f.closed_on.map(date_text))
    .bind(i64::from(f.public_access))
    .bind(i64::from(f.mobile))
    .bind(count(f.rooms))
    .bind(count(f.capacity))
    .bind(f.opening_hours.as_deref())
    .bind(flag(f.access.referral_required))
    .bind(flag(f.access.intake_required))
    .bind(f.access.target_groups.as_deref())
    .bind(count(f.access.max_minutes_per_visit))
    .bind(count(f.access.max_visits_per_day))
    .bind(f.notes.as_deref())
    .bind(generation)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
