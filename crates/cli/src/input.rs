//! Reading inputs: report files (decoded and segmented) and JSONL paragraph files.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use policytag_extract::Format;
use policytag_model::data::{read_jsonl_str, ReadOptions};
use policytag_tokenizer::stream::{sniff, Lines};

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

/// Files of a folder that are read as reports (JSONL with `jsonl`).
fn is_report_file(path: &Path, jsonl: bool) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jsonl") => jsonl,
        Some("txt" | "html" | "htm" | "docx" | "pdf") => !jsonl,
        _ => false,
    }
}

/// Inputs with folders replaced by the report files inside them (recursively, sorted by
/// path); files and `-` are kept as given. A folder without report files is an error.
pub fn expand(paths: &[PathBuf], jsonl: bool) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, jsonl: bool, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("reading {}", dir.display()))?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, jsonl, out)?;
            } else if is_report_file(&p, jsonl) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() != "-" && p.is_dir() {
            let before = out.len();
            walk(p, jsonl, &mut out)?;
            if out.len() == before {
                return Err(
                    InputError(format!("{}: no report files in this folder", p.display())).into(),
                );
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
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

/// Stream the paragraphs of one report to `f`, in order, as `tag` segments them. `format`
/// is the report's format (`--input-format`); `None` detects it from the first bytes.
///
/// Plain text is read in bounded memory: a file is read twice a block at a time (the first
/// pass finds the encoding and rejects bad bytes before any paragraph is produced).
/// Standard input, web pages, Word documents and PDFs are read whole (the latter three are
/// extracted by `policytag_extract` first). `f` returns `false` to stop early. Returns the
/// number of paragraphs produced.
pub fn for_each_paragraph(
    path: &Path,
    format: Option<Format>,
    mut f: impl FnMut(Item) -> bool,
) -> Result<usize> {
    let doc = name(path);
    let seg = policytag_tokenizer::Segmenter::default();
    let mut state = seg.stream();
    let mut paras = Vec::new();
    let mut count = 0usize;
    let mut feed = |lines: &mut dyn FnMut() -> Result<Option<(String, usize)>>| -> Result<()> {
        while let Some((line, at)) = lines()? {
            state.line(&line, at, &mut paras);
            for p in paras.drain(..) {
                count += 1;
                let item = Item {
                    doc: doc.clone(),
                    paragraph: p.index,
                    heading: p.heading_path(),
                    start: p.start,
                    end: p.end,
                    text: p.text,
                    id: None,
                };
                if !f(item) {
                    return Ok(());
                }
            }
        }
        Ok(())
    };
    let stdin = path.as_os_str() == "-";
    let open = || -> Result<std::fs::File> {
        if path.is_dir() {
            return Err(
                InputError(format!("{}: is a directory, not a file", path.display())).into(),
            );
        }
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))
    };
    let format = match format {
        Some(f) => f,
        None if stdin => Format::Text, // decided below, once the bytes are read
        None => {
            let mut head = Vec::with_capacity(4096);
            open()?.take(4096).read_to_end(&mut head)?;
            policytag_extract::detect(&head, Some(path))
        }
    };
    if format == Format::Text && !stdin {
        let enc = sniff(open()?).with_context(|| doc.clone())?;
        let mut lines = Lines::new(open()?, enc);
        let ctx = doc.clone();
        feed(&mut || lines.next_line().with_context(|| ctx.clone()))?;
    } else {
        // Whole-document formats (and stdin): extract, then segment the text.
        let text = read_text(path, (!stdin).then_some(format))?;
        let mut lines = Lines::new(text.as_bytes(), policytag_tokenizer::Encoding::Utf8);
        let ctx = doc.clone();
        feed(&mut || lines.next_line().with_context(|| ctx.clone()))?;
    }
    Ok(count)
}

/// A report file as plain text with one paragraph per line: its format is `format`, or
/// (with `None`, i.e. `--input-format auto`) detected from its content; text is decoded,
/// web pages, Word documents and PDFs are extracted (`policytag_extract`).
pub fn read_text(path: &Path, format: Option<Format>) -> Result<String> {
    let bytes = read_bytes(path)?;
    let hint = (path.as_os_str() != "-").then_some(path);
    let format = format.unwrap_or_else(|| policytag_extract::detect(&bytes, hint));
    let text = policytag_extract::extract(&bytes, format).with_context(|| name(path))?;
    Ok(text)
}

/// All paragraphs of one input, segmented exactly as `tag` segments them: a report file
/// (decoded, cleaned, cut into paragraphs with heading paths) or, with `jsonl`, a JSONL
/// file of paragraphs. For commands that need a whole document at once (`report`,
/// `stats`, `annotate`, `suggest`); `tag` streams instead.
///
/// `format` is the report's format (from `--input-format`, see
/// [`crate::args::InputFormatArg::format`]); `None` detects it from the content. It is
/// ignored for JSONL input.
pub fn items(path: &Path, jsonl: bool, format: Option<Format>) -> Result<Vec<Item>> {
    if jsonl {
        return jsonl_items(path);
    }
    let mut out = Vec::new();
    for_each_paragraph(path, format, |it| {
        out.push(it);
        true
    })?;
    Ok(out)
}
