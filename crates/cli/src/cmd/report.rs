//! `policytag report`: one self-contained HTML page for a set of reports.

use std::io::Write;

use anyhow::{Context, Result};

use policytag_report::html;

use crate::args::ReportArgs;
use crate::exit::Outcome;
use crate::output::Sink;

/// Evidence terms kept per theme of a paragraph (marked in the text, listed on hover).
const EVIDENCE: usize = 5;

/// Run the command.
pub fn run(a: ReportArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(Some(&a.out), &a.input.files)?;
    let (report, failed) = crate::tagging::load(&a.input, Some(EVIDENCE))?;
    let Some(report) = report else {
        return Ok(Outcome::SomeFailed);
    };
    let opts = html::HtmlOptions {
        title: a.title.clone(),
        ..Default::default()
    };
    let page = html::render(&report, &opts);
    let to_stdout = a.out.as_os_str() == "-";
    let mut sink = Sink::open((!to_stdout).then_some(a.out.as_path()))?;
    sink.write_all(page.as_bytes())
        .with_context(|| format!("writing {}", a.out.display()))?;
    sink.finish()?;
    if !to_stdout {
        let n: usize = report.documents.iter().map(|d| d.paragraphs.len()).sum();
        eprintln!(
            "policytag: report written to {} ({} documents, {n} paragraphs)",
            a.out.display(),
            report.documents.len()
        );
    }
    Ok(Outcome::failed_if(failed))
}
