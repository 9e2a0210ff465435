//! Everything a request handler or a job needs, built once at start.

use std::sync::Arc;

use crate::config::{SecretKey, Settings};
use crate::db::Db;
use crate::jobs::JobEvents;
use crate::mail::Mailer;
use crate::storage::Storage;

/// Connections allowed per pool. SQLite has one writer at a time, so more
/// connections only add waiting.
const POSTGRES_POOL_SIZE: u32 = 16;
const SQLITE_POOL_SIZE: u32 = 8;

#[derive(thiserror::Error, Debug)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error(transparent)]
    Secret(#[from] crate::config::SecretError),
    #[error("failed to create {path}: {source}")]
    Folder {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Makes the data folder private to its owner, because it contains the database,
/// every exported file and the outbox, all of them personal data.
fn restrict_to_owner(folder: &std::path::Path) -> Result<(), StartError> {
    use std::os::unix::fs::PermissionsExt;

    let private = std::fs::Permissions::from_mode(0o700);
    std::fs::set_permissions(folder, private).map_err(|source| StartError::Folder {
        path: folder.to_path_buf(),
        source,
    })
}

#[derive(Clone)]
pub struct AppContext {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub storage: Storage,
    pub mailer: Arc<Mailer>,
    pub secret: SecretKey,
    pub events: JobEvents,
}

impl AppContext {
    /// Connects to the database (without migrating), storage and mail.
    pub async fn connect(settings: Settings) -> Result<Self, StartError> {
        let database_url = settings.database_url();
        let pool_size = if database_url.starts_with("sqlite://") {
            SQLITE_POOL_SIZE
        } else {
            POSTGRES_POOL_SIZE
        };
        let db = Db::connect(&database_url, pool_size).await?;

        let scratch = settings.scratch_dir();
        std::fs::create_dir_all(&scratch).map_err(|source| StartError::Folder {
            path: scratch.clone(),
            source,
        })?;
        restrict_to_owner(&settings.data_dir)?;

        Ok(Self {
            storage: Storage::from_url(&settings.storage_url())?,
            mailer: Arc::new(Mailer::from_url(&settings.mail_url(), &settings.mail_from)?),
            secret: settings.load_secret()?,
            events: JobEvents::default(),
            db,
            settings: Arc::new(settings),
        })
    }

    /// Connects and applies pending migrations.
    pub async fn start(settings: Settings) -> Result<Self, StartError> {
        let context = Self::connect(settings).await?;
        context.db.migrate().await?;
        Ok(context)
    }
}
