//! Uploads checked on one page and written from the next (the register,
//! period report and contact imports): what waits between the two steps,
//! whose it is, and for how long. The file waits in the database
//! (`storage::uploads`, migration 0020), not in a server's memory, so the
//! second step works on whichever server a load balancer sends it to.

use std::time::Duration;

/// How long a checked file (or a check's errors) waits.
pub const KEEP_FOR: Duration = Duration::from_secs(30 * 60);

/// All waiting files together take at most this many bytes; the oldest go
/// first when a new one would not fit.
pub const KEEP_AT_MOST: usize = 128 * 1024 * 1024;

/// Who uploaded a file: the same user, in the same session (or with the
/// same token). Only the owner can take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOwner {
    pub user_id: Option<i64>,
    pub name: String,
    pub session_id: Option<i64>,
}

impl UploadOwner {
    /// The owner as one stored key (the parts never contain a newline
    /// that could make two owners alike: ids are numbers, and the name
    /// comes last).
    pub fn key(&self) -> String {
        let id = |n: Option<i64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
        format!(
            "{}\n{}\n{}",
            id(self.user_id),
            id(self.session_id),
            self.name
        )
    }
}

/// What waits. A file of one kind is never taken as another, so a
/// register spreadsheet cannot be written as period reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    /// A checked register spreadsheet, for "Importeren".
    Facilities,
    /// A register check's errors as CSV, for their download.
    FacilityErrors,
    /// A checked file of period reports, for "Importeren".
    Reports,
    /// A checked file of contacts, for "Importeren".
    Contacts,
}

impl UploadKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            UploadKind::Facilities => "facilities",
            UploadKind::FacilityErrors => "facility_errors",
            UploadKind::Reports => "reports",
            UploadKind::Contacts => "contacts",
        }
    }
}

/// A file as it was checked: its name, its bytes, and what else the check
/// was run with (the report import's mapping and whether to approve), so
/// that the write runs with the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Their column name → metric code (report import).
    pub mapping: Vec<(String, String)>,
    /// Approve at once (report import).
    pub approve: bool,
}

impl Upload {
    /// A file with nothing else to remember.
    pub fn file(file_name: &str, bytes: impl Into<Vec<u8>>) -> Upload {
        Upload {
            file_name: file_name.to_string(),
            bytes: bytes.into(),
            ..Upload::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_differ_by_user_session_and_name() {
        let owner = |user_id, session_id, name: &str| UploadOwner {
            user_id,
            name: name.into(),
            session_id,
        };
        let a = owner(Some(1), Some(2), "a@example.org");
        assert_eq!(a.key(), owner(Some(1), Some(2), "a@example.org").key());
        assert_ne!(a.key(), owner(Some(1), Some(3), "a@example.org").key());
        assert_ne!(a.key(), owner(Some(12), None, "a@example.org").key());
        assert_ne!(a.key(), owner(None, Some(2), "a@example.org").key());
        assert_ne!(
            owner(None, None, "token x").key(),
            owner(None, None, "token y").key()
        );
    }
}
