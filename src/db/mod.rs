//! Connection pools for SQLite and PostgreSQL behind one type.
//!
//! Queries are written once against diesel's DSL and run on either backend
//! through [`with_conn!`], which expands the same code for each connection
//! type. Only statements that differ by backend (job claims) match on
//! [`Conn`] themselves.

mod blocking;
pub mod schema;

use std::time::Duration;

use diesel::SqliteConnection;
use diesel_async::pooled_connection::bb8::{Pool, PooledConnection};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

pub type SqliteConn = SyncConnectionWrapper<SqliteConnection, blocking::WaitOnDrop>;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Bound on waiting for a pooled connection.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Statements run on every new SQLite connection: WAL lets readers and the
/// one writer work at once, and the busy timeout makes writers queue
/// instead of failing with `SQLITE_BUSY`.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";

#[derive(thiserror::Error, Debug)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("failed to get a database connection: {0}")]
    Pool(String),
    #[error("failed to run migrations: {0}")]
    Migration(String),
    #[error("unsupported database URL {0:?}; use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A pool of connections to one backend.
#[derive(Clone)]
pub enum Db {
    Postgres(Pool<AsyncPgConnection>),
    Sqlite(Pool<SqliteConn>),
}

/// A pooled connection, released to the pool on drop.
#[expect(
    clippy::large_enum_variant,
    reason = "a task holds one connection at a time, so boxing would save nothing"
)]
pub enum Conn {
    Postgres(PooledConnection<'static, AsyncPgConnection>),
    Sqlite(PooledConnection<'static, SqliteConn>),
}

/// Runs `$body` with `$c` bound to the backend's `&mut` connection.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Postgres(pooled) => {
                let $c = &mut **pooled;
                $body
            }
            $crate::db::Conn::Sqlite(pooled) => {
                let $c = &mut **pooled;
                $body
            }
        }
    };
}

/// Refreshes PostgreSQL's statistics of `tables` on this connection. An
/// import that grows a table from empty otherwise keeps plans made for an
/// empty table, such as a sequential scan for a lookup by email, until
/// autovacuum catches up. SQLite is left alone, because its planner uses
/// the indexes without statistics. A failure is logged and ignored.
pub async fn analyze_tables(conn: &mut Conn, tables: &[&str]) {
    use diesel_async::SimpleAsyncConnection;

    let Conn::Postgres(c) = conn else {
        return;
    };
    if let Err(error) = c
        .batch_execute(&format!("ANALYZE {}", tables.join(", ")))
        .await
    {
        tracing::warn!(%error, "failed to refresh table statistics during an import");
    }
}

/// WAL pages after which the SQLite connection that writes an import
/// checkpoints, in place of SQLite's 1,000. Each chunk of a large import
/// dirties pages all over the indexes, so with the default nearly every
/// chunk's commit starts a checkpoint. A longer interval writes a page that
/// several chunks changed to the database file once. In one measurement on
/// a 2-core machine, a 1,000,000-order import took about 10% less time.
const IMPORT_CHECKPOINT_PAGES: i64 = 20_000;

/// Sets the WAL checkpoint interval of an SQLite connection for an import,
/// or puts back the default. PostgreSQL connections are left alone. A
/// failure only costs speed, so it is logged and ignored.
pub async fn set_import_checkpoints(conn: &mut Conn, large: bool) {
    use diesel_async::SimpleAsyncConnection;

    let Conn::Sqlite(c) = conn else {
        return;
    };
    let statement = if large {
        format!("PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES}")
    } else {
        "PRAGMA wal_autocheckpoint = 1000".to_string()
    };
    if let Err(error) = c.batch_execute(&statement).await {
        tracing::warn!(%error, "failed to set the SQLite checkpoint interval for an import");
    }
}

impl Db {
    /// Opens a pool for `url`, creating the SQLite file's folder if needed.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self::connect_postgres(url, max_connections).await;
        }
        let Some(path) = url
            .strip_prefix("sqlite://")
            .filter(|path| !path.is_empty())
        else {
            return Err(DbError::UnsupportedUrl(url.to_string()));
        };
        Self::connect_sqlite(path, max_connections).await
    }

    async fn connect_postgres(url: &str, max_connections: u32) -> Result<Self, DbError> {
        // One direct connection first, so that a wrong address, user or
        // database reports the server's own message instead of a pool
        // timeout.
        let probe = tokio::time::timeout(CONNECTION_TIMEOUT, AsyncPgConnection::establish(url))
            .await
            .map_err(|_| {
                DbError::Pool(format!(
                    "timed out after {CONNECTION_TIMEOUT:?} connecting to PostgreSQL"
                ))
            })?;
        probe.map_err(|e| DbError::Pool(format!("failed to connect to PostgreSQL: {e}")))?;

        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
        let pool = Pool::builder()
            .max_size(max_connections)
            .connection_timeout(CONNECTION_TIMEOUT)
            .build(manager)
            .await
            .map_err(|e| DbError::Pool(e.to_string()))?;
        Ok(Db::Postgres(pool))
    }

    async fn connect_sqlite(path: &str, max_connections: u32) -> Result<Self, DbError> {
        if let Some(parent) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Pool(e.to_string()))?;
        }

        let mut config = ManagerConfig::<SqliteConn>::default();
        config.custom_setup = Box::new(establish_sqlite);
        let manager = AsyncDieselConnectionManager::new_with_config(path, config);
        let pool = Pool::builder()
            .max_size(max_connections)
            .connection_timeout(CONNECTION_TIMEOUT)
            .build(manager)
            .await
            .map_err(|e| DbError::Pool(e.to_string()))?;
        Ok(Db::Sqlite(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Takes a connection from the pool, waiting at most ten seconds.
    pub async fn conn(&self) -> Result<Conn, DbError> {
        let pool_error = |e: bb8::RunError<_>| DbError::Pool(e.to_string());
        match self {
            Db::Postgres(pool) => Ok(Conn::Postgres(pool.get_owned().await.map_err(pool_error)?)),
            Db::Sqlite(pool) => Ok(Conn::Sqlite(pool.get_owned().await.map_err(pool_error)?)),
        }
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let conn = self.conn().await?;
        tokio::task::spawn_blocking(move || run_migrations(conn))
            .await
            .map_err(|e| DbError::Migration(e.to_string()))?
    }

    /// Refreshes the planner's statistics, which a bulk load leaves stale
    /// until autovacuum (PostgreSQL) or the next `ANALYZE` (SQLite).
    pub async fn analyze(&self) -> Result<(), DbError> {
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, c => c.batch_execute("ANALYZE").await)?;
        Ok(())
    }

    /// Checks that the database responds to `SELECT 1`.
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, c => c.batch_execute("SELECT 1").await)?;
        Ok(())
    }
}

fn run_migrations(conn: Conn) -> Result<(), DbError> {
    let migration_error =
        |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        Conn::Postgres(pooled) => {
            let mut harness = diesel_async::AsyncMigrationHarness::new(pooled);
            harness
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(migration_error)?;
        }
        Conn::Sqlite(pooled) => {
            let mut harness = diesel_async::AsyncMigrationHarness::new(pooled);
            harness
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(migration_error)?;
        }
    }
    Ok(())
}

fn establish_sqlite(path: &str) -> BoxFuture<'_, diesel::ConnectionResult<SqliteConn>> {
    async move {
        let mut conn = SqliteConn::establish(path).await?;
        conn.batch_execute(SQLITE_PRAGMAS)
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
        Ok(conn)
    }
    .boxed()
}
