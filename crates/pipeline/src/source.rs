//! Where a document comes from: a file, standard input, or bytes already in memory; and
//! command-line paths expanded (a directory stands for the report files in it).

use std::path::{Path, PathBuf};

use policytag_tokenizer::limits;

use crate::error::{Error, Result};

/// File extensions of reports: what a directory expands to (lower case).
pub const REPORT_EXTENSIONS: &[&str] = &["txt", "text", "htm", "html", "xhtml", "docx", "pdf"];

/// One input document's bytes, not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file.
    Path(PathBuf),
    /// Standard input (named `-`).
    Stdin,
    /// Bytes in memory, with the name they go by (a file name gives a format hint).
    Bytes {
        /// The name shown in output and errors.
        name: String,
        /// The content.
        bytes: Vec<u8>,
    },
}

/// What a directory expands to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expand {
    /// Report files ([`REPORT_EXTENSIONS`]).
    Reports,
    /// JSONL paragraph files (`.jsonl`).
    Jsonl,
}

impl Expand {
    fn wants(self, path: &Path) -> bool {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match (self, ext.as_deref()) {
            (_, None) => false,
            (Expand::Reports, Some(e)) => REPORT_EXTENSIONS.contains(&e),
            (Expand::Jsonl, Some(e)) => e == "jsonl",
        }
    }

    fn describe(self) -> String {
        match self {
            Expand::Reports => format!("report files (.{})", REPORT_EXTENSIONS.join(", .")),
            Expand::Jsonl => "JSONL files (.jsonl)".into(),
        }
    }
}

impl Source {
    /// A path; `-` is standard input.
    pub fn path(p: impl Into<PathBuf>) -> Source {
        let p = p.into();
        if p.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::Path(p)
        }
    }

    /// Bytes in memory named `name`.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Source {
        Source::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// The name shown in output and errors: the path as given, `-`, or the bytes' name.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "-".into(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file name, as a hint for format detection (none for standard input).
    pub fn hint(&self) -> Option<&Path> {
        match self {
            Source::Path(p) => Some(p),
            Source::Stdin => None,
            Source::Bytes { name, .. } => Some(Path::new(name)),
        }
    }

    /// All bytes, up to [`limits::DOCUMENT`] for a regular file and [`limits::TEXT`] for
    /// standard input, pipes and devices (read once; nothing is read past the limit).
    pub fn read_all(&self) -> Result<Vec<u8>> {
        let named = |path: PathBuf, e: policytag_tokenizer::Error| match e {
            policytag_tokenizer::Error::Io(source) => Error::Io { path, source },
            e => Error::Tokenizer(e).about(&path.display().to_string()),
        };
        match self {
            Source::Stdin => limits::read_to_end(std::io::stdin(), limits::TEXT, "standard input")
                .map_err(|e| named("standard input".into(), e)),
            Source::Path(p) => {
                not_a_directory(p)?;
                let (limit, what) = if is_regular(p) {
                    (limits::DOCUMENT, "a file read whole")
                } else {
                    (limits::TEXT, "a pipe or device read whole")
                };
                limits::read_file(p, limit, what).map_err(|e| named(p.clone(), e))
            }
            Source::Bytes { bytes, .. } => Ok(bytes.clone()),
        }
    }

    /// The paths of a command line as sources: `-` is standard input, a directory stands
    /// for the files in it and below it that `what` wants (sorted by path; hidden entries
    /// skipped). A directory that holds none, or cannot be read, is an error in its place
    /// (so the other inputs can still be used).
    pub fn expand(paths: &[PathBuf], what: Expand) -> Vec<Result<Source>> {
        let mut out = Vec::new();
        for p in paths {
            if p.as_os_str() != "-" && p.is_dir() {
                let mut files = Vec::new();
                match walk(p, what, &mut files) {
                    Err(e) => out.push(Err(e)),
                    Ok(()) if files.is_empty() => out.push(Err(Error::Input(format!(
                        "{}: a directory with no {}",
                        p.display(),
                        what.describe()
                    )))),
                    Ok(()) => {
                        files.sort();
                        out.extend(files.into_iter().map(|f| Ok(Source::Path(f))));
                    }
                }
            } else {
                out.push(Ok(Source::path(p)));
            }
        }
        out
    }
}

fn walk(dir: &Path, what: Expand, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(&path, what, out)?;
        } else if what.wants(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// True for a regular file (which can be opened more than once); false for pipes, FIFOs,
/// devices (`/dev/stdin`) and paths that do not exist.
pub(crate) fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// An error for a directory given where a file is needed.
pub(crate) fn not_a_directory(p: &Path) -> Result<()> {
    if p.is_dir() {
        return Err(Error::Input(format!(
            "{}: is a directory, not a file",
            p.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_their_reports_sorted() {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "b.txt",
            "a.PDF",
            "notes.md",
            ".hidden.txt",
            "sub/c.docx",
            "x.jsonl",
        ] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let names = |what| -> Vec<String> {
            Source::expand(&[d.path().to_path_buf(), "-".into()], what)
                .into_iter()
                .map(|s| {
                    let n = s.unwrap().name();
                    n.strip_prefix(&format!("{}/", d.path().display()))
                        .unwrap_or(&n)
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names(Expand::Reports),
            ["a.PDF", "b.txt", "sub/c.docx", "-"]
        );
        assert_eq!(names(Expand::Jsonl), ["x.jsonl", "-"]);
        let empty = tempfile::tempdir().unwrap();
        let r = Source::expand(&[empty.path().to_path_buf()], Expand::Reports);
        let e = r.into_iter().next().unwrap().unwrap_err();
        assert!(
            e.is_bad_input() && e.to_string().contains("no report files"),
            "{e}"
        );
    }
}
