//! `policytag tag`: every paragraph of the inputs with its themes and scores.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use policytag_model::{Prediction, Tagger};
use policytag_tokenizer::Segmenter;

use crate::args::{TagArgs, TagFormat};
use crate::exit::{print_error, InputError, Outcome};
use crate::input::{jsonl_items, report_items, Item};
use crate::modelfile;
use crate::output::{csv_field, round4, Sink};

#[derive(Serialize)]
struct JsonRow<'a> {
    doc: &'a str,
    paragraph: usize,
    heading: &'a str,
    text: &'a str,
    labels: Vec<&'a str>,
    scores: BTreeMap<&'a str, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<BTreeMap<&'a str, Vec<String>>>,
}

/// Validate a `--threshold` value.
pub fn check_threshold(t: Option<f64>) -> Result<()> {
    if let Some(t) = t {
        if !(0.0..=1.0).contains(&t) {
            return Err(InputError(format!("--threshold must be between 0 and 1, got {t}")).into());
        }
    }
    Ok(())
}

/// Run the command.
pub fn run(a: TagArgs) -> Result<Outcome> {
    check_threshold(a.threshold)?;
    let tagger = modelfile::load(a.model.as_deref())?;
    let files = if a.files.is_empty() { vec![PathBuf::from("-")] } else { a.files.clone() };
    let seg = Segmenter::default();
    let mut out = Sink::open(a.out.as_deref())?;
    let ids = tagger.model().label_ids();
    if a.format == TagFormat::Csv {
        let mut header = String::from("doc,paragraph,heading,labels,text");
        for id in &ids {
            header.push(',');
            header.push_str(&csv_field(id));
        }
        writeln!(out, "{header}")?;
    }
    let mut failed = false;
    for f in &files {
        let items = if a.jsonl { jsonl_items(f) } else { report_items(f, &seg) };
        let items = match items {
            Ok(i) => i,
            Err(e) => {
                print_error(&e);
                failed = true;
                continue;
            }
        };
        if items.is_empty() {
            eprintln!("policytag: {}: no paragraphs found", crate::input::name(f));
            continue;
        }
        let preds: Vec<Prediction> = items.par_iter().map(|it| tagger.predict(&it.text, a.threshold)).collect();
        write_items(&mut out, &tagger, &items, &preds, a.format, a.explain, &ids)?;
    }
    out.finish()?;
    Ok(if failed { Outcome::SomeFailed } else { Outcome::Ok })
}

fn write_items(
    out: &mut Sink,
    tagger: &Tagger,
    items: &[Item],
    preds: &[Prediction],
    format: TagFormat,
    explain: bool,
    ids: &[String],
) -> Result<()> {
    let labels = &tagger.model().labels;
    if format == TagFormat::Text && !items.is_empty() {
        writeln!(out, "━━ {} · {} paragraphs", items[0].doc, items.len())?;
    }
    for (it, p) in items.iter().zip(preds) {
        match format {
            TagFormat::Jsonl => {
                let row = JsonRow {
                    doc: &it.doc,
                    paragraph: it.paragraph,
                    heading: &it.heading,
                    text: &it.text,
                    labels: p.labels.iter().map(|&l| ids[l].as_str()).collect(),
                    scores: ids.iter().zip(&p.scores).map(|(id, &s)| (id.as_str(), round4(s))).collect(),
                    evidence: explain.then(|| {
                        p.labels
                            .iter()
                            .map(|&l| (ids[l].as_str(), tagger.evidence(p, l, 5).into_iter().map(|e| e.term).collect()))
                            .collect()
                    }),
                };
                serde_json::to_writer(&mut *out, &row)?;
                writeln!(out)?;
            }
            TagFormat::Csv => {
                let given: Vec<&str> = p.labels.iter().map(|&l| ids[l].as_str()).collect();
                let mut line = format!(
                    "{},{},{},{},{}",
                    csv_field(&it.doc),
                    it.paragraph,
                    csv_field(&it.heading),
                    csv_field(&given.join(";")),
                    csv_field(&it.text)
                );
                for s in &p.scores {
                    line.push_str(&format!(",{}", round4(*s)));
                }
                writeln!(out, "{line}")?;
            }
            TagFormat::Text => {
                writeln!(out)?;
                if it.heading.is_empty() {
                    writeln!(out, "[{}]", it.paragraph)?;
                } else {
                    writeln!(out, "[{}] {}", it.paragraph, it.heading)?;
                }
                writeln!(out, "    {}", shorten(&it.text, 160))?;
                if p.labels.is_empty() {
                    writeln!(out, "    ▸ (无主题 no theme)")?;
                } else {
                    let mut order = p.labels.clone();
                    order.sort_by(|&a, &b| p.scores[b].total_cmp(&p.scores[a]));
                    let parts: Vec<String> = order
                        .iter()
                        .map(|&l| format!("{} {:.2}", labels[l].name, p.scores[l]))
                        .collect();
                    writeln!(out, "    ▸ {}", parts.join("   "))?;
                    if explain {
                        for &l in &order {
                            let ev: Vec<String> = tagger.evidence(p, l, 5).into_iter().map(|e| e.term).collect();
                            writeln!(out, "      {}: {}", labels[l].id, ev.join(" · "))?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}
