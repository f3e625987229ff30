//! The model file format: a tiny model's exact bytes (the golden file), the field list of
//! the payload, and the answers to files of other versions.
//!
//! Regenerate the golden file with `UPDATE_GOLDEN=1 cargo test -p policytag-model --test
//! format` — only together with a bump of `FORMAT_VERSION` when the fields changed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use policytag_data::Example;
use policytag_model::model::{FORMAT_VERSION, PAYLOAD_FIELDS};
use policytag_model::train::{Hooks, TrainParams};
use policytag_model::Model;
use serde_json::Value;

const TEXTS: [(&str, &str); 12] = [
    ("全面落实“双减”，课后服务全覆盖。", "double-reduction"),
    ("压减作业总量，规范校外培训机构。", "double-reduction"),
    ("课后服务时间延长，作业管理更规范。", "double-reduction"),
    ("双减政策落地，校外培训明显减少。", "double-reduction"),
    ("新建幼儿园三所，新增学位九百个。", "preschool"),
    ("普惠性幼儿园覆盖率达到百分之九十。", "preschool"),
    ("学前教育资源扩充，幼儿园办园规范。", "preschool"),
    ("公办幼儿园在园幼儿占比提高。", "preschool"),
    ("召开全体干部大会部署工作。", ""),
    ("组织开展防溺水专题教育。", ""),
    ("校园安全隐患排查整治到位。", ""),
    ("教师队伍培训全面开展。", ""),
];

fn tiny() -> Model {
    let examples: Vec<Example> = TEXTS
        .iter()
        .enumerate()
        .map(|(i, (t, l))| Example {
            doc: None,
            id: Some(i.to_string()),
            text: t.to_string(),
            labels: if l.is_empty() {
                vec![]
            } else {
                vec![l.to_string()]
            },
        })
        .collect();
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        progress: &|_, _, _| {},
        cancel: &cancel,
    };
    TrainParams::default()
        .min_df(1)
        .folds(2)
        .features_per_label(20)
        .check()
        .unwrap()
        .fit(&examples, &BTreeMap::new(), &hooks)
        .unwrap()
}

fn golden() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tiny.model")
}

/// Every key path of a JSON value (`[]` for list elements, `<id>` for the maps keyed by
/// label id).
fn paths(v: &Value, at: &str, out: &mut Vec<String>) {
    let push = |p: String, v: &Value, out: &mut Vec<String>| {
        if !out.contains(&p) {
            out.push(p.clone());
        }
        paths(v, &p, out);
    };
    match v {
        Value::Object(m) => {
            let by_id = at.ends_with("label_counts") || at.ends_with("per_label");
            for (k, x) in m {
                let key = if by_id { "<id>" } else { k.as_str() };
                let p = if at.is_empty() {
                    key.to_string()
                } else {
                    format!("{at}.{key}")
                };
                push(p, x, out);
            }
        }
        Value::Array(a) => {
            if let Some(x) = a.iter().find(|x| x.is_object()) {
                paths(x, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn tiny_model_payload_is_exactly_the_golden_file() {
    let bytes = tiny().to_bytes().unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden(), &bytes).unwrap();
    }
    let want = std::fs::read(golden()).unwrap();
    assert!(
        bytes == want,
        "the model file bytes changed: if its fields changed, bump FORMAT_VERSION and \
         PAYLOAD_FIELDS, then regenerate tests/golden/tiny.model (see this file's docs)"
    );
    // And the golden file reads back to the same bytes.
    assert_eq!(Model::from_bytes(&want).unwrap().to_bytes().unwrap(), want);
}

#[test]
fn payload_fields_are_the_documented_ones() {
    let bytes = std::fs::read(golden()).unwrap();
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header: Value = serde_json::from_slice(&bytes[..nl]).unwrap();
    assert_eq!(header["version"], FORMAT_VERSION);
    let payload: Value = serde_json::from_slice(&bytes[nl + 1..]).unwrap();
    let mut got = Vec::new();
    paths(&payload, "", &mut got);
    got.sort();
    let mut want: Vec<String> = PAYLOAD_FIELDS.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
}

/// A file of this version whose payload lacks a field (an older build's, or a newer one's
/// that forgot to bump the version) gets the version message, not serde's.
#[test]
fn a_payload_of_another_format_gets_the_version_message() {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(golden()).unwrap();
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    let mut payload: Value = serde_json::from_slice(&bytes[nl + 1..]).unwrap();
    payload.as_object_mut().unwrap().remove("pooling");
    let body = serde_json::to_vec(&payload).unwrap();
    let hex: String = Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let header = format!(
        "{{\"format\":\"policytag-model\",\"version\":{FORMAT_VERSION},\"payload_bytes\":{},\"sha256\":\"{hex}\"}}\n",
        body.len()
    );
    let file = [header.as_bytes(), &body, b"\n"].concat();
    let e = Model::from_bytes(&file).unwrap_err().to_string();
    assert!(
        e.contains(&format!("format version {FORMAT_VERSION}")) && e.contains("retrain"),
        "{e}"
    );
    assert!(!e.contains("missing field"), "{e}");
}

#[test]
fn the_vocabulary_is_what_the_labels_select() {
    let m = tiny();
    // Two labels, each choosing its 20 chi²-best columns on the whole corpus: the vocabulary
    // is their union (the 12 texts hold hundreds of terms with min_df 1).
    let n = m.tfidf.len();
    assert!((20..=40).contains(&n), "{n} columns");
    for lm in &m.label_models {
        assert!(lm.classifier.features.iter().all(|&c| (c as usize) < n));
    }
}
