//! The demo's inventory round 2026 is the published Table 1 (issue 14):
//! every national 2026 figure of a service in `data/published_figures.csv`
//! (its locations and cities with their qualifier, and the facts the
//! inventory printed about the rooms) is what the round, as `vangnet demo`
//! creates and publishes it, shows; and its open revision, which the demo's
//! campaign works on, starts from the same table.

use serde_json::Value;

use crate::common::*;
use vangnet::domain::figure::{key_prefix, FigureValue, NATIONAL};
use vangnet::domain::service::ServiceType;

/// A fact of a Table 1 row (`kind`, and for rooms how many rooms), or 0.
fn fact(row: &Value, kind: &str, rooms: Option<i64>) -> Value {
    row["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && rooms.is_none_or(|r| f["rooms"] == r))
        .map_or(Value::from(0), |f| f["locations"].clone())
}

#[tokio::test]
async fn the_demo_round_2026_shows_the_published_table_1() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let round = app.get("/api/v1/rounds/2026").await.json();
    assert_eq!(round["status"], "published", "{round}");
    assert_eq!(round["reference_date"], "2026-07-01", "{round}");
    let table = &round["table1"];

    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/published_figures.csv"
    ))
    .unwrap();
    let figures = vangnet::formats::figures::read_figures(&bytes)
        .unwrap_or_else(|issues| panic!("{issues:?}"));
    let mut compared = Vec::new();
    for (_, figure) in figures
        .iter()
        .filter(|(_, f)| f.scope == NATIONAL && f.period == "2026")
    {
        let Some((service, measure)) = ServiceType::ALL.iter().find_map(|s| {
            let prefix = format!("{}.", key_prefix(*s)?);
            Some((*s, figure.key.strip_prefix(&prefix)?))
        }) else {
            continue;
        };
        let row = table1_row(table, service.code());
        let shown = match measure {
            "locations" => vec![row["locations"].clone()],
            "cities" => vec![row["cities"].clone(), row["municipalities"].clone()],
            "with_alcohol_room" => vec![fact(row, "alcohol_room", None)],
            "softdrugs_only" => vec![fact(row, "softdrugs_only", None)],
            "mobile" => vec![fact(row, "mobile", None)],
            "with_three_rooms" => vec![fact(row, "rooms", Some(3))],
            // Usual sizes and visit lengths are not counted from the register.
            _ => continue,
        };
        let published = match figure.value {
            FigureValue::None => Value::Null,
            value => Value::from(value.whole().expect("a count")),
        };
        for value in shown {
            assert_eq!(value, published, "{}: {row}", figure.key);
        }
        if matches!(measure, "locations" | "cities") {
            assert_eq!(
                row["qualifier"],
                figure.qualifier.qualifier().code(),
                "{}: {row}",
                figure.key
            );
        }
        compared.push(figure.key.as_str());
    }
    compared.sort_unstable();
    assert_eq!(
        compared,
        [
            "consumption_rooms.cities",
            "consumption_rooms.locations",
            "consumption_rooms.mobile",
            "consumption_rooms.softdrugs_only",
            "consumption_rooms.with_alcohol_room",
            "consumption_rooms.with_three_rooms",
            "medical_heroin_units.cities",
            "medical_heroin_units.locations",
            "methadone_clinics.locations",
            "syringe_exchange.cities",
            "syringe_exchange.locations",
        ],
        "the figures of the published Table 1"
    );
}

/// The open revision the demo's campaign works on starts as the published
/// Table 1: same day, same readings, counted live.
#[tokio::test]
async fn the_demo_revision_of_2026_starts_as_the_published_table_1() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let published = app.get("/api/v1/rounds/2026").await.json();
    let revision = app
        .get_as_admin(&format!(
            "/api/v1/rounds/{}",
            vangnet::cli::demo::REVISION_NAME
        ))
        .await
        .json();
    assert_eq!(revision["status"], "open", "{revision}");
    assert_eq!(revision["reference_date"], published["reference_date"]);
    let rows = |round: &Value| {
        round["table1"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["service"].clone(),
                    r["locations"].clone(),
                    r["municipalities"].clone(),
                    r["qualifier"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&revision), rows(&published), "{revision}");
    assert!(!rows(&revision).is_empty());
}
