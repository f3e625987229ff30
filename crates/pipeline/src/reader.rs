//! Reading a [`Source`] into paragraphs: detect the format, decode or extract, segment
//! (or, for JSONL input, take one paragraph per line).

use std::io::Read;

use policytag_data::jsonl::{read_jsonl_str, utf8, ReadOptions};
use policytag_extract::Format;
use std::sync::Arc;

use policytag_tokenizer::document::{DocumentReader, Event};
use policytag_tokenizer::stream::{sniff, Lines};
use policytag_tokenizer::{Encoding, Segmenter};

use crate::document::{
    paragraph_id, Document, DocumentHead, InputFormat, NamedDocuments, Paragraph,
};
use crate::error::{Error, Result};
use crate::source::{not_a_directory, Source};

/// How inputs are read. `Reader::default()` detects each report's format from its content
/// and segments it with the default [`Segmenter`].
#[derive(Debug, Clone, Default)]
pub struct Reader {
    format: Option<Format>,
    jsonl: bool,
    segmenter: Segmenter,
    max_paragraphs: Option<usize>,
}

impl Reader {
    /// Read reports as this format instead of detecting it (`None`, the default: detect).
    pub fn format(mut self, f: Option<Format>) -> Reader {
        self.format = f;
        self
    }

    /// Read inputs as JSONL paragraphs (`{"id"?, "text"}` per line; labels, if any, are
    /// ignored), not as reports. Default `false`.
    pub fn jsonl(mut self, yes: bool) -> Reader {
        self.jsonl = yes;
        self
    }

    /// The segmenter for reports. Default [`Segmenter::default`].
    pub fn segmenter(mut self, s: Segmenter) -> Reader {
        self.segmenter = s;
        self
    }

    /// Refuse an input with more than `n` paragraphs in [`Reader::read`] and
    /// [`Reader::read_documents`], stopping as soon as it is exceeded (so a huge input costs
    /// no more memory than `n` paragraphs). Default `None`: no limit.
    /// [`Reader::for_each`] streams and is not limited.
    pub fn max_paragraphs(mut self, n: Option<usize>) -> Reader {
        self.max_paragraphs = n;
        self
    }

    /// A whole document.
    pub fn read(&self, source: &Source) -> Result<Document> {
        let mut paragraphs = Vec::new();
        let max = self.max_paragraphs.unwrap_or(usize::MAX);
        let format = self.for_each(source, |p| {
            paragraphs.push(p);
            paragraphs.len() <= max
        })?;
        if paragraphs.len() > max {
            return Err(Error::TooManyParagraphs {
                name: source.name(),
                limit: max,
            });
        }
        Ok(Document::new(source.name(), format, paragraphs))
    }

    /// The documents of one input: a page holding several reports (`【篇一】…`, or a
    /// second report title after body text) gives one [`Document`] per report, each named
    /// by what it is (title · bureau · years · kind · date; the input's name when the page
    /// says nothing). JSONL input is one document.
    pub fn read_documents(&self, source: &Source) -> Result<Vec<Document>> {
        let whole = self.read(source)?;
        let (name, format) = (whole.name, whole.format);
        let mut groups: Vec<Vec<Paragraph>> = Vec::new();
        for p in whole.paragraphs {
            let same = groups
                .last()
                .is_some_and(|g| match (&g[0].document, &p.document) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => true,
                });
            if same {
                if let Some(g) = groups.last_mut() {
                    g.push(p);
                }
            } else {
                groups.push(vec![p]);
            }
        }
        Ok(groups
            .into_iter()
            .map(|g| {
                let head = g[0].document.clone();
                let described = head.as_ref().and_then(|h| h.describe());
                let doc_name = match (described, &head) {
                    (Some(d), _) => d,
                    (None, Some(h)) if h.index > 0 => format!("{name} #{}", h.index + 1),
                    _ => name.clone(),
                };
                Document::new(doc_name, format, g)
            })
            .collect())
    }

    /// The plain text of one report, unsegmented: decoded (text) or extracted (web page,
    /// Word, PDF; one paragraph per line), with how it was read. Errors name the input.
    pub fn text(&self, source: &Source) -> Result<(InputFormat, String)> {
        let name = source.name();
        let run = || -> Result<(InputFormat, String)> {
            let bytes = source.read_all()?;
            let format = self
                .format
                .unwrap_or_else(|| policytag_extract::detect(&bytes, source.hint()));
            Ok((format.into(), policytag_extract::extract(&bytes, format)?))
        };
        run().map_err(|e| match e {
            e @ (Error::Io { .. } | Error::Input(_) | Error::Source { .. }) => e,
            e => e.about(&name),
        })
    }

    /// The paragraphs of one input, in order, to `f` (which returns `false` to stop);
    /// returns how the input was read.
    ///
    /// A plain-text file is read in bounded memory: twice, a block at a time (the first
    /// pass finds the encoding and rejects bad bytes before any paragraph is produced).
    /// Standard input, pipes and devices (read once), in-memory bytes, web pages, Word documents, PDFs and JSONL are read
    /// whole. Errors name the input.
    pub fn for_each(
        &self,
        source: &Source,
        f: impl FnMut(Paragraph) -> bool,
    ) -> Result<InputFormat> {
        let name = source.name();
        self.for_each_inner(source, &name, f).map_err(|e| match e {
            // Already named (I/O errors name their path; "is a directory" too).
            e @ (Error::Io { .. } | Error::Input(_) | Error::Data(_) | Error::Source { .. }) => e,
            e => e.about(&name),
        })
    }

    fn for_each_inner(
        &self,
        source: &Source,
        name: &str,
        mut f: impl FnMut(Paragraph) -> bool,
    ) -> Result<InputFormat> {
        if self.jsonl {
            for p in jsonl_paragraphs(source, name)? {
                if !f(p) {
                    break;
                }
            }
            return Ok(InputFormat::Jsonl);
        }
        // Documents inside the source (a page may hold several reports), one copy of a
        // repeated article, each paragraph with its document's head.
        let mut reader = DocumentReader::new(&self.segmenter);
        let mut events = Vec::new();
        let mut head: Option<Arc<DocumentHead>> = None;
        let mut announced = None;
        let mut pass_on = |events: &mut Vec<Event>| -> bool {
            for e in events.drain(..) {
                let p = match e {
                    Event::Document(d) => {
                        announced = Some(d);
                        continue;
                    }
                    Event::Paragraph(p) => p,
                };
                if let Some(d) = announced.take() {
                    head = Some(Arc::new(DocumentHead::new(d, p.index)));
                }
                let id = paragraph_id(name, p.index, &p.text);
                let para = Paragraph {
                    doc: name.to_string(),
                    index: p.index,
                    id,
                    heading: p.heading,
                    start: p.start,
                    end: p.end,
                    text: p.text,
                    normalized: Some(p.normalized),
                    chrome_checked: p.chrome_checked,
                    document: head.clone(),
                };
                if !f(para) {
                    return false;
                }
            }
            true
        };
        // Lines are borrowed from the decoder's buffer; the input behind it is read through
        // one `dyn Read` (one call per block, not per line).
        let mut feed = |lines: &mut Lines<Box<dyn Read + '_>>| -> Result<()> {
            while let Some((line, at)) = lines.next_str()? {
                reader.line(line, at, &mut events);
                if !pass_on(&mut events) {
                    return Ok(());
                }
            }
            reader.finish(&mut events);
            pass_on(&mut events);
            Ok(())
        };
        let open = |p: &std::path::Path| -> Result<std::fs::File> {
            not_a_directory(p)?;
            std::fs::File::open(p).map_err(|source| Error::Io {
                path: p.to_path_buf(),
                source,
            })
        };
        // Anything but a regular file (a pipe, FIFO or device) is read once, whole.
        let regular = match source {
            Source::Path(p) if crate::source::is_regular(p) => Some(p),
            _ => None,
        };
        if let Some(path) = regular {
            let format = match self.format {
                Some(f) => f,
                None => {
                    let mut head = Vec::with_capacity(4096);
                    open(path)?
                        .take(4096)
                        .read_to_end(&mut head)
                        .map_err(|source| Error::Io {
                            path: path.clone(),
                            source,
                        })?;
                    policytag_extract::detect(&head, Some(path))
                }
            };
            if format == Format::Text {
                let enc = sniff(open(path)?)?;
                feed(&mut Lines::new(Box::new(open(path)?), enc))?;
                return Ok(InputFormat::Text);
            }
        }
        // Whole-document formats, standard input and bytes: extract, then segment the text.
        let bytes = source.read_all()?;
        let format = self
            .format
            .unwrap_or_else(|| policytag_extract::detect(&bytes, source.hint()));
        let text = policytag_extract::extract(&bytes, format)?;
        drop(bytes);
        feed(&mut Lines::new(Box::new(text.as_bytes()), Encoding::Utf8))?;
        Ok(format.into())
    }
}

/// The paragraphs of a JSONL input: its `"id"`s kept, [`paragraph_id`] for lines without.
fn jsonl_paragraphs(source: &Source, name: &str) -> Result<Vec<Paragraph>> {
    let bytes = source.read_all()?;
    let path = std::path::Path::new(name);
    let content = utf8(path, bytes)
        .map_err(|_| Error::Input(format!("{name}: JSONL input must be UTF-8")))?;
    let opts = ReadOptions {
        skip_bad: false,
        labels_optional: true,
    };
    let data = read_jsonl_str(path, &content, opts)?;
    // Lines that name their document (`"doc"`) carry it, so consecutive lines of one
    // document are read in its context.
    let mut named = NamedDocuments::default();
    Ok(data
        .examples
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let doc = e.doc.as_deref().map(|d| (d, 0));
            Paragraph::unsegmented(name, i, e.id, e.text, doc, &mut named)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_segmented_like_files_and_jsonl_keeps_ids() {
        let text = "一、总体情况\n全面落实“双减”，课后服务实现全覆盖。\n新建幼儿园三所。\n";
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.txt");
        std::fs::write(&p, text).unwrap();
        let from_file = Reader::default().read(&Source::path(&p)).unwrap();
        let from_bytes = Reader::default()
            .read(&Source::bytes(p.display().to_string(), text))
            .unwrap();
        assert_eq!(from_file, from_bytes);
        assert_eq!(from_file.format, InputFormat::Text);
        assert!(!from_file.paragraphs.is_empty());
        assert_eq!(from_file.paragraphs[0].heading, ["一、总体情况"]);
        let j = "{\"id\":7,\"text\":\"甲\"}\n{\"text\":\"乙\",\"labels\":[\"x\"]}\n";
        let d = Reader::default()
            .jsonl(true)
            .read(&Source::bytes("in.jsonl", j))
            .unwrap();
        let ids: Vec<&str> = d.paragraphs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["7", paragraph_id("in.jsonl", 1, "乙").as_str()]);
        assert_eq!(d.format, InputFormat::Jsonl);
    }

    #[test]
    fn max_paragraphs_stops_reading_and_names_the_input() {
        let text = "第一段。\n第二段。\n第三段。\n";
        let r = Reader::default().max_paragraphs(Some(2));
        let e = r.read(&Source::bytes("r.txt", text)).unwrap_err();
        assert_eq!(e.to_string(), "r.txt: more than 2 paragraphs");
        let r = Reader::default().max_paragraphs(Some(3));
        assert_eq!(
            r.read(&Source::bytes("r.txt", text))
                .unwrap()
                .paragraphs
                .len(),
            3
        );
    }

    #[test]
    fn text_is_the_decoded_or_extracted_report() {
        let html = "<html><body><p>一、总体情况</p><p>新建幼儿园三所。</p></body></html>";
        let (f, t) = Reader::default()
            .text(&Source::bytes("r.html", html))
            .unwrap();
        assert_eq!(f, InputFormat::Html);
        assert!(t.contains("新建幼儿园三所。") && !t.contains("<p>"), "{t}");
        let gbk = [0xd1u8, 0xa7, 0xc7, 0xb0, 0xbd, 0xcc, 0xd3, 0xfd, b'\n']; // 学前教育
        let (f, t) = Reader::default()
            .text(&Source::bytes("g.txt", gbk))
            .unwrap();
        assert_eq!((f, t.as_str()), (InputFormat::Text, "学前教育\n"));
        let e = Reader::default()
            .text(&Source::path("no/such/report.docx"))
            .unwrap_err();
        assert!(e.to_string().contains("no/such/report.docx") && e.is_bad_input());
    }

    #[test]
    fn errors_name_the_input() {
        let e = Reader::default()
            .jsonl(true)
            .read(&Source::bytes("bad.jsonl", "{\"text\":1}\n"))
            .unwrap_err();
        assert!(e.to_string().starts_with("bad.jsonl:1: "), "{e}");
        assert!(e.is_bad_input());
        let e = Reader::default()
            .read(&Source::path("no/such/file.txt"))
            .unwrap_err();
        assert!(
            e.to_string().contains("no/such/file.txt") && e.is_bad_input(),
            "{e}"
        );
    }
}
