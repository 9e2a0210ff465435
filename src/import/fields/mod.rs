//! Typed parsers for the fields of imported rows.
//!
//! Each parser takes one raw cell and returns a typed value or a
//! [`FieldError`] whose message quotes the value and explains how to fix
//! it. The caller adds the row number and field name when it reports the
//! error, so the messages name neither.

mod boolean;
mod choice;
mod codes;
mod dates;
mod decimal;
mod email;
mod integer;
mod minor_units;
mod presence;
mod separators;
mod text;
mod timestamps;

use std::fmt;

pub use boolean::parse_bool;
pub use choice::parse_one_of;
pub use codes::{COUNTRY_CODES, CURRENCY_CODES, parse_country, parse_currency};
pub use dates::parse_date;
pub use decimal::{Decimal, parse_amount, parse_decimal};
pub use email::parse_email;
pub use integer::parse_integer;
pub use minor_units::to_minor_units;
pub use presence::{is_blank, optional, require};
pub use separators::DecimalSeparator;
pub use text::{display_raw, parse_required, parse_text};
pub use timestamps::parse_timestamp;

/// Reason why one field of one row is invalid, written for the person who
/// prepared the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    /// Creates an error with `message`, which should quote the value and
    /// tell the user what to do.
    pub fn new(message: impl Into<String>) -> Self {
        FieldError {
            message: message.into(),
        }
    }

    fn required() -> Self {
        FieldError::new("is required; enter a value")
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

/// Result of a field parser.
pub type FieldResult<T> = Result<T, FieldError>;

/// Maximum number of characters of a value quoted in a message. Longer values
/// are cut and end in `…`, so one bad cell cannot bloat the error report.
const MAX_QUOTED_CHARS: usize = 60;

/// Quotes a value for a message with Rust string escapes, so that quotes,
/// tabs and line breaks inside a cell stay visible.
fn quote(value: &str) -> String {
    if value.chars().count() <= MAX_QUOTED_CHARS {
        return format!("{value:?}");
    }

    let head: String = value.chars().take(MAX_QUOTED_CHARS).collect();
    format!("{:?}", format!("{head}…"))
}

#[cfg(test)]
fn cell(value: &str) -> crate::formats::read::RawValue {
    crate::formats::read::RawValue::Text(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_quotes_and_breaks() {
        assert_eq!(quote("a\"b\nc"), r#""a\"b\nc""#);
    }

    #[test]
    fn quote_cuts_long_values() {
        let quoted = quote(&"x".repeat(300));

        assert_eq!(quoted, format!("\"{}…\"", "x".repeat(MAX_QUOTED_CHARS)));
    }

    #[test]
    fn field_error_displays_message() {
        assert_eq!(FieldError::new("is bad").to_string(), "is bad");
    }
}
