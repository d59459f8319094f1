//! Reading stored rows back into domain types, column by column, so that a
//! row holding a value the domain would refuse (written before a check
//! existed, or edited by hand in the database) becomes a [`BrokenRow`]
//! naming the record, the column and the value, instead of an error that
//! fails the whole list it is part of. Lists leave broken rows out and log
//! them; staff pages show them with a way to repair; `/healthz` counts them.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::domain::date::Day;

pub use crate::domain::broken::BrokenRow;

/// The columns of one row, read with the record named in every error.
pub(super) struct Columns<'r> {
    row: &'r AnyRow,
    noun: &'static str,
    id: i64,
    version: Option<i64>,
}

impl<'r> Columns<'r> {
    /// `id_column` holds the record's id, `version_column` (if any) its version.
    pub fn new(
        row: &'r AnyRow,
        noun: &'static str,
        id_column: &str,
        version_column: Option<&str>,
    ) -> Columns<'r> {
        Columns {
            row,
            noun,
            id: row.try_get(id_column).unwrap_or(0),
            version: version_column.and_then(|c| row.try_get(c).ok()),
        }
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn broken(&self, column: &str, value: &str, reason: impl Into<String>) -> BrokenRow {
        BrokenRow {
            noun: self.noun,
            id: self.id,
            version: self.version,
            column: column.to_string(),
            value: value.chars().take(100).collect(),
            reason: reason.into(),
        }
    }

    fn raw(&self, column: &str) -> String {
        // What the column holds, whatever its type, for messages.
        if let Ok(Some(text)) = self.row.try_get::<Option<String>, _>(column) {
            return text;
        }
        if let Ok(Some(n)) = self.row.try_get::<Option<i64>, _>(column) {
            return n.to_string();
        }
        if let Ok(Some(x)) = self.row.try_get::<Option<f64>, _>(column) {
            return x.to_string();
        }
        "?".to_string()
    }

    pub fn text(&self, column: &str) -> Result<Option<String>, BrokenRow> {
        self.row
            .try_get::<Option<String>, _>(column)
            .map_err(|e| self.broken(column, &self.raw(column), e.to_string()))
    }

    /// A text column that not every table has; absent reads as `None`.
    pub fn optional_text(&self, column: &str) -> Option<String> {
        self.row.try_get::<Option<String>, _>(column).ok().flatten()
    }

    pub fn required_text(&self, column: &str) -> Result<String, BrokenRow> {
        self.text(column)?
            .ok_or_else(|| self.broken(column, "NULL", "is empty"))
    }

    pub fn int(&self, column: &str) -> Result<Option<i64>, BrokenRow> {
        self.row
            .try_get::<Option<i64>, _>(column)
            .map_err(|e| self.broken(column, &self.raw(column), e.to_string()))
    }

    pub fn required_int(&self, column: &str) -> Result<i64, BrokenRow> {
        self.int(column)?
            .ok_or_else(|| self.broken(column, "NULL", "is empty"))
    }

    pub fn real(&self, column: &str) -> Result<Option<f64>, BrokenRow> {
        self.row
            .try_get::<Option<f64>, _>(column)
            .map_err(|e| self.broken(column, &self.raw(column), e.to_string()))
    }

    /// A 0/1 flag.
    pub fn flag(&self, column: &str) -> Result<Option<bool>, BrokenRow> {
        match self.int(column)? {
            None => Ok(None),
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            Some(n) => Err(self.broken(column, &n.to_string(), "is not 0 or 1")),
        }
    }

    /// A whole number read through its domain type's checking constructor.
    pub fn number<T>(
        &self,
        column: &str,
        parse: impl Fn(i64) -> Result<T, crate::domain::Reason>,
    ) -> Result<Option<T>, BrokenRow> {
        match self.int(column)? {
            None => Ok(None),
            Some(n) => parse(n)
                .map(Some)
                .map_err(|reason| self.broken(column, &n.to_string(), reason.english())),
        }
    }

    /// Text read through its domain type's checking constructor.
    pub fn parsed<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, BrokenRow> {
        match self.text(column)? {
            None => Ok(None),
            Some(text) => parse(&text)
                .map(Some)
                .map_err(|e| self.broken(column, &text, e.to_string())),
        }
    }

    /// A stored day (ISO text in the register's window).
    pub fn day(&self, column: &str) -> Result<Option<Day>, BrokenRow> {
        self.parsed(column, |text| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("'{text}' is not a YYYY-MM-DD date"))
                .and_then(|d| Day::new(d).map_err(|e| e.to_string()))
        })
    }
}
