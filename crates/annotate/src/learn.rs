//! Live learning: every N decisions, retrain in the background on the base corpus plus the
//! decisions so far, swap the model in, re-rank, and estimate how good it is on the kind of
//! paragraphs being labelled.
//!
//! ```text
//! decide ─(N more labelled)─▶ wake the learner thread (labelling goes on; nothing waits)
//! learner: snapshot the decisions file ─fit(base + decisions)─▶ model vK
//!   ok   ─suggest all paragraphs (outside the lock)─▶ swap in, re-rank the queue
//!   fail ─▶ keep the old model; the page says why
//!   then ─▶ held-out estimate: 3-fold cross-validation over the decisions (the base corpus
//!           always trains, near-duplicates share a fold), per label F1 with counts
//! ```
//!
//! The decisions file stays the single source of truth: a retrain learns from the labelled
//! lines of the out file as they are at that moment ([`crate::store::Store::examples`]),
//! and the models are never written anywhere. A retrain uses the training parameters of
//! the model the session started with (stored in every model file), so the live model's
//! classifiers are fitted with the settings `policytag train` used for that one. An estimate that a newer retrain
//! makes stale is abandoned, so the models keep up with the labelling.
//!
//! Retraining is fast because the base corpus is prepared once (on a thread of its own, at
//! start-up): the base model — the session's own model when it was trained on the base
//! corpus with these parameters, otherwise one training run — gives the fitted TF-IDF and
//! each label's calibration and threshold (fitted out of fold on the base corpus), and the
//! base paragraphs are tokenised and vectorised once. A retrain then only vectorises the
//! decisions and refits each label's classifier on base + decisions (chi² columns chosen
//! again, the same regression over the non-zero entries:
//! [`policytag_model::logistic::fit_binary`]), the labels in parallel. The live model
//! only ranks and suggests; it is never written, and `policytag train` trains the shipped
//! model in full. Without a base corpus a retrain is a full training run on the decisions.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use policytag_data::{Example, LabelInfo};
use policytag_features::SparseVec;
use policytag_model::logistic::fit_binary;
use policytag_model::model::LabelModel;
use policytag_model::select::chi2_top_k;
use policytag_model::train::{corpus_hash, Hooks, TrainParams, TrainSummary};
use policytag_model::{Metrics, Model, Tagger};
use policytag_pipeline::Pipeline;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::session::{suggest_all, Session};

/// Default number of new decisions between retrains.
pub const EVERY: usize = 20;

/// Folds of the held-out estimate over the decisions.
pub const ESTIMATE_FOLDS: usize = 3;

/// What retrains learn from and how.
#[derive(Debug, Clone)]
pub struct Learner {
    params: TrainParams,
    base: Arc<Vec<Example>>,
    labels: Vec<LabelInfo>,
    every: usize,
    start: Option<Arc<Model>>,
    prepared: Arc<OnceLock<std::result::Result<Prepared, String>>>,
}

/// The base corpus, prepared once: its model (vectoriser, calibration, thresholds) and
/// its rows with their labels.
struct Prepared {
    tagger: Tagger,
    rows: Vec<SparseVec>,
    /// Per label of the base model, which base examples carry it.
    y: Vec<Vec<bool>>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("rows", &self.rows.len())
            .field("labels", &self.y.len())
            .finish()
    }
}

impl Learner {
    /// A learner training with `params` (use the session model's `training.params`) on
    /// `base` plus the decisions, every `every` decisions (at least 1), naming labels as
    /// `labels` does.
    pub fn new(
        params: TrainParams,
        base: Vec<Example>,
        labels: &[LabelInfo],
        every: usize,
    ) -> Result<Learner> {
        if every == 0 {
            return Err(crate::Error::Input("--every must be at least 1".into()));
        }
        if let Err(e) = params.clone().check() {
            return Err(crate::Error::Input(format!("training parameters: {e}")));
        }
        Ok(Learner {
            params,
            base: Arc::new(base),
            labels: labels.to_vec(),
            every,
            start: None,
            prepared: Arc::new(OnceLock::new()),
        })
    }

    /// The session's model: when it was trained on the base corpus with these parameters,
    /// it is the base model, and preparing does not train one.
    pub fn with_start_model(mut self, model: Model) -> Learner {
        self.start = Some(Arc::new(model));
        self
    }

    /// Prepare the base corpus now ([`run`] starts it at start-up; otherwise the first
    /// retrain does). Without a base corpus there is nothing to prepare.
    pub fn prepare(&self) -> Result<()> {
        if self.base.is_empty() {
            return Ok(());
        }
        self.prepared().map(drop)
    }

    fn prepared(&self) -> Result<&Prepared> {
        self.prepared
            .get_or_init(|| self.prepare_base().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| crate::Error::Input(format!("preparing the base corpus: {e}")))
    }

    fn prepare_base(&self) -> Result<Prepared> {
        let hash = corpus_hash(&self.base);
        let model = match &self.start {
            Some(m) if m.training.corpus_sha256 == hash && m.training.params == self.params => {
                (**m).clone()
            }
            _ => {
                let never = AtomicBool::new(false);
                self.train_full(&self.base, &never)?
            }
        };
        let tagger = Tagger::new(model).map_err(policytag_pipeline::Error::from)?;
        let rows = self
            .base
            .par_iter()
            .map(|e| {
                tagger
                    .model()
                    .tfidf
                    .transform(&tagger.tokenizer().tokenize(&e.text))
            })
            .collect();
        let y = tagger
            .model()
            .labels
            .iter()
            .map(|l| self.base.iter().map(|e| e.labels.contains(&l.id)).collect())
            .collect();
        Ok(Prepared { tagger, rows, y })
    }

    /// `policytag train` on `examples`.
    fn train_full(&self, examples: &[Example], cancel: &AtomicBool) -> Result<Model> {
        let hooks = Hooks {
            progress: &|_, _, _| {},
            cancel,
        };
        Ok(policytag_pipeline::train(
            examples,
            &self.labels,
            self.params.clone(),
            &hooks,
        )?)
    }

    /// Decisions between retrains.
    pub fn every(&self) -> usize {
        self.every
    }

    /// Examples in the base corpus.
    pub fn base_len(&self) -> usize {
        self.base.len()
    }

    /// Train on the base corpus plus `decisions`: each label's classifier refitted on the
    /// prepared base rows and the decisions' (see the module docs); a full training run on
    /// the decisions when there is no base corpus.
    pub fn fit(&self, decisions: &[Example], cancel: &AtomicBool) -> Result<Model> {
        if self.base.is_empty() {
            return self.train_full(decisions, cancel);
        }
        let prep = self.prepared()?;
        let base = prep.tagger.model();
        let extra: Vec<SparseVec> = decisions
            .par_iter()
            .map(|e| {
                base.tfidf
                    .transform(&prep.tagger.tokenizer().tokenize(&e.text))
            })
            .collect();
        let rows: Vec<&SparseVec> = prep.rows.iter().chain(&extra).collect();
        let solver = self.params.solver_params();
        let label_models = base
            .labels
            .par_iter()
            .zip(&base.label_models)
            .zip(&prep.y)
            .map(|((label, lm), y)| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(policytag_model::Error::Interrupted);
                }
                let y: Vec<bool> = y
                    .iter()
                    .copied()
                    .chain(decisions.iter().map(|e| e.labels.contains(&label.id)))
                    .collect();
                let features =
                    chi2_top_k(&rows, &y, base.tfidf.len(), self.params.n_label_features());
                Ok(LabelModel {
                    classifier: fit_binary(&label.id, &rows, &y, features, &solver)?,
                    ..lm.clone()
                })
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(policytag_pipeline::Error::from)?;
        let all: Vec<Example> = self.base.iter().chain(decisions).cloned().collect();
        let mut label_counts: BTreeMap<String, usize> = BTreeMap::new();
        for l in all.iter().flat_map(|e| &e.labels) {
            *label_counts.entry(l.clone()).or_default() += 1;
        }
        Ok(Model {
            label_models,
            training: TrainSummary {
                params: self.params.clone(),
                corpus_sha256: corpus_hash(&all),
                examples: all.len(),
                label_counts,
                // The base model's cross-validation: the live estimate is [`Learner::estimate`].
                ..base.training.clone()
            },
            ..base.clone()
        })
    }

    /// Held-out estimate on `decisions`: [`ESTIMATE_FOLDS`]-fold cross-validation where
    /// each fold's model trains on the base corpus and the other folds; decisions with the
    /// same `keys` entry (a near-duplicate group) share a fold. `labels` is the label set
    /// reported on.
    pub fn estimate(
        &self,
        decisions: &[Example],
        keys: &[String],
        labels: &[String],
        cancel: &AtomicBool,
    ) -> Result<Metrics> {
        let fold: Vec<usize> = keys.iter().map(|k| fold_of(k)).collect();
        let index: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let gold: Vec<Vec<usize>> = decisions
            .iter()
            .map(|e| {
                e.labels
                    .iter()
                    .filter_map(|l| index.get(l.as_str()).copied())
                    .collect()
            })
            .collect();
        let mut pred = vec![Vec::new(); decisions.len()];
        for f in 0..ESTIMATE_FOLDS {
            let test: Vec<usize> = (0..decisions.len()).filter(|&i| fold[i] == f).collect();
            if test.is_empty() {
                continue;
            }
            let train: Vec<Example> = (0..decisions.len())
                .filter(|&i| fold[i] != f)
                .map(|i| decisions[i].clone())
                .collect();
            let tagger = Pipeline::new(self.fit(&train, cancel)?)?;
            let ids: Vec<&str> = tagger.labels().iter().map(|l| l.id.as_str()).collect();
            for i in test {
                let p = tagger.predict(&decisions[i].text);
                pred[i] = p
                    .labels
                    .iter()
                    .filter_map(|&l| index.get(ids[l]).copied())
                    .collect();
            }
        }
        Ok(Metrics::compute(labels, &gold, &pred))
    }
}

/// The fold of a key: a stable hash, so a decision keeps its fold as more arrive.
fn fold_of(key: &str) -> usize {
    let h = Sha256::digest(key.as_bytes());
    (u64::from_le_bytes(h[..8].try_into().expect("8 bytes")) % ESTIMATE_FOLDS as u64) as usize
}

/// One model version's record, as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// 0 is the model the session started with.
    pub version: u32,
    /// Decisions it learned from (besides the base corpus).
    pub decisions: usize,
    /// Seconds the retrain took (0 for version 0).
    pub seconds: f64,
    /// Held-out estimate on the decisions it learned from, once computed.
    pub estimate: Option<Estimate>,
}

/// The held-out estimate of one version.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// Decisions it is computed on.
    pub n: usize,
    /// Macro-F1 over labels that occur in the decisions.
    pub macro_f1: f64,
    /// Micro-F1.
    pub micro_f1: f64,
    /// Per label, in label order.
    pub per_label: Vec<LabelEstimate>,
}

/// One label's held-out estimate.
#[derive(Debug, Clone, Serialize)]
pub struct LabelEstimate {
    /// Label id.
    pub label: String,
    /// F1; `None` when the label neither occurs nor is predicted.
    pub f1: Option<f64>,
    /// Decisions with the label.
    pub support: usize,
    /// Decisions the held-out models gave the label.
    pub predicted: usize,
}

impl Estimate {
    /// From cross-validated metrics, labels in `labels` order.
    pub fn from_metrics(m: &Metrics, labels: &[String]) -> Estimate {
        Estimate {
            n: m.n,
            macro_f1: m.macro_f1,
            micro_f1: m.micro_f1,
            per_label: labels
                .iter()
                .map(|l| {
                    let x = m.per_label[l];
                    LabelEstimate {
                        label: l.clone(),
                        f1: (x.support + x.predicted > 0).then_some(x.f1),
                        support: x.support,
                        predicted: x.predicted,
                    }
                })
                .collect(),
        }
    }
}

/// A retrain the session asked for: the decisions as they are now.
#[derive(Debug, Clone)]
pub struct Job {
    /// The version it will become.
    pub version: u32,
    /// The labelled lines of the decisions file.
    pub decisions: Vec<Example>,
    /// Per decision, its fold key (its near-duplicate group).
    pub keys: Vec<String>,
    /// Every task's text, in task order (for the new suggestions).
    pub texts: Arc<Vec<String>>,
    /// Set when a newer retrain is wanted: an estimate in progress gives up.
    pub preempt: Arc<AtomicBool>,
}

fn lock(s: &Mutex<Session>) -> std::sync::MutexGuard<'_, Session> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// The learner thread: wait to be woken, then retrain for as long as the session wants a
/// newer model. Returns when `wake`'s sender is dropped.
pub fn run(session: Arc<Mutex<Session>>, learner: Learner, wake: Receiver<()>) {
    // Prepare the base corpus at start-up, on a thread of its own so that the first retrain
    // shows as running at once (it waits for the preparation; a failure shows then).
    let preparing = learner.clone();
    let _ = std::thread::Builder::new()
        .name("policytag-prepare".into())
        .spawn(move || drop(preparing.prepare()));
    while wake.recv().is_ok() {
        loop {
            // (A statement of its own: the guard must not live through the retrain.)
            let job = lock(&session).start_retrain();
            let Some(job) = job else { break };
            let started = Instant::now();
            let never = AtomicBool::new(false);
            let trained = learner
                .fit(&job.decisions, &never)
                .and_then(|m| Ok(Pipeline::new(m)?));
            let tagger = match trained {
                Ok(t) => t,
                Err(e) => {
                    lock(&session).retrain_failed(job.version, e.to_string());
                    continue;
                }
            };
            let suggestions = suggest_all(&tagger, &job.texts);
            let labels = tagger.labels().to_vec();
            let seconds = started.elapsed().as_secs_f64();
            if let Err(why) = lock(&session).install(
                job.version,
                job.decisions.len(),
                seconds,
                &labels,
                suggestions,
            ) {
                lock(&session).retrain_failed(job.version, why);
                continue;
            }
            drop(tagger);
            let ids: Vec<String> = labels.into_iter().map(|l| l.id).collect();
            if job.decisions.len() < ESTIMATE_FOLDS {
                continue;
            }
            if let Ok(m) = learner.estimate(&job.decisions, &job.keys, &ids, &job.preempt) {
                lock(&session).estimated(job.version, Estimate::from_metrics(&m, &ids));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    fn ex(text: &str, labels: &[&str]) -> Example {
        Example {
            doc: None,
            id: None,
            text: text.into(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn base() -> Vec<Example> {
        let mut v = Vec::new();
        for i in 0..12 {
            v.push(ex(&format!("课后服务 双减 作业 第{i}"), &["a"]));
            v.push(ex(&format!("校园安全 防溺水 隐患 第{i}"), &["b"]));
        }
        v
    }

    fn labels() -> Vec<LabelInfo> {
        ["a", "b"]
            .iter()
            .map(|id| LabelInfo {
                id: id.to_string(),
                name: id.to_uppercase(),
                description: String::new(),
            })
            .collect()
    }

    fn params() -> TrainParams {
        TrainParams::default().folds(2).features_per_label(50)
    }

    #[test]
    fn every_must_be_positive_and_fit_uses_base_plus_decisions() {
        assert!(Learner::new(params(), base(), &labels(), 0).is_err());
        let l = Learner::new(params(), base(), &labels(), 5).unwrap();
        let cancel = AtomicBool::new(false);
        let m = l.fit(&[ex("课后服务 双减", &["a"])], &cancel).unwrap();
        assert_eq!(m.training.examples, 25);
        assert_eq!(m.labels[0].name, "A");
    }

    #[test]
    fn a_start_model_trained_on_the_base_is_the_base_model() {
        let cancel = AtomicBool::new(false);
        let full = Learner::new(params(), base(), &labels(), 5).unwrap();
        let mut start = full.train_full(&base(), &cancel).unwrap();
        start.labels[0].name = "from the start model".into();
        // Same corpus and parameters: its vectoriser and calibration are reused.
        let l = Learner::new(params(), base(), &labels(), 5)
            .unwrap()
            .with_start_model(start.clone());
        let m = l.fit(&[ex("课后服务 双减", &["a"])], &cancel).unwrap();
        assert_eq!(m.labels[0].name, "from the start model");
        assert_eq!(m.label_models[0].threshold, start.label_models[0].threshold);
        // Other parameters: the base model is trained again.
        let l = Learner::new(params().features_per_label(40), base(), &labels(), 5)
            .unwrap()
            .with_start_model(start);
        let m = l.fit(&[ex("课后服务 双减", &["a"])], &cancel).unwrap();
        assert_eq!(m.labels[0].name, "A");
        // The decisions are learned from: base words the decisions give label b raise b.
        let d: Vec<Example> = (0..30)
            .map(|i| ex(&format!("课后服务 作业 {i}"), &["b"]))
            .collect();
        let before = Pipeline::new(l.fit(&[], &cancel).unwrap()).unwrap();
        let after = Pipeline::new(l.fit(&d, &cancel).unwrap()).unwrap();
        let b = |t: &Pipeline| t.predict("课后服务 作业").scores[1];
        assert!(
            b(&after) > b(&before) + 0.1,
            "{} vs {}",
            b(&after),
            b(&before)
        );
    }

    #[test]
    fn estimate_is_held_out_and_groups_share_a_fold() {
        let l = Learner::new(params(), base(), &labels(), 5).unwrap();
        let cancel = AtomicBool::new(false);
        let decisions: Vec<Example> = (0..9)
            .map(|i| {
                if i % 2 == 0 {
                    ex(&format!("双减 课后服务 {i}"), &["a"])
                } else {
                    ex(&format!("防溺水 校园安全 {i}"), &["b"])
                }
            })
            .collect();
        let keys: Vec<String> = (0..9).map(|i| format!("k{i}")).collect();
        let ids = vec!["a".to_string(), "b".to_string()];
        let m = l.estimate(&decisions, &keys, &ids, &cancel).unwrap();
        assert_eq!(m.n, 9);
        assert_eq!(m.per_label["a"].support, 5);
        assert!(m.macro_f1 > 0.8, "{m:?}");
        let e = Estimate::from_metrics(&m, &ids);
        assert_eq!(e.per_label[1].support, 4);
        // A cancelled estimate is an error, not a number.
        cancel.store(true, Ordering::Relaxed);
        assert!(l.estimate(&decisions, &keys, &ids, &cancel).is_err());
        // Folds are stable per key.
        assert_eq!(fold_of("x"), fold_of("x"));
        assert!((0..30).map(|i| fold_of(&i.to_string())).any(|f| f == 2));
    }
}
