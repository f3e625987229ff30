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

use crate::error::{Error, Result};
use crate::jsonl::{self, Example, ReadOptions};
use crate::label::LabelInfo;

mod doccano;
mod fasttext;
mod labelstudio;

pub use doccano::write_doccano;
pub use fasttext::{fasttext_escape, fasttext_unescape, one_line, write_fasttext};
pub use labelstudio::{
    labelstudio_config, labelstudio_config_path, model_version, write_labelstudio, LsPrediction,
    LS_CONTROL, LS_ID, LS_OBJECT,
};

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
pub(crate) enum Loc {
    Line(usize),
    Task(usize),
}

impl Loc {
    pub(crate) fn number(self) -> usize {
        match self {
            Loc::Line(n) | Loc::Task(n) => n,
        }
    }

    pub(crate) fn error(self, path: &Path, msg: String) -> Error {
        let path = path.to_path_buf();
        match self {
            Loc::Line(line) => Error::Jsonl { path, line, msg },
            Loc::Task(index) => Error::Task { path, index, msg },
        }
    }

    pub(crate) fn describe(self) -> String {
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
        Format::Doccano => (doccano::parse_doccano(path, content)?, Vec::new()),
        Format::FastText => (fasttext::parse_fasttext(path, content)?, Vec::new()),
        Format::LabelStudio => labelstudio::parse_labelstudio(path, content)?,
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
    let read = jsonl::read_jsonl_str(path, content, opts)?;
    Ok(read
        .lines
        .into_iter()
        .zip(read.examples)
        .zip(read.labelled)
        .map(|((line, example), labelled)| ExportItem {
            line,
            example,
            labelled,
        })
        .collect())
}

#[derive(Serialize)]
struct CorpusLineOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    labels: &'a [String],
    text: &'a str,
}

/// Our corpus JSONL: `{"id","labels","text"}` per line.
pub fn write_corpus(examples: &[Example]) -> String {
    let mut s = String::new();
    for e in examples {
        let line = CorpusLineOut {
            id: e.id.as_deref(),
            labels: &e.labels,
            text: &e.text,
        };
        s += &serde_json::to_string(&line).expect("strings serialise");
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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
            doc: None,
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
        let again = jsonl::read_jsonl_str(path, &write_corpus(&examples), ReadOptions::default())
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
