//! How an app server learns that the data changed, without asking the
//! database at every request: what the finder's list and the public
//! figures are built from (the newest facility and organisation versions,
//! the approved generation) is read by one background task a few times a
//! second (`Store::watch_changes`, started by `vangnet serve`), and
//! requests compare with what it read last.
//!
//! Why polling rather than LISTEN/NOTIFY: it works the same on both
//! engines (SQLite has no notifications between processes) and costs one
//! indexed query per interval; the interval bounds how late another
//! server sees a change (`WATCH_EVERY`, well within the second).
//! A write made through this process is seen at once: its commit forgets
//! what was read, so the next request asks the database.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::Row;

use super::Store;
use crate::storage::error::StorageResult;

/// How often the watcher reads what changed.
pub const WATCH_EVERY: Duration = Duration::from_millis(200);

/// What the data was last seen as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub facility_version: Option<i64>,
    pub organisation_version: Option<i64>,
    pub approved_generation: i64,
    /// A digest of the reference data: published figures (populations
    /// among them), municipality boundaries and the metric catalogue,
    /// which imports and national roles change now and then; and of the
    /// inventory rounds (made, closed, published, a count read), which
    /// Table 1 follows.
    pub reference: u64,
}

/// The last reading, shared by a store's clones.
#[derive(Debug, Default)]
pub struct Watch {
    seen: Mutex<Option<Seen>>,
    watching: AtomicBool,
    /// Moves at every forgetting, so that a reading begun before a write
    /// committed is not kept after it.
    epoch: AtomicU64,
    /// When the watcher last ended a round (Unix seconds; 0 = never).
    beat: AtomicI64,
}

impl Watch {
    /// Forgets the last reading (a write through this process committed).
    pub(super) fn forget(&self) {
        let mut seen = self.lock();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *seen = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Seen>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store {
    /// What the data is now: the watcher's last reading when it runs and
    /// nothing was written through this process since, else read at once.
    pub async fn seen(&self) -> StorageResult<Seen> {
        match self.seen_by_watcher() {
            Some(seen) => Ok(seen),
            None => self.read_seen().await,
        }
    }

    /// The watcher's last reading, when it runs and nothing was written
    /// through this process since (without waiting for anything).
    pub fn seen_by_watcher(&self) -> Option<Seen> {
        if self.watch.watching.load(Ordering::Relaxed) {
            *self.watch.lock()
        } else {
            None
        }
    }

    async fn read_seen(&self) -> StorageResult<Seen> {
        let (facility_version, organisation_version) = self.newest_versions().await?;
        Ok(Seen {
            facility_version,
            organisation_version,
            approved_generation: self.approved_generation().await?,
            reference: self.reference_digest().await?,
        })
    }

    /// Counts, newest import times and the sum of the figures' values of the
    /// reference data, and the rounds' counts and newest changes, digested:
    /// an import, a metric added or retired, a round made, closed or
    /// published, or a researcher's reading of a count changes it.
    async fn reference_digest(&self) -> StorageResult<u64> {
        use std::hash::{Hash, Hasher};
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM published_figures) AS figures, \
             (SELECT MAX(imported_at) FROM published_figures) AS figures_at, \
             (SELECT CAST(SUM(COALESCE(value_low, 0) + COALESCE(value_high, 0)) \
              AS DOUBLE PRECISION) FROM published_figures) AS figures_sum, \
             (SELECT COUNT(*) FROM municipality_boundaries) AS outlines, \
             (SELECT MAX(imported_at) FROM municipality_boundaries) AS outlines_at, \
             (SELECT COUNT(*) FROM metrics) AS metrics, \
             (SELECT COUNT(retired_at) FROM metrics) AS retired, \
             (SELECT COUNT(*) FROM rounds) AS rounds, \
             (SELECT COUNT(closed_at) FROM rounds) AS closed, \
             (SELECT COUNT(published_at) FROM rounds) AS published, \
             (SELECT MAX(closed_at) FROM rounds) AS closed_at, \
             (SELECT MAX(published_at) FROM rounds) AS published_at, \
             (SELECT COUNT(*) FROM round_overrides) AS readings, \
             (SELECT MAX(updated_at) FROM round_overrides) AS readings_at",
        )
        .fetch_one(self.pool())
        .await?;
        let mut digest = std::collections::hash_map::DefaultHasher::new();
        let counts = [
            "figures",
            "outlines",
            "metrics",
            "retired",
            "rounds",
            "closed",
            "published",
            "readings",
        ];
        for count in counts {
            row.try_get::<i64, _>(count)?.hash(&mut digest);
        }
        row.try_get::<Option<f64>, _>("figures_sum")?
            .map(f64::to_bits)
            .hash(&mut digest);
        for at in [
            "figures_at",
            "outlines_at",
            "closed_at",
            "published_at",
            "readings_at",
        ] {
            row.try_get::<Option<String>, _>(at)?.hash(&mut digest);
        }
        Ok(digest.finish())
    }

    /// Starts the watcher (once per store): reads what changed every
    /// [`WATCH_EVERY`] until the process ends.
    pub fn watch_changes(&self) {
        self.watch_changes_until(None);
    }

    /// Starts the watcher (once per store; `None` when it runs already),
    /// ending after the round under way when `stop` turns true.
    pub fn watch_changes_until(
        &self,
        stop: Option<tokio::sync::watch::Receiver<bool>>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        if self.watch.watching.swap(true, Ordering::SeqCst) {
            return None;
        }
        let store = self.clone();
        let watch: Arc<Watch> = self.watch.clone();
        Some(tokio::spawn(async move {
            let mut stop = stop;
            loop {
                let epoch = watch.epoch.load(Ordering::SeqCst);
                match store.read_seen().await {
                    Ok(seen) => {
                        let mut kept = watch.lock();
                        if watch.epoch.load(Ordering::SeqCst) == epoch {
                            *kept = Some(seen);
                        }
                    }
                    Err(e) => {
                        // Requests ask the database themselves meanwhile.
                        tracing::warn!(error = %e, "cannot read what changed");
                        *watch.lock() = None;
                    }
                }
                watch
                    .beat
                    .store(chrono::Utc::now().timestamp(), Ordering::SeqCst);
                tokio::select! {
                    () = tokio::time::sleep(WATCH_EVERY) => {}
                    () = stopped(&mut stop) => break,
                }
            }
            watch.watching.store(false, Ordering::SeqCst);
        }))
    }

    /// When the watcher last ended a round; `None` when it never did.
    pub fn watcher_beat(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self.watch.beat.load(Ordering::SeqCst) {
            0 => None,
            seconds => chrono::DateTime::from_timestamp(seconds, 0),
        }
    }
}

/// Resolves once `stop` turns true; never without one (or once nobody can
/// turn it any more).
async fn stopped(stop: &mut Option<tokio::sync::watch::Receiver<bool>>) {
    if let Some(stop) = stop {
        if stop.wait_for(|stop| *stop).await.is_ok() {
            return;
        }
    }
    std::future::pending::<()>().await;
}
