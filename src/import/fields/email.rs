//! Email addresses, which are also the natural key of customers.

use super::text::cell_text;
use super::{FieldError, FieldResult, quote, require};
use crate::formats::read::RawValue;

/// Maximum length of a whole address: the 256-octet path limit of RFC 5321
/// section 4.5.3.1.3 minus its angle brackets.
const MAX_ADDRESS_CHARS: usize = 254;

/// Maximum length of the part before the `@` (RFC 5321 section 4.5.3.1.1).
const MAX_LOCAL_CHARS: usize = 64;

/// Maximum length of one domain label (RFC 1035 section 2.3.4).
const MAX_LABEL_CHARS: usize = 63;

/// Characters allowed before the `@` besides ASCII letters and digits: the
/// `atext` of RFC 5322 section 3.2.3, and dots between them.
const LOCAL_SYMBOLS: &str = ".!#$%&'*+/=?^_`{|}~-";

/// Parses an email address, trims it and returns it in lowercase.
///
/// RFC 5321 lets the part before the `@` be case-sensitive, but mail
/// providers treat it as case-insensitive, and Ferry matches customers by
/// email, so `Ana@Example.test` and `ana@example.test` must be one customer.
///
/// The check follows the dot-atom form of RFC 5322: no quoted local parts,
/// comments or IP address literals. Domain labels are ASCII letters, digits
/// and inner hyphens, so an internationalized domain must be written in its
/// `xn--` form.
pub fn parse_email(raw: &RawValue) -> FieldResult<String> {
    let address = require(cell_text(raw)?)?;
    check_address(&address).map_err(|reason| {
        FieldError::new(format!(
            "{} is not a valid email address: {reason}",
            quote(&address)
        ))
    })?;

    Ok(address.to_lowercase())
}

/// Returns the first reason why `address` is invalid.
fn check_address(address: &str) -> Result<(), String> {
    if address.chars().any(char::is_whitespace) {
        return Err("it contains a space".into());
    }

    let length = address.chars().count();
    if length > MAX_ADDRESS_CHARS {
        return Err(format!(
            "it is {length} characters long; the maximum is {MAX_ADDRESS_CHARS}"
        ));
    }

    let Some((local, domain)) = address.split_once('@') else {
        return Err("it has no @".into());
    };

    if domain.contains('@') {
        return Err("it has more than one @".into());
    }

    check_local_part(local)?;
    check_domain(domain)
}

fn check_local_part(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("the part before the @ is empty".into());
    }

    let length = local.chars().count();
    if length > MAX_LOCAL_CHARS {
        return Err(format!(
            "the part before the @ is {length} characters long; the maximum is \
             {MAX_LOCAL_CHARS}"
        ));
    }

    let is_allowed = |c: char| c.is_ascii_alphanumeric() || LOCAL_SYMBOLS.contains(c);
    if let Some(invalid) = local.chars().find(|&c| !is_allowed(c)) {
        return Err(format!("the part before the @ contains {invalid:?}"));
    }

    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(
            "the part before the @ starts or ends with a dot or has two dots in a row".into(),
        );
    }

    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("the part after the @ is empty".into());
    }

    if !domain.contains('.') {
        return Err(format!(
            "the domain {domain:?} has no dot; use a full domain such as example.com"
        ));
    }

    domain.split('.').try_for_each(check_label)
}

fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("the domain starts or ends with a dot or has two dots in a row".into());
    }

    if label.len() > MAX_LABEL_CHARS {
        return Err(format!(
            "the domain part {label:?} is longer than {MAX_LABEL_CHARS} characters"
        ));
    }

    let is_allowed = |c: char| c.is_ascii_alphanumeric() || c == '-';
    if let Some(invalid) = label.chars().find(|&c| !is_allowed(c)) {
        return Err(format!(
            "the domain contains {invalid:?}; use letters, digits and hyphens, and the \
             xn-- form for non-ASCII domains"
        ));
    }

    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!(
            "the domain part {label:?} starts or ends with a hyphen"
        ));
    }

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    fn parse(value: &str) -> FieldResult<String> {
        parse_email(&cell(value))
    }

    fn reason(value: &str) -> String {
        let message = parse(value).unwrap_err().message;
        let (_, reason) = message
            .split_once(" is not a valid email address: ")
            .unwrap();
        reason.to_owned()
    }

    #[test]
    fn valid_address_is_lowercased() {
        assert_eq!(
            parse("  Ana.Lopez@Example.TEST "),
            Ok("ana.lopez@example.test".into())
        );
    }

    #[test]
    fn local_symbols_are_accepted() {
        assert_eq!(
            parse("ana+tag@example.test"),
            Ok("ana+tag@example.test".into())
        );
        assert_eq!(
            parse("o'brien@example.test"),
            Ok("o'brien@example.test".into())
        );
        assert_eq!(
            parse("a_b-c@sub.example.co.uk"),
            Ok("a_b-c@sub.example.co.uk".into())
        );
    }

    #[test]
    fn punycode_domain_is_accepted() {
        assert_eq!(
            parse("ana@xn--mnchen-3ya.de"),
            Ok("ana@xn--mnchen-3ya.de".into())
        );
    }

    #[test]
    fn more_than_one_at_is_rejected() {
        assert_eq!(
            parse("ana@@example.test").unwrap_err().message,
            "\"ana@@example.test\" is not a valid email address: it has more than one @"
        );
    }

    #[test]
    fn missing_at_is_rejected() {
        assert_eq!(reason("ana.example.test"), "it has no @");
    }

    #[test]
    fn spaces_are_rejected() {
        assert_eq!(reason("ana lopez@example.test"), "it contains a space");
    }

    #[test]
    fn empty_parts_are_rejected() {
        assert_eq!(reason("@example.test"), "the part before the @ is empty");
        assert_eq!(reason("ana@"), "the part after the @ is empty");
    }

    #[test]
    fn long_local_part_is_rejected() {
        let local = "a".repeat(65);

        assert_eq!(
            reason(&format!("{local}@example.test")),
            "the part before the @ is 65 characters long; the maximum is 64"
        );
        assert!(parse(&format!("{}@example.test", "a".repeat(64))).is_ok());
    }

    #[test]
    fn long_address_is_rejected() {
        let domain = format!(
            "{}.{}.{}.test",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63)
        );
        let address = format!("{}@{domain}", "a".repeat(64));

        assert_eq!(address.len(), 261);
        assert_eq!(
            reason(&address),
            "it is 261 characters long; the maximum is 254"
        );
    }

    #[test]
    fn domain_without_dot_is_rejected() {
        assert_eq!(
            reason("ana@localhost"),
            "the domain \"localhost\" has no dot; use a full domain such as example.com"
        );
    }

    #[test]
    fn bad_domain_labels_are_rejected() {
        let empty = "the domain starts or ends with a dot or has two dots in a row";

        assert_eq!(reason("ana@example..test"), empty);
        assert_eq!(reason("ana@example.test."), empty);
        assert_eq!(reason("ana@.example.test"), empty);
        assert!(reason("ana@exa_mple.test").starts_with("the domain contains '_'"));
        assert!(reason("ana@münchen.de").starts_with("the domain contains 'ü'"));
        assert!(reason("ana@-example.test").contains("starts or ends with a hyphen"));
        assert!(reason(&format!("ana@{}.test", "x".repeat(64))).contains("longer than 63"));
    }

    #[test]
    fn bad_local_parts_are_rejected() {
        assert_eq!(
            reason("an(a)@example.test"),
            "the part before the @ contains '('"
        );
        assert!(reason(".ana@example.test").contains("starts or ends with a dot"));
        assert!(reason("ana.@example.test").contains("starts or ends with a dot"));
        assert!(reason("a..na@example.test").contains("two dots in a row"));
        assert!(reason("\"ana\"@example.test").contains("contains '\"'"));
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(
            parse(" ").unwrap_err().message,
            "is required; enter a value"
        );
    }

    #[test]
    fn number_cell_is_rejected() {
        assert!(parse_email(&RawValue::Number(12.0)).is_err());
    }
}
