//! One label's confusion counts and the scores derived from them — shared by model
//! evaluation (`policytag eval`, cross-validation) and annotator agreement
//! (`policytag agree`, annotator A as the reference).
//!
//! **Undefined values.** Precision is undefined when nothing was predicted (`tp + fp = 0`),
//! recall when nothing is in the reference (`tp + fn = 0`), and F1 when both are (no one
//! gave the label: `tp + fp + fn = 0`); these are `None`. When only one of precision and
//! recall is undefined, that one counts as 0 in F1, so F1 is 0 — a label one side gives and
//! the other never does scores 0, not "undefined". Model metrics print an undefined value
//! as 0 (scikit-learn's `zero_division=0`, and macro-F1 only averages labels with support);
//! agreement prints it as `n/a` (JSON `null`) and leaves it out of its means.

use serde::{Deserialize, Serialize};

/// A 2×2 table for one label: reference (gold, or annotator A) against prediction (the
/// model, or annotator B).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// In both.
    pub tp: usize,
    /// Predicted only.
    pub fp: usize,
    /// In the reference only.
    pub fn_: usize,
    /// In neither.
    pub tn: usize,
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl Confusion {
    /// Count one decision.
    pub fn add(&mut self, reference: bool, predicted: bool) {
        match (reference, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// Sum of two tables (micro-averaging).
    pub fn merge(self, o: Confusion) -> Confusion {
        Confusion {
            tp: self.tp + o.tp,
            fp: self.fp + o.fp,
            fn_: self.fn_ + o.fn_,
            tn: self.tn + o.tn,
        }
    }

    /// In the reference (`tp + fn`).
    pub fn support(&self) -> usize {
        self.tp + self.fn_
    }

    /// Predicted (`tp + fp`).
    pub fn predicted(&self) -> usize {
        self.tp + self.fp
    }

    /// `tp / (tp + fp)`; `None` when nothing was predicted.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `tp / (tp + fn)`; `None` when nothing is in the reference.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall (an undefined one counting 0); `None` when
    /// no one gave the label.
    pub fn f1(&self) -> Option<f64> {
        if self.tp + self.fp + self.fn_ == 0 {
            return None;
        }
        let (p, r) = (
            self.precision().unwrap_or(0.0),
            self.recall().unwrap_or(0.0),
        );
        Some(if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_hand_and_undefined_cases() {
        let mut c = Confusion::default();
        for (r, p) in [
            (true, true),
            (true, true),
            (false, true),
            (true, false),
            (false, false),
        ] {
            c.add(r, p);
        }
        assert_eq!((c.tp, c.fp, c.fn_, c.tn), (2, 1, 1, 1));
        // p = 2/3, r = 2/3, F1 = 2/3.
        assert!((c.f1().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        let none = Confusion {
            tn: 5,
            ..Default::default()
        };
        assert_eq!(
            (none.precision(), none.recall(), none.f1()),
            (None, None, None)
        );
        // Only the reference has it: precision undefined, recall 0, F1 0.
        let missed = Confusion {
            fn_: 2,
            ..Default::default()
        };
        assert_eq!(
            (missed.precision(), missed.recall(), missed.f1()),
            (None, Some(0.0), Some(0.0))
        );
        assert_eq!(c.merge(missed).support(), 5);
    }
}
