//! Settings: every flag also reads a `FERRY_*` environment variable, and the
//! defaults serve the embedded mode (SQLite, local files, a file outbox).

mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

pub use secret::{SecretError, SecretKey};

/// Flags shared by every command.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Folder for the SQLite file, local storage, the mail outbox and the
    /// generated secret key.
    #[arg(long, env = "FERRY_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Address the HTTP server listens on.
    #[arg(
        long,
        env = "FERRY_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// `sqlite://PATH` or `postgres://USER@HOST/DB`; defaults to
    /// `sqlite://DATA_DIR/ferry.db`.
    #[arg(
        long,
        env = "FERRY_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// `file://DIR` for local storage; defaults to `file://DATA_DIR/storage`.
    #[arg(long, env = "FERRY_STORAGE_URL", global = true)]
    pub storage_url: Option<String>,

    /// `file://DIR`, `smtp://HOST:PORT` or `smtps://HOST:PORT`; defaults to
    /// `file://DATA_DIR/outbox`.
    #[arg(long, env = "FERRY_MAIL_URL", global = true, hide_env_values = true)]
    pub mail_url: Option<String>,

    /// Sender address of every message.
    #[arg(
        long,
        env = "FERRY_MAIL_FROM",
        default_value = "Ferry <ferry@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Public address used in links inside emails; defaults to
    /// `http://BIND`.
    #[arg(long, env = "FERRY_BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// Key that signs download links, sessions and CSRF tokens (at least 32
    /// characters). Without it, a key is generated into DATA_DIR/secret.key.
    #[arg(long, env = "FERRY_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Number of job workers inside `ferry serve`; 0 leaves jobs to
    /// `ferry worker` processes.
    #[arg(long, env = "FERRY_WORKERS", default_value_t = 2, global = true)]
    pub workers: usize,

    /// How long a download link stays valid, such as `24h` or `90m`.
    #[arg(long, env = "FERRY_LINK_TTL", default_value = "24h", value_parser = parse_positive_duration, global = true)]
    pub link_ttl: Duration,

    /// Largest accepted upload in bytes.
    #[arg(
        long,
        env = "FERRY_MAX_UPLOAD_SIZE",
        default_value_t = 1 << 30,
        global = true
    )]
    pub max_upload_size: u64,

    /// How long a claimed job stays with its worker without a renewal.
    #[arg(long, env = "FERRY_LEASE", default_value = "60s", value_parser = parse_positive_duration, global = true)]
    pub lease: Duration,

    /// Attempts before a job that keeps failing or losing its worker fails.
    #[arg(long, env = "FERRY_MAX_ATTEMPTS", default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=100), global = true)]
    pub max_attempts: i32,

    /// Pause between batches of 1,000 rows, to spare a busy database, such
    /// as `10ms`.
    #[arg(long, env = "FERRY_BATCH_PAUSE", default_value = "0s", value_parser = humantime::parse_duration, global = true)]
    pub batch_pause: Duration,

    /// How often expired files are deleted.
    #[arg(long, env = "FERRY_SWEEP_INTERVAL", default_value = "60s", value_parser = parse_positive_duration, global = true)]
    pub sweep_interval: Duration,
}

/// Parses a duration such as `90s` or `24h` that must be at least a second.
fn parse_positive_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("{e}; use a duration such as 90s or 24h"))?;
    if duration < Duration::from_secs(1) {
        return Err(format!("{text} is shorter than one second"));
    }
    Ok(duration)
}

impl Settings {
    /// Returns the database URL, defaulting to the SQLite file in the data
    /// folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("ferry.db").display()),
        }
    }

    pub fn storage_url(&self) -> String {
        match &self.storage_url {
            Some(url) => url.clone(),
            None => format!("file://{}", self.data_dir.join("storage").display()),
        }
    }

    pub fn mail_url(&self) -> String {
        match &self.mail_url {
            Some(url) => url.clone(),
            None => format!("file://{}", self.data_dir.join("outbox").display()),
        }
    }

    /// Returns the base URL without a trailing slash.
    pub fn base_url(&self) -> String {
        let url = match &self.base_url {
            Some(url) => url.clone(),
            None => format!("http://{}", self.bind),
        };
        url.trim_end_matches('/').to_string()
    }

    /// Loads the configured secret key, or the generated one in the data
    /// folder, creating it on first use.
    pub fn load_secret(&self) -> Result<SecretKey, SecretError> {
        match &self.secret_key {
            Some(key) => SecretKey::from_configured(key),
            None => SecretKey::load_or_create(&self.data_dir.join("secret.key")),
        }
    }

    /// Returns the folder for files being written before they are published.
    pub fn scratch_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }
}
