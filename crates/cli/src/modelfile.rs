//! Loading a model: a file given with `--model`, or the default model embedded in the binary.

use std::path::Path;

use anyhow::{Context, Result};
use policytag_model::{Model, Tagger};

use crate::exit::InputError;

/// The default model, embedded at build time from `models/default.model`.
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default.model"));

/// Load a model (without its tokenizer).
pub fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        Some(p) => {
            if !p.exists() {
                return Err(
                    InputError(format!("loading model {}: no such file", p.display())).into(),
                );
            }
            Model::load(p).with_context(|| format!("loading model {}", p.display()))
        }
        None => {
            if EMBEDDED.is_empty() {
                return Err(InputError(
                    "this build has no embedded default model: pass --model PATH".into(),
                )
                .into());
            }
            Model::from_bytes(EMBEDDED).context("loading the embedded default model")
        }
    }
}

/// Load a model and its tokenizer. jieba's dictionary loads on a second thread while the
/// model file is read and checked, which takes a third off start-up.
pub fn load(path: Option<&Path>) -> Result<Tagger> {
    let what = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the embedded default model".into());
    std::thread::scope(|s| {
        let dictionary = s.spawn(policytag_tokenizer::Dictionary::load);
        let model = load_model(path)?;
        let dictionary = dictionary
            .join()
            .map_err(|_| anyhow::anyhow!("loading the dictionary failed"))?
            .with_context(|| format!("loading model {what}"))?;
        Tagger::with_dictionary(model, dictionary).with_context(|| format!("loading model {what}"))
    })
}
