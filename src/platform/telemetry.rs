//! What `/metrics` tells an operator's Prometheus: requests by route and
//! status with their latency (counted by a layer of `http::operations` as
//! they are served), and, read at every scrape, the database pool, the
//! campaign outbox, the mail sent and failed, the background jobs'
//! heartbeats, how fresh the counting index and the public figures are,
//! and the process's memory and uptime.
//!
//! Built on `prometheus-client`, the official Prometheus client for Rust,
//! which writes the Prometheus text format 0.0.4 itself. Counters and
//! histograms live in its registry; what is read at a scrape is a
//! [`Readings`] the scrape fills in first and a collector writes out, so a
//! value that is unknown (a job that never ran) is left out rather than
//! shown as 0.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use chrono::Utc;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::platform::jobs::Jobs;
use crate::platform::mail::Mailer;
use crate::storage::Store;

/// The content type of the Prometheus text format the scrape answers in.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Latency buckets in seconds: 1 ms to 10 s, about three per decade.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// One served request, as counted.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route template (`/api/v1/facilities/{id}`), never the raw path,
    /// so the label set stays as small as the route table; `unmatched` for
    /// what no route answers.
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The metrics of one server.
pub struct Telemetry {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    readings: Arc<Readings>,
    /// One scrape at a time: each fills the readings, then writes them out.
    scraping: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

impl Default for Telemetry {
    fn default() -> Telemetry {
        Telemetry::new()
    }
}

/// When this process began serving (the first telemetry made).
fn started() -> Instant {
    static STARTED: OnceLock<Instant> = OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

impl Telemetry {
    pub fn new() -> Telemetry {
        started();
        let mut registry = Registry::with_prefix("vangnet");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests served, by route template, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(LATENCY_BUCKETS)
        });
        registry.register(
            "http_request_duration_seconds",
            "Time from receiving a request to its response headers, by route template",
            latency.clone(),
        );
        let readings = Arc::new(Readings::default());
        registry.register_collector(Box::new(readings.clone()));
        Telemetry {
            registry,
            requests,
            latency,
            readings,
            scraping: tokio::sync::Mutex::new(()),
        }
    }

    /// Counts one served request.
    pub fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// Everything, in the Prometheus text format 0.0.4: the counters as
    /// they stand and the readings of this moment.
    pub async fn scrape(&self, store: &Store, jobs: &Jobs, mailer: &Mailer) -> String {
        let _one_at_a_time = self.scraping.lock().await;
        let taken = read(store, jobs, mailer).await;
        *self.readings.lock() = taken;
        let mut text = String::new();
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
        {
            tracing::error!(error = %e, "cannot write the metrics");
        }
        text
    }
}

/// A value read at a scrape: a gauge or a counter kept elsewhere.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Gauge,
    Counter,
}

/// One metric read at a scrape, with its samples (labels, value).
#[derive(Debug)]
struct Reading {
    name: &'static str,
    help: &'static str,
    kind: Kind,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

impl Reading {
    fn one(name: &'static str, help: &'static str, kind: Kind, value: f64) -> Reading {
        Reading {
            name,
            help,
            kind,
            samples: vec![(Vec::new(), value)],
        }
    }
}

/// The readings of the last scrape, written out by the registry.
#[derive(Debug, Default)]
struct Readings(Mutex<Vec<Reading>>);

impl Readings {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Reading>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Collector for Readings {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for reading in self.lock().iter().filter(|r| !r.samples.is_empty()) {
            let kind = match reading.kind {
                Kind::Gauge => MetricType::Gauge,
                Kind::Counter => MetricType::Counter,
            };
            // Ended with a full stop, as the registry ends the help of its own.
            let help = format!("{}.", reading.help);
            let mut metric = encoder.encode_descriptor(reading.name, &help, None, kind)?;
            for (labels, value) in &reading.samples {
                let family = metric.encode_family(labels)?;
                match reading.kind {
                    Kind::Gauge => ConstGauge::new(*value).encode(family)?,
                    Kind::Counter => ConstCounter::new(*value).encode(family)?,
                }
            }
        }
        Ok(())
    }
}

/// Reads what a scrape reports besides the counters. A part that cannot
/// be read (the database is down) is logged and left out.
async fn read(store: &Store, jobs: &Jobs, mailer: &Mailer) -> Vec<Reading> {
    use Kind::{Counter, Gauge};
    let mut out = Vec::new();
    let pool = store.pool();
    let (size, idle) = (pool.size(), pool.num_idle() as u32);
    out.push(Reading::one(
        "db_connections_in_use",
        "Database connections of the pool in use",
        Gauge,
        f64::from(size.saturating_sub(idle)),
    ));
    out.push(Reading::one(
        "db_connections_idle",
        "Database connections of the pool open and idle",
        Gauge,
        f64::from(idle),
    ));
    out.push(Reading::one(
        "db_connections_max",
        "Database connections the pool may open",
        Gauge,
        f64::from(pool.options().get_max_connections()),
    ));

    match store.mail_outbox_counts().await {
        Ok(counts) => {
            let waiting: i64 = counts
                .iter()
                .filter(|(status, _)| status == "queued" || status == "sending")
                .map(|(_, n)| n)
                .sum();
            out.push(Reading::one(
                "mail_outbox_waiting",
                "Campaign mails waiting in the outbox (queued or being sent)",
                Gauge,
                waiting as f64,
            ));
            out.push(Reading {
                name: "mail_outbox_messages",
                help: "Campaign mails in the outbox by status (failed and bounced are given up)",
                kind: Gauge,
                samples: counts
                    .into_iter()
                    .map(|(status, n)| (vec![("status", status)], n as f64))
                    .collect(),
            });
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count the campaign outbox"),
    }
    let (sent, failed) = mailer.counts();
    out.push(Reading::one(
        "mail_sent",
        "Mails this process handed to the SMTP server (or, without one, to the log)",
        Counter,
        sent as f64,
    ));
    out.push(Reading::one(
        "mail_failed",
        "Mails this process could not send",
        Counter,
        failed as f64,
    ));

    let now = Utc::now();
    let age = |at: chrono::DateTime<Utc>| (now - at).num_milliseconds().max(0) as f64 / 1000.0;
    out.push(Reading {
        name: "job_heartbeat_age_seconds",
        help: "Seconds since each background job last beat (the change watcher beats at every reading); absent when it never ran",
        kind: Gauge,
        samples: [
            ("mail_worker", jobs.last_mail_beat()),
            ("change_watcher", store.watcher_beat()),
        ]
        .into_iter()
        .filter_map(|(job, beat)| Some((vec![("job", job.to_owned())], age(beat?))))
        .collect(),
    });

    match store.counting_index_lag().await {
        Ok(Some((behind, checked_at))) => {
            out.push(Reading::one(
                "counting_index_age_seconds",
                "Seconds since Table 1's counting index last matched the register (it catches up when counted)",
                Gauge,
                age(checked_at),
            ));
            out.push(Reading::one(
                "counting_index_generations_behind",
                "Register generations written since the counting index last caught up",
                Gauge,
                behind as f64,
            ));
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the counting index's generation")
        }
    }
    match store.public_figures_lag().await {
        Ok(Some(behind)) => out.push(Reading::one(
            "public_figures_generations_behind",
            "Approvals since this process last worked out the public figures from the rollups",
            Gauge,
            behind as f64,
        )),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the approved generation"),
    }

    if let Some(bytes) = resident_memory() {
        out.push(Reading::one(
            "process_resident_memory_bytes",
            "Resident memory of this process",
            Gauge,
            bytes as f64,
        ));
    }
    out.push(Reading::one(
        "uptime_seconds",
        "Seconds since this process began serving",
        Gauge,
        started().elapsed().as_secs_f64(),
    ));
    out
}

/// The resident set size, from `VmRSS` in `/proc/self/status` (Linux; none
/// elsewhere). Read there rather than from `/proc/self/statm`, whose pages
/// would need the page size, which safe Rust cannot ask the system for.
fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kilobytes: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let bytes = resident_memory().expect("VmRSS in /proc/self/status");
            assert!(bytes > 1024 * 1024, "{bytes} bytes resident");
        }
    }
}
