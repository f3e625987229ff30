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
use crate::sparse::SparseVec;

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

    /// Validate the parameters.
    pub fn check(self) -> Result<ValidTfidfParams> {
        let (lo, hi) = self.word_ngrams;
        if lo == 0 || lo > hi || hi > 3 {
            return Err(Error::InvalidParam(format!(
                "word n-gram range {lo}..={hi} (need 1 <= lo <= hi <= 3)"
            )));
        }
        if let Some((lo, hi)) = self.char_ngrams {
            if lo == 0 || lo > hi || hi > 3 {
                return Err(Error::InvalidParam(format!(
                    "char n-gram range {lo}..={hi} (need 1 <= lo <= hi <= 3)"
                )));
            }
        }
        if self.min_df == 0 {
            return Err(Error::InvalidParam("min_df must be at least 1".into()));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::InvalidParam(format!(
                "max_df must be in (0, 1], got {}",
                self.max_df
            )));
        }
        if self.max_features == Some(0) {
            return Err(Error::InvalidParam(
                "max_features must be at least 1".into(),
            ));
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

/// A column (high 32 bits) and its idf's index in [`Index::idf_values`] (low 32 bits).
type Entry = u64;

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
                    .insert(pack(chars.chars().map(|c| c as u32)), entry);
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
        Vectorizer {
            tfidf: self,
            ids: Vec::with_capacity(128),
            cols: Vec::with_capacity(384),
        }
    }
}

/// Builds one TF-IDF row from words fed one at a time; see [`Tfidf::vectorizer`].
#[derive(Debug)]
pub struct Vectorizer<'a> {
    tfidf: &'a Tfidf,
    /// Token id per word so far ([`NONE`] for words outside every vocabulary term).
    ids: Vec<u32>,
    /// Entries found so far, repeated once per occurrence.
    cols: Vec<Entry>,
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
        if self.tfidf.params.word_ngrams.0 <= 1 && col != NO_ENTRY {
            self.cols.push(col);
        }
        self.ids.push(id);
    }
}

impl Vectorizer<'_> {
    /// The row of the words fed so far plus the character n-grams of `normalized`; the
    /// vectoriser is then empty and can be fed the next document.
    pub fn finish(&mut self, normalized: &str) -> SparseVec {
        let t = self.tfidf;
        let (lo, hi) = t.params.word_ngrams;
        for n in lo.max(2)..=hi {
            for win in self.ids.windows(n) {
                if win.contains(&NONE) {
                    continue;
                }
                if let Some(&c) = t.index.words.get(&pack(win.iter().copied())) {
                    self.cols.push(c);
                }
            }
        }
        if let Some((lo, hi)) = t.params.char_ngrams {
            let cols = &mut self.cols;
            for_char_windows(normalized, lo, hi, |key| {
                if let Some(&c) = t.index.chars.get(&key) {
                    cols.push(c);
                }
            });
        }
        self.cols.sort_unstable();
        let mut out = SparseVec {
            indices: Vec::with_capacity(self.cols.len()),
            values: Vec::with_capacity(self.cols.len()),
        };
        let mut i = 0;
        let cols = &self.cols;
        while i < cols.len() {
            let e = cols[i];
            let mut j = i + 1;
            while j < cols.len() && cols[j] == e {
                j += 1;
            }
            let n = j - i;
            let tf = if t.params.sublinear_tf {
                match t.index.log_tf.get(n) {
                    Some(&v) => v,
                    None => 1.0 + (n as f64).ln(),
                }
            } else {
                n as f64
            };
            out.indices.push((e >> 32) as u32);
            out.values
                .push(tf * t.index.idf_values[(e & 0xFFFF_FFFF) as usize]);
            i = j;
        }
        if t.params.l2_norm {
            let norm = out.values.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                out.values.iter_mut().for_each(|v| *v /= norm);
            }
        }
        self.ids.clear();
        self.cols.clear();
        out
    }
}

/// Call `f` with the packed key of every character n-gram (`lo..=hi` characters, lower-cased)
/// within each run of word characters of `text`, in the order [`for_char_runs`] gives them:
/// by run, then by n, then by position. Needs no buffer when `lo == hi`.
fn for_char_windows(text: &str, lo: usize, hi: usize, mut f: impl FnMut(u64)) {
    if lo == hi && lo <= 3 {
        // The last `lo` characters of the current run, packed as `pack` does: shifting down
        // one slot drops the oldest, the newest goes in the top slot.
        let shift = 21 * (lo as u32 - 1);
        let (mut key, mut run) = (0u64, 0usize);
        for c in text.chars() {
            if is_word_char(c) {
                key = (key >> 21) | ((u64::from(c.to_ascii_lowercase() as u32) + 1) << shift);
                run += 1;
                if run >= lo {
                    f(key);
                }
            } else {
                key = 0;
                run = 0;
            }
        }
        return;
    }
    for_char_runs(text, |run| {
        for n in lo..=hi {
            for win in run.windows(n) {
                f(pack(win.iter().map(|&c| c as u32)));
            }
        }
    });
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
        for n in 1..=3 {
            for t in texts {
                let mut fast = Vec::new();
                for_char_windows(t, n, n, |k| fast.push(k));
                let mut slow = Vec::new();
                for_char_runs(t, |run| {
                    for win in run.windows(n) {
                        slow.push(pack(win.iter().map(|&c| c as u32)));
                    }
                });
                assert_eq!(fast, slow, "n={n} {t:?}");
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
