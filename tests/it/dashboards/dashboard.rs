//! The dashboards' figures (dashboards::dashboard) on each engine: the
//! public sees approved figures with small counts suppressed, staff see
//! live exact figures of their scope, an approval or a tally is in the
//! next dashboard (well within a second), and an organisation's dashboard
//! is its own staff's.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;

use crate::common::*;
use vangnet::dashboards::dashboard::{dashboard, Dashboard, Level, Viewer};
use vangnet::dashboards::public::FigureState;
use vangnet::domain::access::{Principal, Role, Via};
use vangnet::domain::error::AppError;
use vangnet::domain::language::Language;
use vangnet::domain::metric::Period;
use vangnet::domain::period_report::ReportStatus;
use vangnet::domain::provenance::Actor;
use vangnet::storage::period_reports::NewReport;
use vangnet::storage::write::Writes;

fn person(role: Role, organisation: Option<i64>) -> Principal {
    Principal {
        user_id: None,
        name: format!("{}@test", role.code()),
        role,
        organisation_id: organisation,
        facility_ids: Vec::new(),
        via: Via::CommandLine,
    }
}

async fn room(app: &TestApp, org: i64, city: &str) -> i64 {
    let reply = app
        .post(
            "/api/v1/facilities",
            json!({"name": format!("Huiskamer {city}"), "organisation_id": org,
                   "opened_on": "2020-01-01", "services": ["consumption_room"], "city": city}),
        )
        .await;
    reply.json()["id"].as_i64().unwrap()
}

async fn reports(
    app: &TestApp,
    facility: i64,
    year: i32,
    status: ReportStatus,
    visits: &[(u32, i64)],
) {
    let reports: Vec<NewReport> = visits
        .iter()
        .map(|(month, value)| NewReport {
            facility_id: facility,
            period: Period::Month {
                year,
                month: *month,
            },
            status,
            source: "test".into(),
            values: vec![("visits".into(), *value, None)],
        })
        .collect();
    let mut tx = app.store.begin_write(Writes::Audit).await.unwrap();
    vangnet::storage::Store::insert_reports(&mut tx, &reports, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn visits(d: &Dashboard) -> &vangnet::dashboards::dashboard::MetricPanel {
    d.metrics
        .iter()
        .find(|m| m.code == "visits")
        .unwrap_or_else(|| panic!("no visits on {}", d.name))
}

async fn org(app: &TestApp, name: &str) -> i64 {
    app.post("/api/v1/organisations", json!({ "name": name }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_public_sees_approved_figures_suppressed_and_staff_live_exact_ones() {
    let app = TestApp::new().await;
    let (west, oost) = (org(&app, "Zorg West").await, org(&app, "Zorg Oost").await);
    let utrecht = room(&app, west, "Utrecht").await;
    let amsterdam = room(&app, oost, "Amsterdam").await;
    let months: Vec<(u32, i64)> = (1..=12).map(|m| (m, 100 + m as i64)).collect();
    reports(&app, utrecht, 2025, ReportStatus::Approved, &months).await;
    reports(
        &app,
        amsterdam,
        2025,
        ReportStatus::Approved,
        &[(1, 3), (2, 200)],
    )
    .await;
    reports(&app, amsterdam, 2025, ReportStatus::Submitted, &[(3, 300)]).await;

    let public = dashboard(
        &app.store,
        &Level::Country,
        2025,
        Viewer::Public,
        Language::Nl,
    )
    .await
    .unwrap();
    assert_eq!(public.basis, "approved");
    assert_eq!(public.months.len(), 24);
    assert_eq!(public.months[12], "2025-01");
    let panel = visits(&public);
    // March: Utrecht's 103 approved; Amsterdam's 300 only submitted.
    assert_eq!(panel.months[14].value, Some(103));
    assert_eq!(panel.months[13].value, Some(102 + 200));
    assert_eq!(
        panel.months[0].state,
        FigureState::Missing,
        "no figures in 2024"
    );
    // January: Amsterdam's 3 is small; the country's 104 and Utrecht's 101
    // are not both shown, or they would tell it.
    let province = |code: &str| {
        let level = Level::Province(code.into());
        let app = &app;
        async move {
            dashboard(&app.store, &level, 2025, Viewer::Public, Language::Nl)
                .await
                .unwrap()
        }
    };
    let nh = province("NL-NH").await;
    assert_eq!(visits(&nh).months[12].state, FigureState::Small);
    let ut = province("NL-UT").await;
    let shown = [panel.months[12].state, visits(&ut).months[12].state];
    assert!(shown.contains(&FigureState::Hidden), "{shown:?}");
    let provinces = &public.comparison;
    assert_eq!(public.compares.as_deref(), Some("province"));
    assert_eq!(provinces.len(), 12);
    // Noord-Holland's year and February (3 + 200 = 203) do not both show.
    let feb_and_year = [visits(&nh).months[13].state, visits(&nh).year.state];
    assert!(
        feb_and_year.contains(&FigureState::Hidden),
        "{feb_and_year:?}"
    );

    let admin = person(Role::Admin, None);
    let actor = Actor::named("admin@test");
    let staff = dashboard(
        &app.store,
        &Level::Country,
        2025,
        Viewer::Staff(&admin, &actor),
        Language::Nl,
    )
    .await
    .unwrap();
    assert_eq!(staff.basis, "live");
    let panel = visits(&staff);
    assert_eq!(panel.months[12].value, Some(101 + 3), "exact for staff");
    assert_eq!(
        panel.months[14].value,
        Some(103 + 300),
        "the submitted report counts live"
    );
}

#[tokio::test]
async fn an_approval_and_a_tally_are_in_the_next_dashboard() {
    let app = TestApp::new().await;
    let west = org(&app, "Zorg West").await;
    let utrecht = room(&app, west, "Utrecht").await;
    reports(&app, utrecht, 2025, ReportStatus::Approved, &[(1, 50)]).await;
    let before = dashboard(
        &app.store,
        &Level::Province("NL-UT".into()),
        2025,
        Viewer::Public,
        Language::Nl,
    )
    .await
    .unwrap();
    assert_eq!(visits(&before).year.value, Some(50));

    reports(&app, utrecht, 2025, ReportStatus::Approved, &[(2, 70)]).await;
    let started = Instant::now();
    let after = dashboard(
        &app.store,
        &Level::Province("NL-UT".into()),
        2025,
        Viewer::Public,
        Language::Nl,
    )
    .await
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        visits(&after).year.value,
        Some(120),
        "the approval is public at once"
    );

    // A tap at the desk: in the staff's live dashboard at once.
    let now = Utc::now();
    let year: i32 = now.format("%Y").to_string().parse().unwrap();
    let tap = app
        .post(
            "/api/v1/tallies",
            json!({"tallies": [{"id": "dash-tap-0001", "facility_id": utrecht,
                                "at": now.to_rfc3339(), "metric": "visits", "amount": 1}]}),
        )
        .await;
    assert!(tap.status.is_success(), "{}", tap.text());
    let admin = person(Role::Admin, None);
    let actor = Actor::named("admin@test");
    let started = Instant::now();
    let live = dashboard(
        &app.store,
        &Level::Municipality("GM0344".into()),
        year,
        Viewer::Staff(&admin, &actor),
        Language::Nl,
    )
    .await
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(visits(&live).year.value, Some(1));
    assert_eq!(live.compares.as_deref(), Some("facility"));
    assert_eq!(live.comparison[0].name, "Huiskamer Utrecht");
}

#[tokio::test]
async fn an_organisations_dashboard_is_its_own_staffs() {
    let app = TestApp::new().await;
    let (west, oost) = (org(&app, "Zorg West").await, org(&app, "Zorg Oost").await);
    let utrecht = room(&app, west, "Utrecht").await;
    let amsterdam = room(&app, oost, "Amsterdam").await;
    reports(&app, utrecht, 2025, ReportStatus::Approved, &[(1, 50)]).await;
    reports(&app, amsterdam, 2025, ReportStatus::Approved, &[(1, 70)]).await;
    let manager = person(Role::OrgManager, Some(west));
    let actor = Actor::named("org_manager@test");
    let own = dashboard(
        &app.store,
        &Level::Organisation(west),
        2025,
        Viewer::Staff(&manager, &actor),
        Language::Nl,
    )
    .await
    .unwrap();
    assert_eq!(visits(&own).year.value, Some(50));
    assert_eq!(own.comparison.len(), 1);
    for level in [Level::Organisation(oost), Level::Facility(amsterdam)] {
        let refused = dashboard(
            &app.store,
            &level,
            2025,
            Viewer::Staff(&manager, &actor),
            Language::Nl,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, AppError::Forbidden(_)),
            "{level:?}: {refused:?}"
        );
    }
    // Staff of an organisation see the country as their own facilities only.
    let country = dashboard(
        &app.store,
        &Level::Country,
        2025,
        Viewer::Staff(&manager, &actor),
        Language::Nl,
    )
    .await
    .unwrap();
    assert_eq!(visits(&country).year.value, Some(50));
    let refused = dashboard(
        &app.store,
        &Level::Organisation(west),
        2025,
        Viewer::Public,
        Language::Nl,
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Unauthorized(_)));
    // Exact reads are in the audit log.
    let audit = app
        .get_as_admin("/api/v1/audit?object_type=dashboard")
        .await;
    assert!(audit.text().contains("organisation:"), "{}", audit.text());
}

#[tokio::test]
async fn another_app_server_on_the_same_database_shows_an_approval_within_a_second() {
    let db = TestDb::new().await;
    let (writer, reader) = (db.store().await, db.store().await);
    reader.watch_changes();
    let csv = "name,organisation,services,postcode,city,opened_on\n\
               Huiskamer Utrecht,Zorg West,consumption_room,3511 AB,Utrecht,2020-01-01\n";
    let report = import_bytes(&writer, "two.csv", csv.as_bytes(), false).await;
    assert!(report.errors.is_empty(), "{report}");
    let facility = writer.facility_places().await.unwrap()[0].id;
    let year_of = |store: vangnet::storage::Store| async move {
        let d = dashboard(&store, &Level::Country, 2025, Viewer::Public, Language::Nl)
            .await
            .unwrap();
        d.metrics
            .iter()
            .find(|m| m.code == "visits")
            .and_then(|m| m.year.value)
    };
    assert_eq!(year_of(reader.clone()).await, None);
    let report = NewReport {
        facility_id: facility,
        period: Period::Month {
            year: 2025,
            month: 6,
        },
        status: ReportStatus::Approved,
        source: "test".into(),
        values: vec![("visits".into(), 250, None)],
    };
    let mut tx = writer.begin_write(Writes::Audit).await.unwrap();
    vangnet::storage::Store::insert_reports(&mut tx, &[report], "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let approved = Instant::now();
    loop {
        if year_of(reader.clone()).await == Some(250) {
            break;
        }
        assert!(
            approved.elapsed() < Duration::from_secs(1),
            "the other server still shows the old figures"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
