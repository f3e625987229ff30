//! # policytag-extract
//!
//! Reports reach analysts as saved web pages, Word files and PDFs, rarely as clean text.
//! This crate turns each of them into plain text with **one paragraph per line**, which
//! the tokenizer's [`Segmenter`](policytag_tokenizer::Segmenter) then cuts exactly as it
//! cuts a `.txt` report.
//!
//! ```text
//! bytes ─detect (magic bytes; name only as a hint)─▶ Format
//!   Text ─decode─▶ text
//!   Html ─decode (BOM, <meta charset>, GBK)─▶ DOM ─drop chrome, pick the article─▶ lines
//!   Docx ─zip─▶ word/document.xml ─paragraphs, table rows─▶ lines
//!   Pdf  ─glyphs with positions─▶ lines ─re-join wrapped lines─▶ paragraphs
//! ```
//!
//! ```
//! use policytag_extract::{detect, extract, Format};
//!
//! let page = "<html><body><div class=\"nav\">首页 | 机构概况</div>\
//!             <div class=\"content\"><p>一、总体情况</p><p>全面落实“双减”政策。</p></div>\
//!             <script>var a = 1;</script></body></html>";
//! let format = detect(page.as_bytes(), None);
//! assert_eq!(format, Format::Html);
//! assert_eq!(extract(page.as_bytes(), format)?, "一、总体情况\n全面落实“双减”政策。\n");
//! # Ok::<(), policytag_extract::Error>(())
//! ```
#![deny(missing_docs)]

pub mod detect;
pub mod docx;
pub mod error;
pub mod html;
pub mod layout;
pub mod pdf;
pub mod pdf_guard;

pub use detect::{detect, Format};
pub use error::{Error, Result};

/// The plain text of a file's bytes in the given format, one paragraph per line (for
/// [`Format::Text`]: the decoded text as it is).
pub fn extract(bytes: &[u8], format: Format) -> Result<String> {
    match format {
        Format::Text => Ok(policytag_tokenizer::decode(bytes)?.0),
        Format::Html => html::extract(bytes),
        Format::Docx => docx::extract(bytes),
        Format::Pdf => pdf::extract(bytes),
    }
}
