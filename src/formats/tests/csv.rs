use chrono::NaiveDate;

use super::{TWO_COLUMNS, row, text, timestamp, write_export, write_text};
use crate::formats::{Cell, Child, Column, ColumnKind, Format, Row, WriterOptions};

const GUARD_COLUMNS: &[Column] = &[
    Column::new("note", ColumnKind::Text),
    Column::new("amount", ColumnKind::Integer),
];

fn guarded_field(value: &str) -> String {
    let rows = [row(vec![text(value), Cell::Integer(-42)])];
    let output = write_text(Format::Csv, GUARD_COLUMNS, &rows);

    output
        .strip_prefix("note,amount\r\n")
        .and_then(|record| record.strip_suffix(",-42\r\n"))
        .unwrap_or_else(|| panic!("unexpected CSV output {output:?}"))
        .to_owned()
}

#[test]
fn csv_guards_formula_equals() {
    assert_eq!(guarded_field("=1+1"), "'=1+1");
}

#[test]
fn csv_guards_formula_at_sign() {
    assert_eq!(guarded_field("@cmd"), "'@cmd");
}

#[test]
fn csv_guards_formula_tab() {
    assert_eq!(guarded_field("\tx"), "'\tx");
}

#[test]
fn csv_guards_formula_minus() {
    assert_eq!(guarded_field("-3+4"), "'-3+4");
}

#[test]
fn csv_guards_formula_plus() {
    assert_eq!(guarded_field("+3"), "'+3");
}

#[test]
fn csv_guards_formula_line_breaks() {
    assert_eq!(guarded_field("\rx"), "\"'\rx\"");
    assert_eq!(guarded_field("\nx"), "\"'\nx\"");
}

#[test]
fn csv_leaves_plain_text_unguarded() {
    assert_eq!(guarded_field("a=1"), "a=1");
}

#[test]
fn csv_guards_formula_identifier() {
    const COLUMNS: &[Column] = &[Column::new("sku", ColumnKind::Identifier)];
    let rows = [row(vec![Cell::Identifier("=HYPERLINK(1)".to_owned())])];

    let output = write_text(Format::Csv, COLUMNS, &rows);

    assert_eq!(output, "sku\r\n'=HYPERLINK(1)\r\n");
}

#[test]
fn csv_leaves_negative_numbers_unguarded() {
    const COLUMNS: &[Column] = &[
        Column::new("quantity", ColumnKind::Integer),
        Column::new("total", ColumnKind::Decimal),
    ];
    let rows = [row(vec![
        Cell::Integer(-42),
        Cell::Decimal("-12.50".to_owned()),
    ])];

    let output = write_text(Format::Csv, COLUMNS, &rows);

    assert_eq!(output, "quantity,total\r\n-42,-12.50\r\n");
}

#[test]
fn csv_empty_export_writes_header_only() {
    let output = write_text(Format::Csv, TWO_COLUMNS, &[]);

    assert_eq!(output, "id,name\r\n");
}

#[test]
fn csv_quotes_quotes_commas_and_newlines() {
    let rows = [
        row(vec![Cell::Integer(1), text("say \"hi\"")]),
        row(vec![Cell::Integer(2), text("Smith, Jane")]),
        row(vec![Cell::Integer(3), text("line 1\nline 2")]),
    ];

    let output = write_text(Format::Csv, TWO_COLUMNS, &rows);

    let expected = "id,name\r\n\
                    1,\"say \"\"hi\"\"\"\r\n\
                    2,\"Smith, Jane\"\r\n\
                    3,\"line 1\nline 2\"\r\n";
    assert_eq!(output, expected);
}

#[test]
fn csv_writes_timestamps_in_utc() {
    const COLUMNS: &[Column] = &[Column::new("created_at", ColumnKind::Timestamp)];
    let rows = [
        row(vec![Cell::Timestamp(timestamp((2024, 10, 27), (0, 30, 0)))]),
        row(vec![Cell::Timestamp(timestamp((2024, 10, 27), (1, 30, 0)))]),
    ];

    let output = write_text(Format::Csv, COLUMNS, &rows);

    assert_eq!(
        output,
        "created_at\r\n2024-10-27T00:30:00Z\r\n2024-10-27T01:30:00Z\r\n"
    );
}

#[test]
fn csv_writes_dates_bools_and_nulls() {
    const COLUMNS: &[Column] = &[
        Column::new("shipped_on", ColumnKind::Date),
        Column::new("paid", ColumnKind::Bool),
        Column::new("refunded", ColumnKind::Bool),
        Column::new("note", ColumnKind::Text),
    ];
    let date = NaiveDate::from_ymd_opt(2024, 10, 27).unwrap();
    let rows = [row(vec![
        Cell::Date(date),
        Cell::Bool(true),
        Cell::Bool(false),
        Cell::Null,
    ])];

    let output = write_text(Format::Csv, COLUMNS, &rows);

    assert_eq!(
        output,
        "shipped_on,paid,refunded,note\r\n2024-10-27,true,false,\r\n"
    );
}

#[test]
fn csv_keeps_identifier_digits() {
    const COLUMNS: &[Column] = &[
        Column::new("order_number", ColumnKind::Identifier),
        Column::new("postal_code", ColumnKind::Identifier),
    ];
    let rows = [row(vec![
        Cell::Identifier("4000123412341234567".to_owned()),
        Cell::Identifier("02134".to_owned()),
    ])];

    let output = write_text(Format::Csv, COLUMNS, &rows);

    assert_eq!(
        output,
        "order_number,postal_code\r\n4000123412341234567,02134\r\n"
    );
}

#[test]
fn csv_ignores_children() {
    const LINE_COLUMNS: &[Column] = &[Column::new("sku", ColumnKind::Identifier)];
    let child = Child {
        name: "lines",
        columns: LINE_COLUMNS,
        rows: vec![vec![Cell::Identifier("A-1".to_owned())]],
    };
    let rows = [Row {
        cells: vec![Cell::Integer(1), text("a")],
        children: vec![child],
    }];

    let output = write_text(Format::Csv, TWO_COLUMNS, &rows);

    assert_eq!(output, "id,name\r\n1,a\r\n");
}

#[test]
fn csv_excel_compatible_starts_with_bom() {
    const COLUMNS: &[Column] = &[Column::new("city", ColumnKind::Text)];
    let rows = [row(vec![text("São Paulo")])];
    let options = WriterOptions {
        excel_compatible: true,
        ..WriterOptions::default()
    };

    let (_directory, path) = write_export(Format::Csv, COLUMNS, &rows, &options);
    let bytes = std::fs::read(path).unwrap();

    assert_eq!(bytes[..3], [0xEF, 0xBB, 0xBF]);
    assert_eq!(bytes[3..], *b"city\r\nS\xC3\xA3o Paulo\r\n");
}

#[test]
fn csv_omits_bom_by_default() {
    let (_directory, path) = write_export(Format::Csv, TWO_COLUMNS, &[], &WriterOptions::default());
    let bytes = std::fs::read(path).unwrap();

    assert_eq!(bytes, b"id,name\r\n");
}
