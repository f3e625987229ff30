//! `policytag segment`: how a report is cut into paragraphs.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::args::{SegmentArgs, TagFormat};
use crate::exit::Outcome;
use crate::input::{for_each_paragraph, name, Item};
use crate::output::csv_field;

#[derive(Serialize)]
struct Row<'a> {
    doc: &'a str,
    paragraph: usize,
    start: usize,
    end: usize,
    heading: &'a str,
    text: &'a str,
}

/// Run the command. Paragraphs are written as they are found (bounded memory).
pub fn run(a: SegmentArgs) -> Result<Outcome> {
    let doc = name(&a.file);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.format == TagFormat::Csv {
        writeln!(out, "doc,paragraph,start,end,heading,text")?;
    }
    let mut write_error = None;
    let n = for_each_paragraph(&a.file, a.input_format.format(), |p| {
        match write_one(&mut out, a.format, &p) {
            Ok(()) => true,
            Err(e) => {
                write_error = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if n == 0 {
        eprintln!("policytag: {doc}: no paragraphs found");
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn write_one(out: &mut impl Write, format: TagFormat, p: &Item) -> std::io::Result<()> {
    match format {
        TagFormat::Text => {
            writeln!(
                out,
                "[{}] {}..{}  {}",
                p.paragraph, p.start, p.end, p.heading
            )?;
            writeln!(out, "    {}", p.text)
        }
        TagFormat::Jsonl => {
            let row = Row {
                doc: &p.doc,
                paragraph: p.paragraph,
                start: p.start,
                end: p.end,
                heading: &p.heading,
                text: &p.text,
            };
            serde_json::to_writer(&mut *out, &row)?;
            writeln!(out)
        }
        TagFormat::Csv => writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_field(&p.doc),
            p.paragraph,
            p.start,
            p.end,
            csv_field(&p.heading),
            csv_field(&p.text)
        ),
    }
}
