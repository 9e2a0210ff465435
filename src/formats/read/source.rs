//! Opening an import file as a stream of UTF-8 bytes: byte order mark,
//! encoding detection and streaming transcoding.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use encoding_rs::{Encoding, REPLACEMENT, UTF_8, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::ReadError;

/// Size of the start of the file that decides between UTF-8 and the
/// fallback encoding, and from which the CSV delimiter is detected.
pub(super) const SAMPLE_BYTES: u64 = 64 * 1024;

/// Encoding to assume when the file has no byte order mark, no encoding
/// is set and the start of the file is not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fallback {
    /// Spreadsheets on Windows save CSV files in this code page.
    Windows1252,
    /// JSON is UTF-8 by definition (RFC 8259), so invalid bytes stay
    /// invalid and the JSON parser reports them.
    None,
}

pub(super) struct DecodedFile {
    /// Content without its byte order mark, as UTF-8. When the chosen
    /// encoding is UTF-8 these are the file's own bytes, not yet validated.
    pub reader: Box<dyn Read + Send>,
    /// Start of the content as text, with invalid bytes replaced by U+FFFD.
    pub sample: String,
    pub encoding: &'static Encoding,
    /// Whether a byte order mark of `encoding` was skipped.
    pub bom: bool,
}

/// Opens `path` in the encoding named by `label`, else the one of its byte
/// order mark, else UTF-8 or `fallback` as the first [`SAMPLE_BYTES`]
/// decide.
pub(super) fn open(
    path: &Path,
    label: Option<&str>,
    fallback: Fallback,
) -> Result<DecodedFile, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };

    let explicit = label.map(encoding_for_label).transpose()?;
    let mut file = File::open(path).map_err(io_error)?;
    let prefix = read_prefix(&mut file).map_err(io_error)?;

    let (encoding, bom_length) = choose_encoding(explicit, &prefix, fallback);
    let content = prefix[bom_length..].to_vec();
    let sample = decode_sample(encoding, &content);
    let rest = Cursor::new(content).chain(file);

    let reader: Box<dyn Read + Send> = if encoding == UTF_8 {
        Box::new(rest)
    } else {
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(rest),
        )
    };

    Ok(DecodedFile {
        reader,
        sample,
        encoding,
        bom: bom_length > 0,
    })
}

fn encoding_for_label(label: &str) -> Result<&'static Encoding, ReadError> {
    Encoding::for_label(label.trim().as_bytes())
        .filter(|encoding| *encoding != REPLACEMENT)
        .ok_or_else(|| ReadError::UnknownEncoding(label.to_owned()))
}

fn read_prefix(file: &mut File) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::new();

    file.take(SAMPLE_BYTES).read_to_end(&mut prefix)?;

    Ok(prefix)
}

/// Returns the encoding and the length of the byte order mark to skip. A
/// byte order mark of another encoding than the chosen one stays in the
/// content, because an explicit encoding wins over it.
fn choose_encoding(
    explicit: Option<&'static Encoding>,
    prefix: &[u8],
    fallback: Fallback,
) -> (&'static Encoding, usize) {
    let bom = Encoding::for_bom(prefix);

    let encoding = explicit
        .or(bom.map(|(bom_encoding, _)| bom_encoding))
        .unwrap_or_else(|| guess_encoding(prefix, fallback));

    let bom_length = match bom {
        Some((bom_encoding, length)) if bom_encoding == encoding => length,
        _ => 0,
    };

    (encoding, bom_length)
}

fn guess_encoding(prefix: &[u8], fallback: Fallback) -> &'static Encoding {
    if fallback == Fallback::Windows1252 && !is_utf8_start(prefix) {
        WINDOWS_1252
    } else {
        UTF_8
    }
}

/// Checks that `prefix` is valid UTF-8, allowing a character cut off at
/// the end when the file goes on after the prefix.
fn is_utf8_start(prefix: &[u8]) -> bool {
    let file_goes_on = prefix.len() as u64 == SAMPLE_BYTES;

    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        Err(error) => file_goes_on && error.error_len().is_none(),
    }
}

fn decode_sample(encoding: &'static Encoding, content: &[u8]) -> String {
    let (text, _had_errors) = encoding.decode_without_bom_handling(content);

    text.into_owned()
}
