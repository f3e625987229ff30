//! Segmenting a report into paragraphs.
//!
//! Lines are paragraphs. A line longer than [`SegmentParams::max_chars`] is cut before
//! enumeration markers (`（一）`, `一、`, `一是`, `1.`, `【篇一】`) and, where a piece is still
//! long, at sentence ends; a piece too short to stand alone (a heading such as `（二）落实教育
//! 民生。`) stays with the text that follows it. Every paragraph carries its index, its
//! character offsets in the source (`source.chars().skip(start).take(end - start)` is its
//! text) and its heading path (`一、2021年工作总结 › （二）落实教育民生`).

use serde::Serialize;

use crate::clean::is_chrome;
use crate::error::{Error, Result};

/// Segmentation parameters; [`SegmentParams::check`] turns them into a [`Segmenter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentParams {
    max_chars: usize,
    min_chars: usize,
    hard_max_chars: usize,
    drop_chrome: bool,
}

impl Default for SegmentParams {
    fn default() -> Self {
        SegmentParams {
            max_chars: 300,
            min_chars: 20,
            hard_max_chars: 1200,
            drop_chrome: true,
        }
    }
}

impl SegmentParams {
    /// Lines longer than this many characters are cut. Default 300.
    pub fn max_chars(mut self, n: usize) -> Self {
        self.max_chars = n;
        self
    }
    /// Pieces shorter than this stay with the following piece when cutting. Default 20.
    pub fn min_chars(mut self, n: usize) -> Self {
        self.min_chars = n;
        self
    }
    /// No paragraph is ever longer than this many characters (a sentence without an end
    /// is cut blindly at this length). Default 1200.
    pub fn hard_max_chars(mut self, n: usize) -> Self {
        self.hard_max_chars = n;
        self
    }
    /// Drop web-page chrome lines (navigation, breadcrumbs, footers). Default `true`.
    pub fn drop_chrome(mut self, yes: bool) -> Self {
        self.drop_chrome = yes;
        self
    }
    /// Validate the parameters.
    pub fn check(self) -> Result<Segmenter> {
        if self.max_chars < 20 {
            return Err(Error::InvalidParam(format!(
                "max_chars must be at least 20, got {}",
                self.max_chars
            )));
        }
        if self.min_chars >= self.max_chars {
            return Err(Error::InvalidParam(
                "min_chars must be below max_chars".into(),
            ));
        }
        if self.hard_max_chars < self.max_chars {
            return Err(Error::InvalidParam(
                "hard_max_chars must be at least max_chars".into(),
            ));
        }
        Ok(Segmenter { p: self })
    }
}

/// One paragraph of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// Position in the document, from 0.
    pub index: usize,
    /// Character offset of the first character in the decoded source.
    pub start: usize,
    /// Character offset one past the last character.
    pub end: usize,
    /// The paragraph's text, exactly as in the source.
    pub text: String,
    /// Headings this paragraph stands under, outermost first.
    pub heading: Vec<String>,
}

impl Paragraph {
    /// The heading path joined for display: `一、… › （二）…`.
    pub fn heading_path(&self) -> String {
        self.heading.join(" › ")
    }
}

/// A validated segmenter. Cheap to copy; holds no state between documents.
#[derive(Debug, Clone, Default)]
pub struct Segmenter {
    p: SegmentParams,
}

impl Segmenter {
    /// Segment a whole decoded document.
    ///
    /// ```
    /// let seg = policytag_tokenizer::Segmenter::default();
    /// let ps = seg.segment("当前位置：首页 > 动态\n一、2021年工作总结\n（一）加强党建。一是……\n");
    /// assert_eq!(ps.len(), 2);
    /// assert_eq!(ps[1].heading_path(), "一、2021年工作总结 › （一）加强党建");
    /// ```
    pub fn segment(&self, text: &str) -> Vec<Paragraph> {
        let mut state = self.stream();
        let mut out = Vec::new();
        let mut char_pos = 0usize;
        for line in split_lines(text) {
            state.line(line, char_pos, &mut out);
            char_pos += line.chars().count() + 1;
        }
        out
    }

    /// A line-at-a-time segmenter for streaming input.
    pub fn stream(&self) -> LineSegmenter<'_> {
        LineSegmenter {
            seg: self,
            path: Vec::new(),
            index: 0,
            after_chrome: false,
        }
    }
}

/// Split text into lines at `\r\n`, `\r` or `\n` (the terminator is not part of the line;
/// for offset bookkeeping every terminator counts as one character, `\r\n` as two).
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    LineIter { rest: Some(text) }
}

struct LineIter<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match s.find(['\n', '\r']) {
            Some(i) => {
                // "\r\n" is one terminator: keep "\n" attached to the next line's start as an
                // empty line would shift offsets; instead fold it into this line's end.
                let skip = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                self.rest = Some(&s[i + skip..]);
                if skip == 2 {
                    // Represent "\r\n" by returning the line including '\r' trimmed later:
                    // the caller counts one char for the terminator, so include '\r' here.
                    Some(&s[..i + 1])
                } else {
                    Some(&s[..i])
                }
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// Segmenter state across the lines of one document.
#[derive(Debug)]
pub struct LineSegmenter<'a> {
    seg: &'a Segmenter,
    path: Vec<(u8, String)>,
    index: usize,
    after_chrome: bool,
}

/// A short, bare line: no sentence punctuation, no digits, no enumeration marker. Such a
/// line right after chrome is a navigation item (`机构概况`, `政务公开`).
fn nav_like(line: &str) -> bool {
    line.chars().count() <= 8
        && !line
            .chars()
            .any(|c| "。，,；;：:！!？?、".contains(c) || c.is_ascii_digit())
        && marker_at(line).is_none()
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}'
}

impl LineSegmenter<'_> {
    /// Feed one line (without its terminator) whose first character is at `char_start`
    /// in the source; completed paragraphs are appended to `out`.
    pub fn line(&mut self, line: &str, char_start: usize, out: &mut Vec<Paragraph>) {
        let p = &self.seg.p;
        let trimmed_start = line.len() - line.trim_start_matches(is_space).len();
        let body = line.trim_matches(is_space);
        if body.is_empty() {
            return;
        }
        if p.drop_chrome
            && ((body.chars().count() <= 160 && is_chrome(body))
                || (self.after_chrome && nav_like(body)))
        {
            self.after_chrome = true;
            return;
        }
        self.after_chrome = false;
        let lead_chars = line[..trimmed_start].chars().count();
        let pieces = if body.chars().count() > p.max_chars {
            cut(body, p)
        } else {
            vec![(0, body.len())]
        };
        let mut char_pos = char_start + lead_chars;
        let mut byte_pos = 0usize;
        for (b0, b1) in pieces {
            // Pieces cut from inside a line lose the white space around them.
            let piece = &body[b0..b1];
            let b0 = b0 + (piece.len() - piece.trim_start_matches(is_space).len());
            let b1 = b1 - (piece.len() - piece.trim_end_matches(is_space).len());
            if b1 <= b0 {
                continue;
            }
            // A piece of a long line that is chrome on its own (a footer run into the text)
            // is dropped like a chrome line, which also keeps segmenting idempotent.
            if p.drop_chrome && (b0, b1) != (0, body.len()) && is_chrome(&body[b0..b1]) {
                continue;
            }
            char_pos += body[byte_pos..b0].chars().count();
            let text = &body[b0..b1];
            let n = text.chars().count();
            // Register every heading inside this piece's leading (merged) parts.
            self.note_headings(text);
            out.push(Paragraph {
                index: self.index,
                start: char_pos,
                end: char_pos + n,
                text: text.to_string(),
                heading: self.path.iter().map(|(_, h)| h.clone()).collect(),
            });
            self.index += 1;
            char_pos += n;
            byte_pos = b1;
        }
    }

    /// Update the heading path with the heading(s) a paragraph starts with: a paragraph
    /// made of a short heading piece merged with its body may start with several.
    fn note_headings(&mut self, text: &str) {
        let mut rest = text;
        while let Some((level, _)) = marker_at(rest) {
            if level > 4 {
                break;
            }
            let (heading, consumed) = heading_text(rest);
            self.path.retain(|(l, _)| *l < level);
            self.path.push((level, heading));
            match consumed {
                Some(c) if c < rest.len() => rest = &rest[c..],
                _ => break,
            }
        }
    }
}

/// The heading a marker-led text announces, and how many bytes of `s` it spans when it is
/// followed by more text that may hold a sub-heading.
fn heading_text(s: &str) -> (String, Option<usize>) {
    // A heading ends at sentence punctuation or where a deeper marker begins.
    let mut end = None;
    for (n, (i, c)) in s.char_indices().enumerate() {
        if n > 48 {
            break;
        }
        if "。;；!！?？:：".contains(c) {
            end = Some((i, i + c.len_utf8()));
            break;
        }
        if n >= 3 && i > 0 {
            if let Some((lvl, _)) = marker_at(&s[i..]) {
                if lvl <= 4 && strong_boundary(s[..i].chars().next_back()) {
                    end = Some((i, i));
                    break;
                }
            }
        }
    }
    match end {
        Some((stop, next)) => (s[..stop].trim().to_string(), Some(next)),
        None => {
            let n = s.chars().count();
            if n <= 48 {
                (s.trim_end_matches(is_space).to_string(), None)
            } else {
                let stop = s
                    .char_indices()
                    .take(30)
                    .find(|&(_, c)| c == '，' || c == ',')
                    .map(|(i, _)| i);
                match stop {
                    Some(i) => (s[..i].to_string(), None),
                    None => {
                        let i = s.char_indices().nth(20).map(|(i, _)| i).unwrap_or(s.len());
                        (format!("{}…", &s[..i]), None)
                    }
                }
            }
        }
    }
}

const NUMERALS: &str = "一二三四五六七八九十〇零百";

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn run<F: Fn(char) -> bool>(s: &str, max: usize, f: F) -> usize {
    s.char_indices()
        .take(max + 1)
        .find(|&(_, c)| !f(c))
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}

/// The enumeration marker at the start of `s`: `(level, byte length)`.
/// Levels: 0 `【篇一】`, 1 `一、`, 2 `（一）`, 3 `1.`, 4 `（1）`, 5 `一是`.
pub fn marker_at(s: &str) -> Option<(u8, usize)> {
    if s.starts_with("【篇") {
        let len = s
            .find('】')
            .map(|i| i + '】'.len_utf8())
            .filter(|&l| l <= 15)?;
        return Some((0, len));
    }
    let first = s.chars().next()?;
    if first == '(' || first == '（' {
        let rest = &s[first.len_utf8()..];
        let k = run(rest, 3, |c| NUMERALS.contains(c));
        let d = run(rest, 2, is_digit);
        let (lvl, k) = if k > 0 && k <= 9 {
            (2, k)
        } else if d > 0 && d <= 2 {
            (4, d)
        } else {
            return None;
        };
        let close = rest[k..].chars().next()?;
        if close == ')' || close == '）' {
            return Some((lvl, first.len_utf8() + k + close.len_utf8()));
        }
        return None;
    }
    let k = run(s, 3, |c| NUMERALS.contains(c));
    if k > 0 && k <= 9 {
        let next = s[k..].chars().next()?;
        if next == '、' {
            return Some((1, k + next.len_utf8()));
        }
        if next == '是'
            && k <= 6
            && !s.starts_with('〇')
            && !s.starts_with('零')
            && !s.starts_with('百')
        {
            return Some((5, k + next.len_utf8()));
        }
        return None;
    }
    let d = run(s, 2, is_digit);
    if d > 0 && d <= 6 {
        let mut it = s[d..].chars();
        let sep = it.next()?;
        if sep == '.' || sep == '．' || sep == '、' {
            let after = it.next();
            if after
                .is_some_and(|c| !is_digit(c) && !c.is_ascii_alphanumeric() && c != '%' && c != '.')
            {
                return Some((3, d + sep.len_utf8()));
            }
        }
    }
    None
}

fn strong_boundary(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => "。;；!！?？:：)）】」”\"".contains(c) || is_space(c),
    }
}

/// May a marker of `level` start a new piece after the character `prev`?
fn boundary_ok(level: u8, prev: Option<char>) -> bool {
    let Some(p) = prev else { return true };
    match level {
        0 | 2 | 4 => true,
        1 => strong_boundary(prev),
        3 => !(p.is_ascii_alphanumeric() || is_digit(p) || p == '.' || p == '第'),
        _ => strong_boundary(prev) || p == '，' || p == ',',
    }
}

/// Cut an overlong line into pieces (byte ranges of `s`).
fn cut(s: &str, p: &SegmentParams) -> Vec<(usize, usize)> {
    // 1. Before enumeration markers.
    let mut starts = vec![0usize];
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        if i > 0 {
            if let Some((lvl, _)) = marker_at(&s[i..]) {
                if boundary_ok(lvl, prev) {
                    starts.push(i);
                }
            }
        }
        prev = Some(c);
    }
    let mut pieces: Vec<(usize, usize)> = starts
        .iter()
        .zip(starts.iter().skip(1).chain(std::iter::once(&s.len())))
        .map(|(&a, &b)| (a, b))
        .collect();
    // 2. Pieces still too long: at sentence ends, then commas, then blindly.
    let mut fine = Vec::with_capacity(pieces.len());
    for (a, b) in pieces.drain(..) {
        if s[a..b].chars().count() > p.max_chars {
            pack(s, a, b, p.max_chars, "。!！?？;；", &mut |x, y| {
                if s[x..y].chars().count() > p.hard_max_chars {
                    pack(s, x, y, p.max_chars, "，,、", &mut |u, v| {
                        hard_split(s, u, v, p.hard_max_chars, &mut fine)
                    });
                } else {
                    fine.push((x, y));
                }
            });
        } else {
            fine.push((a, b));
        }
    }
    // 3. Short pieces stay with what follows (the last with what precedes).
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(fine.len());
    let mut pending: Option<usize> = None;
    for (a, b) in fine {
        let a = match pending.take() {
            // Merging must not break the hard bound: emit the short part alone instead.
            Some(pa) if s[pa..b].chars().count() > p.hard_max_chars => {
                merged.push((pa, a));
                a
            }
            Some(pa) => pa,
            None => a,
        };
        if s[a..b].chars().count() < p.min_chars {
            pending = Some(a);
        } else {
            merged.push((a, b));
        }
    }
    if let Some(a) = pending {
        match merged.last_mut() {
            Some(last) if s[last.0..].chars().count() <= p.hard_max_chars => last.1 = s.len(),
            _ => merged.push((a, s.len())),
        }
    }
    merged
}

/// Greedily pack the sentences of `s[a..b]` (ending at any of `ends`) into pieces of at
/// most `max` characters; a single longer sentence is passed on whole.
fn pack(s: &str, a: usize, b: usize, max: usize, ends: &str, emit: &mut dyn FnMut(usize, usize)) {
    let mut piece_start = a;
    let mut piece_chars = 0usize;
    let mut sent_start = a;
    let mut sent_chars = 0usize;
    for (i, c) in s[a..b].char_indices() {
        sent_chars += 1;
        if ends.contains(c) {
            let sent_end = a + i + c.len_utf8();
            if piece_chars > 0 && piece_chars + sent_chars > max {
                emit(piece_start, sent_start);
                piece_start = sent_start;
                piece_chars = 0;
            }
            piece_chars += sent_chars;
            sent_start = sent_end;
            sent_chars = 0;
        }
    }
    if sent_chars > 0 && piece_chars > 0 && piece_chars + sent_chars > max {
        emit(piece_start, sent_start);
        piece_start = sent_start;
    }
    if piece_start < b {
        emit(piece_start, b);
    }
}

fn hard_split(s: &str, a: usize, b: usize, max: usize, out: &mut Vec<(usize, usize)>) {
    let mut start = a;
    let mut n = 0usize;
    for (i, _) in s[a..b].char_indices() {
        if n == max {
            out.push((start, a + i));
            start = a + i;
            n = 0;
        }
        n += 1;
    }
    if start < b {
        out.push((start, b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(ps: &[Paragraph]) -> Vec<&str> {
        ps.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn markers() {
        assert_eq!(marker_at("（一）加强党建").map(|m| m.0), Some(2));
        assert_eq!(marker_at("(十二)其他").map(|m| m.0), Some(2));
        assert_eq!(marker_at("一、总体情况").map(|m| m.0), Some(1));
        assert_eq!(marker_at("三是抓禁毒").map(|m| m.0), Some(5));
        assert_eq!(marker_at("1.推进").map(|m| m.0), Some(3));
        assert_eq!(marker_at("１．推进").map(|m| m.0), Some(3));
        assert_eq!(marker_at("（3）开展").map(|m| m.0), Some(4));
        assert_eq!(marker_at("【篇二】今年").map(|m| m.0), Some(0));
        assert_eq!(marker_at("1.5万元"), None);
        assert_eq!(marker_at("2021年"), None);
        assert_eq!(marker_at("一体化"), None);
    }

    #[test]
    fn lines_are_paragraphs_and_chrome_is_dropped() {
        let src = "首页\n当前位置：首页 > 要闻\n\n  2021年工作总结  \r\n（一）加强党建\r\n一是落实主体责任。\n";
        let ps = Segmenter::default().segment(src);
        assert_eq!(
            texts(&ps),
            ["2021年工作总结", "（一）加强党建", "一是落实主体责任。"]
        );
        assert_eq!(ps[2].heading, ["（一）加强党建"]);
        for p in &ps {
            let back: String = src.chars().skip(p.start).take(p.end - p.start).collect();
            assert_eq!(back, p.text);
        }
    }

    #[test]
    fn long_line_is_cut_before_markers_and_keeps_short_heading() {
        let item = "组织全区中小学校开展专项检查，覆盖学校一百余所，发现问题及时整改到位，建立台账逐项销号。";
        let src = format!(
            "（二）落实教育民生。一是{a}{a}{a}二是{a}{a}{a}三是{a}{a}{a}",
            a = item
        );
        let ps = Segmenter::default().segment(&src);
        assert_eq!(ps.len(), 3, "{:?}", texts(&ps));
        assert!(ps[0].text.starts_with("（二）落实教育民生。一是"));
        assert!(ps[1].text.starts_with("二是"));
        assert_eq!(ps[2].heading, ["（二）落实教育民生"]);
        for p in &ps {
            let back: String = src.chars().skip(p.start).take(p.end - p.start).collect();
            assert_eq!(back, p.text);
        }
    }

    #[test]
    fn heading_path_nests_and_resets() {
        let src = "一、2021年工作总结\n（一）实施名校工程\n1.推进新校建设。\n（二）落实民生。\n二、2022年工作思路\n（一）加强党建\n";
        let ps = Segmenter::default().segment(src);
        assert_eq!(
            ps[2].heading_path(),
            "一、2021年工作总结 › （一）实施名校工程 › 1.推进新校建设"
        );
        assert_eq!(ps[3].heading_path(), "一、2021年工作总结 › （二）落实民生");
        assert_eq!(ps[5].heading_path(), "二、2022年工作思路 › （一）加强党建");
    }

    #[test]
    fn overlong_sentence_is_bounded() {
        let src = "教".repeat(5000);
        let ps = Segmenter::default().segment(&src);
        assert!(ps.iter().all(|p| p.text.chars().count() <= 1200));
        assert_eq!(ps.iter().map(|p| p.end - p.start).sum::<usize>(), 5000);
    }
}
