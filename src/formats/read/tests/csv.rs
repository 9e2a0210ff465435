use super::{open_error, read, read_with, text, texts};
use crate::formats::read::{
    RawValue, ReadError, ReadLimits, ReadOptions, SourceFormat, normalize_header,
};

const CSV: SourceFormat = SourceFormat::Csv;

fn with_encoding(label: &str) -> ReadOptions {
    ReadOptions {
        encoding: Some(label.to_owned()),
        ..ReadOptions::default()
    }
}

fn with_limits(max_field_bytes: usize, max_columns: usize) -> ReadOptions {
    ReadOptions {
        limits: ReadLimits {
            max_field_bytes,
            max_columns,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };

    for unit in text.encode_utf16() {
        let pair = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        bytes.extend_from_slice(&pair);
    }

    bytes
}

#[test]
fn csv_bom_stripped_from_header() {
    let parsed = read(CSV, b"\xEF\xBB\xBFemail,amount\r\nana@example.test,10\r\n");

    assert_eq!(parsed.headers, ["email", "amount"]);
    assert_eq!(parsed.values(0), texts(&["ana@example.test", "10"]));
}

#[test]
fn csv_bom_stripped_from_quoted_header() {
    let parsed = read(
        CSV,
        b"\xEF\xBB\xBF\"email\",\"amount\"\r\nana@example.test,10\r\n",
    );

    assert_eq!(parsed.headers, ["email", "amount"]);
}

#[test]
fn csv_windows_1252_detected() {
    let parsed = read(CSV, b"name,city\r\nRen\xE9,K\xF6ln\r\n");

    assert_eq!(parsed.values(0), texts(&["René", "Köln"]));
    assert_eq!(parsed.note(0), None);
}

#[test]
fn csv_utf8_curly_quotes_stay_utf8() {
    let parsed = read(CSV, "quote\r\n\u{201c}hi\u{201d}\r\n".as_bytes());

    assert_eq!(parsed.values(0), texts(&["\u{201c}hi\u{201d}"]));
}

#[test]
fn csv_utf16le_bom_decoded() {
    let parsed = read(CSV, &utf16("name,city\r\nRené,Köln\r\n", false));

    assert_eq!(parsed.headers, ["name", "city"]);
    assert_eq!(parsed.values(0), texts(&["René", "Köln"]));
}

#[test]
fn csv_utf16be_bom_decoded() {
    let parsed = read(CSV, &utf16("name;city\r\nRené;Köln\r\n", true));

    assert_eq!(parsed.headers, ["name", "city"]);
    assert_eq!(parsed.values(0), texts(&["René", "Köln"]));
}

#[test]
fn csv_explicit_encoding_overrides_detection() {
    let options = with_encoding("windows-1252");
    let parsed = read_with(CSV, "name\r\nRené\r\n".as_bytes(), &options);

    assert_eq!(parsed.values(0), texts(&["RenÃ©"]));
}

#[test]
fn csv_explicit_utf16le_without_bom() {
    let mut content = utf16("name,city\r\nRené,Köln\r\n", false);
    content.drain(..2);
    let parsed = read_with(CSV, &content, &with_encoding("utf-16le"));

    assert_eq!(parsed.values(0), texts(&["René", "Köln"]));
}

#[test]
fn csv_explicit_utf8_notes_invalid_row() {
    let content = b"name,city\r\nAna,Bonn\r\nRen\xE9,K\xF6ln\r\n";
    let parsed = read_with(CSV, content, &with_encoding("utf-8"));

    assert_eq!(parsed.note(0), None);
    assert_eq!(
        parsed.note(1),
        Some("row 3: invalid UTF-8; save the file as UTF-8 or set encoding=windows-1252")
    );
}

#[test]
fn csv_invalid_utf8_after_sample_noted() {
    let mut content = b"name,city\r\n".to_vec();
    while content.len() < 70_000 {
        content.extend_from_slice("Zoë,Köln\r\n".as_bytes());
    }
    content.extend_from_slice(b"Ren\xE9,Paris\r\n");

    let parsed = read(CSV, &content);
    let last = parsed.records.len() - 1;

    assert_eq!(parsed.values(0), texts(&["Zoë", "Köln"]));
    assert_eq!(parsed.note(last - 1), None);
    assert_eq!(
        parsed.note(last),
        Some(
            format!(
                "row {}: invalid UTF-8; save the file as UTF-8 or set encoding=windows-1252",
                last + 2
            )
            .as_str()
        )
    );
}

#[test]
fn csv_char_split_at_sample_end_kept() {
    let mut content = b"name\r\n".to_vec();
    content.resize(65_535, b'a');
    content.extend_from_slice("é\r\n".as_bytes());

    let parsed = read(CSV, &content);
    let value = &parsed.values(0)[0];

    assert!(matches!(value, RawValue::Text(text) if text.ends_with("aé")));
}

#[test]
fn csv_unknown_encoding_rejected() {
    let error = open_error(CSV, b"name\r\nAna\r\n", &with_encoding("klingon"));

    assert!(matches!(error, ReadError::UnknownEncoding(label) if label == "klingon"));
}

#[test]
fn csv_quoted_newlines_with_mixed_line_endings() {
    let parsed = read(
        CSV,
        b"id,comment\n1,\"line one\r\nsays \"\"hi\"\", ok\"\n2,plain\n",
    );

    assert_eq!(parsed.records.len(), 2);
    assert_eq!(
        parsed.values(0),
        texts(&["1", "line one\r\nsays \"hi\", ok"])
    );
    assert_eq!(parsed.values(1), texts(&["2", "plain"]));
    assert_eq!(parsed.rows(), [2, 3]);
}

#[test]
fn csv_trailing_blank_rows_skipped() {
    let parsed = read(CSV, b"name;qty\r\nbolt;4\r\n ;\r\n\r\n");

    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.values(0), texts(&["bolt", "4"]));
    assert_eq!(parsed.note(0), None);
}

#[test]
fn csv_blank_record_keeps_later_row_numbers() {
    let parsed = read(CSV, b"name,qty\r\nbolt,4\r\n , \r\nnut,5\r\n");

    assert_eq!(parsed.rows(), [2, 4]);
}

#[test]
fn csv_empty_line_keeps_later_row_numbers() {
    let parsed = read(CSV, b"name,qty\r\nbolt,4\r\n\r\n\r\nnut,5\r\n");

    assert_eq!(parsed.rows(), [2, 5]);
}

#[test]
fn csv_lf_last_record_without_terminator_keeps_row() {
    let parsed = read(CSV, b"name,qty\nbolt,4\n\nnut,5");

    assert_eq!(parsed.rows(), [2, 4]);
}

#[test]
fn csv_crlf_last_record_without_terminator_keeps_row() {
    let parsed = read(CSV, b"name,qty\r\nbolt,4\r\n\r\nnut,5");

    assert_eq!(parsed.rows(), [2, 4]);
}

#[test]
fn csv_crlf_empty_lines_before_header_count() {
    let parsed = read(CSV, b"\r\n\r\nname,qty\r\nbolt,4\r\n");

    assert_eq!(parsed.rows(), [4]);
}

#[test]
fn csv_lf_empty_lines_before_header_count() {
    let parsed = read(CSV, b"\n\nname,qty\nbolt,4\n");

    assert_eq!(parsed.rows(), [4]);
}

#[test]
fn csv_crlf_then_lf_keeps_rows() {
    let parsed = read(CSV, b"name,qty\r\nbolt,4\nnut,5\n\nwasher,6\n");

    assert_eq!(parsed.rows(), [2, 3, 5]);
}

#[test]
fn csv_lf_then_crlf_keeps_rows() {
    let parsed = read(CSV, b"name,qty\nbolt,4\r\nnut,5\r\n\r\nwasher,6");

    assert_eq!(parsed.rows(), [2, 3, 5]);
}

#[test]
fn csv_cr_endings_keep_rows() {
    let parsed = read(CSV, b"name,qty\rbolt,4\r\rnut,5\r");

    assert_eq!(parsed.values(1), texts(&["nut", "5"]));
    assert_eq!(parsed.rows(), [2, 4]);
}

#[test]
fn csv_quoted_breaks_add_no_rows() {
    let parsed = read(
        CSV,
        b"id,note\r\n1,\"a\r\nb\nc\"\r\n2,\"\"\"x\"\"\"\r\n3,y\r\n",
    );

    assert_eq!(parsed.values(1), texts(&["2", "\"x\""]));
    assert_eq!(parsed.rows(), [2, 3, 4]);
    assert_eq!(parsed.note(2), None);
}

#[test]
fn csv_unclosed_quote_noted() {
    let parsed = read(CSV, b"id,note\n1,ok\n2,\"open\n3,lost\n4,lost\n");

    assert_eq!(parsed.records.len(), 2);
    assert_eq!(parsed.note(0), None);
    assert_eq!(parsed.rows(), [2, 3]);

    let note = parsed.note(1).unwrap();
    assert!(note.starts_with("row 3: a quoted field"), "{note}");
    assert!(note.contains("never closed"), "{note}");
}

#[test]
fn csv_closed_final_quote_accepted() {
    let parsed = read(CSV, b"id,note\n1,\"a \"\"b\"\"\"");

    assert_eq!(parsed.values(0), texts(&["1", "a \"b\""]));
    assert_eq!(parsed.note(0), None);
}

#[test]
fn csv_bare_quote_accepted() {
    let parsed = read(CSV, b"id,size\n1,5\" bolt\n2,6\n");

    assert_eq!(parsed.values(0), texts(&["1", "5\" bolt"]));
    assert_eq!(parsed.note(0), None);
    assert_eq!(parsed.rows(), [2, 3]);
}

#[test]
fn csv_sep_line_sets_delimiter() {
    let parsed = read(CSV, b"sep=;\r\nname;qty\r\nbolt, M4;4\r\n");

    assert_eq!(parsed.headers, ["name", "qty"]);
    assert_eq!(parsed.values(0), texts(&["bolt, M4", "4"]));
    assert_eq!(parsed.rows(), [3]);
}

#[test]
fn csv_delimiter_option_beats_sep_line() {
    let options = ReadOptions {
        delimiter: Some(b'|'),
        ..ReadOptions::default()
    };
    let parsed = read_with(CSV, b"sep=;\nname|qty\nbolt|4\n", &options);

    assert_eq!(parsed.headers, ["name", "qty"]);
}

#[test]
fn csv_trailing_empty_field_accepted() {
    let parsed = read(CSV, b"a,b,c\r\n1,2,3\r\n4,5,6,\r\n7,8\r\n");

    assert_eq!(parsed.values(1), texts(&["4", "5", "6"]));
    assert_eq!(parsed.note(1), None);
    assert_eq!(parsed.records[1].field_count, 4);
}

#[test]
fn csv_short_row_noted() {
    let parsed = read(CSV, b"a,b,c\r\n1,2,3\r\n4,5,6,\r\n7,8\r\n");

    assert_eq!(parsed.note(2), Some("row 4: 2 fields, expected 3"));
    assert_eq!(parsed.values(2), [text("7"), text("8"), RawValue::Empty]);
    assert_eq!(parsed.records[2].field_count, 2);
    assert_eq!(parsed.note(0), None);
}

#[test]
fn csv_extra_non_empty_field_noted() {
    let parsed = read(CSV, b"a,b\r\n1,2,3\r\n");

    assert_eq!(parsed.note(0), Some("row 2: 3 fields, expected 2"));
    assert_eq!(parsed.values(0), texts(&["1", "2"]));
}

#[test]
fn csv_headers_keep_original_text() {
    let parsed = read(CSV, "Email ,Full\u{a0}Name,AMOUNT\r\na,b,c\r\n".as_bytes());

    assert_eq!(parsed.headers, ["Email ", "Full\u{a0}Name", "AMOUNT"]);
}

#[test]
fn csv_headers_normalize_for_matching() {
    let parsed = read(CSV, "Email ,Full\u{a0}Name,AMOUNT\r\na,b,c\r\n".as_bytes());
    let normalized: Vec<String> = parsed.headers.iter().map(|h| normalize_header(h)).collect();

    assert_eq!(normalized, ["email", "full name", "amount"]);
}

#[test]
fn csv_values_keep_surrounding_whitespace() {
    let parsed = read(CSV, b"a,b\r\n  x ,\r\n");

    assert_eq!(parsed.values(0), [text("  x "), RawValue::Empty]);
}

#[test]
fn csv_leading_zeros_kept_as_text() {
    let parsed = read(CSV, b"zip,phone,code\r\n02134,0444123456,\"00944387\"\r\n");

    assert_eq!(
        parsed.values(0),
        texts(&["02134", "0444123456", "00944387"])
    );
}

fn detected_headers(content: &str) -> Vec<String> {
    read(CSV, content.as_bytes()).headers
}

#[test]
fn csv_detects_comma() {
    assert_eq!(detected_headers("a,b\r\n1,2\r\n"), ["a", "b"]);
}

#[test]
fn csv_detects_semicolon() {
    assert_eq!(detected_headers("a;b\r\n1,5;2,5\r\n"), ["a", "b"]);
}

#[test]
fn csv_detects_tab() {
    assert_eq!(detected_headers("a\tb\r\nx, y\tz\r\n"), ["a", "b"]);
}

#[test]
fn csv_detects_pipe() {
    assert_eq!(detected_headers("a|b|c\r\n1|2|3\r\n"), ["a", "b", "c"]);
}

#[test]
fn csv_detection_ignores_delimiters_in_quotes() {
    assert_eq!(detected_headers("\"a;b\",c\r\n\"1;2\",3\r\n"), ["a;b", "c"]);
}

#[test]
fn csv_single_column_falls_back_to_comma() {
    assert_eq!(detected_headers("email\r\nana@example.test\r\n"), ["email"]);
}

#[test]
fn csv_explicit_delimiter_overrides_detection() {
    let options = ReadOptions {
        delimiter: Some(b';'),
        ..ReadOptions::default()
    };
    let parsed = read_with(CSV, b"a,b,c;d\r\n1,2,3;4\r\n", &options);

    assert_eq!(parsed.headers, ["a,b,c", "d"]);
}

#[test]
fn csv_field_over_limit_noted() {
    let parsed = read_with(
        CSV,
        b"name,qty\r\nlong-name!,1\r\nshort,2\r\n",
        &with_limits(8, 10),
    );

    assert_eq!(
        parsed.note(0),
        Some("row 2: field \"name\" of 10 bytes exceeds the limit of 8 bytes; shorten the field")
    );
    assert_eq!(parsed.values(0), [RawValue::Empty, text("1")]);
    assert_eq!(parsed.note(1), None);
}

#[test]
fn csv_row_over_column_limit_noted() {
    let parsed = read_with(CSV, b"a,b\r\n1,2,3,4\r\n5,6\r\n", &with_limits(100, 3));

    assert_eq!(
        parsed.note(0),
        Some("row 2: 4 fields, more than the limit of 3 columns; remove the extra fields")
    );
    assert_eq!(parsed.note(1), None);
}

#[test]
fn csv_header_over_column_limit_rejected() {
    let error = open_error(CSV, b"a,b,c,d\r\n1,2,3,4\r\n", &with_limits(100, 3));

    assert_eq!(
        error.to_string(),
        "row 1 has 4 fields, more than the limit of 3 columns; remove the extra columns"
    );
}

#[test]
fn csv_empty_file_rejected() {
    let error = open_error(CSV, b"", &ReadOptions::default());

    assert_eq!(error.to_string(), "the file is empty");
}

#[test]
fn csv_bom_only_file_rejected() {
    let error = open_error(CSV, b"\xEF\xBB\xBF", &ReadOptions::default());

    assert!(matches!(error, ReadError::Empty));
}

#[test]
fn csv_whitespace_only_file_rejected() {
    let error = open_error(CSV, b"  \r\n\t\r\n\r\n", &ReadOptions::default());

    assert!(matches!(error, ReadError::Empty));
}

#[test]
fn csv_header_only_file_has_no_records() {
    let parsed = read(CSV, b"email,amount\r\n");

    assert_eq!(parsed.headers, ["email", "amount"]);
    assert!(parsed.records.is_empty());
}

#[test]
fn field_limit_message_groups_digits() {
    let error = ReadError::FieldTooLong {
        row: 12,
        size: 2_000_000,
        limit: 1_048_576,
    };

    assert_eq!(
        error.to_string(),
        "field of 2,000,000 bytes on row 12 exceeds the limit of 1,048,576 bytes; \
         shorten the field"
    );
}
