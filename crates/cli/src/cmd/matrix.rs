//! `policytag matrix`: the coding matrix and its tables over many reports.

use anyhow::Result;

use policytag_report::export::{self, Table};
use policytag_report::matrix::{self, TableParams};

use crate::args::{MatrixArgs, MatrixTable, TableFormat};
use crate::exit::{InputError, Outcome};
use crate::output;
use crate::tagging;

/// Run the command.
pub fn run(a: MatrixArgs) -> Result<Outcome> {
    if a.format == TableFormat::Xlsx && a.out.is_none() {
        return Err(InputError("--format xlsx needs --out FILE.xlsx".into()).into());
    }
    let (report, failed) = tagging::load(&a.input, None)?;
    let Some(report) = report else {
        return Ok(Outcome::SomeFailed);
    };
    let m = matrix::build(&report, &TableParams::default());
    let bytes = match a.format {
        TableFormat::Text => export::text(&m).into_bytes(),
        TableFormat::Json => export::matrix_json(&m).into_bytes(),
        TableFormat::Csv => {
            let t = match a.table {
                MatrixTable::Documents => Table::Documents,
                MatrixTable::Themes => Table::Themes,
                MatrixTable::Years => Table::Years,
                MatrixTable::Regions => Table::Regions,
                MatrixTable::Paragraphs => Table::Paragraphs,
            };
            export::csv(&report, &m, t).into_bytes()
        }
        TableFormat::Xlsx => export::xlsx(&report, &m, &export::ALL)?,
    };
    output::write_all(a.out.as_deref(), &bytes)?;
    Ok(Outcome::failed_if(failed))
}
