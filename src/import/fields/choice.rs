//! Fields that take one value of a fixed list, such as an order status.

use super::text::cell_text;
use super::{FieldError, FieldResult, quote, require};
use crate::formats::read::RawValue;

/// Parses one of the `allowed` values, compared case-insensitively after
/// trimming, and returns its spelling in `allowed`.
pub fn parse_one_of(raw: &RawValue, allowed: &[&str]) -> FieldResult<String> {
    let text = require(cell_text(raw)?)?;
    let lowercase = text.to_lowercase();

    let found = allowed
        .iter()
        .find(|candidate| candidate.to_lowercase() == lowercase);
    match found {
        Some(candidate) => Ok((*candidate).to_owned()),
        None => Err(FieldError::new(format!(
            "{} is not an allowed value; use one of {}",
            quote(&text),
            allowed.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    const STATUSES: [&str; 3] = ["pending", "paid", "Shipped"];

    #[test]
    fn match_ignores_case() {
        assert_eq!(parse_one_of(&cell("PAID"), &STATUSES), Ok("paid".into()));
        assert_eq!(
            parse_one_of(&cell(" Pending "), &STATUSES),
            Ok("pending".into())
        );
    }

    #[test]
    fn canonical_spelling_is_returned() {
        assert_eq!(
            parse_one_of(&cell("shipped"), &STATUSES),
            Ok("Shipped".into())
        );
    }

    #[test]
    fn non_ascii_case_is_folded() {
        assert_eq!(parse_one_of(&cell("ÉTÉ"), &["été"]), Ok("été".into()));
    }

    #[test]
    fn unknown_value_lists_allowed_values() {
        assert_eq!(
            parse_one_of(&cell("sent"), &STATUSES).unwrap_err().message,
            "\"sent\" is not an allowed value; use one of pending, paid, Shipped"
        );
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(
            parse_one_of(&cell(""), &STATUSES).unwrap_err().message,
            "is required; enter a value"
        );
    }
}
