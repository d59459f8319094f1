//! Reading the audit log: searching it records that it was read (or
//! exported), since the log itself is non-public data. The staff page reads
//! it a page at a time ([`logged_page`]), with the accounts to choose
//! "who" from, and shows a change as the fields it changed ([`changes`]).

use serde::Serialize;
use serde_json::Value;

use crate::domain::error::AppResult;
use crate::domain::provenance::Actor;
use crate::storage::audit::{AuditEntry, AuditEvent, AuditFilter};
use crate::storage::users::User;
use crate::storage::Store;

/// Searches the log and records that it was read (or exported): reading
/// the audit log is itself a read of non-public data.
pub async fn logged_search(
    store: &Store,
    filter: &AuditFilter,
    actor: &Actor,
    export: bool,
) -> AppResult<Vec<AuditEntry>> {
    let entries = store.search_audit(filter).await?;
    record_read(store, actor, export, entries.len()).await?;
    Ok(entries)
}

async fn record_read(store: &Store, actor: &Actor, export: bool, entries: usize) -> AppResult<()> {
    store
        .audit(
            &AuditEvent::new(if export { "export" } else { "read" }, actor, "audit_log")
                .detail(format!("{entries} entries")),
        )
        .await?;
    Ok(())
}

/// One page of the log, newest first, with the cursors of its neighbours.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// `before` for the next, older page, when there is one.
    pub older: Option<i64>,
    /// `after` for the previous, newer page, when there is one.
    pub newer: Option<i64>,
    /// Every account, to choose "who" from (the page is a read of the log,
    /// recorded as such; the list is part of it).
    pub users: Vec<User>,
}

/// A page of at most `size` entries after or before the filter's cursor;
/// audited as a read of the log.
pub async fn logged_page(
    store: &Store,
    filter: &AuditFilter,
    size: usize,
    actor: &Actor,
) -> AppResult<AuditPage> {
    let mut search = filter.clone();
    // One more than shown says whether there is a further page.
    search.limit = size as i64 + 1;
    let mut entries = store.search_audit(&search).await?;
    let more = entries.len() > size;
    let going_newer = filter.after_seq.is_some();
    if more {
        if going_newer {
            entries.remove(0);
        } else {
            entries.pop();
        }
    }
    let (first, last) = (
        entries.first().map(|e| e.seq),
        entries.last().map(|e| e.seq),
    );
    let (newer, older) = if going_newer {
        (first.filter(|_| more), last)
    } else {
        (
            first.filter(|_| filter.before_seq.is_some()),
            last.filter(|_| more),
        )
    };
    let users = store.list_users().await?;
    record_read(store, actor, false, entries.len()).await?;
    Ok(AuditPage {
        entries,
        older,
        newer,
        users,
    })
}

/// One field of a change: its value before and after (`None`: empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields an entry's before and after differ in, by name; for an
/// entry with only an after (a creation), every field it set.
pub fn changes(entry: &AuditEntry) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let object = |v: &Option<Value>| v.as_ref().and_then(Value::as_object).cloned();
    let (before, after) = (object(&entry.before), object(&entry.after));
    if before.is_none() && after.is_none() {
        return Vec::new();
    }
    let (before, after) = (
        before.unwrap_or_else(|| empty.clone()),
        after.unwrap_or_else(|| empty.clone()),
    );
    let mut fields: Vec<&String> = after.keys().chain(before.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let was = before.get(field).and_then(shown);
            let is = after.get(field).and_then(shown);
            (was != is).then(|| FieldChange {
                field: field.clone(),
                before: was,
                after: is,
            })
        })
        .collect()
}

/// A JSON value as a person reads it; null and empty are no value.
fn shown(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Bool(true) => "✓".to_string(),
        Value::Bool(false) => "✗".to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(shown)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(before: Option<Value>, after: Option<Value>) -> AuditEntry {
        AuditEntry {
            seq: 1,
            at: String::new(),
            event: "update".into(),
            actor: "a".into(),
            actor_user_id: None,
            on_behalf_of: None,
            access_point: String::new(),
            object_type: "facility".into(),
            object_id: Some("1".into()),
            before,
            after,
            detail: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn a_change_shows_only_the_fields_that_differ() {
        let before = json!({"name": "A", "opening_hours": "Mo 09:00-12:00", "services": ["naloxone"], "notes": null});
        let after = json!({"name": "A", "opening_hours": "Mo 09:00-17:00", "services": ["naloxone"], "notes": "x"});
        let found = changes(&entry(Some(before), Some(after)));
        assert_eq!(
            found,
            [
                FieldChange {
                    field: "notes".into(),
                    before: None,
                    after: Some("x".into()),
                },
                FieldChange {
                    field: "opening_hours".into(),
                    before: Some("Mo 09:00-12:00".into()),
                    after: Some("Mo 09:00-17:00".into()),
                },
            ]
        );
    }

    #[test]
    fn a_creation_shows_what_it_set_and_a_read_nothing() {
        let created = changes(&entry(None, Some(json!({"name": "A", "city": null}))));
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].after.as_deref(), Some("A"));
        assert!(changes(&entry(None, None)).is_empty());
    }
}
