//! Label Studio: its JSON export (an array of tasks `{"data": {"text", "policytag_id"?},
//! "annotations": [..], "predictions": [..]}`), its JSON_MIN and CSV exports (flat records),
//! and the labelling config that goes with them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::{ExportItem, LabelSet, Loc};
use crate::error::{Error, Result};
use crate::jsonl::Example;

/// The control and object names of the Label Studio labelling config we write.
pub const LS_CONTROL: &str = "theme";
/// The `<Text>` object the control labels.
pub const LS_OBJECT: &str = "text";
/// The `data` key our ids travel under in Label Studio (a key it does not reserve).
pub const LS_ID: &str = "policytag_id";

pub(super) type Records = (Vec<(Loc, Example)>, Vec<usize>);

pub(super) fn parse_labelstudio(path: &Path, content: &str) -> Result<Records> {
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
        out.push((loc, Example::new(id, text, labels)));
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
        out.push((loc, Example::new(id, text, labels)));
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
                doc: None,
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

/// Label Studio tasks (a pretty-printed JSON array). Our id goes to `data.id` (Label Studio
/// numbers tasks itself); labelled items carry their labels as an annotation; with
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

/// `policytag-` and the first 12 hex digits of the SHA-256 of the model file's bytes
/// (`Model::to_bytes`): the `model_version` of Label Studio predictions.
pub fn model_version(model_file: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(model_file);
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("policytag-{hex}")
}

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The labelling config written beside Label Studio tasks: `tasks.json` → `tasks.config.xml`.
pub fn labelstudio_config_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tasks".into());
    out.with_file_name(format!("{stem}.config.xml"))
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

    #[test]
    fn config_sits_beside_the_tasks() {
        assert_eq!(
            labelstudio_config_path(Path::new("out/tasks.json")),
            Path::new("out/tasks.config.xml")
        );
        assert_eq!(
            labelstudio_config_path(Path::new("t")),
            Path::new("t.config.xml")
        );
    }
}
