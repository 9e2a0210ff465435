//! Handling of empty cells, shared by all parsers.

use super::{FieldError, FieldResult};
use crate::formats::read::RawValue;

/// Returns whether a cell has no value: it is empty or its text is only
/// whitespace.
pub fn is_blank(raw: &RawValue) -> bool {
    match raw {
        RawValue::Empty => true,
        RawValue::Text(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// Runs `parse` on a cell of an optional field, and returns `None` without
/// calling it when the cell is blank.
pub fn optional<T>(
    raw: &RawValue,
    parse: impl FnOnce(&RawValue) -> FieldResult<T>,
) -> FieldResult<Option<T>> {
    if is_blank(raw) {
        return Ok(None);
    }

    parse(raw).map(Some)
}

/// Turns a missing value of a required field into an "is required" error.
pub fn require<T>(value: Option<T>) -> FieldResult<T> {
    value.ok_or_else(FieldError::required)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::{cell, parse_integer};

    #[test]
    fn blank_cells() {
        assert!(is_blank(&RawValue::Empty));
        assert!(is_blank(&cell("")));
        assert!(is_blank(&cell(" \t ")));
        assert!(!is_blank(&cell("0")));
        assert!(!is_blank(&RawValue::Number(0.0)));
        assert!(!is_blank(&RawValue::Bool(false)));
    }

    #[test]
    fn optional_skips_blank_cell() {
        let parsed = optional(&cell("  "), |raw| parse_integer(raw, 0, 10));

        assert_eq!(parsed, Ok(None));
    }

    #[test]
    fn optional_parses_present_cell() {
        let parsed = optional(&cell("7"), |raw| parse_integer(raw, 0, 10));

        assert_eq!(parsed, Ok(Some(7)));
    }

    #[test]
    fn optional_keeps_parse_error() {
        let parsed = optional(&cell("70"), |raw| parse_integer(raw, 0, 10));

        assert!(parsed.is_err());
    }

    #[test]
    fn require_rejects_none() {
        let error = require::<String>(None).unwrap_err();

        assert_eq!(error.message, "is required; enter a value");
    }

    #[test]
    fn require_passes_value() {
        assert_eq!(require(Some(3)), Ok(3));
    }
}
