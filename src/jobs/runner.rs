//! Worker loops: claim a job, run it under a renewed lease, record how it
//! ended, and stop cleanly on shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

use super::control::JobControl;
use super::error::JobError;
use super::model::{Job, JobKind, JobStatus};
use super::queue::{self, LeaseState};
use crate::app::AppContext;
use crate::mail::Message;

/// How long an idle worker waits before looking for work again. Jobs
/// enqueued by this process wake its workers at once; the poll finds jobs
/// enqueued by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How often a worker looks for jobs whose worker died. The check writes,
/// so it runs less often than the poll.
const RECLAIM_INTERVAL: Duration = Duration::from_secs(2);

/// The end of a job's run, as the job reports it.
pub enum JobOutcome {
    Completed {
        result: serde_json::Value,
        expires_at: Option<chrono::NaiveDateTime>,
        email: Option<Box<dyn Message + Send>>,
    },
    Cancelled {
        result: Option<serde_json::Value>,
    },
    /// Shutdown interrupted the job; it goes back to the queue.
    Released,
}

/// Starts `count` worker loops that run until `shutdown` turns true.
pub fn spawn_workers(
    context: &AppContext,
    count: usize,
    shutdown: &watch::Receiver<bool>,
) -> JoinSet<()> {
    let mut set = JoinSet::new();
    let process = std::process::id();
    for index in 0..count {
        let worker_id = format!("{}-{process}-{index}", hostname());
        set.spawn(worker_loop(context.clone(), worker_id, shutdown.clone()));
    }
    set
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "worker".to_string())
}

async fn worker_loop(context: AppContext, worker_id: String, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(worker = %worker_id, "worker started");
    let mut last_reclaim: Option<std::time::Instant> = None;
    while !*shutdown.borrow() {
        match claim_next(&context, &worker_id, &mut last_reclaim).await {
            Ok(Some(job)) => run_job(&context, &worker_id, job, &shutdown).await,
            Ok(None) => {
                tokio::select! {
                    _ = wait_or_shutdown(&mut shutdown, POLL_INTERVAL) => {}
                    _ = context.events.new_job() => {}
                }
            }
            Err(error) => {
                tracing::warn!(worker = %worker_id, %error, "failed to claim a job");
                wait_or_shutdown(&mut shutdown, POLL_INTERVAL * 8).await;
            }
        }
    }
    tracing::info!(worker = %worker_id, "worker stopped");
}

async fn wait_or_shutdown(shutdown: &mut watch::Receiver<bool>, delay: Duration) {
    let _ = tokio::time::timeout(delay, shutdown.changed()).await;
}

async fn claim_next(
    context: &AppContext,
    worker_id: &str,
    last_reclaim: &mut Option<std::time::Instant>,
) -> Result<Option<Job>, crate::db::DbError> {
    let mut conn = context.db.conn().await?;
    if last_reclaim.is_none_or(|at| at.elapsed() >= RECLAIM_INTERVAL) {
        *last_reclaim = Some(std::time::Instant::now());
        let reclaimed = queue::reclaim_lapsed(&mut conn).await?;
        if reclaimed > 0 {
            tracing::info!(
                count = reclaimed,
                "took back jobs whose worker stopped responding"
            );
        }
    }
    queue::claim(&mut conn, worker_id, context.settings.lease).await
}

async fn run_job(
    context: &AppContext,
    worker_id: &str,
    job: Job,
    shutdown: &watch::Receiver<bool>,
) {
    let span = tracing::info_span!("job", job_id = %job.id, kind = %job.kind, user_id = job.user_id, attempt = job.attempts);
    async {
        tracing::info!(dataset = %job.dataset, format = %job.format, "job started");
        crate::jobs::notify::job_changed(context, &job.id).await;

        let lease_lost = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn(renew_lease(
            context.clone(),
            job.id.clone(),
            worker_id.to_string(),
            lease_lost.clone(),
        ));
        let mut control = JobControl::new(
            context.clone(),
            job.id.clone(),
            worker_id.to_string(),
            shutdown.clone(),
            lease_lost,
        );

        let started = std::time::Instant::now();
        let outcome = dispatch(context, &job, &mut control).await;
        heartbeat.abort();

        record_outcome(context, worker_id, &job, outcome, started.elapsed()).await;
        crate::jobs::notify::job_changed(context, &job.id).await;
    }
    .instrument(span)
    .await
}

async fn dispatch(
    context: &AppContext,
    job: &Job,
    control: &mut JobControl,
) -> Result<JobOutcome, JobError> {
    match job.kind() {
        Some(JobKind::Export) => crate::export::run(context, job, control).await,
        Some(JobKind::Import) => crate::import::run(context, job, control).await,
        Some(kind) => Err(JobError::final_error(
            "This kind of job is not available yet.",
            format!("no runner for {kind} jobs"),
        )),
        None => Err(JobError::final_error(
            "Unknown job kind.",
            format!("unknown job kind {:?}", job.kind),
        )),
    }
}

/// Renews the lease every third of its length until aborted, and raises
/// `lost` when another worker has taken the job.
async fn renew_lease(
    context: AppContext,
    job_id: String,
    worker_id: String,
    lost: Arc<AtomicBool>,
) {
    let lease = context.settings.lease;
    let mut interval = tokio::time::interval(lease / 3);
    interval.tick().await;
    loop {
        interval.tick().await;
        let state = match context.db.conn().await {
            Ok(mut conn) => queue::renew_lease(&mut conn, &job_id, &worker_id, lease).await,
            Err(error) => Err(error),
        };
        match state {
            Ok(LeaseState::Held { .. }) => {}
            Ok(LeaseState::Lost) => {
                lost.store(true, Ordering::Relaxed);
                return;
            }
            Err(error) => tracing::warn!(%error, "failed to renew the job's lease"),
        }
    }
}

async fn record_outcome(
    context: &AppContext,
    worker_id: &str,
    job: &Job,
    outcome: Result<JobOutcome, JobError>,
    elapsed: Duration,
) {
    let recorded = match outcome {
        Ok(JobOutcome::Completed {
            result,
            expires_at,
            email,
        }) => complete(context, worker_id, job, result, expires_at, email, elapsed).await,
        Ok(JobOutcome::Cancelled { result }) => {
            tracing::info!("job cancelled");
            finish(
                context,
                worker_id,
                job,
                JobStatus::Cancelled,
                None,
                result.as_ref(),
            )
            .await
        }
        Ok(JobOutcome::Released) => {
            tracing::info!("job released for another worker at shutdown");
            match context.db.conn().await {
                Ok(mut conn) => queue::release(&mut conn, &job.id, worker_id)
                    .await
                    .map(|_| ()),
                Err(error) => Err(error),
            }
        }
        Err(JobError::LeaseLost) => {
            tracing::warn!("job stopped: its lease passed to another worker");
            Ok(())
        }
        Err(error) => fail_or_retry(context, worker_id, job, &error).await,
    };
    if let Err(error) = recorded {
        tracing::error!(%error, "failed to record how the job ended");
    }
}

async fn complete(
    context: &AppContext,
    worker_id: &str,
    job: &Job,
    result: serde_json::Value,
    expires_at: Option<chrono::NaiveDateTime>,
    email: Option<Box<dyn Message + Send>>,
    elapsed: Duration,
) -> Result<(), crate::db::DbError> {
    let mut conn = context.db.conn().await?;
    if !queue::complete(&mut conn, &job.id, worker_id, &result, expires_at).await? {
        tracing::warn!("job finished after its lease passed to another worker; result dropped");
        return Ok(());
    }
    let seconds = elapsed.as_secs_f64();
    if job.kind() == Some(JobKind::Import) {
        tracing::info!(rows = %result["totalRows"], imported = %result["imported"], failed = %result["failed"], seconds, "job completed");
    } else {
        tracing::info!(rows = %result["rowCount"], bytes = %result["byteSize"], seconds, "job completed");
    }

    if let Some(email) = email {
        send_email(context, &mut conn, job.user_id, email.as_ref()).await?;
    }
    Ok(())
}

/// Sends a notice to the job's owner. A mail failure is logged but does not
/// fail the job, whose file is ready either way.
async fn send_email(
    context: &AppContext,
    conn: &mut crate::db::Conn,
    user_id: i64,
    email: &(dyn Message + Send),
) -> Result<(), crate::db::DbError> {
    let Some(user) = crate::accounts::find_user(conn, user_id).await? else {
        return Ok(());
    };
    if let Err(error) = context.mailer.send(&user.email, email).await {
        tracing::error!(%error, "failed to send the job's email");
    }
    Ok(())
}

async fn finish(
    context: &AppContext,
    worker_id: &str,
    job: &Job,
    status: JobStatus,
    message: Option<&str>,
    result: Option<&serde_json::Value>,
) -> Result<(), crate::db::DbError> {
    let mut conn = context.db.conn().await?;
    queue::finish_unsuccessfully(&mut conn, &job.id, worker_id, status, message, result).await?;
    Ok(())
}

async fn fail_or_retry(
    context: &AppContext,
    worker_id: &str,
    job: &Job,
    error: &JobError,
) -> Result<(), crate::db::DbError> {
    let retry = matches!(error, JobError::Retryable { .. }) && job.attempts < job.max_attempts;
    if retry {
        tracing::warn!(%error, "job attempt failed; it will be retried");
        let mut conn = context.db.conn().await?;
        queue::retry_later(&mut conn, &job.id, worker_id, error.user_message()).await?;
        return Ok(());
    }

    tracing::error!(%error, "job failed");
    let message = if matches!(error, JobError::Retryable { .. }) {
        format!(
            "{} Ferry tried {} times and gave up; start the job again later.",
            error.user_message(),
            job.attempts
        )
    } else {
        error.user_message().to_string()
    };
    finish(
        context,
        worker_id,
        job,
        JobStatus::Failed,
        Some(&message),
        None,
    )
    .await
}
