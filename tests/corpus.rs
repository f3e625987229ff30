//! Quality of the shipped corpus: size, label coverage, shape and originality.

use std::collections::BTreeSet;
use std::path::Path;

use policytag_data::corpus::{near_duplicates, stats};
use policytag_data::jsonl::{read_jsonl, Example, ReadOptions};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn corpus() -> (Vec<Example>, Vec<Example>) {
    let read = |f: &str| {
        read_jsonl(&root().join(f), ReadOptions::default())
            .unwrap()
            .examples
    };
    (read("corpus/train.jsonl"), read("corpus/test.jsonl"))
}

fn theme_ids() -> BTreeSet<String> {
    let t: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("corpus/themes.toml")).unwrap())
            .unwrap();
    t["theme"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_label_is_a_known_theme_and_ids_are_unique() {
    let (train, test) = corpus();
    let ids = theme_ids();
    assert_eq!(ids.len(), 14);
    let mut seen = BTreeSet::new();
    for e in train.iter().chain(&test) {
        for l in &e.labels {
            assert!(ids.contains(l), "unknown label {l} in {:?}", e.id);
        }
        assert!(
            seen.insert(e.id.clone().expect("every paragraph has an id")),
            "duplicate id {:?}",
            e.id
        );
    }
}

#[test]
fn minimums_hold() {
    let (train, test) = corpus();
    let all: Vec<Example> = train.iter().chain(&test).cloned().collect();
    let s = stats(&all).unwrap();
    let n = s.paragraphs as f64;
    assert!(s.paragraphs >= 2400, "{} paragraphs", s.paragraphs);
    for id in theme_ids() {
        let c = s.per_label.get(&id).copied().unwrap_or(0);
        assert!(c >= 150, "{id}: {c} paragraphs");
    }
    let multi = s.multi_label as f64 / n;
    assert!((0.25..=0.40).contains(&multi), "multi-label share {multi}");
    assert!(s.no_label as f64 / n >= 0.05, "no-label share");
    assert!(
        s.traditional as f64 / n >= 0.10,
        "traditional share {}",
        s.traditional as f64 / n
    );
    // The split is 80/20 and stratified: every theme is in the test split in proportion.
    let share = test.len() as f64 / n;
    assert!((0.18..=0.22).contains(&share), "test share {share}");
    let ts = stats(&test).unwrap();
    for (id, &c) in &s.per_label {
        let t = ts.per_label.get(id).copied().unwrap_or(0) as f64;
        assert!(
            (t / c as f64 - 0.2).abs() < 0.05,
            "{id}: {t} of {c} in test"
        );
    }
}

#[test]
fn no_two_paragraphs_are_near_duplicates() {
    let (train, test) = corpus();
    let all: Vec<Example> = train.into_iter().chain(test).collect();
    let d = near_duplicates(&all);
    let show: Vec<String> = d
        .iter()
        .take(5)
        .map(|&(i, j)| format!("{:?} ~ {:?}", all[i].id, all[j].id))
        .collect();
    assert!(
        d.is_empty(),
        "{} near-duplicate pairs, e.g. {}",
        d.len(),
        show.join("; ")
    );
}
