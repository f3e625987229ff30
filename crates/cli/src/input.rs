//! Reading inputs: report files (decoded and segmented) and JSONL paragraph files.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use policytag_extract::Format;
use policytag_model::data::{read_jsonl_str, ReadOptions};
use policytag_tokenizer::limits;
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

/// Read all bytes of a file or of stdin (`-`), up to [`limits::DOCUMENT`] (standard input,
/// pipes and devices: [`limits::TEXT`]).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        return limits::read_to_end(std::io::stdin(), limits::TEXT, "standard input")
            .context("reading standard input");
    }
    if path.is_dir() {
        return Err(InputError(format!("{}: is a directory, not a file", path.display())).into());
    }
    let (limit, what) = if is_regular(path) {
        (limits::DOCUMENT, "a file read whole")
    } else {
        (limits::TEXT, "a pipe or device read whole")
    };
    limits::read_file(path, limit, what).with_context(|| format!("reading {}", path.display()))
}

/// True for a regular file (which can be opened more than once); false for pipes, FIFOs,
/// devices (`/dev/stdin`) and paths that do not exist.
fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
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
/// Standard input, pipes, FIFOs and devices (which can be read only once), web pages, Word
/// documents and PDFs are read whole (the latter three are
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
    // Anything but a regular file is read once, whole, like standard input.
    let stdin = path.as_os_str() == "-" || (!is_regular(path) && !path.is_dir() && path.exists());
    let open = || -> Result<std::fs::File> {
        if path.is_dir() {
            return Err(
                InputError(format!("{}: is a directory, not a file", path.display())).into(),
            );
        }
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))
    };
    let given = format;
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
        let text = read_text(path, given.or((!stdin).then_some(format)))?;
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
