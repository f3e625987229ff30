//! # policytag-annotate
//!
//! The annotation half of policytag: one command, a local page, the model suggesting, the
//! person deciding.
//!
//! ```text
//! paragraphs ─(model: scores, thresholds, evidence)─▶ tasks ─order (uncertain|file|random)─▶ queue
//! queue ─GET /api/task/N─▶ page (127.0.0.1 only) ─POST /api/decide─▶ store: append + fsync
//!   out.jsonl          labelled paragraphs, readable by `policytag train --data`
//!   out.skipped.jsonl  skipped paragraphs (not examples)
//! restart with the same out file ─▶ decided paragraphs are skipped (resume)
//! near-duplicates (groups) ─▶ one per group in the queue; one key decides the whole group
//! --learn: every N decisions ─▶ background retrain (learn) ─▶ swap model, re-rank
//! --review A B … ─▶ only the disputed paragraphs, every annotator's labels side by side
//! ```
//!
//! Paragraphs are `policytag_pipeline::Paragraph`s, read by the pipeline's `Reader` exactly
//! as `policytag tag` reads them; suggestions come from a `policytag_pipeline::Pipeline`.
//!
//! ```
//! use policytag_annotate::{queue, session::{DecideRequest, Session, Settings}, store::Store};
//! use policytag_data::LabelInfo;
//!
//! let dir = tempfile::tempdir()?;
//! let text = "全面落实“双减”，课后服务实现全覆盖。";
//! let paras = vec![queue::Paragraph {
//!     id: policytag_pipeline::paragraph_id("report.txt", 0, text),
//!     doc: "report.txt".into(),
//!     index: 0,
//!     heading: vec!["一、双减".into()],
//!     start: 0,
//!     end: text.chars().count(),
//!     text: text.into(),
//!     normalized: None,
//!     chrome_checked: false,
//!     document: None,
//! }];
//! let tasks = queue::tasks(paras, None)?; // with Some(&pipeline): model suggestions
//! let labels = vec![LabelInfo {
//!     id: "double-reduction".into(),
//!     name: "双减与课后服务".into(),
//!     description: String::new(),
//! }];
//! let store = Store::open(&dir.path().join("labels.jsonl"))?;
//! let settings = Settings { order: queue::Order::File, annotator: None, can_rerank: false };
//! let mut session = Session::new(tasks, labels, store, settings)?;
//! let id = session.task(0).unwrap().id;
//! let answer = session
//!     .decide(DecideRequest {
//!         id,
//!         labels: vec!["double-reduction".into()],
//!         skip: false,
//!         group: false,
//!     })
//!     .unwrap();
//! assert_eq!((answer.next, answer.state.done), (1, 1));
//! // policytag_annotate::server::serve(session, 0, None, |addr| println!("http://{addr}/"),
//! //                                   server::Stop::CtrlC)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod error;
pub mod groups;
pub mod learn;
pub mod queue;
pub mod review;
pub mod server;
pub mod session;
pub mod store;

pub use error::{Error, Result};
pub use server::{serve, Stop, Summary};
pub use session::{Session, Settings};
