//! Views of a job for the API and for pages.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

use crate::app::AppContext;
use crate::datasets::Dataset;
use crate::import::Checkpoint;
use crate::import::report::{self, counts_json};
use crate::jobs::progress::{RateWindow, estimate_seconds_remaining, percentage};
use crate::jobs::{Job, JobKind, JobStatus};
use crate::links::{self, Purpose};
use crate::mail::{human_bytes, thousands};

fn iso(timestamp: Option<NaiveDateTime>) -> Value {
    match timestamp {
        Some(t) => Value::String(t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        None => Value::Null,
    }
}

/// Progress figures derived from the job row.
pub struct Progress {
    pub current: i64,
    pub total: Option<i64>,
    pub percentage: i64,
    pub rows_per_second: Option<f64>,
    pub seconds_remaining: Option<i64>,
}

pub fn progress(job: &Job) -> Progress {
    let rate = RateWindow::parse(&job.rate_window).rows_per_second();
    let active = job.status() == JobStatus::Processing;
    Progress {
        current: job.progress_current,
        total: job.progress_total,
        percentage: if job.status() == JobStatus::Completed {
            100
        } else {
            percentage(job.progress_current, job.progress_total)
        },
        rows_per_second: rate.filter(|_| active),
        seconds_remaining: estimate_seconds_remaining(
            job.progress_current,
            job.progress_total,
            rate,
        )
        .filter(|_| active),
    }
}

/// Returns "about 2 minutes" style text for a duration in seconds.
pub fn about_duration(seconds: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("about 1 {unit}")
        } else {
            format!("about {n} {unit}s")
        }
    };
    match seconds {
        s if s < 60 => plural(s.max(1), "second"),
        s if s < 3600 => plural((s + 30) / 60, "minute"),
        s => plural((s + 1800) / 3600, "hour"),
    }
}

/// Returns the one-line status shown beside the progress bar.
pub fn progress_text(job: &Job) -> String {
    let figures = progress(job);
    match job.status() {
        JobStatus::Pending => "Waiting for a worker…".to_string(),
        JobStatus::Processing => {
            let Some(total) = figures.total else {
                return "Starting…".to_string();
            };
            let remaining = match figures.seconds_remaining {
                Some(seconds) => format!("{} remaining", about_duration(seconds)),
                None => "Calculating…".to_string(),
            };
            format!(
                "Processing: {} of {} rows ({}%), {remaining}",
                thousands(figures.current.max(0) as u64),
                thousands(total.max(0) as u64),
                figures.percentage
            )
        }
        JobStatus::Completed if job.kind() == Some(JobKind::Import) => import_summary(job),
        JobStatus::Completed => {
            let result = job.result_json();
            let rows = result["rowCount"].as_u64().unwrap_or(0);
            let bytes = result["byteSize"].as_u64().unwrap_or(0);
            format!(
                "Completed: {} rows, {}",
                thousands(rows),
                human_bytes(bytes)
            )
        }
        JobStatus::Failed => format!("Failed: {}", job.error.clone().unwrap_or_default()),
        JobStatus::Cancelled => "Cancelled".to_string(),
        JobStatus::Expired => "Expired: the file was deleted after its link expired".to_string(),
    }
}

/// Returns "9,500 rows imported, 500 failed" for a finished import.
pub fn import_summary(job: &Job) -> String {
    let counts = import_counts(job);
    let number = |name: &str| thousands(counts[name].as_u64().unwrap_or(0));
    let verb = if counts["dryRun"].as_bool() == Some(true) {
        "would be imported"
    } else {
        "imported"
    };
    let noun = if counts["imported"].as_u64() == Some(1) {
        "row"
    } else {
        "rows"
    };
    format!(
        "{} {noun} {verb}, {} failed",
        number("imported"),
        number("failed")
    )
}

/// Returns an import's counts: from its result once it has ended, else
/// from its checkpoint.
pub fn import_counts(job: &Job) -> Value {
    let result = job.result_json();
    if result["imported"].is_u64() {
        return json!({
            "totalRows": result["totalRows"],
            "processedRows": result["processedRows"],
            "imported": result["imported"],
            "failed": result["failed"],
            "customersCreated": result["customersCreated"],
            "dryRun": result["dryRun"],
        });
    }
    let checkpoint = Checkpoint::parse(job.checkpoint.as_deref());
    let dry_run = serde_json::from_str::<Value>(&job.params)
        .map(|params| params["options"]["dryRun"] == json!(true))
        .unwrap_or(false);
    let total = job
        .progress_total
        .and_then(|total| u64::try_from(total).ok());
    counts_json(&checkpoint, total, dry_run)
}

/// Adds the import's counts, warnings and file links to its API view.
fn add_import_fields(context: &AppContext, job: &Job, value: &mut Value) {
    let counts = import_counts(job);
    for name in [
        "totalRows",
        "processedRows",
        "imported",
        "failed",
        "customersCreated",
        "dryRun",
    ] {
        value[name] = counts[name].clone();
    }
    let result = job.result_json();
    value["warnings"] = result["warnings"].clone();
    value["fileName"] = result["fileName"].clone();
    if job.status() != JobStatus::Completed {
        return;
    }
    if result["reportKey"].is_string() {
        value["reportUrl"] = json!(report::file_link(context, job, Purpose::Report));
    }
    if result["failedRowsKey"].is_string() {
        value["failedRowsUrl"] = json!(report::file_link(context, job, Purpose::FailedRows));
    }
    value["expiresAt"] = iso(job.expires_at);
}

/// Returns the signed download path of a completed export's file.
pub fn download_path(context: &AppContext, job: &Job) -> Option<String> {
    if job.status() != JobStatus::Completed || job.kind() != Some(JobKind::Export) {
        return None;
    }
    let expires: DateTime<Utc> = job.expires_at?.and_utc();
    Some(links::signed_path(
        &context.secret,
        &job.id,
        Purpose::Export,
        expires,
    ))
}

/// Returns the job as the API shows it.
pub fn job_json(context: &AppContext, job: &Job) -> Value {
    let figures = progress(job);
    let params: Value = serde_json::from_str(&job.params).unwrap_or(Value::Null);
    let mut value = json!({
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "dataset": job.dataset,
        "format": job.format,
        "filters": params["filters"],
        "options": params["options"],
        "progress": {
            "current": figures.current,
            "total": figures.total,
            "percentage": figures.percentage,
        },
        "rowsPerSecond": figures.rows_per_second.map(|rate| rate.round()),
        "estimatedSecondsRemaining": figures.seconds_remaining,
        "progressText": progress_text(job),
        "attempts": job.attempts,
        "createdAt": iso(Some(job.created_at)),
        "startedAt": iso(job.started_at),
        "completedAt": iso(job.completed_at),
        "error": job.error.as_ref().filter(|_| job.status().is_terminal()),
        "cancelRequested": job.cancel_requested_at.is_some(),
    });

    if job.kind() == Some(JobKind::Import) {
        add_import_fields(context, job, &mut value);
    }
    if let Some(path) = download_path(context, job) {
        let result = job.result_json();
        value["rowCount"] = result["rowCount"].clone();
        value["byteSize"] = result["byteSize"].clone();
        value["sha256"] = result["sha256"].clone();
        value["fileName"] = result["fileName"].clone();
        value["downloadUrl"] = Value::String(path);
        value["expiresAt"] = iso(job.expires_at);
    }
    value
}

/// A job as the Exports page lists it.
pub struct JobRow {
    pub id: String,
    pub status: String,
    pub dataset: String,
    pub format: String,
    pub percentage: i64,
    pub text: String,
    pub active: bool,
    pub download_url: Option<String>,
    pub expires: String,
    pub created: String,
}

pub fn job_row(context: &AppContext, job: &Job) -> JobRow {
    let dataset = job
        .dataset
        .parse::<Dataset>()
        .map(|d| d.title().to_string())
        .unwrap_or_else(|_| job.dataset.clone());
    JobRow {
        id: job.id.clone(),
        status: job.status.clone(),
        dataset,
        format: job.format.to_uppercase(),
        percentage: progress(job).percentage,
        text: progress_text(job),
        active: !job.status().is_terminal(),
        download_url: download_path(context, job),
        expires: job
            .expires_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        created: job.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(about_duration(1), "about 1 second");
        assert_eq!(about_duration(45), "about 45 seconds");
        assert_eq!(about_duration(100), "about 2 minutes");
        assert_eq!(about_duration(7200), "about 2 hours");
    }
}
