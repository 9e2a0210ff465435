//! The email saying that an export file can be downloaded.

use askama::Template;
use chrono::{DateTime, Utc};

use super::Message;
use crate::mail::error::MailError;
use crate::mail::format::{count, human_bytes, utc_minute};

/// An export has finished and its file waits behind `link` until `expires_at`.
#[derive(Debug, Clone)]
pub struct ExportReady {
    /// The name of the exported data set, as the user knows it.
    pub dataset: String,
    /// The file format, such as `CSV` or `XLSX`.
    pub format: String,
    /// How many rows the file holds.
    pub row_count: u64,
    /// The size of the file.
    pub byte_size: u64,
    /// The download address of the file.
    pub link: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// The values the templates show, already formatted.
struct View<'a> {
    dataset: &'a str,
    format: &'a str,
    rows: String,
    size: String,
    link: &'a str,
    expires: String,
}

#[derive(Template)]
#[template(path = "mail/export_ready/subject.txt")]
struct Subject<'a> {
    v: View<'a>,
}

#[derive(Template)]
#[template(path = "mail/export_ready/body.txt")]
struct Text<'a> {
    v: View<'a>,
}

#[derive(Template)]
#[template(path = "mail/export_ready/body.html")]
struct Html<'a> {
    v: View<'a>,
}

impl ExportReady {
    fn view(&self) -> View<'_> {
        View {
            dataset: &self.dataset,
            format: &self.format,
            rows: count(self.row_count, "row", "rows"),
            size: human_bytes(self.byte_size),
            link: &self.link,
            expires: utc_minute(&self.expires_at),
        }
    }
}

impl Message for ExportReady {
    fn kind(&self) -> &'static str {
        "export_ready"
    }

    fn subject(&self) -> Result<String, MailError> {
        Ok(Subject { v: self.view() }.render()?)
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

    fn export(link: &str) -> ExportReady {
        ExportReady {
            dataset: "orders".into(),
            format: "CSV".into(),
            row_count: 1_000_000,
            byte_size: 88_290_509,
            link: link.into(),
            expires_at: Utc.with_ymd_and_hms(2026, 12, 5, 14, 0, 0).unwrap(),
        }
    }

    fn parts(message: &ExportReady) -> [String; 2] {
        [message.text().unwrap(), message.html().unwrap()]
    }

    #[test]
    fn subject_names_the_data_set() {
        let subject = export("https://ferry.test/d/1").subject().unwrap();

        assert!(subject.contains("orders"), "{subject}");
        assert!(subject.contains("ready"), "{subject}");
    }

    #[test]
    fn both_parts_show_link_counts_size_and_expiry() {
        for part in parts(&export("https://ferry.test/d/1")) {
            assert!(part.contains("https://ferry.test/d/1"), "{part}");
            assert!(part.contains("1,000,000 rows"), "{part}");
            assert!(part.contains("84.2 MiB"), "{part}");
            assert!(part.contains("2026-12-05 14:00 UTC"), "{part}");
        }
    }

    #[test]
    fn html_escapes_the_link() {
        let message = export("https://ferry.test/d?id=1&sig=<x>");
        let [text, html] = parts(&message);

        assert!(text.contains("https://ferry.test/d?id=1&sig=<x>"), "{text}");
        assert!(
            html.contains("https://ferry.test/d?id=1&#38;sig=&#60;x&#62;"),
            "{html}"
        );
        assert!(!html.contains("&sig"), "{html}");
        assert!(!html.contains("<x>"), "{html}");
    }

    #[test]
    fn html_escapes_the_data_set_name() {
        let mut message = export("https://ferry.test/d/1");
        message.dataset = "<b>orders</b>".into();

        assert!(!message.html().unwrap().contains("<b>"));
    }
}
