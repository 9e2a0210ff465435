//! CSV writer: RFC 4180 with CRLF record terminators, UTF-8 and a header
//! record of column names.

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::cell::{format_date, format_timestamp, validate_row};
use super::{Cell, Column, FormatError, RecordWriter, Row, WriterOptions};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Leading characters that make a spreadsheet read a field as a formula.
/// Tab, CR and LF are included because some spreadsheets strip leading
/// whitespace before they look for a formula.
const FORMULA_TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

pub(super) struct CsvWriter {
    writer: csv::Writer<File>,
    columns: &'static [Column],
    path: PathBuf,
}

impl CsvWriter {
    pub(super) fn create(
        columns: &'static [Column],
        path: &Path,
        options: &WriterOptions,
    ) -> Result<Self, FormatError> {
        let io_error = |source| FormatError::Io {
            path: path.to_owned(),
            source,
        };

        let mut file = File::create(path).map_err(io_error)?;

        if options.excel_compatible {
            file.write_all(UTF8_BOM).map_err(io_error)?;
        }

        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(file);

        let mut csv_writer = CsvWriter {
            writer,
            columns,
            path: path.to_owned(),
        };

        csv_writer.write_header()?;

        Ok(csv_writer)
    }

    fn write_header(&mut self) -> Result<(), FormatError> {
        let names = self.columns.iter().map(|column| column.name);

        self.writer
            .write_record(names)
            .map_err(|source| self.csv_error(source))
    }

    fn csv_error(&self, source: csv::Error) -> FormatError {
        FormatError::Csv {
            path: self.path.clone(),
            source,
        }
    }
}

impl RecordWriter for CsvWriter {
    fn write_row(&mut self, row: &Row) -> Result<(), FormatError> {
        validate_row(self.columns, row)?;

        for cell in &row.cells {
            self.writer
                .write_field(field_text(cell).as_bytes())
                .map_err(|source| self.csv_error(source))?;
        }

        self.writer
            .write_record(None::<&[u8]>)
            .map_err(|source| self.csv_error(source))
    }

    fn finish(self: Box<Self>) -> Result<(), FormatError> {
        let path = self.path;
        let io_error = |source| FormatError::Io {
            path: path.clone(),
            source,
        };

        let file = self
            .writer
            .into_inner()
            .map_err(|error| io_error(error.into_error()))?;

        file.sync_all().map_err(io_error)
    }
}

/// Returns the CSV field of one cell. Null becomes an empty field.
fn field_text(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Text(text) | Cell::Identifier(text) => guard_formula(text),
        Cell::Integer(value) => Cow::Owned(value.to_string()),
        Cell::Decimal(value) => Cow::Borrowed(value),
        Cell::Timestamp(timestamp) => Cow::Owned(format_timestamp(timestamp)),
        Cell::Date(date) => Cow::Owned(format_date(date)),
        Cell::Bool(value) => Cow::Borrowed(if *value { "true" } else { "false" }),
    }
}

/// Prefixes `'` to text that a spreadsheet would run as a formula. The `'`
/// stays in the field, so any program that parses the file reads `'=1+1`.
fn guard_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}
