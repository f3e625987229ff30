//! `policytag export`: corpus JSONL → a labelling tool's format. Label Studio tasks can carry
//! the model's predictions for pre-annotation, and come with a matching labelling config.

use anyhow::{Context, Result};
use policytag_data::atomic::write_atomic;
use policytag_data::interchange;
use policytag_pipeline::Pipeline;

use crate::args::{ExportArgs, ToolFormat};
use crate::exit::{InputError, Outcome};
use crate::input::{label_set, read_utf8};

/// Run the command.
pub fn run(a: ExportArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(Some(&a.out), &[&a.file])?;
    let predict = a.predict || (a.model.is_some() && a.to == ToolFormat::Labelstudio);
    match a.to {
        ToolFormat::Labelstudio if a.tokens => {
            return Err(InputError("--tokens is for --to fasttext".into()).into())
        }
        ToolFormat::Fasttext if a.predict || (a.model.is_some() && !a.tokens) => {
            return Err(InputError(
                "fastText lines carry no predictions: --model goes with --tokens for --to fasttext"
                    .into(),
            )
            .into())
        }
        ToolFormat::Doccano if a.predict || a.tokens || a.model.is_some() => {
            return Err(InputError(
                "--model, --predict and --tokens do not apply to --to doccano".into(),
            )
            .into())
        }
        _ => {}
    }
    if a.themes.is_some() && a.to != ToolFormat::Labelstudio {
        return Err(InputError("--themes is for --to labelstudio (its config)".into()).into());
    }
    let content = read_utf8(&a.file)?;
    let items = interchange::read_for_export(&a.file, &content)?;
    if items.is_empty() {
        return Err(InputError(format!("{}: no paragraphs", a.file.display())).into());
    }
    let out = match a.to {
        ToolFormat::Doccano => interchange::write_doccano(&items),
        ToolFormat::Fasttext => {
            let texts: Vec<&str> = items.iter().map(|it| it.example.text.as_str()).collect();
            let tokens = match a.tokens {
                true => Some(Pipeline::load(a.model.as_deref())?.token_lines(&texts)),
                false => None,
            };
            let (lines, left_out) =
                interchange::write_fasttext(&a.file, &items, tokens.as_deref())?;
            if !left_out.is_empty() {
                eprintln!(
                    "policytag: {}: left out {} paragraph(s) with no text for fastText (lines {})",
                    a.file.display(),
                    left_out.len(),
                    crate::output::first_five(&left_out)
                );
            }
            lines
        }
        ToolFormat::Labelstudio => {
            let labels = if a.themes.is_some() {
                label_set(a.themes.as_deref(), None)?
            } else {
                label_set(None, a.model.as_deref())?
            };
            let tasks = if predict {
                let pipeline = Pipeline::load(a.model.as_deref())?;
                let texts: Vec<&str> = items.iter().map(|it| it.example.text.as_str()).collect();
                let name = a.file.display().to_string();
                let (version, preds) = pipeline.labelstudio_predictions(&name, &texts)?;
                interchange::write_labelstudio(&items, Some((&version, &preds)))
            } else {
                interchange::write_labelstudio(&items, None)
            };
            let config = interchange::labelstudio_config_path(&a.out);
            write_atomic(&config, interchange::labelstudio_config(&labels).as_bytes())
                .with_context(|| format!("writing {}", config.display()))?;
            eprintln!(
                "policytag: wrote the labelling config to {}",
                config.display()
            );
            tasks
        }
    };
    write_atomic(&a.out, out.as_bytes()).with_context(|| format!("writing {}", a.out.display()))?;
    eprintln!(
        "policytag: wrote {} paragraphs to {}",
        items.len(),
        a.out.display()
    );
    Ok(Outcome::Ok)
}
