//! The email saying that an import, or a dry run of one, has finished.

use askama::Template;
use chrono::{DateTime, Utc};

use super::Message;
use crate::mail::error::MailError;
use crate::mail::format::{count, thousands, utc_minute};

/// An import into `dataset` has finished; its report waits behind
/// `report_link` until `expires_at`.
#[derive(Debug, Clone)]
pub struct ImportFinished {
    /// The name of the data set imported into, as the user knows it.
    pub dataset: String,
    /// How many rows the uploaded file held.
    pub total_rows: u64,
    /// How many rows were written, or would have been in a dry run.
    pub imported: u64,
    /// How many rows were rejected.
    pub failed: u64,
    /// The address of the report.
    pub report_link: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether the import only checked the rows and wrote nothing.
    pub dry_run: bool,
}

/// The values the templates show, already formatted.
struct View<'a> {
    dataset: &'a str,
    total: String,
    imported: String,
    failed: String,
    has_failures: bool,
    dry_run: bool,
    link: &'a str,
    expires: String,
}

#[derive(Template)]
#[template(path = "mail/import_finished/subject.txt")]
struct Subject<'a> {
    v: View<'a>,
}

#[derive(Template)]
#[template(path = "mail/import_finished/body.txt")]
struct Text<'a> {
    v: View<'a>,
}

#[derive(Template)]
#[template(path = "mail/import_finished/body.html")]
struct Html<'a> {
    v: View<'a>,
}

impl ImportFinished {
    fn view(&self) -> View<'_> {
        View {
            dataset: &self.dataset,
            total: count(self.total_rows, "row", "rows"),
            imported: thousands(self.imported),
            failed: thousands(self.failed),
            has_failures: self.failed > 0,
            dry_run: self.dry_run,
            link: &self.report_link,
            expires: utc_minute(&self.expires_at),
        }
    }
}

impl Message for ImportFinished {
    fn kind(&self) -> &'static str {
        "import_finished"
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

    fn import(dry_run: bool) -> ImportFinished {
        ImportFinished {
            dataset: "customers".into(),
            total_rows: 12_400,
            imported: 12_345,
            failed: 55,
            report_link: "https://ferry.test/r/7?a=1&b=2".into(),
            expires_at: Utc.with_ymd_and_hms(2026, 12, 5, 14, 0, 0).unwrap(),
            dry_run,
        }
    }

    fn parts(message: &ImportFinished) -> [String; 2] {
        [message.text().unwrap(), message.html().unwrap()]
    }

    #[test]
    fn subject_tells_a_dry_run_apart() {
        let real = import(false).subject().unwrap();
        let dry = import(true).subject().unwrap();

        assert!(real.contains("customers"), "{real}");
        assert!(!real.to_lowercase().contains("dry run"), "{real}");
        assert!(dry.to_lowercase().contains("dry run"), "{dry}");
    }

    #[test]
    fn both_parts_show_counts_link_and_expiry() {
        let [text, html] = parts(&import(false));

        assert!(text.contains("https://ferry.test/r/7?a=1&b=2"), "{text}");
        assert!(
            html.contains("https://ferry.test/r/7?a=1&#38;b=2"),
            "{html}"
        );

        for part in [text, html] {
            assert!(part.contains("12,400 rows"), "{part}");
            assert!(part.contains("12,345"), "{part}");
            assert!(part.contains("55"), "{part}");
            assert!(part.contains("2026-12-05 14:00 UTC"), "{part}");
        }
    }

    #[test]
    fn dry_run_says_nothing_was_written() {
        for part in parts(&import(true)) {
            assert!(part.contains("would be imported"), "{part}");
            assert!(part.contains("Nothing was written"), "{part}");
        }
    }

    #[test]
    fn clean_import_does_not_mention_failures() {
        let mut message = import(false);
        message.imported = 12_400;
        message.failed = 0;

        for part in parts(&message) {
            assert!(!part.contains("failed"), "{part}");
        }
    }
}
