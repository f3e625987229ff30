//! Generators of the hostile inputs (all written for these tests; no real report text).

use std::io::Write;

/// A short report of our own.
pub const REPORT: &str = "一、总体情况\n全面落实“双减”政策，课后服务实现义务教育学校全覆盖。\n\
二、校园安全\n开展校园安全隐患排查整治，组织防溺水专题教育。\n";

/// A few labelled JSONL lines (for commands that need a valid first file).
pub fn labelled_jsonl() -> String {
    (0..6)
        .map(|i| {
            format!(
                "{{\"id\": \"p{i}\", \"text\": \"课后服务第{i}项工作全面落实。\", \"labels\": [\"double-reduction\"]}}\n"
            )
        })
        .collect()
}

/// A PDF of the given objects (numbered from 1; the first is the catalog), and extra raw
/// objects appended after them (`(number, bytes)`), with a correct cross-reference table.
fn pdf(objs: &[&str], raw: &[(usize, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push((i + 1, out.len()));
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    for (n, bytes) in raw {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\nendobj\n");
    }
    offsets.sort();
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for (_, o) in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

const CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R >>";
const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";

/// A page that is its own `/Parent` (and has no `/MediaBox` of its own, so a reader looks
/// it up through the parent).
pub fn pdf_self_parent() -> Vec<u8> {
    pdf(
        &[
            CATALOG,
            PAGES,
            "<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>",
            "<< /Length 4 >>\nstream\nq Q\n\nendstream",
        ],
        &[],
    )
}

/// A Form XObject that draws itself.
pub fn pdf_self_form() -> Vec<u8> {
    pdf(
        &[
            CATALOG,
            PAGES,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /XObject << /Fm0 5 0 R >> >> /Contents 4 0 R >>",
            "<< /Length 8 >>\nstream\n/Fm0 Do\nendstream",
            "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 8 >>\nstream\n/Fm0 Do\nendstream",
        ],
        &[],
    )
}

fn deflate(chunk: &[u8], mib: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block: Vec<u8> = chunk.iter().copied().cycle().take(1 << 20).collect();
    for _ in 0..mib {
        z.write_all(&block).unwrap();
    }
    z.finish().unwrap()
}

/// A page whose content stream inflates to `mib` MiB of text-drawing operators.
pub fn pdf_bomb(mib: usize) -> Vec<u8> {
    let data = deflate(b"BT /F1 12 Tf (A) Tj ET\n", mib);
    let mut stream = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        data.len()
    )
    .into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    pdf(
        &[
            CATALOG,
            PAGES,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>",
        ],
        &[
            (4, stream),
            (
                5,
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            ),
        ],
    )
}

fn docx(xml_parts: &mut dyn FnMut(&mut dyn Write)) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>",
        )
        .unwrap();
        xml_parts(&mut z);
        z.write_all(b"</w:body></w:document>").unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// A Word document whose `word/document.xml` inflates to `mib` MiB (one paragraph per KiB).
pub fn docx_bomb(mib: usize) -> Vec<u8> {
    let para = format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", "课".repeat(330));
    let block = para.repeat((1 << 20) / para.len());
    docx(&mut |w| {
        for _ in 0..mib {
            w.write_all(block.as_bytes()).unwrap();
        }
    })
}

/// A Word document of `n` short paragraphs.
pub fn docx_paragraphs(n: usize) -> Vec<u8> {
    docx(&mut |w| {
        for i in 0..n {
            write!(w, "<w:p><w:r><w:t>第{i}段课后服务。</w:t></w:r></w:p>").unwrap();
        }
    })
}

/// A page with `n` nested `<tag>` elements around a paragraph.
pub fn nested_html(tag: &str, n: usize) -> String {
    format!(
        "<!DOCTYPE html><html><body>{}<p>全面落实课后服务工作。</p>{}</body></html>",
        format!("<{tag}>").repeat(n),
        format!("</{tag}>").repeat(n)
    )
}

/// A UTF-8 page that declares `charset`.
pub fn page_with_charset(charset: &str) -> String {
    format!(
        "<html><head><meta charset=\"{charset}\"></head><body><p>课后服务全覆盖，学生参与率稳步提高。</p></body></html>"
    )
}

/// The default model with one invariant broken at a time (checksums recomputed), with the
/// message each must give.
pub fn broken_models() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/default.model");
    let good = policytag_model::Model::load(std::path::Path::new(path)).unwrap();
    let mut out = Vec::new();
    let mut m = good.clone();
    m.labels[1].id = m.labels[0].id.clone();
    out.push(("duplicate-labels", "duplicate label", m));
    let mut m = good.clone();
    m.label_models[0].threshold = 5.0;
    out.push(("threshold-5", "threshold 5", m));
    let mut m = good;
    m.label_models[0].classifier.weights.pop();
    out.push(("short-weights", "weights for", m));
    out.into_iter()
        .map(|(n, msg, m)| (n, msg, m.to_bytes().unwrap()))
        .collect()
}
