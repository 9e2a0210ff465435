//! A worker process killed in the middle of an export, and its successor.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{Backend, TestApp};
use crate::imports::{all_errors, customer_count, customers_csv, import_counts};
use crate::on_both_backends;
use crate::progress::wait_until_rows_done;

fn spawn_worker(app: &TestApp) -> Child {
    spawn_worker_with(app, "150ms")
}

/// Starts `ferry worker` with one slot, a 2-second lease and `batch_pause`
/// between chunks.
fn spawn_worker_with(app: &TestApp, batch_pause: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["--data-dir", &app.data_dir.path().display().to_string()])
        .args(["--database-url", &app.database_url])
        .args(["--base-url", &app.base_url])
        .args(["--secret-key", "test-secret-key-that-is-long-enough-0123"])
        .args([
            "--mail-url",
            &format!("file://{}", app.data_dir.path().join("outbox").display()),
        ])
        .args(["--lease", "2s", "--batch-pause", batch_pause])
        .args(["worker", "--concurrency", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn killed_worker_job_completes_elsewhere(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 12_000).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let id = job["id"].as_str().unwrap().to_string();

    let mut first = spawn_worker(&app);
    let running = wait_until_rows_done(&app, &token, &id).await;
    assert_eq!(running["status"], "processing");
    first.kill().unwrap();
    first.wait().unwrap();

    let (_, after_kill) = app.get_json(&token, &format!("/api/exports/{id}")).await;
    assert!(
        after_kill.get("downloadUrl").is_none(),
        "a link appeared before completion: {after_kill}"
    );
    assert!(
        app.files_under("storage/exports").is_empty(),
        "a partial file was published"
    );

    let mut second = spawn_worker(&app);
    let done = wait_linkless_until_done(&app, &token, &id).await;
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rowCount"], 12_000);
    assert_eq!(done["attempts"], 2);
    let (_, bytes) = app.download(done["downloadUrl"].as_str().unwrap()).await;
    assert_eq!(
        csv::Reader::from_reader(bytes.as_slice()).records().count(),
        12_000
    );
    assert_eq!(app.files_under("storage/exports").len(), 1);
}

/// Polls until the job ends, checking on every poll that no link is shown
/// before the job is completed.
async fn wait_linkless_until_done(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let (_, job) = app.get_json(token, &format!("/api/exports/{id}")).await;
        if job["status"] == "completed" || job["status"] == "failed" {
            return job;
        }
        assert!(
            job.get("downloadUrl").is_none(),
            "a link appeared before completion: {job}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "job never finished: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sigterm_releases_job_without_spending_attempt(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 12_000).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "json"}))
        .await;
    let id = job["id"].as_str().unwrap().to_string();

    let mut first = spawn_worker(&app);
    wait_until_rows_done(&app, &token, &id).await;
    let stopped = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let exit = first.wait().unwrap();
    assert!(exit.success(), "the worker did not exit cleanly: {exit:?}");

    let (_, released) = app.get_json(&token, &format!("/api/exports/{id}")).await;
    assert_eq!(released["status"], "pending", "{released}");
    assert_eq!(released["attempts"], 0);
    assert_eq!(released["progress"]["current"], 0);
    assert!(
        app.files_under("tmp").is_empty(),
        "scratch left: {:?}",
        app.files_under("tmp")
    );

    let mut second = spawn_worker(&app);
    let done = wait_linkless_until_done(&app, &token, &id).await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["rowCount"], 12_000);
}

/// SIGKILL in the middle of a 200,000-row import, then a new worker: every
/// valid row ends up stored exactly once.
async fn killed_worker_import_ends_with_each_row_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    let (csv, invalid) = customers_csv(200_000);
    let key = app.upload(&token, "customers.csv", csv.as_bytes()).await;
    let response = app
        .post_json(
            &token,
            "/api/imports",
            &json!({"dataset": "customers", "uploadKey": key}),
        )
        .await;
    let id = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let mut first = spawn_worker_with(&app, "100ms");
    let started = Instant::now();
    loop {
        let (_, job) = app.get_json(&token, &format!("/api/imports/{id}")).await;
        if job["processedRows"].as_u64().unwrap_or(0) >= 5_000 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no progress: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let committed = customer_count(&app, user_id).await;
    assert!(
        committed > 0 && committed < 190_000,
        "{committed} rows before the kill"
    );

    let mut second = spawn_worker_with(&app, "0s");
    let done = app
        .wait_for(&token, "imports", &id, Duration::from_secs(300))
        .await;
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["attempts"], 2);
    assert_eq!(import_counts(&done), (Some(190_000), Some(10_000)));
    assert_eq!(customer_count(&app, user_id).await, 190_000);
    let errors = all_errors(&app, &token, &id).await;
    let rows: Vec<u64> = errors.iter().map(|e| e["row"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = invalid.iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, expected);
}

on_both_backends!(
    killed_worker_import_ends_with_each_row_once,
    killed_worker_job_completes_elsewhere,
    sigterm_releases_job_without_spending_attempt,
);
