//! `policytag labels`: a model's labels, names, thresholds and training counts.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::args::{LabelsArgs, ReportFormat};
use crate::exit::Outcome;
use crate::output::display_width;
use policytag_pipeline::{load_model, round4};

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    threshold: f64,
    examples: usize,
    cv_f1: f64,
}

/// Run the command.
pub fn run(a: LabelsArgs) -> Result<Outcome> {
    let model = load_model(a.model.as_deref())?;
    let rows: Vec<Row> = model
        .labels
        .iter()
        .zip(&model.label_models)
        .map(|(l, m)| Row {
            id: &l.id,
            name: &l.name,
            description: &l.description,
            threshold: round4(m.threshold),
            examples: model.training.label_counts.get(&l.id).copied().unwrap_or(0),
            cv_f1: round4(
                model
                    .training
                    .cv
                    .per_label
                    .get(&l.id)
                    .map(|x| x.f1)
                    .unwrap_or(0.0),
            ),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match a.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            writeln!(
                out,
                "{:w$}  {:<14}  {:>9}  {:>8}  {:>5}  description",
                "id", "name", "threshold", "examples", "cv-f1"
            )?;
            for r in &rows {
                let pad = 14usize.saturating_sub(display_width(r.name));
                writeln!(
                    out,
                    "{:w$}  {}{}  {:>9.3}  {:>8}  {:>5.3}  {}",
                    r.id,
                    r.name,
                    " ".repeat(pad),
                    r.threshold,
                    r.examples,
                    r.cv_f1,
                    r.description
                )?;
            }
        }
    }
    Ok(Outcome::Ok)
}
