//! A [`Report`] from tagged documents: each paragraph with its themes and evidence, and its
//! key figures read with jieba's words, each figure given the paragraph theme its own clause
//! scores highest on.

use policytag_pipeline::{Pipeline, TaggedDocument, TaggedParagraph};

use crate::document::{Document, Meta, Paragraph, Report};
use crate::error::Result;
use crate::figures;

/// The report of tagged documents (documents named as the pipeline named them; metadata
/// from each document's head).
pub fn from_tagged(pipeline: &Pipeline, docs: Vec<TaggedDocument>) -> Result<Report> {
    let documents = docs
        .into_iter()
        .map(|d| Document {
            meta: Meta {
                title: d.title.clone(),
                bureau: d.meta.bureau.clone(),
                region: d.meta.region.clone(),
                year: d.meta.years.first().map(|&y| i32::from(y)),
                kind: d.meta.kind.clone(),
                file: source_file(&d),
            },
            name: d.name,
            paragraphs: d
                .paragraphs
                .into_iter()
                .map(|t| paragraph(pipeline, t))
                .collect(),
        })
        .collect();
    Report::new(pipeline.labels().to_vec(), documents)
}

/// The file a document was read from, with `#k` for the k-th report of a page after the
/// first (the pipeline names documents by what they are).
fn source_file(d: &TaggedDocument) -> Option<String> {
    let p = &d.paragraphs.first()?.paragraph;
    Some(match p.document.as_ref().map(|h| h.index) {
        Some(k) if k > 0 => format!("{} #{}", p.doc, k + 1),
        _ => p.doc.clone(),
    })
}

/// One tagged paragraph of the report, with its key figures.
fn paragraph(pipeline: &Pipeline, t: TaggedParagraph) -> Paragraph {
    let evidence = t.evidence.unwrap_or_default();
    let terms = |k: usize| evidence.get(k).map(|ev| ev.iter().map(|e| e.term.clone()));
    let labels = t.labels.iter().enumerate();
    let labels = labels.map(|(k, &l)| (l, terms(k).map(Iterator::collect).unwrap_or_default()));
    let p = t.paragraph;
    let mut para = Paragraph::new(
        p.index,
        p.heading_path(),
        p.text,
        t.scores,
        labels.collect(),
    );
    key_figures(pipeline, &mut para, &t.labels);
    para
}

/// Read the key figures of a paragraph with jieba's words and part-of-speech tags, and give
/// each the paragraph theme its own clause scores highest on (a paragraph with one theme
/// needs no scoring).
fn key_figures(pipeline: &Pipeline, p: &mut Paragraph, labels: &[usize]) {
    if p.figures.is_empty() {
        return;
    }
    let words = pipeline.tagger().tokenizer().word_tags(&p.text);
    p.figures = figures::extract_with(
        &p.text,
        &figures::Context {
            words: Some(&words),
            heading: &p.heading,
        },
    );
    for f in &mut p.figures {
        f.theme = match labels {
            _ if figures::is_background(&f.what) => None,
            [] => None,
            [only] => Some(*only),
            _ => {
                let clause = pipeline.predict(&f.clause_text(&p.text));
                figures::attribute(&clause.scores, labels)
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use policytag_pipeline::{Reader, Source};

    #[test]
    fn figures_take_the_theme_of_their_clause() {
        let pipeline = Pipeline::load(None).unwrap();
        let text =
            "一、工作情况\n新建公办幼儿园3所，新增学位1080个；招聘教师90人，培训教师2000人次。\n";
        let doc = Reader::default()
            .read(&Source::bytes("r.txt", text))
            .unwrap();
        let report = from_tagged(&pipeline, vec![pipeline.tag_document(doc)]).unwrap();
        let body = report.documents[0]
            .paragraphs
            .iter()
            .find(|p| p.text.contains("幼儿园"))
            .unwrap();
        let theme = |id: &str| report.themes.iter().position(|t| t.id == id);
        let of = |v: f64| body.figures.iter().find(|f| f.value == v).unwrap();
        assert_eq!(of(3.0).theme, theme("preschool"), "{:?}", body.figures);
        assert_eq!(of(90.0).theme, theme("teachers"), "{:?}", body.figures);
        assert_eq!(report.documents[0].file(), "r.txt");
    }
}
