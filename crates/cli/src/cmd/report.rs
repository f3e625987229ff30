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

/// Tag every input into a report [`Document`]. A bad input prints its one-line error and is
/// left out; an input without paragraphs is reported and left out. Returns the documents and
/// whether any input failed.
pub fn tagged_documents(
    files: &[PathBuf],
    jsonl: bool,
    format: Option<policytag_extract::Format>,
    tagger: &Tagger,
    threshold: Option<f64>,
    evidence: bool,
) -> (Vec<Document>, bool) {
    let mut docs = Vec::new();
    let mut failed = false;
    for f in files {
        match tag_document(f, jsonl, format, tagger, threshold, evidence) {
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

fn tag_document(
    path: &Path,
    jsonl: bool,
    format: Option<policytag_extract::Format>,
    tagger: &Tagger,
    threshold: Option<f64>,
    evidence: bool,
) -> Result<Document> {
    let items = input::items(path, jsonl, format)?;
    let paragraphs = items
        .into_par_iter()
        .map(|it| {
            let p = tagger.predict(&it.text, threshold);
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
pub fn build(
    files: &[PathBuf],
    jsonl: bool,
    format: Option<policytag_extract::Format>,
    tagger: &Tagger,
    threshold: Option<f64>,
    evidence: bool,
) -> Result<(Option<Report>, bool)> {
    let (docs, failed) = tagged_documents(files, jsonl, format, tagger, threshold, evidence);
    if docs.is_empty() {
        if failed {
            return Ok((None, true));
        }
        return Err(InputError("no paragraphs in any input: nothing to report".into()).into());
    }
    let report = Report::new(tagger.model().labels.clone(), docs)?;
    Ok((Some(report), failed))
}

/// Run the command.
pub fn run(a: ReportArgs) -> Result<Outcome> {
    crate::cmd::tag::check_threshold(a.threshold)?;
    let tagger = modelfile::load(a.model.as_deref())?;
    let (report, failed) = build(
        &a.files,
        a.jsonl,
        a.input_format.format(),
        &tagger,
        a.threshold,
        true,
    )?;
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
