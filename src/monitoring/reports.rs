//! Period reports' use cases: read a facility's report for a period
//! (prefilled from its tallies), set values (every change kept and
//! audited), submit (warnings need a note; untyped metrics take their
//! tally sums), approve (locks), reopen (with a reason). Lists and the
//! completeness of a period are in `completeness.rs`.
//! The rules are in `domain::period_report`; who may do what in
//! `domain::access`. Reads of reports are non-public and audited.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::access::{FacilityScope, Principal};
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Facility;
use crate::domain::metric::{Metric, Period};
use crate::domain::period_report::{
    unconfirmed, value_field, warnings, ReportFacts, ReportStatus, ValueInput, HISTORY_PERIODS,
};
use crate::domain::provenance::Actor;
use crate::domain::{FieldError, Reason};
use crate::register::{refuse, scope};
use crate::storage::audit::AuditEvent;
use crate::storage::period_reports::StoredReport;
use crate::storage::write::{WriteTx, Writes};
use crate::storage::Store;

/// One metric's line of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportLine {
    pub metric: String,
    pub name_nl: String,
    pub name_en: String,
    pub unit: String,
    /// The value someone typed (or a file gave).
    pub value: Option<i64>,
    pub note: Option<String>,
    /// The tallies' sum over the period, shown while no value is typed.
    pub from_tallies: Option<i64>,
    /// Why the value needs a confirming note, in English.
    pub warning: Option<String>,
}

/// One change of one value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeView {
    pub metric: String,
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub changed_by: String,
    pub changed_at: String,
}

/// A facility's report for a period as people see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub facility_id: i64,
    pub facility_name: String,
    #[schema(value_type = String, example = "2025-03")]
    pub period: Period,
    pub status: ReportStatus,
    /// Whether anything is stored yet (a fresh period is an empty draft).
    pub stored: bool,
    pub source: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub reopened_reason: Option<String>,
    pub lines: Vec<ReportLine>,
    pub changes: Vec<ChangeView>,
    /// Warnings with their reason in the reader's language are built by
    /// the pages from these codes.
    #[serde(skip)]
    #[schema(ignore)]
    pub warnings: Vec<(String, Reason)>,
}

/// Values as sent to set or submit.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    #[serde(default)]
    pub values: Vec<ValueInput>,
}

pub(super) fn parse_period(text: &str) -> AppResult<Period> {
    Period::parse(text).map_err(|r| AppError::Invalid(vec![FieldError::because("period", r)]))
}

async fn facility(store: &Store, id: i64) -> AppResult<Facility> {
    crate::register::reads::current_facility(store, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("facility {id} does not exist")))
}

fn object(facility_id: i64, period: Period) -> String {
    format!("{facility_id}/{period}")
}

/// The facility's earlier values per metric, same kind of period, newest first.
async fn history(
    store: &Store,
    facility_id: i64,
    period: Period,
) -> AppResult<BTreeMap<String, Vec<i64>>> {
    let mut found: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (p, metric, value) in store.report_history(facility_id).await? {
        if p.kind() == period.kind() && p < period {
            let list = found.entry(metric).or_default();
            if list.len() < HISTORY_PERIODS {
                list.push(value);
            }
        }
    }
    Ok(found)
}

/// The view of a report as stored (or an empty draft), prefilled.
/// The facility and period a call names, once it is clear the caller may
/// do `what` for that facility (`may`, a rule of `domain::access`).
async fn facility_for(
    store: &Store,
    who: &Principal,
    facility_id: i64,
    period: &str,
    may: fn(&Principal, FacilityScope) -> bool,
    what: &str,
) -> AppResult<(Facility, Period)> {
    let period = parse_period(period)?;
    let f = facility(store, facility_id).await?;
    if !may(who, scope(&f)) {
        return Err(refuse(who, scope(&f), what));
    }
    Ok((f, period))
}

/// The facility's report for the period as stored now, as a view.
async fn stored_view(
    store: &Store,
    f: &Facility,
    period: Period,
    catalogue: &[Metric],
    today: NaiveDate,
) -> AppResult<ReportView> {
    let report = store.period_report(f.id, period).await?;
    view(store, f, period, report, catalogue, today).await
}

async fn view(
    store: &Store,
    f: &Facility,
    period: Period,
    report: Option<StoredReport>,
    catalogue: &[Metric],
    today: NaiveDate,
) -> AppResult<ReportView> {
    let tallies: BTreeMap<String, i64> = store
        .tally_sums(f.id, period.start(), period.end())
        .await?
        .into_iter()
        .collect();
    let facts = ReportFacts::of(f, catalogue, today);
    let typed: BTreeMap<String, (i64, Option<String>)> = report
        .as_ref()
        .map(|r| r.values.clone())
        .unwrap_or_default();
    let effective = effective_values(&typed, &tallies);
    let found = warnings(&effective, &history(store, f.id, period).await?);
    let mut metrics: Vec<&Metric> = facts.metrics();
    // A value of a metric retired since stays visible.
    for code in typed.keys() {
        if !metrics.iter().any(|m| m.code.as_str() == code) {
            if let Some(m) = catalogue.iter().find(|m| m.code.as_str() == code) {
                metrics.push(m);
            }
        }
    }
    let lines = metrics
        .iter()
        .map(|m| {
            let code = m.code.as_str();
            let (value, note) = match typed.get(code) {
                Some((v, n)) => (Some(*v), n.clone()),
                None => (None, None),
            };
            ReportLine {
                metric: code.to_string(),
                name_nl: m.name_nl.clone(),
                name_en: m.name_en.clone(),
                unit: m.unit.clone(),
                value,
                note,
                from_tallies: tallies.get(code).copied(),
                warning: found
                    .iter()
                    .find(|w| w.metric == code)
                    .map(|w| w.reason.english()),
            }
        })
        .collect();
    let changes = match &report {
        Some(r) => store
            .report_changes(r.id)
            .await?
            .into_iter()
            .map(|c| ChangeView {
                metric: c.metric,
                before: c.before,
                after: c.after,
                changed_by: c.changed_by,
                changed_at: c.changed_at,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(ReportView {
        facility_id: f.id,
        facility_name: f.fields.name.clone(),
        period,
        status: report.as_ref().map_or(ReportStatus::Draft, |r| r.status),
        stored: report.is_some(),
        source: report.as_ref().map(|r| r.source.clone()),
        submitted_at: report.as_ref().and_then(|r| r.submitted_at.clone()),
        submitted_by: report.as_ref().and_then(|r| r.submitted_by.clone()),
        approved_at: report.as_ref().and_then(|r| r.approved_at.clone()),
        approved_by: report.as_ref().and_then(|r| r.approved_by.clone()),
        reopened_reason: report.as_ref().and_then(|r| r.reopened_reason.clone()),
        lines,
        changes,
        warnings: found.into_iter().map(|w| (w.metric, w.reason)).collect(),
    })
}

/// Typed values, and the tally sums of the metrics nobody typed.
fn effective_values(
    typed: &BTreeMap<String, (i64, Option<String>)>,
    tallies: &BTreeMap<String, i64>,
) -> BTreeMap<String, i64> {
    let mut values: BTreeMap<String, i64> = tallies.clone();
    for (metric, (v, _)) in typed {
        values.insert(metric.clone(), *v);
    }
    values
}

/// A facility's report for a period, for someone who may report for it or
/// read it; audited.
pub async fn read_report(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    facility_id: i64,
    period: &str,
    today: NaiveDate,
) -> AppResult<ReportView> {
    let (f, period) = facility_for(
        store,
        who,
        facility_id,
        period,
        Principal::may_report_for,
        "read the reports of",
    )
    .await?;
    let catalogue = store.metrics().await?;
    let report = store.period_report(f.id, period).await?;
    store
        .audit(&AuditEvent::new("read", actor, "period_report").object(object(f.id, period)))
        .await?;
    view(store, &f, period, report, &catalogue, today).await
}

/// The hard checks of a period and its values: all errors at once, named
/// by field; a metric given twice is refused.
fn check_inputs(facts: &ReportFacts<'_>, period: Period, inputs: &[ValueInput]) -> AppResult<()> {
    facts
        .check_period(period)
        .map_err(|r| AppError::Invalid(vec![FieldError::because("period", r)]))?;
    let errors: Vec<FieldError> = inputs
        .iter()
        .filter_map(|i| facts.check_value(i).err())
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut seen = std::collections::HashSet::new();
    for i in inputs {
        if !seen.insert(i.metric.as_str()) {
            return Err(AppError::Invalid(vec![FieldError::because(
                value_field(&i.metric),
                Reason::of("error.report_metric_twice", &[("value", i.metric.clone())]),
            )]));
        }
    }
    Ok(())
}

/// Checks and writes values into an open write transaction: the period,
/// every value (all errors at once), the lock; each change kept and in
/// the audit log. A submitted report that changes goes back to draft.
#[allow(clippy::too_many_arguments)]
async fn write_values(
    tx: &mut WriteTx,
    f: &Facility,
    period: Period,
    inputs: &[ValueInput],
    catalogue: &[Metric],
    today: NaiveDate,
    actor: &Actor,
    source: &str,
) -> AppResult<(i64, ReportStatus)> {
    check_inputs(&ReportFacts::of(f, catalogue, today), period, inputs)?;
    let existing = Store::period_report_in(tx, f.id, period).await?;
    if let Some(r) = &existing {
        if !r.status.editable() {
            return Err(locked(period));
        }
    }
    let id = Store::ensure_period_report(tx, f.id, period, source, &actor.name).await?;
    let mut status = existing.as_ref().map_or(ReportStatus::Draft, |r| r.status);
    let mut changed = Vec::new();
    for i in inputs {
        let note = i.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if let Some(c) =
            Store::set_report_value(tx, id, &i.metric, i.value, note, &actor.name).await?
        {
            changed.push(json!({"metric": c.metric, "before": c.before, "after": c.after}));
        }
    }
    if !changed.is_empty() {
        if status == ReportStatus::Submitted {
            status = ReportStatus::Draft;
            Store::set_report_status(tx, id, status, &actor.name, None, None).await?;
        }
        Store::append_audit(
            tx,
            &AuditEvent::new("update", actor, "period_report")
                .object(object(f.id, period))
                .after(Some(json!({ "changes": changed }))),
        )
        .await?;
    }
    Ok((id, status))
}

fn locked(period: Period) -> AppError {
    AppError::conflict("error.report_locked", &[("period", period.to_string())])
}

/// Sets values of a facility's report (creating the draft), for someone
/// who may report for it.
pub async fn set_values(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    facility_id: i64,
    period: &str,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<ReportView> {
    let (f, period) = facility_for(
        store,
        who,
        facility_id,
        period,
        Principal::may_report_for,
        "report for",
    )
    .await?;
    let catalogue = store.metrics().await?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    write_values(
        &mut tx,
        &f,
        period,
        &input.values,
        &catalogue,
        today,
        actor,
        "form",
    )
    .await?;
    tx.commit().await?;
    stored_view(store, &f, period, &catalogue, today).await
}

/// How a report is submitted: by whom, from where, and whether a national
/// role approves it at once (an import with `--approve`).
pub struct Submission<'a> {
    pub source: &'a str,
    pub approve: bool,
}

/// Sets the values given, then submits: metrics nobody typed take their
/// tally sums; every warning needs a note (errors on `values.X.note`).
/// All or nothing.
pub async fn submit(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    facility_id: i64,
    period: &str,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<ReportView> {
    let period = parse_period(period)?;
    let f = facility(store, facility_id).await?;
    let catalogue = store.metrics().await?;
    let submission = Submission {
        source: "form",
        approve: false,
    };
    submit_checked(
        store,
        who,
        actor,
        &f,
        period,
        &input.values,
        &catalogue,
        today,
        &submission,
    )
    .await?;
    stored_view(store, &f, period, &catalogue, today).await
}

/// The checks that submitting needs before writing: the warnings of the
/// values as they will stand, confirmed by notes (typed now or stored).
pub(crate) async fn pending_warnings(
    store: &Store,
    f: &Facility,
    period: Period,
    inputs: &[ValueInput],
) -> AppResult<Vec<FieldError>> {
    let stored = store.period_report(f.id, period).await?;
    let mut typed: BTreeMap<String, (i64, Option<String>)> =
        stored.map(|r| r.values).unwrap_or_default();
    for i in inputs {
        match i.value {
            Some(v) => {
                typed.insert(i.metric.clone(), (v, i.note.clone()));
            }
            None => {
                typed.remove(&i.metric);
            }
        }
    }
    let tallies: BTreeMap<String, i64> = store
        .tally_sums(f.id, period.start(), period.end())
        .await?
        .into_iter()
        .collect();
    let values = effective_values(&typed, &tallies);
    let notes: BTreeMap<String, String> = typed
        .iter()
        .filter_map(|(m, (_, n))| n.clone().map(|n| (m.clone(), n)))
        .collect();
    let found = warnings(&values, &history(store, f.id, period).await?);
    Ok(unconfirmed(&found, &notes))
}

/// Submits (and with `approve` approves) one facility's report: the
/// shared path of the form, the API and the import.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn submit_checked(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    f: &Facility,
    period: Period,
    inputs: &[ValueInput],
    catalogue: &[Metric],
    today: NaiveDate,
    how: &Submission<'_>,
) -> AppResult<()> {
    if !who.may_report_for(scope(f)) {
        return Err(refuse(who, scope(f), "report for"));
    }
    if how.approve && !who.may_approve_for(scope(f)) {
        return Err(refuse(who, scope(f), "approve reports of"));
    }
    check_inputs(&ReportFacts::of(f, catalogue, today), period, inputs)?;
    let unconfirmed = pending_warnings(store, f, period, inputs).await?;
    if !unconfirmed.is_empty() {
        return Err(AppError::Invalid(unconfirmed));
    }
    let tallies = store.tally_sums(f.id, period.start(), period.end()).await?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    let (id, status) = write_values(
        &mut tx, f, period, inputs, catalogue, today, actor, how.source,
    )
    .await?;
    // The tally sums become the values of the metrics nobody typed.
    let now = Store::period_report_in(&mut tx, f.id, period)
        .await?
        .map(|r| r.values)
        .unwrap_or_default();
    let facts = ReportFacts::of(f, catalogue, today);
    let offered: Vec<&str> = facts.metrics().iter().map(|m| m.code.as_str()).collect();
    for (metric, sum) in tallies {
        if !now.contains_key(&metric) && offered.contains(&metric.as_str()) {
            Store::set_report_value(
                &mut tx,
                id,
                &metric,
                Some(sum.min(crate::domain::metric::VALUE_MAX)),
                Some("uit turven / from tallies"),
                &actor.name,
            )
            .await?;
        }
    }
    let next = status.submit().map_err(|r| {
        AppError::Conflict(crate::domain::error::Conflict {
            field: None,
            reason: r,
        })
    })?;
    let source = (how.source != "form").then_some(how.source);
    Store::set_report_status(&mut tx, id, next, &actor.name, None, source).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("submit", actor, "period_report").object(object(f.id, period)),
    )
    .await?;
    if how.approve {
        Store::set_report_status(&mut tx, id, ReportStatus::Approved, &actor.name, None, None)
            .await?;
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("approve", actor, "period_report").object(object(f.id, period)),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Approves a submitted report, which locks it.
pub async fn approve(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    facility_id: i64,
    period: &str,
    today: NaiveDate,
) -> AppResult<ReportView> {
    let (f, period) = facility_for(
        store,
        who,
        facility_id,
        period,
        Principal::may_approve_for,
        "approve reports of",
    )
    .await?;
    move_status(store, &f, period, actor, |s| s.approve(), "approve", None).await?;
    let catalogue = store.metrics().await?;
    stored_view(store, &f, period, &catalogue, today).await
}

/// Reopens an approved report, with a reason (national roles only).
pub async fn reopen(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    facility_id: i64,
    period: &str,
    reason: &str,
    today: NaiveDate,
) -> AppResult<ReportView> {
    let period = parse_period(period)?;
    let f = facility(store, facility_id).await?;
    if !who.may_manage_monitoring() {
        return Err(AppError::Forbidden(format!(
            "your role ({}) may not reopen reports",
            who.role
        )));
    }
    if reason.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::because(
            "reason",
            Reason::of("error.report_reopen_reason", &[]),
        )]));
    }
    move_status(
        store,
        &f,
        period,
        actor,
        |s| s.reopen(reason),
        "reopen",
        Some(reason.trim()),
    )
    .await?;
    let catalogue = store.metrics().await?;
    stored_view(store, &f, period, &catalogue, today).await
}

async fn move_status(
    store: &Store,
    f: &Facility,
    period: Period,
    actor: &Actor,
    step: impl Fn(ReportStatus) -> Result<ReportStatus, Reason>,
    event: &str,
    reason: Option<&str>,
) -> AppResult<()> {
    let mut tx = store.begin_write(Writes::Audit).await?;
    let report = Store::period_report_in(&mut tx, f.id, period)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "there is no report of facility {} for {period}",
                f.id
            ))
        })?;
    let next = step(report.status).map_err(|reason| {
        AppError::Conflict(crate::domain::error::Conflict {
            field: None,
            reason,
        })
    })?;
    Store::set_report_status(&mut tx, report.id, next, &actor.name, reason, None).await?;
    let mut entry = AuditEvent::new(event, actor, "period_report").object(object(f.id, period));
    if let Some(reason) = reason {
        entry = entry.detail(reason);
    }
    Store::append_audit(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
