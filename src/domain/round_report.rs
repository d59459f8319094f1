//! A round's report as data: Table 1, the trend of each service, what
//! changed since the previous round, the spread, and the sources of every
//! number (gathered by `rounds::report`, written by `formats::round_report`).

use chrono::NaiveDate;

use super::changes::Changes;
use super::round::{Round, RoundStatus};
use super::service::ServiceType;
use super::spread::Spread;
use super::table1::Table1;
use super::trend::TrendPoint;

/// Without an earlier round, changes are counted from the same day this
/// many months before: the inventories' four-year rhythm.
pub const FALLBACK_MONTHS: u32 = 48;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// The latest earlier round (closed or published; published only for
    /// the public), by reference date.
    Round { name: String, date: NaiveDate },
    /// No earlier round: the register's history on the same day
    /// [`FALLBACK_MONTHS`] earlier. Inventories published before the
    /// register (such as 2022's) count no facilities one by one, so the
    /// comparison is with what the register knows of that day.
    RegisterOn(NaiveDate),
}

/// One service's trend, up to the round's year.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTrend {
    pub service: ServiceType,
    /// Oldest first; the round's own count stands for its year.
    pub points: Vec<TrendPoint>,
}

/// The facilities a frozen round counted for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenIds {
    pub service: ServiceType,
    pub facility_ids: Vec<i64>,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct RoundReport {
    pub round: Round,
    /// Frozen once the round is closed; live (provisional) while open.
    pub table: Table1,
    /// Per service in the round's scope, in the fixed order.
    pub trends: Vec<ServiceTrend>,
    pub baseline: Baseline,
    /// Over the round's scope.
    pub changes: Changes,
    /// On the reference date: for a frozen round over the facilities it
    /// counted (so the provinces add up to Table 1's register counts),
    /// while open over the register on that day.
    pub spread: Spread,
    /// The distinct facilities Table 1 is made of.
    pub facilities_counted: usize,
    /// Every external source named in Table 1 and the trend, sorted.
    pub external_sources: Vec<String>,
    /// For a frozen round, the facilities each count was frozen with.
    pub frozen: Vec<FrozenIds>,
}

impl RoundReport {
    /// Whether the counts are final (closed or published).
    pub fn frozen(&self) -> bool {
        self.round.status.is_frozen()
    }

    pub fn published(&self) -> bool {
        self.round.status == RoundStatus::Published
    }
}
