//! Streaming readers for imported CSV, JSON, NDJSON and XLSX files.
//!
//! [`open_reader`] returns a [`RecordReader`] that yields one
//! [`SourceRecord`] at a time, so memory use is bounded by the largest
//! record, not by the file size.
//!
//! # Row numbers
//!
//! Every format numbers records the way a spreadsheet numbers rows: the
//! header is row 1 and the first record is row 2.
//!
//! - CSV: each record counts as one row, even when a quoted field spans
//!   several lines. Blank lines and records whose fields are all whitespace
//!   are skipped but still count, so a blank row 3 makes the next record
//!   row 4.
//! - JSON: element `n` of the top-level array (counting from 1) is row
//!   `n + 1`.
//! - NDJSON: line `n` (counting from 1) is row `n + 1`. Blank lines are
//!   skipped but still count.
//!
//! # Errors and notes
//!
//! A problem confined to one record, such as a missing field or invalid
//! JSON on one line, is reported in [`SourceRecord::note`] and the reader
//! goes on. A [`ReadError`] from [`RecordReader::next_record`] means the
//! reader cannot go on, and every later call returns `None`.

mod csv;
mod delimiter;
mod error;
mod json;
mod json_source;
mod source;
pub mod xlsx;

#[cfg(test)]
mod tests;

use std::path::Path;

use unicode_normalization::UnicodeNormalization;

pub use error::{ReadError, RowProblem, row_note};

/// One value as the source file stores it, before any conversion to the
/// type of the target column.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    DateTime(chrono::NaiveDateTime),
    Date(chrono::NaiveDate),
}

/// One record of the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// Spreadsheet-style row number, see the module documentation.
    pub row: u64,
    /// Values aligned with [`RecordReader::headers`] as they were when the
    /// reader parsed the record. Missing trailing values are
    /// [`RawValue::Empty`], and a record may have fewer values than a list
    /// of headers that grew after it.
    pub values: Vec<RawValue>,
    /// Number of fields the source record really had: CSV fields, or keys
    /// of a JSON object.
    pub field_count: usize,
    /// Problem the reader found in this record, starting with "row N: ",
    /// such as `"row 4: 2 fields, expected 3"`. The import reports it as an
    /// error of this row.
    pub note: Option<String>,
    /// Source text of a JSON element that is not an object, which the
    /// failed-rows file writes back as it was.
    pub raw: Option<String>,
}

/// Streaming reader of one import file.
pub trait RecordReader: Send {
    /// Returns the header names exactly as the file spells them. Use
    /// [`normalize_header`] to match them against column names.
    ///
    /// JSON and NDJSON readers start with the keys of the first object and
    /// append each key first seen in a later object, so the list can grow
    /// while records are read.
    fn headers(&self) -> &[String];

    /// Returns the next record, `None` at the end of the file, or an error
    /// after which the reader returns `None`.
    fn next_record(&mut self) -> Option<Result<SourceRecord, ReadError>>;

    /// Returns how a CSV file is written, or `None` for other formats.
    fn csv_dialect(&self) -> Option<CsvDialect> {
        None
    }
}

/// Delimiter and encoding of a CSV file, detected or as the import's
/// options set them. The failed-rows file is written the same way, so
/// that it opens in the user's spreadsheet as the upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvDialect {
    pub delimiter: u8,
    pub encoding: &'static encoding_rs::Encoding,
    /// Flag for a file that starts with a byte order mark.
    pub bom: bool,
}

/// Settings of one import. Each reader ignores the settings of the other
/// formats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// CSV field delimiter. `None` detects comma, semicolon, tab or pipe.
    pub delimiter: Option<u8>,
    /// Encoding label such as `"utf-8"`, `"windows-1252"`, `"utf-16le"` or
    /// `"utf-16be"`, in the WHATWG Encoding Standard's spelling. It
    /// overrides both the byte order mark and detection. `None` uses the
    /// byte order mark, else UTF-8, and for CSV falls back to Windows-1252
    /// when the start of the file is not valid UTF-8.
    pub encoding: Option<String>,
    /// XLSX worksheet name. `None` reads the first worksheet.
    pub sheet: Option<String>,
    pub limits: ReadLimits,
}

/// Limits that protect the server from hostile or broken files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Maximum size of one field in bytes, after transcoding to UTF-8.
    pub max_field_bytes: usize,
    /// Maximum number of fields in one record or header.
    pub max_columns: usize,
    /// Maximum total uncompressed size of the entries of an XLSX file.
    pub max_decompressed_bytes: u64,
    /// Maximum number of entries in the ZIP archive of an XLSX file.
    pub max_zip_entries: usize,
    /// Maximum uncompressed size of an XLSX file's shared-strings part,
    /// which calamine reads into memory whole.
    pub max_shared_strings_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_field_bytes: 1024 * 1024,
            max_columns: 1_000,
            max_decompressed_bytes: 1024 * 1024 * 1024,
            max_zip_entries: 10_000,
            max_shared_strings_bytes: 128 * 1024 * 1024,
        }
    }
}

/// File format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Json,
    Ndjson,
    Xlsx,
}

impl SourceFormat {
    /// Detects the format from the file name extension, or when the
    /// extension is unknown, from the first bytes of the file: `[` is JSON,
    /// `{` is NDJSON and other text is CSV. A ZIP signature is XLSX
    /// whatever the extension.
    /// Returns `None` for an extension of a format Ferry does not read,
    /// such as `.xls` or `.pdf`, and for content that is neither text nor
    /// one of the signatures.
    pub fn detect(file_name: &str, first_bytes: &[u8]) -> Option<SourceFormat> {
        if has_foreign_extension(file_name) {
            return None;
        }
        // A ZIP archive cannot be CSV or JSON text, whatever its name.
        if first_bytes.starts_with(b"PK\x03\x04") {
            return Some(SourceFormat::Xlsx);
        }
        from_extension(file_name).or_else(|| sniff(first_bytes))
    }
}

/// Bytes read from the start of a file to detect its format.
const SNIFF_BYTES: usize = 512;

/// Reads the first bytes of the file at `path` and detects its format as
/// [`SourceFormat::detect`] does; `Ok(None)` means no format Ferry reads.
pub async fn detect_file(path: &Path, file_name: &str) -> std::io::Result<Option<SourceFormat>> {
    use tokio::io::AsyncReadExt;

    let mut file = tokio::fs::File::open(path).await?;
    let mut first = vec![0; SNIFF_BYTES];
    let length = file.read(&mut first).await?;
    first.truncate(length);

    Ok(SourceFormat::detect(file_name, &first))
}

fn from_extension(file_name: &str) -> Option<SourceFormat> {
    let (_, extension) = file_name.rsplit_once('.')?;

    match extension.to_ascii_lowercase().as_str() {
        "csv" | "tsv" | "txt" => Some(SourceFormat::Csv),
        "json" => Some(SourceFormat::Json),
        "ndjson" | "jsonl" => Some(SourceFormat::Ndjson),
        "xlsx" => Some(SourceFormat::Xlsx),
        _ => None,
    }
}

/// Extensions of formats that are not CSV, JSON, NDJSON or XLSX, even
/// though their content may look like text or a ZIP archive.
const FOREIGN_EXTENSIONS: &[&str] = &[
    "xls", "xlsm", "xlsb", "ods", "numbers", "pdf", "doc", "docx", "zip", "gz", "png", "jpg",
    "jpeg", "gif", "xml", "html", "htm",
];

fn has_foreign_extension(file_name: &str) -> bool {
    file_name.rsplit_once('.').is_some_and(|(_, extension)| {
        FOREIGN_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
    })
}

/// Returns whether the bytes can be the start of a text file: no control
/// characters other than tab, line breaks and form feed, unless a UTF-16
/// byte order mark explains the zero bytes.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    bytes
        .iter()
        .all(|byte| *byte >= 0x20 || matches!(byte, b'\t' | b'\r' | b'\n' | 0x0c))
}

fn sniff(first_bytes: &[u8]) -> Option<SourceFormat> {
    if first_bytes.starts_with(b"PK\x03\x04") {
        return Some(SourceFormat::Xlsx);
    }

    let text = first_bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(first_bytes);
    let first = text.iter().find(|byte| !byte.is_ascii_whitespace())?;

    match first {
        b'[' => Some(SourceFormat::Json),
        b'{' => Some(SourceFormat::Ndjson),
        _ if looks_like_text(first_bytes) => Some(SourceFormat::Csv),
        _ => None,
    }
}

/// Opens the file at `path` and reads its header, or for JSON and NDJSON
/// its first object.
pub fn open_reader(
    format: SourceFormat,
    path: &Path,
    options: &ReadOptions,
) -> Result<Box<dyn RecordReader>, ReadError> {
    let reader: Box<dyn RecordReader> = match format {
        SourceFormat::Csv => Box::new(csv::CsvReader::open(path, options)?),
        SourceFormat::Json => Box::new(json::open_array(path, options)?),
        SourceFormat::Ndjson => Box::new(json::open_lines(path, options)?),
        SourceFormat::Xlsx => return xlsx::open(path, options),
    };

    Ok(reader)
}

/// Normalizes a header for matching against column names: NFKC
/// normalization, lowercase, no leading or trailing Unicode whitespace or
/// byte order mark, and each inner run of whitespace as one space.
/// `"Full\u{a0}Name "` becomes `"full name"`.
pub fn normalize_header(raw: &str) -> String {
    let normalized: String = raw
        .nfkc()
        .filter(|character| *character != '\u{feff}')
        .collect();
    let lowercase = normalized.to_lowercase();

    lowercase.split_whitespace().collect::<Vec<_>>().join(" ")
}
