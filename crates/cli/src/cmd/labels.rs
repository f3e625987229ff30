//! `policytag labels`: a model's labels, names, thresholds and training counts.

use std::io::Write;

use anyhow::Result;

use crate::args::{LabelsArgs, ReportFormat};
use crate::exit::Outcome;
use policytag_pipeline::{label_summaries, load_model};
use policytag_report::table::display_width;

/// Run the command.
pub fn run(a: LabelsArgs) -> Result<Outcome> {
    let rows = label_summaries(&load_model(a.model.as_deref())?);
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
                let pad = 14usize.saturating_sub(display_width(&r.name));
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
