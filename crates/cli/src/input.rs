//! Reading what commands are given: inputs as sources, UTF-8 files, the theme set.

use std::path::{Path, PathBuf};

use anyhow::Result;
use policytag_data::interchange::LabelSet;
use policytag_pipeline::{load_model, Expand, Source};

use crate::exit::InputError;

/// The inputs of a command as sources (`-` or none: stdin; a directory: its report files,
/// or its `.jsonl` files with `--jsonl`).
pub fn sources(files: &[PathBuf], jsonl: bool) -> Vec<policytag_pipeline::Result<Source>> {
    let stdin = [PathBuf::from("-")];
    let files = if files.is_empty() { &stdin[..] } else { files };
    let what = if jsonl {
        Expand::Jsonl
    } else {
        Expand::Reports
    };
    Source::expand(files, what)
}

/// A UTF-8 file's content, or an input error naming it.
pub fn read_utf8(path: &Path) -> Result<String> {
    let bytes = Source::path(path).read_all()?;
    String::from_utf8(bytes)
        .map_err(|_| InputError(format!("{}: not valid UTF-8", path.display())).into())
}

/// The theme set: a themes TOML file when given, else the model's labels.
pub fn label_set(themes: Option<&Path>, model: Option<&Path>) -> Result<LabelSet> {
    let labels = match themes {
        Some(p) => policytag_data::label::read_themes(p)?,
        None => load_model(model)?.labels,
    };
    Ok(LabelSet::new(labels))
}
