//! Writing to the register: validate, resolve references, and record the
//! change with its provenance in one transaction. The API and the importer
//! both come through here.

pub mod find_out;
pub mod finder;
pub mod import;
pub mod reads;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::domain::access::{FacilityScope, Principal};
use crate::domain::date::Day;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityDraft, FacilityInput, OrganisationRef};
use crate::domain::geo::normalize_name;
use crate::domain::organisation::{OrganisationFields, OrganisationInput};
use crate::domain::provenance::{Actor, Change, Source, Validity};
use crate::storage::corrections::Stretch;
use crate::storage::write::{retrying, WriteTx, Writes};
use crate::storage::Store;

/// Applies a JSON merge patch (RFC 7386) to a record's input form (public for the fuzz targets).
pub fn merged<T: Serialize + DeserializeOwned>(
    current: &T,
    patch: &Value,
    noun: &str,
) -> AppResult<T> {
    if !patch.is_object() {
        return Err(AppError::BadRequest(
            "the body must be a JSON object with the fields to change".into(),
        ));
    }
    let base = serde_json::to_value(current).map_err(anyhow::Error::from)?;
    let mut document = base.clone();
    json_patch::merge(&mut document, patch);
    serde_json::from_value(document).map_err(|e| {
        // Name the field whose value is of the wrong kind (or unknown):
        // the first one that fails on its own.
        let field = patch
            .as_object()
            .into_iter()
            .flatten()
            .find(|(key, value)| {
                let mut one = base.clone();
                json_patch::merge(&mut one, &serde_json::json!({ key.as_str(): value }));
                serde_json::from_value::<T>(one).is_err()
            });
        match field {
            Some((key, _)) => AppError::invalid(key, format!("invalid {noun} value: {e}")),
            None => AppError::BadRequest(format!("invalid {noun} patch: {e}")),
        }
    })
}

/// Resolves the organisation a facility names; it must exist. `None` (the
/// operator is not known) stays `None`.
async fn organisation_id(
    conn: &mut WriteTx,
    reference: &Option<OrganisationRef>,
) -> AppResult<Option<i64>> {
    match reference {
        None => Ok(None),
        Some(reference) => named_organisation(conn, reference).await.map(Some),
    }
}

async fn named_organisation(conn: &mut WriteTx, reference: &OrganisationRef) -> AppResult<i64> {
    match reference {
        OrganisationRef::Id(id) => {
            if Store::organisation_exists(conn, *id).await? {
                Ok(*id)
            } else {
                Err(AppError::invalid(
                    "organisation_id",
                    format!("organisation {id} does not exist"),
                ))
            }
        }
        OrganisationRef::Name(name) => Store::organisation_ids_by_name(conn)
            .await?
            .get(&normalize_name(name))
            .copied()
            .ok_or_else(|| {
                AppError::invalid(
                    "organisation",
                    format!("no organisation is named '{name}'; create it first or give organisation_id"),
                )
            }),
    }
}

fn validate(input: &FacilityInput, source: &Source, today: NaiveDate) -> AppResult<FacilityDraft> {
    input.validate(source, today).map_err(AppError::Invalid)
}

/// Whether `change` may take effect where the current version (`current`)
/// stands: not before it began (`Validity::admits_change_from`).
fn admits(current: &Validity, change: &Change, today: NaiveDate) -> AppResult<()> {
    let effective = change.effective_from.map_or(today, Day::date);
    current
        .admits_change_from(effective)
        .map_err(|e| AppError::Invalid(vec![e]))
}

/// The permission question's view of a facility.
pub fn scope(facility: &Facility) -> FacilityScope {
    FacilityScope {
        id: facility.id,
        organisation_id: facility.organisation_id,
        public_access: facility.fields.public_access,
    }
}

/// The refusal for a facility the caller may not use: 403 when they may
/// know it exists (it is public, or theirs to read), 404 otherwise, so
/// that another organisation's non-public facility does not leak.
pub fn refuse(who: &Principal, facility: FacilityScope, what: &str) -> AppError {
    if facility.public_access || who.may_read_internal(facility) {
        AppError::Forbidden(format!("you may not {what} this facility"))
    } else {
        AppError::NotFound(format!("facility {} does not exist", facility.id))
    }
}

fn refuse_organisation(organisation_id: Option<i64>) -> AppError {
    AppError::Forbidden(match organisation_id {
        Some(id) => format!(
            "you may only add or move facilities to your own organisation, not to organisation {id}"
        ),
        None => "you may only add or move facilities to your own organisation; \
                 a facility whose operator is not known is national work"
            .to_string(),
    })
}

pub async fn create_facility(
    store: &Store,
    input: &FacilityInput,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    validate(input, source, today)?;
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Register).await?;
        let id = create_facility_in(&mut tx, input, source, who, actor, today).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// [`create_facility`] inside a write transaction of the register
/// (`Writes::Register`) that the caller commits, with its own writes (a
/// survey answer's proposal that becomes the facility).
pub async fn create_facility_in(
    tx: &mut WriteTx,
    input: &FacilityInput,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    let draft = validate(input, source, today)?;
    let organisation = organisation_id(tx, &draft.organisation).await?;
    if !who.may_create_facility(organisation) {
        return Err(refuse_organisation(organisation));
    }
    Ok(
        Store::create_facility(tx, organisation, &draft.fields, &draft.change, actor, today)
            .await?,
    )
}

/// Applies a JSON merge patch (RFC 7386) to a facility's current facts and
/// records the result as a new version. Provenance fields are not inherited:
/// they describe this change.
///
/// The patch is merged with the current version as it is inside the write
/// transaction, so two patches of different fields made at the same moment
/// both land, one after the other, and neither is refused. Returns the new
/// version as written, when storage can tell it without reading it back.
pub async fn patch_facility(
    store: &Store,
    id: i64,
    patch: &Value,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Option<Facility>> {
    if !patch.is_object() {
        return Err(AppError::BadRequest(
            "the body must be a JSON object with the fields to change".into(),
        ));
    }
    // The first tries read the facility before the write transaction and
    // let storage check that it did not change meanwhile (optimistic: the
    // shared rows are held for the write only); later tries read it inside
    // the transaction, so a facility many write at once still gets written.
    let tries = std::sync::atomic::AtomicU32::new(0);
    retrying(|| async {
        let optimistic = tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 2;
        let read_before = if optimistic {
            Some(
                store
                    .facility(id, None)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("facility {id} does not exist")))?,
            )
        } else {
            None
        };
        let mut tx = store.begin_write(Writes::Register).await?;
        let current = match read_before {
            Some(current) => current,
            None => Store::facility_in(&mut tx, id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("facility {id} does not exist")))?,
        };
        let written = patch_current(&mut tx, &current, patch, source, who, actor, today).await?;
        tx.commit().await?;
        Ok(written)
    })
    .await
}

/// [`patch_facility`] inside a write transaction of the register
/// (`Writes::Register`) that the caller commits, with its own writes (an
/// accepted survey proposal). Reads the facility inside the transaction.
pub async fn patch_facility_in(
    tx: &mut WriteTx,
    id: i64,
    patch: &Value,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Option<Facility>> {
    let current = Store::facility_in(tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("facility {id} does not exist")))?;
    patch_current(tx, &current, patch, source, who, actor, today).await
}

/// Merges `patch` over `current` and writes the result as its next version.
async fn patch_current(
    tx: &mut WriteTx,
    current: &Facility,
    patch: &Value,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Option<Facility>> {
    if !who.may_edit_facility(scope(current)) {
        return Err(refuse(who, scope(current), "change"));
    }
    let mut base = current.fields.to_input(current.organisation_id);
    // Naming the organisation by name replaces the id.
    if patch.get("organisation").is_some_and(|v| !v.is_null()) {
        base.organisation_id = None;
    }
    let input = merged(&base, patch, "facility")?;
    let mut draft = validate(&input, source, today)?;
    keep_verification(
        &mut draft.change,
        current,
        patch.get("verified_on").is_some(),
    );
    let organisation = match &draft.organisation {
        Some(OrganisationRef::Id(same)) if Some(*same) == current.organisation_id => Some(*same),
        other => organisation_id(tx, other).await?,
    };
    if organisation != current.organisation_id && !who.may_create_facility(organisation) {
        return Err(refuse_organisation(organisation));
    }
    admits(&current.validity, &draft.change, today)?;
    Ok(Store::update_facility(
        tx,
        current,
        organisation,
        &draft.fields,
        &draft.change,
        actor,
        today,
    )
    .await?)
}

/// "Klopt nog": a source confirmed today that the facility's facts are
/// still right. Recorded as a version with the same facts, verified today,
/// with that source, so the history shows who checked and how.
pub async fn confirm_facility(
    store: &Store,
    id: i64,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<()> {
    let patch = serde_json::json!({ "verified_on": today.to_string() });
    patch_facility(store, id, &patch, source, who, actor, today).await?;
    Ok(())
}

/// An edit that does not say when its source verified the facts keeps the
/// date of the last verification: correcting a phone number does not make
/// the rest unverified (nor verified anew).
fn keep_verification(change: &mut Change, current: &Facility, stated: bool) {
    if !stated && change.verified_on.is_none() {
        change.verified_on = current.recorded.verified_on;
    }
}

async fn ensure_unique_name(conn: &mut WriteTx, name: &str, except: Option<i64>) -> AppResult<()> {
    match Store::organisation_ids_by_name(conn)
        .await?
        .get(&normalize_name(name))
    {
        Some(&other) if Some(other) != except => Err(AppError::conflict(
            "error.conflict.organisation_name_taken",
            &[("name", name.to_string()), ("id", other.to_string())],
        )
        .about("name")),
        _ => Ok(()),
    }
}

pub async fn create_organisation(
    store: &Store,
    input: &OrganisationInput,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    if !who.may_manage_register() {
        return Err(AppError::Forbidden("you may not add organisations".into()));
    }
    let (fields, change) = input.validate(source, today).map_err(AppError::Invalid)?;
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Register).await?;
        ensure_unique_name(&mut tx, &fields.name, None).await?;
        let id = Store::create_organisation(&mut tx, &fields, &change, actor).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

pub async fn patch_organisation(
    store: &Store,
    id: i64,
    patch: &Value,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<()> {
    if !who.may_edit_organisation(id) {
        return Err(AppError::Forbidden(format!(
            "you may not change organisation {id}"
        )));
    }
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Register).await?;
        let current = Store::organisation_in(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("organisation {id} does not exist")))?;
        let input = merged(&current.fields.to_input(), patch, "organisation")?;
        let (fields, change): (OrganisationFields, _) =
            input.validate(source, today).map_err(AppError::Invalid)?;
        ensure_unique_name(&mut tx, &fields.name, Some(id)).await?;
        admits(&current.validity, &change, today)?;
        Store::update_organisation(&mut tx, &current, &fields, &change, actor, today).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// A researcher's correction of the past (SECURITY.md, finding 2): the
/// facts that in fact held from `effective_from` (until `effective_until`,
/// or still), given as a merge patch onto the version in force on
/// `effective_from`, with a reason (`change_note`). The versions it covers
/// stay in the history, marked superseded. National roles only; audited as
/// `correct`. Returns the new version.
pub async fn correct_facility(
    store: &Store,
    id: i64,
    patch: &Value,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    if !who.may_manage_register() {
        return Err(AppError::Forbidden(
            "only researchers and admins may correct the past".into(),
        ));
    }
    let Some(fields) = patch.as_object() else {
        return Err(AppError::BadRequest(
            "the body must be a JSON object with effective_from, change_note and the fields to correct"
                .into(),
        ));
    };
    let day = |field: &str| -> AppResult<Option<Day>> {
        match fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Day::parse_iso(text)
                .map(Some)
                .map_err(|e| AppError::invalid(field, e.to_string())),
            Some(other) => Err(AppError::invalid(
                field,
                format!("{other} is not a date (YYYY-MM-DD)"),
            )),
        }
    };
    let from = day("effective_from")?.ok_or_else(|| {
        AppError::invalid(
            "effective_from",
            "give the first day the corrected facts held",
        )
    })?;
    if from > today {
        return Err(AppError::invalid(
            "effective_from",
            format!("{from} is in the future; a correction is of the past (change the facility instead)"),
        ));
    }
    let until = day("effective_until")?;
    if until.is_some_and(|u| u <= from) {
        return Err(AppError::invalid(
            "effective_until",
            format!("must be after effective_from {from}"),
        ));
    }
    if fields
        .get("change_note")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(AppError::invalid(
            "change_note",
            "say why the past is corrected; the reason stays in the history",
        ));
    }
    let mut patch = patch.clone();
    if let Some(object) = patch.as_object_mut() {
        object.remove("effective_until");
        // The stretch is the correction's, not a change's effective day.
        object.remove("effective_from");
    }
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Register).await?;
        let base = Store::facility_in_force(&mut tx, id, from.date())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "effective_from",
                    format!("facility {id} has no version in force on {from}"),
                )
            })?;
        let input = merged(
            &base.fields.to_input(base.organisation_id),
            &patch,
            "facility",
        )?;
        let draft = validate(&input, source, today)?;
        let stretch = Stretch {
            from: from.iso(),
            until: until.map_or_else(|| crate::storage::END.to_string(), Day::iso),
        };
        write_correction(tx, id, &stretch, &draft, actor).await
    })
    .await
}

/// Writes a validated correction over `stretch` in `tx` and commits.
async fn write_correction(
    mut tx: WriteTx,
    id: i64,
    stretch: &Stretch,
    draft: &FacilityDraft,
    actor: &Actor,
) -> AppResult<i64> {
    let organisation = organisation_id(&mut tx, &draft.organisation).await?;
    let version = Store::correct_facility(
        &mut tx,
        id,
        stretch,
        organisation,
        &draft.fields,
        &draft.change,
        actor,
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Repairs a stored version that cannot be read (written before a check
/// existed, or edited by hand in the database): the facts as a person
/// entered them again replace that version over the days it held, as a
/// correction that keeps the broken version in the history. National roles
/// only; `version` is the broken version the person saw.
#[allow(clippy::too_many_arguments)]
pub async fn repair_facility(
    store: &Store,
    id: i64,
    version: i64,
    input: &FacilityInput,
    source: &Source,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    if !who.may_manage_register() {
        return Err(AppError::Forbidden(
            "only researchers and admins may repair stored records".into(),
        ));
    }
    let raw = store
        .broken_facility_version(id)
        .await?
        .filter(|raw| raw.version == version)
        .ok_or_else(|| {
            AppError::conflict(
                "error.conflict.already_repaired",
                &[("version", version.to_string()), ("id", id.to_string())],
            )
        })?;
    let mut input = input.clone();
    // The stretch is the broken version's; a change's effective day has no place here.
    input.effective_from = None;
    if input.change_note.is_none() {
        input.change_note = Some(format!(
            "repair of stored {} '{}' that could not be read",
            raw.broken.column, raw.broken.value
        ));
    }
    let draft = validate(&input, source, today)?;
    let stretch = Stretch {
        from: raw.valid_from.clone(),
        until: raw.valid_to.clone(),
    };
    retrying(|| async {
        let tx = store.begin_write(Writes::Register).await?;
        write_correction(tx, id, &stretch, &draft, actor).await
    })
    .await
}
