//! The export job itself.
//!
//! A reader task pages through the dataset and hands batches to a writer on
//! a blocking thread, so encoding and file I/O overlap with the next query.
//! The file is written under the scratch folder and published to storage
//! only once complete; any other ending deletes it.

use std::path::{Path, PathBuf};

use chrono::Utc;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::spec::ExportSpec;
use super::{BATCH_SIZE, snapshot};
use crate::app::AppContext;
use crate::datasets::{self, Dataset};
use crate::formats::{self, Format, Row, WriterOptions};
use crate::jobs::{Flow, Job, JobControl, JobError, JobOutcome};
use crate::links::{self, Purpose};
use crate::mail::ExportReady;

/// Batches queued between the reader and the writer.
const QUEUED_BATCHES: usize = 4;

enum WriterMessage {
    Rows(Vec<Row>),
    Finish,
}

/// The end state of the read loop.
enum ReadEnd {
    Done(i64),
    Stopped(Flow),
}

pub async fn run(
    context: &AppContext,
    job: &Job,
    control: &mut JobControl,
) -> Result<JobOutcome, JobError> {
    let spec = ExportSpec::from_job(&job.dataset, &job.format, &job.params)
        .map_err(|detail| JobError::final_error("The export's settings are invalid.", detail))?;
    let scratch = scratch_path(context, job, spec.format);
    remove_earlier_attempts(context, job).await;

    let written = write_file(context, job, &spec, &scratch, control).await;
    let outcome = match written {
        Ok(ReadEnd::Done(rows)) => publish(context, job, &spec, &scratch, rows).await,
        Ok(ReadEnd::Stopped(Flow::Cancel)) => Ok(JobOutcome::Cancelled { result: None }),
        Ok(ReadEnd::Stopped(_)) => Ok(JobOutcome::Released),
        Err(error) => Err(error),
    };

    remove_scratch(&scratch).await;
    outcome
}

fn scratch_path(context: &AppContext, job: &Job, format: Format) -> PathBuf {
    let name = format!("export-{}-{}.{}", job.id, job.attempts, format.extension());
    context.settings.scratch_dir().join(name)
}

/// Deletes scratch files that an earlier attempt of this job left behind
/// when its worker died.
async fn remove_earlier_attempts(context: &AppContext, job: &Job) {
    let prefix = format!("export-{}-", job.id);
    let Ok(mut entries) = tokio::fs::read_dir(context.settings.scratch_dir()).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            remove_scratch(&entry.path()).await;
        }
    }
}

async fn remove_scratch(path: &Path) {
    if let Err(error) = tokio::fs::remove_file(path).await
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(%error, "failed to remove the export's scratch file");
    }
}

/// Writes the whole file; returns the row count, or how the job was stopped.
async fn write_file(
    context: &AppContext,
    job: &Job,
    spec: &ExportSpec,
    scratch: &Path,
    control: &mut JobControl,
) -> Result<ReadEnd, JobError> {
    let (sender, receiver) = mpsc::channel(QUEUED_BATCHES);
    let writer = spawn_writer(spec, scratch, receiver);

    let read = read_rows(context, job, spec, &sender, control).await;
    if matches!(read, Ok(ReadEnd::Done(_))) {
        // A closed channel means the writer already failed; its error is
        // reported below.
        let _ = sender.send(WriterMessage::Finish).await;
    }
    drop(sender);

    let written = writer
        .await
        .map_err(|e| JobError::retryable("The file writer stopped unexpectedly.", e))?;
    match read {
        Ok(ReadEnd::Done(rows)) => written.map(|()| ReadEnd::Done(rows)),
        other => other,
    }
}

fn spawn_writer(
    spec: &ExportSpec,
    path: &Path,
    mut receiver: mpsc::Receiver<WriterMessage>,
) -> tokio::task::JoinHandle<Result<(), JobError>> {
    let columns = datasets::columns(spec.dataset);
    let format = spec.format;
    let options = WriterOptions {
        excel_compatible: spec.options.excel_compatible,
        ..WriterOptions::default()
    };
    let path = path.to_path_buf();

    tokio::task::spawn_blocking(move || {
        let mut writer = formats::create_writer(format, columns, &path, &options)?;
        while let Some(message) = receiver.blocking_recv() {
            match message {
                WriterMessage::Rows(rows) => {
                    for row in &rows {
                        writer.write_row(row)?;
                    }
                }
                WriterMessage::Finish => return Ok(writer.finish()?),
            }
        }
        // The reader stopped early: leave the file unfinished for deletion.
        Ok(())
    })
}

async fn read_rows(
    context: &AppContext,
    job: &Job,
    spec: &ExportSpec,
    sender: &mpsc::Sender<WriterMessage>,
    control: &mut JobControl,
) -> Result<ReadEnd, JobError> {
    let mut conn = context.db.conn().await?;
    snapshot::begin(&mut conn).await?;
    let read = read_in_snapshot(context, &mut conn, job, spec, sender, control).await;
    let ended = snapshot::end(&mut conn).await;

    let end = read?;
    ended?;
    Ok(end)
}

async fn read_in_snapshot(
    context: &AppContext,
    conn: &mut crate::db::Conn,
    job: &Job,
    spec: &ExportSpec,
    sender: &mpsc::Sender<WriterMessage>,
    control: &mut JobControl,
) -> Result<ReadEnd, JobError> {
    let total = datasets::count_rows(conn, spec.dataset, job.user_id, &spec.filters).await?;
    if let flow @ (Flow::Cancel | Flow::Shutdown) = control.set_total(0, Some(total)).await? {
        return Ok(ReadEnd::Stopped(flow));
    }

    let nested =
        spec.dataset == Dataset::Orders && matches!(spec.format, Format::Json | Format::Ndjson);
    let pause = context.settings.batch_pause;
    let mut source =
        datasets::BatchSource::open(conn, spec.dataset, job.user_id, &spec.filters).await?;
    let mut written = 0;
    loop {
        let batch = source
            .next(
                conn,
                spec.dataset,
                job.user_id,
                &spec.filters,
                BATCH_SIZE,
                nested,
            )
            .await?;
        if batch.next.is_none() {
            return Ok(ReadEnd::Done(written));
        }
        written += batch.rows.len() as i64;

        if sender.send(WriterMessage::Rows(batch.rows)).await.is_err() {
            // The writer failed and dropped its end; its error explains why.
            return Ok(ReadEnd::Done(written));
        }
        if let flow @ (Flow::Cancel | Flow::Shutdown) = control.advance(written).await? {
            return Ok(ReadEnd::Stopped(flow));
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
}

async fn publish(
    context: &AppContext,
    job: &Job,
    spec: &ExportSpec,
    scratch: &Path,
    rows: i64,
) -> Result<JobOutcome, JobError> {
    let sha256 = file_sha256(scratch).await?;
    let key = format!(
        "exports/{}/{}.{}",
        job.user_id,
        job.id,
        spec.format.extension()
    );
    let byte_size = context.storage.publish(scratch, &key).await?;

    let expires_at = Utc::now()
        + chrono::Duration::from_std(context.settings.link_ttl)
            .unwrap_or(chrono::Duration::hours(24));
    let file_name = spec.file_name(Utc::now().date_naive());
    let result = serde_json::json!({
        "rowCount": rows,
        "byteSize": byte_size,
        "sha256": sha256,
        "fileKey": key,
        "fileName": file_name,
    });

    let link = format!(
        "{}{}",
        context.settings.base_url(),
        links::signed_path(&context.secret, &job.id, Purpose::Export, expires_at)
    );
    let email = ExportReady {
        dataset: spec.dataset.title().to_string(),
        format: spec.format.as_str().to_uppercase(),
        row_count: rows.max(0) as u64,
        byte_size,
        link,
        expires_at,
    };
    Ok(JobOutcome::Completed {
        result,
        expires_at: Some(expires_at.naive_utc()),
        email: Some(Box::new(email)),
    })
}

/// Hashes the finished file on a blocking thread.
async fn file_sha256(path: &Path) -> Result<String, JobError> {
    let path = path.to_path_buf();
    let hashed = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(|e| JobError::retryable("The file could not be read back.", e))?;
    hashed.map_err(|e| JobError::retryable("The file could not be read back.", e))
}
