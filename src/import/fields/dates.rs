//! Calendar dates such as birth dates and order dates.

use chrono::{Month, NaiveDate, NaiveDateTime, NaiveTime};

use super::text::display_raw;
use super::{FieldError, FieldResult, quote};
use crate::formats::read::RawValue;

/// Largest Excel date serial, which is 9999-12-31 in the 1900 date system.
const MAX_DATE_SERIAL: f64 = 2_958_465.0;

/// Parses a calendar date.
///
/// Accepts ISO 8601 `YYYY-MM-DD` and slashed dates whose order is
/// unambiguous: `31/01/2024` is day first because 31 cannot be a month, and
/// `01/31/2024` is month first. `02/03/2024` is rejected because it could be
/// either. XLSX date cells, and XLSX date-time cells at midnight, pass
/// through. Other timestamps are rejected rather than cut to their date, and
/// so are plain numbers such as the spreadsheet date serial 45292, which
/// this function does not guess at.
pub fn parse_date(raw: &RawValue) -> FieldResult<NaiveDate> {
    match raw {
        RawValue::Date(date) => Ok(*date),
        RawValue::DateTime(datetime) => date_from_datetime(*datetime),
        RawValue::Number(number) => Err(number_is_not_date(*number)),
        RawValue::Text(text) if !text.trim().is_empty() => {
            let text = text.trim();
            date_from_text(text, text)
        }
        RawValue::Empty | RawValue::Text(_) => Err(FieldError::required()),
        RawValue::Bool(_) => Err(invalid_date(&display_raw(raw))),
    }
}

fn date_from_datetime(datetime: NaiveDateTime) -> FieldResult<NaiveDate> {
    if datetime.time() == NaiveTime::MIN {
        return Ok(datetime.date());
    }

    Err(has_time_of_day(&display_raw(&RawValue::DateTime(datetime))))
}

/// Parses the date in `text`, quoting `original`, the whole cell, in errors.
/// Timestamps call it on their date part.
pub(super) fn date_from_text(text: &str, original: &str) -> FieldResult<NaiveDate> {
    match date_from_known_shape(text, original) {
        Some(parsed) => parsed,
        None => Err(explain_invalid_date(text, original)),
    }
}

/// Parses `YYYY-MM-DD` or a slashed date ending in a four-digit year, and
/// returns `None` for text of any other shape.
fn date_from_known_shape(text: &str, original: &str) -> Option<FieldResult<NaiveDate>> {
    if let Some([first, second, year]) = split_digit_runs(text, '/')
        && first.len() <= 2
        && second.len() <= 2
        && year.len() == 4
    {
        return Some(date_from_slashed(original, first, second, year));
    }

    if let Some([year, month, day]) = split_digit_runs(text, '-')
        && year.len() == 4
        && month.len() <= 2
        && day.len() <= 2
    {
        return Some(build_date(original, year, month, day));
    }

    None
}

/// Splits text at `separator` into exactly three non-empty runs of ASCII
/// digits.
fn split_digit_runs(text: &str, separator: char) -> Option<[&str; 3]> {
    let mut parts = text.split(separator);
    let runs = [parts.next()?, parts.next()?, parts.next()?];
    let is_digit_run = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !runs.iter().all(is_digit_run) {
        return None;
    }

    Some(runs)
}

/// Resolves `first/second/year`. One of the first two numbers must exceed
/// 12, or both must be equal, for the order of day and month to be known.
fn date_from_slashed(
    original: &str,
    first: &str,
    second: &str,
    year: &str,
) -> FieldResult<NaiveDate> {
    let (first_number, second_number) = (number_of(first), number_of(second));
    if first_number > 12 {
        return build_date(original, year, second, first);
    }

    if second_number > 12 || first_number == second_number {
        return build_date(original, year, first, second);
    }

    Err(FieldError::new(format!(
        "{} could be day first or month first; use YYYY-MM-DD, such as {year}-{:02}-{:02} \
         or {year}-{:02}-{:02}",
        quote(original),
        second_number,
        first_number,
        first_number,
        second_number
    )))
}

fn build_date(original: &str, year: &str, month: &str, day: &str) -> FieldResult<NaiveDate> {
    let (year, month, day) = (number_of(year), number_of(month), number_of(day));
    let month_name = u8::try_from(month)
        .ok()
        .and_then(|number| Month::try_from(number).ok());
    let Some(month_name) = month_name else {
        return Err(FieldError::new(format!(
            "{} is not a valid date: there is no month {month}; use YYYY-MM-DD",
            quote(original)
        )));
    };

    let year_number = i32::try_from(year).unwrap_or(i32::MAX);
    NaiveDate::from_ymd_opt(year_number, month, day).ok_or_else(|| {
        FieldError::new(format!(
            "{} is not a valid date: {} {year} has no day {day}",
            quote(original),
            month_name.name()
        ))
    })
}

/// Returns the value of a run of one to four ASCII digits.
fn number_of(digits: &str) -> u32 {
    digits.parse().unwrap_or(u32::MAX)
}

/// Picks the message for text that is neither ISO nor slashed: a timestamp,
/// a date serial exported as text, or anything else.
fn explain_invalid_date(text: &str, original: &str) -> FieldError {
    let starts_with_date = text
        .get(..10)
        .and_then(|head| date_from_known_shape(head, head))
        .is_some_and(|parsed| parsed.is_ok());
    let time_follows = text
        .get(10..)
        .is_some_and(|rest| rest.starts_with(['T', 't', ' ']));
    if starts_with_date && time_follows {
        return has_time_of_day(original);
    }

    let is_serial = (1..=7).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit());
    if is_serial && f64::from(number_of(text)) <= MAX_DATE_SERIAL {
        return looks_like_serial(original);
    }

    invalid_date(original)
}

/// Explains why a number cell is not a date, for dates and timestamps.
pub(super) fn number_is_not_date(number: f64) -> FieldError {
    let value_text = display_raw(&RawValue::Number(number));
    if (1.0..MAX_DATE_SERIAL + 1.0).contains(&number) {
        return looks_like_serial(&value_text);
    }

    FieldError::new(format!(
        "{} is a number, not a date; use YYYY-MM-DD, such as 2024-01-31",
        quote(&value_text)
    ))
}

fn looks_like_serial(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} looks like a spreadsheet date serial; format the column as a date or use \
         YYYY-MM-DD",
        quote(value_text)
    ))
}

fn has_time_of_day(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} has a time of day; use a date alone, such as 2024-01-31",
        quote(value_text)
    ))
}

fn invalid_date(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} is not a valid date; use YYYY-MM-DD, such as 2024-01-31",
        quote(value_text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn message(raw: RawValue) -> String {
        parse_date(&raw).unwrap_err().message
    }

    #[test]
    fn iso_dates_parse() {
        assert_eq!(parse_date(&cell("2024-01-31")), Ok(date(2024, 1, 31)));
        assert_eq!(parse_date(&cell(" 2024-02-29 ")), Ok(date(2024, 2, 29)));
        assert_eq!(parse_date(&cell("2024-1-5")), Ok(date(2024, 1, 5)));
    }

    #[test]
    fn xlsx_dates_pass_through() {
        let midnight = date(2024, 1, 31).and_time(NaiveTime::MIN);

        assert_eq!(
            parse_date(&RawValue::Date(date(2024, 1, 31))),
            Ok(date(2024, 1, 31))
        );
        assert_eq!(
            parse_date(&RawValue::DateTime(midnight)),
            Ok(date(2024, 1, 31))
        );
    }

    #[test]
    fn xlsx_time_of_day_is_rejected() {
        let noon = date(2024, 1, 31).and_hms_opt(12, 0, 0).unwrap();

        assert_eq!(
            message(RawValue::DateTime(noon)),
            "\"2024-01-31 12:00:00\" has a time of day; use a date alone, such as 2024-01-31"
        );
    }

    #[test]
    fn timestamp_text_is_rejected() {
        assert!(message(cell("2024-01-31T12:00:00Z")).contains("has a time of day"));
    }

    #[test]
    fn day_first_slashed_date_parses() {
        assert_eq!(parse_date(&cell("31/01/2024")), Ok(date(2024, 1, 31)));
        assert_eq!(parse_date(&cell("13/12/2024")), Ok(date(2024, 12, 13)));
    }

    #[test]
    fn month_first_slashed_date_parses() {
        assert_eq!(parse_date(&cell("01/31/2024")), Ok(date(2024, 1, 31)));
        assert_eq!(parse_date(&cell("1/31/2024")), Ok(date(2024, 1, 31)));
    }

    #[test]
    fn equal_day_and_month_parse() {
        assert_eq!(parse_date(&cell("02/02/2024")), Ok(date(2024, 2, 2)));
    }

    #[test]
    fn ambiguous_slashed_date_is_rejected() {
        assert_eq!(
            message(cell("02/03/2024")),
            "\"02/03/2024\" could be day first or month first; use YYYY-MM-DD, such as \
             2024-03-02 or 2024-02-03"
        );
    }

    #[test]
    fn invalid_days_are_rejected() {
        assert_eq!(
            message(cell("2024-02-30")),
            "\"2024-02-30\" is not a valid date: February 2024 has no day 30"
        );
        assert_eq!(
            message(cell("2023-02-29")),
            "\"2023-02-29\" is not a valid date: February 2023 has no day 29"
        );
        assert!(message(cell("31/02/2024")).contains("February 2024 has no day 31"));
        assert!(message(cell("2024-01-00")).contains("January 2024 has no day 0"));
    }

    #[test]
    fn invalid_months_are_rejected() {
        assert_eq!(
            message(cell("2024-13-01")),
            "\"2024-13-01\" is not a valid date: there is no month 13; use YYYY-MM-DD"
        );
        assert!(message(cell("2024-00-10")).contains("there is no month 0"));
        assert!(message(cell("31/31/2024")).contains("there is no month 31"));
    }

    #[test]
    fn other_formats_are_rejected() {
        let expected = "\"31.01.2024\" is not a valid date; use YYYY-MM-DD, such as 2024-01-31";

        assert_eq!(message(cell("31.01.2024")), expected);
        assert!(message(cell("yesterday")).contains("is not a valid date"));
        assert!(message(cell("2024/01/31")).contains("is not a valid date"));
        assert!(message(cell("24-01-31")).contains("is not a valid date"));
        assert!(message(cell("2024-01-31-1")).contains("is not a valid date"));
        assert!(message(RawValue::Bool(true)).contains("is not a valid date"));
    }

    #[test]
    fn date_serial_number_is_rejected() {
        assert_eq!(
            message(RawValue::Number(45292.0)),
            "\"45292\" looks like a spreadsheet date serial; format the column as a date \
             or use YYYY-MM-DD"
        );
        assert!(message(RawValue::Number(45292.5)).contains("date serial"));
        assert!(message(cell("45292")).contains("date serial"));
    }

    #[test]
    fn other_numbers_are_rejected() {
        assert_eq!(
            message(RawValue::Number(20240131.0)),
            "\"20240131\" is a number, not a date; use YYYY-MM-DD, such as 2024-01-31"
        );
        assert!(message(RawValue::Number(-1.0)).contains("is a number, not a date"));
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(message(cell(" ")), "is required; enter a value");
    }
}
