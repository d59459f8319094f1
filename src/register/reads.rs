//! Reading the register as someone: what they may see (`Principal::may_see`,
//! the one rule for lists, single reads, pages and exports), with which
//! facts (public or internal), and the audit entry every read of non-public
//! data leaves. The API, the pages and the command line call these; no
//! handler reads the store or writes the audit log itself.

use chrono::NaiveDate;

use super::{refuse, scope};
use crate::domain::access::{InternalScope, Principal};
use crate::domain::broken::BrokenRow;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Facility;
use crate::domain::organisation::Organisation;
use crate::domain::provenance::Actor;
use crate::formats::json::Audience;
use crate::storage::audit::AuditEvent;
use crate::storage::broken::RawVersion;
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// Who reads: the signed-in principal, if any, and the actor the audit log
/// names (client address included).
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub who: Option<&'a Principal>,
    pub actor: &'a Actor,
}

impl Reader<'_> {
    /// Which non-public facilities a list for this reader may hold.
    pub fn internal_scope(&self) -> InternalScope {
        self.who
            .map_or(InternalScope::None, Principal::internal_scope)
    }

    /// Whether the reader may know the facility exists.
    pub fn may_see(&self, facility: &Facility) -> bool {
        match self.who {
            Some(p) => p.may_see(scope(facility)),
            None => facility.fields.public_access,
        }
    }

    /// The facts of a facility this reader may see.
    pub fn audience(&self, facility: &Facility) -> Audience {
        match self.who {
            Some(p) if p.may_read_internal(scope(facility)) => Audience::Internal,
            _ => Audience::Public,
        }
    }
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("facility {id} does not exist"))
}

/// The facilities of `filter` the reader may see, each with the facts they
/// may read; a read of internal facts is audited (one entry for the list).
/// `filter.internal` is set from the reader.
pub async fn list_facilities(
    store: &Store,
    reader: Reader<'_>,
    mut filter: FacilityFilter,
) -> AppResult<Vec<(Facility, Audience)>> {
    filter.internal = reader.internal_scope();
    let shown: Vec<(Facility, Audience)> = store
        .list_facilities(&filter)
        .await?
        .into_iter()
        .filter(|f| reader.may_see(f))
        .map(|f| {
            let audience = reader.audience(&f);
            (f, audience)
        })
        .collect();
    let internal: Vec<String> = shown
        .iter()
        .filter(|(_, a)| *a == Audience::Internal)
        .map(|(f, _)| f.id.to_string())
        .collect();
    if !internal.is_empty() {
        store
            .audit(
                &AuditEvent::new("read", reader.actor, "facility")
                    .object("list")
                    .detail(format!(
                        "internal data of facilities {}",
                        internal.join(",")
                    )),
            )
            .await?;
    }
    Ok(shown)
}

/// One facility as of `day` (or its current version), with the facts the
/// reader may read; a facility they may not know of does not exist (404).
pub async fn read_facility(
    store: &Store,
    reader: Reader<'_>,
    id: i64,
    day: Option<NaiveDate>,
) -> AppResult<(Facility, Audience)> {
    let facility = store
        .facility(id, day)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !reader.may_see(&facility) {
        return Err(not_found(id));
    }
    let audience = reader.audience(&facility);
    if audience == Audience::Internal {
        store
            .audit(&AuditEvent::new("read", reader.actor, "facility").object(id))
            .await?;
    }
    Ok((facility, audience))
}

/// A facility's current version with its internal facts, for someone who
/// may read them (staff pages); audited.
pub async fn read_facility_internal(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
) -> AppResult<Facility> {
    let facility = store
        .facility(id, None)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !who.may_read_internal(scope(&facility)) {
        return Err(refuse(who, scope(&facility), "read"));
    }
    store
        .audit(&AuditEvent::new("read", actor, "facility").object(id))
        .await?;
    Ok(facility)
}

/// Every version of a facility, oldest first, for someone who may read its
/// internal facts; audited.
pub async fn facility_history(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
) -> AppResult<Vec<Facility>> {
    let versions = store.facility_history(id).await?;
    let current = versions.last().ok_or_else(|| not_found(id))?;
    if !who.may_read_internal(scope(current)) {
        return Err(refuse(who, scope(current), "read the history of"));
    }
    store
        .audit(
            &AuditEvent::new("read", actor, "facility")
                .object(id)
                .detail("history"),
        )
        .await?;
    Ok(versions)
}

/// The staff list: the facilities of `filter` the person may see, and for
/// those who can repair them (national roles) the rows that cannot be
/// read; reading non-public facilities is audited.
pub async fn staff_list(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    mut filter: FacilityFilter,
    shown: usize,
) -> AppResult<(Vec<Facility>, Vec<BrokenRow>)> {
    filter.internal = who.internal_scope();
    let (all, unreadable) = store.list_facilities_checked(&filter).await?;
    let broken = if who.may_manage_register() {
        unreadable
    } else {
        unreadable.iter().for_each(BrokenRow::log);
        Vec::new()
    };
    let visible: Vec<Facility> = all.into_iter().filter(|f| who.may_see(scope(f))).collect();
    // Audited: the non-public facilities among those the page shows.
    let internal: Vec<String> = visible
        .iter()
        .take(shown)
        .filter(|f| !f.fields.public_access)
        .map(|f| f.id.to_string())
        .collect();
    if !internal.is_empty() {
        store
            .audit(
                &AuditEvent::new("read", actor, "facility")
                    .object("list")
                    .detail(format!("non-public facilities {}", internal.join(","))),
            )
            .await?;
    }
    Ok((visible, broken))
}

/// The full export of `filter` (internal notes included) for a national
/// role; audited as an export ("N facilities as of `what`").
pub async fn export_facilities(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    mut filter: FacilityFilter,
    what: &str,
) -> AppResult<Vec<Facility>> {
    filter.internal = who.internal_scope();
    filter.limit = None;
    let facilities: Vec<Facility> = store
        .list_facilities(&filter)
        .await?
        .into_iter()
        .filter(|f| who.may_see(scope(f)))
        .collect();
    store
        .audit(
            &AuditEvent::new("export", actor, "facility")
                .object("list")
                .detail(format!("{} facilities as of {what}", facilities.len())),
        )
        .await?;
    Ok(facilities)
}

/// The newest version of a facility that cannot be read, for someone who
/// may repair it (national roles); audited. `None`: nothing to repair.
pub async fn broken_version(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
) -> AppResult<Option<RawVersion>> {
    if !who.may_manage_register() {
        return Err(AppError::Forbidden(
            "only researchers and admins repair records".into(),
        ));
    }
    let Some(raw) = store.broken_facility_version(id).await? else {
        store
            .facility(id, None)
            .await?
            .ok_or_else(|| not_found(id))?;
        return Ok(None);
    };
    store
        .audit(
            &AuditEvent::new("read", actor, "facility")
                .object(id)
                .detail(format!("unreadable version {} for repair", raw.version)),
        )
        .await?;
    Ok(Some(raw))
}

/// The organisations as of `day` (or their current versions), each with
/// the facts the reader may read; reading contact details is audited (one
/// entry for the list).
pub async fn list_organisations(
    store: &Store,
    reader: Reader<'_>,
    day: Option<NaiveDate>,
) -> AppResult<Vec<(Organisation, Audience)>> {
    let shown: Vec<(Organisation, Audience)> = store
        .list_organisations(day)
        .await?
        .into_iter()
        .map(|o| {
            let audience = organisation_audience(reader, o.id);
            (o, audience)
        })
        .collect();
    let internal: Vec<String> = shown
        .iter()
        .filter(|(_, a)| *a == Audience::Internal)
        .map(|(o, _)| o.id.to_string())
        .collect();
    if !internal.is_empty() {
        store
            .audit(
                &AuditEvent::new("read", reader.actor, "organisation")
                    .object("list")
                    .detail(format!(
                        "contact details of organisations {}",
                        internal.join(",")
                    )),
            )
            .await?;
    }
    Ok(shown)
}

/// The current organisations with their public facts (names, kinds,
/// websites), for choosing one; nothing internal, so not audited.
pub async fn organisation_choices(store: &Store) -> AppResult<Vec<Organisation>> {
    Ok(store.list_organisations(None).await?)
}

fn organisation_audience(reader: Reader<'_>, id: i64) -> Audience {
    match reader.who {
        Some(p) if p.may_read_organisation_internal(id) => Audience::Internal,
        _ => Audience::Public,
    }
}

/// An organisation as of `day` (or its current version), with the facts
/// the reader may read; reading contact details is audited.
pub async fn read_organisation(
    store: &Store,
    reader: Reader<'_>,
    id: i64,
    day: Option<NaiveDate>,
) -> AppResult<(Organisation, Audience)> {
    let organisation = store
        .organisation(id, day)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {id} does not exist")))?;
    let audience = organisation_audience(reader, id);
    if audience == Audience::Internal {
        store
            .audit(&AuditEvent::new("read", reader.actor, "organisation").object(id))
            .await?;
    }
    Ok((organisation, audience))
}

/// An organisation's current version for someone who may keep it (its
/// form); audited. Others are refused: that it exists is public.
pub async fn editable_organisation(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
) -> AppResult<Organisation> {
    let organisation = store
        .organisation(id, None)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {id} does not exist")))?;
    if !who.may_edit_organisation(id) {
        return Err(AppError::Forbidden(format!(
            "you may not change organisation {id}"
        )));
    }
    store
        .audit(&AuditEvent::new("read", actor, "organisation").object(id))
        .await?;
    Ok(organisation)
}

/// Every version of an organisation, oldest first, for someone who may
/// read its internal facts; audited.
pub async fn organisation_history(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
) -> AppResult<Vec<Organisation>> {
    let versions = store.organisation_history(id).await?;
    if versions.is_empty() {
        return Err(AppError::NotFound(format!(
            "organisation {id} does not exist"
        )));
    }
    if !who.may_read_organisation_internal(id) {
        return Err(AppError::Forbidden(format!(
            "you may not read the history of organisation {id}"
        )));
    }
    store
        .audit(
            &AuditEvent::new("read", actor, "organisation")
                .object(id)
                .detail("history"),
        )
        .await?;
    Ok(versions)
}

/// A facility's current version as stored, for a use case that checks
/// who may do what with it next (a form, a write's answer); `None` when
/// there is no such facility. Not audited: what is shown of it is read
/// through the audited operations above.
pub async fn current_facility(store: &Store, id: i64) -> AppResult<Option<Facility>> {
    Ok(store.facility(id, None).await?)
}

/// A publicly accessible facility as of `day`, for the public pages.
pub async fn public_facility(
    store: &Store,
    id: i64,
    day: NaiveDate,
) -> AppResult<Option<Facility>> {
    Ok(store
        .facility(id, Some(day))
        .await?
        .filter(|f| f.fields.public_access))
}

/// The public facilities open on `day`, for open data.
pub async fn open_public_facilities(store: &Store, day: NaiveDate) -> AppResult<Vec<Facility>> {
    Ok(store
        .list_facilities(&FacilityFilter {
            as_of: Some(day),
            status: Some(crate::domain::facility::FacilityStatus::Open),
            ..FacilityFilter::default()
        })
        .await?)
}

/// Version `version` of a facility (the one a form was filled from), if
/// it exists.
pub async fn facility_version(store: &Store, id: i64, version: i64) -> AppResult<Option<Facility>> {
    Ok(store
        .facility_history(id)
        .await?
        .into_iter()
        .find(|f| f.validity.version == version))
}

/// An organisation's current version as stored; see [`current_facility`].
pub async fn current_organisation(store: &Store, id: i64) -> AppResult<Option<Organisation>> {
    Ok(store.organisation(id, None).await?)
}

/// Version `version` of an organisation, if it exists.
pub async fn organisation_version(
    store: &Store,
    id: i64,
    version: i64,
) -> AppResult<Option<Organisation>> {
    Ok(store
        .organisation_history(id)
        .await?
        .into_iter()
        .find(|o| o.validity.version == version))
}
