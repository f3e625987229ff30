//! # policytag-features
//!
//! The second stage of policytag: tokenised paragraphs become TF-IDF vectors.
//!
//! ```text
//! Tokens ─word 1..2-grams (+ optional char n-grams)─▶ counts ─tf·idf, l2─▶ SparseVec
//! ```
//!
//! Parameters are separate from what is fitted: [`TfidfParams`] → [`TfidfParams::check`] →
//! [`ValidTfidfParams::fit`] → [`Tfidf`]. The fitted vectoriser serialises with serde and has a
//! sorted vocabulary, so the same documents always give a byte-identical model.
//!
//! ```
//! use policytag_features::TfidfParams;
//! use policytag_tokenizer::{TextSettings, Tokenizer};
//!
//! let tok = Tokenizer::new(TextSettings::default())?;
//! let docs: Vec<_> = ["落实双减，规范课后服务", "开展防溺水安全教育", "双减背景下的作业设计"]
//!     .iter().map(|t| tok.tokenize(t)).collect();
//! let tfidf = TfidfParams::default().min_df(1).check()?.fit(&docs)?;
//! let row = tfidf.transform(&docs[0]);
//! assert!(row.indices.contains(&tfidf.column("双减").unwrap()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod error;
pub mod sparse;
pub mod tfidf;

pub use error::{Error, Result};
pub use sparse::{SparseRows, SparseVec};
pub use tfidf::{Tfidf, TfidfParams, ValidTfidfParams, Vectorizer, WordIds};
