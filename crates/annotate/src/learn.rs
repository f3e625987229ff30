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
//! the model the session started with (stored in every model file), so the live model is
//! trained exactly as `policytag train` trained that one. An estimate that a newer retrain
//! makes stale is abandoned, so the models keep up with the labelling.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use policytag_data::{Example, LabelInfo};
use policytag_model::train::{Hooks, TrainParams};
use policytag_model::{Metrics, Model};
use policytag_pipeline::Pipeline;
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
    base: Vec<Example>,
    labels: Vec<LabelInfo>,
    every: usize,
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
            base,
            labels: labels.to_vec(),
            every,
        })
    }

    /// Decisions between retrains.
    pub fn every(&self) -> usize {
        self.every
    }

    /// Examples in the base corpus.
    pub fn base_len(&self) -> usize {
        self.base.len()
    }

    /// Train on the base corpus plus `decisions`.
    pub fn fit(&self, decisions: &[Example], cancel: &AtomicBool) -> Result<Model> {
        let mut all = self.base.clone();
        all.extend_from_slice(decisions);
        let hooks = Hooks {
            progress: &|_, _, _| {},
            cancel,
        };
        Ok(policytag_pipeline::train(
            &all,
            &self.labels,
            self.params.clone(),
            &hooks,
        )?)
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
