//! The finder's in-memory list of public facilities open today, kept per
//! running application (in `AppState`) and rebuilt after every change to
//! the register. The finder page, the map and `/api/v1/finder` search it.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::domain::access::InternalScope;
use crate::domain::date::today;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::finder::FinderIndex;
use crate::formats::json::{Audience, FacilityJson};
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// What the list was built from: the day, and the newest facility and
/// organisation versions (history is append-only, so every change makes a
/// newer one). Every part only grows, so a later stamp compares greater.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp {
    day: chrono::NaiveDate,
    facility_version: Option<i64>,
    organisation_version: Option<i64>,
}

/// The list kept, and the rebuild under way, if any.
#[derive(Default)]
struct Entry {
    current: Option<(Stamp, Arc<FinderIndex>)>,
    building: Option<(Stamp, Building)>,
}

/// Announces the rebuilt list; `None` until it is there. Dropped unsent
/// when the rebuild fails (which it logs).
type Building = watch::Receiver<Option<Arc<FinderIndex>>>;

/// The finder's list for one application.
#[derive(Default)]
pub struct FinderCache {
    entry: Mutex<Entry>,
}

/// Up to this size a rebuild takes milliseconds, so a search after a change
/// waits for it. Above it a rebuild takes long (about 3 s for 100,000
/// facilities), so searches meanwhile answer at once from the list as it was
/// a moment before.
const WAIT_FOR_REBUILD_BELOW: usize = 5_000;

/// The public facilities open today, ready to search: built from the
/// register on first use and again after any change (what the register was
/// last seen as, `Store::seen`: without a database round trip while the
/// server's watcher runs). One rebuild runs at a time per database; meanwhile
/// searches in a large register use the previous list (see
/// [`WAIT_FOR_REBUILD_BELOW`]), so a change shows there a few seconds later.
impl FinderCache {
    pub async fn index(self: &Arc<Self>, store: &Store) -> AppResult<Arc<FinderIndex>> {
        let stamp = stamp(store).await?;
        let (mut building, previous) = {
            let mut entry = self.lock();
            if let Some((built, index)) = &entry.current {
                if *built == stamp {
                    return Ok(index.clone());
                }
            }
            let previous = entry.current.as_ref().map(|(_, index)| index.clone());
            let large = previous
                .as_ref()
                .is_some_and(|p| p.listed().len() >= WAIT_FOR_REBUILD_BELOW);
            let building = match &entry.building {
                // A large list is rebuilt once at a time: changes made meanwhile
                // are picked up by the next rebuild. (A rebuild that died, e.g.
                // panicked, has dropped its sender.)
                Some((for_stamp, receiver))
                    if (*for_stamp == stamp || large) && receiver.has_changed().is_ok() =>
                {
                    receiver.clone()
                }
                _ => {
                    let (sender, receiver) = watch::channel(None);
                    entry.building = Some((stamp.clone(), receiver.clone()));
                    tokio::spawn(self.clone().rebuild(store.clone(), stamp, sender));
                    receiver
                }
            };
            (building, previous.filter(|_| large))
        };
        match previous {
            Some(previous) => Ok(previous),
            None => building
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|index| index.clone())
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!(
                        "the finder's list of facilities could not be built"
                    ))
                }),
        }
    }

    /// Builds the list for `stamp` and keeps it, unless a newer one got there first.
    async fn rebuild(
        self: Arc<Self>,
        store: Store,
        stamp: Stamp,
        sender: watch::Sender<Option<Arc<FinderIndex>>>,
    ) {
        let filter = FacilityFilter {
            as_of: Some(stamp.day),
            status: Some(FacilityStatus::Open),
            internal: InternalScope::None,
            ..FacilityFilter::default()
        };
        let built = match store.list_facilities(&filter).await {
            // Building takes CPU for a while in a large register (parsing
            // hours, the trees, each answer's JSON): off the request workers.
            Ok(facilities) => tokio::task::spawn_blocking(move || build(stamp.day, facilities))
                .await
                .unwrap_or_else(|e| Err(AppError::Internal(anyhow::anyhow!("finder build: {e}")))),
            Err(e) => Err(e.into()),
        };
        let mut entry = self.lock();
        if entry.building.as_ref().is_some_and(|(s, _)| *s == stamp) {
            entry.building = None;
        }
        match built {
            Ok(index) => {
                if entry.current.as_ref().is_none_or(|(s, _)| *s < stamp) {
                    entry.current = Some((stamp, index.clone()));
                }
                sender.send_replace(Some(index));
            }
            Err(e) => tracing::error!(error = %e, "cannot build the finder's list of facilities"),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entry> {
        // A panic while holding the lock leaves an entry that is still whole.
        self.entry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The finder's list of the facilities open on `day`, with each one's
/// public JSON written once.
fn build(day: chrono::NaiveDate, facilities: Vec<Facility>) -> AppResult<Arc<FinderIndex>> {
    let mut index = FinderIndex::new(day, facilities);
    index
        .render_each(|facility, day| {
            serde_json::value::to_raw_value(&FacilityJson::new(facility, day, Audience::Public))
        })
        .map_err(|e| AppError::Internal(anyhow::anyhow!("finder JSON: {e}")))?;
    Ok(Arc::new(index))
}

async fn stamp(store: &Store) -> AppResult<Stamp> {
    let seen = store.seen().await?;
    Ok(Stamp {
        day: today(),
        facility_version: seen.facility_version,
        organisation_version: seen.organisation_version,
    })
}
