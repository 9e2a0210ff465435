use super::{open_error, open_file, read, read_with, text};
use crate::formats::read::{RawValue, ReadError, ReadLimits, ReadOptions, SourceFormat};

const JSON: SourceFormat = SourceFormat::Json;
const NDJSON: SourceFormat = SourceFormat::Ndjson;

const THREE_OBJECTS: &[u8] = br#"[
  {"zeta": "a", "alpha": 1},
  {"alpha": 2, "zeta": "b"},
  {"zeta": "c", "alpha": 3, "late": true}
]"#;

#[test]
fn json_headers_in_file_order() {
    let parsed = read(JSON, THREE_OBJECTS);

    assert_eq!(parsed.headers, ["zeta", "alpha", "late"]);
}

#[test]
fn json_values_aligned_with_headers() {
    let parsed = read(JSON, THREE_OBJECTS);

    assert_eq!(parsed.values(1), [text("b"), RawValue::Number(2.0)]);
    assert_eq!(
        parsed.values(2),
        [text("c"), RawValue::Number(3.0), RawValue::Bool(true)]
    );
}

#[test]
fn json_rows_start_at_two() {
    let parsed = read(JSON, THREE_OBJECTS);

    assert_eq!(parsed.rows(), [2, 3, 4]);
}

#[test]
fn json_big_integer_kept_as_text() {
    let parsed = read(
        JSON,
        br#"[{"id": 4000123412341234567, "small": 9007199254740992}]"#,
    );

    assert_eq!(
        parsed.values(0),
        [
            text("4000123412341234567"),
            RawValue::Number(9_007_199_254_740_992.0)
        ]
    );
}

#[test]
fn json_negative_big_integer_kept_as_text() {
    let parsed = read(JSON, br#"[{"id": -4000123412341234567}]"#);

    assert_eq!(parsed.values(0), [text("-4000123412341234567")]);
}

#[test]
fn json_value_types_mapped() {
    let content = br#"[{"f": 1.5, "b": false, "n": null, "e": "", "o": {"y": 1, "x": [2]}}]"#;
    let parsed = read(JSON, content);

    assert_eq!(
        parsed.values(0),
        [
            RawValue::Number(1.5),
            RawValue::Bool(false),
            RawValue::Empty,
            RawValue::Empty,
            text(r#"{"x":[2],"y":1}"#),
        ]
    );
}

#[test]
fn json_strings_with_separators_read_whole() {
    let parsed = read(JSON, br#"[{"a": "x],\"y,{"}, {"a": "[z"}]"#);

    assert_eq!(parsed.values(0), [text("x],\"y,{")]);
    assert_eq!(parsed.values(1), [text("[z")]);
}

#[test]
fn json_non_object_element_noted() {
    let parsed = read(JSON, br#"[{"a": 1}, 2, {"a": 3}, 4]"#);

    assert_eq!(
        parsed.note(1),
        Some("row 3: expected an object, found a number")
    );
    assert_eq!(parsed.values(2), [RawValue::Number(3.0)]);
    assert_eq!(parsed.rows(), [2, 3, 4, 5]);
}

#[test]
fn json_invalid_element_noted() {
    let parsed = read(JSON, br#"[{"a": 1}, {"a": tru}, {"a": 3}]"#);
    let note = parsed.note(1).unwrap_or_default();

    assert!(note.starts_with("row 3: invalid JSON: "), "{note}");
    assert_eq!(parsed.values(2), [RawValue::Number(3.0)]);
}

#[test]
fn json_first_element_not_object_keeps_headers() {
    let parsed = read(JSON, br#"["x", {"a": 1}]"#);

    assert_eq!(parsed.headers, ["a"]);
    assert_eq!(
        parsed.note(0),
        Some("row 2: expected an object, found a string")
    );
}

#[test]
fn json_trailing_comma_accepted() {
    let parsed = read(JSON, br#"[{"a": 1},]"#);

    assert_eq!(parsed.records.len(), 1);
}

#[test]
fn json_bom_stripped() {
    let parsed = read(JSON, b"\xEF\xBB\xBF[{\"a\": 1}]");

    assert_eq!(parsed.headers, ["a"]);
}

#[test]
fn json_empty_array_has_no_records() {
    let parsed = read(JSON, b" [ ] ");

    assert!(parsed.records.is_empty());
}

#[test]
fn json_empty_file_rejected() {
    let error = open_error(JSON, b" \n ", &ReadOptions::default());

    assert!(matches!(error, ReadError::Empty));
}

#[test]
fn json_object_at_top_level_rejected() {
    let error = open_error(JSON, br#"{"a": 1}"#, &ReadOptions::default());

    assert_eq!(
        error.to_string(),
        "the JSON file starts with '{', not '['; save it as an array of objects \
         or import it as NDJSON"
    );
}

#[test]
fn json_truncated_array_fails_after_complete_elements() {
    let mut reader = open_file(JSON, br#"[{"a": 1}, {"a": "#, &ReadOptions::default()).unwrap();

    assert!(matches!(reader.next_record(), Some(Ok(_))));
    assert!(matches!(
        reader.next_record(),
        Some(Err(ReadError::UnexpectedEnd { row: 3 }))
    ));
    assert!(reader.next_record().is_none());
}

#[test]
fn json_content_after_array_rejected() {
    let mut reader = open_file(JSON, br#"[{"a": 1}] [{"a": 2}]"#, &ReadOptions::default()).unwrap();

    assert!(matches!(reader.next_record(), Some(Ok(_))));
    assert!(matches!(
        reader.next_record(),
        Some(Err(ReadError::Malformed { format: "JSON", .. }))
    ));
}

#[test]
fn json_field_over_limit_noted() {
    let options = ReadOptions {
        limits: ReadLimits {
            max_field_bytes: 4,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let parsed = read_with(JSON, br#"[{"a": "12345", "b": "1234"}]"#, &options);

    assert_eq!(
        parsed.note(0),
        Some("row 2: field \"a\" of 5 bytes exceeds the limit of 4 bytes; shorten the field")
    );
    assert_eq!(parsed.values(0), [RawValue::Empty, text("1234")]);
}

#[test]
fn json_keys_over_column_limit_noted() {
    let options = ReadOptions {
        limits: ReadLimits {
            max_columns: 2,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let parsed = read_with(JSON, br#"[{"a": 1, "b": 2}, {"c": 3}]"#, &options);

    assert_eq!(parsed.headers, ["a", "b"]);
    assert_eq!(
        parsed.note(1),
        Some("row 3: 3 fields, more than the limit of 2 columns; remove the extra fields")
    );
}

#[test]
fn ndjson_bad_line_noted_and_reading_continues() {
    let parsed = read(NDJSON, b"{\"a\": 1}\n{\"a\": \n{\"a\": 3}\n");
    let note = parsed.note(1).unwrap_or_default();

    assert!(note.starts_with("row 3: invalid JSON: "), "{note}");
    assert_eq!(parsed.values(2), [RawValue::Number(3.0)]);
    assert_eq!(parsed.rows(), [2, 3, 4]);
}

#[test]
fn ndjson_blank_lines_skipped_and_counted() {
    let parsed = read(NDJSON, b"{\"a\": 1}\r\n\r\n{\"a\": 2, \"b\": \"x\"}\r\n\n");

    assert_eq!(parsed.rows(), [2, 4]);
    assert_eq!(parsed.headers, ["a", "b"]);
}

#[test]
fn ndjson_non_object_line_noted() {
    let parsed = read(NDJSON, b"{\"a\": 1}\n[1, 2]\n");

    assert_eq!(
        parsed.note(1),
        Some("row 3: expected an object, found an array")
    );
}

#[test]
fn ndjson_empty_file_rejected() {
    let error = open_error(NDJSON, b"\n  \n", &ReadOptions::default());

    assert!(matches!(error, ReadError::Empty));
}
