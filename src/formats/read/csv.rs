//! CSV reader. The first non-blank record is the header. Values are never
//! converted: each field is [`RawValue::Text`] with its exact text, or
//! [`RawValue::Empty`] when it has no characters.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::delimiter;
use super::source::{self, Fallback};
use super::{
    CsvDialect, RawValue, ReadError, ReadLimits, ReadOptions, RecordReader, RowProblem,
    SourceRecord, row_note,
};

pub(super) struct CsvReader {
    parser: csv::Reader<RowTracker>,
    path: PathBuf,
    headers: Vec<String>,
    limits: ReadLimits,
    /// Record most recently parsed, blank or not.
    record: csv::ByteRecord,
    /// Row number of `record`.
    row: u64,
    dialect: CsvDialect,
    /// Whether `record` ends inside a quote that the file never closes.
    quote_left_open: bool,
    finished: bool,
}

impl CsvReader {
    /// Opens `path`, detects its encoding and delimiter unless `options`
    /// set them, and reads the header.
    pub(super) fn open(path: &Path, options: &ReadOptions) -> Result<Self, ReadError> {
        let decoded = source::open(path, options.encoding.as_deref(), Fallback::Windows1252)?;

        let separator_line = excel_separator(&decoded.sample);
        let delimiter = options
            .delimiter
            .or(separator_line)
            .unwrap_or_else(|| delimiter::detect(&decoded.sample));

        // NOTE: the csv crate keeps a whole record in memory before the
        // field limit is checked, so the upload size limit is what bounds
        // memory for a file that is one huge record.
        let parser = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(RowTracker::new(decoded.reader, delimiter));
        let dialect = CsvDialect {
            delimiter,
            encoding: decoded.encoding,
            bom: decoded.bom,
        };

        let mut reader = CsvReader {
            parser,
            path: path.to_owned(),
            headers: Vec::new(),
            limits: options.limits,
            record: csv::ByteRecord::new(),
            row: 0,
            dialect,
            quote_left_open: false,
            finished: false,
        };

        if separator_line.is_some() {
            reader.read_raw()?;
        }
        reader.headers = reader.read_header()?;

        Ok(reader)
    }

    fn read_header(&mut self) -> Result<Vec<String>, ReadError> {
        if !self.read_non_blank()? {
            return Err(ReadError::Empty);
        }

        if self.record.len() > self.limits.max_columns {
            return Err(ReadError::TooManyColumns {
                row: self.row,
                found: self.record.len(),
                limit: self.limits.max_columns,
            });
        }

        self.record
            .iter()
            .map(|field| self.header_text(field))
            .collect()
    }

    fn header_text(&self, field: &[u8]) -> Result<String, ReadError> {
        if field.len() > self.limits.max_field_bytes {
            return Err(ReadError::FieldTooLong {
                row: self.row,
                size: field.len(),
                limit: self.limits.max_field_bytes,
            });
        }

        match std::str::from_utf8(field) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(ReadError::InvalidUtf8 { row: self.row }),
        }
    }

    /// Reads records until one has a non-blank field. Returns `false` at
    /// the end of the file.
    fn read_non_blank(&mut self) -> Result<bool, ReadError> {
        while self.read_raw()? {
            if !self.record.iter().all(is_blank) {
                return Ok(true);
            }
        }

        Ok(false)
    }

    /// Reads the next record into `self.record` and sets `self.row` to
    /// the row it starts on, as [`RowTracker`] counted it.
    fn read_raw(&mut self) -> Result<bool, ReadError> {
        let found = self
            .parser
            .read_byte_record(&mut self.record)
            .map_err(|error| self.parse_error(error))?;

        if !found {
            return Ok(false);
        }

        let tracker = self.parser.get_mut();
        self.row = tracker.next_start().unwrap_or(self.row + 1);
        self.quote_left_open = tracker.quote_left_open();

        Ok(true)
    }

    fn parse_error(&self, error: csv::Error) -> ReadError {
        let detail = error.to_string();

        match error.into_kind() {
            csv::ErrorKind::Io(source) => ReadError::Io {
                path: self.path.clone(),
                source,
            },
            _ => ReadError::Malformed {
                format: "CSV",
                detail,
            },
        }
    }

    fn read_next(&mut self) -> Result<Option<SourceRecord>, ReadError> {
        if !self.read_non_blank()? {
            return Ok(None);
        }

        Ok(Some(self.convert_record()))
    }

    fn convert_record(&self) -> SourceRecord {
        let mut problems = Vec::new();

        let values = (0..self.headers.len())
            .map(|index| self.value(index, &mut problems))
            .collect();

        if self.quote_left_open {
            problems.push(RowProblem::UnclosedQuote);
        } else {
            problems.extend(self.shape_problem());
        }

        SourceRecord {
            row: self.row,
            values,
            field_count: self.record.len(),
            note: row_note(self.row, &problems),
            raw: None,
        }
    }

    fn value(&self, index: usize, problems: &mut Vec<RowProblem>) -> RawValue {
        let field = self.record.get(index).unwrap_or_default();

        if field.is_empty() {
            return RawValue::Empty;
        }

        if field.len() > self.limits.max_field_bytes {
            problems.push(RowProblem::FieldTooLong {
                column: self.headers[index].clone(),
                size: field.len(),
                limit: self.limits.max_field_bytes,
            });
            return RawValue::Empty;
        }

        match std::str::from_utf8(field) {
            Ok(text) => RawValue::Text(text.to_owned()),
            Err(_) => {
                if !problems.contains(&RowProblem::InvalidUtf8) {
                    problems.push(RowProblem::InvalidUtf8);
                }
                RawValue::Text(String::from_utf8_lossy(field).into_owned())
            }
        }
    }

    /// Reports a record with more fields than `max_columns`, with fewer
    /// fields than the header, or with non-blank fields past the header's.
    /// Blank extra fields are accepted because spreadsheets often write a
    /// trailing delimiter.
    fn shape_problem(&self) -> Option<RowProblem> {
        let found = self.record.len();
        let expected = self.headers.len();

        if found > self.limits.max_columns {
            return Some(RowProblem::TooManyColumns {
                found,
                limit: self.limits.max_columns,
            });
        }

        let extras_blank = self.record.iter().skip(expected).all(is_blank);

        if found < expected || !extras_blank {
            return Some(RowProblem::FieldCount { found, expected });
        }

        None
    }
}

impl RecordReader for CsvReader {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_record(&mut self) -> Option<Result<SourceRecord, ReadError>> {
        if self.finished {
            return None;
        }

        let result = self.read_next();

        if !matches!(result, Ok(Some(_))) {
            self.finished = true;
        }

        result.transpose()
    }

    fn csv_dialect(&self) -> Option<CsvDialect> {
        Some(self.dialect)
    }
}

/// Returns the delimiter that a first line such as `sep=;` names. Excel
/// writes and reads that line to choose the delimiter, and it is not part
/// of the data.
fn excel_separator(sample: &str) -> Option<u8> {
    let first_line = sample.lines().next()?;
    let named = first_line.strip_prefix("sep=")?;

    match named.as_bytes() {
        [delimiter] if delimiter.is_ascii() && !is_line_break(*delimiter) => Some(*delimiter),
        _ => None,
    }
}

fn is_blank(field: &[u8]) -> bool {
    String::from_utf8_lossy(field).trim().is_empty()
}

/// Position of the tracker in the CSV grammar, as the csv crate parses it
/// with its default quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grammar {
    StartRecord,
    StartField,
    InField,
    InQuotedField,
    QuoteInQuotedField,
}

/// Input wrapper that follows the CSV grammar over the bytes the parser
/// reads, to give each record the spreadsheet row it starts on and to see
/// a quote that is still open at the end of the input.
///
/// The csv crate skips empty lines and counts line breaks in a way that
/// depends on the terminator, so rows are counted here instead. A CR, an LF
/// or a CRLF outside quotes ends a row, and a line break inside quotes does
/// not.
struct RowTracker {
    inner: Box<dyn Read + Send>,
    delimiter: u8,
    grammar: Grammar,
    /// Row that the next byte belongs to.
    row: u64,
    /// Whether the previous byte was a CR that ended a row, so that an LF
    /// right after it is part of the same terminator.
    after_cr: bool,
    /// Rows of the records that the tracker has seen start and the parser
    /// has not returned yet, oldest first.
    starts: VecDeque<u64>,
    reached_end: bool,
}

impl RowTracker {
    fn new(inner: Box<dyn Read + Send>, delimiter: u8) -> Self {
        RowTracker {
            inner,
            delimiter,
            grammar: Grammar::StartRecord,
            row: 1,
            after_cr: false,
            starts: VecDeque::new(),
            reached_end: false,
        }
    }

    /// Returns the row of the next record the parser returns.
    fn next_start(&mut self) -> Option<u64> {
        self.starts.pop_front()
    }

    /// Returns whether the record the parser just returned is the last one
    /// and ends inside a quoted field that was never closed, which means
    /// the rest of the input was read into that field.
    fn quote_left_open(&self) -> bool {
        self.reached_end && self.starts.is_empty() && self.grammar == Grammar::InQuotedField
    }

    fn track(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.step(byte);
        }
    }

    fn step(&mut self, byte: u8) {
        let after_cr = std::mem::replace(&mut self.after_cr, false);

        self.grammar = match self.grammar {
            Grammar::StartRecord if byte == b'\n' && after_cr => Grammar::StartRecord,
            Grammar::StartRecord if is_line_break(byte) => self.end_row(byte),
            Grammar::StartRecord => {
                self.starts.push_back(self.row);
                self.field_start(byte)
            }
            Grammar::StartField => self.field_start(byte),
            Grammar::InField | Grammar::QuoteInQuotedField => self.after_value(byte),
            Grammar::InQuotedField if byte == b'"' => Grammar::QuoteInQuotedField,
            Grammar::InQuotedField => Grammar::InQuotedField,
        };
    }

    fn field_start(&mut self, byte: u8) -> Grammar {
        if byte == b'"' {
            Grammar::InQuotedField
        } else {
            self.after_value(byte)
        }
    }

    /// Handles a byte in an unquoted field or after a closing quote. A
    /// quote there is a literal character, and a doubled quote after a
    /// closing one is an escaped quote.
    fn after_value(&mut self, byte: u8) -> Grammar {
        if byte == self.delimiter {
            Grammar::StartField
        } else if is_line_break(byte) {
            self.end_row(byte)
        } else if byte == b'"' && self.grammar == Grammar::QuoteInQuotedField {
            Grammar::InQuotedField
        } else {
            Grammar::InField
        }
    }

    fn end_row(&mut self, byte: u8) -> Grammar {
        self.row += 1;
        self.after_cr = byte == b'\r';
        Grammar::StartRecord
    }
}

impl Read for RowTracker {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let length = self.inner.read(buffer)?;

        if length == 0 && !buffer.is_empty() {
            self.reached_end = true;
        }
        self.track(&buffer[..length]);

        Ok(length)
    }
}

fn is_line_break(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}
