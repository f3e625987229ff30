//! The model: the whole pipeline in one versioned, checksummed file.
//!
//! File layout (UTF-8, two lines):
//! ```text
//! {"format":"policytag-model","version":3,"payload_bytes":N,"sha256":"…"}
//! {…the payload: labels, text settings, resource hash, TF-IDF, classifiers, training info…}
//! ```
//! The header's checksum covers the payload bytes exactly, so damage anywhere is detected
//! before parsing; the same corpus and flags serialise to the same bytes.
//!
//! ## The payload, format version 3
//!
//! Version 3 (this one) added `context_weight` ([`crate::context`]) and
//! `training.params.threshold_margin` / `training.params.context_weight`; version 2 had added
//! `tfidf.params.block_norm`, `label_models[].combiner` and `training.params.tfidf.block_norm`.
//! An older file is answered with the version message.
//!
//! One JSON object (serde of [`Model`]; maps keyed by label id are sorted, numbers are
//! shortest round-trip decimals). Every field, as [`PAYLOAD_FIELDS`] lists them:
//!
//! ```text
//! labels[]            {id, name, description}                 LabelInfo, model (column) order
//! text                {normalize {fullwidth, t2s}, hmm, domain_dict, stopwords, class_tokens}
//! resources_hash      SHA-256 of the embedded dictionary and stop words
//! tfidf               {params {word_ngrams, char_ngrams, min_df, max_df, max_features,
//!                      sublinear_tf, smooth_idf, l2_norm, block_norm}, vocabulary, idf}
//! pooling             "paragraph" | "max-sentence" | "combined"
//! label_models[]      {classifier {features, weights, intercept}, platt {a, b}, threshold,
//!                      combiner {weights, intercept} (only with combined pooling)}
//! context_weight      how strongly a paragraph's document moves its scores (0: not at all)
//! training            {params {text, tfidf, folds, seed, features_per_label,
//!                      solver {alpha, max_iterations, tolerance}, min_label_examples, pooling,
//!                      threshold_margin, context_weight},
//!                      corpus_sha256, examples, label_counts {<id>: n}, vocabulary,
//!                      cv {n, micro_precision, micro_recall, micro_f1, macro_f1, exact_match,
//!                          hamming_loss, per_label {<id>: {precision, recall, f1, support,
//!                          predicted}}}}
//! ```
//!
//! **Any change to these fields (added, removed, renamed, retyped) is a new format:** bump
//! [`FORMAT_VERSION`], update [`PAYLOAD_FIELDS`] and this list, and regenerate the golden
//! tiny model (`UPDATE_GOLDEN=1 cargo test -p policytag-model --test format`); the test
//! fails until then. A file whose payload does not parse is answered with the version
//! message, never a serde "missing field".

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use policytag_features::Tfidf;
use policytag_tokenizer::{limits, tokenize::hex, TextSettings};

use crate::calibrate::Platt;
use crate::combine::Combiner;
use crate::error::{Error, Result};
use crate::logistic::{Binary, Pooling};
use crate::metrics::Metrics;
use crate::train::TrainSummary;
pub use policytag_data::atomic::{temp_path, write_atomic};
pub use policytag_data::LabelInfo;

/// The model-file format version this build reads and writes (see the module docs for the
/// fields of its payload).
pub const FORMAT_VERSION: u32 = 3;

/// Every field path of a version-[`FORMAT_VERSION`] payload (`[]`: each element of a list,
/// `<id>`: each label id of a map), in serialisation order. The `format` test checks a
/// trained model against it.
#[rustfmt::skip]
pub const PAYLOAD_FIELDS: &[&str] = &[
    "labels", "labels[].id", "labels[].name", "labels[].description",
    "text", "text.normalize", "text.normalize.fullwidth", "text.normalize.t2s", "text.hmm",
    "text.domain_dict", "text.stopwords", "text.class_tokens",
    "resources_hash",
    "tfidf", "tfidf.params", "tfidf.params.word_ngrams", "tfidf.params.char_ngrams",
    "tfidf.params.min_df", "tfidf.params.max_df", "tfidf.params.max_features",
    "tfidf.params.sublinear_tf", "tfidf.params.smooth_idf", "tfidf.params.l2_norm",
    "tfidf.params.block_norm",
    "tfidf.vocabulary", "tfidf.idf",
    "pooling",
    "label_models", "label_models[].classifier", "label_models[].classifier.features",
    "label_models[].classifier.weights", "label_models[].classifier.intercept",
    "label_models[].platt", "label_models[].platt.a", "label_models[].platt.b",
    "label_models[].threshold",
    "label_models[].combiner", "label_models[].combiner.weights",
    "label_models[].combiner.intercept",
    "context_weight",
    "training", "training.params", "training.params.text", "training.params.text.normalize",
    "training.params.text.normalize.fullwidth", "training.params.text.normalize.t2s",
    "training.params.text.hmm", "training.params.text.domain_dict",
    "training.params.text.stopwords", "training.params.text.class_tokens",
    "training.params.tfidf", "training.params.tfidf.word_ngrams",
    "training.params.tfidf.char_ngrams", "training.params.tfidf.min_df",
    "training.params.tfidf.max_df", "training.params.tfidf.max_features",
    "training.params.tfidf.sublinear_tf", "training.params.tfidf.smooth_idf",
    "training.params.tfidf.l2_norm", "training.params.tfidf.block_norm",
    "training.params.folds", "training.params.seed",
    "training.params.features_per_label", "training.params.solver",
    "training.params.solver.alpha", "training.params.solver.max_iterations",
    "training.params.solver.tolerance", "training.params.min_label_examples",
    "training.params.pooling", "training.params.threshold_margin",
    "training.params.context_weight",
    "training.corpus_sha256", "training.examples", "training.label_counts",
    "training.label_counts.<id>", "training.vocabulary",
    "training.cv", "training.cv.n", "training.cv.micro_precision", "training.cv.micro_recall",
    "training.cv.micro_f1", "training.cv.macro_f1", "training.cv.exact_match",
    "training.cv.hamming_loss", "training.cv.per_label", "training.cv.per_label.<id>",
    "training.cv.per_label.<id>.precision", "training.cv.per_label.<id>.recall",
    "training.cv.per_label.<id>.f1", "training.cv.per_label.<id>.support",
    "training.cv.per_label.<id>.predicted",
];
const FORMAT_NAME: &str = "policytag-model";

/// One label's classifier, calibration and decision threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelModel {
    /// The binary logistic regression.
    pub classifier: Binary,
    /// Calibration of its decision values, fitted out of fold.
    pub platt: Platt,
    /// Decision threshold on the calibrated probability, tuned out of fold for F1.
    pub threshold: f64,
    /// With [`Pooling::Combined`], the combination of the paragraph's views that gives the
    /// probability (instead of `platt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combiner: Option<Combiner>,
}

/// Everything needed to tag text, trained together and saved together.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// Labels in column order.
    pub labels: Vec<LabelInfo>,
    /// How text becomes tokens.
    pub text: TextSettings,
    /// Hash of the embedded dictionary and stop-word list the model was trained with.
    pub resources_hash: String,
    /// The fitted vectoriser.
    pub tfidf: Tfidf,
    /// How a paragraph's rows are pooled into one decision value per label.
    pub pooling: Pooling,
    /// One classifier per label, in label order.
    pub label_models: Vec<LabelModel>,
    /// How strongly a paragraph's document moves its scores ([`crate::context`]; 0: not at
    /// all).
    pub context_weight: f64,
    /// How it was trained and how well it did in cross-validation.
    pub training: TrainSummary,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    payload_bytes: usize,
    sha256: String,
}

impl Model {
    /// The label ids in column order.
    pub fn label_ids(&self) -> Vec<String> {
        self.labels.iter().map(|l| l.id.clone()).collect()
    }

    /// Cross-validated metrics stored at training time.
    pub fn cv_metrics(&self) -> &Metrics {
        &self.training.cv
    }

    /// Serialise to the two-line file format.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload = serde_json::to_vec(self)
            .map_err(|e| Error::ModelFile(format!("cannot serialise model: {e}")))?;
        let header = Header {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            payload_bytes: payload.len(),
            sha256: hex(&Sha256::digest(&payload)),
        };
        let mut out = serde_json::to_vec(&header).map_err(|e| Error::ModelFile(e.to_string()))?;
        out.push(b'\n');
        out.extend_from_slice(&payload);
        out.push(b'\n');
        Ok(out)
    }

    /// Parse the two-line file format, checking format, version, length and checksum.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        let bad = |m: &str| Error::ModelFile(m.to_string());
        let nl = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad("not a policytag model file (no header line)"))?;
        let header: Header = serde_json::from_slice(&bytes[..nl])
            .map_err(|_| bad("not a policytag model file (unreadable header)"))?;
        if header.format != FORMAT_NAME {
            return Err(bad("not a policytag model file"));
        }
        if header.version > FORMAT_VERSION {
            return Err(Error::ModelFile(format!(
                "model format version {} is newer than this policytag supports ({FORMAT_VERSION}): upgrade policytag",
                header.version
            )));
        }
        if header.version < FORMAT_VERSION {
            return Err(Error::ModelFile(format!(
                "model format version {} is older than this policytag's ({FORMAT_VERSION}): retrain the model with `policytag train`",
                header.version
            )));
        }
        let rest = &bytes[nl + 1..];
        let payload = rest.strip_suffix(b"\n").unwrap_or(rest);
        if payload.len() < header.payload_bytes {
            return Err(Error::ModelFile(format!(
                "model file is truncated ({} of {} payload bytes): copy it again or retrain",
                payload.len(),
                header.payload_bytes
            )));
        }
        if payload.len() > header.payload_bytes || hex(&Sha256::digest(payload)) != header.sha256 {
            return Err(bad(
                "model file is corrupted (checksum mismatch): copy it again or retrain",
            ));
        }
        let model: Model = serde_json::from_slice(payload).map_err(|e| {
            if e.is_data() {
                // Well-formed JSON with other fields: written by a build whose format did
                // not match its version number (or edited by hand).
                Error::ModelFile(format!(
                    "model payload does not match format version {FORMAT_VERSION} \
                     (written by a different policytag build?): retrain the model with \
                     `policytag train`"
                ))
            } else {
                Error::ModelFile(format!("model payload is invalid: {e}"))
            }
        })?;
        model
            .validate()
            .map_err(|m| Error::ModelFile(format!("model payload is invalid: {m}")))?;
        Ok(model)
    }

    /// Check the invariants a trained model always satisfies (a file can pass its checksum
    /// and still break them, if it was written by hand or by another tool): unique non-empty
    /// label ids, one classifier per label, thresholds in `[0, 1]`, finite numbers, and per
    /// classifier one weight per feature column, columns increasing and inside the
    /// vocabulary.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.labels.is_empty() {
            return Err("no labels".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for l in &self.labels {
            if l.id.trim().is_empty() {
                return Err("an empty label id".into());
            }
            if !ids.insert(l.id.as_str()) {
                return Err(format!("duplicate label {:?}", l.id));
            }
        }
        if self.label_models.len() != self.labels.len() {
            return Err(format!(
                "{} labels but {} classifiers",
                self.labels.len(),
                self.label_models.len()
            ));
        }
        if !(self.context_weight >= 0.0 && self.context_weight.is_finite()) {
            return Err(format!(
                "context weight {} is not a finite number >= 0",
                self.context_weight
            ));
        }
        let dim = self.tfidf.len();
        for (l, m) in self.labels.iter().zip(&self.label_models) {
            let bad = |what: &str| Err(format!("label {:?}: {what}", l.id));
            if !(0.0..=1.0).contains(&m.threshold) {
                return bad(&format!("threshold {} outside [0, 1]", m.threshold));
            }
            if !(m.platt.a.is_finite() && m.platt.b.is_finite()) {
                return bad("calibration is not finite");
            }
            let c = &m.classifier;
            if c.features.len() != c.weights.len() {
                return bad(&format!(
                    "{} weights for {} features",
                    c.weights.len(),
                    c.features.len()
                ));
            }
            if c.features.windows(2).any(|w| w[0] >= w[1]) {
                return bad("feature columns not increasing");
            }
            if c.features.last().is_some_and(|&f| f as usize >= dim) {
                return bad("a feature column outside the vocabulary");
            }
            if !c.intercept.is_finite() || c.weights.iter().any(|w| !w.is_finite()) {
                return bad("a weight is not finite");
            }
        }
        Ok(())
    }

    /// Load a model file (at most [`limits::DATA`] bytes).
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = policytag_data::jsonl::read_limited(path, limits::DATA, "a model file")?;
        Model::from_bytes(&bytes)
    }

    /// Write a model file atomically: to a temporary file beside it, then renamed into place,
    /// so an interrupted write never leaves a half file or clobbers the old one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        Ok(write_atomic(path, &bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_model() -> Model {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/default.model");
        Model::load(Path::new(path)).expect("models/default.model")
    }

    /// Re-serialise (a fresh, valid checksum) and load again.
    fn reload(m: &Model) -> Result<Model> {
        Model::from_bytes(&m.to_bytes().unwrap())
    }

    #[test]
    fn payload_invariants_are_checked_on_load() {
        let good = default_model();
        assert!(reload(&good).is_ok());
        let mut cases: Vec<(&str, Model)> = Vec::new();
        let mut m = good.clone();
        m.labels[1].id = m.labels[0].id.clone();
        cases.push(("duplicate label", m));
        let mut m = good.clone();
        m.label_models[0].threshold = 5.0;
        cases.push(("threshold 5", m));
        let mut m = good.clone();
        m.label_models[0].classifier.weights.pop();
        cases.push(("weights for", m));
        let mut m = good.clone();
        m.label_models.pop();
        cases.push(("classifiers", m));
        let mut m = good.clone();
        let last = m.label_models[2].classifier.features.last_mut().unwrap();
        *last = u32::MAX;
        cases.push(("outside the vocabulary", m));
        let mut m = good.clone();
        let f = &mut m.label_models[0].classifier.features;
        f.swap(0, 1);
        cases.push(("increasing", m));
        for (want, m) in cases {
            let e = reload(&m).unwrap_err();
            assert!(e.is_bad_input(), "{e}");
            assert!(e.to_string().contains(want), "{want}: {e}");
        }
    }
}
