//! The import job: check the file, then validate and commit it chunk by
//! chunk from its checkpoint, and finish with the report.

use chrono::Utc;
use tokio::sync::mpsc;

use super::checkpoint::Checkpoint;
use super::prepare::{self, DryRunState};
use super::report;
use super::schema::{ColumnMap, HeaderError};
use super::source::{self, Chunk, Preflight, Produced, SourceError, SourceFile};
use super::spec::ImportSpec;
use super::write::{self, ChunkWrite, Present, WriteError};
use crate::app::AppContext;
use crate::datasets::Dataset;
use crate::formats::read::SourceFormat;
use crate::jobs::{Flow, Job, JobControl, JobError, JobOutcome};
use crate::uploads::{self, Upload};

/// Chunks read ahead of the one being written.
const QUEUED_CHUNKS: usize = 2;

/// End state of the chunk loop.
enum LoopEnd {
    /// Every record was read. Carries the file's final headers and its CSV
    /// dialect.
    Done(Produced),
    Stopped(Flow),
}

pub async fn run(
    context: &AppContext,
    job: &Job,
    control: &mut JobControl,
) -> Result<JobOutcome, JobError> {
    let spec = ImportSpec::from_job(&job.dataset, &job.format, &job.params)
        .map_err(|detail| JobError::final_error("The import's settings are invalid.", detail))?;
    let upload = find_upload(context, job, &spec).await?;
    let file = source_file(context, &spec, &upload).await?;
    let mut checkpoint = Checkpoint::parse(job.checkpoint.as_deref());

    let preflight = run_preflight(&file, &spec).await?;
    let total = preflight.total as i64;
    if let flow @ (Flow::Cancel | Flow::Shutdown) = control
        .set_total(checkpoint.processed as i64, Some(total))
        .await?
    {
        return Ok(stopped(flow, &checkpoint, preflight.total, &spec));
    }
    let warnings = report::unknown_column_warnings(&preflight.map.unknown);

    let end = import_chunks(
        context,
        job,
        control,
        &spec,
        &file,
        &preflight,
        &mut checkpoint,
    )
    .await?;
    match end {
        LoopEnd::Done(produced) => {
            let finished = report::Finished {
                spec: &spec,
                format: file.format,
                upload: &upload,
                checkpoint: &checkpoint,
                headers: &produced.headers,
                dialect: produced.dialect,
                warnings: &warnings,
            };
            report::finish(context, job, finished).await
        }
        LoopEnd::Stopped(flow) => Ok(stopped(flow, &checkpoint, preflight.total, &spec)),
    }
}

fn stopped(flow: Flow, checkpoint: &Checkpoint, total: u64, spec: &ImportSpec) -> JobOutcome {
    match flow {
        Flow::Cancel => JobOutcome::Cancelled {
            result: Some(report::counts_json(
                checkpoint,
                Some(total),
                spec.options.dry_run,
            )),
        },
        _ => JobOutcome::Released,
    }
}

async fn find_upload(
    context: &AppContext,
    job: &Job,
    spec: &ImportSpec,
) -> Result<Upload, JobError> {
    let mut conn = context.db.conn().await?;
    let upload = uploads::find_for_user(&mut conn, job.user_id, &spec.upload_key).await?;
    match upload {
        Some(upload) if upload.is_uploaded() => Ok(upload),
        _ => Err(JobError::final_error(
            "The uploaded file is not available. Upload it again and start a new import.",
            format!("upload {} is missing or incomplete", spec.upload_key),
        )),
    }
}

/// Finds the stored file and its format: the one the request named, else
/// the one its name and first bytes show.
async fn source_file(
    context: &AppContext,
    spec: &ImportSpec,
    upload: &Upload,
) -> Result<SourceFile, JobError> {
    // TODO: download the upload to the scratch folder when storage is S3.
    let path = context
        .storage
        .local_path(&upload.storage_key)?
        .ok_or_else(|| {
            JobError::final_error("The uploaded file is not available.", "no local path")
        })?;
    let format = match spec.format {
        Some(format) => format,
        None => detect_format(&path, &upload.filename).await?,
    };

    Ok(SourceFile {
        format,
        path,
        options: spec.read_options(),
        dataset: spec.dataset,
        separator: spec.options.decimal_separator,
    })
}

async fn detect_format(path: &std::path::Path, filename: &str) -> Result<SourceFormat, JobError> {
    let detected = crate::formats::read::detect_file(path, filename)
        .await
        .map_err(|e| JobError::retryable("The uploaded file could not be read.", e))?;

    detected.ok_or_else(|| {
        JobError::final_error(
            &format!("{filename:?} is not a format Ferry imports. Upload a CSV, XLSX, JSON or NDJSON file."),
            "unknown format",
        )
    })
}

async fn run_preflight(file: &SourceFile, spec: &ImportSpec) -> Result<Preflight, JobError> {
    let file = file.clone();
    let mapping = spec.options.mapping.clone();
    let checked = tokio::task::spawn_blocking(move || source::preflight(&file, &mapping))
        .await
        .map_err(|e| JobError::retryable("The file reader stopped unexpectedly.", e))?;
    checked.map_err(source_failure)
}

/// Turns a reading failure into the job's error. The log gets the kind of
/// failure only: a header row can be a first record of emails and names.
fn source_failure(error: SourceError) -> JobError {
    let detail = match &error {
        SourceError::Header(HeaderError::MissingRequired { missing, .. }) => {
            format!(
                "the header lacks the required fields {}",
                missing.join(", ")
            )
        }
        SourceError::Header(HeaderError::Duplicate { field, .. }) => {
            format!("two columns hold the field {field}")
        }
        SourceError::Header(HeaderError::MappedColumnAbsent { .. }) => {
            "the mapping names a column the file lacks".to_string()
        }
        SourceError::Read(_) | SourceError::NoRows => error.to_string(),
    };
    JobError::final_error(&error.to_string(), detail)
}

async fn import_chunks(
    context: &AppContext,
    job: &Job,
    control: &mut JobControl,
    spec: &ImportSpec,
    file: &SourceFile,
    preflight: &Preflight,
    checkpoint: &mut Checkpoint,
) -> Result<LoopEnd, JobError> {
    let (sender, receiver) = mpsc::channel(QUEUED_CHUNKS);
    let (producer_file, map) = (file.clone(), preflight.map.clone());
    let counts = (preflight.total, checkpoint.row);
    let producer =
        tokio::task::spawn_blocking(move || source::produce(&producer_file, &map, counts, &sender));
    let mut conn = context.db.conn().await?;
    crate::db::set_import_checkpoints(&mut conn, true).await;
    let settings = (spec, present_columns(spec.dataset, &preflight.map));
    let consumed = consume_chunks(
        &mut conn, context, job, control, settings, checkpoint, receiver,
    )
    .await;
    crate::db::set_import_checkpoints(&mut conn, false).await;
    drop(conn);
    let end = consumed?;

    let produced = producer
        .await
        .map_err(|e| JobError::retryable("The file reader stopped unexpectedly.", e))?;
    Ok(end.unwrap_or(LoopEnd::Done(produced)))
}

/// Commits each chunk the reader sends; returns how the job was stopped,
/// or `None` once the reader has sent the last chunk.
async fn consume_chunks(
    conn: &mut crate::db::Conn,
    context: &AppContext,
    job: &Job,
    control: &mut JobControl,
    (spec, present): (&ImportSpec, Present),
    checkpoint: &mut Checkpoint,
    mut receiver: mpsc::Receiver<Result<Chunk, SourceError>>,
) -> Result<Option<LoopEnd>, JobError> {
    let pause = context.settings.batch_pause;
    let mut dry_run = DryRunState::default();
    while let Some(next) = receiver.recv().await {
        let chunk = next.map_err(source_failure)?;
        let before = checkpoint.imported;
        let settings = (spec, present);
        commit_chunk(
            conn,
            job,
            control,
            settings,
            chunk,
            checkpoint,
            &mut dry_run,
        )
        .await?;
        if grew_tenfold(before, checkpoint.imported) && !spec.options.dry_run {
            crate::db::analyze_tables(conn, tables_written(spec.dataset)).await;
        }

        if let flow @ (Flow::Cancel | Flow::Shutdown) =
            control.advance(checkpoint.processed as i64).await?
        {
            return Ok(Some(LoopEnd::Stopped(flow)));
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(None)
}

/// Returns which optional columns the file maps to a field.
fn present_columns(dataset: Dataset, map: &ColumnMap) -> Present {
    let has = |name: &str| map.column(dataset, name).is_some();
    Present {
        company: has("company"),
        phone: has("phone"),
        country: has("country"),
        city: has("city"),
        postal_code: has("postal_code"),
        description: has("description"),
        active: has("active"),
    }
}

/// Returns whether the rows written went past 1,000, 10,000, 100,000 and
/// so on, the points at which table statistics are refreshed.
fn grew_tenfold(before: u64, after: u64) -> bool {
    let digits = |n: u64| n.checked_ilog10().unwrap_or(0);
    after >= 1_000 && digits(after) > digits(before)
}

fn tables_written(dataset: Dataset) -> &'static [&'static str] {
    match dataset {
        Dataset::Customers => &["customers"],
        Dataset::Products => &["products"],
        Dataset::Orders => &["customers", "orders"],
        Dataset::OrderItems => &["order_items"],
    }
}

/// Settles the chunk's references, then commits its rows, errors and the
/// advanced checkpoint together.
async fn commit_chunk(
    conn: &mut crate::db::Conn,
    job: &Job,
    control: &JobControl,
    (spec, present): (&ImportSpec, Present),
    chunk: Chunk,
    checkpoint: &mut Checkpoint,
    dry_run: &mut DryRunState,
) -> Result<(), JobError> {
    let now = Utc::now().naive_utc();
    let prepared = prepare::prepare(conn, spec, job.user_id, chunk.accepted, now, dry_run).await?;

    let mut failures = chunk.failures;
    failures.extend(prepared.failures);
    failures.sort_by_key(|failure| failure.row);

    let next = Checkpoint {
        row: chunk.last_row,
        processed: checkpoint.processed + chunk.count,
        imported: checkpoint.imported + prepared.valid,
        failed: checkpoint.failed + failures.len() as u64,
        customers_created: checkpoint.customers_created + prepared.customers_created,
    };
    let write = ChunkWrite {
        present,
        job_id: job.id.clone(),
        worker_id: control.worker_id().to_string(),
        user_id: job.user_id,
        now,
        rows: prepared.rows,
        errors: prepare::error_rows(&job.id, &failures),
        failed: prepare::failed_rows(&job.id, &failures),
        checkpoint: next.to_json(),
        current: next.processed as i64,
    };

    match write::commit(conn, write).await {
        Ok(_) => {
            *checkpoint = next;
            Ok(())
        }
        Err(WriteError::LeaseLost) => Err(JobError::LeaseLost),
        Err(WriteError::Db(error)) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_refresh_at_powers_of_ten() {
        assert!(!grew_tenfold(0, 999));
        assert!(grew_tenfold(999, 1_000));
        assert!(!grew_tenfold(1_000, 9_999));
        assert!(grew_tenfold(9_500, 10_500));
        assert!(grew_tenfold(99_000, 100_000));
    }
}
