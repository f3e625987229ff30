//! Tagging every input of `report`, `stats`, `matrix` and `figures` into a report: bad inputs are reported and
//! left out, the others kept.

use std::path::PathBuf;

use anyhow::Result;

use policytag_pipeline::{Pipeline, Reader, TaggedDocument};
use policytag_report::{figures, Document, Meta, Paragraph, Report};

use crate::exit::{print_error, InputError};

/// Most paragraphs `report` and `stats` take in all: they hold every paragraph (and the
/// page) in memory, which stays under 300 MB here. A million one-word lines is not a report
/// to read; `tag` streams any amount.
pub const MAX_PARAGRAPHS: usize = 100_000;

/// Read and tag every input, one document per report of a page, named by what it is
/// ([`Reader::read_documents`]). A bad input prints its one-line error and is left out; an
/// input without paragraphs is reported and left out. Returns the documents and whether
/// any input failed.
pub fn tag_all(
    pipeline: &Pipeline,
    reader: &Reader,
    files: &[PathBuf],
    jsonl: bool,
) -> Result<(Vec<TaggedDocument>, bool)> {
    let mut docs = Vec::new();
    let mut failed = false;
    let mut total = 0usize;
    for source in crate::input::sources(files, jsonl) {
        // Stop reading as soon as the total is over the limit, not after.
        let limited = reader.clone().max_paragraphs(Some(MAX_PARAGRAPHS - total));
        match source.and_then(|s| {
            let name = s.name();
            limited.read_documents(&s).map(|d| (name, d))
        }) {
            Ok((name, d)) if d.iter().all(|d| d.paragraphs.is_empty()) => {
                eprintln!("policytag: {name}: no paragraphs found")
            }
            Ok((_, d)) => {
                total += d.iter().map(|d| d.paragraphs.len()).sum::<usize>();
                docs.extend(d.into_iter().map(|d| pipeline.tag_document(d)))
            }
            Err(policytag_pipeline::Error::TooManyParagraphs { name, .. }) => {
                return Err(InputError(format!(
                    "{name}: more than {MAX_PARAGRAPHS} paragraphs in all: too many for one report (tag them with `policytag tag`, which streams)"
                ))
                .into());
            }
            Err(e) => {
                print_error(&e.into());
                failed = true;
            }
        }
    }
    Ok((docs, failed))
}

/// The report of the inputs; `Ok(None)` when there is nothing to report because every
/// input failed (their errors were printed). The flag says whether any input failed.
pub fn report(
    pipeline: &Pipeline,
    reader: &Reader,
    files: &[PathBuf],
    jsonl: bool,
) -> Result<(Option<Report>, bool)> {
    let (docs, failed) = tag_all(pipeline, reader, files, jsonl)?;
    if docs.is_empty() {
        if failed {
            return Ok((None, true));
        }
        return Err(InputError("no paragraphs in any input: nothing to report".into()).into());
    }
    let paragraph = |t: policytag_pipeline::TaggedParagraph| {
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
    };
    let documents = docs
        .into_iter()
        .map(|d| Document {
            meta: Meta {
                title: d.title.clone(),
                bureau: d.meta.bureau.clone(),
                region: d.meta.region.clone(),
                year: d.meta.years.first().map(|&y| i32::from(y)),
                kind: d.meta.kind.clone(),
            },
            name: d.name,
            paragraphs: d.paragraphs.into_iter().map(paragraph).collect(),
        })
        .collect();
    let report = Report::new(pipeline.labels().to_vec(), documents)?;
    Ok((Some(report), failed))
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
            [] => None,
            [only] => Some(*only),
            _ => {
                let clause = pipeline.predict(&f.clause_text(&p.text));
                figures::attribute(&clause.scores, labels)
            }
        };
    }
}
