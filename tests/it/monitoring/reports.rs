//! Period reports on both engines: draft → submitted → approved (locked)
//! → reopened with a reason by a researcher; who may do what; every value
//! change kept and audited; prefill from tallies; the hard errors and the
//! warnings that need a note; completeness and the late list.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;

use super::exchange;
use crate::common::*;
use vangnet::domain::access::{Principal, Role, Via};
use vangnet::domain::error::AppError;
use vangnet::domain::period_report::{ReportStatus, ValueInput};
use vangnet::domain::provenance::Actor;
use vangnet::domain::tally::TallyInput;
use vangnet::monitoring::completeness;
use vangnet::monitoring::reports::{self, ReportInput};
use vangnet::storage::audit::AuditFilter;

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

fn actor(p: &Principal) -> Actor {
    Actor::named(p.name.clone())
}

fn values(pairs: &[(&str, i64)]) -> ReportInput {
    ReportInput {
        values: pairs
            .iter()
            .map(|(m, v)| ValueInput {
                metric: m.to_string(),
                value: Some(*v),
                note: None,
            })
            .collect(),
    }
}

fn today() -> NaiveDate {
    vangnet::domain::date::today()
}

fn fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[tokio::test]
async fn a_report_is_submitted_approved_locked_and_reopened_only_by_a_researcher_with_a_reason() {
    let app = TestApp::new().await;
    let (org, id) = exchange(&app, "Spuitpunt West").await;
    let (other_org, _) = exchange(&app, "Spuitpunt Oost").await;
    let reporter = person(Role::Reporter, Some(org));
    let manager = person(Role::OrgManager, Some(org));
    let stranger = person(Role::OrgManager, Some(other_org));
    let researcher = person(Role::Researcher, None);
    let s = &app.store;
    let day = today();

    let input = values(&[("syringes_out", 900), ("syringes_in", 850)]);
    let refused = reports::submit(s, &stranger, &actor(&stranger), id, "2025-03", &input, day)
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        AppError::Forbidden(_) | AppError::NotFound(_)
    ));

    let shown = reports::submit(s, &reporter, &actor(&reporter), id, "2025-03", &input, day)
        .await
        .unwrap();
    assert_eq!(shown.status, ReportStatus::Submitted);
    // A reporter does not approve; the manager of the organisation does.
    assert!(
        reports::approve(s, &reporter, &actor(&reporter), id, "2025-03", day)
            .await
            .is_err()
    );
    let approved = reports::approve(s, &manager, &actor(&manager), id, "2025-03", day)
        .await
        .unwrap();
    assert_eq!(approved.status, ReportStatus::Approved);
    assert_eq!(approved.approved_by.as_deref(), Some("org_manager@test"));

    // Locked: no value changes, no second submission.
    let locked = reports::set_values(
        s,
        &manager,
        &actor(&manager),
        id,
        "2025-03",
        &values(&[("syringes_out", 901)]),
        day,
    )
    .await
    .unwrap_err();
    assert!(matches!(locked, AppError::Conflict(_)), "{locked:?}");

    // Only a national role reopens, and only with a reason.
    assert!(matches!(
        reports::reopen(s, &manager, &actor(&manager), id, "2025-03", "typo", day).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        fields(
            reports::reopen(s, &researcher, &actor(&researcher), id, "2025-03", " ", day)
                .await
                .unwrap_err()
        ),
        ["reason"]
    );
    let reopened = reports::reopen(
        s,
        &researcher,
        &actor(&researcher),
        id,
        "2025-03",
        "syringes_out typed as 900, was 90",
        day,
    )
    .await
    .unwrap();
    assert_eq!(reopened.status, ReportStatus::Reopened);
    assert_eq!(
        reopened.reopened_reason.as_deref(),
        Some("syringes_out typed as 900, was 90")
    );

    let fixed = reports::submit(
        s,
        &manager,
        &actor(&manager),
        id,
        "2025-03",
        &ReportInput {
            values: vec![ValueInput {
                metric: "syringes_out".into(),
                value: Some(90),
                note: None,
            }],
        },
        day,
    )
    .await;
    // 850 returned against 90 handed out needs a note now.
    assert_eq!(fields(fixed.unwrap_err()), ["values.syringes_in.note"]);
    let fixed = reports::submit(
        s,
        &manager,
        &actor(&manager),
        id,
        "2025-03",
        &values(&[("syringes_out", 900), ("syringes_in", 85)]),
        day,
    )
    .await
    .unwrap();
    assert_eq!(fixed.status, ReportStatus::Submitted);

    // Every change is kept, with before and after.
    let changes: Vec<(String, Option<i64>, Option<i64>)> = fixed
        .changes
        .iter()
        .map(|c| (c.metric.clone(), c.before, c.after))
        .collect();
    assert!(changes.contains(&("syringes_in".into(), None, Some(850))));
    assert!(changes.contains(&("syringes_in".into(), Some(850), Some(85))));
    let audit = s
        .search_audit(&AuditFilter {
            object_type: Some("period_report".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let events: Vec<&str> = audit.iter().map(|e| e.event.as_str()).collect();
    for event in ["submit", "approve", "reopen", "update"] {
        assert!(events.contains(&event), "{event} in {events:?}");
    }
    // Reading a report is audited.
    reports::read_report(s, &researcher, &actor(&researcher), id, "2025-03", day)
        .await
        .unwrap();
    let reads = s
        .search_audit(&AuditFilter {
            object_type: Some("period_report".into()),
            event: Some("read".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(!reads.is_empty());
}

#[tokio::test]
async fn hard_errors_name_the_field_and_store_nothing() {
    let app = TestApp::new().await;
    let (org, id) = exchange(&app, "Spuitpunt Noord").await;
    let reporter = person(Role::Reporter, Some(org));
    let s = &app.store;
    let day = today();
    let refused = reports::submit(
        s,
        &reporter,
        &actor(&reporter),
        id,
        "2025-03",
        &values(&[
            ("syringes_out", -1),
            ("syringes_in", 10_000_001),
            ("visits", 3),
            ("nonsense", 1),
        ]),
        day,
    )
    .await
    .unwrap_err();
    assert_eq!(
        fields(refused),
        [
            "values.syringes_out",
            "values.syringes_in",
            "values.visits",
            "values.nonsense"
        ]
    );
    assert!(s
        .period_report(id, "2025-03".parse_period())
        .await
        .unwrap()
        .is_none());
    for period in ["2023-12", "2099-01"] {
        let refused = reports::submit(
            s,
            &reporter,
            &actor(&reporter),
            id,
            period,
            &values(&[("syringes_out", 1)]),
            day,
        )
        .await
        .unwrap_err();
        assert_eq!(fields(refused), ["period"], "{period}");
    }
}

trait ParsePeriod {
    fn parse_period(&self) -> vangnet::domain::metric::Period;
}

impl ParsePeriod for &str {
    fn parse_period(&self) -> vangnet::domain::metric::Period {
        vangnet::domain::metric::Period::parse(self).unwrap()
    }
}

#[tokio::test]
async fn a_value_far_above_the_facilitys_median_needs_a_note() {
    let app = TestApp::new().await;
    let (org, id) = exchange(&app, "Spuitpunt Zuid").await;
    let manager = person(Role::OrgManager, Some(org));
    let s = &app.store;
    let day = today();
    for (period, out) in [("2024-06", 100), ("2024-07", 120), ("2024-08", 110)] {
        reports::submit(
            s,
            &manager,
            &actor(&manager),
            id,
            period,
            &values(&[("syringes_out", out)]),
            day,
        )
        .await
        .unwrap();
    }
    let high = values(&[("syringes_out", 400)]);
    let refused = reports::submit(s, &manager, &actor(&manager), id, "2024-09", &high, day)
        .await
        .unwrap_err();
    assert_eq!(fields(refused), ["values.syringes_out.note"]);
    let confirmed = ReportInput {
        values: vec![ValueInput {
            metric: "syringes_out".into(),
            value: Some(400),
            note: Some("extra uitdeelactie op festival".into()),
        }],
    };
    let done = reports::submit(
        s,
        &manager,
        &actor(&manager),
        id,
        "2024-09",
        &confirmed,
        day,
    )
    .await
    .unwrap();
    assert_eq!(done.status, ReportStatus::Submitted);
    assert_eq!(
        done.lines
            .iter()
            .find(|l| l.metric == "syringes_out")
            .unwrap()
            .note
            .as_deref(),
        Some("extra uitdeelactie op festival")
    );
}

#[tokio::test]
async fn a_month_is_prefilled_from_tallies_and_submitting_takes_them_unless_typed() {
    let app = TestApp::new().await;
    let (org, id) = exchange(&app, "Spuitpunt Centrum").await;
    let reporter = person(Role::Reporter, Some(org));
    let s = &app.store;
    // Tallies yesterday noon (local), in this or last month.
    let at = Utc::now() - Duration::days(1);
    let tallies: Vec<TallyInput> = [
        ("tally-0001", "syringes_out", 7),
        ("tally-0002", "syringes_out", 5),
        ("tally-0003", "syringes_in", 9),
    ]
    .iter()
    .map(|(tid, metric, amount)| TallyInput {
        id: Some(tid.to_string()),
        facility_id: Some(id),
        at: Some(at.to_rfc3339()),
        metric: Some(metric.to_string()),
        amount: Some(*amount),
    })
    .collect();
    vangnet::monitoring::record_tallies(s, &tallies, &reporter, &actor(&reporter), Utc::now())
        .await
        .unwrap();
    let local = at.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let period = vangnet::domain::metric::Period::month_of(local).to_string();
    let day = today();
    let shown = reports::read_report(s, &reporter, &actor(&reporter), id, &period, day)
        .await
        .unwrap();
    let line = |view: &reports::ReportView, m: &str| {
        let l = view.lines.iter().find(|l| l.metric == m).unwrap().clone();
        (l.value, l.from_tallies)
    };
    assert_eq!(line(&shown, "syringes_out"), (None, Some(12)));
    assert!(!shown.stored, "reading stores nothing");
    let done = reports::submit(
        s,
        &reporter,
        &actor(&reporter),
        id,
        &period,
        &values(&[("syringes_in", 10)]),
        day,
    )
    .await
    .unwrap();
    assert_eq!(
        line(&done, "syringes_out").0,
        Some(12),
        "taken from tallies"
    );
    assert_eq!(line(&done, "syringes_in").0, Some(10), "typed wins");
}

#[tokio::test]
async fn completeness_counts_expected_submitted_approved_and_lists_who_is_late() {
    let app = TestApp::new().await;
    let (org, a) = exchange(&app, "Spuitpunt A").await;
    let (_, b) = exchange(&app, "Spuitpunt B").await;
    let (_, c) = exchange(&app, "Spuitpunt C").await;
    // Opened after the period: not expected.
    let late_opened = app
        .post(
            "/api/v1/facilities",
            json!({"name": "Spuitpunt Nieuw", "organisation_id": org, "opened_on": "2025-06-01",
                   "services": ["syringe_exchange"], "city": "Utrecht"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let researcher = person(Role::Researcher, None);
    let s = &app.store;
    let day = today();
    let input = values(&[("syringes_out", 50)]);
    for id in [a, b] {
        reports::submit(
            s,
            &researcher,
            &actor(&researcher),
            id,
            "2025-03",
            &input,
            day,
        )
        .await
        .unwrap();
    }
    reports::approve(s, &researcher, &actor(&researcher), a, "2025-03", day)
        .await
        .unwrap();
    let done = completeness::completeness(s, &researcher, &actor(&researcher), "2025-03")
        .await
        .unwrap();
    let ids: Vec<i64> = done.facilities.iter().map(|f| f.facility_id).collect();
    assert!(!ids.contains(&late_opened));
    assert!(ids.contains(&a) && ids.contains(&b) && ids.contains(&c));
    assert_eq!((done.submitted, done.approved), (2, 1));
    assert_eq!(done.expected, ids.len());
    let late: Vec<i64> = done.late.iter().map(|f| f.facility_id).collect();
    assert!(late.contains(&c) && !late.contains(&a) && !late.contains(&b));
}
