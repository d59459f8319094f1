//! `/beheer/rapportages/import`: monthly figures from facilities' own
//! systems, the same import as `vangnet import reports`
//! (`crate::monitoring::report_import`), in the two steps of the register
//! import (`/beheer/import`). Uploading the file, with an optional mapping
//! file (their column names → metric codes) and, for national roles,
//! "Direct goedkeuren", runs the importer's dry run: the page shows the
//! reports it would write, or every error by row, column and reason in the
//! reader's language. Nothing is written then. When the file has no
//! errors, "Importeren" writes it, all or nothing, with the file as the
//! source; the importer writes the audit entry.
//!
//! The checked file waits on the server with the mapping and the choice to
//! approve ([`upload`](crate::http::web::pages::upload)), so the write runs
//! exactly what was checked. Reporters and organisation managers may send
//! rows of their own organisation's facilities only: the importer refuses
//! any other row by its number, as one of the file's errors.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use sha2::{Digest, Sha256};

use crate::domain::date::today;
use crate::domain::text::text_count;
use crate::http::app::AppState;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::upload::{self, keep, take, Kind, Upload, UPLOAD_LIMIT};
use crate::http::web::pages::{FieldErrors, Page, PageError};
use crate::monitoring::report_import::{
    import_reports, read_mapping, ReportImportOptions, ReportImportReport,
};

/// How many reports and errors the page lists; it counts the rest.
const SHOWN: usize = 100;

/// A check or a write, as the page shows it.
struct Outcome<'a> {
    report: &'a ReportImportReport,
    approve: bool,
}

fn render(
    page: &Page,
    status: StatusCode,
    outcome: Option<Outcome>,
    upload: Option<(&str, &str)>,
    errors: FieldErrors,
) -> Response {
    let may_approve = page
        .caller
        .principal
        .as_ref()
        .is_some_and(|p| p.may_manage_monitoring());
    let more = |key: &str, count: usize| {
        (count > SHOWN).then(|| page.text_with(key, &[("count", (count - SHOWN).to_string())]))
    };
    let report = outcome.map(|Outcome { report: r, approve }| {
        let reports: Vec<Value> = r
            .reports
            .iter()
            .take(SHOWN)
            .map(|f| {
                let period = f.period.to_string();
                context! {
                    row => f.row,
                    facility => f.facility_name,
                    period,
                    values => f.values,
                    href => format!("/beheer/rapportages/{}/{period}", f.facility_id),
                }
            })
            .collect();
        let errors: Vec<Value> = r
            .errors
            .iter()
            .take(SHOWN)
            .map(|e| {
                context! {
                    row => (e.row > 0).then_some(e.row),
                    column => e.column,
                    message => sentence(&e.reason.text(page.lang)),
                }
            })
            .collect();
        let written = !r.dry_run && r.is_ok();
        let count = if written { r.written } else { r.reports.len() };
        let key = match (written, approve) {
            (false, false) => "periods.import.would_submit",
            (false, true) => "periods.import.would_approve",
            (true, false) => "periods.import.submitted",
            (true, true) => "periods.import.approved",
        };
        context! {
            file => r.file,
            written,
            rows => r.rows,
            count_text => text_count(page.lang, key, count as i64, &[]),
            summary => text_count(page.lang, "periods.import.errors_found", r.errors.len() as i64, &[]),
            reports,
            reports_more => more("periods.import.more_reports", r.reports.len()),
            errors,
            errors_more => more("periods.import.more_errors", r.errors.len()),
            overview => r.reports.first().map(|f| format!("/beheer/rapportages?periode={}", f.period)),
        }
    });
    let upload = upload.map(|(id, sha256)| context! { id, sha256 });
    page.render(
        "periods/import.html",
        status,
        context! {
            report,
            upload,
            errors,
            may_approve,
            limit_mib => UPLOAD_LIMIT / 1024 / 1024,
        },
    )
}

pub async fn form(page: Page) -> Response {
    render(&page, StatusCode::OK, None, None, FieldErrors::new())
}

fn field_error(page: &Page, field: &str, key: &str) -> FieldErrors {
    FieldErrors::from([(field.to_string(), page.text(key))])
}

/// Runs the importer as the caller, on a dry run or for real.
async fn run(
    page: &Page,
    state: &AppState,
    upload: &Upload,
    dry_run: bool,
) -> Result<ReportImportReport, PageError> {
    let who = page.caller.principal()?;
    let options = ReportImportOptions {
        file_name: upload.file_name.clone(),
        mapping: upload.mapping.clone(),
        approve: upload.approve,
        dry_run,
        who,
        actor: page.caller.actor(),
        today: today(),
    };
    Ok(import_reports(&state.store, &upload.bytes, &options).await?)
}

/// Step one: checks the uploaded file (a dry run) and shows what importing
/// it would write, or its errors.
pub async fn check(page: Page, State(state): State<AppState>, request: Request) -> Response {
    page.run(async {
        let mut form = upload::posted(&state, request, &["file", "mapping"]).await?;
        let refuse = |field: &str, key: &str| {
            let errors = field_error(&page, field, key);
            Ok(render(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                errors,
            ))
        };
        let Some((file_name, bytes)) = form.files.remove("file") else {
            return refuse("file", "periods.import.error.file");
        };
        let mapping = match form.files.remove("mapping") {
            None => Vec::new(),
            Some((_, text)) => {
                let text = std::str::from_utf8(&text).ok();
                match text.map(|t| read_mapping(t.trim_start_matches('\u{feff}'))) {
                    Some(Ok(pairs)) => pairs,
                    _ => return refuse("mapping", "periods.import.error.mapping"),
                }
            }
        };
        let approve = form.fields.get("approve").is_some_and(|v| !v.is_empty());
        let upload = Upload {
            file_name,
            bytes: bytes.to_vec(),
            mapping,
            approve,
        };
        let report = run(&page, &state, &upload, true).await?;
        let outcome = Outcome {
            report: &report,
            approve,
        };
        if !report.is_ok() || report.reports.is_empty() {
            // Nothing to write: no file waits.
            let status = if report.is_ok() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return Ok(render(
                &page,
                status,
                Some(outcome),
                None,
                FieldErrors::new(),
            ));
        }
        let sha256 = hex::encode(Sha256::digest(&upload.bytes));
        let id = keep(&state, &page.caller, Kind::Reports, &upload).await?;
        Ok(render(
            &page,
            StatusCode::OK,
            Some(outcome),
            Some((&id, &sha256[..12])),
            FieldErrors::new(),
        ))
    })
    .await
}

/// Step two: writes the checked file, with the mapping and choice it was
/// checked with.
pub async fn write(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: upload::WriteForm = page.form(&body)?;
        let Some(upload) = take(&state, &page.caller, Kind::Reports, form.upload.trim()).await?
        else {
            let errors = field_error(&page, "file", "register.import.error.expired");
            return Ok(render(&page, StatusCode::CONFLICT, None, None, errors));
        };
        let report = run(&page, &state, &upload, false).await?;
        let status = if report.is_ok() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let outcome = Outcome {
            report: &report,
            approve: upload.approve,
        };
        Ok(render(
            &page,
            status,
            Some(outcome),
            None,
            FieldErrors::new(),
        ))
    })
    .await
}
