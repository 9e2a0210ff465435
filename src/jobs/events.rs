//! In-process fan-out of "this job's row changed" notices.
//!
//! A notice carries only the job id: listeners read the row itself, so a
//! lost or duplicated notice costs at most one extra read. Workers in other
//! processes are covered by the once-a-second read in the SSE handler and,
//! on PostgreSQL, by `LISTEN`/`NOTIFY`.

use std::sync::Arc;

use tokio::sync::{Notify, broadcast, watch};

/// Notices buffered per listener before the slowest one starts missing
/// some; a listener that lags simply re-reads its job.
const CHANNEL_CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct JobEvents {
    sender: broadcast::Sender<String>,
    new_job: Arc<Notify>,
    closing: Arc<watch::Sender<bool>>,
}

impl Default for JobEvents {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self {
            sender,
            new_job: Arc::new(Notify::new()),
            closing: Arc::new(watch::channel(false).0),
        }
    }
}

impl JobEvents {
    pub fn publish(&self, job_id: &str) {
        // Sending fails only when no receiver exists, which needs no handling.
        let _ = self.sender.send(job_id.to_string());
    }

    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.sender.subscribe()
    }

    /// Wakes this process's idle workers after a job was enqueued, so that
    /// it starts without waiting for their next poll.
    pub fn wake_workers(&self) {
        self.new_job.notify_waiters();
    }

    /// Tells open event streams that the server is shutting down, so that
    /// they end instead of holding the shutdown back.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Returns a receiver that turns true when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Resolves at the next [`wake_workers`](Self::wake_workers) call.
    pub async fn new_job(&self) {
        self.new_job.notified().await;
    }
}

/// The PostgreSQL channel that carries job ids between processes.
pub const NOTIFY_CHANNEL: &str = "ferry_jobs";
