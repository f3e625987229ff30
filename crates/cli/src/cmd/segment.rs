//! `policytag segment`: how a report is cut into paragraphs.

use std::io::Write;

use anyhow::Result;

use policytag_pipeline::{Paragraph, Reader, Source};

use crate::args::{SegmentArgs, TagFormat};
use crate::exit::Outcome;
use policytag_data::csv::field as csv_field;

/// Run the command. Paragraphs are written as they are found (bounded memory).
pub fn run(a: SegmentArgs) -> Result<Outcome> {
    let source = Source::path(&a.file);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.format == TagFormat::Csv {
        writeln!(out, "id,doc,paragraph,start,end,heading,text")?;
    }
    let mut write_error = None;
    let mut n = 0usize;
    Reader::default()
        .format(a.input_format.format())
        .for_each(&source, |p| {
            n += 1;
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
        eprintln!("policytag: {}: no paragraphs found", source.name());
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn write_one(out: &mut impl Write, format: TagFormat, p: &Paragraph) -> std::io::Result<()> {
    match format {
        TagFormat::Text => {
            if let Some(d) = p.document.as_ref().filter(|d| d.first == p.index) {
                let what = d.describe().unwrap_or_else(|| "(nothing known)".into());
                writeln!(out, "━━ document {}: {what}", d.index)?;
            }
            writeln!(
                out,
                "[{}] {}..{}  {}",
                p.index,
                p.start,
                p.end,
                p.heading_path()
            )?;
            writeln!(out, "    {}", p.text)
        }
        TagFormat::Jsonl => {
            serde_json::to_writer(&mut *out, p)?;
            writeln!(out)
        }
        TagFormat::Csv => writeln!(
            out,
            "{},{},{},{},{},{},{}",
            csv_field(&p.id),
            csv_field(&p.doc),
            p.index,
            p.start,
            p.end,
            csv_field(&p.heading_path()),
            csv_field(&p.text)
        ),
    }
}
