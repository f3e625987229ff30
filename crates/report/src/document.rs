//! The input of a report: documents whose paragraphs are already tagged.

use policytag_data::LabelInfo;

use crate::error::{Error, Result};
use crate::figures::{self, Figure};

/// One tagged paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// Index of the paragraph in its document.
    pub index: usize,
    /// Heading path (`一、… › （二）…`), possibly empty.
    pub heading: String,
    /// The text as it appears in the document.
    pub text: String,
    /// Score of every theme, in the report's theme order.
    pub scores: Vec<f64>,
    /// The themes given (indices into the report's themes), each with its evidence terms.
    pub labels: Vec<(usize, Vec<String>)>,
    /// Key figures found in the text.
    pub figures: Vec<Figure>,
}

impl Paragraph {
    /// A paragraph with its key figures extracted from `text`.
    pub fn new(
        index: usize,
        heading: String,
        text: String,
        scores: Vec<f64>,
        labels: Vec<(usize, Vec<String>)>,
    ) -> Paragraph {
        let figures = figures::extract(&text);
        Paragraph {
            index,
            heading,
            text,
            scores,
            labels,
            figures,
        }
    }

    /// True when the paragraph was given theme `t`.
    pub fn has(&self, t: usize) -> bool {
        self.labels.iter().any(|(l, _)| *l == t)
    }
}

/// One tagged document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Display name (usually the file path).
    pub name: String,
    /// Its paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
}

/// Tagged documents and the themes their labels refer to: what every view is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The themes, in model order (colours and columns follow this order).
    pub themes: Vec<LabelInfo>,
    /// The documents, in input order.
    pub documents: Vec<Document>,
}

impl Report {
    /// Check that every paragraph fits the theme list; refuse an empty report.
    pub fn new(themes: Vec<LabelInfo>, documents: Vec<Document>) -> Result<Report> {
        if documents.is_empty() {
            return Err(Error::NoDocuments);
        }
        for d in &documents {
            for p in &d.paragraphs {
                let bad = |msg: String| Error::Inconsistent {
                    doc: d.name.clone(),
                    paragraph: p.index,
                    msg,
                };
                if p.scores.len() != themes.len() {
                    return Err(bad(format!(
                        "{} scores for {} themes",
                        p.scores.len(),
                        themes.len()
                    )));
                }
                if let Some((l, _)) = p.labels.iter().find(|(l, _)| *l >= themes.len()) {
                    return Err(bad(format!("theme index {l} out of range")));
                }
            }
        }
        Ok(Report { themes, documents })
    }
}
