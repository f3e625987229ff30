//! `policytag segment`: how a report is cut into paragraphs.

use std::io::Write;

use std::sync::Arc;

use anyhow::Result;

use crate::args::{SegmentArgs, TagFormat};
use crate::exit::Outcome;
use crate::input::{for_each_paragraph, name, Item};
use crate::output::{csv_field, json_str, DocInfo};

/// Run the command. Paragraphs are written as they are found (bounded memory).
pub fn run(a: SegmentArgs) -> Result<Outcome> {
    let doc = name(&a.file);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.format == TagFormat::Csv {
        writeln!(out, "doc,paragraph,start,end,heading,text")?;
    }
    let mut write_error = None;
    let mut last: Option<Arc<DocInfo>> = None;
    let n = for_each_paragraph(&a.file, a.input_format.format(), |p| {
        let new_doc = match (&last, &p.document) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            (None, Some(_)) => true,
            _ => false,
        };
        if new_doc {
            last = p.document.clone();
            if a.format == TagFormat::Text {
                if let Some(d) = &p.document {
                    if let Err(e) = writeln!(out, "━━ {}", d.line) {
                        write_error = Some(e);
                        return false;
                    }
                }
            }
        }
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
            let mut s = String::with_capacity(p.text.len() + p.heading.len() + 200);
            s.push_str("{\"doc\":");
            json_str(&mut s, &p.doc);
            if let Some(d) = &p.document {
                s.push(',');
                s.push_str(&d.json);
            }
            s.push_str(&format!(
                ",\"paragraph\":{},\"start\":{},\"end\":{},\"heading\":",
                p.paragraph, p.start, p.end
            ));
            json_str(&mut s, &p.heading);
            s.push_str(",\"text\":");
            json_str(&mut s, &p.text);
            s.push('}');
            writeln!(out, "{s}")
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
