//! Errors of the model crate.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong training, or loading and saving models.
#[derive(Debug, Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The data cannot train a model (no examples, no labels, a label too rare).
    #[error("cannot train: {0}")]
    Data(String),
    /// Evaluation data uses labels the model does not know.
    #[error("labels not known to the model: {}", list(.0))]
    UnknownLabels(Vec<String>),
    /// A parameter is out of range.
    #[error("invalid parameter {param}: {msg}")]
    InvalidParam {
        /// The parameter (its setter's name, e.g. `folds`).
        param: &'static str,
        /// What is wrong.
        msg: String,
    },
    /// The model file is damaged, truncated, of another version or not a model at all.
    #[error("{0}")]
    ModelFile(String),
    /// The logistic-regression solver failed.
    #[error("solver failed for label {label}: {msg}")]
    Solver {
        /// The label being fitted.
        label: String,
        /// The solver's message.
        msg: String,
    },
    /// Training was interrupted (Ctrl-C); nothing was written.
    #[error("interrupted")]
    Interrupted,
    /// An error reading labelled data.
    #[error(transparent)]
    Dataset(#[from] policytag_data::Error),
    /// An error from the tokenizer.
    #[error(transparent)]
    Tokenizer(#[from] policytag_tokenizer::Error),
    /// An error from the vectoriser.
    #[error(transparent)]
    Features(#[from] policytag_features::Error),
}

impl Error {
    /// True when the error is the input's fault (exit code 2), not the program's.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Data(_)
            | Error::UnknownLabels(_)
            | Error::InvalidParam { .. }
            | Error::ModelFile(_) => true,
            Error::Tokenizer(e) => e.is_bad_input(),
            Error::Dataset(e) => e.is_bad_input(),
            Error::Features(_) => true,
            _ => false,
        }
    }
}

pub use policytag_data::error::{list, LIST_MAX};

/// Result with the model crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
