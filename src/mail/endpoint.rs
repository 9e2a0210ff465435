//! Reading the mail URL: where mail goes and how it gets there.

use std::net::IpAddr;
use std::path::PathBuf;

use lettre::transport::smtp::authentication::Credentials;
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use super::error::MailError;

/// The destination of mail, as read from the mail URL of a [`Mailer`](super::Mailer).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// Write each email as `<id>.eml` into this directory.
    Outbox(PathBuf),
    /// Hand each email to an SMTP server.
    Smtp(SmtpEndpoint),
}

/// An SMTP server and how to talk to it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SmtpEndpoint {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) security: Security,
    /// Debug-printing these shows no password.
    pub(crate) credentials: Option<Credentials>,
}

/// The encryption of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Security {
    /// No encryption: `smtp://`.
    Plain,
    /// Plain connection upgraded by STARTTLS, which must succeed:
    /// `smtp://...?tls=required` or `?tls=starttls`.
    StartTls,
    /// TLS from the first byte: `smtps://`.
    Implicit,
}

impl Security {
    fn default_port(self) -> u16 {
        match self {
            Security::Plain => 25,
            Security::StartTls => 587,
            Security::Implicit => 465,
        }
    }
}

impl Endpoint {
    /// Reads a mail URL.
    ///
    /// `file://DIR` takes everything after `file://` as the directory, so
    /// `file:///var/spool/ferry` is absolute and `file://outbox` is relative
    /// to the working directory.
    pub(crate) fn parse(raw: &str) -> Result<Endpoint, MailError> {
        if let Some(dir) = raw.strip_prefix("file://") {
            return outbox(raw, dir);
        }

        let url = Url::parse(raw).map_err(|err| invalid(raw, err.to_string()))?;

        match url.scheme() {
            "smtp" | "smtps" => smtp(raw, &url).map(Endpoint::Smtp),
            other => Err(invalid(raw, format!("unsupported scheme `{other}`"))),
        }
    }
}

fn outbox(raw: &str, dir: &str) -> Result<Endpoint, MailError> {
    if dir.is_empty() {
        return Err(invalid(raw, "missing directory after file://"));
    }

    Ok(Endpoint::Outbox(PathBuf::from(dir)))
}

fn smtp(raw: &str, url: &Url) -> Result<SmtpEndpoint, MailError> {
    let security = security(raw, url)?;

    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err(invalid(raw, "a path or fragment is not accepted"));
    }

    Ok(SmtpEndpoint {
        host: host(raw, url)?,
        port: url.port().unwrap_or(security.default_port()),
        security,
        credentials: credentials(raw, url)?,
    })
}

fn security(raw: &str, url: &Url) -> Result<Security, MailError> {
    let mut tls = None;

    for (key, value) in url.query_pairs() {
        if key != "tls" {
            let reason = format!("unknown query parameter `{key}`, only `tls` is accepted");
            return Err(invalid(raw, reason));
        }
        if tls.replace(value).is_some() {
            return Err(invalid(raw, "`tls` is given more than once"));
        }
    }

    match (url.scheme(), tls.as_deref()) {
        ("smtps", None) => Ok(Security::Implicit),
        ("smtps", Some(_)) => Err(invalid(raw, "smtps:// always uses TLS; drop `tls`")),
        (_, None) => Ok(Security::Plain),
        (_, Some("required" | "starttls")) => Ok(Security::StartTls),
        (_, Some(other)) => {
            let reason = format!("`tls={other}` is not accepted, use `tls=required`");
            Err(invalid(raw, reason))
        }
    }
}

fn host(raw: &str, url: &Url) -> Result<String, MailError> {
    match url.host() {
        Some(Host::Domain(name)) if !name.is_empty() => Ok(name.to_owned()),
        Some(Host::Ipv4(addr)) => Ok(IpAddr::V4(addr).to_string()),
        Some(Host::Ipv6(addr)) => Ok(IpAddr::V6(addr).to_string()),
        _ => Err(invalid(raw, "missing host")),
    }
}

fn credentials(raw: &str, url: &Url) -> Result<Option<Credentials>, MailError> {
    let Some(password) = url.password() else {
        if url.username().is_empty() {
            return Ok(None);
        }
        return Err(invalid(raw, "a user name needs a password: user:pass@host"));
    };

    let user = decode(raw, url.username())?;
    let password = decode(raw, password)?;

    Ok(Some(Credentials::new(user, password)))
}

/// Percent-decodes a user name or password. The error never shows the value.
fn decode(raw: &str, part: &str) -> Result<String, MailError> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| invalid(raw, "the user name or password is not UTF-8 once decoded"))
}

fn invalid(raw: &str, reason: impl Into<String>) -> MailError {
    MailError::InvalidUrl {
        url: redact(raw),
        reason: reason.into(),
    }
}

/// Replaces the password in a URL, if it has one, by `***`.
///
/// Works on the text rather than a parsed URL because it must also clean
/// URLs that do not parse. Everything between the first `:` of the user
/// part and the last `@` goes, so a password containing `/`, `?` or `@`
/// is hidden as well.
pub(crate) fn redact(raw: &str) -> String {
    let start = raw.find("://").map_or(0, |at| at + 3);
    let Some(at) = raw[start..].rfind('@').map(|at| start + at) else {
        return raw.to_owned();
    };
    let Some(colon) = raw[start..at].find(':').map(|colon| start + colon) else {
        return raw.to_owned();
    };

    format!("{}:***{}", &raw[..colon], &raw[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp_endpoint(raw: &str) -> SmtpEndpoint {
        match Endpoint::parse(raw) {
            Ok(Endpoint::Smtp(endpoint)) => endpoint,
            other => panic!("{raw} gave {other:?}"),
        }
    }

    fn error_text(raw: &str) -> String {
        match Endpoint::parse(raw) {
            Err(err) => err.to_string(),
            Ok(endpoint) => panic!("{raw} was accepted as {endpoint:?}"),
        }
    }

    #[test]
    fn file_url_names_a_directory() {
        let absolute = Endpoint::parse("file:///var/spool/ferry").ok();
        let relative = Endpoint::parse("file://outbox").ok();

        assert_eq!(absolute, Some(Endpoint::Outbox("/var/spool/ferry".into())));
        assert_eq!(relative, Some(Endpoint::Outbox("outbox".into())));
    }

    #[test]
    fn file_url_needs_a_directory() {
        assert!(error_text("file://").contains("missing directory"));
    }

    #[test]
    fn plain_smtp_defaults_to_port_25() {
        let endpoint = smtp_endpoint("smtp://127.0.0.1");

        assert_eq!(endpoint.host, "127.0.0.1");
        assert_eq!(endpoint.port, 25);
        assert_eq!(endpoint.security, Security::Plain);
        assert_eq!(endpoint.credentials, None);
    }

    #[test]
    fn smtp_takes_port_and_credentials() {
        let endpoint = smtp_endpoint("smtp://ferry:p%40ss@127.0.0.1:2525");
        let expected = Credentials::new("ferry".into(), "p@ss".into());

        assert_eq!(endpoint.port, 2525);
        assert_eq!(endpoint.credentials, Some(expected));
    }

    #[test]
    fn starttls_is_spelled_two_ways() {
        for raw in [
            "smtp://localhost?tls=required",
            "smtp://localhost?tls=starttls",
        ] {
            let endpoint = smtp_endpoint(raw);

            assert_eq!(endpoint.security, Security::StartTls);
            assert_eq!(endpoint.port, 587);
        }
    }

    #[test]
    fn smtps_uses_implicit_tls_on_465() {
        let endpoint = smtp_endpoint("smtps://localhost");

        assert_eq!(endpoint.security, Security::Implicit);
        assert_eq!(endpoint.port, 465);
    }

    #[test]
    fn ipv6_host_loses_its_brackets() {
        assert_eq!(smtp_endpoint("smtp://[::1]:2525").host, "::1");
    }

    #[test]
    fn other_scheme_is_rejected_by_name() {
        let text = error_text("ftp://x");

        assert!(text.contains("\"ftp://x\""), "{text}");
        assert!(text.contains("unsupported scheme `ftp`"), "{text}");
        assert!(text.contains("smtps://"), "{text}");
    }

    #[test]
    fn unknown_tls_value_is_rejected() {
        assert!(error_text("smtp://localhost?tls=maybe").contains("tls=maybe"));
    }

    #[test]
    fn unknown_query_parameter_is_rejected() {
        assert!(error_text("smtp://localhost?auth=plain").contains("`auth`"));
    }

    #[test]
    fn user_without_password_is_rejected() {
        assert!(error_text("smtp://ferry@localhost").contains("needs a password"));
    }

    #[test]
    fn errors_never_show_the_password() {
        let urls = [
            "smtp://ferry:hunter2@localhost?tls=maybe",
            "smtp://ferry:hunter2@localhost:notaport",
            "smtp://ferry:hun/ter2@localhost",
            "gopher://ferry:hunter2@localhost",
        ];

        for raw in urls {
            let text = error_text(raw);

            assert!(!text.contains("hunter2"), "{text}");
            assert!(!text.contains("ter2"), "{text}");
            assert!(text.contains("ferry:***@"), "{text}");
        }
    }

    #[test]
    fn redact_leaves_urls_without_password_alone() {
        assert_eq!(redact("smtp://ferry@localhost"), "smtp://ferry@localhost");
        assert_eq!(redact("smtp://localhost:25"), "smtp://localhost:25");
    }
}
