//! # policytag-model
//!
//! The third stage of policytag: TF-IDF rows become calibrated theme probabilities.
//!
//! ```text
//! labelled JSONL ─read─▶ examples ─tokenise, TF-IDF─▶ rows
//!   └─ k folds: per label χ²-selected columns → linfa-logistic → out-of-fold scores
//!        └─ Platt calibration + F1-optimal threshold per label
//!   └─ final per-label classifiers on all rows ─▶ Model (one versioned, checksummed file)
//! ```
//!
//! The labelled data it learns from (the corpus line format, themes, labelling-tool
//! interchange, agreement, corpus statistics, uncertainty ranking) lives in
//! `policytag-data`; reading reports and tagging them, in `policytag-pipeline`.
//!
//! ```no_run
//! use std::collections::BTreeMap;
//! use std::path::Path;
//! use std::sync::atomic::AtomicBool;
//! use policytag_data::jsonl as data;
//! use policytag_model::{train::{Hooks, TrainParams}, Tagger};
//!
//! let data = data::read_jsonl(Path::new("corpus/train.jsonl"), Default::default())?;
//! let cancel = AtomicBool::new(false);
//! let hooks = Hooks { progress: &|_, _, _| {}, cancel: &cancel };
//! let model = TrainParams::default().check()?.fit(&data.examples, &BTreeMap::new(), &hooks)?;
//! model.save(Path::new("models/my.model"))?;
//! let tagger = Tagger::new(model)?;
//! let p = tagger.predict("全面落实“双减”，课后服务实现义务教育学校全覆盖。", None);
//! println!("{:?}", p.labels);
//! # Ok::<(), policytag_model::Error>(())
//! ```
#![deny(missing_docs)]

pub mod bootstrap;
pub mod calibrate;
pub mod combine;
pub mod context;
pub mod error;
pub mod folds;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod predict;
pub mod select;
pub mod sparse_fit;
pub mod train;

pub use error::{Error, Result};
pub use metrics::Metrics;
pub use model::Model;
pub use policytag_data::{Example, LabelInfo};
pub use predict::{Prediction, Tagger};
