//! `policytag suggest`: the paragraphs most worth labelling next — those the model is least
//! sure about (see `policytag_model::active`) — as JSONL.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use policytag_model::active;

use crate::args::SuggestArgs;
use crate::exit::{InputError, Outcome};
use crate::input::{items, Item};
use crate::modelfile;
use crate::output::{round4, Sink};

#[derive(Serialize)]
struct Row<'a> {
    id: String,
    doc: &'a str,
    paragraph: usize,
    heading: &'a str,
    text: &'a str,
    uncertainty: f64,
    suggested: Vec<&'a str>,
    scores: BTreeMap<&'a str, f64>,
}

/// A paragraph's stable id: its JSONL `"id"`, else `doc#paragraph`.
fn item_id(it: &Item) -> String {
    it.id
        .clone()
        .unwrap_or_else(|| format!("{}#{}", it.doc, it.paragraph))
}

/// Run the command.
pub fn run(a: SuggestArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(a.out.as_deref(), &a.files)?;
    if a.n == 0 {
        return Err(InputError("--n must be at least 1".into()).into());
    }
    let tagger = modelfile::load(a.model.as_deref())?;
    let mut all: Vec<Item> = Vec::new();
    for f in &a.files {
        all.extend(items(f, a.jsonl, a.input_format.format())?);
    }
    if all.is_empty() {
        return Err(InputError("no paragraphs found in the inputs".into()).into());
    }
    let model = tagger.model();
    let ids = model.label_ids();
    let thresholds: Vec<f64> = model.label_models.iter().map(|m| m.threshold).collect();
    let preds: Vec<_> = all
        .par_iter()
        .map(|it| tagger.predict(&it.text, None))
        .collect();
    let unc: Vec<f64> = preds
        .iter()
        .map(|p| active::uncertainty(&p.scores, &thresholds))
        .collect();
    let mut sink = Sink::open(a.out.as_deref())?;
    for i in active::rank(&unc, a.n) {
        let (it, p) = (&all[i], &preds[i]);
        let row = Row {
            id: item_id(it),
            doc: &it.doc,
            paragraph: it.paragraph,
            heading: &it.heading,
            text: &it.text,
            uncertainty: round4(unc[i]),
            suggested: p.labels.iter().map(|&l| ids[l].as_str()).collect(),
            scores: ids
                .iter()
                .zip(&p.scores)
                .map(|(id, &s)| (id.as_str(), round4(s)))
                .collect(),
        };
        serde_json::to_writer(&mut sink, &row)?;
        sink.write_all(b"\n")?;
    }
    sink.finish()?;
    Ok(Outcome::Ok)
}
