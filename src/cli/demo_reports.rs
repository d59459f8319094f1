//! The demo's period reports: two years of monthly figures, up to last
//! month, for every demo facility with metrics, so a new user sees a
//! working monitoring at once. Sizes follow the published figures
//! (DESIGN.md): Amsterdam's exchanges together about 90,000 syringes a
//! year (2018), Rotterdam's 45,000; methadone 1.47 million dispensations
//! to 5,148 people at 11 institutions (2024), so one clinic about 11,000 a
//! month to some 470 people. Mostly approved; the last two months partly
//! only submitted; a few facilities late for last month; a few months with
//! a confirmed warning. Written in a few multi-row statements, so the
//! demo starts fast. The demo's first exchange in Amsterdam is left late
//! for last month, with a few tallies, so its report shows "uit turven".

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::domain::facility::Facility;
use crate::domain::metric::{Metric, Period};
use crate::domain::period_report::{ReportFacts, ReportStatus};
use crate::domain::provenance::Actor;
use crate::domain::service::ServiceType;
use crate::domain::tally::Tally;
use crate::storage::audit::AuditEvent;
use crate::storage::period_reports::NewReport;
use crate::storage::write::Writes;
use crate::storage::Store;

/// The facility left late for last month, with tallies to prefill it.
pub const LATE_WITH_TALLIES: &str = "Demo Gebruiksruimte Het Anker Amsterdam 1";

/// A stable spread of ±10% around a value, from a facility, month and metric.
fn vary(base: i64, seed: u64) -> i64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    let percent = (x % 21) as i64 - 10;
    (base + base * percent / 100).max(0)
}

/// A metric's usual monthly value at one facility.
fn base_value(metric: &str, f: &Facility, exchanges_in_city: i64) -> i64 {
    let city = f.fields.city.as_deref().unwrap_or("");
    let places = f.fields.capacity.map_or(40, |c| c.get() as i64).max(20);
    match metric {
        "syringes_out" => match city {
            "Amsterdam" => 90_000 / 12 / exchanges_in_city.max(1),
            "Rotterdam" => 45_000 / 12 / exchanges_in_city.max(1),
            _ => 600,
        },
        "syringes_in" => base_value("syringes_out", f, exchanges_in_city) * 85 / 100,
        "visits" => 1_400,
        "unique_visitors" => 110,
        "pipes_out" => 450,
        "foil_out" => 900,
        "naloxone_kits_out" => 14,
        "naloxone_administered" | "overdoses_responded" => 2,
        "methadone_dispensations" => 1_468_258 / 11 / 12,
        "patients_in_treatment" if f.fields.services.contains(ServiceType::HeroinUnit) => {
            places * 85 / 100
        }
        "patients_in_treatment" => 5_148 / 11,
        "treatment_places" => places,
        "open_days" => 22,
        "referrals_to_care" => 6,
        "emergency_calls" => 3,
        _ => 1,
    }
}

/// Writes the demo's reports and the late facility's tallies.
pub async fn demo_reports(store: &Store, actor: &Actor, today: NaiveDate) -> anyhow::Result<()> {
    // Read again: the demo's timeline has closed and changed some since the import.
    let facilities: Vec<Facility> = store
        .list_facilities(&crate::storage::facilities::FacilityFilter {
            internal: crate::domain::access::InternalScope::All,
            ..Default::default()
        })
        .await?;
    let catalogue: Vec<Metric> = store.metrics().await?;
    let this_month = Period::month_of(today);
    let last = Period::month_of(this_month.start().pred_opt().expect("a day before"));
    let mut months = vec![last];
    while months.len() < 24 {
        let earlier = months
            .last()
            .expect("one month")
            .start()
            .pred_opt()
            .expect("a day before");
        months.push(Period::month_of(earlier));
    }
    let exchanges = |city: &str| {
        facilities
            .iter()
            .filter(|f| {
                f.fields.city.as_deref() == Some(city)
                    && f.fields.services.contains(ServiceType::SyringeExchange)
            })
            .count() as i64
    };
    let mut reports = Vec::new();
    for (index, f) in facilities.iter().enumerate() {
        let facts = ReportFacts {
            services: f.fields.services,
            counts_from: f.counts_from,
            closed_on: f.fields.closed_on.map(|d| d.date()),
            catalogue: &catalogue,
            today,
        };
        let metrics = facts.metrics();
        if metrics.is_empty() {
            continue;
        }
        let in_city = exchanges(f.fields.city.as_deref().unwrap_or(""));
        for (age, &period) in months.iter().enumerate() {
            if facts.check_period(period).is_err() {
                continue;
            }
            let late = age == 0 && (index % 6 == 0 || f.fields.name == LATE_WITH_TALLIES);
            if late {
                continue;
            }
            let status = match age {
                0 if index % 3 == 0 => ReportStatus::Submitted,
                1 if index % 4 == 1 => ReportStatus::Submitted,
                _ => ReportStatus::Approved,
            };
            // A festival month: far more syringes, confirmed in a note.
            let festival = index % 7 == 3 && age == 5;
            let values = metrics
                .iter()
                .map(|m| {
                    let code = m.code.as_str();
                    let seed = (f.id as u64) << 32 ^ (age as u64) << 8 ^ code.len() as u64;
                    let mut value = vary(base_value(code, f, in_city), seed);
                    let mut note = None;
                    if festival && code == "syringes_out" {
                        value *= 4;
                        note = Some("Extra uitgifte tijdens een festival in de stad".to_string());
                    }
                    if code == "treatment_places" {
                        value = base_value(code, f, in_city);
                    }
                    (code.to_string(), value, note)
                })
                .collect();
            reports.push(NewReport {
                facility_id: f.id,
                period,
                status,
                source: "demo".into(),
                values,
            });
        }
    }
    let mut tx = store.begin_write(Writes::Audit).await?;
    let written = Store::insert_reports(&mut tx, &reports, &actor.name).await?;
    if let Some(f) = facilities
        .iter()
        .find(|f| f.fields.name == LATE_WITH_TALLIES)
    {
        let noon: DateTime<Utc> =
            Utc.from_utc_datetime(&last.start().and_hms_opt(11, 0, 0).expect("noon"));
        let tallies: Vec<Tally> = [
            ("syringes_out", 412),
            ("syringes_out", 200),
            ("syringes_in", 350),
        ]
        .iter()
        .enumerate()
        .map(|(i, (metric, amount))| Tally {
            id: format!("demo-tally-{i:04}"),
            facility_id: f.id,
            at: noon + chrono::Duration::days(i as i64),
            metric: crate::domain::metric::MetricCode::parse(metric).expect("a code"),
            amount: *amount,
        })
        .collect();
        Store::insert_tallies(&mut tx, &tallies, &actor.name).await?;
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("import", actor, "period_report")
            .object("demo")
            .detail(format!("{written} demo reports")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
