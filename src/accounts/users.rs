//! User records and sign-in.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::password::{hash_password, verify_password};
use crate::db::schema::users;
use crate::db::{Conn, DbError};
use crate::with_conn;

pub const MIN_PASSWORD_LEN: usize = 8;

/// An argon2id hash of a random password, checked against when the email
/// is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZbkGlHnYmmsQHn4Ro8Qm5dYX9SxXlpZTW0/9vr9hD1c";

#[derive(thiserror::Error, Debug)]
pub enum AccountError {
    #[error("{0}")]
    InvalidEmail(String),
    #[error("the password must be at least {MIN_PASSWORD_LEN} characters long")]
    PasswordTooShort,
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("failed to hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub created_at: chrono::NaiveDateTime,
}

/// Normalises an email address for storage and lookup with the same rules
/// that imports apply, so every stored address is one the mailer accepts.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    let value = crate::formats::read::RawValue::Text(raw.to_string());
    crate::import::fields::parse_email(&value)
        .map_err(|error| AccountError::InvalidEmail(error.message))
}

pub async fn create_user(
    conn: &mut Conn,
    email: &str,
    password: &str,
) -> Result<User, AccountError> {
    let email = normalize_email(email)?;
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AccountError::PasswordTooShort);
    }
    if find_user_by_email(conn, &email).await?.is_some() {
        return Err(AccountError::EmailTaken);
    }

    let password_hash = hash_password(password).map_err(|e| AccountError::Hash(e.to_string()))?;
    let now = Utc::now().naive_utc();
    let insert = diesel::insert_into(users::table).values((
        users::email.eq(&email),
        users::password_hash.eq(&password_hash),
        users::created_at.eq(now),
    ));
    let user = with_conn!(conn, c => insert.returning(User::as_returning()).get_result(c).await)
        .map_err(DbError::from)?;
    Ok(user)
}

pub async fn find_user_by_email(conn: &mut Conn, email: &str) -> Result<Option<User>, DbError> {
    let Ok(email) = normalize_email(email) else {
        return Ok(None);
    };
    let user = with_conn!(conn, c => users::table
        .filter(users::email.eq(&email))
        .select(User::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(user)
}

pub async fn find_user(conn: &mut Conn, id: i64) -> Result<Option<User>, DbError> {
    let user = with_conn!(conn, c => users::table
        .find(id)
        .select(User::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(user)
}

/// Returns the user whose email and password match. The password is
/// checked on a blocking thread because argon2 takes tens of milliseconds.
pub async fn authenticate(
    conn: &mut Conn,
    email: &str,
    password: &str,
) -> Result<Option<User>, DbError> {
    let Some(user) = find_user_by_email(conn, email).await? else {
        // Verify against a dummy hash, so that the response takes as long
        // for an unknown address as for a wrong password.
        let password = password.to_string();
        let _ = tokio::task::spawn_blocking(move || verify_password(&password, DUMMY_HASH)).await;
        return Ok(None);
    };

    let password = password.to_string();
    let stored = user.password_hash.clone();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .unwrap_or(false);
    Ok(matches.then_some(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_hash_is_a_real_argon2id_hash() {
        use argon2::password_hash::PasswordHash;
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(!verify_password("anything", DUMMY_HASH));
    }

    #[test]
    fn email_normalized_and_checked() {
        assert_eq!(
            normalize_email(" Ana@Example.Test ").unwrap(),
            "ana@example.test"
        );
        assert!(normalize_email("ana").is_err());
        assert!(normalize_email("@example.test").is_err());
        assert!(normalize_email("ana@localhost").is_err());
        assert!(normalize_email("<b>x</b>@example.test").is_err());
        assert!(normalize_email(&format!("{}@example.test", "a".repeat(300))).is_err());
    }
}
