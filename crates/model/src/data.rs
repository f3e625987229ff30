//! Labelled paragraphs in JSONL: `{"id"?, "text", "labels": [...]}` per line
//! (`"label"` is accepted for `"labels"`, as doccano exports it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use policytag_tokenizer::limits;

use crate::error::{Error, Result};

/// One labelled paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Optional identifier (unique within a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The paragraph.
    pub text: String,
    /// Its label ids, sorted and unique.
    pub labels: Vec<String>,
}

/// How strictly to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Skip bad lines (counting them) instead of failing on the first.
    pub skip_bad: bool,
    /// Accept lines without `"labels"` (for tagging JSONL input).
    pub labels_optional: bool,
}

/// What a read produced.
#[derive(Debug, Clone, Default)]
pub struct ReadResult {
    /// The examples, in file order.
    pub examples: Vec<Example>,
    /// Lines skipped as bad (only with `skip_bad`), with their line numbers and reasons.
    pub skipped: Vec<(usize, String)>,
}

/// Parse one JSONL line into an example.
pub fn parse_line(line: &str, labels_optional: bool) -> std::result::Result<Example, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("malformed JSON: {e}"))?;
    let obj = v.as_object().ok_or("a line must be a JSON object")?;
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err("\"text\" must be a string".into()),
        None => return Err("missing \"text\"".into()),
    };
    let key = if obj.contains_key("labels") || !obj.contains_key("label") {
        "labels"
    } else {
        "label"
    };
    let labels = match obj.get(key) {
        Some(Value::Array(a)) => {
            let mut out = BTreeSet::new();
            for x in a {
                match x {
                    Value::String(s) if !s.trim().is_empty() => {
                        out.insert(s.trim().to_string());
                    }
                    _ => return Err(format!("\"{key}\" must be a list of non-empty strings")),
                }
            }
            out.into_iter().collect()
        }
        Some(Value::Null) | None if labels_optional => Vec::new(),
        Some(_) => return Err(format!("\"{key}\" must be a list of strings")),
        None => return Err("missing \"labels\" (doccano's \"label\")".into()),
    };
    let id = match obj.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) | None => None,
        Some(_) => return Err("\"id\" must be a string or number".into()),
    };
    Ok(Example { id, text, labels })
}

/// Read examples from JSONL text; `path` names the source in errors.
pub fn read_jsonl_str(path: &Path, content: &str, opts: ReadOptions) -> Result<ReadResult> {
    let mut out = ReadResult::default();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (i, line) in content.lines().enumerate() {
        let no = i + 1;
        let line = line.trim_start_matches('\u{FEFF}');
        if line.trim().is_empty() {
            continue;
        }
        let parsed = parse_line(line, opts.labels_optional).and_then(|ex| {
            if let Some(id) = &ex.id {
                if let Some(first) = ids.get(id) {
                    return Err(format!("duplicate id {id:?} (first on line {first})"));
                }
            }
            Ok(ex)
        });
        match parsed {
            Ok(ex) => {
                if let Some(id) = &ex.id {
                    ids.insert(id.clone(), no);
                }
                out.examples.push(ex);
            }
            Err(msg) if opts.skip_bad => out.skipped.push((no, msg)),
            Err(msg) => {
                return Err(Error::Jsonl {
                    path: path.to_path_buf(),
                    line: no,
                    msg,
                })
            }
        }
    }
    Ok(out)
}

/// Read a JSONL file of examples (at most [`limits::DATA`] bytes).
pub fn read_jsonl(path: &Path, opts: ReadOptions) -> Result<ReadResult> {
    let content = read_utf8(path, limits::DATA, "a JSONL data file")?;
    read_jsonl_str(path, &content, opts)
}

/// Read a file whole, up to `limit` bytes (`what` names it in the error: `"a model file"`).
pub fn read_limited(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>> {
    limits::read_file(path, limit, what).map_err(|e| match e {
        policytag_tokenizer::Error::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        e => Error::File {
            path: path.to_path_buf(),
            msg: e.to_string(),
        },
    })
}

/// Read a UTF-8 text file whole, up to `limit` bytes; invalid UTF-8 is reported with the
/// line it is on.
pub fn read_utf8(path: &Path, limit: u64, what: &'static str) -> Result<String> {
    utf8(path, read_limited(path, limit, what)?)
}

/// Bytes as UTF-8 text; invalid UTF-8 is reported with the line it is on.
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| Error::Jsonl {
        path: path.to_path_buf(),
        line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        msg: "not valid UTF-8".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str, skip: bool) -> Result<ReadResult> {
        read_jsonl_str(
            Path::new("x.jsonl"),
            s,
            ReadOptions {
                skip_bad: skip,
                labels_optional: false,
            },
        )
    }

    #[test]
    fn reads_labels_and_label() {
        let r = read(
            "{\"text\":\"a\",\"labels\":[\"b\",\"a\",\"a\"]}\n\n{\"text\":\"c\",\"label\":[]}\n",
            false,
        )
        .unwrap();
        assert_eq!(r.examples[0].labels, ["a", "b"]);
        assert!(r.examples[1].labels.is_empty());
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = read(
            "{\"text\":\"a\",\"labels\":[]}\n{\"text\":1,\"labels\":[]}\n",
            false,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "x.jsonl:2: \"text\" must be a string");
        let e = read("{\"text\":\"a\",\"labels\":\"x\"}", false).unwrap_err();
        assert!(e.to_string().starts_with("x.jsonl:1: \"labels\""));
        let e = read("{oops", false).unwrap_err();
        assert!(e.to_string().starts_with("x.jsonl:1: malformed JSON"));
        let e = read("{\"id\":\"a\",\"text\":\"x\",\"labels\":[]}\n{\"id\":\"a\",\"text\":\"y\",\"labels\":[]}", false).unwrap_err();
        assert!(e.to_string().contains("x.jsonl:2: duplicate id"), "{e}");
    }

    #[test]
    fn skip_bad_counts() {
        let r = read(
            "{\"text\":\"a\",\"labels\":[]}\nnot json\n{\"labels\":[]}\n",
            true,
        )
        .unwrap();
        assert_eq!(r.examples.len(), 1);
        assert_eq!(r.skipped.iter().map(|s| s.0).collect::<Vec<_>>(), [2, 3]);
    }
}
