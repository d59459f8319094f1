//! Contacts, the people at organisations whom a campaign mails: listing,
//! reading, adding, changing, opting out and erasing them, for the API,
//! the staff pages and the command line alike. Who may do what is
//! `Principal::contact_scope` (national roles all contacts, an
//! organisation's manager their own organisation's) and
//! `Principal::may_erase_contacts` (admins).
//!
//! Contacts are not public: every read and every change is in the audit
//! log, with the contact as the entry's object and never its name, address
//! or number (`Contact::audit_json`), because the log is append-only and an
//! erasure must leave nothing of the person behind. A contact outside the
//! caller's scope answers "not found", as if it did not exist.

pub mod import;

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::access::{ContactScope, Principal};
use crate::domain::contact::{opted_out_on, Contact, ContactDraft, ContactInput};
use crate::domain::error::{AppError, AppResult};
use crate::domain::provenance::Actor;
use crate::storage::audit::AuditEvent;
use crate::storage::contacts::ContactFilter;
use crate::storage::write::{retrying, WriteTx, Writes};
use crate::storage::Store;

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("contact {id} does not exist"))
}

fn refuse_organisation(organisation_id: i64) -> AppError {
    AppError::Forbidden(format!(
        "you may keep the contacts of your own organisation only, not of organisation {organisation_id}"
    ))
}

/// The contacts the caller may see, of one organisation or all in their
/// scope (erased ones left out); audited as one read.
pub async fn list(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    organisation_id: Option<i64>,
) -> AppResult<Vec<Contact>> {
    let scope = who.contact_scope();
    let organisation_id = match (scope, organisation_id) {
        (ContactScope::None, _) => {
            return Err(AppError::Forbidden("you may not read contacts".into()))
        }
        // An organisation's manager sees their own, whatever they ask for.
        (ContactScope::Organisation(own), _) => Some(own),
        (ContactScope::All, asked) => asked,
    };
    let contacts = store
        .list_contacts(ContactFilter {
            organisation_id,
            erased: false,
        })
        .await?;
    let detail = match organisation_id {
        Some(id) => format!("{} contacts of organisation {id}", contacts.len()),
        None => format!("{} contacts", contacts.len()),
    };
    store
        .audit(&AuditEvent::new("read", actor, "contact").detail(detail))
        .await?;
    Ok(contacts)
}

/// One contact the caller may see (erased or not); audited.
pub async fn read(store: &Store, who: &Principal, actor: &Actor, id: i64) -> AppResult<Contact> {
    let contact = store
        .contact(id)
        .await?
        .filter(|c| who.contact_scope().admits(c.organisation_id))
        .ok_or_else(|| not_found(id))?;
    store
        .audit(&AuditEvent::new("read", actor, "contact").object(id))
        .await?;
    Ok(contact)
}

/// Checks that the organisation exists and the caller may keep its contacts.
async fn check_organisation(tx: &mut WriteTx, who: &Principal, id: i64) -> AppResult<()> {
    if !who.contact_scope().admits(id) {
        return Err(refuse_organisation(id));
    }
    if !Store::organisation_exists(tx, id).await? {
        return Err(AppError::invalid(
            "organisation_id",
            format!("organisation {id} does not exist"),
        ));
    }
    Ok(())
}

/// A refused address (another contact has it) as a conflict on `email`.
fn on_email(error: crate::storage::error::StorageError) -> AppError {
    AppError::from(error).about("email")
}

/// Adds a contact and returns its id.
pub async fn create(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    input: &ContactInput,
    today: NaiveDate,
) -> AppResult<i64> {
    let draft = input.validate().map_err(AppError::Invalid)?;
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        check_organisation(&mut tx, who, draft.organisation_id).await?;
        let id = insert(&mut tx, &draft, actor, today).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Inserts a checked contact with its audit entry, in the caller's transaction.
pub(crate) async fn insert(
    tx: &mut WriteTx,
    draft: &ContactDraft,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    let opted = opted_out_on(None, draft.opt_out, today);
    let id = Store::insert_contact(tx, draft, opted)
        .await
        .map_err(on_email)?;
    let created = Store::contact_in(tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Store::append_audit(
        tx,
        &AuditEvent::new("create", actor, "contact")
            .object(id)
            .after(Some(created.audit_json())),
    )
    .await?;
    Ok(id)
}

/// Overwrites a contact with a checked draft and records which fields
/// changed (by name only), in the caller's transaction.
pub(crate) async fn overwrite(
    tx: &mut WriteTx,
    current: &Contact,
    draft: &ContactDraft,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<()> {
    let changed = current.changed_fields(draft);
    if changed.is_empty() {
        return Ok(());
    }
    let opted = opted_out_on(current.opted_out_on, draft.opt_out, today);
    Store::update_contact(tx, current.id, draft, opted)
        .await
        .map_err(on_email)?;
    let after = Store::contact_in(tx, current.id)
        .await?
        .ok_or_else(|| not_found(current.id))?;
    Store::append_audit(
        tx,
        &AuditEvent::new("update", actor, "contact")
            .object(current.id)
            .before(Some(current.audit_json()))
            .after(Some(after.audit_json()))
            .detail(format!("changed: {}", changed.join(", "))),
    )
    .await?;
    Ok(())
}

/// Applies a JSON merge patch (RFC 7386) of `name`, `role`, `email`,
/// `phone`, `opt_out` (and `organisation_id`, within the caller's scope).
pub async fn patch(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
    patch: &Value,
    today: NaiveDate,
) -> AppResult<Contact> {
    if !patch.is_object() {
        return Err(AppError::BadRequest(
            "the body must be a JSON object with the fields to change".into(),
        ));
    }
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let current = Store::contact_in(&mut tx, id)
            .await?
            .filter(|c| who.contact_scope().admits(c.organisation_id))
            .ok_or_else(|| not_found(id))?;
        if current.is_erased() {
            return Err(AppError::conflict("contacts.error.erased", &[]));
        }
        let input = merged(&current.to_input(), patch)?;
        let draft = input.validate().map_err(AppError::Invalid)?;
        if draft.organisation_id != current.organisation_id {
            check_organisation(&mut tx, who, draft.organisation_id).await?;
        }
        overwrite(&mut tx, &current, &draft, actor, today).await?;
        let after = Store::contact_in(&mut tx, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        tx.commit().await?;
        Ok(after)
    })
    .await
}

/// The contact's input with the patch applied; a field of the wrong kind
/// (or one a contact does not have) is named.
fn merged(current: &ContactInput, patch: &Value) -> AppResult<ContactInput> {
    let mut document = serde_json::to_value(current).map_err(anyhow::Error::from)?;
    json_patch::merge(&mut document, patch);
    serde_json::from_value(document).map_err(|e| {
        let field = patch
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, _)| key.as_str())
            .find(|key| e.to_string().contains(&format!("`{key}`")))
            .unwrap_or("body");
        AppError::invalid(field, format!("invalid contact value: {e}"))
    })
}

/// Erases a contact's personal fields (admins): the row, its organisation
/// and its opt-out stay, so a campaign's history keeps "a contact of
/// organisation X". Erasing twice is a conflict.
pub async fn erase(store: &Store, who: &Principal, actor: &Actor, id: i64) -> AppResult<()> {
    if !who.may_erase_contacts() {
        return Err(AppError::Forbidden(
            "only an admin may erase a contact".into(),
        ));
    }
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let current = Store::contact_in(&mut tx, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        if current.is_erased() {
            return Err(AppError::conflict("contacts.error.erased", &[]));
        }
        Store::erase_contact(&mut tx, id).await?;
        let after = Store::contact_in(&mut tx, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("erase", actor, "contact")
                .object(id)
                .before(Some(current.audit_json()))
                .after(Some(after.audit_json())),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
