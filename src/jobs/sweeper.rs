//! Deletes files whose links have expired and marks their jobs expired.

use std::time::Duration;

use tokio::sync::watch;

use super::queue;
use crate::app::AppContext;

/// Jobs handled per sweep, so that one sweep never occupies the database for long.
const SWEEP_BATCH: i64 = 500;

/// Runs a sweep every `interval` until shutdown.
pub async fn run(context: AppContext, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        match sweep_once(&context).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "deleted expired files"),
            Err(error) => tracing::warn!(%error, "failed to sweep expired files"),
        }
        let _ = tokio::time::timeout(interval, shutdown.changed()).await;
    }
}

/// Expires due jobs and deletes their files; returns how many jobs expired.
// TODO: delete uploaded import files after a retention period; they are kept.
pub async fn sweep_once(context: &AppContext) -> Result<usize, crate::db::DbError> {
    let mut conn = context.db.conn().await?;
    let expired = queue::take_expired(&mut conn, SWEEP_BATCH).await?;
    drop(conn);

    for job in &expired {
        for key in file_keys(&job.result_json()) {
            if let Err(error) = context.storage.delete(&key).await {
                tracing::warn!(job_id = %job.id, %error, "failed to delete an expired file");
            }
        }
        crate::jobs::notify::job_changed(context, &job.id).await;
    }
    Ok(expired.len())
}

/// Returns every storage key a job's result names.
fn file_keys(result: &serde_json::Value) -> Vec<String> {
    ["fileKey", "reportKey", "failedRowsKey"]
        .iter()
        .filter_map(|name| result[*name].as_str().map(str::to_string))
        .collect()
}
