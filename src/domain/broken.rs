//! A stored record that cannot be read as its domain type (a value
//! written before a check existed, or edited by hand in the database):
//! which record, version and column, the value, and why. Lists leave such
//! rows out and log them; staff repair them (see `storage::read`).

/// A stored row that cannot be read as its domain type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRow {
    /// `facility`, `organisation`.
    pub noun: &'static str,
    /// The record's id (the facility's, not the version's).
    pub id: i64,
    /// The version of the record, for versioned tables.
    pub version: Option<i64>,
    pub column: String,
    /// The stored value as text (cut to 100 characters).
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for BrokenRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.noun, self.id)?;
        if let Some(version) = self.version {
            write!(f, " version {version}")?;
        }
        write!(
            f,
            ": stored {} '{}' cannot be read: {}",
            self.column, self.value, self.reason
        )
    }
}

impl BrokenRow {
    /// Logs the row once where a list leaves it out.
    pub fn log(&self) {
        tracing::warn!(noun = self.noun, id = self.id, version = ?self.version,
            column = %self.column, "left out a stored row that cannot be read: {self}");
    }
}
