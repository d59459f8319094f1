//! `/beheer/export/voorzieningen.{csv,json,geojson,xlsx}` (national roles):
//! the facility list's selection as a file, with non-public facilities and
//! internal notes (the full export scope), audited as an export as the
//! command line's `vangnet export` is.

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::list::ListQuery;
use crate::formats::columns::ExportScope;
use crate::formats::{export_facilities, ExportFormat};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{parse_query, Page, PageError};
use crate::register::reads;

pub async fn download(
    page: Page,
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    page.run(async {
        let format = file
            .strip_prefix("voorzieningen.")
            .and_then(ExportFormat::parse)
            .ok_or(PageError::not_found("register.export.not_found"))?;
        let query: ListQuery = parse_query(raw.as_deref())?;
        let who = page.caller.principal()?;
        let (filter, day) = query
            .filter(&page, who)
            .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "error.bad_request.text"))?;
        let what = format!("{day}, with internal data ({})", format.extension());
        let facilities =
            reads::export_facilities(&state.store, who, &page.caller.actor(), filter, &what)
                .await?;
        let body = export_facilities(&facilities, day, format, ExportScope::Full)
            .map_err(AppError::Internal)?;
        Ok((
            [
                (CONTENT_TYPE, format.content_type().to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"vangnet-voorzieningen-{day}.{}\"",
                        format.extension()
                    ),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response())
    })
    .await
}
