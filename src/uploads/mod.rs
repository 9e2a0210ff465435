//! Files a user uploads for import: a row per file, created before the
//! bytes arrive and completed once they are stored.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::schema::uploads;
use crate::db::{Conn, DbError};
use crate::with_conn;

/// Longest accepted file name, in characters.
pub const MAX_FILENAME_CHARS: usize = 255;

/// How long the signed upload address stays valid.
pub const UPLOAD_URL_TTL_MINUTES: i64 = 60;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = uploads)]
pub struct Upload {
    pub id: i64,
    pub user_id: i64,
    pub upload_key: String,
    pub storage_key: String,
    pub filename: String,
    pub content_type: String,
    pub declared_size: i64,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub uploaded_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
}

impl Upload {
    pub fn is_uploaded(&self) -> bool {
        self.status == "uploaded"
    }
}

/// The name, type and size a client declares before sending a file.
pub struct NewUpload<'a> {
    pub user_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub declared_size: i64,
}

pub async fn create(conn: &mut Conn, new: NewUpload<'_>) -> Result<Upload, DbError> {
    let upload_key = crate::jobs::queue::new_job_id();
    let storage_key = format!(
        "uploads/{}/{upload_key}/{}",
        new.user_id,
        crate::storage::safe_file_name(new.filename)
    );
    let now = Utc::now().naive_utc();
    let expires_at = now + chrono::Duration::minutes(UPLOAD_URL_TTL_MINUTES);

    let upload = with_conn!(conn, c => diesel::insert_into(uploads::table)
        .values((
            uploads::user_id.eq(new.user_id),
            uploads::upload_key.eq(&upload_key),
            uploads::storage_key.eq(&storage_key),
            uploads::filename.eq(new.filename),
            uploads::content_type.eq(new.content_type),
            uploads::declared_size.eq(new.declared_size),
            uploads::status.eq("pending"),
            uploads::created_at.eq(now),
            uploads::expires_at.eq(expires_at),
        ))
        .returning(Upload::as_returning())
        .get_result(c)
        .await)?;
    Ok(upload)
}

pub async fn find_by_key(conn: &mut Conn, upload_key: &str) -> Result<Option<Upload>, DbError> {
    let upload = with_conn!(conn, c => uploads::table
        .filter(uploads::upload_key.eq(upload_key))
        .select(Upload::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(upload)
}

/// Returns the user's upload, or `None` for another user's or an unknown
/// key.
pub async fn find_for_user(
    conn: &mut Conn,
    user_id: i64,
    upload_key: &str,
) -> Result<Option<Upload>, DbError> {
    let upload = find_by_key(conn, upload_key).await?;
    Ok(upload.filter(|upload| upload.user_id == user_id))
}

/// Records that the bytes are stored.
pub async fn mark_uploaded(
    conn: &mut Conn,
    id: i64,
    size: i64,
    sha256: &str,
) -> Result<(), DbError> {
    with_conn!(conn, c => diesel::update(uploads::table.find(id))
        .set((
            uploads::status.eq("uploaded"),
            uploads::size.eq(size),
            uploads::sha256.eq(sha256),
            uploads::uploaded_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn list_for_user(conn: &mut Conn, user_id: i64) -> Result<Vec<Upload>, DbError> {
    let list = with_conn!(conn, c => uploads::table
        .filter(uploads::user_id.eq(user_id))
        .order(uploads::created_at.desc())
        .select(Upload::as_select())
        .load(c)
        .await)?;
    Ok(list)
}
