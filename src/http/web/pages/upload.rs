//! Uploads checked on one page and written from the next: the register
//! import (`/beheer/import`), the import of period reports
//! (`/beheer/rapportages/import`) and the contact import all check a file
//! first ("Controleren") and write it only when asked ("Importeren").
//!
//! Between the two steps the checked file waits in the database
//! (`platform::uploads`) under a random id that only the same person in the
//! same session can use, once, for `domain::upload::KEEP_FOR`: on any
//! server, so a load balancer needs no sticky sessions. The browser carries
//! only that id: it never sends a path or the file again, so what is
//! written is exactly the file that was checked, with the choices it was
//! checked with (the importers check it again as they write, in one
//! transaction, so data that changed in between cannot be damaged). The
//! errors of a check are kept the same way, for their download. Each person
//! has at most one file of each [`Kind`] waiting, and all waiting files
//! together are bounded.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

pub use crate::domain::upload::{Upload, UploadKind as Kind, UploadOwner as Owner};
use crate::http::app::AppState;
use crate::http::request::Caller;
use crate::http::web::pages::PageError;
use crate::platform::uploads;

/// Largest spreadsheet accepted (the app's limit for other bodies is 1 MiB).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// Who uploaded a file: the same user, in the same session (or with the same token).
fn owner(caller: &Caller) -> Owner {
    Owner {
        user_id: caller.principal.as_ref().and_then(|p| p.user_id),
        name: caller
            .principal
            .as_ref()
            .map_or_else(String::new, |p| p.name.clone()),
        session_id: caller.session.as_ref().map(|s| s.id),
    }
}

/// The second step's form: which checked upload to write.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct WriteForm {
    pub upload: String,
}

/// Keeps a file for the caller, replacing any file of the same kind they
/// had waiting, and returns its id.
pub async fn keep(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    upload: &Upload,
) -> Result<String, PageError> {
    Ok(uploads::keep(&state.store, &owner(caller), kind, upload).await?)
}

/// Takes the caller's waiting file of this kind with this id, if it is
/// still there: it can be taken once.
pub async fn take(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    id: &str,
) -> Result<Option<Upload>, PageError> {
    Ok(uploads::take(&state.store, &owner(caller), kind, id).await?)
}

/// The caller's waiting file of this kind with this id, if it is still
/// there, left waiting (an error list can be downloaded more than once).
pub async fn look(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    id: &str,
) -> Result<Option<Upload>, PageError> {
    Ok(uploads::look(&state.store, &owner(caller), kind, id).await?)
}

/// The name a file is known by in reports and as the default source: its
/// last path segment, printable, at most 100 characters.
pub fn clean_file_name(name: Option<&str>) -> String {
    let name = name
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    match name.trim() {
        "" => "upload".to_string(),
        name => name.to_string(),
    }
}

/// A `multipart/form-data` form as posted: its files by field name (the
/// file's clean name and bytes; an empty file counts as none) and its
/// other fields as text.
#[derive(Debug, Default)]
pub struct Posted {
    pub files: BTreeMap<String, (String, Bytes)>,
    pub fields: BTreeMap<String, String>,
}

/// Reads an upload form (within the route's body limit); the fields named
/// in `files` are files.
pub async fn posted(
    state: &AppState,
    request: Request,
    files: &[&str],
) -> Result<Posted, PageError> {
    let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
        PageError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "error.unsupported.text")
    })?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "register.import.too_large")
        } else {
            PageError::new(StatusCode::BAD_REQUEST, "error.bad_request.text")
        }
    };
    let mut form = Posted::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if files.contains(&name.as_str()) {
            let file_name = clean_file_name(field.file_name());
            let bytes = field.bytes().await.map_err(unreadable)?;
            if !bytes.is_empty() {
                form.files.insert(name, (file_name, bytes));
            }
        } else {
            let text = field.text().await.map_err(unreadable)?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}
