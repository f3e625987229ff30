//! `policytag explain`: a theme's strongest terms (`--label ID`), or for one paragraph each
//! theme given with its score and the terms that carried it.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use policytag_pipeline::{Pipeline, Source, TagOptions};

use crate::args::{ExplainArgs, ReportFormat};
use crate::exit::{InputError, Outcome};

/// What to explain, once the arguments are checked.
#[derive(Debug, PartialEq)]
enum Mode {
    Label(String),
    Text(String),
}

/// Exactly one of TEXT and `--label`; `--top` at least 1.
fn check(a: &ExplainArgs) -> Result<Mode> {
    if a.top == 0 {
        return Err(InputError("--top must be at least 1".into()).into());
    }
    match (&a.text, &a.label) {
        (Some(_), Some(_)) => {
            Err(InputError("explain takes TEXT or --label ID, not both".into()).into())
        }
        (None, None) => Err(InputError(
            "explain needs TEXT (a paragraph, or - for stdin) or --label ID".into(),
        )
        .into()),
        (None, Some(l)) => Ok(Mode::Label(l.clone())),
        (Some(t), None) if t == "-" => {
            let bytes = Source::Stdin.read_all()?;
            let (text, _) = policytag_tokenizer::decode(&bytes)?;
            Ok(Mode::Text(text))
        }
        (Some(t), None) => Ok(Mode::Text(t.clone())),
    }
}

/// Run the command.
pub fn run(a: ExplainArgs) -> Result<Outcome> {
    let options = TagOptions {
        threshold: a.threshold,
        evidence: None,
    }
    .check()?;
    let mode = check(&a)?;
    let pipeline = Pipeline::load(a.model.as_deref())?.with_options(options)?;
    let mut out = std::io::stdout().lock();
    let json = a.format == ReportFormat::Json;
    match mode {
        Mode::Label(id) => write(&mut out, &pipeline.explain_label(&id, a.top)?, json)?,
        Mode::Text(text) => write(&mut out, &pipeline.explain_text(&text, a.top)?, json)?,
    }
    Ok(Outcome::Ok)
}

/// Pretty JSON, or the explanation's text form.
fn write<T: Serialize + std::fmt::Display>(out: &mut impl Write, x: &T, json: bool) -> Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, x)?;
        writeln!(out)?;
    } else {
        write!(out, "{x}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: Option<&str>, label: Option<&str>, top: usize) -> ExplainArgs {
        ExplainArgs {
            text: text.map(String::from),
            label: label.map(String::from),
            top,
            model: None,
            threshold: None,
            format: ReportFormat::Text,
        }
    }

    #[test]
    fn exactly_one_of_text_and_label() {
        for (a, flag) in [
            (args(Some("x"), Some("aid"), 10), "--label"),
            (args(None, None, 10), "--label"),
            (args(Some("x"), None, 0), "--top"),
        ] {
            let e = check(&a).unwrap_err();
            assert!(crate::exit::is_input_error(&e));
            assert!(e.to_string().contains(flag), "{e}");
        }
        assert_eq!(
            check(&args(None, Some("aid"), 3)).unwrap(),
            Mode::Label("aid".into())
        );
        assert_eq!(
            check(&args(Some("双减"), None, 3)).unwrap(),
            Mode::Text("双减".into())
        );
    }
}
