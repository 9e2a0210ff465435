//! Job events over Server-Sent Events, and cancellation.

use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use tokio::sync::broadcast::{self, error::RecvError};

use super::api_exports::owned_job;
use crate::app::AppContext;
use crate::jobs::{Job, JobStatus, queue};
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, AppError};
use crate::web::views::job_json;

/// How often the handler reads the job row even without a notice, so that
/// progress made in another process arrives on either database.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Reconnection delay sent to the browser in the `retry:` field.
const RETRY_MILLIS: u64 = 2_000;

pub async fn cancel(
    context: web::Data<AppContext>,
    user: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let job = cancel_job(&context, user.0.user.id, &id).await?;
    Ok(HttpResponse::Accepted().json(job_json(&context, &job)))
}

/// Requests cancellation of the user's job. A finished job returns 409.
pub async fn cancel_job(context: &AppContext, user_id: i64, id: &str) -> Result<Job, AppError> {
    let job = owned_job(context, user_id, id, None).await?;
    if job.status().is_terminal() {
        return Err(AppError::Conflict(format!(
            "The job is already {} and cannot be cancelled.",
            job.status
        )));
    }

    let mut conn = context.db.conn().await?;
    let job = queue::request_cancel(&mut conn, user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    tracing::info!(job_id = %job.id, user_id, "job cancellation requested");
    crate::jobs::notify::job_changed(context, &job.id).await;
    Ok(job)
}

fn event_type(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Pending | JobStatus::Processing => "progress",
        JobStatus::Completed => "completed",
        JobStatus::Failed => "failed",
        JobStatus::Cancelled => "cancelled",
        JobStatus::Expired => "expired",
    }
}

fn format_event(context: &AppContext, job: &Job) -> Bytes {
    let data = job_json(context, job);
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {}\n\n",
        job.progress_version,
        event_type(job.status()),
        data
    ))
}

enum Phase {
    Start,
    Streaming,
    Done,
}

struct EventStream {
    context: web::Data<AppContext>,
    user_id: i64,
    job_id: String,
    last_version: i64,
    notices: broadcast::Receiver<String>,
    closing: tokio::sync::watch::Receiver<bool>,
    phase: Phase,
    last_write: Instant,
}

pub async fn events(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let job = owned_job(&context, user.0.user.id, &id, None).await?;
    let last_version = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<i64>().ok())
        // An id the job never reached did not come from this job's stream.
        .filter(|version| *version <= job.progress_version)
        .unwrap_or(-1);
    if job.status().is_terminal() && last_version >= job.progress_version {
        // A 204 makes the browser's EventSource stop reconnecting.
        return Ok(HttpResponse::NoContent().finish());
    }

    let state = EventStream {
        notices: context.events.subscribe(),
        closing: context.events.closing(),
        context: context.clone(),
        user_id: user.0.user.id,
        job_id: job.id,
        last_version,
        phase: Phase::Start,
        last_write: Instant::now(),
    };
    let body = stream::unfold(state, |state| async move { next_chunk(state).await });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

type Chunk = Result<Bytes, actix_web::Error>;

async fn next_chunk(mut state: EventStream) -> Option<(Chunk, EventStream)> {
    match state.phase {
        Phase::Done => None,
        Phase::Start => {
            state.phase = Phase::Streaming;
            let mut chunk = format!("retry: {RETRY_MILLIS}\n\n").into_bytes();
            if let Some(event) = read_event(&mut state).await {
                chunk.extend_from_slice(&event);
            }
            state.last_write = Instant::now();
            Some((Ok(Bytes::from(chunk)), state))
        }
        Phase::Streaming => {
            let chunk = wait_for_change(&mut state).await;
            state.last_write = Instant::now();
            Some((Ok(chunk), state))
        }
    }
}

/// Waits until the job changes or a keep-alive is due.
async fn wait_for_change(state: &mut EventStream) -> Bytes {
    loop {
        wait_for_notice(state).await;
        if *state.closing.borrow() {
            state.phase = Phase::Done;
            return Bytes::from_static(b": server shutting down\n\n");
        }
        if let Some(event) = read_event(state).await {
            return event;
        }
        if state.last_write.elapsed() >= KEEP_ALIVE {
            return Bytes::from_static(b": keep-alive\n\n");
        }
    }
}

async fn wait_for_notice(state: &mut EventStream) {
    let deadline = tokio::time::sleep(POLL_INTERVAL);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return,
            _ = state.closing.changed() => return,
            notice = state.notices.recv() => match notice {
                Ok(id) if id == state.job_id => return,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => return,
                Err(RecvError::Closed) => {
                    deadline.as_mut().await;
                    return;
                }
            },
        }
    }
}

/// Reads the job and returns an event when it changed since the last one.
/// A terminal event ends the stream.
async fn read_event(state: &mut EventStream) -> Option<Bytes> {
    let mut conn = state.context.db.conn().await.ok()?;
    let job = match queue::find_for_user(&mut conn, state.user_id, &state.job_id).await {
        Ok(Some(job)) => job,
        Ok(None) => {
            state.phase = Phase::Done;
            return None;
        }
        Err(error) => {
            tracing::warn!(job_id = %state.job_id, %error, "failed to read the job for its event stream");
            return None;
        }
    };
    drop(conn);

    if job.status().is_terminal() && job.progress_version <= state.last_version {
        state.phase = Phase::Done;
        return None;
    }
    if job.progress_version <= state.last_version {
        return None;
    }
    state.last_version = job.progress_version;
    if job.status().is_terminal() {
        state.phase = Phase::Done;
    }
    Some(format_event(&state.context, &job))
}
