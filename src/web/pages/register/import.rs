//! `/beheer/import` (national roles): importing a CSV or XLSX spreadsheet in
//! two steps. Uploading the file ("Controleren") runs the importer's dry
//! run and shows its report; nothing is written. When the file has no
//! errors, "Importeren" writes it.
//!
//! Between the two steps the checked file stays on the server, in memory,
//! under a random id that only the same person in the same session can
//! use, once, for [`KEEP_FOR`]. The browser carries only that id: it never
//! sends a path or the file again, so what is written is exactly the file
//! that was checked (the importer checks it again as it writes, in one
//! transaction, so a register that changed in between cannot be damaged).
//! Each person has at most one checked file waiting, and all waiting files
//! together are bounded, so memory stays small.

use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::request::Caller;
use crate::auth::secret;
use crate::domain::date::today;
use crate::import::{import_facilities, ImportOptions, ImportReport};
use crate::web::pages::{FieldErrors, Page, PageError};

/// Largest spreadsheet accepted (the app's limit for other bodies is 1 MiB).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// How long a checked file waits for "Importeren".
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);

/// All waiting files together take at most this much memory.
const KEEP_AT_MOST: usize = 128 * 1024 * 1024;

/// Who uploaded a file: the same user, in the same session (or with the same token).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    user_id: Option<i64>,
    name: String,
    session_id: Option<i64>,
}

impl Owner {
    fn of(caller: &Caller) -> Owner {
        Owner {
            user_id: caller.principal.as_ref().and_then(|p| p.user_id),
            name: caller
                .principal
                .as_ref()
                .map_or_else(String::new, |p| p.name.clone()),
            session_id: caller.session.as_ref().map(|s| s.id),
        }
    }
}

/// A checked file waiting to be written.
struct Checked {
    id: String,
    owner: Owner,
    file_name: String,
    bytes: Bytes,
    at: Instant,
}

static WAITING: LazyLock<Mutex<Vec<Checked>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// Keeps a checked file for its owner, replacing any file they had waiting,
/// and returns its id.
fn keep(owner: Owner, file_name: &str, bytes: Bytes) -> String {
    let id = secret::generate("");
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR && c.owner != owner);
    waiting.push(Checked {
        id: id.clone(),
        owner,
        file_name: file_name.to_string(),
        bytes,
        at: Instant::now(),
    });
    // Oldest first out when all together are too large.
    while waiting.iter().map(|c| c.bytes.len()).sum::<usize>() > KEEP_AT_MOST && waiting.len() > 1 {
        waiting.remove(0);
    }
    id
}

/// Takes the owner's checked file with this id, if it is still there.
fn take(owner: &Owner, id: &str) -> Option<(String, Bytes)> {
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR);
    let at = waiting
        .iter()
        .position(|c| &c.owner == owner && secret::equal(&c.id, id))?;
    let checked = waiting.remove(at);
    Some((checked.file_name, checked.bytes))
}

/// The name a file is known by in reports and as the default source: its
/// last path segment, printable, at most 100 characters.
fn clean_file_name(name: Option<&str>) -> String {
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

/// The import page: the upload form, and the report of a check or an import.
fn render(
    page: &Page,
    status: StatusCode,
    report: Option<&ImportReport>,
    upload: Option<(&str, &str)>,
    errors: FieldErrors,
) -> Response {
    let report = report.map(|r| {
        let errors: Vec<_> = r
            .errors
            .iter()
            .map(|e| context! { row => e.row, column => e.column, message => e.message })
            .collect();
        let rows_with_errors = r
            .errors
            .iter()
            .map(|e| e.row)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        context! {
            file => r.file,
            written => r.written,
            rows => r.rows,
            created => r.created,
            updated => r.updated,
            unchanged => r.unchanged,
            organisations_created => r.organisations_created,
            errors,
            rows_with_errors,
            notes => r.notes,
        }
    });
    let upload = upload.map(|(id, sha256)| context! { id, sha256 });
    page.render(
        "register/import.html",
        status,
        context! { report, upload, errors, limit_mib => UPLOAD_LIMIT / 1024 / 1024 },
    )
}

pub async fn form(page: Page) -> Response {
    render(&page, StatusCode::OK, None, None, FieldErrors::new())
}

fn file_error(page: &Page, key: &str) -> FieldErrors {
    FieldErrors::from([("file".to_string(), page.text(key))])
}

/// The uploaded file's name and bytes, from the multipart form.
async fn uploaded(
    state: &AppState,
    request: Request,
) -> Result<Option<(String, Bytes)>, PageError> {
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
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = clean_file_name(field.file_name());
            let bytes = field.bytes().await.map_err(unreadable)?;
            return Ok(Some((name, bytes)).filter(|(_, b)| !b.is_empty()));
        }
    }
    Ok(None)
}

async fn run(
    page: &Page,
    state: &AppState,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, PageError> {
    let options = ImportOptions {
        dry_run,
        actor: page.caller.actor(),
        file_name: file_name.to_string(),
        today: today(),
    };
    Ok(import_facilities(&state.store, bytes, &options, &|_, _| {}).await?)
}

/// Step one: checks the uploaded file and shows what importing it would do.
pub async fn check(page: Page, State(state): State<AppState>, request: Request) -> Response {
    page.run(async {
        let Some((file_name, bytes)) = uploaded(&state, request).await? else {
            let errors = file_error(&page, "register.import.error.file");
            return Ok(render(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                errors,
            ));
        };
        let report = run(&page, &state, &file_name, &bytes, true).await?;
        if !report.is_ok() {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(render(
                &page,
                status,
                Some(&report),
                None,
                FieldErrors::new(),
            ));
        }
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let id = keep(Owner::of(&page.caller), &file_name, bytes);
        Ok(render(
            &page,
            StatusCode::OK,
            Some(&report),
            Some((&id, &sha256[..12])),
            FieldErrors::new(),
        ))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WriteForm {
    upload: String,
}

/// Step two: writes the checked file.
pub async fn write(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: WriteForm = page.form(&body)?;
        let Some((file_name, bytes)) = take(&Owner::of(&page.caller), form.upload.trim()) else {
            let errors = file_error(&page, "register.import.error.expired");
            return Ok(render(&page, StatusCode::CONFLICT, None, None, errors));
        };
        let report = run(&page, &state, &file_name, &bytes, false).await?;
        let status = if report.written {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Ok(render(
            &page,
            status,
            Some(&report),
            None,
            FieldErrors::new(),
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(session_id: i64) -> Owner {
        Owner {
            user_id: Some(1),
            name: "a@example.org".into(),
            session_id: Some(session_id),
        }
    }

    #[test]
    fn a_checked_file_is_taken_once_and_only_by_its_owner() {
        let id = keep(owner(1), "f.csv", Bytes::from_static(b"x"));
        assert!(take(&owner(2), &id).is_none(), "another session");
        assert!(take(&owner(1), "not-the-id").is_none());
        assert_eq!(take(&owner(1), &id).unwrap().0, "f.csv");
        assert!(take(&owner(1), &id).is_none(), "once");
    }

    #[test]
    fn a_new_check_replaces_the_file_waiting() {
        let first = keep(owner(7), "a.csv", Bytes::from_static(b"a"));
        let second = keep(owner(7), "b.csv", Bytes::from_static(b"b"));
        assert!(take(&owner(7), &first).is_none());
        assert_eq!(take(&owner(7), &second).unwrap().0, "b.csv");
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(
            clean_file_name(Some("C:\\Users\\x\\lijst.xlsx")),
            "lijst.xlsx"
        );
        assert_eq!(clean_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_file_name(None), "upload");
    }
}
