use super::open_error;
use crate::formats::read::RowProblem;
use crate::formats::read::{ReadError, ReadOptions, SourceFormat, normalize_header, row_note};

#[test]
fn detect_by_extension() {
    assert_eq!(SourceFormat::detect("a.csv", b"{"), Some(SourceFormat::Csv));
    assert_eq!(
        SourceFormat::detect("a.JSON", b""),
        Some(SourceFormat::Json)
    );
    assert_eq!(
        SourceFormat::detect("a.ndjson", b"["),
        Some(SourceFormat::Ndjson)
    );
    assert_eq!(
        SourceFormat::detect("a.jsonl", b""),
        Some(SourceFormat::Ndjson)
    );
    assert_eq!(
        SourceFormat::detect("a.xlsx", b""),
        Some(SourceFormat::Xlsx)
    );
}

#[test]
fn detect_sniffs_zip_signature() {
    let format = SourceFormat::detect("upload", b"PK\x03\x04\x14\x00");

    assert_eq!(format, Some(SourceFormat::Xlsx));
}

#[test]
fn detect_sniffs_json_array() {
    let format = SourceFormat::detect("upload.dat", b" \r\n [{\"a\":1}]");

    assert_eq!(format, Some(SourceFormat::Json));
}

#[test]
fn detect_sniffs_ndjson_object() {
    let format = SourceFormat::detect("upload", b"\xEF\xBB\xBF{\"a\":1}\n");

    assert_eq!(format, Some(SourceFormat::Ndjson));
}

#[test]
fn detect_sniffs_other_text_as_csv() {
    let format = SourceFormat::detect("upload", b"email,amount\r\n");

    assert_eq!(format, Some(SourceFormat::Csv));
}

#[test]
fn detect_without_extension_or_content_fails() {
    assert_eq!(SourceFormat::detect("upload", b"  \n"), None);
}

#[test]
fn normalize_header_replaces_no_break_space() {
    assert_eq!(normalize_header("Full\u{a0}Name"), "full name");
}

#[test]
fn normalize_header_trims() {
    assert_eq!(normalize_header(" Email "), "email");
}

#[test]
fn normalize_header_collapses_inner_whitespace() {
    assert_eq!(normalize_header("Unit \t  Price"), "unit price");
}

#[test]
fn normalize_header_applies_nfkc() {
    assert_eq!(normalize_header("\u{feff}ＥＭＡＩＬ"), "email");
}

#[test]
fn row_note_joins_problems() {
    let problems = [
        RowProblem::InvalidUtf8,
        RowProblem::FieldCount {
            found: 2,
            expected: 3,
        },
    ];

    assert_eq!(
        row_note(7, &problems).as_deref(),
        Some(
            "row 7: invalid UTF-8; save the file as UTF-8 or set encoding=windows-1252; \
             2 fields, expected 3"
        )
    );
}

#[test]
fn truncated_xlsx_reported_as_damaged() {
    let error = open_error(SourceFormat::Xlsx, b"PK\x03\x04", &ReadOptions::default());

    assert!(matches!(error, ReadError::Xlsx(_)), "{error:?}");
}

#[test]
fn foreign_and_binary_files_are_not_csv() {
    assert_eq!(SourceFormat::detect("old.xls", b"email,name\n"), None);
    assert_eq!(
        SourceFormat::detect("notes.bin", b"%PDF-1.4 \x00\x01"),
        None
    );
    assert_eq!(
        SourceFormat::detect("utf16.dat", b"\xFF\xFEe\x00,\x00"),
        Some(SourceFormat::Csv)
    );
}

#[test]
fn zip_content_wins_over_csv_name() {
    assert_eq!(
        SourceFormat::detect("export.csv", b"PK\x03\x04\x14\x00"),
        Some(SourceFormat::Xlsx)
    );
}
