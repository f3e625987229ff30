//! # policytag-python
//!
//! The Python module `policytag` (built with maturin; `make python`): bindings over
//! [`policytag_pipeline`] and nothing else. Every call that tags, reads, trains or
//! evaluates releases the GIL and runs on the pipeline's rayon pool (the CLI's `--threads`
//! setting is `policytag.set_threads` here). Errors become `policytag.InputError` (the CLI's exit
//! code 2: the input's fault) or `policytag.PolicytagError`, carrying the CLI's one-line
//! message. The pandas front (`tag_frame`, `segment`, …) is `python/policytag/__init__.py`,
//! which only turns the columns returned here into DataFrames.
//!
//! ```text
//! Model(path?)  ─Pipeline::load─▶ tag(texts) · tag_columns(texts) · explain(text) · labels
//! train(examples | files, themes, params) ─policytag_pipeline::train─▶ Model ─save(path)
//! evaluate(model, examples | file) ─Pipeline::evaluate─▶ the `eval --format json` metrics
//! segment(path | bytes) ─Reader─▶ paragraph columns;  read_report(path) ─Reader::text─▶ text
//! ```
#![deny(missing_docs)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString};
use serde_json::Value;

use policytag_data::jsonl::{read_jsonl, ReadOptions};
use policytag_data::{Example, LabelInfo};
use policytag_model::logistic::Pooling;
use policytag_model::train::{Hooks, TrainParams};
use policytag_pipeline::{round4, Expand, Pipeline, Reader, Source, TagOptions};

create_exception!(
    _policytag,
    PolicytagError,
    PyException,
    "An error of policytag (the CLI's exit code 1)."
);
create_exception!(
    _policytag,
    InputError,
    PolicytagError,
    "Bad input: a missing or unreadable file, a bad JSONL line, an invalid parameter (the CLI's exit code 2)."
);

/// A Python exception with the CLI's one-line message.
fn py_err(msg: String, bad_input: bool) -> PyErr {
    let msg = msg.replace('\n', " ");
    if bad_input {
        InputError::new_err(msg)
    } else {
        PolicytagError::new_err(msg)
    }
}

trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

macro_rules! into_py_result {
    ($($e:ty),*) => {$(
        impl<T> IntoPyResult<T> for Result<T, $e> {
            fn py(self) -> PyResult<T> {
                self.map_err(|e| {
                    let bad = e.is_bad_input();
                    py_err(e.to_string(), bad)
                })
            }
        }
    )*};
}
into_py_result!(
    policytag_pipeline::Error,
    policytag_data::Error,
    policytag_model::Error
);

/// A serialisable value as Python objects (maps become dicts, sequences lists).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

fn serialized<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(v).map_err(|e| py_err(e.to_string(), false))?;
    to_py(py, &v)
}

/// A model with its tokenizer, ready to tag (`policytag.Model`).
#[pyclass(name = "Model", module = "policytag._policytag", frozen)]
pub struct PyModel {
    pipeline: Pipeline,
}

fn load(py: Python<'_>, path: Option<PathBuf>, threshold: Option<f64>) -> PyResult<PyModel> {
    let pipeline = py
        .detach(|| {
            Pipeline::load(path.as_deref())?.with_options(TagOptions {
                threshold,
                evidence: None,
            })
        })
        .py()?;
    Ok(PyModel { pipeline })
}

#[pymethods]
impl PyModel {
    /// The embedded default model, or the model file at `path`; `threshold` replaces every
    /// tuned threshold (like `--threshold`).
    #[new]
    #[pyo3(signature = (path=None, threshold=None))]
    fn new(py: Python<'_>, path: Option<PathBuf>, threshold: Option<f64>) -> PyResult<Self> {
        load(py, path, threshold)
    }

    /// The model file at `path`.
    #[staticmethod]
    #[pyo3(signature = (path, threshold=None))]
    fn load(py: Python<'_>, path: PathBuf, threshold: Option<f64>) -> PyResult<Self> {
        load(py, Some(path), threshold)
    }

    /// The themes: `[{"id", "name", "description", "threshold"}]`, in model order.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let thresholds = self.pipeline.thresholds();
        let rows = self
            .pipeline
            .labels()
            .iter()
            .zip(thresholds)
            .map(|(l, t)| {
                let d = PyDict::new(py);
                d.set_item("id", &l.id)?;
                d.set_item("name", &l.name)?;
                d.set_item("description", &l.description)?;
                d.set_item("threshold", round4(t))?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// Tag texts: for each, `{"labels": [ids given], "scores": {id: probability}}` (scores
    /// rounded to 4 decimals, as `policytag tag` prints them).
    fn tag<'py>(&self, py: Python<'py>, texts: Vec<String>) -> PyResult<Bound<'py, PyList>> {
        let rows = py.detach(|| self.pipeline.tag_texts("python", &texts));
        let out = rows
            .iter()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("labels", r.given().collect::<Vec<_>>())?;
                let scores = PyDict::new(py);
                let mut order: Vec<usize> = (0..r.scores.len()).collect();
                order.sort_by(|&a, &b| r.label_ids()[a].cmp(&r.label_ids()[b]));
                for l in order {
                    scores.set_item(&r.label_ids()[l], round4(r.scores[l]))?;
                }
                d.set_item("scores", scores)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, out)
    }

    /// Tag texts into columns: (label ids in model order, the labels given per text, the
    /// rounded scores as native-endian f64 bytes, row-major texts × labels). `docs` gives
    /// each text's document (name, position among its source's documents) or `None`:
    /// consecutive texts of one document are read in its context, as `policytag tag` reads
    /// a report's paragraphs; without `docs` every text is read alone.
    #[pyo3(signature = (texts, docs=None))]
    fn tag_columns<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        docs: Option<Vec<Option<(String, usize)>>>,
    ) -> PyResult<(Vec<String>, Bound<'py, PyList>, Bound<'py, PyBytes>)> {
        let ids = self.pipeline.model().label_ids();
        let (given, scores) = py.detach(|| {
            let rows = match &docs {
                Some(d) => self.pipeline.tag_texts_in_documents("python", &texts, d),
                None => self.pipeline.tag_texts("python", &texts),
            };
            let mut scores = Vec::with_capacity(rows.len() * ids.len() * 8);
            let given: Vec<Vec<usize>> = rows
                .into_iter()
                .map(|r| {
                    for &s in &r.scores {
                        scores.extend_from_slice(&round4(s).to_ne_bytes());
                    }
                    r.labels
                })
                .collect();
            (given, scores)
        });
        let names: Vec<Bound<'py, PyString>> = ids.iter().map(|i| PyString::new(py, i)).collect();
        let given = given
            .iter()
            .map(|g| PyList::new(py, g.iter().map(|&l| names[l].clone())))
            .collect::<PyResult<Vec<_>>>()?;
        Ok((ids, PyList::new(py, given)?, PyBytes::new(py, &scores)))
    }

    /// Why the model tags `text` as it does (what `policytag explain --format json` prints).
    #[pyo3(signature = (text, top=5))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: String,
        top: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let e = py.detach(|| self.pipeline.explain_text(&text, top)).py()?;
        serialized(py, &e)
    }

    /// A theme's `top` strongest terms each way (`policytag explain --label ID`).
    #[pyo3(signature = (label, top=20))]
    fn explain_label<'py>(
        &self,
        py: Python<'py>,
        label: String,
        top: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let e = self.pipeline.explain_label(&label, top).py()?;
        serialized(py, &e)
    }

    /// Write the model file (atomically; the same bytes `policytag train` writes).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.pipeline.model().save(&path))
            .map_err(|e| {
                let bad = e.is_bad_input();
                py_err(format!("writing model {}: {e}", path.display()), bad)
            })
    }

    /// The model file's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let b = self.pipeline.model().to_bytes().py()?;
        Ok(PyBytes::new(py, &b))
    }

    /// Metrics on labelled examples `(id, text, labels)`: what `policytag eval --format
    /// json` prints.
    /// `docs` names each example's document (a `doc` column); without it, documents are
    /// told apart by id prefix, as `eval` does for a file.
    #[pyo3(signature = (examples, docs=None))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        examples: Vec<Row>,
        docs: Option<Vec<Option<String>>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut examples = to_examples(examples);
        if examples.is_empty() {
            return Err(py_err("evaluate: no examples".into(), true));
        }
        // Consecutive examples of one document are read in its context, as `eval` reads a
        // file's lines with a `"doc"`.
        if let Some(d) = &docs {
            for (e, doc) in examples.iter_mut().zip(d) {
                e.doc = doc.clone();
            }
        }
        // The documents, for the bootstrap intervals: the same rule as `eval` on a file.
        let groups: Vec<String> = examples
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let doc = docs.as_ref().and_then(|d| d.get(i).cloned().flatten());
                policytag_model::bootstrap::group_of(doc.as_deref(), e.id.as_deref(), i)
            })
            .collect();
        let (m, _) = py
            .detach(|| self.pipeline.evaluate(&examples, &groups))
            .py()?;
        serialized(py, &m)
    }

    /// Metrics on a labelled JSONL file, read as `policytag eval --data` reads it.
    fn evaluate_file<'py>(&self, py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
        let (m, _) = py.detach(|| -> PyResult<_> {
            let data = read_jsonl(&path, ReadOptions::default()).py()?;
            if data.examples.is_empty() {
                return Err(py_err(format!("{}: no examples", path.display()), true));
            }
            let content = std::fs::read_to_string(&path)
                .map_err(|e| py_err(format!("reading {}: {e}", path.display()), true))?;
            let groups = policytag_model::bootstrap::document_groups(&content);
            self.pipeline
                .evaluate(&data.examples, &groups)
                .map_err(|e| {
                    let bad = e.is_bad_input();
                    py_err(format!("evaluating on {}: {e}", path.display()), bad)
                })
        })?;
        serialized(py, &m)
    }

    fn __repr__(&self) -> String {
        let m = self.pipeline.model();
        format!(
            "policytag.Model({} labels, {} training paragraphs)",
            m.labels.len(),
            m.training.examples
        )
    }
}

/// A labelled row from Python: `(id, text, labels)`.
type Row = (Option<String>, String, Vec<String>);

fn to_examples(rows: Vec<Row>) -> Vec<Example> {
    rows.into_iter()
        .map(|(id, text, labels)| Example {
            doc: None,
            id,
            text,
            labels,
        })
        .collect()
}

/// Examples from in-memory rows or from JSONL files (read as `policytag train --data`
/// reads them).
enum TrainData {
    Rows(Vec<Example>),
    Files(Vec<PathBuf>),
}

fn fit(
    py: Python<'_>,
    data: TrainData,
    themes: Option<PathBuf>,
    params: TrainParams,
) -> PyResult<PyModel> {
    let pipeline = py.detach(|| -> PyResult<Pipeline> {
        let themes: Vec<LabelInfo> = match &themes {
            Some(p) => policytag_data::label::read_themes(p).py()?,
            None => Vec::new(),
        };
        let examples = match data {
            TrainData::Rows(e) => e,
            TrainData::Files(paths) => {
                let mut all = Vec::new();
                for p in &paths {
                    all.extend(read_jsonl(p, ReadOptions::default()).py()?.examples);
                }
                all
            }
        };
        let cancel = AtomicBool::new(false);
        let hooks = Hooks {
            progress: &|_, _, _| {},
            cancel: &cancel,
        };
        let model = policytag_pipeline::train(&examples, &themes, params, &hooks).py()?;
        Pipeline::new(model).py()
    })?;
    Ok(PyModel { pipeline })
}

fn pooling(s: Option<&str>) -> PyResult<Option<Pooling>> {
    match s {
        None => Ok(None),
        Some("paragraph") => Ok(Some(Pooling::Paragraph)),
        Some("max-sentence") => Ok(Some(Pooling::MaxSentence)),
        Some(x) => Err(py_err(
            format!("pooling: expected 'paragraph' or 'max-sentence', got {x:?}"),
            true,
        )),
    }
}

/// Train a model on rows `(id, text, labels)` or JSONL files (exactly one of the two);
/// `themes` is a themes.toml for display names; every other keyword left `None` keeps the
/// recommended default. `char_ngrams=False` turns character n-grams off.
#[pyfunction]
#[pyo3(signature = (rows=None, files=None, themes=None, *, ngrams=None, char_ngrams=None,
    max_features=None, min_df=None, folds=None, features_per_label=None, seed=None,
    alpha=None, max_iter=None, pooling=None, hmm=false, threshold_margin=None,
    context_weight=None))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    rows: Option<Vec<Row>>,
    files: Option<Vec<PathBuf>>,
    themes: Option<PathBuf>,
    ngrams: Option<(usize, usize)>,
    char_ngrams: Option<Bound<'_, PyAny>>,
    max_features: Option<usize>,
    min_df: Option<usize>,
    folds: Option<usize>,
    features_per_label: Option<usize>,
    seed: Option<u64>,
    alpha: Option<f64>,
    max_iter: Option<u64>,
    pooling: Option<String>,
    hmm: bool,
    threshold_margin: Option<f64>,
    context_weight: Option<f64>,
) -> PyResult<PyModel> {
    let char_ngrams = match char_ngrams {
        None => None,
        Some(c) if c.is_instance_of::<PyBool>() && !c.is_truthy()? => Some(None),
        Some(c) => Some(Some(c.extract::<(usize, usize)>().map_err(|_| {
            py_err(
                "char_ngrams: expected a (lo, hi) pair or False".into(),
                true,
            )
        })?)),
    };
    let mut p = TrainParams::default().hmm(hmm);
    if let Some((lo, hi)) = ngrams {
        p = p.word_ngrams(lo, hi);
    }
    if let Some(c) = char_ngrams {
        p = p.char_ngrams(c);
    }
    if max_features.is_some() {
        p = p.max_features(max_features);
    }
    let set = |p: TrainParams, v: Option<usize>, f: fn(TrainParams, usize) -> TrainParams| match v {
        Some(v) => f(p, v),
        None => p,
    };
    p = set(p, min_df, TrainParams::min_df);
    p = set(p, folds, TrainParams::folds);
    p = set(p, features_per_label, TrainParams::features_per_label);
    if let Some(s) = seed {
        p = p.seed(s);
    }
    if let Some(a) = alpha {
        p = p.alpha(a);
    }
    if let Some(n) = max_iter {
        p = p.max_iterations(n);
    }
    if let Some(pooling) = self::pooling(pooling.as_deref())? {
        p = p.pooling(pooling);
    }
    if let Some(m) = threshold_margin {
        p = p.threshold_margin(m);
    }
    if let Some(w) = context_weight {
        p = p.context_weight(w);
    }
    let data = match (rows, files) {
        (Some(r), None) => TrainData::Rows(to_examples(r)),
        (None, Some(f)) => TrainData::Files(f),
        _ => return Err(py_err("train: give rows or files, not both".into(), true)),
    };
    fit(py, data, themes, p)
}

/// The paragraphs of reports as columns — every field `policytag segment --format jsonl`
/// writes (`id`, `doc`, the document's `document`, `doc_title`, `doc_bureau`, `doc_region`,
/// `doc_years`, `doc_kind`, `doc_date`, then `paragraph`, `start`, `end`, `heading`, `text`)
/// plus the input's `format` and `title`: a file, a directory (its report files, sorted),
/// or bytes named `name`.
#[pyfunction]
#[pyo3(signature = (source, name=None))]
fn segment<'py>(
    py: Python<'py>,
    source: Bound<'py, PyAny>,
    name: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let sources: Vec<Source> = if let Ok(b) = source.cast::<PyBytes>() {
        vec![Source::bytes(
            name.unwrap_or_else(|| "<bytes>".into()),
            b.as_bytes().to_vec(),
        )]
    } else {
        let path: PathBuf = source.extract()?;
        Source::expand(&[path], Expand::Reports)
            .into_iter()
            .collect::<Result<_, _>>()
            .py()?
    };
    let docs = py
        .detach(|| {
            let reader = Reader::default();
            sources
                .iter()
                .map(|s| reader.read(s))
                .collect::<Result<Vec<_>, _>>()
        })
        .py()?;
    // Each paragraph as `segment --format jsonl` writes it (serde of the one Paragraph
    // type), plus the input's format and title; a column per field, in first-seen order.
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<serde_json::Map<String, Value>> = Vec::new();
    for d in docs {
        let format = serde_json::to_value(d.format).map_err(|e| py_err(e.to_string(), false))?;
        for p in &d.paragraphs {
            let line = serde_json::to_string(p).map_err(|e| py_err(e.to_string(), false))?;
            let Ok(Value::Object(mut row)) = serde_json::from_str(&line) else {
                return Err(py_err("a paragraph is not a JSON object".into(), false));
            };
            // The map is sorted; the columns follow the line's field order (a quote inside a
            // value is escaped, so `"key":` is found only as a key).
            let mut keys: Vec<(usize, &String)> = row
                .keys()
                .map(|k| (line.find(&format!("\"{k}\":")).unwrap_or(usize::MAX), k))
                .collect();
            keys.sort();
            for (_, k) in keys {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
            row.insert("format".into(), format.clone());
            row.insert("title".into(), d.title.clone().into());
            rows.push(row);
        }
    }
    names.extend(["format".to_string(), "title".to_string()]);
    let cols = PyDict::new(py);
    for k in &names {
        let col: Vec<Value> = rows
            .iter()
            .map(|r| r.get(k).cloned().unwrap_or(Value::Null))
            .collect();
        cols.set_item(k, to_py(py, &Value::Array(col))?)?;
    }
    Ok(cols)
}

/// The plain text of a report (txt in any supported encoding, html, docx, pdf):
/// `{"name", "format", "text"}`.
#[pyfunction]
fn read_report<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let source = Source::path(path);
    let (format, text) = py.detach(|| Reader::default().text(&source)).py()?;
    let d = PyDict::new(py);
    d.set_item("name", source.name())?;
    d.set_item("format", serialized(py, &format)?)?;
    d.set_item("text", text)?;
    Ok(d)
}

/// How many threads tagging uses (the CLI's `--threads`; `None`: one per core). Takes
/// effect only before the first tagging call.
#[pyfunction]
#[pyo3(signature = (n=None))]
fn set_threads(n: Option<usize>) -> PyResult<()> {
    policytag_pipeline::set_threads(n).map(|_| ()).py()
}

/// The native part of the `policytag` Python package.
#[pymodule]
fn _policytag(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModel>()?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(segment, m)?)?;
    m.add_function(wrap_pyfunction!(read_report, m)?)?;
    m.add_function(wrap_pyfunction!(set_threads, m)?)?;
    m.add("PolicytagError", m.py().get_type::<PolicytagError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    Ok(())
}
