//! PDF documents with a text layer: glyphs with positions (from `pdf-extract`, which maps
//! CJK fonts to Unicode through their ToUnicode CMaps), grouped into lines in reading
//! order (top to bottom), then re-joined into paragraphs by [`crate::layout`].
//!
//! A PDF whose pages carry no text at all is a scan: [`Error::NoTextLayer`].

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use crate::error::{Error, Result};
use crate::layout::{is_line_break, paragraphs, Line};

/// One glyph as drawn.
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    x: f64,
    end: f64,
    y: f64,
    size: f64,
}

/// Collects the glyphs of each page.
#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> std::result::Result<(), OutputError> {
        self.pages.push(Vec::new());
        Ok(())
    }
    fn end_page(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> std::result::Result<(), OutputError> {
        // The text rendering matrix scales the font size; its area factor gives the size
        // on the page whatever the rotation.
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = font_size * scale;
        let (x, y) = (trm.m31, trm.m32);
        if let Some(page) = self.pages.last_mut() {
            page.push(Glyph {
                text: char.to_string(),
                x,
                end: x + width * size,
                y,
                size,
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
}

thread_local! {
    /// Set while this thread runs the PDF reader: its panics are caught and reported as
    /// errors, so the default hook must not print them.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Run `f`, turning a panic into an error message.
///
/// `pdf-extract` panics (`panic!`, `expect`) on many malformed or unsupported files
/// instead of returning errors, and no maintained Rust crate extracts positioned CJK text
/// from PDFs without that risk. So, as a last resort, its panics are caught here with
/// `catch_unwind` (the reader owns no state of ours, so nothing is left half-updated) and
/// kept off stderr by a panic hook that stays silent only on threads inside this function
/// and forwards every other panic to the previous hook.
fn guarded<R>(f: impl FnOnce() -> R) -> std::result::Result<R, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    r.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error of the PDF reader".into())
    })
}

/// Stack of the thread that reads a PDF. The reader recurses (into forms, nested objects);
/// [`crate::pdf_guard`] bounds how deep, and this leaves room to spare whatever thread
/// (a small worker stack) called [`extract`]. Only the pages touched are committed.
const READER_STACK: usize = 64 << 20;

/// The text of a PDF, one paragraph per line.
///
/// The file is checked first (decoded stream sizes, loops in the page tree and among forms:
/// see [`crate::pdf_guard`]) and read on a thread of its own with a large stack.
pub fn extract(bytes: &[u8]) -> Result<String> {
    let pages = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("pdf-reader".into())
            .stack_size(READER_STACK)
            .spawn_scoped(s, || guarded(|| glyphs(bytes)))
            .map_err(|e| Error::Pdf(format!("cannot start the PDF reader: {e}")))?
            .join()
            .map_err(|_| Error::Pdf("the PDF reader failed".into()))
    })?
    .map_err(|msg| Error::Pdf(format!("the PDF reader failed ({msg})")))??;
    let n = pages.len();
    if n == 0 {
        return Err(Error::Pdf("no pages".into()));
    }
    let lines: Vec<Vec<Line>> = pages.into_iter().map(page_lines).collect();
    if lines.iter().flatten().all(|l| l.text.trim().is_empty()) {
        return Err(Error::NoTextLayer { pages: n });
    }
    Ok(paragraphs(&lines))
}

fn glyphs(bytes: &[u8]) -> Result<Vec<Vec<Glyph>>> {
    let mut doc = crate::pdf_guard::load(bytes)?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(Error::Encrypted);
    }
    crate::pdf_guard::check(&doc)?;
    let mut c = Collector::default();
    pdf_extract::output_doc(&doc, &mut c).map_err(|e| Error::Pdf(e.to_string()))?;
    Ok(c.pages)
}

/// Group a page's glyphs into lines: glyphs on one baseline (within half an em) form a
/// line, ordered left to right; lines are ordered top to bottom.
fn page_lines(glyphs: Vec<Glyph>) -> Vec<Line> {
    let mut glyphs: Vec<Glyph> = glyphs
        .into_iter()
        .filter(|g| g.size > 0.0 && g.x.is_finite() && g.y.is_finite())
        .collect();
    // Top to bottom, then left to right (stable: equal keys keep drawing order).
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (row[0].y - g.y).abs() <= 0.5 * row[0].size.min(g.size) => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    rows.into_iter()
        .filter_map(|mut row| {
            row.sort_by(|a, b| a.x.total_cmp(&b.x));
            let size = row.iter().map(|g| g.size).fold(0.0, f64::max);
            let mut text = String::new();
            let mut last_end: Option<f64> = None;
            let mut last_char: Option<char> = None;
            for g in &row {
                let first = g.text.chars().next();
                // A visible gap between two Latin letters or digits is a space; gaps
                // between Chinese characters are justification.
                if let (Some(end), Some(p), Some(f)) = (last_end, last_char, first) {
                    if g.x - end > 0.2 * size
                        && p.is_ascii_alphanumeric()
                        && f.is_ascii_alphanumeric()
                    {
                        text.push(' ');
                    }
                }
                // A glyph mapped to a line break (through a ToUnicode CMap) must not
                // split the paragraph: it is a space.
                text.extend(
                    g.text
                        .chars()
                        .map(|c| if is_line_break(c) { ' ' } else { c }),
                );
                last_end = Some(g.end);
                if let Some(c) = g.text.chars().last() {
                    last_char = Some(c);
                }
            }
            let visible: Vec<&Glyph> = row.iter().filter(|g| !g.text.trim().is_empty()).collect();
            let (first, last) = (visible.first()?, visible.last()?);
            Some(Line {
                text: text.trim().to_string(),
                x0: first.x,
                x1: last.end,
                y: row[0].y,
                size,
                first_width: first_unit_width(&visible),
            })
        })
        .collect()
}

/// Characters that may not start a line (行首禁则): they travel with the unit before them.
const NO_LINE_START: &str = "，。、；：？！）》」』】”’%,.;:?!)";

/// Width of the first unbreakable unit of a line: a run of Latin letters and digits (with
/// `.` and `%`), or one character, plus the punctuation that must follow it.
fn first_unit_width(glyphs: &[&Glyph]) -> f64 {
    let latin = |g: &Glyph| {
        g.text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '%')
    };
    let Some(first) = glyphs.first() else {
        return 0.0;
    };
    let mut n = 1;
    if latin(first) {
        while n < glyphs.len() && latin(glyphs[n]) {
            n += 1;
        }
    }
    while n < glyphs.len() && glyphs[n].text.chars().all(|c| NO_LINE_START.contains(c)) {
        n += 1;
    }
    glyphs[n - 1].end - first.x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(text: &str, x: f64, y: f64) -> Glyph {
        Glyph {
            text: text.into(),
            x,
            end: x + 10.0,
            y,
            size: 10.0,
        }
    }

    #[test]
    fn glyphs_group_into_lines_top_to_bottom_left_to_right() {
        // Drawn out of order (second line first, one glyph of the first line late).
        let lines = page_lines(vec![
            g("丙", 50.0, 780.0),
            g("丁", 60.0, 781.0),
            g("甲", 50.0, 800.0),
            g("乙", 60.0, 800.0),
            g("A", 70.0, 800.0),
            g("B", 90.0, 800.0),
            g(" ", 100.0, 800.0),
        ]);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["甲乙A B", "丙丁"]);
        assert_eq!((lines[0].x0, lines[0].x1), (50.0, 100.0));
        assert_eq!(lines[0].first_width, 10.0);
        let word = page_lines(vec![
            g("4", 0.0, 0.0),
            g("2", 10.0, 0.0),
            g("%", 20.0, 0.0),
            g("，", 30.0, 0.0),
            g("是", 40.0, 0.0),
        ]);
        assert_eq!(word[0].first_width, 40.0);
    }

    /// A one-page PDF whose page has `content` and a font `/F1` given by `font` (object 5).
    fn pdf(content: &str, font: &str) -> Vec<u8> {
        pdf_of(&[
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                .to_string(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len() + 1
            ),
            font.to_string(),
        ])
    }

    /// A PDF of the given objects (numbered from 1, the first is the catalog).
    fn pdf_of(objs: &[String]) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    /// Objects 1–3 of a one-page document whose page (3) has the given extra entries.
    fn page_objs(page: &str) -> Vec<String> {
        vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            format!("<< /Type /Page /MediaBox [0 0 595 842] {page} >>"),
        ]
    }

    #[test]
    fn a_page_that_is_its_own_parent_is_an_error() {
        let mut objs = page_objs("/Parent 3 0 R /Contents 4 0 R");
        objs.push("<< /Length 4 >>\nstream\nq Q\nendstream".into());
        let e = extract(&pdf_of(&objs)).unwrap_err();
        assert!(e.to_string().contains("reference loop"), "{e}");
    }

    #[test]
    fn a_form_that_draws_itself_is_an_error() {
        let mut objs =
            page_objs("/Parent 2 0 R /Resources << /XObject << /Fm0 5 0 R >> >> /Contents 4 0 R");
        objs.push("<< /Length 8 >>\nstream\n/Fm0 Do\nendstream".into());
        objs.push(
            "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 8 >>\nstream\n/Fm0 Do\nendstream"
                .into(),
        );
        let e = extract(&pdf_of(&objs)).unwrap_err();
        assert!(e.to_string().contains("reference loop"), "{e}");
        // Two forms drawing each other, the second through resources of its own.
        let mut objs =
            page_objs("/Parent 2 0 R /Resources << /XObject << /A 5 0 R >> >> /Contents 4 0 R");
        objs.push("<< /Length 6 >>\nstream\n/A Do\nendstream".into());
        objs.push(
            "<< /Subtype /Form /Resources << /XObject << /B 6 0 R >> >> /Length 6 >>\nstream\n/B Do\nendstream"
                .into(),
        );
        objs.push(
            "<< /Subtype /Form /Resources << /XObject << /A 5 0 R >> >> /Length 6 >>\nstream\n/A Do\nendstream"
                .into(),
        );
        let e = extract(&pdf_of(&objs)).unwrap_err();
        assert!(e.to_string().contains("reference loop"), "{e}");
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![b' '; 1 << 20];
        for _ in 0..40 {
            z.write_all(&block).unwrap();
        }
        let data = z.finish().unwrap();
        let objs = page_objs("/Parent 2 0 R /Contents 4 0 R");
        let mut bytes = pdf_of(&objs);
        // Object 4 appended by hand: its data is binary.
        let at = bytes.len();
        bytes.extend_from_slice(
            format!(
                "4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(&data);
        bytes.extend_from_slice(b"\nendstream\nendobj\n");
        let xref = bytes.len();
        bytes.extend_from_slice(
            format!("xref\n4 1\n{at:010} 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                .as_bytes(),
        );
        let e = extract(&bytes).unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    }

    const HELVETICA: &str =
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

    #[test]
    fn simple_font_text_comes_out() {
        let bytes = pdf("BT /F1 12 Tf 72 700 Td (Hello PDF) Tj ET", HELVETICA);
        assert_eq!(extract(&bytes).unwrap(), "Hello PDF\n");
    }

    #[test]
    fn pages_without_text_are_a_scan() {
        let bytes = pdf("q 0.5 g 72 72 400 600 re f Q", HELVETICA);
        assert!(matches!(
            extract(&bytes),
            Err(Error::NoTextLayer { pages: 1 })
        ));
    }

    #[test]
    fn reader_panics_become_errors() {
        // A CJK font with a predefined CMap (UniGB-UCS2-H, no ToUnicode): pdf-extract
        // panics on it; we must report it instead.
        let font =
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
            /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
            /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
            /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 >> >>] >>";
        let bytes = pdf("BT /F1 12 Tf 72 700 Td <5B665B66> Tj ET", font);
        match extract(&bytes) {
            Err(Error::Pdf(msg)) => assert!(msg.contains("UniGB-UCS2-H"), "{msg}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn glyphs_mapped_to_line_breaks_do_not_split_the_paragraph() {
        // Found with the pdf fuzz target's line check: a ToUnicode CMap mapping glyphs to
        // U+000A gave "B\n\nB\n" (an empty line inside the paragraph).
        let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
            1 begincodespacerange <00> <FF> endcodespacerange \
            3 beginbfchar <41> <000A> <42> <0042> <43> <2028> endbfchar \
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let mut objs =
            page_objs("/Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R");
        let content = "BT /F1 12 Tf 72 700 Td (BAACB) Tj ET";
        objs.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len() + 1
        ));
        objs.push(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica \
             /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>"
                .into(),
        );
        objs.push(format!(
            "<< /Length {} >>\nstream\n{cmap}\nendstream",
            cmap.len() + 1
        ));
        assert_eq!(extract(&pdf_of(&objs)).unwrap(), "B   B\n");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b"%PDF-1.4\n garbage"[..],
            b"%PDF-",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        ] {
            let e = extract(bytes).unwrap_err();
            assert!(matches!(e, Error::Pdf(_)), "{e}");
        }
    }
}
