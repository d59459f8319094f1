//! Table 1's counting index: every stretch of days on which a facility
//! version counts (public, open, in force), kept in memory per [`Store`]
//! and brought up to date from the register's generation before each
//! count.
//!
//! Why not one SQL query: counting a day means finding, among all versions
//! ever recorded, the one in force on that day for every facility. That is
//! an interval search a B-tree index cannot narrow, so the query reads the
//! whole history (about 0.4 s for 1,000,000 versions on either engine; see
//! bench/RESULTS.md). In memory the same pass takes a few milliseconds. The
//! query stays as [`Store::tally_services_by_query`], the reference the
//! tests and the benchmark hold the index to.
//!
//! Freshness: every facility version written carries the next register
//! generation (migration 0004; the counter's row lock orders them by
//! commit). Before counting, one indexed query reads the generation; when
//! it moved, only the facilities with newer versions are read again.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::read::{BrokenRow, Columns};
use super::{Store, BEGINNING, END};
use crate::domain::feature::{Feature, Features};
use crate::domain::number::{Capacity, Rooms};
use crate::domain::service::ServiceType;
use crate::domain::table1::{ServiceCount, ServiceDetail, ServiceTally};
use crate::storage::error::StorageResult;

/// The days a version counts on, `[from, to)` as days since the common era,
/// with what the counts need.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: i32,
    to: i32,
    services: i64,
    municipality: u32,
    city: u32,
    capacity: Option<i64>,
    rooms: Option<i64>,
    mobile: bool,
    alcohol_room: bool,
    softdrugs_only: bool,
    version: i64,
}

/// Municipality codes and place keys as small numbers, so that counting
/// distinct ones is marking a slot.
#[derive(Default)]
struct Names {
    numbers: HashMap<String, u32>,
}

impl Names {
    fn number(&mut self, name: String) -> u32 {
        let next = self.numbers.len() as u32;
        *self.numbers.entry(name).or_insert(next)
    }

    fn len(&self) -> usize {
        self.numbers.len()
    }
}

/// The index; `generation` is the register generation it has caught up to
/// (`None` before the first load).
#[derive(Default)]
pub struct CountingIndex {
    generation: Option<i64>,
    /// When it last matched the register's generation (for `/metrics`).
    checked_at: Option<chrono::DateTime<chrono::Utc>>,
    facilities: HashMap<i64, Vec<Span>>,
    names: Names,
}

/// The versions that can count (public ones), with their open stretch and
/// the note marks worked out as the reference query does.
const SELECT: &str = "SELECT v.id, v.facility_id, v.valid_from, v.valid_to, \
    COALESCE(v.opened_on, f.first_seen_on) AS open_from, v.closed_on, v.services, \
    v.municipality_code, COALESCE(LOWER(TRIM(v.city)), v.municipality_code) AS city_key, \
    v.capacity, v.rooms, v.mobile, \
    v.features \
    FROM facility_versions v JOIN facilities f ON f.id = v.facility_id \
    WHERE v.public_access = 1 AND v.superseded_at IS NULL";

fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

impl CountingIndex {
    /// Reads the versions of every facility (`since` None) or of the
    /// facilities with versions newer than generation `since`, replacing
    /// what the index held for them.
    async fn load(&mut self, store: &Store, since: Option<i64>) -> StorageResult<()> {
        let Some(generation) = since else {
            self.facilities.clear();
            return self.read(store, SELECT.to_string()).await;
        };
        // Not DISTINCT: SQLite would then walk the whole facility index
        // for the order instead of the few new generations.
        let mut changed: Vec<i64> =
            sqlx::query_scalar("SELECT facility_id FROM facility_versions WHERE generation > $1")
                .bind(generation)
                .fetch_all(store.pool())
                .await?;
        changed.sort_unstable();
        changed.dedup();
        // A facility whose versions stopped being public has no rows to read.
        for id in &changed {
            self.facilities.remove(id);
        }
        // The ids as literals (they are numbers), so both engines look them
        // up in the facility index rather than testing every version.
        for chunk in changed.chunks(1_000) {
            let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!("{SELECT} AND v.facility_id IN ({})", ids.join(","));
            self.read(store, sql).await?;
        }
        Ok(())
    }

    /// Adds the spans of the versions `sql` (a [`SELECT`]) returns.
    async fn read(&mut self, store: &Store, sql: String) -> StorageResult<()> {
        let rows = sqlx::query(&sql).fetch_all(store.pool()).await?;
        for row in &rows {
            match self.span(row) {
                Ok(Some((facility, span))) => {
                    // The facilities read were cleared first, so this only adds.
                    self.facilities.entry(facility).or_default().push(span);
                }
                Ok(None) => {}
                // One unreadable version must not stop Table 1 for everyone.
                Err(broken) => broken.log(),
            }
        }
        Ok(())
    }

    /// The span a version row counts on, if any.
    fn span(&mut self, row: &sqlx::any::AnyRow) -> Result<Option<(i64, Span)>, BrokenRow> {
        let c = Columns::new(row, "facility", "facility_id", Some("version"));
        // The markers (`BEGINNING`, `END`) read as None: no bound.
        let day = |column: &str| -> Result<Option<i32>, BrokenRow> {
            match c.required_text(column).ok().as_deref() {
                None | Some(BEGINNING) | Some(END) => Ok(None),
                Some(_) => Ok(c.day(column)?.map(|d| day_number(d.date()))),
            }
        };
        let Some(open_from) = day("open_from")? else {
            return Ok(None);
        };
        let from = day("valid_from")?.map_or(open_from, |v| v.max(open_from));
        let to = [day("valid_to")?, day("closed_on")?]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(i32::MAX);
        if from >= to {
            return Ok(None);
        }
        let flag =
            |column: &str| -> Result<bool, BrokenRow> { Ok(c.flag(column)?.unwrap_or(false)) };
        let features = Features::from_bits(c.required_int("features")?);
        let municipality = c.required_text("municipality_code")?;
        let city = c.text("city_key")?.unwrap_or_default();
        let span = Span {
            from,
            to,
            services: c.required_int("services")?,
            municipality: self.names.number(municipality),
            city: self.names.number(city),
            capacity: c.number("capacity", |n| Capacity::new(n).map(i64::from))?,
            rooms: c.number("rooms", |n| Rooms::new(n).map(i64::from))?,
            mobile: flag("mobile")?,
            alcohol_room: features.contains(Feature::AlcoholRoom),
            softdrugs_only: features.contains(Feature::SoftdrugsOnly),
            version: c.required_int("id")?,
        };
        Ok(Some((c.id(), span)))
    }

    /// The tallies of [`Store::tally_services_by_query`], from memory.
    fn tally(&self, day: NaiveDate, versions: bool) -> Vec<ServiceTally> {
        let day = day_number(day);
        let names = self.names.len();
        struct Tally {
            detail: ServiceDetail,
            locations: i64,
            capacity: Option<i64>,
            municipalities: Vec<bool>,
            cities: Vec<bool>,
        }
        let mut tallies: Vec<Option<Tally>> = ServiceType::ALL.iter().map(|_| None).collect();
        for (facility, spans) in &self.facilities {
            let Some(span) = spans.iter().find(|s| s.from <= day && day < s.to) else {
                continue;
            };
            for (slot, service) in tallies.iter_mut().zip(ServiceType::ALL) {
                if span.services & service.bit() == 0 {
                    continue;
                }
                let t = slot.get_or_insert_with(|| Tally {
                    detail: ServiceDetail::default(),
                    locations: 0,
                    capacity: None,
                    municipalities: vec![false; names],
                    cities: vec![false; names],
                });
                t.locations += 1;
                if let Some(capacity) = span.capacity {
                    t.capacity = Some(t.capacity.unwrap_or(0) + capacity);
                }
                t.municipalities[span.municipality as usize] = true;
                t.cities[span.city as usize] = true;
                let d = &mut t.detail;
                d.mobile += i64::from(span.mobile);
                d.alcohol_room += i64::from(span.alcohol_room);
                d.softdrugs_only += i64::from(span.softdrugs_only);
                if let Some(rooms) = span.rooms.filter(|r| *r > 1) {
                    d.multi_rooms.push(rooms);
                }
                d.facility_ids.push(*facility);
                if versions {
                    d.versions.push((*facility, span.version));
                }
            }
        }
        let count = |marks: &[bool]| marks.iter().filter(|m| **m).count() as i64;
        let mut out: Vec<ServiceTally> = tallies
            .into_iter()
            .zip(ServiceType::ALL)
            .filter_map(|(t, service)| {
                let mut t = t?;
                t.detail.cities = count(&t.cities);
                t.detail.facility_ids.sort_unstable();
                t.detail.versions.sort_unstable();
                t.detail.multi_rooms.sort_unstable();
                Some(ServiceTally {
                    count: ServiceCount {
                        service,
                        locations: t.locations,
                        municipalities: count(&t.municipalities),
                        capacity: t.capacity,
                    },
                    detail: t.detail,
                })
            })
            .collect();
        out.sort_by_key(|t| t.count.service.code());
        out
    }
}

impl Store {
    /// Per service: public facilities open on `day` and what Table 1 says
    /// of them (see [`Store::tally_services_by_query`], which gives the
    /// same), from the counting index, caught up with the register first.
    pub async fn tally_services(
        &self,
        day: NaiveDate,
        versions: bool,
    ) -> StorageResult<Vec<ServiceTally>> {
        let generation: i64 =
            sqlx::query_scalar("SELECT generation FROM register_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        let mut index = self.counting.lock().await;
        match index.generation {
            Some(seen) if seen == generation => {}
            Some(seen) if seen < generation => index.load(self, Some(seen)).await?,
            _ => index.load(self, None).await?,
        }
        index.generation = Some(generation);
        index.checked_at = Some(chrono::Utc::now());
        Ok(index.tally(day, versions))
    }

    /// How fresh the counting index is: how many register generations it
    /// is behind, and when it last matched the register. `None` before its
    /// first load, or while a count holds it (the next reading will do).
    pub async fn counting_index_lag(
        &self,
    ) -> StorageResult<Option<(i64, chrono::DateTime<chrono::Utc>)>> {
        let Some((seen, checked_at)) = self
            .counting
            .try_lock()
            .ok()
            .and_then(|index| index.generation.zip(index.checked_at))
        else {
            return Ok(None);
        };
        let generation: i64 =
            sqlx::query_scalar("SELECT generation FROM register_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        Ok(Some(((generation - seen).max(0), checked_at)))
    }
}
