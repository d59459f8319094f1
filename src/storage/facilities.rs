//! Facilities and their version history.

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use super::history::{
    record_change, record_creation, recorded_from_row, validity_from_row, VersionRow, Versioned,
};
use super::read::{BrokenRow, Columns};
use super::write::WriteTx;
use super::{date_text, now_text, SqlBuilder, Store, END};
use crate::domain::access::InternalScope;
use crate::domain::date::Day;
use crate::domain::facility::{
    AccessRules, Facility, FacilityFields, FacilityStatus, Location, LocationPrecision, Postcode,
};
use crate::domain::feature::Features;
use crate::domain::geo::{geo, normalize_name};
use crate::domain::hours::OpeningHoursText;
use crate::domain::number::{Capacity, MinutesPerVisit, Rooms, VisitsPerDay};
use crate::domain::phone::PhoneNumber;
use crate::domain::provenance::{Actor, Change, Recorded, Validity};
use crate::domain::service::{ServiceSet, ServiceType};
use crate::storage::error::{StorageError, StorageResult};

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

pub(super) const SELECT: &str = "SELECT v.facility_id, v.version, v.valid_from, v.valid_to, v.recorded_at, \
    v.recorded_by, v.source_kind, v.source_detail, v.verified_on, v.change_note, v.organisation_id, \
    v.name, v.services, v.street, v.postcode, v.city, v.municipality_code, v.latitude, v.longitude, \
    v.location_precision, v.opened_on, v.closed_on, v.public_access, v.mobile, v.rooms, v.capacity, \
    v.opening_hours, v.referral_required, v.intake_required, v.target_groups, \
    v.max_minutes_per_visit, v.max_visits_per_day, v.features, v.notes, v.phone, v.superseded_at, \
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
                .push(" WHERE v.superseded_at IS NULL AND v.valid_from <= ")
                .text(day.clone())
                .push(" AND v.valid_to > ")
                .text(day);
        }
        None => {
            sql.push("AND o.valid_to = ")
                .text(END)
                .push(" WHERE v.superseded_at IS NULL AND v.valid_to = ")
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

/// Reads one facility version, every column through its domain type.
pub(super) fn facility_from_row(row: &AnyRow) -> Result<Facility, BrokenRow> {
    let c = Columns::new(row, "facility", "facility_id", Some("version"));
    let location = match (c.real("latitude")?, c.real("longitude")?) {
        (Some(latitude), Some(longitude)) => {
            let precision = c.parsed("location_precision", |p| {
                LocationPrecision::parse(p).ok_or("is not exact, postcode or place")
            })?;
            let precision =
                precision.ok_or_else(|| c.broken("location_precision", "NULL", "is empty"))?;
            Some(Location {
                latitude,
                longitude,
                precision,
            })
        }
        _ => None,
    };
    let services = c.required_int("services")?;
    let counts_from = c.required_text("counts_from")?;
    Ok(Facility {
        id: c.id(),
        organisation_id: c.int("organisation_id")?,
        organisation_name: c.text("organisation_name")?,
        fields: FacilityFields {
            name: c.required_text("name")?,
            services: ServiceSet::from_bits(services),
            street: c.text("street")?,
            postcode: c.parsed("postcode", Postcode::parse)?,
            city: c.text("city")?,
            municipality_code: c.required_text("municipality_code")?,
            location,
            opened_on: c.day("opened_on")?,
            closed_on: c.day("closed_on")?,
            public_access: c.flag("public_access")?.unwrap_or(true),
            mobile: c.flag("mobile")?.unwrap_or(false),
            rooms: c.number("rooms", Rooms::new)?,
            capacity: c.number("capacity", Capacity::new)?,
            opening_hours: c.parsed("opening_hours", OpeningHoursText::parse)?,
            phone: c.parsed("phone", PhoneNumber::parse)?,
            access: AccessRules {
                referral_required: c.flag("referral_required")?,
                intake_required: c.flag("intake_required")?,
                target_groups: c.text("target_groups")?,
                max_minutes_per_visit: c.number("max_minutes_per_visit", MinutesPerVisit::new)?,
                max_visits_per_day: c.number("max_visits_per_day", VisitsPerDay::new)?,
            },
            features: Features::from_bits(c.required_int("features")?),
            notes: c.text("notes")?,
        },
        recorded: recorded_from_row(&c)?,
        validity: validity_from_row(&c)?,
        counts_from: NaiveDate::parse_from_str(&counts_from, "%Y-%m-%d")
            .map_err(|_| c.broken("counts_from", &counts_from, "is not a date"))?,
    })
}

/// Facilities from rows: the broken ones logged and left out.
fn readable(rows: &[AnyRow]) -> Vec<Facility> {
    let (facilities, broken) = split(rows);
    broken.iter().for_each(BrokenRow::log);
    facilities
}

/// Facilities from rows, and the rows that cannot be read.
fn split(rows: &[AnyRow]) -> (Vec<Facility>, Vec<BrokenRow>) {
    let mut facilities = Vec::with_capacity(rows.len());
    let mut broken = Vec::new();
    for row in rows {
        match facility_from_row(row) {
            Ok(f) => facilities.push(f),
            Err(b) => broken.push(b),
        }
    }
    (facilities, broken)
}

/// The natural key of a facility: its name, organisation and municipality.
pub fn natural_key(name: &str, organisation_id: i64, municipality_code: &str) -> String {
    format!(
        "{}|{organisation_id}|{municipality_code}",
        normalize_name(name)
    )
}

/// The key of a facility whatever runs it: its name and municipality (how
/// a row of a public list without operators finds its facility again).
pub fn place_key(name: &str, municipality_code: &str) -> String {
    format!("{}|{municipality_code}", normalize_name(name))
}

impl Store {
    /// Facilities matching a filter, ordered by name; rows that cannot be
    /// read are logged and left out.
    pub async fn list_facilities(&self, filter: &FacilityFilter) -> StorageResult<Vec<Facility>> {
        let (facilities, broken) = self.list_facilities_checked(filter).await?;
        broken.iter().for_each(BrokenRow::log);
        Ok(facilities)
    }

    /// Facilities matching a filter, and the matching rows that cannot be
    /// read (for staff, who can repair them).
    pub async fn list_facilities_checked(
        &self,
        filter: &FacilityFilter,
    ) -> StorageResult<(Vec<Facility>, Vec<BrokenRow>)> {
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
        match &filter.internal {
            InternalScope::All => {}
            InternalScope::Organisation(id) => {
                sql.push(" AND (v.public_access = 1 OR v.organisation_id = ")
                    .int(*id)
                    .push(")");
            }
            InternalScope::Facilities {
                organisation_id,
                ids,
            } => {
                sql.push(" AND (v.public_access = 1 OR (v.organisation_id = ")
                    .int(*organisation_id)
                    .push(" AND v.facility_id IN (-1");
                for id in ids {
                    sql.push(", ").int(*id);
                }
                sql.push(")))");
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
        Ok(split(&rows))
    }

    /// One facility as of a day, or its current version.
    pub async fn facility(
        &self,
        id: i64,
        as_of: Option<NaiveDate>,
    ) -> StorageResult<Option<Facility>> {
        select_one(self.pool(), id, as_of).await
    }

    /// Every version of a facility, oldest first, each with the organisation
    /// name it had when recorded.
    pub async fn facility_history(&self, id: i64) -> StorageResult<Vec<Facility>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("AND o.valid_to = ")
            .text(END)
            .push(" WHERE v.facility_id = ")
            .int(id)
            .push(" ORDER BY v.version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(readable(&rows))
    }

    /// The current version of a facility, read inside a write transaction
    /// and locked, so nothing changes it before the transaction ends.
    pub async fn facility_in(tx: &mut WriteTx, id: i64) -> StorageResult<Option<Facility>> {
        // Locked first (PostgreSQL), so nobody changes it before the commit.
        Store::lock_facilities(tx, &[id]).await?;
        select_one(&mut **tx, id, None).await
    }

    /// The versions of a facility that are in force (not superseded by a
    /// correction), in the order of the days they hold: what was true when.
    pub async fn facility_timeline(&self, id: i64) -> StorageResult<Vec<Facility>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("AND o.valid_to = ")
            .text(END)
            .push(" WHERE v.superseded_at IS NULL AND v.facility_id = ")
            .int(id)
            .push(" ORDER BY v.valid_from, v.version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(readable(&rows))
    }

    /// The version of a facility in force on `day`, inside a write transaction.
    pub async fn facility_in_force(
        tx: &mut WriteTx,
        id: i64,
        day: NaiveDate,
    ) -> StorageResult<Option<Facility>> {
        select_one(&mut **tx, id, Some(day)).await
    }

    /// Records a new facility; its first version holds since the beginning.
    pub async fn create_facility(
        tx: &mut WriteTx,
        organisation_id: Option<i64>,
        fields: &FacilityFields,
        change: &Change,
        actor: &Actor,
        today: NaiveDate,
    ) -> StorageResult<i64> {
        let now = now_text();
        let first_seen = match change.verified_on {
            Some(verified) if verified < today => verified.iso(),
            _ => date_text(today),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO facilities (created_at, first_seen_on) VALUES ($1, $2) RETURNING id",
        )
        .bind(now.as_str())
        .bind(first_seen)
        .fetch_one(&mut **tx)
        .await?;
        let row = FacilityRow {
            organisation_id,
            fields,
        };
        record_creation(tx, id, &row, change, actor, &now).await?;
        Ok(id)
    }

    /// Records a change to a facility whose current version is `current`
    /// (read with [`Store::facility_in`] in the same transaction): that
    /// version ends on the change's effective day and a new version starts
    /// there. History is never rewritten, so a change cannot take effect
    /// before the current version began. Returns the new version as
    /// written when that can be told without reading it back (the
    /// organisation's name and the day it counts from are known).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_facility(
        tx: &mut WriteTx,
        current: &Facility,
        organisation_id: Option<i64>,
        fields: &FacilityFields,
        change: &Change,
        actor: &Actor,
        today: NaiveDate,
    ) -> StorageResult<Option<Facility>> {
        let before = audit_json(
            current.organisation_id,
            &current.fields,
            &change_of(current),
        );
        let effective = change
            .effective_from
            .map_or_else(|| date_text(today), Day::iso);
        let now = now_text();
        let row = FacilityRow {
            organisation_id,
            fields,
        };
        let version = record_change(
            tx,
            current.id,
            &current.validity,
            before,
            &row,
            change,
            actor,
            &effective,
            &now,
        )
        .await?;
        if let Some(verified) = change.verified_on {
            sqlx::query(
                "UPDATE facilities SET first_seen_on = $1 WHERE id = $2 AND first_seen_on > $1",
            )
            .bind(verified.iso())
            .bind(current.id)
            .execute(&mut **tx)
            .await?;
        }
        // The day it counts from: its opening day, or else the first day a
        // source saw it (known here only when the old version had no
        // opening day either).
        let counts_from = match (fields.opened_on, current.fields.opened_on) {
            (Some(opened), _) => Some(opened.date()),
            (None, None) => Some(
                change
                    .verified_on
                    .map_or(current.counts_from, |v| v.date().min(current.counts_from)),
            ),
            (None, Some(_)) => None,
        };
        let organisation_name =
            (organisation_id == current.organisation_id).then(|| current.organisation_name.clone());
        Ok(counts_from
            .zip(organisation_name)
            .map(|(counts_from, organisation_name)| Facility {
                id: current.id,
                organisation_id,
                organisation_name,
                fields: fields.clone(),
                recorded: Recorded {
                    source: change.source.clone(),
                    verified_on: change.verified_on,
                    note: change.note.clone(),
                    recorded_by: actor.name.clone(),
                    recorded_at: now,
                },
                validity: Validity {
                    version,
                    valid_from: NaiveDate::parse_from_str(&effective, "%Y-%m-%d").ok(),
                    valid_to: None,
                    superseded_at: None,
                },
                counts_from,
            }))
    }
}

/// One facility as of a day (or its current version), on a pool or inside a transaction.
async fn select_one<'e, E>(
    executor: E,
    id: i64,
    as_of: Option<NaiveDate>,
) -> StorageResult<Option<Facility>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut sql = SqlBuilder::new(SELECT);
    push_version_scope(&mut sql, as_of);
    sql.push(" AND v.facility_id = ").int(id);
    let row = sql.query().fetch_optional(executor).await?;
    row.as_ref()
        .map(|r| facility_from_row(r).map_err(StorageError::Broken))
        .transpose()
}

/// The change a stored version records, as it was written.
fn change_of(facility: &Facility) -> Change {
    Change {
        source: facility.recorded.source.clone(),
        verified_on: facility.recorded.verified_on,
        note: facility.recorded.note.clone(),
        effective_from: facility.validity.valid_from.and_then(|d| Day::new(d).ok()),
    }
}

/// A facility version as the audit log shows it: the input form with its provenance.
pub(super) fn audit_json(
    organisation_id: Option<i64>,
    fields: &FacilityFields,
    change: &Change,
) -> serde_json::Value {
    let mut input = fields.to_input(organisation_id);
    input.source = Some(change.source.to_string());
    input.verified_on = change.verified_on.map(Day::date);
    input.change_note = change.note.clone();
    input.effective_from = change.effective_from.map(Day::date);
    serde_json::to_value(input).unwrap_or(serde_json::Value::Null)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A facility version's facts with its organisation: what the shared
/// write path (`history::record_change`) writes for a facility.
pub(super) struct FacilityRow<'a> {
    /// `None`: the operator is not known.
    pub organisation_id: Option<i64>,
    pub fields: &'a FacilityFields,
}

impl VersionRow for FacilityRow<'_> {
    const TABLE: Versioned = FACILITY_VERSIONS;

    async fn insert(
        &self,
        tx: &mut WriteTx,
        facility_id: i64,
        version: i64,
        valid_from: &str,
        valid_to: &str,
        change: &Change,
        actor: &Actor,
        now: &str,
    ) -> StorageResult<()> {
        let (organisation_id, f) = (self.organisation_id, self.fields);
        let flag = |b: Option<bool>| b.map(i64::from);
        let generation = tx.generation().await?;
        sqlx::query(
        "INSERT INTO facility_versions (facility_id, version, valid_from, valid_to, recorded_at, \
         recorded_by, source_kind, source_detail, verified_on, change_note, organisation_id, name, \
         name_key, services, street, postcode, city, municipality_code, latitude, longitude, \
         location_precision, opened_on, closed_on, public_access, mobile, rooms, capacity, \
         opening_hours, referral_required, intake_required, target_groups, max_minutes_per_visit, \
         max_visits_per_day, notes, generation, features, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
         $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37)",
    )
    .bind(facility_id)
    .bind(version)
    .bind(valid_from)
    .bind(valid_to)
    .bind(now)
    .bind(actor.name.as_str())
    .bind(change.source.kind.code())
    .bind(change.source.detail.as_deref())
    .bind(change.verified_on.map(Day::iso))
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
    .bind(f.opened_on.map(Day::iso))
    .bind(f.closed_on.map(Day::iso))
    .bind(i64::from(f.public_access))
    .bind(i64::from(f.mobile))
    .bind(f.rooms.map(i64::from))
    .bind(f.capacity.map(i64::from))
    .bind(f.opening_hours.as_ref().map(|h| h.as_str()))
    .bind(flag(f.access.referral_required))
    .bind(flag(f.access.intake_required))
    .bind(f.access.target_groups.as_deref())
    .bind(f.access.max_minutes_per_visit.map(i64::from))
    .bind(f.access.max_visits_per_day.map(i64::from))
    .bind(f.notes.as_deref())
    .bind(generation)
    .bind(f.features.bits())
    .bind(f.phone.as_ref().map(|p| p.as_str()))
    .execute(&mut **tx)
    .await?;
        if valid_to == super::END {
            // It may have moved: its figures follow it (rollups).
            tx.touch_facility(facility_id);
        }
        Ok(())
    }

    fn audit_json(&self, change: &Change) -> serde_json::Value {
        audit_json(self.organisation_id, self.fields, change)
    }
}
