//! `policytag eval`: metrics of a model on labelled JSONL, and the paragraphs it got wrong.

use std::io::Write;

use anyhow::{Context, Result};

use policytag_data::jsonl::{read_jsonl, ReadOptions};
use policytag_model::bootstrap::document_groups;
use policytag_pipeline::{Pipeline, TagOptions};

use crate::args::{EvalArgs, ReportFormat};
use crate::exit::{InputError, Outcome};

/// Run the command.
pub fn run(a: EvalArgs) -> Result<Outcome> {
    let options = TagOptions {
        threshold: a.threshold,
        evidence: None,
    };
    let pipeline = Pipeline::load(a.model.as_deref())?.with_options(options)?;
    let tagger = pipeline.tagger();
    if let Some(l) = &a.label {
        if tagger.label_index(l).is_none() {
            return Err(InputError(format!("--label {l}: not a label of this model")).into());
        }
    }
    let data = read_jsonl(&a.data, ReadOptions::default())?;
    if data.examples.is_empty() {
        return Err(InputError(format!("{}: no examples", a.data.display())).into());
    }
    // The file was just read whole and is valid UTF-8 JSONL.
    let content = std::fs::read_to_string(&a.data)
        .with_context(|| format!("reading {}", a.data.display()))?;
    let groups = document_groups(&content);
    let (m, preds) = pipeline
        .evaluate(&data.examples, &groups)
        .with_context(|| format!("evaluating on {}", a.data.display()))?;
    let mut out = std::io::stdout().lock();
    match a.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &m)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            write!(out, "{}", m.report())?;
            if a.errors > 0 {
                let focus = a.label.as_deref().and_then(|l| tagger.label_index(l));
                writeln!(
                    out,
                    "\nerrors (gold → predicted, scores of the labels involved):"
                )?;
                write!(
                    out,
                    "{}",
                    pipeline.errors(&data.examples, &preds, focus, a.errors)
                )?;
            }
        }
    }
    Ok(Outcome::Ok)
}
