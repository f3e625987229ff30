//! Words: normalised text cut by jieba-rs with an embedded education-policy dictionary,
//! punctuation dropped, stop words removed, numbers and dates mapped to class tokens.

use std::borrow::Cow;

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::normalize::{NormalizeSettings, Normalizer};

/// The general dictionary: jieba's dictionary (MIT licence) without its rarest entries
/// (frequency below 5), which cuts load time from ~220 ms to ~50 ms. Regenerate with
/// `awk '$2>=5' <jieba-rs>/src/data/dict.txt`.
pub const GENERAL_DICT: &str = include_str!("../data/jieba-dict.txt");
/// The embedded domain dictionary (`word freq tag` per line).
pub const DOMAIN_DICT: &str = include_str!("../data/dict.txt");
/// The embedded stop-word list (one word per line).
pub const STOPWORDS: &str = include_str!("../data/stopwords.txt");

/// Class token for a year (`2021`).
pub const YEAR: &str = "<年份>";
/// Class token for any other number (`424.9`, `100`).
pub const NUM: &str = "<数>";
/// Class token for a percentage sign following a number.
pub const PCT: &str = "<百分比>";
/// Class token for a month or day (`3月`, `12日`).
pub const DATE: &str = "<日期>";

/// Everything that decides how text becomes tokens; saved in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSettings {
    /// Width and script normalisation.
    pub normalize: NormalizeSettings,
    /// Let jieba guess unknown words with its HMM. Default `false` (unknown words fall
    /// apart into known pieces, which generalise better across bureaus' names).
    pub hmm: bool,
    /// Load the embedded education-policy dictionary. Default `true`.
    pub domain_dict: bool,
    /// Drop stop words. Default `true`.
    pub stopwords: bool,
    /// Map numbers and dates to class tokens. Default `true`.
    pub class_tokens: bool,
}

impl Default for TextSettings {
    fn default() -> Self {
        TextSettings {
            normalize: NormalizeSettings::default(),
            hmm: false,
            domain_dict: true,
            stopwords: true,
            class_tokens: true,
        }
    }
}

/// A hash of the embedded dictionaries (jieba, domain, OpenCC t2s) and stop-word list,
/// stored in models so that a model is never used with a tokenizer whose word lists differ
/// from the ones it was trained with.
pub fn resources_hash() -> String {
    let mut h = Sha256::new();
    h.update(GENERAL_DICT.as_bytes());
    h.update([0u8]);
    h.update(DOMAIN_DICT.as_bytes());
    h.update([0u8]);
    h.update(STOPWORDS.as_bytes());
    h.update([0u8]);
    h.update(crate::normalize::TS_CHARACTERS.as_bytes());
    h.update([0u8]);
    h.update(crate::normalize::TS_PHRASES.as_bytes());
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tokens of one text: the normalised text and its word list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tokens {
    /// The normalised text (half-width, simplified).
    pub normalized: String,
    /// Words after filtering, in order.
    pub words: Vec<String>,
    /// Sentence ends: `(word index, byte offset in normalized)` after each sentence-final
    /// punctuation mark (。！？；), excluding the text's end.
    pub breaks: Vec<(usize, usize)>,
}

impl Tokens {
    /// Tokens from words alone (no sentence breaks); the normalised text is their concatenation.
    pub fn from_words(words: Vec<String>) -> Tokens {
        Tokens {
            normalized: words.concat(),
            words,
            breaks: Vec::new(),
        }
    }

    /// The sentences, as tokens of their own (empty when the text is one sentence).
    pub fn sentences(&self) -> Vec<Tokens> {
        if self.breaks.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(self.breaks.len() + 1);
        let (mut w0, mut b0) = (0usize, 0usize);
        for &(w, b) in self
            .breaks
            .iter()
            .chain(std::iter::once(&(self.words.len(), self.normalized.len())))
        {
            if w > w0 {
                out.push(Tokens {
                    normalized: self.normalized[b0..b].to_string(),
                    words: self.words[w0..w].to_vec(),
                    breaks: Vec::new(),
                });
            }
            w0 = w;
            b0 = b;
        }
        out
    }
}

/// A set of words keyed for fast lookup: words of up to 15 bytes (nearly every Chinese
/// word) as [`packed_word`] integers, compared without following a pointer; longer ones as
/// strings.
#[derive(Debug, Clone, Default)]
pub struct WordMap<V> {
    short: rustc_hash::FxHashMap<u128, V>,
    long: rustc_hash::FxHashMap<Box<str>, V>,
}

impl<V> WordMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        WordMap {
            short: Default::default(),
            long: Default::default(),
        }
    }
    /// The value of `word`.
    #[inline]
    pub fn get(&self, word: &str) -> Option<&V> {
        match packed_word(word) {
            Some(k) => self.short.get(&k),
            None => self.long.get(word),
        }
    }
    /// The value of `word`, mutably.
    pub fn get_mut(&mut self, word: &str) -> Option<&mut V> {
        match packed_word(word) {
            Some(k) => self.short.get_mut(&k),
            None => self.long.get_mut(word),
        }
    }
    /// The value of `word`, inserted by `make` if it is absent.
    pub fn get_or_insert_with(&mut self, word: &str, make: impl FnOnce() -> V) -> &mut V {
        match packed_word(word) {
            Some(k) => self.short.entry(k).or_insert_with(make),
            None => self.long.entry(word.into()).or_insert_with(make),
        }
    }
    /// Number of words.
    pub fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }
    /// True when there are no words.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A letter, digit or CJK ideograph (`char::is_alphanumeric` or U+4E00–U+9FFF): what a word
/// holds and a character n-gram is made of. Common CJK punctuation and full-width forms are
/// answered from a small table instead of Unicode's general tables.
#[inline]
pub fn is_word_char(c: char) -> bool {
    match c as u32 {
        0x4E00..=0x9FFF => true,
        0..=0x7F => c.is_ascii_alphanumeric(),
        u @ (0x3000..=0x303F | 0xFF00..=0xFF7F) => {
            static TABLE: std::sync::OnceLock<[u64; 3]> = std::sync::OnceLock::new();
            let t = TABLE.get_or_init(|| {
                let mut t = [0u64; 3];
                for (k, base) in [(0usize, 0x3000u32), (1, 0xFF00), (2, 0xFF40)] {
                    for off in 0..64 {
                        if char::from_u32(base + off).is_some_and(char::is_alphanumeric) {
                            t[k] |= 1 << off;
                        }
                    }
                }
                t
            });
            let (k, off) = match u {
                0x3000..=0x303F => (0, u - 0x3000),
                0xFF00..=0xFF3F => (1, u - 0xFF00),
                _ => (2, u - 0xFF40),
            };
            t[k] & (1 << off) != 0
        }
        _ => c.is_alphanumeric(),
    }
}

/// A word of at most 15 bytes packed into one integer: its bytes, then its length in the top
/// byte. `None` for longer words.
#[inline]
pub fn packed_word(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..b.len()].copy_from_slice(b);
    buf[15] = b.len() as u8;
    Some(u128::from_le_bytes(buf))
}

/// jieba-rs with the general dictionary loaded: the slowest part of building a [`Tokenizer`]
/// (tens of milliseconds) and independent of its settings, so it can be loaded on its own
/// thread while a model is read.
pub struct Dictionary(Jieba);

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dictionary")
    }
}

impl Dictionary {
    /// Load the embedded general dictionary ([`GENERAL_DICT`]).
    pub fn load() -> Result<Dictionary> {
        let mut jieba = Jieba::empty();
        jieba
            .load_dict(&mut std::io::Cursor::new(GENERAL_DICT.as_bytes()))
            .map_err(|e| Error::Dictionary(format!("general dictionary: {e}")))?;
        Ok(Dictionary(jieba))
    }
}

/// jieba with `dictionary` and, when `settings` ask for it, the domain dictionary's words.
fn with_domain_words(settings: &TextSettings, dictionary: Dictionary) -> Result<Jieba> {
    let mut jieba = dictionary.0;
    if settings.domain_dict {
        for (no, line) in DOMAIN_DICT.lines().enumerate() {
            let mut it = line.split_whitespace();
            let word = it
                .next()
                .ok_or_else(|| Error::Dictionary(format!("line {} is empty", no + 1)))?;
            let freq = it.next().and_then(|f| f.parse::<usize>().ok());
            let tag = it.next();
            jieba.add_word(word, freq, tag);
        }
    }
    Ok(jieba)
}

/// jieba loaded, with what the filter of [`Tokenizer::cut_into`] makes of each dictionary
/// word, found the first time the word is cut ([`Kind`] as a `u8`, 0 while unknown): most
/// words are then handled by their id alone, without reading them again.
struct Loaded {
    jieba: Jieba,
    kinds: Box<[std::sync::atomic::AtomicU8]>,
}

impl Loaded {
    fn new(jieba: Jieba) -> Loaded {
        let kinds = (0..jieba.word_ids())
            .map(|_| std::sync::atomic::AtomicU8::new(0))
            .collect();
        Loaded { jieba, kinds }
    }
}

/// What [`Tokenizer::cut_into`]'s filter does with a word, decided by the word alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    /// Dropped: a stop word, or punctuation that ends no sentence and is no `%`.
    Skip = 1,
    /// Handed on as it is.
    Plain = 2,
    /// Anything else (numbers, sentence ends, `%`, upper case): the whole filter decides,
    /// with the words around it.
    Full = 3,
}

/// Sentence-final punctuation: a word holding one ends a sentence.
const SENTENCE_ENDS: [char; 7] = ['。', '!', '?', ';', '！', '？', '；'];

/// The general dictionary loading on a thread of its own ([`PendingDictionary::spawn`]): a
/// [`Tokenizer`] made with it ([`Tokenizer::with_pending_dictionary`]) is built at once and
/// waits for the dictionary the first time it cuts text, so reading an input can start
/// while the dictionary loads.
#[derive(Debug)]
pub struct PendingDictionary(std::thread::JoinHandle<Result<Dictionary>>);

impl PendingDictionary {
    /// Start loading [`GENERAL_DICT`] on a new thread.
    pub fn spawn() -> PendingDictionary {
        PendingDictionary(std::thread::spawn(Dictionary::load))
    }

    /// Wait for it.
    pub fn wait(self) -> Result<Dictionary> {
        self.0
            .join()
            .map_err(|_| Error::Dictionary("loading the general dictionary failed".into()))?
    }
}

/// Jieba plus dictionary, stop words and normaliser, loaded once and shared by reference.
pub struct Tokenizer {
    settings: TextSettings,
    /// jieba with the general and (per the settings) domain dictionaries, once loaded; a
    /// failure to load is kept as its message.
    jieba: std::sync::OnceLock<std::result::Result<Loaded, String>>,
    /// The general dictionary still loading, until the first use takes it.
    pending: std::sync::Mutex<Option<PendingDictionary>>,
    stop: StopWords,
    normalizer: Normalizer,
}

/// The stop words, with a bit table in front of the hash lookup: most words are not stop
/// words, and their bit (of their first bytes, last byte and length) is usually clear, which
/// answers without hashing. Every stop word's bit is set, so the table never drops one.
#[derive(Debug, Clone)]
struct StopWords {
    words: WordMap<()>,
    bits: Box<[u64; STOP_BITS / 64]>,
}

/// Size of [`StopWords`]' bit table (8 KB: ~1% of other words pass it for ~600 stop words).
const STOP_BITS: usize = 1 << 16;

impl StopWords {
    fn new() -> StopWords {
        StopWords {
            words: WordMap::new(),
            bits: Box::new([0; STOP_BITS / 64]),
        }
    }

    fn insert(&mut self, word: &str) {
        self.words.get_or_insert_with(word, || ());
        let b = stop_bit(word);
        self.bits[b / 64] |= 1 << (b % 64);
    }

    /// `words.get(word).is_some()`, usually without hashing.
    #[inline]
    fn contains(&self, word: &str) -> bool {
        let b = stop_bit(word);
        self.bits[b / 64] & (1 << (b % 64)) != 0 && self.words.get(word).is_some()
    }
}

/// A word's bit in [`StopWords`]' table: a hash of its first four bytes (a whole CJK
/// character and the next one's lead byte), its last byte and its length.
#[inline]
fn stop_bit(word: &str) -> usize {
    let b = word.as_bytes();
    let mut first = [0u8; 4];
    let n = b.len().min(4);
    first[..n].copy_from_slice(&b[..n]);
    let x = u64::from(u32::from_le_bytes(first))
        | u64::from(b.last().copied().unwrap_or(0)) << 32
        | (b.len() as u64) << 40;
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Tokenizer {
    /// Load jieba's dictionary, the domain dictionary and the stop words.
    pub fn new(settings: TextSettings) -> Result<Self> {
        Tokenizer::with_dictionary(settings, Dictionary::load()?)
    }

    /// [`Tokenizer::new`] with the general dictionary already loaded, e.g. on another thread
    /// while the model file is read.
    pub fn with_dictionary(settings: TextSettings, dictionary: Dictionary) -> Result<Self> {
        let jieba = with_domain_words(&settings, dictionary)?;
        let t = Tokenizer::build(settings, None)?;
        let _ = t.jieba.set(Ok(Loaded::new(jieba)));
        Ok(t)
    }

    /// [`Tokenizer::with_dictionary`] with the dictionary still loading: returns at once; the
    /// first cut waits for it ([`Tokenizer::ready`] waits on purpose and reports a failure,
    /// which a cut would have to panic on).
    pub fn with_pending_dictionary(
        settings: TextSettings,
        pending: PendingDictionary,
    ) -> Result<Self> {
        Tokenizer::build(settings, Some(pending))
    }

    fn build(settings: TextSettings, pending: Option<PendingDictionary>) -> Result<Self> {
        let mut stop = StopWords::new();
        if settings.stopwords {
            for w in STOPWORDS.lines().map(str::trim).filter(|l| !l.is_empty()) {
                stop.insert(w);
            }
        }
        let normalizer = Normalizer::new(settings.normalize)?;
        Ok(Tokenizer {
            settings,
            jieba: std::sync::OnceLock::new(),
            pending: std::sync::Mutex::new(pending),
            stop,
            normalizer,
        })
    }

    /// Wait until the dictionary has loaded (at once unless it was pending); a failure to
    /// load it is an error here.
    pub fn ready(&self) -> Result<()> {
        match self.loaded() {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::Dictionary(e.clone())),
        }
    }

    fn loaded(&self) -> &std::result::Result<Loaded, String> {
        self.jieba.get_or_init(|| {
            let pending = self.pending.lock().ok().and_then(|mut p| p.take());
            let dictionary = match pending {
                Some(p) => p.wait(),
                // None pending: an earlier first use took it and panicked (this cell then
                // stays empty, so the next use comes here): load it again.
                None => Dictionary::load(),
            };
            dictionary
                .and_then(|d| with_domain_words(&self.settings, d))
                .map(Loaded::new)
                .map_err(|e| match e {
                    Error::Dictionary(m) => m,
                    e => e.to_string(),
                })
        })
    }

    /// jieba, waiting for a pending dictionary.
    ///
    /// # Panics
    /// When the embedded dictionary failed to load and [`Tokenizer::ready`]'s error was not
    /// heeded (the embedded dictionary is checked by this crate's tests).
    #[inline]
    fn jieba(&self) -> &Loaded {
        match self.loaded() {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        }
    }

    /// The dictionary id jieba gives `word` when it cuts it as one word
    /// ([`WordSink::known`]); `None` for a word outside the dictionary. Waits for a pending
    /// dictionary.
    pub fn word_id(&self, word: &str) -> Option<u32> {
        self.jieba().jieba.word_id(word)
    }

    /// One more than the largest [`Tokenizer::word_id`].
    pub fn word_ids(&self) -> usize {
        self.jieba().jieba.word_ids()
    }

    /// What [`Tokenizer::cut_into`]'s filter does with word `w` (the rules, stated once).
    fn kind(&self, w: &str) -> Kind {
        if !w.chars().any(is_word_char) {
            if (self.settings.class_tokens && w == "%") || w.contains(SENTENCE_ENDS) {
                return Kind::Full;
            }
            return Kind::Skip;
        }
        if self.settings.class_tokens && is_number(w) {
            return Kind::Full;
        }
        if self.stop.contains(w) {
            return Kind::Skip;
        }
        if w.bytes().any(|b| b.is_ascii_uppercase()) {
            return Kind::Full;
        }
        Kind::Plain
    }

    /// The settings this tokenizer was built with.
    pub fn settings(&self) -> &TextSettings {
        &self.settings
    }

    /// Normalise `text` (width, script).
    pub fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.normalizer.normalize(text)
    }

    /// Normalise and cut `text` into filtered words.
    ///
    /// ```
    /// use policytag_tokenizer::{Tokenizer, TextSettings};
    /// let t = Tokenizer::new(TextSettings::default()).unwrap();
    /// let toks = t.tokenize("2021年，全區課後服務覆蓋率達100%。");
    /// assert!(toks.words.contains(&"课后服务".to_string()));
    /// assert!(toks.words.contains(&"<年份>".to_string()));
    /// ```
    pub fn tokenize(&self, text: &str) -> Tokens {
        let normalized = self.normalizer.normalize(text).into_owned();
        let mut words = Vec::with_capacity(normalized.len() / 5);
        let mut breaks = Vec::new();
        self.words_into(&normalized, &mut words, &mut breaks);
        Tokens {
            normalized,
            words,
            breaks,
        }
    }

    /// jieba's words of `text` with their part-of-speech tags, as (character offset where
    /// the word ends, tag) — every word, unfiltered, in order. The text is normalised first;
    /// when normalising changes its length in characters the original text is cut instead, so
    /// the offsets always index `text`. Used to cut noun phrases at word boundaries (key
    /// figures); slower than [`Tokenizer::cut_into`], so not on the tagging path.
    ///
    /// ```
    /// use policytag_tokenizer::{Tokenizer, TextSettings};
    /// let t = Tokenizer::new(TextSettings::default()).unwrap();
    /// let w = t.word_tags("新建幼儿园");
    /// assert_eq!(w.iter().map(|(e, _)| *e).collect::<Vec<_>>(), [2, 5]);
    /// assert!(w[1].1.starts_with('n'));
    /// ```
    pub fn word_tags(&self, text: &str) -> Vec<(usize, String)> {
        let normalized = self.normalizer.normalize(text);
        let n = text.chars().count();
        let src: &str = if normalized.chars().count() == n {
            &normalized
        } else {
            text
        };
        let mut out = Vec::new();
        let mut at = 0;
        for t in self.jieba().jieba.tag(src, self.settings.hmm) {
            at += t.word.chars().count();
            out.push((at, t.tag.to_string()));
        }
        out
    }

    /// Cut already-normalised text, appending filtered words to `out` and sentence ends
    /// (word index, byte offset) to `breaks`.
    pub fn words_into(
        &self,
        normalized: &str,
        out: &mut Vec<String>,
        breaks: &mut Vec<(usize, usize)>,
    ) {
        let mut sink = Collect { words: out, breaks };
        self.cut_into(normalized, &mut sink);
    }

    /// Cut already-normalised text and hand each filtered word to `sink`, in order, without
    /// allocating per word: the tagging hot path. [`Tokenizer::tokenize`] is this with a
    /// sink that collects, so both always see the same words.
    pub fn cut_into(&self, normalized: &str, sink: &mut impl WordSink) {
        use std::sync::atomic::Ordering;
        let loaded = self.jieba();
        let mut toks = CUT.with(|c| c.take());
        toks.clear();
        loaded
            .jieba
            .cut_with_ids(normalized, self.settings.hmm, |w, end, id| {
                toks.push((end - w.len(), end, id.unwrap_or(NO_ID)));
            });
        let word = |i: usize| -> &str {
            let (a, b, _) = toks[i];
            &normalized[a..b]
        };
        let mut lower = String::new();
        let mut i = 0;
        while i < toks.len() {
            let (_, end, id) = toks[i];
            let w = word(i);
            i += 1;
            // A dictionary word's kind is found once and kept.
            // What the filter does with a word is [`Tokenizer::kind`]; a dictionary word's
            // is found once and kept.
            let kind = match loaded.kinds.get(id as usize) {
                Some(k) => match k.load(Ordering::Relaxed) {
                    0 => {
                        let kind = self.kind(w);
                        k.store(kind as u8, Ordering::Relaxed);
                        kind
                    }
                    1 => Kind::Skip,
                    2 => Kind::Plain,
                    _ => Kind::Full,
                },
                None => self.kind(w),
            };
            match kind {
                Kind::Skip => {}
                Kind::Plain if id != NO_ID => sink.known(id, w),
                Kind::Plain => sink.word(w),
                // Punctuation that ends a sentence or is `%`.
                Kind::Full if !w.chars().any(is_word_char) => {
                    if self.settings.class_tokens && w == "%" {
                        sink.word(PCT);
                    }
                    if w.contains(SENTENCE_ENDS) && end < normalized.len() {
                        sink.sentence_end(end);
                    }
                }
                Kind::Full if self.settings.class_tokens && is_number(w) => {
                    let (class, joined) = number_class(w, (i < toks.len()).then(|| word(i)));
                    i += usize::from(joined);
                    sink.word(class);
                }
                // A word with upper-case ASCII, not a stop word.
                Kind::Full => {
                    lower.clear();
                    lower.push_str(w);
                    lower.make_ascii_lowercase();
                    sink.word(&lower);
                }
            }
        }
        CUT.with(|c| c.set(toks));
    }
}

/// A number as jieba cuts it (digits, `.` and `,`): a class token takes its place.
fn is_number(w: &str) -> bool {
    w.bytes()
        .all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
}

/// The class token of number `w` followed by word `next`, and whether `next` is part of it
/// (`2021` `年` is one [`YEAR`], `5` `月` one [`DATE`]).
fn number_class(w: &str, next: Option<&str>) -> (&'static str, bool) {
    match next {
        Some("年") if w.len() == 4 => (YEAR, true),
        Some("月") | Some("日") | Some("号") if w.len() <= 2 => (DATE, true),
        _ if w.len() == 4 && (w.starts_with("19") || w.starts_with("20")) => (YEAR, false),
        _ => (NUM, false),
    }
}

/// No dictionary id ([`WordSink::known`] never sees it).
const NO_ID: u32 = u32::MAX;

thread_local! {
    /// [`Tokenizer::cut_into`]'s word list (byte range and dictionary id of each word), kept
    /// per thread between texts.
    static CUT: std::cell::Cell<Vec<(usize, usize, u32)>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Receives the filtered words of a text from [`Tokenizer::cut_into`].
pub trait WordSink {
    /// The next word (lower-cased ASCII, or a class token such as [`NUM`]).
    fn word(&mut self, word: &str);
    /// The next word is dictionary word `id` ([`Tokenizer::word_id`]), `word` itself: a sink
    /// that maps ids to what it needs can skip reading the word. Defaults to
    /// [`WordSink::word`].
    fn known(&mut self, id: u32, word: &str) {
        let _ = id;
        self.word(word);
    }
    /// A sentence-final punctuation mark ends at byte `end` of the normalised text (never
    /// at the text's end). Ignored unless overridden.
    fn sentence_end(&mut self, end: usize) {
        let _ = end;
    }
}

/// The collecting sink behind [`Tokenizer::tokenize`]: a break is recorded once per run of
/// punctuation and only after at least one word.
struct Collect<'a> {
    words: &'a mut Vec<String>,
    breaks: &'a mut Vec<(usize, usize)>,
}

impl WordSink for Collect<'_> {
    fn word(&mut self, word: &str) {
        self.words.push(word.to_string());
    }
    fn sentence_end(&mut self, end: usize) {
        let n = self.words.len();
        if n > 0 && self.breaks.last().is_none_or(|&(m, _)| m < n) {
            self.breaks.push((n, end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tk() -> Tokenizer {
        Tokenizer::new(TextSettings::default()).unwrap()
    }

    #[test]
    fn word_chars_agree_with_unicode() {
        for u in 0..0x11000u32 {
            if let Some(c) = char::from_u32(u) {
                let want = ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric();
                assert_eq!(is_word_char(c), want, "U+{u:04X}");
            }
        }
    }

    /// The filter as it was written over jieba's token list, every word read as a string.
    fn reference_words(t: &Tokenizer, normalized: &str) -> (Vec<String>, Vec<usize>) {
        let toks = t.jieba().jieba.cut(normalized, t.settings.hmm);
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < toks.len() {
            let w = toks[i].word;
            i += 1;
            if !w.chars().any(is_word_char) {
                if t.settings.class_tokens && w == "%" {
                    out.push(PCT.to_string());
                }
                if w.contains(SENTENCE_ENDS) && toks[i - 1].byte_end < normalized.len() {
                    ends.push(toks[i - 1].byte_end);
                }
                continue;
            }
            if t.settings.class_tokens && is_number(w) {
                let (class, joined) = number_class(w, toks.get(i).map(|t| t.word));
                i += usize::from(joined);
                out.push(class.to_string());
                continue;
            }
            if t.stop.contains(w) {
                continue;
            }
            out.push(w.to_ascii_lowercase());
        }
        (out, ends)
    }

    /// Records what `cut_into` hands on, and checks every id against its word.
    struct Checked<'a>(&'a Tokenizer, Vec<String>, Vec<usize>, usize);

    impl WordSink for Checked<'_> {
        fn word(&mut self, w: &str) {
            self.1.push(w.to_string());
        }
        fn known(&mut self, id: u32, w: &str) {
            assert_eq!(self.0.word_id(w), Some(id), "{w}");
            self.3 += 1;
            self.1.push(w.to_string());
        }
        fn sentence_end(&mut self, end: usize) {
            self.2.push(end);
        }
    }

    #[test]
    fn words_by_id_are_the_filtered_words() {
        let texts = [
            "2021年，全区课后服务覆盖率达100%。新建普惠性幼儿园3所，落实“双减”！",
            "的了和在是 ABC工作 5月 12日 1998 3.5 1,000 ＋－ 。。。；",
            "一是加强校园安全；二是推进KPI考核?三是......",
            "Wi-Fi、5G和AI教室全面覆盖，IT运维由县教育局统一管理",
            "",
        ];
        for settings in [
            TextSettings::default(),
            TextSettings {
                class_tokens: false,
                stopwords: false,
                ..TextSettings::default()
            },
        ] {
            let t = Tokenizer::new(settings).unwrap();
            let mut known = 0;
            // Twice: the second time every dictionary word's kind is already known.
            for _ in 0..2 {
                for text in texts {
                    let n = t.normalize(text);
                    let mut sink = Checked(&t, Vec::new(), Vec::new(), 0);
                    t.cut_into(&n, &mut sink);
                    assert_eq!((sink.1, sink.2), reference_words(&t, &n), "{text}");
                    known += sink.3;
                }
            }
            assert!(known > 20, "{known}");
        }
    }

    #[test]
    fn a_dictionary_that_fails_to_load_is_an_error_of_ready() {
        let failing = PendingDictionary(std::thread::spawn(|| {
            Err(Error::Dictionary("general dictionary: line 3: bad".into()))
        }));
        let t = Tokenizer::with_pending_dictionary(TextSettings::default(), failing).unwrap();
        let e = t.ready().unwrap_err();
        assert_eq!(
            e.to_string(),
            Error::Dictionary("general dictionary: line 3: bad".into()).to_string()
        );
        // Asked again, the same error (the load is not repeated).
        assert_eq!(t.ready().unwrap_err().to_string(), e.to_string());
        let panicking = PendingDictionary(std::thread::spawn(|| panic!("loader died")));
        let t = Tokenizer::with_pending_dictionary(TextSettings::default(), panicking).unwrap();
        let e = t.ready().unwrap_err().to_string();
        assert!(
            e.ends_with("loading the general dictionary failed")
                && e.matches("dictionary").count() == 2,
            "{e}"
        );
    }

    #[test]
    fn a_pending_dictionary_tokenises_like_a_loaded_one() {
        let text = "2021年，全區課後服務覆蓋率達100%。新建普惠性幼儿园3所，落实“双减”。";
        for settings in [
            TextSettings::default(),
            TextSettings {
                domain_dict: false,
                ..TextSettings::default()
            },
        ] {
            let eager = Tokenizer::new(settings.clone()).unwrap();
            let pending =
                Tokenizer::with_pending_dictionary(settings.clone(), PendingDictionary::spawn())
                    .unwrap();
            // Several threads may ask for it first; all see the same dictionary.
            let words: Vec<Tokens> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..3).map(|_| s.spawn(|| pending.tokenize(text))).collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            pending.ready().unwrap();
            for w in words {
                assert_eq!(w, eager.tokenize(text));
            }
            assert_eq!(pending.word_tags(text), eager.word_tags(text));
        }
        // The domain dictionary matters here, so the two settings are told apart.
        let plain = TextSettings {
            domain_dict: false,
            ..TextSettings::default()
        };
        assert_ne!(
            tk().tokenize(text).words,
            Tokenizer::new(plain).unwrap().tokenize(text).words
        );
    }

    #[test]
    fn domain_terms_are_whole_words() {
        let t = tk();
        for term in [
            "双减",
            "课后服务",
            "校外培训机构",
            "普惠性幼儿园",
            "控辍保学",
            "县管校聘",
            "师德师风",
            "防溺水",
            "三通两平台",
        ] {
            let toks = t.tokenize(&format!("全面推进{term}工作"));
            assert!(
                toks.words.iter().any(|w| w == term),
                "{term}: {:?}",
                toks.words
            );
        }
    }

    #[test]
    fn traditional_tokenises_like_simplified() {
        let t = tk();
        assert_eq!(
            t.tokenize("柳南區大力發展學前教育").words,
            t.tokenize("柳南区大力发展学前教育").words
        );
    }

    #[test]
    fn numbers_dates_and_punctuation() {
        let t = tk();
        let w = t.tokenize("2021年3月，新增学位2480个，覆盖率100%。").words;
        assert!(w.contains(&YEAR.to_string()), "{w:?}");
        assert!(w.contains(&DATE.to_string()), "{w:?}");
        assert!(w.contains(&NUM.to_string()), "{w:?}");
        assert!(w.contains(&PCT.to_string()), "{w:?}");
        assert!(
            !w.iter().any(|x| x == "，" || x == "。" || x == ","),
            "{w:?}"
        );
    }

    #[test]
    fn sentences_split_at_final_punctuation() {
        let t = tk();
        let toks = t.tokenize("一是加强校园安全。二是推进课后服务；三是改造校舍");
        let s = toks.sentences();
        assert_eq!(s.len(), 3, "{:?}", toks.breaks);
        assert!(s[1].words.contains(&"课后服务".to_string()));
        assert!(s[1].normalized.starts_with("二是"));
        assert!(t.tokenize("一句话。").sentences().is_empty());
    }

    #[test]
    fn stop_word_table_agrees_with_the_hash_lookup() {
        let t = tk();
        let mut stops = 0;
        for w in STOPWORDS.lines().map(str::trim).filter(|l| !l.is_empty()) {
            assert!(t.stop.contains(w), "{w}");
            stops += 1;
        }
        assert!(stops > 100);
        // Every dictionary word, the stop words' prefixes and extensions, and odd lengths.
        let mut words: Vec<String> = GENERAL_DICT
            .lines()
            .chain(DOMAIN_DICT.lines())
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect();
        for w in STOPWORDS.lines().map(str::trim).filter(|l| !l.is_empty()) {
            words.push(format!("{w}的"));
            words.push(format!("{w}A"));
            let mut cs = w.chars();
            cs.next_back();
            words.push(cs.as_str().to_string());
        }
        words.extend(["", "a", "ab", "abc", "abcd", "abcdefghijklmnopq"].map(String::from));
        let mut passed = 0;
        for w in &words {
            let want = t.stop.words.get(w).is_some();
            assert_eq!(t.stop.contains(w), want, "{w}");
            let b = stop_bit(w);
            passed += usize::from(!want && t.stop.bits[b / 64] & (1 << (b % 64)) != 0);
        }
        // The table answers for nearly every other word on its own.
        assert!(passed * 20 < words.len(), "{passed} of {}", words.len());
    }

    #[test]
    fn stopwords_removed() {
        let t = tk();
        let w = t.tokenize("进一步加强和改进学校的安全工作").words;
        assert!(!w.contains(&"的".to_string()));
        assert!(w.contains(&"安全".to_string()), "{w:?}");
    }
}
