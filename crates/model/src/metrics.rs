//! Multi-label metrics: per-label precision/recall/F1/support, micro and macro F1,
//! exact-match ratio and Hamming loss.
//!
//! Counts and undefined values follow [`policytag_data::Confusion`]: a precision, recall or
//! F1 that is undefined (nothing predicted, nothing in the gold, or neither) is reported as
//! 0, as scikit-learn's `zero_division=0` does.
//!
//! Macro-F1 averages over labels with support (gold positives) in the data, as the project's
//! baseline script does, so a label absent from an evaluation set does not count as 0.
//! [`Metrics::with_intervals`] adds document-level bootstrap intervals ([`crate::bootstrap`]),
//! [`Metrics::with_calibration`] the expected calibration error of each label's scores.

use std::collections::BTreeMap;

use policytag_data::Confusion;
use serde::{Deserialize, Serialize};

use crate::bootstrap::{self, BootstrapParams, Intervals};
use crate::calibrate::expected_calibration_error;

/// Scores of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabelMetrics {
    /// Of the paragraphs given the label, the share that have it.
    pub precision: f64,
    /// Of the paragraphs that have the label, the share given it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Paragraphs that have the label (gold).
    pub support: usize,
    /// Paragraphs given the label (predicted).
    pub predicted: usize,
    /// Expected calibration error of the label's probabilities (10 equal-width bins), when
    /// scores were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ece: Option<f64>,
}

/// Metrics over a set of paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of paragraphs.
    pub n: usize,
    /// Micro-averaged precision.
    pub micro_precision: f64,
    /// Micro-averaged recall.
    pub micro_recall: f64,
    /// Micro-averaged F1 (over all label decisions).
    pub micro_f1: f64,
    /// Mean F1 over labels with support.
    pub macro_f1: f64,
    /// Share of paragraphs whose predicted label set equals the gold set.
    pub exact_match: f64,
    /// Share of wrong label decisions among all paragraph × label decisions.
    pub hamming_loss: f64,
    /// Per-label scores, by label id.
    pub per_label: BTreeMap<String, LabelMetrics>,
    /// Document-level bootstrap 95% intervals of micro- and macro-F1, when computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals: Option<Intervals>,
    /// Mean of the labels' expected calibration errors, when scores were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ece: Option<f64>,
}

impl Metrics {
    /// Compute metrics for `labels` (the label universe) from gold and predicted label-index
    /// sets, one per paragraph.
    pub fn compute(labels: &[String], gold: &[Vec<usize>], pred: &[Vec<usize>]) -> Metrics {
        assert_eq!(
            gold.len(),
            pred.len(),
            "gold and predictions differ in length"
        );
        let l = labels.len();
        let mut table = vec![Confusion::default(); l];
        let mut exact = 0;
        for (g, p) in gold.iter().zip(pred) {
            let mut gs = vec![false; l];
            let mut ps = vec![false; l];
            g.iter().for_each(|&i| gs[i] = true);
            p.iter().for_each(|&i| ps[i] = true);
            if gs == ps {
                exact += 1;
            }
            for k in 0..l {
                table[k].add(gs[k], ps[k]);
            }
        }
        let mut per_label = BTreeMap::new();
        let mut macro_sum = 0.0;
        let mut supported = 0;
        let mut micro = Confusion::default();
        for (k, c) in table.iter().enumerate() {
            micro = micro.merge(*c);
            let m = LabelMetrics {
                precision: c.precision().unwrap_or(0.0),
                recall: c.recall().unwrap_or(0.0),
                f1: c.f1().unwrap_or(0.0),
                support: c.support(),
                predicted: c.predicted(),
                ece: None,
            };
            if m.support > 0 {
                macro_sum += m.f1;
                supported += 1;
            }
            per_label.insert(labels[k].clone(), m);
        }
        let n = gold.len();
        Metrics {
            n,
            micro_precision: micro.precision().unwrap_or(0.0),
            micro_recall: micro.recall().unwrap_or(0.0),
            micro_f1: micro.f1().unwrap_or(0.0),
            macro_f1: if supported == 0 {
                0.0
            } else {
                macro_sum / supported as f64
            },
            exact_match: if n == 0 { 0.0 } else { exact as f64 / n as f64 },
            hamming_loss: {
                let den = n * l.max(1);
                if den == 0 {
                    0.0
                } else {
                    (micro.fp + micro.fn_) as f64 / den as f64
                }
            },
            per_label,
            intervals: None,
            ece: None,
        }
    }

    /// Add document-level bootstrap intervals: `groups[i]` names paragraph `i`'s document
    /// (see [`bootstrap::group_of`]); `gold` and `pred` are what [`Metrics::compute`] got.
    pub fn with_intervals(
        mut self,
        gold: &[Vec<usize>],
        pred: &[Vec<usize>],
        groups: &[String],
        params: BootstrapParams,
    ) -> Metrics {
        self.intervals = bootstrap::intervals(self.per_label.len(), gold, pred, groups, params);
        self
    }

    /// Add each label's expected calibration error: `scores[i][k]` is paragraph `i`'s
    /// probability of label `k` (labels in the order given to [`Metrics::compute`]).
    pub fn with_calibration(
        mut self,
        labels: &[String],
        gold: &[Vec<usize>],
        scores: &[Vec<f64>],
    ) -> Metrics {
        let mut sum = 0.0;
        for (k, label) in labels.iter().enumerate() {
            let p: Vec<f64> = scores.iter().map(|s| s[k]).collect();
            let y: Vec<bool> = gold.iter().map(|g| g.contains(&k)).collect();
            let e = expected_calibration_error(&p, &y, 10);
            sum += e;
            if let Some(m) = self.per_label.get_mut(label) {
                m.ece = Some(e);
            }
        }
        self.ece = Some(sum / labels.len().max(1) as f64);
        self
    }

    /// A classification report like scikit-learn's, for terminals.
    pub fn report(&self) -> String {
        let width = self
            .per_label
            .keys()
            .map(|k| k.len())
            .max()
            .unwrap_or(5)
            .max(12);
        let with_ece = self.ece.is_some();
        let mut s = format!(
            "{:>width$}  {:>9}  {:>9}  {:>9}  {:>9}{}\n\n",
            "",
            "precision",
            "recall",
            "f1-score",
            "support",
            if with_ece { "        ece" } else { "" }
        );
        for (label, m) in &self.per_label {
            s += &format!(
                "{label:>width$}  {:>9.3}  {:>9.3}  {:>9.3}  {:>9}{}\n",
                m.precision,
                m.recall,
                m.f1,
                m.support,
                m.ece.map(|e| format!("  {e:>9.3}")).unwrap_or_default()
            );
        }
        let support: usize = self.per_label.values().map(|m| m.support).sum();
        s += &format!(
            "\n{:>width$}  {:>9.3}  {:>9.3}  {:>9.3}  {:>9}\n",
            "micro avg", self.micro_precision, self.micro_recall, self.micro_f1, support
        );
        s += &format!(
            "{:>width$}  {:>9}  {:>9}  {:>9.3}  {:>9}\n",
            "macro avg", "", "", self.macro_f1, support
        );
        s += &format!(
            "\nparagraphs: {}   exact match: {:.3}   hamming loss: {:.4}\n",
            self.n, self.exact_match, self.hamming_loss
        );
        if let Some(b) = &self.intervals {
            s += &format!(
                "95% intervals ({} documents resampled {} times, seed {}): micro-F1 {:.3}–{:.3}, macro-F1 {:.3}–{:.3}\n",
                b.documents, b.resamples, b.seed, b.micro_f1.lo, b.micro_f1.hi, b.macro_f1.lo, b.macro_f1.hi
            );
        }
        if let Some(e) = self.ece {
            s += &format!("mean expected calibration error: {e:.3}\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values checked by hand (and equal to scikit-learn's `precision_recall_fscore_support`
    /// with `average="micro"` on the same indicator matrices).
    #[test]
    fn hand_computed() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let gold = vec![vec![0], vec![0, 1], vec![], vec![2]];
        let pred = vec![vec![0], vec![0], vec![1], vec![]];
        let m = Metrics::compute(&labels, &gold, &pred);
        // a: tp 2, fp 0, fn 0 → 1.0; b: tp 0, fp 1, fn 1 → 0; c: tp 0, fn 1 → 0.
        assert_eq!(m.per_label["a"].f1, 1.0);
        assert_eq!(m.per_label["b"].f1, 0.0);
        assert_eq!(m.per_label["c"].support, 1);
        // micro: tp 2, fp 1, fn 2 → p 2/3, r 1/2, f1 4/7.
        assert!((m.micro_f1 - 4.0 / 7.0).abs() < 1e-12);
        assert!((m.macro_f1 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.exact_match, 0.25);
        // 3 wrong decisions of 12.
        assert_eq!(m.hamming_loss, 0.25);
        assert!(m.report().contains("micro avg"));
    }

    #[test]
    fn unsupported_labels_do_not_count_in_macro() {
        let labels: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let m = Metrics::compute(&labels, &[vec![0]], &[vec![0]]);
        assert_eq!(m.macro_f1, 1.0);
    }
}
