//! A round's report as a download: `/beheer/rondes/{name}/rapport.{html,xlsx}`
//! for national roles (any round; reading one that is not published is
//! audited by `RoundReport::read`) and `/cijfers/{name}/rapport.{html,xlsx}`
//! for everyone (published rounds only; others do not exist here). In the
//! page's language.

use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};

use super::language;
use crate::formats::round_report::{self, ReportFormat};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{Page, PageError};
use crate::rounds::report::Reader;

/// The report's own policy: it fetches nothing and runs no script; its
/// one inline stylesheet is what the site's policy would refuse.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
                          form-action 'none'; frame-ancestors 'none'";

/// Every report route: staff under `/beheer/` (the route table lets
/// national roles only in), the public elsewhere; the file's extension
/// is the format.
pub async fn download(
    page: Page,
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
) -> Response {
    let format = if uri.path().ends_with(".xlsx") {
        ReportFormat::Xlsx
    } else {
        ReportFormat::Html
    };
    let staff = uri.path().starts_with("/beheer/");
    page.run(async {
        let actor = page.caller.actor();
        let reader = if staff {
            Reader::Staff(&actor)
        } else {
            Reader::Public
        };
        let report = match crate::rounds::report::read(&state.store, &name, reader).await {
            Ok(report) => report,
            Err(AppError::NotFound(_)) => return Err(PageError::not_found("rounds.not_found")),
            Err(e) => return Err(e.into()),
        };
        let body =
            round_report::write(&report, format, language(&page)).map_err(AppError::Internal)?;
        let disposition = match format {
            ReportFormat::Html => "inline",
            ReportFormat::Xlsx => "attachment",
        };
        let mut response = (
            [
                (CONTENT_TYPE, format.content_type().to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "{disposition}; filename=\"{}\"",
                        round_report::file_name(&report.round.name, format)
                    ),
                ),
                (CONTENT_SECURITY_POLICY, REPORT_CSP.to_string()),
            ],
            body,
        )
            .into_response();
        if !report.published() {
            response
                .headers_mut()
                .insert(CACHE_CONTROL, "no-store".parse().expect("a header value"));
        }
        Ok(response)
    })
    .await
}
