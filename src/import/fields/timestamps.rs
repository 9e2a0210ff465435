//! Points in time such as order and update times, normalised to UTC.

use chrono::{NaiveDateTime, NaiveTime, TimeDelta};

use super::dates::{date_from_text, number_is_not_date};
use super::text::display_raw;
use super::{FieldError, FieldResult, quote};
use crate::formats::read::RawValue;

/// Maximum UTC offset in hours, as for [`chrono::FixedOffset`].
const MAX_OFFSET_HOURS: i64 = 23;

/// Parses a point in time and returns it in UTC.
///
/// Accepts ISO 8601 dates and times with `T` or a space between them,
/// minutes with optional seconds and fractional seconds, and `Z` or an offset
/// such as `+02:00`, `+0200` or `+02`. An offset is subtracted to give UTC.
/// A time without `Z` or an offset is taken as UTC, and so is an XLSX
/// date-time cell, which has no zone. A date alone, in any form that
/// [`parse_date`](super::parse_date) accepts, is midnight UTC.
pub fn parse_timestamp(raw: &RawValue) -> FieldResult<NaiveDateTime> {
    match raw {
        RawValue::DateTime(datetime) => Ok(*datetime),
        RawValue::Date(date) => Ok(date.and_time(NaiveTime::MIN)),
        RawValue::Number(number) => Err(number_is_not_date(*number)),
        RawValue::Text(text) if !text.trim().is_empty() => timestamp_from_text(text.trim()),
        RawValue::Empty | RawValue::Text(_) => Err(FieldError::required()),
        RawValue::Bool(_) => Err(invalid_timestamp(&display_raw(raw))),
    }
}

fn timestamp_from_text(text: &str) -> FieldResult<NaiveDateTime> {
    let Some(split) = text.find(['T', 't', ' ']) else {
        return Ok(date_from_text(text, text)?.and_time(NaiveTime::MIN));
    };

    let date = date_from_text(&text[..split], text)?;
    let (time_text, offset) = split_offset(text, text[split + 1..].trim())?;
    let time = parse_time(time_text).ok_or_else(|| invalid_timestamp(text))?;

    date.and_time(time)
        .checked_sub_signed(offset)
        .ok_or_else(|| invalid_timestamp(text))
}

/// Splits the time part into the time of day and its UTC offset, which is
/// zero for `Z` and for a time without an offset.
fn split_offset<'a>(text: &str, time: &'a str) -> FieldResult<(&'a str, TimeDelta)> {
    if let Some(local) = time.strip_suffix(['Z', 'z']) {
        return Ok((local.trim_end(), TimeDelta::zero()));
    }

    let Some(sign_at) = time.rfind(['+', '-']) else {
        return Ok((time, TimeDelta::zero()));
    };

    let offset = parse_offset(&time[sign_at..]).ok_or_else(|| {
        FieldError::new(format!(
            "{} has an invalid UTC offset {:?}; use Z or an offset such as +02:00",
            quote(text),
            &time[sign_at..]
        ))
    })?;

    Ok((time[..sign_at].trim_end(), offset))
}

/// Parses `+HH:MM`, `+HHMM` or `+HH`, or the same with `-`.
fn parse_offset(offset: &str) -> Option<TimeDelta> {
    let negative = offset.starts_with('-');
    let body = offset.get(1..)?;
    let (hours, minutes) = match body.len() {
        2 => (body, "0"),
        4 => body.split_at(2),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
        _ => return None,
    };

    let is_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if !is_digits(hours) || !is_digits(minutes) {
        return None;
    }

    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    if hours > MAX_OFFSET_HOURS || minutes > 59 {
        return None;
    }

    let seconds = hours * 3600 + minutes * 60;
    Some(TimeDelta::seconds(if negative {
        -seconds
    } else {
        seconds
    }))
}

/// Parses `HH:MM`, `HH:MM:SS` or `HH:MM:SS` with a fraction of up to nine
/// digits.
fn parse_time(time: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(time, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
        .ok()
}

fn invalid_timestamp(value_text: &str) -> FieldError {
    FieldError::new(format!(
        "{} is not a valid timestamp; use ISO 8601, such as 2024-01-31T12:00:00Z or \
         2024-01-31 12:00",
        quote(value_text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::cell;
    use chrono::NaiveDate;

    fn utc(day: u32, hour: u32, minute: u32, second: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, day)
            .unwrap()
            .and_hms_opt(hour, minute, second)
            .unwrap()
    }

    fn parse(value: &str) -> FieldResult<NaiveDateTime> {
        parse_timestamp(&cell(value))
    }

    fn message(value: &str) -> String {
        parse(value).unwrap_err().message
    }

    #[test]
    fn utc_designator_parses() {
        assert_eq!(parse("2024-01-31T12:00:00Z"), Ok(utc(31, 12, 0, 0)));
        assert_eq!(parse("2024-01-31t12:00:00z"), Ok(utc(31, 12, 0, 0)));
    }

    #[test]
    fn offsets_convert_to_utc() {
        assert_eq!(parse("2024-01-31T12:00:00+02:00"), Ok(utc(31, 10, 0, 0)));
        assert_eq!(parse("2024-01-31T12:00:00-05:30"), Ok(utc(31, 17, 30, 0)));
        assert_eq!(parse("2024-01-31T12:00:00+0200"), Ok(utc(31, 10, 0, 0)));
        assert_eq!(parse("2024-01-31T12:00+02"), Ok(utc(31, 10, 0, 0)));
        assert_eq!(parse("2024-01-31 12:00:00 +02:00"), Ok(utc(31, 10, 0, 0)));
    }

    #[test]
    fn offset_can_change_the_date() {
        assert_eq!(parse("2024-01-31T01:00:00+02:00"), Ok(utc(30, 23, 0, 0)));
    }

    #[test]
    fn fractional_seconds_parse() {
        let expected = utc(31, 12, 0, 0) + TimeDelta::milliseconds(250);

        assert_eq!(parse("2024-01-31T12:00:00.25Z"), Ok(expected));
        assert_eq!(parse("2024-01-31T14:00:00.250+02:00"), Ok(expected));
    }

    #[test]
    fn time_without_zone_is_utc() {
        assert_eq!(parse("2024-01-31 12:00"), Ok(utc(31, 12, 0, 0)));
        assert_eq!(parse("2024-01-31 12:00:00"), Ok(utc(31, 12, 0, 0)));
        assert_eq!(parse("2024-01-31T12:00:30"), Ok(utc(31, 12, 0, 30)));
    }

    #[test]
    fn date_alone_is_midnight_utc() {
        assert_eq!(parse("2024-01-31"), Ok(utc(31, 0, 0, 0)));
        assert_eq!(parse("31/01/2024"), Ok(utc(31, 0, 0, 0)));
    }

    #[test]
    fn xlsx_cells_pass_through() {
        let noon = utc(31, 12, 0, 0);

        assert_eq!(parse_timestamp(&RawValue::DateTime(noon)), Ok(noon));
        assert_eq!(
            parse_timestamp(&RawValue::Date(noon.date())),
            Ok(utc(31, 0, 0, 0))
        );
    }

    #[test]
    fn invalid_times_are_rejected() {
        let expected = "\"2024-01-31T25:00\" is not a valid timestamp; use ISO 8601, such as \
                        2024-01-31T12:00:00Z or 2024-01-31 12:00";

        assert_eq!(message("2024-01-31T25:00"), expected);
        assert!(message("2024-01-31T12:60").contains("is not a valid timestamp"));
        assert!(message("2024-01-31T").contains("is not a valid timestamp"));
        assert!(message("2024-01-31 noon").contains("is not a valid timestamp"));
    }

    #[test]
    fn invalid_offsets_are_rejected() {
        assert_eq!(
            message("2024-01-31T12:00+25:00"),
            "\"2024-01-31T12:00+25:00\" has an invalid UTC offset \"+25:00\"; use Z or an \
             offset such as +02:00"
        );
        assert!(message("2024-01-31T12:00+2").contains("invalid UTC offset"));
        assert!(message("2024-01-31T12:00+02:60").contains("invalid UTC offset"));
    }

    #[test]
    fn invalid_dates_are_rejected() {
        assert_eq!(
            message("2024-02-30T12:00:00Z"),
            "\"2024-02-30T12:00:00Z\" is not a valid date: February 2024 has no day 30"
        );
        assert!(message("02/03/2024 12:00").contains("could be day first or month first"));
    }

    #[test]
    fn numbers_are_rejected() {
        let error = parse_timestamp(&RawValue::Number(45292.5)).unwrap_err();

        assert!(
            error
                .message
                .contains("looks like a spreadsheet date serial")
        );
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(message(""), "is required; enter a value");
    }
}
