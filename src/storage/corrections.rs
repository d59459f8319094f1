//! Corrections of the past: a researcher says "from day A (until day B)
//! the facts were in fact these". History is not rewritten: the versions
//! the correction covers stay in the facility's history, marked superseded
//! (when, and by which version), and leave every "as of" read; where a
//! covered version reaches outside the corrected stretch, a copy of it
//! keeps the part outside. Rows are copied in SQL, so a version that
//! cannot be read (a broken row) can be corrected too: that is how staff
//! repair one.

use sqlx::Row;

use super::audit::AuditEvent;
use super::facilities::FacilityRow;
use super::history::VersionRow;
use super::write::WriteTx;
use super::{now_text, Store, BEGINNING, END};
use crate::domain::facility::FacilityFields;
use crate::domain::provenance::{Actor, Change};
use crate::storage::error::{StorageError, StorageResult};

/// The columns a kept copy takes over from the version it copies.
const FACTS: &str = "organisation_id, name, name_key, services, street, postcode, city, \
    municipality_code, latitude, longitude, location_precision, opened_on, closed_on, \
    public_access, mobile, rooms, capacity, opening_hours, referral_required, intake_required, \
    target_groups, max_minutes_per_visit, max_visits_per_day, notes, features, phone, source_kind, \
    source_detail, verified_on";

/// What a correction covers: `from` (ISO day, or the beginning) until
/// `until` (ISO day, exclusive, or still current).
#[derive(Debug, Clone)]
pub struct Stretch {
    pub from: String,
    pub until: String,
}

impl Stretch {
    pub fn since(from: Option<String>) -> Stretch {
        Stretch {
            from: from.unwrap_or_else(|| BEGINNING.to_string()),
            until: END.to_string(),
        }
    }
}

impl Store {
    /// Records `fields` as the facts of facility `id` over `stretch`,
    /// superseding the versions that overlap it; returns the new version.
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_facility(
        tx: &mut WriteTx,
        id: i64,
        stretch: &Stretch,
        organisation_id: Option<i64>,
        fields: &FacilityFields,
        change: &Change,
        actor: &Actor,
    ) -> StorageResult<i64> {
        let covered = sqlx::query(
            "SELECT id, version, valid_from, valid_to FROM facility_versions \
             WHERE facility_id = $1 AND superseded_at IS NULL AND valid_from < $2 AND valid_to > $3 \
             ORDER BY valid_from",
        )
        .bind(id)
        .bind(stretch.until.as_str())
        .bind(stretch.from.as_str())
        .fetch_all(&mut **tx)
        .await?;
        if covered.is_empty() {
            return Err(StorageError::NotFound(format!(
                "facility {id} does not exist"
            )));
        }
        let mut version: i64 =
            sqlx::query_scalar("SELECT MAX(version) FROM facility_versions WHERE facility_id = $1")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        let now = now_text();
        let corrected = version + 1;
        for row in &covered {
            let row_id: i64 = row.try_get("id")?;
            sqlx::query(
                "UPDATE facility_versions SET superseded_at = $1, superseded_by = $2 WHERE id = $3",
            )
            .bind(now.as_str())
            .bind(corrected)
            .bind(row_id)
            .execute(&mut **tx)
            .await?;
        }
        version += 1;
        let row = FacilityRow {
            organisation_id,
            fields,
        };
        row.insert(
            tx,
            id,
            version,
            &stretch.from,
            &stretch.until,
            change,
            actor,
            &now,
        )
        .await?;
        // The parts of covered versions outside the stretch stay as they were.
        let first = &covered[0];
        let last = &covered[covered.len() - 1];
        let first_from: String = first.try_get("valid_from")?;
        let last_to: String = last.try_get("valid_to")?;
        if first_from < stretch.from {
            version += 1;
            keep(
                tx,
                first.try_get("id")?,
                version,
                &first_from,
                &stretch.from,
                actor,
                &now,
            )
            .await?;
        }
        if last_to > stretch.until {
            version += 1;
            keep(
                tx,
                last.try_get("id")?,
                version,
                &stretch.until,
                &last_to,
                actor,
                &now,
            )
            .await?;
        }
        let superseded: Vec<i64> = covered
            .iter()
            .map(|r| r.try_get::<i64, _>("version"))
            .collect::<Result<_, _>>()?;
        Store::append_audit(
            tx,
            &AuditEvent::new("correct", actor, "facility")
                .object(id)
                .before(Some(
                    serde_json::json!({ "superseded_versions": superseded }),
                ))
                .after(Some(serde_json::json!({
                    "version": corrected,
                    "from": stretch.from,
                    "until": stretch.until,
                    "facts": super::facilities::audit_json(organisation_id, fields, change),
                }))),
        )
        .await?;
        Ok(corrected)
    }
}

/// A copy of version row `row_id` holding from `from` until `until`.
async fn keep(
    tx: &mut WriteTx,
    row_id: i64,
    version: i64,
    from: &str,
    until: &str,
    actor: &Actor,
    now: &str,
) -> StorageResult<()> {
    let generation = tx.generation().await?;
    sqlx::query(&format!(
        "INSERT INTO facility_versions (facility_id, version, valid_from, valid_to, recorded_at, \
         recorded_by, change_note, generation, {FACTS}) \
         SELECT facility_id, $1, $2, $3, $4, $5, $6, $7, {FACTS} FROM facility_versions WHERE id = $8"
    ))
    .bind(version)
    .bind(from)
    .bind(until)
    .bind(now)
    .bind(actor.name.as_str())
    .bind("kept unchanged by a correction of the stretch next to it")
    .bind(generation)
    .bind(row_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
