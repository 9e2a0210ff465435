//! Checks a workbook's zip archive before calamine parses any part of it.
//!
//! calamine trusts the archive: it inflates parts with no size limit of its
//! own, the zip crate holding each entry only to its declared size, and
//! hands their XML to the parser as is. The checks here run
//! first, in constant memory. They cap the number of entries and the sum of
//! the declared uncompressed sizes. Then a pass inflates every entry, counts
//! the bytes it really produces and looks for a DOCTYPE declaration, which
//! also catches an archive whose declared sizes are wrong.

use std::fs::File;
use std::io::{BufReader, Read, Seek};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::formats::read::{ReadError, ReadLimits};

/// First bytes of an OLE compound file. Excel stores a password-protected
/// workbook as one, with the encrypted zip archive inside.
const COMPOUND_FILE_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

const CHUNK_BYTES: usize = 64 * 1024;

/// Checks the archive in `file` against `limits` and returns the file,
/// rewound, for calamine to read.
pub(super) fn check_archive(file: File, limits: &ReadLimits) -> Result<File, ReadError> {
    let compressed = file.metadata().map(|meta| meta.len()).unwrap_or(u64::MAX);
    let limits = &ReadLimits {
        max_decompressed_bytes: inflation_limit(compressed, limits.max_decompressed_bytes),
        ..*limits
    };
    let mut reader = BufReader::new(file);
    reject_compound_file(&mut reader)?;

    let mut archive = ZipArchive::new(reader).map_err(damaged)?;
    check_entry_count(&archive, limits)?;
    check_declared_size(&archive, limits)?;
    scan_entries(&mut archive, limits)?;

    let mut file = archive.into_inner().into_inner();
    file.rewind()
        .map_err(|error| damaged(ZipError::Io(error)))?;
    Ok(file)
}

/// Largest ratio of inflated to compressed bytes of a workbook above the
/// floor below. Workbooks that spreadsheet programs write inflate to about
/// 5 to 15 times their size; a zip bomb's ratio is in the hundreds.
const MAX_INFLATION_RATIO: u64 = 100;

/// Inflated bytes that any workbook may reach, whatever its ratio.
const INFLATION_FLOOR: u64 = 64 * 1024 * 1024;

/// Returns the decompressed-size limit of a workbook of `compressed`
/// bytes: `configured`, lowered to 100 times the file's size but never
/// below 64 MiB, so that a 500 KB file cannot inflate to hundreds of MiB.
fn inflation_limit(compressed: u64, configured: u64) -> u64 {
    let by_ratio = compressed
        .saturating_mul(MAX_INFLATION_RATIO)
        .max(INFLATION_FLOOR);
    configured.min(by_ratio)
}

/// Maps a zip error to the error for a damaged workbook.
pub(super) fn damaged(error: ZipError) -> ReadError {
    ReadError::Xlsx(error.to_string())
}

fn reject_compound_file(reader: &mut BufReader<File>) -> Result<(), ReadError> {
    let mut signature = [0u8; 8];
    let is_compound = match reader.read_exact(&mut signature) {
        Ok(()) => signature == COMPOUND_FILE_SIGNATURE,
        Err(_) => false,
    };

    reader
        .rewind()
        .map_err(|error| damaged(ZipError::Io(error)))?;

    if is_compound {
        return Err(ReadError::Encrypted);
    }
    Ok(())
}

fn check_entry_count<R: Read + Seek>(
    archive: &ZipArchive<R>,
    limits: &ReadLimits,
) -> Result<(), ReadError> {
    if archive.len() > limits.max_zip_entries {
        return Err(ReadError::TooManyEntries {
            limit: limits.max_zip_entries,
        });
    }
    Ok(())
}

fn check_declared_size<R: Read + Seek>(
    archive: &ZipArchive<R>,
    limits: &ReadLimits,
) -> Result<(), ReadError> {
    let mut total: u64 = 0;

    for index in 0..archive.len() {
        let entry = archive.by_index_data(index).map_err(damaged)?;
        total = total.saturating_add(entry.size());

        if total > limits.max_decompressed_bytes {
            return Err(ReadError::TooLargeDecompressed {
                limit: limits.max_decompressed_bytes,
            });
        }
    }
    Ok(())
}

fn scan_entries<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    limits: &ReadLimits,
) -> Result<(), ReadError> {
    let mut budget = Budget::new(limits.max_decompressed_bytes);
    let mut chunk = vec![0u8; CHUNK_BYTES];

    // XML escapes can make a cell's text longer than its value, so a run
    // is allowed twice the field limit before the workbook is rejected. A
    // run also counts the inside of a tag, so it is never below 16 KiB.
    let max_run = (2 * limits.max_field_bytes as u64).max(16 * 1024);
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(damaged)?;
        let shared_strings = entry
            .name()
            .is_ok_and(|name| name.eq_ignore_ascii_case("xl/sharedStrings.xml"));
        let mut text = TextRuns::new(max_run);
        let part_limit = shared_strings.then_some(limits.max_shared_strings_bytes);
        scan_part_checked(entry, &mut budget, &mut chunk, &mut text, part_limit)?;
    }
    Ok(())
}

/// The longest run of bytes without a `<` seen so far in one part: an
/// upper bound on the text of its longest cell, which calamine keeps in
/// memory whole before any field limit applies.
struct TextRuns {
    current: u64,
    limit: u64,
}

impl TextRuns {
    fn new(limit: u64) -> Self {
        TextRuns { current: 0, limit }
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), ReadError> {
        for byte in bytes {
            if *byte == b'<' {
                self.current = 0;
                continue;
            }
            self.current += 1;
            if self.current > self.limit {
                return Err(ReadError::CellTooLong { limit: self.limit });
            }
        }
        Ok(())
    }
}

/// Reads one part to its end, charging its bytes to `budget` and rejecting
/// a DOCTYPE declaration (split across chunks too, since each search covers
/// the end of the previous chunk). It also rejects a run of text over
/// the limit of `text`, and a part larger than `part_limit` bytes.
fn scan_part_checked(
    mut part: impl Read,
    budget: &mut Budget,
    chunk: &mut [u8],
    text: &mut TextRuns,
    part_limit: Option<u64>,
) -> Result<(), ReadError> {
    let mut finder = DoctypeFinder::new();
    let mut size: u64 = 0;

    loop {
        let count = part
            .read(chunk)
            .map_err(|error| damaged(ZipError::Io(error)))?;
        if count == 0 {
            return Ok(());
        }

        budget.spend(count)?;
        size += count as u64;
        if let Some(limit) = part_limit
            && size > limit
        {
            return Err(ReadError::TooManySharedStrings { limit });
        }
        if finder.feed(&chunk[..count]) {
            return Err(ReadError::Doctype);
        }
        text.feed(&chunk[..count])?;
    }
}

/// Bytes that may still be inflated, shared by all entries of the archive.
pub(super) struct Budget {
    limit: u64,
    used: u64,
}

impl Budget {
    pub(super) fn new(limit: u64) -> Self {
        Budget { limit, used: 0 }
    }

    fn spend(&mut self, bytes: usize) -> Result<(), ReadError> {
        self.used = self.used.saturating_add(bytes as u64);

        if self.used > self.limit {
            return Err(ReadError::TooLargeDecompressed { limit: self.limit });
        }
        Ok(())
    }
}

/// Reads one part to its end through `chunk`, charging its bytes to
/// `budget` and rejecting a DOCTYPE declaration. A declaration split across
/// two chunks is found because each search also covers the end of the
/// previous chunk.
#[cfg(test)]
pub(super) fn scan_part(
    part: impl Read,
    budget: &mut Budget,
    chunk: &mut [u8],
) -> Result<(), ReadError> {
    scan_part_checked(part, budget, chunk, &mut TextRuns::new(u64::MAX), None)
}

/// Finds `<!DOCTYPE`, in any letter case, in UTF-8 or UTF-16 text fed to it
/// in pieces.
struct DoctypeFinder {
    window: Vec<u8>,
}

const DOCTYPE: &[u8] = b"<!doctype";

/// Number of bytes kept from the end of one piece for the search in the
/// next. It is the length of the UTF-16 declaration minus one, plus the
/// zero byte before a UTF-16BE `<`.
const OVERLAP: usize = 2 * DOCTYPE.len();

impl DoctypeFinder {
    fn new() -> Self {
        DoctypeFinder {
            window: Vec::with_capacity(CHUNK_BYTES + OVERLAP),
        }
    }

    /// Returns true once the text fed so far contains the declaration.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        self.window.extend_from_slice(bytes);

        let window = &self.window;
        let found = window
            .iter()
            .enumerate()
            .filter(|&(_, &byte)| byte == b'<')
            .any(|(start, _)| declaration_at(window, start));

        let drop = self.window.len().saturating_sub(OVERLAP);
        self.window.drain(..drop);
        found
    }
}

/// Returns whether the declaration starts at the `<` at `start`, as UTF-8,
/// UTF-16LE (each letter followed by a zero byte) or UTF-16BE (each letter
/// preceded by one).
fn declaration_at(window: &[u8], start: usize) -> bool {
    let utf8 = matches_from(window, start, 1, 0);
    let little_endian = matches_from(window, start, 2, 0);
    let big_endian = start > 0 && matches_from(window, start - 1, 2, 1);

    utf8 || little_endian || big_endian
}

/// Compares the bytes from `start` with the declaration, one code unit of
/// `width` bytes per letter, the letter at `letter_at` and zeros elsewhere.
fn matches_from(window: &[u8], start: usize, width: usize, letter_at: usize) -> bool {
    let Some(text) = window.get(start..start + DOCTYPE.len() * width) else {
        return false;
    };

    text.chunks(width).zip(DOCTYPE).all(|(unit, letter)| {
        unit.iter().enumerate().all(|(index, byte)| {
            if index == letter_at {
                byte.eq_ignore_ascii_case(letter)
            } else {
                *byte == 0
            }
        })
    })
}
