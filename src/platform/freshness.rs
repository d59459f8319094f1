//! What an answer that is the same for every anonymous reader depends on
//! besides the request: the data as the change watcher last saw it
//! (`storage::changes`) and the time, to the minute (open now, "checked 3
//! days ago", this year's dashboard). Two readings that are equal mean the
//! answer would be the same, so a server may send the one it kept.

use crate::domain::error::AppResult;
use crate::storage::changes::Seen;
use crate::storage::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    seen: Seen,
    /// Minutes since the Unix epoch.
    minute: i64,
}

impl Freshness {
    /// Whether the data was the same at both readings (only the minute
    /// may differ).
    pub fn same_data(&self, other: &Freshness) -> bool {
        self.seen == other.seen
    }
}

/// The reading now: no database round trip while the watcher runs and
/// nothing was written through this process since its last look.
pub async fn now(store: &Store) -> AppResult<Freshness> {
    Ok(Freshness {
        seen: store.seen().await?,
        minute: this_minute(),
    })
}

/// The reading of now when the change watcher has it at hand (no database
/// round trip, no waiting); `None` sends the caller to [`now`].
pub fn now_at_hand(store: &Store) -> Option<Freshness> {
    store.seen_by_watcher().map(|seen| Freshness {
        seen,
        minute: this_minute(),
    })
}

fn this_minute() -> i64 {
    chrono::Utc::now().timestamp().div_euclid(60)
}

#[cfg(test)]
impl Freshness {
    /// A reading of nothing, at minute 0 (for tests of what keeps readings).
    pub fn of_nothing() -> Freshness {
        Freshness {
            seen: Seen {
                facility_version: None,
                organisation_version: None,
                approved_generation: 0,
                reference: 0,
            },
            minute: 0,
        }
    }

    /// The same reading `minutes` later.
    pub fn minutes_later(self, minutes: i64) -> Freshness {
        Freshness {
            minute: self.minute + minutes,
            ..self
        }
    }

    /// The same reading at another approved generation (data changed).
    pub fn with_approved_generation(self, generation: i64) -> Freshness {
        Freshness {
            seen: Seen {
                approved_generation: generation,
                ..self.seen
            },
            ..self
        }
    }
}
