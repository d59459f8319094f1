//! The desk: what a person counts at (the facilities they may report for,
//! with the metrics of their services), the day's running totals, and
//! taking a tally back within a minute of counting it (by who counted it).
//! Recording itself is `record_tallies`, shared with the API and imports.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::metric::Metric;
use crate::domain::provenance::Actor;
use crate::domain::tally::{may_undo, UNDO_SECONDS};
use crate::domain::FieldError;
use crate::domain::Reason;
use crate::register::scope;
use crate::storage::audit::AuditEvent;
use crate::storage::facilities::FacilityFilter;
use crate::storage::write::Writes;
use crate::storage::Store;

/// A facility one may count at, with the metrics in use its services have.
#[derive(Debug, Clone)]
pub struct DeskFacility {
    pub id: i64,
    pub name: String,
    pub city: String,
    pub metrics: Vec<Metric>,
}

/// The facilities `who` may count at that have at least one metric in use,
/// by name.
pub async fn desk_facilities(store: &Store, who: &Principal) -> AppResult<Vec<DeskFacility>> {
    let filter = FacilityFilter {
        internal: who.internal_scope(),
        ..FacilityFilter::default()
    };
    let (facilities, _) = store.list_facilities_checked(&filter).await?;
    let catalogue: Vec<Metric> = store
        .metrics()
        .await?
        .into_iter()
        .filter(|m| m.retired_at.is_none())
        .collect();
    let mut desk: Vec<DeskFacility> = facilities
        .into_iter()
        .filter(|f| who.may_report_for(scope(f)))
        .map(|f| DeskFacility {
            id: f.id,
            metrics: catalogue
                .iter()
                .filter(|m| m.applies_to(f.fields.services))
                .cloned()
                .collect(),
            name: f.fields.name.clone(),
            city: f.fields.city.clone().unwrap_or_default(),
        })
        .filter(|f| !f.metrics.is_empty())
        .collect();
    desk.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(desk)
}

/// One metric's total of a day.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DayTotal {
    #[schema(example = "syringes_out")]
    pub metric: String,
    pub total: i64,
}

/// A facility's running totals on a Dutch day, for whom may count there;
/// a read of non-public figures, so audited.
pub async fn day_totals(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    facility_id: i64,
    day: NaiveDate,
) -> AppResult<Vec<DayTotal>> {
    let facility = crate::register::reads::current_facility(store, facility_id).await?;
    if !facility.is_some_and(|f| who.may_report_for(scope(&f))) {
        return Err(AppError::Invalid(vec![FieldError::because(
            "facility_id",
            Reason::of("error.tally_facility", &[("id", facility_id.to_string())]),
        )]));
    }
    let totals = store.day_totals(facility_id, day).await?;
    store
        .audit(
            &AuditEvent::new("read", actor, "tally")
                .object(facility_id)
                .detail(format!("totals of {day}")),
        )
        .await?;
    Ok(totals
        .into_iter()
        .map(|(metric, total)| DayTotal { metric, total })
        .collect())
}

/// Takes a tally back: only who counted it, and only within
/// [`UNDO_SECONDS`] of recording it; audited with what it was.
pub async fn undo_tally(
    store: &Store,
    id: &str,
    who: &Principal,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut tx = store.begin_write(Writes::Audit).await?;
    let Some(tally) = Store::tally(&mut tx, id).await? else {
        return Err(AppError::NotFound(format!("there is no tally '{id}'")));
    };
    if tally.recorded_by != who.name {
        return Err(AppError::Forbidden(crate::domain::text::text(
            crate::domain::language::Language::En,
            "error.tally_undo_other",
            &[("id", id.to_string())],
        )));
    }
    if !may_undo(&tally.recorded_at, now) {
        return Err(AppError::conflict(
            "error.tally_undo_late",
            &[
                ("id", id.to_string()),
                ("seconds", UNDO_SECONDS.to_string()),
            ],
        )
        .about("id"));
    }
    Store::delete_tally(&mut tx, id).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("undo", actor, "tally")
            .object(id)
            .before(Some(json!({
                "facility_id": tally.facility_id,
                "metric": tally.metric,
                "amount": tally.amount,
                "recorded_at": tally.recorded_at,
            }))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
