//! The browser's pages over plain HTTP: sign-up, sign-in, CSRF and the
//! Exports page without JavaScript.

use serde_json::json;

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

/// Returns the CSRF token embedded in a page.
fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has no CSRF field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn sign_up_export_and_sign_out(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let browser = no_redirects();

    let (_, signup) = page(&browser, app.url("/signup")).await;
    let form = [
        ("email", "new@example.test"),
        ("password", "long enough secret"),
        ("csrf_token", &csrf_token(&signup)),
    ];
    let created = browser
        .post(app.url("/signup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    assert_eq!(created.headers()["location"], "/exports");
    let cookie = created.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));

    let (status, exports) = page(&browser, app.url("/exports")).await;
    assert_eq!(status, 200);
    assert!(exports.contains("Export your data"));
    let token = csrf_token(&exports);

    let body = format!(
        "dataset=orders&format=csv&status=paid&status=shipped&from=&to=&csrf_token={token}"
    );
    let started = browser
        .post(app.url("/exports"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    let (_, listed) = page(&browser, app.url("/exports")).await;
    assert!(listed.contains("Waiting for a worker"));
    assert!(
        listed.contains("http-equiv=\"refresh\""),
        "no reload fallback for pages without JavaScript"
    );

    let signed_out = browser
        .post(app.url("/signout"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 303);
    let after = browser.get(app.url("/exports")).send().await.unwrap();
    assert_eq!(after.status(), 303);
    assert_eq!(after.headers()["location"], "/signin");
}

/// Polls a page until it contains `text`.
async fn page_until(client: &reqwest::Client, url: String, text: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let (_, body) = page(client, url.clone()).await;
        if body.contains(text) {
            return body;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{text:?} never appeared: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn dry_run_page_offers_the_real_import(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = no_redirects();
    let (_, signup) = page(&browser, app.url("/signup")).await;
    let form = [
        ("email", "new@example.test"),
        ("password", "long enough secret"),
        ("csrf_token", &csrf_token(&signup)),
    ];
    browser
        .post(app.url("/signup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let (status, imports) = page(&browser, app.url("/imports")).await;
    assert_eq!(status, 200);
    let token = csrf_token(&imports);

    let content = "email,name\nana@example.test,Ana\nbad,Bo\n";
    let issued: serde_json::Value = browser
        .post(app.url("/api/uploads"))
        .header("X-CSRF-Token", &token)
        .json(&json!({"filename": "people.csv", "size": content.len(), "contentType": "text/csv"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = app.url(issued["uploadUrl"].as_str().unwrap());
    assert_eq!(
        browser
            .put(url)
            .body(content)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let key = issued["uploadKey"].as_str().unwrap();
    let body =
        format!("dataset=customers&upload_key={key}&dry_run=true&delimiter=&csrf_token={token}");
    let started = browser
        .post(app.url("/imports"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    let dry_page = app.url(started.headers()["location"].to_str().unwrap());
    let dry = page_until(
        &browser,
        dry_page.clone(),
        "1 row would be imported, 1 failed",
    )
    .await;
    assert!(dry.contains("Import this file for real"), "{dry}");
    assert!(dry.contains("is not a valid email address"), "{dry}");

    let run = browser
        .post(format!("{dry_page}/run"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(run.status(), 303);
    let real_page = app.url(run.headers()["location"].to_str().unwrap());
    assert_ne!(real_page, dry_page);
    let real = page_until(&browser, real_page.clone(), "1 row imported, 1 failed").await;
    assert!(real.contains("Download the failed rows"), "{real}");

    let (_, other_token) = app.user_with_token("other@example.test").await;
    let id = real_page.rsplit('/').next().unwrap();
    let (status, _) = app
        .get_json(&other_token, &format!("/api/imports/{id}"))
        .await;
    assert_eq!(status, 404);
}

async fn forms_without_csrf_token_are_rejected(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    app.user_with_token("ana@example.test").await;
    let browser = no_redirects();
    page(&browser, app.url("/signin")).await;

    let forged = [
        ("email", "ana@example.test"),
        ("password", "correct horse battery"),
        ("csrf_token", "forged"),
    ];
    let response = browser
        .post(app.url("/signin"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    let missing = browser
        .post(app.url("/signin"))
        .form(&[("email", "ana@example.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    let content_type = missing.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(missing.text().await.unwrap().contains("Reload the page"));
}

async fn wrong_password_is_rejected(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    app.user_with_token("ana@example.test").await;
    let browser = no_redirects();
    let (_, signin) = page(&browser, app.url("/signin")).await;

    let form = [
        ("email", "ana@example.test"),
        ("password", "wrong password"),
        ("csrf_token", &csrf_token(&signin)),
    ];
    let response = browser
        .post(app.url("/signin"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.text().await.unwrap().contains("incorrect"));
}

async fn session_api_calls_need_csrf_header(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    app.user_with_token("ana@example.test").await;
    let browser = no_redirects();
    let (_, signin) = page(&browser, app.url("/signin")).await;
    let form = [
        ("email", "ana@example.test"),
        ("password", "correct horse battery"),
        ("csrf_token", &csrf_token(&signin)),
    ];
    browser
        .post(app.url("/signin"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let (_, exports) = page(&browser, app.url("/exports")).await;
    let body = json!({"dataset": "orders", "format": "csv"});

    let without = browser
        .post(app.url("/api/exports"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    let with = browser
        .post(app.url("/api/exports"))
        .header("X-CSRF-Token", csrf_token(&exports))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 202);
}

async fn health_endpoints_answer(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let (status, _) = page(&app.client, app.url("/healthz")).await;
    assert_eq!(status, 200);
    let (status, ready) = page(&app.client, app.url("/readyz")).await;
    assert_eq!(status, 200, "{ready}");
    let (_, token) = app.user_with_token("ana@example.test").await;
    app.start_export(&token, json!({"dataset": "orders", "format": "csv"}))
        .await;
    let (_, metrics) = page(&app.client, app.url("/metrics")).await;
    assert!(
        metrics.contains("ferry_jobs{kind=\"export\",status=\"pending\"} 1"),
        "{metrics}"
    );
}

async fn unknown_api_path_answers_json_404(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--workers", "0"]).await;
    let response = app
        .client
        .get(app.url("/api/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    let head = app.client.head(app.url("/healthz")).send().await.unwrap();
    assert_eq!(head.status(), 200);
}

on_both_backends!(
    dry_run_page_offers_the_real_import,
    unknown_api_path_answers_json_404,
    sign_up_export_and_sign_out,
    forms_without_csrf_token_are_rejected,
    wrong_password_is_rejected,
    session_api_calls_need_csrf_header,
    health_endpoints_answer,
);
