//! Streaming input: decode a report of any size in bounded memory and hand it to the
//! segmenter a line (or a bounded piece of an overlong line) at a time.
//!
//! [`decode`](crate::decode()) needs the whole file in memory. A 50 MB dump, or a web page
//! saved as one 50 MB line, should not cost 150 MB of RAM, so this module reads in
//! [`BLOCK`]-sized blocks:
//!
//! 1. [`sniff`] finds the encoding by reading the input once with the same rules as
//!    [`decode`](crate::decode()) (BOM, else UTF-8 if the whole input is valid UTF-8, else
//!    GB18030), rejecting binary input and naming the first undecodable byte. For a file
//!    this is a cheap first pass, so errors come before any output.
//! 2. [`Lines`] decodes with that encoding and yields lines without their terminators,
//!    with the character offset of each in the decoded text. Lines longer than
//!    [`MAX_PIECE_BYTES`] are cut into pieces, preferably after a sentence end, so no
//!    single string grows with the input.
//!
//! For input that is not too long a line, the paragraphs are exactly those of
//! [`Segmenter::segment`](crate::Segmenter::segment) on the decoded text (tested).
//!
//! ```
//! use policytag_tokenizer::stream::{sniff, Lines};
//! use policytag_tokenizer::{Encoding, Segmenter};
//!
//! let bytes = "一、总体情况\r\n全面落实双减政策。\n".as_bytes();
//! let enc = sniff(bytes)?;
//! assert_eq!(enc, Encoding::Utf8);
//! let seg = Segmenter::default();
//! let mut state = seg.stream();
//! let mut paragraphs = Vec::new();
//! let mut lines = Lines::new(bytes, enc);
//! while let Some((line, start)) = lines.next_line()? {
//!     state.line(&line, start, &mut paragraphs);
//! }
//! assert_eq!(paragraphs, seg.segment("一、总体情况\r\n全面落实双减政策。\n"));
//! # Ok::<(), policytag_tokenizer::Error>(())
//! ```

use std::io::Read;

use encoding_rs::{DecoderResult, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::decode::{sniff_binary, Encoding};
use crate::error::{Error, Result};

/// Bytes read from the input at a time.
pub const BLOCK: usize = 64 * 1024;

/// Longest piece of a line handed to the segmenter, in bytes of UTF-8. Longer lines are
/// cut, after the last sentence end in the second half of the window if there is one.
pub const MAX_PIECE_BYTES: usize = 64 * 1024;

/// Read as much as possible into `buf` (short only at end of input).
fn fill<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok(n)
}

/// An incremental decoder for one encoding that reports errors at absolute byte offsets.
struct Decoder {
    inner: encoding_rs::Decoder,
    /// Absolute offset of the next byte to be fed.
    offset: usize,
    /// UTF-16 decodes NUL as a character; the byte check cannot see it.
    check_nul_chars: bool,
}

impl Decoder {
    fn new(enc: Encoding) -> Decoder {
        let (e, offset) = match enc {
            Encoding::Utf8 => (UTF_8, 0),
            Encoding::Utf8Bom => (UTF_8, 3),
            Encoding::Utf16Le => (UTF_16LE, 2),
            Encoding::Utf16Be => (UTF_16BE, 2),
            Encoding::Gb18030 => (GB18030, 0),
        };
        Decoder {
            inner: e.new_decoder_without_bom_handling(),
            offset,
            check_nul_chars: matches!(enc, Encoding::Utf16Le | Encoding::Utf16Be),
        }
    }

    /// Decode `bytes`, appending to `out`; `last` marks the end of the input.
    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> Result<()> {
        if !self.check_nul_chars {
            if let Some(pos) = memchr::memchr(0, bytes) {
                return Err(Error::NotText(format!(
                    "NUL byte at offset {}",
                    self.offset + pos
                )));
            }
        }
        let mut src = bytes;
        let before = out.len();
        loop {
            let need = self
                .inner
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(src.len() * 3 + 16);
            out.reserve(need);
            let (res, read) = self
                .inner
                .decode_to_string_without_replacement(src, out, last);
            match res {
                DecoderResult::InputEmpty => {
                    self.offset += read;
                    break;
                }
                DecoderResult::OutputFull => {
                    self.offset += read;
                    src = &src[read..];
                }
                DecoderResult::Malformed(bad, after) => {
                    let end = self.offset + read - after as usize;
                    return Err(Error::Undecodable {
                        offset: end.saturating_sub(bad as usize),
                    });
                }
            }
        }
        if self.check_nul_chars {
            if let Some(i) = out[before..].find('\0') {
                let units = out[before..before + i].encode_utf16().count();
                return Err(Error::NotText(format!(
                    "NUL character at offset {}",
                    self.offset - bytes.len() + 2 * units
                )));
            }
        }
        Ok(())
    }
}

/// The encoding of a report, found by reading it once in bounded memory with the rules of
/// [`decode`](crate::decode()). Binary input is [`Error::NotText`]; input that decodes in
/// no supported encoding is [`Error::Undecodable`] naming the offending byte.
pub fn sniff<R: Read>(mut r: R) -> Result<Encoding> {
    let mut block = vec![0u8; BLOCK];
    let n = fill(&mut r, &mut block)?;
    let first = &block[..n];
    let bom = if first.starts_with(b"\xEF\xBB\xBF") {
        Some((Encoding::Utf8Bom, 3))
    } else if first.starts_with(b"\xFF\xFE") {
        Some((Encoding::Utf16Le, 2))
    } else if first.starts_with(b"\xFE\xFF") {
        Some((Encoding::Utf16Be, 2))
    } else {
        None
    };
    let mut scratch = String::new();
    if let Some((enc, skip)) = bom {
        let mut dec = Decoder::new(enc);
        let mut chunk = &first[skip..];
        let mut last = n < BLOCK;
        loop {
            scratch.clear();
            dec.feed(chunk, last, &mut scratch)?;
            if last {
                return Ok(enc);
            }
            let k = fill(&mut r, &mut block)?;
            last = k < BLOCK;
            chunk = &block[..k];
        }
    }
    sniff_binary(&first[..first.len().min(16)])?;
    // UTF-8 and GB18030 side by side until UTF-8 fails or the input ends.
    let mut utf8 = Some(Decoder::new(Encoding::Utf8));
    let mut utf8_bad = 0;
    let mut gb = Decoder::new(Encoding::Gb18030);
    let mut chunk_len = n;
    let mut last = n < BLOCK;
    loop {
        let chunk = &block[..chunk_len];
        if let Some(d) = utf8.as_mut() {
            scratch.clear();
            match d.feed(chunk, last, &mut scratch) {
                Ok(()) => {}
                Err(Error::Undecodable { offset }) => {
                    utf8_bad = offset;
                    utf8 = None;
                }
                Err(e) => return Err(e),
            }
        }
        scratch.clear();
        if let Err(e) = gb.feed(chunk, last, &mut scratch) {
            if let Some(d) = utf8 {
                // Still valid UTF-8 so far: only UTF-8 can win now.
                return finish_utf8(d, &mut r, &mut block, last);
            }
            return Err(match e {
                Error::Undecodable { offset } => Error::Undecodable {
                    offset: offset.max(utf8_bad),
                },
                e => e,
            });
        }
        if last {
            return Ok(if utf8.is_some() {
                Encoding::Utf8
            } else {
                Encoding::Gb18030
            });
        }
        chunk_len = fill(&mut r, &mut block)?;
        last = chunk_len < BLOCK;
    }
}

/// Finish sniffing once GB18030 has failed but UTF-8 has not (yet).
fn finish_utf8<R: Read>(
    mut d: Decoder,
    r: &mut R,
    block: &mut [u8],
    mut last: bool,
) -> Result<Encoding> {
    let mut scratch = String::new();
    while !last {
        let k = fill(r, block)?;
        last = k < BLOCK;
        scratch.clear();
        d.feed(&block[..k], last, &mut scratch)?;
    }
    Ok(Encoding::Utf8)
}

/// Decoded lines of a report, read a block at a time.
pub struct Lines<R> {
    reader: R,
    decoder: Decoder,
    /// Bytes to skip at the very start (a byte-order mark).
    skip: usize,
    block: Vec<u8>,
    /// Decoded text not yet handed out starts at `buf[start..]`.
    buf: String,
    start: usize,
    eof: bool,
    /// Character offset of `buf[start..]` in the decoded text.
    char_pos: usize,
}

impl<R: Read> Lines<R> {
    /// Lines of `reader`, which holds text in encoding `enc` (from [`sniff`]); a
    /// byte-order mark at the start is skipped.
    pub fn new(reader: R, enc: Encoding) -> Lines<R> {
        let skip = match enc {
            Encoding::Utf8Bom => 3,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            _ => 0,
        };
        Lines {
            reader,
            decoder: Decoder::new(enc),
            skip,
            block: vec![0u8; BLOCK],
            buf: String::new(),
            start: 0,
            eof: false,
            char_pos: 0,
        }
    }

    /// Decode one more block into the buffer.
    fn more(&mut self) -> Result<()> {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let n = fill(&mut self.reader, &mut self.block)?;
        self.eof = n < BLOCK;
        let skip = self.skip.min(n);
        if skip > 0 {
            // A byte-order mark is not text; [`sniff`] has already checked it.
            self.skip = 0;
        }
        self.decoder
            .feed(&self.block[skip..n], self.eof, &mut self.buf)?;
        Ok(())
    }

    /// The next line without its terminator (`\n`, `\r\n` or `\r`) and the character
    /// offset of its first character; `None` at the end of the input. A line longer than
    /// [`MAX_PIECE_BYTES`] comes out as several pieces.
    pub fn next_line(&mut self) -> Result<Option<(String, usize)>> {
        Ok(self.next_str()?.map(|(line, at)| (line.to_string(), at)))
    }

    /// [`Lines::next_line`] borrowed from the decoding buffer (valid until the next call):
    /// no allocation or copy per line.
    pub fn next_str(&mut self) -> Result<Option<(&str, usize)>> {
        let mut searched = 0;
        loop {
            let rest = &self.buf[self.start..];
            if let Some(i) = rest[searched..].find(['\n', '\r']).map(|i| i + searched) {
                let crlf = rest[i..].starts_with("\r\n");
                if rest.as_bytes()[i] == b'\r' && i + 1 == rest.len() && !self.eof {
                    // A '\r' at the end of the buffer may be the first half of "\r\n".
                    searched = i;
                    self.more()?;
                    continue;
                }
                if i <= MAX_PIECE_BYTES {
                    let term = if crlf { 2 } else { 1 };
                    return Ok(Some(self.take(i, term)));
                }
            }
            if rest.len() > MAX_PIECE_BYTES {
                let cut = piece_end(&rest[..floor_boundary(rest, MAX_PIECE_BYTES)]);
                return Ok(Some(self.take(cut, 0)));
            }
            if self.eof {
                if rest.is_empty() {
                    return Ok(None);
                }
                let n = rest.len();
                return Ok(Some(self.take(n, 0)));
            }
            searched = rest.len();
            self.more()?;
        }
    }

    /// Hand out `buf[start..start + len]` and skip `term` terminator characters after it.
    fn take(&mut self, len: usize, term: usize) -> (&str, usize) {
        let start = self.start;
        let at = self.char_pos;
        self.start += len + term;
        let s = &self.buf[start..start + len];
        self.char_pos += s.chars().count() + term;
        (s, at)
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where to end a piece cut from the window `w` of an overlong line: after the last
/// sentence end in its second half, else after the last comma there, else at its end.
fn piece_end(w: &str) -> usize {
    let half = w.len() / 2;
    for set in ["。！？!?；;", "，,、 "] {
        if let Some((i, c)) = w.char_indices().rev().find(|&(_, c)| set.contains(c)) {
            if i >= half {
                return i + c.len_utf8();
            }
        }
    }
    w.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, Segmenter};

    /// A reader that returns at most `step` bytes per call, to exercise block joins.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn streamed(bytes: &[u8], step: usize) -> Result<Vec<crate::Paragraph>> {
        let enc = sniff(Trickle { data: bytes, step })?;
        let seg = Segmenter::default();
        let mut state = seg.stream();
        let mut out = Vec::new();
        let mut lines = Lines::new(Trickle { data: bytes, step }, enc);
        while let Some((line, at)) = lines.next_line()? {
            state.line(&line, at, &mut out);
        }
        Ok(out)
    }

    fn report() -> String {
        let mut s = String::from("当前位置：首页 > 工作动态\r\n一、总体情况\r\n");
        for i in 0..3000 {
            s.push_str(&format!(
                "（{}）全面落实“双减”政策，课后服务覆盖率达到{}%。\n",
                i % 9 + 1,
                i % 100
            ));
            if i % 7 == 0 {
                s.push_str("\r二、學前教育普惠發展\r");
            }
        }
        s
    }

    #[test]
    fn same_paragraphs_as_whole_file_in_every_encoding() {
        let text = report();
        let want = Segmenter::default().segment(&text);
        assert!(want.len() > 3000);
        let mut inputs: Vec<Vec<u8>> = vec![text.as_bytes().to_vec()];
        inputs.push([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
        inputs.push(encoding_rs::GBK.encode(&text).0.into_owned());
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        inputs.push(le);
        inputs.push(be);
        for bytes in &inputs {
            let (_, enc) = decode(bytes).unwrap();
            assert_eq!(sniff(bytes.as_slice()).unwrap(), enc);
            for step in [1 << 20, 4097, 7] {
                assert_eq!(streamed(bytes, step).unwrap(), want, "{enc:?} step {step}");
            }
        }
    }

    #[test]
    fn errors_match_whole_file_decoding() {
        let mut late_bad = report().into_bytes();
        late_bad.extend_from_slice(b"\xFF\xFF tail");
        let mut late_nul = report().into_bytes();
        late_nul.extend_from_slice(b"abc\0");
        let cases: Vec<Vec<u8>> = vec![
            b"abcdef\xFF\xFFxyz".to_vec(),
            late_bad,
            late_nul,
            b"\x89PNG\r\n\x1a\n....".to_vec(),
            b"\xFF\xFE\x00\xD8".to_vec(),
        ];
        for bytes in &cases {
            let whole = decode(bytes).unwrap_err().to_string();
            let stream = sniff(Trickle {
                data: bytes,
                step: 1000,
            })
            .unwrap_err()
            .to_string();
            assert_eq!(stream, whole);
        }
    }

    #[test]
    fn gbk_after_a_long_ascii_and_utf8_prefix_is_gbk() {
        // The decision needs the whole input: valid UTF-8 for 100 KB, then GBK bytes.
        let mut bytes = "a".repeat(100_000).into_bytes();
        bytes.extend_from_slice(&encoding_rs::GBK.encode("学前教育").0);
        assert_eq!(sniff(bytes.as_slice()).unwrap(), Encoding::Gb18030);
    }

    #[test]
    fn an_overlong_line_comes_out_in_bounded_pieces_at_sentence_ends() {
        let line = "全面落实双减政策，课后服务覆盖率达到百分之百。".repeat(20_000);
        let bytes = line.as_bytes();
        let mut lines = Lines::new(bytes, Encoding::Utf8);
        let mut total = String::new();
        let mut pieces = 0;
        while let Some((piece, at)) = lines.next_line().unwrap() {
            assert!(piece.len() <= MAX_PIECE_BYTES);
            assert!(piece.ends_with('。'));
            assert_eq!(at, total.chars().count());
            total.push_str(&piece);
            pieces += 1;
        }
        assert_eq!(total, line);
        assert!(pieces > 20);
    }

    #[test]
    fn a_line_without_any_punctuation_is_cut_at_char_boundaries() {
        let line = "学".repeat(100_000);
        let mut lines = Lines::new(line.as_bytes(), Encoding::Utf8);
        let mut total = String::new();
        while let Some((piece, _)) = lines.next_line().unwrap() {
            assert!(piece.len() <= MAX_PIECE_BYTES && !piece.is_empty());
            total.push_str(&piece);
        }
        assert_eq!(total, line);
    }
}
