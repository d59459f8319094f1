//! Uploads checked on one page and written from the next: the register
//! import (`/beheer/import`) and the import of period reports
//! (`/beheer/rapportages/import`) both check a file first ("Controleren")
//! and write it only when asked ("Importeren").
//!
//! Between the two steps the checked file stays on the server, in memory,
//! under a random id that only the same person in the same session can
//! use, once, for [`KEEP_FOR`]. The browser carries only that id: it never
//! sends a path or the file again, so what is written is exactly the file
//! that was checked, with the choices it was checked with (the importers
//! check it again as they write, in one transaction, so data that changed
//! in between cannot be damaged). The errors of a check are kept the same
//! way, for their download. Each person has at most one file of each
//! [`Kind`] waiting, and all waiting files together are bounded, so memory
//! stays small.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

use crate::domain::secret;
use crate::http::app::AppState;
use crate::http::request::Caller;
use crate::http::web::pages::PageError;

/// Largest spreadsheet accepted (the app's limit for other bodies is 1 MiB).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// How long a checked file (or a check's errors) waits.
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);

/// All waiting files together take at most this much memory.
const KEEP_AT_MOST: usize = 128 * 1024 * 1024;

/// Who uploaded a file: the same user, in the same session (or with the same token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    user_id: Option<i64>,
    name: String,
    session_id: Option<i64>,
}

impl Owner {
    pub fn of(caller: &Caller) -> Owner {
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

/// What waits. A file of one kind is never taken as another, so a
/// register spreadsheet cannot be written as period reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A checked register spreadsheet, for "Importeren".
    Facilities,
    /// A register check's errors as CSV, for their download.
    FacilityErrors,
    /// A checked file of period reports, for "Importeren".
    Reports,
    /// A checked file of contacts, for "Importeren".
    Contacts,
}

/// A file as it was checked: its name, its bytes, and what else the check
/// was run with (the report import's mapping and whether to approve), so
/// that the write runs with the same.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
    /// Their column name → metric code (report import).
    pub mapping: Vec<(String, String)>,
    /// Approve at once (report import).
    pub approve: bool,
}

impl Upload {
    /// A file with nothing else to remember.
    pub fn file(file_name: &str, bytes: Bytes) -> Upload {
        Upload {
            file_name: file_name.to_string(),
            bytes,
            ..Upload::default()
        }
    }
}

/// A file waiting for its owner.
struct Kept {
    id: String,
    owner: Owner,
    kind: Kind,
    upload: Upload,
    at: Instant,
}

static WAITING: LazyLock<Mutex<Vec<Kept>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// The second step's form: which checked upload to write.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct WriteForm {
    pub upload: String,
}

/// Keeps a file for its owner, replacing any file of the same kind they
/// had waiting, and returns its id.
pub fn keep(owner: Owner, kind: Kind, upload: Upload) -> String {
    let id = secret::generate("");
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR && !(c.owner == owner && c.kind == kind));
    waiting.push(Kept {
        id: id.clone(),
        owner,
        kind,
        upload,
        at: Instant::now(),
    });
    // Oldest first out when all together are too large.
    while waiting.iter().map(|c| c.upload.bytes.len()).sum::<usize>() > KEEP_AT_MOST
        && waiting.len() > 1
    {
        waiting.remove(0);
    }
    id
}

/// The position of the owner's waiting file of this kind with this id.
fn find(waiting: &[Kept], owner: &Owner, kind: Kind, id: &str) -> Option<usize> {
    waiting
        .iter()
        .position(|c| &c.owner == owner && c.kind == kind && secret::equal(&c.id, id))
}

/// Takes the owner's waiting file of this kind with this id, if it is
/// still there: it can be taken once.
pub fn take(owner: &Owner, kind: Kind, id: &str) -> Option<Upload> {
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR);
    let at = find(&waiting, owner, kind, id)?;
    Some(waiting.remove(at).upload)
}

/// The owner's waiting file of this kind with this id, if it is still
/// there, left waiting (an error list can be downloaded more than once).
pub fn look(owner: &Owner, kind: Kind, id: &str) -> Option<Upload> {
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR);
    let at = find(&waiting, owner, kind, id)?;
    Some(waiting[at].upload.clone())
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

    fn file(name: &str, bytes: &'static [u8]) -> Upload {
        Upload::file(name, Bytes::from_static(bytes))
    }

    #[test]
    fn a_checked_file_is_taken_once_and_only_by_its_owner() {
        let id = keep(owner(1), Kind::Facilities, file("f.csv", b"x"));
        assert!(
            take(&owner(2), Kind::Facilities, &id).is_none(),
            "another session"
        );
        assert!(take(&owner(1), Kind::Facilities, "not-the-id").is_none());
        assert_eq!(
            take(&owner(1), Kind::Facilities, &id).unwrap().file_name,
            "f.csv"
        );
        assert!(take(&owner(1), Kind::Facilities, &id).is_none(), "once");
    }

    #[test]
    fn a_new_check_replaces_the_file_waiting() {
        let first = keep(owner(7), Kind::Facilities, file("a.csv", b"a"));
        let errors = keep(owner(7), Kind::FacilityErrors, file("a.csv", b"e"));
        let second = keep(owner(7), Kind::Facilities, file("b.csv", b"b"));
        assert!(take(&owner(7), Kind::Facilities, &first).is_none());
        assert!(
            take(&owner(7), Kind::Facilities, &errors).is_none(),
            "an error list is not a file to write"
        );
        let listed = |o| look(&owner(o), Kind::FacilityErrors, &errors).map(|u| u.bytes);
        assert_eq!(listed(7).unwrap(), "e", "the errors stay");
        assert_eq!(listed(7).unwrap(), "e", "and can be downloaded again");
        assert!(listed(8).is_none(), "only by their owner");
        assert_eq!(
            take(&owner(7), Kind::Facilities, &second)
                .unwrap()
                .file_name,
            "b.csv"
        );
    }

    #[test]
    fn a_file_of_reports_is_not_a_register_file_and_keeps_its_choices() {
        let register = keep(owner(9), Kind::Facilities, file("r.csv", b"r"));
        let reports = keep(
            owner(9),
            Kind::Reports,
            Upload {
                mapping: vec![("Spuiten".into(), "syringes_out".into())],
                approve: true,
                ..file("m.csv", b"m")
            },
        );
        assert!(
            take(&owner(9), Kind::Reports, &register).is_none(),
            "a register file is not written as reports"
        );
        assert!(take(&owner(9), Kind::Facilities, &reports).is_none());
        let taken = take(&owner(9), Kind::Reports, &reports).unwrap();
        assert_eq!(
            (taken.mapping.len(), taken.approve, taken.file_name.as_str()),
            (1, true, "m.csv")
        );
        assert!(
            take(&owner(9), Kind::Facilities, &register).is_some(),
            "each kind waits on its own"
        );
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
