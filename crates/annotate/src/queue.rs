//! Tasks (paragraphs with the model's suggestions) and the order they are shown in.
//!
//! **Uncertainty** is [`policytag_data::active::uncertainty`], the measure `policytag suggest`
//! ranks by: for each label, how far its calibrated probability sits from its tuned threshold
//! as a share of the room on that side; a paragraph is as uncertain as its closest call.
//! `--order uncertain` shows the most uncertain paragraphs first (ties in file order), so the
//! page and `suggest` put the same paragraphs first.

use std::collections::{BTreeMap, BTreeSet};

use policytag_data::active;
use policytag_pipeline::Pipeline;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

/// Evidence terms shown (and highlighted) per suggested label.
pub const EVIDENCE_TERMS: usize = 5;

/// A paragraph to label: the pipeline's paragraph (its id, the input's or
/// [`policytag_pipeline::paragraph_id`], is the task's id).
pub use policytag_pipeline::Paragraph;

/// The model's view of one label on one paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Calibrated probability.
    pub score: f64,
    /// The label's tuned threshold.
    pub threshold: f64,
    /// Score at or above the threshold: the label is pre-selected.
    pub selected: bool,
    /// Terms that pushed the label up (only for selected labels).
    pub evidence: Vec<String>,
}

/// A paragraph with its stable id and, when a model is used, one suggestion per label.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Stable id: the paragraph's.
    pub id: String,
    /// The paragraph.
    pub para: Paragraph,
    /// One per label in label order; empty without a model.
    pub suggestions: Vec<Suggestion>,
}

/// A run of text, marked when it is an evidence term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// The text.
    pub text: String,
    /// Part of an evidence term.
    pub mark: bool,
}

/// The order tasks are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Input order.
    File,
    /// Most uncertain first (see the module docs); needs suggestions.
    Uncertain,
    /// A seeded shuffle.
    Random {
        /// The seed.
        seed: u64,
    },
}

impl Order {
    /// Name shown on the page.
    pub fn name(&self) -> &'static str {
        match self {
            Order::File => "file",
            Order::Uncertain => "uncertain",
            Order::Random { .. } => "random",
        }
    }
}

fn file_name(doc: &str) -> String {
    std::path::Path::new(doc)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| doc.to_string())
}

/// Make tasks from paragraphs; with a pipeline, with its model's suggestions. Fails if two
/// paragraphs have the same id or there is nothing to label.
pub fn tasks(paras: Vec<Paragraph>, tagger: Option<&Pipeline>) -> Result<Vec<Task>> {
    if paras.is_empty() {
        return Err(Error::Input(
            "the inputs have no paragraphs to label".into(),
        ));
    }
    // Documents are named by file name in ids (so a moved folder resumes), except where two
    // inputs share a file name: those are named by their path as given.
    let mut docs_by_name: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for p in &paras {
        docs_by_name
            .entry(file_name(&p.doc))
            .or_default()
            .insert(p.doc.as_str());
    }
    let shared: BTreeSet<String> = docs_by_name
        .into_iter()
        .filter(|(_, docs)| docs.len() > 1)
        .flat_map(|(_, docs)| docs.into_iter().map(str::to_string))
        .collect();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(paras.len());
    for p in paras {
        let mut id = p.id.clone();
        // A generated id names the file; where two inputs share a file name, the path as given.
        if shared.contains(&p.doc)
            && id == policytag_pipeline::paragraph_id(&p.doc, p.index, &p.text)
        {
            id = format!("{}{}", p.doc, &id[file_name(&p.doc).len()..]);
        }
        if let Some(first) = seen.insert(id.clone(), p.doc.clone()) {
            return Err(Error::Input(format!(
                "two paragraphs have the id {id:?} (in {first} and {}); ids must be unique",
                p.doc
            )));
        }
        out.push(Task {
            id,
            para: p,
            suggestions: Vec::new(),
        });
    }
    if let Some(t) = tagger {
        suggest(&mut out, t);
    }
    Ok(out)
}

/// (Re)compute every task's suggestions with `tagger`, on all cores.
pub fn suggest(tasks: &mut [Task], tagger: &Pipeline) {
    tasks.par_iter_mut().for_each(|t| {
        t.suggestions = suggestions(tagger, &t.para.text);
    });
}

/// The model's suggestions for one text, one per label (at the tuned thresholds).
pub fn suggestions(pipeline: &Pipeline, text: &str) -> Vec<Suggestion> {
    let tagger = pipeline.tagger();
    let pred = tagger.predict(text, None);
    let mut evidence = tagger
        .evidence(text, &pred.labels, EVIDENCE_TERMS)
        .into_iter();
    tagger
        .model()
        .label_models
        .iter()
        .enumerate()
        .map(|(l, m)| {
            let selected = pred.labels.contains(&l);
            Suggestion {
                score: pred.scores[l],
                threshold: m.threshold,
                selected,
                // `pred.labels` is in label order: its evidence comes in the same order.
                evidence: match selected {
                    true => evidence
                        .next()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|e| e.term.replace(' ', ""))
                        .collect(),
                    false => Vec::new(),
                },
            }
        })
        .collect()
}

/// A task's uncertainty in 0..=1 (see the module docs); 0 without suggestions.
pub fn uncertainty(suggestions: &[Suggestion]) -> f64 {
    let (scores, thresholds): (Vec<f64>, Vec<f64>) =
        suggestions.iter().map(|s| (s.score, s.threshold)).unzip();
    active::uncertainty(&scores, &thresholds)
}

/// Order the task indices `which` (given in file order) by `order`.
pub fn arrange(tasks: &[Task], which: &mut [usize], order: Order) {
    match order {
        Order::File => which.sort_unstable(),
        Order::Uncertain => {
            which.sort_unstable();
            let u: Vec<f64> = which
                .iter()
                .map(|&i| uncertainty(&tasks[i].suggestions))
                .collect();
            let ranked: Vec<usize> = active::rank(&u, u.len())
                .into_iter()
                .map(|k| which[k])
                .collect();
            which.copy_from_slice(&ranked);
        }
        Order::Random { seed } => {
            which.sort_unstable();
            let mut state = seed;
            for i in (1..which.len()).rev() {
                let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
                which.swap(i, j);
            }
        }
    }
}

/// SplitMix64: a tiny, well-mixed, seeded generator (enough for a shuffle).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Cut `text` into runs, marking every occurrence of every (non-empty) term. Terms are the
/// model's (normalised: simplified script, half-width, lower-case ASCII), so they are found in
/// the text's normalised form, which has one character per character of the text: a
/// traditional-script or full-width paragraph is marked where its words stand.
pub fn highlight(text: &str, terms: &[String]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = policytag_tokenizer::normalize::normalized(text)
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    // `normalized` keeps the character count; should that ever fail, match the text as is.
    let folded = if folded.len() == chars.len() {
        folded
    } else {
        chars.clone()
    };
    let mut marked = vec![false; chars.len()];
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > chars.len() {
            continue;
        }
        for start in 0..=chars.len() - t.len() {
            if folded[start..start + t.len()] == t[..] {
                marked[start..start + t.len()]
                    .iter_mut()
                    .for_each(|m| *m = true);
            }
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    for (c, m) in chars.into_iter().zip(marked) {
        match out.last_mut() {
            Some(s) if s.mark == m => s.text.push(c),
            _ => out.push(Segment {
                text: c.to_string(),
                mark: m,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(doc: &str, i: usize, text: &str) -> Paragraph {
        Paragraph {
            id: policytag_pipeline::paragraph_id(doc, i, text),
            doc: doc.into(),
            index: i,
            heading: Vec::new(),
            start: 0,
            end: 0,
            text: text.into(),
            normalized: None,
            chrome_checked: false,
            document: None,
        }
    }

    fn sugg(pairs: &[(f64, f64)]) -> Vec<Suggestion> {
        pairs
            .iter()
            .map(|&(score, threshold)| Suggestion {
                score,
                threshold,
                selected: score >= threshold,
                evidence: vec![],
            })
            .collect()
    }

    #[test]
    fn duplicate_ids_and_empty_inputs_are_errors() {
        let mut p = vec![para("a.jsonl", 0, "x"), para("b.jsonl", 0, "y")];
        p[0].id = "7".into();
        p[1].id = "7".into();
        let e = tasks(p, None).unwrap_err();
        assert!(e.to_string().contains("\"7\"") && e.to_string().contains("b.jsonl"));
        assert!(tasks(vec![], None).is_err());
        let t = tasks(vec![para("a.txt", 0, "x"), para("a.txt", 1, "x")], None).unwrap();
        assert_ne!(t[0].id, t[1].id);
        // Two reports with one file name in different folders (the same opening line).
        let t = tasks(
            vec![
                para("2023/summary.txt", 0, "一、总体情况"),
                para("2024/summary.txt", 0, "一、总体情况"),
            ],
            None,
        )
        .unwrap();
        assert_ne!(t[0].id, t[1].id);
        assert!(t[0].id.starts_with("2023/summary.txt#0-"), "{}", t[0].id);
    }

    #[test]
    fn uncertainty_is_the_measure_suggest_ranks_by() {
        let s = sugg(&[(0.9, 0.5), (0.35, 0.4)]);
        assert_eq!(
            uncertainty(&s),
            active::uncertainty(&[0.9, 0.35], &[0.5, 0.4])
        );
        // On the threshold is as uncertain as it gets, whatever the other label says.
        assert_eq!(uncertainty(&sugg(&[(0.99, 0.5), (0.5, 0.5)])), 1.0);
        assert_eq!(uncertainty(&[]), 0.0);
    }

    #[test]
    fn uncertain_order_puts_closest_calls_first_ties_in_file_order() {
        let mut t = tasks(
            (0..4).map(|i| para("a.txt", i, &i.to_string())).collect(),
            None,
        )
        .unwrap();
        t[0].suggestions = sugg(&[(0.95, 0.5)]);
        t[1].suggestions = sugg(&[(0.45, 0.5)]);
        t[2].suggestions = sugg(&[(0.02, 0.5)]);
        t[3].suggestions = sugg(&[(0.55, 0.5)]);
        let mut w = vec![0, 1, 2, 3];
        arrange(&t, &mut w, Order::Uncertain);
        assert_eq!(w, [1, 3, 0, 2]);
        arrange(&t, &mut w, Order::File);
        assert_eq!(w, [0, 1, 2, 3]);
    }

    #[test]
    fn random_order_is_a_seeded_permutation() {
        let t = tasks(
            (0..20).map(|i| para("a.txt", i, &i.to_string())).collect(),
            None,
        )
        .unwrap();
        let run = |seed| {
            let mut w: Vec<usize> = (0..20).rev().collect();
            arrange(&t, &mut w, Order::Random { seed });
            w
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let mut sorted = run(42);
        assert_ne!(sorted, (0..20).collect::<Vec<_>>());
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn highlight_marks_every_occurrence_and_merges_overlaps() {
        let s = highlight(
            "课后服务全覆盖，课后服务提质",
            &["课后服务".into(), "服务全".into(), "".into()],
        );
        let shown: Vec<(&str, bool)> = s.iter().map(|s| (s.text.as_str(), s.mark)).collect();
        assert_eq!(
            shown,
            [
                ("课后服务全", true),
                ("覆盖，", false),
                ("课后服务", true),
                ("提质", false)
            ]
        );
        assert_eq!(highlight("abc", &["zzzz".into()]).len(), 1);
    }

    #[test]
    fn highlight_finds_model_terms_in_traditional_and_full_width_text() {
        let s = highlight(
            "各校嚴格教學常規管理，ＡＩ課程",
            &["教学常规".into(), "ai".into()],
        );
        let shown: Vec<(&str, bool)> = s.iter().map(|s| (s.text.as_str(), s.mark)).collect();
        assert_eq!(
            shown,
            [
                ("各校嚴格", false),
                ("教學常規", true),
                ("管理，", false),
                ("ＡＩ", true),
                ("課程", false)
            ]
        );
    }
}
