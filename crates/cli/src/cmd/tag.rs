//! `policytag tag`: every paragraph of the inputs with its themes and scores.

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use anyhow::Result;
use rayon::prelude::*;

use policytag_model::{Prediction, Tagger};

use crate::args::{TagArgs, TagFormat};
use crate::exit::{print_error, InputError, Outcome};
use crate::input::{jsonl_items, Item};
use crate::modelfile;
use crate::output::{csv_field, json_f64, json_str, round4, Sink};

/// Validate a `--threshold` value.
pub fn check_threshold(t: Option<f64>) -> Result<()> {
    if let Some(t) = t {
        if !(0.0..=1.0).contains(&t) {
            return Err(InputError(format!("--threshold must be between 0 and 1, got {t}")).into());
        }
    }
    Ok(())
}

/// Paragraphs tagged per parallel batch: bounds memory whatever the input size.
const BATCH: usize = 1024;

/// Run the command.
///
/// Tagging is a three-stage pipeline joined by bounded channels: a reader thread decodes and
/// segments a report into batches, the rayon pool tags and renders each batch (order kept),
/// and a writer thread writes rendered batches while the next ones are tagged.
pub fn run(a: TagArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(a.out.as_deref(), &a.files)?;
    check_threshold(a.threshold)?;
    let tagger = modelfile::load(a.model.as_deref())?;
    let files = if a.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        a.files.clone()
    };
    let mut sink = Sink::open(a.out.as_deref())?;
    let ids = tagger.model().label_ids();
    if a.format == TagFormat::Csv {
        let mut header = String::from("doc,paragraph,heading,labels,text");
        for id in &ids {
            header.push(',');
            header.push_str(&csv_field(id));
        }
        writeln!(sink, "{header}")?;
    }
    let mut by_id: Vec<usize> = (0..ids.len()).collect();
    by_id.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let fmt = Formatter {
        tagger: &tagger,
        by_id,
        format: a.format,
        explain: a.explain,
        ids: &ids,
        threshold: a.threshold,
    };
    let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Vec<String>>(4);
    let writer = std::thread::spawn(move || -> Result<Sink> {
        for chunk in out_rx {
            for s in chunk {
                sink.write_all(s.as_bytes())?;
            }
        }
        Ok(sink)
    });
    let mut failed = false;
    let mut write_failed = false;
    for f in &files {
        let name = crate::input::name(f);
        match tag_one(f, a.jsonl, a.input_format.format(), &fmt, &out_tx) {
            Ok(0) => eprintln!("policytag: {name}: no paragraphs found"),
            Ok(n) => {
                if a.format == TagFormat::Text
                    && out_tx
                        .send(vec![format!("\n━━ {name}: {n} paragraphs\n")])
                        .is_err()
                {
                    write_failed = true;
                }
            }
            Err(e) if e.downcast_ref::<WriterGone>().is_some() => write_failed = true,
            Err(e) => {
                print_error(&e);
                failed = true;
            }
        }
        if write_failed {
            break;
        }
    }
    drop(out_tx);
    let sink = writer
        .join()
        .map_err(|_| anyhow::anyhow!("writer thread failed"))??;
    sink.finish()?;
    Ok(if failed {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}

/// The writer stopped (its error, e.g. a closed pipe, is reported when it is joined).
#[derive(Debug)]
struct WriterGone;

impl std::fmt::Display for WriterGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("output closed")
    }
}

impl std::error::Error for WriterGone {}

/// Tag one input through the pipeline; returns its paragraph count.
fn tag_one(
    path: &std::path::Path,
    jsonl: bool,
    format: Option<policytag_extract::Format>,
    fmt: &Formatter<'_>,
    out: &SyncSender<Vec<String>>,
) -> Result<usize> {
    let doc = crate::input::name(path);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(2);
    let path = path.to_path_buf();
    let reader = std::thread::spawn(move || -> Result<usize> {
        if jsonl {
            let items = jsonl_items(&path)?;
            let n = items.len();
            for chunk in items.chunks(BATCH) {
                if tx.send(chunk.to_vec()).is_err() {
                    break;
                }
            }
            return Ok(n);
        }
        let mut batch: Vec<Item> = Vec::with_capacity(BATCH);
        let mut total = 0usize;
        let mut receiver_gone = false;
        crate::input::for_each_paragraph(&path, format, |item| {
            batch.push(item);
            if batch.len() >= BATCH {
                total += batch.len();
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.send(full).is_err() {
                    receiver_gone = true;
                    return false;
                }
            }
            true
        })?;
        total += batch.len();
        if !batch.is_empty() && !receiver_gone {
            let _ = tx.send(batch);
        }
        Ok(total)
    });
    let mut first = true;
    for batch in rx {
        let mut rendered = fmt.render_batch(&batch)?;
        if first && fmt.format == TagFormat::Text {
            rendered.insert(0, format!("━━ {doc}\n"));
        }
        first = false;
        if out.send(rendered).is_err() {
            return Err(WriterGone.into());
        }
    }
    reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader thread failed"))?
}

struct Formatter<'a> {
    tagger: &'a Tagger,
    /// Label indices in id order: the key order of the JSON `scores` and `evidence` maps.
    by_id: Vec<usize>,
    format: TagFormat,
    explain: bool,
    ids: &'a [String],
    threshold: Option<f64>,
}

impl Formatter<'_> {
    /// Tag and render a batch on all cores, in input order.
    fn render_batch(&self, items: &[Item]) -> Result<Vec<String>> {
        items
            .par_iter()
            .map(|it| {
                let p = self.tagger.predict(&it.text, self.threshold);
                self.render(it, &p)
            })
            .collect()
    }

    fn render(&self, it: &Item, p: &Prediction) -> Result<String> {
        let (tagger, ids) = (self.tagger, self.ids);
        let labels = &tagger.model().labels;
        let mut s = String::new();
        use std::fmt::Write as _;
        match self.format {
            TagFormat::Jsonl => {
                // Written by hand (same bytes as serde_json) as this is the hot output path.
                s.reserve(it.text.len() + it.heading.len() + 40 + 24 * ids.len());
                s.push_str("{\"doc\":");
                json_str(&mut s, &it.doc);
                write!(s, ",\"paragraph\":{},\"heading\":", it.paragraph)?;
                json_str(&mut s, &it.heading);
                s.push_str(",\"text\":");
                json_str(&mut s, &it.text);
                s.push_str(",\"labels\":[");
                for (k, &l) in p.labels.iter().enumerate() {
                    if k > 0 {
                        s.push(',');
                    }
                    json_str(&mut s, &ids[l]);
                }
                s.push_str("],\"scores\":{");
                for (k, &l) in self.by_id.iter().enumerate() {
                    if k > 0 {
                        s.push(',');
                    }
                    json_str(&mut s, &ids[l]);
                    s.push(':');
                    json_f64(&mut s, round4(p.scores[l]));
                }
                s.push('}');
                if self.explain {
                    s.push_str(",\"evidence\":{");
                    let given = self.by_id.iter().filter(|l| p.labels.contains(l));
                    for (k, &l) in given.enumerate() {
                        if k > 0 {
                            s.push(',');
                        }
                        json_str(&mut s, &ids[l]);
                        s.push_str(":[");
                        for (j, e) in tagger.evidence(p, l, 5).into_iter().enumerate() {
                            if j > 0 {
                                s.push(',');
                            }
                            json_str(&mut s, &e.term);
                        }
                        s.push(']');
                    }
                    s.push('}');
                }
                s.push_str("}\n");
            }
            TagFormat::Csv => {
                let given: Vec<&str> = p.labels.iter().map(|&l| ids[l].as_str()).collect();
                write!(
                    s,
                    "{},{},{},{},{}",
                    csv_field(&it.doc),
                    it.paragraph,
                    csv_field(&it.heading),
                    csv_field(&given.join(";")),
                    csv_field(&it.text)
                )?;
                for v in &p.scores {
                    write!(s, ",{}", round4(*v))?;
                }
                s.push('\n');
            }
            TagFormat::Text => {
                s.push('\n');
                if it.heading.is_empty() {
                    writeln!(s, "[{}]", it.paragraph)?;
                } else {
                    writeln!(s, "[{}] {}", it.paragraph, it.heading)?;
                }
                writeln!(s, "    {}", shorten(&it.text, 160))?;
                if p.labels.is_empty() {
                    writeln!(s, "    ▸ (无主题 no theme)")?;
                } else {
                    let mut order = p.labels.clone();
                    order.sort_by(|&a, &b| p.scores[b].total_cmp(&p.scores[a]));
                    let parts: Vec<String> = order
                        .iter()
                        .map(|&l| format!("{} {:.2}", labels[l].name, p.scores[l]))
                        .collect();
                    writeln!(s, "    ▸ {}", parts.join("   "))?;
                    if self.explain {
                        for &l in &order {
                            let ev: Vec<String> = tagger
                                .evidence(p, l, 5)
                                .into_iter()
                                .map(|e| e.term)
                                .collect();
                            writeln!(s, "      {}: {}", labels[l].id, ev.join(" · "))?;
                        }
                    }
                }
            }
        }
        Ok(s)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_outside_0_1_are_usage_errors() {
        assert!(check_threshold(Some(0.5)).is_ok());
        assert!(check_threshold(None).is_ok());
        for bad in [2.0, -0.1, f64::NAN] {
            let e = check_threshold(Some(bad)).unwrap_err();
            assert!(crate::exit::is_input_error(&e) && e.to_string().contains("--threshold"));
        }
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("学前教育", 10), "学前教育");
        assert_eq!(shorten("学前教育普惠", 4), "学前教育…");
    }
}
