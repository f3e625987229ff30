//! doccano text-classification JSONL: `{"id"?, "text", "label": [..]}` per line
//! (`"labels"` accepted, extra keys ignored).

use std::path::Path;

use serde::Serialize;

use super::{ExportItem, Loc};
use crate::error::Result;
use crate::jsonl::{self, Example, ReadOptions};

pub(super) fn parse_doccano(path: &Path, content: &str) -> Result<Vec<(Loc, Example)>> {
    let read = jsonl::read_jsonl_str(path, content, ReadOptions::default())?;
    Ok(read
        .lines
        .into_iter()
        .map(Loc::Line)
        .zip(read.examples)
        .collect())
}

#[derive(Serialize)]
struct DoccanoLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    text: &'a str,
    label: &'a [String],
}

/// doccano text-classification JSONL: `{"id","text","label"}` per line.
pub fn write_doccano(items: &[ExportItem]) -> String {
    let mut s = String::new();
    for it in items {
        let e = &it.example;
        let line = DoccanoLine {
            id: e.id.as_deref(),
            text: &e.text,
            label: &e.labels,
        };
        s += &serde_json::to_string(&line).expect("strings serialise");
        s.push('\n');
    }
    s
}
