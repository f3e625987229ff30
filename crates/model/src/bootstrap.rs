//! Document-level bootstrap intervals for micro- and macro-F1.
//!
//! Paragraphs of one report are not independent (one report's style, vocabulary and label mix
//! run through all of them), so resampling paragraphs would give intervals that are too
//! narrow. Here whole documents are drawn with replacement: each resample draws as many
//! documents as the set has, and its micro- and macro-F1 are computed over the paragraphs of
//! the drawn documents (a document drawn twice counts twice). The interval is the 2.5th and
//! 97.5th percentile of `resamples` such scores. The generator is seeded
//! ([`BootstrapParams::default`]: 1000 resamples, seed 13), so the same predictions always give
//! the same interval.

use serde::{Deserialize, Serialize};

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootstrapParams {
    /// Number of resamples. Default 1000.
    pub resamples: usize,
    /// Seed of the generator. Default 13.
    pub seed: u64,
}

impl Default for BootstrapParams {
    fn default() -> Self {
        BootstrapParams {
            resamples: 1000,
            seed: 13,
        }
    }
}

/// A 95% percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// 2.5th percentile.
    pub lo: f64,
    /// 97.5th percentile.
    pub hi: f64,
}

/// Bootstrap intervals of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervals {
    /// Number of documents resampled.
    pub documents: usize,
    /// Number of resamples.
    pub resamples: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Interval of micro-F1.
    pub micro_f1: Interval,
    /// Interval of macro-F1 (over labels with support in the resample).
    pub macro_f1: Interval,
}

/// SplitMix64: a small, well-mixed, seedable generator (no dependency, stable across builds).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift (bias below 2⁻³² for small n).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// Micro- and macro-F1 from per-label true positive, false positive and false negative counts.
fn f1s(tp: &[u64], fp: &[u64], fnn: &[u64]) -> (f64, f64) {
    let f = |t: u64, p: u64, n: u64| {
        if t == 0 {
            0.0
        } else {
            2.0 * t as f64 / (2 * t + p + n) as f64
        }
    };
    let (t, p, n) = (tp.iter().sum(), fp.iter().sum(), fnn.iter().sum());
    let mut sum = 0.0;
    let mut supported = 0;
    for k in 0..tp.len() {
        if tp[k] + fnn[k] > 0 {
            sum += f(tp[k], fp[k], fnn[k]);
            supported += 1;
        }
    }
    let macro_f1 = if supported == 0 {
        0.0
    } else {
        sum / supported as f64
    };
    (f(t, p, n), macro_f1)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos - pos.floor());
    match sorted.get(i + 1) {
        Some(&next) => sorted[i] + frac * (next - sorted[i]),
        None => sorted[i],
    }
}

/// Intervals for gold and predicted label-index sets (`n_labels` labels), one per paragraph,
/// with `groups[i]` naming paragraph `i`'s document. Returns `None` for an empty set.
pub fn intervals(
    n_labels: usize,
    gold: &[Vec<usize>],
    pred: &[Vec<usize>],
    groups: &[String],
    params: BootstrapParams,
) -> Option<Intervals> {
    assert!(gold.len() == pred.len() && gold.len() == groups.len());
    if gold.is_empty() || params.resamples == 0 {
        return None;
    }
    // Per-document counts, documents in order of first appearance.
    let mut order: Vec<&str> = Vec::new();
    let mut doc_of = Vec::with_capacity(groups.len());
    let mut index: std::collections::BTreeMap<&str, usize> = Default::default();
    for g in groups {
        let next = order.len();
        let d = *index.entry(g.as_str()).or_insert_with(|| {
            order.push(g);
            next
        });
        doc_of.push(d);
    }
    let docs = order.len();
    // counts[d] = [tp; l] ++ [fp; l] ++ [fn; l]
    let mut counts = vec![vec![0u64; 3 * n_labels]; docs];
    for ((g, p), &d) in gold.iter().zip(pred).zip(&doc_of) {
        for k in 0..n_labels {
            let (a, b) = (g.contains(&k), p.contains(&k));
            match (a, b) {
                (true, true) => counts[d][k] += 1,
                (false, true) => counts[d][n_labels + k] += 1,
                (true, false) => counts[d][2 * n_labels + k] += 1,
                _ => {}
            }
        }
    }
    let mut rng = SplitMix(params.seed);
    let mut micro = Vec::with_capacity(params.resamples);
    let mut macro_ = Vec::with_capacity(params.resamples);
    let mut sum = vec![0u64; 3 * n_labels];
    for _ in 0..params.resamples {
        sum.iter_mut().for_each(|v| *v = 0);
        for _ in 0..docs {
            let d = rng.below(docs);
            for (s, c) in sum.iter_mut().zip(&counts[d]) {
                *s += c;
            }
        }
        let (mi, ma) = f1s(
            &sum[..n_labels],
            &sum[n_labels..2 * n_labels],
            &sum[2 * n_labels..],
        );
        micro.push(mi);
        macro_.push(ma);
    }
    micro.sort_by(f64::total_cmp);
    macro_.sort_by(f64::total_cmp);
    let ci = |v: &[f64]| Interval {
        lo: percentile(v, 0.025),
        hi: percentile(v, 0.975),
    };
    Some(Intervals {
        documents: docs,
        resamples: params.resamples,
        seed: params.seed,
        micro_f1: ci(&micro),
        macro_f1: ci(&macro_),
    })
}

/// The document a paragraph belongs to: its `doc` field, else its id up to the last `-`
/// (`"12-0034"` → `"12"`), else the paragraph alone (its position).
pub fn group_of(doc: Option<&str>, id: Option<&str>, position: usize) -> String {
    if let Some(d) = doc {
        return format!("doc:{d}");
    }
    if let Some((prefix, _)) = id.and_then(|i| i.rsplit_once('-')) {
        return format!("id:{prefix}");
    }
    format!("#{position}")
}

/// The document of every non-blank line of a JSONL file, by [`group_of`] on its `doc` and `id`
/// fields (lines that are not JSON objects count as documents of their own; reading the
/// examples themselves reports such lines).
pub fn document_groups(content: &str) -> Vec<String> {
    content
        .lines()
        .map(|l| l.trim_start_matches('\u{FEFF}'))
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            let field = |k: &str| match v.get(k) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            group_of(field("doc").as_deref(), field("id").as_deref(), i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;

    fn sets(v: &[&[usize]]) -> Vec<Vec<usize>> {
        v.iter().map(|s| s.to_vec()).collect()
    }

    #[test]
    fn f1s_agree_with_metrics() {
        let gold = sets(&[&[0], &[0, 1], &[], &[2]]);
        let pred = sets(&[&[0], &[0], &[1], &[]]);
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let m = Metrics::compute(&labels, &gold, &pred);
        // One document: every resample is the whole set, so the interval is a point.
        let groups = vec!["d".to_string(); 4];
        let b = intervals(3, &gold, &pred, &groups, BootstrapParams::default()).unwrap();
        assert!((b.micro_f1.lo - m.micro_f1).abs() < 1e-12);
        assert!((b.micro_f1.hi - m.micro_f1).abs() < 1e-12);
        assert!((b.macro_f1.lo - m.macro_f1).abs() < 1e-12);
        assert_eq!(b.documents, 1);
    }

    #[test]
    fn interval_brackets_the_estimate_and_is_seeded() {
        // Ten documents: five perfect, five with one miss each.
        let mut gold = Vec::new();
        let mut pred = Vec::new();
        let mut groups = Vec::new();
        for d in 0..10 {
            for i in 0..4 {
                gold.push(vec![i % 2]);
                pred.push(if d % 2 == 1 && i == 0 {
                    vec![]
                } else {
                    vec![i % 2]
                });
                groups.push(format!("{d}"));
            }
        }
        let labels: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let m = Metrics::compute(&labels, &gold, &pred);
        let p = BootstrapParams::default();
        let b = intervals(2, &gold, &pred, &groups, p).unwrap();
        assert!(
            b.micro_f1.lo < m.micro_f1 && m.micro_f1 < b.micro_f1.hi,
            "{b:?}"
        );
        assert!(b.micro_f1.hi <= 1.0 && b.micro_f1.lo > 0.8);
        assert_eq!(b, intervals(2, &gold, &pred, &groups, p).unwrap());
        let other = BootstrapParams { seed: 14, ..p };
        assert_ne!(b, intervals(2, &gold, &pred, &groups, other).unwrap());
        // Without document ids every paragraph is its own document.
        let single: Vec<String> = (0..gold.len()).map(|i| i.to_string()).collect();
        let s = intervals(2, &gold, &pred, &single, p).unwrap();
        assert_eq!(s.documents, 40);
        assert!(s.micro_f1.lo < m.micro_f1 && m.micro_f1 < s.micro_f1.hi);
    }

    #[test]
    fn groups_from_doc_then_id_prefix() {
        assert_eq!(group_of(Some("007"), Some("x-1"), 0), "doc:007");
        assert_eq!(group_of(None, Some("12-0034"), 0), "id:12");
        assert_eq!(group_of(None, Some("plain"), 5), "#5");
        assert_eq!(group_of(None, None, 5), "#5");
        let g = document_groups(
            "{\"doc\":\"a\",\"text\":\"x\"}\n\n{\"id\":\"3-0001\"}\n{\"doc\":7}\n{}\n",
        );
        assert_eq!(g, ["doc:a", "id:3", "doc:7", "#3"]);
    }
}
