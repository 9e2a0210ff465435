//! Browser sessions: a random id in an HttpOnly cookie, stored hashed.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{hash_secret, random_secret};
use crate::db::schema::{sessions, users};
use crate::db::{Conn, DbError};
use crate::with_conn;

use super::users::User;

pub const SESSION_TTL_DAYS: i64 = 14;

/// Creates a session and returns the secret id that goes into the cookie.
pub async fn create_session(conn: &mut Conn, user_id: i64) -> Result<String, DbError> {
    let secret = random_secret();
    let now = Utc::now().naive_utc();
    let insert = diesel::insert_into(sessions::table).values((
        sessions::id.eq(hash_secret(&secret)),
        sessions::user_id.eq(user_id),
        sessions::created_at.eq(now),
        sessions::expires_at.eq(now + Duration::days(SESSION_TTL_DAYS)),
    ));
    with_conn!(conn, c => insert.execute(c).await)?;
    Ok(secret)
}

/// Returns the user of an unexpired session.
pub async fn find_session_user(conn: &mut Conn, secret: &str) -> Result<Option<User>, DbError> {
    let now = Utc::now().naive_utc();
    let id = hash_secret(secret);
    let user = with_conn!(conn, c => sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(&id))
        .filter(sessions::expires_at.gt(now))
        .select(User::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(user)
}

pub async fn delete_session(conn: &mut Conn, secret: &str) -> Result<(), DbError> {
    let delete = diesel::delete(sessions::table.filter(sessions::id.eq(hash_secret(secret))));
    with_conn!(conn, c => delete.execute(c).await)?;
    Ok(())
}
