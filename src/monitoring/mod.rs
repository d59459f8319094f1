//! Monitoring: what the services do. The metric catalogue, tallies at the
//! desk and (in `reports`) period reports with their approval. Every entry
//! point (API, pages, command line, imports) comes through here: check who
//! asks, validate, write with its audit entry in one transaction.

pub mod desk;
pub mod import;
pub mod stats;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Facility;
use crate::domain::metric::{Metric, MetricCode, MetricInput};
use crate::domain::provenance::Actor;
use crate::domain::tally::{Tally, TallyInput};
use crate::domain::{FieldError, Reason};
use crate::register::scope;
use crate::storage::audit::AuditEvent;
use crate::storage::write::Writes;
use crate::storage::Store;

pub mod completeness;
pub mod report_import;
pub mod reports;

/// How many tallies one call takes at most (a device that was offline for
/// a long shift sends them in batches of at most this many).
pub const BATCH_MAX: usize = 1000;

/// The catalogue, retired metrics included (they keep their data).
pub async fn metrics(store: &Store) -> AppResult<Vec<Metric>> {
    Ok(store.metrics().await?)
}

fn allowed(who: &Principal) -> AppResult<()> {
    if who.may_manage_monitoring() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "your role ({}) may not change the metric catalogue",
            who.role
        )))
    }
}

/// Adds a metric to the catalogue.
pub async fn add_metric(
    store: &Store,
    input: &MetricInput,
    who: &Principal,
    actor: &Actor,
) -> AppResult<Metric> {
    allowed(who)?;
    let metric = input.validate().map_err(AppError::Invalid)?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    if !Store::insert_metric(&mut tx, &metric, true).await? {
        return Err(AppError::conflict(
            "error.conflict.metric_exists",
            &[("code", metric.code.to_string())],
        )
        .about("code"));
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("create", actor, "metric")
            .object(metric.code.as_str())
            .after(serde_json::to_value(&metric).ok()),
    )
    .await?;
    tx.commit().await?;
    Ok(metric)
}

/// Retires a metric: no new values; its data and history stay.
pub async fn retire_metric(
    store: &Store,
    code: &str,
    who: &Principal,
    actor: &Actor,
) -> AppResult<()> {
    allowed(who)?;
    let code = MetricCode::parse(code)
        .map_err(|reason| AppError::Invalid(vec![FieldError::because("code", reason)]))?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    if !Store::retire_metric(&mut tx, &code).await? {
        return Err(AppError::NotFound(format!(
            "there is no metric '{code}' in use"
        )));
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("retire", actor, "metric").object(code.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a batch of tallies did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TallyReceipt {
    pub received: usize,
    /// Stored now.
    pub stored: u64,
    /// Sent before (the same ids): not counted again.
    pub repeated: u64,
}

/// Records a batch of tallies, all or none: each is checked (fields, a
/// facility the caller may report for, a metric in use that its services
/// have); errors name the tally by its place in the batch
/// (`tallies[3].amount`). Ids stored before are skipped, so a device may
/// send a batch again after a lost answer.
pub async fn record_tallies(
    store: &Store,
    inputs: &[TallyInput],
    who: &Principal,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<TallyReceipt> {
    if inputs.is_empty() || inputs.len() > BATCH_MAX {
        return Err(AppError::Invalid(vec![FieldError::because(
            "tallies",
            Reason::of("error.tally_batch", &[("max", BATCH_MAX.to_string())]),
        )]));
    }
    let catalogue: HashMap<String, Metric> = store
        .metrics()
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m))
        .collect();
    let mut facilities: HashMap<i64, Option<Facility>> = HashMap::new();
    let mut errors = Vec::new();
    let mut tallies = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let at = |field: &str| format!("tallies[{i}].{field}");
        let tally = match input.validate(now) {
            Ok(tally) => tally,
            Err(fields) => {
                errors.extend(
                    fields
                        .into_iter()
                        .map(|e| FieldError::because(at(&e.field), e.reason)),
                );
                continue;
            }
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = facilities.entry(tally.facility_id)
        {
            slot.insert(crate::register::reads::current_facility(store, tally.facility_id).await?);
        }
        let facility = facilities[&tally.facility_id].as_ref();
        match facility {
            Some(f) if who.may_report_for(scope(f)) => {}
            _ => {
                errors.push(FieldError::because(
                    at("facility_id"),
                    Reason::of(
                        "error.tally_facility",
                        &[("id", tally.facility_id.to_string())],
                    ),
                ));
                continue;
            }
        }
        if let Err(reason) = fits(&catalogue, &tally, facility) {
            errors.push(FieldError::because(at("metric"), reason));
            continue;
        }
        tallies.push(tally);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = store.begin_write(Writes::Audit).await?;
    let stored = Store::insert_tallies(&mut tx, &tallies, &actor.name).await?;
    if stored > 0 {
        let mut per_facility: Vec<i64> = tallies.iter().map(|t| t.facility_id).collect();
        per_facility.sort_unstable();
        per_facility.dedup();
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("create", actor, "tally")
                .object(
                    per_facility
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                )
                .after(Some(json!({ "tallies": stored }))),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(TallyReceipt {
        received: inputs.len(),
        stored,
        repeated: tallies.len() as u64 - stored,
    })
}

/// Whether a metric may take a value from this facility: it exists, is
/// in use, and one of the facility's services has it.
pub fn fits(
    catalogue: &HashMap<String, Metric>,
    tally: &Tally,
    facility: Option<&Facility>,
) -> Result<(), Reason> {
    let code = || tally.metric.to_string();
    match catalogue.get(tally.metric.as_str()) {
        None => Err(Reason::of("error.metric_unknown", &[("value", code())])),
        Some(m) if m.retired_at.is_some() => {
            Err(Reason::of("error.metric_retired", &[("value", code())]))
        }
        Some(m) if !facility.is_some_and(|f| m.applies_to(f.fields.services)) => {
            Err(Reason::of("error.metric_not_offered", &[("value", code())]))
        }
        Some(_) => Ok(()),
    }
}
