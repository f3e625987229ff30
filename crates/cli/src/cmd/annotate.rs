//! `policytag annotate`: a local page for labelling paragraphs, the model suggesting.

use anyhow::{Context, Result};
use policytag_annotate::{queue, server, store::Store, Session, Settings};

use crate::args::{AnnotateArgs, OrderArg};
use crate::exit::{InputError, Outcome};
use crate::{input, modelfile};

/// Run the command: read and segment the inputs, open (or resume) the out file, serve
/// until Ctrl-C.
pub fn run(a: AnnotateArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(Some(&a.out), &a.files)?;
    let order = match (a.order, a.no_suggestions) {
        (Some(OrderArg::Uncertain), true) => {
            return Err(InputError(
                "--order uncertain needs model suggestions: drop --no-suggestions".into(),
            )
            .into())
        }
        (Some(OrderArg::Uncertain), false) | (None, false) => queue::Order::Uncertain,
        (Some(OrderArg::File), _) | (None, true) => queue::Order::File,
        (Some(OrderArg::Random), _) => queue::Order::Random { seed: a.seed },
    };
    let mut paras = Vec::new();
    for f in &a.files {
        for it in input::items(f, a.jsonl, a.input_format.format())? {
            paras.push(queue::Paragraph {
                id: it.id,
                doc: it.doc,
                paragraph: it.paragraph,
                heading: it.heading,
                text: it.text,
            });
        }
    }
    let tagger = modelfile::load(a.model.as_deref())?;
    let labels = tagger.model().labels.clone();
    let tasks = queue::tasks(paras, (!a.no_suggestions).then_some(&tagger))?;
    drop(tagger);
    let store = Store::open(&a.out).with_context(|| format!("opening {}", a.out.display()))?;
    let settings = Settings {
        order,
        annotator: a.annotator.clone(),
        can_rerank: a.model.is_some() && !a.no_suggestions,
    };
    let session = Session::new(tasks, labels, store, settings)?;
    for w in session.warnings() {
        eprintln!("policytag: warning: {w}");
    }
    let (total, done) = (session.total(), session.done());
    let rerank_model = if a.no_suggestions {
        None
    } else {
        a.model.clone()
    };
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
