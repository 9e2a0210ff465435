//! Storage and database failures in the middle of an export.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use serde_json::json;

use crate::common::app::postgres_server_url;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;
use crate::progress::wait_until_rows_done;

async fn storage_failure_fails_after_last_attempt(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--max-attempts", "2"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 30).await;
    // A file where the exports folder should be makes every publish fail.
    let storage = app.data_dir.path().join("storage");
    std::fs::create_dir_all(&storage).unwrap();
    std::fs::write(storage.join("exports"), b"not a folder").unwrap();

    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let done = app
        .wait_for_job(&token, job["id"].as_str().unwrap(), Duration::from_secs(60))
        .await;

    assert_eq!(done["status"], "failed");
    assert_eq!(done["attempts"], 2);
    let message = done["error"].as_str().unwrap();
    assert!(
        message.contains("could not be saved to storage"),
        "{message}"
    );
    assert!(message.contains("tried 2 times"), "{message}");
    assert!(done.get("downloadUrl").is_none());
    assert!(
        app.files_under("tmp").is_empty(),
        "scratch files left: {:?}",
        app.files_under("tmp")
    );
}

/// Ends every connection to the app's database except this one.
async fn cut_connections(database_url: &str) {
    let name = database_url.rsplit('/').next().unwrap();
    let mut admin = AsyncPgConnection::establish(&format!("{}/postgres", postgres_server_url()))
        .await
        .unwrap();
    let statement = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    );
    admin.batch_execute(&statement).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_mid_export_is_retried() {
    let app = TestApp::spawn_with(Backend::Postgres, &["--batch-pause", "200ms"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 6_000).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let id = job["id"].as_str().unwrap();
    wait_until_rows_done(&app, &token, id).await;

    cut_connections(&app.database_url).await;
    let started = std::time::Instant::now();
    let done = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the job never finished"
        );
        // The API's own connections were cut too; a request may fail once.
        let response = app
            .client
            .get(app.url(&format!("/api/exports/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if let Ok(job) = response.json::<serde_json::Value>().await
            && ["completed", "failed"].contains(&job["status"].as_str().unwrap_or_default())
        {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["attempts"], 2);
    assert_eq!(done["rowCount"], 6_000);
}

on_both_backends!(storage_failure_fails_after_last_attempt);
