//! `/beheer/import` (national roles): importing a CSV or XLSX spreadsheet in
//! two steps. Uploading the file ("Controleren") runs the importer's dry
//! run and shows its report; nothing is written. When the file has no
//! errors, "Importeren" writes it. A report shows the first
//! [`SHOWN_ERRORS`](crate::register::import::SHOWN_ERRORS) errors; all of them download as a CSV file
//! (`/beheer/import/fouten.csv?rapport=ID`).
//!
//! Between the two steps the checked file waits on the server
//! ([`upload`](crate::http::web::pages::upload)); the browser carries only
//! its id, so what is written is exactly the file that was checked. The
//! errors of a check wait the same way, for their download.

use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::date::today;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::upload::{self, keep, look, take, Kind, Upload, UPLOAD_LIMIT};
use crate::http::web::pages::{parse_query, FieldErrors, Page, PageError};
use crate::register::import::{import_facilities, ErrorSummary, ImportOptions, ImportReport};

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
async fn keep_errors(
    page: &Page,
    state: &AppState,
    report: &ImportReport,
) -> Result<Option<String>, PageError> {
    if report.errors.is_empty() {
        return Ok(None);
    }
    let csv = report.errors_csv(page.lang).map_err(AppError::Internal)?;
    Ok(Some(
        keep(
            state,
            &page.caller,
            Kind::FacilityErrors,
            &Upload::file(&report.file, csv),
        )
        .await?,
    ))
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
    let mut form = upload::posted(state, request, &["file"]).await?;
    Ok(form.files.remove("file"))
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
            let errors_id = keep_errors(&page, &state, &report).await?;
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
        let id = keep(
            &state,
            &page.caller,
            Kind::Facilities,
            &Upload::file(&file_name, bytes),
        )
        .await?;
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

/// Step two: writes the checked file.
pub async fn write(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: upload::WriteForm = page.form(&body)?;
        let Some(checked) =
            take(&state, &page.caller, Kind::Facilities, form.upload.trim()).await?
        else {
            let errors = file_error(&page, "register.import.error.expired");
            return Ok(render(&page, StatusCode::CONFLICT, None, None, errors));
        };
        let report = run(&page, &state, &checked.file_name, &checked.bytes, false).await?;
        let status = if report.written {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let errors_id = keep_errors(&page, &state, &report).await?;
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
pub async fn errors(
    page: Page,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    page.run(async {
        let query: ErrorsQuery = parse_query(raw.as_deref())?;
        let csv = look(
            &state,
            &page.caller,
            Kind::FacilityErrors,
            query.rapport.trim(),
        )
        .await?
        .map(|kept| kept.bytes)
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
