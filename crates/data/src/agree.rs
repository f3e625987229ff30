//! Agreement between two annotators' labels on the same paragraphs: per-label Cohen's kappa
//! and F1 (annotator A as the reference), micro and macro F1, exact-match rate and the
//! paragraphs they disagree on.
//!
//! Paragraphs are matched by id when every paragraph of both files has one, otherwise by
//! text (white space removed, full-width forms folded). Only labels that either annotator
//! uses on a matched paragraph are reported.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use policytag_tokenizer::normalize::fold_width;

use crate::confusion::Confusion;
use crate::error::{Error, Result};
use crate::jsonl::Example;

/// How paragraphs were paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchBy {
    /// By `"id"`.
    Id,
    /// By normalised text.
    Text,
}

/// One label's 2×2 table and the statistics derived from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelAgreement {
    /// Paragraphs both annotators gave the label.
    pub both: usize,
    /// Only A gave it.
    pub a_only: usize,
    /// Only B gave it.
    pub b_only: usize,
    /// Neither gave it.
    pub neither: usize,
    /// Cohen's kappa; `None` when undefined (both annotators constant and equal).
    pub kappa: Option<f64>,
    /// B's precision with A as reference; `None` when B never gives the label.
    pub precision: Option<f64>,
    /// B's recall with A as reference; `None` when A never gives the label.
    pub recall: Option<f64>,
    /// F1 (see [`Confusion::f1`]); `None` when no one gives the label.
    pub f1: Option<f64>,
}

/// Two annotators on the same paragraph, differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// The paragraph's id (A's, else B's).
    pub id: Option<String>,
    /// The first 40 characters of the paragraph.
    pub text: String,
    /// A's labels.
    pub a: Vec<String>,
    /// B's labels.
    pub b: Vec<String>,
}

/// The agreement of annotators A and B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// How paragraphs were paired.
    pub matched_by: MatchBy,
    /// Paragraphs labelled by both.
    pub matched: usize,
    /// Paragraphs of A with no partner in B.
    pub only_a: usize,
    /// Paragraphs of B with no partner in A.
    pub only_b: usize,
    /// Per label, by id.
    pub per_label: BTreeMap<String, LabelAgreement>,
    /// F1 over all (paragraph, label) decisions.
    pub micro_f1: Option<f64>,
    /// Mean of the per-label F1s that are defined.
    pub macro_f1: Option<f64>,
    /// Mean of the per-label kappas that are defined.
    pub mean_kappa: Option<f64>,
    /// Share of matched paragraphs with identical label sets.
    pub exact_match: f64,
    /// Matched paragraphs whose label sets differ, in A's order.
    pub disagreements: Vec<Disagreement>,
}

/// Cohen's kappa of a 2×2 table; `None` when chance agreement is 1 (both raters constant
/// and equal), where kappa is 0/0.
pub fn cohen_kappa(both: usize, a_only: usize, b_only: usize, neither: usize) -> Option<f64> {
    let n = (both + a_only + b_only + neither) as f64;
    if n == 0.0 {
        return None;
    }
    let po = (both + neither) as f64 / n;
    let pa = (both + a_only) as f64 / n;
    let pb = (both + b_only) as f64 / n;
    let pe = pa * pb + (1.0 - pa) * (1.0 - pb);
    if (1.0 - pe).abs() < 1e-12 {
        return None;
    }
    Some((po - pe) / (1.0 - pe))
}

fn mean(xs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = xs.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The text key paragraphs are matched on.
pub fn match_key(text: &str) -> String {
    text.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .collect()
}

impl Agreement {
    /// Compare A's and B's labels. Fails when no paragraph is in both.
    pub fn compute(a: &[Example], b: &[Example]) -> Result<Agreement> {
        let by_id = a.iter().chain(b).all(|e| e.id.is_some());
        let key = |e: &Example| {
            if by_id {
                e.id.clone().expect("all have ids")
            } else {
                match_key(&e.text)
            }
        };
        let mut index: BTreeMap<String, VecDeque<usize>> = BTreeMap::new();
        for (j, e) in b.iter().enumerate() {
            index.entry(key(e)).or_default().push_back(j);
        }
        let mut pairs: Vec<(&Example, &Example)> = Vec::new();
        for e in a {
            if let Some(j) = index.get_mut(&key(e)).and_then(VecDeque::pop_front) {
                pairs.push((e, &b[j]));
            }
        }
        if pairs.is_empty() {
            return Err(Error::Input(format!(
                "the two files have no paragraph in common (matched by {})",
                if by_id { "id" } else { "text" }
            )));
        }
        let labels: BTreeSet<&str> = pairs
            .iter()
            .flat_map(|(x, y)| x.labels.iter().chain(&y.labels))
            .map(String::as_str)
            .collect();
        let mut per_label = BTreeMap::new();
        let mut micro = Confusion::default();
        for l in labels {
            let mut c = Confusion::default();
            for (x, y) in &pairs {
                c.add(
                    x.labels.iter().any(|v| v == l),
                    y.labels.iter().any(|v| v == l),
                );
            }
            micro = micro.merge(c);
            per_label.insert(
                l.to_string(),
                LabelAgreement {
                    both: c.tp,
                    a_only: c.fn_,
                    b_only: c.fp,
                    neither: c.tn,
                    kappa: cohen_kappa(c.tp, c.fn_, c.fp, c.tn),
                    precision: c.precision(),
                    recall: c.recall(),
                    f1: c.f1(),
                },
            );
        }
        let same = |x: &Example, y: &Example| {
            x.labels.iter().collect::<BTreeSet<_>>() == y.labels.iter().collect::<BTreeSet<_>>()
        };
        let disagreements: Vec<Disagreement> = pairs
            .iter()
            .filter(|(x, y)| !same(x, y))
            .map(|(x, y)| Disagreement {
                id: x.id.clone().or_else(|| y.id.clone()),
                text: x.text.chars().take(40).collect(),
                a: x.labels.clone(),
                b: y.labels.clone(),
            })
            .collect();
        let matched = pairs.len();
        Ok(Agreement {
            matched_by: if by_id { MatchBy::Id } else { MatchBy::Text },
            matched,
            only_a: a.len() - matched,
            only_b: b.len() - matched,
            micro_f1: micro.f1(),
            macro_f1: mean(per_label.values().map(|l| l.f1)),
            mean_kappa: mean(per_label.values().map(|l| l.kappa)),
            exact_match: (matched - disagreements.len()) as f64 / matched as f64,
            per_label,
            disagreements,
        })
    }

    /// A report for people; `n/a` marks undefined values.
    pub fn report(&self) -> String {
        let f = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.3}"));
        let by = match self.matched_by {
            MatchBy::Id => "id",
            MatchBy::Text => "text",
        };
        let mut s = format!(
            "matched {} paragraphs by {by}; {} only in A, {} only in B\n\
             exact match {:.3}   micro-F1 {}   macro-F1 {}   mean kappa {}\n\n",
            self.matched,
            self.only_a,
            self.only_b,
            self.exact_match,
            f(self.micro_f1),
            f(self.macro_f1),
            f(self.mean_kappa),
        );
        let w = self
            .per_label
            .keys()
            .map(|k| k.len())
            .max()
            .unwrap_or(5)
            .max(5);
        s += &format!(
            "{:w$}  {:>5}  {:>6}  {:>6}  {:>7}  {:>6}  {:>5}\n",
            "label", "both", "A only", "B only", "neither", "kappa", "F1"
        );
        for (l, x) in &self.per_label {
            s += &format!(
                "{l:w$}  {:>5}  {:>6}  {:>6}  {:>7}  {:>6}  {:>5}\n",
                x.both,
                x.a_only,
                x.b_only,
                x.neither,
                f(x.kappa),
                f(x.f1)
            );
        }
        s += &format!("\ndisagreements ({}):\n", self.disagreements.len());
        for d in &self.disagreements {
            s += &format!(
                "- {}A [{}] B [{}]  {}\n",
                d.id.as_deref()
                    .map(|i| format!("{i}  "))
                    .unwrap_or_default(),
                d.a.join(","),
                d.b.join(","),
                d.text
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(id: Option<&str>, text: &str, labels: &[&str]) -> Example {
        Example {
            doc: None,
            id: id.map(Into::into),
            text: text.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn kappa_by_hand() {
        // both=20, a_only=5, b_only=10, neither=15 (n=50):
        // po = 35/50 = 0.7; pA = 25/50 = 0.5; pB = 30/50 = 0.6;
        // pe = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = (0.7 − 0.5)/(1 − 0.5) = 0.4.
        // sklearn.metrics.cohen_kappa_score on the same 50 pairs gives 0.4 (sklearn 1.9.1).
        assert!((cohen_kappa(20, 5, 10, 15).unwrap() - 0.4).abs() < 1e-12);
        // Perfect agreement is 1; total disagreement on a balanced label is −1.
        assert_eq!(cohen_kappa(3, 0, 0, 2), Some(1.0));
        assert!((cohen_kappa(0, 2, 2, 0).unwrap() + 1.0).abs() < 1e-12);
        // Both annotators constant and equal: undefined, not a division by zero.
        assert_eq!(cohen_kappa(0, 0, 0, 7), None);
        assert_eq!(cohen_kappa(4, 0, 0, 0), None);
        // Both constant but opposite: po = pe = 0, kappa 0.
        assert_eq!(cohen_kappa(0, 3, 0, 0), Some(0.0));
        assert_eq!(cohen_kappa(0, 0, 0, 0), None);
    }

    #[test]
    fn crafted_pair_hand_computed() {
        let a = [
            ex(Some("1"), "甲", &["x", "y"]),
            ex(Some("2"), "乙", &["x"]),
            ex(Some("3"), "丙", &[]),
            ex(Some("4"), "丁", &["y"]),
            ex(Some("9"), "只在A", &["x"]),
        ];
        let b = [
            ex(Some("4"), "丁", &["y"]),
            ex(Some("1"), "甲", &["x"]),
            ex(Some("2"), "乙", &["x", "z"]),
            ex(Some("3"), "丙", &["x"]),
            ex(Some("8"), "只在B", &[]),
        ];
        let g = Agreement::compute(&a, &b).unwrap();
        assert_eq!(g.matched_by, MatchBy::Id);
        assert_eq!((g.matched, g.only_a, g.only_b), (4, 1, 1));
        // x: A {1,2}, B {1,2,3} → both 2, b_only 1, neither 1.
        // po = 3/4, pA = 1/2, pB = 3/4, pe = 3/8 + 1/8 = 1/2, kappa = 0.5; F1 = 4/5.
        let x = &g.per_label["x"];
        assert_eq!((x.both, x.a_only, x.b_only, x.neither), (2, 0, 1, 1));
        assert!((x.kappa.unwrap() - 0.5).abs() < 1e-12);
        assert!((x.f1.unwrap() - 0.8).abs() < 1e-12);
        // y: A {1,4}, B {4} → both 1, a_only 1, neither 2: po 3/4, pA 1/2, pB 1/4,
        // pe = 1/8 + 3/8 = 1/2, kappa 0.5; F1 = 2/3.
        let y = &g.per_label["y"];
        assert!((y.kappa.unwrap() - 0.5).abs() < 1e-12);
        assert!((y.f1.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        // z: only B on 2 → A constant, kappa 0 (po = pe = 3/4), F1 0, precision 0, recall n/a.
        let z = &g.per_label["z"];
        assert_eq!(z.kappa, Some(0.0));
        assert_eq!((z.f1, z.precision, z.recall), (Some(0.0), Some(0.0), None));
        // micro: tp 3, fp 2, fn 1 → 6/9; macro (0.8 + 2/3 + 0)/3.
        assert!((g.micro_f1.unwrap() - 6.0 / 9.0).abs() < 1e-12);
        assert!((g.macro_f1.unwrap() - (0.8 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        assert!((g.mean_kappa.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Only paragraph 4 agrees exactly.
        assert_eq!(g.exact_match, 0.25);
        let ids: Vec<_> = g
            .disagreements
            .iter()
            .map(|d| d.id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(g.disagreements[1].b, ["x", "z"]);
        let report = g.report();
        let row = report.lines().find(|l| l.starts_with("z ")).unwrap();
        assert_eq!(
            row.split_whitespace().collect::<Vec<_>>(),
            ["z", "0", "0", "1", "3", "0.000", "0.000"]
        );
    }

    #[test]
    fn without_ids_match_by_normalised_text_in_order() {
        let a = [
            ex(Some("1"), "课后 服务", &["x"]),
            ex(None, "ＡＢ同文", &["x"]),
            ex(None, "ＡＢ同文", &[]),
        ];
        let b = [
            ex(None, "AB同文", &["x"]),
            ex(None, "课后服务\n", &["x"]),
            ex(None, "AB 同文", &[]),
        ];
        let g = Agreement::compute(&a, &b).unwrap();
        assert_eq!(g.matched_by, MatchBy::Text);
        assert_eq!(g.matched, 3);
        assert_eq!(g.exact_match, 1.0);
        // x is given to 2 of 3 by both: perfect agreement.
        assert_eq!(g.per_label["x"].kappa, Some(1.0));
    }

    #[test]
    fn constant_annotators_give_na_not_nan() {
        let a = [ex(None, "a", &["x"]), ex(None, "b", &["x"])];
        let g = Agreement::compute(&a, &a).unwrap();
        assert_eq!(g.per_label["x"].kappa, None);
        assert_eq!(g.mean_kappa, None);
        assert!(g.report().contains("n/a"));
        let json = serde_json::to_string(&g).unwrap();
        assert!(json.contains("\"kappa\":null"), "{json}");
    }

    #[test]
    fn nothing_in_common_is_an_error() {
        let e = Agreement::compute(&[ex(None, "a", &[])], &[ex(None, "b", &[])]).unwrap_err();
        assert!(e.to_string().contains("no paragraph in common"), "{e}");
    }
}
