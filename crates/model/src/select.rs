//! Per-label feature selection by the chi-squared statistic (scikit-learn's `chi2` on
//! non-negative TF-IDF values), bounding the dense matrix each binary classifier sees.

use policytag_features::SparseVec;

/// The `k` columns (of `dim`) with the highest chi² score for `y`, in increasing column
/// order. Ties are broken by column index, so the choice is deterministic.
pub fn chi2_top_k(rows: &[&SparseVec], y: &[bool], dim: usize, k: usize) -> Vec<u32> {
    let n = rows.len() as f64;
    let npos = y.iter().filter(|&&v| v).count() as f64;
    if npos == 0.0 || npos == n {
        return Vec::new();
    }
    let mut total = vec![0.0f64; dim];
    let mut pos = vec![0.0f64; dim];
    for (r, &yy) in rows.iter().zip(y) {
        for (c, v) in r.iter() {
            total[c as usize] += v;
            if yy {
                pos[c as usize] += v;
            }
        }
    }
    let pp = npos / n;
    let mut scored: Vec<(f64, u32)> = (0..dim)
        .filter(|&c| total[c] > 0.0)
        .map(|c| {
            let (t, p) = (total[c], pos[c]);
            let (ep, en) = (pp * t, (1.0 - pp) * t);
            let chi = (p - ep).powi(2) / ep + ((t - p) - en).powi(2) / en;
            (chi, c as u32)
        })
        .collect();
    // The order is total (ties by column), so the best `k` are one set: pick them without
    // sorting every column.
    let order = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k < scored.len() {
        scored.select_nth_unstable_by(k, order);
        scored.truncate(k);
    }
    let mut cols: Vec<u32> = scored.into_iter().map(|(_, c)| c).collect();
    cols.sort_unstable();
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ix: &[u32], v: &[f64]) -> SparseVec {
        SparseVec {
            indices: ix.to_vec(),
            values: v.to_vec(),
        }
    }

    /// scikit-learn's `chi2(X, y)` gives [2.0, 0.333…, 0.0] here (feature 2 is spread
    /// evenly over both classes).
    #[test]
    fn ranks_like_sklearn() {
        let rows = [
            row(&[0, 2], &[1.0, 1.0]),
            row(&[0, 1], &[1.0, 1.0]),
            row(&[1], &[1.0]),
            row(&[1, 2], &[1.0, 1.0]),
        ];
        let refs: Vec<&SparseVec> = rows.iter().collect();
        let y = [true, true, false, false];
        assert_eq!(chi2_top_k(&refs, &y, 3, 1), [0]);
        assert_eq!(chi2_top_k(&refs, &y, 3, 2), [0, 1]);
        assert!(chi2_top_k(&refs, &[true; 4], 3, 2).is_empty());
    }
}
