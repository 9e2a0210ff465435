//! Signed download links: `/downloads/{id}?purpose=…&expires=…&signature=…`.
//!
//! The signature is an HMAC-SHA256 over the job id, the purpose and the
//! expiry, so none of the three can be changed without the server's key.

use chrono::{DateTime, Utc};

use crate::config::SecretKey;

/// The file of a job that a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Export,
    Report,
    FailedRows,
    Archive,
    /// The signed `PUT` address that receives an upload.
    Upload,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Export => "export",
            Purpose::Report => "report",
            Purpose::FailedRows => "failed-rows",
            Purpose::Archive => "archive",
            Purpose::Upload => "upload",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Purpose::Export,
            Purpose::Report,
            Purpose::FailedRows,
            Purpose::Archive,
            Purpose::Upload,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == text)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The signature does not match: the link was altered or forged.
    Invalid,
    /// The link was genuine but its time is up.
    Expired,
}

fn message(job_id: &str, purpose: Purpose, expires: i64) -> String {
    format!("download\n{job_id}\n{}\n{expires}", purpose.as_str())
}

/// Returns the query string that signs `purpose` of `id` until
/// `expires_at`.
pub fn signed_query(
    secret: &SecretKey,
    id: &str,
    purpose: Purpose,
    expires_at: DateTime<Utc>,
) -> String {
    let expires = expires_at.timestamp();
    let signature = secret.sign(&message(id, purpose, expires));
    format!(
        "purpose={}&expires={expires}&signature={signature}",
        purpose.as_str()
    )
}

/// Returns the path and query of a link that opens `purpose` of `job_id`
/// until `expires_at`.
pub fn signed_path(
    secret: &SecretKey,
    job_id: &str,
    purpose: Purpose,
    expires_at: DateTime<Utc>,
) -> String {
    let query = signed_query(secret, job_id, purpose, expires_at);
    format!("/downloads/{job_id}?{query}")
}

/// Checks a link's signature first, so that a forged link is reported as
/// invalid even when its expiry has also passed.
pub fn verify(
    secret: &SecretKey,
    job_id: &str,
    purpose: Purpose,
    expires: i64,
    signature: &str,
    now: DateTime<Utc>,
) -> Result<(), LinkError> {
    if !secret.verify(&message(job_id, purpose, expires), signature) {
        return Err(LinkError::Invalid);
    }
    if now.timestamp() >= expires {
        return Err(LinkError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_configured(&"s".repeat(40)).unwrap()
    }

    fn signature_of(path: &str) -> &str {
        path.rsplit("signature=").next().unwrap()
    }

    #[test]
    fn genuine_link_verifies() {
        let expires = Utc::now() + chrono::Duration::hours(24);
        let path = signed_path(&key(), "job1", Purpose::Export, expires);
        let result = verify(
            &key(),
            "job1",
            Purpose::Export,
            expires.timestamp(),
            signature_of(&path),
            Utc::now(),
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn altered_link_is_invalid() {
        let expires = Utc::now() + chrono::Duration::hours(24);
        let path = signed_path(&key(), "job1", Purpose::Export, expires);
        let signature = signature_of(&path);
        let later = expires.timestamp() + 3600;

        assert_eq!(
            verify(
                &key(),
                "job2",
                Purpose::Export,
                expires.timestamp(),
                signature,
                Utc::now()
            ),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify(
                &key(),
                "job1",
                Purpose::Archive,
                expires.timestamp(),
                signature,
                Utc::now()
            ),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify(
                &key(),
                "job1",
                Purpose::Export,
                later,
                signature,
                Utc::now()
            ),
            Err(LinkError::Invalid)
        );
    }

    #[test]
    fn old_link_is_expired() {
        let expires = Utc::now() - chrono::Duration::seconds(1);
        let path = signed_path(&key(), "job1", Purpose::Export, expires);
        let result = verify(
            &key(),
            "job1",
            Purpose::Export,
            expires.timestamp(),
            signature_of(&path),
            Utc::now(),
        );
        assert_eq!(result, Err(LinkError::Expired));
    }
}
