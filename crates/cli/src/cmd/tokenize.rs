//! `policytag tokenize`: the tokens a model sees for a text.

use std::io::Write;

use anyhow::{Context, Result};

use policytag_tokenizer::{TextSettings, Tokenizer};

use crate::args::TokenizeArgs;
use policytag_pipeline::load_model;
use policytag_tokenizer::limits;

use crate::exit::{InputError, Outcome};

/// Run the command.
pub fn run(a: TokenizeArgs) -> Result<Outcome> {
    let text = match a.text.as_deref() {
        None | Some("-") => {
            let bytes = limits::read_to_end(std::io::stdin(), limits::TEXT, "a text read whole")
                .context("reading standard input")?;
            String::from_utf8(bytes)
                .map_err(|_| InputError("standard input: not valid UTF-8".into()))?
        }
        Some(t) => t.to_string(),
    };
    let settings = match &a.model {
        Some(_) => load_model(a.model.as_deref())?.text,
        None => load_model(None)
            .map(|m| m.text)
            .unwrap_or_else(|_| TextSettings::default()),
    };
    let tok = Tokenizer::new(settings)?;
    let mut out = std::io::stdout().lock();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        writeln!(out, "{}", tok.tokenize(line).words.join(" "))?;
    }
    Ok(Outcome::Ok)
}
