//! Live progress over Server-Sent Events, cancellation and the snapshot.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

/// One parsed Server-Sent Event.
#[derive(Debug)]
struct Event {
    id: i64,
    kind: String,
    job: Value,
    received: Instant,
}

/// Reads events until the stream ends or `limit` passes.
async fn read_events(app: &TestApp, token: &str, id: &str, limit: Duration) -> Vec<Event> {
    let response = app
        .client
        .get(app.url(&format!("/api/jobs/{id}/events")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.headers()["x-accel-buffering"], "no");

    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    let deadline = Instant::now() + limit;
    while let Ok(Some(chunk)) = tokio::time::timeout_at(deadline.into(), stream.next()).await {
        buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(event) = parse_event(&block) {
                events.push(event);
            }
        }
    }
    events
}

fn parse_event(block: &str) -> Option<Event> {
    let mut id = None;
    let mut kind = None;
    let mut data = None;
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("id: ") {
            id = value.parse().ok();
        } else if let Some(value) = line.strip_prefix("event: ") {
            kind = Some(value.to_string());
        } else if let Some(value) = line.strip_prefix("data: ") {
            data = serde_json::from_str(value).ok();
        }
    }
    Some(Event {
        id: id?,
        kind: kind?,
        job: data?,
        received: Instant::now(),
    })
}

async fn events_report_progress_until_completed(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--batch-pause", "250ms"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 8_000).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;

    let events = read_events(
        &app,
        &token,
        job["id"].as_str().unwrap(),
        Duration::from_secs(60),
    )
    .await;

    let last = events.last().expect("no events arrived");
    assert_eq!(last.kind, "completed");
    assert_eq!(last.job["rowCount"], 8_000);
    assert!(
        events.iter().filter(|e| e.kind == "progress").count() >= 3,
        "{events:?}"
    );
    for pair in events.windows(2) {
        assert!(pair[1].id > pair[0].id, "event ids went back: {pair:?}");
        let before = pair[0].job["progress"]["percentage"].as_i64().unwrap();
        let after = pair[1].job["progress"]["percentage"].as_i64().unwrap();
        assert!(after >= before, "percentage went back: {pair:?}");
    }
    let processing: Vec<&Event> = events
        .iter()
        .filter(|e| e.job["status"] == "processing")
        .collect();
    for pair in processing.windows(2) {
        let gap = pair[1].received - pair[0].received;
        assert!(
            gap <= Duration::from_millis(1_500),
            "{gap:?} between progress events"
        );
    }
}

async fn events_resume_after_last_event_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 10).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let id = job["id"].as_str().unwrap();
    app.wait_for_job(&token, id, Duration::from_secs(30)).await;

    let all = read_events(&app, &token, id, Duration::from_secs(5)).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, "completed");

    let response = app
        .client
        .get(app.url(&format!("/api/jobs/{id}/events")))
        .bearer_auth(&token)
        .header("Last-Event-ID", all[0].id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        204,
        "a finished stream should tell the browser to stop"
    );
    let body = tokio::time::timeout(Duration::from_secs(5), response.text())
        .await
        .unwrap()
        .unwrap();
    assert!(!body.contains("event:"), "an event was sent again: {body}");
}

async fn cancel_stops_export_and_leaves_no_file(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--batch-pause", "300ms"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 10_000).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "xlsx"}))
        .await;
    let id = job["id"].as_str().unwrap();
    wait_until_rows_done(&app, &token, id).await;

    let response = app
        .post_json(&token, &format!("/api/jobs/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    let requested = Instant::now();
    let done = app.wait_for_job(&token, id, Duration::from_secs(10)).await;

    assert_eq!(done["status"], "cancelled");
    assert!(
        requested.elapsed() <= Duration::from_secs(2),
        "cancel took {:?}",
        requested.elapsed()
    );
    assert!(done.get("downloadUrl").is_none());
    // Give the worker a moment to remove its scratch file after recording.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.files_under("storage/exports"),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(app.files_under("tmp"), Vec::<std::path::PathBuf>::new());
}

/// Waits until the job has saved progress past zero rows.
pub async fn wait_until_rows_done(app: &TestApp, token: &str, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (_, job) = app.get_json(token, &format!("/api/exports/{id}")).await;
        if job["progress"]["current"].as_i64().unwrap_or(0) > 0 {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no progress: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn rows_added_during_export_are_left_out(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--batch-pause", "200ms"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 5_000).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let id = job["id"].as_str().unwrap();

    let running = wait_until_rows_done(&app, &token, id).await;
    assert_eq!(running["progress"]["total"], 5_000);
    app.seed(user_id, 1_000).await;
    let done = app.wait_for_job(&token, id, Duration::from_secs(60)).await;

    assert_eq!(done["rowCount"], 5_000);
    let (_, bytes) = app.download(done["downloadUrl"].as_str().unwrap()).await;
    assert_eq!(
        csv::Reader::from_reader(bytes.as_slice()).records().count(),
        5_000
    );
}

async fn import_events_report_progress_and_counts(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--batch-pause", "250ms"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;
    let (csv, _) = crate::imports::customers_csv(6_000);
    let key = app.upload(&token, "customers.csv", csv.as_bytes()).await;
    let response = app
        .post_json(
            &token,
            "/api/imports",
            &json!({"dataset": "customers", "uploadKey": key}),
        )
        .await;
    let job: Value = response.json().await.unwrap();

    let events = read_events(
        &app,
        &token,
        job["id"].as_str().unwrap(),
        Duration::from_secs(60),
    )
    .await;

    let last = events.last().expect("no events arrived");
    assert_eq!(last.kind, "completed");
    assert_eq!(last.job["imported"], 5_700);
    assert_eq!(last.job["failed"], 300);
    let running: Vec<&Event> = events
        .iter()
        .filter(|e| e.job["status"] == "processing" && e.job["progress"]["total"] == 6_000)
        .collect();
    assert!(running.len() >= 3, "{events:?}");
    assert!(
        running
            .iter()
            .any(|e| e.job["rowsPerSecond"].as_f64().unwrap_or(0.0) > 0.0)
    );
    for pair in events.windows(2) {
        let before = pair[0].job["progress"]["percentage"].as_i64().unwrap();
        let after = pair[1].job["progress"]["percentage"].as_i64().unwrap();
        assert!(after >= before, "percentage went back: {pair:?}");
    }
}

on_both_backends!(
    import_events_report_progress_and_counts,
    events_report_progress_until_completed,
    events_resume_after_last_event_id,
    cancel_stops_export_and_leaves_no_file,
    rows_added_during_export_are_left_out,
);
