//! The one error type of the mail module.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while configuring a [`Mailer`](super::Mailer)
/// or sending a message.
///
/// No variant contains a password: URLs are stored with the password replaced
/// by `***`, so an error can be logged as it is.
#[derive(thiserror::Error, Debug)]
pub enum MailError {
    /// The mail URL could not be used.
    #[error("invalid mail URL {url:?}: {reason}; {ACCEPTED_URLS}")]
    InvalidUrl {
        /// The URL as given, with any password replaced by `***`.
        url: String,
        /// The reason the URL was rejected.
        reason: String,
    },

    /// A sender or recipient address could not be parsed.
    ///
    /// NOTE: the message contains the address, which is personal data when
    /// it is a recipient's, so log it with care.
    #[error(
        "invalid email address {address:?}: {reason}; expected `name@domain` or `Name <name@domain>`"
    )]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// The parser's explanation.
        reason: String,
    },

    /// The outbox directory of a `file://` URL could not be created.
    #[error("failed to create the mail outbox directory {dir:?}: {source}")]
    Outbox {
        /// The directory from the URL.
        dir: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// An SMTP transport was configured outside a Tokio runtime.
    #[error(
        "no Tokio runtime: create smtp:// and smtps:// mailers from async code or inside Runtime::enter"
    )]
    NoRuntime,

    /// TLS could not be set up for the SMTP host.
    #[error("failed to set up TLS for the SMTP host {host:?}: {source}")]
    Tls {
        /// The host from the URL.
        host: String,
        /// lettre's error.
        source: lettre::transport::smtp::Error,
    },

    /// A subject or body template failed to render.
    #[error("failed to render the mail template: {0}")]
    Template(#[from] askama::Error),

    /// The rendered parts could not be put together into an email.
    #[error("failed to build the email: {0}")]
    Build(#[from] lettre::error::Error),

    /// The transport rejected the email or failed to deliver it.
    #[error("failed to send the email through the {transport} transport: {source}")]
    Send {
        /// `file` or `smtp`.
        transport: &'static str,
        /// The transport's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The transport did not finish within the time limit.
    #[error("sending the email through the {transport} transport timed out after {after:?}")]
    Timeout {
        /// `file` or `smtp`.
        transport: &'static str,
        /// The time limit that ran out.
        after: Duration,
    },
}

/// The URL forms that [`Mailer::from_url`](super::Mailer::from_url) takes,
/// quoted in every [`MailError::InvalidUrl`].
const ACCEPTED_URLS: &str = "accepted: file://DIR, \
     smtp://[user:pass@]host[:port][?tls=required|starttls], \
     smtps://[user:pass@]host[:port]";
