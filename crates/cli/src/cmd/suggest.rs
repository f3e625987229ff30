//! `policytag suggest`: the paragraphs most worth labelling next — those the model is least
//! sure about (see `policytag_data::active` and `Pipeline::suggest`) — as JSONL.

use std::io::Write;

use anyhow::Result;

use policytag_pipeline::{Pipeline, Reader};

use crate::args::SuggestArgs;
use crate::exit::{InputError, Outcome};
use crate::output::Sink;

/// Run the command.
pub fn run(a: SuggestArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(a.out.as_deref(), &a.files)?;
    if a.n == 0 {
        return Err(InputError("--n must be at least 1".into()).into());
    }
    let pipeline = Pipeline::load(a.model.as_deref())?;
    let reader = Reader::default()
        .format(a.input_format.format())
        .jsonl(a.jsonl);
    let mut all = Vec::new();
    for source in crate::input::sources(&a.files, a.jsonl) {
        all.extend(reader.read(&source?)?.paragraphs);
    }
    if all.is_empty() {
        return Err(InputError("no paragraphs found in the inputs".into()).into());
    }
    let tagged = pipeline.tag_paragraphs(all);
    let mut sink = Sink::open(a.out.as_deref())?;
    for row in pipeline.suggest(&tagged, a.n) {
        serde_json::to_writer(&mut sink, &row)?;
        sink.write_all(b"\n")?;
    }
    sink.finish()?;
    Ok(Outcome::Ok)
}
