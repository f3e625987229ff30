//! # policytag-report
//!
//! The last stage of policytag: tagged paragraphs become something a person reads.
//!
//! ```text
//! Report { themes, documents: [Document { paragraphs: [text, heading, scores, labels+evidence] }] }
//!   ├─ figures  numbers with units and what they count (新增学位2480个, 资金424.9万元)
//!   ├─ profile  per-document theme counts and shares; what stands out across documents
//!   └─ html     one self-contained page: charts, heat-map, paragraphs with chips and marks
//! ```
//!
//! A [`Report`] is plain tagged data, so the report itself needs no model to use or test;
//! [`build::from_tagged`] fills one from the pipeline's tagged documents (key figures read
//! with the pipeline's words, each given the theme its clause scores highest on).
//!
//! ```
//! use policytag_data::LabelInfo;
//! use policytag_report::{html, profile, Document, Paragraph, Report};
//!
//! let theme = |id: &str, name: &str| LabelInfo { id: id.into(), name: name.into(), description: String::new() };
//! let themes = vec![theme("preschool", "学前教育"), theme("teachers", "教师队伍建设")];
//! let paras = vec![
//!     Paragraph::new(0, String::new(), "新建公办幼儿园3所，新增学位1080个。".into(),
//!                    vec![0.97, 0.02], vec![(0, vec!["幼儿园".into()])]),
//!     Paragraph::new(1, String::new(), "招聘教师90人。".into(), vec![0.01, 0.91], vec![(1, vec![])]),
//! ];
//! let report = Report::new(themes, vec![Document::new("a.txt", paras)])?;
//! let p = profile::profile(&report, &report.documents[0]);
//! assert_eq!((p.themes[0].count, p.themes[0].share, p.figures), (1, 0.5, 3));
//! let page = html::render(&report, &html::HtmlOptions::default());
//! assert!(page.contains("<mark") && page.contains("新增学位"));
//! # Ok::<(), policytag_report::Error>(())
//! ```
#![deny(missing_docs)]

pub mod build;
pub mod document;
pub mod error;
pub mod export;
pub mod figures;
pub mod html;
pub mod matrix;
pub mod profile;
pub mod table;
#[cfg(test)]
mod testing;

pub use document::{Document, Meta, Paragraph, Report};
pub use error::{Error, Result};
pub use figures::Figure;
