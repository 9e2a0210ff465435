//! Checks and text forms of cells shared by all writers.

use chrono::{NaiveDate, NaiveDateTime};

use super::{Cell, Child, Column, FormatError, Row};

/// Checks the cell count and every decimal of `row` and of its children.
///
/// Writers that ignore children check them too, so that a row is accepted or
/// rejected the same way in every format.
pub(super) fn validate_row(columns: &[Column], row: &Row) -> Result<(), FormatError> {
    if row.cells.len() != columns.len() {
        return Err(FormatError::CellCount {
            expected: columns.len(),
            found: row.cells.len(),
        });
    }

    validate_decimals(columns, &row.cells)?;

    for child in &row.children {
        validate_child(child)?;
    }

    Ok(())
}

fn validate_child(child: &Child) -> Result<(), FormatError> {
    for cells in &child.rows {
        if cells.len() != child.columns.len() {
            return Err(FormatError::ChildCellCount {
                child: child.name,
                expected: child.columns.len(),
                found: cells.len(),
            });
        }

        validate_decimals(child.columns, cells)?;
    }

    Ok(())
}

fn validate_decimals(columns: &[Column], cells: &[Cell]) -> Result<(), FormatError> {
    for (column, cell) in columns.iter().zip(cells) {
        if let Cell::Decimal(value) = cell
            && !is_decimal(value)
        {
            return Err(FormatError::InvalidDecimal {
                column: column.name,
                value: value.clone(),
            });
        }
    }

    Ok(())
}

/// Returns whether `value` is an optional `-`, one or more ASCII digits, and
/// optionally a `.` followed by one or more ASCII digits.
pub(super) fn is_decimal(value: &str) -> bool {
    let unsigned = value.strip_prefix('-').unwrap_or(value);

    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };

    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());

    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// Returns the number of digits after the decimal point of a value accepted
/// by [`is_decimal`].
pub(super) fn decimal_scale(value: &str) -> usize {
    value
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

/// Formats a UTC timestamp as RFC 3339 with seconds precision, such as
/// `2024-10-27T00:30:00Z`. Fractional seconds are truncated.
pub(super) fn format_timestamp(timestamp: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};

    // Written out by hand: chrono's strftime parses its pattern on every
    // call, and exports format one timestamp per row or more.
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        timestamp.year(),
        timestamp.month(),
        timestamp.day(),
        timestamp.hour(),
        timestamp.minute(),
        timestamp.second()
    )
}

/// Formats a date as ISO 8601, such as `2024-10-27`.
pub(super) fn format_date(date: &NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failed test panics")]
mod tests {
    use super::*;

    #[test]
    fn is_decimal_accepts_signed_and_scaled() {
        for value in ["0", "0.10", "-12.50", "4000123412341234567.001"] {
            assert!(is_decimal(value), "{value:?} should be a decimal");
        }
    }

    #[test]
    fn is_decimal_rejects_non_numbers() {
        for value in [
            "", "-", ".5", "5.", "+5", "1e5", "1,5", "=1+1", "1.2.3", " 1",
        ] {
            assert!(!is_decimal(value), "{value:?} should not be a decimal");
        }
    }

    #[test]
    fn decimal_scale_counts_fraction_digits() {
        assert_eq!(decimal_scale("12"), 0);
        assert_eq!(decimal_scale("0.10"), 2);
        assert_eq!(decimal_scale("-1.125"), 3);
    }

    #[test]
    fn format_timestamp_truncates_to_seconds() {
        let timestamp = NaiveDate::from_ymd_opt(2024, 10, 27)
            .and_then(|date| date.and_hms_milli_opt(0, 30, 5, 999))
            .unwrap();

        assert_eq!(format_timestamp(&timestamp), "2024-10-27T00:30:05Z");
    }
}
