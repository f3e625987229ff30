//! Interchange with labelling tools: doccano text-classification JSONL, Label Studio JSON
//! tasks and fastText training lines, read into [`Example`]s and written from them.
//!
//! | format | one record | ids |
//! |---|---|---|
//! | doccano | `{"id"?, "text", "label": [..]}` per line (`"labels"` accepted, extra keys ignored) | kept; else `<file-stem>-<line>` |
//! | Label Studio | a JSON array of tasks `{"data": {"text", "policytag_id"?}, "annotations": [..], "predictions": [..]}` | `data.policytag_id` (else `data.id`), else the task `id`, else `<file-stem>-<task>` |
//! | Label Studio JSON_MIN | a JSON array of `{"text", "policytag_id"?, "id", "theme": "a" or {"choices": [..]}}` | `policytag_id`, else the task `id` |
//! | Label Studio CSV | a header row with `text`, `theme` (and `policytag_id`, `id`), then one task per row | as JSON_MIN |
//! | fastText | `__label__a __label__b text` per line | `<file-stem>-<line>` |
//!
//! Our ids travel in Label Studio as `data.policytag_id`: Label Studio's JSON_MIN and CSV
//! exports flatten `data` into the record beside the task's own `id`, which would overwrite
//! a `data.id`. fastText treats every token that starts with `__label__` as a label, wherever
//! it is, so such a token in a text is written with a `\` before it (and one `\` is removed
//! again on import); a paragraph with no text (or no tokens) has no fastText line and is
//! left out of the export.
//!
//! Imported labels are trimmed, de-duplicated, sorted (the model's label order, which is
//! the ids' sorted order) and checked against a [`LabelSet`]. Errors name the file and the
//! line, or the task's position (1-based) for Label Studio's JSON arrays.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::data::{self, Example, ReadOptions};
use crate::error::{Error, Result};
use crate::model::{LabelInfo, Model};

/// The labelling-tool formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// doccano text-classification JSONL.
    Doccano,
    /// Label Studio JSON tasks.
    LabelStudio,
    /// fastText supervised-training lines.
    FastText,
}

/// The control and object names of the Label Studio labelling config we write.
pub const LS_CONTROL: &str = "theme";
/// The `<Text>` object the control labels.
pub const LS_OBJECT: &str = "text";
/// The `data` key our ids travel under in Label Studio (a key it does not reserve).
pub const LS_ID: &str = "policytag_id";

/// The labels an import accepts, sorted by id (the model's label order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSet {
    labels: Vec<LabelInfo>,
}

impl LabelSet {
    /// A label set from labels in any order (duplicate ids keep the first).
    pub fn new(mut labels: Vec<LabelInfo>) -> LabelSet {
        labels.sort_by(|a, b| a.id.cmp(&b.id));
        labels.dedup_by(|a, b| a.id == b.id);
        LabelSet { labels }
    }

    /// The labels, sorted by id.
    pub fn labels(&self) -> &[LabelInfo] {
        &self.labels
    }

    /// True when `id` is in the set.
    pub fn contains(&self, id: &str) -> bool {
        self.labels
            .binary_search_by(|l| l.id.as_str().cmp(id))
            .is_ok()
    }
}

/// How strictly to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Keep labels outside the label set instead of failing.
    pub allow_unknown: bool,
}

/// What an import produced.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// The examples, in file order, each with an id.
    pub examples: Vec<Example>,
    /// 1-based positions of Label Studio tasks left out because they have no annotation
    /// that was not cancelled (they are unlabelled, not "no theme").
    pub unlabelled: Vec<usize>,
}

/// Where a record sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Loc {
    Line(usize),
    Task(usize),
}

impl Loc {
    fn number(self) -> usize {
        match self {
            Loc::Line(n) | Loc::Task(n) => n,
        }
    }

    fn error(self, path: &Path, msg: String) -> Error {
        let path = path.to_path_buf();
        match self {
            Loc::Line(line) => Error::Jsonl { path, line, msg },
            Loc::Task(index) => Error::Task { path, index, msg },
        }
    }

    fn describe(self) -> String {
        match self {
            Loc::Line(n) => format!("line {n}"),
            Loc::Task(n) => format!("task {n}"),
        }
    }
}

/// Read a file in `format`; `path` names it in errors and gives generated ids their stem.
pub fn import(
    format: Format,
    path: &Path,
    content: &str,
    labels: &LabelSet,
    opts: ImportOptions,
) -> Result<Imported> {
    let (records, unlabelled) = match format {
        Format::Doccano => (parse_doccano(path, content)?, Vec::new()),
        Format::FastText => (parse_fasttext(path, content)?, Vec::new()),
        Format::LabelStudio => parse_labelstudio(path, content)?,
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let mut seen: BTreeMap<String, Loc> = BTreeMap::new();
    let mut unknown: BTreeMap<String, Loc> = BTreeMap::new();
    let mut examples = Vec::with_capacity(records.len());
    for (loc, mut ex) in records {
        let id = ex
            .id
            .take()
            .unwrap_or_else(|| format!("{stem}-{}", loc.number()));
        if let Some(first) = seen.get(&id) {
            return Err(loc.error(
                path,
                format!("duplicate id {id:?} (first at {})", first.describe()),
            ));
        }
        seen.insert(id.clone(), loc);
        let mut set = BTreeSet::new();
        for l in &ex.labels {
            let l = l.trim();
            if l.is_empty() {
                return Err(loc.error(path, "empty label".into()));
            }
            if !labels.contains(l) {
                unknown.entry(l.to_string()).or_insert(loc);
            }
            set.insert(l.to_string());
        }
        ex.labels = set.into_iter().collect();
        ex.id = Some(id);
        examples.push(ex);
    }
    if !unknown.is_empty() && !opts.allow_unknown {
        let first = *unknown.values().min().expect("not empty");
        let names: Vec<String> = unknown.keys().cloned().collect();
        return Err(first.error(
            path,
            format!(
                "labels not in the theme set: {}",
                crate::error::list(&names)
            ),
        ));
    }
    if examples.is_empty() {
        return Err(Error::File {
            path: path.to_path_buf(),
            msg: if unlabelled.is_empty() {
                "no examples".into()
            } else {
                format!(
                    "no labelled tasks ({} without an annotation)",
                    unlabelled.len()
                )
            },
        });
    }
    Ok(Imported {
        examples,
        unlabelled,
    })
}

/// 1-based numbers of the lines that hold records (as [`data::read_jsonl_str`] counts them).
fn record_lines(content: &str) -> Vec<usize> {
    content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start_matches('\u{FEFF}').trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect()
}

fn parse_doccano(path: &Path, content: &str) -> Result<Vec<(Loc, Example)>> {
    let read = data::read_jsonl_str(path, content, ReadOptions::default())?;
    Ok(record_lines(content)
        .into_iter()
        .map(Loc::Line)
        .zip(read.examples)
        .collect())
}

fn parse_fasttext(path: &Path, content: &str) -> Result<Vec<(Loc, Example)>> {
    let mut out = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let loc = Loc::Line(i + 1);
        let mut rest = line.trim_start_matches('\u{FEFF}').trim();
        if rest.is_empty() {
            continue;
        }
        let mut labels = Vec::new();
        while let Some(r) = rest.strip_prefix("__label__") {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            if end == 0 {
                return Err(loc.error(path, "empty label after __label__".into()));
            }
            labels.push(r[..end].to_string());
            rest = r[end..].trim_start();
        }
        if rest.is_empty() {
            return Err(loc.error(path, "no text after the labels".into()));
        }
        out.push((
            loc,
            Example {
                id: None,
                text: fasttext_unescape(rest),
                labels,
            },
        ));
    }
    Ok(out)
}

type Records = (Vec<(Loc, Example)>, Vec<usize>);

fn parse_labelstudio(path: &Path, content: &str) -> Result<Records> {
    let file_err = |msg: String| Error::File {
        path: path.to_path_buf(),
        msg,
    };
    let content = content.trim_start_matches('\u{FEFF}');
    if !content.trim_start().starts_with(['[', '{']) {
        return parse_labelstudio_csv(path, content);
    }
    let v: Value =
        serde_json::from_str(content).map_err(|e| file_err(format!("malformed JSON: {e}")))?;
    let tasks = v.as_array().ok_or_else(|| {
        file_err("a Label Studio export must be a JSON array of tasks (export as JSON)".into())
    })?;
    let min = tasks
        .first()
        .and_then(Value::as_object)
        .is_some_and(|t| !t.contains_key("data"));
    if min {
        return parse_labelstudio_min(path, tasks);
    }
    let mut out = Vec::new();
    let mut unlabelled = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        let loc = Loc::Task(i + 1);
        let err = |msg: &str| loc.error(path, msg.to_string());
        let task = task
            .as_object()
            .ok_or_else(|| err("a task must be an object"))?;
        let data = task
            .get("data")
            .and_then(Value::as_object)
            .ok_or_else(|| err("missing \"data\" object"))?;
        let text = match data.get("text") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(err("\"data.text\" must be a string")),
            None => return Err(err("missing \"data.text\"")),
        };
        let bad_id = |_| err("\"id\" must be a string or number");
        let id = match id_of(data.get(LS_ID).or_else(|| data.get("id"))).map_err(bad_id)? {
            Some(id) => Some(id),
            None => id_of(task.get("id")).map_err(bad_id)?,
        };
        let annotations = match task.get("annotations") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => &a[..],
            Some(_) => return Err(err("\"annotations\" must be an array")),
        };
        let Some(ann) = latest_annotation(annotations) else {
            unlabelled.push(i + 1);
            continue;
        };
        let labels = choices(ann).map_err(|m| loc.error(path, m))?;
        out.push((loc, Example { id, text, labels }));
    }
    Ok((out, unlabelled))
}

/// Label Studio's JSON_MIN export: one flat record per annotated task, `data` keys beside
/// the task's `id` and the control's value (`"a"`, or `{"choices": ["a", "b"]}`).
fn parse_labelstudio_min(path: &Path, tasks: &[Value]) -> Result<Records> {
    let mut out = Vec::new();
    let mut unlabelled = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        let loc = Loc::Task(i + 1);
        let err = |msg: &str| loc.error(path, msg.to_string());
        let task = task
            .as_object()
            .ok_or_else(|| err("a task must be an object"))?;
        let text = match task.get("text") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(err("\"text\" must be a string")),
            None => return Err(err("missing \"text\"")),
        };
        let bad_id = |_| err("\"id\" must be a string or number");
        let id = id_of(task.get(LS_ID).or_else(|| task.get("id"))).map_err(bad_id)?;
        let labels = match task.get(LS_CONTROL) {
            None | Some(Value::Null) => {
                unlabelled.push(i + 1);
                continue;
            }
            Some(v) => min_choices(v).map_err(|m| loc.error(path, m))?,
        };
        out.push((loc, Example { id, text, labels }));
    }
    Ok((out, unlabelled))
}

/// A JSON_MIN (or CSV) choices value: one label as a string, several as
/// `{"choices": [..]}` (or a plain array).
fn min_choices(v: &Value) -> std::result::Result<Vec<String>, String> {
    let bad = || format!("\"{LS_CONTROL}\" must be a label or {{\"choices\": [labels]}}");
    let list = match v {
        Value::String(s) => return Ok(vec![s.clone()]),
        Value::Array(a) => a,
        Value::Object(o) => o.get("choices").and_then(Value::as_array).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    list.iter()
        .map(|c| c.as_str().map(str::to_string).ok_or_else(bad))
        .collect()
}

/// Label Studio's CSV export: a header row, then one annotated task per row; the control's
/// column holds a label, or `{"choices": [..]}` as JSON for several.
fn parse_labelstudio_csv(path: &Path, content: &str) -> Result<Records> {
    let rows = csv_rows(content).map_err(|(line, msg)| Error::Jsonl {
        path: path.to_path_buf(),
        line,
        msg,
    })?;
    let Some((_, header)) = rows.first() else {
        return Err(Error::File {
            path: path.to_path_buf(),
            msg: "empty Label Studio CSV export".into(),
        });
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(text_col), Some(theme_col)) = (col("text"), col(LS_CONTROL)) else {
        return Err(Error::File {
            path: path.to_path_buf(),
            msg: format!(
                "not a Label Studio export: JSON must be an array of tasks, CSV needs \"text\" and \"{LS_CONTROL}\" columns"
            ),
        });
    };
    let id_cols: Vec<usize> = [col(LS_ID), col("id")].into_iter().flatten().collect();
    let mut out = Vec::new();
    let mut unlabelled = Vec::new();
    for (i, (line, row)) in rows.iter().enumerate().skip(1) {
        let loc = Loc::Line(*line);
        let field = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        let theme = field(theme_col).trim();
        if theme.is_empty() {
            unlabelled.push(i);
            continue;
        }
        let labels = if theme.starts_with('{') || theme.starts_with('[') {
            let v: Value = serde_json::from_str(theme)
                .map_err(|e| loc.error(path, format!("bad \"{LS_CONTROL}\" value: {e}")))?;
            min_choices(&v).map_err(|m| loc.error(path, m))?
        } else {
            vec![theme.to_string()]
        };
        let id = id_cols
            .iter()
            .map(|&c| field(c))
            .find(|s| !s.is_empty())
            .map(str::to_string);
        out.push((
            loc,
            Example {
                id,
                text: field(text_col).to_string(),
                labels,
            },
        ));
    }
    Ok((out, unlabelled))
}

/// A CSV row: the line it starts on and its fields.
type CsvRow = (usize, Vec<String>);

/// The rows of a CSV text (RFC 4180: quoted fields may hold commas, `""` and line breaks),
/// each with the 1-based line it starts on; blank lines are skipped.
fn csv_rows(content: &str) -> std::result::Result<Vec<CsvRow>, (usize, String)> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1usize, 1usize);
    let mut chars = content.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push((start, std::mem::take(&mut row)));
                }
                any = false;
                line += 1;
                start = line;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err((start, "unterminated quoted field".into()));
    }
    if any || !field.is_empty() {
        row.push(field);
        rows.push((start, row));
    }
    Ok(rows)
}

/// A string or numeric id; `Err` for anything else.
fn id_of(v: Option<&Value>) -> std::result::Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(()),
    }
}

/// The latest annotation that was not cancelled: greatest `updated_at` (else `created_at`),
/// then the last in the list.
fn latest_annotation(annotations: &[Value]) -> Option<&Value> {
    let stamp = |a: &Value| {
        a.get("updated_at")
            .or_else(|| a.get("created_at"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    annotations
        .iter()
        .enumerate()
        .filter(|(_, a)| a.get("was_cancelled").and_then(Value::as_bool) != Some(true))
        .max_by(|(i, a), (j, b)| stamp(a).cmp(&stamp(b)).then(i.cmp(j)))
        .map(|(_, a)| a)
}

/// The choices an annotation makes: those of the `theme` control, or of the only choices
/// control it uses.
fn choices(ann: &Value) -> std::result::Result<Vec<String>, String> {
    let result = match ann.get("result") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err("annotation \"result\" must be an array".into()),
    };
    let mut by_control: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in result {
        if r.get("type").and_then(Value::as_str) != Some("choices") {
            continue;
        }
        let control = r.get("from_name").and_then(Value::as_str).unwrap_or("");
        let list = r
            .get("value")
            .and_then(|v| v.get("choices"))
            .and_then(Value::as_array)
            .ok_or("a choices result needs \"value.choices\" as an array")?;
        let slot = by_control.entry(control).or_default();
        for c in list {
            slot.push(c.as_str().ok_or("choices must be strings")?.to_string());
        }
    }
    if let Some(l) = by_control.remove(LS_CONTROL) {
        return Ok(l);
    }
    match by_control.len() {
        0 => Ok(Vec::new()),
        1 => Ok(by_control.into_values().next().expect("one")),
        _ => Err(format!(
            "choices from several controls ({}): name the theme control \"{LS_CONTROL}\"",
            by_control.keys().copied().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// A paragraph to export, with its place in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportItem {
    /// 1-based line in the source JSONL.
    pub line: usize,
    /// The paragraph (labels empty when it has none).
    pub example: Example,
    /// False when the line had no `"labels"` (unlabelled, as opposed to "no theme").
    pub labelled: bool,
}

/// Read our corpus JSONL for export; lines without `"labels"` are unlabelled paragraphs.
pub fn read_for_export(path: &Path, content: &str) -> Result<Vec<ExportItem>> {
    let opts = ReadOptions {
        skip_bad: false,
        labels_optional: true,
    };
    let read = data::read_jsonl_str(path, content, opts)?;
    let lines = content.lines().collect::<Vec<_>>();
    Ok(record_lines(content)
        .into_iter()
        .zip(read.examples)
        .map(|(line, example)| {
            let v: Value = serde_json::from_str(lines[line - 1].trim_start_matches('\u{FEFF}'))
                .unwrap_or(Value::Null);
            let labelled = matches!(
                v.get("labels").or_else(|| v.get("label")),
                Some(Value::Array(_))
            );
            ExportItem {
                line,
                example,
                labelled,
            }
        })
        .collect())
}

#[derive(Serialize)]
struct CorpusLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    labels: &'a [String],
    text: &'a str,
}

/// Our corpus JSONL: `{"id","labels","text"}` per line.
pub fn write_corpus(examples: &[Example]) -> String {
    let mut s = String::new();
    for e in examples {
        let line = CorpusLine {
            id: e.id.as_deref(),
            labels: &e.labels,
            text: &e.text,
        };
        s += &serde_json::to_string(&line).expect("strings serialise");
        s.push('\n');
    }
    s
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

/// A text on one line: every line break (CR, LF, CRLF, U+0085, U+2028, U+2029) becomes a
/// space.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A token of a text that fastText would take for a label (`__label__x`), or one that an
/// escape made (`\__label__x`): any number of `\` then the label prefix.
fn looks_like_label(token: &str) -> bool {
    token.trim_start_matches('\\').starts_with("__label__")
}

/// Put a `\` before every token of `text` that looks like a label (tokens are separated
/// by white space, which is kept as it is).
pub fn fasttext_escape(text: &str) -> String {
    map_tokens(text, |t, out| {
        if looks_like_label(t) {
            out.push('\\');
        }
        out.push_str(t);
    })
}

/// Undo [`fasttext_escape`]: remove one `\` before such tokens.
pub fn fasttext_unescape(text: &str) -> String {
    map_tokens(text, |t, out| match t.strip_prefix('\\') {
        Some(rest) if looks_like_label(rest) => out.push_str(rest),
        _ => out.push_str(t),
    })
}

fn map_tokens(text: &str, mut f: impl FnMut(&str, &mut String)) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while !rest.is_empty() {
        let ws = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..ws]);
        rest = &rest[ws..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if end > 0 {
            f(&rest[..end], &mut out);
        }
        rest = &rest[end..];
    }
    out
}

/// fastText lines `__label__a __label__b text`. `texts` replaces each item's text (e.g. with
/// space-separated tokens); line breaks become spaces either way. Items whose text is blank
/// have no fastText line (fastText, and our import, need a text): they are left out and
/// their source lines returned.
pub fn write_fasttext(
    path: &Path,
    items: &[ExportItem],
    texts: Option<&[String]>,
) -> Result<(String, Vec<usize>)> {
    let mut s = String::new();
    let mut left_out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let text = texts.map_or(it.example.text.as_str(), |t| t[i].as_str());
        let text = one_line(text);
        let text = text.trim();
        if text.is_empty() {
            left_out.push(it.line);
            continue;
        }
        for l in &it.example.labels {
            if l.chars().any(char::is_whitespace) {
                return Err(Error::Jsonl {
                    path: path.to_path_buf(),
                    line: it.line,
                    msg: format!("label {l:?} contains white space, which fastText cannot hold"),
                });
            }
            s += "__label__";
            s += l;
            s.push(' ');
        }
        s += &fasttext_escape(text);
        s.push('\n');
    }
    Ok((s, left_out))
}

/// A model's opinion of one paragraph, for Label Studio pre-annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct LsPrediction {
    /// The labels the model gives (at its tuned thresholds), sorted.
    pub labels: Vec<String>,
    /// Confidence in the whole decision, in 0..=1: the smallest, over all labels, of the
    /// calibrated probability of the decision taken (p for a label given, 1 − p for one not).
    pub score: f64,
}

#[derive(Serialize)]
struct LsTask<'a> {
    data: LsData<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<LsAnnotation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    predictions: Vec<LsPred<'a>>,
}

#[derive(Serialize)]
struct LsData<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policytag_id: Option<&'a str>,
}

#[derive(Serialize)]
struct LsAnnotation<'a> {
    result: Vec<LsResult<'a>>,
}

#[derive(Serialize)]
struct LsPred<'a> {
    model_version: &'a str,
    score: f64,
    result: Vec<LsResult<'a>>,
}

#[derive(Serialize)]
struct LsResult<'a> {
    from_name: &'static str,
    to_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: LsValue<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
}

#[derive(Serialize)]
struct LsValue<'a> {
    choices: &'a [String],
}

fn ls_result(labels: &[String], score: Option<f64>) -> Vec<LsResult<'_>> {
    if labels.is_empty() {
        return Vec::new();
    }
    vec![LsResult {
        from_name: LS_CONTROL,
        to_name: LS_OBJECT,
        kind: "choices",
        value: LsValue { choices: labels },
        score,
    }]
}

/// Label Studio tasks (a pretty-printed JSON array). Our id goes to `data.policytag_id`
/// (Label Studio numbers tasks itself, and its flat exports put that number in `id`); labelled items carry their labels as an annotation; with
/// `predictions` (one per item) each task also carries the model's labels as one choices
/// result, scored, under `model_version`.
pub fn write_labelstudio(
    items: &[ExportItem],
    predictions: Option<(&str, &[LsPrediction])>,
) -> String {
    let tasks: Vec<LsTask> = items
        .iter()
        .enumerate()
        .map(|(i, it)| LsTask {
            data: LsData {
                text: &it.example.text,
                policytag_id: it.example.id.as_deref(),
            },
            annotations: if it.labelled {
                vec![LsAnnotation {
                    result: ls_result(&it.example.labels, None),
                }]
            } else {
                Vec::new()
            },
            predictions: predictions
                .map(|(version, p)| {
                    vec![LsPred {
                        model_version: version,
                        score: p[i].score,
                        result: ls_result(&p[i].labels, Some(p[i].score)),
                    }]
                })
                .unwrap_or_default(),
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&tasks).expect("tasks serialise");
    s.push('\n');
    s
}

/// `policytag-` and the first 12 hex digits of the SHA-256 of the model file's bytes: the
/// `model_version` of Label Studio predictions.
pub fn model_version(model: &Model) -> Result<String> {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(model.to_bytes()?);
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    Ok(format!("policytag-{hex}"))
}

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The Label Studio labelling config matching [`write_labelstudio`]: a text and a
/// multiple-choice `theme` control with one choice per label. The choice's value is the
/// label id (what results store); its display name is shown through `html`.
pub fn labelstudio_config(labels: &LabelSet) -> String {
    let mut s = format!(
        "<View>\n  <Text name=\"{LS_OBJECT}\" value=\"$text\"/>\n  <Choices name=\"{LS_CONTROL}\" toName=\"{LS_OBJECT}\" choice=\"multiple\" showInline=\"false\">\n"
    );
    for l in labels.labels() {
        let shown = if l.name.is_empty() || l.name == l.id {
            l.id.clone()
        } else {
            format!("{} · {}", l.name, l.id)
        };
        s += &format!(
            "    <Choice value=\"{}\" html=\"{}\"/>\n",
            xml_attr(&l.id),
            // html is itself markup inside an attribute: escape for HTML, then for XML.
            xml_attr(&xml_attr(&shown))
        );
    }
    s += "  </Choices>\n</View>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> LabelSet {
        LabelSet::new(
            ids.iter()
                .map(|i| LabelInfo {
                    id: i.to_string(),
                    name: i.to_string(),
                    description: String::new(),
                })
                .collect(),
        )
    }

    fn imp(f: Format, s: &str) -> Result<Imported> {
        import(
            f,
            Path::new("in/x.jsonl"),
            s,
            &set(&["aid", "safety", "teachers"]),
            ImportOptions::default(),
        )
    }

    fn ex(id: &str, text: &str, labels: &[&str]) -> Example {
        Example {
            id: Some(id.into()),
            text: text.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        }
    }

    fn items(examples: &[Example]) -> Vec<ExportItem> {
        examples
            .iter()
            .enumerate()
            .map(|(i, e)| ExportItem {
                line: i + 1,
                example: e.clone(),
                labelled: true,
            })
            .collect()
    }

    #[test]
    fn doccano_keeps_ids_generates_missing_and_sorts_labels() {
        let r = imp(
            Format::Doccano,
            "{\"id\":7,\"text\":\"甲\",\"label\":[\"teachers\",\"aid\",\"aid\"],\"Comments\":[]}\n\n{\"text\":\"乙\",\"labels\":[]}\n",
        )
        .unwrap();
        assert_eq!(
            r.examples,
            [ex("7", "甲", &["aid", "teachers"]), ex("x-3", "乙", &[])]
        );
    }

    #[test]
    fn unknown_labels_are_listed_at_their_first_line() {
        let s = "{\"text\":\"a\",\"label\":[\"aid\"]}\n{\"text\":\"b\",\"label\":[\"zeta\",\"beta\"]}\n";
        let e = imp(Format::Doccano, s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "in/x.jsonl:2: labels not in the theme set: beta, zeta"
        );
        let r = import(
            Format::Doccano,
            Path::new("x.jsonl"),
            s,
            &set(&["aid"]),
            ImportOptions {
                allow_unknown: true,
            },
        )
        .unwrap();
        assert_eq!(r.examples[1].labels, ["beta", "zeta"]);
    }

    #[test]
    fn fasttext_lines_parse_and_errors_name_lines() {
        let r = imp(
            Format::FastText,
            "__label__safety  __label__aid 防溺水 教育\n\n没有 标签\n",
        )
        .unwrap();
        assert_eq!(
            r.examples,
            [
                ex("x-1", "防溺水 教育", &["aid", "safety"]),
                ex("x-3", "没有 标签", &[])
            ]
        );
        let e = imp(Format::FastText, "__label__aid a\n__label__aid\n").unwrap_err();
        assert_eq!(e.to_string(), "in/x.jsonl:2: no text after the labels");
        let e = imp(Format::FastText, "__label__ text\n").unwrap_err();
        assert!(
            e.to_string().starts_with("in/x.jsonl:1: empty label"),
            "{e}"
        );
    }

    #[test]
    fn labelstudio_takes_latest_uncancelled_annotation() {
        let s = r#"[
          {"id": 11, "data": {"text": "甲"}, "annotations": [
             {"updated_at": "2024-01-02T00:00:00Z", "result": [{"from_name":"theme","to_name":"text","type":"choices","value":{"choices":["safety"]}}]},
             {"updated_at": "2024-03-01T00:00:00Z", "was_cancelled": true, "result": [{"from_name":"theme","to_name":"text","type":"choices","value":{"choices":["aid"]}}]},
             {"updated_at": "2024-01-01T00:00:00Z", "result": [{"from_name":"theme","to_name":"text","type":"choices","value":{"choices":["teachers"]}}]}
          ]},
          {"id": 12, "data": {"text": "乙", "id": "our-2"}, "annotations": [{"result": []}]},
          {"id": 13, "data": {"text": "丙"}, "annotations": [{"was_cancelled": true, "result": []}]},
          {"data": {"text": "丁"}, "annotations": [{"result": [
             {"from_name":"other","to_name":"text","type":"choices","value":{"choices":["aid"]}}]}]}
        ]"#;
        let r = imp(Format::LabelStudio, s).unwrap();
        assert_eq!(
            r.examples,
            [
                ex("11", "甲", &["safety"]),
                ex("our-2", "乙", &[]),
                ex("x-4", "丁", &["aid"])
            ]
        );
        assert_eq!(r.unlabelled, [3]);
    }

    #[test]
    fn labelstudio_errors_name_the_task() {
        let e = imp(
            Format::LabelStudio,
            "[{\"data\":{\"text\":\"a\"}}, {\"data\":{}}]",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "in/x.jsonl: task 2: missing \"data.text\"");
        let e = imp(Format::LabelStudio, "{\"data\":{}}").unwrap_err();
        assert!(e.to_string().contains("JSON array of tasks"), "{e}");
        let e = imp(Format::LabelStudio, "[{\"data\":{\"text\":\"a\"}}]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "in/x.jsonl: no labelled tasks (1 without an annotation)"
        );
        let two = r#"[{"data":{"text":"a"},"annotations":[{"result":[
            {"from_name":"p","type":"choices","value":{"choices":["aid"]}},
            {"from_name":"q","type":"choices","value":{"choices":["aid"]}}]}]}]"#;
        let e = imp(Format::LabelStudio, two).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("in/x.jsonl: task 1: choices from several controls (p, q)"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_ids_are_errors() {
        let e = imp(
            Format::LabelStudio,
            r#"[{"data":{"text":"a","id":"k"},"annotations":[{"result":[]}]},
                {"data":{"text":"b","id":"k"},"annotations":[{"result":[]}]}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "in/x.jsonl: task 2: duplicate id \"k\" (first at task 1)"
        );
    }

    #[test]
    fn every_format_round_trips() {
        let examples = vec![
            ex("a-1", "学校 \"安全\"\t检查", &["safety"]),
            ex("a-2", "资助与教师", &["aid", "teachers"]),
            ex("a-3", "无主题", &[]),
        ];
        let it = items(&examples);
        let path = Path::new("x.jsonl");
        let back = |f, s: &str| imp(f, s).unwrap().examples;
        assert_eq!(back(Format::Doccano, &write_doccano(&it)), examples);
        assert_eq!(
            back(Format::LabelStudio, &write_labelstudio(&it, None)),
            examples
        );
        let ft = back(
            Format::FastText,
            &write_fasttext(path, &it, None).unwrap().0,
        );
        let strip = |v: &[Example]| {
            v.iter()
                .map(|e| (e.text.clone(), e.labels.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&ft), strip(&examples));
        // And our own corpus JSONL reads back through data.rs.
        let again = data::read_jsonl_str(path, &write_corpus(&examples), ReadOptions::default())
            .unwrap()
            .examples;
        assert_eq!(again, examples);
    }

    #[test]
    fn fasttext_text_is_one_line_and_labels_cannot_hold_spaces() {
        let it = items(&[ex("a", "第一行\r\n第二行\n第三行\u{2028}完", &["aid"])]);
        let s = write_fasttext(Path::new("c.jsonl"), &it, None).unwrap().0;
        assert_eq!(s, "__label__aid 第一行 第二行 第三行 完\n");
        let s = write_fasttext(Path::new("c.jsonl"), &it, Some(&["第一 行".to_string()]))
            .unwrap()
            .0;
        assert_eq!(s, "__label__aid 第一 行\n");
        let bad = items(&[ex("a", "t", &["a b"])]);
        let e = write_fasttext(Path::new("c.jsonl"), &bad, None).unwrap_err();
        assert!(e.to_string().starts_with("c.jsonl:1: label \"a b\""), "{e}");
    }

    #[test]
    fn fasttext_blank_texts_are_left_out_and_label_tokens_escaped() {
        let examples = vec![
            ex("a", "  \n ", &["aid"]),
            ex("b", "见 __label__safety 与 \\__label__x 及 a\\b", &["aid"]),
            ex("c", "正文", &[]),
        ];
        let it = items(&examples);
        let (s, left_out) = write_fasttext(Path::new("c.jsonl"), &it, None).unwrap();
        assert_eq!(left_out, [1]);
        assert_eq!(
            s,
            "__label__aid 见 \\__label__safety 与 \\\\__label__x 及 a\\b\n正文\n"
        );
        // Our own import reads every line back, with the text (and labels) as they were.
        let back = imp(Format::FastText, &s).unwrap().examples;
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].text, examples[1].text);
        assert_eq!(back[0].labels, ["aid"]);
        // Under --tokens, a paragraph without tokens is left out too.
        let (_, left_out) =
            write_fasttext(Path::new("c.jsonl"), &it[2..], Some(&[String::new()])).unwrap();
        assert_eq!(left_out, [3]);
    }

    #[test]
    fn labelstudio_json_min_and_csv_exports_are_read() {
        // Label Studio puts its own task number in "id"; ours travels as policytag_id.
        let tasks = write_labelstudio(&items(&[ex("our-7", "学校安全", &["safety"])]), None);
        assert!(tasks.contains("\"policytag_id\": \"our-7\""), "{tasks}");
        let min = r#"[
          {"id": 101, "text": "学校安全", "policytag_id": "our-7", "theme": "safety", "annotator": 1},
          {"id": 102, "text": "资助与教师", "theme": {"choices": ["teachers", "aid"]}},
          {"id": 103, "text": "无标注"}
        ]"#;
        let got = imp(Format::LabelStudio, min).unwrap();
        assert_eq!(
            got.examples,
            [
                ex("our-7", "学校安全", &["safety"]),
                ex("102", "资助与教师", &["aid", "teachers"])
            ]
        );
        assert_eq!(got.unlabelled, [3]);
        let csv = "text,id,policytag_id,theme,annotator\n\
                   学校安全,101,our-7,safety,1\n\
                   \"资助与\"\"教师\"\",\n第二行\",102,,\"{\"\"choices\"\": [\"\"teachers\"\", \"\"aid\"\"]}\",1\n";
        let got = imp(Format::LabelStudio, csv).unwrap();
        assert_eq!(
            got.examples,
            [
                ex("our-7", "学校安全", &["safety"]),
                ex("102", "资助与\"教师\",\n第二行", &["aid", "teachers"])
            ]
        );
        let e = imp(Format::LabelStudio, "a,b\n1,2\n").unwrap_err();
        assert!(e.to_string().contains("\"theme\""), "{e}");
        let e = imp(Format::LabelStudio, "text,theme\n学校,nope\n").unwrap_err();
        assert!(e.to_string().starts_with("in/x.jsonl:2:"), "{e}");
    }

    #[test]
    fn long_lists_of_unknown_labels_are_cut() {
        let lines: String = (0..1000)
            .map(|i| format!("{{\"text\": \"t{i}\", \"label\": [\"bad{i:04}\"]}}\n"))
            .collect();
        let e = imp(Format::Doccano, &lines).unwrap_err().to_string();
        assert!(e.contains("bad0000") && e.contains("… and 980 more"), "{e}");
        assert!(e.len() < 500, "{}", e.len());
        // doccano's key is named in the missing-labels error.
        let e = imp(Format::Doccano, "{\"text\": \"t\"}\n").unwrap_err();
        assert!(e.to_string().contains("\"label\""), "{e}");
    }

    #[test]
    fn labelstudio_predictions_and_unlabelled_items() {
        let mut it = items(&[ex("a", "甲", &["aid"]), ex("b", "乙", &[])]);
        it[1].labelled = false;
        let preds = [
            LsPrediction {
                labels: vec!["aid".into(), "safety".into()],
                score: 0.75,
            },
            LsPrediction {
                labels: vec![],
                score: 0.5,
            },
        ];
        let s = write_labelstudio(&it, Some(("policytag-abc", &preds)));
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(
            v[0]["annotations"][0]["result"][0]["value"]["choices"][0],
            "aid"
        );
        let p = &v[0]["predictions"][0];
        assert_eq!(p["model_version"], "policytag-abc");
        assert_eq!(p["score"], 0.75);
        assert_eq!(p["result"][0]["from_name"], "theme");
        assert_eq!(p["result"][0]["type"], "choices");
        assert_eq!(
            p["result"][0]["value"]["choices"],
            serde_json::json!(["aid", "safety"])
        );
        assert!(v[1].get("annotations").is_none());
        assert_eq!(v[1]["predictions"][0]["result"], serde_json::json!([]));
    }

    #[test]
    fn export_reader_tells_unlabelled_from_no_theme() {
        let s = "{\"id\":\"a\",\"text\":\"t\",\"labels\":[]}\n\n{\"id\":\"b\",\"text\":\"u\"}\n";
        let r = read_for_export(Path::new("c.jsonl"), s).unwrap();
        assert_eq!(
            r.iter().map(|i| (i.line, i.labelled)).collect::<Vec<_>>(),
            [(1, true), (3, false)]
        );
    }

    #[test]
    fn config_lists_every_label_escaped() {
        let mut labels = set(&["aid"]).labels().to_vec();
        labels.push(LabelInfo {
            id: "x&y".into(),
            name: "名<称>".into(),
            description: String::new(),
        });
        let c = labelstudio_config(&LabelSet::new(labels));
        assert!(c.contains("<Choices name=\"theme\" toName=\"text\" choice=\"multiple\""));
        assert!(c.contains("<Choice value=\"aid\" html=\"aid\"/>"));
        assert!(
            c.contains("<Choice value=\"x&amp;y\" html=\"名&amp;lt;称&amp;gt; · x&amp;amp;y\"/>")
        );
    }
}
