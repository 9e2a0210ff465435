//! Conversion of decimal amounts to integer minor units of a currency.

use super::{Decimal, FieldError, FieldResult, quote};
use crate::money::minor_unit_digits;

/// Converts an amount to the currency's minor units, such as cents: 10.5 EUR
/// is 1050 and 1200 JPY is 1200.
///
/// Trailing zeros beyond the currency's decimal places are dropped, so
/// 10.500 EUR is accepted as 1050. Rejects any other extra decimal place
/// instead of rounding, and amounts outside the `i64` range.
pub fn to_minor_units(decimal: Decimal, currency: &str) -> FieldResult<i64> {
    let digits = minor_unit_digits(currency);
    let mut units = decimal.units;
    let mut scale = decimal.scale;
    while scale > digits && units % 10 == 0 {
        units /= 10;
        scale -= 1;
    }

    if scale > digits {
        return Err(FieldError::new(format!(
            "{} has more decimal places than {currency} allows ({digits})",
            quote(&decimal.to_string())
        )));
    }

    10_i128
        .checked_pow(digits - scale)
        .and_then(|factor| units.checked_mul(factor))
        .and_then(|minor| i64::try_from(minor).ok())
        .ok_or_else(|| {
            FieldError::new(format!(
                "{} is too large for an amount in {currency}",
                quote(&decimal.to_string())
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::{DecimalSeparator, cell, parse_decimal};

    fn minor(value: &str, currency: &str) -> FieldResult<i64> {
        let decimal = parse_decimal(&cell(value), Some(DecimalSeparator::Dot)).unwrap();
        to_minor_units(decimal, currency)
    }

    #[test]
    fn two_digit_currency_scales() {
        assert_eq!(minor("10.5", "EUR"), Ok(1050));
        assert_eq!(minor("10", "EUR"), Ok(1000));
        assert_eq!(minor("0.01", "USD"), Ok(1));
        assert_eq!(minor("-12.50", "EUR"), Ok(-1250));
    }

    #[test]
    fn zero_digit_currency_scales() {
        assert_eq!(minor("1200", "JPY"), Ok(1200));
    }

    #[test]
    fn three_digit_currency_scales() {
        assert_eq!(minor("1.5", "KWD"), Ok(1500));
        assert_eq!(minor("0.005", "BHD"), Ok(5));
    }

    #[test]
    fn trailing_zeros_are_dropped() {
        assert_eq!(minor("10.500", "EUR"), Ok(1050));
        assert_eq!(minor("1200.00", "JPY"), Ok(1200));
        assert_eq!(minor("0.000", "EUR"), Ok(0));
    }

    #[test]
    fn extra_decimal_places_are_rejected() {
        assert_eq!(
            minor("9.999", "EUR").unwrap_err().message,
            "\"9.999\" has more decimal places than EUR allows (2)"
        );
        assert_eq!(
            minor("1200.5", "JPY").unwrap_err().message,
            "\"1200.5\" has more decimal places than JPY allows (0)"
        );
    }

    #[test]
    fn overflow_is_rejected() {
        assert_eq!(minor("92233720368547758.07", "EUR"), Ok(i64::MAX));
        assert_eq!(
            minor("92233720368547758.08", "EUR").unwrap_err().message,
            "\"92233720368547758.08\" is too large for an amount in EUR"
        );
        assert!(minor(&"9".repeat(38), "EUR").is_err());
    }
}
