//! Uploads: a signed address from the API, then the body streamed to
//! storage with its size limits.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

async fn request_upload(app: &TestApp, token: &str, size: usize) -> reqwest::Response {
    let body = json!({"filename": "orders 2024.csv", "size": size, "contentType": "text/csv"});
    app.post_json(token, "/api/uploads", &body).await
}

async fn upload_streams_file_to_storage(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    let content = "email,name\nana@example.test,Ana\n"
        .repeat(5_000)
        .into_bytes();

    let issued: Value = request_upload(&app, &token, content.len())
        .await
        .json()
        .await
        .unwrap();
    let url = app.url(issued["uploadUrl"].as_str().unwrap());
    let stored = app
        .client
        .put(&url)
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    let stored: Value = stored.json().await.unwrap();

    assert_eq!(stored["size"].as_u64(), Some(content.len() as u64));
    assert_eq!(
        stored["sha256"].as_str(),
        Some(hex::encode(Sha256::digest(&content)).as_str())
    );
    let key = issued["uploadKey"].as_str().unwrap();
    let path = app
        .data_dir
        .path()
        .join(format!("storage/uploads/{user_id}/{key}/orders_2024.csv"));
    assert_eq!(std::fs::read(path).unwrap(), content);

    let again = app.client.put(&url).body("x").send().await.unwrap();
    assert_eq!(again.status(), 409);
}

async fn upload_over_limits_is_rejected(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0", "--max-upload-size", "1000"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;

    let too_big = request_upload(&app, &token, 5_000).await;
    assert_eq!(too_big.status(), 413);
    let message: Value = too_big.json().await.unwrap();
    assert!(
        message["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1000 bytes")
    );

    let issued: Value = request_upload(&app, &token, 500)
        .await
        .json()
        .await
        .unwrap();
    let url = app.url(issued["uploadUrl"].as_str().unwrap());
    let longer = app
        .client
        .put(&url)
        .body(vec![b'a'; 800])
        .send()
        .await
        .unwrap();
    assert_eq!(longer.status(), 422);
    assert!(app.files_under("storage/uploads").is_empty());
    assert!(app.files_under("tmp").is_empty());
}

async fn tampered_upload_address_is_forbidden(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (_, token) = app.user_with_token("ana@example.test").await;
    let issued: Value = request_upload(&app, &token, 10).await.json().await.unwrap();
    let url = issued["uploadUrl"].as_str().unwrap();
    let tampered = url.replacen(
        issued["uploadKey"].as_str().unwrap(),
        "aaaaaaaaaaaaaaaaaaaaaaaaaa",
        1,
    );

    let response = app
        .client
        .put(app.url(&tampered))
        .body("0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let missing = app
        .post_json(&token, "/api/uploads", &json!({"size": 10}))
        .await;
    assert_eq!(missing.status(), 422);
}

on_both_backends!(
    upload_streams_file_to_storage,
    upload_over_limits_is_rejected,
    tampered_upload_address_is_forbidden,
);
