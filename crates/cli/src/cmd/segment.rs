//! `policytag segment`: how a report is cut into paragraphs.

use std::io::Write;

use anyhow::Result;

use policytag_pipeline::{OutputFormat, Paragraph, Reader, Source};

use crate::args::SegmentArgs;
use crate::exit::Outcome;

/// Run the command. Paragraphs are written as they are found (bounded memory).
pub fn run(a: SegmentArgs) -> Result<Outcome> {
    let source = Source::path(&a.file);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let format = a.format.output();
    if format == OutputFormat::Csv {
        out.write_all(Paragraph::CSV_HEADER.as_bytes())?;
    }
    let mut write_error = None;
    let mut n = 0usize;
    Reader::default()
        .format(a.input_format.format())
        .for_each(&source, |p| {
            n += 1;
            let r = out.write_all(p.render(format).as_bytes());
            write_error = r.err();
            write_error.is_none()
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
