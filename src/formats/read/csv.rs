//! CSV reader. The first non-blank record is the header. Values are never
//! converted: each field is [`RawValue::Text`] with its exact text, or
//! [`RawValue::Empty`] when it has no characters.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::delimiter;
use super::source::{self, Fallback};
use super::{
    RawValue, ReadError, ReadLimits, ReadOptions, RecordReader, RowProblem, SourceRecord, row_note,
};

pub(super) struct CsvReader {
    parser: csv::Reader<EndTracker>,
    path: PathBuf,
    headers: Vec<String>,
    limits: ReadLimits,
    /// Record most recently parsed, blank or not.
    record: csv::ByteRecord,
    /// Row number of `record`.
    row: u64,
    /// Whether the first line ends in CRLF rather than LF.
    crlf: bool,
    finished: bool,
}

impl CsvReader {
    /// Opens `path`, detects its encoding and delimiter unless `options`
    /// set them, and reads the header.
    pub(super) fn open(path: &Path, options: &ReadOptions) -> Result<Self, ReadError> {
        let decoded = source::open(path, options.encoding.as_deref(), Fallback::Windows1252)?;

        let delimiter = options
            .delimiter
            .unwrap_or_else(|| delimiter::detect(&decoded.sample));

        // NOTE: the csv crate keeps a whole record in memory before the
        // field limit is checked, so the upload size limit is what bounds
        // memory for a file that is one huge record.
        let crlf = first_line_ends_in_crlf(&decoded.sample);

        let parser = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(EndTracker::new(decoded.reader));

        let mut reader = CsvReader {
            parser,
            path: path.to_owned(),
            headers: Vec::new(),
            limits: options.limits,
            record: csv::ByteRecord::new(),
            row: 0,
            crlf,
            finished: false,
        };

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

    /// Reads the next record into `self.record` and advances `self.row`
    /// past it and past the empty lines before it, which the csv crate
    /// skips without returning a record.
    ///
    /// The csv crate counts a record's LF terminator while reading that
    /// record, but the LF of a CRLF terminator only while reading the next
    /// one. So each read counts one terminator, plus the empty lines and
    /// the line breaks inside quoted fields, except for the first record of
    /// a CRLF file and for a last record without a terminator in an LF
    /// file. A file that mixes terminators may get those two rows wrong.
    /// The row number tests in `tests/csv.rs` check this for csv 1.x.
    fn read_raw(&mut self) -> Result<bool, ReadError> {
        let line_before = self.parser.position().line();

        let found = self
            .parser
            .read_byte_record(&mut self.record)
            .map_err(|error| self.parse_error(error))?;

        if !found {
            return Ok(false);
        }

        let terminator_missed = if self.row == 0 {
            self.crlf
        } else {
            !self.crlf && self.parser.get_ref().ended_without_line_break()
        };

        let line_breaks =
            self.parser.position().line() - line_before + u64::from(terminator_missed);
        let quoted_breaks = self
            .record
            .iter()
            .flatten()
            .filter(|byte| **byte == b'\n')
            .count();
        let empty_lines = line_breaks.saturating_sub(quoted_breaks as u64 + 1);
        self.row += 1 + empty_lines;

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

        problems.extend(self.shape_problem());

        SourceRecord {
            row: self.row,
            values,
            field_count: self.record.len(),
            note: row_note(self.row, &problems),
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
}

fn is_blank(field: &[u8]) -> bool {
    String::from_utf8_lossy(field).trim().is_empty()
}

fn first_line_ends_in_crlf(text: &str) -> bool {
    text.find('\n')
        .is_some_and(|index| text[..index].ends_with('\r'))
}

/// Input wrapper that records whether the input ended and what its last
/// byte was.
struct EndTracker {
    inner: Box<dyn Read + Send>,
    last_byte: Option<u8>,
    reached_end: bool,
}

impl EndTracker {
    fn new(inner: Box<dyn Read + Send>) -> Self {
        EndTracker {
            inner,
            last_byte: None,
            reached_end: false,
        }
    }

    /// Returns whether a record that the parser just finished was ended
    /// by the end of the input rather than by a line break. The parser
    /// reads again only after it has consumed every byte read so far.
    fn ended_without_line_break(&self) -> bool {
        self.reached_end && self.last_byte != Some(b'\n')
    }
}

impl Read for EndTracker {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let length = self.inner.read(buffer)?;

        match buffer[..length].last() {
            Some(byte) => self.last_byte = Some(*byte),
            None => self.reached_end = !buffer.is_empty(),
        }

        Ok(length)
    }
}
