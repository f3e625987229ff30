//! Errors of the annotate crate.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong building a session, storing decisions or serving the page.
#[derive(Debug, Error)]
pub enum Error {
    /// The decisions file (or its skip file) has a bad line that is not a torn last line.
    #[error("{}:{line}: {msg}", path.display())]
    Store {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The inputs cannot make a session (two paragraphs with one id, nothing to label, …).
    #[error("{0}")]
    Input(String),
    /// Starting or running the web server failed (a busy port is [`Error::Input`]).
    #[error("web server: {0}")]
    Server(String),
    /// An error loading a model for suggestions or re-ranking.
    #[error(transparent)]
    Pipeline(#[from] policytag_pipeline::Error),
    /// An error writing the decisions file.
    #[error(transparent)]
    Data(#[from] policytag_data::Error),
}

impl Error {
    /// True when the error is the input's fault (exit code 2), not the program's.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Store { .. } | Error::Input(_) => true,
            Error::Pipeline(e) => e.is_bad_input(),
            Error::Data(e) => e.is_bad_input(),
            Error::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::IsADirectory
            ),
            Error::Server(_) => false,
        }
    }
}

/// Result with the annotate crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
