//! Money as integer minor units with an ISO 4217 currency code.

/// Returns the number of decimal places of a currency's minor unit. Codes
/// not listed use two, as most currencies do (ISO 4217 table A.1).
pub fn minor_unit_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Formats minor units as an exact decimal string: 1050 EUR is `"10.50"`,
/// -5 EUR is `"-0.05"` and 1200 JPY is `"1200"`.
pub fn format_minor(amount: i64, currency: &str) -> String {
    let digits = minor_unit_digits(currency);
    if digits == 0 {
        return amount.to_string();
    }

    let scale = 10_u64.pow(digits);
    let magnitude = amount.unsigned_abs();
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digit_currency_formats() {
        assert_eq!(format_minor(1050, "EUR"), "10.50");
        assert_eq!(format_minor(10, "USD"), "0.10");
        assert_eq!(format_minor(-5, "EUR"), "-0.05");
        assert_eq!(format_minor(0, "GBP"), "0.00");
    }

    #[test]
    fn zero_and_three_digit_currencies_format() {
        assert_eq!(format_minor(1200, "JPY"), "1200");
        assert_eq!(format_minor(1234, "KWD"), "1.234");
    }

    #[test]
    fn extreme_amount_formats() {
        assert_eq!(format_minor(i64::MIN, "EUR"), "-92233720368547758.08");
    }
}
