//! One binary logistic regression (linfa-logistic, L-BFGS) on a bounded dense matrix.

use serde::{Deserialize, Serialize};

use policytag_features::SparseVec;

use crate::error::{Error, Result};
use crate::sparse_fit::{self, Design};

/// How a paragraph's decision value is formed from its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// The whole paragraph's row only.
    Paragraph,
    /// The maximum over the whole paragraph's row and each sentence's row, so that a theme
    /// carried by one sentence of a long, many-topic paragraph is not diluted away.
    MaxSentence,
    /// The paragraph's value, its best sentence's, its value without its strongest terms and
    /// its length, combined per label by a regression fitted out of fold
    /// ([`crate::combine`]).
    Combined,
}

/// A paragraph's TF-IDF rows: the whole paragraph and (for sentence pooling and combined
/// scoring) each sentence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// The whole paragraph.
    pub para: SparseVec,
    /// One row per sentence (empty for a single sentence or paragraph pooling).
    pub sentences: Vec<SparseVec>,
}

/// Solver settings for each binary classifier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SolverParams {
    /// L2 penalty weight (linfa's `alpha`; scikit-learn's `C` is `1/alpha`).
    pub alpha: f64,
    /// Iteration cap for L-BFGS.
    pub max_iterations: u64,
    /// Gradient tolerance.
    pub tolerance: f64,
}

/// A fitted binary classifier over a subset of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binary {
    /// Columns used, increasing.
    pub features: Vec<u32>,
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
}

impl Binary {
    /// The decision value `w·x + b` of a row.
    pub fn decision(&self, x: &SparseVec) -> f64 {
        // Both index lists are sorted: merge them.
        let (mut i, mut j, mut s) = (0, 0, self.intercept);
        let (f, xi, xv) = (&self.features, &x.indices, &x.values);
        while i < f.len() && j < xi.len() {
            match f[i].cmp(&xi[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += self.weights[i] * xv[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// The pooled decision value of a paragraph.
    pub fn pooled(&self, rows: &Rows) -> f64 {
        rows.sentences
            .iter()
            .map(|r| self.decision(r))
            .fold(self.decision(&rows.para), f64::max)
    }

    /// With only one class in `y` or no `features`, the constant classifier at the
    /// (smoothed) prior; otherwise `None` (a regression is to be fitted).
    pub fn constant(y: &[bool], features: &[u32]) -> Option<Binary> {
        let npos = y.iter().filter(|&&v| v).count();
        if npos == 0 || npos == y.len() || features.is_empty() {
            let prior = (npos as f64 + 0.5) / (y.len() as f64 + 1.0);
            return Some(Binary {
                features: Vec::new(),
                weights: Vec::new(),
                intercept: (prior / (1.0 - prior)).ln(),
            });
        }
        None
    }

    /// Per-feature contributions `w_j · x_j` for the row's non-zero features.
    pub fn contributions(&self, x: &SparseVec) -> Vec<(u32, f64)> {
        let mut out = Vec::new();
        for (c, v) in x.iter() {
            if let Ok(k) = self.features.binary_search(&c) {
                out.push((c, self.weights[k] * v));
            }
        }
        out
    }
}

/// Fit a binary classifier for `y` on the `features` columns of `rows`. With only one
/// class present it returns a constant classifier at the (smoothed) prior instead of failing.
pub fn fit_binary(
    label: &str,
    rows: &[&SparseVec],
    y: &[bool],
    features: Vec<u32>,
    p: &SolverParams,
) -> Result<Binary> {
    if let Some(b) = Binary::constant(y, &features) {
        return Ok(b);
    }
    // linfa-logistic's solver on the sparse rows: the same weights, bit for bit, as
    // `LogisticRegression::<f32>` on the dense `n × features` matrix (see `sparse_fit`).
    let x = Design::new(rows, &features);
    let fitted = sparse_fit::fit(&x, y, p.alpha as f32, p.max_iterations, p.tolerance as f32)
        .map_err(|msg| Error::Solver {
            label: label.to_string(),
            msg,
        })?;
    // linfa labels the more frequent class positive: flip so that the weights favour `true`.
    let sign = if fitted.true_is_positive { 1.0 } else { -1.0 };
    Ok(Binary {
        features,
        weights: fitted
            .weights
            .iter()
            .map(|&w| sign * f64::from(w))
            .collect(),
        intercept: sign * f64::from(fitted.intercept),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_feature_and_survives_one_class() {
        let rows: Vec<SparseVec> = (0..40)
            .map(|i| SparseVec {
                indices: vec![0, 1],
                values: vec![if i % 2 == 0 { 1.0 } else { 0.0 }, 0.5],
            })
            .collect();
        let refs: Vec<&SparseVec> = rows.iter().collect();
        let y: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
        let p = SolverParams {
            alpha: 0.1,
            max_iterations: 200,
            tolerance: 1e-5,
        };
        let b = fit_binary("x", &refs, &y, vec![0, 1], &p).unwrap();
        assert!(
            b.decision(&rows[0]) > 0.0 && b.decision(&rows[1]) < 0.0,
            "{b:?}"
        );
        // Minority positives: the sign must still favour `true`.
        let y2: Vec<bool> = (0..40).map(|i| i % 2 == 0 && i < 10).collect();
        let b2 = fit_binary("x", &refs, &y2, vec![0, 1], &p).unwrap();
        assert!(b2.decision(&rows[0]) > b2.decision(&rows[1]));
        let c = fit_binary("x", &refs, &[false; 40], vec![0, 1], &p).unwrap();
        assert!(c.weights.is_empty() && c.intercept < 0.0);
    }
}
