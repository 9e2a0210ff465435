//! Numbers and times written the way the emails show them.

use chrono::{DateTime, Utc};

/// Binary units after bytes, each 1024 times the one before.
const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// Writes a byte count in binary units with one decimal: `84.2 MiB`.
///
/// Counts below 1024 stay whole: `512 B`. The unit is the largest one that
/// keeps the rounded value below 1024, so 1,048,575 bytes is `1.0 MiB`
/// rather than `1024.0 KiB`.
pub fn human_bytes(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }

    let mut divisor: u128 = 1;
    let mut tenths = 0;
    let mut unit = UNITS[0];

    for name in UNITS {
        divisor *= 1024;
        tenths = (u128::from(bytes) * 10 + divisor / 2) / divisor;
        unit = name;

        if tenths < 10_240 {
            break;
        }
    }

    format!("{}.{} {unit}", tenths / 10, tenths % 10)
}

/// Writes a count with commas between groups of three digits: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);

    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }

    out
}

/// Writes a count with its noun: `1 row`, `1,000,000 rows`.
pub(crate) fn count(n: u64, singular: &str, plural: &str) -> String {
    let noun = if n == 1 { singular } else { plural };

    format!("{} {noun}", thousands(n))
}

/// Writes a time to the minute in UTC: `2026-12-05 14:00 UTC`.
pub(crate) fn utc_minute(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn small_sizes_stay_in_bytes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1), "1 B");
        assert_eq!(human_bytes(1023), "1023 B");
    }

    #[test]
    fn sizes_use_binary_units_with_one_decimal() {
        assert_eq!(human_bytes(1024), "1.0 KiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(88_290_509), "84.2 MiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }

    #[test]
    fn sizes_round_up_into_the_next_unit() {
        assert_eq!(human_bytes(1_048_575), "1.0 MiB");
        assert_eq!(human_bytes(1_048_525), "1.0 MiB");
        assert_eq!(human_bytes(1_048_524), "1023.9 KiB");
    }

    #[test]
    fn largest_size_fits_in_exbibytes() {
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn thousands_groups_digits_in_threes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345), "12,345");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn count_picks_the_noun() {
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(0, "row", "rows"), "0 rows");
        assert_eq!(count(1_000_000, "row", "rows"), "1,000,000 rows");
    }

    #[test]
    fn times_are_utc_to_the_minute() {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 14, 0, 59).single();

        assert_eq!(
            at.map(|at| utc_minute(&at)).as_deref(),
            Some("2026-12-05 14:00 UTC")
        );
    }
}
