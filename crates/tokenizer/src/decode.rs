//! Decoding report bytes into text: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM,
//! and GB18030 (a superset of GBK and GB2312, the usual encodings of government web pages).

use crate::error::{Error, Result};
use serde::Serialize;

/// The encoding a report was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark.
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16Be,
    /// GB18030 (covers GBK and GB2312).
    Gb18030,
}

impl Encoding {
    /// A short human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

/// Magic numbers of common binary formats that get saved as `.txt` by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "zip archive or Office document"),
    (b"%PDF", "PDF document"),
    (b"\xD0\xCF\x11\xE0", "OLE document (old Word/Excel)"),
    (b"\x1F\x8B", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xBC\xAF", "7z archive"),
    (b"\x7FELF", "executable"),
];

/// Decode a whole report. Binary input is [`Error::NotText`]; bytes that no supported
/// encoding accepts are [`Error::Undecodable`] with the offending byte offset.
///
/// ```
/// let (text, enc) = policytag_tokenizer::decode(b"\xEF\xBB\xBF\xE5\x8F\x8C\xE5\x87\x8F").unwrap();
/// assert_eq!(text, "双减");
/// assert_eq!(enc, policytag_tokenizer::Encoding::Utf8Bom);
/// ```
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding)> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, 3).map(|s| (s, Encoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true).map(|s| (s, Encoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false).map(|s| (s, Encoding::Utf16Be));
    }
    sniff_binary(bytes)?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_owned(), Encoding::Utf8)),
        Err(e) => {
            let utf8_bad = e.valid_up_to();
            gb18030(bytes)
                .map(|s| (s, Encoding::Gb18030))
                .map_err(|gb_bad| Error::Undecodable {
                    offset: utf8_bad.max(gb_bad),
                })
        }
    }
}

/// Reject content that is clearly not text: known binary magic numbers or NUL bytes.
pub fn sniff_binary(bytes: &[u8]) -> Result<()> {
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(Error::NotText(format!("looks like a {what}")));
        }
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::NotText(format!("NUL byte at offset {pos}")));
    }
    Ok(())
}

fn utf8(bytes: &[u8], base: usize) -> Result<String> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|e| Error::Undecodable {
            offset: base + e.valid_up_to(),
        })
}

fn utf16(bytes: &[u8], le: bool) -> Result<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::Undecodable {
            offset: 2 + bytes.len() - 1,
        });
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len());
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok('\0') => {
                return Err(Error::NotText(format!(
                    "NUL character at offset {}",
                    2 + 2 * i
                )))
            }
            Ok(c) => out.push(c),
            Err(_) => return Err(Error::Undecodable { offset: 2 + 2 * i }),
        }
    }
    Ok(out)
}

/// Strict GB18030 decoding; on failure returns the offset of the first malformed byte.
fn gb18030(bytes: &[u8]) -> std::result::Result<String, usize> {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    let mut out = String::with_capacity(cap);
    let (res, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match res {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            Err(read.saturating_sub(bad as usize + after as usize))
        }
        encoding_rs::DecoderResult::OutputFull => Err(read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(decode("学前教育".as_bytes()).unwrap().1, Encoding::Utf8);
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice("学前".as_bytes());
        assert_eq!(decode(&b).unwrap(), ("学前".to_string(), Encoding::Utf8Bom));
    }

    #[test]
    fn gbk_round_trip() {
        let (bytes, _, _) = encoding_rs::GBK.encode("全面落实“双减”政策，课后服务覆盖率100%。");
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(enc, Encoding::Gb18030);
        assert_eq!(text, "全面落实“双减”政策，课后服务覆盖率100%。");
    }

    #[test]
    fn utf16_both_orders() {
        let s = "平安校园";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap(), (s.to_string(), Encoding::Utf16Le));
        assert_eq!(decode(&be).unwrap(), (s.to_string(), Encoding::Utf16Be));
    }

    #[test]
    fn binary_is_not_text() {
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n...."),
            Err(Error::NotText(_))
        ));
        assert!(matches!(decode(b"abc\0def"), Err(Error::NotText(_))));
    }

    #[test]
    fn undecodable_names_offset() {
        // 0xFF is valid in neither UTF-8 nor GB18030.
        let bytes = b"abcdef\xFF\xFFxyz";
        match decode(bytes) {
            Err(Error::Undecodable { offset }) => assert_eq!(offset, 6),
            other => panic!("unexpected {other:?}"),
        }
    }
}
