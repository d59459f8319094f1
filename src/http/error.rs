//! The one error type of the application. Over HTTP it becomes JSON with a
//! message and the right status; 500s are logged with their cause and shown
//! without it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Throttled; try again after this many seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: i64 },
    /// The database reported a deadlock, a serialization failure or a
    /// lock it could not get in time; the transaction was rolled back.
    #[error("the register is busy; try again in a moment ({0})")]
    Contention(String),
    /// A stored record that cannot be read as its domain type.
    #[error("{0}")]
    Broken(crate::storage::read::BrokenRow),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
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
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> AppError {
        match &err {
            sqlx::Error::Database(db) if is_contention(db.as_ref()) => {
                AppError::Contention(db.message().to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => AppError::Conflict(
                "the change conflicts with a concurrent change or an existing record; reload and try again"
                    .to_string(),
            ),
            _ => AppError::Internal(anyhow::Error::new(err).context("database error")),
        }
    }
}

/// Deadlock (40P01), serialization failure (40001) and lock not available
/// (55P03) on PostgreSQL; busy (5, 517 with a stale snapshot) and locked (6)
/// on SQLite.
fn is_contention(db: &dyn sqlx::error::DatabaseError) -> bool {
    matches!(
        db.code().as_deref(),
        Some("40001" | "40P01" | "55P03" | "5" | "6" | "517" | "261" | "262")
    )
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
        let status = self.status();
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
