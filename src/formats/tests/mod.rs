//! Tests of the writers through the public interface: each test writes a
//! real file with `create_writer` and checks its bytes or reads it back.

#![allow(clippy::unwrap_used, reason = "a failed test panics")]

mod csv;
mod json;
mod xlsx;

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use tempfile::TempDir;

use super::{Cell, Column, ColumnKind, Format, FormatError, Row, WriterOptions, create_writer};

/// Writes `rows` to a new file in a temporary directory, which the caller
/// keeps alive while it reads the file.
fn write_export(
    format: Format,
    columns: &'static [Column],
    rows: &[Row],
    options: &WriterOptions,
) -> (TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let path = directory
        .path()
        .join(format!("export.{}", format.extension()));
    let mut writer = create_writer(format, columns, &path, options).unwrap();

    for row in rows {
        writer.write_row(row).unwrap();
    }

    writer.finish().unwrap();

    (directory, path)
}

fn write_text(format: Format, columns: &'static [Column], rows: &[Row]) -> String {
    let (_directory, path) = write_export(format, columns, rows, &WriterOptions::default());

    std::fs::read_to_string(path).unwrap()
}

fn row(cells: Vec<Cell>) -> Row {
    Row {
        cells,
        children: Vec::new(),
    }
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

fn timestamp(date: (i32, u32, u32), time: (u32, u32, u32)) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(date.0, date.1, date.2)
        .and_then(|day| day.and_hms_opt(time.0, time.1, time.2))
        .unwrap()
}

const TWO_COLUMNS: &[Column] = &[
    Column::new("id", ColumnKind::Integer),
    Column::new("name", ColumnKind::Text),
];

#[test]
fn format_parses_every_name() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>().unwrap(), format);
    }
}

#[test]
fn format_rejects_unknown_name() {
    let error = "xls".parse::<Format>().unwrap_err();

    assert!(matches!(error, FormatError::UnknownFormat(name) if name == "xls"));
}

#[test]
fn format_serializes_lowercase() {
    assert_eq!(
        serde_json::to_string(&Format::Ndjson).unwrap(),
        "\"ndjson\""
    );
    assert_eq!(
        serde_json::from_str::<Format>("\"xlsx\"").unwrap(),
        Format::Xlsx
    );
}

#[test]
fn format_extension_and_content_type() {
    assert_eq!(Format::Csv.extension(), "csv");
    assert_eq!(Format::Ndjson.extension(), "ndjson");
    assert_eq!(Format::Csv.content_type(), "text/csv; charset=utf-8");
    assert_eq!(Format::Json.content_type(), "application/json");
    assert_eq!(Format::Ndjson.content_type(), "application/x-ndjson");
    assert_eq!(
        Format::Xlsx.content_type(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
}

#[test]
fn writer_options_default_fills_excel_sheet() {
    let options = WriterOptions::default();

    assert!(!options.excel_compatible);
    // 1,048,575 data rows plus the header row make Excel's 1,048,576 rows.
    assert_eq!(options.xlsx_rows_per_sheet, 1_048_575);
}

#[test]
fn write_row_rejects_wrong_cell_count() {
    for format in Format::ALL {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("export");
        let options = WriterOptions::default();
        let mut writer = create_writer(format, TWO_COLUMNS, &path, &options).unwrap();

        let error = writer.write_row(&row(vec![Cell::Integer(1)])).unwrap_err();

        assert!(
            matches!(
                error,
                FormatError::CellCount {
                    expected: 2,
                    found: 1
                }
            ),
            "{format}: {error}"
        );
    }
}

#[test]
fn write_row_rejects_invalid_decimal() {
    const COLUMNS: &[Column] = &[Column::new("total", ColumnKind::Decimal)];

    for format in Format::ALL {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("export");
        let options = WriterOptions::default();
        let mut writer = create_writer(format, COLUMNS, &path, &options).unwrap();
        let cells = vec![Cell::Decimal("=1+1".to_owned())];

        let error = writer.write_row(&row(cells)).unwrap_err();

        assert!(
            matches!(&error, FormatError::InvalidDecimal { column: "total", value } if value == "=1+1"),
            "{format}: {error}"
        );
    }
}

#[test]
fn create_writer_reports_missing_directory() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("missing").join("export.csv");
    let options = WriterOptions::default();

    let result = create_writer(Format::Csv, TWO_COLUMNS, &path, &options);

    assert!(matches!(result, Err(FormatError::Io { path: failed, .. }) if failed == path));
}
