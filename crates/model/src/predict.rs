//! Tagging with a trained [`Model`]: calibrated scores, labels at the tuned thresholds, and
//! the evidence terms behind each label.

use std::collections::BTreeSet;

use policytag_tokenizer::normalize::NormalizeSettings;
use policytag_tokenizer::{resources_hash, Dictionary, PendingDictionary, Tokenizer, Tokens};

use policytag_features::{SparseRows, Vectorizer};
use policytag_tokenizer::WordSink;

use crate::bootstrap::BootstrapParams;
use crate::calibrate::sigmoid;
use crate::combine::{inputs, GUARD_TERMS, INPUTS};
use crate::error::{Error, Result};
use crate::logistic::{Pooling, Rows};
use crate::metrics::Metrics;
use crate::model::Model;
use policytag_data::Example;

/// A model with its tokenizer loaded: what `tag`, `eval` and `explain` use.
#[derive(Debug)]
pub struct Tagger {
    model: Model,
    tokenizer: Tokenizer,
    /// Column `c`'s labels and weights are `weight_labels[starts[c]..starts[c + 1]]` and
    /// `weights[…]` (the same range), so scoring a row costs one pass over its non-zeros
    /// through flat arrays; labels and weights are kept apart so no entry carries padding (the
    /// arrays are read at random per term, and smaller ones stay in cache).
    starts: Vec<u32>,
    weight_labels: Vec<u16>,
    weights: Vec<f64>,
    intercepts: Vec<f64>,
    /// Per label, the positions of its combiner's input row whose weight can matter: its own
    /// inputs, then the labels whose weight is not zero (a zero weight adds nothing, so the
    /// score is the same, and a model with many labels is scored in time linear in them).
    combiner_terms: Vec<Vec<u32>>,
    /// The vocabulary's words by the tokenizer's dictionary ids, made once the dictionary
    /// has loaded (see [`Tagger::vectorizer`]).
    word_ids: std::sync::OnceLock<policytag_features::WordIds>,
}

/// The model's output for one paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Calibrated probability per label, in label order.
    pub scores: Vec<f64>,
    /// Indices of the labels given (score at or above the threshold), in label order.
    pub labels: Vec<usize>,
}

/// Buffers reused from one paragraph to the next by the scoring of a thread.
#[derive(Debug, Default)]
struct Scratch {
    rows: SparseRows,
    z: Vec<f64>,
    zs: Vec<f64>,
    best: Vec<f64>,
    top: Vec<[f64; GUARD_TERMS]>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

/// Run `f` with this thread's scoring buffers.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut s = SCRATCH.with(|c| c.take()).unwrap_or_default();
    let r = f(&mut s);
    SCRATCH.with(|c| c.set(Some(s)));
    r
}

/// A vocabulary term with a classifier weight.
pub type TermWeight = (String, f64);

/// A term's contribution to a label's decision value.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The vocabulary term (words of an n-gram joined by a space).
    pub term: String,
    /// Weight × TF-IDF value.
    pub weight: f64,
}

impl Tagger {
    /// Load the tokenizer the model was trained with. Fails if this build's dictionary or
    /// stop words differ from the model's.
    pub fn new(model: Model) -> Result<Tagger> {
        Tagger::with_dictionary(model, Dictionary::load()?)
    }

    /// [`Tagger::new`] with jieba's general dictionary already loaded (see [`Dictionary`]).
    pub fn with_dictionary(model: Model, dictionary: Dictionary) -> Result<Tagger> {
        Tagger::check(&model)?;
        let tokenizer = Tokenizer::with_dictionary(model.text.clone(), dictionary)?;
        Tagger::build(model, tokenizer)
    }

    /// [`Tagger::with_dictionary`] with the dictionary still loading: the model is checked
    /// and the tagger built at once; the first text tagged waits for the dictionary
    /// ([`Tagger::ready`] waits on purpose and reports a failure to load it).
    pub fn with_pending_dictionary(model: Model, pending: PendingDictionary) -> Result<Tagger> {
        if let Err(e) = Tagger::check(&model) {
            // Not left loading on its own.
            let _ = pending.wait();
            return Err(e);
        }
        let tokenizer = Tokenizer::with_pending_dictionary(model.text.clone(), pending)?;
        Tagger::build(model, tokenizer)
    }

    /// Wait until the tokenizer's dictionary has loaded; an error if it failed to.
    pub fn ready(&self) -> Result<()> {
        Ok(self.tokenizer.ready()?)
    }

    /// A model this build can tag with.
    fn check(model: &Model) -> Result<()> {
        if model.resources_hash != resources_hash() {
            return Err(Error::ModelFile(
                "model was trained with a different dictionary or stop-word list than this policytag has: retrain it".into(),
            ));
        }
        if model.labels.len() != model.label_models.len() {
            return Err(Error::ModelFile(
                "model payload is invalid: label count mismatch".into(),
            ));
        }
        Ok(())
    }

    /// The tagger of a checked model: each column's weights gathered for scoring.
    fn build(model: Model, tokenizer: Tokenizer) -> Result<Tagger> {
        let dim = model.tfidf.len();
        let mut count = vec![0u32; dim + 1];
        for m in &model.label_models {
            for &c in &m.classifier.features {
                if c as usize >= dim {
                    return Err(Error::ModelFile(
                        "model payload is invalid: weight column out of range".into(),
                    ));
                }
                count[c as usize + 1] += 1;
            }
        }
        let mut starts = count;
        for c in 0..dim {
            starts[c + 1] += starts[c];
        }
        // Fill column by column in label order, the order scores have always been summed in.
        let mut next: Vec<u32> = starts[..dim].to_vec();
        if model.label_models.len() > usize::from(u16::MAX) {
            return Err(Error::ModelFile(
                "model payload is invalid: more than 65,535 labels".into(),
            ));
        }
        let mut weight_labels = vec![0u16; starts[dim] as usize];
        let mut weights = vec![0.0f64; starts[dim] as usize];
        for (l, m) in model.label_models.iter().enumerate() {
            for (&c, &w) in m.classifier.features.iter().zip(&m.classifier.weights) {
                let slot = &mut next[c as usize];
                weight_labels[*slot as usize] = l as u16;
                weights[*slot as usize] = w;
                *slot += 1;
            }
        }
        let intercepts = model
            .label_models
            .iter()
            .map(|m| m.classifier.intercept)
            .collect();
        let n_labels = model.label_models.len();
        let combiner_terms = model
            .label_models
            .iter()
            .map(|m| match &m.combiner {
                Some(c) => (0..c.weights.len().min(INPUTS + n_labels))
                    .filter(|&k| k < INPUTS || c.weights[k] != 0.0)
                    .map(|k| k as u32)
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        Ok(Tagger {
            model,
            tokenizer,
            starts,
            weight_labels,
            weights,
            intercepts,
            combiner_terms,
            word_ids: std::sync::OnceLock::new(),
        })
    }

    /// A vectoriser for this model's TF-IDF that takes the tokenizer's dictionary words by
    /// id ([`policytag_tokenizer::WordSink::known`]), so it does not hash them again.
    fn vectorizer(&self) -> Vectorizer<'_> {
        let ids = self.word_ids.get_or_init(|| {
            let t = &self.tokenizer;
            self.model.tfidf.word_ids(|w| t.word_id(w), t.word_ids())
        });
        self.model.tfidf.vectorizer_with(ids)
    }

    /// Decision values of every label for one row (columns and values), into `z`.
    fn decisions(&self, row: (&[u32], &[f64]), z: &mut Vec<f64>) {
        z.clear();
        z.extend_from_slice(&self.intercepts);
        self.add_decisions(row, z);
    }

    /// Column `c`'s (label, weight) pairs.
    #[inline]
    fn column(&self, c: u32) -> impl Iterator<Item = (&u16, &f64)> {
        let (a, b) = (
            self.starts[c as usize] as usize,
            self.starts[c as usize + 1] as usize,
        );
        self.weight_labels[a..b].iter().zip(&self.weights[a..b])
    }

    /// Add a row's terms to decision values `z` that start at the intercepts.
    fn add_decisions(&self, (cols, vals): (&[u32], &[f64]), z: &mut [f64]) {
        for (&c, &v) in cols.iter().zip(vals) {
            for (&l, &w) in self.column(c) {
                z[usize::from(l)] += w * v;
            }
        }
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Tag one paragraph. `threshold` overrides every label's tuned threshold.
    ///
    /// The words go straight from jieba into the vectoriser, with no `String` per word; the
    /// result is the same as [`Tagger::predict_tokens`] on [`Tokenizer::tokenize`]'s output,
    /// except that web-page chrome ([`policytag_tokenizer::is_chrome`]: `相关信息`,
    /// `文件编号 — 发布机构 …`) is never given a label.
    pub fn predict(&self, text: &str, threshold: Option<f64>) -> Prediction {
        let normalized = self.tokenizer.normalize(text);
        self.predict_as(text, &normalized, false, threshold)
    }

    /// Tag `text` from `normalized`, its form through this model's normaliser; chrome gets
    /// no label (unless `checked`: the caller found it is not chrome).
    fn predict_as(
        &self,
        text: &str,
        normalized: &str,
        checked: bool,
        threshold: Option<f64>,
    ) -> Prediction {
        let mut p = self.predict_text(normalized, threshold);
        if !p.labels.is_empty() && !checked && self.is_chrome(text, Some(normalized)) {
            p.labels.clear();
        }
        p
    }

    /// [`Tagger::predict`] of `text` whose normalised form is already known: `normalized` is
    /// `text` through the default normaliser ([`policytag_tokenizer::normalize::normalized`],
    /// as the segmenter gives it with each paragraph). With a model whose normaliser has the
    /// default settings that is what `predict` would compute, so it is used as it is; another
    /// model's normaliser runs on `text` as in `predict`. The prediction is the same.
    ///
    /// `checked`: the caller has found that `normalized` is not web-page chrome
    /// ([`policytag_tokenizer::is_chrome_normalized`] is false, as a segmenter that drops
    /// chrome has checked each paragraph it keeps:
    /// [`policytag_tokenizer::segment::Paragraph::chrome_checked`]), so the chrome rules are
    /// not run again.
    pub fn predict_normalized(
        &self,
        text: &str,
        normalized: &str,
        checked: bool,
        threshold: Option<f64>,
    ) -> Prediction {
        if self.model.text.normalize != NormalizeSettings::default() {
            return self.predict(text, threshold);
        }
        self.predict_as(text, normalized, checked, threshold)
    }

    /// Whether `text` is web-page chrome, which never gets a label. `normalized`, when given,
    /// is `text` through the model's normaliser: with both of its settings on it is what the
    /// chrome rules read, so they run on it without folding and converting again.
    fn is_chrome(&self, text: &str, normalized: Option<&str>) -> bool {
        let n = &self.model.text.normalize;
        match normalized {
            Some(t) if n.fullwidth && n.t2s => policytag_tokenizer::is_chrome_normalized(t),
            _ => policytag_tokenizer::is_chrome(text),
        }
    }

    /// Score an already normalised text.
    fn predict_text(&self, normalized: &str, threshold: Option<f64>) -> Prediction {
        let mut v = self.vectorizer();
        self.tokenizer.cut_into(normalized, &mut v);
        self.score_fed(v, normalized, threshold)
    }

    /// Tag an already tokenised paragraph.
    pub fn predict_tokens(&self, tokens: &Tokens, threshold: Option<f64>) -> Prediction {
        // Words come as strings here: no dictionary ids to look up.
        let mut v = self.model.tfidf.vectorizer();
        let mut breaks = tokens.breaks.iter().peekable();
        for (i, w) in tokens.words.iter().enumerate() {
            while let Some(&(_, end)) = breaks.next_if(|&&(at, _)| at == i) {
                v.sentence_end(end);
            }
            v.word(w);
        }
        for &(_, end) in breaks {
            v.sentence_end(end);
        }
        self.score_fed(v, &tokens.normalized, threshold)
    }

    /// Score the words `v` has been fed and the character n-grams of `normalized`.
    fn score_fed(&self, mut v: Vectorizer, normalized: &str, threshold: Option<f64>) -> Prediction {
        with_scratch(|s| {
            s.rows.clear();
            let sentences = self.model.pooling != Pooling::Paragraph;
            v.finish_rows_unordered(normalized, sentences, &mut s.rows);
            // Only sentence-aware scoring reads the paragraph's length.
            let chars = if sentences {
                normalized.chars().count()
            } else {
                0
            };
            self.score(s, chars, threshold)
        })
    }

    /// The rows of `text` (sentences', then the paragraph's), each in column order.
    fn rows_of(&self, text: &str) -> Rows {
        let normalized = self.tokenizer.normalize(text);
        let mut v = self.vectorizer();
        self.tokenizer.cut_into(&normalized, &mut v);
        let mut rows = SparseRows::default();
        v.finish_rows(
            &normalized,
            self.model.pooling != Pooling::Paragraph,
            &mut rows,
        );
        let last = rows.len() - 1;
        Rows {
            para: rows.to_vec(last),
            sentences: (0..last).map(|i| rows.to_vec(i)).collect(),
        }
    }

    /// Decision values of every label for one row, into `z`, and each label's
    /// [`GUARD_TERMS`] largest positive term contributions, into `top`.
    fn guarded_decisions(
        &self,
        (cols, vals): (&[u32], &[f64]),
        z: &mut Vec<f64>,
        top: &mut Vec<[f64; GUARD_TERMS]>,
    ) {
        let n = self.intercepts.len();
        z.clear();
        z.extend_from_slice(&self.intercepts);
        top.clear();
        top.resize(n, [0.0f64; GUARD_TERMS]);
        for (&c, &v) in cols.iter().zip(vals) {
            for (&l, &w) in self.column(c) {
                let x = w * v;
                z[usize::from(l)] += x;
                let t = &mut top[usize::from(l)];
                if x > t[GUARD_TERMS - 1] {
                    // Insert into the descending top list (no sort call per term).
                    let mut k = GUARD_TERMS - 1;
                    while k > 0 && t[k - 1] < x {
                        t[k] = t[k - 1];
                        k -= 1;
                    }
                    t[k] = x;
                }
            }
        }
    }

    /// Scores and labels from a paragraph's rows in `s.rows` (each sentence's, then the
    /// paragraph's; `chars`: its length, for combined scoring).
    fn score(&self, s: &mut Scratch, chars: usize, threshold: Option<f64>) -> Prediction {
        let rows = &s.rows;
        let last = rows.len() - 1;
        let para = rows.row(last);
        let scores: Vec<f64> = if self.model.pooling == Pooling::Combined {
            let (z, top) = (&mut s.z, &mut s.top);
            self.guarded_decisions(para, z, top);
            // The best sentence value per label, through one scratch row.
            let (best, zs) = (&mut s.best, &mut s.zs);
            for i in 0..last {
                self.decisions(rows.row(i), zs);
                if i == 0 {
                    best.clear();
                    best.extend_from_slice(zs);
                } else {
                    best.iter_mut()
                        .zip(zs.iter())
                        .for_each(|(a, &v)| *a = a.max(v));
                }
            }
            let best = (last > 0).then_some(&*best);
            self.model
                .label_models
                .iter()
                .enumerate()
                .map(|(l, m)| {
                    let guard: f64 = top[l].iter().sum();
                    let x = inputs(z[l], best.map(|b| b[l]), guard, chars);
                    match &m.combiner {
                        // `Combiner::prob` of `combine::row(&x, &z)`, without building the
                        // row and without the zero-weight terms.
                        Some(c) => {
                            sigmoid(self.combiner_terms[l].iter().fold(c.intercept, |s, &k| {
                                let k = k as usize;
                                let v = if k < INPUTS { x[k] } else { z[k - INPUTS] };
                                s + c.weights[k] * v
                            }))
                        }
                        None => m.platt.prob(z[l]),
                    }
                })
                .collect()
        } else {
            let (z, zs) = (&mut s.z, &mut s.zs);
            self.decisions(para, z);
            for i in 0..last {
                self.decisions(rows.row(i), zs);
                for (a, &b) in z.iter_mut().zip(zs.iter()) {
                    *a = a.max(b);
                }
            }
            z.iter()
                .zip(&self.model.label_models)
                .map(|(&z, m)| m.platt.prob(z))
                .collect()
        };
        let labels = self.given(&scores, threshold);
        Prediction { scores, labels }
    }

    /// Read the predictions of one document's consecutive paragraphs (`texts`, in order, as
    /// [`Tagger::predict`] gave them) in each other's context ([`crate::context`], with the model's weight) and give labels
    /// anew at the thresholds (`threshold` overrides them all). Web-page chrome still gets no
    /// label; fewer than two paragraphs, or a weight of 0, change nothing.
    pub fn in_context<S: AsRef<str>>(
        &self,
        preds: &mut [Prediction],
        texts: &[S],
        threshold: Option<f64>,
    ) {
        if preds.len() < 2 || self.model.context_weight == 0.0 {
            return;
        }
        let moved: Vec<Prediction> = (0..preds.len())
            .map(|i| self.in_context_at(preds, i, texts[i].as_ref(), false, threshold))
            .collect();
        for (p, m) in preds.iter_mut().zip(moved) {
            *p = m;
        }
    }

    /// Paragraph `i`'s prediction as [`Tagger::in_context`] gives it, from the predictions of
    /// its document's paragraphs `preds` (as [`Tagger::predict`] gave them) and its text
    /// (`checked`: known not to be chrome, as for [`Tagger::predict_normalized`]):
    /// each paragraph of a document can so be read in context on its own, in parallel.
    pub fn in_context_at(
        &self,
        preds: &[Prediction],
        i: usize,
        text: &str,
        checked: bool,
        threshold: Option<f64>,
    ) -> Prediction {
        let weight = self.model.context_weight;
        let own = &preds[i];
        if preds.len() < 2 || weight == 0.0 {
            return own.clone();
        }
        let before = i.checked_sub(1).map(|j| preds[j].scores.as_slice());
        let after = preds.get(i + 1).map(|p| p.scores.as_slice());
        let scores = crate::context::moved(before, &own.scores, after, weight);
        let mut labels = self.given(&scores, threshold);
        // A paragraph that had a label alone was not chrome (`predict` clears chrome's).
        if !labels.is_empty() && own.labels.is_empty() && !checked && self.is_chrome(text, None) {
            labels.clear();
        }
        Prediction { scores, labels }
    }

    /// The labels whose score is at or above their threshold (or `threshold` for all).
    fn given(&self, scores: &[f64], threshold: Option<f64>) -> Vec<usize> {
        scores
            .iter()
            .enumerate()
            .filter(|&(l, &s)| s >= threshold.unwrap_or(self.model.label_models[l].threshold))
            .map(|(l, _)| l)
            .collect()
    }

    /// For each of `labels`, the `top` terms of `text` that pushed it up the most (taken
    /// from the row — paragraph or sentence — that gives the label its highest decision
    /// value).
    pub fn evidence(&self, text: &str, labels: &[usize], top: usize) -> Vec<Vec<Evidence>> {
        if labels.is_empty() {
            return Vec::new();
        }
        let rows = self.rows_of(text);
        labels
            .iter()
            .map(|&l| self.evidence_in(&rows, l, top))
            .collect()
    }

    /// [`Tagger::evidence`] of one label, from a text's rows.
    fn evidence_in(&self, rows: &Rows, label: usize, top: usize) -> Vec<Evidence> {
        let b = &self.model.label_models[label].classifier;
        let best = rows.sentences.iter().fold(&rows.para, |acc, r| {
            if b.decision(r) > b.decision(acc) {
                r
            } else {
                acc
            }
        });
        let mut c = b.contributions(best);
        c.retain(|&(_, w)| w > 0.0);
        c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // Show character n-grams without their `#` marker, and drop those that a strong word
        // term among the candidates contains, and exact repeats.
        c.truncate(top * 4);
        let words: Vec<String> = c
            .iter()
            .map(|&(col, _)| self.model.tfidf.term(col))
            .filter(|t| !t.starts_with('#'))
            .map(|t| t.replace(' ', ""))
            .collect();
        let mut out: Vec<Evidence> = Vec::with_capacity(top);
        for (col, weight) in c {
            if out.len() == top {
                break;
            }
            let term = self.model.tfidf.term(col);
            let shown = term.strip_prefix('#').unwrap_or(term);
            if term.starts_with('#') && words.iter().any(|w| w.contains(shown)) {
                continue;
            }
            if out.iter().any(|e| e.term == shown) {
                continue;
            }
            out.push(Evidence {
                term: shown.to_string(),
                weight,
            });
        }
        out
    }

    /// The strongest positive and negative terms of a label: `(term, weight)` pairs.
    pub fn label_terms(&self, label: usize, top: usize) -> (Vec<TermWeight>, Vec<TermWeight>) {
        let b = &self.model.label_models[label].classifier;
        let mut all: Vec<(u32, f64)> = b
            .features
            .iter()
            .copied()
            .zip(b.weights.iter().copied())
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let term = |&(c, w): &(u32, f64)| (self.model.tfidf.term(c).to_string(), w);
        let pos = all
            .iter()
            .filter(|x| x.1 > 0.0)
            .take(top)
            .map(term)
            .collect();
        let neg = all
            .iter()
            .rev()
            .filter(|x| x.1 < 0.0)
            .take(top)
            .map(term)
            .collect();
        (pos, neg)
    }

    /// Index of a label id.
    pub fn label_index(&self, id: &str) -> Option<usize> {
        self.model.labels.iter().position(|l| l.id == id)
    }

    /// Evaluate on labelled examples: metrics, each label's calibration error, and
    /// document-level bootstrap intervals with `groups[i]` naming example `i`'s document (see
    /// [`crate::bootstrap::document_groups`]). Consecutive examples with the same `doc` are
    /// read in their document's context, as `tag` reads them. Labels the model does not know
    /// are an error.
    pub fn evaluate(
        &self,
        examples: &[Example],
        groups: &[String],
        threshold: Option<f64>,
    ) -> Result<(Metrics, Vec<Prediction>)> {
        use rayon::prelude::*;
        let unknown: BTreeSet<String> = examples
            .iter()
            .flat_map(|e| e.labels.iter())
            .filter(|l| self.label_index(l).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(Error::UnknownLabels(unknown.into_iter().collect()));
        }
        let gold: Vec<Vec<usize>> = examples
            .iter()
            .map(|e| {
                e.labels
                    .iter()
                    .filter_map(|l| self.label_index(l))
                    .collect()
            })
            .collect();
        let mut preds: Vec<Prediction> = examples
            .par_iter()
            .map(|e| self.predict(&e.text, threshold))
            .collect();
        let docs: Vec<Option<&str>> = examples.iter().map(|e| e.doc.as_deref()).collect();
        for run in crate::context::runs(&docs) {
            let texts: Vec<&str> = examples[run.clone()]
                .iter()
                .map(|e| e.text.as_str())
                .collect();
            self.in_context(&mut preds[run], &texts, threshold);
        }
        let pred_sets: Vec<Vec<usize>> = preds.iter().map(|p| p.labels.clone()).collect();
        let ids = self.model.label_ids();
        let scores: Vec<Vec<f64>> = preds.iter().map(|p| p.scores.clone()).collect();
        let metrics = Metrics::compute(&ids, &gold, &pred_sets)
            .with_calibration(&ids, &gold, &scores)
            .with_intervals(&gold, &pred_sets, groups, BootstrapParams::default());
        Ok((metrics, preds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository root and the default model file in it.
    fn default_model() -> (&'static str, Model) {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let path = format!("{root}/models/default.model");
        (root, Model::load(std::path::Path::new(&path)).unwrap())
    }

    /// Tagging from the segmenter's normalised text is tagging the text; a model with other
    /// normaliser settings normalises the text itself.
    #[test]
    fn predict_normalized_equals_predict() {
        use policytag_tokenizer::normalize::normalized;
        let (_, model) = default_model();
        let mut other = model.clone();
        other.text.normalize.t2s = false;
        let texts = [
            "全區課後服務覆蓋率１００％，ＡＢＣ學校",
            "开展消防疏散演练和防溺水专题教育，全县学校安装一键式报警装置。",
            "您當前所在位置：首頁 > 要聞動態",
            "　相关信息　",
            "（七）全力構建平安校園",
            "",
        ];
        for tagger in [Tagger::new(model).unwrap(), Tagger::new(other).unwrap()] {
            for t in texts {
                let n = normalized(t);
                // Told it is not chrome only where it is not (what the segmenter tells).
                let not_chrome = !policytag_tokenizer::is_chrome_normalized(&n);
                for threshold in [None, Some(0.0)] {
                    for checked in [false, not_chrome] {
                        assert_eq!(
                            tagger.predict_normalized(t, &n, checked, threshold),
                            tagger.predict(t, threshold),
                            "{t}"
                        );
                    }
                }
            }
        }
    }

    /// The streaming path of `predict` (words straight from jieba into the vectoriser) must
    /// give exactly what tokenising to `Tokens` and vectorising them gives.
    #[test]
    fn streaming_predict_equals_token_path() {
        let (root, model) = default_model();
        assert_eq!(model.pooling, Pooling::Combined);
        let tagger = Tagger::new(model).unwrap();
        let raw = std::fs::read_to_string(format!("{root}/corpus/test.jsonl")).unwrap();
        let mut texts: Vec<String> = raw
            .lines()
            .map(|l| policytag_data::jsonl::parse_line(l, false).unwrap().text)
            .collect();
        texts.extend(
            [
                "",
                "。；！",
                "2021年3月5日，APP与WiFi覆盖率达100%，投入424.9万元。",
                "全區課後服務覆蓋率１００％，ＡＢＣ學校",
                "双减双减双减",
                "IPv6 and ICP备 SCHOOL",
                "您當前所在位置：首頁 > 要聞動態",
                "发布时间：２０２３－０５－０６　来源：区教育局　【字体：大 中 小】",
                "　相关信息　",
                "  • 首頁首頁",
                "網站支持IPv6",
                "（七）全力構建平安校園",
            ]
            .map(String::from),
        );
        // The tagger's chrome check on its normalised text agrees with the plain one.
        for t in &texts {
            let n = tagger.tokenizer().normalize(t);
            assert_eq!(
                policytag_tokenizer::is_chrome(t),
                policytag_tokenizer::is_chrome_normalized(&n),
                "{t}"
            );
        }
        assert!(
            texts
                .iter()
                .filter(|t| policytag_tokenizer::is_chrome(t))
                .count()
                >= 4
        );
        for t in &texts {
            let a = tagger.predict(t, None);
            let b = tagger.predict_tokens(&tagger.tokenizer().tokenize(t), None);
            if policytag_tokenizer::is_chrome(t) {
                assert_eq!(a.scores, b.scores, "{t}");
                assert!(a.labels.is_empty(), "{t}");
            } else {
                assert_eq!(a, b, "{t}");
            }
        }
        // Chrome gets no label even where every score clears the threshold.
        for t in ["相关信息", "文件编号 —  — 发布机构 某区教育局"] {
            assert!(tagger.predict(t, Some(0.0)).labels.is_empty(), "{t}");
            assert!(!tagger
                .predict_tokens(&tagger.tokenizer().tokenize(t), Some(0.0))
                .labels
                .is_empty());
        }
    }

    /// A document's predictions in context are the paragraphs' own scores moved by
    /// `context::apply`, with labels given anew at the thresholds; chrome stays unlabelled.
    #[test]
    fn in_context_moves_scores_and_gives_labels_anew() {
        let (_, model) = default_model();
        assert!(model.context_weight > 0.0);
        let tagger = Tagger::new(model).unwrap();
        let texts = [
            "（三）筑牢校园安全防线",
            "开展消防疏散演练和防溺水专题教育，全县学校安装一键式报警装置。",
            "相关信息",
            "各校每学期开展两次应急演练。",
        ];
        let alone: Vec<Prediction> = texts.iter().map(|t| tagger.predict(t, None)).collect();
        let mut rows: Vec<Vec<f64>> = alone.iter().map(|p| p.scores.clone()).collect();
        crate::context::apply(&mut rows, tagger.model().context_weight);
        for threshold in [None, Some(0.0)] {
            let mut preds: Vec<Prediction> =
                texts.iter().map(|t| tagger.predict(t, threshold)).collect();
            tagger.in_context(&mut preds, &texts, threshold);
            for (i, p) in preds.iter().enumerate() {
                assert_eq!(p.scores, rows[i], "{}", texts[i]);
                let want: Vec<usize> = if policytag_tokenizer::is_chrome(texts[i]) {
                    Vec::new()
                } else {
                    (0..rows[i].len())
                        .filter(|&l| {
                            rows[i][l]
                                >= threshold.unwrap_or(tagger.model().label_models[l].threshold)
                        })
                        .collect()
                };
                assert_eq!(p.labels, want, "{}", texts[i]);
            }
            assert!(preds[2].labels.is_empty());
        }
        // The context changed something: the scores are not the paragraphs' own.
        assert!(alone.iter().zip(&rows).any(|(a, r)| a.scores != *r));
        // A one-paragraph document is read alone.
        let mut one = vec![tagger.predict(texts[1], None)];
        tagger.in_context(&mut one, &texts[1..2], None);
        assert_eq!(one[0], alone[1]);
    }
}
