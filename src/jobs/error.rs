//! Job failures, and whether another attempt may help.

use crate::db::DbError;
use crate::formats::FormatError;
use crate::storage::StorageError;

#[derive(thiserror::Error, Debug)]
pub enum JobError {
    /// A fault outside the job's input, such as a database or storage
    /// outage; another attempt may succeed.
    #[error("{detail}")]
    Retryable { message: String, detail: String },
    /// The input itself is wrong; repeating the job would fail the same way.
    #[error("{detail}")]
    Final { message: String, detail: String },
    /// Another worker owns the job now; this one must stop without effects.
    #[error("the job's lease was lost to another worker")]
    LeaseLost,
}

impl JobError {
    pub fn retryable(message: &str, detail: impl ToString) -> Self {
        JobError::Retryable {
            message: storable(message),
            detail: storable(&detail.to_string()),
        }
    }

    pub fn final_error(message: &str, detail: impl ToString) -> Self {
        JobError::Final {
            message: storable(message),
            detail: storable(&detail.to_string()),
        }
    }

    /// Returns the message shown to the user.
    pub fn user_message(&self) -> &str {
        match self {
            JobError::Retryable { message, .. } | JobError::Final { message, .. } => message,
            JobError::LeaseLost => "The job moved to another worker.",
        }
    }
}

/// Maximum length of a job's message, in characters. A file's header can be
/// megabytes long, and the message is shown in every listing of jobs.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// Returns text that a job row can store: NUL characters written as `\0`,
/// which PostgreSQL's text columns cannot hold, and cut after
/// [`MAX_MESSAGE_CHARS`] characters.
fn storable(text: &str) -> String {
    let escaped = text.replace('\0', "\\0");
    if escaped.chars().count() <= MAX_MESSAGE_CHARS {
        return escaped;
    }
    let head: String = escaped.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{head}…")
}

impl From<DbError> for JobError {
    fn from(error: DbError) -> Self {
        JobError::retryable(
            "The database could not be reached while the job ran.",
            error,
        )
    }
}

impl From<StorageError> for JobError {
    fn from(error: StorageError) -> Self {
        JobError::retryable("The file could not be saved to storage.", error)
    }
}

impl From<FormatError> for JobError {
    fn from(error: FormatError) -> Self {
        JobError::retryable("The file could not be written.", error)
    }
}
