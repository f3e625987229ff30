//! Segmenting a report into paragraphs.
//!
//! Lines are paragraphs, structured as official documents number them (GB/T 9704: `一、`,
//! `（一）`, `1.`, `（1）`, and run-in items `一是…二是…`):
//!
//! - a page holding several reports is cut before each `【篇N】`, which starts a new
//!   document (so does a report title after body text, see [`crate::document`]);
//! - headings of levels `一、` and `（一）` are split from what they are glued to: a deeper
//!   heading (`一、2021年工作总结（一）实施…`) or their own body (`（二）落实教育民生。一是…`
//!   → `（二）落实教育民生。` + `一是…`);
//! - a line longer than [`SegmentParams::max_chars`] is also cut before numbered items and,
//!   where a piece is still long, at sentence ends; a piece too short to stand alone stays
//!   with the text that follows it, or with the text before it when what follows opens a
//!   new section — never across a section boundary;
//! - inside a line, a digit marker (`1.`, `（3）`, `5、`) only counts when it continues the
//!   numbering (after `3.` comes `4.`; a list starts at 1), so `有3、4所` or a stray `5、`
//!   after `3.` do not cut.
//!
//! Every paragraph carries its index, its character offsets in the source
//! (`source.chars().skip(start).take(end - start)` is its text), its heading path
//! (`一、2021年工作总结 › （二）落实教育民生`) and its document number.

use serde::Serialize;

use crate::clean::{is_chrome_normalized, is_column_label, is_keyword_spam, long_sentence};
use crate::document::{is_report_title_normalized, is_title_like_normalized};
use crate::error::{Error, Result};
use crate::normalize::normalized;

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
    /// The text through the default normaliser ([`crate::normalize::normalized`]: full
    /// width folded, traditional script simplified), what the title and chrome rules read
    /// and what a default model tags: normalised once, here. Not serialised.
    #[serde(skip)]
    pub normalized: String,
    /// Headings this paragraph stands under, outermost first.
    pub heading: Vec<String>,
    /// Which document of the source this paragraph belongs to, from 0: a page holding
    /// several reports (`【篇一】…【篇二】…`, or a second report title after body text)
    /// holds several documents.
    pub document: usize,
    /// Whether the chrome rules ran on `normalized` and found it is not chrome
    /// ([`crate::is_chrome_normalized`] is false): a segmenter that drops chrome checks every
    /// piece it keeps and every line of at most 160 characters, so a tagger need not check
    /// these again. Not serialised.
    #[serde(skip)]
    pub chrome_checked: bool,
    /// Whether `normalized` is title-like
    /// ([`crate::document::is_title_like_normalized`]), as the segmenter found when it
    /// placed the paragraph in its document. Not serialised.
    #[serde(skip)]
    pub title_like: bool,
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
    /// assert_eq!(ps.len(), 3);
    /// assert_eq!(ps[1].text, "（一）加强党建。");
    /// assert_eq!(ps[2].heading_path(), "一、2021年工作总结 › （一）加强党建");
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
            numbers: [None; 6],
            document: 0,
            has_body: false,
            chrome: Vec::new(),
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
    /// The last number seen at each marker level (numbering continuity).
    numbers: [Option<u32>; 6],
    /// The current document of the source.
    document: usize,
    /// Whether the current document has body text yet (not only a title).
    has_body: bool,
    /// Chrome lines dropped since [`LineSegmenter::take_chrome`] was last called.
    chrome: Vec<String>,
}

/// Chrome lines kept for metadata (publication lines): at most this many.
const KEEP_CHROME: usize = 16;

/// A piece of a line: its byte range and what starts it.
#[derive(Debug, Clone, Copy)]
struct Piece {
    a: usize,
    b: usize,
    /// Marker level starting the piece, if any.
    level: Option<u8>,
    /// A heading on its own (`一、…`, `（一）…`, `1.…` without body text).
    heading: bool,
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
        // The whole line normalised, when the chrome check needed it (the text of a line
        // that stays one paragraph).
        let mut norm_body = None;
        // A whole line was found not to be chrome (a short one; long lines only meet the
        // spam rule here).
        let mut checked = false;
        if p.drop_chrome {
            // At most 160 characters (a character is at most 4 bytes: long lines are not
            // counted).
            let short = body.len() <= 160 || (body.len() <= 640 && body.chars().count() <= 160);
            // `is_chrome(body)`, with the normalised line kept.
            let chrome = short
                && !long_sentence(body)
                && is_chrome_normalized(norm_body.insert(normalized(body)));
            if chrome
                || is_keyword_spam(body)
                || (self.after_chrome && (nav_like(body) || is_column_label(body)))
            {
                self.after_chrome = true;
                if self.chrome.len() < KEEP_CHROME && short {
                    self.chrome.push(body.to_string());
                }
                return;
            }
            // `long_sentence` reads the same on the line and on its normalised form (folding
            // and t2s keep every character count and the punctuation it looks for), so a
            // short line kept here is not chrome by `is_chrome_normalized` either.
            checked = short;
        }
        self.after_chrome = false;
        // Numbered "一是" items run within a paragraph: a new line starts a new run.
        self.numbers[5] = None;
        let lead_chars = line[..trimmed_start].chars().count();
        let pieces = self.cut(body);
        let mut char_pos = char_start + lead_chars;
        let mut byte_pos = 0usize;
        for piece in pieces {
            let (b0, b1) = (piece.a, piece.b);
            // Pieces cut from inside a line lose the white space around them.
            let text = &body[b0..b1];
            let b0 = b0 + (text.len() - text.trim_start_matches(is_space).len());
            let b1 = b1 - (text.len() - text.trim_end_matches(is_space).len());
            if b1 <= b0 {
                continue;
            }
            let text = &body[b0..b1];
            let whole = (b0, b1) == (0, body.len());
            let norm = match norm_body.take() {
                Some(n) if whole => n,
                _ => normalized(text),
            };
            // A piece of a long line that is chrome on its own (a footer run into the text)
            // is dropped like a chrome line, which also keeps segmenting idempotent.
            if p.drop_chrome && !whole && is_chrome_normalized(&norm) {
                continue;
            }
            char_pos += body[byte_pos..b0].chars().count();
            let n = text.chars().count();
            let title_like = is_title_like_normalized(&norm);
            self.start_document_if(&norm, piece.level, title_like);
            // Register every heading inside this piece's leading (merged) parts.
            self.note_headings(text);
            out.push(Paragraph {
                index: self.index,
                start: char_pos,
                end: char_pos + n,
                text: text.to_string(),
                normalized: norm.into_owned(),
                heading: self.path.iter().map(|(_, h)| h.clone()).collect(),
                document: self.document,
                chrome_checked: p.drop_chrome && (!whole || checked),
                title_like,
            });
            self.index += 1;
            char_pos += n;
            byte_pos = b1;
        }
    }

    /// Chrome lines dropped since the last call (at most a few per document), for
    /// metadata such as a publication date: `来源：… 发布日期：…`.
    pub fn take_chrome(&mut self) -> Vec<String> {
        std::mem::take(&mut self.chrome)
    }

    /// A `【篇N】` piece, or a report title after body text, starts a new document; a
    /// title-like piece does not count as body text. `normalized`: the piece's normalised
    /// text; `title_like`: whether it is title-like.
    fn start_document_if(&mut self, normalized: &str, level: Option<u8>, title_like: bool) {
        let new = if level == Some(0) {
            self.has_body
        } else {
            self.has_body && is_report_title_normalized(normalized)
        };
        if new {
            self.document += 1;
            self.path.clear();
            self.numbers = [None; 6];
            self.has_body = false;
        }
        if level == Some(0) || !title_like {
            self.has_body = true;
        }
        if level == Some(0) {
            self.path.clear();
            self.numbers = [None; 6];
        }
    }

    /// Update the heading path with the heading(s) a paragraph starts with: a paragraph
    /// may start with a run-in heading (`1.推进新校建设。…`).
    fn note_headings(&mut self, text: &str) {
        let mut rest = text;
        let mut first = true;
        while let Some((level, len)) = marker_at(rest) {
            if level == 0 {
                rest = rest[len..].trim_start_matches(is_space);
                continue;
            }
            if level > 4 {
                break;
            }
            if !first && !self.continues(level, number_of(rest, level, len)) {
                break;
            }
            first = false;
            self.count(level, number_of(rest, level, len));
            let (heading, consumed) = heading_text(rest);
            self.path.retain(|(l, _)| *l < level);
            self.path.push((level, heading));
            match consumed {
                Some(c) if c < rest.len() => rest = &rest[c..],
                _ => break,
            }
        }
    }

    /// Does a marker of `level` numbered `n` continue the numbering seen so far? After
    /// `（三）` comes `（四）`; a list starts at 1 where none is open at that level.
    fn continues(&self, level: u8, n: Option<u32>) -> bool {
        let Some(n) = n else { return true };
        match self.numbers[level as usize] {
            None => n == 1,
            Some(last) => n == last + 1,
        }
    }

    /// Record marker `level` numbered `n`: deeper numbering starts afresh.
    fn count(&mut self, level: u8, n: Option<u32>) {
        let l = level as usize;
        if l < self.numbers.len() {
            self.numbers[l] = n.or(self.numbers[l]);
            for deeper in self.numbers.iter_mut().skip(l + 1) {
                *deeper = None;
            }
        }
    }

    /// Cut a line into pieces (byte ranges of `s`): before `【篇N】`, around headings
    /// (`一、…（一）…` glued together, `（一）强化…。` run into its body), and, for a line
    /// longer than `max_chars`, before numbered items and at sentence ends.
    fn cut(&mut self, s: &str) -> Vec<Piece> {
        let p = self.seg.p.clone();
        // 1. Before enumeration markers that continue the document's numbering.
        let mut starts: Vec<(usize, Option<u8>)> = vec![(0, marker_at(s).map(|m| m.0))];
        if let Some((lvl, len)) = marker_at(s) {
            self.count_line_start(s, lvl, len);
        }
        let mut prev: Option<char> = None;
        for (i, c) in s.char_indices() {
            if i > 0 && may_start_marker(c) {
                if let Some((lvl, len)) = marker_at(&s[i..]) {
                    let n = number_of(&s[i..], lvl, len);
                    // "三、2021年工作计划一是…": a first item glued to a short heading.
                    let (from, from_level) = *starts.last().unwrap_or(&(0, None));
                    let glued = lvl == 5
                        && n == Some(1)
                        && matches!(from_level, Some(1 | 2))
                        && s[from..i].chars().count() <= 40;
                    // Numbering continuity guards the digit markers, which prose is full
                    // of ("有3、4所", "5、录播教室" after "3."); the others are rarer.
                    let numbered_ok = !matches!(lvl, 3 | 4) || self.continues(lvl, n);
                    if (boundary_ok(lvl, prev) || glued) && numbered_ok {
                        if lvl == 0 {
                            self.numbers = [None; 6];
                        } else {
                            self.count(lvl, n);
                        }
                        starts.push((i, Some(lvl)));
                    }
                }
            }
            prev = Some(c);
        }
        let mut marked: Vec<Piece> = starts
            .iter()
            .zip(
                starts
                    .iter()
                    .skip(1)
                    .map(|x| x.0)
                    .chain(std::iter::once(s.len())),
            )
            .map(|(&(a, level), b)| Piece {
                a,
                b,
                level,
                heading: false,
            })
            .collect();
        // 2. Headings of levels 1–4 split from the text they run into.
        let mut split = Vec::with_capacity(marked.len() + 4);
        for pc in marked.drain(..) {
            match pc.level {
                Some(l @ 1..=4) => {
                    let end = run_in_heading_end(&s[pc.a..pc.b]);
                    match end {
                        Some(e) if l <= 2 && pc.a + e < pc.b => {
                            split.push(Piece {
                                b: pc.a + e,
                                heading: true,
                                ..pc
                            });
                            split.push(Piece {
                                a: pc.a + e,
                                level: None,
                                ..pc
                            });
                        }
                        Some(e) if l <= 2 && pc.a + e >= pc.b => split.push(Piece {
                            heading: true,
                            ..pc
                        }),
                        _ => split.push(pc),
                    }
                }
                _ => split.push(pc),
            }
        }
        // 3. A line that is not long stays whole except around headings and documents.
        if s.chars().count() <= p.max_chars {
            let mut out: Vec<Piece> = Vec::with_capacity(split.len());
            for pc in split {
                match out.last_mut() {
                    Some(last) if !last.heading && !pc.heading && pc.level != Some(0) => {
                        last.b = pc.b
                    }
                    _ => out.push(pc),
                }
            }
            return out;
        }
        // 4. Pieces still too long: at sentence ends, then commas, then blindly.
        let mut fine: Vec<Piece> = Vec::with_capacity(split.len());
        for pc in split {
            if s[pc.a..pc.b].chars().count() > p.max_chars {
                let first = fine.len();
                pack(
                    s,
                    pc.a,
                    pc.b,
                    p.max_chars,
                    "。!！?？;；",
                    &mut |x, y| {
                        if s[x..y].chars().count() > p.hard_max_chars {
                            let mut ranges = Vec::new();
                            pack(s, x, y, p.max_chars, "，,、", &mut |u, v| {
                                hard_split(s, u, v, p.hard_max_chars, &mut ranges)
                            });
                            fine.extend(ranges.into_iter().map(|(a, b)| Piece {
                                a,
                                b,
                                level: None,
                                heading: false,
                            }));
                        } else {
                            fine.push(Piece {
                                a: x,
                                b: y,
                                level: None,
                                heading: false,
                            });
                        }
                    },
                );
                if let Some(f) = fine.get_mut(first) {
                    f.level = pc.level;
                }
            } else {
                fine.push(pc);
            }
        }
        // 5. Short pieces stay with what follows, unless what follows opens a section
        // (then with what precedes); headings and documents are never merged.
        let short = |pc: &Piece| s[pc.a..pc.b].chars().count() < p.min_chars;
        let opens_section = |pc: &Piece| pc.heading || matches!(pc.level, Some(0..=4));
        // A short piece that cannot go forward joins the piece before it when that is body
        // text and the result stays within `max_chars` (so re-segmenting gives it back);
        // otherwise it stands alone. A `【篇N】` piece never joins what precedes it.
        let merge_back = |merged: &mut Vec<Piece>, pd: Piece| match merged.last_mut() {
            Some(last)
                if !last.heading
                    && pd.level != Some(0)
                    && s[last.a..pd.b].chars().count() <= p.max_chars =>
            {
                last.b = pd.b
            }
            _ => merged.push(pd),
        };
        let mut merged: Vec<Piece> = Vec::with_capacity(fine.len());
        let mut pending: Option<Piece> = None;
        for pc in fine {
            let mut pc = pc;
            if let Some(pd) = pending.take() {
                if opens_section(&pc) || s[pd.a..pc.b].chars().count() > p.hard_max_chars {
                    merge_back(&mut merged, pd);
                } else {
                    pc = Piece {
                        a: pd.a,
                        level: pd.level,
                        ..pc
                    };
                }
            }
            if !pc.heading && short(&pc) {
                pending = Some(pc);
            } else {
                merged.push(pc);
            }
        }
        if let Some(pd) = pending {
            merge_back(&mut merged, pd);
        }
        merged
    }

    /// Numbering at the start of a line: accepted as it stands (a line is a paragraph
    /// anyway), but it sets the count that markers inside later lines must continue.
    fn count_line_start(&mut self, s: &str, level: u8, len: usize) {
        if level == 0 {
            self.numbers = [None; 6];
        } else {
            self.count(level, number_of(s, level, len));
        }
    }
}

/// Where a run-in heading led by a marker ends in `s`: after the sentence end that closes
/// a short heading (`（一）强化党建引领。…`), before a space that separates it from its
/// body, or at the end of a short `s` without sentence punctuation (a heading line).
fn run_in_heading_end(s: &str) -> Option<usize> {
    const MAX: usize = 40;
    for (n, (i, c)) in s.char_indices().enumerate() {
        if n > MAX {
            return None;
        }
        if is_heading_end(c) {
            let e = i + c.len_utf8();
            return (e < s.len() || n <= MAX).then_some(e);
        }
        if n >= 4 && is_space(c) {
            return Some(i);
        }
    }
    // The whole of a short piece: a heading only if it reads as one (no commas of a
    // sentence's second half; a heading's own comma is fine).
    Some(s.len())
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
        if is_heading_end(c) {
            end = Some((i, i + c.len_utf8()));
            break;
        }
        if n >= 3 && i > 0 {
            if let Some((lvl, _)) = marker_at(&s[i..]) {
                if (lvl <= 4 && strong_boundary(s[..i].chars().next_back()))
                    || (lvl == 5 && s[i..].starts_with("一是"))
                {
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

/// Chinese numerals of enumeration markers (`一、`, `（十二）`, `二十是` …).
fn is_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '〇' | '零' | '百'
    )
}

/// Sentence-closing punctuation a run-in heading ends at: `。;；!！?？:：`.
fn is_heading_end(c: char) -> bool {
    matches!(c, '。' | ';' | '；' | '!' | '！' | '?' | '？' | ':' | '：')
}

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

/// Every enumeration marker ([`marker_at`]) starts with one of these characters: most
/// characters are ruled out at once.
#[inline]
fn may_start_marker(c: char) -> bool {
    let u = c as u32;
    // All of them are in the BMP: one bit test.
    u < 0x10000 && MARKER_STARTS[(u >> 6) as usize] & (1 << (u & 63)) != 0
}

/// The characters that can start a marker, as a BMP bitmap: `【`, `(`, `（`, the numerals
/// of [`is_numeral`] and the digits of [`is_digit`].
static MARKER_STARTS: [u64; 1024] = {
    let mut bits = [0u64; 1024];
    let mut u = 0u32;
    while u < 0x10000 {
        if let Some(c) = char::from_u32(u) {
            let numeral = matches!(
                c,
                '一' | '二'
                    | '三'
                    | '四'
                    | '五'
                    | '六'
                    | '七'
                    | '八'
                    | '九'
                    | '十'
                    | '〇'
                    | '零'
                    | '百'
            );
            let digit = c.is_ascii_digit() || (c >= '０' && c <= '９');
            if c == '【' || c == '(' || c == '（' || numeral || digit {
                bits[(u >> 6) as usize] |= 1 << (u & 63);
            }
        }
        u += 1;
    }
    bits
};

/// The enumeration marker at the start of `s`: `(level, byte length)`.
/// Levels: 0 `【篇一】`, 1 `一、`, 2 `（一）`, 3 `1.`, 4 `（1）`, 5 `一是`.
pub fn marker_at(s: &str) -> Option<(u8, usize)> {
    let first = s.chars().next()?;
    if !may_start_marker(first) {
        return None;
    }
    if s.starts_with("【篇") {
        let len = s
            .find('】')
            .map(|i| i + '】'.len_utf8())
            .filter(|&l| l <= 15)?;
        return Some((0, len));
    }
    if first == '(' || first == '（' {
        let rest = &s[first.len_utf8()..];
        let k = run(rest, 3, is_numeral);
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
    let k = run(s, 3, is_numeral);
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

/// The number a marker of `level` (`len` bytes at the start of `s`) stands for: `（十二）`
/// is 12, `3.` is 3, `【篇二】` is 2.
fn number_of(s: &str, level: u8, len: usize) -> Option<u32> {
    let m = &s[..len];
    if level == 0 {
        return None;
    }
    let digits: String = m
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect();
    if !digits.is_empty() {
        return digits.parse().ok();
    }
    let han: Vec<u32> = m
        .chars()
        .filter_map(|c| match c {
            '〇' | '零' => Some(0),
            '十' => Some(10),
            '百' => Some(100),
            _ => "一二三四五六七八九"
                .chars()
                .position(|d| d == c)
                .map(|i| i as u32 + 1),
        })
        .collect();
    chinese_number(&han)
}

/// Value of Chinese numeral digits (`十二` = [10, 2] → 12, `二十` → 20, `一百零五` → 105).
fn chinese_number(d: &[u32]) -> Option<u32> {
    if d.is_empty() {
        return None;
    }
    let (mut total, mut cur) = (0u32, 0u32);
    for &x in d {
        match x {
            10 | 100 => {
                total += cur.max(1) * x;
                cur = 0;
            }
            _ => cur = cur * 10 + x,
        }
    }
    Some(total + cur)
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

    /// A paragraph marked `chrome_checked` is never chrome by the tagger's rule, on the
    /// sample lines and their variants, one per line and all run together; long lines
    /// without sentence punctuation stay unmarked; without chrome dropping none is marked.
    #[test]
    fn chrome_checked_paragraphs_are_not_chrome() {
        let lines = crate::clean::tests::varied_lines();
        let mut long = "首页 机构概况 政务公开 教育动态 办事服务 ".repeat(12);
        long.push_str("互动交流");
        let page = format!("{}\n{long}\n", lines.join("\n"));
        let ps = Segmenter::default().segment(&page);
        let checked = ps.iter().filter(|p| p.chrome_checked).count();
        assert!(
            checked > 100 && checked < ps.len(),
            "{checked} of {}",
            ps.len()
        );
        for p in &ps {
            if p.chrome_checked {
                assert!(!crate::is_chrome_normalized(&p.normalized), "{}", p.text);
            }
        }
        assert!(ps.iter().any(|p| p.text == long && !p.chrome_checked));
        let keep = SegmentParams::default().drop_chrome(false).check().unwrap();
        assert!(keep.segment(&page).iter().all(|p| !p.chrome_checked));
    }

    #[test]
    fn title_like_is_the_title_rule_of_the_normalized_text() {
        let lines = crate::clean::tests::varied_lines();
        let ps = Segmenter::default().segment(&lines.join("\n"));
        let titles = ps.iter().filter(|p| p.title_like).count();
        assert!(titles > 5 && titles < ps.len(), "{titles} of {}", ps.len());
        for p in &ps {
            assert_eq!(
                p.title_like,
                is_title_like_normalized(&p.normalized),
                "{}",
                p.text
            );
        }
    }

    #[test]
    fn marker_start_bitmap_is_the_marker_characters() {
        for u in 0..0x11000u32 {
            if let Some(c) = char::from_u32(u) {
                let want = c == '【' || c == '(' || c == '（' || is_numeral(c) || is_digit(c);
                assert_eq!(may_start_marker(c), want, "U+{u:04X}");
            }
        }
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
    fn long_line_is_cut_before_markers_and_its_run_in_heading_split_off() {
        let item = "组织全区中小学校开展专项检查，覆盖学校一百余所，发现问题及时整改到位，建立台账逐项销号。";
        let src = format!(
            "（二）落实教育民生。一是{a}{a}{a}二是{a}{a}{a}三是{a}{a}{a}",
            a = item
        );
        let ps = Segmenter::default().segment(&src);
        assert_eq!(ps.len(), 4, "{:?}", texts(&ps));
        assert_eq!(ps[0].text, "（二）落实教育民生。");
        assert!(ps[1].text.starts_with("一是"));
        assert!(ps[2].text.starts_with("二是"));
        assert_eq!(ps[3].heading, ["（二）落实教育民生"]);
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
    fn glued_levels_are_split_and_numbering_must_continue() {
        let item = "推进新校规划建设，新增学位两千个，改善办学条件，优化资源配置。";
        let src = format!(
            "一、工作总结（一）实施名校工程1.{item}{item}{item}{item}2.{item}{item}{item}{item}共投入1.5亿元，有3、4所学校完工。5、{item}（二）落实民生。{item}"
        );
        let ps = Segmenter::default().segment(&src);
        let t = texts(&ps);
        assert_eq!(t[0], "一、工作总结");
        assert_eq!(t[1], "（一）实施名校工程");
        assert!(t[2].starts_with("1.") && t[3].starts_with("2."), "{t:?}");
        // "5、" does not follow "2." and "3、" follows a digit: neither is a marker.
        assert!(t[3].contains("5、") && t[3].contains("3、"), "{t:?}");
        assert_eq!(t[4], "（二）落实民生。");
        assert_eq!(ps[5].heading_path(), "一、工作总结 › （二）落实民生");
    }

    #[test]
    fn a_short_item_is_not_merged_into_the_next_section() {
        let item = "组织全区中小学校开展专项检查，覆盖学校一百余所，发现问题及时整改到位。";
        let src = format!("（三）队伍建设。一是{item}{item}{item}{item}二是名师培养见效。（四）德育工作成效显著。{item}");
        let ps = Segmenter::default().segment(&src);
        let t = texts(&ps);
        assert!(t.iter().any(|p| p.ends_with("二是名师培养见效。")), "{t:?}");
        assert!(t.contains(&"（四）德育工作成效显著。"), "{t:?}");
    }

    #[test]
    fn overlong_sentence_is_bounded() {
        let src = "教".repeat(5000);
        let ps = Segmenter::default().segment(&src);
        assert!(ps.iter().all(|p| p.text.chars().count() <= 1200));
        assert_eq!(ps.iter().map(|p| p.end - p.start).sum::<usize>(), 5000);
    }
}
