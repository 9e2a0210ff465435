//! The emails Ferry sends, one file per kind.
//!
//! Each kind renders its subject, text part and HTML part from the askama
//! templates in `templates/mail/<kind>/`: `subject.txt`, `body.txt` and
//! `body.html`. Values are formatted in Rust first (counts, sizes, times)
//! so the templates hold wording only; the HTML template escapes every value.

mod archive_ready;
mod export_ready;
mod import_finished;

pub use archive_ready::ArchiveReady;
pub use export_ready::ExportReady;
pub use import_finished::ImportFinished;

use super::error::MailError;

/// An email that [`Mailer::send`](super::Mailer::send) can deliver as
/// `multipart/alternative` with a text part and an HTML part.
///
/// `Sync` lets the future of `send`, which borrows a `&dyn Message`, move
/// between threads.
pub trait Message: Sync {
    /// Returns a short fixed name for the kind of message, such as
    /// `export_ready`, for logs. It must not contain personal data.
    fn kind(&self) -> &'static str;

    /// Renders the subject line. The mailer joins its lines and trims it.
    fn subject(&self) -> Result<String, MailError>;

    /// Renders the `text/plain` part.
    fn text(&self) -> Result<String, MailError>;

    /// Renders the `text/html` part.
    fn html(&self) -> Result<String, MailError>;
}
