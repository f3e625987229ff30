//! The model: the whole pipeline in one versioned, checksummed file.
//!
//! File layout (UTF-8, two lines):
//! ```text
//! {"format":"policytag-model","version":1,"payload_bytes":N,"sha256":"…"}
//! {…the payload: labels, text settings, resource hash, TF-IDF, classifiers, training info…}
//! ```
//! The header's checksum covers the payload bytes exactly, so damage anywhere is detected
//! before parsing; the same corpus and flags serialise to the same bytes.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use policytag_features::Tfidf;
use policytag_tokenizer::{limits, tokenize::hex, TextSettings};

use crate::calibrate::Platt;
use crate::error::{Error, Result};
use crate::logistic::{Binary, Pooling};
use crate::metrics::Metrics;
use crate::train::TrainSummary;

/// The model-file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const FORMAT_NAME: &str = "policytag-model";

/// A label with its display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelInfo {
    /// The label id used in data and output (`double-reduction`).
    pub id: String,
    /// Display name (`双减与课后服务`); the id when none was given.
    pub name: String,
    /// One-line description, possibly empty.
    #[serde(default)]
    pub description: String,
}

/// One label's classifier, calibration and decision threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelModel {
    /// The binary logistic regression.
    pub classifier: Binary,
    /// Calibration of its decision values, fitted out of fold.
    pub platt: Platt,
    /// Decision threshold on the calibrated probability, tuned out of fold for F1.
    pub threshold: f64,
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
        let model: Model = serde_json::from_slice(payload)
            .map_err(|e| Error::ModelFile(format!("model payload is invalid: {e}")))?;
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
        let bytes = crate::data::read_limited(path, limits::DATA, "a model file")?;
        Model::from_bytes(&bytes)
    }

    /// Write a model file atomically: to a temporary file beside it, then renamed into place,
    /// so an interrupted write never leaves a half file or clobbers the old one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        write_atomic(path, &bytes)
    }
}

/// The temporary file beside `path` that an atomic write goes through
/// (`dir/.name.tmp-PID`, on the same file system so that the rename is atomic).
pub fn temp_path(path: &Path) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Remove temporary files beside `path` (see [`temp_path`]) that a process killed in the
/// middle of a write left behind: those whose process is gone. Best effort; on systems
/// without `/proc` nothing is removed.
pub fn remove_stale_temps(path: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename (a
/// FIFO or device is written directly).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        // A FIFO or a device: write into it; a rename would replace it.
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(io);
    }
    remove_stale_temps(path);
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
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
    fn stale_temporary_files_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        // No process has pid 4294967295; this process is alive.
        let stale = dir.path().join(".out.jsonl.tmp-4294967295");
        let live = temp_path(&target);
        let other = dir.path().join(".other.jsonl.tmp-4294967295");
        for p in [&stale, &live, &other] {
            std::fs::write(p, "x").unwrap();
        }
        write_atomic(&target, b"data").unwrap();
        assert!(!stale.exists());
        assert!(other.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"data");
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
