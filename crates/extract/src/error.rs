//! Errors of the extract crate: each names what is wrong with the file, in one line.

use thiserror::Error;

/// Everything that can go wrong between a file's bytes and its plain text.
#[derive(Debug, Error)]
pub enum Error {
    /// Decoding text (or an HTML page) failed; the tokenizer's error says why.
    #[error(transparent)]
    Decode(#[from] policytag_tokenizer::Error),
    /// A PDF whose pages carry no text, only images: a scan.
    #[error(
        "PDF has no text layer ({pages} page(s) of images only, e.g. a scan); run OCR on it first"
    )]
    NoTextLayer {
        /// Number of pages in the document.
        pages: usize,
    },
    /// A zip archive that is not a Word document.
    #[error("not a text file (a zip archive without word/document.xml, not a .docx)")]
    NotDocx,
    /// A damaged zip container (truncated download, renamed file).
    #[error("corrupt .docx (zip): {0}")]
    Zip(String),
    /// `word/document.xml` is not well-formed XML.
    #[error("corrupt .docx (word/document.xml): {0}")]
    Xml(String),
    /// The PDF could not be parsed.
    #[error("corrupt or unsupported PDF: {0}")]
    Pdf(String),
    /// A document expands to more than a limit (a decompression bomb, or far beyond any
    /// report).
    #[error("{what} expands to more than {}; refusing it", policytag_tokenizer::limits::mib(*.limit))]
    TooLarge {
        /// What expanded (`a PDF stream`, `word/document.xml`).
        what: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The PDF is encrypted with a password.
    #[error("PDF is encrypted with a password; decrypt it first")]
    Encrypted,
}

impl Error {
    /// True when the error is the input's fault (exit code 2), not the program's: every
    /// extraction error is.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Decode(e) => e.is_bad_input(),
            _ => true,
        }
    }
}

/// Result with the extract crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
