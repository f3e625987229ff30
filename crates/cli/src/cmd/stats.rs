//! `policytag stats`: per-document theme counts, shares and key-figure counts.

use std::io::Write;

use anyhow::Result;

use policytag_report::profile;
use policytag_report::table;

use crate::args::{StatsArgs, StatsFormat};
use crate::exit::Outcome;

/// Run the command.
pub fn run(a: StatsArgs) -> Result<Outcome> {
    let (report, failed) = crate::tagging::load(&a.input, None)?;
    let Some(report) = report else {
        return Ok(Outcome::SomeFailed);
    };
    let profiles = profile::profiles(&report);
    let mut out = std::io::stdout().lock();
    match a.format {
        StatsFormat::Json => write!(out, "{}", table::json(&report.themes, &profiles))?,
        StatsFormat::Csv => write!(out, "{}", table::csv(&report.themes, &profiles))?,
        StatsFormat::Text => write!(out, "{}", table::text(&profiles))?,
    }
    Ok(Outcome::failed_if(failed))
}
