//! `policytag corpus-stats`: statistics and near-duplicate check of labelled JSONL files.

use std::io::Write;

use anyhow::Result;

use policytag_data::corpus::{near_duplicates, stats};
use policytag_data::jsonl::{read_jsonl, ReadOptions};

use crate::args::{CorpusStatsArgs, ReportFormat};
use crate::exit::Outcome;

/// Run the command.
pub fn run(a: CorpusStatsArgs) -> Result<Outcome> {
    let mut examples = Vec::new();
    let mut origin = Vec::new();
    for p in &a.files {
        let r = read_jsonl(p, ReadOptions::default())?;
        origin.extend(
            r.examples
                .iter()
                .map(|e| format!("{}:{}", p.display(), e.id.clone().unwrap_or_default())),
        );
        examples.extend(r.examples);
    }
    let s = stats(&examples)?;
    let dups = near_duplicates(&examples);
    let mut out = std::io::stdout().lock();
    match a.format {
        ReportFormat::Json => {
            let v = serde_json::json!({ "stats": s, "near_duplicates": dups.len() });
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            write!(out, "{}", s.report())?;
            writeln!(
                out,
                "\nnear-duplicate pairs (>50% shared character 5-grams): {}",
                dups.len()
            )?;
            for (i, j) in dups.iter().take(20) {
                writeln!(out, "  {} ~ {}", origin[*i], origin[*j])?;
            }
        }
    }
    Ok(Outcome::Ok)
}
