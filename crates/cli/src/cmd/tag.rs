//! `policytag tag`: every paragraph of the inputs with its themes and scores.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;

use policytag_pipeline::{Pipeline, Reader, TagOptions, TaggedParagraph};

use crate::args::{TagArgs, TagFormat};
use crate::exit::{print_error, Outcome};
use crate::output::Sink;

/// Run the command. Each input is read, tagged and rendered by
/// [`Pipeline::stream`](policytag_pipeline::Pipeline::stream) (reader thread, batches
/// tagged and rendered on all cores, order kept); a writer thread writes the rendered
/// batches while the next ones are tagged.
pub fn run(a: TagArgs) -> Result<Outcome> {
    crate::output::refuse_input_as_output(a.out.as_deref(), &a.files)?;
    let options = TagOptions {
        threshold: a.threshold,
        evidence: a.explain.then_some(5),
    }
    .check()?;
    let pipeline = Pipeline::load(a.model.as_deref())?.with_options(options)?;
    let reader = Reader::default()
        .format(a.input_format.format())
        .jsonl(a.jsonl);
    let mut sink = Sink::open(a.out.as_deref())?;
    if a.format == TagFormat::Csv {
        let ids = pipeline.model().label_ids();
        sink.write_all(TaggedParagraph::csv_header(&ids).as_bytes())?;
    }
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
    let mut writer_gone = false;
    for source in crate::input::sources(&a.files, a.jsonl) {
        let source = match source {
            Ok(s) => s,
            Err(e) => {
                print_error(&e.into());
                failed = true;
                continue;
            }
        };
        let name = source.name();
        let mut first = true;
        let result = pipeline.stream(
            &reader,
            &source,
            |t| render(&pipeline, a.format, &t),
            |mut batch| {
                if first && a.format == TagFormat::Text {
                    batch.insert(0, format!("━━ {name}\n"));
                }
                first = false;
                writer_gone = out_tx.send(batch).is_err();
                !writer_gone
            },
        );
        match result {
            _ if writer_gone => break,
            Ok(0) => eprintln!("policytag: {name}: no paragraphs found"),
            Ok(n) if a.format == TagFormat::Text => {
                if out_tx
                    .send(vec![format!("\n━━ {name}: {n} paragraphs\n")])
                    .is_err()
                {
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                print_error(&e.into());
                failed = true;
            }
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

/// One tagged paragraph in the output format.
fn render(pipeline: &Pipeline, format: TagFormat, t: &TaggedParagraph) -> String {
    let p = &t.paragraph;
    let mut s = String::new();
    match format {
        TagFormat::Jsonl => t.write_json_line(&mut s),
        TagFormat::Csv => t.write_csv_row(&mut s),
        TagFormat::Text => {
            let labels = pipeline.labels();
            let heading = p.heading_path();
            if let Some(d) = p.document.as_ref().filter(|d| d.first == p.index) {
                let what = d.describe().unwrap_or_else(|| "(nothing known)".into());
                let _ = writeln!(s, "\n── document {}: {what}", d.index);
            }
            s.push('\n');
            if heading.is_empty() {
                let _ = writeln!(s, "[{}]", p.index);
            } else {
                let _ = writeln!(s, "[{}] {heading}", p.index);
            }
            let _ = writeln!(s, "    {}", shorten(&p.text, 160));
            if t.labels.is_empty() {
                s.push_str("    ▸ (无主题 no theme)\n");
                return s;
            }
            let mut order = t.labels.clone();
            order.sort_by(|&a, &b| t.scores[b].total_cmp(&t.scores[a]));
            let parts: Vec<String> = order
                .iter()
                .map(|&l| format!("{} {:.2}", labels[l].name, t.scores[l]))
                .collect();
            let _ = writeln!(s, "    ▸ {}", parts.join("   "));
            for &l in &order {
                if let Some(ev) = t.evidence_of(l) {
                    let terms: Vec<&str> = ev.iter().map(|e| e.term.as_str()).collect();
                    let _ = writeln!(s, "      {}: {}", labels[l].id, terms.join(" · "));
                }
            }
        }
    }
    s
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
    fn shorten_counts_characters() {
        assert_eq!(shorten("学前教育", 10), "学前教育");
        assert_eq!(shorten("学前教育普惠", 4), "学前教育…");
    }
}
