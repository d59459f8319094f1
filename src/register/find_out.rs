//! What is left to find out about the register (issue 14): facilities whose
//! operator nobody has named, facilities no source has confirmed for over a
//! year (or ever), and facilities whose organisation has no contact a
//! campaign could mail. The list the inventory's phone calls and website
//! checks start from; national work.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::provenance::Actor;
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// A confirmation older than this many days is due again.
pub const STALE_AFTER_DAYS: i64 = 365;

/// Why a facility is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No organisation is known to run it.
    OperatorUnknown,
    /// No source ever confirmed its facts.
    NeverVerified,
    /// The last confirmation is more than [`STALE_AFTER_DAYS`] old.
    NotVerifiedForAYear,
    /// Its organisation has no contact (none, or all erased or opted out).
    NoContact,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::OperatorUnknown => "operator_unknown",
            Reason::NeverVerified => "never_verified",
            Reason::NotVerifiedForAYear => "not_verified_for_a_year",
            Reason::NoContact => "no_contact",
        }
    }
}

/// A facility to find out about, and why.
#[derive(Debug, Clone)]
pub struct ToFindOut {
    pub facility: Facility,
    pub reasons: Vec<Reason>,
}

/// Why `facility` needs finding out on `today`; empty when nothing does.
/// `reachable`: the organisations with a contact.
pub fn reasons(
    facility: &Facility,
    today: NaiveDate,
    reachable: &std::collections::HashSet<i64>,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    match facility.organisation_id {
        None => reasons.push(Reason::OperatorUnknown),
        Some(id) if !reachable.contains(&id) => reasons.push(Reason::NoContact),
        Some(_) => {}
    }
    match facility.recorded.verified_on {
        None => reasons.push(Reason::NeverVerified),
        Some(day) if (today - day.date()).num_days() > STALE_AFTER_DAYS => {
            reasons.push(Reason::NotVerifiedForAYear)
        }
        Some(_) => {}
    }
    reasons
}

/// Every facility that is open or planned today and has something to find
/// out, operators unknown first, then the longest unconfirmed. Non-public
/// facilities among them are national roles' to read, and the read is
/// audited as any staff list is.
pub async fn to_find_out(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Vec<ToFindOut>> {
    if !who.may_manage_register() {
        return Err(AppError::Forbidden(
            "finding out about the register is national work".into(),
        ));
    }
    let filter = FacilityFilter {
        as_of: Some(today),
        ..FacilityFilter::default()
    };
    let (facilities, _) = super::reads::staff_list(store, who, actor, filter, usize::MAX).await?;
    let reachable = store.organisations_with_contacts().await?;
    let mut list: Vec<ToFindOut> = facilities
        .into_iter()
        .filter(|f| f.status_on(today) != FacilityStatus::Closed)
        .filter_map(|facility| {
            let reasons = reasons(&facility, today, &reachable);
            (!reasons.is_empty()).then_some(ToFindOut { facility, reasons })
        })
        .collect();
    list.sort_by_key(|t| {
        (
            t.facility.organisation_id.is_some(),
            t.facility.recorded.verified_on,
            t.facility.fields.name.clone(),
        )
    });
    Ok(list)
}
