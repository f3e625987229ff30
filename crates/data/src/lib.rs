//! # policytag-data
//!
//! Labelled paragraphs and what people do with them, without the learner: the corpus
//! line format, theme lists, the labelling tools' formats, agreement between annotators and
//! corpus statistics. `policytag-report` and `policytag-annotate` read label lists from
//! here; `policytag-model` trains on its [`Example`]s.
//!
//! ```text
//! corpus JSONL ─jsonl::read_jsonl (CorpusLine: labels|label, id string|number, BOM)─▶ Examples
//! themes.toml  ─label::read_themes─▶ LabelInfo (id, name, description)
//! doccano | Label Studio | fastText ◀─interchange─▶ Examples
//! two annotators' Examples ─agree─▶ kappa, F1 (confusion::Confusion), disagreements
//! Examples ─corpus─▶ label counts, lengths, script, near-duplicates
//! ```
//!
//! ```
//! use std::path::Path;
//! use policytag_data::{agree::Agreement, jsonl::{read_jsonl_str, ReadOptions}};
//!
//! let a = "{\"id\":1,\"text\":\"课后服务全覆盖\",\"labels\":[\"double-reduction\"]}\n";
//! let b = "\u{feff}{\"id\":\"1\",\"text\":\"课后服务全覆盖\",\"label\":[\"double-reduction\"]}\n";
//! let a = read_jsonl_str(Path::new("a.jsonl"), a, ReadOptions::default())?.examples;
//! let b = read_jsonl_str(Path::new("b.jsonl"), b, ReadOptions::default())?.examples;
//! let g = Agreement::compute(&a, &b)?;
//! assert_eq!((g.matched, g.micro_f1), (1, Some(1.0)));
//! # Ok::<(), policytag_data::Error>(())
//! ```
#![deny(missing_docs)]

pub mod active;
pub mod agree;
pub mod atomic;
pub mod confusion;
pub mod corpus;
pub mod csv;
pub mod error;
pub mod interchange;
pub mod jsonl;
pub mod label;

pub use confusion::Confusion;
pub use error::{Error, Result};
pub use jsonl::{CorpusLine, Example, ReadOptions};
pub use label::LabelInfo;
