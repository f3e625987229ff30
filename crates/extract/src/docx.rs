//! Word (.docx) documents: the paragraphs of `word/document.xml`, in order.
//!
//! Runs are joined; a table becomes one line per row (cells separated by a space); text
//! boxes give lines of their own. Headers, footers, comments and footnotes live in other
//! parts of the package and are not read; deleted text (tracked changes) and field codes
//! are skipped, as is the fallback copy of alternate content.

use std::io::Cursor;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{Error, Result};
use crate::layout::is_line_break;

/// Largest `word/document.xml` read (a guard against zip bombs): 64 MiB, a hundred times
/// the largest report seen. Past it the document is refused, never cut.
pub const MAX_XML: u64 = policytag_tokenizer::limits::EXTRACTED;

/// The text of a .docx file, one paragraph per line.
pub fn extract(bytes: &[u8]) -> Result<String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Error::Zip(e.to_string()))?;
    let xml;
    {
        let entry = match zip.by_name("word/document.xml") {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Err(Error::NotDocx),
            Err(e) => return Err(Error::Zip(e.to_string())),
        };
        let bytes = policytag_tokenizer::limits::read_to_end(entry, MAX_XML, "word/document.xml")
            .map_err(|e| match e {
            policytag_tokenizer::Error::TooLarge { limit, .. } => Error::TooLarge {
                what: "word/document.xml".into(),
                limit,
            },
            e => Error::Zip(format!("word/document.xml: {e}")),
        })?;
        xml = String::from_utf8(bytes).map_err(|e| {
            Error::Xml(format!(
                "not UTF-8 at byte {}",
                e.utf8_error().valid_up_to()
            ))
        })?;
    }
    document_text(&xml)
}

/// Where text currently goes.
#[derive(Default)]
struct State {
    /// Open paragraphs (text boxes nest paragraphs inside paragraphs).
    paras: Vec<String>,
    /// Open table rows: cells finished so far and the current cell's text.
    rows: Vec<(Vec<String>, String)>,
    /// Inside `<w:t>`.
    in_text: bool,
    /// Depth inside skipped elements (`mc:Fallback`, `w:del`, `w:instrText`).
    skip: usize,
    out: String,
}

impl State {
    fn emit(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        self.out.push_str(line);
        self.out.push('\n');
    }

    /// Text into the open paragraph. A line break inside `<w:t>` (a literal newline, or
    /// `&#10;`) is white space to Word; kept, it would split the paragraph across lines.
    fn push(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.extend(s.chars().map(|c| if is_line_break(c) { ' ' } else { c }));
        }
    }

    /// A paragraph ended: into the open table cell, if any, else out.
    fn end_para(&mut self) {
        let Some(p) = self.paras.pop() else { return };
        if self.paras.is_empty() {
            if let Some((_, cell)) = self.rows.last_mut() {
                if !cell.is_empty() && !p.trim().is_empty() {
                    cell.push(' ');
                }
                cell.push_str(p.trim());
                return;
            }
        }
        self.emit(&p);
    }

    fn end_row(&mut self) {
        if let Some((cells, _)) = self.rows.pop() {
            let cells: Vec<&str> = cells
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            let line = cells.join(" ");
            // A row of a nested table is a line of the outer cell.
            match self.rows.last_mut() {
                Some((_, cell)) if !line.is_empty() => {
                    if !cell.is_empty() {
                        cell.push(' ');
                    }
                    cell.push_str(&line);
                }
                _ => self.emit(&line),
            }
        }
    }
}

/// The text of a `word/document.xml`, one paragraph per line.
pub fn document_text(xml: &str) -> Result<String> {
    let mut reader = Reader::from_str(xml);
    let mut st = State::default();
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| Error::Xml(format!("at byte {}: {e}", reader.error_position())))?;
        match ev {
            Event::Start(e) => {
                let name = e.name();
                let local = e.local_name();
                if st.skip > 0 || is_skipped(name.as_ref()) {
                    st.skip += 1;
                    continue;
                }
                match local.as_ref() {
                    b"p" => st.paras.push(String::new()),
                    b"t" => st.in_text = true,
                    b"tr" => st.rows.push(Default::default()),
                    _ => {}
                }
            }
            Event::End(e) => {
                if st.skip > 0 {
                    st.skip -= 1;
                    continue;
                }
                match e.local_name().as_ref() {
                    b"p" => st.end_para(),
                    b"t" => st.in_text = false,
                    b"tc" => {
                        if let Some((cells, cell)) = st.rows.last_mut() {
                            cells.push(std::mem::take(cell));
                        }
                    }
                    b"tr" => st.end_row(),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if st.skip > 0 {
                    continue;
                }
                match e.local_name().as_ref() {
                    b"tab" => st.push(" "),
                    // A manual line break (not a page or column break) separates lines.
                    b"br" | b"cr" => {
                        let typed = e
                            .try_get_attribute("w:type")
                            .ok()
                            .flatten()
                            .is_some_and(|a| a.value.as_ref() != b"textWrapping");
                        if !typed {
                            if let Some(p) = st.paras.last_mut() {
                                let line = std::mem::take(p);
                                if st.paras.len() == 1 && st.rows.is_empty() {
                                    st.emit(&line);
                                } else {
                                    st.push(&line);
                                    st.push(" ");
                                }
                            }
                        }
                    }
                    b"p" => {}
                    _ => {}
                }
            }
            Event::Text(t) if st.in_text && st.skip == 0 => {
                let s = t
                    .unescape()
                    .map_err(|e| Error::Xml(format!("bad text: {e}")))?;
                st.push(&s);
            }
            Event::CData(t) if st.in_text && st.skip == 0 => {
                st.push(&String::from_utf8_lossy(&t));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if st.out.is_empty() && !xml.contains("document") {
        return Err(Error::Xml("no w:document element".into()));
    }
    Ok(st.out)
}

/// Elements whose content is not the document's visible text.
fn is_skipped(qname: &[u8]) -> bool {
    matches!(
        qname,
        b"mc:Fallback" | b"w:del" | b"w:instrText" | b"w:delText" | b"w:commentReference"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
    }

    #[test]
    fn runs_join_into_paragraphs() {
        let x = doc(
            r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>一、</w:t></w:r><w:r><w:t xml:space="preserve">总体</w:t></w:r><w:r><w:t>情况</w:t></w:r></w:p>
            <w:p/><w:p><w:r><w:t>落实&lt;双减&gt;&amp;课后服务。</w:t></w:r></w:p>"#,
        );
        assert_eq!(
            document_text(&x).unwrap(),
            "一、总体情况\n落实<双减>&课后服务。\n"
        );
    }

    #[test]
    fn tables_row_by_row() {
        let x = doc(r#"<w:p><w:r><w:t>表1</w:t></w:r></w:p><w:tbl><w:tblPr/>
            <w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>数量</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>新建</w:t></w:r></w:p><w:p><w:r><w:t>幼儿园</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>3所</w:t></w:r></w:p></w:tc></w:tr>
            </w:tbl><w:p><w:r><w:t>表后</w:t></w:r></w:p>"#);
        assert_eq!(
            document_text(&x).unwrap(),
            "表1\n项目 数量\n新建 幼儿园 3所\n表后\n"
        );
    }

    #[test]
    fn deleted_text_field_codes_and_fallbacks_are_skipped() {
        let x = doc(
            r#"<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>
            <w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>文字</w:t></w:r></w:p>
            <w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        );
        assert_eq!(document_text(&x).unwrap(), "保留文字\n文本框\n");
    }

    #[test]
    fn line_breaks_and_tabs() {
        let x = doc(
            r#"<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>续</w:t><w:br w:type="page"/></w:r></w:p>"#,
        );
        assert_eq!(document_text(&x).unwrap(), "第一行\n第二行 续\n");
    }

    #[test]
    fn line_breaks_inside_text_do_not_split_the_paragraph() {
        // Found by `make fuzz` (docx): a newline inside <w:t> gave a line " b".
        let x = doc(
            "<w:p><w:r><w:t>甲\n乙</w:t><w:t>丙\r\n</w:t><w:t>&#10; 丁&#x2028;</w:t></w:r></w:p>\
             <w:p><w:r><w:t><![CDATA[戊\n\n己]]></w:t></w:r></w:p>",
        );
        assert_eq!(document_text(&x).unwrap(), "甲 乙丙    丁\n戊  己\n");
    }

    #[test]
    fn a_document_over_the_cap_is_refused_not_cut() {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("word/document.xml", opts).unwrap();
            let head = doc("<w:p><w:r><w:t>");
            z.write_all(head.as_bytes()).unwrap();
            let block = vec![b'x'; 1 << 20];
            for _ in 0..=(MAX_XML >> 20) {
                z.write_all(&block).unwrap();
            }
            z.finish().unwrap();
        }
        let e = extract(buf.get_ref()).unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("64 MiB"), "{e}");
    }

    #[test]
    fn malformed_xml_is_an_error() {
        let e = document_text("<w:document><w:body><w:p></w:body>").unwrap_err();
        assert!(matches!(e, Error::Xml(_)), "{e}");
    }
}
