//! The email saying that a user's personal-data archive can be downloaded.

use askama::Template;
use chrono::{DateTime, Utc};

use super::Message;
use crate::mail::error::MailError;
use crate::mail::format::utc_minute;

/// The archive of everything stored about the user waits behind `link`
/// until `expires_at`.
#[derive(Debug, Clone)]
pub struct ArchiveReady {
    /// The download address of the archive.
    pub link: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// The values the templates show, already formatted.
struct View<'a> {
    link: &'a str,
    expires: String,
}

#[derive(Template)]
#[template(path = "mail/archive_ready/subject.txt")]
struct Subject;

#[derive(Template)]
#[template(path = "mail/archive_ready/body.txt")]
struct Text<'a> {
    v: View<'a>,
}

#[derive(Template)]
#[template(path = "mail/archive_ready/body.html")]
struct Html<'a> {
    v: View<'a>,
}

impl ArchiveReady {
    fn view(&self) -> View<'_> {
        View {
            link: &self.link,
            expires: utc_minute(&self.expires_at),
        }
    }
}

impl Message for ArchiveReady {
    fn kind(&self) -> &'static str {
        "archive_ready"
    }

    fn subject(&self) -> Result<String, MailError> {
        Ok(Subject.render()?)
    }

    fn text(&self) -> Result<String, MailError> {
        Ok(Text { v: self.view() }.render()?)
    }

    fn html(&self) -> Result<String, MailError> {
        Ok(Html { v: self.view() }.render()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn archive() -> ArchiveReady {
        ArchiveReady {
            link: "https://ferry.test/a/3?t=x&u=y".into(),
            expires_at: Utc.with_ymd_and_hms(2026, 12, 5, 14, 0, 0).unwrap(),
        }
    }

    #[test]
    fn subject_says_the_archive_is_ready() {
        assert!(archive().subject().unwrap().contains("archive"));
    }

    #[test]
    fn both_parts_show_link_and_expiry() {
        let text = archive().text().unwrap();
        let html = archive().html().unwrap();

        assert!(text.contains("https://ferry.test/a/3?t=x&u=y"), "{text}");
        assert!(
            html.contains("https://ferry.test/a/3?t=x&#38;u=y"),
            "{html}"
        );
        assert!(!html.contains("x&u"), "{html}");

        for part in [text, html] {
            assert!(part.contains("2026-12-05 14:00 UTC"), "{part}");
        }
    }
}
