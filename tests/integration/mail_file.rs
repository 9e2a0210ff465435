//! Sends mail into a `file://` outbox and reads the .eml file back.

use std::fs;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use ferry::mail::{ExportReady, Mailer};

use crate::common::smtp::readable;

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

fn eml_files(dir: &std::path::Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect()
}

#[tokio::test]
async fn export_ready_lands_in_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let url = format!("file://{}", outbox.display());
    let mailer = Mailer::from_url(&url, "Ferry <ferry@localhost>").unwrap();

    mailer.send("user@example.com", &export()).await.unwrap();

    let files = eml_files(&outbox);
    assert_eq!(files.len(), 1, "{files:?}");

    let text = readable(&fs::read_to_string(&files[0]).unwrap());
    assert!(
        text.contains("Subject: Your CSV export of orders is ready"),
        "{text}"
    );
    assert!(text.contains("From: Ferry <ferry@localhost>"), "{text}");
    assert!(text.contains("To: user@example.com"), "{text}");
    assert!(text.contains("multipart/alternative"), "{text}");
    assert!(text.contains("Content-Type: text/plain"), "{text}");
    assert!(text.contains("Content-Type: text/html"), "{text}");
    assert!(text.contains(LINK), "{text}");
    assert!(text.contains("https://ferry.test/downloads/42?sig=a1b2&#38;exp=1796479200"));
    assert!(text.contains("84.2 MiB"), "{text}");
    assert!(text.contains("2026-12-05 14:00 UTC"), "{text}");
}

#[tokio::test]
async fn bad_recipient_is_rejected_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let mailer = Mailer::from_url(&url, "Ferry <ferry@localhost>").unwrap();

    let err = mailer.send("not an address", &export()).await.unwrap_err();

    assert!(err.to_string().contains("\"not an address\""), "{err}");
    assert!(eml_files(dir.path()).is_empty());
}
