//! Whole numbers such as quantities and stock counts.

use std::num::IntErrorKind;

use super::text::display_raw;
use super::{FieldError, FieldResult, quote};
use crate::formats::read::RawValue;

/// Parses a whole number between `min` and `max`, both inclusive.
///
/// Text may have surrounding whitespace and a leading `+` or `-`. A number
/// cell must have no fractional part. Decimal and thousands separators are
/// rejected rather than stripped, because `"1.000"` is one thousand in German
/// and one in English.
pub fn parse_integer(raw: &RawValue, min: i64, max: i64) -> FieldResult<i64> {
    let value = match raw {
        RawValue::Number(number) => integer_from_number(*number, min, max)?,
        RawValue::Text(text) if !text.trim().is_empty() => {
            integer_from_text(text.trim(), min, max)?
        }
        RawValue::Empty | RawValue::Text(_) => return Err(FieldError::required()),
        other => return Err(not_whole_number(&display_raw(other))),
    };

    check_range(value, &display_raw(raw), min, max)
}

fn integer_from_number(number: f64, min: i64, max: i64) -> FieldResult<i64> {
    let value_text = display_raw(&RawValue::Number(number));
    if !number.is_finite() {
        return Err(not_whole_number(&value_text));
    }

    if number.fract() != 0.0 {
        return Err(has_separators(&value_text));
    }

    // `i64::MAX as f64` rounds up to 2^63, which is itself out of range.
    if number >= i64::MAX as f64 {
        return Err(too_large(&value_text, max));
    }

    if number < i64::MIN as f64 {
        return Err(too_small(&value_text, min));
    }

    Ok(number as i64)
}

fn integer_from_text(text: &str, min: i64, max: i64) -> FieldResult<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(explain_non_digits(text, digits));
    }

    text.parse::<i64>().map_err(|error| match error.kind() {
        IntErrorKind::NegOverflow => too_small(text, min),
        _ => too_large(text, max),
    })
}

/// Picks the message for text that is not a plain run of digits.
fn explain_non_digits(text: &str, digits: &str) -> FieldError {
    let is_digit_or_separator =
        |c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\'' | '_');
    let starts_with_digit = digits.starts_with(|c: char| c.is_ascii_digit());

    if is_scientific(digits) {
        FieldError::new(format!(
            "{} is in scientific notation; write the number in full digits, such as 1000",
            quote(text)
        ))
    } else if starts_with_digit && digits.chars().all(is_digit_or_separator) {
        has_separators(text)
    } else {
        not_whole_number(text)
    }
}

/// Returns whether text reads as a mantissa, `e` or `E`, and an exponent.
pub(super) fn is_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return false;
    };

    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.starts_with(|c: char| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');

    mantissa_ok && !exponent.is_empty() && exponent.bytes().all(|b| b.is_ascii_digit())
}

fn check_range(value: i64, value_text: &str, min: i64, max: i64) -> FieldResult<i64> {
    if value < min {
        return Err(too_small(value_text, min));
    }

    if value > max {
        return Err(too_large(value_text, max));
    }

    Ok(value)
}

fn not_whole_number(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} is not a whole number; use digits only, such as 12",
        quote(value_text)
    ))
}

fn has_separators(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} is not a whole number; use digits only, without decimal or thousands \
         separators, such as 1000",
        quote(value_text)
    ))
}

fn too_large(value_text: &str, max: i64) -> FieldError {
    FieldError::new(format!(
        "{} is too large; the maximum is {max}",
        quote(value_text)
    ))
}

fn too_small(value_text: &str, min: i64) -> FieldError {
    FieldError::new(format!(
        "{} is too small; the minimum is {min}",
        quote(value_text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    fn parse(raw: RawValue) -> FieldResult<i64> {
        parse_integer(&raw, i64::MIN, i64::MAX)
    }

    fn message(raw: RawValue) -> String {
        parse(raw).unwrap_err().message
    }

    #[test]
    fn plain_digits_parse() {
        assert_eq!(parse(cell("12")), Ok(12));
        assert_eq!(parse(cell("-3")), Ok(-3));
        assert_eq!(parse(cell("+4")), Ok(4));
        assert_eq!(parse(cell(" 7 ")), Ok(7));
        assert_eq!(parse(cell("007")), Ok(7));
    }

    #[test]
    fn whole_number_cell_parses() {
        assert_eq!(parse(RawValue::Number(12.0)), Ok(12));
        assert_eq!(parse(RawValue::Number(-0.0)), Ok(0));
    }

    #[test]
    fn fraction_is_rejected() {
        let expected = "\"12.5\" is not a whole number; use digits only, without decimal \
                        or thousands separators, such as 1000";

        assert_eq!(message(cell("12.5")), expected);
        assert_eq!(message(RawValue::Number(12.5)), expected);
    }

    #[test]
    fn zero_fraction_text_is_rejected() {
        assert!(parse(cell("12.0")).is_err());
        assert!(parse(cell("1.000")).is_err());
    }

    #[test]
    fn thousands_separator_gets_hint() {
        assert!(message(cell("1,000")).contains("without decimal or thousands separators"));
        assert!(message(cell("1 000")).contains("without decimal or thousands separators"));
    }

    #[test]
    fn scientific_notation_is_rejected() {
        assert_eq!(
            message(cell("1e3")),
            "\"1e3\" is in scientific notation; write the number in full digits, \
             such as 1000"
        );
    }

    #[test]
    fn non_digits_are_rejected() {
        let expected = "\"abc\" is not a whole number; use digits only, such as 12";

        assert_eq!(message(cell("abc")), expected);
        assert!(parse(cell("-")).is_err());
        assert!(parse(cell("12abc")).is_err());
        assert!(parse(cell("--1")).is_err());
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(message(cell("")), "is required; enter a value");
        assert_eq!(message(RawValue::Empty), "is required; enter a value");
    }

    #[test]
    fn other_cell_types_are_rejected() {
        assert!(parse(RawValue::Bool(true)).is_err());
        assert!(parse(RawValue::Number(f64::INFINITY)).is_err());
    }

    #[test]
    fn range_limits_apply() {
        assert_eq!(parse_integer(&cell("100"), 1, 100), Ok(100));
        assert_eq!(parse_integer(&cell("1"), 1, 100), Ok(1));
        assert_eq!(
            parse_integer(&cell("150"), 1, 100).unwrap_err().message,
            "\"150\" is too large; the maximum is 100"
        );
        assert_eq!(
            parse_integer(&cell("0"), 1, 100).unwrap_err().message,
            "\"0\" is too small; the minimum is 1"
        );
        assert!(parse_integer(&RawValue::Number(101.0), 1, 100).is_err());
    }

    #[test]
    fn i64_overflow_is_rejected() {
        assert_eq!(parse(cell("9223372036854775807")), Ok(i64::MAX));
        assert_eq!(parse(cell("-9223372036854775808")), Ok(i64::MIN));
        assert_eq!(
            message(cell("9223372036854775808")),
            format!(
                "\"9223372036854775808\" is too large; the maximum is {}",
                i64::MAX
            )
        );
        assert!(message(cell("-9223372036854775809")).contains("too small"));
        assert!(message(RawValue::Number(1e19)).contains("too large"));
        assert!(message(RawValue::Number(-1e19)).contains("too small"));
    }
}
