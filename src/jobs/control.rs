//! The handle a running job uses to report progress and to learn that it
//! should stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::watch;

use super::error::JobError;
use super::progress::{RateWindow, Sample};
use super::queue::{self, LeaseState, ProgressUpdate};
use crate::app::AppContext;

/// Shortest gap between two progress saves, so a fast job does not spend
/// its time writing progress. Saves also renew the lease and read the
/// cancellation flag, so this bounds how late a cancellation is seen.
const MIN_SAVE_INTERVAL: Duration = Duration::from_millis(500);

/// The job's next step after a progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The user asked to cancel.
    Cancel,
    /// The process is shutting down; release the job for another worker.
    Shutdown,
}

pub struct JobControl {
    context: AppContext,
    job_id: String,
    worker_id: String,
    shutdown: watch::Receiver<bool>,
    lease_lost: Arc<AtomicBool>,
    window: RateWindow,
    last_save: Option<Instant>,
    current: i64,
    total: Option<i64>,
}

impl JobControl {
    pub fn new(
        context: AppContext,
        job_id: String,
        worker_id: String,
        shutdown: watch::Receiver<bool>,
        lease_lost: Arc<AtomicBool>,
    ) -> Self {
        Self {
            context,
            job_id,
            worker_id,
            shutdown,
            lease_lost,
            window: RateWindow::default(),
            last_save: None,
            current: 0,
            total: None,
        }
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    pub fn current(&self) -> i64 {
        self.current
    }

    /// Records how many rows the job will process and saves at once.
    pub async fn set_total(&mut self, current: i64, total: Option<i64>) -> Result<Flow, JobError> {
        self.total = total;
        self.current = current;
        self.save().await
    }

    /// Records rows done; saves when enough time has passed since the last
    /// save. The shutdown signal is checked on every call.
    pub async fn advance(&mut self, current: i64) -> Result<Flow, JobError> {
        self.current = current;
        if self.lease_lost.load(Ordering::Relaxed) {
            return Err(JobError::LeaseLost);
        }
        if *self.shutdown.borrow() {
            return Ok(Flow::Shutdown);
        }

        let due = self
            .last_save
            .is_none_or(|last| last.elapsed() >= MIN_SAVE_INTERVAL);
        if !due {
            return Ok(Flow::Continue);
        }
        self.save().await
    }

    /// Saves progress whatever the time since the last save. The job's
    /// checkpoint is left alone: an import writes it in each chunk's
    /// transaction.
    async fn save(&mut self) -> Result<Flow, JobError> {
        self.window
            .push(Sample(Utc::now().timestamp_millis(), self.current));
        let window = self.window.to_json();
        let update = ProgressUpdate {
            current: self.current,
            total: self.total,
            rate_window: &window,
        };

        let mut conn = self.context.db.conn().await?;
        let lease = self.context.settings.lease;
        let state =
            queue::save_progress(&mut conn, &self.job_id, &self.worker_id, lease, &update).await?;
        drop(conn);
        self.last_save = Some(Instant::now());
        crate::jobs::notify::job_changed(&self.context, &self.job_id).await;

        match state {
            LeaseState::Lost => Err(JobError::LeaseLost),
            LeaseState::Held {
                cancel_requested: true,
            } => Ok(Flow::Cancel),
            LeaseState::Held { .. } if *self.shutdown.borrow() => Ok(Flow::Shutdown),
            LeaseState::Held { .. } => Ok(Flow::Continue),
        }
    }
}
