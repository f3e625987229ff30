//! Input formats: saved web pages, Word documents and PDFs give the same paragraphs and
//! labels as the plain-text report they were made from (fixtures built from
//! `corpus/samples/county-annual-summary.txt` by `tests/fixtures/make_fixtures.py`).

use super::*;

const SAMPLE: &str = "corpus/samples/county-annual-summary.txt";
const FIXTURES: [&str; 3] = [
    "tests/fixtures/county-annual-summary.html",
    "tests/fixtures/county-annual-summary.docx",
    "tests/fixtures/county-annual-summary.pdf",
];

/// (paragraph, heading, text) of `segment --format jsonl`.
fn segments(file: &str, extra: &[&str]) -> Vec<(u64, String, String)> {
    let mut args = vec!["segment", file, "--format", "jsonl"];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{file}: {}", r.stderr);
    jsonl(&r.stdout)
        .iter()
        .map(|v| {
            (
                v["paragraph"].as_u64().unwrap(),
                v["heading"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_format_segments_like_the_text_sample() {
    let expected = segments(SAMPLE, &[]);
    assert!(expected.len() >= 25);
    for f in FIXTURES {
        let got = segments(f, &[]);
        assert_eq!(got.len(), expected.len(), "{f}: paragraph count");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e, "{f}");
        }
    }
}

#[test]
fn every_format_is_tagged_like_the_text_sample() {
    let tag = |file: &str| -> Vec<Value> {
        let r = run(&["tag", file, "--format", "jsonl"]);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        jsonl(&r.stdout)
    };
    let expected = tag(SAMPLE);
    for f in FIXTURES {
        let got = tag(f);
        assert_eq!(got.len(), expected.len(), "{f}");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g["doc"], f);
            for key in ["paragraph", "heading", "text", "labels", "scores"] {
                assert_eq!(g[key], e[key], "{f}: {key} of paragraph {}", e["paragraph"]);
            }
        }
    }
}

#[test]
fn format_is_detected_by_content_not_name() {
    // A Word document and a PDF saved under misleading names, and one read from stdin.
    let dir = tempfile::tempdir().unwrap();
    let expected = segments(SAMPLE, &[]);
    for (src, name) in [(FIXTURES[1], "report.txt"), (FIXTURES[2], "report.html")] {
        let p = dir.path().join(name);
        std::fs::copy(root().join(src), &p).unwrap();
        assert_eq!(
            segments(p.to_str().unwrap(), &[]),
            expected,
            "{src} as {name}"
        );
    }
    let bytes = std::fs::read(root().join(FIXTURES[1])).unwrap();
    let r = run_in(
        &root(),
        &["segment", "-", "--format", "jsonl"],
        Some(&bytes),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(jsonl(&r.stdout).len(), expected.len());
}

#[test]
fn input_format_overrides_detection() {
    // The page read as plain text keeps its markup (and is GBK, which text decoding handles).
    let as_text = segments(FIXTURES[0], &["--input-format", "text"]);
    assert!(
        as_text
            .iter()
            .any(|(_, _, t)| t.contains("<p") || t.contains("&ldquo;")),
        "markup should survive --input-format text"
    );
    assert_ne!(as_text, segments(SAMPLE, &[]));
    // Forcing the detected format changes nothing.
    assert_eq!(
        segments(FIXTURES[0], &["--input-format", "html"]),
        segments(SAMPLE, &[])
    );
    // Forcing a wrong binary format is a one-line input error.
    let r = run(&["segment", SAMPLE, "--input-format", "pdf"]);
    assert_eq!(r.code, 2);
    let line = one_error_line(&r);
    assert!(line.contains(SAMPLE) && line.contains("PDF"), "{line}");
    let r = run(&["tag", FIXTURES[2], "--input-format", "text"]);
    assert_eq!(r.code, 2);
    assert!(
        one_error_line(&r).contains("not a text file"),
        "{}",
        r.stderr
    );
}

#[test]
fn scanned_pdf_needs_ocr() {
    for cmd in ["segment", "tag"] {
        let r = run(&[cmd, "tests/fixtures/scanned.pdf"]);
        assert_eq!(r.code, 2, "{cmd}");
        assert_eq!(r.stdout, "", "{cmd}");
        let line = one_error_line(&r);
        assert!(
            line.contains("tests/fixtures/scanned.pdf")
                && line.contains("no text layer")
                && line.contains("OCR"),
            "{line}"
        );
    }
}

#[test]
fn corrupt_documents_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let docx = std::fs::read(root().join(FIXTURES[1])).unwrap();
    let pdf = std::fs::read(root().join(FIXTURES[2])).unwrap();
    let mut garbled_pdf = pdf[..16].to_vec();
    garbled_pdf.extend(std::iter::repeat_n(b'\xA7', 4000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.docx", docx[..docx.len() / 2].to_vec(), "corrupt .docx"),
        ("garbled.pdf", garbled_pdf, "PDF"),
        ("cut.pdf", pdf[..1000].to_vec(), "PDF"),
    ];
    for (name, bytes, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let r = run(&["segment", p.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        let line = one_error_line(&r);
        assert!(line.contains(name) && line.contains(want), "{name}: {line}");
    }
}

#[test]
fn a_zip_that_is_not_a_word_document_is_not_text() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("photos.docx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    z.start_file("photo.jpg", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"\xFF\xD8\xFF").unwrap();
    z.finish().unwrap();
    let r = run(&["tag", p.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    let line = one_error_line(&r);
    assert!(
        line.contains("photos.docx") && line.contains("not a text file"),
        "{line}"
    );
}
