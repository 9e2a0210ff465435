use chrono::NaiveDate;
use serde_json::Value;

use super::{TWO_COLUMNS, row, text, timestamp, write_text};
use crate::formats::{Cell, Child, Column, ColumnKind, Format, Row};

#[test]
fn json_empty_export_writes_empty_array() {
    assert_eq!(write_text(Format::Json, TWO_COLUMNS, &[]), "[]\n");
}

#[test]
fn ndjson_empty_export_writes_empty_file() {
    assert_eq!(write_text(Format::Ndjson, TWO_COLUMNS, &[]), "");
}

#[test]
fn json_writes_keys_in_column_order() {
    const COLUMNS: &[Column] = &[
        Column::new("zone", ColumnKind::Text),
        Column::new("amount", ColumnKind::Integer),
    ];
    let rows = [
        row(vec![text("north"), Cell::Integer(1)]),
        row(vec![text("south"), Cell::Integer(-2)]),
    ];

    let output = write_text(Format::Json, COLUMNS, &rows);

    assert_eq!(
        output,
        "[{\"zone\":\"north\",\"amount\":1},\n{\"zone\":\"south\",\"amount\":-2}]\n"
    );
}

#[test]
fn ndjson_writes_one_object_per_line() {
    let rows = [
        row(vec![Cell::Integer(1), text("a")]),
        row(vec![Cell::Integer(2), Cell::Null]),
    ];

    let output = write_text(Format::Ndjson, TWO_COLUMNS, &rows);

    assert_eq!(
        output,
        "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":null}\n"
    );
}

#[test]
fn json_keeps_decimal_digits_as_string() {
    const COLUMNS: &[Column] = &[Column::new("price", ColumnKind::Decimal)];
    let rows = [row(vec![Cell::Decimal("0.10".to_owned())])];

    let output = write_text(Format::Json, COLUMNS, &rows);
    let parsed: Value = serde_json::from_str(&output).unwrap();

    assert_eq!(output, "[{\"price\":\"0.10\"}]\n");
    assert_eq!(parsed[0]["price"], Value::String("0.10".to_owned()));
}

#[test]
fn json_keeps_long_identifier_as_string() {
    const COLUMNS: &[Column] = &[Column::new("order_number", ColumnKind::Identifier)];
    let rows = [row(vec![Cell::Identifier(
        "4000123412341234567".to_owned(),
    )])];

    let output = write_text(Format::Json, COLUMNS, &rows);
    let parsed: Value = serde_json::from_str(&output).unwrap();

    assert_eq!(
        parsed[0]["order_number"],
        Value::String("4000123412341234567".to_owned())
    );
}

#[test]
fn json_writes_timestamps_in_utc() {
    const COLUMNS: &[Column] = &[Column::new("created_at", ColumnKind::Timestamp)];
    let rows = [
        row(vec![Cell::Timestamp(timestamp((2024, 10, 27), (0, 30, 0)))]),
        row(vec![Cell::Timestamp(timestamp((2024, 10, 27), (1, 30, 0)))]),
    ];

    let output = write_text(Format::Ndjson, COLUMNS, &rows);

    assert_eq!(
        output,
        "{\"created_at\":\"2024-10-27T00:30:00Z\"}\n{\"created_at\":\"2024-10-27T01:30:00Z\"}\n"
    );
}

#[test]
fn json_writes_dates_and_bools() {
    const COLUMNS: &[Column] = &[
        Column::new("shipped_on", ColumnKind::Date),
        Column::new("paid", ColumnKind::Bool),
    ];
    let date = NaiveDate::from_ymd_opt(2024, 10, 27).unwrap();
    let rows = [row(vec![Cell::Date(date), Cell::Bool(true)])];

    let output = write_text(Format::Ndjson, COLUMNS, &rows);

    assert_eq!(output, "{\"shipped_on\":\"2024-10-27\",\"paid\":true}\n");
}

#[test]
fn json_escapes_text_without_formula_guard() {
    let rows = [row(vec![Cell::Integer(1), text("=1+1 \"q\"\n\\ São")])];

    let output = write_text(Format::Ndjson, TWO_COLUMNS, &rows);

    assert_eq!(
        output,
        "{\"id\":1,\"name\":\"=1+1 \\\"q\\\"\\n\\\\ São\"}\n"
    );
}

#[test]
fn json_nests_children_after_columns() {
    const ORDER_COLUMNS: &[Column] = &[Column::new("order_number", ColumnKind::Identifier)];
    const LINE_COLUMNS: &[Column] = &[
        Column::new("sku", ColumnKind::Identifier),
        Column::new("quantity", ColumnKind::Integer),
    ];
    const NOTE_COLUMNS: &[Column] = &[Column::new("body", ColumnKind::Text)];
    let lines = Child {
        name: "lines",
        columns: LINE_COLUMNS,
        rows: vec![
            vec![Cell::Identifier("A-1".to_owned()), Cell::Integer(2)],
            vec![Cell::Identifier("B-2".to_owned()), Cell::Integer(1)],
        ],
    };
    let notes = Child {
        name: "notes",
        columns: NOTE_COLUMNS,
        rows: Vec::new(),
    };
    let rows = [Row {
        cells: vec![Cell::Identifier("1001".to_owned())],
        children: vec![lines, notes],
    }];

    let output = write_text(Format::Json, ORDER_COLUMNS, &rows);

    assert_eq!(
        output,
        "[{\"order_number\":\"1001\",\
         \"lines\":[{\"sku\":\"A-1\",\"quantity\":2},{\"sku\":\"B-2\",\"quantity\":1}],\
         \"notes\":[]}]\n"
    );
}

#[test]
fn json_output_parses_as_array() {
    let rows: Vec<Row> = (0..3)
        .map(|id| row(vec![Cell::Integer(id), text("x")]))
        .collect();

    let output = write_text(Format::Json, TWO_COLUMNS, &rows);
    let parsed: Vec<Value> = serde_json::from_str(&output).unwrap();

    assert_eq!(parsed.len(), 3);
}
