//! Local-disk storage under one root folder.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::{StorageError, Store, validate_key};

#[derive(Clone, Debug)]
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }
}

fn io_error(key: &str) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        key: key.to_string(),
        source,
    }
}

impl Store for LocalStorage {
    /// Renames the file into place, or copies it when the scratch folder is
    /// on another file system. Readers see either the old file or the new.
    async fn publish(&self, source: &Path, key: &str) -> Result<u64, StorageError> {
        let target = self.path(key)?;
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io_error(key))?;
        }

        if tokio::fs::rename(source, &target).await.is_err() {
            let staged = target.with_extension("partial");
            tokio::fs::copy(source, &staged)
                .await
                .map_err(io_error(key))?;
            tokio::fs::rename(&staged, &target)
                .await
                .map_err(io_error(key))?;
            tokio::fs::remove_file(source)
                .await
                .map_err(io_error(key))?;
        }

        let metadata = tokio::fs::metadata(&target).await.map_err(io_error(key))?;
        Ok(metadata.len())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(key)(e)),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let path = self.path(key)?;
        tokio::fs::try_exists(&path).await.map_err(io_error(key))
    }

    async fn check(&self) -> Result<(), StorageError> {
        let key = ".readyz";
        tokio::fs::create_dir_all(&self.root)
            .await
            .map_err(io_error(key))?;
        let probe = self.root.join(key);
        tokio::fs::write(&probe, b"ok")
            .await
            .map_err(io_error(key))?;
        tokio::fs::remove_file(&probe).await.map_err(io_error(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn publish_moves_file_into_place() {
        let root = tempfile::tempdir().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let source = scratch.path().join("part.csv");
        std::fs::write(&source, b"a,b\n").unwrap();
        let storage = LocalStorage::new(root.path());

        let size = storage.publish(&source, "exports/1/x.csv").await.unwrap();

        assert_eq!(size, 4);
        assert!(!source.exists());
        assert!(storage.exists("exports/1/x.csv").await.unwrap());
    }

    #[tokio::test]
    async fn delete_of_missing_file_succeeds() {
        let root = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(root.path());
        assert!(storage.delete("exports/none.csv").await.is_ok());
    }
}
