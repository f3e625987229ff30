//! Combined scoring: a label's probability from several views of one paragraph, weighed by a
//! small logistic regression fitted on out-of-fold decision values.
//!
//! A paragraph-level classifier alone fails on real reports in two opposite ways: a dense
//! summary paragraph names five themes, one clause each, and the minor ones drown in the
//! paragraph's row (misses); a long opening names a theme's cue word once in passing and the
//! word alone carries the decision (false alarms). Plain max-pooling over sentences fixes the
//! first and worsens the second. Here each label sees, for each paragraph,
//!
//! 1. `z` — the decision value of the whole paragraph;
//! 2. `max(z, z_s)` — the best of it and each sentence's decision value (clause evidence);
//! 3. `z − top` — the paragraph's value without its [`GUARD_TERMS`] strongest positive terms
//!    (what is left when the single cue and the n-grams around it are taken away);
//! 4. `ln(1 + chars)` — the paragraph's length, since headings and long paragraphs need
//!    different offsets;
//!
//! and every label's paragraph value (so that a label learns which neighbours' evidence
//! explains its own away), and [`Combiner`] maps them to a probability. It is fitted per label on the out-of-fold
//! values of cross-validation, so it learns how far to trust each view from paragraphs its
//! classifier never saw; it replaces Platt scaling for these models.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::calibrate::sigmoid;
use crate::error::{Error, Result};

/// Number of inputs of a [`Combiner`].
pub const INPUTS: usize = 4;

/// How many of the strongest positive terms the guard input leaves out.
pub const GUARD_TERMS: usize = 3;

/// One paragraph's inputs for one label; see the module documentation.
pub type Inputs = [f64; INPUTS];

/// The inputs from a paragraph's decision value `z`, its sentences' best decision value (if
/// it has more than one sentence), the sum of its strongest positive term contributions and
/// its length in characters.
pub fn inputs(z: f64, best_sentence: Option<f64>, top: f64, chars: usize) -> Inputs {
    [
        z,
        best_sentence.map_or(z, |s| s.max(z)),
        z - top,
        (1.0 + chars as f64).ln(),
    ]
}

/// The sum of the `GUARD_TERMS` largest positive values of `contributions`.
pub fn top_sum(contributions: impl IntoIterator<Item = f64>) -> f64 {
    let mut top = [0.0f64; GUARD_TERMS];
    for c in contributions {
        if c > top[GUARD_TERMS - 1] {
            let mut k = GUARD_TERMS - 1;
            while k > 0 && top[k - 1] < c {
                top[k] = top[k - 1];
                k -= 1;
            }
            top[k] = c;
        }
    }
    top.iter().sum()
}

/// A label's full input row: its own [`Inputs`], then every label's paragraph decision value
/// in label order.
pub fn row(own: &Inputs, all: &[f64]) -> Vec<f64> {
    let mut r = Vec::with_capacity(INPUTS + all.len());
    r.extend_from_slice(own);
    r.extend_from_slice(all);
    r
}

/// `p = σ(w · inputs + b)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Combiner {
    /// One weight per input.
    pub weights: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
}

impl Combiner {
    /// The probability of the label.
    #[inline]
    pub fn prob(&self, x: &[f64]) -> f64 {
        let z = self
            .weights
            .iter()
            .zip(x)
            .fold(self.intercept, |s, (w, v)| s + w * v);
        sigmoid(z)
    }

    /// Fit on out-of-fold inputs `x` and outcomes `y`, with L2 penalty `alpha` on the weights.
    /// With only one class present it returns a constant at the smoothed prior.
    /// All rows of `x` have the same length.
    pub fn fit(label: &str, x: &[Vec<f64>], y: &[bool], alpha: f64) -> Result<Combiner> {
        let width = x.first().map_or(INPUTS, Vec::len);
        let npos = y.iter().filter(|&&v| v).count();
        if npos == 0 || npos == y.len() {
            let prior = (npos as f64 + 0.5) / (y.len() as f64 + 1.0);
            return Ok(Combiner {
                weights: vec![0.0; width],
                intercept: (prior / (1.0 - prior)).ln(),
            });
        }
        let m = Array2::from_shape_fn((x.len(), width), |(i, j)| x[i][j]);
        let targets: Array1<bool> = y.iter().copied().collect();
        let fitted = LogisticRegression::<f64>::default()
            .alpha(alpha)
            .max_iterations(200)
            .gradient_tolerance(1e-6)
            .fit(&Dataset::new(m, targets))
            .map_err(|e| Error::Solver {
                label: label.to_string(),
                msg: format!("combiner: {e}"),
            })?;
        // linfa labels the more frequent class positive: flip so that it predicts `true`.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        Ok(Combiner {
            weights: fitted.params().iter().map(|&w| sign * w).collect(),
            intercept: sign * fitted.intercept(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_sum_takes_the_largest_positive_values() {
        assert_eq!(top_sum([0.1, 0.5, -2.0, 0.3, 0.2]), 0.5 + 0.3 + 0.2);
        assert_eq!(top_sum([-1.0, 0.25]), 0.25);
        assert_eq!(top_sum([]), 0.0);
    }

    #[test]
    fn inputs_take_the_better_sentence_and_drop_the_top_terms() {
        let x = inputs(1.0, Some(2.5), 0.75, 0);
        assert_eq!(x, [1.0, 2.5, 0.25, 0.0]);
        assert_eq!(inputs(1.0, Some(-3.0), 0.0, 0)[1], 1.0);
        assert_eq!(inputs(1.0, None, 0.0, 0)[1], 1.0);
    }

    #[test]
    fn learns_to_trust_the_guard_input() {
        // Positives keep evidence after their top terms are dropped; negatives with the same
        // paragraph value do not. Only the guard input separates them.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..200 {
            let pos = i % 2 == 0;
            let z = 1.0 + (i % 7) as f64 * 0.1;
            x.push(inputs(z, None, if pos { 0.2 } else { 1.5 }, 40).to_vec());
            y.push(pos);
        }
        let c = Combiner::fit("x", &x, &y, 0.01).unwrap();
        assert!(c.prob(&x[0]) > 0.9 && c.prob(&x[1]) < 0.1, "{c:?}");
        let k = Combiner::fit("x", &x, &[false; 200], 0.01).unwrap();
        assert!(k.prob(&x[0]) < 0.01);
    }
}
