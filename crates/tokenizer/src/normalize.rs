//! Character normalisation: full-width ASCII to half-width, traditional to simplified script.
//!
//! Each step is a [`Normalize`] stage; [`Normalizer`] composes the enabled ones in order.
//! Stages borrow the input unchanged when they have nothing to do, so simplified,
//! half-width text (the common case) costs one scan.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One normalisation stage.
pub trait Normalize: Send + Sync {
    /// Normalise `text`, borrowing it when nothing changes.
    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str>;
}

/// Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space become their
/// half-width ASCII counterparts. Maps one char to one char, so offsets are preserved.
#[derive(Debug, Clone, Copy, Default)]
pub struct FullWidth;

/// Fold one character from full-width to half-width (identity for other characters).
#[inline]
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl Normalize for FullWidth {
    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        // Every character this folds is three bytes led by 0xEF (U+FF01–U+FF5E) or 0xE3
        // (U+3000), bytes that only ever lead a character: find those leads, not characters.
        let b = text.as_bytes();
        let mut out: Option<String> = None;
        let (mut copied, mut i) = (0, 0);
        while let Some(off) = memchr::memchr2(0xEF, 0xE3, &b[i..]) {
            let p = i + off;
            let ascii = match (b[p], b[p + 1], b[p + 2]) {
                (0xEF, 0xBC, x) if x >= 0x81 => Some(x - 0x60),
                (0xEF, 0xBD, x) if x <= 0x9E => Some(x - 0x20),
                (0xE3, 0x80, 0x80) => Some(b' '),
                _ => None,
            };
            if let Some(a) = ascii {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copied..p]);
                o.push(a as char);
                copied = p + 3;
            }
            i = p + 3;
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut o) => {
                o.push_str(&text[copied..]);
                Cow::Owned(o)
            }
        }
    }
}

/// OpenCC's traditional → simplified character dictionary (Apache-2.0), embedded.
pub const TS_CHARACTERS: &str = include_str!("../data/opencc/TSCharacters.txt");
/// OpenCC's traditional → simplified phrase dictionary (Apache-2.0), embedded.
pub const TS_PHRASES: &str = include_str!("../data/opencc/TSPhrases.txt");

/// Traditional → simplified with OpenCC's `t2s` dictionaries: at each position the longest
/// key of either dictionary that starts there is replaced by its first value (a phrase wins
/// a tie), exactly as OpenCC's t2s chain (and the `ferrous-opencc` crate, the test oracle)
/// converts. Characters that start no key are copied with one bitmap test, so simplified
/// text is passed through without a dictionary walk.
pub struct Traditional {
    chars: FxHashMap<char, &'static str>,
    phrases: FxHashMap<&'static str, &'static str>,
    /// Longest phrase key (in characters) starting with a character.
    phrase_len: FxHashMap<char, usize>,
    /// The first two characters of every phrase key of two or more characters, and the
    /// phrase keys of one character: where neither starts, no phrase does.
    phrase_pairs: FxHashSet<(char, char)>,
    phrase_singles: FxHashSet<char>,
    /// BMP characters that start some key.
    starts: Vec<u64>,
    /// BMP characters that a lone-character conversion changes.
    changed: Vec<u64>,
}

impl std::fmt::Debug for Traditional {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traditional")
            .field("chars", &self.chars.len())
            .field("phrases", &self.phrases.len())
            .finish()
    }
}

/// `key<TAB>value value…` lines as OpenCC's dictionary compiler reads them: blank and `#`
/// lines skipped, a line needs exactly one tab and no empty value, a later key replaces an
/// earlier one. Yields (key, first value).
fn dictionary(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines().filter_map(|line| {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            return None;
        }
        let mut parts = line.split('\t');
        let (key, values) = (parts.next()?, parts.next()?);
        if parts.next().is_some() || key.is_empty() || values.split(' ').any(str::is_empty) {
            return None;
        }
        Some((key, values.split(' ').next()?))
    })
}

fn set_bit(bits: &mut [u64], c: char) {
    let u = c as u32;
    if u < 0x10000 {
        bits[(u >> 6) as usize] |= 1 << (u & 63);
    }
}

#[inline]
fn bit(bits: &[u64], c: char) -> bool {
    let u = c as u32;
    u < 0x10000 && bits[(u >> 6) as usize] & (1 << (u & 63)) != 0
}

impl Traditional {
    /// Build the tables from the embedded dictionaries.
    pub fn new() -> Result<Self> {
        let mut chars = FxHashMap::default();
        for (k, v) in dictionary(TS_CHARACTERS) {
            let mut it = k.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => {
                    chars.insert(c, v);
                }
                _ => {
                    return Err(Error::Dictionary(format!(
                        "OpenCC TSCharacters: key {k} is not one character"
                    )))
                }
            }
        }
        let mut phrases = FxHashMap::default();
        let mut phrase_len: FxHashMap<char, usize> = FxHashMap::default();
        let mut phrase_pairs = FxHashSet::default();
        let mut phrase_singles = FxHashSet::default();
        for (k, v) in dictionary(TS_PHRASES) {
            phrases.insert(k, v);
            let mut it = k.chars();
            let first = it.next().expect("keys are not empty");
            match it.next() {
                Some(second) => phrase_pairs.insert((first, second)),
                None => phrase_singles.insert(first),
            };
            let n = phrase_len.entry(first).or_default();
            *n = (*n).max(k.chars().count());
        }
        let mut t = Traditional {
            chars,
            phrases,
            phrase_len,
            phrase_pairs,
            phrase_singles,
            starts: vec![0; 1024],
            changed: vec![0; 1024],
        };
        let keys: Vec<char> = t.chars.keys().chain(t.phrase_len.keys()).copied().collect();
        for c in keys {
            set_bit(&mut t.starts, c);
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            if t.convert_at(s, 0).is_some_and(|(_, v)| v != s) {
                set_bit(&mut t.changed, c);
            }
        }
        Ok(t)
    }

    /// True when `c` on its own is changed by t2s conversion.
    #[inline]
    pub fn is_traditional(&self, c: char) -> bool {
        if (c as u32) < 0x10000 {
            bit(&self.changed, c)
        } else {
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            self.convert_at(s, 0).is_some_and(|(_, v)| v != s)
        }
    }

    /// The longest key starting at byte `i` of `text` (a phrase wins a tie): its end and
    /// replacement.
    fn convert_at(&self, text: &str, i: usize) -> Option<(usize, &'static str)> {
        let mut rest = text[i..].chars();
        let c = rest.next()?;
        // Common characters start a few phrases (`一`, `上`): look for one only where the
        // next character continues some phrase key.
        let phrase = match rest.next() {
            Some(second) => self.phrase_pairs.contains(&(c, second)),
            None => false,
        } || self.phrase_singles.contains(&c);
        if let Some(&max) = self.phrase_len.get(&c).filter(|_| phrase) {
            // Longest first: the end of the `max`-th character, then shorter.
            let mut end = text[i..]
                .char_indices()
                .nth(max)
                .map_or(text.len(), |(j, _)| i + j);
            while end > i {
                if let Some(&v) = self.phrases.get(&text[i..end]) {
                    return Some((end, v));
                }
                end -= text[i..end].chars().next_back().map_or(1, char::len_utf8);
            }
        }
        self.chars.get(&c).map(|&v| (i + c.len_utf8(), v))
    }
}

impl Normalize for Traditional {
    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out: Option<String> = None;
        let mut copied = 0; // text[copied..] has not been handled yet
        let mut next = 0; // characters before this byte are inside a handled key
        for (i, c) in text.char_indices() {
            if i < next {
                continue;
            }
            // The bitmap rules out most BMP characters; `convert_at` decides the rest.
            if (c as u32) < 0x10000 && !bit(&self.starts, c) {
                continue;
            }
            if let Some((end, v)) = self.convert_at(text, i) {
                if v != &text[i..end] {
                    let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    o.push_str(&text[copied..i]);
                    o.push_str(v);
                    copied = end;
                }
                next = end;
            }
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut o) => {
                o.push_str(&text[copied..]);
                Cow::Owned(o)
            }
        }
    }
}

/// `text` in simplified script, with the embedded OpenCC tables built once per process
/// (for rules that match fixed simplified markers, such as chrome and metadata; tagging
/// uses its own [`Normalizer`]). Borrows `text` when nothing changes.
///
/// ```
/// assert_eq!(policytag_tokenizer::normalize::to_simplified("發布日期"), "发布日期");
/// ```
pub fn to_simplified(text: &str) -> Cow<'_, str> {
    static T2S: std::sync::OnceLock<Option<Traditional>> = std::sync::OnceLock::new();
    match T2S.get_or_init(|| Traditional::new().ok()) {
        Some(t) => t.normalize(text),
        None => Cow::Borrowed(text),
    }
}

/// `text` through the [`Normalizer`] of the default [`NormalizeSettings`] (full width folded,
/// then traditional script simplified), built once per process: what the tagger's normaliser
/// gives with a default model, and what the segmenter's title, chrome and metadata rules
/// read. Borrows `text` when nothing changes. Both stages map one character to one
/// character (every OpenCC t2s key converts to a value as long), never touch white space
/// and never match across it, so `normalized(x).chars().count() == x.chars().count()` and
/// `normalized(x.trim()) == normalized(x).trim()`.
///
/// ```
/// use policytag_tokenizer::normalize::normalized;
/// assert_eq!(normalized("課後服務覆蓋率１００％"), "课后服务覆盖率100%");
/// ```
pub fn normalized(text: &str) -> Cow<'_, str> {
    static DEFAULT: std::sync::OnceLock<Normalizer> = std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            // The dictionaries are embedded: building them cannot fail in a tested build;
            // if it did, only width is folded, as `to_simplified` then converts nothing.
            Normalizer::new(NormalizeSettings::default()).unwrap_or_else(|_| Normalizer {
                stages: vec![Box::new(FullWidth)],
            })
        })
        .normalize(text)
}

/// Normaliser settings, saved in the model file so training and tagging agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizeSettings {
    /// Fold full-width ASCII to half-width. Default `true`.
    pub fullwidth: bool,
    /// Convert traditional to simplified script. Default `true`.
    pub t2s: bool,
}

impl Default for NormalizeSettings {
    fn default() -> Self {
        NormalizeSettings {
            fullwidth: true,
            t2s: true,
        }
    }
}

/// The enabled [`Normalize`] stages, applied in order: width, then script.
pub struct Normalizer {
    stages: Vec<Box<dyn Normalize>>,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field("stages", &self.stages.len())
            .finish()
    }
}

impl Normalizer {
    /// Build the stages that `settings` enables.
    pub fn new(settings: NormalizeSettings) -> Result<Self> {
        let mut stages: Vec<Box<dyn Normalize>> = Vec::new();
        if settings.fullwidth {
            stages.push(Box::new(FullWidth));
        }
        if settings.t2s {
            stages.push(Box::new(Traditional::new()?));
        }
        Ok(Normalizer { stages })
    }

    /// Apply every stage in order.
    pub fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut cur = Cow::Borrowed(text);
        for stage in &self.stages {
            cur = match cur {
                Cow::Borrowed(s) => stage.normalize(s),
                // Keep the string a stage leaves unchanged instead of copying it.
                Cow::Owned(s) => match stage.normalize(&s) {
                    Cow::Owned(o) => Cow::Owned(o),
                    Cow::Borrowed(_) => Cow::Owned(s),
                },
            };
        }
        cur
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_byte_scan_equals_char_fold() {
        let mut all = String::new();
        for u in 0x20..0x10000u32 {
            if let Some(c) = char::from_u32(u) {
                all.push(c);
                let one = c.to_string();
                let want: String = one.chars().map(fold_width).collect();
                assert_eq!(FullWidth.normalize(&one), want, "U+{u:04X}");
            }
        }
        let want: String = all.chars().map(fold_width).collect();
        assert_eq!(FullWidth.normalize(&all), want);
    }

    /// What `normalized` promises and the segmenter relies on: every t2s key converts to a
    /// value of as many characters, and no key or value holds white space (so a conversion
    /// never crosses a line break or the edge of trimmed text).
    #[test]
    fn t2s_keeps_lengths_and_white_space() {
        for (k, v) in dictionary(TS_CHARACTERS).chain(dictionary(TS_PHRASES)) {
            assert_eq!(k.chars().count(), v.chars().count(), "{k} → {v}");
            assert!(!k.contains(char::is_whitespace) && !v.contains(char::is_whitespace));
        }
        let n = Normalizer::new(NormalizeSettings::default()).unwrap();
        for text in [
            "　柳南區學前教育，課後服務覆蓋率１００％。　",
            " 發布日期：2023-02-16\n來源：區教育局 ",
            "简体文本",
            "",
        ] {
            assert_eq!(normalized(text), n.normalize(text));
            assert_eq!(normalized(text).chars().count(), text.chars().count());
            assert_eq!(normalized(text.trim()), normalized(text).trim());
            let lines: Vec<String> = text.split('\n').map(|l| normalized(l).into()).collect();
            assert_eq!(lines.join("\n"), normalized(text));
        }
    }

    #[test]
    fn fullwidth_folds_ascii_only() {
        let n = FullWidth;
        assert_eq!(n.normalize("ＡＰＰ１２３％　（一）"), "APP123% (一)");
        assert!(matches!(n.normalize("学前教育"), Cow::Borrowed(_)));
    }

    #[test]
    fn traditional_becomes_simplified() {
        let n = Normalizer::new(NormalizeSettings::default()).unwrap();
        assert_eq!(n.normalize("柳南區學前教育"), "柳南区学前教育");
        assert_eq!(n.normalize("課後服務覆蓋率１００％"), "课后服务覆盖率100%");
        assert!(matches!(n.normalize("课后服务"), Cow::Borrowed(_)));
    }

    /// The converter must give exactly what OpenCC's t2s (ferrous-opencc, the oracle) gives.
    #[test]
    fn conversion_equals_opencc() {
        use ferrous_opencc::{config::BuiltinConfig, OpenCC};
        let cc = OpenCC::from_config(BuiltinConfig::T2s).unwrap();
        let t = Traditional::new().unwrap();
        // Every key alone, inside text, and run into its neighbours.
        let keys: Vec<&str> = dictionary(TS_PHRASES)
            .chain(dictionary(TS_CHARACTERS))
            .map(|(k, _)| k)
            .collect();
        assert!(keys.len() > 4000);
        for w in keys.windows(3) {
            for text in [
                w[0].to_string(),
                format!("全区{}学校", w[0]),
                w.concat(),
                format!("{}{}", w[1], w[0]),
            ] {
                assert_eq!(t.normalize(&text), cc.convert(&text), "{text}");
            }
        }
        // Single characters across the CJK blocks, in one text (matches may cross lines).
        let ranges = [(0x3000u32, 0x9FFFu32), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)];
        let mut probe = String::new();
        for (lo, hi) in ranges {
            for u in lo..=hi {
                if let Some(c) = char::from_u32(u) {
                    probe.push(c);
                    assert_eq!(
                        t.is_traditional(c),
                        cc.convert(&c.to_string()) != c.to_string(),
                        "{c}"
                    );
                }
            }
            probe.push('\n');
        }
        assert_eq!(t.normalize(&probe), cc.convert(&probe));
        // Report-like traditional and mixed text.
        for text in [
            "柳南區大力發展學前教育，課後服務覆蓋率達到100%。",
            "乾隆年間的著名學者著書立說；後來發現頭髮與髮型",
            "简体文本不变：课后服务与学前教育",
            "",
        ] {
            assert_eq!(t.normalize(text), cc.convert(text), "{text}");
        }
    }
}
