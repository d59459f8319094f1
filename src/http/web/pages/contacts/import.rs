//! `/beheer/contacten/import` (national roles): importing contacts from a
//! CSV or XLSX spreadsheet in two steps, as `/beheer/import` does for
//! facilities. Uploading the file ("Controleren") runs the dry run and
//! shows what would be added, changed, left unchanged and refused; when
//! nothing is refused, "Importeren" writes exactly the checked file, which
//! waited on the server under an id only its owner can use
//! (`pages::upload`). The empty template downloads in the reader's language.

use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use sha2::{Digest, Sha256};

use crate::campaigns::contacts::import::{
    import_contacts, ContactImportOptions, ContactImportReport, ListedContact,
};
use crate::domain::date::today;
use crate::domain::language::Language;
use crate::formats::contacts::{template_headers, ContactColumn, CONTACT_COLUMNS};
use crate::formats::ExportFormat;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::upload::{self, keep, take, Kind, Upload, UPLOAD_LIMIT};
use crate::http::web::pages::{FieldErrors, Page, PageError};

fn listed(page: &Page, rows: &[ListedContact]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| page.text(&format!("contacts.field.{f}")))
                .collect();
            context! {
                row => r.row,
                name => r.name,
                url => r.contact_id.map(|id| format!("/beheer/contacten/{id}")),
                fields => fields.join(", "),
            }
        })
        .collect()
}

fn render(
    page: &Page,
    status: StatusCode,
    report: Option<&ContactImportReport>,
    upload: Option<(&str, &str)>,
    errors: FieldErrors,
) -> Response {
    let report = report.map(|r| {
        let errors: Vec<Value> = r
            .errors
            .iter()
            .map(|e| {
                context! {
                    row => e.row,
                    name => r.refused_name(e.row),
                    column => e.column,
                    message => e.text(page.lang),
                }
            })
            .collect();
        context! {
            file => r.file,
            written => r.written,
            unreadable => r.unreadable,
            rows => r.rows,
            added => listed(page, &r.added),
            changed => listed(page, &r.changed),
            unchanged => listed(page, &r.unchanged),
            refused_count => r.refused.len(),
            errors,
            notes => r.notes,
        }
    });
    let columns: Vec<Value> = CONTACT_COLUMNS
        .iter()
        .map(|(c, en, nl, _)| {
            context! {
                header => if page.lang == Language::Nl { nl } else { en },
                other => if page.lang == Language::Nl { en } else { nl },
                label => page.text(&format!("contacts.field.{}", field_of(*c))),
            }
        })
        .collect();
    page.render(
        "contacts/import.html",
        status,
        context! {
            report,
            upload => upload.map(|(id, sha256)| context! { id, sha256 }),
            errors,
            limit_mib => UPLOAD_LIMIT / 1024 / 1024,
            columns,
        },
    )
}

/// The form field a column fills in (its label's key).
fn field_of(column: ContactColumn) -> &'static str {
    match column {
        ContactColumn::Organisation => "organisation_id",
        other => other.name(),
    }
}

pub async fn import_form(page: Page) -> Response {
    render(&page, StatusCode::OK, None, None, FieldErrors::new())
}

fn file_error(page: &Page, key: &str) -> FieldErrors {
    FieldErrors::from([("file".to_string(), page.text(key))])
}

async fn run(
    page: &Page,
    state: &AppState,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ContactImportReport, PageError> {
    let options = ContactImportOptions {
        dry_run,
        actor: page.caller.actor(),
        file_name: file_name.to_string(),
        today: today(),
    };
    Ok(import_contacts(&state.store, bytes, &options).await?)
}

/// Step one: checks the uploaded file and shows what importing it would do.
pub async fn import_check(page: Page, State(state): State<AppState>, request: Request) -> Response {
    page.run(async {
        let mut form = upload::posted(&state, request, &["file"]).await?;
        let Some((file_name, bytes)) = form.files.remove("file") else {
            let errors = file_error(&page, "register.import.error.file");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(render(&page, status, None, None, errors));
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
        let id = keep(
            &state,
            &page.caller,
            Kind::Contacts,
            &Upload::file(&file_name, bytes),
        )
        .await?;
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

/// Step two: writes the checked file.
pub async fn import_write(
    page: Page,
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Response {
    page.run(async {
        let form: upload::WriteForm = page.form(&body)?;
        let Some(checked) = take(&state, &page.caller, Kind::Contacts, form.upload.trim()).await?
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

async fn template(page: Page, format: ExportFormat) -> Response {
    page.run(async {
        let headers = template_headers(page.lang);
        let body = match format {
            ExportFormat::Xlsx => crate::formats::xlsx::write_template(&headers),
            _ => crate::formats::csv::write_template(&headers),
        }
        .map_err(AppError::Internal)?;
        let name = match page.lang {
            Language::Nl => "contacten",
            Language::En => "contacts",
        };
        Ok((
            [
                (CONTENT_TYPE, format.content_type().to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.{}\"", format.extension()),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response())
    })
    .await
}

/// `/beheer/contacten/import/sjabloon.xlsx`: the header row in the reader's language.
pub async fn template_xlsx(page: Page) -> Response {
    template(page, ExportFormat::Xlsx).await
}

/// `/beheer/contacten/import/sjabloon.csv`: the same as CSV.
pub async fn template_csv(page: Page) -> Response {
    template(page, ExportFormat::Csv).await
}
