//! `policytag eval`: metrics of a model on labelled JSONL, and the paragraphs it got wrong.

use std::io::Write;

use anyhow::{Context, Result};

use policytag_model::bootstrap::document_groups;
use policytag_model::data::{read_jsonl, ReadOptions};

use crate::args::{EvalArgs, ReportFormat};
use crate::cmd::tag::check_threshold;
use crate::exit::{InputError, Outcome};
use crate::modelfile;
use crate::output::round4;

/// Run the command.
pub fn run(a: EvalArgs) -> Result<Outcome> {
    check_threshold(a.threshold)?;
    let tagger = modelfile::load(a.model.as_deref())?;
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
    let (m, preds) = tagger
        .evaluate(&data.examples, &groups, a.threshold)
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
                let ids = tagger.model().label_ids();
                let focus = a.label.as_deref().and_then(|l| tagger.label_index(l));
                writeln!(
                    out,
                    "\nerrors (gold → predicted, scores of the labels involved):"
                )?;
                let mut shown = 0;
                for (e, p) in data.examples.iter().zip(&preds) {
                    let gold: Vec<usize> = e
                        .labels
                        .iter()
                        .filter_map(|l| tagger.label_index(l))
                        .collect();
                    if gold == p.labels {
                        continue;
                    }
                    if let Some(f) = focus {
                        if gold.contains(&f) == p.labels.contains(&f) {
                            continue;
                        }
                    }
                    let mut involved: Vec<usize> = gold.iter().chain(&p.labels).copied().collect();
                    involved.sort_unstable();
                    involved.dedup();
                    let names = |s: &[usize]| {
                        s.iter()
                            .map(|&l| ids[l].as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    };
                    let scores: Vec<String> = involved
                        .iter()
                        .map(|&l| format!("{}={}", ids[l], round4(p.scores[l])))
                        .collect();
                    writeln!(
                        out,
                        "- {}[{}] → [{}]  ({})\n  {}",
                        e.id.as_deref().map(|i| format!("{i} ")).unwrap_or_default(),
                        names(&gold),
                        names(&p.labels),
                        scores.join(" "),
                        e.text.chars().take(120).collect::<String>()
                    )?;
                    shown += 1;
                    if shown >= a.errors {
                        break;
                    }
                }
            }
        }
    }
    Ok(Outcome::Ok)
}
