//! Writing UTF-8 text out in another encoding, for files that go back to
//! the user in the encoding their upload had.

use std::io::{self, Write};

use encoding_rs::{EncoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Bytes written in place of a character that the target encoding lacks.
/// Values decoded from the user's file fit, except the replacement
/// characters for invalid bytes, so mostly Ferry's own messages need it.
const UNMAPPABLE: &[u8] = b"?";

/// Writer that takes UTF-8 bytes and writes them to `inner` in `encoding`,
/// starting with the encoding's byte order mark when `bom` is set. A write
/// may end inside a character, and its first bytes then wait for the rest.
pub struct EncodingWriter<W: Write> {
    inner: W,
    encoding: &'static Encoding,
    /// Bytes of a character cut off at the end of the last write.
    pending: Vec<u8>,
    encoded: Vec<u8>,
}

impl<W: Write> EncodingWriter<W> {
    pub fn new(mut inner: W, encoding: &'static Encoding, bom: bool) -> io::Result<Self> {
        if bom {
            inner.write_all(byte_order_mark(encoding))?;
        }

        Ok(EncodingWriter {
            inner,
            encoding,
            pending: Vec::new(),
            encoded: Vec::new(),
        })
    }

    fn encode(&mut self, text: &str) {
        if self.encoding == UTF_16LE || self.encoding == UTF_16BE {
            let big_endian = self.encoding == UTF_16BE;
            for unit in text.encode_utf16() {
                let bytes = if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                };
                self.encoded.extend_from_slice(&bytes);
            }
            return;
        }

        if self.encoding == UTF_8 {
            self.encoded.extend_from_slice(text.as_bytes());
            return;
        }

        self.encode_with_encoder(text);
    }

    fn encode_with_encoder(&mut self, mut text: &str) {
        let mut encoder = self.encoding.new_encoder();
        let mut buffer = [0_u8; 1024];

        loop {
            let (result, read, written) =
                encoder.encode_from_utf8_without_replacement(text, &mut buffer, true);
            self.encoded.extend_from_slice(&buffer[..written]);
            text = &text[read..];

            match result {
                EncoderResult::InputEmpty => return,
                EncoderResult::OutputFull => {}
                EncoderResult::Unmappable(_) => self.encoded.extend_from_slice(UNMAPPABLE),
            }
        }
    }

    /// Encodes the complete characters of `pending` and keeps the bytes of
    /// a character that is cut off.
    fn drain_pending(&mut self) -> io::Result<()> {
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
        };
        let pending = std::mem::take(&mut self.pending);
        let (text, rest) = pending.split_at(complete);

        // The prefix was checked above.
        let text = std::str::from_utf8(text).map_err(io::Error::other)?;
        self.encode(text);
        self.pending = rest.to_vec();

        self.inner.write_all(&self.encoded)?;
        self.encoded.clear();
        Ok(())
    }
}

impl<W: Write> Write for EncodingWriter<W> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buffer);
        self.drain_pending()?;

        Ok(buffer.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "text ends in the middle of a UTF-8 character",
            ));
        }

        self.inner.flush()
    }
}

fn byte_order_mark(encoding: &'static Encoding) -> &'static [u8] {
    if encoding == UTF_16LE {
        &[0xFF, 0xFE]
    } else if encoding == UTF_16BE {
        &[0xFE, 0xFF]
    } else if encoding == UTF_8 {
        &[0xEF, 0xBB, 0xBF]
    } else {
        &[]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed test panics")]

    use encoding_rs::WINDOWS_1252;

    use super::*;

    fn encoded(encoding: &'static Encoding, bom: bool, pieces: &[&[u8]]) -> Vec<u8> {
        let mut writer = EncodingWriter::new(Vec::new(), encoding, bom).unwrap();
        for piece in pieces {
            writer.write_all(piece).unwrap();
        }
        writer.flush().unwrap();
        writer.inner
    }

    #[test]
    fn windows_1252_split_accents_kept() {
        let text = "René;Köln".as_bytes();
        let (first, second) = text.split_at(4);

        assert_eq!(
            encoded(WINDOWS_1252, false, &[first, second]),
            b"Ren\xE9;K\xF6ln"
        );
    }

    #[test]
    fn unmappable_becomes_question_mark() {
        assert_eq!(encoded(WINDOWS_1252, false, &["a→b".as_bytes()]), b"a?b");
    }

    #[test]
    fn utf16le_starts_with_mark() {
        assert_eq!(
            encoded(UTF_16LE, true, &["é".as_bytes()]),
            [0xFF, 0xFE, 0xE9, 0x00]
        );
    }

    #[test]
    fn utf8_bom_only_when_set() {
        assert_eq!(encoded(UTF_8, true, &[b"a"]), b"\xEF\xBB\xBFa");
        assert_eq!(encoded(UTF_8, false, &[b"a"]), b"a");
    }

    #[test]
    fn cut_character_fails_flush() {
        let mut writer = EncodingWriter::new(Vec::new(), WINDOWS_1252, false).unwrap();
        writer.write_all(&"é".as_bytes()[..1]).unwrap();

        assert!(writer.flush().is_err());
    }
}
