//! `policytag tag`: every paragraph of the inputs with its themes and scores.

use anyhow::Result;

use policytag_pipeline::{InputOutcome, Pipeline, Reader, TagOptions};

use crate::args::TagArgs;
use crate::exit::{print_error, Outcome};
use crate::output::Sink;

/// Run the command: [`Pipeline::tag_to`] into stdout or an atomically written file; a bad
/// input prints its one-line error and the others are still tagged.
pub fn run(a: TagArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(a.out.as_deref(), &a.files)?;
    let options = TagOptions {
        threshold: a.threshold,
        evidence: a.explain.then_some(5),
    }
    .check()?;
    // jieba's dictionary finishes loading while the first input is read.
    let pipeline = Pipeline::load_in_background(a.model.as_deref())?.with_options(options)?;
    let reader = Reader::default()
        .format(a.input_format.format())
        .jsonl(a.jsonl);
    let format = a.format.output();
    let mut sink = Sink::open(a.out.as_deref())?;
    let mut failed = false;
    let sources = crate::input::sources(&a.files, a.jsonl);
    pipeline.tag_to(&reader, sources, format, &mut sink, |name, o| match o {
        InputOutcome::Tagged(_) => {}
        InputOutcome::Empty => eprintln!("policytag: {name}: no paragraphs found"),
        InputOutcome::Failed(e) => {
            print_error(&e.into());
            failed = true;
        }
    })?;
    sink.finish()?;
    Ok(Outcome::failed_if(failed))
}
