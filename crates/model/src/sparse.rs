//! One binary logistic regression over sparse rows: the objective and solver of
//! [`crate::logistic::fit_binary`] — L2-penalised log-loss, L-BFGS (memory 10, Moré–Thuente
//! line search) from zero, the same iteration cap and gradient tolerance — with every
//! product taken over the rows' non-zero entries only. A fit then costs the non-zeros
//! (a paragraph has a few dozen of its label's 2 000 chosen columns) instead of rows ×
//! columns, an order of magnitude less; for models retrained often (`annotate --learn`).
//! `policytag train` keeps the dense solver, so shipped models do not change.
//!
//! ```
//! use policytag_features::SparseVec;
//! use policytag_model::logistic::SolverParams;
//! use policytag_model::sparse::fit_binary_sparse;
//!
//! let rows: Vec<SparseVec> = (0..20)
//!     .map(|i| SparseVec { indices: vec![0, 1], values: vec![(i % 2) as f64, 0.5] })
//!     .collect();
//! let refs: Vec<&SparseVec> = rows.iter().collect();
//! let y: Vec<bool> = (0..20).map(|i| i % 2 == 1).collect();
//! let p = SolverParams { alpha: 0.1, max_iterations: 40, tolerance: 1e-4 };
//! let b = fit_binary_sparse("x", &refs, &y, vec![0, 1], &p).unwrap();
//! assert!(b.decision(&rows[1]) > 0.0 && b.decision(&rows[0]) < 0.0);
//! ```

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::Array1;

use policytag_features::SparseVec;

use crate::error::{Error, Result};
use crate::logistic::{Binary, SolverParams};

/// The rows restricted to the chosen columns (compressed sparse rows, local column
/// numbers), the targets as ±1 and the penalty.
struct Problem {
    starts: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f32>,
    y: Vec<f32>,
    alpha: f32,
    d: usize,
}

impl Problem {
    /// `y_i · z_i` for every row, `z = X·w + b` (`w` carries the intercept last).
    fn margins(&self, w: &Array1<f32>) -> Vec<f32> {
        let b = w[self.d];
        (0..self.y.len())
            .map(|i| {
                let (lo, hi) = (self.starts[i], self.starts[i + 1]);
                let z = self.cols[lo..hi]
                    .iter()
                    .zip(&self.vals[lo..hi])
                    .fold(b, |s, (&c, &v)| s + w[c as usize] * v);
                self.y[i] * z
            })
            .collect()
    }

    fn penalty(&self, w: &Array1<f32>) -> f32 {
        let p = w.slice(ndarray::s![..self.d]);
        0.5 * self.alpha * p.dot(&p)
    }
}

/// `log σ(x)`, computed stably (as linfa-logistic does).
fn log_logistic(x: f32) -> f32 {
    if x > 0.0 {
        -(1.0 + (-x).exp()).ln()
    } else {
        x - (1.0 + x.exp()).ln()
    }
}

impl CostFunction for Problem {
    type Param = Array1<f32>;
    type Output = f32;

    fn cost(&self, w: &Array1<f32>) -> std::result::Result<f32, argmin::core::Error> {
        let loss: f32 = self.margins(w).into_iter().map(log_logistic).sum();
        Ok(-loss + self.penalty(w))
    }
}

impl Gradient for Problem {
    type Param = Array1<f32>;
    type Gradient = Array1<f32>;

    fn gradient(&self, w: &Array1<f32>) -> std::result::Result<Array1<f32>, argmin::core::Error> {
        let mut g = Array1::<f32>::zeros(self.d + 1);
        let mut bias = 0.0;
        for (i, m) in self.margins(w).into_iter().enumerate() {
            // d/dz of −log σ(y z) is (σ(y z) − 1)·y.
            let s = (1.0 / (1.0 + (-m).exp()) - 1.0) * self.y[i];
            let (lo, hi) = (self.starts[i], self.starts[i + 1]);
            for (&c, &v) in self.cols[lo..hi].iter().zip(&self.vals[lo..hi]) {
                g[c as usize] += s * v;
            }
            bias += s;
        }
        for k in 0..self.d {
            g[k] += self.alpha * w[k];
        }
        g[self.d] = bias;
        Ok(g)
    }
}

/// Fit a binary classifier for `y` on the `features` columns (increasing) of `rows`, as
/// [`crate::logistic::fit_binary`] does, over the non-zero entries only. With only one
/// class present it returns the constant classifier at the (smoothed) prior.
pub fn fit_binary_sparse(
    label: &str,
    rows: &[&SparseVec],
    y: &[bool],
    features: Vec<u32>,
    p: &SolverParams,
) -> Result<Binary> {
    if let Some(b) = Binary::constant(y, &features) {
        return Ok(b);
    }
    let d = features.len();
    let mut starts = Vec::with_capacity(rows.len() + 1);
    let (mut cols, mut vals) = (Vec::new(), Vec::new());
    starts.push(0);
    for r in rows {
        for (c, v) in r.iter() {
            if let Ok(k) = features.binary_search(&c) {
                cols.push(k as u32);
                vals.push(v as f32);
            }
        }
        starts.push(cols.len());
    }
    let problem = Problem {
        starts,
        cols,
        vals,
        y: y.iter().map(|&t| if t { 1.0 } else { -1.0 }).collect(),
        alpha: p.alpha as f32,
        d,
    };
    let solver_error = |e: argmin::core::Error| Error::Solver {
        label: label.to_string(),
        msg: e.to_string(),
    };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(p.tolerance as f32)
        .map_err(solver_error)?;
    let result = Executor::new(problem, solver)
        .configure(|s| s.param(Array1::zeros(d + 1)).max_iters(p.max_iterations))
        .run()
        .map_err(solver_error)?;
    let w = result
        .state
        .best_param
        .unwrap_or_else(|| Array1::zeros(d + 1));
    Ok(Binary {
        features,
        weights: w.iter().take(d).map(|&v| f64::from(v)).collect(),
        intercept: f64::from(w[d]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logistic::fit_binary;

    #[test]
    fn matches_the_dense_solver() {
        // Rows with three informative and two noise columns, a few non-zeros each.
        let rows: Vec<SparseVec> = (0..60u32)
            .map(|i| {
                let mut idx = vec![i % 3, 3 + i % 2];
                if i % 5 == 0 {
                    idx.push(7);
                }
                let values = idx.iter().map(|&c| 0.2 + (c as f64) * 0.1).collect();
                SparseVec {
                    indices: idx,
                    values,
                }
            })
            .collect();
        let refs: Vec<&SparseVec> = rows.iter().collect();
        let y: Vec<bool> = (0..60).map(|i| i % 3 == 0 || i % 7 == 0).collect();
        let p = SolverParams {
            alpha: 0.1,
            max_iterations: 40,
            tolerance: 1e-4,
        };
        let feats = vec![0, 1, 2, 3, 4, 7];
        let dense = fit_binary("x", &refs, &y, feats.clone(), &p).unwrap();
        let sparse = fit_binary_sparse("x", &refs, &y, feats, &p).unwrap();
        for r in &rows {
            let (a, b) = (dense.decision(r), sparse.decision(r));
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
        assert!(sparse.decision(&rows[0]) > sparse.decision(&rows[1]));
        // One class: the constant prior, as the dense solver gives.
        let c = fit_binary_sparse("x", &refs, &[true; 60], vec![0], &p).unwrap();
        assert!(c.weights.is_empty() && c.intercept > 0.0);
    }
}
