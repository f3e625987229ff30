//! Which paragraphs are most worth labelling next: those the model is least sure about.
//!
//! A label's *margin* is how far its calibrated probability `p` sits from the label's
//! threshold `t`, as a share of the room on that side: `(p − t)/(1 − t)` when `p ≥ t`,
//! `(t − p)/t` otherwise, so 0 means "on the threshold" and 1 means "certain" whichever way
//! the threshold leans. A paragraph's **uncertainty** is `1 − min` over labels of the
//! margin: 1 when some label sits exactly on its threshold, 0 when every label is certain.
//! Ranking sorts by uncertainty, highest first, ties kept in input order.

/// A label's margin in 0..=1 (0 on the threshold, 1 at probability 0 or 1).
pub fn margin(p: f64, t: f64) -> f64 {
    let m = if p >= t {
        (p - t) / (1.0 - t).max(1e-12)
    } else {
        (t - p) / t.max(1e-12)
    };
    m.clamp(0.0, 1.0)
}

/// A paragraph's uncertainty from its per-label probabilities and thresholds (0 when
/// there are no labels).
pub fn uncertainty(scores: &[f64], thresholds: &[f64]) -> f64 {
    scores
        .iter()
        .zip(thresholds)
        .map(|(&p, &t)| 1.0 - margin(p, t))
        .fold(0.0, f64::max)
}

/// Confidence in a whole decision: the smallest, over labels, of the probability of the
/// decision taken (`p` for a label given at its threshold, `1 − p` for one not given).
pub fn decision_confidence(scores: &[f64], thresholds: &[f64]) -> f64 {
    scores
        .iter()
        .zip(thresholds)
        .map(|(&p, &t)| if p >= t { p } else { 1.0 - p })
        .fold(1.0, f64::min)
}

/// Indices of the `n` most uncertain items, most uncertain first; equal values keep their
/// input order.
pub fn rank(uncertainties: &[f64], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..uncertainties.len()).collect();
    order.sort_by(|&a, &b| {
        uncertainties[b]
            .total_cmp(&uncertainties[a])
            .then(a.cmp(&b))
    });
    order.truncate(n);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn margins_by_hand() {
        assert!(close(margin(0.2, 0.2), 0.0));
        // Above: (0.6 − 0.2)/(1 − 0.2) = 0.5. Below: (0.2 − 0.1)/0.2 = 0.5.
        assert!(close(margin(0.6, 0.2), 0.5));
        assert!(close(margin(0.1, 0.2), 0.5));
        assert!(close(margin(1.0, 0.3), 1.0));
        assert!(close(margin(0.0, 0.3), 1.0));
        // Degenerate thresholds do not divide by zero.
        assert!(margin(0.5, 0.0).is_finite() && margin(0.5, 1.0).is_finite());
    }

    #[test]
    fn uncertainty_is_the_least_certain_label() {
        // Label 1: p 0.9 vs t 0.5 → margin 0.8; label 2: p 0.35 vs t 0.4 → margin 0.125.
        assert!(close(uncertainty(&[0.9, 0.35], &[0.5, 0.4]), 0.875));
        assert!(close(uncertainty(&[1.0, 0.0], &[0.5, 0.4]), 0.0));
        assert_eq!(uncertainty(&[], &[]), 0.0);
    }

    #[test]
    fn confidence_is_the_weakest_decision() {
        // Given at 0.7 (0.7), not given at 0.1 (0.9), not given at 0.35 (0.65).
        assert!(close(
            decision_confidence(&[0.7, 0.1, 0.35], &[0.5, 0.5, 0.4]),
            0.65
        ));
    }

    #[test]
    fn rank_most_uncertain_first_ties_in_order() {
        assert_eq!(rank(&[0.1, 0.9, 0.5, 0.9, 0.2], 3), [1, 3, 2]);
        assert_eq!(rank(&[0.3, 0.3, 0.3], 10), [0, 1, 2]);
        assert!(rank(&[0.5], 0).is_empty());
    }
}
