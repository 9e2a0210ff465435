//! Free text fields, and the text form of typed cells.

use super::{FieldError, FieldResult, quote, require};
use crate::formats::read::RawValue;

/// Parses a free-text field: trims it, returns `None` for an empty or
/// whitespace-only cell, and rejects text longer than `max_chars` characters
/// (Unicode scalar values).
///
/// Typed cells become text: a number takes its shortest form, so `2134.0`
/// becomes `"2134"`. A number cell has already lost any leading zeros, which
/// only a text-formatted spreadsheet column keeps. Text such as `"007"` is
/// returned unchanged.
pub fn parse_text(raw: &RawValue, max_chars: usize) -> FieldResult<Option<String>> {
    let Some(text) = cell_text(raw)? else {
        return Ok(None);
    };

    let length = text.chars().count();
    if length > max_chars {
        return Err(FieldError::new(format!(
            "{} is {length} characters long; the maximum is {max_chars}",
            quote(&text)
        )));
    }

    Ok(Some(text))
}

/// Parses a required free-text field like [`parse_text`], and rejects an
/// empty cell.
pub fn parse_required(raw: &RawValue, max_chars: usize) -> FieldResult<String> {
    require(parse_text(raw, max_chars)?)
}

/// Returns the trimmed text of a cell, or `None` when the cell is blank.
/// Rejects the non-finite numbers NaN and infinity.
pub(super) fn cell_text(raw: &RawValue) -> FieldResult<Option<String>> {
    if let RawValue::Number(number) = raw
        && !number.is_finite()
    {
        return Err(FieldError::new(format!(
            "{} is not a finite number",
            quote(&display_raw(raw))
        )));
    }

    let text = display_raw(raw);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }

    Ok(Some(trimmed.to_owned()))
}

/// Returns a cell as a person would read it, for messages.
pub fn display_raw(raw: &RawValue) -> String {
    match raw {
        RawValue::Empty => String::new(),
        RawValue::Text(text) => text.clone(),
        RawValue::Number(number) => number_text(*number),
        RawValue::Bool(value) => value.to_string(),
        RawValue::DateTime(datetime) => datetime.format("%Y-%m-%d %H:%M:%S").to_string(),
        RawValue::Date(date) => date.format("%Y-%m-%d").to_string(),
    }
}

/// Formats a number in its shortest round-trip form. Rust's `Display` for
/// `f64` never uses an exponent, so 1e21 becomes 22 digits. Negative zero
/// becomes `"0"`.
pub(super) fn number_text(number: f64) -> String {
    if number == 0.0 {
        return "0".to_owned();
    }

    format!("{number}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;
    use chrono::NaiveDate;

    #[test]
    fn text_is_trimmed() {
        assert_eq!(parse_text(&cell("  Ana  "), 255), Ok(Some("Ana".into())));
    }

    #[test]
    fn blank_text_is_none() {
        assert_eq!(parse_text(&RawValue::Empty, 255), Ok(None));
        assert_eq!(parse_text(&cell(""), 255), Ok(None));
        assert_eq!(parse_text(&cell(" \t\n"), 255), Ok(None));
    }

    #[test]
    fn leading_zeros_are_kept() {
        assert_eq!(parse_text(&cell("007"), 10), Ok(Some("007".into())));
        assert_eq!(parse_text(&cell("02134"), 10), Ok(Some("02134".into())));
    }

    #[test]
    fn number_becomes_shortest_text() {
        let parsed = |number| parse_text(&RawValue::Number(number), 30);

        assert_eq!(parsed(2134.0), Ok(Some("2134".into())));
        assert_eq!(parsed(9.99), Ok(Some("9.99".into())));
        assert_eq!(parsed(-0.0), Ok(Some("0".into())));
        assert_eq!(parsed(1e21), Ok(Some("1000000000000000000000".into())));
    }

    #[test]
    fn non_finite_number_is_rejected() {
        let error = parse_text(&RawValue::Number(f64::NAN), 30).unwrap_err();

        assert_eq!(error.message, "\"NaN\" is not a finite number");
    }

    #[test]
    fn typed_cells_become_text() {
        let date = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        let datetime = date.and_hms_opt(12, 30, 0).unwrap();

        assert_eq!(
            parse_text(&RawValue::Bool(true), 9),
            Ok(Some("true".into()))
        );
        assert_eq!(
            parse_text(&RawValue::Date(date), 20),
            Ok(Some("2024-01-31".into()))
        );
        assert_eq!(
            parse_text(&RawValue::DateTime(datetime), 20),
            Ok(Some("2024-01-31 12:30:00".into()))
        );
    }

    #[test]
    fn length_counts_characters() {
        assert_eq!(parse_text(&cell("ñandú"), 5), Ok(Some("ñandú".into())));
    }

    #[test]
    fn too_long_text_is_rejected() {
        let error = parse_text(&cell(&"a".repeat(300)), 255).unwrap_err();

        assert!(
            error
                .message
                .ends_with(" is 300 characters long; the maximum is 255")
        );
    }

    #[test]
    fn length_is_measured_after_trimming() {
        assert_eq!(parse_text(&cell("  abc  "), 3), Ok(Some("abc".into())));
    }

    #[test]
    fn required_rejects_blank() {
        let error = parse_required(&cell("   "), 10).unwrap_err();

        assert_eq!(error.message, "is required; enter a value");
    }

    #[test]
    fn required_returns_text() {
        assert_eq!(parse_required(&cell(" x "), 10), Ok("x".into()));
    }
}
