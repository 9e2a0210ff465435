//! Sends mail through a real SMTP server (aiosmtpd on loopback).

use chrono::{TimeZone, Utc};
use ferry::mail::{ExportReady, Mailer};

use crate::common::smtp::{SmtpServer, readable};

const LINK: &str = "https://ferry.test/downloads/42?sig=a1b2&exp=1796479200";

fn export() -> ExportReady {
    ExportReady {
        dataset: "orders".into(),
        format: "CSV".into(),
        row_count: 1_000_000,
        byte_size: 88_290_509,
        link: LINK.into(),
        expires_at: Utc.with_ymd_and_hms(2026, 12, 5, 14, 0, 0).unwrap(),
    }
}

#[tokio::test]
async fn export_ready_reaches_the_smtp_server() {
    let server = SmtpServer::start();
    let mailer = Mailer::from_url(&server.url(), "Ferry <ferry@localhost>").unwrap();

    mailer.send("user@example.com", &export()).await.unwrap();

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");

    let text = readable(&messages[0]);
    assert!(
        text.contains("Subject: Your CSV export of orders is ready"),
        "{text}"
    );
    assert!(text.contains("multipart/alternative"), "{text}");
    assert!(text.contains("X-RcptTo: user@example.com"), "{text}");
    assert!(text.contains(LINK), "{text}");
    assert!(text.contains("1,000,000 rows"), "{text}");
}

#[tokio::test]
async fn closed_port_is_a_send_error() {
    // A port that had a server a moment ago and has none now.
    let port = {
        let server = SmtpServer::start();
        server.port
    };
    let url = format!("smtp://127.0.0.1:{port}");
    let mailer = Mailer::from_url(&url, "Ferry <ferry@localhost>").unwrap();

    let err = mailer
        .send("user@example.com", &export())
        .await
        .unwrap_err();

    assert!(
        err.to_string()
            .contains("failed to send the email through the smtp transport"),
        "{err}"
    );
}
