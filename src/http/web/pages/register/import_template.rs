//! What the import page says about the file it takes: the list of columns
//! (header in the reader's language, the other name the importer reads,
//! what the column holds, whether it is needed, an example) and the
//! template to download (`/beheer/import/sjabloon.xlsx` and `.csv`). Both
//! come from the importer's own column table
//! ([`COLUMNS`](crate::formats::columns::COLUMNS)), so the page, the
//! template and the importer cannot drift apart.
//!
//! The template holds the header row only: an example row left in by
//! mistake would be imported as a facility, so the examples stand on the
//! page instead.

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};

use crate::domain::language::Language;
use crate::formats::columns::{template_headers, Need, COLUMNS};
use crate::formats::ExportFormat;
use crate::http::error::AppError;
use crate::http::web::pages::Page;

/// The columns as the page lists them.
pub fn columns(page: &Page) -> Vec<Value> {
    let other = match page.lang {
        Language::Nl => Language::En,
        Language::En => Language::Nl,
    };
    COLUMNS
        .iter()
        .map(|(column, name, _)| {
            let need = match column.need() {
                Need::Required => "required",
                Need::OnePlace => "one_place",
                Need::Optional => "optional",
            };
            context! {
                header => column.header(page.lang),
                other => Some(column.header(other)).filter(|h| *h != column.header(page.lang)),
                label => page.text(&format!("register.field.{name}")),
                holds => page.text(&format!("register.import.column.{name}")),
                need,
                need_text => page.text(&format!("register.import.need.{need}")),
                example => page.text(&format!("register.import.example.{name}")),
            }
        })
        .collect()
}

/// The template's file name in the reader's language.
fn file_name(language: Language, format: ExportFormat) -> String {
    let stem = match language {
        Language::Nl => "vangnet-importsjabloon",
        Language::En => "vangnet-import-template",
    };
    format!("{stem}.{}", format.extension())
}

async fn template(page: Page, format: ExportFormat) -> Response {
    page.run(async {
        let headers = template_headers(page.lang);
        let body = match format {
            ExportFormat::Xlsx => crate::formats::xlsx::write_template(&headers),
            _ => crate::formats::csv::write_template(&headers),
        }
        .map_err(AppError::Internal)?;
        Ok((
            [
                (CONTENT_TYPE, format.content_type().to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file_name(page.lang, format)),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response())
    })
    .await
}

/// `/beheer/import/sjabloon.xlsx`: the header row in the reader's language.
pub async fn template_xlsx(page: Page) -> Response {
    template(page, ExportFormat::Xlsx).await
}

/// `/beheer/import/sjabloon.csv`: the same as CSV.
pub async fn template_csv(page: Page) -> Response {
    template(page, ExportFormat::Csv).await
}
