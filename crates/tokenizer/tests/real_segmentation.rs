//! Segmentation of the real pages in `../shared/real/` against our own gold.
//!
//! The gold (`tests/fixtures/real-segmentation.json`) names each file and stores, per
//! document, only offsets and short metadata values: the character span of its title, its
//! bureau, region, years, kind and publication date, its paragraphs as character spans and
//! its section headings as `[offset, level]`. No text of the real files is in the project.
//!
//! Scored: paragraph boundaries (every paragraph's start and end) and section boundaries
//! (where a heading of a level opens), as precision / recall / F1 over all files, required
//! ≥ 0.95; documents and their metadata must match exactly. Skipped, with a message, when
//! `../shared/real` is absent.

use std::collections::BTreeSet;
use std::path::PathBuf;

use policytag_tokenizer::document::{DocumentReader, Event, Metadata};
use policytag_tokenizer::segment::{marker_at, split_lines};
use policytag_tokenizer::Segmenter;
use serde_json::Value;

fn real_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real")
}

/// One document as segmented: metadata, paragraph spans, section openings.
struct Doc {
    meta: Metadata,
    paragraphs: Vec<(usize, usize)>,
    headings: Vec<(usize, u8)>,
}

fn segment(text: &str) -> Vec<Doc> {
    let seg = Segmenter::default();
    let mut reader = DocumentReader::new(&seg);
    let mut events = Vec::new();
    let mut at = 0;
    for line in split_lines(text) {
        reader.line(line, at, &mut events);
        at += line.chars().count() + 1;
    }
    reader.finish(&mut events);
    let mut docs: Vec<Doc> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for e in events {
        match e {
            Event::Document(d) => {
                docs.push(Doc {
                    meta: d.metadata,
                    paragraphs: Vec::new(),
                    headings: Vec::new(),
                });
                path.clear();
            }
            Event::Paragraph(p) => {
                let doc = docs.last_mut().expect("a document before its paragraphs");
                doc.paragraphs.push((p.start, p.end));
                // A section opens where the heading path gains or changes an element.
                let same = path
                    .iter()
                    .zip(&p.heading)
                    .take_while(|(a, b)| a == b)
                    .count();
                for h in &p.heading[same..] {
                    let level = marker_at(h).map_or(9, |m| m.0);
                    doc.headings.push((p.start, level));
                }
                path = p.heading.clone();
            }
        }
    }
    docs
}

fn span_text(chars: &[char], v: &Value) -> String {
    let s = v[0].as_u64().unwrap() as usize;
    let e = v[1].as_u64().unwrap() as usize;
    chars[s..e].iter().collect()
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

#[derive(Default)]
struct Score {
    tp: usize,
    predicted: usize,
    gold: usize,
}

impl Score {
    fn add<T: Ord>(&mut self, predicted: &BTreeSet<T>, gold: &BTreeSet<T>) {
        self.tp += predicted.intersection(gold).count();
        self.predicted += predicted.len();
        self.gold += gold.len();
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / self.predicted.max(1) as f64;
        let r = self.tp as f64 / self.gold.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

#[test]
fn real_pages_segment_like_our_gold() {
    let dir = real_dir();
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED real_pages_segment_like_our_gold: {} is absent (the real reports are \
             kept outside the project)",
            dir.display()
        );
        return;
    }
    let gold: Value = serde_json::from_str(include_str!("fixtures/real-segmentation.json"))
        .expect("the gold fixture is JSON");
    let files = gold["files"].as_array().unwrap();
    assert!(
        files.len() >= 25,
        "the gold covers the 5 reports and at least 20 excerpts"
    );
    let (mut paras, mut sections) = (Score::default(), Score::default());
    let mut wrong = Vec::new();
    let mut documents = 0;
    for f in files {
        let name = f["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(name)).expect(name);
        let chars: Vec<char> = text.chars().collect();
        let got = segment(&text);
        let want = f["documents"].as_array().unwrap();
        if got.len() != want.len() {
            wrong.push(format!(
                "{name}: {} documents, gold {}",
                got.len(),
                want.len()
            ));
        }
        for (k, w) in want.iter().enumerate() {
            documents += 1;
            let title = w["title"].as_array().map(|_| {
                let t = span_text(&chars, &w["title"]);
                match w["part"].as_str() {
                    Some(part) => format!("{t} {part}"),
                    None => t,
                }
            });
            let years: Vec<u16> = w["years"]
                .as_array()
                .unwrap()
                .iter()
                .map(|y| y.as_u64().unwrap() as u16)
                .collect();
            let expected = Metadata {
                title,
                bureau: opt_str(&w["bureau"]),
                region: opt_str(&w["region"]),
                years,
                kind: None,
                date: opt_str(&w["date"]),
            };
            let gold_paras: BTreeSet<(usize, u8, usize)> = w["paragraphs"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| {
                    let (s, e) = (p[0].as_u64().unwrap(), p[1].as_u64().unwrap());
                    [(k, 0, s as usize), (k, 1, e as usize)]
                })
                .collect();
            let gold_heads: BTreeSet<(usize, usize, u8)> = w["headings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        k,
                        h[0].as_u64().unwrap() as usize,
                        h[1].as_u64().unwrap() as u8,
                    )
                })
                .collect();
            let (mut got_paras, mut got_heads) = (BTreeSet::new(), BTreeSet::new());
            if let Some(g) = got.get(k) {
                let mut meta = g.meta.clone();
                let kind = meta.kind.take().map(|k| k.as_str());
                if meta != expected || kind != w["kind"].as_str() {
                    wrong.push(format!(
                        "{name} document {k}: got {meta:?} kind {kind:?}, gold {expected:?} kind {:?}",
                        w["kind"].as_str()
                    ));
                }
                for &(s, e) in &g.paragraphs {
                    got_paras.insert((k, 0, s));
                    got_paras.insert((k, 1, e));
                }
                for &(o, l) in &g.headings {
                    got_heads.insert((k, o, l));
                }
            }
            paras.add(&got_paras, &gold_paras);
            sections.add(&got_heads, &gold_heads);
        }
    }
    let (pp, pr, pf) = paras.prf();
    let (sp, sr, sf) = sections.prf();
    eprintln!(
        "segmentation on {} files, {documents} documents: paragraph boundaries P {pp:.3} R {pr:.3} F1 {pf:.3} \
         ({} gold); section boundaries P {sp:.3} R {sr:.3} F1 {sf:.3} ({} gold)",
        files.len(),
        paras.gold,
        sections.gold
    );
    assert!(
        wrong.is_empty(),
        "documents or metadata differ:\n{}",
        wrong.join("\n")
    );
    assert!(pf >= 0.95, "paragraph-boundary F1 {pf:.3} < 0.95");
    assert!(sf >= 0.95, "section-boundary F1 {sf:.3} < 0.95");
}
