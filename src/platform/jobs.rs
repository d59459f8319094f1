//! The background jobs of `vangnet serve` (the campaign mail worker, the
//! change watcher): one stop signal they all check between steps, their
//! heartbeats for `/healthz/ready`, and waiting for their current step when
//! the server shuts down.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a shutdown waits for the jobs' current steps.
pub const STOP_LIMIT: Duration = Duration::from_secs(30);

/// The jobs of one server.
pub struct Jobs {
    stop: watch::Sender<bool>,
    mail_beat: Arc<AtomicI64>,
    running: Mutex<Vec<JoinHandle<()>>>,
}

impl Default for Jobs {
    fn default() -> Jobs {
        Jobs {
            stop: watch::channel(false).0,
            mail_beat: Arc::default(),
            running: Mutex::default(),
        }
    }
}

impl Jobs {
    /// What a job watches to know it must stop (see [`stopped`]).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Where the mail worker notes each round (Unix seconds; 0 = never).
    pub fn mail_beat(&self) -> Arc<AtomicI64> {
        self.mail_beat.clone()
    }

    /// When the mail worker last began or ended a round.
    pub fn last_mail_beat(&self) -> Option<DateTime<Utc>> {
        beat_time(&self.mail_beat)
    }

    /// A started job, awaited at [`Jobs::stop`].
    pub fn add(&self, job: JoinHandle<()>) {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(job);
    }

    /// Tells every job to stop and waits (at most `limit`) for their
    /// current steps; true when they all ended in time.
    pub async fn stop(&self, limit: Duration) -> bool {
        self.stop.send_replace(true);
        let running: Vec<JoinHandle<()>> = std::mem::take(
            &mut *self
                .running
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let count = running.len();
        let all = async {
            for job in running {
                if let Err(e) = job.await {
                    tracing::error!(error = %e, "a background job ended badly");
                }
            }
        };
        match tokio::time::timeout(limit, all).await {
            Ok(()) => {
                tracing::info!(jobs = count, "background jobs stopped");
                true
            }
            Err(_) => {
                tracing::error!(
                    jobs = count,
                    limit_seconds = limit.as_secs(),
                    "background jobs did not stop in time; leaving them"
                );
                false
            }
        }
    }
}

/// Notes a heartbeat now.
pub fn beat(at: &AtomicI64) {
    at.store(Utc::now().timestamp(), Ordering::SeqCst);
}

/// The time of the last heartbeat, if any.
pub fn beat_time(at: &AtomicI64) -> Option<DateTime<Utc>> {
    match at.load(Ordering::SeqCst) {
        0 => None,
        seconds => DateTime::from_timestamp(seconds, 0),
    }
}

/// Resolves once the jobs are told to stop (never when nobody can tell
/// them any more).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}
