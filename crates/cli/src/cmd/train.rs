//! `policytag train`: fit a model on labelled JSONL and save it atomically.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;

use policytag_features::TfidfParams;
use policytag_model::data::{read_jsonl, ReadOptions};
use policytag_model::train::{Hooks, TrainParams};
use policytag_tokenizer::TextSettings;

use crate::args::{PoolingArg, TrainArgs};
use crate::exit::{InputError, Outcome};
use policytag_model::logistic::Pooling;

#[derive(Deserialize)]
struct ThemesFile {
    theme: Vec<Theme>,
}

#[derive(Deserialize)]
struct Theme {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
}

/// Read display names from a themes TOML file.
pub fn read_themes(path: &Path) -> Result<BTreeMap<String, (String, String)>> {
    let bytes = policytag_tokenizer::limits::read_file(
        path,
        policytag_tokenizer::limits::CONFIG,
        "a themes file",
    )
    .with_context(|| format!("reading {}", path.display()))?;
    let s = String::from_utf8(bytes)
        .map_err(|_| InputError(format!("{}: not valid UTF-8", path.display())))?;
    let t: ThemesFile = toml::from_str(&s)
        .map_err(|e| InputError(format!("{}: {}", path.display(), e.message())))?;
    Ok(t.theme
        .into_iter()
        .map(|t| (t.id, (t.name, t.description)))
        .collect())
}

/// Parse `LO-HI` (or a single `N`) into an inclusive range.
pub fn parse_range(flag: &str, s: &str) -> Result<(usize, usize)> {
    let bad = || InputError(format!("{flag} wants a range like 1-2, got {s:?}"));
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let n = s.trim().parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    if lo == 0 || lo > hi || hi > 3 {
        return Err(InputError(format!(
            "{flag} must be within 1-3 with low <= high, got {s:?}"
        ))
        .into());
    }
    Ok((lo, hi))
}

/// Run the command.
pub fn run(a: TrainArgs) -> Result<Outcome> {
    let inputs: Vec<&Path> = a
        .data
        .iter()
        .map(|p| p.as_path())
        .chain(a.themes.as_deref())
        .collect();
    crate::output::refuse_input_as_output(Some(&a.out), &inputs)?;
    if a.folds < 2 {
        return Err(InputError(format!("--folds must be at least 2, got {}", a.folds)).into());
    }
    if a.max_features == Some(0) {
        return Err(InputError("--max-features must be at least 1, got 0".into()).into());
    }
    if a.features_per_label == 0 {
        return Err(InputError("--features-per-label must be at least 1, got 0".into()).into());
    }
    if a.min_df == 0 {
        return Err(InputError("--min-df must be at least 1, got 0".into()).into());
    }
    if !(a.alpha > 0.0 && a.alpha.is_finite()) {
        return Err(InputError(format!("--alpha must be positive, got {}", a.alpha)).into());
    }
    if a.max_iter == 0 {
        return Err(InputError("--max-iter must be at least 1, got 0".into()).into());
    }
    let ngrams = parse_range("--ngrams", &a.ngrams)?;
    let chars = a
        .char_ngrams
        .as_deref()
        .map(|s| parse_range("--char-ngrams", s))
        .transpose()?;
    let names = match &a.themes {
        Some(p) => read_themes(p)?,
        None => BTreeMap::new(),
    };
    let mut examples = Vec::new();
    for path in &a.data {
        let r = read_jsonl(
            path,
            ReadOptions {
                skip_bad: a.skip_bad,
                labels_optional: false,
            },
        )?;
        if !r.skipped.is_empty() {
            let lines: Vec<String> = r
                .skipped
                .iter()
                .take(5)
                .map(|(l, _)| l.to_string())
                .collect();
            eprintln!(
                "policytag: {}: skipped {} bad line(s) (lines {}{})",
                path.display(),
                r.skipped.len(),
                lines.join(", "),
                if r.skipped.len() > 5 { ", …" } else { "" }
            );
        }
        examples.extend(r.examples);
    }
    let text = TextSettings {
        hmm: a.hmm,
        ..TextSettings::default()
    };
    let tfidf = TfidfParams::default()
        .word_ngrams(ngrams.0, ngrams.1)
        .char_ngrams(chars)
        .min_df(a.min_df)
        .max_features(a.max_features);
    let params = TrainParams::default()
        .text(text)
        .tfidf(tfidf)
        .folds(a.folds)
        .seed(a.seed)
        .features_per_label(a.features_per_label)
        .alpha(a.alpha)
        .max_iterations(a.max_iter)
        .pooling(match a.pooling {
            PoolingArg::Paragraph => Pooling::Paragraph,
            PoolingArg::MaxSentence => Pooling::MaxSentence,
        })
        .check()?;

    let cancel = Arc::new(AtomicBool::new(false));
    {
        let c = cancel.clone();
        let _ = ctrlc::set_handler(move || c.store(true, Ordering::SeqCst));
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap()
            .progress_chars("=> "),
    );
    let progress = |stage: &str, done: u64, total: u64| {
        bar.set_message(stage.to_string());
        bar.set_length(total);
        bar.set_position(done);
    };
    let hooks = Hooks {
        progress: &progress,
        cancel: &cancel,
    };
    let model = params.fit(&examples, &names, &hooks);
    bar.finish_and_clear();
    let model = model?;
    model
        .save(&a.out)
        .with_context(|| format!("writing model {}", a.out.display()))?;
    let mut out = std::io::stdout().lock();
    if !a.quiet {
        writeln!(
            out,
            "trained on {} paragraphs, {} labels, {} terms; {}-fold cross-validation:\n",
            model.training.examples,
            model.labels.len(),
            model.training.vocabulary,
            a.folds
        )?;
        write!(out, "{}", model.training.cv.report())?;
    }
    writeln!(out, "model written to {}", a.out.display())?;
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_reject_nonsense() {
        assert_eq!(parse_range("--ngrams", "1-2").unwrap(), (1, 2));
        assert_eq!(parse_range("--ngrams", "2").unwrap(), (2, 2));
        for bad in ["0-2", "3-1", "1-4", "a-b", ""] {
            let e = parse_range("--ngrams", bad).unwrap_err().to_string();
            assert!(e.contains("--ngrams"), "{bad}: {e}");
        }
    }

    #[test]
    fn themes_file_gives_names() {
        let dir = std::env::temp_dir().join(format!("policytag-themes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.toml");
        std::fs::write(&p, "[[theme]]\nid = \"safety\"\nname = \"校园安全\"\n").unwrap();
        let t = read_themes(&p).unwrap();
        assert_eq!(t["safety"].0, "校园安全");
        std::fs::write(&p, "[[theme]]\nname = 3\n").unwrap();
        assert!(read_themes(&p).unwrap_err().to_string().contains("t.toml"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
