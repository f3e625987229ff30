//! Errors of the features crate.

use thiserror::Error;

/// What can go wrong configuring or fitting a vectoriser.
#[derive(Debug, Error)]
pub enum Error {
    /// A parameter is out of range.
    #[error("invalid TF-IDF parameter {param}: {msg}")]
    InvalidParam {
        /// The parameter (its setter's name, e.g. `min_df`).
        param: &'static str,
        /// What is wrong.
        msg: String,
    },
    /// Fitting needs at least one document with at least one term.
    #[error("cannot fit TF-IDF: {0}")]
    Empty(String),
}

/// Result with the features crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
