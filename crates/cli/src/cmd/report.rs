//! `policytag report`: one self-contained HTML page for a set of reports.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use policytag_model::Tagger;
use policytag_report::{html, Document, Paragraph, Report};

use crate::args::ReportArgs;
use crate::exit::{print_error, InputError, Outcome};
use crate::output::Sink;
use crate::{input, modelfile};

/// Evidence terms kept per theme of a paragraph (marked in the text, listed on hover).
const EVIDENCE: usize = 5;

/// Most paragraphs `report` and `stats` take in all: they hold every paragraph (and the
/// page) in memory, which stays under 300 MB here. A million one-word lines is not a report
/// to read; `tag` streams any amount.
pub const MAX_PARAGRAPHS: usize = 100_000;

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
pub fn tagged_documents(t: &Tagging<'_>) -> Result<(Vec<Document>, bool)> {
    let mut docs = Vec::new();
    let mut failed = false;
    let mut budget = MAX_PARAGRAPHS;
    for f in t.files {
        let items = match read_items(f, t, budget) {
            Ok(items) => items,
            Err(e) => {
                print_error(&e);
                failed = true;
                continue;
            }
        };
        if items.len() > budget {
            return Err(InputError(format!(
                "{}: more than {MAX_PARAGRAPHS} paragraphs in all: too many for one report (tag them with `policytag tag`, which streams)",
                input::name(f)
            ))
            .into());
        }
        budget -= items.len();
        match tag_document(f, items, t) {
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
    Ok((docs, failed))
}

/// The paragraphs of one input, reading at most one past `budget`.
fn read_items(path: &Path, t: &Tagging<'_>, budget: usize) -> Result<Vec<input::Item>> {
    if t.jsonl {
        return input::jsonl_items(path);
    }
    let mut out = Vec::new();
    input::for_each_paragraph(path, t.format, |it| {
        out.push(it);
        out.len() <= budget
    })?;
    Ok(out)
}

fn tag_document(path: &Path, items: Vec<input::Item>, t: &Tagging<'_>) -> Result<Document> {
    let (tagger, evidence) = (t.tagger, t.evidence);
    let paragraphs = items
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
            Paragraph::new(it.paragraph, it.heading, it.text, p.scores, labels)
        })
        .collect();
    Ok(Document {
        name: input::name(path),
        paragraphs,
    })
}

/// Build the report of the documents; `Ok(None)` when there is nothing to report because
/// every input failed (their errors were printed).
pub fn build(t: &Tagging<'_>) -> Result<(Option<Report>, bool)> {
    let (docs, failed) = tagged_documents(t)?;
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
    crate::output::refuse_input_as_output(Some(&a.out), &a.files)?;
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
