//! What a model knows and what to label next: its labels with thresholds and training
//! figures (`policytag labels`), and the paragraphs it is least sure about (`suggest`).

use std::collections::BTreeMap;

use policytag_data::active;
use policytag_model::Model;
use serde::Serialize;

use crate::pipeline::Pipeline;
use crate::tagged::{round4, TaggedParagraph};

/// One label of a model (Python's `Model.labels`, `policytag labels --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelSummary {
    /// The id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Tuned threshold (rounded to 4 decimals).
    pub threshold: f64,
    /// Training examples that have it.
    pub examples: usize,
    /// Cross-validated F1 at training time (rounded).
    pub cv_f1: f64,
}

/// The labels of a model, in model order.
pub fn label_summaries(model: &Model) -> Vec<LabelSummary> {
    let t = &model.training;
    model
        .labels
        .iter()
        .zip(&model.label_models)
        .map(|(l, m)| LabelSummary {
            id: l.id.clone(),
            name: l.name.clone(),
            description: l.description.clone(),
            threshold: round4(m.threshold),
            examples: t.label_counts.get(&l.id).copied().unwrap_or(0),
            cv_f1: round4(t.cv.per_label.get(&l.id).map_or(0.0, |x| x.f1)),
        })
        .collect()
}

/// A paragraph worth labelling next: `{"id","doc","paragraph","heading","text",
/// "uncertainty","suggested","scores"}` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The paragraph's id.
    pub id: String,
    /// Its document.
    pub doc: String,
    /// Its index in the document.
    pub paragraph: usize,
    /// Its heading path.
    pub heading: String,
    /// Its text.
    pub text: String,
    /// How unsure the model is (see `policytag_data::active`), rounded.
    pub uncertainty: f64,
    /// The labels the model gives it.
    pub suggested: Vec<String>,
    /// Every label's score, rounded, by id.
    pub scores: BTreeMap<String, f64>,
}

impl Pipeline {
    /// The `n` tagged paragraphs the model is least sure about, most uncertain first (ties
    /// in input order).
    pub fn suggest(&self, tagged: &[TaggedParagraph], n: usize) -> Vec<Suggestion> {
        let thresholds = self.thresholds();
        let unc: Vec<f64> = tagged
            .iter()
            .map(|t| active::uncertainty(&t.scores, &thresholds))
            .collect();
        active::rank(&unc, n)
            .into_iter()
            .map(|i| {
                let (t, p) = (&tagged[i], &tagged[i].paragraph);
                Suggestion {
                    id: p.id.clone(),
                    doc: p.doc.clone(),
                    paragraph: p.index,
                    heading: p.heading_path(),
                    text: p.text.clone(),
                    uncertainty: round4(unc[i]),
                    suggested: t.given().map(String::from).collect(),
                    scores: t
                        .label_ids()
                        .iter()
                        .zip(&t.scores)
                        .map(|(id, &s)| (id.clone(), round4(s)))
                        .collect(),
                }
            })
            .collect()
    }
}
