//! Per-stage throughput: decode + clean + segment, tokenise, and bare jieba-rs (the floor).
//! Inputs are built outside the timed loops from the shipped corpus.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use policytag_tokenizer::{decode, Segmenter, TextSettings, Tokenizer};

fn corpus_text() -> String {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/train.jsonl"
    ))
    .unwrap();
    raw.lines()
        .filter_map(|l| {
            l.split("\"text\": \"")
                .nth(1)
                .and_then(|t| t.split("\", \"labels\"").next())
                .map(str::to_owned)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn stages(c: &mut Criterion) {
    let text = corpus_text();
    let bytes = text.as_bytes().to_vec();
    let paragraphs: Vec<&str> = text.lines().collect();
    let seg = Segmenter::default();
    let tok = Tokenizer::new(TextSettings::default()).unwrap();
    // The floor: jieba-rs alone with the same general dictionary the tokenizer loads.
    let mut jieba = jieba_rs::Jieba::empty();
    jieba
        .load_dict(&mut std::io::Cursor::new(
            policytag_tokenizer::tokenize::GENERAL_DICT.as_bytes(),
        ))
        .unwrap();

    let mut g = c.benchmark_group("stages");
    g.sample_size(10)
        .throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("decode+clean+segment", |b| {
        b.iter(|| seg.segment(&decode(&bytes).unwrap().0).len())
    });
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            paragraphs
                .iter()
                .map(|p| tok.tokenize(p).words.len())
                .sum::<usize>()
        })
    });
    g.bench_function("jieba-rs cut (bare, same dictionary)", |b| {
        b.iter(|| {
            paragraphs
                .iter()
                .map(|p| jieba.cut(p, false).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
