//! The end of an import: the JSON report, the failed-rows file, the
//! result the job keeps, and the "import finished" email.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::checkpoint::Checkpoint;
use super::failed_file::{self, FailedPage, FailedValues};
use super::prepare::RAW_KEY;
use super::spec::{ImportSpec, format_name};
use crate::app::AppContext;
use crate::db::schema::{import_errors, import_failed_rows};
use crate::db::{Conn, DbError};
use crate::formats::read::{CsvDialect, SourceFormat};
use crate::jobs::{Job, JobError, JobOutcome};
use crate::links::{self, Purpose};
use crate::mail::ImportFinished;
use crate::uploads::Upload;
use crate::with_conn;

/// Rows read from the database per query while writing the files.
const PAGE_ROWS: i64 = 1_000;

/// One entry of the report's `errors` list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ErrorEntry {
    pub row: i64,
    pub field: String,
    pub value: String,
    pub error: String,
}

pub fn unknown_column_warnings(unknown: &[String]) -> Vec<String> {
    let warnings = unknown.iter().map(|header| {
        format!("The column {header:?} matches no field and was ignored; rename it or map it with the mapping option to import it.")
    });
    warnings.collect()
}

/// Returns the counts of an import so far, as the job's result keeps them.
/// Returns the counts of an import. `total` is the file's number of rows,
/// or `None` before the first pass has counted them. `processedRows` is the
/// number of rows the import has been through.
pub fn counts_json(checkpoint: &Checkpoint, total: Option<u64>, dry_run: bool) -> Value {
    json!({
        "totalRows": total,
        "processedRows": checkpoint.processed,
        "imported": checkpoint.imported,
        "failed": checkpoint.failed,
        "customersCreated": checkpoint.customers_created,
        "dryRun": dry_run,
    })
}

/// Everything the end of an import needs.
pub struct Finished<'a> {
    pub spec: &'a ImportSpec,
    pub format: SourceFormat,
    pub upload: &'a Upload,
    pub checkpoint: &'a Checkpoint,
    pub headers: &'a [String],
    pub dialect: Option<CsvDialect>,
    pub warnings: &'a [String],
}

pub async fn finish(
    context: &AppContext,
    job: &Job,
    finished: Finished<'_>,
) -> Result<JobOutcome, JobError> {
    let checkpoint = finished.checkpoint;
    let mut result = counts_json(
        checkpoint,
        Some(checkpoint.processed),
        finished.spec.options.dry_run,
    );
    result["warnings"] = json!(finished.warnings);
    result["format"] = json!(format_name(finished.format));
    result["fileName"] = json!(finished.upload.filename);

    let report_key = publish_report(context, job, &result).await?;
    result["reportKey"] = json!(report_key);
    result["reportFileName"] = json!(format!("{}-report.json", base_name(finished.upload)));
    if finished.checkpoint.failed > 0 {
        let key = publish_failed_rows(context, job, &finished).await?;
        result["failedRowsKey"] = json!(key);
        result["failedRowsFileName"] = json!(format!(
            "{}-failed-rows.{}",
            base_name(finished.upload),
            format_name(finished.format)
        ));
    }

    let expires_at = Utc::now()
        + chrono::Duration::from_std(context.settings.link_ttl)
            .unwrap_or(chrono::Duration::hours(24));
    let email = email(context, job, &finished, expires_at);
    Ok(JobOutcome::Completed {
        result,
        expires_at: Some(expires_at.naive_utc()),
        email: Some(Box::new(email)),
    })
}

fn base_name(upload: &Upload) -> String {
    let name = crate::storage::safe_file_name(&upload.filename);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name,
    }
}

fn email(
    context: &AppContext,
    job: &Job,
    finished: &Finished<'_>,
    expires_at: DateTime<Utc>,
) -> ImportFinished {
    let link = format!(
        "{}{}",
        context.settings.base_url(),
        links::signed_path(&context.secret, &job.id, Purpose::Report, expires_at)
    );
    ImportFinished {
        dataset: finished.spec.dataset.title().to_string(),
        total_rows: finished.checkpoint.processed,
        imported: finished.checkpoint.imported,
        failed: finished.checkpoint.failed,
        report_link: link,
        expires_at,
        dry_run: finished.spec.options.dry_run,
    }
}

/// Returns the signed link to one of the job's files.
pub fn file_link(context: &AppContext, job: &Job, purpose: Purpose) -> Option<String> {
    let expires = job.expires_at?.and_utc();
    Some(links::signed_path(
        &context.secret,
        &job.id,
        purpose,
        expires,
    ))
}

fn scratch(context: &AppContext, job: &Job, name: &str) -> PathBuf {
    context
        .settings
        .scratch_dir()
        .join(format!("import-{}-{}-{name}", job.id, job.attempts))
}

async fn remove(path: &Path) {
    if let Err(error) = tokio::fs::remove_file(path).await
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(%error, "failed to remove an import scratch file");
    }
}

/// Writes the report to storage: the counts, then every error in row order.
async fn publish_report(
    context: &AppContext,
    job: &Job,
    counts: &Value,
) -> Result<String, JobError> {
    let path = scratch(context, job, "report.json");
    let (sender, receiver) = mpsc::channel::<Vec<ErrorEntry>>(4);
    let writer = {
        let path = path.clone();
        let counts = counts.clone();
        tokio::task::spawn_blocking(move || write_report(&path, &counts, receiver))
    };

    let paged = page_errors(context, &job.id, &sender).await;
    drop(sender);
    let written = writer.await;
    let key = format!("imports/{}/{}/report.json", job.user_id, job.id);
    publish_written(context, &path, key, paged, written, "report").await
}

/// Publishes the scratch file at `path` under `key` once both the database
/// pages and the writer thread succeeded, and deletes the scratch file
/// whatever happened. `what` names the file in messages.
async fn publish_written(
    context: &AppContext,
    path: &Path,
    key: String,
    paged: Result<(), JobError>,
    written: Result<std::io::Result<()>, tokio::task::JoinError>,
    what: &str,
) -> Result<String, JobError> {
    let published = match (paged, written) {
        (Ok(()), Ok(Ok(()))) => context
            .storage
            .publish(path, &key)
            .await
            .map_err(JobError::from),
        (Err(error), _) => Err(error),
        (_, Ok(Err(error))) => Err(JobError::retryable(
            &format!("The {what} could not be written."),
            error,
        )),
        (_, Err(error)) => Err(JobError::retryable(
            &format!("The {what} writer stopped."),
            error,
        )),
    };
    remove(path).await;
    published.map(|_| key)
}

async fn page_errors(
    context: &AppContext,
    job_id: &str,
    sender: &mpsc::Sender<Vec<ErrorEntry>>,
) -> Result<(), JobError> {
    let mut conn = context.db.conn().await?;
    let mut after = 0;
    loop {
        let page = error_page(&mut conn, job_id, after, PAGE_ROWS).await?;
        let Some((last, _)) = page.last() else {
            return Ok(());
        };
        after = *last;
        let entries = page.into_iter().map(|(_, entry)| entry).collect();
        if sender.send(entries).await.is_err() {
            return Ok(());
        }
    }
}

/// Returns up to `limit` errors of the job after error id `after`, in the
/// order they were found, with their ids.
pub async fn error_page(
    conn: &mut Conn,
    job_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, ErrorEntry)>, DbError> {
    let rows: Vec<(i64, i64, String, String, String)> = with_conn!(conn, c => import_errors::table
        .filter(import_errors::job_id.eq(job_id))
        .filter(import_errors::id.gt(after))
        .order(import_errors::id.asc())
        .limit(limit)
        .select((
            import_errors::id,
            import_errors::row_number,
            import_errors::field,
            import_errors::value,
            import_errors::message,
        ))
        .load(c)
        .await)?;
    let entries = rows.into_iter().map(|(id, row, field, value, error)| {
        (
            id,
            ErrorEntry {
                row,
                field,
                value,
                error,
            },
        )
    });
    Ok(entries.collect())
}

fn write_report(
    path: &Path,
    counts: &Value,
    mut receiver: mpsc::Receiver<Vec<ErrorEntry>>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut head = counts.to_string();
    head.pop();
    write!(out, "{head},\"errors\":[")?;

    let mut first = true;
    while let Some(page) = receiver.blocking_recv() {
        for entry in page {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(b"\n")?;
            serde_json::to_writer(&mut out, &entry)?;
        }
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// Writes the failed rows, with their original columns and an `error`
/// column, in the upload's format.
async fn publish_failed_rows(
    context: &AppContext,
    job: &Job,
    finished: &Finished<'_>,
) -> Result<String, JobError> {
    let format = finished.format;
    let dialect = finished.dialect;
    let extension = format_name(format);
    let path = scratch(context, job, &format!("failed-rows.{extension}"));
    let (sender, receiver) = mpsc::channel::<FailedPage>(4);
    let writer = {
        let path = path.clone();
        let headers = finished.headers.to_vec();
        tokio::task::spawn_blocking(move || {
            failed_file::write((format, dialect), &path, &headers, receiver)
        })
    };

    let paged = page_failed_rows(context, &job.id, &sender).await;
    drop(sender);
    let written = writer.await;
    let key = format!("imports/{}/{}/failed-rows.{extension}", job.user_id, job.id);
    publish_written(context, &path, key, paged, written, "failed-rows file").await
}

async fn page_failed_rows(
    context: &AppContext,
    job_id: &str,
    sender: &mpsc::Sender<FailedPage>,
) -> Result<(), JobError> {
    let mut conn = context.db.conn().await?;
    let mut after = 0;
    loop {
        let page: Vec<(i64, String, String)> = with_conn!(&mut conn, c => import_failed_rows::table
            .filter(import_failed_rows::job_id.eq(job_id))
            .filter(import_failed_rows::id.gt(after))
            .order(import_failed_rows::id.asc())
            .limit(PAGE_ROWS)
            .select((
                import_failed_rows::id,
                import_failed_rows::values_json,
                import_failed_rows::message,
            ))
            .load(c)
            .await)
        .map_err(DbError::from)?;
        let Some((last, _, _)) = page.last() else {
            return Ok(());
        };
        after = *last;

        let rows = page
            .into_iter()
            .map(|(_, values, message)| (stored_values(&values), message));
        if sender.send(rows.collect()).await.is_err() {
            return Ok(());
        }
    }
}

/// Reads the stored content of a failed row: a JSON array of values, or an
/// object with the source text of an element that was not an object.
fn stored_values(stored: &str) -> FailedValues {
    match serde_json::from_str::<Value>(stored) {
        Ok(Value::Array(values)) => FailedValues::Columns(values),
        Ok(Value::Object(object)) => match object.get(RAW_KEY) {
            Some(Value::String(raw)) => FailedValues::Raw(raw.clone()),
            _ => FailedValues::Columns(Vec::new()),
        },
        _ => FailedValues::Columns(Vec::new()),
    }
}
