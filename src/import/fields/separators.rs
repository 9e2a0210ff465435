//! Decimal and thousands separators in numbers written as text.

use serde::{Deserialize, Serialize};

use super::{FieldError, FieldResult, quote};

/// Character that separates the integer part of a decimal from its fraction.
/// The other character of the pair may group thousands: with `Dot`, a comma
/// groups, as in 1,355.90, and with `Comma`, a dot groups, as in 1.355,90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecimalSeparator {
    Dot,
    Comma,
}

impl DecimalSeparator {
    /// Returns the option value, `"dot"` or `"comma"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecimalSeparator::Dot => "dot",
            DecimalSeparator::Comma => "comma",
        }
    }

    fn decimal_char(self) -> char {
        match self {
            DecimalSeparator::Dot => '.',
            DecimalSeparator::Comma => ',',
        }
    }

    fn grouping_char(self) -> char {
        match self {
            DecimalSeparator::Dot => ',',
            DecimalSeparator::Comma => '.',
        }
    }

    fn example(self) -> &'static str {
        match self {
            DecimalSeparator::Dot => "1,355.90",
            DecimalSeparator::Comma => "1.355,90",
        }
    }

    fn from_char(separator: char) -> Self {
        if separator == ',' {
            DecimalSeparator::Comma
        } else {
            DecimalSeparator::Dot
        }
    }
}

/// Chooses the decimal separator of `body`, the unsigned digits, dots and
/// commas of `text`, when the decimalSeparator option is not set.
///
/// When both characters occur, the last one is the decimal separator. A
/// character that occurs more than once groups thousands. A single separator
/// followed by exactly three digits, after an integer part that could be a
/// first thousands group, could mean either, so the caller must choose.
/// With `three_places`, as for an amount in KWD, it is the decimal separator.
pub(super) fn infer_separator(
    text: &str,
    body: &str,
    three_places: bool,
) -> FieldResult<DecimalSeparator> {
    let Some(last) = body.rfind(['.', ',']) else {
        return Ok(DecimalSeparator::Dot);
    };

    let last_char = if body[last..].starts_with(',') {
        ','
    } else {
        '.'
    };
    let other_char = if last_char == ',' { '.' } else { ',' };
    if body.contains(other_char) {
        return Ok(DecimalSeparator::from_char(last_char));
    }

    if body.matches(last_char).count() > 1 {
        return Ok(DecimalSeparator::from_char(other_char));
    }

    let (integer, fraction) = (&body[..last], &body[last + 1..]);
    if fraction.len() == 3 && could_be_first_group(integer) && !three_places {
        return Err(ambiguous(text, integer, fraction));
    }

    Ok(DecimalSeparator::from_char(last_char))
}

/// Returns whether digits could stand before the first thousands separator:
/// one to three digits without a leading zero.
fn could_be_first_group(digits: &str) -> bool {
    (1..=3).contains(&digits.len()) && !digits.starts_with('0')
}

fn ambiguous(text: &str, integer: &str, fraction: &str) -> FieldError {
    let sign = if text.starts_with('-') { "-" } else { "" };
    FieldError::new(format!(
        "{} could be {sign}{integer}{fraction} or {sign}{integer}.{fraction}; set the \
         decimalSeparator option to \"dot\" or \"comma\"",
        quote(text)
    ))
}

/// Splits `body` at its decimal separator and returns the integer digits and
/// the fraction digits, with valid thousands separators removed. Rejects a
/// second decimal separator, a thousands separator in the fraction and
/// groups that are not of three digits.
pub(super) fn split_digits(
    text: &str,
    body: &str,
    separator: DecimalSeparator,
) -> FieldResult<(String, String)> {
    let decimal = separator.decimal_char();
    let grouping = separator.grouping_char();

    let (integer, fraction) = body.split_once(decimal).unwrap_or((body, ""));
    if fraction.contains(decimal) {
        return Err(FieldError::new(format!(
            "{} has more than one decimal separator {decimal:?}; {}",
            quote(text),
            separator_hint(separator)
        )));
    }

    if fraction.contains(grouping) {
        return Err(FieldError::new(format!(
            "{} has a thousands separator {grouping:?} after the decimal separator \
             {decimal:?}; {}",
            quote(text),
            separator_hint(separator)
        )));
    }

    if integer.contains(grouping) && !is_grouped_in_threes(integer, grouping) {
        return Err(FieldError::new(format!(
            "{} has misplaced thousands separators; {}",
            quote(text),
            separator_hint(separator)
        )));
    }

    Ok((integer.replace(grouping, ""), fraction.to_owned()))
}

/// Returns whether the groups of `integer` have one to three digits first
/// and exactly three digits after each separator.
fn is_grouped_in_threes(integer: &str, grouping: char) -> bool {
    let mut groups = integer.split(grouping);
    let first_ok = groups
        .next()
        .is_some_and(|first| (1..=3).contains(&first.len()));

    first_ok && groups.all(|group| group.len() == 3)
}

fn separator_hint(separator: DecimalSeparator) -> String {
    format!(
        "with the decimal separator {:?}, write numbers such as {} or {}",
        separator.decimal_char(),
        separator.example(),
        separator.example().replace(separator.grouping_char(), ""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(body: &str) -> FieldResult<DecimalSeparator> {
        infer_separator(body, body, false)
    }

    #[test]
    fn option_values_round_trip() {
        let parsed: DecimalSeparator = serde_json::from_str("\"comma\"").unwrap();

        assert_eq!(parsed, DecimalSeparator::Comma);
        assert_eq!(DecimalSeparator::Dot.as_str(), "dot");
        assert_eq!(
            serde_json::to_string(&DecimalSeparator::Dot).unwrap(),
            "\"dot\""
        );
    }

    #[test]
    fn last_of_two_separators_is_decimal() {
        assert_eq!(infer("1.355,90"), Ok(DecimalSeparator::Comma));
        assert_eq!(infer("1,355.90"), Ok(DecimalSeparator::Dot));
    }

    #[test]
    fn repeated_separator_groups_thousands() {
        assert_eq!(infer("1,234,567"), Ok(DecimalSeparator::Dot));
        assert_eq!(infer("1.234.567"), Ok(DecimalSeparator::Comma));
    }

    #[test]
    fn single_separator_without_three_digits_is_decimal() {
        assert_eq!(infer("9,99"), Ok(DecimalSeparator::Comma));
        assert_eq!(infer("9.99"), Ok(DecimalSeparator::Dot));
        assert_eq!(infer("12,5"), Ok(DecimalSeparator::Comma));
        assert_eq!(infer("1,2345"), Ok(DecimalSeparator::Comma));
    }

    #[test]
    fn three_decimals_after_non_group_are_decimal() {
        assert_eq!(infer("0,123"), Ok(DecimalSeparator::Comma));
        assert_eq!(infer(",123"), Ok(DecimalSeparator::Comma));
        assert_eq!(infer("1234.567"), Ok(DecimalSeparator::Dot));
    }

    #[test]
    fn three_digits_after_group_are_ambiguous() {
        assert!(infer("1,234").is_err());
        assert!(infer("1.234").is_err());
        assert!(infer("123,456").is_err());
    }

    #[test]
    fn three_place_lone_separator_decimal() {
        let three_places = |text: &str, body: &str| infer_separator(text, body, true);

        assert_eq!(three_places("1.234", "1.234"), Ok(DecimalSeparator::Dot));
        assert_eq!(three_places("-1,234", "1,234"), Ok(DecimalSeparator::Comma));
        assert_eq!(
            three_places("1,234.500", "1,234.500"),
            Ok(DecimalSeparator::Dot)
        );
        assert_eq!(three_places("1.23", "1.23"), Ok(DecimalSeparator::Dot));
        assert_eq!(
            three_places("1,234,567", "1,234,567"),
            Ok(DecimalSeparator::Dot)
        );
        assert!(infer("1.234").is_err());
    }

    #[test]
    fn ambiguous_message_names_both_readings() {
        let error = infer_separator("-1,234", "1,234", false).unwrap_err();

        assert_eq!(
            error.message,
            "\"-1,234\" could be -1234 or -1.234; set the decimalSeparator option to \
             \"dot\" or \"comma\""
        );
    }

    #[test]
    fn digits_split_at_decimal_separator() {
        let split = |body| split_digits(body, body, DecimalSeparator::Dot);

        assert_eq!(split("1,355.90"), Ok(("1355".into(), "90".into())));
        assert_eq!(split("12"), Ok(("12".into(), String::new())));
        assert_eq!(split(".5"), Ok((String::new(), "5".into())));
    }

    #[test]
    fn invalid_grouping_is_rejected() {
        let split = |body| split_digits(body, body, DecimalSeparator::Dot);

        assert_eq!(
            split("1,35,5.90").unwrap_err().message,
            "\"1,35,5.90\" has misplaced thousands separators; with the decimal \
             separator '.', write numbers such as 1,355.90 or 1355.90"
        );
        assert!(split("1355,90").is_err());
        assert!(split(",355.90").is_err());
        assert!(split("1234,567").is_err());
    }

    #[test]
    fn second_decimal_separator_is_rejected() {
        let error = split_digits("1,2,3", "1,2,3", DecimalSeparator::Comma).unwrap_err();

        assert!(
            error
                .message
                .contains("more than one decimal separator ','")
        );
    }

    #[test]
    fn grouping_in_fraction_is_rejected() {
        let error = split_digits("1.5,00", "1.5,00", DecimalSeparator::Dot).unwrap_err();

        assert!(error.message.contains("thousands separator ',' after"));
    }
}
