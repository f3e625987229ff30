//! The inputs of `matrix` and `figures`: files and folders tagged into one report.

use anyhow::Result;

use policytag_report::Report;

use crate::args::CorpusInput;
use crate::{input, modelfile};

/// Tag every input (folders expanded) into a report. `Ok((None, true))` when every input
/// failed (their errors were printed); the flag is true when some input failed.
pub fn load(a: &CorpusInput, evidence: bool) -> Result<(Option<Report>, bool)> {
    crate::cmd::tag::check_threshold(a.threshold)?;
    let files = input::expand(&a.files, a.jsonl)?;
    let tagger = modelfile::load(a.model.as_deref())?;
    crate::cmd::report::build(&crate::cmd::report::Tagging {
        files: &files,
        jsonl: a.jsonl,
        format: a.input_format.format(),
        tagger: &tagger,
        threshold: a.threshold,
        evidence,
    })
}
