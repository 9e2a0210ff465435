//! Readers and writers for CSV, JSON, NDJSON and XLSX.
//!
//! An export is a fixed list of [`Column`]s and a stream of [`Row`]s. Each
//! format has a [`RecordWriter`] that writes rows to a file one at a time, so
//! memory use does not grow with the number of rows.

mod cell;
mod csv;
pub mod encode;
mod error;
mod json;
pub mod read;
mod xlsx;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use error::FormatError;

/// File format of an export or import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Json,
    Ndjson,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Json, Format::Ndjson, Format::Xlsx];

    /// Returns the lowercase name used in URLs, settings and serde.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Xlsx => "xlsx",
        }
    }

    /// Returns the file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// Returns the MIME type to send in a `Content-Type` header.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Ndjson => "application/x-ndjson",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str() == name)
            .ok_or_else(|| FormatError::UnknownFormat(name.to_owned()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Declared type of the values in a column. Writers do not check cells
/// against it, because each [`Cell`] variant carries its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Identifier,
    Integer,
    Decimal,
    Timestamp,
    Date,
    Bool,
}

/// Name and type of one column. The name is the CSV and XLSX header and the
/// JSON object key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
}

impl Column {
    pub const fn new(name: &'static str, kind: ColumnKind) -> Self {
        Column { name, kind }
    }
}

/// One value of a row. Writers choose the output type from the cell variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    /// Free text. CSV prefixes it with `'` when a spreadsheet would read it
    /// as a formula.
    Text(String),
    /// Text that writers never convert to a number, such as an order number
    /// of 19 digits, a postal code with a leading zero or a SKU. CSV guards
    /// it against formulas like [`Cell::Text`], because users supply it too.
    Identifier(String),
    Integer(i64),
    /// Exact decimal such as `"0.10"` or `"-12.50"`: an optional `-`, digits,
    /// and an optional `.` followed by digits. Writers reject any other text.
    Decimal(String),
    /// Point in time in UTC.
    Timestamp(chrono::NaiveDateTime),
    Date(chrono::NaiveDate),
    Bool(bool),
}

/// Nested records of a row, such as the lines of an order. JSON and NDJSON
/// write them as an array under the key `name`. CSV and XLSX ignore them.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub rows: Vec<Vec<Cell>>,
}

/// One record: a cell per export column, in column order, and its children.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub children: Vec<Child>,
}

/// Settings shared by all writers. Each writer ignores the options of the
/// other formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterOptions {
    /// Starts CSV files with the UTF-8 byte order mark. Without it, Excel
    /// opens a CSV file in the system's legacy code page and garbles
    /// non-ASCII text.
    pub excel_compatible: bool,
    /// Maximum number of data rows per XLSX worksheet, not counting the
    /// header row. Further rows continue on a new worksheet.
    pub xlsx_rows_per_sheet: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            excel_compatible: false,
            xlsx_rows_per_sheet: xlsx::MAX_DATA_ROWS_PER_SHEET,
        }
    }
}

/// Streaming writer of one export file.
///
/// The file is complete only after [`finish`](RecordWriter::finish) returns
/// `Ok`. A writer dropped without `finish` leaves a truncated file behind.
pub trait RecordWriter: Send {
    /// Appends one row. Rejects a row whose cell count differs from the
    /// column count, and a [`Cell::Decimal`] that is not a decimal number.
    fn write_row(&mut self, row: &Row) -> Result<(), FormatError>;

    /// Writes the end of the file, or for XLSX the whole workbook, then
    /// flushes the file and syncs it to disk.
    fn finish(self: Box<Self>) -> Result<(), FormatError>;
}

/// Creates or truncates the file at `path` and writes the header: the CSV
/// header record, the JSON `[`, or the XLSX header row. NDJSON has no
/// header.
pub fn create_writer(
    format: Format,
    columns: &'static [Column],
    path: &Path,
    options: &WriterOptions,
) -> Result<Box<dyn RecordWriter>, FormatError> {
    let writer: Box<dyn RecordWriter> = match format {
        Format::Csv => Box::new(csv::CsvWriter::create(columns, path, options)?),
        Format::Json => Box::new(json::JsonWriter::create_array(columns, path)?),
        Format::Ndjson => Box::new(json::JsonWriter::create_lines(columns, path)?),
        Format::Xlsx => Box::new(xlsx::XlsxWriter::create(columns, path, options)?),
    };

    Ok(writer)
}
