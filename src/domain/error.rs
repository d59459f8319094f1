//! The errors of the product's use cases, whatever calls them (the HTTP
//! layer, the command line, a background job): each names what went wrong
//! for people (a refused field, a missing record, a refusal and why),
//! without any notion of HTTP. `http::error` alone turns them into status
//! codes, JSON and pages, with a match the compiler checks for
//! completeness; storage errors convert into them (`storage::error`).

use super::broken::BrokenRow;
use super::{FieldError, Reason};

/// A change that cannot be made as things stand (a name that is taken, a
/// round that is not open): why, in words for any reader, and the field
/// it is about, if one. Pages show the reason; they need not work it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub field: Option<&'static str>,
    pub reason: Reason,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason.english())
    }
}

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
    Conflict(Conflict),
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
    Broken(BrokenRow),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// "field: message; field: message", for logs and messages.
pub fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    /// A conflict: the catalogue's text `key` with `args` says why.
    pub fn conflict(key: &'static str, args: &[(&'static str, String)]) -> AppError {
        AppError::Conflict(Conflict {
            field: None,
            reason: Reason::of(key, args),
        })
    }

    /// The same error; a conflict is then about `field`.
    pub fn about(self, field: &'static str) -> AppError {
        match self {
            AppError::Conflict(c) => AppError::Conflict(Conflict {
                field: Some(field),
                ..c
            }),
            other => other,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }
}
