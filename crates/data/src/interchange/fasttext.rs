//! fastText supervised-training lines: `__label__a __label__b text` per line.

use std::path::Path;

use super::{ExportItem, Loc};
use crate::error::{Error, Result};
use crate::jsonl::Example;

pub(super) fn parse_fasttext(path: &Path, content: &str) -> Result<Vec<(Loc, Example)>> {
    let mut out = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let loc = Loc::Line(i + 1);
        let mut rest = line.trim_start_matches('\u{FEFF}').trim();
        if rest.is_empty() {
            continue;
        }
        let mut labels = Vec::new();
        while let Some(r) = rest.strip_prefix("__label__") {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            if end == 0 {
                return Err(loc.error(path, "empty label after __label__".into()));
            }
            labels.push(r[..end].to_string());
            rest = r[end..].trim_start();
        }
        if rest.is_empty() {
            return Err(loc.error(path, "no text after the labels".into()));
        }
        out.push((
            loc,
            Example {
                id: None,
                text: rest.to_string(),
                labels,
            },
        ));
    }
    Ok(out)
}

/// A text on one line: every line break (CR, LF, CRLF, U+0085, U+2028, U+2029) becomes a
/// space.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// fastText lines `__label__a __label__b text`. `texts` replaces each item's text (e.g. with
/// space-separated tokens); line breaks become spaces either way.
pub fn write_fasttext(
    path: &Path,
    items: &[ExportItem],
    texts: Option<&[String]>,
) -> Result<String> {
    let mut s = String::new();
    for (i, it) in items.iter().enumerate() {
        for l in &it.example.labels {
            if l.chars().any(char::is_whitespace) {
                return Err(Error::Jsonl {
                    path: path.to_path_buf(),
                    line: it.line,
                    msg: format!("label {l:?} contains white space, which fastText cannot hold"),
                });
            }
            s += "__label__";
            s += l;
            s.push(' ');
        }
        let text = texts.map_or(it.example.text.as_str(), |t| t[i].as_str());
        s += one_line(text).trim();
        s.push('\n');
    }
    Ok(s)
}
