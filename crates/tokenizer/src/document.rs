//! Documents inside a page, and what each document is.
//!
//! A saved page may hold several reports (`【篇一】…【篇五】`, or a second report title
//! after body text) or the same article twice. [`DocumentReader`] wraps the line
//! segmenter: it keeps one copy of repeated paragraphs, groups paragraphs into documents
//! and gives each document its [`Metadata`] (title, bureau and region, years covered,
//! kind of report, publication date), found by the pure functions of this module from the
//! document's title, its page chrome and its first paragraphs. Memory stays bounded: a
//! document's paragraphs are held only until its metadata is settled (a few paragraphs).
//!
//! ```
//! use policytag_tokenizer::document::{DocumentReader, Event, Kind};
//! use policytag_tokenizer::Segmenter;
//!
//! let page = "柳南區教育局2022年工作總結\n來源：柳南區教育局 發布日期：2023-02-16\n\
//!             一、主要工作\n全年新增学位一千个，改善办学条件。\n";
//! let seg = Segmenter::default();
//! let mut reader = DocumentReader::new(&seg);
//! let mut events = Vec::new();
//! let mut at = 0;
//! for line in page.lines() {
//!     reader.line(line, at, &mut events);
//!     at += line.chars().count() + 1;
//! }
//! reader.finish(&mut events);
//! let Event::Document(doc) = &events[0] else { panic!() };
//! assert_eq!(doc.metadata.region.as_deref(), Some("柳南区"));
//! assert_eq!(doc.metadata.years, [2022]);
//! assert_eq!(doc.metadata.kind, Some(Kind::Summary));
//! assert_eq!(doc.metadata.date.as_deref(), Some("2023-02-16"));
//! ```

use std::hash::Hasher;

use rustc_hash::FxHashSet;

use serde::Serialize;

use crate::normalize::{fold_width, normalized, to_simplified};
use crate::segment::{marker_at, LineSegmenter, Paragraph, Segmenter};

/// What kind of report a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// A year's work summary (工作总结, 盘点, 汇报).
    #[serde(rename = "summary")]
    Summary,
    /// A work plan (工作计划, 要点, 思路).
    #[serde(rename = "plan")]
    Plan,
    /// A summary followed by next year's plan.
    #[serde(rename = "summary+plan")]
    SummaryPlan,
    /// A half-year summary or plan (上半年, 半年).
    #[serde(rename = "half-year")]
    HalfYear,
    /// A special report on one theme (安全工作总结, “双减”情况汇报).
    #[serde(rename = "special")]
    Special,
    /// A self-inspection or self-evaluation (自查, 自评).
    #[serde(rename = "self-inspection")]
    SelfInspection,
}

impl Kind {
    /// The name written in outputs (`summary+plan`, `half-year`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Summary => "summary",
            Kind::Plan => "plan",
            Kind::SummaryPlan => "summary+plan",
            Kind::HalfYear => "half-year",
            Kind::Special => "special",
            Kind::SelfInspection => "self-inspection",
        }
    }
}

/// What a document is. Every field is optional: a page need not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// The document's title as written (a part of a multi-report page gets the page's
    /// title followed by its `【篇N】` marker).
    pub title: Option<String>,
    /// The issuing bureau in simplified script (`麻章区教育局`; `教育局` when the page
    /// does not name the place).
    pub bureau: Option<String>,
    /// The bureau's place in simplified script (`麻章区`, `无锡市梁溪区`), when named.
    pub region: Option<String>,
    /// Years the report covers, in the order the title names them (`[2022, 2023]` for a
    /// 2022 summary with a 2023 plan).
    pub years: Vec<u16>,
    /// The kind of report.
    pub kind: Option<Kind>,
    /// Publication date shown by the page, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// Words that name a report in a title.
const REPORT_WORDS: &[&str] = &[
    "总结", "计划", "汇报", "报告", "要点", "思路", "安排", "盘点", "打算", "规划", "小结", "情况",
    "材料", "自查", "意见",
];
const SUMMARY_WORDS: &[&str] = &[
    "总结", "汇报", "报告", "盘点", "小结", "成效", "情况", "材料",
];
const PLAN_WORDS: &[&str] = &["计划", "要点", "思路", "安排", "打算", "规划", "意见"];
/// Bureau names, longest first.
const BUREAU_WORDS: &[&str] = &[
    "教育科学技术局",
    "教育和体育局",
    "教育体育局",
    "教育委员会",
    "教育局",
    "教体局",
    "教委",
];
/// Themes that make a report a special report (`安全工作总结`).
const THEMES: &[&str] = &[
    "安全",
    "德育",
    "学前",
    "资助",
    "助学",
    "双减",
    "校外培训",
    "溺水",
    "控辍保学",
    "信息化",
    "体育",
    "卫生",
    "督导",
    "基建",
    "党建",
    "扶贫",
    "脱贫",
    "疫情",
    "职业教育",
    "特殊教育",
    "教研",
    "课改",
    "课堂教学",
    "社区教育",
    "成人教育",
    "足球",
    "电教",
    "远程教育",
    "终身学习",
    "未成年人",
    "师资",
    "思想道德",
    "防控",
    "国防",
];

fn simplified(text: &str) -> String {
    let folded: String = text.trim().chars().map(fold_width).collect();
    to_simplified(&folded).into_owned()
}

/// A line that reads as a title: short, no sentence inside, not a numbered item, and
/// naming a report (`总结`, `计划`, `汇报`, …).
///
/// ```
/// use policytag_tokenizer::document::is_title_like;
/// assert!(is_title_like("區教育局2022年工作總結"));
/// assert!(!is_title_like("一、2022年工作总结"));
/// assert!(!is_title_like("全年完成工作计划的九成。"));
/// ```
pub fn is_title_like(text: &str) -> bool {
    // Normalising keeps the character count: a line of the wrong length is not converted.
    title_length(text.trim()) && is_title_like_normalized(&normalized(text))
}

/// A title is 4 to 60 characters long (at most 240 bytes: checked before counting).
fn title_length(t: &str) -> bool {
    (4..=240).contains(&t.len()) && (4..=60).contains(&t.chars().count())
}

/// [`is_title_like`] of a text already through the default normaliser
/// ([`normalized`]: full width folded, t2s), without doing that again:
/// `is_title_like(x) == is_title_like_normalized(&normalized(x))`.
pub fn is_title_like_normalized(text: &str) -> bool {
    let t = text.trim();
    title_length(t)
        && !t.contains(['。', ';', ':', '!', '?'])
        && !t.ends_with(',')
        && marker_at(t).is_none()
        && REPORT_WORDS.iter().any(|w| t.contains(w))
}

/// A report's own title (`XX区教育局2021年工作总结`): title-like, naming a bureau and a
/// year. Such a line after body text starts a new document.
pub fn is_report_title(text: &str) -> bool {
    title_length(text.trim()) && is_report_title_normalized(&normalized(text))
}

/// [`is_report_title`] of a text already through the default normaliser ([`normalized`]):
/// `is_report_title(x) == is_report_title_normalized(&normalized(x))`.
pub fn is_report_title_normalized(text: &str) -> bool {
    is_title_like_normalized(text) && {
        let t = text.trim();
        BUREAU_WORDS.iter().any(|w| t.contains(w)) && !years_in(t).is_empty()
    }
}

/// Years named in `text`: `2021`, `2022年`, `二〇二一年` (1950–2099), in order, once each.
pub fn years_in(text: &str) -> Vec<u16> {
    let chars: Vec<char> = text.chars().map(fold_width).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let han = chars[i..]
            .iter()
            .take_while(|c| "〇零一二三四五六七八九".contains(**c))
            .count();
        let year = if digits == 4 && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let s: String = chars[i..i + 4].iter().collect();
            s.parse::<u16>().ok()
        } else if han == 4 && chars.get(i + 4) == Some(&'年') {
            let v = chars[i..i + 4].iter().fold(0u16, |v, c| {
                let d = match c {
                    '〇' | '零' => 0,
                    _ => {
                        "一二三四五六七八九"
                            .chars()
                            .position(|x| x == *c)
                            .unwrap_or(0)
                            + 1
                    }
                };
                v * 10 + d as u16
            });
            Some(v)
        } else {
            None
        };
        match year {
            Some(y) if (1950..2100).contains(&y) => {
                if !out.contains(&y) {
                    out.push(y);
                }
                i += 4;
            }
            _ => i += digits.max(han).max(1),
        }
    }
    out
}

/// The bureau named in `text` and its place: `("麻章区教育局", Some("麻章区"))`. The
/// place is the run of Chinese characters before the bureau word, after any year or
/// connective; a masked or missing place (`XX区`, `区`) gives no region.
pub fn bureau_in(text: &str) -> Option<(String, Option<String>)> {
    let t = simplified(text);
    let (pos, word) = BUREAU_WORDS
        .iter()
        .filter_map(|w| t.find(w).map(|p| (p, *w)))
        .min_by_key(|&(p, w)| (p, usize::MAX - w.len()))?;
    let before = &t[..pos];
    let mut start = pos;
    for (i, c) in before.char_indices().rev() {
        let han = ('\u{4E00}'..='\u{9FFF}').contains(&c);
        if !han || "年的在和及与于关对向由经为是月日届".contains(c) {
            break;
        }
        start = i;
    }
    // A masked place (`XX区`, `xx县`, `***市`) is kept in the bureau's name as written,
    // but names no region.
    let is_mask = |c: char| matches!(c, 'X' | 'x' | '*' | '×');
    let masked = before[..start].chars().next_back().is_some_and(is_mask);
    let mask_start = before[..start].trim_end_matches(is_mask).len();
    let place = &t[start..pos];
    let bureau = format!("{}{place}{word}", &t[mask_start..start]);
    let region = (place.chars().count() >= 2
        && !masked
        && place.ends_with(['区', '县', '市', '旗', '州', '盟', '镇', '省']))
    .then(|| place.to_string());
    Some((bureau, region))
}

/// The kind of report a title names.
pub fn kind_of(title: &str) -> Option<Kind> {
    // The bureau's own name says nothing of the theme (教育体育局 is not about sports).
    let t = BUREAU_WORDS
        .iter()
        .fold(simplified(title), |t, w| t.replace(w, "局"));
    let has = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
    if has(&["自查", "自评"]) {
        Some(Kind::SelfInspection)
    } else if t.contains("半年") {
        Some(Kind::HalfYear)
    } else if has(THEMES) {
        Some(Kind::Special)
    } else if has(SUMMARY_WORDS) && has(PLAN_WORDS) {
        Some(Kind::SummaryPlan)
    } else if has(PLAN_WORDS) {
        Some(Kind::Plan)
    } else if has(SUMMARY_WORDS) {
        Some(Kind::Summary)
    } else {
        None
    }
}

/// A publication date in a chrome line (`发布日期：2023-02-16 09:00`, `时间：2021年12月31日`)
/// as `YYYY-MM-DD`.
pub fn date_in(line: &str) -> Option<String> {
    let t = simplified(line);
    let key = ["发布", "时间", "日期", "公开"]
        .iter()
        .filter_map(|k| t.find(k))
        .min()?;
    let chars: Vec<char> = t[key..].chars().collect();
    for i in 0..chars.len() {
        let num = |j: usize, max: usize| -> Option<(u32, usize)> {
            let n = chars[j..]
                .iter()
                .take(max)
                .take_while(|c| c.is_ascii_digit())
                .count();
            let s: String = chars[j..j + n].iter().collect();
            (n > 0).then(|| (s.parse().unwrap_or(0), j + n))
        };
        let Some((y, j)) = num(i, 4) else { continue };
        if !(1990..2100).contains(&y) || j - i != 4 {
            continue;
        }
        let sep = *chars.get(j)?;
        if !"-/.年".contains(sep) {
            continue;
        }
        let Some((m, k)) = num(j + 1, 2) else {
            continue;
        };
        let Some(&sep2) = chars.get(k) else { continue };
        if !"-/.月".contains(sep2) {
            continue;
        }
        let Some((d, _)) = num(k + 1, 2) else {
            continue;
        };
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

/// The metadata of one document from its title, the chrome lines of its page and its
/// first paragraphs. Years come from the title, else from the first paragraph that names
/// one; the bureau from the title, else from the page's chrome (`来源：…`, breadcrumbs).
pub fn metadata(title: Option<&str>, chrome: &[String], body: &[&str]) -> Metadata {
    let mut m = Metadata {
        title: title.map(str::to_string),
        ..Metadata::default()
    };
    // The title's bureau; else a line that is only a bureau's name (a page's masthead)
    // or a chrome line naming one (`来源：…`), a named place before a generic `市教育局`.
    let bare = body
        .iter()
        .filter(|b| b.chars().count() <= 20)
        .filter_map(|b| bureau_in(b).filter(|(n, _)| simplified(b) == *n));
    let found: Vec<(String, Option<String>)> = bare
        .chain(chrome.iter().filter_map(|c| bureau_in(c)))
        .collect();
    let bureau = title.and_then(bureau_in).or_else(|| {
        let named = found.iter().find(|(_, r)| r.is_some());
        named.or(found.first()).cloned()
    });
    if let Some((b, r)) = bureau {
        m.bureau = Some(b);
        m.region = r;
    }
    m.years = title.map(years_in).unwrap_or_default();
    if m.years.is_empty() {
        m.years = body
            .iter()
            .map(|b| years_in(b))
            .find(|y| !y.is_empty())
            .map(|y| y[..1].to_vec())
            .unwrap_or_default();
    }
    m.kind = title.and_then(kind_of);
    m.date = chrome.iter().find_map(|c| date_in(c));
    m
}

/// One document of a source, announced before its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Position among the source's documents, from 0.
    pub index: usize,
    /// What the document is.
    pub metadata: Metadata,
}

/// What a [`DocumentReader`] produces, in order: each document before its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new document starts.
    Document(Document),
    /// A paragraph of the current document (its `document` field is the document's
    /// index).
    Paragraph(Paragraph),
}

/// A paragraph this short ending in `；` may lead a list of short items.
const LIST_LEAD_CHARS: usize = 120;
/// List items are at most this long.
const LIST_ITEM_CHARS: usize = 40;

fn ends_list_item(text: &str) -> bool {
    text.trim_end().ends_with(['；', ';'])
}

/// A short list item: not a numbered heading of its own.
fn is_list_item(text: &str) -> bool {
    text.chars().count() <= LIST_ITEM_CHARS && marker_at(text).is_none_or(|(l, _)| l > 4)
}

/// Body paragraphs read before a document's metadata is settled.
const SETTLE_PARAGRAPHS: usize = 3;
/// Paragraphs shorter than this that repeat are dropped only inside a repeated run.
const DUP_MIN_CHARS: usize = 20;

/// Documents and their paragraphs from the lines of one source, one copy of each
/// repeated paragraph (see the module docs).
#[derive(Debug)]
pub struct DocumentReader<'a> {
    seg: LineSegmenter<'a>,
    scratch: Vec<Paragraph>,
    /// Paragraphs of the current document held until its metadata is settled, each with
    /// whether it is title-like ([`is_title_like`], which settling asks again and again).
    held: Vec<(Paragraph, bool)>,
    chrome: Vec<String>,
    settled: bool,
    /// The segmenter's document number of the current document.
    source_doc: Option<usize>,
    /// Documents announced so far.
    announced: usize,
    page_title: Option<String>,
    seen: FxHashSet<u64>,
    last_key: Option<u64>,
    last_dropped: bool,
    index: usize,
    /// A run of list items being joined.
    list: Option<Paragraph>,
}

/// The duplicate key of a paragraph: a hash of its text without white space (any
/// [`char::is_whitespace`]), so copies that differ only in spacing or line breaks share it.
/// Reads bytes, eight at a time where they hold no white space, instead of decoding
/// characters.
fn key(text: &str) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    // Bytes that may start a white-space character: ASCII up to the space, 0xC2 (U+0085,
    // U+00A0), 0xE0..=0xE3 (U+1680, U+2000.., U+3000; 0xE0 for a simpler test).
    let may_start_space = |v: u64| {
        (v.wrapping_sub(0x21 * ONES) & !v & HIGH) != 0
            || has_zero(v ^ (0xC2 * ONES))
            || has_zero((v & (0xFC * ONES)) ^ (0xE0 * ONES))
    };
    let b = text.as_bytes();
    let mut h = rustc_hash::FxHasher::default();
    // Kept bytes not yet hashed, the last in the low byte, and how many.
    let (mut word, mut n) = (0u64, 0u32);
    let mut i = 0;
    while i < b.len() {
        if n == 0 && i + 8 <= b.len() {
            let chunk: [u8; 8] = b[i..i + 8].try_into().expect("eight bytes");
            let v = u64::from_le_bytes(chunk);
            if !may_start_space(v) {
                h.write_u64(u64::from_be_bytes(chunk));
                i += 8;
                continue;
            }
        }
        let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
        let space = match b[i] {
            b'\t'..=b'\r' | b' ' => 1,
            0xC2 if matches!(at(1), 0x85 | 0xA0) => 2,
            0xE1 if (at(1), at(2)) == (0x9A, 0x80) => 3,
            0xE2 if matches!(
                (at(1), at(2)),
                (0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) | (0x81, 0x9F)
            ) =>
            {
                3
            }
            0xE3 if (at(1), at(2)) == (0x80, 0x80) => 3,
            _ => 0,
        };
        if space > 0 {
            i += space;
            continue;
        }
        word = word << 8 | u64::from(b[i]);
        n += 1;
        if n == 8 {
            h.write_u64(word);
            (word, n) = (0, 0);
        }
        i += 1;
    }
    h.write_u64(word);
    h.write_u32(n);
    h.finish()
}

impl<'a> DocumentReader<'a> {
    /// A reader segmenting with `seg`.
    pub fn new(seg: &'a Segmenter) -> Self {
        DocumentReader {
            seg: seg.stream(),
            scratch: Vec::new(),
            held: Vec::new(),
            chrome: Vec::new(),
            settled: false,
            source_doc: None,
            announced: 0,
            page_title: None,
            seen: FxHashSet::default(),
            last_key: None,
            last_dropped: false,
            index: 0,
            list: None,
        }
    }

    /// Feed one line (without its terminator) starting at character `char_start`.
    pub fn line(&mut self, line: &str, char_start: usize, out: &mut Vec<Event>) {
        self.seg.line(line, char_start, &mut self.scratch);
        let chrome = self.seg.take_chrome();
        let mut ps = std::mem::take(&mut self.scratch);
        for p in ps.drain(..) {
            self.paragraph(p, out);
        }
        self.scratch = ps;
        for c in chrome {
            if self.chrome.len() < 16 {
                self.chrome.push(c);
            }
        }
    }

    /// Flush the last document at the end of the source.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        if let Some(run) = self.list.take() {
            self.emit_run(run, out);
        }
        self.settle(out);
    }

    fn paragraph(&mut self, p: Paragraph, out: &mut Vec<Event>) {
        if self.source_doc != Some(p.document) {
            if let Some(run) = self.list.take() {
                self.emit_run(run, out);
            }
            if self.source_doc.is_some() {
                self.settle(out);
                self.chrome.clear();
            }
            self.source_doc = Some(p.document);
            self.settled = false;
            self.held.clear();
        }
        // One copy of a repeated article: a repeated paragraph is dropped when it is long
        // enough to be no accident, when it is a title, when it repeats the paragraph just
        // kept, or when it continues a run of dropped ones.
        let k = key(&p.text);
        let title = p.title_like;
        if self.seen.contains(&k)
            && (p.text.chars().count() >= DUP_MIN_CHARS
                || title
                || self.last_key == Some(k)
                || self.last_dropped)
        {
            self.last_dropped = true;
            return;
        }
        self.seen.insert(k);
        self.last_key = Some(k);
        self.last_dropped = false;
        if self.page_title.is_none() && title {
            self.page_title = Some(p.text.trim().to_string());
        }
        // A run of short list items (`招聘教师×名；`, one a line) is one paragraph.
        if let Some(mut run) = self.list.take() {
            if is_list_item(&p.text) {
                run.text.push('\n');
                run.text.push_str(&p.text);
                // No t2s key holds a line break, so the run's text normalises line by line.
                run.normalized.push('\n');
                run.normalized.push_str(&p.normalized);
                // The joined run was not checked as a whole.
                run.chrome_checked = false;
                run.end = p.end;
                if ends_list_item(&p.text) {
                    self.list = Some(run);
                } else {
                    self.emit_run(run, out);
                }
                return;
            }
            self.emit_run(run, out);
        }
        if ends_list_item(&p.text) && p.text.chars().count() <= LIST_LEAD_CHARS {
            self.list = Some(p);
            return;
        }
        self.emit(p, title, out);
    }

    /// [`DocumentReader::emit`] a run of list items (or a lone list lead).
    fn emit_run(&mut self, mut run: Paragraph, out: &mut Vec<Event>) {
        run.title_like = is_title_like_normalized(&run.normalized);
        let title = run.title_like;
        self.emit(run, title, out);
    }

    /// Number a kept paragraph (`title`: whether it is title-like) and pass it on (held
    /// until its document is settled).
    fn emit(&mut self, mut p: Paragraph, title: bool, out: &mut Vec<Event>) {
        p.index = self.index;
        self.index += 1;
        if self.settled {
            p.document = self.announced - 1;
            out.push(Event::Paragraph(p));
            return;
        }
        self.held.push((p, title));
        let body = self.held.iter().filter(|(_, title)| !title).count();
        if body >= SETTLE_PARAGRAPHS {
            self.settle(out);
        }
    }

    /// Announce the current document with its metadata and release its held paragraphs.
    fn settle(&mut self, out: &mut Vec<Event>) {
        if self.settled || self.held.is_empty() {
            return;
        }
        let first_body = self.held.iter().position(|(_, title)| !title);
        let own_title = self.held[..first_body.unwrap_or(self.held.len())]
            .first()
            .map(|(h, _)| h.text.trim().to_string());
        let part = first_body
            .map(|i| self.held[i].0.text.as_str())
            .filter(|t| t.starts_with("【篇"))
            .and_then(|t| t.find('】').map(|e| &t[..e + '】'.len_utf8()]));
        let title = match (part, &self.page_title) {
            (Some(part), Some(page)) => Some(format!("{page} {part}")),
            _ => own_title.or_else(|| self.page_title.clone().filter(|_| self.announced == 0)),
        };
        let body: Vec<&str> = self.held.iter().map(|(h, _)| h.text.as_str()).collect();
        let meta_title = title.as_deref();
        let mut metadata = metadata(meta_title, &self.chrome, &body);
        if metadata.bureau.is_none() || metadata.years.is_empty() {
            // A part of a multi-report page shares the page title's bureau and years.
            if let Some(page) = self.page_title.as_deref() {
                let page_meta = self::metadata(Some(page), &self.chrome, &body);
                if metadata.bureau.is_none() {
                    metadata.bureau = page_meta.bureau;
                    metadata.region = page_meta.region;
                }
                if metadata.years.is_empty() {
                    metadata.years = page_meta.years;
                }
            }
        }
        let index = self.announced;
        self.announced += 1;
        out.push(Event::Document(Document { index, metadata }));
        for (mut p, _) in self.held.drain(..) {
            p.document = index;
            out.push(Event::Paragraph(p));
        }
        self.settled = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(page: &str) -> Vec<Event> {
        let seg = Segmenter::default();
        let mut r = DocumentReader::new(&seg);
        let mut out = Vec::new();
        let mut at = 0;
        for line in page.split('\n') {
            r.line(line, at, &mut out);
            at += line.chars().count() + 1;
        }
        r.finish(&mut out);
        out
    }

    fn docs(ev: &[Event]) -> Vec<&Document> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Document(d) => Some(d),
                _ => None,
            })
            .collect()
    }

    fn paras(ev: &[Event]) -> Vec<&Paragraph> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Paragraph(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn duplicate_keys_ignore_exactly_white_space() {
        // Every white-space character, and characters that share their first bytes.
        let spaces: Vec<char> = (0..=0x3000u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(spaces.len(), 25);
        let near = [
            '\u{84}', '\u{a1}', '\u{1681}', '\u{200b}', '\u{2027}', '\u{2030}', '\u{3001}', '“',
            '。', 'x', '!',
        ];
        let mut texts = crate::clean::tests::varied_lines();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..3000 {
            let len = next(40);
            let t: String = (0..len)
                .map(|_| match next(4) {
                    0 => spaces[next(spaces.len())],
                    1 => near[next(near.len())],
                    _ => char::from_u32(0x4E00 + next(200) as u32).unwrap(),
                })
                .collect();
            texts.push(t);
        }
        let strip = |t: &str| -> String { t.chars().filter(|c| !c.is_whitespace()).collect() };
        let mut by_key: std::collections::HashMap<u64, String> = Default::default();
        for t in &texts {
            let bare = strip(t);
            assert_eq!(key(t), key(&bare), "{t:?}");
            // Distinct texts (without white space) get distinct keys.
            let seen = by_key.entry(key(t)).or_insert_with(|| bare.clone());
            assert_eq!(*seen, bare, "{t:?}");
        }
        assert!(by_key.len() > 2500);
        for c in near {
            assert_ne!(key(&format!("甲{c}")), key("甲"), "{c:?}");
        }
    }

    #[test]
    fn normalized_titles_equal_titles() {
        let lines = crate::clean::tests::varied_lines();
        for l in &lines {
            let n = normalized(l);
            assert_eq!(is_title_like(l), is_title_like_normalized(&n), "{l}");
            assert_eq!(is_report_title(l), is_report_title_normalized(&n), "{l}");
            // The old definition: trim, fold, convert, then the rules.
            let t = simplified(l);
            let want = (4..=60).contains(&t.chars().count())
                && !t.contains(['。', ';', ':', '!', '?'])
                && !t.ends_with(',')
                && marker_at(&t).is_none()
                && REPORT_WORDS.iter().any(|w| t.contains(w));
            assert_eq!(is_title_like(l), want, "{l}");
        }
        assert!(lines.iter().any(|l| is_report_title(l)));
        assert!(lines
            .iter()
            .any(|l| is_title_like(l) && !is_report_title(l)));
    }

    #[test]
    fn paragraphs_carry_their_normalized_text() {
        let page = concat!(
            include_str!("../../../corpus/samples/district-plan-traditional.txt"),
            "\n（二）隊伍建設\n2.教師隊伍結構更趨合理，全年招聘教師：\n招聘中小學教師若干名；\n",
            "招募支教人員若干名；\n遴選教師進城若干名。\n"
        );
        let ev = read(page);
        let ps = paras(&ev);
        assert!(ps.len() > 10 && ps.iter().any(|p| p.text.contains('\n')));
        for p in ps {
            assert_eq!(p.normalized, normalized(&p.text), "{}", p.text);
            assert_eq!(p.title_like, is_title_like(&p.text), "{}", p.text);
        }
    }

    #[test]
    fn years_bureaus_kinds_dates() {
        assert_eq!(years_in("2019年工作总结和2020年工作思路"), [2019, 2020]);
        assert_eq!(years_in("二〇二一年工作要点"), [2021]);
        assert_eq!(years_in("投入12345万元"), Vec::<u16>::new());
        assert_eq!(
            bureau_in("2021年麻章区教育局工作成效盘点"),
            Some(("麻章区教育局".into(), Some("麻章区".into())))
        );
        assert_eq!(
            bureau_in("柳南區教育局2022年工作總結"),
            Some(("柳南区教育局".into(), Some("柳南区".into())))
        );
        assert_eq!(
            bureau_in("区教育局2022年工作总结"),
            Some(("区教育局".into(), None))
        );
        assert_eq!(
            bureau_in("XX区教育局2021年工作总结"),
            Some(("XX区教育局".into(), None))
        );
        assert_eq!(
            kind_of("2022年工作总结及2023年工作计划"),
            Some(Kind::SummaryPlan)
        );
        assert_eq!(kind_of("2021上半年工作总结"), Some(Kind::HalfYear));
        assert_eq!(kind_of("县教育局2024年安全工作总结"), Some(Kind::Special));
        assert_eq!(kind_of("学校办学行为自查报告"), Some(Kind::SelfInspection));
        assert_eq!(kind_of("2023年工作要点"), Some(Kind::Plan));
        assert_eq!(kind_of("2021年工作成效盘点"), Some(Kind::Summary));
        assert_eq!(
            kind_of("某县教育体育局2023年工作总结和2024年工作打算"),
            Some(Kind::SummaryPlan)
        );
        assert_eq!(
            date_in("發布日期: 2023-02-16 09:00").as_deref(),
            Some("2023-02-16")
        );
        assert_eq!(
            date_in("时间：2021年12月3日").as_deref(),
            Some("2021-12-03")
        );
        assert_eq!(date_in("浏览次数：2023"), None);
    }

    #[test]
    fn parts_of_a_page_are_documents_with_their_own_titles() {
        let body = "全面落实立德树人根本任务，办学条件持续改善，教育质量稳步提升。";
        let page = format!(
            "某县教育局2021年工作总结3篇\n文档介绍\n某县教育局2021年工作总结3篇\n\
             【篇一】{body}一、工作成效（一）党建引领。{body}\n【篇二】{body}【篇三】{body}\n查看更多"
        );
        let ev = read(&page);
        let d = docs(&ev);
        assert_eq!(d.len(), 3, "{ev:#?}");
        assert_eq!(
            d[1].metadata.title.as_deref(),
            Some("某县教育局2021年工作总结3篇 【篇二】")
        );
        assert_eq!(d[2].metadata.years, [2021]);
        assert_eq!(d[2].metadata.bureau.as_deref(), Some("某县教育局"));
        let ps = paras(&ev);
        // The repeated page title is kept once; chrome is dropped.
        assert_eq!(ps.iter().filter(|p| p.text.contains("3篇")).count(), 1);
        assert!(ps
            .iter()
            .all(|p| p.text != "文档介绍" && p.text != "查看更多"));
        let heads: Vec<String> = ps.iter().map(|p| p.heading_path()).collect();
        assert!(
            heads.contains(&"一、工作成效 › （一）党建引领".to_string()),
            "{heads:?}"
        );
        for (i, p) in ps.iter().enumerate() {
            assert_eq!(p.index, i);
        }
    }

    #[test]
    fn an_article_saved_twice_is_kept_once() {
        let a = "一是新建幼儿园三所，新增学位九百个，普惠率提高五个百分点。";
        let b = "二是组织教师全员培训，覆盖全区中小学教师两千余人次。";
        let page = format!(
            "某区教育局2022年工作总结\n来源：某区教育局 发布日期：2023-01-05\n{a}\n{b}\n\
             ×\n年度工作总结\n某区教育局2022年工作总结\n{a}\n{b}\n"
        );
        let ev = read(&page);
        assert_eq!(docs(&ev).len(), 1);
        let texts: Vec<&str> = paras(&ev).iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["某区教育局2022年工作总结", a, b]);
        let m = &docs(&ev)[0].metadata;
        assert_eq!(m.date.as_deref(), Some("2023-01-05"));
        assert_eq!(m.kind, Some(Kind::Summary));
    }

    #[test]
    fn a_run_of_short_list_items_is_one_paragraph() {
        let page = "（二）队伍建设\n2.教师队伍结构更趋合理，全年招聘教师：\n招聘中小学教师若干名；\n\
                    招募支教人员若干名；\n遴选教师进城若干名。\n3.师德建设扎实推进，开展专题教育。\n";
        let ev = read(page);
        let ps = paras(&ev);
        let t: Vec<&str> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(t.len(), 4, "{t:?}");
        assert_eq!(
            t[2],
            "招聘中小学教师若干名；\n招募支教人员若干名；\n遴选教师进城若干名。"
        );
        assert_eq!(ps[2].end - ps[2].start, t[2].chars().count());
        assert!(ps[2].heading_path().contains("› 2.教师队伍结构更趋合理"));
        // Each line was checked for chrome; the joined run as a whole was not.
        assert!(ps[1].chrome_checked && ps[3].chrome_checked);
        assert!(!ps[2].chrome_checked);
    }

    #[test]
    fn a_second_report_title_after_body_starts_a_document() {
        let body = "全区新建改扩建学校五所，新增学位三千个，办学条件明显改善。";
        let page =
            format!("甲区教育局2021年工作总结\n{body}\n乙县教育局2022年工作要点\n{body}一是。\n");
        let ev = read(&page);
        let d = docs(&ev);
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].metadata.region.as_deref(), Some("乙县"));
        assert_eq!(d[1].metadata.kind, Some(Kind::Plan));
    }
}
