//! The trend of a service's count across the rounds (`stats::trend`):
//! published figures for the years without a round of ours, our closed
//! and published rounds, each point with its origin.

use axum::http::StatusCode;
use serde_json::json;
use vangnet::domain::language::Language;
use vangnet::domain::service::ServiceType;
use vangnet::domain::trend::Origin;

use crate::common::*;

const FIGURES: &[u8] = include_bytes!("../../../data/published_figures.csv");

#[tokio::test]
async fn the_trend_joins_published_figures_and_our_round_with_their_origins() {
    let app = demo_register().await;
    let actor = vangnet::domain::provenance::Actor::named("test");
    vangnet::rounds::import_figures(&app.store, FIGURES, "published_figures.csv", &actor)
        .await
        .unwrap();
    let created = app
        .post(
            "/api/v1/rounds",
            json!({"name": "2026", "reference_date": "2026-06-01",
                   "services": ["consumption_room", "heroin_unit"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());

    // An open round is not in the trend: its counts are not final.
    let open = vangnet::stats::trend::trend(&app.store, ServiceType::ConsumptionRoom)
        .await
        .unwrap();
    let last = open.last().unwrap();
    assert_eq!(
        (last.label.as_str(), last.origin),
        ("2026", Origin::External)
    );

    app.post("/api/v1/rounds/2026/close", json!({})).await;
    let trend = vangnet::stats::trend::trend(&app.store, ServiceType::ConsumptionRoom)
        .await
        .unwrap();
    let printed: Vec<(String, String, Origin)> = trend
        .iter()
        .map(|p| {
            (
                p.label.clone(),
                p.qualifier.show(p.value, Language::Nl),
                p.origin,
            )
        })
        .collect();
    let e = Origin::External;
    let expected: Vec<(String, String, Origin)> = [
        ("2000", "≥30", e),
        ("2010", "37", e),
        ("2013", "31", e),
        ("2014", "30", e),
        ("2018", "±24", e),
        ("2022", "24", e),
        ("2026", "23", Origin::Register),
    ]
    .into_iter()
    .map(|(l, v, o)| (l.to_string(), v.to_string(), o))
    .collect();
    assert_eq!(printed, expected);
    assert_eq!(trend[1].source, "Havinga & van der Poel 2011 (Trimbos)");
    assert_eq!(trend[6].round.as_deref(), Some("2026"));

    // The public sees our round only once it is published.
    let public = vangnet::stats::trend::public_trend(&app.store, ServiceType::ConsumptionRoom)
        .await
        .unwrap();
    assert_eq!(public.last().unwrap().origin, Origin::External);
    let mhu = vangnet::stats::trend::trend(&app.store, ServiceType::HeroinUnit)
        .await
        .unwrap();
    assert_eq!(
        mhu.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(),
        ["2020", "2022", "2026"]
    );
    assert_eq!(mhu[2].value, Some(17));
    // The demo's rooms with three separate rooms and the mobile one are noted.
    let table = vangnet::rounds::table1::table1_for_round(&app.store, "2026")
        .await
        .unwrap();
    let rooms = table.row(ServiceType::ConsumptionRoom).unwrap();
    assert_eq!(rooms.cities, Some(14));
    assert!(
        rooms
            .notes
            .contains(&"2 locaties met 3 aparte ruimtes".to_string())
            && rooms.notes.contains(&"1 mobiele ruimte".to_string()),
        "{:?}",
        rooms.notes
    );
}

#[tokio::test]
async fn a_second_round_in_a_year_is_a_point_of_its_own_labelled_by_its_name() {
    let app = demo_register().await;
    for (name, day) in [
        ("2026-voorjaar", "2026-03-01"),
        ("2026-najaar", "2026-10-01"),
    ] {
        let created = app
            .post(
                "/api/v1/rounds",
                json!({"name": name, "reference_date": day, "services": ["consumption_room"]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        for step in ["close", "publish"] {
            let reply = app
                .post(&format!("/api/v1/rounds/{name}/{step}"), json!({}))
                .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{step} {name}: {}",
                reply.text()
            );
        }
    }
    let public = vangnet::stats::trend::public_trend(&app.store, ServiceType::ConsumptionRoom)
        .await
        .unwrap();
    let labels: Vec<&str> = public.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2026-voorjaar", "2026-najaar"], "{public:?}");
    assert!(public.iter().all(|p| p.origin == Origin::Register));
}

/// An app with the demo's facilities.
async fn demo_register() -> TestApp {
    let app = TestApp::new().await;
    let report = import_bytes(
        &app.store,
        "demo.csv",
        vangnet::cli::demo::FACILITIES_CSV.as_bytes(),
        false,
    )
    .await;
    assert!(report.is_ok(), "{report}");
    app
}
