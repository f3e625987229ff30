//! `policytag train`: fit a model on labelled JSONL and save it atomically.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use policytag_data::jsonl::{read_jsonl, ReadOptions};
use policytag_features::Error as FeaturesError;
use policytag_model::logistic::Pooling;
use policytag_model::train::{Hooks, TrainParams, ValidTrainParams};
use policytag_model::Error as ModelError;

use crate::args::{PoolingArg, TrainArgs};
use crate::exit::{InputError, Outcome};

/// Parse `LO-HI` (or a single `N`) into an inclusive range; its bounds are checked by
/// `TrainParams::check`.
pub fn parse_range(flag: &str, s: &str) -> Result<(usize, usize)> {
    let bad = || InputError(format!("{flag} wants a range like 1-2, got {s:?}"));
    let num = |x: &str| x.trim().parse::<usize>().map_err(|_| bad());
    match s.split_once('-') {
        Some((lo, hi)) => Ok((num(lo)?, num(hi)?)),
        None => Ok(num(s).map(|n| (n, n))?),
    }
}

/// The flag that sets a training parameter (named by its `TrainParams` setter).
fn flag(param: &str) -> String {
    match param {
        "word_ngrams" => "--ngrams".into(),
        "max_iterations" => "--max-iter".into(),
        p => format!("--{}", p.replace('_', "-")),
    }
}

/// A setter applied only when its flag was given.
fn set<T>(p: TrainParams, v: Option<T>, f: fn(TrainParams, T) -> TrainParams) -> TrainParams {
    match v {
        Some(v) => f(p, v),
        None => p,
    }
}

/// The parameters: the library's recommended defaults, changed only by the flags given.
fn params(a: &TrainArgs) -> Result<ValidTrainParams> {
    let mut p = set(
        TrainParams::default(),
        a.hmm.then_some(true),
        TrainParams::hmm,
    );
    if let Some(s) = &a.ngrams {
        let (lo, hi) = parse_range("--ngrams", s)?;
        p = p.word_ngrams(lo, hi);
    }
    if let Some(s) = &a.char_ngrams {
        let range = match s.as_str() {
            "none" => None,
            s => Some(parse_range("--char-ngrams", s)?),
        };
        p = p.char_ngrams(range);
    }
    p = set(p, a.max_features.map(Some), TrainParams::max_features);
    p = set(p, a.min_df, TrainParams::min_df);
    p = set(p, a.folds, TrainParams::folds);
    p = set(p, a.features_per_label, TrainParams::features_per_label);
    p = set(p, a.seed, TrainParams::seed);
    p = set(p, a.alpha, TrainParams::alpha);
    p = set(p, a.max_iter, TrainParams::max_iterations);
    p = set(p, a.threshold_margin, TrainParams::threshold_margin);
    p = set(p, a.context_weight, TrainParams::context_weight);
    let pooling = a.pooling.map(|x| match x {
        PoolingArg::Paragraph => Pooling::Paragraph,
        PoolingArg::MaxSentence => Pooling::MaxSentence,
        PoolingArg::Combined => Pooling::Combined,
    });
    p = set(p, pooling, TrainParams::pooling);
    // Validation lives in check(); its errors name the setter, shown here as the flag.
    p.check().map_err(|e| match e {
        ModelError::InvalidParam { param, msg }
        | ModelError::Features(FeaturesError::InvalidParam { param, msg }) => {
            InputError(format!("{}: {msg}", flag(param))).into()
        }
        e => e.into(),
    })
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
    let params = params(&a)?;
    let names = match &a.themes {
        Some(p) => policytag_data::label::read_themes(p)?
            .into_iter()
            .map(|t| (t.id, (t.name, t.description)))
            .collect(),
        None => BTreeMap::new(),
    };
    let mut examples = Vec::new();
    for path in &a.data {
        let opts = ReadOptions {
            skip_bad: a.skip_bad,
            ..Default::default()
        };
        let r = read_jsonl(path, opts)?;
        if !r.skipped.is_empty() {
            let lines: Vec<usize> = r.skipped.iter().map(|(l, _)| *l).collect();
            eprintln!(
                "policytag: {}: skipped {} bad line(s) (lines {})",
                path.display(),
                r.skipped.len(),
                crate::output::first_five(&lines)
            );
        }
        examples.extend(r.examples);
    }

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
            params.params().n_folds()
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
        for bad in ["a-b", "", "1-x"] {
            let e = parse_range("--ngrams", bad).unwrap_err().to_string();
            assert!(e.contains("--ngrams"), "{bad}: {e}");
        }
    }
}
