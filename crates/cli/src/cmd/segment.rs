//! `policytag segment`: how a report is cut into paragraphs.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::args::{SegmentArgs, TagFormat};
use crate::exit::Outcome;
use crate::input::{items, name};
use crate::output::csv_field;

#[derive(Serialize)]
struct Row<'a> {
    doc: &'a str,
    paragraph: usize,
    start: usize,
    end: usize,
    heading: String,
    text: &'a str,
}

/// Run the command.
pub fn run(a: SegmentArgs) -> Result<Outcome> {
    let doc = name(&a.file);
    let paras = items(&a.file, false, a.input_format.format())?;
    if paras.is_empty() {
        eprintln!("policytag: {doc}: no paragraphs found");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.format == TagFormat::Csv {
        writeln!(out, "doc,paragraph,start,end,heading,text")?;
    }
    for p in &paras {
        match a.format {
            TagFormat::Text => {
                writeln!(
                    out,
                    "[{}] {}..{}  {}",
                    p.paragraph, p.start, p.end, p.heading
                )?;
                writeln!(out, "    {}", p.text)?;
            }
            TagFormat::Jsonl => {
                let row = Row {
                    doc: &doc,
                    paragraph: p.paragraph,
                    start: p.start,
                    end: p.end,
                    heading: p.heading.clone(),
                    text: &p.text,
                };
                serde_json::to_writer(&mut out, &row)?;
                writeln!(out)?;
            }
            TagFormat::Csv => writeln!(
                out,
                "{},{},{},{},{},{}",
                csv_field(&doc),
                p.paragraph,
                p.start,
                p.end,
                csv_field(&p.heading.clone()),
                csv_field(&p.text)
            )?,
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
