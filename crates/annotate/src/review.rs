//! Review of disagreements: two or more annotators' label files in, the paragraphs they
//! disagree on out as tasks, a reviewer deciding, and agreement per label before and after.
//!
//! Paragraphs are matched across the files as `policytag agree` matches two: by id when
//! every line of every file has one, else by text (white space removed, full-width forms
//! folded); only paragraphs in every file are reviewed. Paragraphs every annotator labelled
//! the same are gold as they are: the session writes them to the out file with
//! `"agreed": true`, so the out file ends up the whole adjudicated set.
//!
//! **Agreement before** is [`Agreement`] between the annotators (the mean over pairs with
//! more than two); **after** is each annotator against the adjudicated labels so far (agreed
//! plus reviewed paragraphs), averaged over annotators — how far each was from the result.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use policytag_data::agree::{match_key, Agreement};
use policytag_data::Example;
use policytag_pipeline::paragraph_id;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::queue::Paragraph;
use crate::store::{now_iso, Decision};

/// One annotator's file.
#[derive(Debug, Clone)]
pub struct Annotator {
    /// Name shown (the file name).
    pub name: String,
    /// The labelled paragraphs, in file order.
    pub examples: Vec<Example>,
}

/// A paragraph every annotator labelled.
#[derive(Debug, Clone)]
struct Item {
    id: String,
    text: String,
    line: usize,
    /// Per annotator, sorted labels.
    labels: Vec<Vec<String>>,
}

impl Item {
    fn agreed(&self) -> bool {
        self.labels.windows(2).all(|w| w[0] == w[1])
    }
}

/// One annotator's labels on a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vote {
    /// Annotator.
    pub annotator: String,
    /// Labels given.
    pub labels: Vec<String>,
}

/// Agreement on one label, before and after review.
#[derive(Debug, Clone, Serialize)]
pub struct LabelReview {
    /// Label id.
    pub label: String,
    /// Cohen's kappa between the annotators (mean over pairs; `None` when undefined).
    pub kappa_before: Option<f64>,
    /// F1 between the annotators (mean over pairs).
    pub f1_before: Option<f64>,
    /// Kappa of the annotators against the adjudicated labels so far (mean).
    pub kappa_after: Option<f64>,
    /// F1 of the annotators against the adjudicated labels so far (mean).
    pub f1_after: Option<f64>,
    /// Paragraphs the annotators disagree on for this label.
    pub disputed: usize,
    /// Of those, decided by the reviewer.
    pub resolved: usize,
}

/// The review part of `GET /api/state`.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    /// The annotators.
    pub annotators: Vec<String>,
    /// Paragraphs in every file.
    pub matched: usize,
    /// Paragraphs not in every file (not reviewed).
    pub unmatched: usize,
    /// Paragraphs the annotators agree on.
    pub agreed: usize,
    /// Paragraphs to review.
    pub disputed: usize,
    /// Per label that anyone used.
    pub per_label: Vec<LabelReview>,
}

/// The matched paragraphs of two or more annotators.
#[derive(Debug, Clone)]
pub struct Review {
    names: Vec<String>,
    items: Vec<Item>,
    by_id: BTreeMap<String, usize>,
    unmatched: usize,
    /// Label id → (kappa, F1) between annotators.
    before: BTreeMap<String, (Option<f64>, Option<f64>)>,
}

fn mean(xs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = xs.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Per label, the mean kappa and F1 over the agreements.
fn mean_per_label(ag: &[Agreement]) -> BTreeMap<String, (Option<f64>, Option<f64>)> {
    let labels: BTreeSet<&String> = ag.iter().flat_map(|a| a.per_label.keys()).collect();
    labels
        .into_iter()
        .map(|l| {
            let k = mean(ag.iter().map(|a| a.per_label.get(l).and_then(|x| x.kappa)));
            let f = mean(ag.iter().map(|a| a.per_label.get(l).and_then(|x| x.f1)));
            (l.clone(), (k, f))
        })
        .collect()
}

impl Review {
    /// Match the annotators' paragraphs. Needs two annotators or more and at least one
    /// paragraph in every file.
    pub fn build(annotators: Vec<Annotator>) -> Result<Review> {
        if annotators.len() < 2 {
            return Err(Error::Input(
                "review needs two annotators' files or more".into(),
            ));
        }
        let by_id = annotators
            .iter()
            .all(|a| a.examples.iter().all(|e| e.id.is_some()));
        let key = |e: &Example| match (&e.id, by_id) {
            (Some(id), true) => id.clone(),
            _ => match_key(&e.text),
        };
        let mut indexes: Vec<BTreeMap<String, VecDeque<usize>>> = annotators[1..]
            .iter()
            .map(|a| {
                let mut m: BTreeMap<String, VecDeque<usize>> = BTreeMap::new();
                for (j, e) in a.examples.iter().enumerate() {
                    m.entry(key(e)).or_default().push_back(j);
                }
                m
            })
            .collect();
        let first = &annotators[0];
        let mut items = Vec::new();
        let mut used = 0;
        for (line, e) in first.examples.iter().enumerate() {
            let k = key(e);
            let found: Option<Vec<usize>> = indexes
                .iter_mut()
                .map(|m| m.get_mut(&k).and_then(VecDeque::pop_front))
                .collect();
            let Some(found) = found else { continue };
            used += found.len() + 1;
            let mut labels = vec![sorted(&e.labels)];
            for (a, j) in annotators[1..].iter().zip(found) {
                labels.push(sorted(&a.examples[j].labels));
            }
            let id = match (&e.id, by_id) {
                (Some(id), true) => id.clone(),
                _ => {
                    e.id.clone()
                        .unwrap_or_else(|| paragraph_id(&first.name, line, &e.text))
                }
            };
            items.push(Item {
                id,
                text: e.text.clone(),
                line,
                labels,
            });
        }
        if items.is_empty() {
            return Err(Error::Input(format!(
                "the files have no paragraph in common (matched by {})",
                if by_id { "id" } else { "text" }
            )));
        }
        let mut by_id_map = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            if by_id_map.insert(it.id.clone(), i).is_some() {
                return Err(Error::Input(format!(
                    "two paragraphs have the id {:?} in {}; ids must be unique",
                    it.id, first.name
                )));
            }
        }
        let total: usize = annotators.iter().map(|a| a.examples.len()).sum();
        let names: Vec<String> = annotators.iter().map(|a| a.name.clone()).collect();
        let as_examples = |k: usize| -> Vec<Example> {
            items
                .iter()
                .map(|it| Example {
                    doc: None,
                    id: Some(it.id.clone()),
                    text: it.text.clone(),
                    labels: it.labels[k].clone(),
                })
                .collect()
        };
        let mut pairs = Vec::new();
        for a in 0..names.len() {
            for b in a + 1..names.len() {
                pairs.push(Agreement::compute(&as_examples(a), &as_examples(b))?);
            }
        }
        Ok(Review {
            names,
            by_id: by_id_map,
            unmatched: total - used,
            before: mean_per_label(&pairs),
            items,
        })
    }

    /// The disputed paragraphs, in the first file's order, as tasks to label.
    pub fn paragraphs(&self) -> Vec<Paragraph> {
        self.items
            .iter()
            .filter(|it| !it.agreed())
            .map(|it| Paragraph {
                id: it.id.clone(),
                doc: self.names[0].clone(),
                index: it.line + 1,
                heading: Vec::new(),
                start: 0,
                end: 0,
                text: it.text.clone(),
                normalized: None,
                chrome_checked: false,
                document: None,
            })
            .collect()
    }

    /// The agreed paragraphs as decisions (`"agreed": true`).
    pub fn agreed_decisions(&self, annotator: Option<&str>) -> Vec<Decision> {
        let ts = now_iso();
        self.items
            .iter()
            .filter(|it| it.agreed())
            .map(|it| Decision {
                id: it.id.clone(),
                doc: self.names[0].clone(),
                paragraph: it.line + 1,
                heading: String::new(),
                text: it.text.clone(),
                labels: it.labels[0].clone(),
                skipped: false,
                annotator: annotator.map(str::to_string),
                applied_from: None,
                agreed: true,
                ts: ts.clone(),
            })
            .collect()
    }

    /// Each annotator's labels on paragraph `id` (empty when it is not in the review).
    pub fn votes(&self, id: &str) -> Vec<Vote> {
        self.by_id
            .get(id)
            .map(|&i| {
                self.names
                    .iter()
                    .zip(&self.items[i].labels)
                    .map(|(n, l)| Vote {
                        annotator: n.clone(),
                        labels: l.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Agreement before, and after against `gold` (adjudicated labels by id).
    pub fn view(&self, gold: &BTreeMap<String, Vec<String>>) -> ReviewView {
        let decided: Vec<&Item> = self
            .items
            .iter()
            .filter(|it| gold.contains_key(&it.id))
            .collect();
        let after: Vec<Agreement> = if decided.is_empty() {
            Vec::new()
        } else {
            let g: Vec<Example> = decided
                .iter()
                .map(|it| Example {
                    doc: None,
                    id: Some(it.id.clone()),
                    text: it.text.clone(),
                    labels: gold[&it.id].clone(),
                })
                .collect();
            (0..self.names.len())
                .filter_map(|k| {
                    let a: Vec<Example> = decided
                        .iter()
                        .map(|it| Example {
                            doc: None,
                            id: Some(it.id.clone()),
                            text: it.text.clone(),
                            labels: it.labels[k].clone(),
                        })
                        .collect();
                    Agreement::compute(&a, &g).ok()
                })
                .collect()
        };
        let after = mean_per_label(&after);
        let labels: BTreeSet<&String> = self.before.keys().chain(after.keys()).collect();
        let per_label = labels
            .into_iter()
            .map(|l| {
                let disputed: Vec<&Item> = self
                    .items
                    .iter()
                    .filter(|it| {
                        let has: BTreeSet<bool> = it.labels.iter().map(|x| x.contains(l)).collect();
                        has.len() > 1
                    })
                    .collect();
                let (kb, fb) = self.before.get(l).copied().unwrap_or((None, None));
                let (ka, fa) = after.get(l).copied().unwrap_or((None, None));
                LabelReview {
                    label: l.clone(),
                    kappa_before: kb,
                    f1_before: fb,
                    kappa_after: ka,
                    f1_after: fa,
                    disputed: disputed.len(),
                    resolved: disputed
                        .iter()
                        .filter(|it| gold.contains_key(&it.id))
                        .count(),
                }
            })
            .collect();
        let agreed = self.items.iter().filter(|it| it.agreed()).count();
        ReviewView {
            annotators: self.names.clone(),
            matched: self.items.len(),
            unmatched: self.unmatched,
            agreed,
            disputed: self.items.len() - agreed,
            per_label,
        }
    }
}

fn sorted(labels: &[String]) -> Vec<String> {
    let s: BTreeSet<&String> = labels.iter().collect();
    s.into_iter().cloned().collect()
}

/// Labels more than half of the votes give (what a review pre-selects).
pub fn majority(votes: &[Vote]) -> Vec<String> {
    let mut count: BTreeMap<&String, usize> = BTreeMap::new();
    for v in votes {
        for l in &v.labels {
            *count.entry(l).or_default() += 1;
        }
    }
    count
        .into_iter()
        .filter(|&(_, c)| 2 * c > votes.len())
        .map(|(l, _)| l.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(name: &str, rows: &[(&str, &[&str])]) -> Annotator {
        Annotator {
            name: name.into(),
            examples: rows
                .iter()
                .map(|(t, l)| Example {
                    doc: None,
                    id: None,
                    text: t.to_string(),
                    labels: l.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn disputes_votes_majority_and_agreement_before_after() {
        let a = ann(
            "a.jsonl",
            &[
                ("一", &["x"]),
                ("二", &["x", "y"]),
                ("三", &[]),
                ("只在A", &["x"]),
            ],
        );
        let b = ann(
            "b.jsonl",
            &[("二", &["x"]), ("一 ", &["x"]), ("三", &["y"])],
        );
        let c = ann(
            "c.jsonl",
            &[("一", &["x"]), ("二", &["y", "x"]), ("三", &["y"])],
        );
        let r = Review::build(vec![a, b, c]).unwrap();
        let paras = r.paragraphs();
        assert_eq!(
            paras.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(),
            ["二", "三"]
        );
        let agreed = r.agreed_decisions(Some("rev"));
        assert_eq!(agreed.len(), 1);
        assert!(agreed[0].agreed && agreed[0].labels == ["x"]);
        let id = paras[0].id.clone();
        let votes = r.votes(&id);
        assert_eq!(votes[1].labels, ["x"]);
        assert_eq!(majority(&votes), ["x", "y"]);
        assert_eq!(majority(&r.votes(&paras[1].id)), ["y"]);
        let v = r.view(&BTreeMap::new());
        assert_eq!((v.matched, v.unmatched, v.agreed, v.disputed), (3, 1, 1, 2));
        let y = v.per_label.iter().find(|l| l.label == "y").unwrap();
        assert_eq!((y.disputed, y.resolved), (2, 0));
        assert!(y.kappa_after.is_none());
        // The reviewer sides with the majority: everyone moves closer on y.
        let gold: BTreeMap<String, Vec<String>> = [
            (agreed[0].id.clone(), vec!["x".to_string()]),
            (id, vec!["x".into(), "y".into()]),
            (paras[1].id.clone(), vec!["y".into()]),
        ]
        .into_iter()
        .collect();
        let v = r.view(&gold);
        let y = v.per_label.iter().find(|l| l.label == "y").unwrap();
        assert_eq!(y.resolved, 2);
        assert!(y.f1_after.unwrap() > y.f1_before.unwrap(), "{y:?}");
    }

    #[test]
    fn one_file_or_nothing_in_common_is_an_error() {
        assert!(Review::build(vec![ann("a", &[("一", &[])])]).is_err());
        let e =
            Review::build(vec![ann("a", &[("一", &[])]), ann("b", &[("二", &[])])]).unwrap_err();
        assert!(e.to_string().contains("no paragraph in common"), "{e}");
    }
}
