//! The input of a report: documents whose paragraphs are already tagged.

use policytag_data::LabelInfo;
use serde::Serialize;

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
        let figures = figures::extract_with(
            &text,
            &figures::Context {
                words: None,
                heading: &heading,
            },
        );
        Paragraph {
            index,
            heading,
            text,
            scores,
            labels,
            figures,
        }
    }

    /// Characters of the text (the weight of the paragraph in character-weighted shares).
    pub fn chars(&self) -> usize {
        self.text.chars().count()
    }

    /// True when the paragraph was given theme `t`.
    pub fn has(&self, t: usize) -> bool {
        self.labels.iter().any(|(l, _)| *l == t)
    }
}

/// What is known about a document besides its text; any field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Meta {
    /// Title, e.g. `某区教育局2023年工作总结`.
    pub title: Option<String>,
    /// The issuing bureau, e.g. `某区教育局`.
    pub bureau: Option<String>,
    /// Region (province, city or county), e.g. `某省某市`.
    pub region: Option<String>,
    /// The year the document reports on.
    pub year: Option<i32>,
    /// Document type, e.g. `工作总结`, `工作计划`.
    pub kind: Option<String>,
    /// The file it was read from, when its name says something else (a page holding
    /// several reports: `page.html #2`).
    /// (Not serialised: tables carry it as their `file` column.)
    #[serde(skip)]
    pub file: Option<String>,
}

/// One tagged document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// File name or path: the document's identity, shown when nothing better is known.
    pub name: String,
    /// Bureau, region, year and type, as far as known.
    pub meta: Meta,
    /// Its paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
}

impl Document {
    /// A document without metadata.
    pub fn new(name: impl Into<String>, paragraphs: Vec<Paragraph>) -> Document {
        Document {
            name: name.into(),
            meta: Meta::default(),
            paragraphs,
        }
    }

    /// The file the document was read from: [`Meta::file`], else its name.
    pub fn file(&self) -> &str {
        self.meta.file.as_deref().unwrap_or(&self.name)
    }

    /// How people name the document: `bureau · year · type` from what is known (the file
    /// name standing in for an unknown bureau); the title, else the file path, when neither
    /// bureau nor year is known.
    ///
    /// ```
    /// use policytag_report::{Document, Meta};
    /// let mut d = Document::new("reports/a.txt", vec![]);
    /// assert_eq!(d.label(), "reports/a.txt");
    /// d.meta = Meta { bureau: Some("某县教育局".into()), year: Some(2023), kind: Some("工作总结".into()), ..Meta::default() };
    /// assert_eq!(d.label(), "某县教育局 · 2023 · 工作总结");
    /// d.meta.bureau = None;
    /// assert_eq!(d.label(), "a.txt · 2023 · 工作总结");
    /// ```
    pub fn label(&self) -> String {
        let m = &self.meta;
        let file = || {
            std::path::Path::new(&self.name)
                .file_name()
                .map_or(self.name.clone(), |f| f.to_string_lossy().into_owned())
        };
        if m.bureau.is_none() && m.year.is_none() {
            return match &m.title {
                Some(t) if !t.is_empty() => t.clone(),
                _ => self.name.clone(),
            };
        }
        let mut parts: Vec<String> = Vec::new();
        parts.push(
            m.bureau
                .clone()
                .or_else(|| m.region.clone())
                .unwrap_or_else(file),
        );
        parts.extend(m.year.map(|y| y.to_string()));
        parts.extend(m.kind.clone());
        parts.join(" · ")
    }

    /// Characters of all paragraphs.
    pub fn chars(&self) -> usize {
        self.paragraphs.iter().map(Paragraph::chars).sum()
    }
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
