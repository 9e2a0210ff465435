//! The server's signing key, kept out of `Debug` output and logs.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const MIN_KEY_LEN: usize = 32;

#[derive(thiserror::Error, Debug)]
pub enum SecretError {
    #[error("the secret key is {0} characters long; use at least {MIN_KEY_LEN}")]
    TooShort(usize),
    #[error("failed to read or create the secret key file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Key material for HMAC signatures. `Debug` prints a placeholder.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn from_configured(key: &str) -> Result<Self, SecretError> {
        if key.len() < MIN_KEY_LEN {
            return Err(SecretError::TooShort(key.len()));
        }
        Ok(Self(key.as_bytes().to_vec()))
    }

    /// Reads the key file, or writes a new random key with mode 0600.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretError> {
        let file_error = |source| SecretError::File {
            path: path.to_path_buf(),
            source,
        };

        if let Ok(text) = std::fs::read_to_string(path) {
            return Self::from_configured(text.trim());
        }

        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let key = hex::encode(bytes);
        write_private_file(path, key.as_bytes()).map_err(file_error)?;
        Ok(Self(key.into_bytes()))
    }

    /// Returns the hex HMAC-SHA256 of `message` under this key.
    pub fn sign(&self, message: &str) -> String {
        hex::encode(self.mac(message).finalize().into_bytes())
    }

    /// Compares a hex signature with the expected one in constant time.
    pub fn verify(&self, message: &str, signature_hex: &str) -> bool {
        let Ok(signature) = hex::decode(signature_hex) else {
            return false;
        };
        self.mac(message).verify_slice(&signature).is_ok()
    }

    fn mac(&self, message: &str) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(message.as_bytes());
        mac
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;

    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_key_rejected() {
        assert!(matches!(
            SecretKey::from_configured("short"),
            Err(SecretError::TooShort(5))
        ));
    }

    #[test]
    fn signature_verifies_and_tamper_fails() {
        let key = SecretKey::from_configured(&"k".repeat(32)).unwrap();
        let signature = key.sign("download:abc:1700000000");
        assert!(key.verify("download:abc:1700000000", &signature));
        assert!(!key.verify("download:abd:1700000000", &signature));
        assert!(!key.verify("download:abc:1700000000", "zz"));
    }

    #[test]
    fn generated_key_file_is_private_and_stable() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = SecretKey::load_or_create(&path).unwrap();
        let second = SecretKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();

        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(first.sign("x"), second.sign("x"));
    }
}
