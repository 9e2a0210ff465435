//! Exact decimal numbers such as prices, parsed without floating point.

use std::fmt;

use super::integer::is_scientific;
use super::separators::{infer_separator, split_digits};
use super::text::{display_raw, number_text};
use super::{DecimalSeparator, FieldError, FieldResult, quote};
use crate::formats::read::RawValue;

/// Exact decimal number equal to `units / 10^scale`, so 13.50 is
/// `{ units: 1350, scale: 2 }`. Equality compares the two fields, so 13.5
/// and 13.50 are different values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub units: i128,
    pub scale: u32,
}

impl fmt::Display for Decimal {
    /// Writes every digit of the value, with `scale` digits after a dot.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(formatter, "{sign}{digits}");
        }

        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (integer, fraction) = padded.split_at(padded.len() - scale);
        write!(formatter, "{sign}{integer}.{fraction}")
    }
}

/// Parses an exact decimal number.
///
/// With `separator` set, the other character of the dot and comma pair may
/// only group thousands. Without it, the separator is inferred from the
/// text, and `"1,234"` or `"1.234"`, which could be either, is rejected. A
/// number cell takes its shortest round-trip form first, so 9.99 stays 9.99
/// and does not become 9.99000000000000021…
pub fn parse_decimal(raw: &RawValue, separator: Option<DecimalSeparator>) -> FieldResult<Decimal> {
    parse_number(raw, separator, false)
}

/// Parses an amount of a currency with `places` decimal places. Without the
/// decimalSeparator option, a lone separator before exactly three digits is
/// ambiguous in general, but an amount of a three-place currency such as
/// KWD is written that way, so there it is read as the decimal separator.
pub fn parse_amount(
    raw: &RawValue,
    separator: Option<DecimalSeparator>,
    places: u32,
) -> FieldResult<Decimal> {
    parse_number(raw, separator, places == 3)
}

/// Parses a decimal. `three_places` reads a lone separator before three
/// digits as the decimal separator when `separator` is not set.
fn parse_number(
    raw: &RawValue,
    separator: Option<DecimalSeparator>,
    three_places: bool,
) -> FieldResult<Decimal> {
    match raw {
        RawValue::Number(number) if number.is_finite() => {
            let text = number_text(*number);
            decimal_from_text(&text, Some(DecimalSeparator::Dot), three_places)
        }
        RawValue::Text(text) if !text.trim().is_empty() => {
            decimal_from_text(text.trim(), separator, three_places)
        }
        RawValue::Empty | RawValue::Text(_) => Err(FieldError::required()),
        other => Err(not_a_number(&display_raw(other))),
    }
}

fn decimal_from_text(
    text: &str,
    separator: Option<DecimalSeparator>,
    three_places: bool,
) -> FieldResult<Decimal> {
    let negative = text.starts_with('-');
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    check_characters(text, body)?;

    let separator = match separator {
        Some(separator) => separator,
        None => infer_separator(text, body, three_places)?,
    };

    let (integer, fraction) = split_digits(text, body, separator)?;
    if integer.is_empty() && fraction.is_empty() {
        return Err(not_a_number(text));
    }

    build_decimal(text, negative, &integer, &fraction)
}

/// Rejects anything but ASCII digits, dots and commas, with a hint for
/// scientific notation and for spaces or apostrophes used to group digits.
fn check_characters(text: &str, body: &str) -> FieldResult<()> {
    let is_number_char = |c: char| c.is_ascii_digit() || c == '.' || c == ',';
    if body.chars().all(is_number_char) {
        return Ok(());
    }

    if is_scientific(body) {
        return Err(FieldError::new(format!(
            "{} is in scientific notation; write the number in full digits, such as 1000.50",
            quote(text)
        )));
    }

    let is_grouping_char = |c: char| c.is_whitespace() || c == '\'' || c == '_';
    let starts_with_digit = body.starts_with(|c: char| c.is_ascii_digit());
    if starts_with_digit
        && body
            .chars()
            .all(|c| is_number_char(c) || is_grouping_char(c))
    {
        return Err(FieldError::new(format!(
            "{} groups digits with spaces, apostrophes or underscores; remove them, \
             such as 1355.90",
            quote(text)
        )));
    }

    Err(not_a_number(text))
}

fn build_decimal(
    text: &str,
    negative: bool,
    integer: &str,
    fraction: &str,
) -> FieldResult<Decimal> {
    let too_many_digits = || {
        FieldError::new(format!(
            "{} has too many digits; the maximum is 38 significant digits",
            quote(text)
        ))
    };

    let mut units: i128 = 0;
    for byte in integer.bytes().chain(fraction.bytes()) {
        let digit = i128::from(byte - b'0');
        units = units
            .checked_mul(10)
            .and_then(|shifted| shifted.checked_add(digit))
            .ok_or_else(too_many_digits)?;
    }

    let scale = u32::try_from(fraction.len()).map_err(|_| too_many_digits())?;
    let units = if negative { -units } else { units };
    Ok(Decimal { units, scale })
}

fn not_a_number(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} is not a number; use digits with an optional decimal separator, such as 12.50",
        quote(value_text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    fn parse(value: &str, separator: Option<DecimalSeparator>) -> String {
        parse_decimal(&cell(value), separator).unwrap().to_string()
    }

    fn message(value: &str, separator: Option<DecimalSeparator>) -> String {
        parse_decimal(&cell(value), separator).unwrap_err().message
    }

    fn number(value: f64) -> Decimal {
        parse_decimal(&RawValue::Number(value), None).unwrap()
    }

    const DOT: Option<DecimalSeparator> = Some(DecimalSeparator::Dot);
    const COMMA: Option<DecimalSeparator> = Some(DecimalSeparator::Comma);

    #[test]
    fn display_writes_exact_digits() {
        let show = |units, scale| Decimal { units, scale }.to_string();

        assert_eq!(show(135590, 2), "1355.90");
        assert_eq!(show(5, 2), "0.05");
        assert_eq!(show(-5, 3), "-0.005");
        assert_eq!(show(1200, 0), "1200");
        assert_eq!(show(0, 2), "0.00");
        assert_eq!(show(i128::MIN, 0), i128::MIN.to_string());
    }

    #[test]
    fn dot_option_reads_comma_as_grouping() {
        assert_eq!(parse("1,355.90", DOT), "1355.90");
        assert_eq!(parse("9.99", DOT), "9.99");
        assert_eq!(parse("1,234", DOT), "1234");
        assert_eq!(parse("1,234,567.5", DOT), "1234567.5");
    }

    #[test]
    fn comma_option_reads_dot_as_grouping() {
        assert_eq!(parse("9,99", COMMA), "9.99");
        assert_eq!(parse("1.355,90", COMMA), "1355.90");
        assert_eq!(parse("1,234", COMMA), "1.234");
        assert_eq!(parse("1.234", COMMA), "1234");
    }

    #[test]
    fn option_rejects_invalid_grouping() {
        assert!(message("1,35,5.90", DOT).contains("misplaced thousands separators"));
        assert!(message("9,99", DOT).contains("misplaced thousands separators"));
        assert!(message("1.35.5,90", COMMA).contains("misplaced thousands separators"));
    }

    #[test]
    fn semicolon_file_values_infer_comma() {
        assert_eq!(parse("9,99", None), "9.99");
        assert_eq!(parse("1.355,90", None), "1355.90");
        assert_eq!(parse("12,5", None), "12.5");
    }

    #[test]
    fn unambiguous_values_infer_dot() {
        assert_eq!(parse("9.99", None), "9.99");
        assert_eq!(parse("1,355.90", None), "1355.90");
        assert_eq!(parse("1355", None), "1355");
        assert_eq!(parse("1,234,567", None), "1234567");
    }

    #[test]
    fn three_digits_after_one_separator_are_ambiguous() {
        assert_eq!(
            message("1,234", None),
            "\"1,234\" could be 1234 or 1.234; set the decimalSeparator option to \
             \"dot\" or \"comma\""
        );
        assert!(message("1.234", None).contains("decimalSeparator"));
    }

    #[test]
    fn inferred_grouping_is_checked() {
        assert!(message("1,35,5.90", None).contains("misplaced thousands separators"));
    }

    #[test]
    fn signs_parse() {
        assert_eq!(parse("-12.50", None), "-12.50");
        assert_eq!(parse("+12.50", None), "12.50");
        assert_eq!(parse(" -0,5 ", None), "-0.5");
    }

    #[test]
    fn bare_fraction_and_trailing_separator_parse() {
        assert_eq!(parse(".5", None), "0.5");
        assert_eq!(parse("5.", None), "5");
    }

    #[test]
    fn non_numbers_are_rejected() {
        assert_eq!(
            message("12,5x", None),
            "\"12,5x\" is not a number; use digits with an optional decimal separator, \
             such as 12.50"
        );
        assert!(message("€12.50", None).contains("is not a number"));
        assert!(message(".", None).contains("is not a number"));
        assert!(message("-", None).contains("is not a number"));
        assert!(message("12.50-", None).contains("is not a number"));
    }

    #[test]
    fn scientific_notation_is_rejected() {
        assert!(message("1e3", None).contains("scientific notation"));
        assert!(message("1.5E-2", None).contains("scientific notation"));
    }

    #[test]
    fn space_grouping_is_rejected() {
        assert!(message("1 355,90", None).contains("remove them"));
        assert!(message("1'355.90", None).contains("remove them"));
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(message(" ", None), "is required; enter a value");
    }

    #[test]
    fn number_cells_keep_shortest_digits() {
        assert_eq!(number(9.99).to_string(), "9.99");
        assert_eq!(
            number(9.99),
            Decimal {
                units: 999,
                scale: 2
            }
        );
        assert_eq!(number(0.1).to_string(), "0.1");
        assert_eq!(number(1234.0).to_string(), "1234");
        assert_eq!(number(1.234).to_string(), "1.234");
        assert_eq!(number(-12.5).to_string(), "-12.5");
    }

    #[test]
    fn number_cell_ignores_comma_option() {
        let parsed = parse_decimal(&RawValue::Number(1.234), COMMA).unwrap();

        assert_eq!(parsed.to_string(), "1.234");
    }

    #[test]
    fn other_cells_are_rejected() {
        assert!(parse_decimal(&RawValue::Number(f64::NAN), None).is_err());
        assert!(parse_decimal(&RawValue::Bool(true), None).is_err());
    }

    #[test]
    fn too_many_digits_are_rejected() {
        assert_eq!(parse(&"9".repeat(38), None), "9".repeat(38));
        assert!(message(&"9".repeat(40), None).contains("too many digits"));
    }
}
