//! Reading the audit log: searching it records that it was read (or
//! exported), since the log itself is non-public data.

use crate::domain::error::AppResult;
use crate::domain::provenance::Actor;
use crate::storage::audit::{AuditEntry, AuditEvent, AuditFilter};
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
    store
        .audit(
            &AuditEvent::new(if export { "export" } else { "read" }, actor, "audit_log")
                .detail(format!("{} entries", entries.len())),
        )
        .await?;
    Ok(entries)
}
