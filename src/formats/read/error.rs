//! Errors that stop a reader, and problems confined to one record.

use std::io;
use std::path::PathBuf;

/// Failure after which a reader cannot go on.
#[derive(thiserror::Error, Debug)]
pub enum ReadError {
    #[error("failed to read import file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },

    #[error("the file is empty")]
    Empty,

    #[error(
        "unknown encoding {0:?}; set encoding to a name such as utf-8, windows-1252, \
         utf-16le or utf-16be"
    )]
    UnknownEncoding(String),

    #[error("invalid UTF-8 on row {row}; save the file as UTF-8 or set encoding=windows-1252")]
    InvalidUtf8 { row: u64 },

    #[error(
        "field of {} bytes on row {row} exceeds the limit of {} bytes; shorten the field",
        grouped(*.size as u64),
        grouped(*.limit as u64)
    )]
    FieldTooLong { row: u64, size: usize, limit: usize },

    #[error(
        "row {row} has {} fields, more than the limit of {} columns; remove the extra columns",
        grouped(*.found as u64),
        grouped(*.limit as u64)
    )]
    TooManyColumns {
        row: u64,
        found: usize,
        limit: usize,
    },

    #[error(
        "the JSON file starts with {found}, not '['; save it as an array of objects \
         or import it as NDJSON"
    )]
    NotAnArray { found: String },

    #[error(
        "the JSON array ends before its closing ']' in row {row}; the file may be cut off, \
         so export it again"
    )]
    UnexpectedEnd { row: u64 },

    #[error("the file is not a valid {format} file: {detail}")]
    Malformed {
        format: &'static str,
        detail: String,
    },

    #[error(
        "file too large when decompressed: the workbook expands to more than {} bytes; split it into smaller workbooks",
        grouped(*.limit)
    )]
    TooLargeDecompressed { limit: u64 },

    #[error(
        "the workbook has more than {} parts in its zip archive; remove unused worksheets",
        grouped(*.limit as u64)
    )]
    TooManyEntries { limit: usize },

    #[error(
        "the workbook's shared strings expand to more than {} bytes, which is more text than Ferry holds in memory; split the workbook into smaller ones",
        grouped(*.limit)
    )]
    TooManySharedStrings { limit: u64 },

    #[error(
        "a cell of the workbook holds more than {} bytes of XML text; shorten it",
        grouped(*.limit)
    )]
    CellTooLong { limit: u64 },

    #[error("the XLSX file is damaged or truncated: {0}")]
    Xlsx(String),

    #[error("the workbook is password-protected; remove the password and upload it again")]
    Encrypted,

    #[error("the workbook contains a DOCTYPE declaration, which Ferry does not accept")]
    Doctype,

    #[error(
        "row {row}, column {column}: the value is longer than {} bytes; shorten it",
        grouped(*.limit as u64)
    )]
    FieldTooLarge {
        row: u64,
        column: String,
        limit: usize,
    },

    #[error("worksheet {name:?} not found; the workbook has {}", available.join(", "))]
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },

    #[error("{0} import is not supported yet; save the file as CSV and import that")]
    Unsupported(&'static str),
}

/// Problem confined to one record. The reader reports it in
/// [`SourceRecord::note`](super::SourceRecord::note) through [`row_note`]
/// and goes on with the next record.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    #[error("{found} fields, expected {expected}")]
    FieldCount { found: usize, expected: usize },

    #[error(
        "{} fields, more than the limit of {} columns; remove the extra fields",
        grouped(*.found as u64),
        grouped(*.limit as u64)
    )]
    TooManyColumns { found: usize, limit: usize },

    #[error(
        "field {column:?} of {} bytes exceeds the limit of {} bytes; shorten the field",
        grouped(*.size as u64),
        grouped(*.limit as u64)
    )]
    FieldTooLong {
        column: String,
        size: usize,
        limit: usize,
    },

    #[error("invalid UTF-8; save the file as UTF-8 or set encoding=windows-1252")]
    InvalidUtf8,

    #[error(
        "a quoted field that starts in this row is never closed, so the rest of the file \
         was read into it; add the closing quote (\") and import the rows from here again"
    )]
    UnclosedQuote,

    #[error(
        "column {column} has a value but no header, since the header row ends at column \
         {header_last}; add a header for it or clear the cell"
    )]
    PastHeader { column: String, header_last: String },

    #[error("expected an object, found {found}")]
    NotAnObject { found: &'static str },

    #[error("invalid JSON: {detail}")]
    InvalidJson { detail: String },
}

/// Joins the problems of one record into a note such as
/// `"row 4: 2 fields, expected 3"`, or returns `None` when there are none.
pub fn row_note(row: u64, problems: &[RowProblem]) -> Option<String> {
    if problems.is_empty() {
        return None;
    }

    let descriptions: Vec<String> = problems.iter().map(ToString::to_string).collect();

    Some(format!("row {row}: {}", descriptions.join("; ")))
}

/// Formats a count with comma thousands separators, such as "1,048,576".
pub(super) fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut output = String::with_capacity(digits.len() + digits.len() / 3);

    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            output.push(',');
        }
        output.push(digit);
    }

    output
}
