//! A trend: one service's count per year across inventory rounds and
//! published figures, each point with its qualifier, source and origin.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::table1::Qualifier;

/// Where a trend point comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A closed or published round of ours, counted from the register.
    Register,
    /// A figure someone else published (shown as "published figure (source)").
    External,
}

/// One year of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrendPoint {
    /// The year, "2010".
    pub label: String,
    /// A round's reference date; a published figure's day, or its year's first day.
    pub date: NaiveDate,
    /// None when unknown.
    pub value: Option<i64>,
    pub qualifier: Qualifier,
    /// The round's source ("register op 2026-06-01" or the external source
    /// a researcher named), or the published figure's source.
    pub source: String,
    /// The source in Dutch, for Dutch pages, where it differs.
    #[serde(skip)]
    pub source_nl: Option<String>,
    pub origin: Origin,
    /// The round, for points of ours.
    pub round: Option<String>,
}

impl TrendPoint {
    /// The source in `language`.
    pub fn source_in(&self, language: super::language::Language) -> &str {
        match (language, &self.source_nl) {
            (super::language::Language::Nl, Some(dutch)) => dutch,
            _ => &self.source,
        }
    }
}
