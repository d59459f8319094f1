//! Checked uploads between their two steps ("Controleren", then
//! "Importeren"): kept under a random id that only their owner can use,
//! once, for `domain::upload::KEEP_FOR`. They wait in the database, so two
//! servers behind a load balancer without sticky sessions share them.

use crate::domain::secret;
use crate::domain::upload::{Upload, UploadKind, UploadOwner};
use crate::storage::error::StorageResult;
use crate::storage::Store;

/// Keeps a file for its owner, replacing any file of the same kind they
/// had waiting, and returns its id (only its digest is stored).
pub async fn keep(
    store: &Store,
    owner: &UploadOwner,
    kind: UploadKind,
    upload: &Upload,
) -> StorageResult<String> {
    let id = secret::generate("");
    store
        .keep_upload(&secret::digest(&id), owner, kind, upload)
        .await?;
    Ok(id)
}

/// Takes the owner's waiting file of this kind with this id, if it is
/// still there: it can be taken once.
pub async fn take(
    store: &Store,
    owner: &UploadOwner,
    kind: UploadKind,
    id: &str,
) -> StorageResult<Option<Upload>> {
    store
        .waiting_upload(&secret::digest(id), owner, kind, true)
        .await
}

/// The owner's waiting file of this kind with this id, left waiting (an
/// error list can be downloaded more than once).
pub async fn look(
    store: &Store,
    owner: &UploadOwner,
    kind: UploadKind,
    id: &str,
) -> StorageResult<Option<Upload>> {
    store
        .waiting_upload(&secret::digest(id), owner, kind, false)
        .await
}
