//! Throughput of vectorising and of predicting with the default model, on pre-tokenised
//! corpus paragraphs (tokenising is measured in the tokenizer crate's bench).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use policytag_model::{Model, Tagger};

fn stages(c: &mut Criterion) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let model = Model::load(std::path::Path::new(&format!(
        "{root}/models/default.model"
    )))
    .unwrap();
    let tagger = Tagger::new(model).unwrap();
    let raw = std::fs::read_to_string(format!("{root}/corpus/train.jsonl")).unwrap();
    let texts: Vec<String> = raw
        .lines()
        .map(|l| policytag_data::jsonl::parse_line(l, false).unwrap().text)
        .collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let tokens: Vec<_> = texts
        .iter()
        .map(|t| tagger.tokenizer().tokenize(t))
        .collect();
    let tfidf = &tagger.model().tfidf;

    let mut g = c.benchmark_group("stages");
    g.sample_size(10)
        .throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("vectorise", |b| {
        b.iter(|| {
            tokens
                .iter()
                .map(|t| tfidf.transform(t).nnz())
                .sum::<usize>()
        })
    });
    g.bench_function("predict (vectorise + score)", |b| {
        b.iter(|| {
            tokens
                .iter()
                .map(|t| tagger.predict_tokens(t, None).labels.len())
                .sum::<usize>()
        })
    });
    g.bench_function("end to end (tokenise + predict)", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| tagger.predict(t, None).labels.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
