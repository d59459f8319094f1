//! Errors as HTML pages: a status, a title for it and an explanation, in
//! the visitor's language. `AppError`s convert; 500s are logged with their
//! cause and shown without it.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::{lang_of, Page};
use crate::domain::Reason;
use crate::http::error::AppError;
use crate::http::request::Caller;

impl Page {
    /// The HTML page for an error, with its status.
    pub fn error(&self, error: PageError) -> Response {
        let text = match &error.reason {
            Some(reason) => sentence(&reason.text(self.lang)),
            None => self.text(error.key),
        };
        let context = context! {
            title => self.text(title_key(error.status)),
            text,
        };
        let mut response = self.render("error.html", error.status, context);
        if let Some(seconds) = error.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// An error shown as a page: a status and the key of its explanation, or
/// the reason the use case gave (a conflict says why).
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub key: &'static str,
    pub reason: Option<Reason>,
    pub retry_after: Option<i64>,
}

/// A reason as a sentence on a page: "De ronde is open." from "de ronde is open".
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

pub type PageResult = Result<Response, PageError>;

impl PageError {
    pub fn new(status: StatusCode, key: &'static str) -> PageError {
        PageError {
            status,
            key,
            reason: None,
            retry_after: None,
        }
    }

    pub fn not_found(key: &'static str) -> PageError {
        PageError::new(StatusCode::NOT_FOUND, key)
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> PageError {
        let status = crate::http::error::status(&error);
        let retry_after = match &error {
            AppError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            AppError::Contention(_) => Some(1),
            _ => None,
        };
        let key = match &error {
            AppError::BadRequest(_) => "error.bad_request.text",
            AppError::Unauthorized(_) => "error.unauthorized.text",
            AppError::Forbidden(_) => "error.forbidden.text",
            AppError::NotFound(_) => "error.not_found.text",
            AppError::Conflict(_) => "error.conflict.text",
            AppError::Invalid(_) => "error.invalid.text",
            AppError::PayloadTooLarge(_) => "error.too_large.text",
            AppError::UnsupportedMediaType(_) => "error.unsupported.text",
            AppError::TooManyRequests { .. } => "error.too_many.text",
            AppError::Contention(_) => "error.busy.text",
            AppError::Broken(row) => {
                row.log();
                "error.broken.text"
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                "error.internal.text"
            }
        };
        if status != StatusCode::INTERNAL_SERVER_ERROR {
            tracing::debug!(%status, error = %error, "page error");
        }
        let reason = match error {
            AppError::Conflict(c) => Some(c.reason),
            _ => None,
        };
        PageError {
            status,
            key,
            reason,
            retry_after,
        }
    }
}

fn title_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "error.bad_request.title",
        StatusCode::UNAUTHORIZED => "error.unauthorized.title",
        StatusCode::FORBIDDEN => "error.forbidden.title",
        StatusCode::NOT_FOUND => "error.not_found.title",
        StatusCode::CONFLICT => "error.conflict.title",
        StatusCode::UNPROCESSABLE_ENTITY => "error.invalid.title",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large.title",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "error.unsupported.title",
        StatusCode::TOO_MANY_REQUESTS => "error.too_many.title",
        StatusCode::SERVICE_UNAVAILABLE => "error.busy.title",
        _ => "error.internal.title",
    }
}

/// An error as an HTML page for a request not (yet) in a handler, e.g. one
/// the route guard refuses: in the visitor's language, without the header's
/// personal links.
pub fn error_response(headers: &HeaderMap, error: AppError) -> Response {
    let page = Page {
        caller: Caller {
            principal: None,
            address: String::new(),
            session: None,
        },
        lang: lang_of(headers),
        secure: false,
        here: "/".into(),
        csrf_token: String::new(),
        new_form_cookie: None,
        form_body: false,
    };
    page.error(error.into())
}

impl From<crate::storage::error::StorageError> for PageError {
    fn from(error: crate::storage::error::StorageError) -> PageError {
        PageError::from(AppError::from(error))
    }
}
