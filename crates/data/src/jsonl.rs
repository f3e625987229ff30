//! Labelled paragraphs in JSONL: `{"id"?, "text", "labels": [...]}` per line
//! (`"label"` is accepted for `"labels"`, as doccano exports it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use policytag_tokenizer::limits;

use crate::error::{Error, Result};

/// One labelled paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Optional identifier (unique within a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Optional document the paragraph belongs to (a `"doc"` string or number): consecutive
    /// paragraphs of one document are tagged in its context, and evaluation resamples
    /// documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The paragraph.
    pub text: String,
    /// Its label ids, sorted and unique.
    pub labels: Vec<String>,
}

impl Example {
    /// An example that names no document.
    pub fn new(id: Option<String>, text: String, labels: Vec<String>) -> Example {
        Example {
            id,
            doc: None,
            text,
            labels,
        }
    }
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
    /// The 1-based line of each example.
    pub lines: Vec<usize>,
    /// Whether each example's line had labels (`false`: unlabelled, read with
    /// `labels_optional`; as opposed to `[]`, "no theme").
    pub labelled: Vec<bool>,
    /// Lines skipped as bad (only with `skip_bad`), with their line numbers and reasons.
    pub skipped: Vec<(usize, String)>,
}

/// One line of a corpus JSONL file, as written: `{"id"?, "text", "labels"?}`. The one
/// place the line format is parsed (training data, tagging input, annotate's decisions,
/// doccano imports, export input):
///
/// - `"labels"` (or `"label"`, as doccano writes it): a list of non-empty strings, trimmed;
///   `null` or absent means *unlabelled* (`None`), `[]` means *no theme*;
/// - `"id"`: a string or a number (kept as its JSON text), optional;
/// - a byte-order mark before the line is ignored, other keys are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CorpusLine {
    /// The id, if given.
    #[serde(default, deserialize_with = "de_id")]
    pub id: Option<String>,
    /// The document, if given (a string or number, like `"id"`).
    #[serde(default, deserialize_with = "de_doc")]
    pub doc: Option<String>,
    /// The paragraph (`None` when the line has none: [`CorpusLine::parse`] refuses that;
    /// a line deserialised some other way, e.g. flattened into a bigger record, may not).
    #[serde(default, deserialize_with = "de_text")]
    text: Option<String>,
    /// The labels, sorted and unique; `None` when the line has none (unlabelled).
    #[serde(default, alias = "label", deserialize_with = "de_labels")]
    pub labels: Option<Vec<String>>,
}

fn de_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    string_or_number(d, "id")
}

fn de_doc<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    string_or_number(d, "doc")
}

/// A string or a number (kept as written), or `null`; else an error naming `key`.
fn string_or_number<'de, D: Deserializer<'de>>(
    d: D,
    key: &str,
) -> std::result::Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Null => Ok(None),
        _ => Err(D::Error::custom(format!(
            "\"{key}\" must be a string or number"
        ))),
    }
}

fn de_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(s)),
        _ => Err(D::Error::custom("\"text\" must be a string")),
    }
}

fn de_labels<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<String>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Array(a) => {
            let mut out = BTreeSet::new();
            for x in a {
                match x {
                    Value::String(s) if !s.trim().is_empty() => {
                        out.insert(s.trim().to_string());
                    }
                    _ => {
                        return Err(D::Error::custom(
                            "\"labels\" must be a list of non-empty strings",
                        ))
                    }
                }
            }
            Ok(Some(out.into_iter().collect()))
        }
        _ => Err(D::Error::custom("\"labels\" must be a list of strings")),
    }
}

impl CorpusLine {
    /// Parse one line (a leading byte-order mark is ignored). The error is a message for
    /// a `file:line:` prefix.
    pub fn parse(line: &str) -> std::result::Result<CorpusLine, String> {
        let line = line.trim_start_matches('\u{FEFF}');
        let v: CorpusLine = serde_json::from_str(line)
            .map_err(error_message)
            .map_err(|m| label_key_named(line, m))?;
        if v.text.is_none() {
            return Err("missing \"text\"".into());
        }
        Ok(v)
    }

    /// The paragraph.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }

    /// The example this line holds; `labels_optional` lets an unlabelled line through (with
    /// no labels), else it is an error.
    pub fn into_example(self, labels_optional: bool) -> std::result::Result<Example, String> {
        let labels = match self.labels {
            Some(l) => l,
            None if labels_optional => Vec::new(),
            None => return Err("missing \"labels\" (doccano's \"label\")".into()),
        };
        Ok(Example {
            id: self.id,
            doc: self.doc,
            text: self.text.unwrap_or_default(),
            labels,
        })
    }
}

/// A message about `"labels"` names `"label"` instead when that is the key the line used
/// (doccano's).
fn label_key_named(line: &str, msg: String) -> String {
    if !msg.starts_with("\"labels\" ") {
        return msg;
    }
    let doccano = serde_json::from_str::<serde_json::Map<String, Value>>(line)
        .is_ok_and(|o| o.contains_key("label") && !o.contains_key("labels"));
    if doccano {
        msg.replacen("\"labels\"", "\"label\"", 1)
    } else {
        msg
    }
}

/// A one-line message for a line that did not parse (for a `file:line:` prefix): the
/// field's own message for a bad field, "malformed JSON: …" for bad syntax.
pub fn error_message(e: serde_json::Error) -> String {
    let msg = e.to_string();
    if !e.is_data() {
        return format!("malformed JSON: {msg}");
    }
    // Our own messages, without serde_json's " at line 1 column N".
    let m = &msg[..msg.rfind(" at line ").unwrap_or(msg.len())];
    if m.starts_with("invalid type") {
        "a line must be a JSON object".to_string()
    } else {
        m.to_string()
    }
}

/// Parse one JSONL line into an example.
pub fn parse_line(line: &str, labels_optional: bool) -> std::result::Result<Example, String> {
    CorpusLine::parse(line)?.into_example(labels_optional)
}

/// Read examples from JSONL text; `path` names the source in errors.
pub fn read_jsonl_str(path: &Path, content: &str, opts: ReadOptions) -> Result<ReadResult> {
    let mut out = ReadResult::default();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (i, line) in content.lines().enumerate() {
        let no = i + 1;
        if line.trim_start_matches('\u{FEFF}').trim().is_empty() {
            continue;
        }
        let parsed = CorpusLine::parse(line).and_then(|l| {
            if let Some(id) = &l.id {
                if let Some(first) = ids.get(id) {
                    return Err(format!("duplicate id {id:?} (first on line {first})"));
                }
            }
            let labelled = l.labels.is_some();
            Ok((l.into_example(opts.labels_optional)?, labelled))
        });
        match parsed {
            Ok((ex, labelled)) => {
                if let Some(id) = &ex.id {
                    ids.insert(id.clone(), no);
                }
                out.examples.push(ex);
                out.lines.push(no);
                out.labelled.push(labelled);
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

/// A JSONL file's bytes as text, or an error naming the line of the first invalid byte.
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
