//! `policytag explain`: a theme's strongest terms (`--label ID`), or for one paragraph each
//! theme given with its score and the terms that carried it.

use std::io::Write;

use anyhow::Result;

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
    match mode {
        Mode::Label(id) => {
            let x = pipeline.explain_label(&id, a.top)?;
            if a.format == ReportFormat::Json {
                serde_json::to_writer_pretty(&mut out, &x)?;
                writeln!(out)?;
                return Ok(Outcome::Ok);
            }
            writeln!(
                out,
                "{} ({}), threshold {:.3}",
                x.name, x.label, x.threshold
            )?;
            for (title, terms) in [
                ("terms for the theme", &x.positive),
                ("terms against it", &x.negative),
            ] {
                writeln!(out, "\n{title}:")?;
                if terms.is_empty() {
                    writeln!(out, "  (none)")?;
                }
                for t in terms {
                    let kind = if t.kind == Some("chars") {
                        "  [chars]"
                    } else {
                        ""
                    };
                    writeln!(out, "  {:>+8.4}  {}{kind}", t.weight, t.term)?;
                }
            }
        }
        Mode::Text(text) => {
            let x = pipeline.explain_text(&text, a.top)?;
            if a.format == ReportFormat::Json {
                serde_json::to_writer_pretty(&mut out, &x)?;
                writeln!(out)?;
                return Ok(Outcome::Ok);
            }
            if x.themes.is_empty() {
                writeln!(out, "no theme reached its threshold")?;
            }
            for t in &x.themes {
                writeln!(out, "{t}")?;
                for e in &t.evidence {
                    writeln!(out, "  {:>+8.4}  {}", e.weight, e.term)?;
                }
            }
            writeln!(out, "\nclosest themes not given:")?;
            for t in &x.closest {
                writeln!(out, "  {t}")?;
            }
        }
    }
    Ok(Outcome::Ok)
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
