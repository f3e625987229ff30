//! Reading inputs: report files (decoded and segmented) and JSONL paragraph files.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use policytag_model::data::{read_jsonl_str, ReadOptions};
use policytag_tokenizer::decode;

use crate::exit::InputError;

/// One paragraph to tag, wherever it came from.
#[derive(Debug, Clone)]
pub struct Item {
    /// The id a JSONL input gave the paragraph, if any.
    pub id: Option<String>,
    /// Document name (file path or `-`).
    pub doc: String,
    /// Paragraph index within the document.
    pub paragraph: usize,
    /// Heading path joined with ` › `.
    pub heading: String,
    /// Character offsets of the paragraph in the decoded document (0..0 for JSONL input).
    pub start: usize,
    /// End character offset (exclusive).
    pub end: usize,
    /// The text.
    pub text: String,
}

/// Display name of an input path.
pub fn name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "-".to_string()
    } else {
        path.display().to_string()
    }
}

/// Read all bytes of a file or of stdin (`-`).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        if path.is_dir() {
            return Err(
                InputError(format!("{}: is a directory, not a file", path.display())).into(),
            );
        }
        buf = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    }
    Ok(buf)
}

/// Decode a report file into text.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    let (text, _) = decode(&bytes).with_context(|| name(path))?;
    Ok(text)
}

/// A JSONL file of paragraphs (`"text"` per line; labels optional).
pub fn jsonl_items(path: &Path) -> Result<Vec<Item>> {
    let doc = name(path);
    let bytes = read_bytes(path)?;
    let content = String::from_utf8(bytes)
        .map_err(|_| InputError(format!("{doc}: JSONL input must be UTF-8")))?;
    let opts = ReadOptions {
        skip_bad: false,
        labels_optional: true,
    };
    let data = read_jsonl_str(path, &content, opts)?;
    Ok(data
        .examples
        .into_iter()
        .enumerate()
        .map(|(i, e)| Item {
            id: e.id,
            doc: doc.clone(),
            paragraph: i,
            heading: String::new(),
            start: 0,
            end: 0,
            text: e.text,
        })
        .collect())
}

/// All paragraphs of one input, segmented exactly as `tag` segments them: a report file
/// (decoded, cleaned, cut into paragraphs with heading paths) or, with `jsonl`, a JSONL
/// file of paragraphs. For commands that need a whole document at once (`report`,
/// `stats`, `annotate`, `suggest`); `tag` streams instead.
pub fn items(path: &Path, jsonl: bool) -> Result<Vec<Item>> {
    if jsonl {
        return jsonl_items(path);
    }
    let doc = name(path);
    let text = read_text(path)?;
    Ok(policytag_tokenizer::Segmenter::default()
        .segment(&text)
        .into_iter()
        .map(|p| Item {
            id: None,
            doc: doc.clone(),
            paragraph: p.index,
            heading: p.heading_path(),
            start: p.start,
            end: p.end,
            text: p.text,
        })
        .collect())
}
