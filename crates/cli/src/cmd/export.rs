//! `policytag export`: corpus JSONL → a labelling tool's format. Label Studio tasks can carry
//! the model's predictions for pre-annotation, and come with a matching labelling config.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use policytag_model::active::decision_confidence;
use policytag_model::interchange::{self, LsPrediction};
use policytag_model::model::write_atomic;

use crate::args::{ExportArgs, ToolFormat};
use crate::cmd::import::{label_set, read_utf8};
use crate::exit::{InputError, Outcome};
use crate::modelfile;
use crate::output::round4;

/// The labelling config written beside Label Studio tasks: `tasks.json` → `tasks.config.xml`.
pub fn config_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tasks".into());
    out.with_file_name(format!("{stem}.config.xml"))
}

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
            let tokens = if a.tokens {
                let tagger = modelfile::load(a.model.as_deref())?;
                let t = tagger.tokenizer();
                Some(
                    items
                        .par_iter()
                        .map(|it| t.tokenize(&it.example.text).words.join(" "))
                        .collect::<Vec<_>>(),
                )
            } else {
                None
            };
            let (lines, left_out) =
                interchange::write_fasttext(&a.file, &items, tokens.as_deref())?;
            if !left_out.is_empty() {
                eprintln!(
                    "policytag: {}: left out {} paragraph(s) with no text for fastText (lines {})",
                    a.file.display(),
                    left_out.len(),
                    list_some(&left_out)
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
                let tagger = modelfile::load(a.model.as_deref())?;
                let model = tagger.model();
                let ids = model.label_ids();
                let thresholds: Vec<f64> = model.label_models.iter().map(|m| m.threshold).collect();
                let preds: Vec<LsPrediction> = items
                    .par_iter()
                    .map(|it| {
                        let p = tagger.predict(&it.example.text, None);
                        LsPrediction {
                            labels: p.labels.iter().map(|&l| ids[l].clone()).collect(),
                            score: round4(decision_confidence(&p.scores, &thresholds)),
                        }
                    })
                    .collect();
                let version = interchange::model_version(model)?;
                interchange::write_labelstudio(&items, Some((&version, &preds)))
            } else {
                interchange::write_labelstudio(&items, None)
            };
            let config = config_path(&a.out);
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

/// The first five numbers, then `…`.
fn list_some(n: &[usize]) -> String {
    let shown: Vec<String> = n.iter().take(5).map(|l| l.to_string()).collect();
    format!(
        "{}{}",
        shown.join(", "),
        if n.len() > 5 { ", …" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_sits_beside_the_tasks() {
        assert_eq!(
            config_path(Path::new("out/tasks.json")),
            Path::new("out/tasks.config.xml")
        );
        assert_eq!(config_path(Path::new("t")), Path::new("t.config.xml"));
    }
}
