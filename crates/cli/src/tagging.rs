//! Every input of `report`, `stats`, `matrix` and `figures` tagged into one report: bad
//! inputs are reported and left out, the others kept.

use anyhow::Result;

use policytag_pipeline::{Error, InputOutcome, Pipeline, Reader, TagOptions};
use policytag_report::{build, Report};

use crate::args::CorpusInput;
use crate::exit::{print_error, InputError};

/// Most paragraphs a report takes in all: it holds every paragraph (and the page) in
/// memory, which stays under 300 MB here; `tag` streams any amount.
pub const MAX_PARAGRAPHS: usize = 100_000;

/// The report of the inputs, tagged with `evidence` terms per theme; `Ok(None)` when there
/// is nothing to report because every input failed (their errors were printed). The flag
/// says whether any input failed.
pub fn load(a: &CorpusInput, evidence: Option<usize>) -> Result<(Option<Report>, bool)> {
    let options = TagOptions {
        threshold: a.threshold,
        evidence,
    };
    let pipeline = Pipeline::load(a.model.as_deref())?.with_options(options)?;
    let reader = Reader::default()
        .format(a.input_format.format())
        .jsonl(a.jsonl);
    let mut failed = false;
    let sources = crate::input::sources(&a.files, a.jsonl);
    let docs = pipeline.tag_documents(&reader, sources, MAX_PARAGRAPHS, |name, o| match o {
        InputOutcome::Tagged(_) => {}
        InputOutcome::Empty => eprintln!("policytag: {name}: no paragraphs found"),
        InputOutcome::Failed(e) => {
            print_error(&e.into());
            failed = true;
        }
    });
    let docs = match docs {
        Err(Error::TooManyParagraphs { name, .. }) => {
            return Err(InputError(format!(
                "{name}: more than {MAX_PARAGRAPHS} paragraphs in all: too many for one report (tag them with `policytag tag`, which streams)"
            ))
            .into())
        }
        docs => docs?,
    };
    if docs.is_empty() {
        if failed {
            return Ok((None, true));
        }
        return Err(InputError("no paragraphs in any input: nothing to report".into()).into());
    }
    Ok((Some(build::from_tagged(&pipeline, docs)?), failed))
}
