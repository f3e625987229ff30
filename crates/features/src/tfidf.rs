//! TF-IDF: parameters, fitting, and the fitted, serialisable vectoriser.
//!
//! Matches scikit-learn's `TfidfVectorizer` definitions: `idf = ln((1+n)/(1+df)) + 1` with
//! smoothing (`ln(n/df) + 1` without), `tf = 1 + ln(count)` when sublinear, rows scaled to
//! unit l2 norm. The vocabulary is sorted (byte order), so columns never depend on hash
//! iteration order and the same corpus always gives the same vectoriser.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use policytag_tokenizer::tokenize::is_word_char;
use policytag_tokenizer::{Tokens, WordMap, WordSink};

use crate::error::{Error, Result};
use crate::sparse::{SparseRows, SparseVec};

/// Prefix that marks a character n-gram term in the vocabulary.
pub const CHAR_PREFIX: char = '#';

/// TF-IDF hyper-parameters. Call [`TfidfParams::check`] before fitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfParams {
    word_ngrams: (usize, usize),
    char_ngrams: Option<(usize, usize)>,
    min_df: usize,
    max_df: f64,
    max_features: Option<usize>,
    sublinear_tf: bool,
    smooth_idf: bool,
    l2_norm: bool,
    #[serde(default)]
    block_norm: bool,
}

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams {
            word_ngrams: (1, 2),
            char_ngrams: None,
            min_df: 2,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
            smooth_idf: true,
            l2_norm: true,
            block_norm: false,
        }
    }
}

impl TfidfParams {
    /// Word n-gram range, inclusive. Default `(1, 2)`: unigrams and bigrams. At most 3.
    pub fn word_ngrams(mut self, lo: usize, hi: usize) -> Self {
        self.word_ngrams = (lo, hi);
        self
    }
    /// Character n-gram range over the normalised text, or `None` for none. Default `None`.
    /// At most 3.
    pub fn char_ngrams(mut self, range: Option<(usize, usize)>) -> Self {
        self.char_ngrams = range;
        self
    }
    /// Keep terms found in at least this many documents. Default 2.
    pub fn min_df(mut self, n: usize) -> Self {
        self.min_df = n;
        self
    }
    /// Drop terms found in more than this fraction of documents. Default 1.0 (keep all).
    pub fn max_df(mut self, f: f64) -> Self {
        self.max_df = f;
        self
    }
    /// Keep only the most frequent terms (by total count, ties by term). Default `None`.
    pub fn max_features(mut self, n: Option<usize>) -> Self {
        self.max_features = n;
        self
    }
    /// Use `1 + ln(tf)` instead of raw counts. Default `true`.
    pub fn sublinear_tf(mut self, yes: bool) -> Self {
        self.sublinear_tf = yes;
        self
    }
    /// Add one to document frequencies, as if one document held every term. Default `true`.
    pub fn smooth_idf(mut self, yes: bool) -> Self {
        self.smooth_idf = yes;
        self
    }
    /// Scale every row to unit euclidean norm. Default `true`.
    pub fn l2_norm(mut self, yes: bool) -> Self {
        self.l2_norm = yes;
        self
    }

    /// With [`l2_norm`](TfidfParams::l2_norm), scale the word n-grams and the character
    /// n-grams of a row to unit norm each (as scikit-learn's `FeatureUnion` of two vectorisers
    /// does), instead of the row as a whole; a row with both then has norm √2. Default
    /// `false`.
    pub fn block_norm(mut self, yes: bool) -> Self {
        self.block_norm = yes;
        self
    }

    /// Validate the parameters.
    pub fn check(self) -> Result<ValidTfidfParams> {
        let (lo, hi) = self.word_ngrams;
        if lo == 0 || lo > hi || hi > 3 {
            return Err(Error::InvalidParam {
                param: "word_ngrams",
                msg: format!("range {lo}-{hi} (need 1 <= low <= high <= 3)"),
            });
        }
        if let Some((lo, hi)) = self.char_ngrams {
            if lo == 0 || lo > hi || hi > 3 {
                return Err(Error::InvalidParam {
                    param: "char_ngrams",
                    msg: format!("range {lo}-{hi} (need 1 <= low <= high <= 3)"),
                });
            }
        }
        if self.min_df == 0 {
            return Err(Error::InvalidParam {
                param: "min_df",
                msg: "must be at least 1, got 0".into(),
            });
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::InvalidParam {
                param: "max_df",
                msg: format!("must be in (0, 1], got {}", self.max_df),
            });
        }
        if self.max_features == Some(0) {
            return Err(Error::InvalidParam {
                param: "max_features",
                msg: "must be at least 1, got 0".into(),
            });
        }
        Ok(ValidTfidfParams(self))
    }
}

/// Checked TF-IDF parameters, ready to [`fit`](ValidTfidfParams::fit).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTfidfParams(TfidfParams);

impl ValidTfidfParams {
    /// The parameters.
    pub fn params(&self) -> &TfidfParams {
        &self.0
    }

    /// Learn the vocabulary and idf weights from tokenised documents.
    pub fn fit(&self, docs: &[Tokens]) -> Result<Tfidf> {
        let p = &self.0;
        if docs.is_empty() {
            return Err(Error::Empty("no documents".into()));
        }
        let mut stats: FxHashMap<String, (usize, usize)> = FxHashMap::default();
        let mut seen: FxHashSet<String> = FxHashSet::default();
        for doc in docs {
            seen.clear();
            each_term(p, doc, |t| {
                let e = stats.entry(t.to_string()).or_insert((0, 0));
                e.1 += 1;
                if !seen.contains(t) {
                    seen.insert(t.to_string());
                    e.0 += 1;
                }
            });
        }
        let n = docs.len();
        let max_df = (p.max_df * n as f64).floor() as usize;
        let mut kept: Vec<(String, usize, usize)> = stats
            .into_iter()
            .filter(|(_, (df, _))| *df >= p.min_df && (p.max_df >= 1.0 || *df <= max_df))
            .map(|(t, (df, tf))| (t, df, tf))
            .collect();
        if let Some(k) = p.max_features {
            kept.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(k);
        }
        if kept.is_empty() {
            return Err(Error::Empty(format!(
                "no term occurs in at least min_df={} of {} documents",
                p.min_df, n
            )));
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let idf = kept
            .iter()
            .map(|(_, df, _)| {
                let (n, df) = (n as f64, *df as f64);
                if p.smooth_idf {
                    ((1.0 + n) / (1.0 + df)).ln() + 1.0
                } else {
                    (n / df).ln() + 1.0
                }
            })
            .collect();
        let vocabulary = kept.into_iter().map(|(t, _, _)| t).collect();
        Ok(Tfidf::from_parts(p.clone(), vocabulary, idf))
    }
}

/// Call `f` on every term (word n-gram or `#`-prefixed char n-gram) of a document, with
/// repetitions.
fn each_term(p: &TfidfParams, doc: &Tokens, mut f: impl FnMut(&str)) {
    let w = &doc.words;
    let mut buf = String::new();
    for n in p.word_ngrams.0..=p.word_ngrams.1 {
        for win in w.windows(n) {
            buf.clear();
            for (k, t) in win.iter().enumerate() {
                if k > 0 {
                    buf.push(' ');
                }
                buf.push_str(t);
            }
            f(&buf);
        }
    }
    if let Some((lo, hi)) = p.char_ngrams {
        for_char_runs(&doc.normalized, |run| {
            for n in lo..=hi {
                for win in run.windows(n) {
                    buf.clear();
                    buf.push(CHAR_PREFIX);
                    buf.extend(win.iter());
                    f(&buf);
                }
            }
        });
    }
}

/// Runs of alphanumeric characters (lower-cased), split at anything else.
fn for_char_runs(text: &str, mut f: impl FnMut(&[char])) {
    let mut buf: Vec<char> = Vec::with_capacity(text.len() / 3 + 1);
    let mut start = 0;
    for c in text.chars() {
        if is_word_char(c) {
            buf.push(c.to_ascii_lowercase());
        } else if buf.len() > start {
            f(&buf[start..]);
            start = buf.len();
        }
    }
    if buf.len() > start {
        f(&buf[start..]);
    }
}

/// The serialised form of a fitted vectoriser.
#[derive(Serialize, Deserialize)]
struct TfidfData {
    params: TfidfParams,
    vocabulary: Vec<String>,
    idf: Vec<f64>,
}

/// A fitted TF-IDF vectoriser.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "TfidfData", try_from = "TfidfData")]
pub struct Tfidf {
    params: TfidfParams,
    vocabulary: Vec<String>,
    idf: Vec<f64>,
    index: Index,
}

impl From<Tfidf> for TfidfData {
    fn from(t: Tfidf) -> Self {
        TfidfData {
            params: t.params,
            vocabulary: t.vocabulary,
            idf: t.idf,
        }
    }
}

impl TryFrom<TfidfData> for Tfidf {
    type Error = String;
    fn try_from(d: TfidfData) -> std::result::Result<Self, String> {
        if d.vocabulary.len() != d.idf.len() {
            return Err("vocabulary and idf lengths differ".into());
        }
        if d.vocabulary.windows(2).any(|w| w[0] >= w[1]) {
            return Err("vocabulary is not sorted and unique".into());
        }
        if d.idf.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err("idf values must be finite and non-negative".into());
        }
        d.params.clone().check().map_err(|e| e.to_string())?;
        Ok(Tfidf::from_parts(d.params, d.vocabulary, d.idf))
    }
}

/// Lookup tables from words and packed n-gram keys to columns, built once per model.
///
/// Every column is stored as an [`Entry`]: the column in the high half, the index of its idf
/// among the vectoriser's distinct idf values in the low half. Sorting entries sorts by
/// column, and the idf is read from a table small enough to stay in cache, not from a
/// vocabulary-sized array in random order (that read was once the costliest step).
#[derive(Debug, Clone, Default)]
struct Index {
    /// Token → (token id, unigram entry or [`NO_ENTRY`]).
    tokens: WordMap<(u32, Entry)>,
    /// Packed token ids of a word n-gram (n ≥ 2) → entry.
    words: FxHashMap<u64, Entry>,
    /// Packed characters of a char n-gram → entry.
    chars: FxHashMap<u64, Entry>,
    /// The distinct idf values, by the index an entry holds.
    idf_values: Vec<f64>,
    /// `1 + ln(n)` for the small counts n nearly every term has (sublinear tf).
    log_tf: Vec<f64>,
}

/// A column (high 32 bits), [`CHAR_BIT`] for a character n-gram, and its idf's index in
/// [`Index::idf_values`] (the low 31 bits).
type Entry = u64;

/// Marks an [`Entry`] of a character n-gram.
const CHAR_BIT: u64 = 1 << 31;

const NONE: u32 = u32::MAX;
const NO_ENTRY: Entry = u64::MAX;

fn pack(ids: impl Iterator<Item = u32>) -> u64 {
    ids.enumerate()
        .fold(0u64, |k, (i, id)| k | (u64::from(id) + 1) << (21 * i))
}

impl Tfidf {
    fn from_parts(params: TfidfParams, vocabulary: Vec<String>, idf: Vec<f64>) -> Self {
        let mut index = Index::default();
        let mut distinct: Vec<u64> = idf.iter().map(|v| v.to_bits()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        index.idf_values = distinct.iter().map(|&b| f64::from_bits(b)).collect();
        index.log_tf = (0..64).map(|n| 1.0 + (n as f64).ln()).collect();
        for (col, term) in vocabulary.iter().enumerate() {
            let class = distinct
                .binary_search(&idf[col].to_bits())
                .expect("every idf is among the distinct values") as u64;
            let entry = (col as u64) << 32 | class;
            if let Some(chars) = term.strip_prefix(CHAR_PREFIX) {
                index
                    .chars
                    .insert(pack(chars.chars().map(|c| c as u32)), entry | CHAR_BIT);
            } else {
                let mut ids = Vec::with_capacity(3);
                for t in term.split(' ') {
                    let next = index.tokens.len() as u32;
                    ids.push(index.tokens.get_or_insert_with(t, || (next, NO_ENTRY)).0);
                }
                if let [_] = ids[..] {
                    index
                        .tokens
                        .get_mut(term)
                        .expect("token was just inserted")
                        .1 = entry;
                } else {
                    index.words.insert(pack(ids.into_iter()), entry);
                }
            }
        }
        Tfidf {
            params,
            vocabulary,
            idf,
            index,
        }
    }

    /// The parameters it was fitted with.
    pub fn params(&self) -> &TfidfParams {
        &self.params
    }
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.vocabulary.len()
    }
    /// True when the vocabulary is empty (never, for a fitted vectoriser).
    pub fn is_empty(&self) -> bool {
        self.vocabulary.is_empty()
    }
    /// The sorted vocabulary; a term's position is its column.
    pub fn vocabulary(&self) -> &[String] {
        &self.vocabulary
    }
    /// The vectoriser over `columns` only (sorted, unique, each `< len()`), with the same
    /// parameters and idf weights: a row of the result is normalised over those columns alone.
    /// Training keeps the columns some label's feature selection picks ([`Tfidf::len`] of the
    /// default model falls from ~116,000 to ~26,000), so the lookup tables stay in cache.
    ///
    /// ```
    /// use policytag_features::TfidfParams;
    /// use policytag_tokenizer::Tokens;
    /// let docs: Vec<Tokens> = [["双减", "作业"], ["双减", "安全"]]
    ///     .iter()
    ///     .map(|w| Tokens::from_words(w.iter().map(|s| s.to_string()).collect()))
    ///     .collect();
    /// let t = TfidfParams::default().word_ngrams(1, 1).min_df(1).check()?.fit(&docs)?;
    /// assert_eq!(t.vocabulary(), ["作业", "双减", "安全"]);
    /// let kept = t.restrict(&[0, 2]);
    /// assert_eq!(kept.vocabulary(), ["作业", "安全"]);
    /// assert_eq!(kept.idf(), [t.idf()[0], t.idf()[2]]);
    /// # Ok::<(), policytag_features::Error>(())
    /// ```
    ///
    /// # Panics
    /// When `columns` is not sorted and unique or names a column out of range.
    pub fn restrict(&self, columns: &[u32]) -> Tfidf {
        assert!(
            columns.windows(2).all(|w| w[0] < w[1])
                && columns.last().is_none_or(|&c| (c as usize) < self.len()),
            "restrict: columns must be sorted, unique and in range"
        );
        Tfidf::from_parts(
            self.params.clone(),
            columns
                .iter()
                .map(|&c| self.vocabulary[c as usize].clone())
                .collect(),
            columns.iter().map(|&c| self.idf[c as usize]).collect(),
        )
    }
    /// The term of a column.
    pub fn term(&self, column: u32) -> &str {
        &self.vocabulary[column as usize]
    }
    /// The column of a term, if it is in the vocabulary.
    pub fn column(&self, term: &str) -> Option<u32> {
        self.vocabulary
            .binary_search_by(|t| t.as_str().cmp(term))
            .ok()
            .map(|i| i as u32)
    }
    /// idf weight per column.
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// The TF-IDF row of one document.
    pub fn transform(&self, doc: &Tokens) -> SparseVec {
        let mut v = self.vectorizer();
        for w in &doc.words {
            v.word(w);
        }
        v.finish(&doc.normalized)
    }

    /// A streaming vectoriser: feed it words (it is a [`WordSink`], so
    /// [`Tokenizer::cut_into`](policytag_tokenizer::Tokenizer::cut_into) can feed it
    /// directly, without a `String` per word), then [`finish`](Vectorizer::finish) with the
    /// normalised text for the character n-grams. [`Tfidf::transform`] is built on it.
    pub fn vectorizer(&self) -> Vectorizer<'_> {
        let mut s = SCRATCH.with(|c| c.take()).unwrap_or_default();
        if s.counts.len() < self.len() {
            s.counts.resize(self.len(), [0; 2]);
        }
        Vectorizer {
            tfidf: self,
            ids: None,
            s,
        }
    }

    /// [`Tfidf::vectorizer`] that finds the words it is fed as dictionary ids
    /// ([`WordSink::known`]) in `ids`, without hashing them; `ids` must come from
    /// [`Tfidf::word_ids`] of this vectoriser.
    pub fn vectorizer_with<'a>(&'a self, ids: &'a WordIds) -> Vectorizer<'a> {
        let mut v = self.vectorizer();
        v.ids = Some(ids);
        v
    }

    /// Each dictionary word's token id and unigram entry, by its id in a tokenizer's
    /// dictionary (`word_id`, below `word_ids`; see
    /// [`Tokenizer::word_id`](policytag_tokenizer::Tokenizer::word_id)): for
    /// [`Tfidf::vectorizer_with`]. Built from the vocabulary's words (a few milliseconds).
    pub fn word_ids(&self, word_id: impl Fn(&str) -> Option<u32>, word_ids: usize) -> WordIds {
        let mut entries = vec![(NONE, NO_ENTRY); word_ids];
        for term in &self.vocabulary {
            if term.starts_with(CHAR_PREFIX) {
                continue;
            }
            for w in term.split(' ') {
                if let (Some(id), Some(&e)) = (word_id(w), self.index.tokens.get(w)) {
                    if let Some(slot) = entries.get_mut(id as usize) {
                        *slot = e;
                    }
                }
            }
        }
        WordIds { entries }
    }
}

/// A [`Tfidf`]'s words by dictionary id ([`Tfidf::word_ids`]): a word outside its
/// vocabulary, or an id it was not built with, reads as such.
#[derive(Debug, Clone)]
pub struct WordIds {
    /// Token id and unigram entry (or [`NONE`] and [`NO_ENTRY`]) per dictionary id.
    entries: Vec<(u32, Entry)>,
}

/// The buffers of a [`Vectorizer`], kept per thread between vectorisers so that a paragraph
/// allocates none but its rows.
#[derive(Debug, Default)]
struct Scratch {
    /// Token id per word so far ([`NONE`] for words outside every vocabulary term).
    ids: Vec<u32>,
    /// Unigram entry per word so far ([`NO_ENTRY`] for none).
    unigrams: Vec<Entry>,
    /// Sentence ends so far: (word index, byte offset), as [`Tokens::breaks`] records them.
    breaks: Vec<(usize, usize)>,
    /// Per column: its count in the sentence ([`SENTENCE`]) and in the paragraph
    /// ([`PARAGRAPH`]) being built. All zero between rows; at least as long as the vocabulary.
    counts: Vec<[u32; 2]>,
    /// The distinct entries with a count in the sentence / the paragraph being built.
    touched: [Vec<Entry>; 2],
    /// Whether each entry of the row being built is a character n-gram (block norm only).
    is_char: Vec<bool>,
}

/// Slots of [`Scratch::counts`] and [`Scratch::touched`].
const SENTENCE: usize = 0;
const PARAGRAPH: usize = 1;

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Scratch>> = const { std::cell::Cell::new(None) };
}

/// Builds one TF-IDF row from words fed one at a time; see [`Tfidf::vectorizer`].
///
/// Terms are counted in a per-column array (the vocabulary is small enough for it to stay in
/// cache) with a list of the columns touched, so a row sorts its distinct terms only, not
/// every occurrence; a paragraph's counts are its sentences' counts added up, plus the word
/// n-grams across their ends.
#[derive(Debug)]
pub struct Vectorizer<'a> {
    tfidf: &'a Tfidf,
    /// Words by dictionary id, when given ([`Tfidf::vectorizer_with`]).
    ids: Option<&'a WordIds>,
    s: Scratch,
}

impl Drop for Vectorizer<'_> {
    fn drop(&mut self) {
        let mut s = std::mem::take(&mut self.s);
        // Rows reset the counts they read; this only matters after a panic mid-row.
        for slot in [SENTENCE, PARAGRAPH] {
            for &e in &s.touched[slot] {
                s.counts[column(e)] = [0; 2];
            }
            s.touched[slot].clear();
        }
        s.ids.clear();
        s.unigrams.clear();
        s.breaks.clear();
        SCRATCH.with(|c| c.set(Some(s)));
    }
}

impl WordSink for Vectorizer<'_> {
    fn word(&mut self, w: &str) {
        let (id, col) = self
            .tfidf
            .index
            .tokens
            .get(w)
            .copied()
            .unwrap_or((NONE, NO_ENTRY));
        self.s.ids.push(id);
        self.s.unigrams.push(col);
    }
    #[inline]
    fn known(&mut self, id: u32, w: &str) {
        match self.ids.and_then(|t| t.entries.get(id as usize)) {
            Some(&(token, col)) => {
                self.s.ids.push(token);
                self.s.unigrams.push(col);
            }
            None => self.word(w),
        }
    }
    fn sentence_end(&mut self, end: usize) {
        let n = self.s.ids.len();
        if n > 0 && self.s.breaks.last().is_none_or(|&(m, _)| m < n) {
            self.s.breaks.push((n, end));
        }
    }
}

/// The column of an entry.
#[inline]
fn column(e: Entry) -> usize {
    (e >> 32) as usize
}

/// Count one occurrence of entry `e` in `slot`.
#[inline]
fn count(counts: &mut [[u32; 2]], touched: &mut [Vec<Entry>; 2], slot: usize, e: Entry) {
    let c = &mut counts[column(e)][slot];
    if *c == 0 {
        touched[slot].push(e);
    }
    *c += 1;
}

impl Vectorizer<'_> {
    /// The row of the words fed so far plus the character n-grams of `normalized`; the
    /// vectoriser is then empty and can be fed the next document.
    pub fn finish(&mut self, normalized: &str) -> SparseVec {
        let mut rows = SparseRows::default();
        self.finish_rows(normalized, false, &mut rows);
        SparseVec {
            indices: rows.indices,
            values: rows.values,
        }
    }

    /// [`finish`](Vectorizer::finish), and the row of each sentence when there is more than
    /// one: the same rows as [`Tfidf::transform`] of the text's [`Tokens`] and of each of
    /// [`Tokens::sentences`].
    pub fn finish_sentences(&mut self, normalized: &str) -> (SparseVec, Vec<SparseVec>) {
        let mut rows = SparseRows::default();
        self.finish_rows(normalized, true, &mut rows);
        let last = rows.len() - 1;
        let sentences = (0..last).map(|i| rows.to_vec(i)).collect();
        (rows.to_vec(last), sentences)
    }

    /// The rows of [`finish_sentences`](Vectorizer::finish_sentences) (with `sentences`;
    /// without, the paragraph's alone, as [`finish`](Vectorizer::finish)) appended to `out`,
    /// with no allocation per row: each sentence's row in order, then the paragraph's last.
    pub fn finish_rows(&mut self, normalized: &str, sentences: bool, out: &mut SparseRows) {
        self.finish_rows_as(normalized, sentences, Order::Columns, out);
    }

    /// [`finish_rows`](Vectorizer::finish_rows) with each row's terms in the order the text
    /// first has them instead of column order: the same terms and values, without sorting
    /// them, for a reader whose result does not depend on the order (a dot product, up to
    /// floating-point rounding — the same text always gives the same order). A
    /// [`SparseVec`] made of such a row is not ordered as its methods expect.
    pub fn finish_rows_unordered(
        &mut self,
        normalized: &str,
        sentences: bool,
        out: &mut SparseRows,
    ) {
        self.finish_rows_as(normalized, sentences, Order::Text, out);
    }

    fn finish_rows_as(
        &mut self,
        normalized: &str,
        sentences: bool,
        order: Order,
        out: &mut SparseRows,
    ) {
        let t = self.tfidf;
        let s = &mut self.s;
        if !sentences || s.breaks.is_empty() {
            terms(t, &s.ids, &s.unigrams, 0..s.ids.len(), normalized, |e| {
                count(&mut s.counts, &mut s.touched, PARAGRAPH, e)
            });
            row_of(t, s, PARAGRAPH, order, out);
            self.clear();
            return;
        }
        let n = s.ids.len();
        // Every term of the paragraph lies within one sentence, except word n-grams across
        // a sentence end: each sentence's terms are looked up and counted once, and its
        // counts added to the paragraph's.
        let (mut w0, mut b0) = (0usize, 0usize);
        for k in 0..=s.breaks.len() {
            let (w, b) = s.breaks.get(k).copied().unwrap_or((n, normalized.len()));
            let text = &normalized[b0..b];
            if w > w0 {
                terms(t, &s.ids, &s.unigrams, w0..w, text, |e| {
                    count(&mut s.counts, &mut s.touched, SENTENCE, e)
                });
                row_of(t, s, SENTENCE, order, out);
                let [sent, para] = &mut s.touched;
                for &e in sent.iter() {
                    let c = &mut s.counts[column(e)];
                    if c[PARAGRAPH] == 0 {
                        para.push(e);
                    }
                    c[PARAGRAPH] += c[SENTENCE];
                    c[SENTENCE] = 0;
                }
                sent.clear();
            } else {
                // No word, but stop words may still hold character n-grams.
                terms(t, &s.ids, &s.unigrams, w0..w0, text, |e| {
                    count(&mut s.counts, &mut s.touched, PARAGRAPH, e)
                });
            }
            w0 = w;
            b0 = b;
        }
        // Word n-grams whose first and last words lie in different sentences, each counted at
        // the first sentence end it crosses.
        let (lo, hi) = t.params.word_ngrams;
        for len in lo.max(2)..=hi {
            let mut prev = 0;
            for &(w, _) in &s.breaks {
                let end = w.min((n + 1).saturating_sub(len));
                for start in (w + 1).saturating_sub(len).max(prev)..end {
                    if let Some(e) = ngram(t, &s.ids[start..start + len]) {
                        count(&mut s.counts, &mut s.touched, PARAGRAPH, e);
                    }
                }
                prev = w;
            }
        }
        row_of(t, s, PARAGRAPH, order, out);
        self.clear();
    }

    fn clear(&mut self) {
        self.s.ids.clear();
        self.s.unigrams.clear();
        self.s.breaks.clear();
    }
}

/// The entry of word n-gram `ids` (n ≥ 2) when it is in the vocabulary.
#[inline]
fn ngram(t: &Tfidf, ids: &[u32]) -> Option<Entry> {
    if ids.contains(&NONE) {
        return None;
    }
    t.index.words.get(&pack(ids.iter().copied())).copied()
}

/// Call `f` with the entry of every term of words `words` (indices into `ids` and
/// `unigrams`) and of the character n-grams of `text`, once per occurrence.
fn terms(
    t: &Tfidf,
    ids: &[u32],
    unigrams: &[Entry],
    words: std::ops::Range<usize>,
    text: &str,
    mut f: impl FnMut(Entry),
) {
    let (lo, hi) = t.params.word_ngrams;
    if lo <= 1 {
        for &c in &unigrams[words.clone()] {
            if c != NO_ENTRY {
                f(c);
            }
        }
    }
    for n in lo.max(2)..=hi {
        for start in words.start..(words.end + 1).saturating_sub(n).max(words.start) {
            if let Some(e) = ngram(t, &ids[start..start + n]) {
                f(e);
            }
        }
    }
    if let Some((lo, hi)) = t.params.char_ngrams {
        for_char_windows(text, lo, hi, |key| {
            if let Some(&c) = t.index.chars.get(&key) {
                f(c);
            }
        });
    }
}

/// The order of a row's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// By column, as [`SparseVec`] keeps them.
    Columns,
    /// As the text first has them (sentence by sentence; word terms before character
    /// n-grams within one).
    Text,
}

/// Append to `out` the TF-IDF row of the counts in `slot`, in `order`; the paragraph's
/// counts are reset to zero and its touched list cleared (a sentence's are left for the
/// caller to add to the paragraph's).
fn row_of(t: &Tfidf, s: &mut Scratch, slot: usize, order: Order, out: &mut SparseRows) {
    let touched = &mut s.touched[slot];
    if order == Order::Columns {
        touched.sort_unstable();
    }
    let start = out.values.len();
    // Squared norms of the word block and the character block.
    let mut norms = [0.0f64; 2];
    let block = t.params.l2_norm && t.params.block_norm;
    let is_char = &mut s.is_char;
    is_char.clear();
    for &e in touched.iter() {
        let col = column(e);
        let n = s.counts[col][slot] as usize;
        if slot == PARAGRAPH {
            s.counts[col][slot] = 0;
        }
        let tf = if t.params.sublinear_tf {
            match t.index.log_tf.get(n) {
                Some(&v) => v,
                None => 1.0 + (n as f64).ln(),
            }
        } else {
            n as f64
        };
        let v = tf * t.index.idf_values[(e & (CHAR_BIT - 1)) as usize];
        let c = e & CHAR_BIT != 0;
        norms[usize::from(c && block)] += v * v;
        if block {
            is_char.push(c);
        }
        out.indices.push(col as u32);
        out.values.push(v);
    }
    if slot == PARAGRAPH {
        touched.clear();
    }
    if t.params.l2_norm {
        let [wn, cn] = norms.map(f64::sqrt);
        let values = &mut out.values[start..];
        if block {
            for (v, &c) in values.iter_mut().zip(is_char.iter()) {
                let n = if c { cn } else { wn };
                if n > 0.0 {
                    *v /= n;
                }
            }
        } else if wn > 0.0 {
            values.iter_mut().for_each(|v| *v /= wn);
        }
    }
    out.ends.push(out.indices.len());
}

/// Call `f` with the packed key of every character n-gram (`lo..=hi` characters, lower-cased,
/// `hi` ≤ 3) within each run of word characters of `text`: the keys [`for_char_runs`] gives,
/// by position and then by n. Needs no buffer: the last `n` characters of the current run
/// are kept packed as `pack` does, one key per n; shifting down one slot drops the oldest,
/// the newest goes in the top slot.
fn for_char_windows(text: &str, lo: usize, hi: usize, mut f: impl FnMut(u64)) {
    let mut keys = [0u64; 4];
    let mut run = 0usize;
    for c in text.chars() {
        if is_word_char(c) {
            let code = u64::from(c.to_ascii_lowercase() as u32) + 1;
            run += 1;
            for (n, key) in keys.iter_mut().enumerate().take(hi + 1).skip(lo) {
                *key = (*key >> 21) | (code << (21 * (n as u32 - 1)));
                if run >= n {
                    f(*key);
                }
            }
        } else {
            keys = [0; 4];
            run = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(words: &[&str]) -> Tokens {
        Tokens::from_words(words.iter().map(|w| w.to_string()).collect())
    }

    fn corpus() -> Vec<Tokens> {
        vec![
            doc(&["双减", "课后服务"]),
            doc(&["双减", "作业"]),
            doc(&["双减", "双减", "安全"]),
        ]
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    /// Expected values computed with scikit-learn 1.x:
    /// `TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True).fit_transform(docs)`.
    #[test]
    fn matches_sklearn_unigrams_sublinear() {
        let t = TfidfParams::default()
            .word_ngrams(1, 1)
            .min_df(1)
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        assert_eq!(t.vocabulary(), ["作业", "双减", "安全", "课后服务"]);
        close(t.idf()[1], 1.0);
        close(t.idf()[0], 1.6931471805599454);
        let r0 = t.transform(&corpus()[0]);
        assert_eq!(r0.indices, [1, 3]);
        close(r0.values[0], 0.5085423203783267);
        close(r0.values[1], 0.8610369959439764);
        let r2 = t.transform(&corpus()[2]);
        // tf(双减) = 1 + ln 2 with sublinear tf, equal to tf·idf of 安全 (1 × 1.693…).
        assert_eq!(r2.indices, [1, 2]);
        close(r2.values[0], std::f64::consts::FRAC_1_SQRT_2);
        close(r2.values[1], std::f64::consts::FRAC_1_SQRT_2);
    }

    #[test]
    fn bigrams_min_df_and_max_features() {
        let p = TfidfParams::default().min_df(1);
        let t = p.clone().check().unwrap().fit(&corpus()).unwrap();
        assert!(t.column("双减 课后服务").is_some());
        assert!(t.column("双减 双减").is_some());
        let t2 = TfidfParams::default()
            .min_df(2)
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        assert_eq!(t2.vocabulary(), ["双减"]);
        let t3 = p
            .max_features(Some(2))
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        // 双减 occurs 4 times; the rest once each, so ties go to the smallest term.
        assert_eq!(t3.vocabulary(), ["作业", "双减"]);
    }

    #[test]
    fn char_ngrams_are_prefixed() {
        let t = TfidfParams::default()
            .word_ngrams(1, 1)
            .char_ngrams(Some((2, 2)))
            .min_df(1)
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        assert!(t.column("#双减").is_some());
        assert!(t
            .transform(&corpus()[0])
            .indices
            .contains(&t.column("#课后").unwrap()));
    }

    #[test]
    fn rolling_char_windows_equal_run_windows() {
        let texts = [
            "",
            "双",
            "双减",
            "落实双减，规范课后服务APP与WiFi；2021年",
            "a1B2 c3Ｄ 学前 教育。。x",
            "𠀀𠀁字 混合 ÉCOLE",
        ];
        for (lo, hi) in [(1, 1), (2, 2), (3, 3), (1, 3), (2, 3), (1, 2)] {
            for t in texts {
                let mut fast = Vec::new();
                for_char_windows(t, lo, hi, |k| fast.push(k));
                let mut slow = Vec::new();
                for_char_runs(t, |run| {
                    for n in lo..=hi {
                        for win in run.windows(n) {
                            slow.push(pack(win.iter().map(|&c| c as u32)));
                        }
                    }
                });
                fast.sort_unstable();
                slow.sort_unstable();
                assert_eq!(fast, slow, "{lo}-{hi} {t:?}");
            }
        }
    }

    #[test]
    fn rows_have_unit_norm_and_unknown_terms_are_ignored() {
        let t = TfidfParams::default()
            .min_df(1)
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        let r = t.transform(&doc(&["双减", "未知词", "课后服务"]));
        close(r.values.iter().map(|v| v * v).sum::<f64>(), 1.0);
        assert!(t.transform(&doc(&["完全", "陌生"])).indices.is_empty());
    }

    #[test]
    fn block_norm_scales_words_and_chars_separately() {
        let t = TfidfParams::default()
            .word_ngrams(1, 1)
            .char_ngrams(Some((1, 1)))
            .min_df(1)
            .block_norm(true)
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        let r = t.transform(&doc(&["双减", "课后服务"]));
        let (mut w, mut c) = (0.0, 0.0);
        for (col, v) in r.iter() {
            if t.term(col).starts_with(CHAR_PREFIX) {
                c += v * v;
            } else {
                w += v * v;
            }
        }
        close(w, 1.0);
        close(c, 1.0);
    }

    /// The streaming rows of a paragraph and its sentences equal the rows of its tokens and
    /// of each of its sentences' tokens, for word n-grams across sentence ends, sentences of
    /// stop words only and trailing punctuation.
    #[test]
    fn streamed_sentence_rows_equal_token_rows() {
        use policytag_tokenizer::{TextSettings, Tokenizer};
        let tok = Tokenizer::new(TextSettings::default()).unwrap();
        let texts = [
            "落实双减政策。规范课后服务；加强作业管理！提高教学质量",
            "一是加强校园安全。的。二是推进课后服务；",
            "学前教育。普惠。幼儿园。建设。",
            "没有句号的一段话，只有逗号",
            "",
            "。；！",
        ];
        let docs: Vec<Tokens> = texts.iter().map(|t| tok.tokenize(t)).collect();
        for (words, chars) in [
            ((1, 3), Some((1, 3))),
            ((2, 2), None),
            ((1, 2), Some((2, 2))),
        ] {
            let t = fitted(&docs, words, chars);
            let ids = t.word_ids(|w| tok.word_id(w), tok.word_ids());
            for (text, d) in texts.iter().zip(&docs) {
                let normalized = tok.normalize(text);
                let expected: Vec<SparseVec> =
                    d.sentences().iter().map(|s| t.transform(s)).collect();
                // Words by string and by dictionary id give the same rows.
                for mut v in [t.vectorizer(), t.vectorizer_with(&ids)] {
                    tok.cut_into(&normalized, &mut v);
                    let (para, sentences) = v.finish_sentences(&normalized);
                    assert_eq!(para, t.transform(d), "{text}");
                    assert_eq!(sentences, expected, "{text}");
                }
            }
        }
    }

    /// A vectoriser fitted on `docs` with these n-gram ranges, keeping every term.
    fn fitted(docs: &[Tokens], words: (usize, usize), chars: Option<(usize, usize)>) -> Tfidf {
        TfidfParams::default()
            .word_ngrams(words.0, words.1)
            .char_ngrams(chars)
            .min_df(1)
            .check()
            .unwrap()
            .fit(docs)
            .unwrap()
    }

    #[test]
    fn words_by_dictionary_id_are_the_words_by_string() {
        use policytag_tokenizer::{TextSettings, Tokenizer};
        let tok = Tokenizer::new(TextSettings::default()).unwrap();
        let docs: Vec<Tokens> = [
            "落实双减政策，规范课后服务",
            "加强校园安全，建设幼儿园",
            "课后服务 安全",
        ]
        .iter()
        .map(|t| tok.tokenize(t))
        .collect();
        let t = fitted(&docs, (1, 2), None);
        let ids = t.word_ids(|w| tok.word_id(w), tok.word_ids());
        let mut found = 0;
        for term in t.vocabulary() {
            for w in term.split(' ') {
                let by_string = t.index.tokens.get(w).copied().unwrap_or((NONE, NO_ENTRY));
                // Class tokens and characters outside the dictionary have no id.
                if let Some(id) = tok.word_id(w) {
                    assert_eq!(ids.entries[id as usize], by_string, "{w}");
                    found += 1;
                }
            }
        }
        assert!(found > 5, "{found}");
        // Dictionary words outside the vocabulary read as unknown; so do ids out of range.
        let outside = tok.word_id("教育局").unwrap();
        assert!(t.index.tokens.get("教育局").is_none());
        assert_eq!(ids.entries[outside as usize], (NONE, NO_ENTRY));
        let mut v = t.vectorizer_with(&ids);
        v.known(u32::MAX, "双减");
        assert_eq!(v.s.ids[0], t.index.tokens.get("双减").unwrap().0);
    }

    /// The row of `doc` computed the plain way: every term as a string, counted in a map,
    /// looked up by binary search, weighted and normalised in column order.
    fn reference_row(t: &Tfidf, doc: &Tokens) -> SparseVec {
        let mut counts = std::collections::BTreeMap::<u32, usize>::new();
        each_term(t.params(), doc, |term| {
            if let Some(c) = t.column(term) {
                *counts.entry(c).or_default() += 1;
            }
        });
        let p = t.params();
        let block = p.l2_norm && p.block_norm;
        let mut norms = [0.0f64; 2];
        let mut out = SparseVec::default();
        for (&c, &n) in &counts {
            let tf = if p.sublinear_tf {
                1.0 + (n as f64).ln()
            } else {
                n as f64
            };
            let v = tf * t.idf()[c as usize];
            norms[usize::from(block && t.term(c).starts_with(CHAR_PREFIX))] += v * v;
            out.indices.push(c);
            out.values.push(v);
        }
        if p.l2_norm {
            let [wn, cn] = norms.map(f64::sqrt);
            for (&c, v) in out.indices.iter().zip(out.values.iter_mut()) {
                let n = if block && t.term(c).starts_with(CHAR_PREFIX) {
                    cn
                } else {
                    wn
                };
                if n > 0.0 {
                    *v /= n;
                }
            }
        }
        out
    }

    /// `transform`, `finish` and `finish_sentences` give exactly the rows of the plain
    /// computation (bit for bit), for sentences without words, repeated terms, char 1-grams,
    /// and vocabularies where a char n-gram's shorter parts are no terms (`max_df`,
    /// `max_features`): the reference any faster vectoriser must keep matching.
    #[test]
    fn rows_equal_plain_reference() {
        use policytag_tokenizer::{TextSettings, Tokenizer};
        let tok = Tokenizer::new(TextSettings::default()).unwrap();
        let train = [
            "落实双减政策，规范课后服务。双减双减双减！加强作业管理",
            "开展防溺水安全教育。校园安全。安全安全安全安全",
            "学前教育普惠发展；幼儿园建设。的。了。",
            "APP与WiFi覆盖率达100%，投入424.9万元。IPv6 IPv6",
            "双减背景下的作业设计与课后服务",
            "课后服务覆盖率达百分之百。学校安全教育",
        ];
        let texts = [
            "落实双减政策。规范课后服务；加强作业管理！提高教学质量",
            "一是加强校园安全。的。二是推进课后服务；",
            "双减双减双减双减。双减。双减双减",
            "的。了。",
            "安全安全安全安全安全安全安全安全安全安全安全。安全",
            "学前教育。普惠。幼儿园。建设。的",
            "没有句号的一段话，只有逗号",
            "APP与WiFi覆盖率达100%。IPv6",
            "",
            "。；！",
        ];
        let docs: Vec<Tokens> = train.iter().map(|t| tok.tokenize(t)).collect();
        let params = [
            TfidfParams::default().char_ngrams(Some((2, 3))).min_df(1),
            TfidfParams::default().char_ngrams(Some((2, 3))).min_df(2),
            TfidfParams::default()
                .char_ngrams(Some((1, 3)))
                .min_df(1)
                .max_df(0.4),
            TfidfParams::default()
                .word_ngrams(1, 3)
                .char_ngrams(Some((1, 2)))
                .min_df(1)
                .max_features(Some(60)),
            TfidfParams::default()
                .word_ngrams(2, 3)
                .char_ngrams(Some((2, 3)))
                .min_df(1)
                .sublinear_tf(false)
                .block_norm(true),
            TfidfParams::default().char_ngrams(Some((3, 3))).min_df(1),
        ];
        let mut rows = SparseRows::default();
        for p in params {
            let t = p.check().unwrap().fit(&docs).unwrap();
            for text in texts.iter().chain(&train) {
                let d = tok.tokenize(text);
                let want = reference_row(&t, &d);
                assert_eq!(t.transform(&d), want, "{text}");
                let normalized = tok.normalize(text);
                let mut v = t.vectorizer();
                tok.cut_into(&normalized, &mut v);
                assert_eq!(v.finish(&normalized), want, "{text}");
                tok.cut_into(&normalized, &mut v);
                let (para, sentences) = v.finish_sentences(&normalized);
                assert_eq!(para, want, "{text}");
                let expected: Vec<SparseVec> =
                    d.sentences().iter().map(|s| reference_row(&t, s)).collect();
                assert_eq!(sentences, expected, "{text}");
                // The flat rows, into buffers reused from the previous text.
                for with_sentences in [true, false] {
                    rows.clear();
                    tok.cut_into(&normalized, &mut v);
                    v.finish_rows(&normalized, with_sentences, &mut rows);
                    let mut want_rows = SparseRows::default();
                    if with_sentences {
                        expected.iter().for_each(|r| want_rows.push(r));
                    }
                    want_rows.push(&want);
                    assert_eq!(rows, want_rows, "{text}");
                    // Unordered: the same rows up to the order of their terms (and the
                    // rounding of the norm that order gives), the same order every time.
                    let mut loose = SparseRows::default();
                    for _ in 0..2 {
                        loose.clear();
                        tok.cut_into(&normalized, &mut v);
                        v.finish_rows_unordered(&normalized, with_sentences, &mut loose);
                        let mut again = SparseRows::default();
                        tok.cut_into(&normalized, &mut v);
                        v.finish_rows_unordered(&normalized, with_sentences, &mut again);
                        assert_eq!(loose, again, "{text}");
                    }
                    assert_eq!(loose.len(), want_rows.len(), "{text}");
                    for i in 0..loose.len() {
                        let (cols, vals) = loose.row(i);
                        let mut got: Vec<(u32, f64)> =
                            cols.iter().copied().zip(vals.iter().copied()).collect();
                        got.sort_by_key(|&(c, _)| c);
                        let (wc, wv) = want_rows.row(i);
                        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), wc, "{text}");
                        for (&(_, g), &w) in got.iter().zip(wv) {
                            assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{text}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_params_are_rejected() {
        assert!(TfidfParams::default().word_ngrams(0, 2).check().is_err());
        assert!(TfidfParams::default().word_ngrams(1, 4).check().is_err());
        assert!(TfidfParams::default().min_df(0).check().is_err());
        assert!(TfidfParams::default().max_df(0.0).check().is_err());
        assert!(TfidfParams::default()
            .max_features(Some(0))
            .check()
            .is_err());
    }

    #[test]
    fn serde_round_trip_is_identical() {
        let t = TfidfParams::default()
            .min_df(1)
            .check()
            .unwrap()
            .fit(&corpus())
            .unwrap();
        let s = serde_json::to_string(&t).unwrap();
        let back: Tfidf = serde_json::from_str(&s).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), s);
        assert_eq!(back.transform(&corpus()[1]), t.transform(&corpus()[1]));
    }
}
