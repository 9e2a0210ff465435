//! Personal API tokens for scripts, sent as `Authorization: Bearer`.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::users::User;
use super::{hash_secret, random_secret};
use crate::db::schema::{api_tokens, users};
use crate::db::{Conn, DbError};
use crate::with_conn;

/// Prefix that makes Ferry tokens recognisable in secret scanners.
const TOKEN_PREFIX: &str = "ferry_";

/// Creates a token and returns it; only its hash is stored.
pub async fn create_token(conn: &mut Conn, user_id: i64, name: &str) -> Result<String, DbError> {
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    let insert = diesel::insert_into(api_tokens::table).values((
        api_tokens::user_id.eq(user_id),
        api_tokens::token_hash.eq(hash_secret(&token)),
        api_tokens::name.eq(name),
        api_tokens::created_at.eq(Utc::now().naive_utc()),
    ));
    with_conn!(conn, c => insert.execute(c).await)?;
    Ok(token)
}

pub async fn find_token_user(conn: &mut Conn, token: &str) -> Result<Option<User>, DbError> {
    let token_hash = hash_secret(token);
    let user = with_conn!(conn, c => api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(&token_hash))
        .select(User::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(user)
}
