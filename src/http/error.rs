//! How the use cases' errors (`domain::error::AppError`) become HTTP: a
//! status code per reason, JSON with a message for the API; 500s are
//! logged with their cause and shown without it. Pages turn them into HTML
//! in `web::pages::error`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;

pub use crate::domain::error::{describe_fields, AppError, AppResult};

/// The status code of each reason; every variant is listed, so a new
/// reason does not compile until it has one.
pub fn status(error: &AppError) -> StatusCode {
    match error {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Contention(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Broken(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub message: String,
    /// Field-level problems, for validation errors (422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = status(&self);
        let retry_after = match &self {
            AppError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            AppError::Contention(_) => Some(1),
            _ => None,
        };
        let body = match self {
            AppError::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                ErrorBody {
                    message: "internal server error".to_string(),
                    errors: Vec::new(),
                }
            }
            AppError::Broken(row) => {
                row.log();
                ErrorBody {
                    message: format!(
                        "{} {} has a stored value that cannot be read; staff can repair it on its page under /beheer",
                        row.noun, row.id
                    ),
                    errors: Vec::new(),
                }
            }
            AppError::Invalid(errors) => ErrorBody {
                message: format!("invalid input: {}", describe_fields(&errors)),
                errors,
            },
            other => ErrorBody {
                message: other.to_string(),
                errors: Vec::new(),
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
