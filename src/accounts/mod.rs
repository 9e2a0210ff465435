//! Users, passwords, browser sessions and API tokens.

mod password;
mod sessions;
mod tokens;
mod users;

pub use password::{hash_password, verify_password};
pub use sessions::{SESSION_TTL_DAYS, create_session, delete_session, find_session_user};
pub use tokens::{create_token, find_token_user};
pub use users::{AccountError, User, authenticate, create_user, find_user, find_user_by_email};

use sha2::{Digest, Sha256};

/// Returns the hex SHA-256 of a bearer secret, which is all the database
/// keeps of session ids and API tokens.
fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Returns 32 random bytes as URL-safe text.
fn random_secret() -> String {
    use base64::Engine;
    use rand::RngCore;

    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
