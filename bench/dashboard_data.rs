//! The generated monitoring data of the dashboard benchmark
//! (`bench/dashboard.rs`): facilities spread over the municipalities, ten
//! years of tallies (2016–2025) and a monthly report for every facility
//! and month, the same on every run. Each facility-month draws from its
//! own seeded generator, so the reports can be made again for each engine
//! without keeping a million values in memory.
//!
//! Per facility (all offer the same five services, so 18 metrics of the
//! shipped catalogue): 10,000 tally events (about 83 a month, on 8 desk
//! metrics, amounts 1–20, at distinct moments between 08:00 and 20:00
//! Dutch time, so their derived ids differ) and 1,000 report values (8 or
//! 9 of the 18 metrics a month, values 0–1,999, about one in fifty 0).
//! Reports are 85% approved, 12% submitted and 3% drafts, so the approved
//! and live bases differ, and a draft counts on neither.

use std::io::Write;
use std::path::Path;

use anyhow::{ensure, Context};
use vangnet::domain::metric::{default_metrics, Period};
use vangnet::domain::period_report::ReportStatus;
use vangnet::domain::service::ServiceSet;
use vangnet::storage::period_reports::NewReport;

pub const FIRST_YEAR: i32 = 2016;
pub const MONTHS: usize = 120;
pub const TALLIES_PER_FACILITY: u64 = 10_000;
pub const VALUES_PER_FACILITY: u64 = 1_000;
pub const SERVICES: &str =
    "syringe_exchange;naloxone;consumption_room;methadone_clinic;heroin_unit";
/// What a desk counts as it happens.
pub const TALLIED: [&str; 8] = [
    "visits",
    "syringes_out",
    "syringes_in",
    "naloxone_kits_out",
    "naloxone_administered",
    "overdoses_responded",
    "methadone_dispensations",
    "referrals_to_care",
];
const SEED: u64 = 13;
/// 08:00 to 20:00.
const DAY_SECONDS: u64 = 12 * 3600;

/// splitmix64, keyed per facility-month.
struct Rng(u64);

impl Rng {
    fn keyed(kind: u64, facility: usize, month: usize) -> Rng {
        Rng(SEED ^ kind << 56 ^ (facility as u64) << 20 ^ month as u64)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// The generated data set: `facilities` facilities, placed in the
/// municipalities in turn.
pub struct Data {
    pub facilities: usize,
    /// Every metric the facilities offer (report values are drawn from these).
    pub offered: Vec<String>,
    /// (CBS municipality code, province code) of each facility, by index.
    pub places: Vec<(String, String)>,
}

/// `(year, month)` of month index `m` (0 = January 2016).
fn year_month(m: usize) -> (i32, u32) {
    (FIRST_YEAR + (m / 12) as i32, (m % 12) as u32 + 1)
}

fn days_in(year: i32, month: u32) -> u64 {
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).expect("a month");
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("a month");
    (next - first).num_days() as u64
}

/// How many of `total` items facility-month `k` of `count` gets: an even
/// spread that adds up to `total` exactly.
fn share(total: u64, count: u64, k: u64) -> u64 {
    (k + 1) * total / count - k * total / count
}

impl Data {
    pub fn new(facilities: usize) -> anyhow::Result<Data> {
        let services = ServiceSet::parse(SERVICES.split(';')).map_err(anyhow::Error::msg)?;
        let offered: Vec<String> = default_metrics()
            .into_iter()
            .filter(|m| m.applies_to(services))
            .map(|m| m.code.to_string())
            .collect();
        ensure!(
            TALLIED.iter().all(|t| offered.iter().any(|o| o == t)),
            "a tallied metric is not offered"
        );
        let municipalities = vangnet::domain::geo::geo().municipalities();
        let places = (0..facilities)
            .map(|i| {
                let m = &municipalities[i % municipalities.len()];
                (m.code.clone(), m.province_code.clone())
            })
            .collect();
        Ok(Data {
            facilities,
            offered,
            places,
        })
    }

    pub fn tallies(&self) -> u64 {
        self.facilities as u64 * TALLIES_PER_FACILITY
    }

    pub fn values(&self) -> u64 {
        self.facilities as u64 * VALUES_PER_FACILITY
    }

    fn cells(&self) -> u64 {
        (self.facilities * MONTHS) as u64
    }

    /// The register's import file; facility `i` gets id `i + 1` in an
    /// empty database (checked by the bench).
    pub fn facilities_csv(&self) -> String {
        let municipalities = vangnet::domain::geo::geo().municipalities();
        let mut csv = String::from("name,organisation,services,city,municipality_code,opened_on\n");
        for (i, (code, _)) in self.places.iter().enumerate() {
            let m = &municipalities[i % municipalities.len()];
            csv.push_str(&format!(
                "Vangpunt {:04},Stichting Vangnet {},{SERVICES},\"{}\",{code},2015-01-01\n",
                i + 1,
                i % 20 + 1,
                m.name
            ));
        }
        csv
    }

    /// `facility_id,municipality_code,province_code` for DuckDB.
    pub fn write_places(&self, path: &Path) -> anyhow::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(out, "facility_id,municipality_code,province_code")?;
        for (i, (municipality, province)) in self.places.iter().enumerate() {
            writeln!(out, "{},{municipality},{province}", i + 1)?;
        }
        out.flush()?;
        Ok(())
    }

    /// Every tally as `facility_id,at,metric,amount` (no ids: the import
    /// derives them), facility by facility in time order.
    pub fn write_tallies(&self, path: &Path) -> anyhow::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        writeln!(out, "facility_id,at,metric,amount")?;
        let mut written = 0;
        for f in 0..self.facilities {
            for m in 0..MONTHS {
                let k = (f * MONTHS + m) as u64;
                let n = share(self.tallies(), self.cells(), k);
                let (year, month) = year_month(m);
                let slots = days_in(year, month) * DAY_SECONDS;
                let mut rng = Rng::keyed(1, f, m);
                for j in 0..n {
                    // Slot j of n, a random place within it: distinct moments.
                    let slot = j * slots / n + rng.below((slots / n).max(1));
                    let (day, second) = (1 + slot / DAY_SECONDS, 8 * 3600 + slot % DAY_SECONDS);
                    let metric = TALLIED[rng.below(TALLIED.len() as u64) as usize];
                    writeln!(
                        out,
                        "{},{year}-{month:02}-{day:02}T{:02}:{:02}:{:02},{metric},{}",
                        f + 1,
                        second / 3600,
                        second / 60 % 60,
                        second % 60,
                        1 + rng.below(20)
                    )?;
                }
                written += n;
            }
        }
        out.flush()?;
        ensure!(written == self.tallies(), "{written} tallies written");
        Ok(())
    }

    /// The report of facility `f` (index) for month `m` (index).
    pub fn report(&self, f: usize, m: usize) -> NewReport {
        let k = (f * MONTHS + m) as u64;
        let n = share(self.values(), self.cells(), k) as usize;
        let mut rng = Rng::keyed(2, f, m);
        let mut metrics: Vec<&String> = self.offered.iter().collect();
        let mut values = Vec::with_capacity(n);
        for i in 0..n.min(metrics.len()) {
            // A partial Fisher–Yates shuffle: n distinct metrics.
            let j = i + rng.below((metrics.len() - i) as u64) as usize;
            metrics.swap(i, j);
            let value = if rng.below(50) == 0 {
                0
            } else {
                rng.below(2000) as i64
            };
            values.push((metrics[i].clone(), value, None));
        }
        let status = match rng.below(100) {
            0..85 => ReportStatus::Approved,
            85..97 => ReportStatus::Submitted,
            _ => ReportStatus::Draft,
        };
        let (year, month) = year_month(m);
        NewReport {
            facility_id: f as i64 + 1,
            period: Period::Month { year, month },
            status,
            source: "bench".into(),
            values,
        }
    }

    /// Every report, month by month (as they come in), in chunks.
    pub fn reports_by_month(&self) -> impl Iterator<Item = NewReport> + '_ {
        (0..MONTHS).flat_map(move |m| (0..self.facilities).map(move |f| self.report(f, m)))
    }

    /// Every report value as `facility_id,period,status,metric,value` for DuckDB.
    pub fn write_reports(&self, path: &Path) -> anyhow::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        writeln!(out, "facility_id,period,status,metric,value")?;
        let mut written = 0;
        for report in self.reports_by_month() {
            for (metric, value, _) in &report.values {
                writeln!(
                    out,
                    "{},{},{},{metric},{value}",
                    report.facility_id,
                    report.period,
                    report.status.code()
                )?;
                written += 1;
            }
        }
        out.flush().context("reports.csv")?;
        ensure!(written == self.values(), "{written} report values written");
        Ok(())
    }
}
