//! Documents and their paragraphs: the one paragraph type every command and front end uses.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use sha2::{Digest, Sha256};

/// How a document was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Plain text (UTF-8, UTF-16 with BOM, GBK/GB18030).
    Text,
    /// A saved web page.
    Html,
    /// A Word 2007+ document.
    Docx,
    /// A PDF with a text layer.
    Pdf,
    /// JSONL paragraphs, one `{"id"?, "text"}` per line (not segmented).
    Jsonl,
}

impl From<policytag_extract::Format> for InputFormat {
    fn from(f: policytag_extract::Format) -> InputFormat {
        use policytag_extract::Format;
        match f {
            Format::Text => InputFormat::Text,
            Format::Html => InputFormat::Html,
            Format::Docx => InputFormat::Docx,
            Format::Pdf => InputFormat::Pdf,
        }
    }
}

/// What a document is: who wrote it, about when, what kind of report. Every field is
/// optional; empty fields are left out of JSON. Found by
/// [`policytag_tokenizer::document`] from the document's title, its page chrome and its
/// first paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DocumentMeta {
    /// The issuing bureau (`麻章区教育局`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bureau: Option<String>,
    /// Its region, in simplified script (`柳南区`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Years the report covers, ascending.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<u16>,
    /// Kind of report (`summary`, `plan`, `summary+plan`, `half-year`, `special`,
    /// `self-inspection`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Publication date as the page shows it (ISO 8601 when known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One paragraph of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// The document's name (its path, or `-`).
    pub doc: String,
    /// Position in the document, from 0.
    pub index: usize,
    /// Stable id: the input's own (a JSONL `"id"`), else [`paragraph_id`].
    pub id: String,
    /// Headings it stands under, outermost first (empty for JSONL input).
    pub heading: Vec<String>,
    /// Character offset of its first character in the decoded document (0 for JSONL input).
    pub start: usize,
    /// Character offset one past its last character (0 for JSONL input).
    pub end: usize,
    /// The text, exactly as in the document.
    pub text: String,
    /// The text through the default normaliser
    /// ([`policytag_tokenizer::normalize::normalized`]: full width folded, traditional script
    /// simplified), when the reader already has it (segmented reports), so tagging does not
    /// normalise it again; `None` otherwise. Whoever changes `text` must reset it.
    pub normalized: Option<String>,
    /// Whether the reader's chrome rules found `normalized` is not web-page chrome (a
    /// segmented report's paragraph, checked as it was kept), so tagging need not check
    /// again; `false` when unknown. Whoever changes `text` must reset it.
    pub chrome_checked: bool,
    /// The document of the source it belongs to (a page may hold several), with what that
    /// document is; `None` for JSONL input and texts tagged on their own.
    pub document: Option<Arc<DocumentHead>>,
}

/// One document of a source, as its paragraphs carry it: its position among the source's
/// documents, its title and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentHead {
    /// Position among the documents of the source, from 0.
    pub index: usize,
    /// Index of its first paragraph in the source.
    pub first: usize,
    /// Its title (a part of a multi-report page: the page's title and its `【篇N】`).
    pub title: Option<String>,
    /// What it is.
    pub meta: DocumentMeta,
}

impl DocumentHead {
    /// From the tokenizer's document (metadata in simplified script) whose first paragraph
    /// is paragraph `first` of the source.
    pub fn new(d: policytag_tokenizer::document::Document, first: usize) -> DocumentHead {
        let m = d.metadata;
        DocumentHead {
            index: d.index,
            first,
            title: m.title,
            meta: DocumentMeta {
                bureau: m.bureau,
                region: m.region,
                years: m.years,
                kind: m.kind.map(|k| k.as_str().to_string()),
                date: m.date,
            },
        }
    }

    /// One line for people: title · bureau · years · kind · date (what is known), or
    /// `None` when nothing is.
    pub fn describe(&self) -> Option<String> {
        let m = &self.meta;
        if self.title.is_none() && m.bureau.is_none() && m.years.is_empty() {
            return None;
        }
        let mut parts = vec![self.title.clone().unwrap_or_else(|| "(untitled)".into())];
        parts.extend(m.bureau.clone());
        if !m.years.is_empty() {
            let years: Vec<String> = m.years.iter().map(u16::to_string).collect();
            parts.push(years.join("–"));
        }
        parts.extend(m.kind.clone());
        parts.extend(m.date.clone());
        Some(parts.join(" · "))
    }

    /// About how many bytes [`DocumentHead::write_json_fields`] writes (at least that many
    /// for text without escapes).
    pub(crate) fn json_len_hint(&self) -> usize {
        let m = &self.meta;
        let texts = [
            self.title.as_deref(),
            m.bureau.as_deref(),
            m.region.as_deref(),
            m.kind.as_deref(),
            m.date.as_deref(),
        ];
        128 + texts.iter().flatten().map(|t| t.len() + 2).sum::<usize>() + 6 * m.years.len()
    }

    /// Append `,"document":N,"doc_title":…,"doc_bureau":…,"doc_region":…,"doc_years":[…],
    /// "doc_kind":…,"doc_date":…` (unknown values `null`): the bytes serde_json writes for
    /// these fields, by hand for `tag`'s hot path.
    pub fn write_json_fields(&self, out: &mut String) {
        use crate::tagged::json_str;
        let opt = |out: &mut String, key: &str, v: Option<&str>| {
            out.push_str(",\"");
            out.push_str(key);
            out.push_str("\":");
            match v {
                Some(v) => json_str(out, v),
                None => out.push_str("null"),
            }
        };
        use std::fmt::Write;
        out.push_str(",\"document\":");
        let _ = write!(out, "{}", self.index);
        let m = &self.meta;
        opt(out, "doc_title", self.title.as_deref());
        opt(out, "doc_bureau", m.bureau.as_deref());
        opt(out, "doc_region", m.region.as_deref());
        out.push_str(",\"doc_years\":[");
        for (k, y) in m.years.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "{y}");
        }
        out.push(']');
        opt(out, "doc_kind", m.kind.as_deref());
        opt(out, "doc_date", m.date.as_deref());
    }

    /// Serialize the same fields into a struct being serialized.
    pub(crate) fn serialize_fields<S: SerializeStruct>(&self, st: &mut S) -> Result<(), S::Error> {
        let m = &self.meta;
        st.serialize_field("document", &self.index)?;
        st.serialize_field("doc_title", &self.title)?;
        st.serialize_field("doc_bureau", &m.bureau)?;
        st.serialize_field("doc_region", &m.region)?;
        st.serialize_field("doc_years", &m.years)?;
        st.serialize_field("doc_kind", &m.kind)?;
        st.serialize_field("doc_date", &m.date)
    }
}

impl Paragraph {
    /// The heading path joined for display: `一、… › （二）…`.
    pub fn heading_path(&self) -> String {
        self.heading.join(crate::tagged::HEADING_SEP)
    }

    /// A paragraph that comes as it is rather than from segmenting a document (a JSONL line,
    /// a text): item `index` of source `name`, with its own `id` if it has one (else
    /// [`paragraph_id`] of `name`), and the document it names — `(name, position among the
    /// source's documents)` — if any, whose name becomes its `doc`; consecutive paragraphs
    /// naming the same document share one head through `named`.
    pub fn unsegmented(
        name: &str,
        index: usize,
        id: Option<String>,
        text: String,
        document: Option<(&str, usize)>,
        named: &mut NamedDocuments,
    ) -> Paragraph {
        Paragraph {
            id: id.unwrap_or_else(|| paragraph_id(name, index, &text)),
            doc: document.map_or(name, |(d, _)| d).to_string(),
            index,
            heading: Vec::new(),
            start: 0,
            end: 0,
            document: document.map(|(d, k)| named.head(d, k, index)),
            text,
            normalized: None,
            chrome_checked: false,
        }
    }

    /// The document it is read in the context of ([`policytag_model::context`]): its source
    /// and its document's position there; `None` for a paragraph with no document (a JSONL
    /// line without `"doc"`, a text tagged on its own), which is read alone.
    pub fn context_key(&self) -> Option<(&str, usize)> {
        self.document.as_ref().map(|d| (self.doc.as_str(), d.index))
    }
}

/// One [`DocumentHead`] per run of consecutive paragraphs that name the same document
/// (JSONL lines with a `"doc"`, table rows with a document column) instead of coming from
/// segmenting it: such a document has no title or metadata, only its name and position.
#[derive(Debug, Default)]
pub struct NamedDocuments {
    last: Option<(String, usize, Arc<DocumentHead>)>,
}

impl NamedDocuments {
    /// The head of document `doc` (its `index`-th in the source) for its paragraph at
    /// position `at`: the same head as the previous paragraph's when that named the same
    /// document, else a new one starting at `at`.
    pub fn head(&mut self, doc: &str, index: usize, at: usize) -> Arc<DocumentHead> {
        match &self.last {
            Some((d, i, h)) if d == doc && *i == index => h.clone(),
            _ => {
                let h = Arc::new(DocumentHead {
                    index,
                    first: at,
                    title: None,
                    meta: DocumentMeta::default(),
                });
                self.last = Some((doc.to_string(), index, h.clone()));
                h
            }
        }
    }
}

/// JSON: `{"id","doc","paragraph","start","end","heading","text"}` with the heading path
/// joined by ` › ` (what `policytag segment --format jsonl` writes); a paragraph of a
/// segmented report also has, after `doc`, its document's fields (`document`, `doc_title`,
/// `doc_bureau`, `doc_region`, `doc_years`, `doc_kind`, `doc_date`).
impl Serialize for Paragraph {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = if self.document.is_some() { 14 } else { 7 };
        let mut st = s.serialize_struct("Paragraph", n)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("doc", &self.doc)?;
        if let Some(d) = &self.document {
            d.serialize_fields(&mut st)?;
        }
        st.serialize_field("paragraph", &self.index)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.serialize_field("heading", &self.heading_path())?;
        st.serialize_field("text", &self.text)?;
        st.end()
    }
}

/// The id of a paragraph that came without one: `NAME#INDEX-HASH`, from the document's
/// file name (without folders), the paragraph's index and the first 8 hex digits of the
/// SHA-256 of its text. The same paragraph of the same file gets the same id on every run,
/// so `annotate` resumes, `suggest` rows join back, and `tag` output joins to labels.
///
/// ```
/// let id = policytag_pipeline::paragraph_id("reports/a.txt", 3, "学前教育");
/// assert!(id.starts_with("a.txt#3-") && id.len() == "a.txt#3-".len() + 8);
/// ```
pub fn paragraph_id(doc: &str, index: usize, text: &str) -> String {
    use std::fmt::Write;
    let name = std::path::Path::new(doc)
        .file_name()
        .map_or(std::borrow::Cow::Borrowed(doc), |n| n.to_string_lossy());
    let hash = Sha256::digest(text.as_bytes());
    let mut id = String::with_capacity(name.len() + 30);
    id.push_str(&name);
    id.push('#');
    let _ = write!(id, "{index}");
    id.push('-');
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in &hash[..4] {
        id.push(HEX[(b >> 4) as usize] as char);
        id.push(HEX[(b & 15) as usize] as char);
    }
    id
}

/// A whole document: what it is and its paragraphs — [`Paragraph`]s as read, or (as
/// [`TaggedDocument`](crate::TaggedDocument)) tagged paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Document<P = Paragraph> {
    /// Its name (the path as given, or `-`).
    pub name: String,
    /// How it was read.
    pub format: InputFormat,
    /// Its title, when one is recognised (a short first line that is not a sentence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it is.
    pub meta: DocumentMeta,
    /// Its paragraphs, in order.
    pub paragraphs: Vec<P>,
}

impl<P> Document<P> {
    /// The same document with its paragraphs replaced by `f` of them (e.g. tagged).
    pub fn map<Q>(self, f: impl FnOnce(Vec<P>) -> Vec<Q>) -> Document<Q> {
        Document {
            name: self.name,
            format: self.format,
            title: self.title,
            meta: self.meta,
            paragraphs: f(self.paragraphs),
        }
    }
}

impl Document {
    /// A document of these paragraphs; the title and the years it names are taken from
    /// the first paragraph when that looks like a title.
    pub fn new(name: String, format: InputFormat, paragraphs: Vec<Paragraph>) -> Document {
        if let Some(head) = paragraphs.first().and_then(|p| p.document.clone()) {
            return Document {
                name,
                format,
                title: head.title.clone(),
                meta: head.meta.clone(),
                paragraphs,
            };
        }
        let title = paragraphs
            .first()
            .filter(|p| format != InputFormat::Jsonl && looks_like_title(&p.text))
            .map(|p| p.text.trim().to_string());
        let meta = DocumentMeta {
            years: title.as_deref().map(years).unwrap_or_default(),
            ..DocumentMeta::default()
        };
        Document {
            name,
            format,
            title,
            meta,
            paragraphs,
        }
    }
}

/// A short line without sentence punctuation that names a report (工作总结, 计划, 要点, …).
fn looks_like_title(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 60
        && !t.chars().any(|c| "。；;！!？?".contains(c))
        && ["总结", "计划", "要点", "报告", "汇报", "工作"]
            .iter()
            .any(|w| t.contains(w))
}

/// Years 1990–2099 written as four digits followed by 年, ascending and unique.
fn years(text: &str) -> Vec<u16> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<u16> = chars
        .windows(5)
        .filter(|w| w[4] == '年' && w[..4].iter().all(char::is_ascii_digit))
        .filter_map(|w| w[..4].iter().collect::<String>().parse().ok())
        .filter(|y| (1990..2100).contains(y))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Paragraph {
        Paragraph {
            doc: "a.txt".into(),
            index: 0,
            id: paragraph_id("a.txt", 0, text),
            heading: vec!["一、总体".into(), "（二）双减".into()],
            start: 0,
            end: text.chars().count(),
            text: text.into(),
            normalized: None,
            chrome_checked: false,
            document: None,
        }
    }

    #[test]
    fn ids_depend_on_file_name_index_and_text_only() {
        let a = paragraph_id("reports/a.txt", 3, "学前教育");
        assert_eq!(a, paragraph_id("other/dir/a.txt", 3, "学前教育"));
        assert_ne!(a, paragraph_id("a.txt", 4, "学前教育"));
        assert_ne!(a, paragraph_id("a.txt", 3, "学前教育。"));
    }

    #[test]
    fn paragraph_json_joins_the_heading_path() {
        let j = serde_json::to_string(&para("课后服务")).unwrap();
        assert!(j.starts_with("{\"id\":\"a.txt#0-"), "{j}");
        assert!(j.ends_with("\",\"doc\":\"a.txt\",\"paragraph\":0,\"start\":0,\"end\":4,\"heading\":\"一、总体 › （二）双减\",\"text\":\"课后服务\"}"), "{j}");
    }

    #[test]
    fn title_and_years_from_a_title_line_only() {
        let d = Document::new(
            "a.txt".into(),
            InputFormat::Text,
            vec![para("某区教育局2021年工作总结和2022年工作计划")],
        );
        assert_eq!(
            d.title.as_deref(),
            Some("某区教育局2021年工作总结和2022年工作计划")
        );
        assert_eq!(d.meta.years, [2021, 2022]);
        let d = Document::new(
            "a.txt".into(),
            InputFormat::Text,
            vec![para("全面落实双减工作。")],
        );
        assert_eq!((d.title, d.meta.years), (None, vec![]));
    }
}
