//! Outgoing mail through lettre.
//!
//! A [`Mailer`] is made once from a URL and a sender address and then sends
//! [`Message`]s: [`ExportReady`], [`ImportFinished`] and [`ArchiveReady`].
//! Each goes out as `multipart/alternative` with a text and an HTML part
//! rendered from the askama templates under `templates/mail/`.
//!
//! Logs name the kind of message and the transport, never the recipient,
//! since email addresses are personal data.

mod endpoint;
mod error;
mod format;
mod messages;
mod transport;

pub use error::MailError;
pub use format::{human_bytes, thousands};
pub use messages::{ArchiveReady, ExportReady, ImportFinished, Message};
pub use transport::SEND_TIMEOUT;

use lettre::message::{Mailbox, MultiPart};

use endpoint::Endpoint;
use transport::Transport;

/// Sends Ferry's emails through one transport from one sender address.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// Sets up a mailer for `url`, sending as `from`
    /// (such as `Ferry <ferry@localhost>`).
    ///
    /// Accepted URLs:
    ///
    /// - `file://DIR` writes each email as `<id>.eml` into `DIR`, creating
    ///   it. Everything after `file://` is the path, so `file:///var/mail`
    ///   is absolute and `file://outbox` is relative.
    /// - `smtp://[user:pass@]host[:port]` speaks plain SMTP (port 25).
    ///   With `?tls=required` or `?tls=starttls` it upgrades through
    ///   STARTTLS and fails if it can't (port 587).
    /// - `smtps://[user:pass@]host[:port]` uses TLS from the start (465).
    ///
    /// User and password are percent-decoded. SMTP mailers must be created
    /// inside a Tokio runtime, because lettre's connection pool starts a task.
    pub fn from_url(url: &str, from: &str) -> Result<Mailer, MailError> {
        let from = mailbox(from)?;
        let transport = Transport::open(Endpoint::parse(url)?)?;

        Ok(Mailer { transport, from })
    }

    /// Renders `message` and sends it to `to`, within [`SEND_TIMEOUT`].
    ///
    /// The returned future is `Send`, so it can run on a spawned task.
    pub async fn send(&self, to: &str, message: &dyn Message) -> Result<(), MailError> {
        let kind = message.kind();
        let email = self.compose(mailbox(to)?, message)?;

        self.transport.send(email).await?;

        tracing::info!(kind, transport = self.transport.name(), "sent email");
        Ok(())
    }

    fn compose(&self, to: Mailbox, message: &dyn Message) -> Result<lettre::Message, MailError> {
        let subject = one_line(&message.subject()?);
        let body = MultiPart::alternative_plain_html(message.text()?, message.html()?);

        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(body)?;

        Ok(email)
    }
}

fn mailbox(raw: &str) -> Result<Mailbox, MailError> {
    raw.parse::<Mailbox>()
        .map_err(|err| MailError::InvalidAddress {
            address: raw.to_owned(),
            reason: err.to_string(),
        })
}

/// Joins the lines of a rendered subject and squeezes runs of whitespace,
/// so a template's line breaks or a data set name can't add headers.
fn one_line(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "Ferry <ferry@localhost>";

    fn error_text(result: Result<Mailer, MailError>) -> String {
        match result {
            Err(err) => err.to_string(),
            Ok(_) => panic!("the mailer was created"),
        }
    }

    #[test]
    fn file_url_creates_the_outbox() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let outbox = dir.path().join("new/outbox");

        let mailer = Mailer::from_url(&format!("file://{}", outbox.display()), FROM)?;

        assert_eq!(mailer.transport.name(), "file");
        assert!(outbox.is_dir());
        Ok(())
    }

    #[tokio::test]
    async fn smtp_and_smtps_urls_are_accepted() -> Result<(), MailError> {
        let urls = [
            "smtp://127.0.0.1:2525",
            "smtp://ferry:secret@127.0.0.1:2525?tls=required",
            "smtps://127.0.0.1",
        ];

        for url in urls {
            assert_eq!(Mailer::from_url(url, FROM)?.transport.name(), "smtp");
        }
        Ok(())
    }

    #[test]
    fn smtp_outside_a_runtime_is_an_error() {
        let text = error_text(Mailer::from_url("smtp://127.0.0.1:2525", FROM));

        assert!(text.contains("Tokio runtime"), "{text}");
    }

    #[test]
    fn ftp_url_is_rejected_by_name() {
        let text = error_text(Mailer::from_url("ftp://x", FROM));

        assert!(text.contains("\"ftp://x\""), "{text}");
        assert!(text.contains("accepted: file://DIR"), "{text}");
    }

    #[test]
    fn bad_sender_is_rejected_by_name() {
        let text = error_text(Mailer::from_url("file:///nonexistent", "ferry at home"));

        assert!(text.contains("\"ferry at home\""), "{text}");
        assert!(text.contains("name@domain"), "{text}");
    }

    #[test]
    fn subject_becomes_one_line() {
        assert_eq!(
            one_line("  Export of\r\nBcc: x@y  ready\n"),
            "Export of Bcc: x@y ready"
        );
    }

    #[test]
    fn send_can_run_on_a_spawned_task() -> Result<(), Box<dyn std::error::Error>> {
        fn assert_send<T: Send>(_: &T) {}

        let dir = tempfile::tempdir()?;
        let mailer = Mailer::from_url(&format!("file://{}", dir.path().display()), FROM)?;
        let message = ArchiveReady {
            link: "https://ferry.test/a/1".into(),
            expires_at: chrono::Utc::now(),
        };

        assert_send(&mailer.send("user@example.com", &message));
        Ok(())
    }
}
