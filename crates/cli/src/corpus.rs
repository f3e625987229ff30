//! The inputs of `matrix` and `figures`: files and folders tagged into one report.

use anyhow::Result;

use policytag_pipeline::{Pipeline, Reader, TagOptions};
use policytag_report::Report;

use crate::args::CorpusInput;

/// Tag every input (folders expanded) into a report. `Ok((None, true))` when every input
/// failed (their errors were printed); the flag is true when some input failed.
pub fn load(a: &CorpusInput) -> Result<(Option<Report>, bool)> {
    let options = TagOptions {
        threshold: a.threshold,
        evidence: None,
    };
    let pipeline = Pipeline::load(a.model.as_deref())?.with_options(options)?;
    let reader = Reader::default()
        .format(a.input_format.format())
        .jsonl(a.jsonl);
    crate::tagging::report(&pipeline, &reader, &a.files, a.jsonl)
}
