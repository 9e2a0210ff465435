//! Errors raised while writing an export file.

use std::io;
use std::path::PathBuf;

/// Failure of a [`RecordWriter`](super::RecordWriter) or of
/// [`create_writer`](super::create_writer).
#[derive(thiserror::Error, Debug)]
pub enum FormatError {
    #[error("failed to write export file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },

    #[error("failed to write CSV record to {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },

    #[error("failed to write JSON value to {path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },

    #[error("failed to write XLSX workbook {path}: {source}")]
    Xlsx {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },

    #[error("row has {found} cells but the export has {expected} columns")]
    CellCount { expected: usize, found: usize },

    #[error("row of child {child:?} has {found} cells but the child has {expected} columns")]
    ChildCellCount {
        child: &'static str,
        expected: usize,
        found: usize,
    },

    #[error(
        "invalid decimal {value:?} in column {column:?}: expected an optional '-', \
         digits and an optional '.' followed by digits, such as \"-12.50\""
    )]
    InvalidDecimal { column: &'static str, value: String },

    #[error("invalid xlsx_rows_per_sheet {0}: expected 1 to 1048575 data rows")]
    InvalidRowsPerSheet(usize),

    #[error("unknown export format {0:?}: expected csv, json, ndjson or xlsx")]
    UnknownFormat(String),
}
