//! `policytag explain`: a theme's strongest terms (`--label ID`), or for one paragraph each
//! theme given with its score and the terms that carried it.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use policytag_model::Tagger;

use crate::args::{ExplainArgs, ReportFormat};
use crate::exit::{InputError, Outcome};
use crate::modelfile;
use crate::output::round4;

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
    crate::cmd::tag::check_threshold(a.threshold)?;
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
            let bytes = crate::input::read_bytes(std::path::Path::new("-"))?;
            let (text, _) = policytag_tokenizer::decode(&bytes)?;
            Ok(Mode::Text(text))
        }
        (Some(t), None) => Ok(Mode::Text(t.clone())),
    }
}

#[derive(Serialize)]
struct Term {
    term: String,
    /// `word` (a word or word bigram, words joined by a space) or `chars` (a character
    /// n-gram); not known for evidence terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    weight: f64,
}

fn term(raw: &str, weight: f64) -> Term {
    match raw.strip_prefix('#') {
        Some(t) => Term {
            term: t.to_string(),
            kind: Some("chars"),
            weight: round4(weight),
        },
        None => Term {
            term: raw.to_string(),
            kind: Some("word"),
            weight: round4(weight),
        },
    }
}

#[derive(Serialize)]
struct LabelTerms<'a> {
    label: &'a str,
    name: &'a str,
    threshold: f64,
    positive: Vec<Term>,
    negative: Vec<Term>,
}

#[derive(Serialize)]
struct ThemeScore<'a> {
    id: &'a str,
    name: &'a str,
    score: f64,
    threshold: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<Term>,
}

impl std::fmt::Display for ThemeScore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({})  score {:.3}  (threshold {:.3})",
            self.name, self.id, self.score, self.threshold
        )
    }
}

#[derive(Serialize)]
struct TextExplanation<'a> {
    text: &'a str,
    themes: Vec<ThemeScore<'a>>,
    /// The highest-scoring themes that were not given (at most three).
    closest: Vec<ThemeScore<'a>>,
}

/// Run the command.
pub fn run(a: ExplainArgs) -> Result<Outcome> {
    let mode = check(&a)?;
    let tagger = modelfile::load(a.model.as_deref())?;
    let mut out = std::io::stdout().lock();
    match mode {
        Mode::Label(id) => explain_label(&tagger, &id, &a, &mut out)?,
        Mode::Text(text) => explain_text(&tagger, &text, &a, &mut out)?,
    }
    Ok(Outcome::Ok)
}

fn threshold(tagger: &Tagger, l: usize, over: Option<f64>) -> f64 {
    round4(over.unwrap_or(tagger.model().label_models[l].threshold))
}

fn explain_label(tagger: &Tagger, id: &str, a: &ExplainArgs, out: &mut impl Write) -> Result<()> {
    let Some(l) = tagger.label_index(id) else {
        return Err(InputError(format!(
            "unknown label '{id}'; valid ids: {}",
            tagger.model().label_ids().join(", ")
        ))
        .into());
    };
    let info = &tagger.model().labels[l];
    let (pos, neg) = tagger.label_terms(l, a.top);
    let x = LabelTerms {
        label: &info.id,
        name: &info.name,
        threshold: threshold(tagger, l, None),
        positive: pos.iter().map(|(t, w)| term(t, *w)).collect(),
        negative: neg.iter().map(|(t, w)| term(t, *w)).collect(),
    };
    match a.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &x)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
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
    }
    Ok(())
}

fn explain_text(tagger: &Tagger, text: &str, a: &ExplainArgs, out: &mut impl Write) -> Result<()> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError("explain: the text is empty".into()).into());
    }
    let p = tagger.predict(text, a.threshold);
    let labels = &tagger.model().labels;
    let score = |l: usize, evidence: Vec<Term>| ThemeScore {
        id: &labels[l].id,
        name: &labels[l].name,
        score: round4(p.scores[l]),
        threshold: threshold(tagger, l, a.threshold),
        evidence,
    };
    let mut given = p.labels.clone();
    given.sort_by(|&x, &y| p.scores[y].total_cmp(&p.scores[x]).then(x.cmp(&y)));
    let themes: Vec<ThemeScore> = given
        .iter()
        .map(|&l| {
            let ev = tagger
                .evidence(&p, l, a.top)
                .into_iter()
                .map(|e| Term {
                    term: e.term,
                    kind: None,
                    weight: round4(e.weight),
                })
                .collect();
            score(l, ev)
        })
        .collect();
    let mut rest: Vec<usize> = (0..labels.len())
        .filter(|l| !p.labels.contains(l))
        .collect();
    rest.sort_by(|&x, &y| p.scores[y].total_cmp(&p.scores[x]).then(x.cmp(&y)));
    let closest: Vec<ThemeScore> = rest.iter().take(3).map(|&l| score(l, Vec::new())).collect();
    let x = TextExplanation {
        text,
        themes,
        closest,
    };
    match a.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &x)?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
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

    #[test]
    fn char_ngrams_lose_their_marker() {
        let t = term("#幼儿", 1.23456);
        assert_eq!(
            (t.term.as_str(), t.kind, t.weight),
            ("幼儿", Some("chars"), 1.2346)
        );
        assert_eq!(term("清廉 学校", -0.5).kind, Some("word"));
    }
}
