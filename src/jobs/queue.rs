//! The job queue: enqueueing, claiming with a lease, progress, and the
//! terminal transitions. Claims differ by backend; everything else is
//! written once.

use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::model::{Job, JobKind, JobStatus};
use crate::db::schema::jobs;
use crate::db::{Conn, DbError};
use crate::with_conn;

/// A job to insert into the queue.
pub struct NewJob {
    pub user_id: i64,
    pub kind: JobKind,
    pub dataset: String,
    pub format: String,
    pub params: serde_json::Value,
    /// Jobs with the same key that are still pending or processing are
    /// returned instead of starting another.
    pub dedup_key: Option<String>,
    pub idempotency_key: Option<String>,
    pub max_attempts: i32,
}

/// Whether `enqueue` made a new job or found an existing one.
pub enum Enqueued {
    Created(Job),
    Existing(Job),
    /// The idempotency key belongs to a job made for a different request.
    KeyReused(Job),
}

impl Enqueued {
    pub fn job(&self) -> &Job {
        match self {
            Enqueued::Created(job) | Enqueued::Existing(job) | Enqueued::KeyReused(job) => job,
        }
    }
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn lease_until(lease: Duration) -> NaiveDateTime {
    now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60))
}

/// Returns a random, unguessable job id of 26 lowercase characters.
pub fn new_job_id() -> String {
    use rand::Rng;

    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut rng = rand::rngs::OsRng;
    (0..26)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Inserts a job unless an identical active one or one with the same
/// idempotency key exists, in which case that one is returned. Two requests
/// that race past the lookups meet a unique index, and the loser returns
/// the winner's job.
pub async fn enqueue(conn: &mut Conn, new: NewJob) -> Result<Enqueued, DbError> {
    if let Some(found) = find_existing(conn, &new).await? {
        return Ok(found);
    }

    let timestamp = now();
    let inserted = with_conn!(conn, c => diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(new_job_id()),
            jobs::user_id.eq(new.user_id),
            jobs::kind.eq(new.kind.as_str()),
            jobs::status.eq(JobStatus::Pending.as_str()),
            jobs::dataset.eq(&new.dataset),
            jobs::format.eq(&new.format),
            jobs::params.eq(new.params.to_string()),
            jobs::dedup_key.eq(&new.dedup_key),
            jobs::idempotency_key.eq(&new.idempotency_key),
            jobs::max_attempts.eq(new.max_attempts),
            jobs::created_at.eq(timestamp),
            jobs::updated_at.eq(timestamp),
        ))
        .returning(Job::as_returning())
        .get_result(c)
        .await);

    match inserted {
        Ok(job) => Ok(Enqueued::Created(job)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
            match find_existing(conn, &new).await? {
                Some(found) => Ok(found),
                None => Err(DbError::Query(DieselError::DatabaseError(
                    DatabaseErrorKind::UniqueViolation,
                    info,
                ))),
            }
        }
        Err(error) => Err(error.into()),
    }
}

/// Finds the job that an idempotency key or an identical request already
/// made.
async fn find_existing(conn: &mut Conn, new: &NewJob) -> Result<Option<Enqueued>, DbError> {
    if let Some(key) = &new.idempotency_key
        && let Some(job) = find_by_idempotency_key(conn, new.user_id, key).await?
    {
        if job.dedup_key != new.dedup_key || job.kind != new.kind.as_str() {
            return Ok(Some(Enqueued::KeyReused(job)));
        }
        return Ok(Some(Enqueued::Existing(job)));
    }
    if let Some(key) = &new.dedup_key
        && let Some(job) = find_active_duplicate(conn, new.user_id, key).await?
    {
        return Ok(Some(Enqueued::Existing(job)));
    }
    Ok(None)
}

async fn find_by_idempotency_key(
    conn: &mut Conn,
    user_id: i64,
    key: &str,
) -> Result<Option<Job>, DbError> {
    let job = with_conn!(conn, c => jobs::table
        .filter(jobs::user_id.eq(user_id))
        .filter(jobs::idempotency_key.eq(key))
        .select(Job::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(job)
}

async fn find_active_duplicate(
    conn: &mut Conn,
    user_id: i64,
    key: &str,
) -> Result<Option<Job>, DbError> {
    let active = [JobStatus::Pending.as_str(), JobStatus::Processing.as_str()];
    let job = with_conn!(conn, c => jobs::table
        .filter(jobs::user_id.eq(user_id))
        .filter(jobs::dedup_key.eq(key))
        .filter(jobs::status.eq_any(active))
        .order(jobs::created_at.desc())
        .select(Job::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(job)
}

/// Returns the user's job, or `None` for another user's or an unknown id.
pub async fn find_for_user(
    conn: &mut Conn,
    user_id: i64,
    id: &str,
) -> Result<Option<Job>, DbError> {
    let job = with_conn!(conn, c => jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::user_id.eq(user_id))
        .select(Job::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(job)
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<Option<Job>, DbError> {
    let job = with_conn!(conn, c => jobs::table
        .find(id)
        .select(Job::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(job)
}

/// Lists the user's jobs of one kind, newest first.
pub async fn list_for_user(
    conn: &mut Conn,
    user_id: i64,
    kind: JobKind,
    limit: i64,
) -> Result<Vec<Job>, DbError> {
    let list = with_conn!(conn, c => jobs::table
        .filter(jobs::user_id.eq(user_id))
        .filter(jobs::kind.eq(kind.as_str()))
        .order(jobs::created_at.desc())
        .limit(limit)
        .select(Job::as_select())
        .load(c)
        .await)?;
    Ok(list)
}

/// Puts jobs whose worker stopped renewing its lease back in the queue, or
/// fails them once they have used up their attempts.
pub async fn reclaim_lapsed(conn: &mut Conn) -> Result<usize, DbError> {
    let timestamp = now();
    let processing = JobStatus::Processing.as_str();
    let message = "The job stopped on every attempt because its worker stopped \
                   responding. Start it again; if it keeps failing, contact the operator.";

    let failed = with_conn!(conn, c => diesel::update(
            jobs::table
                .filter(jobs::status.eq(processing))
                .filter(jobs::lease_expires_at.lt(timestamp))
                .filter(jobs::attempts.ge(jobs::max_attempts)),
        )
        .set((
            jobs::status.eq(JobStatus::Failed.as_str()),
            jobs::error.eq(message),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::completed_at.eq(timestamp),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;

    let requeued = with_conn!(conn, c => diesel::update(
            jobs::table
                .filter(jobs::status.eq(processing))
                .filter(jobs::lease_expires_at.lt(timestamp)),
        )
        .set((
            jobs::status.eq(JobStatus::Pending.as_str()),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;
    Ok(failed + requeued)
}

/// Sets the columns that mark a job claimed by `$worker`.
macro_rules! claim_set {
    ($update:expr, $worker:expr, $lease:expr) => {
        $update.set((
            jobs::status.eq(JobStatus::Processing.as_str()),
            jobs::lease_owner.eq($worker),
            jobs::lease_expires_at.eq(lease_until($lease)),
            jobs::attempts.eq(jobs::attempts + 1),
            jobs::started_at.eq(diesel::dsl::case_when(
                jobs::started_at.is_null(),
                Some(now()).into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>>(),
            )
            .otherwise(jobs::started_at)),
            jobs::updated_at.eq(now()),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
    };
}

/// Claims the oldest pending job for `worker`. PostgreSQL skips rows that
/// another worker has locked; SQLite has one writer at a time, so the
/// single `UPDATE … RETURNING` is already atomic.
pub async fn claim(conn: &mut Conn, worker: &str, lease: Duration) -> Result<Option<Job>, DbError> {
    match conn {
        Conn::Postgres(c) => claim_postgres(c, worker, lease).await,
        Conn::Sqlite(c) => {
            let c = &mut **c;
            let id: Option<String> = jobs::table
                .filter(jobs::status.eq(JobStatus::Pending.as_str()))
                .order(jobs::created_at.asc())
                .select(jobs::id)
                .first(c)
                .await
                .optional()?;
            let Some(id) = id else {
                return Ok(None);
            };
            // The status filter makes the update a compare-and-set: of two
            // workers that picked the same id, only one changes the row.
            let update = diesel::update(jobs::table.find(id))
                .filter(jobs::status.eq(JobStatus::Pending.as_str()));
            let job = claim_set!(update, worker, lease)
                .returning(Job::as_returning())
                .get_result(c)
                .await
                .optional()?;
            Ok(job)
        }
    }
}

async fn claim_postgres(
    c: &mut diesel_async::AsyncPgConnection,
    worker: &str,
    lease: Duration,
) -> Result<Option<Job>, DbError> {
    let job = c
        .transaction::<_, diesel::result::Error, _>(async |c| {
            let id: Option<String> = jobs::table
                .filter(jobs::status.eq(JobStatus::Pending.as_str()))
                .order(jobs::created_at.asc())
                .select(jobs::id)
                .limit(1)
                .for_update()
                .skip_locked()
                .first(c)
                .await
                .optional()?;
            let Some(id) = id else {
                return Ok(None);
            };
            let update = diesel::update(jobs::table.find(id));
            claim_set!(update, worker, lease)
                .returning(Job::as_returning())
                .get_result(c)
                .await
                .optional()
        })
        .await?;
    Ok(job)
}

/// The lease's state after a renewal or a progress save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseState {
    Held {
        cancel_requested: bool,
    },
    /// The job is no longer this worker's: its lease lapsed and another
    /// worker may have taken it, so this worker must stop without effects.
    Lost,
}

fn lease_state(row: Option<Option<NaiveDateTime>>) -> LeaseState {
    match row {
        Some(cancel) => LeaseState::Held {
            cancel_requested: cancel.is_some(),
        },
        None => LeaseState::Lost,
    }
}

/// Extends the lease of a job this worker holds.
pub async fn renew_lease(
    conn: &mut Conn,
    id: &str,
    worker: &str,
    lease: Duration,
) -> Result<LeaseState, DbError> {
    let row = with_conn!(conn, c => diesel::update(held_by(id, worker))
        .set(jobs::lease_expires_at.eq(lease_until(lease)))
        .returning(jobs::cancel_requested_at)
        .get_result::<Option<NaiveDateTime>>(c)
        .await
        .optional())?;
    Ok(lease_state(row))
}

/// Progress as the worker saves it.
pub struct ProgressUpdate<'a> {
    pub current: i64,
    pub total: Option<i64>,
    pub rate_window: &'a str,
}

/// Saves progress, renews the lease, and reports a cancellation request.
pub async fn save_progress(
    conn: &mut Conn,
    id: &str,
    worker: &str,
    lease: Duration,
    update: &ProgressUpdate<'_>,
) -> Result<LeaseState, DbError> {
    let row = with_conn!(conn, c => diesel::update(held_by(id, worker))
        .set((
            jobs::progress_current.eq(update.current),
            jobs::progress_total.eq(update.total),
            jobs::rate_window.eq(update.rate_window),
            jobs::lease_expires_at.eq(lease_until(lease)),
            jobs::updated_at.eq(now()),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .returning(jobs::cancel_requested_at)
        .get_result::<Option<NaiveDateTime>>(c)
        .await
        .optional())?;
    Ok(lease_state(row))
}

type HeldBy<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<jobs::table, diesel::dsl::Eq<jobs::id, &'a str>>,
        diesel::dsl::Eq<jobs::lease_owner, &'a str>,
    >,
    diesel::dsl::Eq<jobs::status, &'static str>,
>;

fn held_by<'a>(id: &'a str, worker: &'a str) -> HeldBy<'a> {
    jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::lease_owner.eq(worker))
        .filter(jobs::status.eq(JobStatus::Processing.as_str()))
}

/// Marks the job completed with its result document. Returns false when
/// the lease was lost, in which case nothing changed.
pub async fn complete(
    conn: &mut Conn,
    id: &str,
    worker: &str,
    result: &serde_json::Value,
    expires_at: Option<NaiveDateTime>,
) -> Result<bool, DbError> {
    let timestamp = now();
    let changed = with_conn!(conn, c => diesel::update(held_by(id, worker))
        .set((
            jobs::status.eq(JobStatus::Completed.as_str()),
            jobs::result.eq(result.to_string()),
            jobs::progress_current.eq(jobs::progress_total.assume_not_null()),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::completed_at.eq(timestamp),
            jobs::expires_at.eq(expires_at),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;
    Ok(changed == 1)
}

/// Ends the job in `status` (failed or cancelled) with an optional
/// user-facing message and result.
pub async fn finish_unsuccessfully(
    conn: &mut Conn,
    id: &str,
    worker: &str,
    status: JobStatus,
    message: Option<&str>,
    result: Option<&serde_json::Value>,
) -> Result<bool, DbError> {
    let timestamp = now();
    let result = result.map(|value| value.to_string());
    let changed = with_conn!(conn, c => diesel::update(held_by(id, worker))
        .set((
            jobs::status.eq(status.as_str()),
            jobs::error.eq(message),
            jobs::result.eq(&result),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::completed_at.eq(timestamp),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;
    Ok(changed == 1)
}

/// Gives the job back to the queue for another attempt.
pub async fn retry_later(
    conn: &mut Conn,
    id: &str,
    worker: &str,
    message: &str,
) -> Result<bool, DbError> {
    let changed = with_conn!(conn, c => diesel::update(held_by(id, worker))
        .set((
            jobs::status.eq(JobStatus::Pending.as_str()),
            jobs::error.eq(message),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now()),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;
    Ok(changed == 1)
}

/// Releases a job on shutdown without spending its attempt, so that another
/// worker takes it at once. A job without a checkpoint starts over, so its
/// progress goes back to zero.
pub async fn release(conn: &mut Conn, id: &str, worker: &str) -> Result<bool, DbError> {
    with_conn!(conn, c => diesel::update(held_by(id, worker).filter(jobs::checkpoint.is_null()))
        .set((jobs::progress_current.eq(0), jobs::rate_window.eq("[]")))
        .execute(c)
        .await)?;
    let changed = with_conn!(conn, c => diesel::update(held_by(id, worker))
        .set((
            jobs::status.eq(JobStatus::Pending.as_str()),
            jobs::attempts.eq(jobs::attempts - 1),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now()),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;
    Ok(changed == 1)
}

/// Asks for a job to stop. A pending job is cancelled at once; a processing
/// one is flagged and its worker stops at its next check. Returns the job
/// as it now is, or `None` when it is not the user's.
pub async fn request_cancel(
    conn: &mut Conn,
    user_id: i64,
    id: &str,
) -> Result<Option<Job>, DbError> {
    let timestamp = now();
    let owned = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::user_id.eq(user_id));

    with_conn!(conn, c => diesel::update(owned.filter(jobs::status.eq(JobStatus::Pending.as_str())))
        .set((
            jobs::status.eq(JobStatus::Cancelled.as_str()),
            jobs::cancel_requested_at.eq(timestamp),
            jobs::completed_at.eq(timestamp),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;

    with_conn!(conn, c => diesel::update(owned.filter(jobs::status.eq(JobStatus::Processing.as_str())))
        .filter(jobs::cancel_requested_at.is_null())
        .set((
            jobs::cancel_requested_at.eq(timestamp),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;

    find_for_user(conn, user_id, id).await
}

/// Puts a failed or cancelled import back in the queue with fresh
/// attempts, keeping its checkpoint. Returns false when the job is in any
/// other state.
pub async fn resume(conn: &mut Conn, id: &str) -> Result<bool, DbError> {
    let stopped = [JobStatus::Failed.as_str(), JobStatus::Cancelled.as_str()];
    let changed = with_conn!(conn, c => diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::kind.eq(JobKind::Import.as_str()))
            .filter(jobs::status.eq_any(stopped)),
    )
    .set((
        jobs::status.eq(JobStatus::Pending.as_str()),
        jobs::attempts.eq(0),
        jobs::error.eq(None::<String>),
        jobs::result.eq(None::<String>),
        jobs::cancel_requested_at.eq(None::<NaiveDateTime>),
        jobs::completed_at.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(now()),
        jobs::progress_version.eq(jobs::progress_version + 1),
    ))
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// Marks completed jobs whose files have expired and returns them, so the
/// caller can delete their files.
pub async fn take_expired(conn: &mut Conn, limit: i64) -> Result<Vec<Job>, DbError> {
    let timestamp = now();
    let due = with_conn!(conn, c => jobs::table
        .filter(jobs::status.eq(JobStatus::Completed.as_str()))
        .filter(jobs::expires_at.lt(timestamp))
        .order(jobs::expires_at.asc())
        .limit(limit)
        .select(Job::as_select())
        .load(c)
        .await)?;

    let ids: Vec<&str> = due.iter().map(|job| job.id.as_str()).collect();
    with_conn!(conn, c => diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
        .set((
            jobs::status.eq(JobStatus::Expired.as_str()),
            jobs::updated_at.eq(timestamp),
            jobs::progress_version.eq(jobs::progress_version + 1),
        ))
        .execute(c)
        .await)?;
    Ok(due)
}
