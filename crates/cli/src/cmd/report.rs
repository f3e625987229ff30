//! `policytag report`: one self-contained HTML page for a set of reports.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use policytag_model::Tagger;
use policytag_report::{figures, html, Document, Paragraph, Report};

use crate::args::ReportArgs;
use crate::exit::{print_error, InputError, Outcome};
use crate::output::Sink;
use crate::{input, modelfile};

/// Evidence terms kept per theme of a paragraph (marked in the text, listed on hover).
const EVIDENCE: usize = 5;

/// How the inputs of `report` and `stats` are read and tagged.
pub struct Tagging<'a> {
    /// The input files.
    pub files: &'a [PathBuf],
    /// Read inputs as labelled JSONL paragraphs.
    pub jsonl: bool,
    /// `--input-format`, or `None` to detect it.
    pub format: Option<policytag_extract::Format>,
    /// The model and tokenizer.
    pub tagger: &'a Tagger,
    /// `--threshold` for every label, or `None` for the tuned ones.
    pub threshold: Option<f64>,
    /// Keep the evidence terms of each given theme.
    pub evidence: bool,
}

/// Tag every input into a report [`Document`]. A bad input prints its one-line error and is
/// left out; an input without paragraphs is reported and left out. Returns the documents and
/// whether any input failed.
pub fn tagged_documents(t: &Tagging<'_>) -> (Vec<Document>, bool) {
    let mut docs = Vec::new();
    let mut failed = false;
    for f in t.files {
        match tag_document(f, t) {
            Ok(d) if d.paragraphs.is_empty() => {
                eprintln!("policytag: {}: no paragraphs found", d.name)
            }
            Ok(d) => docs.push(d),
            Err(e) => {
                print_error(&e);
                failed = true;
            }
        }
    }
    (docs, failed)
}

fn tag_document(path: &Path, t: &Tagging<'_>) -> Result<Document> {
    let (tagger, evidence) = (t.tagger, t.evidence);
    let items = input::items(path, t.jsonl, t.format)?;
    let paragraphs: Vec<Paragraph> = items
        .into_par_iter()
        .map(|it| {
            let p = tagger.predict(&it.text, t.threshold);
            let labels = p
                .labels
                .iter()
                .map(|&l| {
                    let ev = if evidence {
                        tagger
                            .evidence(&p, l, EVIDENCE)
                            .into_iter()
                            .map(|e| e.term)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    (l, ev)
                })
                .collect();
            let mut para = Paragraph::new(it.paragraph, it.heading, it.text, p.scores, labels);
            key_figures(tagger, &mut para, &p.labels);
            para
        })
        .collect();
    let meta = policytag_report::Meta {
        year: title_year(&paragraphs),
        ..Default::default()
    };
    Ok(Document {
        meta,
        name: input::name(path),
        paragraphs,
    })
}

/// Read the key figures of a paragraph with jieba's word boundaries and give each the
/// paragraph theme its own clause scores highest on (a paragraph with one theme needs no
/// scoring).
fn key_figures(tagger: &Tagger, p: &mut Paragraph, labels: &[usize]) {
    if p.figures.is_empty() {
        return;
    }
    let words = tagger.tokenizer().word_tags(&p.text);
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
                let clause = tagger.predict(&f.clause_text(&p.text), None);
                figures::attribute(&clause.scores, labels)
            }
        };
    }
}

/// The year a report is about, from its first paragraphs (`2022年工作总结` → 2022): a
/// stopgap until the pipeline reads document metadata (issue 15).
fn title_year(paragraphs: &[Paragraph]) -> Option<i32> {
    paragraphs.iter().take(3).find_map(|p| {
        let c: Vec<char> = p.text.chars().take(60).collect();
        (0..c.len().saturating_sub(4)).find_map(|i| {
            let y: String = c[i..i + 4].iter().collect();
            let ok = (i == 0 || !c[i - 1].is_ascii_digit())
                && (y.starts_with("19") || y.starts_with("20"))
                && y.bytes().all(|b| b.is_ascii_digit())
                && matches!(c.get(i + 4), Some('年'));
            ok.then(|| y.parse().ok()).flatten()
        })
    })
}

/// Build the report of the documents; `Ok(None)` when there is nothing to report because
/// every input failed (their errors were printed).
pub fn build(t: &Tagging<'_>) -> Result<(Option<Report>, bool)> {
    let (docs, failed) = tagged_documents(t);
    if docs.is_empty() {
        if failed {
            return Ok((None, true));
        }
        return Err(InputError("no paragraphs in any input: nothing to report".into()).into());
    }
    let report = Report::new(t.tagger.model().labels.clone(), docs)?;
    Ok((Some(report), failed))
}

/// Run the command.
pub fn run(a: ReportArgs) -> Result<Outcome> {
    crate::cmd::tag::check_threshold(a.threshold)?;
    let tagger = modelfile::load(a.model.as_deref())?;
    let (report, failed) = build(&Tagging {
        files: &a.files,
        jsonl: a.jsonl,
        format: a.input_format.format(),
        tagger: &tagger,
        threshold: a.threshold,
        evidence: true,
    })?;
    let Some(report) = report else {
        return Ok(Outcome::SomeFailed);
    };
    let opts = html::HtmlOptions {
        title: a.title.clone(),
        ..Default::default()
    };
    let page = html::render(&report, &opts);
    let to_stdout = a.out.as_os_str() == "-";
    let mut sink = Sink::open((!to_stdout).then_some(a.out.as_path()))?;
    sink.write_all(page.as_bytes())
        .with_context(|| format!("writing {}", a.out.display()))?;
    sink.finish()?;
    if !to_stdout {
        let n: usize = report.documents.iter().map(|d| d.paragraphs.len()).sum();
        eprintln!(
            "policytag: report written to {} ({} documents, {n} paragraphs)",
            a.out.display(),
            report.documents.len()
        );
    }
    Ok(if failed {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}
