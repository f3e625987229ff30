//! `policytag suggest`: the paragraphs most worth labelling next — those the model is least
//! sure about (see `policytag_data::active`) — as JSONL.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use policytag_data::active;
use policytag_pipeline::{round4, Pipeline, Reader};

use crate::args::SuggestArgs;
use crate::exit::{InputError, Outcome};
use crate::output::Sink;

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    doc: &'a str,
    paragraph: usize,
    heading: String,
    text: &'a str,
    uncertainty: f64,
    suggested: Vec<&'a str>,
    scores: BTreeMap<&'a str, f64>,
}

/// Run the command.
pub fn run(a: SuggestArgs) -> Result<Outcome> {
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
    let thresholds = pipeline.thresholds();
    let unc: Vec<f64> = tagged
        .iter()
        .map(|t| active::uncertainty(&t.scores, &thresholds))
        .collect();
    let mut sink = Sink::open(a.out.as_deref())?;
    for i in active::rank(&unc, a.n) {
        let t = &tagged[i];
        let p = &t.paragraph;
        let row = Row {
            id: &p.id,
            doc: &p.doc,
            paragraph: p.index,
            heading: p.heading_path(),
            text: &p.text,
            uncertainty: round4(unc[i]),
            suggested: t.given().collect(),
            scores: t
                .label_ids()
                .iter()
                .zip(&t.scores)
                .map(|(id, &s)| (id.as_str(), round4(s)))
                .collect(),
        };
        serde_json::to_writer(&mut sink, &row)?;
        sink.write_all(b"\n")?;
    }
    sink.finish()?;
    Ok(Outcome::Ok)
}
