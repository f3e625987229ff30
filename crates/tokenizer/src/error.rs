//! Errors of the tokenizer crate.

use thiserror::Error;

/// Everything that can go wrong between bytes and tokens.
#[derive(Debug, Error)]
pub enum Error {
    /// The input is binary (an image, an archive, NUL bytes), not text.
    #[error("not a text file ({0})")]
    NotText(String),
    /// The bytes decode as none of the supported encodings.
    #[error("cannot decode byte {offset}: not valid UTF-8, UTF-16 (with BOM) or GB18030/GBK")]
    Undecodable {
        /// Byte offset of the first byte that no supported encoding accepts.
        offset: usize,
    },
    /// The embedded or supplied dictionary could not be loaded.
    #[error("bad dictionary: {0}")]
    Dictionary(String),
    /// Reading the input failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// A parameter is out of its valid range.
    #[error("invalid parameter: {0}")]
    InvalidParam(String),
    /// An input read whole is larger than its limit (see [`crate::limits`]).
    #[error("larger than {}, the limit for {what}", crate::limits::mib(*.limit))]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The kind of input (`"a model file"`).
        what: &'static str,
    },
}

impl Error {
    /// True when the error is the input's fault (exit code 2), not the program's.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::NotText(_)
                | Error::Undecodable { .. }
                | Error::InvalidParam(_)
                | Error::TooLarge { .. }
        )
    }
}

/// Result with the tokenizer's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
