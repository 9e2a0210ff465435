//! The lettre transports behind [`Mailer`](super::Mailer), each send bounded
//! by [`SEND_TIMEOUT`].

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::endpoint::{Endpoint, Security, SmtpEndpoint};
use super::error::MailError;

/// The maximum time for one send, including connecting and every SMTP reply.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) enum Transport {
    /// Writes `<id>.eml` files into a directory.
    File(AsyncFileTransport<Tokio1Executor>),
    /// Talks to an SMTP server through a pool of connections.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Transport {
    /// Creates the outbox directory or sets up the SMTP connection pool.
    ///
    /// The SMTP pool starts a Tokio task, so an SMTP endpoint needs a
    /// running Tokio runtime. Without one this returns
    /// [`MailError::NoRuntime`] instead of panicking.
    pub(crate) fn open(endpoint: Endpoint) -> Result<Transport, MailError> {
        match endpoint {
            Endpoint::Outbox(dir) => open_outbox(dir),
            Endpoint::Smtp(server) => open_smtp(server),
        }
    }

    /// `file` or `smtp`, for logs and errors.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Transport::File(_) => "file",
            Transport::Smtp(_) => "smtp",
        }
    }

    pub(crate) async fn send(&self, email: lettre::Message) -> Result<(), MailError> {
        let transport = self.name();

        tokio::time::timeout(SEND_TIMEOUT, self.deliver(email))
            .await
            .map_err(|_| MailError::Timeout {
                transport,
                after: SEND_TIMEOUT,
            })?
            .map_err(|source| MailError::Send { transport, source })
    }

    async fn deliver(&self, email: lettre::Message) -> Result<(), BoxError> {
        match self {
            Transport::File(outbox) => outbox.send(email).await.map(drop)?,
            Transport::Smtp(server) => server.send(email).await.map(drop)?,
        }

        Ok(())
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn open_outbox(dir: PathBuf) -> Result<Transport, MailError> {
    if let Err(source) = std::fs::create_dir_all(&dir) {
        return Err(MailError::Outbox { dir, source });
    }

    Ok(Transport::File(AsyncFileTransport::new(dir)))
}

fn open_smtp(server: SmtpEndpoint) -> Result<Transport, MailError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(MailError::NoRuntime);
    }

    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host)
        .port(server.port)
        .tls(tls(&server)?)
        .timeout(Some(SEND_TIMEOUT));

    if let Some(credentials) = server.credentials {
        builder = builder.credentials(credentials);
    }

    Ok(Transport::Smtp(builder.build()))
}

/// TLS settings that check the server's certificate against `host`.
fn tls(server: &SmtpEndpoint) -> Result<Tls, MailError> {
    let parameters = || {
        TlsParameters::new(server.host.clone()).map_err(|source| MailError::Tls {
            host: server.host.clone(),
            source,
        })
    };

    Ok(match server.security {
        Security::Plain => Tls::None,
        Security::StartTls => Tls::Required(parameters()?),
        Security::Implicit => Tls::Wrapper(parameters()?),
    })
}
