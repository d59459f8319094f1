//! Changing inventory rounds and loading published figures: check who asks,
//! validate, and record the change with its audit entry in one transaction.
//! The API, the pages and the command line all come through here.

pub mod report;
pub mod table1;

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};

use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::provenance::Actor;
use crate::domain::round::{
    check_at_least, parse_reason, CountOverride, OverrideInput, Round, RoundInput, RoundStatus,
};
use crate::domain::table1::{Table1, Table1Row};
use crate::formats::figures::read_figures;
use crate::formats::RowIssue;
use crate::rounds::table1::round;
use crate::storage::audit::AuditEvent;
use crate::storage::figures::Stored;
use crate::storage::write::Writes;
use crate::storage::Store;

fn allowed(who: &Principal) -> AppResult<()> {
    if who.may_manage_rounds() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "your role ({}) may not manage inventory rounds",
            who.role
        )))
    }
}

fn refused(refusal: crate::domain::round::Refusal) -> AppError {
    AppError::Conflict(crate::domain::error::Conflict {
        field: None,
        reason: refusal.0,
    })
}

fn someone_was_first(name: &str) -> AppError {
    AppError::conflict(
        "error.conflict.round_changed_meanwhile",
        &[("name", name.to_string())],
    )
}

/// A table as the audit log keeps it: counts, qualifiers, notes and
/// sources, and how many facilities each count is made of.
fn table_summary(table: &Table1) -> Value {
    let row = |r: &Table1Row| {
        json!({
            "service": r.service,
            "locations": r.locations,
            "municipalities": r.municipalities,
            "cities": r.cities,
            "capacity": r.capacity,
            "qualifier": r.qualifier,
            "notes": r.notes,
            "source": r.source,
            "facilities": r.facility_ids.len(),
        })
    };
    json!({"as_of": table.as_of, "rows": table.rows.iter().map(row).collect::<Vec<_>>()})
}

fn round_json(round: &Round) -> Option<Value> {
    serde_json::to_value(round).ok()
}

/// The published rounds, newest first (public).
pub async fn published_rounds(store: &Store) -> AppResult<Vec<Round>> {
    Ok(store.list_rounds(true).await?)
}

/// The rounds a reader may see, newest first: every one for national roles
/// (reading unpublished ones is audited), the published ones for others.
pub async fn rounds_for(store: &Store, national: bool, actor: &Actor) -> AppResult<Vec<Round>> {
    let rounds = store.list_rounds(!national).await?;
    let read: Vec<&Round> = rounds.iter().collect();
    audit_read(store, actor, &read).await?;
    Ok(rounds)
}

/// A round's overrides (a researcher's readings of counts), for national roles.
pub async fn overrides(store: &Store, round: &Round) -> AppResult<Vec<CountOverride>> {
    Ok(store.round_overrides(round.id).await?)
}

/// Records a read of rounds that are not published (not public data) in the
/// audit log; published rounds are public and reading them is not logged.
pub async fn audit_read(store: &Store, actor: &Actor, rounds: &[&Round]) -> AppResult<()> {
    let unpublished: Vec<&str> = rounds
        .iter()
        .filter(|r| r.status != RoundStatus::Published)
        .map(|r| r.name.as_str())
        .collect();
    let event = match unpublished.as_slice() {
        [] => return Ok(()),
        [name] => AuditEvent::new("read", actor, "round").object(name),
        names => AuditEvent::new("read", actor, "round")
            .object("list")
            .detail(format!("unpublished rounds {}", names.join(","))),
    };
    store.audit(&event).await?;
    Ok(())
}

/// The round `name` as its reader may see it: published rounds are public;
/// the others only for `staff` (a national role or the command line),
/// whose read of them is audited. A round the reader may not see does not
/// exist (404).
pub async fn readable_round(store: &Store, name: &str, staff: Option<&Actor>) -> AppResult<Round> {
    let round = store
        .round_by_name(name)
        .await?
        .filter(|r| r.status == RoundStatus::Published || staff.is_some())
        .ok_or_else(|| AppError::NotFound(format!("there is no round named '{name}'")))?;
    if let Some(actor) = staff {
        audit_read(store, actor, &[&round]).await?;
    }
    Ok(round)
}

/// The round with this name, if there is one (not audited: a round's
/// existence and status are not secret to staff).
pub async fn round_named(store: &Store, name: &str) -> AppResult<Option<Round>> {
    Ok(store.round_by_name(name).await?)
}

pub async fn create_round(
    store: &Store,
    input: &RoundInput,
    who: &Principal,
    actor: &Actor,
) -> AppResult<Round> {
    allowed(who)?;
    let new = input
        .validate(crate::domain::date::today())
        .map_err(AppError::Invalid)?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    Store::create_round(&mut tx, &new, actor)
        .await
        .map_err(|e| AppError::from(e).about("name"))?;
    let created = Store::round_in(&mut tx, &new.name)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the new round is not there")))?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("create", actor, "round")
            .object(&created.name)
            .after(round_json(&created)),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Sets (or, with exact and nothing else, removes) a researcher's reading
/// of one service's count in an open round.
pub async fn set_count(
    store: &Store,
    name: &str,
    input: &OverrideInput,
    who: &Principal,
    actor: &Actor,
) -> AppResult<()> {
    allowed(who)?;
    let current = round(store, name).await?;
    let draft = input.validate().map_err(AppError::Invalid)?;
    if !current.scope.contains(draft.service) {
        return Err(AppError::invalid(
            "service",
            format!(
                "round '{name}' does not count {}; its scope is {}",
                draft.service,
                current.scope.codes().join(", ")
            ),
        ));
    }
    current.may_override().map_err(refused)?;
    if draft.value.is_some() {
        let register = store
            .tally_services(current.reference_date, true)
            .await?
            .iter()
            .find(|t| t.count.service == draft.service)
            .map_or(0, |t| t.count.locations);
        check_at_least(&draft, register).map_err(|e| AppError::Invalid(vec![e]))?;
    }
    let before = store
        .round_overrides(current.id)
        .await?
        .into_iter()
        .find(|o| o.service == draft.service);
    let mut tx = store.begin_write(Writes::Audit).await?;
    // Holds the round open until this commits, so closing waits for it.
    if !Store::move_round(&mut tx, current.id, RoundStatus::Open, RoundStatus::Open).await? {
        return Err(someone_was_first(name));
    }
    Store::set_round_override(&mut tx, current.id, &draft, actor).await?;
    let after = (!draft.is_neutral()).then(|| {
        json!({
            "service": draft.service,
            "qualifier": draft.qualifier,
            "value": draft.value,
            "note": draft.note,
            "source": draft.source,
        })
    });
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("update", actor, "round")
            .object(name)
            .before(before.and_then(|o| serde_json::to_value(o).ok()))
            .after(after)
            .detail(format!("count of {}", draft.service)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Freezes a round's counts: the register's counts on its reference date
/// with its overrides, and the facilities (and versions) counted.
pub async fn close_round(
    store: &Store,
    name: &str,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Round> {
    allowed(who)?;
    let current = round(store, name).await?;
    current.may_close(today).map_err(refused)?;
    let tallies = store.tally_services(current.reference_date, true).await?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    if !Store::move_round(&mut tx, current.id, RoundStatus::Open, RoundStatus::Closed).await? {
        return Err(someone_was_first(name));
    }
    // Read after the move: no override can slip in between.
    let overrides = Store::round_overrides_in(&mut tx, current.id).await?;
    let table = Table1::for_round(&current, &tallies, &overrides);
    let versions: Vec<_> = tallies
        .iter()
        .filter(|t| current.scope.contains(t.count.service))
        .map(|t| (t.count.service, t.versions.clone()))
        .collect();
    Store::freeze_round(&mut tx, current.id, &table, &versions).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("close", actor, "round")
            .object(name)
            .after(Some(table_summary(&table))),
    )
    .await?;
    let closed = Store::round_in(&mut tx, name)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the round is gone")))?;
    tx.commit().await?;
    Ok(closed)
}

/// Opens a closed round again, for a reason; its frozen counts are
/// dropped (the audit entry keeps them) and it counts live again.
pub async fn reopen_round(
    store: &Store,
    name: &str,
    reason: Option<&str>,
    who: &Principal,
    actor: &Actor,
) -> AppResult<Round> {
    allowed(who)?;
    let current = round(store, name).await?;
    let reason = parse_reason(reason).map_err(|e| AppError::Invalid(vec![e]))?;
    current.may_reopen().map_err(refused)?;
    let frozen = store.frozen_table(&current).await?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    if !Store::move_round(&mut tx, current.id, RoundStatus::Closed, RoundStatus::Open).await? {
        return Err(someone_was_first(name));
    }
    Store::thaw_round(&mut tx, current.id).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("reopen", actor, "round")
            .object(name)
            .before(Some(table_summary(&frozen)))
            .detail(reason),
    )
    .await?;
    let reopened = Store::round_in(&mut tx, name)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the round is gone")))?;
    tx.commit().await?;
    Ok(reopened)
}

/// Makes a closed round public; published figures do not change again.
pub async fn publish_round(
    store: &Store,
    name: &str,
    who: &Principal,
    actor: &Actor,
) -> AppResult<Round> {
    allowed(who)?;
    let current = round(store, name).await?;
    current.may_publish().map_err(refused)?;
    let mut tx = store.begin_write(Writes::Audit).await?;
    if !Store::move_round(
        &mut tx,
        current.id,
        RoundStatus::Closed,
        RoundStatus::Published,
    )
    .await?
    {
        return Err(someone_was_first(name));
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("publish", actor, "round").object(name),
    )
    .await?;
    let published = Store::round_in(&mut tx, name)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the round is gone")))?;
    tx.commit().await?;
    Ok(published)
}

/// What loading a published-figures file did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FiguresReport {
    pub file: String,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowIssue>,
}

impl FiguresReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for FiguresReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in &self.errors {
            writeln!(f, "{}: {error}", self.file)?;
        }
        if self.errors.is_empty() {
            writeln!(
                f,
                "{}: {} figures: {} created, {} updated, {} unchanged",
                self.file, self.rows, self.created, self.updated, self.unchanged
            )
        } else {
            writeln!(
                f,
                "{}: {} rows have errors; nothing was written",
                self.file,
                self.errors
                    .iter()
                    .map(|e| e.row)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            )
        }
    }
}

/// Loads a published-figures file (CSV or XLSX) as it is: every row or
/// none; a figure matches an earlier one by key, scope and period, so
/// loading the same file again changes nothing.
pub async fn import_figures(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
    actor: &Actor,
) -> AppResult<FiguresReport> {
    let mut report = FiguresReport {
        file: file_name.to_string(),
        ..FiguresReport::default()
    };
    let figures = match read_figures(bytes) {
        Ok(figures) => figures,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    report.rows = figures.len();
    let mut tx = store.begin_write(Writes::Audit).await?;
    for (_, figure) in &figures {
        match Store::store_figure(&mut tx, figure).await? {
            Stored::Created => report.created += 1,
            Stored::Updated => report.updated += 1,
            Stored::Unchanged => report.unchanged += 1,
        }
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("import", actor, "published_figures")
            .object(file_name)
            .detail(format!(
                "{} figures: {} created, {} updated, {} unchanged",
                report.rows, report.created, report.updated, report.unchanged
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
