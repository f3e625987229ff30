//! `policytag figures`: every key figure of the reports, with where it stands.

use anyhow::Result;

use policytag_report::export::{self, Table};
use policytag_report::matrix::{self, TableParams};

use crate::args::{FiguresArgs, TableFormat};
use crate::exit::{InputError, Outcome};
use crate::output;
use crate::tagging;

/// Run the command.
pub fn run(a: FiguresArgs) -> Result<Outcome> {
    match (a.format, &a.out) {
        (TableFormat::Xlsx, None) => {
            return Err(InputError("--format xlsx needs --out FILE.xlsx".into()).into())
        }
        (TableFormat::Text, _) => {
            return Err(InputError("figures writes csv, json or xlsx".into()).into())
        }
        _ => {}
    }
    let (report, failed) = tagging::load(&a.input, None)?;
    let Some(report) = report else {
        return Ok(Outcome::SomeFailed);
    };
    let bytes = match a.format {
        TableFormat::Json => export::figures_json(&report).into_bytes(),
        TableFormat::Xlsx => {
            let m = matrix::build(&report, &TableParams::default());
            export::xlsx(&report, &m, &[Table::Figures, Table::Paragraphs])?
        }
        _ => {
            let m = matrix::build(&report, &TableParams::default());
            export::csv(&report, &m, Table::Figures).into_bytes()
        }
    };
    output::write_all(a.out.as_deref(), &bytes)?;
    Ok(Outcome::failed_if(failed))
}
