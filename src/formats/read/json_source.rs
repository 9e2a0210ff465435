//! Splitting JSON and NDJSON input into the bytes of one top-level element
//! at a time, so that the parser never keeps more than one record in memory.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::ReadError;

/// Source of the raw elements of a JSON array or the lines of an NDJSON
/// file.
pub(super) trait ElementSource: Send {
    /// Returns the row number and the bytes of the next element, or `None`
    /// after the last one.
    fn next_element(&mut self) -> Result<Option<(u64, Vec<u8>)>, ReadError>;
}

/// Elements of a top-level JSON array. Each element is cut out by a
/// scanner that tracks strings and nesting, then parsed on its own, so an
/// invalid element becomes a row note while the elements after it are
/// still read.
pub(super) struct ArrayElements {
    input: BufReader<Box<dyn Read + Send>>,
    path: PathBuf,
    /// Number of elements cut out so far.
    count: u64,
    /// Whether the closing `]` has been consumed.
    closed: bool,
    /// Whether the content after the closing `]` has been checked.
    checked_end: bool,
}

impl ArrayElements {
    /// Consumes the opening `[`. Fails with [`ReadError::Empty`] when the
    /// input has only whitespace.
    pub(super) fn open(reader: Box<dyn Read + Send>, path: &Path) -> Result<Self, ReadError> {
        let mut elements = ArrayElements {
            input: BufReader::new(reader),
            path: path.to_owned(),
            count: 0,
            closed: false,
            checked_end: false,
        };

        match elements.skip_whitespace()? {
            None => return Err(ReadError::Empty),
            Some(b'[') => elements.input.consume(1),
            Some(other) => {
                return Err(ReadError::NotAnArray {
                    found: describe(other),
                });
            }
        }

        elements.close_if_at_end()?;

        Ok(elements)
    }

    fn io_error(&self, source: io::Error) -> ReadError {
        ReadError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    fn skip_whitespace(&mut self) -> Result<Option<u8>, ReadError> {
        loop {
            let buffer = match self.input.fill_buf() {
                Ok(buffer) => buffer,
                Err(error) => return Err(self.io_error(error)),
            };

            if buffer.is_empty() {
                return Ok(None);
            }

            let skipped = buffer.iter().position(|byte| !byte.is_ascii_whitespace());

            match skipped {
                Some(index) => {
                    let next = buffer[index];
                    self.input.consume(index);
                    return Ok(Some(next));
                }
                None => {
                    let length = buffer.len();
                    self.input.consume(length);
                }
            }
        }
    }

    /// Consumes a `]` if it comes next. A `]` right after a `,` also ends
    /// the array, so a trailing comma is accepted.
    fn close_if_at_end(&mut self) -> Result<(), ReadError> {
        if self.skip_whitespace()? == Some(b']') {
            self.input.consume(1);
            self.closed = true;
        }

        Ok(())
    }

    /// Returns the bytes up to the `,` or `]` that ends the element at
    /// nesting depth 0, leaving that byte unconsumed.
    fn cut_element(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut scanner = Scanner::default();
        let mut element = Vec::new();

        loop {
            let buffer = match self.input.fill_buf() {
                Ok(buffer) => buffer,
                Err(error) => return Err(self.io_error(error)),
            };

            if buffer.is_empty() {
                return Err(ReadError::UnexpectedEnd {
                    row: self.count + 2,
                });
            }

            let (length, found_end) = match scanner.find_end(buffer) {
                Some(end) => (end, true),
                None => (buffer.len(), false),
            };

            element.extend_from_slice(&buffer[..length]);
            self.input.consume(length);

            if found_end {
                return Ok(element);
            }
        }
    }

    /// Consumes the `,` or `]` after an element.
    fn consume_separator(&mut self) -> Result<(), ReadError> {
        let separator = self.skip_whitespace()?;
        self.input.consume(1);

        if separator == Some(b']') {
            self.closed = true;
            return Ok(());
        }

        self.close_if_at_end()
    }

    fn check_end(&mut self) -> Result<(), ReadError> {
        self.checked_end = true;

        match self.skip_whitespace()? {
            None => Ok(()),
            Some(other) => Err(ReadError::Malformed {
                format: "JSON",
                detail: format!("found {} after the closing ']'", describe(other)),
            }),
        }
    }
}

impl ElementSource for ArrayElements {
    fn next_element(&mut self) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        if self.closed {
            if !self.checked_end {
                self.check_end()?;
            }
            return Ok(None);
        }

        let element = self.cut_element()?;
        self.count += 1;
        self.consume_separator()?;

        Ok(Some((self.count + 1, element)))
    }
}

/// Position of a [`Scanner`] inside a JSON value.
#[derive(Debug, Default)]
struct Scanner {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Scanner {
    /// Feeds `bytes` and returns the index of the `,` or `]` that ends the
    /// element, if it is in `bytes`.
    fn find_end(&mut self, bytes: &[u8]) -> Option<usize> {
        for (index, byte) in bytes.iter().enumerate() {
            if self.in_string {
                self.feed_string_byte(*byte);
                continue;
            }

            match byte {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => self.depth -= 1,
                b',' | b']' if self.depth == 0 => return Some(index),
                _ => {}
            }
        }

        None
    }

    fn feed_string_byte(&mut self, byte: u8) {
        if self.escaped {
            self.escaped = false;
        } else if byte == b'\\' {
            self.escaped = true;
        } else if byte == b'"' {
            self.in_string = false;
        }
    }
}

/// Lines of an NDJSON file. Blank lines are skipped but counted.
pub(super) struct LineElements {
    input: BufReader<Box<dyn Read + Send>>,
    path: PathBuf,
    line: u64,
}

impl LineElements {
    pub(super) fn new(reader: Box<dyn Read + Send>, path: &Path) -> Self {
        LineElements {
            input: BufReader::new(reader),
            path: path.to_owned(),
            line: 0,
        }
    }
}

impl ElementSource for LineElements {
    fn next_element(&mut self) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        loop {
            let mut line = Vec::new();

            let length =
                self.input
                    .read_until(b'\n', &mut line)
                    .map_err(|source| ReadError::Io {
                        path: self.path.clone(),
                        source,
                    })?;

            if length == 0 {
                return Ok(None);
            }

            self.line += 1;

            if !line.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some((self.line + 1, line)));
            }
        }
    }
}

/// Describes a byte for a message: a quoted printable character or its
/// hexadecimal value.
fn describe(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("'{}'", char::from(byte))
    } else {
        format!("byte 0x{byte:02X}")
    }
}
