//! Storage of finished files: one trait, with local disk as the embedded
//! backend.
//!
//! Files are written to a scratch path first and published under their key
//! only when complete, so no reader ever sees a partial file.

mod local;

use std::path::Path;

pub use local::LocalStorage;

#[derive(thiserror::Error, Debug)]
pub enum StorageError {
    #[error("storage I/O failed for {key}: {source}")]
    Io { key: String, source: std::io::Error },
    #[error("invalid storage key {0:?}")]
    InvalidKey(String),
    #[error("unsupported storage URL {0:?}; use file://DIR")]
    UnsupportedUrl(String),
}

/// Operations every storage backend provides.
pub trait Store {
    /// Moves a complete file from `source` to `key`, replacing any file there.
    fn publish(
        &self,
        source: &Path,
        key: &str,
    ) -> impl Future<Output = Result<u64, StorageError>> + Send;

    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StorageError>> + Send;

    fn exists(&self, key: &str) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Checks that the backend accepts reads and writes.
    fn check(&self) -> impl Future<Output = Result<(), StorageError>> + Send;
}

/// The configured backend.
#[derive(Clone, Debug)]
pub enum Storage {
    Local(LocalStorage),
}

impl Storage {
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        match url.strip_prefix("file://") {
            Some(dir) => Ok(Storage::Local(LocalStorage::new(dir))),
            // TODO: add the S3 backend (aws-sdk-s3 multipart uploads and
            // presigned GETs) for `s3://bucket/prefix`.
            None => Err(StorageError::UnsupportedUrl(url.to_string())),
        }
    }

    pub async fn publish(&self, source: &Path, key: &str) -> Result<u64, StorageError> {
        match self {
            Storage::Local(local) => local.publish(source, key).await,
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self {
            Storage::Local(local) => local.delete(key).await,
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self {
            Storage::Local(local) => local.exists(key).await,
        }
    }

    pub async fn check(&self) -> Result<(), StorageError> {
        match self {
            Storage::Local(local) => local.check().await,
        }
    }

    /// Returns the local path of a key, for backends that have one.
    pub fn local_path(&self, key: &str) -> Result<Option<std::path::PathBuf>, StorageError> {
        match self {
            Storage::Local(local) => local.path(key).map(Some),
        }
    }
}

/// Keeps letters, digits, dots, dashes and underscores, so the name is safe
/// in a header and on every file system.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "download".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Rejects keys that could leave the storage root.
fn validate_key(key: &str) -> Result<(), StorageError> {
    let safe = !key.is_empty()
        && !key.starts_with('/')
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if safe {
        Ok(())
    } else {
        Err(StorageError::InvalidKey(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_made_safe() {
        assert_eq!(
            safe_file_name("orders-2026-12-04.csv"),
            "orders-2026-12-04.csv"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("a\"b\r\n.csv"), "a_b__.csv");
        assert_eq!(safe_file_name("..."), "download");
    }

    #[test]
    fn keys_that_escape_rejected() {
        assert!(validate_key("exports/1/abc.csv").is_ok());
        assert!(validate_key("../etc/passwd").is_err());
        assert!(validate_key("/abs").is_err());
        assert!(validate_key("a//b").is_err());
        assert!(validate_key("a/./b").is_err());
        assert!(validate_key("").is_err());
    }
}
