//! ISO currency and country codes.

use super::text::cell_text;
use super::{FieldError, FieldResult, quote, require};
use crate::formats::read::RawValue;

/// Active alphabetic codes of ISO 4217 list one (currencies and funds), in
/// sorted order. Source: the entries marked active in the `data.js` of the
/// currency-codes npm package, dated 2025-05-12, which mirrors list_one.xml
/// from the ISO 4217 maintenance agency. The list includes fund codes such
/// as CHE and USN and special codes such as XAU (gold) and XXX (no
/// currency). ANG, replaced by XCG in 2025, is no longer active.
///
/// NOTE: ISO amends this list a few times a year; compare it with the
/// current list_one.xml when updating.
pub const CURRENCY_CODES: [&str; 179] = [
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK",
    "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD",
    "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD",
    "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP",
    "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
    "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST",
    "XAD", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD",
    "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
];

/// The 249 officially assigned ISO 3166-1 alpha-2 country codes, in sorted
/// order. Reserved codes such as UK and EU are not included.
pub const COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Parses an active ISO 4217 currency code in any case and returns it in
/// uppercase.
pub fn parse_currency(raw: &RawValue) -> FieldResult<String> {
    parse_code(raw, &CURRENCY_CODES, |text| {
        format!(
            "{} is not an active ISO 4217 currency code; use a three-letter code such as EUR \
             or USD",
            quote(text)
        )
    })
}

/// Parses an ISO 3166-1 alpha-2 country code in any case and returns it in
/// uppercase.
pub fn parse_country(raw: &RawValue) -> FieldResult<String> {
    parse_code(raw, &COUNTRY_CODES, |text| {
        format!(
            "{} is not an ISO 3166-1 alpha-2 country code; use a two-letter code such as DE \
             or GB",
            quote(text)
        )
    })
}

/// Looks the trimmed, uppercased text of a cell up in the sorted `codes`, and
/// rejects text that matches none with the message from `unknown`.
fn parse_code(
    raw: &RawValue,
    codes: &[&str],
    unknown: impl FnOnce(&str) -> String,
) -> FieldResult<String> {
    let text = require(cell_text(raw)?)?;
    let code = text.to_ascii_uppercase();
    if codes.binary_search(&code.as_str()).is_err() {
        return Err(FieldError::new(unknown(&text)));
    }

    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    fn is_sorted_and_unique(codes: &[&str]) -> bool {
        codes.windows(2).all(|pair| pair[0] < pair[1])
    }

    #[test]
    fn code_lists_are_sorted_and_unique() {
        assert!(is_sorted_and_unique(&CURRENCY_CODES));
        assert!(is_sorted_and_unique(&COUNTRY_CODES));
    }

    #[test]
    fn code_lists_have_code_shape() {
        let is_upper = |code: &&str| code.bytes().all(|byte| byte.is_ascii_uppercase());

        assert!(
            CURRENCY_CODES
                .iter()
                .all(|code| code.len() == 3 && is_upper(code))
        );
        assert!(
            COUNTRY_CODES
                .iter()
                .all(|code| code.len() == 2 && is_upper(code))
        );
    }

    #[test]
    fn common_currencies_parse() {
        let codes = [
            "EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "BRL",
            "INR", "CNY", "KWD", "BHD",
        ];
        for code in codes {
            assert_eq!(
                parse_currency(&cell(code)),
                Ok(code.to_owned()),
                "code {code}"
            );
        }
    }

    #[test]
    fn currency_is_uppercased() {
        assert_eq!(parse_currency(&cell(" eur ")), Ok("EUR".into()));
        assert_eq!(parse_currency(&cell("Jpy")), Ok("JPY".into()));
    }

    #[test]
    fn unknown_currency_is_rejected() {
        assert_eq!(
            parse_currency(&cell("XYZ")).unwrap_err().message,
            "\"XYZ\" is not an active ISO 4217 currency code; use a three-letter code such as \
             EUR or USD"
        );
        assert!(parse_currency(&cell("EURO")).is_err());
        assert!(parse_currency(&cell("€")).is_err());
        assert!(parse_currency(&cell("HRK")).is_err());
        assert!(parse_currency(&RawValue::Number(978.0)).is_err());
    }

    #[test]
    fn blank_currency_is_required() {
        assert_eq!(
            parse_currency(&cell("")).unwrap_err().message,
            "is required; enter a value"
        );
    }

    #[test]
    fn countries_parse() {
        assert_eq!(parse_country(&cell("de")), Ok("DE".into()));
        assert_eq!(parse_country(&cell(" Gb ")), Ok("GB".into()));
        assert_eq!(parse_country(&cell("AX")), Ok("AX".into()));
        assert_eq!(parse_country(&cell("ZW")), Ok("ZW".into()));
    }

    #[test]
    fn unknown_country_is_rejected() {
        assert_eq!(
            parse_country(&cell("UK")).unwrap_err().message,
            "\"UK\" is not an ISO 3166-1 alpha-2 country code; use a two-letter code such as \
             DE or GB"
        );
        assert!(parse_country(&cell("DEU")).is_err());
        assert!(parse_country(&cell("Germany")).is_err());
        assert!(parse_country(&cell("XX")).is_err());
    }

    #[test]
    fn blank_country_is_required() {
        assert_eq!(
            parse_country(&RawValue::Empty).unwrap_err().message,
            "is required; enter a value"
        );
    }
}
