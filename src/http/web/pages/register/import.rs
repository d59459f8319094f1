//! `/beheer/import` (national roles): importing a CSV or XLSX spreadsheet in
//! two steps. Uploading the file ("Controleren") runs the importer's dry
//! run and shows its report; nothing is written. When the file has no
//! errors, "Importeren" writes it. A report shows the first
//! [`SHOWN_ERRORS`](crate::register::import::SHOWN_ERRORS) errors; all of them download as a CSV file
//! (`/beheer/import/fouten.csv?rapport=ID`).
//!
//! Between the two steps the checked file stays on the server, in memory,
//! under a random id that only the same person in the same session can
//! use, once, for [`KEEP_FOR`]. The browser carries only that id: it never
//! sends a path or the file again, so what is written is exactly the file
//! that was checked (the importer checks it again as it writes, in one
//! transaction, so a register that changed in between cannot be damaged).
//! The errors of a check are kept the same way, for their download. Each
//! person has at most one checked file and one error list waiting, and all
//! waiting files together are bounded, so memory stays small.

use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, RawQuery, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::date::today;
use crate::domain::secret;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::request::Caller;
use crate::http::web::pages::{parse_query, FieldErrors, Page, PageError};
use crate::register::import::{import_facilities, ErrorSummary, ImportOptions, ImportReport};

/// Largest spreadsheet accepted (the app's limit for other bodies is 1 MiB).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// How long a checked file (or a check's errors) waits.
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

/// What waits: a checked file for "Importeren", or a check's errors as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Checked,
    Errors,
}

/// A file waiting for its owner.
struct Kept {
    id: String,
    owner: Owner,
    kind: Kind,
    file_name: String,
    bytes: Bytes,
    at: Instant,
}

static WAITING: LazyLock<Mutex<Vec<Kept>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// Keeps a file for its owner, replacing any file of the same kind they
/// had waiting, and returns its id.
fn keep(owner: Owner, kind: Kind, file_name: &str, bytes: Bytes) -> String {
    let id = secret::generate("");
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR && !(c.owner == owner && c.kind == kind));
    waiting.push(Kept {
        id: id.clone(),
        owner,
        kind,
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

/// The position of the owner's waiting file of this kind with this id.
fn find(waiting: &[Kept], owner: &Owner, kind: Kind, id: &str) -> Option<usize> {
    waiting
        .iter()
        .position(|c| &c.owner == owner && c.kind == kind && secret::equal(&c.id, id))
}

/// Takes the owner's checked file with this id, if it is still there.
fn take(owner: &Owner, id: &str) -> Option<(String, Bytes)> {
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR);
    let at = find(&waiting, owner, Kind::Checked, id)?;
    let checked = waiting.remove(at);
    Some((checked.file_name, checked.bytes))
}

/// The owner's error list with this id, if it is still there (it can be
/// downloaded more than once).
fn errors_of(owner: &Owner, id: &str) -> Option<Bytes> {
    let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    waiting.retain(|c| c.at.elapsed() < KEEP_FOR);
    let at = find(&waiting, owner, Kind::Errors, id)?;
    Some(waiting[at].bytes.clone())
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

/// The import page: the upload form, and the report of a check or an import
/// (its first [`SHOWN_ERRORS`](crate::register::import::SHOWN_ERRORS) errors, and the download of all of them).
fn render(
    page: &Page,
    status: StatusCode,
    report: Option<(&ImportReport, Option<&str>)>,
    upload: Option<(&str, &str)>,
    errors: FieldErrors,
) -> Response {
    let report = report.map(|(r, errors_id)| {
        let errors: Vec<_> = r
            .shown_errors()
            .iter()
            .map(|e| {
                context! {
                    row => e.row,
                    name => r.rejected_name(e.row),
                    column => e.column,
                    message => e.text(page.lang),
                }
            })
            .collect();
        let more = |count: usize, shown: usize| {
            (count > shown).then(|| {
                page.text_with(
                    "register.import.more_rows",
                    &[("count", (count - shown).to_string())],
                )
            })
        };
        let caption = |key: &str, count: usize| {
            let key = if r.written {
                format!("{key}_written")
            } else {
                key.to_string()
            };
            page.text_with(&key, &[("count", count.to_string())])
        };
        let added: Vec<_> = r
            .added
            .iter()
            .map(|a| context! { row => a.row, name => a.name })
            .collect();
        let changed: Vec<_> = r
            .changed
            .iter()
            .map(|c| {
                let columns: Vec<String> = c
                    .columns
                    .iter()
                    .map(|name| page.text(&format!("register.field.{name}")))
                    .collect();
                context! {
                    row => c.row,
                    name => c.name,
                    url => c.facility_id.map(|id| format!("/beheer/voorzieningen/{id}")),
                    columns => columns.join(", "),
                }
            })
            .collect();
        let rows = context! {
            added,
            added_caption => caption("register.import.added_caption", r.created),
            added_more => more(r.created, r.added.len()),
            changed,
            changed_caption => caption("register.import.changed_caption", r.updated),
            changed_more => more(r.updated, r.changed.len()),
            rejected_caption => page.text_with(
                "register.import.rejected_caption",
                &[("count", r.rejected_rows.to_string())],
            ),
        };
        let errors_caption = if r.errors.len() > errors.len() {
            page.text_with(
                "register.import.errors_caption_first",
                &[
                    ("shown", errors.len().to_string()),
                    ("count", r.errors.len().to_string()),
                ],
            )
        } else {
            page.text("register.import.errors_caption")
        };
        context! {
            file => r.file,
            written => r.written,
            rows => r.rows,
            created => r.created,
            updated => r.updated,
            unchanged => r.unchanged,
            organisations_created => r.organisations_created,
            errors,
            errors_caption,
            error_count => r.errors.len(),
            errors_url => errors_id.map(|id| format!("/beheer/import/fouten.csv?rapport={id}")),
            summary => summary_text(page, r.summary()),
            unreadable => r.unreadable,
            notes => r.notes,
            row_lists => rows,
        }
    });
    let upload = upload.map(|(id, sha256)| context! { id, sha256 });
    page.render(
        "register/import.html",
        status,
        context! {
            report,
            upload,
            errors,
            limit_mib => UPLOAD_LIMIT / 1024 / 1024,
            columns => super::import_template::columns(page),
        },
    )
}

/// The sentence that sums up a report's errors: "1 van de 5 rijen heeft een
/// fout. Er is niets geschreven; …", never a count of rows the file did not have.
fn summary_text(page: &Page, summary: ErrorSummary) -> String {
    let mut sentences = Vec::new();
    match summary {
        ErrorSummary::Clean => return String::new(),
        ErrorSummary::Unreadable => return page.text("register.import.unreadable"),
        ErrorSummary::Found {
            header_row,
            header_errors,
            rows_with_errors,
            row_errors,
            rows,
        } => {
            let row = [("row", header_row.to_string())];
            match header_errors {
                0 => {}
                1 => sentences.push(page.text_with("register.import.header_error", &row)),
                _ => sentences.push(page.text_with("register.import.header_errors", &row)),
            }
            let key = match (rows_with_errors, rows, row_errors) {
                (0, _, _) => None,
                (1, 1, 1) => Some("register.import.only_row_error"),
                (1, 1, _) => Some("register.import.only_row_errors"),
                (1, _, 1) => Some("register.import.one_row_error"),
                (1, _, _) => Some("register.import.one_row_errors"),
                _ => Some("register.import.rows_errors"),
            };
            if let Some(key) = key {
                sentences.push(page.text_with(
                    key,
                    &[
                        ("count", rows_with_errors.to_string()),
                        ("rows", rows.to_string()),
                    ],
                ));
            }
        }
    }
    sentences.push(page.text("register.import.nothing_written"));
    sentences.join(" ")
}

/// Keeps a report's errors as CSV for their download; the id of the list.
fn keep_errors(page: &Page, report: &ImportReport) -> Result<Option<String>, PageError> {
    if report.errors.is_empty() {
        return Ok(None);
    }
    let csv = report.errors_csv(page.lang).map_err(AppError::Internal)?;
    Ok(Some(keep(
        Owner::of(&page.caller),
        Kind::Errors,
        &report.file,
        Bytes::from(csv),
    )))
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
            let errors_id = keep_errors(&page, &report)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(render(
                &page,
                status,
                Some((&report, errors_id.as_deref())),
                None,
                FieldErrors::new(),
            ));
        }
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let id = keep(Owner::of(&page.caller), Kind::Checked, &file_name, bytes);
        Ok(render(
            &page,
            StatusCode::OK,
            Some((&report, None)),
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
        let errors_id = keep_errors(&page, &report)?;
        Ok(render(
            &page,
            status,
            Some((&report, errors_id.as_deref())),
            None,
            FieldErrors::new(),
        ))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ErrorsQuery {
    rapport: String,
}

/// All errors of the owner's last check, as CSV (row, column, message).
pub async fn errors(page: Page, RawQuery(raw): RawQuery) -> Response {
    page.run(async {
        let query: ErrorsQuery = parse_query(raw.as_deref())?;
        let csv = errors_of(&Owner::of(&page.caller), query.rapport.trim())
            .ok_or(PageError::not_found("register.import.error.errors_expired"))?;
        Ok((
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"importfouten.csv\"",
                ),
                (CACHE_CONTROL, "no-store"),
            ],
            csv,
        )
            .into_response())
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
        let id = keep(owner(1), Kind::Checked, "f.csv", Bytes::from_static(b"x"));
        assert!(take(&owner(2), &id).is_none(), "another session");
        assert!(take(&owner(1), "not-the-id").is_none());
        assert_eq!(take(&owner(1), &id).unwrap().0, "f.csv");
        assert!(take(&owner(1), &id).is_none(), "once");
    }

    #[test]
    fn a_new_check_replaces_the_file_waiting() {
        let first = keep(owner(7), Kind::Checked, "a.csv", Bytes::from_static(b"a"));
        let errors = keep(owner(7), Kind::Errors, "a.csv", Bytes::from_static(b"e"));
        let second = keep(owner(7), Kind::Checked, "b.csv", Bytes::from_static(b"b"));
        assert!(take(&owner(7), &first).is_none());
        assert!(
            take(&owner(7), &errors).is_none(),
            "an error list is not a file to write"
        );
        assert_eq!(
            errors_of(&owner(7), &errors).unwrap(),
            "e",
            "the errors stay"
        );
        assert_eq!(
            errors_of(&owner(7), &errors).unwrap(),
            "e",
            "and can be downloaded again"
        );
        assert!(
            errors_of(&owner(8), &errors).is_none(),
            "only by their owner"
        );
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
