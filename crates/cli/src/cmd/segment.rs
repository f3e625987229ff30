//! `policytag segment`: how a report is cut into paragraphs.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use policytag_tokenizer::Segmenter;

use crate::args::{SegmentArgs, TagFormat};
use crate::exit::Outcome;
use crate::input::{name, read_text};
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
    let text = read_text(&a.file)?;
    let doc = name(&a.file);
    let paras = Segmenter::default().segment(&text);
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
                    p.index,
                    p.start,
                    p.end,
                    p.heading_path()
                )?;
                writeln!(out, "    {}", p.text)?;
            }
            TagFormat::Jsonl => {
                let row = Row {
                    doc: &doc,
                    paragraph: p.index,
                    start: p.start,
                    end: p.end,
                    heading: p.heading_path(),
                    text: &p.text,
                };
                serde_json::to_writer(&mut out, &row)?;
                writeln!(out)?;
            }
            TagFormat::Csv => writeln!(
                out,
                "{},{},{},{},{},{}",
                csv_field(&doc),
                p.index,
                p.start,
                p.end,
                csv_field(&p.heading_path()),
                csv_field(&p.text)
            )?,
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
