//! # policytag-tokenizer
//!
//! The first stage of policytag: report bytes become paragraphs, and paragraphs become
//! words.
//!
//! ```text
//! bytes ─decode─▶ text ─segment (drop chrome, cut at headings and long lines)─▶ paragraphs
//! paragraphs ─document (split pages, one copy of repeats, metadata)─▶ documents
//! paragraph ─normalise (全角→半角, 繁→简)─▶ jieba-rs + domain dictionary ─filter─▶ words
//! ```
//!
//! ```
//! use policytag_tokenizer::{decode, Segmenter, TextSettings, Tokenizer};
//!
//! let bytes = "当前位置：首页 > 动态\n（七）全力構建平安校園\n一是落实安全责任制。".as_bytes();
//! let (text, _encoding) = decode(bytes)?;
//! let paragraphs = Segmenter::default().segment(&text);
//! assert_eq!(paragraphs.len(), 2);
//!
//! let tokenizer = Tokenizer::new(TextSettings::default())?; // load once, share by reference
//! let words = tokenizer.tokenize(&paragraphs[0].text).words;
//! assert!(words.contains(&"平安校园".to_string()));
//! # Ok::<(), policytag_tokenizer::Error>(())
//! ```
#![deny(missing_docs)]

pub mod clean;
pub mod decode;
pub mod document;
pub mod error;
pub mod limits;
pub mod normalize;
pub mod segment;
pub mod stream;
pub mod tokenize;

pub use clean::{is_chrome, is_chrome_normalized};
pub use decode::{decode, Encoding};
pub use document::{DocumentReader, Event, Metadata};
pub use error::{Error, Result};
pub use normalize::{NormalizeSettings, Normalizer};
pub use segment::{Paragraph, SegmentParams, Segmenter};
pub use tokenize::{
    packed_word, resources_hash, Dictionary, PendingDictionary, TextSettings, Tokenizer, Tokens,
    WordMap, WordSink,
};
