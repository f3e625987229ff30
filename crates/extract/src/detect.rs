//! Choosing a file's format from its content (magic bytes), with the file name as a hint
//! only where the content cannot tell.

use std::path::Path;

/// The formats a report can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Plain text in any encoding the tokenizer decodes.
    Text,
    /// A saved web page.
    Html,
    /// A Word 2007+ document.
    Docx,
    /// A PDF document (with a text layer).
    Pdf,
}

impl Format {
    /// Lower-case name as used by `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }
}

/// How many leading bytes are searched for a PDF header or an HTML tag.
const SNIFF: usize = 1024;

/// The format of `bytes`, decided by content: a PDF header (`%PDF-` at the start, or
/// later within the first KiB, as readers allow, when an object (` obj`) follows it: a
/// text that merely mentions `%PDF-` stays text), a zip archive (→ [`Format::Docx`]; a zip that is not a Word document is refused
/// later by [`crate::extract`]), or markup that starts like an HTML document. Only text
/// that does not start like HTML but comes from a `.html`/`.htm`/`.xhtml` file counts as
/// HTML because of its name. Everything else is [`Format::Text`] (whose decoding rejects
/// other binary formats).
///
/// ```
/// use policytag_extract::{detect, Format};
/// assert_eq!(detect(b"%PDF-1.7\n...", None), Format::Pdf);
/// assert_eq!(detect(b"<!DOCTYPE html><html>", Some("a.txt".as_ref())), Format::Html);
/// assert_eq!(detect("双减工作总结".as_bytes(), Some("a.pdf".as_ref())), Format::Text);
/// ```
pub fn detect(bytes: &[u8], path_hint: Option<&Path>) -> Format {
    let head = &bytes[..bytes.len().min(SNIFF)];
    if is_pdf(bytes, head) && !looks_like_html(head) {
        return Format::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Format::Docx;
    }
    if looks_like_html(head) {
        return Format::Html;
    }
    let ext = path_hint
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("html" | "htm" | "xhtml" | "shtml"))
        && policytag_tokenizer::decode::sniff_binary(bytes).is_ok()
        && head.contains(&b'<')
    {
        return Format::Html;
    }
    Format::Text
}

fn is_pdf(bytes: &[u8], head: &[u8]) -> bool {
    let Some(at) = head.windows(5).position(|w| w == b"%PDF-") else {
        return false;
    };
    if head[..at].iter().all(u8::is_ascii_whitespace) {
        return true;
    }
    let after = &bytes[at..bytes.len().min(at + 4 * SNIFF)];
    contains(after, b" obj")
}

/// Markup at the start: after an optional BOM, white space and comments, `<!doctype html`,
/// `<html`, `<head` or `<?xml … <html` (case-insensitive). UTF-16 pages are sniffed on their
/// ASCII bytes.
fn looks_like_html(head: &[u8]) -> bool {
    let ascii: Vec<u8> = head
        .iter()
        .filter(|&&b| b != 0)
        .map(u8::to_ascii_lowercase)
        .collect();
    let start = ascii.iter().position(|&b| b == b'<').filter(|&i| {
        ascii[..i]
            .iter()
            .all(|b| b.is_ascii_whitespace() || *b >= 0x80)
    });
    let Some(i) = start else {
        return false;
    };
    let rest = &ascii[i..];
    const OPENERS: [&[u8]; 5] = [b"<!doctype html", b"<html", b"<head", b"<meta", b"<body"];
    OPENERS.iter().any(|m| rest.starts_with(m))
        || ((rest.starts_with(b"<!--") || rest.starts_with(b"<?xml")) && contains(rest, b"<html"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_beats_extension() {
        assert_eq!(
            detect(b"%PDF-1.4\n%...", Some(Path::new("r.txt"))),
            Format::Pdf
        );
        assert_eq!(
            detect(b"PK\x03\x04rest", Some(Path::new("r.html"))),
            Format::Docx
        );
        assert_eq!(
            detect(b"  <!DOCTYPE HTML>\n<html>", Some(Path::new("r.docx"))),
            Format::Html
        );
        assert_eq!(
            detect("<html><body>学前教育</body></html>".as_bytes(), None),
            Format::Html
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF<html lang=zh>", Some(Path::new("x"))),
            Format::Html
        );
        assert_eq!(
            detect(b"<!-- saved --><html>", Some(Path::new("x"))),
            Format::Html
        );
    }

    #[test]
    fn text_stays_text_whatever_its_name() {
        assert_eq!(
            detect("一、总体情况\n".as_bytes(), Some(Path::new("r.pdf"))),
            Format::Text
        );
        assert_eq!(
            detect("一、总体情况\n".as_bytes(), Some(Path::new("r.docx"))),
            Format::Text
        );
        // A text that merely mentions a tag is not a page…
        assert_eq!(
            detect("说明：<p>标签".as_bytes(), Some(Path::new("r.txt"))),
            Format::Text
        );
        // …unless its name says it is one.
        assert_eq!(
            detect("<p>一、总体情况</p>".as_bytes(), Some(Path::new("r.HTM"))),
            Format::Html
        );
        // Mentioning the PDF header does not make a text a PDF…
        assert_eq!(
            detect("说明：上传文件须以 %PDF-1.4 开头。\n".as_bytes(), None),
            Format::Text
        );
        // …a header after junk, followed by objects, does.
        assert_eq!(
            detect(b"junk\r\n%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", None),
            Format::Pdf
        );
        // PNG keeps going down the text path, whose decoding refuses it.
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n", Some(Path::new("r.html"))),
            Format::Text
        );
    }
}
