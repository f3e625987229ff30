//! `policytag import`: a labelling tool's export (doccano, Label Studio, fastText) → corpus
//! JSONL, with labels checked against the theme set.

use std::io::Write;

use anyhow::Result;

use policytag_data::interchange::{self, Format, ImportOptions};

use crate::args::{ImportArgs, ToolFormat};
use crate::exit::{InputError, Outcome};
use crate::input::{label_set, read_utf8};
use crate::output::Sink;

/// The library format of a `--from`/`--to` value.
fn format(f: ToolFormat) -> Format {
    match f {
        ToolFormat::Doccano => Format::Doccano,
        ToolFormat::Labelstudio => Format::LabelStudio,
        ToolFormat::Fasttext => Format::FastText,
    }
}

/// Run the command.
pub fn run(a: ImportArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(a.out.as_deref(), &[&a.file])?;
    if a.themes.is_some() && a.model.is_some() {
        return Err(InputError("give --themes or --model, not both".into()).into());
    }
    let labels = label_set(a.themes.as_deref(), a.model.as_deref())?;
    let content = read_utf8(&a.file)?;
    let imported = interchange::import(
        format(a.from),
        &a.file,
        &content,
        &labels,
        ImportOptions {
            allow_unknown: a.allow_unknown,
        },
    )?;
    if !imported.unlabelled.is_empty() {
        eprintln!(
            "policytag: {}: left out {} task(s) without an annotation (tasks {})",
            a.file.display(),
            imported.unlabelled.len(),
            crate::output::first_five(&imported.unlabelled)
        );
    }
    let mut sink = Sink::open(a.out.as_deref())?;
    sink.write_all(interchange::write_corpus(&imported.examples).as_bytes())?;
    sink.finish()?;
    if let Some(out) = &a.out {
        eprintln!(
            "policytag: wrote {} paragraphs to {}",
            imported.examples.len(),
            out.display()
        );
    }
    Ok(Outcome::Ok)
}
