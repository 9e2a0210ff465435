//! Conversion of calamine cell values to [`RawValue`]s, and names of cells.

use calamine::{DataRef, ExcelDateTime};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use crate::formats::read::RawValue;

const MILLIS_PER_DAY: f64 = 86_400_000.0;

/// First serial number past 9999-12-31, the last day Excel can show.
const SERIAL_LIMIT: f64 = 2_958_466.0;

/// Converts a cell value. `is_1904` is true when the workbook counts dates
/// from 1904-01-01 instead of 1900-01-01.
pub(super) fn raw_value(data: DataRef<'_>, is_1904: bool) -> RawValue {
    match data {
        DataRef::Empty => RawValue::Empty,
        DataRef::String(text) => RawValue::Text(text),
        DataRef::SharedString(text) => RawValue::Text(text.to_owned()),
        DataRef::Float(number) => RawValue::Number(number),
        DataRef::Int(number) => RawValue::Number(number as f64),
        DataRef::Bool(flag) => RawValue::Bool(flag),
        DataRef::DateTime(serial) => date_value(&serial, is_1904),
        DataRef::DateTimeIso(text) => iso_date_value(text),
        DataRef::DurationIso(text) => RawValue::Text(text),
        DataRef::Error(error) => RawValue::Text(error.to_string()),
    }
}

/// Returns whether a cell counts as empty when deciding to skip a row,
/// because it has no value or only whitespace.
pub(super) fn is_blank(data: &DataRef<'_>) -> bool {
    match data {
        DataRef::Empty => true,
        DataRef::String(text) => text.trim().is_empty(),
        DataRef::SharedString(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// Returns the text of a header cell.
pub(super) fn header_name(value: &RawValue) -> String {
    match value {
        RawValue::Empty => String::new(),
        RawValue::Text(text) => text.trim().to_owned(),
        RawValue::Number(number) => number.to_string(),
        RawValue::Bool(true) => "TRUE".to_owned(),
        RawValue::Bool(false) => "FALSE".to_owned(),
        RawValue::DateTime(datetime) => datetime.format("%Y-%m-%dT%H:%M:%S").to_string(),
        RawValue::Date(date) => date.to_string(),
    }
}

/// Converts a number whose cell has a date or time format. A duration
/// format, such as `[h]:mm`, keeps the number: it is a count of days, not a
/// point in time. A value at midnight becomes a [`RawValue::Date`].
fn date_value(serial: &ExcelDateTime, is_1904: bool) -> RawValue {
    let number = serial.as_f64();
    if serial.is_duration() {
        return RawValue::Number(number);
    }

    match serial_to_datetime(number, is_1904) {
        Some(datetime) if datetime.time() == NaiveTime::MIN => RawValue::Date(datetime.date()),
        Some(datetime) => RawValue::DateTime(datetime),
        None => RawValue::Number(number),
    }
}

/// Converts an Excel serial date, rounded to the millisecond as Excel
/// stores it. Returns `None` outside the years Excel can show.
///
/// The 1904 system counts days from 1904-01-01, serial 0. The 1900 system
/// counts serial 1 as 1900-01-01 and, like Lotus 1-2-3, has a 29 February
/// 1900 at serial 60, so from serial 60 on the count starts one day
/// earlier and serial 60 itself reads as 28 February.
pub(super) fn serial_to_datetime(serial: f64, is_1904: bool) -> Option<NaiveDateTime> {
    if !(0.0..SERIAL_LIMIT).contains(&serial) {
        return None;
    }

    let epoch = match (is_1904, serial < 60.0) {
        (true, _) => NaiveDate::from_ymd_opt(1904, 1, 1)?,
        (false, true) => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        (false, false) => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };

    let millis = (serial * MILLIS_PER_DAY).round() as i64;
    epoch
        .and_time(NaiveTime::MIN)
        .checked_add_signed(TimeDelta::try_milliseconds(millis)?)
}

/// Converts the text of a cell of type `d`, which contains an ISO 8601 date or
/// date and time instead of a serial number. Other text stays text.
fn iso_date_value(text: String) -> RawValue {
    if let Ok(datetime) = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f") {
        return RawValue::DateTime(datetime);
    }

    if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return RawValue::Date(date);
    }
    RawValue::Text(text)
}

/// Returns the letters of a zero-based column index: 0 is `A`, 26 is `AA`.
pub(super) fn column_name(column: u32) -> String {
    let mut letters = Vec::new();
    let mut rest = u64::from(column) + 1;

    while rest > 0 {
        let digit = ((rest - 1) % 26) as u8;
        letters.push(char::from(b'A' + digit));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Returns the name of a cell from zero-based indexes: (1, 0) is `A2`.
pub(super) fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_name(column), u64::from(row) + 1)
}
