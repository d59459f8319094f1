//! The demo's period reports: two years of monthly figures, up to last
//! month, for every demo facility with metrics, so a new user sees a
//! working monitoring at once. Sizes follow the published figures
//! (DESIGN.md): Amsterdam's exchanges together about 90,000 syringes a
//! year (2018), Rotterdam's 45,000; methadone 1.47 million dispensations
//! to 5,148 people at 11 institutions (2024), so one clinic about 11,000 a
//! month to some 470 people. Mostly approved; the last two months partly
//! only submitted; a few facilities late for last month; a few months with
//! a confirmed warning. Written in a few multi-row statements, so the
//! demo starts fast. The desks of open consumption rooms and exchanges
//! have counted this month so far (taps of usual sizes on weekdays), and
//! the demo's first consumption room in Amsterdam is left late for last
//! month with a whole month of tallies, so its report shows "uit turven".

use chrono::{NaiveDate, TimeZone, Utc};

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

/// What the desk counts, and the sizes of one tap: one visitor, a pack
/// of syringes (mostly tens), a few pipes or sheets of foil, one kit.
const AT_THE_DESK: &[(&str, &[i64])] = &[
    ("visits", &[1]),
    ("syringes_out", &[1, 2, 5, 10, 10, 10, 20]),
    ("syringes_in", &[1, 5, 10, 10, 20, 50]),
    ("pipes_out", &[1, 1, 2, 5]),
    ("foil_out", &[1, 5, 5, 10]),
    ("naloxone_kits_out", &[1]),
];

/// One weekday's taps at a facility's desk: a day's share (of 21 open
/// days) of the month's usual value of each metric counted there, in taps
/// of usual sizes between 09:00 and 17:00 Dutch time.
fn desk_day(f: &Facility, day: NaiveDate, codes: &[&str], in_city: i64, out: &mut Vec<Tally>) {
    use chrono::Datelike;
    if day.weekday().number_from_monday() > 5 {
        return;
    }
    let seed_day = (f.id as u64) << 40 ^ u64::from(day.num_days_from_ce() as u32);
    for (k, (code, sizes)) in AT_THE_DESK.iter().enumerate() {
        if !codes.contains(code) {
            continue;
        }
        let metric = crate::domain::metric::MetricCode::parse(code).expect("a shipped code");
        let mut left = vary(base_value(code, f, in_city), seed_day ^ k as u64) / 21;
        let mut n = 0u64;
        while left > 0 {
            let pick = vary(1_000, seed_day ^ (k as u64) << 20 ^ n) as usize;
            let amount = sizes[pick % sizes.len()].min(left);
            let minute = (pick * 7 + n as usize * 13) % (8 * 60);
            let local =
                day.and_hms_opt(9, 0, 0).expect("09:00") + chrono::Duration::minutes(minute as i64);
            let at = chrono_tz::Europe::Amsterdam
                .from_local_datetime(&local)
                .earliest()
                .expect("a Dutch moment between 09:00 and 17:00")
                .with_timezone(&Utc);
            out.push(Tally {
                id: format!("demo-{}-{}-{k}-{n}", f.id, day.format("%Y%m%d")),
                facility_id: f.id,
                at,
                metric: metric.clone(),
                amount,
            });
            left -= amount;
            n += 1;
        }
    }
}

/// Writes the demo's reports and the desk's tallies.
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
        let facts = ReportFacts::of(f, &catalogue, today);
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
    // The desk's counts: this month so far at every open consumption room
    // and exchange, and the whole of last month at the one left late.
    let mut tallies = Vec::new();
    for f in &facilities {
        let facts = ReportFacts::of(f, &catalogue, today);
        let at_desk = f.fields.services.contains(ServiceType::ConsumptionRoom)
            || f.fields.services.contains(ServiceType::SyringeExchange);
        if !at_desk || facts.check_period(this_month).is_err() {
            continue;
        }
        let in_city = exchanges(f.fields.city.as_deref().unwrap_or(""));
        let codes: Vec<&str> = facts.metrics().iter().map(|m| m.code.as_str()).collect();
        let mut days: Vec<NaiveDate> = this_month
            .start()
            .iter_days()
            .take_while(|d| *d < today)
            .collect();
        if f.fields.name == LATE_WITH_TALLIES {
            days.extend(last.start().iter_days().take_while(|d| *d < last.end()));
        }
        for day in days {
            desk_day(f, day, &codes, in_city, &mut tallies);
        }
    }
    Store::insert_tallies(&mut tx, &tallies, &actor.name).await?;
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
