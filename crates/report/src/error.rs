//! Errors of the report crate.

use thiserror::Error;

/// What can go wrong building a report from tagged documents.
#[derive(Debug, Error)]
pub enum Error {
    /// There is nothing to report on.
    #[error("no documents to report on")]
    NoDocuments,
    /// A paragraph does not fit the report's theme list (a caller bug or mixed models).
    #[error("{doc}: paragraph {paragraph}: {msg}")]
    Inconsistent {
        /// The document.
        doc: String,
        /// The paragraph index.
        paragraph: usize,
        /// What is wrong.
        msg: String,
    },
    /// The XLSX writer failed.
    #[error("writing XLSX: {0}")]
    Xlsx(String),
}

/// Result with the report crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
