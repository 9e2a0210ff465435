//! Yes/no fields such as flags and opt-ins.

use super::text::display_raw;
use super::{FieldError, FieldResult, quote};
use crate::formats::read::RawValue;

/// Words read as `true`, compared case-insensitively.
const TRUE_WORDS: [&str; 5] = ["true", "yes", "y", "1", "t"];

/// Words read as `false`, compared case-insensitively.
const FALSE_WORDS: [&str; 5] = ["false", "no", "n", "0", "f"];

/// Parses a yes/no value: one of the words true, false, yes, no, y, n, 1, 0,
/// t and f in any case with surrounding whitespace, a boolean cell, or a
/// number cell of 1 or 0.
pub fn parse_bool(raw: &RawValue) -> FieldResult<bool> {
    match raw {
        RawValue::Bool(value) => Ok(*value),
        RawValue::Number(number) if *number == 1.0 => Ok(true),
        RawValue::Number(number) if *number == 0.0 => Ok(false),
        RawValue::Text(text) if !text.trim().is_empty() => bool_from_word(text.trim()),
        RawValue::Empty | RawValue::Text(_) => Err(FieldError::required()),
        other => Err(not_a_bool(&display_raw(other))),
    }
}

fn bool_from_word(word: &str) -> FieldResult<bool> {
    let matches = |candidate: &&str| candidate.eq_ignore_ascii_case(word);
    if TRUE_WORDS.iter().any(matches) {
        return Ok(true);
    }

    if FALSE_WORDS.iter().any(matches) {
        return Ok(false);
    }

    Err(not_a_bool(word))
}

fn not_a_bool(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} is not a yes/no value; use one of true, false, yes, no, y, n, 1, 0, t, f",
        quote(value_text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    #[test]
    fn true_words_parse() {
        for word in ["true", "TRUE", "Yes", "y", "1", "t", " T "] {
            assert_eq!(parse_bool(&cell(word)), Ok(true), "word {word:?}");
        }
    }

    #[test]
    fn false_words_parse() {
        for word in ["false", "False", "NO", "n", "0", "f", " F "] {
            assert_eq!(parse_bool(&cell(word)), Ok(false), "word {word:?}");
        }
    }

    #[test]
    fn typed_cells_parse() {
        assert_eq!(parse_bool(&RawValue::Bool(true)), Ok(true));
        assert_eq!(parse_bool(&RawValue::Bool(false)), Ok(false));
        assert_eq!(parse_bool(&RawValue::Number(1.0)), Ok(true));
        assert_eq!(parse_bool(&RawValue::Number(0.0)), Ok(false));
    }

    #[test]
    fn other_words_are_rejected() {
        assert_eq!(
            parse_bool(&cell("maybe")).unwrap_err().message,
            "\"maybe\" is not a yes/no value; use one of true, false, yes, no, y, n, 1, 0, t, f"
        );
        assert!(parse_bool(&cell("oui")).is_err());
        assert!(parse_bool(&cell("yes please")).is_err());
    }

    #[test]
    fn other_numbers_are_rejected() {
        assert!(parse_bool(&RawValue::Number(2.0)).is_err());
        assert!(parse_bool(&RawValue::Number(0.5)).is_err());
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(
            parse_bool(&RawValue::Empty).unwrap_err().message,
            "is required; enter a value"
        );
    }
}
