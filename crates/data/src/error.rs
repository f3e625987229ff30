//! Errors of the data crate.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong reading or writing labelled data.
#[derive(Debug, Error)]
pub enum Error {
    /// A JSONL data file has a bad line.
    #[error("{}:{line}: {msg}", path.display())]
    Jsonl {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// An entry of a JSON array file (a Label Studio export) is bad.
    #[error("{}: task {index}: {msg}", path.display())]
    Task {
        /// The file.
        path: PathBuf,
        /// 1-based position of the task in the array.
        index: usize,
        /// What is wrong.
        msg: String,
    },
    /// A file as a whole is unusable (not a JSON array, not UTF-8, …).
    #[error("{}: {msg}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// Input that cannot be used as a whole (e.g. two annotators' files with nothing in common).
    #[error("{0}")]
    Input(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An error from the tokenizer (its script converter, for corpus statistics).
    #[error(transparent)]
    Tokenizer(#[from] policytag_tokenizer::Error),
}

impl Error {
    /// True when the error is the input's fault (exit code 2), not the program's.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Jsonl { .. } | Error::Task { .. } | Error::File { .. } | Error::Input(_) => true,
            Error::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::IsADirectory
            ),
            Error::Tokenizer(e) => e.is_bad_input(),
        }
    }
}

/// Most items an error message lists.
pub const LIST_MAX: usize = 20;

/// `a, b, c` — at most [`LIST_MAX`] items, then `… and N more`, so that a message stays one
/// readable line whatever the input.
pub fn list(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(LIST_MAX)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LIST_MAX {
        s += &format!(" … and {} more", items.len() - LIST_MAX);
    }
    s
}

/// Result with the data crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;
