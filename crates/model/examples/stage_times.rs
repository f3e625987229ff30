//! Where tagging time goes: each stage timed over the lines of a file, in-process and on one
//! thread, next to bare jieba-rs on the same lines (best of 7 runs per stage).
//!
//! ```text
//! cargo run --release -p policytag-model --example stage_times -- FILE [MODEL]
//! cargo run --release -p policytag-model --example stage_times -- FILE [MODEL] --only predict
//! ```
//! `--only floor|cut|predict` runs that one stage once (`--only load`: none), for `perf record`
//! or valgrind.
use std::time::Instant;

use policytag_model::{Model, Tagger};
use policytag_tokenizer::WordSink;

/// A sink that only counts bytes, to time cutting and filtering alone.
struct Count(usize);

impl WordSink for Count {
    fn word(&mut self, w: &str) {
        self.0 += w.len();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .map(|i| args[i + 1].clone());
    let pos: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|&(i, a)| !a.starts_with("--") && (i == 0 || args[i - 1] != "--only"))
        .map(|(_, a)| a)
        .collect();
    let path = pos
        .first()
        .expect("usage: stage_times FILE [MODEL] [--only STAGE]");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let model_path = pos
        .get(1)
        .map(|s| s.to_string())
        .unwrap_or(format!("{root}/models/default.model"));

    let text = std::fs::read_to_string(path).expect("readable UTF-8 file");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let t0 = Instant::now();
    let tagger = Tagger::new(Model::load(std::path::Path::new(&model_path)).unwrap()).unwrap();
    eprintln!(
        "model and tokenizer loaded in {:.3} s",
        t0.elapsed().as_secs_f64()
    );
    let tk = tagger.tokenizer();
    let mut jieba = jieba_rs::Jieba::empty();
    jieba
        .load_dict(&mut std::io::Cursor::new(
            policytag_tokenizer::tokenize::GENERAL_DICT.as_bytes(),
        ))
        .unwrap();
    let norm: Vec<String> = lines.iter().map(|l| tk.normalize(l).into_owned()).collect();

    let floor = || -> usize { lines.iter().map(|l| jieba.cut(l, false).len()).sum() };
    let cut = || -> usize {
        let mut c = Count(0);
        for l in &norm {
            tk.cut_into(l, &mut c);
        }
        c.0
    };
    let predict = || -> usize {
        lines
            .iter()
            .map(|l| tagger.predict(l, None).labels.len())
            .sum()
    };
    match only.as_deref() {
        Some("floor") => return println!("{}", floor()),
        Some("cut") => return println!("{}", cut()),
        Some("predict") => return println!("{}", predict()),
        Some("load") => return,
        Some(other) => panic!("unknown stage {other}"),
        None => {}
    }

    let time = |name: &str, f: &dyn Fn() -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..7 {
            let t = Instant::now();
            n = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name:<34} {best:.3} s  {:6.1} MB/s  ({n})",
            text.len() as f64 / best / 1e6
        );
    };
    time("jieba-rs alone (floor)", &floor);
    time("normalise", &|| {
        lines.iter().map(|l| tk.normalize(l).len()).sum()
    });
    time("cut + filter normalised (no sink)", &cut);
    time("tokenise to Tokens", &|| {
        lines.iter().map(|l| tk.tokenize(l).words.len()).sum()
    });
    let toks: Vec<_> = lines.iter().map(|l| tk.tokenize(l)).collect();
    let tfidf = &tagger.model().tfidf;
    time("vectorise Tokens", &|| {
        toks.iter().map(|t| tfidf.transform(t).nnz()).sum()
    });
    time("predict from Tokens", &|| {
        toks.iter()
            .map(|t| tagger.predict_tokens(t, None).labels.len())
            .sum()
    });
    time("predict (text to labels)", &predict);
}
