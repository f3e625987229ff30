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
//! and its neighbours' paragraph values (so that a label learns which neighbours' evidence
//! explains its own away: every label's, up to [`MAX_NEIGHBOURS`] labels, else the
//! [`neighbours`] that rise most on its examples, which keeps training and tagging linear in
//! the number of labels), and [`Combiner`] maps them to a probability. It is fitted per label on the out-of-fold
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

/// Up to this many labels, every label's paragraph value feeds each label's combiner; beyond,
/// each label gets this many [`neighbours`] (itself included), so that a model with
/// thousands of labels is not fitted and scored on every pair of them.
pub const MAX_NEIGHBOURS: usize = 32;

/// The labels whose paragraph values feed label `l`'s combiner, in increasing order: all of
/// them when there are at most [`MAX_NEIGHBOURS`]; otherwise `l` and the labels whose values
/// rise most on `l`'s `positives` (mean over them minus the label's `stats` mean, in its
/// standard deviations; ties by label), the neighbours whose evidence can explain `l`'s
/// away. `z[m][i]` is label `m`'s out-of-fold paragraph value on example `i`, `stats[m]` its
/// mean and standard deviation over all examples. Returns the labels and the number of
/// values read (`labels × positives`, the work of the choice).
pub fn neighbours(
    l: usize,
    z: &[Vec<f64>],
    stats: &[(f64, f64)],
    positives: &[usize],
) -> (Vec<usize>, u64) {
    let n_labels = z.len();
    if n_labels <= MAX_NEIGHBOURS {
        return ((0..n_labels).collect(), 0);
    }
    let mut rise: Vec<(f64, usize)> = (0..n_labels)
        .filter(|&m| m != l)
        .map(|m| {
            let (mean, sd) = stats[m];
            let sum: f64 = positives.iter().map(|&i| z[m][i]).sum();
            let r = if positives.is_empty() || sd <= 0.0 {
                0.0
            } else {
                (sum / positives.len() as f64 - mean) / sd
            };
            (r, m)
        })
        .collect();
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    rise.select_nth_unstable_by(MAX_NEIGHBOURS - 1, order);
    let mut out: Vec<usize> = rise[..MAX_NEIGHBOURS - 1].iter().map(|&(_, m)| m).collect();
    out.push(l);
    out.sort_unstable();
    (out, ((n_labels - 1) * positives.len()) as u64)
}

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

/// A label's input row with the paragraph values of the labels `which` only.
pub fn row_of(own: &Inputs, all: &[f64], which: &[usize]) -> Vec<f64> {
    let mut r = Vec::with_capacity(INPUTS + which.len());
    r.extend_from_slice(own);
    r.extend(which.iter().map(|&m| all[m]));
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

    /// The combiner over every label's paragraph value (`n_labels` of them) that gives the
    /// same probabilities as this one, fitted on the values of labels `which` only: the
    /// weights of the other labels are zero.
    pub fn widen(self, which: &[usize], n_labels: usize) -> Combiner {
        if which.len() == n_labels {
            return self;
        }
        let mut weights = self.weights[..INPUTS].to_vec();
        weights.resize(INPUTS + n_labels, 0.0);
        for (k, &m) in which.iter().enumerate() {
            weights[INPUTS + m] = self.weights[INPUTS + k];
        }
        Combiner {
            weights,
            intercept: self.intercept,
        }
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
    fn neighbours_are_all_labels_up_to_the_cap_then_the_rising_ones() {
        let n = 60;
        let few: Vec<Vec<f64>> = vec![vec![0.0; n]; 5];
        assert_eq!(
            neighbours(2, &few, &[(0.0, 1.0); 5], &[1, 2]).0,
            [0, 1, 2, 3, 4]
        );
        // Label 0's positives are examples 0..10; labels 7 and 40 rise on them, label 9 falls.
        let l = MAX_NEIGHBOURS + 20;
        let mut z = vec![vec![0.0; n]; l];
        z[7][..10].fill(3.0);
        z[40][..10].fill(1.0);
        z[9][..10].fill(-5.0);
        let stats: Vec<(f64, f64)> = z
            .iter()
            .map(|v| {
                let m = v.iter().sum::<f64>() / n as f64;
                let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt();
                (m, sd)
            })
            .collect();
        let pos: Vec<usize> = (0..10).collect();
        let (nb, work) = neighbours(0, &z, &stats, &pos);
        assert_eq!(nb.len(), MAX_NEIGHBOURS);
        assert!(nb.windows(2).all(|w| w[0] < w[1]), "{nb:?}");
        assert!(nb.contains(&0) && nb.contains(&7) && nb.contains(&40));
        assert!(!nb.contains(&9), "{nb:?}");
        assert_eq!(work, ((l - 1) * 10) as u64);
    }

    #[test]
    fn a_widened_combiner_gives_the_same_probabilities() {
        let c = Combiner {
            weights: vec![0.5, -0.25, 1.0, 0.125, 2.0, -1.5],
            intercept: -0.75,
        };
        let which = [1, 3];
        let wide = c.clone().widen(&which, 5);
        assert_eq!(
            wide.weights,
            [0.5, -0.25, 1.0, 0.125, 0.0, 2.0, 0.0, -1.5, 0.0]
        );
        let own = [0.3, 0.9, -0.2, 4.1];
        let all = [0.7, -1.3, 2.2, 0.4, -0.6];
        assert_eq!(
            c.prob(&row_of(&own, &all, &which)),
            wide.prob(&row(&own, &all))
        );
        assert_eq!(c.clone().widen(&[0, 1], 2), c);
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
