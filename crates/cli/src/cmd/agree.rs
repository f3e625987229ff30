//! `policytag agree`: agreement between two annotators' labels on the same paragraphs.

use std::io::Write;

use anyhow::{Context, Result};

use policytag_data::agree::Agreement;
use policytag_data::jsonl::{read_jsonl, ReadOptions};

use crate::args::{AgreeArgs, ReportFormat};
use crate::exit::{InputError, Outcome};

/// Run the command.
pub fn run(a: AgreeArgs) -> Result<Outcome> {
    let read = |p: &std::path::Path| -> Result<_> {
        let r = read_jsonl(p, ReadOptions::default())?;
        if r.examples.is_empty() {
            return Err(InputError(format!("{}: no paragraphs", p.display())).into());
        }
        Ok(r.examples)
    };
    let (xa, xb) = (read(&a.a)?, read(&a.b)?);
    let g = Agreement::compute(&xa, &xb)
        .with_context(|| format!("comparing {} with {}", a.a.display(), a.b.display()))?;
    let mut out = std::io::stdout().lock();
    match a.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &g)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            writeln!(out, "A = {}\nB = {}", a.a.display(), a.b.display())?;
            write!(out, "{}", g.report())?;
        }
    }
    Ok(Outcome::Ok)
}
