//! The pages in headless Chromium. One test starts a CSV export, watches
//! the progress bar reach 100% over SSE and downloads the file. Another
//! uploads a file with errors, reads the counts and the error table, and
//! downloads the failed rows.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::browser::Browser;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

/// Reads the first job's progress bar and the link, if shown.
const READ_JOB: &str = "const bar = document.querySelector('.job progress');
const link = document.querySelector('.job [data-field=download] a');
return {value: bar ? bar.value : null, link: link ? link.getAttribute('href') : null,
        text: (document.querySelector('.job .progress-text') || {}).textContent};";

async fn export_in_browser_reaches_100_percent(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--batch-pause", "200ms"]).await;
    let (user_id, _) = app.user_with_token("browser@example.test").await;
    app.seed(user_id, 6_000).await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/signin")).await;
    browser
        .type_into("input[name=email]", "browser@example.test")
        .await;
    browser
        .type_into("input[name=password]", "correct horse battery")
        .await;
    browser.click("form[action='/signin'] button").await;
    wait_for_path(&browser, "/exports").await;
    browser
        .script("document.querySelector('select[name=dataset]').value = 'orders';")
        .await;
    browser
        .script("document.querySelector('select[name=format]').value = 'csv';")
        .await;
    browser.click("form.export-form button[type=submit]").await;

    let mut seen = Vec::new();
    let started = Instant::now();
    let link = loop {
        let state = browser.script(READ_JOB).await;
        if let Some(value) = state["value"].as_f64() {
            seen.push(value);
        }
        if let Some(link) = state["link"].as_str() {
            break link.to_string();
        }
        if seen.len() == 8 {
            browser
                .screenshot(&app.data_dir.path().join("running.png"))
                .await;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no download link: {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    browser
        .screenshot(&app.data_dir.path().join("completed.png"))
        .await;
    if let Ok(folder) = std::env::var("FERRY_TEST_SCREENSHOTS") {
        for name in ["running.png", "completed.png"] {
            let _ = std::fs::copy(
                app.data_dir.path().join(name),
                std::path::Path::new(&folder).join(name),
            );
        }
    }

    assert!(
        seen.iter().any(|v| *v > 0.0 && *v < 100.0),
        "the bar never moved: {seen:?}"
    );
    assert!(
        seen.windows(2).all(|pair| pair[1] >= pair[0]),
        "the bar went back: {seen:?}"
    );
    let final_state = browser.script(READ_JOB).await;
    assert_eq!(final_state["value"], 100);
    assert!(
        final_state["text"].as_str().unwrap().contains("6,000 rows"),
        "{final_state}"
    );

    let script = format!(
        "const done = arguments[arguments.length - 1];
         fetch({link:?}).then(r => r.text()).then(done, e => done('failed: ' + e));"
    );
    let body = browser.async_script(&script).await;
    let text = body.as_str().unwrap();
    assert_eq!(
        csv::Reader::from_reader(text.as_bytes()).records().count(),
        6_000
    );
    assert!(matches!(final_state["link"], Value::String(_)));
}

/// Reads the import page: its summary, the error table and the links.
const READ_IMPORT: &str = "const summary = document.querySelector('[data-field=summary]');
const rows = [...document.querySelectorAll('[data-field=errors] tbody tr')]
  .map(tr => [...tr.children].map(td => td.textContent));
const failed = document.querySelector('[data-field=failed-rows]');
return {summary: summary ? summary.textContent : null, rows,
        failed: failed ? failed.getAttribute('href') : null, path: location.pathname};";

/// Waits until the browser shows `path`, such as after a form's redirect.
async fn wait_for_path(browser: &Browser, path: &str) {
    let started = Instant::now();
    loop {
        let current = browser.script("return location.pathname;").await;
        let ready = browser.script("return document.readyState;").await;
        if current == path && ready == "complete" {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the browser stayed on {current}, expected {path}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn import_in_browser_shows_errors_and_failed_rows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user_with_token("browser@example.test").await;
    let (csv, invalid) = crate::imports::customers_csv(1_200);
    let file = app.data_dir.path().join("customers with errors.csv");
    std::fs::write(&file, csv).unwrap();
    let browser = Browser::start().await;

    browser.goto(&app.url("/signin")).await;
    browser
        .type_into("input[name=email]", "browser@example.test")
        .await;
    browser
        .type_into("input[name=password]", "correct horse battery")
        .await;
    browser.click("form[action='/signin'] button").await;
    wait_for_path(&browser, "/exports").await;
    browser.goto(&app.url("/imports")).await;
    wait_for_path(&browser, "/imports").await;
    browser
        .script("document.querySelector('select[name=dataset]').value = 'customers';")
        .await;
    browser
        .type_into("input[type=file]", &file.display().to_string())
        .await;
    browser.click("#import-form button[type=submit]").await;

    let started = Instant::now();
    let state = loop {
        let state = browser.script(READ_IMPORT).await;
        if state["summary"].is_string() {
            break state;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no result: {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    browser
        .screenshot(&app.data_dir.path().join("import.png"))
        .await;
    if let Ok(folder) = std::env::var("FERRY_TEST_SCREENSHOTS") {
        let _ = std::fs::copy(
            app.data_dir.path().join("import.png"),
            std::path::Path::new(&folder).join("import.png"),
        );
    }

    let summary = state["summary"].as_str().unwrap();
    assert!(
        summary.contains("1,140 rows imported, 60 failed"),
        "{summary}"
    );
    let rows = state["rows"].as_array().unwrap();
    assert_eq!(rows.len(), invalid.len());
    assert_eq!(rows[0][0], invalid[0].0.to_string());
    assert_eq!(rows[0][1], invalid[0].1);

    let link = state["failed"].as_str().unwrap();
    let script = format!(
        "const done = arguments[arguments.length - 1];
         fetch({link:?}).then(r => r.text()).then(done, e => done('failed: ' + e));"
    );
    let body = browser.async_script(&script).await;
    let mut reader = csv::Reader::from_reader(body.as_str().unwrap().as_bytes());
    assert_eq!(reader.headers().unwrap().iter().next_back(), Some("error"));
    assert_eq!(reader.records().count(), 60);
}

on_both_backends!(
    export_in_browser_reaches_100_percent,
    import_in_browser_shows_errors_and_failed_rows,
);
