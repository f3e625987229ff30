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
                doc: None,
                id: None,
                text: fasttext_unescape(rest),
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

/// A token of a text that fastText would take for a label (`__label__x`), or one that an
/// escape made (`\__label__x`): any number of `\` then the label prefix.
fn looks_like_label(token: &str) -> bool {
    token.trim_start_matches('\\').starts_with("__label__")
}

/// Put a `\` before every token of `text` that looks like a label (tokens are separated
/// by white space, which is kept as it is).
pub fn fasttext_escape(text: &str) -> String {
    map_tokens(text, |t, out| {
        if looks_like_label(t) {
            out.push('\\');
        }
        out.push_str(t);
    })
}

/// Undo [`fasttext_escape`]: remove one `\` before such tokens.
pub fn fasttext_unescape(text: &str) -> String {
    map_tokens(text, |t, out| match t.strip_prefix('\\') {
        Some(rest) if looks_like_label(rest) => out.push_str(rest),
        _ => out.push_str(t),
    })
}

fn map_tokens(text: &str, mut f: impl FnMut(&str, &mut String)) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while !rest.is_empty() {
        let ws = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..ws]);
        rest = &rest[ws..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if end > 0 {
            f(&rest[..end], &mut out);
        }
        rest = &rest[end..];
    }
    out
}

/// fastText lines `__label__a __label__b text`. `texts` replaces each item's text (e.g. with
/// space-separated tokens); line breaks become spaces either way. Items whose text is blank
/// have no fastText line (fastText, and our import, need a text): they are left out and
/// their source lines returned.
pub fn write_fasttext(
    path: &Path,
    items: &[ExportItem],
    texts: Option<&[String]>,
) -> Result<(String, Vec<usize>)> {
    let mut s = String::new();
    let mut left_out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let text = texts.map_or(it.example.text.as_str(), |t| t[i].as_str());
        let text = one_line(text);
        let text = text.trim();
        if text.is_empty() {
            left_out.push(it.line);
            continue;
        }
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
        s += &fasttext_escape(text);
        s.push('\n');
    }
    Ok((s, left_out))
}
