//! `policytag annotate`: a local page for labelling paragraphs, the model suggesting; with
//! `--base`, a model that learns as you label; with `--review`, adjudication of annotators'
//! disagreements.

use std::time::Instant;

use anyhow::{Context, Result};
use policytag_annotate::groups::{self, GroupParams};
use policytag_annotate::learn::Learner;
use policytag_annotate::review::{Annotator, Review};
use policytag_annotate::{queue, server, store::Store, Session, Settings};
use policytag_data::jsonl::{read_jsonl, ReadOptions};
use policytag_data::Example;
use policytag_pipeline::{Pipeline, Reader};

use crate::args::{AnnotateArgs, OrderArg};
use crate::exit::{InputError, Outcome};

/// Run the command: read and segment the inputs (or match the annotators' files), open (or
/// resume) the out file, serve until Ctrl-C.
pub fn run(a: AnnotateArgs) -> Result<Outcome> {
    let inputs: Vec<&std::path::Path> = a
        .files
        .iter()
        .chain(&a.review)
        .chain(&a.base)
        .map(|p| p.as_path())
        .collect();
    crate::output::refuse_input_as_output(Some(&a.out), &inputs)?;
    let review = !a.review.is_empty();
    let order =
        match (a.order, a.no_suggestions || review) {
            (Some(OrderArg::Uncertain), true) => return Err(InputError(
                "--order uncertain needs model suggestions: drop --no-suggestions (and --review)"
                    .into(),
            )
            .into()),
            (Some(OrderArg::Uncertain), false) | (None, false) => queue::Order::Uncertain,
            (Some(OrderArg::File), _) | (None, true) => queue::Order::File,
            (Some(OrderArg::Random), _) => queue::Order::Random { seed: a.seed },
        };
    if !(a.dup_threshold > 0.0 && a.dup_threshold <= 1.0) {
        return Err(InputError(format!(
            "--dup-threshold must be in (0, 1], got {}",
            a.dup_threshold
        ))
        .into());
    }
    let learn = !review && !a.no_learn && (a.learn || a.base.is_some());
    if learn && a.no_suggestions {
        return Err(InputError(
            "learning needs model suggestions: drop --no-suggestions (or pass --no-learn)".into(),
        )
        .into());
    }
    let read_labelled = |p: &std::path::Path| -> Result<Vec<Example>> {
        Ok(read_jsonl(p, ReadOptions::default())?.examples)
    };
    let (paras, review) = if review {
        let mut annotators = Vec::new();
        for p in &a.review {
            annotators.push(Annotator {
                name: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| p.display().to_string()),
                examples: read_labelled(p)?,
            });
        }
        let r = Review::build(annotators).context("matching the annotators' paragraphs")?;
        (r.paragraphs(), Some(r))
    } else {
        let reader = Reader::default()
            .format(a.input_format.format())
            .jsonl(a.jsonl);
        let mut paras = Vec::new();
        for source in crate::input::sources(&a.files, a.jsonl) {
            paras.extend(reader.read(&source?)?.paragraphs);
        }
        (paras, None)
    };
    let base = match &a.base {
        Some(p) => read_labelled(p)?,
        None => Vec::new(),
    };
    let pipeline = Pipeline::load(a.model.as_deref())?;
    let labels = pipeline.labels().to_vec();
    let params = pipeline.model().training.params.clone();
    let suggest = !a.no_suggestions && review.is_none();
    let t0 = Instant::now();
    let groups = (!a.no_groups && review.is_none()).then(|| {
        let texts: Vec<&str> = paras.iter().map(|p| p.text.as_str()).collect();
        groups::group(
            &texts,
            GroupParams {
                threshold: a.dup_threshold,
                // The exact index is exact and quick for reports; MinHash scales (README).
                method: if texts.len() > 20_000 {
                    groups::Method::MinHash
                } else {
                    groups::Method::Exact
                },
            },
        )
    });
    let group_secs = t0.elapsed().as_secs_f64();
    let tasks = queue::tasks(paras, suggest.then_some(&pipeline))?;
    // The live learner starts from this model when it was trained on the base corpus.
    let start_model = (learn && !base.is_empty()).then(|| pipeline.model().clone());
    drop(pipeline);
    let store = Store::open(&a.out).with_context(|| format!("opening {}", a.out.display()))?;
    let settings = Settings {
        order,
        annotator: a.annotator.clone(),
        can_rerank: a.model.is_some() && suggest,
    };
    let mut session = Session::new(tasks, labels.clone(), store, settings)?;
    if let Some(g) = groups {
        let folded = g.of.len() - g.count();
        if folded > 0 {
            eprintln!(
                "policytag: {folded} near-duplicate paragraphs are shown through their group ({group_secs:.2} s)"
            );
        }
        session = session.with_groups(g)?;
    }
    if learn {
        let mut learner = Learner::new(params, base, &labels, a.every as usize)?;
        if let Some(m) = start_model {
            learner = learner.with_start_model(m);
        }
        eprintln!(
            "policytag: learning live: retraining on {} base examples plus the decisions every {} decisions",
            learner.base_len(),
            a.every
        );
        session = session.with_learning(learner);
    }
    if let Some(r) = review {
        session = session
            .with_review(r)
            .with_context(|| format!("writing agreed paragraphs to {}", a.out.display()))?;
    }
    for w in session.warnings() {
        eprintln!("policytag: warning: {w}");
    }
    let (total, done) = (session.total(), session.done());
    let rerank_model = if suggest { a.model.clone() } else { None };
    let summary = server::serve(
        session,
        a.port,
        rerank_model,
        |addr| {
            println!(
                "policytag annotate: http://{addr}/ ({} to label, {done} already done)",
                total - done
            );
            eprintln!("policytag: serving on 127.0.0.1 only; Ctrl-C (or SIGTERM) stops (every decision is already saved)");
        },
        server::Stop::CtrlC,
    )?;
    eprintln!(
        "policytag: stopped; {} of {} paragraphs decided, labels in {}",
        summary.done,
        summary.total,
        a.out.display()
    );
    Ok(Outcome::Ok)
}
