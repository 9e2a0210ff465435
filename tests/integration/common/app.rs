//! Starts the real application on port 0 with its own data folder and
//! database, and talks to it over HTTP.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use clap::Parser;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use ferry::app::AppContext;
use ferry::cli::Cli;
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn postgres_server_url() -> String {
    std::env::var("FERRY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A PostgreSQL database made for one test and dropped with it.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let name = format!("ferry_test_{}", ferry::jobs::queue::new_job_id());
        let server = postgres_server_url();
        let mut admin = AsyncPgConnection::establish(&format!("{server}/postgres"))
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL is required at {server} (set FERRY_TEST_POSTGRES_URL): {e}")
            });
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        TestDatabase {
            url: format!("{server}/{name}"),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let server = postgres_server_url();
        // Drop runs outside async code, so the database is dropped from a
        // thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = AsyncPgConnection::establish(&format!("{server}/postgres"))
                    .await
                    .ok()?;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

pub struct TestApp {
    pub base_url: String,
    pub context: AppContext,
    pub data_dir: TempDir,
    pub database_url: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    database: Option<TestDatabase>,
}

/// Settings for a test application; `extra` flags override the defaults.
pub struct Options<'a> {
    pub extra: &'a [&'a str],
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts the app with extra command-line flags, such as
    /// `["--workers", "0"]`.
    pub async fn spawn_with(backend: Backend, extra: &[&str]) -> TestApp {
        // Logs print with `RUST_LOG=info cargo test -- --nocapture`.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
        let data_dir = tempfile::tempdir().unwrap();
        let database = match backend {
            Backend::Postgres => Some(TestDatabase::create().await),
            Backend::Sqlite => None,
        };
        let database_url = match &database {
            Some(db) => db.url.clone(),
            None => format!("sqlite://{}", data_dir.path().join("ferry.db").display()),
        };

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let base_url = format!("http://{address}");
        let settings = test_settings(&data_dir, &database_url, &base_url, extra);
        let context = AppContext::start(settings).await.unwrap();

        let (stop, stopped) = oneshot::channel::<()>();
        let server_context = context.clone();
        let server = tokio::spawn(async move {
            let stop = async {
                let _ = stopped.await;
            };
            ferry::serve::serve(server_context, listener, stop)
                .await
                .unwrap();
        });

        TestApp {
            base_url,
            context,
            data_dir,
            database_url,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            stop: Some(stop),
            server: Some(server),
            database,
        }
    }

    /// Stops the server and its workers as SIGTERM would.
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(40), server).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Creates an account and returns its id and a new API token.
    pub async fn user_with_token(&self, email: &str) -> (i64, String) {
        let mut conn = self.context.db.conn().await.unwrap();
        let user = ferry::accounts::create_user(&mut conn, email, "correct horse battery")
            .await
            .unwrap();
        let token = ferry::accounts::create_token(&mut conn, user.id, "tests")
            .await
            .unwrap();
        (user.id, token)
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, token: &str, path: &str) -> (reqwest::StatusCode, Value) {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Starts an export and returns the job, asserting 202 and `Location`.
    pub async fn start_export(&self, token: &str, body: Value) -> Value {
        let response = self.post_json(token, "/api/exports", &body).await;
        assert_eq!(
            response.status(),
            202,
            "export request {body} was not accepted"
        );
        let location = response
            .headers()
            .get("Location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let job: Value = response.json().await.unwrap();
        assert_eq!(
            location,
            format!("/api/exports/{}", job["id"].as_str().unwrap())
        );
        job
    }

    /// Uploads `content` as `filename` and returns the upload key.
    pub async fn upload(&self, token: &str, filename: &str, content: &[u8]) -> String {
        let body = serde_json::json!({"filename": filename, "size": content.len(), "contentType": "application/octet-stream"});
        let issued: Value = self
            .post_json(token, "/api/uploads", &body)
            .await
            .json()
            .await
            .unwrap();
        let url = self.url(issued["uploadUrl"].as_str().unwrap());
        let stored = self
            .client
            .put(&url)
            .body(content.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(stored.status(), 200, "upload of {filename} failed");
        issued["uploadKey"].as_str().unwrap().to_string()
    }

    /// Uploads a file, starts an import of it into `dataset` and waits for
    /// the job to end.
    pub async fn import_file(
        &self,
        token: &str,
        dataset: &str,
        filename: &str,
        content: &[u8],
        options: Value,
    ) -> Value {
        let key = self.upload(token, filename, content).await;
        let body = serde_json::json!({"dataset": dataset, "uploadKey": key, "options": options});
        let response = self.post_json(token, "/api/imports", &body).await;
        assert_eq!(
            response.status(),
            202,
            "import of {filename} was not accepted"
        );
        let job: Value = response.json().await.unwrap();
        self.wait_for(
            token,
            "imports",
            job["id"].as_str().unwrap(),
            Duration::from_secs(120),
        )
        .await
    }

    /// Polls the job until it is completed, failed, cancelled or expired.
    pub async fn wait_for_job(&self, token: &str, id: &str, limit: Duration) -> Value {
        self.wait_for(token, "exports", id, limit).await
    }

    /// Polls `/api/{kind}/{id}` until the job has ended.
    pub async fn wait_for(&self, token: &str, kind: &str, id: &str, limit: Duration) -> Value {
        let started = Instant::now();
        loop {
            let (_, job) = self.get_json(token, &format!("/api/{kind}/{id}")).await;
            let status = job["status"].as_str().unwrap_or_default();
            if ["completed", "failed", "cancelled", "expired"].contains(&status) {
                return job;
            }
            assert!(
                started.elapsed() < limit,
                "job {id} did not finish within {limit:?}: {job}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Downloads a signed path and returns the status and body.
    pub async fn download(&self, path: &str) -> (reqwest::StatusCode, Vec<u8>) {
        let response = reqwest::get(self.url(path)).await.unwrap();
        let status = response.status();
        (status, response.bytes().await.unwrap().to_vec())
    }

    pub async fn seed(&self, user_id: i64, orders: u64) {
        let options = ferry::seed::SeedOptions {
            seed: 7,
            now: chrono::NaiveDate::from_ymd_opt(2026, 6, 1)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
        };
        ferry::seed::seed_orders(&self.context.db, user_id, orders, &options)
            .await
            .unwrap();
    }

    /// Lists files under a folder of the data directory, recursively.
    pub fn files_under(&self, folder: &str) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        let mut pending = vec![self.data_dir.path().join(folder)];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    found.push(path);
                }
            }
        }
        found
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn test_settings(
    data_dir: &TempDir,
    database_url: &str,
    base_url: &str,
    extra: &[&str],
) -> ferry::config::Settings {
    let data = data_dir.path().display().to_string();
    let mut args = vec![
        "ferry".to_string(),
        "--data-dir".to_string(),
        data,
        "--database-url".to_string(),
        database_url.to_string(),
        "--base-url".to_string(),
        base_url.to_string(),
        "--secret-key".to_string(),
        "test-secret-key-that-is-long-enough-0123".to_string(),
    ];
    if !extra.contains(&"--mail-url") {
        args.push("--mail-url".to_string());
        args.push(format!(
            "file://{}",
            data_dir.path().join("outbox").display()
        ));
    }
    args.extend(extra.iter().map(|flag| flag.to_string()));
    args.push("serve".to_string());
    Cli::try_parse_from(args).unwrap().settings
}
