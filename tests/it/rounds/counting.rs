//! Table 1's in-memory counting index gives exactly what the reference
//! query gives, on any day, and catches up with changes written through
//! another connection (another server on the same database).

use chrono::{Days, NaiveDate};
use serde_json::json;
use vangnet::domain::access::Principal;
use vangnet::domain::provenance::{Actor, Source};
use vangnet::storage::Store;

use crate::common::*;

/// Every 61st day from 1993 to 2028, and the edges of the changes below.
fn days() -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = (0..)
        .map(|n| date("1993-01-01") + Days::new(61 * n))
        .take_while(|d| *d < date("2028-01-01"))
        .collect();
    days.extend(["2026-02-28", "2026-03-01", "2026-03-02", "2027-01-01"].map(date));
    days
}

/// Compares the index with the query on every day; returns how many
/// (day, service) counts were not empty, so the test knows it counted.
async fn agree(store: &Store, when: &str) -> usize {
    let mut counted = 0;
    for day in days() {
        let fast = store.tally_services(day, true).await.unwrap();
        let reference = store.tally_services_by_query(day, true).await.unwrap();
        assert_eq!(fast, reference, "{when}: the counts of {day} differ");
        counted += fast.len();
    }
    counted
}

async fn facility_id(store: &Store, name: &str) -> i64 {
    let facilities = store
        .list_facilities(&vangnet::storage::facilities::FacilityFilter {
            internal: vangnet::domain::access::InternalScope::All,
            ..Default::default()
        })
        .await
        .unwrap();
    facilities
        .iter()
        .find(|f| f.fields.name == name)
        .unwrap_or_else(|| panic!("no facility {name}"))
        .id
}

async fn change(store: &Store, id: i64, patch: serde_json::Value) {
    vangnet::register::patch_facility(
        store,
        id,
        &patch,
        &Source::parse("manual"),
        &Principal::command_line("test"),
        &Actor::named("test"),
        vangnet::domain::date::today(),
    )
    .await
    .unwrap_or_else(|e| panic!("patch {id}: {e}"));
}

#[tokio::test]
async fn the_counting_index_agrees_with_the_query_before_and_after_changes_elsewhere() {
    let db = TestDb::new().await;
    let server = db.store().await;
    let other = db.store().await;
    let report = import_bytes(
        &other,
        "facilities.csv",
        vangnet::cli::demo::FACILITIES_CSV.as_bytes(),
        false,
    )
    .await;
    assert!(report.is_ok(), "{report}");
    assert!(agree(&server, "after the import").await > 100);

    let rooms_on = |tallies: &[vangnet::domain::table1::ServiceTally]| {
        tallies
            .iter()
            .find(|t| t.count.service == vangnet::domain::service::ServiceType::ConsumptionRoom)
            .map_or(0, |t| t.count.locations)
    };
    let before = rooms_on(
        &server
            .tally_services(date("2026-03-01"), false)
            .await
            .unwrap(),
    );

    // Written through the other store: closed, no longer public, a service
    // dropped, moved to another municipality.
    let room = facility_id(&other, "Demo Gebruiksruimte Het Anker Utrecht 1").await;
    change(
        &other,
        room,
        json!({"closed_on": "2026-03-01", "effective_from": "2026-03-01"}),
    )
    .await;
    assert_eq!(
        rooms_on(
            &server
                .tally_services(date("2026-03-01"), false)
                .await
                .unwrap()
        ),
        before - 1,
        "the other server's closing shows at once"
    );
    let pharmacy = facility_id(&other, "Demo Apotheek Amsterdam").await;
    change(
        &other,
        pharmacy,
        json!({"services": ["paraphernalia"], "effective_from": "2026-03-01"}),
    )
    .await;
    let camper = facility_id(&other, "Demo Gebruikscamper Oosterpark").await;
    change(
        &other,
        camper,
        json!({"public_access": false, "effective_from": "2026-03-02"}),
    )
    .await;
    assert!(agree(&server, "after changes elsewhere").await > 100);
    assert!(agree(&other, "on the store that wrote them").await > 100);
}
