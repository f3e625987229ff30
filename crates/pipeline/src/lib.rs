//! # policytag-pipeline
//!
//! Reports in, tagged paragraphs out — the part every front end shares (the `policytag`
//! binary's `tag`, `segment`, `report`, `stats`, `suggest`, `explain` and `annotate`; a
//! Python binding; a server), so none of them segments or tags on its own.
//!
//! ```text
//! Source (path | stdin | bytes; Source::expand: a directory → its report files, sorted)
//!   ─Reader (detect format; decode | extract html/docx/pdf; segment | JSONL lines)─▶
//! Document { name, format, title, meta, paragraphs: [Paragraph] }  (read_documents: one per
//!   report of a page; meta = bureau, region, years, kind, date from policytag_tokenizer)
//! Paragraph { doc, index, id (input's, else paragraph_id), heading path, start..end, text,
//!   document: its DocumentHead (index in the page, title, meta) }
//!   ─Pipeline (model + tokenizer, loaded once; rayon; threshold/evidence options)─▶
//! TaggedParagraph { paragraph, scores, labels, evidence }  ─Serialize─▶ `tag` JSONL line
//! ```
//!
//! Around it: [`load_model`] (a file or the embedded default model), [`train`] (the
//! recommended settings are [`TrainParams`](policytag_model::train::TrainParams)'s
//! defaults), [`Pipeline::evaluate`] (the metrics `eval --format json` prints) and
//! [`set_threads`].
//!
//! ```no_run
//! use policytag_pipeline::{Pipeline, Reader, Source, TagOptions};
//!
//! let pipeline = Pipeline::load(None)?  // the embedded default model
//!     .with_options(TagOptions { threshold: None, evidence: Some(5) })?;
//! let rows = pipeline.tag_texts("notebook", &["全面落实“双减”，课后服务实现全覆盖。"]);
//! assert!(rows[0].given().any(|l| l == "double-reduction"));
//!
//! let doc = Reader::default().read(&Source::path("corpus/samples/county-annual-summary.txt"))?;
//! for row in pipeline.tag_document(doc).paragraphs {
//!     println!("{}", serde_json::to_string(&row).unwrap());
//! }
//! # Ok::<(), policytag_pipeline::Error>(())
//! ```
#![deny(missing_docs)]

pub mod document;
pub mod error;
pub mod explain;
pub mod output;
pub mod pipeline;
pub mod predictions;
pub mod reader;
pub mod source;
pub mod summary;
pub mod tagged;

pub use document::{paragraph_id, Document, DocumentHead, DocumentMeta, InputFormat, Paragraph};
pub use error::{Error, Result};
pub use output::{InputOutcome, OutputFormat};
pub use pipeline::{
    embedded_model_bytes, load_model, set_threads, train, Pipeline, TagOptions, TaggedDocument,
};
pub use reader::Reader;
pub use source::{Expand, Source};
pub use summary::{label_summaries, LabelSummary, Suggestion};
pub use tagged::{round4, LabelIds, TaggedParagraph};
