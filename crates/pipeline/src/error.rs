//! Errors of the pipeline crate.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong reading reports, loading a model or tagging.
#[derive(Debug, Error)]
pub enum Error {
    /// An input (or a model) that cannot be used: a directory without reports, JSONL that
    /// is not UTF-8, no embedded model, …
    #[error("{0}")]
    Input(String),
    /// An input with more paragraphs than [`crate::Reader::max_paragraphs`] allows.
    #[error("{name}: more than {limit} paragraphs")]
    TooManyParagraphs {
        /// The input's name.
        name: String,
        /// The limit it went over.
        limit: usize,
    },
    /// Reading a file failed.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An error about one input, named.
    #[error("{name}: {source}")]
    Source {
        /// The input's name (its path, or `-`).
        name: String,
        /// The cause.
        source: Box<Error>,
    },
    /// Loading a model failed.
    #[error("loading model {what}: {source}")]
    LoadModel {
        /// The model file, or "the embedded default model".
        what: String,
        /// The cause.
        source: Box<Error>,
    },
    /// An error from the tokenizer (decoding, segmenting).
    #[error(transparent)]
    Tokenizer(#[from] policytag_tokenizer::Error),
    /// An error from the extractors (web pages, Word, PDF).
    #[error(transparent)]
    Extract(#[from] policytag_extract::Error),
    /// An error reading labelled data.
    #[error(transparent)]
    Data(#[from] policytag_data::Error),
    /// An error from the model (loading, training, evaluating).
    #[error(transparent)]
    Model(#[from] policytag_model::Error),
}

impl Error {
    /// True when the error is the input's fault (exit code 2), not the program's.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Input(_) | Error::TooManyParagraphs { .. } => true,
            Error::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::IsADirectory
            ),
            Error::Source { source, .. } | Error::LoadModel { source, .. } => source.is_bad_input(),
            Error::Tokenizer(e) => e.is_bad_input(),
            Error::Extract(e) => e.is_bad_input(),
            Error::Data(e) => e.is_bad_input(),
            Error::Model(e) => e.is_bad_input(),
        }
    }

    /// This error, about the input `name`.
    pub fn about(self, name: &str) -> Error {
        Error::Source {
            name: name.to_string(),
            source: Box::new(self),
        }
    }
}

/// Result with the pipeline crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
