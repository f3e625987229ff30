//! `policytag tokenize`: the tokens a model sees for a text.

use std::io::{Read, Write};

use anyhow::{Context, Result};

use policytag_tokenizer::{TextSettings, Tokenizer};

use crate::args::TokenizeArgs;
use crate::exit::Outcome;
use policytag_pipeline::load_model;

/// Run the command.
pub fn run(a: TokenizeArgs) -> Result<Outcome> {
    let text = match a.text.as_deref() {
        None | Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading standard input")?;
            s
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
