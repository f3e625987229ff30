//! `policytag stats`: per-document theme counts, shares and key-figure counts.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use policytag_pipeline::{Pipeline, Reader, TagOptions};
use policytag_report::profile::{self, round4, Profile};

use crate::args::{StatsArgs, StatsFormat};
use crate::exit::Outcome;
use crate::output::{csv_field, display_width};

#[derive(Serialize)]
struct ThemeRow<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Stats<'a> {
    themes: Vec<ThemeRow<'a>>,
    documents: &'a [Profile],
}

/// Run the command.
pub fn run(a: StatsArgs) -> Result<Outcome> {
    let options = TagOptions {
        threshold: a.threshold,
        evidence: None,
    };
    let pipeline = Pipeline::load(a.model.as_deref())?.with_options(options)?;
    let reader = Reader::default()
        .format(a.input_format.format())
        .jsonl(a.jsonl);
    let (report, failed) = crate::tagging::report(&pipeline, &reader, &a.files, a.jsonl)?;
    let Some(report) = report else {
        return Ok(Outcome::SomeFailed);
    };
    let profiles = profile::profiles(&report);
    let mut out = std::io::stdout().lock();
    match a.format {
        StatsFormat::Json => {
            let s = Stats {
                themes: report
                    .themes
                    .iter()
                    .map(|t| ThemeRow {
                        id: &t.id,
                        name: &t.name,
                    })
                    .collect(),
                documents: &profiles,
            };
            serde_json::to_writer_pretty(&mut out, &s)?;
            writeln!(out)?;
        }
        StatsFormat::Csv => {
            let mut header = String::from("doc,paragraphs,untagged,figures");
            for t in &report.themes {
                header.push(',');
                header.push_str(&csv_field(&t.id));
                header.push(',');
                header.push_str(&csv_field(&format!("{}_share", t.id)));
            }
            writeln!(out, "{header}")?;
            for p in &profiles {
                write!(
                    out,
                    "{},{},{},{}",
                    csv_field(&p.doc),
                    p.paragraphs,
                    p.untagged,
                    p.figures
                )?;
                for t in &p.themes {
                    write!(out, ",{},{}", t.count, round4(t.share))?;
                }
                writeln!(out)?;
            }
        }
        StatsFormat::Text => {
            for (i, p) in profiles.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "━━ {}: {} paragraphs, {} without a theme, {} key figures",
                    p.doc, p.paragraphs, p.untagged, p.figures
                )?;
                let mut rows: Vec<_> = p.themes.iter().filter(|t| t.count > 0).collect();
                rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
                if rows.is_empty() {
                    writeln!(out, "  (no paragraph has a theme)")?;
                    continue;
                }
                writeln!(
                    out,
                    "  {:<18}  {:<20}  {:>10}  {:>6}  {:>7}",
                    "id", "name", "paragraphs", "share", "figures"
                )?;
                for t in rows {
                    let pad = 20usize.saturating_sub(display_width(&t.name));
                    writeln!(
                        out,
                        "  {:<18}  {}{}  {:>10}  {:>5.1}%  {:>7}",
                        t.id,
                        t.name,
                        " ".repeat(pad),
                        t.count,
                        t.share * 100.0,
                        t.figures
                    )?;
                }
            }
        }
    }
    Ok(if failed {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}
