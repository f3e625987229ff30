//! Turning decision values into calibrated probabilities (Platt scaling), and choosing the
//! per-label decision threshold that maximises F1 on out-of-fold predictions.

use serde::{Deserialize, Serialize};

/// `p = 1 / (1 + exp(-(a·z + b)))`, fitted on held-out decision values `z`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Slope.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Default for Platt {
    fn default() -> Self {
        Platt { a: 1.0, b: 0.0 }
    }
}

/// The logistic function.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Platt {
    /// Probability for a decision value.
    #[inline]
    pub fn prob(&self, z: f64) -> f64 {
        sigmoid(self.a * z + self.b)
    }

    /// Fit with Platt's smoothed targets by Newton's method with backtracking
    /// (Lin, Lin & Weng, 2007). Falls back to the identity map for degenerate input.
    pub fn fit(z: &[f64], y: &[bool]) -> Platt {
        let npos = y.iter().filter(|&&v| v).count() as f64;
        let nneg = y.len() as f64 - npos;
        if npos == 0.0 || nneg == 0.0 {
            return Platt::default();
        }
        let hi = (npos + 1.0) / (npos + 2.0);
        let lo = 1.0 / (nneg + 2.0);
        let t: Vec<f64> = y.iter().map(|&v| if v { hi } else { lo }).collect();
        // Objective: sum of cross-entropy between t and sigmoid(a z + b).
        let obj = |a: f64, b: f64| -> f64 {
            z.iter()
                .zip(&t)
                .map(|(&zi, &ti)| {
                    let f = a * zi + b;
                    // -[t log σ(f) + (1-t) log(1-σ(f))] = log(1+e^f) - t f
                    let l1p = if f > 0.0 {
                        f + (-f).exp().ln_1p()
                    } else {
                        f.exp().ln_1p()
                    };
                    l1p - ti * f
                })
                .sum()
        };
        let (mut a, mut b) = (1.0, ((npos + 1.0) / (nneg + 1.0)).ln());
        let mut f = obj(a, b);
        for _ in 0..100 {
            let (mut g1, mut g2, mut h11, mut h22, mut h21) = (0.0, 0.0, 1e-12, 1e-12, 0.0);
            for (&zi, &ti) in z.iter().zip(&t) {
                let p = sigmoid(a * zi + b);
                let d1 = p - ti;
                let d2 = p * (1.0 - p);
                g1 += zi * d1;
                g2 += d1;
                h11 += zi * zi * d2;
                h22 += d2;
                h21 += zi * d2;
            }
            if g1.abs() < 1e-9 && g2.abs() < 1e-9 {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            if det.abs() < 1e-18 {
                break;
            }
            let da = -(h22 * g1 - h21 * g2) / det;
            let db = -(-h21 * g1 + h11 * g2) / det;
            let gd = g1 * da + g2 * db;
            let mut step = 1.0;
            let mut improved = false;
            while step >= 1e-10 {
                let (na, nb) = (a + step * da, b + step * db);
                let nf = obj(na, nb);
                if nf < f + 1e-4 * step * gd {
                    a = na;
                    b = nb;
                    f = nf;
                    improved = true;
                    break;
                }
                step /= 2.0;
            }
            if !improved {
                break;
            }
        }
        if a.is_finite() && b.is_finite() && a > 0.0 {
            Platt { a, b }
        } else {
            Platt::default()
        }
    }
}

/// The threshold on `p` that maximises F1 of `p >= threshold` against `y`; ties go to the
/// threshold nearest 0.5. The threshold is placed midway between neighbouring scores.
/// Returns 0.5 when `y` has no positive.
pub fn best_f1_threshold(p: &[f64], y: &[bool]) -> (f64, f64) {
    let npos = y.iter().filter(|&&v| v).count();
    if npos == 0 || p.is_empty() {
        return (0.5, 0.0);
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&i, &j| p[j].total_cmp(&p[i]).then(i.cmp(&j)));
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best = (0.5, -1.0);
    for (k, &i) in order.iter().enumerate() {
        if y[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        // Only cut between distinct scores.
        let next = order.get(k + 1).map(|&j| p[j]);
        if next == Some(p[i]) {
            continue;
        }
        let f1 = 2.0 * tp as f64 / (tp + fp + npos) as f64;
        let thr = match next {
            Some(q) => (p[i] + q) / 2.0,
            None => p[i] / 2.0,
        };
        let better = f1 > best.1 + 1e-12
            || ((f1 - best.1).abs() <= 1e-12 && (thr - 0.5).abs() < (best.0 - 0.5f64).abs());
        if better {
            best = (thr, f1);
        }
    }
    best
}

/// Expected calibration error of probabilities `p` for outcomes `y`: the scores are put in
/// `bins` equal-width bins over [0, 1], and the gaps between each bin's mean score and its
/// share of positives are averaged, weighted by the bin's size. 0 for an empty input.
pub fn expected_calibration_error(p: &[f64], y: &[bool], bins: usize) -> f64 {
    let bins = bins.max(1);
    let mut n = vec![0usize; bins];
    let mut sum_p = vec![0.0f64; bins];
    let mut pos = vec![0usize; bins];
    for (&pi, &yi) in p.iter().zip(y) {
        let b = ((pi.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
        n[b] += 1;
        sum_p[b] += pi;
        pos[b] += usize::from(yi);
    }
    let total = p.len().min(y.len());
    if total == 0 {
        return 0.0;
    }
    (0..bins)
        .filter(|&b| n[b] > 0)
        .map(|b| (sum_p[b] - pos[b] as f64).abs())
        .sum::<f64>()
        / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ece_is_zero_when_calibrated_and_measures_overconfidence() {
        // Scores of 0.25 of which a quarter are positive, 0.75 of which three quarters are.
        let p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
        let y = [true, false, false, false, true, true, true, false];
        assert!(expected_calibration_error(&p, &y, 10).abs() < 1e-12);
        // Always 0.9, right half the time: off by 0.4.
        let p = [0.9; 4];
        let y = [true, false, true, false];
        assert!((expected_calibration_error(&p, &y, 10) - 0.4).abs() < 1e-12);
        assert_eq!(expected_calibration_error(&[], &[], 10), 0.0);
    }

    #[test]
    fn threshold_separates_perfectly() {
        let p = [0.9, 0.8, 0.3, 0.2, 0.1];
        let y = [true, true, false, false, false];
        let (t, f1) = best_f1_threshold(&p, &y);
        assert_eq!(f1, 1.0);
        assert!((t - 0.55).abs() < 1e-12);
    }

    #[test]
    fn threshold_trades_precision_for_recall() {
        // Taking the top 3 gives tp 2 fp 1 (F1 0.8) against top 1 (tp 1, F1 2/3).
        let p = [0.9, 0.6, 0.5, 0.1];
        let y = [true, false, true, false];
        let (t, f1) = best_f1_threshold(&p, &y);
        assert!((f1 - 0.8).abs() < 1e-12);
        assert!((t - 0.3).abs() < 1e-12);
    }

    #[test]
    fn platt_recovers_a_known_logistic() {
        // Data drawn deterministically from p = σ(2z - 1).
        let mut z = Vec::new();
        let mut y = Vec::new();
        for i in 0..2000 {
            let zi = -3.0 + 6.0 * (i as f64) / 2000.0;
            let p = sigmoid(2.0 * zi - 1.0);
            // Van der Corput sequence for a deterministic uniform draw.
            let mut u = 0.0;
            let (mut k, mut f) = (i + 1, 0.5);
            while k > 0 {
                u += f * (k % 2) as f64;
                k /= 2;
                f /= 2.0;
            }
            z.push(zi);
            y.push(u < p);
        }
        let pl = Platt::fit(&z, &y);
        assert!((pl.a - 2.0).abs() < 0.25, "{pl:?}");
        assert!((pl.b + 1.0).abs() < 0.25, "{pl:?}");
    }
}
