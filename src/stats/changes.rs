//! What changed between two days (or two inventory rounds, by their
//! reference dates): which public facilities opened, closed or changed
//! service, each with the day it happened and the source of the version that
//! made the difference, and per service how many opened and closed ("3
//! gesloten en 2 geopend sinds 2022").
//!
//! A facility is compared as counted on each day: public and open (the rule
//! of Table 1). A facility that opened and closed again between the two days
//! is in neither count and so not in the list: the list explains the
//! difference between the two counts, per service
//! `count_to = count_from + opened - closed`.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::domain::access::InternalScope;
use crate::domain::date::Day;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::geo::geo;
use crate::domain::round::Round;
use crate::domain::service::ServiceSet;
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

pub use crate::domain::changes::*;

/// Per facility, the services it is counted for.
type Counted = BTreeMap<i64, ServiceSet>;

/// What changed in the public counts between `from` and `to` (the second
/// day may be before the first: then "opened" means counted on `to` only).
pub async fn changes(store: &Store, from: NaiveDate, to: NaiveDate) -> AppResult<Changes> {
    let before = counted_on(store, from).await?;
    let after = counted_on(store, to).await?;
    let histories = histories(store, &before, &after).await?;
    compare(
        from,
        to,
        &before,
        &after,
        &histories,
        ServiceSet::from_bits(-1),
    )
}

/// What changed between two rounds, over the services both count. Between
/// closed (or published) rounds the facilities each counted when it closed
/// are compared, so the list explains the difference between their frozen
/// counts however the register was edited since; otherwise the register
/// on their reference dates.
pub async fn changes_between_rounds(
    store: &Store,
    earlier: &Round,
    later: &Round,
) -> AppResult<Changes> {
    let scope = ServiceSet::from_bits(earlier.scope.bits() & later.scope.bits());
    let (from, to) = (earlier.reference_date, later.reference_date);
    let (before, after) = if earlier.status.is_frozen() && later.status.is_frozen() {
        (frozen(store, earlier).await?, frozen(store, later).await?)
    } else {
        (counted_on(store, from).await?, counted_on(store, to).await?)
    };
    let restrict = |set: Counted| -> Counted {
        set.into_iter()
            .map(|(id, s)| (id, ServiceSet::from_bits(s.bits() & scope.bits())))
            .filter(|(_, s)| !s.is_empty())
            .collect()
    };
    let (before, after) = (restrict(before), restrict(after));
    let histories = histories(store, &before, &after).await?;
    let mut changes = compare(from, to, &before, &after, &histories, scope)?;
    changes.from_round = Some(earlier.name.clone());
    changes.to_round = Some(later.name.clone());
    Ok(changes)
}

/// The public facilities open on `day`, with their services.
async fn counted_on(store: &Store, day: NaiveDate) -> AppResult<Counted> {
    let facilities = store
        .list_facilities(&FacilityFilter {
            as_of: Some(day),
            status: Some(FacilityStatus::Open),
            internal: InternalScope::None,
            ..FacilityFilter::default()
        })
        .await?;
    Ok(facilities
        .into_iter()
        .map(|f| (f.id, f.fields.services))
        .collect())
}

/// The facilities a frozen round counted, per facility the services.
async fn frozen(store: &Store, round: &Round) -> AppResult<Counted> {
    let mut counted = Counted::new();
    for (service, facility, _) in store.round_versions(round.id).await? {
        counted.entry(facility).or_default().insert(service);
    }
    Ok(counted)
}

/// The histories of the facilities counted on one side only or with other services.
async fn histories(
    store: &Store,
    before: &Counted,
    after: &Counted,
) -> AppResult<HashMap<i64, Vec<Facility>>> {
    let mut histories = HashMap::new();
    for id in before.keys().chain(after.keys()) {
        if before.get(id) != after.get(id) && !histories.contains_key(id) {
            histories.insert(*id, store.facility_timeline(*id).await?);
        }
    }
    Ok(histories)
}

/// The comparison itself, over the facilities counted on each day (with
/// the services each is counted for) and the full history of those that
/// differ; `scope` is the services compared.
fn compare(
    from: NaiveDate,
    to: NaiveDate,
    before: &Counted,
    after: &Counted,
    histories: &HashMap<i64, Vec<Facility>>,
    scope: ServiceSet,
) -> AppResult<Changes> {
    let mut list = Vec::new();
    let history = |id: i64| -> AppResult<&Vec<Facility>> {
        histories
            .get(&id)
            .filter(|h| !h.is_empty())
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("facility {id} has no history")))
    };
    // The version a facility is named by: the one of `day`, else the nearest.
    let named = |versions: &'_ [Facility], day: NaiveDate| -> Facility {
        version_on(versions, day)
            .or_else(|| {
                versions
                    .iter()
                    .rev()
                    .find(|v| v.validity.valid_from.is_none_or(|f| f <= day))
            })
            .or(versions.first())
            .cloned()
            .expect("a history is not empty")
    };
    for (id, &services) in after {
        match before.get(id).copied() {
            Some(was) if was == services => {}
            Some(was) => {
                let versions = history(*id)?;
                let now = named(versions, to);
                let decided = deciding(versions, to, |v| {
                    v.fields.services.bits() & scope.bits() == services.bits()
                });
                list.push(change(
                    ChangeKind::ServicesChanged,
                    &now,
                    was,
                    services,
                    decided,
                    decided.and_then(|v| v.validity.valid_from),
                ));
            }
            None => {
                let versions = history(*id)?;
                let now = named(versions, to);
                let hidden_then = version_on(versions, from).is_some_and(|w| {
                    !w.fields.public_access && status(w, from) == FacilityStatus::Open
                });
                let (kind, decided) = if hidden_then {
                    let d = deciding(versions, to, |v| v.fields.public_access);
                    (ChangeKind::NowPublic, d)
                } else {
                    let d = deciding(versions, to, |v| status(v, to) == FacilityStatus::Open);
                    (ChangeKind::Opened, d)
                };
                let date = match kind {
                    ChangeKind::Opened if now.counts_from > from.min(to) => Some(now.counts_from),
                    _ => decided.and_then(|v| v.validity.valid_from),
                };
                list.push(change(
                    kind,
                    &now,
                    ServiceSet::default(),
                    services,
                    decided,
                    date,
                ));
            }
        }
    }
    for (id, &services) in before {
        if after.contains_key(id) {
            continue;
        }
        let versions = history(*id)?;
        let now = version_on(versions, to);
        let hidden_now =
            now.is_some_and(|n| !n.fields.public_access && status(n, to) == FacilityStatus::Open);
        let (kind, decided) = if hidden_now {
            let d = deciding(versions, to, |v| !v.fields.public_access);
            (ChangeKind::NoLongerPublic, d)
        } else {
            let d = deciding(versions, to, |v| status(v, to) != FacilityStatus::Open);
            (ChangeKind::Closed, d)
        };
        // Named as it was when it still counted.
        let then = named(versions, from);
        if kind == ChangeKind::NoLongerPublic {
            list.push(no_longer_public(versions, decided, &then, services));
            continue;
        }
        let closed_on = now.and_then(|n| n.fields.closed_on);
        let date = match closed_on {
            Some(day) if day > from.min(to) => Some(day.date()),
            _ => decided.and_then(|v| v.validity.valid_from),
        };
        list.push(change(
            kind,
            &then,
            services,
            ServiceSet::default(),
            decided,
            date,
        ));
    }
    list.sort_by(|x, y| {
        (x.date.is_none(), x.date, &x.name, x.facility_id).cmp(&(
            y.date.is_none(),
            y.date,
            &y.name,
            y.facility_id,
        ))
    });
    let services = scope
        .iter()
        .map(|service| {
            let count = |set: &Counted| set.values().filter(|s| s.contains(service)).count() as i64;
            let mut entry = ServiceChanges {
                service,
                count_from: count(before),
                count_to: count(after),
                opened: 0,
                closed: 0,
                started: 0,
                stopped: 0,
            };
            for c in list.iter().filter(|c| c.touches(service)) {
                let gained = c.services_after.contains(&service);
                let continuing = c.kind == ChangeKind::ServicesChanged;
                match (gained, continuing) {
                    (true, true) => {
                        entry.opened += 1;
                        entry.started += 1;
                    }
                    (true, false) => entry.opened += 1,
                    (false, true) => {
                        entry.closed += 1;
                        entry.stopped += 1;
                    }
                    (false, false) => entry.closed += 1,
                }
            }
            entry
        })
        .collect();
    Ok(Changes {
        from,
        to,
        from_round: None,
        to_round: None,
        services,
        facilities: list,
    })
}

fn status(version: &Facility, day: NaiveDate) -> FacilityStatus {
    FacilityStatus::on(
        day,
        version.counts_from,
        version.fields.closed_on.map(Day::date),
    )
}

/// The version of a history that holds on `day`.
fn version_on(versions: &[Facility], day: NaiveDate) -> Option<&Facility> {
    versions.iter().find(|v| {
        v.validity.valid_from.is_none_or(|f| f <= day)
            && v.validity.valid_to.is_none_or(|t| day < t)
    })
}

/// The version that made a fact true: going back from the version that
/// holds on `day`, the earliest of the unbroken run of versions for which
/// `fact` holds.
fn deciding(
    versions: &[Facility],
    day: NaiveDate,
    fact: impl Fn(&Facility) -> bool,
) -> Option<&Facility> {
    let now = versions.iter().position(|v| {
        v.validity.valid_from.is_none_or(|f| f <= day)
            && v.validity.valid_to.is_none_or(|t| day < t)
    })?;
    let mut found = None;
    for v in versions[..=now].iter().rev() {
        if !fact(v) {
            break;
        }
        found = Some(v);
    }
    found
}

/// A facility that stopped being publicly accessible, told with only what
/// its last public version showed (name, place, services) and the day that
/// version ended. Nothing of the non-public version is told, not even its
/// source: it is not public, and such a source names whoever gave the
/// facility's details (a person and a phone number, say).
fn no_longer_public(
    versions: &[Facility],
    hidden: Option<&Facility>,
    counted_then: &Facility,
    services: ServiceSet,
) -> FacilityChange {
    let last_public = hidden
        .and_then(|hidden| {
            // The versions are in the order of the days they hold.
            let at = versions
                .iter()
                .position(|v| v.validity.version == hidden.validity.version)?;
            versions[..at].iter().rev().find(|v| v.fields.public_access)
        })
        .unwrap_or(counted_then);
    FacilityChange {
        source: String::new(),
        verified_on: None,
        ..change(
            ChangeKind::NoLongerPublic,
            last_public,
            services,
            ServiceSet::default(),
            None,
            last_public.validity.valid_to,
        )
    }
}

fn change(
    kind: ChangeKind,
    named: &Facility,
    before: ServiceSet,
    after: ServiceSet,
    decided: Option<&Facility>,
    date: Option<NaiveDate>,
) -> FacilityChange {
    let municipality = geo().municipality(&named.fields.municipality_code);
    let source = decided.map(|v| &v.recorded).unwrap_or(&named.recorded);
    FacilityChange {
        kind,
        facility_id: named.id,
        name: named.fields.name.clone(),
        municipality_code: named.fields.municipality_code.clone(),
        municipality: municipality.map_or_else(String::new, |m| m.name.clone()),
        province: municipality.map_or_else(String::new, |m| m.province_name.clone()),
        date,
        services_before: before.iter().collect(),
        services_after: after.iter().collect(),
        source: source.source.to_string(),
        verified_on: source.verified_on.map(Day::date),
        version: decided.map_or(named.validity.version, |v| v.validity.version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::facility::{manual_source, FacilityInput};
    use crate::domain::language::Language;
    use crate::domain::provenance::{Recorded, Source, SourceKind, Validity};
    use crate::domain::service::ServiceType;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A version of facility `id` valid from..to, recorded from `source`.
    fn version(
        id: i64,
        number: i64,
        valid: (Option<NaiveDate>, Option<NaiveDate>),
        services: &[&str],
        opened: NaiveDate,
        closed: Option<NaiveDate>,
        source: SourceKind,
    ) -> Facility {
        let input = FacilityInput {
            name: Some(format!("Demo {id}")),
            organisation: Some("Demo".into()),
            services: Some(services.iter().map(|s| s.to_string()).collect()),
            city: Some("Utrecht".into()),
            opened_on: Some(opened),
            closed_on: closed,
            ..FacilityInput::default()
        };
        let fields = input
            .validate(&manual_source("test"), day(2026, 1, 1))
            .unwrap()
            .fields;
        Facility {
            id,
            organisation_id: Some(1),
            organisation_name: None,
            fields,
            recorded: Recorded {
                source: Source::new(source, None),
                verified_on: None,
                note: None,
                recorded_by: "test".into(),
                recorded_at: "2026-01-01T00:00:00Z".into(),
            },
            validity: Validity {
                version: number,
                valid_from: valid.0,
                valid_to: valid.1,
                superseded_at: None,
            },
            counts_from: opened,
        }
    }

    fn counted(versions: &[&Vec<Facility>], on: NaiveDate) -> Counted {
        versions
            .iter()
            .filter_map(|h| version_on(h, on))
            .filter(|v| v.fields.public_access && status(v, on) == FacilityStatus::Open)
            .map(|v| (v.id, v.fields.services))
            .collect()
    }

    #[test]
    fn openings_closings_and_service_changes_explain_the_difference_in_counts() {
        let (from, to) = (day(2022, 1, 1), day(2026, 1, 1));
        let room = &["consumption_room"];
        // 1: open throughout. 2: closed in 2023 (closure recorded by phone).
        // 3: opened in 2024. 4: added a room in 2025 (website).
        let one = vec![version(
            1,
            1,
            (None, None),
            room,
            day(2015, 1, 1),
            None,
            SourceKind::Import,
        )];
        let two = vec![
            version(
                2,
                1,
                (None, Some(day(2023, 7, 1))),
                room,
                day(2010, 1, 1),
                None,
                SourceKind::Import,
            ),
            version(
                2,
                2,
                (Some(day(2023, 7, 1)), None),
                room,
                day(2010, 1, 1),
                Some(day(2023, 6, 1)),
                SourceKind::Phone,
            ),
        ];
        let three = vec![version(
            3,
            1,
            (None, None),
            room,
            day(2024, 3, 1),
            None,
            SourceKind::Survey,
        )];
        let four = vec![
            version(
                4,
                1,
                (None, Some(day(2025, 2, 1))),
                &["syringe_exchange"],
                day(2012, 1, 1),
                None,
                SourceKind::Import,
            ),
            version(
                4,
                2,
                (Some(day(2025, 2, 1)), None),
                &["syringe_exchange", "consumption_room"],
                day(2012, 1, 1),
                None,
                SourceKind::Website,
            ),
        ];
        let all = [&one, &two, &three, &four];
        let histories: HashMap<i64, Vec<Facility>> =
            all.iter().map(|h| (h[0].id, (*h).clone())).collect();
        let (before, after) = (counted(&all, from), counted(&all, to));
        let all_services = ServiceSet::from_bits(-1);
        let changes = compare(from, to, &before, &after, &histories, all_services).unwrap();
        let got: Vec<(i64, ChangeKind, Option<NaiveDate>, String, i64)> = changes
            .facilities
            .iter()
            .map(|c| (c.facility_id, c.kind, c.date, c.source.clone(), c.version))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    ChangeKind::Closed,
                    Some(day(2023, 6, 1)),
                    "phone".into(),
                    2
                ),
                (
                    3,
                    ChangeKind::Opened,
                    Some(day(2024, 3, 1)),
                    "survey".into(),
                    1
                ),
                (
                    4,
                    ChangeKind::ServicesChanged,
                    Some(day(2025, 2, 1)),
                    "website".into(),
                    2
                ),
            ]
        );
        let rooms = changes.service(ServiceType::ConsumptionRoom).unwrap();
        assert_eq!((rooms.count_from, rooms.count_to), (2, 3));
        assert_eq!((rooms.opened, rooms.closed, rooms.started), (2, 1, 1));
        assert_eq!(
            rooms.sentence(Language::Nl, "2022"),
            "1 gesloten en 2 geopend sinds 2022 (van 2 naar 3)"
        );
        let exchange = changes.service(ServiceType::SyringeExchange).unwrap();
        assert_eq!(
            exchange.sentence(Language::En, "2022"),
            "no change since 2022 (1)"
        );
        let only = changes.only(ServiceType::SyringeExchange);
        assert!(only.facilities.is_empty(), "{:?}", only.facilities);
    }
}
