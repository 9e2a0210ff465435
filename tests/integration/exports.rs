//! Export jobs end to end: request, progress, file, link and email.

use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

const JOB_LIMIT: Duration = Duration::from_secs(60);

async fn export_and_download(app: &TestApp, token: &str, body: Value) -> (Value, Vec<u8>) {
    let job = app.start_export(token, body).await;
    let id = job["id"].as_str().unwrap();
    let done = app.wait_for_job(token, id, JOB_LIMIT).await;
    assert_eq!(done["status"], "completed", "job ended as {done}");

    let (status, bytes) = app.download(done["downloadUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    (done, bytes)
}

fn assert_file_matches_job(job: &Value, bytes: &[u8]) {
    assert_eq!(job["byteSize"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(
        job["sha256"].as_str(),
        Some(hex::encode(Sha256::digest(bytes)).as_str())
    );
}

async fn every_format_exports_seeded_orders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 300).await;

    let (job, csv_bytes) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "csv"})).await;
    assert_file_matches_job(&job, &csv_bytes);
    assert_eq!(job["rowCount"], 300);
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    assert_eq!(reader.headers().unwrap().get(0), Some("order_number"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 300);
    for record in &records {
        assert!(
            record[3].ends_with("@example.test"),
            "customer email missing: {record:?}"
        );
        assert!(!record[4].is_empty(), "customer name missing: {record:?}");
    }

    let (job, json_bytes) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "json"})).await;
    assert_file_matches_job(&job, &json_bytes);
    let orders: Vec<Value> = serde_json::from_slice(&json_bytes).unwrap();
    assert_eq!(orders.len(), 300);
    assert!(
        orders[0]["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    );
    assert!(orders[0]["total"].is_string());

    let (_, ndjson_bytes) = export_and_download(
        &app,
        &token,
        json!({"dataset": "orders", "format": "ndjson"}),
    )
    .await;
    let lines: Vec<Value> = ndjson_bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    assert!(lines[0]["payments"].is_array());

    let (_, xlsx_bytes) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "xlsx"})).await;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx_bytes)).unwrap();
    use calamine::Reader;
    let range = workbook.worksheet_range("Data").unwrap();
    assert_eq!(range.height(), 301);
}

async fn other_datasets_export(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 40).await;

    for dataset in ["customers", "products", "order_items"] {
        let (job, bytes) =
            export_and_download(&app, &token, json!({"dataset": dataset, "format": "csv"})).await;
        let records = csv::Reader::from_reader(bytes.as_slice()).records().count();
        assert_eq!(job["rowCount"].as_u64(), Some(records as u64), "{dataset}");
        assert!(records > 0, "{dataset} exported no rows");
    }
}

async fn empty_export_has_only_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.user_with_token("empty@example.test").await;

    let (job, csv_bytes) = export_and_download(
        &app,
        &token,
        json!({"dataset": "customers", "format": "csv"}),
    )
    .await;
    assert_eq!(job["rowCount"], 0);
    assert_eq!(String::from_utf8(csv_bytes).unwrap().lines().count(), 1);

    let (_, json_bytes) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "json"})).await;
    assert_eq!(String::from_utf8(json_bytes).unwrap().trim(), "[]");
}

async fn invalid_requests_answer_422(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;
    let cases = [
        (
            json!({"dataset": "invoices", "format": "csv"}),
            "dataset",
            "customers, products, orders, order_items",
        ),
        (
            json!({"dataset": "orders", "format": "pdf"}),
            "format",
            "csv, json, ndjson, xlsx",
        ),
        (
            json!({"dataset": "orders", "format": "csv", "filters": {"colour": "red"}}),
            "filters.colour",
            "from, to, status",
        ),
        (
            json!({"dataset": "orders", "format": "csv", "filters": {"status": ["lost"]}}),
            "filters.status",
            "pending, paid",
        ),
        (
            json!({"dataset": "orders", "format": "csv", "filters": {"from": "yesterday"}}),
            "filters.from",
            "YYYY-MM-DD",
        ),
    ];

    for (body, field, accepted) in cases {
        let response = app.post_json(&token, "/api/exports", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{body}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains(accepted),
            "{error}"
        );
    }

    let (_, list) = app.get_json(&token, "/api/exports").await;
    assert_eq!(list["exports"].as_array().map(Vec::len), Some(0));
}

async fn identical_request_returns_running_job(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;
    let body =
        json!({"dataset": "orders", "format": "csv", "filters": {"status": ["paid", "shipped"]}});

    let first = app.start_export(&token, body.clone()).await;
    let second = app.start_export(&token, json!({"dataset": "orders", "format": "csv", "filters": {"status": ["shipped", "paid"]}})).await;
    let other = app
        .start_export(&token, json!({"dataset": "orders", "format": "json"}))
        .await;

    assert_eq!(first["id"], second["id"]);
    assert_ne!(first["id"], other["id"]);
}

async fn idempotency_key_returns_same_job(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;
    let send = |key: &'static str, format: &'static str| {
        app.client
            .post(app.url("/api/exports"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&json!({"dataset": "orders", "format": format}))
            .send()
    };

    let first: Value = send("retry-1", "csv").await.unwrap().json().await.unwrap();
    let again: Value = send("retry-1", "csv").await.unwrap().json().await.unwrap();
    assert_eq!(first["id"], again["id"]);

    let reused = send("retry-1", "xlsx").await.unwrap();
    assert_eq!(reused.status(), 409);
    let spaced = send("has space", "csv").await.unwrap();
    assert_eq!(spaced.status(), 422);
}

async fn parallel_identical_requests_share_one_job(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;
    let body = json!({"dataset": "products", "format": "csv", "filters": {"from": "2020-01-01"}});

    let requests = (0..6).map(|_| {
        app.client
            .post(app.url("/api/exports"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "fresh-1")
            .json(&body)
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;

    let mut ids = Vec::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), 202);
        ids.push(response.json::<Value>().await.unwrap()["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");

    let others = (0..6).map(|_| {
        app.client
            .post(app.url("/api/exports"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    });
    let mut other_ids = Vec::new();
    for response in futures_util::future::join_all(others).await {
        other_ids.push(response.unwrap().json::<Value>().await.unwrap()["id"].clone());
    }
    other_ids.dedup();
    assert_eq!(other_ids, ids);
}

async fn malformed_bodies_answer_422(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;

    for body in [
        "{\"dataset\": 1}",
        "null",
        "[]",
        "{",
        "{\"dataset\": \"orders\", \"dataset\": \"x\"}",
    ] {
        for _ in 0..5 {
            let response = app
                .client
                .post(app.url("/api/exports"))
                .bearer_auth(&token)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 422, "{body}");
        }
    }
    let huge = format!("{{\"dataset\": \"{}\"}}", "x".repeat(100_000));
    let response = app
        .client
        .post(app.url("/api/exports"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

async fn another_users_job_is_not_found(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, owner) = app.user_with_token("owner@example.test").await;
    let (_, stranger) = app.user_with_token("stranger@example.test").await;
    let job = app
        .start_export(&owner, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let id = job["id"].as_str().unwrap();

    let (status, body) = app.get_json(&stranger, &format!("/api/exports/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let (missing, _) = app.get_json(&stranger, "/api/exports/doesnotexist").await;
    assert_eq!(missing, 404);
    let events = app
        .client
        .get(app.url(&format!("/api/jobs/{id}/events")))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 404);
    let cancel = app
        .post_json(&stranger, &format!("/api/jobs/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(cancel.status(), 404);
}

async fn tampered_link_forbidden_and_expired_gone(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--link-ttl", "3s", "--sweep-interval", "1h"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 5).await;
    let (job, _) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "csv"})).await;
    let link = job["downloadUrl"].as_str().unwrap().to_string();

    let tampered = format!("{}0", &link[..link.len() - 1]);
    let tampered = if tampered == link {
        format!("{}1", &link[..link.len() - 1])
    } else {
        tampered
    };
    assert_eq!(app.download(&tampered).await.0, 403);
    let other_id = link.replacen(job["id"].as_str().unwrap(), "aaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
    assert_eq!(app.download(&other_id).await.0, 403);

    let malformed = format!(
        "/downloads/{}?expires=soon&signature=x",
        job["id"].as_str().unwrap()
    );
    let response = reqwest::get(app.url(&malformed)).await.unwrap();
    assert_eq!(response.status(), 403);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");

    let head = app.client.head(app.url(&link)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(
        head.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );

    tokio::time::sleep(Duration::from_secs(4)).await;
    let (status, body) = app.download(&link).await;
    assert_eq!(status, 410);
    assert!(String::from_utf8_lossy(&body).contains("Start a new export"));
}

async fn sweeper_deletes_expired_files(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--link-ttl", "1s", "--sweep-interval", "1s"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 5).await;
    let job = app
        .start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let id = job["id"].as_str().unwrap();
    app.wait_for_job(&token, id, JOB_LIMIT).await;

    let started = std::time::Instant::now();
    loop {
        let (_, job) = app.get_json(&token, &format!("/api/exports/{id}")).await;
        if job["status"] == "expired" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "job never expired: {job}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(app.files_under("storage/exports").is_empty());
}

async fn filters_select_matching_rows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 200).await;

    let (_, all) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "json"})).await;
    let all: Vec<Value> = serde_json::from_slice(&all).unwrap();
    let body = json!({"dataset": "orders", "format": "json", "filters": {"from": "2025-06-01", "to": "2025-12-31", "status": ["paid", "shipped"]}});
    let (_, some) = export_and_download(&app, &token, body).await;
    let some: Vec<Value> = serde_json::from_slice(&some).unwrap();

    let expected = all
        .iter()
        .filter(|order| {
            let placed = order["placed_at"].as_str().unwrap();
            let status = order["status"].as_str().unwrap();
            ("2025-06-01".."2026-01-01").contains(&placed)
                && (status == "paid" || status == "shipped")
        })
        .count();
    assert!(expected > 0, "the seed has no matching orders");
    assert_eq!(some.len(), expected);
}

async fn outbox_message_links_to_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 12).await;
    let (job, bytes) =
        export_and_download(&app, &token, json!({"dataset": "orders", "format": "csv"})).await;

    let outbox = app.files_under("outbox");
    assert_eq!(outbox.len(), 1);
    let message = crate::common::smtp::readable(&std::fs::read_to_string(&outbox[0]).unwrap());
    let link = job["downloadUrl"].as_str().unwrap();
    assert!(
        message.contains(&app.url(link)),
        "message lacks the link: {message}"
    );
    assert!(message.contains("12 rows"));
    let (status, from_mail) = app.download(link).await;
    assert_eq!(status, 200);
    assert_eq!(from_mail, bytes);
}

async fn smtp_message_links_to_file(backend: Backend) {
    let smtp = crate::common::smtp::SmtpServer::start();
    let app = TestApp::spawn_with(backend, &["--mail-url", &smtp.url()]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    app.seed(user_id, 20).await;
    let (job, bytes) = export_and_download(
        &app,
        &token,
        json!({"dataset": "orders", "format": "ndjson"}),
    )
    .await;

    let started = std::time::Instant::now();
    let messages = loop {
        let messages = smtp.messages();
        if !messages.is_empty() || started.elapsed() > Duration::from_secs(10) {
            break messages;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(messages.len(), 1);
    let message = crate::common::smtp::readable(&messages[0]);
    assert!(message.contains("To: ana@example.test"), "{message}");
    let link = job["downloadUrl"].as_str().unwrap();
    assert!(
        message.contains(&app.url(link)),
        "message lacks the link: {message}"
    );
    assert!(message.contains("20 rows"));
    assert_eq!(app.download(link).await.1, bytes);
}

on_both_backends!(
    smtp_message_links_to_file,
    parallel_identical_requests_share_one_job,
    malformed_bodies_answer_422,
    every_format_exports_seeded_orders,
    other_datasets_export,
    empty_export_has_only_header,
    invalid_requests_answer_422,
    identical_request_returns_running_job,
    idempotency_key_returns_same_job,
    another_users_job_is_not_found,
    tampered_link_forbidden_and_expired_gone,
    sweeper_deletes_expired_files,
    filters_select_matching_rows,
    outbox_message_links_to_file,
);
