//! Questionnaires: reading them (audited: they are not public) and saving
//! a new version. A save validates the whole definition through
//! `domain::questionnaire`, appends version n + 1 and writes its audit
//! entry (before and after) in one transaction; earlier versions stay as
//! they were, so a campaign that sent one keeps it.

use serde_json::Value;

use crate::domain::access::Principal;
use crate::domain::error::{AppError, AppResult};
use crate::domain::provenance::Actor;
use crate::domain::questionnaire::Questionnaire;
use crate::storage::audit::AuditEvent;
pub use crate::storage::questionnaires::{QuestionnaireVersion, VersionSummary};
use crate::storage::write::Writes;
use crate::storage::Store;

/// Admins and researchers read and write questionnaires; nobody else.
fn allowed(who: &Principal) -> AppResult<()> {
    if who.may_manage_rounds() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "your role ({}) may not read or change questionnaires",
            who.role
        )))
    }
}

fn not_found(code: &str, version: Option<i64>) -> AppError {
    match version {
        Some(v) => AppError::NotFound(format!("questionnaire '{code}' has no version {v}")),
        None => AppError::NotFound(format!("there is no questionnaire '{code}'")),
    }
}

fn definition_json(q: &Questionnaire) -> Option<Value> {
    serde_json::to_value(q).ok()
}

/// The newest version of every questionnaire, by code.
pub async fn list(
    store: &Store,
    who: &Principal,
    actor: &Actor,
) -> AppResult<Vec<QuestionnaireVersion>> {
    allowed(who)?;
    let all = store.latest_questionnaires().await?;
    store
        .audit(
            &AuditEvent::new("read", actor, "questionnaire")
                .object("list")
                .detail(format!("{} questionnaires", all.len())),
        )
        .await?;
    Ok(all)
}

/// One version of a questionnaire (the newest without `version`).
pub async fn read(
    store: &Store,
    code: &str,
    version: Option<i64>,
    who: &Principal,
    actor: &Actor,
) -> AppResult<QuestionnaireVersion> {
    allowed(who)?;
    let found = store
        .questionnaire(code, version)
        .await?
        .ok_or_else(|| not_found(code, version))?;
    store
        .audit(
            &AuditEvent::new("read", actor, "questionnaire")
                .object(code)
                .detail(format!("version {}", found.version)),
        )
        .await?;
    Ok(found)
}

/// Every version of a questionnaire, newest first (read with [`read`]).
pub async fn history(store: &Store, code: &str, who: &Principal) -> AppResult<Vec<VersionSummary>> {
    allowed(who)?;
    Ok(store.questionnaire_history(code).await?)
}

/// What a save did.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// A new version was stored.
    New(QuestionnaireVersion),
    /// The definition is the newest version's: nothing was stored.
    Unchanged(QuestionnaireVersion),
}

impl Saved {
    pub fn version(&self) -> &QuestionnaireVersion {
        match self {
            Saved::New(v) | Saved::Unchanged(v) => v,
        }
    }
}

/// Stores `definition` as the next version of questionnaire `code` (the
/// first, for a new code). A definition without a code takes `code`; one
/// with another code is refused. With `based_on`, the save is refused when
/// someone stored another version since (no edit is silently lost).
pub async fn save(
    store: &Store,
    code: &str,
    mut definition: Questionnaire,
    based_on: Option<i64>,
    who: &Principal,
    actor: &Actor,
) -> AppResult<Saved> {
    allowed(who)?;
    if definition.code.trim().is_empty() {
        definition.code = code.to_string();
    }
    if definition.code.trim() != code {
        return Err(AppError::invalid(
            "code",
            format!(
                "the questionnaire's code ('{}') is not the one in the path ('{code}')",
                definition.code.trim()
            ),
        ));
    }
    let definition = definition.validate().map_err(AppError::Invalid)?;
    let current = store.questionnaire(code, None).await?;
    if let Some(current) = &current {
        if current.definition == definition && based_on.is_none_or(|v| v == current.version) {
            return Ok(Saved::Unchanged(current.clone()));
        }
    }
    let mut tx = store.begin_write(Writes::Audit).await?;
    let head = Store::questionnaire_head_in(&mut tx, code).await?;
    let changed_meanwhile =
        head != current.as_ref().map(|c| c.version) || based_on.is_some_and(|v| Some(v) != head);
    if changed_meanwhile {
        return Err(AppError::conflict(
            "questionnaire.conflict.changed_meanwhile",
            &[("code", code.to_string())],
        ));
    }
    let version = head.unwrap_or(0) + 1;
    Store::insert_questionnaire_version(&mut tx, &definition, version, &actor.name).await?;
    let event = if head.is_some() { "update" } else { "create" };
    Store::append_audit(
        &mut tx,
        &AuditEvent::new(event, actor, "questionnaire")
            .object(code)
            .before(
                current
                    .as_ref()
                    .and_then(|c| definition_json(&c.definition)),
            )
            .after(definition_json(&definition))
            .detail(format!("version {version}")),
    )
    .await?;
    tx.commit().await?;
    let saved = store
        .questionnaire(code, Some(version))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the new version is not there")))?;
    Ok(Saved::New(saved))
}
