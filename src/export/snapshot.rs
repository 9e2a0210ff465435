//! A read-only transaction that gives every batch of an export the same
//! view of the data, so rows written meanwhile never appear half-way.

use diesel_async::SimpleAsyncConnection;

use crate::db::{Conn, DbError};

/// Starts the snapshot. PostgreSQL's REPEATABLE READ fixes the view at the
/// first query; SQLite in WAL mode does the same for a deferred
/// transaction, without blocking writers.
pub async fn begin(conn: &mut Conn) -> Result<(), DbError> {
    match conn {
        Conn::Postgres(c) => {
            c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?
        }
        Conn::Sqlite(c) => c.batch_execute("BEGIN DEFERRED").await?,
    }
    Ok(())
}

/// Ends the snapshot. The transaction only read, so rolling back loses
/// nothing.
pub async fn end(conn: &mut Conn) -> Result<(), DbError> {
    crate::with_conn!(conn, c => c.batch_execute("ROLLBACK").await)?;
    Ok(())
}
