//! `policytag import`: a labelling tool's export (doccano, Label Studio, fastText) → corpus
//! JSONL, with labels checked against the theme set.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use policytag_model::interchange::{self, Format, ImportOptions, LabelSet};
use policytag_model::LabelInfo;

use crate::args::{ImportArgs, ToolFormat};
use crate::cmd::train::read_themes;
use crate::exit::{InputError, Outcome};
use crate::input::read_bytes;
use crate::modelfile;
use crate::output::Sink;

/// The library format of a `--from`/`--to` value.
pub fn format(f: ToolFormat) -> Format {
    match f {
        ToolFormat::Doccano => Format::Doccano,
        ToolFormat::Labelstudio => Format::LabelStudio,
        ToolFormat::Fasttext => Format::FastText,
    }
}

/// The theme set: a themes TOML file when given, else the model's labels.
pub fn label_set(themes: Option<&Path>, model: Option<&Path>) -> Result<LabelSet> {
    let labels = match themes {
        Some(p) => read_themes(p)?
            .into_iter()
            .map(|(id, (name, description))| LabelInfo {
                id,
                name,
                description,
            })
            .collect(),
        None => modelfile::load_model(model)?.labels,
    };
    Ok(LabelSet::new(labels))
}

/// A UTF-8 file's content, or an input error naming it (and the line of the first bad byte).
pub fn read_utf8(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    Ok(policytag_model::data::utf8(path, bytes)?)
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
        let shown: Vec<String> = imported
            .unlabelled
            .iter()
            .take(5)
            .map(|t| t.to_string())
            .collect();
        eprintln!(
            "policytag: {}: left out {} task(s) without an annotation (tasks {}{})",
            a.file.display(),
            imported.unlabelled.len(),
            shown.join(", "),
            if imported.unlabelled.len() > 5 {
                ", …"
            } else {
                ""
            }
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
