//! JSON array and NDJSON writers. Both write one object per row, with keys in
//! column order followed by one array per child.
//!
//! The objects are written key by key rather than through
//! `serde_json::Value`, because this crate builds serde_json without
//! `preserve_order` and a `Value` object would sort its keys.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::cell::{format_date, format_timestamp, validate_row};
use super::{Cell, Child, Column, FormatError, RecordWriter, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One JSON array: `[`, objects separated by `,\n`, then `]\n`.
    Array,
    /// NDJSON: each object followed by `\n`.
    Lines,
}

pub(super) struct JsonWriter {
    out: BufWriter<File>,
    columns: &'static [Column],
    path: PathBuf,
    layout: Layout,
    rows_written: u64,
}

impl JsonWriter {
    pub(super) fn create_array(
        columns: &'static [Column],
        path: &Path,
    ) -> Result<Self, FormatError> {
        let mut writer = Self::create(columns, path, Layout::Array)?;

        writer
            .out
            .write_all(b"[")
            .map_err(|source| writer.io_error(source))?;

        Ok(writer)
    }

    pub(super) fn create_lines(
        columns: &'static [Column],
        path: &Path,
    ) -> Result<Self, FormatError> {
        Self::create(columns, path, Layout::Lines)
    }

    fn create(
        columns: &'static [Column],
        path: &Path,
        layout: Layout,
    ) -> Result<Self, FormatError> {
        let file = File::create(path).map_err(|source| FormatError::Io {
            path: path.to_owned(),
            source,
        })?;

        Ok(JsonWriter {
            out: BufWriter::new(file),
            columns,
            path: path.to_owned(),
            layout,
            rows_written: 0,
        })
    }

    fn write_record(&mut self, row: &Row) -> Result<(), serde_json::Error> {
        if self.layout == Layout::Array && self.rows_written > 0 {
            self.out.write_all(b",\n").map_err(serde_json::Error::io)?;
        }

        write_object(&mut self.out, self.columns, &row.cells, &row.children)?;

        if self.layout == Layout::Lines {
            self.out.write_all(b"\n").map_err(serde_json::Error::io)?;
        }

        Ok(())
    }

    fn io_error(&self, source: io::Error) -> FormatError {
        FormatError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

impl RecordWriter for JsonWriter {
    fn write_row(&mut self, row: &Row) -> Result<(), FormatError> {
        validate_row(self.columns, row)?;

        self.write_record(row).map_err(|source| FormatError::Json {
            path: self.path.clone(),
            source,
        })?;

        self.rows_written += 1;

        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), FormatError> {
        if self.layout == Layout::Array {
            self.out
                .write_all(b"]\n")
                .map_err(|source| self.io_error(source))?;
        }

        let path = self.path;
        let io_error = |source| FormatError::Io {
            path: path.clone(),
            source,
        };

        let file = self
            .out
            .into_inner()
            .map_err(|error| io_error(error.into_error()))?;

        file.sync_all().map_err(io_error)
    }
}

/// Writes `{"column":value,...,"child":[{...},...]}`.
fn write_object(
    out: &mut impl Write,
    columns: &[Column],
    cells: &[Cell],
    children: &[Child],
) -> Result<(), serde_json::Error> {
    out.write_all(b"{").map_err(serde_json::Error::io)?;

    let mut separator: &[u8] = b"";

    for (column, cell) in columns.iter().zip(cells) {
        out.write_all(separator).map_err(serde_json::Error::io)?;
        separator = b",";

        write_key(out, column.name)?;
        write_value(out, cell)?;
    }

    for child in children {
        out.write_all(separator).map_err(serde_json::Error::io)?;
        separator = b",";

        write_key(out, child.name)?;
        write_child(out, child)?;
    }

    out.write_all(b"}").map_err(serde_json::Error::io)
}

fn write_key(out: &mut impl Write, key: &str) -> Result<(), serde_json::Error> {
    serde_json::to_writer(&mut *out, key)?;

    out.write_all(b":").map_err(serde_json::Error::io)
}

fn write_child(out: &mut impl Write, child: &Child) -> Result<(), serde_json::Error> {
    out.write_all(b"[").map_err(serde_json::Error::io)?;

    for (index, cells) in child.rows.iter().enumerate() {
        if index > 0 {
            out.write_all(b",").map_err(serde_json::Error::io)?;
        }

        write_object(out, child.columns, cells, &[])?;
    }

    out.write_all(b"]").map_err(serde_json::Error::io)
}

/// Writes one cell. Decimals and identifiers become strings so that no JSON
/// parser rounds them to a double.
fn write_value(out: &mut impl Write, cell: &Cell) -> Result<(), serde_json::Error> {
    match cell {
        Cell::Null => out.write_all(b"null").map_err(serde_json::Error::io),
        Cell::Text(text) | Cell::Identifier(text) | Cell::Decimal(text) => {
            serde_json::to_writer(out, text)
        }
        Cell::Integer(value) => serde_json::to_writer(out, value),
        Cell::Timestamp(timestamp) => serde_json::to_writer(out, &format_timestamp(timestamp)),
        Cell::Date(date) => serde_json::to_writer(out, &format_date(date)),
        Cell::Bool(value) => serde_json::to_writer(out, value),
    }
}
