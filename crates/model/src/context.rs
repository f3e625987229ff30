//! Document context: a paragraph is scored with the rest of its document.
//!
//! Real reports name themes in passing (an opening that lists the year's slogans, a party
//! paragraph that mentions a kindergarten), and a single-theme report writes most of its
//! paragraphs in that theme's everyday words without naming it. Read alone, such paragraphs
//! are over- or under-tagged; read beside the paragraphs around them (a heading and its body,
//! the items of a list, the paragraphs of a one-theme report) they are not. For label `l` of
//! paragraph `i` of a document of `n ≥ 2` paragraphs, with `m` the mean probability of `l`
//! over its neighbours in the document (paragraphs `i − 1` and `i + 1`, those that exist),
//!
//! ```text
//! p'ᵢₗ = σ(logit(pᵢₗ) + weight · m)
//! ```
//!
//! so a theme the paragraphs around it treat needs less evidence, and the model's thresholds (raised by [`crate::train::TrainParams::threshold_margin`]) ask more of
//! a theme the surrounding paragraphs do not treat. A paragraph tagged on its own (`n = 1`)
//! keeps its scores. (Measured on the real dev sets, the neighbours did as well as the whole
//! document on the report excerpts and better on the long reports, whose sections change
//! theme.)
//!
//! A document is a run of consecutive paragraphs with the same key (a report of a page, or
//! JSONL lines with the same `"doc"`); runs are cut every [`SPAN`] paragraphs so a huge input
//! is still tagged in bounded memory, the same way whether it is streamed or read whole.
//!
//! ```
//! use policytag_model::context::{apply, runs};
//!
//! // Two documents: "a" (3 paragraphs) and "b" (1); a paragraph with no document is alone.
//! let keys = [Some("a"), Some("a"), Some("a"), Some("b"), None];
//! assert_eq!(runs(&keys), vec![0..3, 3..4, 4..5]);
//!
//! // One label: the third paragraph's 0.3 is read beside its neighbour at 0.9.
//! let mut scores = vec![vec![0.9], vec![0.9], vec![0.3]];
//! apply(&mut scores, 2.0);
//! assert!(scores[2][0] > 0.3 && scores[0][0] > 0.9);
//! ```

use std::ops::Range;

use crate::calibrate::sigmoid;

/// The most paragraphs read as one document's context.
pub const SPAN: usize = 4096;

/// Probabilities are kept this far from 0 and 1 before taking their logit.
const EDGE: f64 = 1e-12;

/// The ranges of paragraphs read together: runs of equal consecutive `Some` keys, each cut
/// every [`SPAN`] paragraphs; a `None` key (a paragraph with no document) is a run of its own.
pub fn runs<K: PartialEq>(keys: &[Option<K>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=keys.len() {
        let cut =
            i == keys.len() || keys[i].is_none() || keys[i] != keys[start] || i - start == SPAN;
        if cut {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// `ln(p / (1 − p))`, with `p` kept [`EDGE`] away from 0 and 1.
fn logit(p: f64) -> f64 {
    let p = p.clamp(EDGE, 1.0 - EDGE);
    (p / (1.0 - p)).ln()
}

/// Move every paragraph's scores (`rows[i][l]`: paragraph `i` of one document, label `l`) by
/// `weight` × the mean score of its neighbours (`i − 1`, `i + 1`), all computed from the
/// scores as given. One paragraph, or a weight of 0, leaves the scores as they are.
pub fn apply(rows: &mut [Vec<f64>], weight: f64) {
    let n = rows.len();
    if n < 2 || weight == 0.0 {
        return;
    }
    let given: Vec<Vec<f64>> = rows.to_vec();
    for (i, r) in rows.iter_mut().enumerate() {
        let before = i.checked_sub(1).map(|j| given[j].as_slice());
        let after = given.get(i + 1).map(Vec::as_slice);
        *r = moved(before, &given[i], after, weight);
    }
}

/// One paragraph's scores `own` as [`apply`] moves them, from its neighbours' scores as given
/// (`before`: paragraph `i − 1`'s, `after`: `i + 1`'s; at least one of them). Paragraphs of
/// one document can so be moved each on its own, in any order or in parallel.
pub fn moved(before: Option<&[f64]>, own: &[f64], after: Option<&[f64]>, weight: f64) -> Vec<f64> {
    let k = (before.is_some() as u8 + after.is_some() as u8) as f64;
    own.iter()
        .enumerate()
        .map(|(l, &p)| {
            let m = (before.map_or(0.0, |b| b[l]) + after.map_or(0.0, |a| a[l])) / k;
            sigmoid(logit(p) + weight * m)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_follow_keys_and_span() {
        let none: [Option<u8>; 0] = [];
        assert!(runs(&none).is_empty());
        assert_eq!(runs(&[None::<u8>, None]), vec![0..1, 1..2]);
        assert_eq!(
            runs(&[Some(1), Some(1), None, Some(1), Some(2)]),
            vec![0..2, 2..3, 3..4, 4..5]
        );
        let long = vec![Some(7u8); 2 * SPAN + 3];
        assert_eq!(
            runs(&long),
            vec![0..SPAN, SPAN..2 * SPAN, 2 * SPAN..2 * SPAN + 3]
        );
    }

    /// Against values worked by hand: the middle paragraph of [0.8, 0.2, 0.5] (one label) is
    /// moved by 2 × mean(0.8, 0.5) = 1.3 in logit space: σ(ln 0.25 + 1.3) = 0.47844…; the
    /// first has one neighbour: σ(ln 4 + 2 × 0.2) = 0.85647…
    #[test]
    fn apply_matches_hand_computed_values() {
        let mut rows = vec![vec![0.8], vec![0.2], vec![0.5], vec![0.9]];
        apply(&mut rows, 2.0);
        let expect = |p: f64, m: f64| 1.0 / (1.0 + ((1.0 - p) / p) * (-2.0 * m).exp());
        assert!((rows[1][0] - 0.478_439_8).abs() < 1e-6, "{}", rows[1][0]);
        assert!((rows[0][0] - 0.856_472_4).abs() < 1e-6, "{}", rows[0][0]);
        assert!((rows[0][0] - expect(0.8, 0.2)).abs() < 1e-12);
        assert!((rows[1][0] - expect(0.2, 0.65)).abs() < 1e-12);
        assert!((rows[2][0] - expect(0.5, 0.55)).abs() < 1e-12);
        assert!((rows[3][0] - expect(0.9, 0.5)).abs() < 1e-12);
    }

    #[test]
    fn one_paragraph_or_zero_weight_changes_nothing() {
        let mut one = vec![vec![0.3, 0.6]];
        apply(&mut one, 3.0);
        assert_eq!(one, vec![vec![0.3, 0.6]]);
        let mut two = vec![vec![0.3, 0.6], vec![0.9, 0.1]];
        apply(&mut two, 0.0);
        assert_eq!(two, vec![vec![0.3, 0.6], vec![0.9, 0.1]]);
    }

    #[test]
    fn certain_scores_stay_finite() {
        let mut rows = vec![vec![1.0, 0.0], vec![1.0, 0.0]];
        apply(&mut rows, 3.0);
        assert!(rows
            .iter()
            .flatten()
            .all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
        assert!(rows[0][0] > 0.999 && rows[0][1] < 1e-9);
    }
}
