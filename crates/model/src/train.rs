//! Training: tokenise, fit TF-IDF, cross-validate one-vs-rest classifiers to calibrate them
//! and tune each label's threshold out of fold, then fit the final classifiers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use policytag_features::{SparseVec, TfidfParams};
use policytag_tokenizer::{resources_hash, tokenize::hex, TextSettings, Tokenizer};

use crate::calibrate::{best_f1_threshold, Platt};
use crate::combine::{inputs, neighbours, top_sum, Combiner, Inputs, INPUTS};
use crate::error::{Error, Result};
use crate::folds;
use crate::logistic::{fit_binary, Binary, Pooling, Rows, SolverParams};
use crate::metrics::Metrics;
use crate::model::{LabelInfo, LabelModel, Model};
use crate::select::chi2_top_k;
use policytag_data::Example;

/// L2 penalty of each label's [`Combiner`] (fitted on thousands of out-of-fold values, it
/// needs little).
const COMBINER_ALPHA: f64 = 1.0;

/// `threshold` moved by `margin` in logit space (kept inside `[0, 1]`; a margin of 0 keeps
/// it exactly).
fn raise(threshold: f64, margin: f64) -> f64 {
    if margin == 0.0 || threshold <= 0.0 || threshold >= 1.0 {
        return threshold;
    }
    crate::calibrate::sigmoid((threshold / (1.0 - threshold)).ln() + margin)
}

/// The vectoriser over the columns chosen from some training paragraphs, with every
/// paragraph's row (and sentence rows, for pooled scoring) under it.
struct View {
    tfidf: policytag_features::Tfidf,
    rows: Vec<SparseVec>,
    pooled: Vec<Rows>,
}

/// Training hyper-parameters. [`TrainParams::check`] validates them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    text: TextSettings,
    tfidf: TfidfParams,
    folds: usize,
    seed: u64,
    features_per_label: usize,
    solver: SolverParams,
    min_label_examples: usize,
    pooling: Pooling,
    threshold_margin: f64,
    context_weight: f64,
}

/// The recommended settings — the one place training defaults live. `policytag train` with
/// no flags, the Python binding and `models/default.model` all use them; each was chosen by
/// measurement (BENCHMARKS.md: train time and macro-F1 as each is varied).
impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            text: TextSettings::default(),
            // Word unigrams + bigrams (min_df 2) and character 2-3-grams.
            tfidf: TfidfParams::default().char_ngrams(Some((2, 3))),
            folds: 5,
            seed: 42,
            features_per_label: 2000,
            solver: SolverParams {
                alpha: 0.1,
                max_iterations: 40,
                tolerance: 1e-4,
            },
            min_label_examples: 3,
            pooling: Pooling::Combined,
            threshold_margin: 0.5,
            context_weight: 2.0,
        }
    }
}

impl TrainParams {
    /// Tokeniser settings. Default [`TextSettings::default`].
    pub fn text(mut self, t: TextSettings) -> Self {
        self.text = t;
        self
    }
    /// TF-IDF parameters. Default: [`TfidfParams::default`] (word unigrams + bigrams,
    /// min_df 2) with character 2–3-grams.
    pub fn tfidf(mut self, t: TfidfParams) -> Self {
        self.tfidf = t;
        self
    }
    /// Word n-gram range of the TF-IDF (see [`TfidfParams::word_ngrams`]). Default `(1, 2)`.
    pub fn word_ngrams(mut self, lo: usize, hi: usize) -> Self {
        self.tfidf = self.tfidf.word_ngrams(lo, hi);
        self
    }
    /// Character n-gram range of the TF-IDF, or `None`. Default `Some((2, 3))`.
    pub fn char_ngrams(mut self, range: Option<(usize, usize)>) -> Self {
        self.tfidf = self.tfidf.char_ngrams(range);
        self
    }
    /// Minimum document frequency of a term. Default 2.
    pub fn min_df(mut self, n: usize) -> Self {
        self.tfidf = self.tfidf.min_df(n);
        self
    }
    /// Keep at most this many terms (most frequent first), or `None` for no cap. Default
    /// `None`.
    pub fn max_features(mut self, n: Option<usize>) -> Self {
        self.tfidf = self.tfidf.max_features(n);
        self
    }
    /// Let jieba guess unknown words with its HMM. Default `false`.
    pub fn hmm(mut self, yes: bool) -> Self {
        self.text.hmm = yes;
        self
    }
    /// Cross-validation folds for calibration, thresholds and reported metrics. Default 5
    /// (out-of-fold scores from classifiers trained on 80% of the corpus stand closer to the
    /// final one, trained on all of it, than 3 folds' 67%: +0.000 / +0.005 micro-F1 on the
    /// real dev sets, training about 20% slower).
    pub fn folds(mut self, k: usize) -> Self {
        self.folds = k;
        self
    }
    /// Seed for fold assignment. Default 42.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    /// Columns (chosen by chi²) each label's classifier sees; bounds the dense matrix
    /// linfa-logistic needs to `n × features_per_label`. Also shapes the vocabulary: the
    /// model keeps only the union of each label's chi²-best `features_per_label` columns on
    /// the whole corpus (see [`policytag_features::Tfidf::restrict`]). Default 2000.
    pub fn features_per_label(mut self, k: usize) -> Self {
        self.features_per_label = k;
        self
    }
    /// L2 penalty (`alpha`, the inverse of scikit-learn's `C`). Default 0.1.
    pub fn alpha(mut self, a: f64) -> Self {
        self.solver.alpha = a;
        self
    }
    /// L-BFGS iteration cap. Default 40 (stopping early regularises: 100 iterations, or a
    /// larger `alpha`, scored lower on real reports).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.solver.max_iterations = n;
        self
    }
    /// How paragraph scores are formed. Default [`Pooling::Combined`] (sentence max-pooling
    /// was measured and loses more precision than it gains recall; the fitted combination
    /// of paragraph, sentence, guard and length gains on real reports).
    pub fn pooling(mut self, p: Pooling) -> Self {
        self.pooling = p;
        self
    }
    /// How far (in logit units) each label's threshold is raised above the F1-optimal one
    /// found out of fold on the training corpus. Default 0.5: real reports use theme words
    /// in passing far more often than a labelled corpus does, so the corpus-optimal thresholds
    /// over-tag real text (chosen on the real dev sets together with
    /// [`TrainParams::context_weight`]; README "Accuracy").
    pub fn threshold_margin(mut self, m: f64) -> Self {
        self.threshold_margin = m;
        self
    }
    /// How strongly a paragraph's document moves its scores ([`crate::context`]; 0 reads
    /// every paragraph alone). Default 2.0 (chosen on the real dev sets; README "Accuracy").
    pub fn context_weight(mut self, w: f64) -> Self {
        self.context_weight = w;
        self
    }
    /// A label needs at least this many positive examples. Default 3.
    pub fn min_label_examples(mut self, n: usize) -> Self {
        self.min_label_examples = n;
        self
    }

    /// The number of cross-validation folds.
    pub fn n_folds(&self) -> usize {
        self.folds
    }

    /// The columns each label's classifier sees (set by
    /// [`TrainParams::features_per_label`]).
    pub fn n_label_features(&self) -> usize {
        self.features_per_label
    }

    /// The solver settings of each classifier (set by [`TrainParams::alpha`] and
    /// [`TrainParams::max_iterations`]).
    pub fn solver_params(&self) -> SolverParams {
        self.solver
    }

    /// Validate every parameter (the only place they are validated; errors name the
    /// setter, e.g. `invalid parameter folds: must be at least 2, got 1`).
    pub fn check(self) -> Result<ValidTrainParams> {
        let bad = |param, msg| Err(Error::InvalidParam { param, msg });
        if self.folds < 2 {
            return bad("folds", format!("must be at least 2, got {}", self.folds));
        }
        if self.features_per_label == 0 {
            return bad("features_per_label", "must be at least 1, got 0".into());
        }
        if !(self.solver.alpha > 0.0 && self.solver.alpha.is_finite()) {
            return bad(
                "alpha",
                format!("must be positive, got {}", self.solver.alpha),
            );
        }
        if !self.threshold_margin.is_finite() {
            return bad(
                "threshold_margin",
                format!("must be a finite number, got {}", self.threshold_margin),
            );
        }
        if !(self.context_weight >= 0.0 && self.context_weight.is_finite()) {
            return bad(
                "context_weight",
                format!("must be a finite number >= 0, got {}", self.context_weight),
            );
        }
        if self.solver.max_iterations == 0 {
            return bad("max_iterations", "must be at least 1, got 0".into());
        }
        self.tfidf.clone().check()?;
        Ok(ValidTrainParams(self))
    }
}

/// How a model was trained, stored in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// The parameters.
    pub params: TrainParams,
    /// SHA-256 of the training examples (text and labels, in order).
    pub corpus_sha256: String,
    /// Number of training examples.
    pub examples: usize,
    /// Positive examples per label.
    pub label_counts: BTreeMap<String, usize>,
    /// Vocabulary size.
    pub vocabulary: usize,
    /// Cross-validated metrics (out-of-fold predictions at the tuned thresholds).
    pub cv: Metrics,
}

/// Progress and cancellation for a training run.
pub struct Hooks<'a> {
    /// Called with a stage name, work done and total work.
    pub progress: &'a (dyn Fn(&str, u64, u64) + Sync),
    /// Set to stop training early with [`Error::Interrupted`].
    pub cancel: &'a AtomicBool,
}

/// Checked training parameters.
#[derive(Debug, Clone)]
pub struct ValidTrainParams(TrainParams);

/// SHA-256 over examples' text and labels, in order.
pub fn corpus_hash(examples: &[Example]) -> String {
    let mut h = Sha256::new();
    for e in examples {
        h.update(e.text.as_bytes());
        h.update(b"\t");
        h.update(e.labels.join(",").as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

impl ValidTrainParams {
    /// The parameters.
    pub fn params(&self) -> &TrainParams {
        &self.0
    }

    /// Train a model. `names` gives display names and descriptions by label id (labels
    /// without one are named by their id).
    pub fn fit(
        &self,
        examples: &[Example],
        names: &BTreeMap<String, (String, String)>,
        hooks: &Hooks<'_>,
    ) -> Result<Model> {
        let p = &self.0;
        if examples.is_empty() {
            return Err(Error::Data("no training examples".into()));
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for e in examples {
            for l in &e.labels {
                *counts.entry(l.clone()).or_default() += 1;
            }
        }
        if counts.is_empty() {
            return Err(Error::Data("no example carries a label".into()));
        }
        let rare: Vec<String> = counts
            .iter()
            .filter(|(_, &c)| c < p.min_label_examples)
            .map(|(l, c)| format!("{l} ({c})"))
            .collect();
        if !rare.is_empty() {
            return Err(Error::Data(format!(
                "too few examples to train label(s) {} — each needs at least {}",
                rare.join(", "),
                p.min_label_examples
            )));
        }
        let labels: Vec<String> = counts.keys().cloned().collect();
        let index: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let sets: Vec<Vec<usize>> = examples
            .iter()
            .map(|e| e.labels.iter().map(|l| index[l.as_str()]).collect())
            .collect();
        let n = examples.len();
        let n_labels = labels.len();
        let check = || {
            if hooks.cancel.load(Ordering::Relaxed) {
                Err(Error::Interrupted)
            } else {
                Ok(())
            }
        };

        // 1. Tokens and TF-IDF rows.
        let tokenizer = Tokenizer::new(p.text.clone())?;
        (hooks.progress)("tokenising", 0, n as u64);
        let tokens: Vec<_> = examples
            .par_iter()
            .map(|e| tokenizer.tokenize(&e.text))
            .collect();
        check()?;
        let full = p.tfidf.clone().check()?.fit(&tokens)?;
        let full_rows: Vec<SparseVec> = tokens.par_iter().map(|t| full.transform(t)).collect();
        // Only the columns some label's selection picks are kept, and rows are normalised over
        // them: the union of each label's chi²-best `features_per_label` (about a quarter of
        // the vocabulary). Tagging then looks terms up in tables that stay in cache (25–30%
        // faster), and the real dev sets score the same (README "Accuracy"). The choice is
        // part of the fit: each cross-validation fold makes it from its own training
        // paragraphs (so out-of-fold values never see the held-out labels), the final model
        // from all of them; the classifiers then select again among those columns.
        let view = |train_idx: &[usize]| -> View {
            let r: Vec<&SparseVec> = train_idx.iter().map(|&i| &full_rows[i]).collect();
            let chosen: Vec<Vec<u32>> = (0..n_labels)
                .into_par_iter()
                .map(|l| {
                    let yy: Vec<bool> = train_idx.iter().map(|&i| sets[i].contains(&l)).collect();
                    chi2_top_k(&r, &yy, full.len(), p.features_per_label)
                })
                .collect();
            let keep: BTreeSet<u32> = chosen.into_iter().flatten().collect();
            let tfidf = if keep.is_empty() {
                full.clone()
            } else {
                full.restrict(&keep.into_iter().collect::<Vec<u32>>())
            };
            let rows: Vec<SparseVec> = tokens.par_iter().map(|t| tfidf.transform(t)).collect();
            let pooled: Vec<Rows> = match p.pooling {
                Pooling::Paragraph => Vec::new(),
                Pooling::MaxSentence | Pooling::Combined => tokens
                    .par_iter()
                    .zip(&rows)
                    .map(|(t, r)| Rows {
                        para: r.clone(),
                        sentences: t.sentences().iter().map(|s| tfidf.transform(s)).collect(),
                    })
                    .collect(),
            };
            View {
                tfidf,
                rows,
                pooled,
            }
        };
        let chars: Vec<usize> = tokens
            .iter()
            .map(|t| t.normalized.chars().count())
            .collect();
        // A held-out paragraph's inputs: its decision value first (all Platt scaling needs).
        let decide = |v: &View, b: &Binary, i: usize| -> Inputs {
            match p.pooling {
                Pooling::Paragraph => [b.decision(&v.rows[i]), 0.0, 0.0, 0.0],
                Pooling::MaxSentence => [b.pooled(&v.pooled[i]), 0.0, 0.0, 0.0],
                Pooling::Combined => {
                    let r = &v.pooled[i];
                    let best = r.sentences.iter().map(|s| b.decision(s)).reduce(f64::max);
                    let top = top_sum(b.contributions(&r.para).into_iter().map(|(_, c)| c));
                    inputs(b.decision(&r.para), best, top, chars[i])
                }
            }
        };
        let y: Vec<Vec<bool>> = (0..n_labels)
            .map(|l| sets.iter().map(|s| s.contains(&l)).collect())
            .collect();

        // 2. Out-of-fold decision values.
        let fold = folds::assign(&sets, n_labels, p.folds, p.seed);
        let total = ((p.folds + 1) * n_labels) as u64;
        let done = AtomicU64::new(0);
        (hooks.progress)("training", 0, total);
        let tasks: Vec<(usize, usize)> = (0..p.folds)
            .flat_map(|f| (0..n_labels).map(move |l| (f, l)))
            .collect();
        let fit_one = |v: &View, train_idx: &[usize], l: usize| -> Result<Binary> {
            check()?;
            let r: Vec<&SparseVec> = train_idx.iter().map(|&i| &v.rows[i]).collect();
            let yy: Vec<bool> = train_idx.iter().map(|&i| y[l][i]).collect();
            let feats = chi2_top_k(&r, &yy, v.tfidf.len(), p.features_per_label);
            let b = fit_binary(&labels[l], &r, &yy, feats, &p.solver)?;
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            (hooks.progress)("training", d, total);
            Ok(b)
        };
        let train_sets: Vec<Vec<usize>> = (0..p.folds)
            .map(|f| (0..n).filter(|&i| fold[i] != f).collect())
            .collect();
        let views: Vec<View> = train_sets.iter().map(|t| view(t)).collect();
        check()?;
        let oof: Vec<(usize, usize, Vec<Inputs>)> = tasks
            .par_iter()
            .map(|&(f, l)| {
                let b = fit_one(&views[f], &train_sets[f], l)?;
                let z = (0..n)
                    .filter(|&i| fold[i] == f)
                    .map(|i| decide(&views[f], &b, i))
                    .collect();
                Ok((f, l, z))
            })
            .collect::<Result<_>>()?;
        let mut x = vec![vec![[0.0; INPUTS]; n]; n_labels];
        for (f, l, xs) in oof {
            for (i, v) in (0..n).filter(|&i| fold[i] == f).zip(xs) {
                x[l][i] = v;
            }
        }

        // 3. Calibration (Platt scaling, or the combination of views) and thresholds per
        // label, all on out-of-fold values; cross-validated metrics.
        type Calibration = (Platt, Option<Combiner>, f64, Vec<f64>);
        let calib: Vec<Calibration> = if p.pooling == Pooling::Combined {
            let (fitted, _work) = fit_combiners(&labels, &x, &y, &sets)?;
            fitted
                .into_iter()
                .zip(&y)
                .map(|((c, probs), y)| {
                    let threshold = raise(best_f1_threshold(&probs, y).0, p.threshold_margin);
                    (Platt::default(), Some(c), threshold, probs)
                })
                .collect()
        } else {
            (0..n_labels)
                .into_par_iter()
                .map(|l| {
                    let z: Vec<f64> = x[l].iter().map(|v| v[0]).collect();
                    let platt = Platt::fit(&z, &y[l]);
                    let probs: Vec<f64> = z.iter().map(|&v| platt.prob(v)).collect();
                    let threshold = raise(best_f1_threshold(&probs, &y[l]).0, p.threshold_margin);
                    (platt, None, threshold, probs)
                })
                .collect()
        };
        let pred: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                (0..n_labels)
                    .filter(|&l| calib[l].3[i] >= calib[l].2)
                    .collect()
            })
            .collect();
        let cv = Metrics::compute(&labels, &sets, &pred);

        // 4. Final classifiers on all data.
        let all: Vec<usize> = (0..n).collect();
        drop(views);
        let final_view = view(&all);
        let finals: Vec<Binary> = (0..n_labels)
            .into_par_iter()
            .map(|l| fit_one(&final_view, &all, l))
            .collect::<Result<_>>()?;
        let label_models = finals
            .into_iter()
            .zip(calib)
            .map(|(classifier, (platt, combiner, threshold, _))| LabelModel {
                classifier,
                platt,
                threshold,
                combiner,
            })
            .collect();
        let label_infos = labels
            .iter()
            .map(|id| {
                let (name, description) = names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| (id.clone(), String::new()));
                LabelInfo {
                    id: id.clone(),
                    name,
                    description,
                }
            })
            .collect();
        Ok(Model {
            labels: label_infos,
            text: p.text.clone(),
            resources_hash: resources_hash(),
            training: TrainSummary {
                params: p.clone(),
                corpus_sha256: corpus_hash(examples),
                examples: n,
                label_counts: counts,
                vocabulary: final_view.tfidf.len(),
                cv,
            },
            tfidf: final_view.tfidf,
            pooling: p.pooling,
            label_models,
            context_weight: p.context_weight,
        })
    }
}

/// The work of [`fit_combiners`]: values read to choose neighbours, and cells of the
/// combiners' design matrices (each is read once per solver iteration). Both grow linearly
/// with the number of labels for a fixed corpus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CombinerWork {
    /// Out-of-fold values read by [`neighbours`].
    pub neighbour_reads: u64,
    /// Cells of all combiners' input rows.
    pub cells: u64,
}

/// A label's [`Combiner`] and its out-of-fold probabilities.
pub type FittedCombiner = (Combiner, Vec<f64>);

/// Each label's [`Combiner`] (widened to every label's paragraph value) and its out-of-fold
/// probabilities, from the out-of-fold inputs `x[label][example]`, outcomes `y[label]` and
/// the examples' label sets. Each label sees its own inputs and its [`neighbours`]'
/// paragraph values, so the work is linear in the number of labels.
pub fn fit_combiners(
    labels: &[String],
    x: &[Vec<Inputs>],
    y: &[Vec<bool>],
    sets: &[Vec<usize>],
) -> Result<(Vec<FittedCombiner>, CombinerWork)> {
    let n_labels = labels.len();
    // z[label][example]: paragraph values, read once per label and neighbour.
    let z: Vec<Vec<f64>> = x
        .iter()
        .map(|xl| xl.iter().map(|v| v[0]).collect())
        .collect();
    let stats: Vec<(f64, f64)> = z
        .iter()
        .map(|v| {
            let n = v.len().max(1) as f64;
            let mean = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n;
            (mean, var.sqrt())
        })
        .collect();
    let mut positives = vec![Vec::new(); n_labels];
    for (i, s) in sets.iter().enumerate() {
        for &l in s {
            positives[l].push(i);
        }
    }
    let fitted: Vec<(Combiner, Vec<f64>, CombinerWork)> = (0..n_labels)
        .into_par_iter()
        .map(|l| {
            let (which, reads) = neighbours(l, &z, &stats, &positives[l]);
            // With every label as a neighbour this is the row of `combine::row`.
            let rows: Vec<Vec<f64>> = (0..x[l].len())
                .map(|i| {
                    let mut r = Vec::with_capacity(INPUTS + which.len());
                    r.extend_from_slice(&x[l][i]);
                    r.extend(which.iter().map(|&m| z[m][i]));
                    r
                })
                .collect();
            let c = Combiner::fit(&labels[l], &rows, &y[l], COMBINER_ALPHA)?;
            let probs: Vec<f64> = rows.iter().map(|v| c.prob(v)).collect();
            let work = CombinerWork {
                neighbour_reads: reads,
                cells: rows.iter().map(|r| r.len() as u64).sum(),
            };
            Ok((c.widen(&which, n_labels), probs, work))
        })
        .collect::<Result<_>>()?;
    let mut work = CombinerWork::default();
    let out = fitted
        .into_iter()
        .map(|(c, p, w)| {
            work.neighbour_reads += w.neighbour_reads;
            work.cells += w.cells;
            (c, p)
        })
        .collect();
    Ok((out, work))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Oof = (
        Vec<String>,
        Vec<Vec<Inputs>>,
        Vec<Vec<bool>>,
        Vec<Vec<usize>>,
    );

    /// Synthetic out-of-fold inputs: `n` examples, each with one of `n_labels` labels, whose
    /// paragraph value is high for its own label.
    fn oof(n: usize, n_labels: usize) -> Oof {
        let labels: Vec<String> = (0..n_labels).map(|l| format!("l{l:04}")).collect();
        let sets: Vec<Vec<usize>> = (0..n).map(|i| vec![(i * 7) % n_labels]).collect();
        let x: Vec<Vec<Inputs>> = (0..n_labels)
            .map(|l| {
                (0..n)
                    .map(|i| {
                        let own = sets[i][0] == l;
                        let z =
                            if own { 1.5 } else { -1.0 } + ((i * 31 + l * 17) % 13) as f64 * 0.05;
                        inputs(z, None, 0.1, 20 + i % 50)
                    })
                    .collect()
            })
            .collect();
        let y: Vec<Vec<bool>> = (0..n_labels)
            .map(|l| sets.iter().map(|s| s.contains(&l)).collect())
            .collect();
        (labels, x, y, sets)
    }

    /// Issue 19: the combiners' work (values read and design cells) grows linearly with the
    /// number of labels, not with their pairs. Four times the labels on the same examples
    /// must cost about four times the work; with every pair it would cost about 16 times.
    #[test]
    fn combiner_work_is_linear_in_labels() {
        let n = 400;
        let small = crate::combine::MAX_NEIGHBOURS + 8;
        let (l1, x1, y1, s1) = oof(n, small);
        let (l4, x4, y4, s4) = oof(n, 4 * small);
        let (_, w1) = fit_combiners(&l1, &x1, &y1, &s1).unwrap();
        let (f4, w4) = fit_combiners(&l4, &x4, &y4, &s4).unwrap();
        assert_eq!(f4.len(), 4 * small);
        let ratio = |a: u64, b: u64| b as f64 / a as f64;
        assert!(ratio(w1.cells, w4.cells) <= 4.5, "{w1:?} {w4:?}");
        assert!(
            ratio(w1.neighbour_reads, w4.neighbour_reads) <= 4.5,
            "{w1:?} {w4:?}"
        );
        // The combiners still separate each label's examples.
        for (l, (c, probs)) in f4.iter().enumerate() {
            assert_eq!(c.weights.len(), INPUTS + 4 * small);
            let (mut pos, mut neg) = (f64::MAX, f64::MIN);
            for (i, p) in probs.iter().enumerate() {
                if y4[l][i] {
                    pos = pos.min(*p);
                } else {
                    neg = neg.max(*p);
                }
            }
            assert!(pos > neg, "label {l}: {pos} vs {neg}");
        }
    }

    /// Up to `MAX_NEIGHBOURS` labels every label's paragraph value is an input, exactly as
    /// `combine::row` builds it.
    #[test]
    fn few_labels_see_every_label() {
        let (l, x, y, s) = oof(200, 6);
        let (f, w) = fit_combiners(&l, &x, &y, &s).unwrap();
        assert_eq!(w.neighbour_reads, 0);
        assert_eq!(w.cells, (200 * 6 * (INPUTS + 6)) as u64);
        let z: Vec<Vec<f64>> = (0..200)
            .map(|i| x.iter().map(|xl| xl[i][0]).collect())
            .collect();
        for (k, (c, probs)) in f.iter().enumerate() {
            assert_eq!(c.prob(&crate::combine::row(&x[k][3], &z[3])), probs[3]);
        }
    }
}
