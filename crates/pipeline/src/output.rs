//! Tagged paragraphs written out: the formats of `policytag tag` (text for people, JSONL,
//! CSV) and [`Pipeline::tag_to`], which reads, tags and writes any number of inputs in
//! bounded memory, in order.

use std::fmt::Write as _;
use std::io::Write;

use policytag_data::LabelInfo;

use crate::document::Paragraph;
use crate::error::{Error, Result};
use crate::pipeline::{Pipeline, TaggedDocument};
use crate::reader::Reader;
use crate::source::Source;
use crate::tagged::TaggedParagraph;

/// How tagged paragraphs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// For people, in a terminal: each input under a `━━ name` rule, each paragraph with its
    /// heading path, text (cut at 160 characters) and themes by score.
    Text,
    /// One JSON object per paragraph ([`TaggedParagraph::write_json_line`]).
    Jsonl,
    /// Comma-separated, with a header row ([`TaggedParagraph::csv_header`]).
    Csv,
}

/// What became of one input of [`Pipeline::tag_to`].
#[derive(Debug)]
pub enum InputOutcome {
    /// Tagged and written: this many paragraphs.
    Tagged(usize),
    /// Read, but no paragraph was found.
    Empty,
    /// Could not be read; nothing of it was written.
    Failed(Error),
}

impl TaggedParagraph {
    /// The paragraph for people (the text format of `tag`): a document line where a new
    /// document of a page starts, `[index] heading path`, the text (at most 160 characters)
    /// and the themes given, by score, with their evidence when it was asked for.
    pub fn write_text(&self, labels: &[LabelInfo], s: &mut String) {
        let p = &self.paragraph;
        let heading = p.heading_path();
        if let Some(start) = p.document_start() {
            let _ = writeln!(s, "\n── {start}");
        }
        s.push('\n');
        if heading.is_empty() {
            let _ = writeln!(s, "[{}]", p.index);
        } else {
            let _ = writeln!(s, "[{}] {heading}", p.index);
        }
        let _ = writeln!(s, "    {}", shorten(&p.text, 160));
        if self.labels.is_empty() {
            s.push_str("    ▸ (无主题 no theme)\n");
            return;
        }
        let mut order = self.labels.clone();
        order.sort_by(|&a, &b| self.scores[b].total_cmp(&self.scores[a]));
        let parts: Vec<String> = order
            .iter()
            .map(|&l| format!("{} {:.2}", labels[l].name, self.scores[l]))
            .collect();
        let _ = writeln!(s, "    ▸ {}", parts.join("   "));
        for &l in &order {
            if let Some(ev) = self.evidence_of(l) {
                let terms: Vec<&str> = ev.iter().map(|e| e.term.as_str()).collect();
                let _ = writeln!(s, "      {}: {}", labels[l].id, terms.join(" · "));
            }
        }
    }
}

impl Paragraph {
    /// The header row of [`OutputFormat::Csv`] for untagged paragraphs (`segment`).
    pub const CSV_HEADER: &'static str = "id,doc,paragraph,start,end,heading,text\n";

    /// `document K: what it is` when this paragraph starts a document of a page (for the
    /// text formats of `tag` and `segment`).
    fn document_start(&self) -> Option<String> {
        let d = self.document.as_ref().filter(|d| d.first == self.index)?;
        let what = d.describe().unwrap_or_else(|| "(nothing known)".into());
        Some(format!("document {}: {what}", d.index))
    }

    /// The paragraph as `policytag segment` writes it, untagged: for people (a document
    /// line where a new document of a page starts, `[index] start..end  heading path`, the
    /// text), as its JSON line (serde), or as a CSV row under [`Paragraph::CSV_HEADER`].
    pub fn render(&self, format: OutputFormat) -> String {
        let mut s = String::new();
        match format {
            OutputFormat::Text => {
                if let Some(start) = self.document_start() {
                    let _ = writeln!(s, "━━ {start}");
                }
                let heading = self.heading_path();
                let (i, a, b) = (self.index, self.start, self.end);
                let _ = writeln!(s, "[{i}] {a}..{b}  {heading}\n    {}", self.text);
            }
            OutputFormat::Jsonl => {
                s = serde_json::to_string(self).unwrap_or_default();
                s.push('\n');
            }
            OutputFormat::Csv => {
                let f = policytag_data::csv::field;
                let (i, a, b) = (self.index, self.start, self.end);
                let (id, doc) = (f(&self.id), f(&self.doc));
                let (h, t) = (f(&self.heading_path()), f(&self.text));
                let _ = writeln!(s, "{id},{doc},{i},{a},{b},{h},{t}");
            }
        }
        s
    }
}

/// At most `n` characters of `s`, with `…` when cut.
fn shorten(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

impl Pipeline {
    /// One tagged paragraph in `format` (a CSV row or JSONL line ends with a newline).
    pub fn render(&self, format: OutputFormat, t: &TaggedParagraph) -> String {
        let mut s = String::new();
        self.render_into(format, t, &mut s);
        s
    }

    /// [`Pipeline::render`], appended to `out`.
    pub fn render_into(&self, format: OutputFormat, t: &TaggedParagraph, out: &mut String) {
        match format {
            OutputFormat::Jsonl => t.write_json_line(out),
            OutputFormat::Csv => t.write_csv_row(out),
            OutputFormat::Text => t.write_text(self.labels(), out),
        }
    }

    /// Read, tag and write every input to `out` in `format`, in order and in bounded memory
    /// ([`Pipeline::stream`] per input; a writer thread writes while the next batches are
    /// tagged). `outcome` hears what became of each input (by name) — a bad input is
    /// reported there and the others still tagged. Errors only when writing fails (then
    /// reading stops) or jieba's dictionary failed to load ([`Pipeline::load_in_background`]).
    pub fn tag_to(
        &self,
        reader: &Reader,
        sources: impl IntoIterator<Item = Result<Source>>,
        format: OutputFormat,
        out: &mut (dyn Write + Send),
        mut outcome: impl FnMut(&str, InputOutcome),
    ) -> std::io::Result<()> {
        if format == OutputFormat::Csv {
            out.write_all(TaggedParagraph::csv_header(&self.model().label_ids()).as_bytes())?;
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(4);
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || -> std::io::Result<()> {
                for chunk in rx {
                    out.write_all(chunk.as_bytes())?;
                }
                Ok(())
            });
            let mut gone = false;
            let mut dictionary = None;
            for source in sources {
                let source = match source {
                    Ok(s) => s,
                    Err(e) => {
                        outcome("", InputOutcome::Failed(e));
                        continue;
                    }
                };
                let name = source.name();
                let mut first = true;
                let result = self.stream_batches(
                    reader,
                    &source,
                    // A batch's lines rendered into one buffer: one allocation per batch.
                    |batch| {
                        let mut s = String::new();
                        for t in &batch {
                            self.render_into(format, t, &mut s);
                        }
                        s
                    },
                    |mut batch| {
                        if first && format == OutputFormat::Text {
                            batch.insert_str(0, &format!("━━ {name}\n"));
                        }
                        first = false;
                        gone = tx.send(batch).is_err();
                        !gone
                    },
                );
                if gone {
                    break;
                }
                match result {
                    Ok(0) => outcome(&name, InputOutcome::Empty),
                    Ok(n) => {
                        if format == OutputFormat::Text
                            && tx.send(format!("\n━━ {name}: {n} paragraphs\n")).is_err()
                        {
                            break;
                        }
                        outcome(&name, InputOutcome::Tagged(n))
                    }
                    Err(e) => {
                        // A dictionary that failed to load fails every input: it is said
                        // once, as the error of the whole run.
                        if self.tagger().ready().is_err() {
                            dictionary = Some(e);
                            break;
                        }
                        outcome(&name, InputOutcome::Failed(e))
                    }
                }
            }
            drop(tx);
            writer
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread failed")))?;
            match dictionary {
                Some(e) => Err(std::io::Error::other(e.to_string())),
                None => Ok(()),
            }
        })
    }
}

impl Pipeline {
    /// Read and tag whole inputs (one [`TaggedDocument`] per report of a page,
    /// [`Reader::read_documents`]), at most `max_paragraphs` paragraphs in all: reading stops
    /// as soon as the total goes over, with [`Error::TooManyParagraphs`] naming the input.
    /// `outcome` hears what became of each input; a bad input is left out and the others
    /// kept.
    pub fn tag_documents(
        &self,
        reader: &Reader,
        sources: impl IntoIterator<Item = Result<Source>>,
        max_paragraphs: usize,
        mut outcome: impl FnMut(&str, InputOutcome),
    ) -> Result<Vec<TaggedDocument>> {
        let mut docs = Vec::new();
        let mut total = 0usize;
        for source in sources {
            let limited = reader.clone().max_paragraphs(Some(max_paragraphs - total));
            let read = source.and_then(|s| Ok((s.name(), limited.read_documents(&s)?)));
            match read {
                Ok((name, d)) if d.iter().all(|d| d.paragraphs.is_empty()) => {
                    outcome(&name, InputOutcome::Empty)
                }
                Ok((name, d)) => {
                    let n = d.iter().map(|d| d.paragraphs.len()).sum::<usize>();
                    total += n;
                    docs.extend(d.into_iter().map(|d| self.tag_document(d)));
                    outcome(&name, InputOutcome::Tagged(n))
                }
                Err(e @ Error::TooManyParagraphs { .. }) => return Err(e),
                Err(e) => outcome("", InputOutcome::Failed(e)),
            }
        }
        Ok(docs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Streaming (batches cut where a context run ends) tags every paragraph exactly as
    /// reading the input whole does, across batch boundaries and the context span, and
    /// JSONL lines are read in context only with a `"doc"`.
    #[test]
    fn streamed_and_whole_inputs_are_tagged_in_the_same_context() {
        use crate::pipeline::BATCH;
        use policytag_model::context::SPAN;
        let pipeline = Pipeline::load(None).unwrap();
        let kinds = [
            "全县学校开展防溺水专题教育和消防疏散演练",
            "新建改扩建幼儿园，新增公办学前学位",
            "组织教师参加国培省培项目，提升师德师风",
            "推进智慧校园建设，班班通设备全面更新",
            "落实课后服务全覆盖，规范校外培训机构",
        ];
        let n = SPAN + BATCH + 77;
        let text: String = (0..n)
            .map(|i| {
                format!(
                    "第{i}项：{}，涉及学校{}所。\n",
                    kinds[i * 7 % 5],
                    i % 89 + 3
                )
            })
            .collect();
        let reader = Reader::default();
        let source = || Source::bytes("big.txt", text.clone());
        let stream = |p: &Pipeline| {
            let mut out = Vec::new();
            p.tag_to(
                &reader,
                [Ok(source())],
                OutputFormat::Jsonl,
                &mut out,
                |_, _| {},
            )
            .unwrap();
            String::from_utf8(out).unwrap()
        };
        let streamed = stream(&pipeline);
        let docs = pipeline
            .tag_documents(&reader, [Ok(source())], usize::MAX, |_, _| {})
            .unwrap();
        let whole: String = docs
            .iter()
            .flat_map(|d| &d.paragraphs)
            .map(|t| pipeline.render(OutputFormat::Jsonl, t))
            .collect();
        assert!(
            streamed.lines().count() > SPAN + BATCH,
            "{}",
            streamed.lines().count()
        );
        assert_eq!(streamed, whole);
        // Reading while jieba's dictionary still loads changes nothing.
        let background = Pipeline::load_in_background(None).unwrap();
        assert_eq!(stream(&background), whole);

        // JSONL: lines with a "doc" are read beside their neighbours, lines without alone.
        let line = |doc: Option<&str>, t: &str| match doc {
            Some(d) => format!("{{\"doc\":\"{d}\",\"text\":\"{t}\"}}\n"),
            None => format!("{{\"text\":\"{t}\"}}\n"),
        };
        let tag = |content: String| {
            let mut out = Vec::new();
            let jsonl = Reader::default().jsonl(true);
            let src = Source::bytes("p.jsonl", content);
            pipeline
                .tag_to(&jsonl, [Ok(src)], OutputFormat::Jsonl, &mut out, |_, _| {})
                .unwrap();
            let out = String::from_utf8(out).unwrap();
            out.lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                .collect::<Vec<_>>()
        };
        let (a, b) = (kinds[0], kinds[1]);
        let alone = tag(line(None, a) + &line(None, b));
        let grouped = tag(line(Some("r1"), a) + &line(Some("r1"), b) + &line(Some("r2"), a));
        let single = tag(line(Some("r2"), a));
        assert_ne!(alone[0]["scores"], grouped[0]["scores"]);
        assert_eq!(alone[0]["scores"], grouped[2]["scores"]);
        assert_eq!(single[0]["scores"], grouped[2]["scores"]);
        assert_eq!(grouped[0]["doc"], "r1");
        assert_eq!(grouped[2]["doc"], "r2");
        assert_eq!(alone[0]["doc"], "p.jsonl");
    }

    /// Batches tagged by several workers at once come out in input order, the same as on
    /// one thread and as reading the input whole; a sink that says stop ends reading after
    /// the batch it refused (no worker or reader left waiting).
    #[test]
    fn batches_from_several_workers_come_out_in_order_and_a_sink_can_stop_them() {
        use crate::pipeline::BATCH;
        let pipeline = Pipeline::load(None).unwrap();
        let kinds = [
            "全县学校开展防溺水专题教育和消防疏散演练",
            "新建改扩建幼儿园，新增公办学前学位",
            "组织教师参加国培省培项目，提升师德师风",
            "落实课后服务全覆盖，规范校外培训机构",
        ];
        // Documents of 40 paragraphs (`【篇N】` starts each), several batches in all.
        let mut text = String::new();
        for i in 0..5 * BATCH {
            if i % 40 == 0 {
                text += &format!("【篇{}】\n", i / 40 + 1);
            }
            text += &format!("第{i}条：{}，共{}所。\n", kinds[i * 3 % 4], i % 71 + 2);
        }
        let reader = Reader::default();
        let source = || Source::bytes("pages.txt", text.clone());
        let whole: Vec<String> = pipeline
            .tag_documents(&reader, [Ok(source())], usize::MAX, |_, _| {})
            .unwrap()
            .iter()
            .flat_map(|d| &d.paragraphs)
            .map(|t| pipeline.render(OutputFormat::Jsonl, t))
            .collect();
        assert!(whole.len() > 4 * BATCH, "{}", whole.len());
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (mut batches, mut lines) = (0, Vec::new());
            let n = pool.install(|| {
                pipeline.stream(
                    &reader,
                    &source(),
                    |t| pipeline.render(OutputFormat::Jsonl, &t),
                    |b| {
                        batches += 1;
                        lines.extend(b);
                        true
                    },
                )
            });
            assert_eq!(n.unwrap(), whole.len());
            assert!(batches >= 4, "{batches}");
            assert_eq!(lines, whole, "{threads} threads");
            let mut seen = 0;
            let n = pool.install(|| {
                pipeline.stream(
                    &reader,
                    &source(),
                    |t| t.paragraph.index,
                    |b| {
                        assert_eq!(b[0], seen, "the first batch first");
                        seen += b.len();
                        false
                    },
                )
            });
            // The count is of what was read by then (reading runs ahead of tagging).
            assert!(n.unwrap() <= whole.len());
            assert!(seen > 0 && seen < whole.len(), "{seen}");
            // A panic while tagging a batch reaches the caller, after the batches before it
            // and none after.
            let mut handed = 0;
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    pipeline.stream_batches(
                        &reader,
                        &source(),
                        |b| {
                            assert!(b[0].paragraph.index < BATCH, "a test panic");
                            b.len()
                        },
                        |n| {
                            handed += n;
                            true
                        },
                    )
                })
            }));
            assert!(caught.is_err());
            assert!(handed > 0 && handed < whole.len(), "{handed}");
        }
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("学前教育", 10), "学前教育");
        assert_eq!(shorten("学前教育", 4), "学前教育");
        assert_eq!(shorten("学前教育普惠", 4), "学前教育…");
    }
}
