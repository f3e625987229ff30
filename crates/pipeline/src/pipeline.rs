//! A loaded model and how to use it: tag texts, paragraphs, documents and streams of
//! them on all cores, evaluate on labelled examples, train.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use policytag_data::{Example, LabelInfo};
use policytag_model::context::SPAN;
use policytag_model::train::{Hooks, TrainParams};
use policytag_model::{Metrics, Model, Prediction, Tagger};

use crate::document::{Document, NamedDocuments, Paragraph};
use crate::error::{Error, Result};
use crate::reader::Reader;
use crate::source::Source;
use crate::tagged::{round4, LabelIds, TaggedParagraph};

/// The default model, embedded at build time from `models/default.model`.
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default.model"));

/// Paragraphs tagged per parallel batch in [`Pipeline::stream`]: bounds memory whatever
/// the input size.
pub const BATCH: usize = 512;

/// `set_threads` caps the thread count at this many per core (more only adds memory and
/// contention).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// How many worker threads tagging uses: `None` leaves rayon's default (one per core).
/// Call once, before any tagging; `Some(0)` is an error. More than
/// [`MAX_THREADS_PER_CORE`] per core is capped; returns the number used when it was.
pub fn set_threads(n: Option<usize>) -> Result<Option<usize>> {
    match n {
        None => Ok(None),
        Some(0) => Err(Error::Input("--threads must be at least 1".into())),
        Some(n) => {
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
            let used = n.min(MAX_THREADS_PER_CORE * cores);
            // A second call (the pool already exists) keeps the first setting.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(used)
                .build_global();
            Ok((used < n).then_some(used))
        }
    }
}

/// The model file embedded in this build (empty when it was built without one).
pub fn embedded_model_bytes() -> &'static [u8] {
    EMBEDDED
}

/// Load a model (without its tokenizer): a file, or with `None` the embedded default.
pub fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        Some(p) => {
            if !p.exists() {
                return Err(Error::Input(format!(
                    "loading model {}: no such file",
                    p.display()
                )));
            }
            Model::load(p).map_err(|e| Error::LoadModel {
                what: p.display().to_string(),
                source: Box::new(e.into()),
            })
        }
        None => {
            if EMBEDDED.is_empty() {
                return Err(Error::Input(
                    "this build has no embedded default model: pass --model PATH".into(),
                ));
            }
            Model::from_bytes(EMBEDDED).map_err(|e| Error::LoadModel {
                what: "the embedded default model".into(),
                source: Box::new(e.into()),
            })
        }
    }
}

/// Train a model on labelled examples: `params` checked (its defaults are the recommended
/// settings), display names from `themes` (labels without one are named by their id).
pub fn train(
    examples: &[Example],
    themes: &[LabelInfo],
    params: TrainParams,
    hooks: &Hooks<'_>,
) -> Result<Model> {
    let names: BTreeMap<String, (String, String)> = themes
        .iter()
        .map(|t| (t.id.clone(), (t.name.clone(), t.description.clone())))
        .collect();
    Ok(params.check()?.fit(examples, &names, hooks)?)
}

/// What to keep when tagging.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TagOptions {
    /// One probability threshold for every label instead of the tuned ones (checked to be
    /// in 0..=1 by [`TagOptions::check`]). Default `None`.
    pub threshold: Option<f64>,
    /// Keep this many evidence terms per given label. Default `None` (no evidence).
    pub evidence: Option<usize>,
}

impl TagOptions {
    /// Validate: a threshold must be within 0..=1.
    pub fn check(self) -> Result<TagOptions> {
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(Error::Input(format!(
                    "--threshold must be between 0 and 1, got {t}"
                )));
            }
        }
        Ok(self)
    }
}

/// A model with its tokenizer loaded, and the tagging options: load once, share by
/// reference across threads.
#[derive(Debug)]
pub struct Pipeline {
    tagger: Tagger,
    ids: Arc<LabelIds>,
    options: TagOptions,
}

/// A document with its paragraphs tagged.
pub type TaggedDocument = Document<TaggedParagraph>;

impl Pipeline {
    /// A pipeline around a model: loads the tokenizer it was trained with.
    pub fn new(model: Model) -> Result<Pipeline> {
        Ok(Pipeline::from_tagger(Tagger::new(model)?))
    }

    /// A pipeline around an already loaded tagger.
    pub fn from_tagger(tagger: Tagger) -> Pipeline {
        let ids = Arc::new(LabelIds::new(tagger.model().label_ids()));
        Pipeline {
            tagger,
            ids,
            options: TagOptions::default(),
        }
    }

    /// Load a model file (`None`: the embedded default model) and its tokenizer. jieba's
    /// dictionary loads on a second thread while the model file is read and checked.
    pub fn load(path: Option<&Path>) -> Result<Pipeline> {
        let pipeline = Pipeline::load_in_background(path)?;
        pipeline.tagger.ready().map_err(|e| Error::LoadModel {
            what: describe(path),
            source: Box::new(e.into()),
        })?;
        Ok(pipeline)
    }

    /// [`Pipeline::load`] returning as soon as the model is read and checked, while jieba's
    /// dictionary (the slower half) goes on loading: [`Pipeline::stream`] and
    /// [`Pipeline::tag_to`] start reading their input meanwhile and wait for it before the
    /// first paragraph is tagged (a failure to load it is their error); anything else that
    /// cuts text waits for it on first use.
    pub fn load_in_background(path: Option<&Path>) -> Result<Pipeline> {
        let named = |e: Error| Error::LoadModel {
            what: describe(path),
            source: Box::new(e),
        };
        let pending = policytag_tokenizer::PendingDictionary::spawn();
        let model = match load_model(path) {
            Ok(m) => m,
            Err(e) => {
                // Not left loading on its own.
                let _ = pending.wait();
                return Err(e);
            }
        };
        let tagger =
            Tagger::with_pending_dictionary(model, pending).map_err(|e| named(e.into()))?;
        Ok(Pipeline::from_tagger(tagger))
    }

    /// Set the tagging options (checked).
    pub fn with_options(mut self, options: TagOptions) -> Result<Pipeline> {
        self.options = options.check()?;
        Ok(self)
    }

    /// The tagging options.
    pub fn options(&self) -> TagOptions {
        self.options
    }

    /// The model.
    pub fn model(&self) -> &Model {
        self.tagger.model()
    }

    /// The tagger (model + tokenizer), for what goes beyond tagging (`explain --label`,
    /// tokenising).
    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    /// The model's labels: ids, display names, descriptions, in model order.
    pub fn labels(&self) -> &[LabelInfo] {
        &self.tagger.model().labels
    }

    /// Each label's tuned threshold, in model order.
    pub fn thresholds(&self) -> Vec<f64> {
        self.model()
            .label_models
            .iter()
            .map(|m| m.threshold)
            .collect()
    }

    /// The model's prediction for one text, at the options' threshold.
    pub fn predict(&self, text: &str) -> Prediction {
        self.tagger.predict(text, self.options.threshold)
    }

    /// The model's prediction for one paragraph, read alone: [`Pipeline::predict`] of its
    /// text, from the normalised text it carries when it has one.
    pub fn predict_paragraph(&self, paragraph: &Paragraph) -> Prediction {
        match &paragraph.normalized {
            Some(n) => self.tagger.predict_normalized(
                &paragraph.text,
                n,
                paragraph.chrome_checked,
                self.options.threshold,
            ),
            None => self.predict(&paragraph.text),
        }
    }

    /// Tag one paragraph, read alone.
    pub fn tag(&self, paragraph: Paragraph) -> TaggedParagraph {
        let p = self.predict_paragraph(&paragraph);
        self.tagged(paragraph, p)
    }

    /// A paragraph with its prediction (and evidence, if asked for).
    fn tagged(&self, paragraph: Paragraph, p: Prediction) -> TaggedParagraph {
        let evidence = self
            .options
            .evidence
            .map(|n| self.tagger.evidence(&paragraph.text, &p.labels, n));
        TaggedParagraph::new(paragraph, p.scores, p.labels, evidence, self.ids.clone())
    }

    /// Tag paragraphs on all cores, order kept; consecutive paragraphs of one document
    /// ([`Paragraph::context_key`]) are read in its context ([`policytag_model::context`]).
    pub fn tag_paragraphs(&self, paragraphs: Vec<Paragraph>) -> Vec<TaggedParagraph> {
        self.tag_in_context(paragraphs, true)
    }

    /// [`Pipeline::tag_paragraphs`] on all cores (`parallel`) or on the calling thread alone:
    /// every paragraph is predicted alone, then read in context and made a
    /// [`TaggedParagraph`] (a paragraph's context is its neighbours' predictions).
    fn tag_in_context(&self, paragraphs: Vec<Paragraph>, parallel: bool) -> Vec<TaggedParagraph> {
        let predict = |p: &Paragraph| self.predict_paragraph(p);
        let preds: Vec<Prediction> = if parallel {
            paragraphs.par_iter().map(predict).collect()
        } else {
            paragraphs.iter().map(predict).collect()
        };
        let runs = run_of(&paragraphs);
        let tag = |(i, (paragraph, run))| self.in_context(&preds, i, run, paragraph);
        if parallel {
            paragraphs
                .into_par_iter()
                .zip(runs)
                .enumerate()
                .map(tag)
                .collect()
        } else {
            paragraphs
                .into_iter()
                .zip(runs)
                .enumerate()
                .map(tag)
                .collect()
        }
    }

    /// Paragraph `i` of a batch tagged in the context of its run (`preds`: the batch's
    /// predictions of paragraphs read alone).
    fn in_context(
        &self,
        preds: &[Prediction],
        i: usize,
        run: Range<usize>,
        paragraph: Paragraph,
    ) -> TaggedParagraph {
        let p = self.tagger.in_context_at(
            &preds[run.clone()],
            i - run.start,
            &paragraph.text,
            paragraph.chrome_checked,
            self.options.threshold,
        );
        self.tagged(paragraph, p)
    }

    /// Tag texts (each its own paragraph of a document named `doc`, with ids from
    /// [`crate::document::paragraph_id`]), each read alone, on all cores, order kept.
    pub fn tag_texts<S: AsRef<str> + Sync>(&self, doc: &str, texts: &[S]) -> Vec<TaggedParagraph> {
        self.tag_texts_in_documents(doc, texts, &[])
    }

    /// Tag texts that name their documents (`docs[i]`: text `i`'s document name and its
    /// position among its source's documents, or `None` — or no entry — for a text read
    /// alone), as the paragraphs of `name`: consecutive texts of one document are read in its
    /// context and carry its name as their `doc`, as `tag --jsonl` reads lines with a `"doc"`.
    pub fn tag_texts_in_documents<S: AsRef<str> + Sync>(
        &self,
        name: &str,
        texts: &[S],
        docs: &[Option<(String, usize)>],
    ) -> Vec<TaggedParagraph> {
        let mut named = NamedDocuments::default();
        let paragraphs = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let doc = docs.get(i).and_then(Option::as_ref);
                let doc = doc.map(|(d, k)| (d.as_str(), *k));
                Paragraph::unsegmented(name, i, None, t.as_ref().to_string(), doc, &mut named)
            })
            .collect();
        self.tag_paragraphs(paragraphs)
    }

    /// Tag a whole document.
    pub fn tag_document(&self, document: Document) -> TaggedDocument {
        document.map(|p| self.tag_paragraphs(p))
    }

    /// Read and tag one input in bounded memory: a reader thread decodes and segments it
    /// into batches of about [`BATCH`] paragraphs (cut where a document's context run ends,
    /// [`policytag_model::context::runs`], so every paragraph is read in the same context as
    /// when the input is tagged whole); as many worker threads as the rayon pool has each
    /// take a whole batch, tag it and map every tagged paragraph through `map` (e.g.
    /// rendering it) — no thread waits for another within a batch — and `sink` receives the
    /// mapped batches in input order (returning `false` stops reading). Returns the paragraph
    /// count.
    pub fn stream<T: Send>(
        &self,
        reader: &Reader,
        source: &Source,
        map: impl Fn(TaggedParagraph) -> T + Sync,
        sink: impl FnMut(Vec<T>) -> bool,
    ) -> Result<usize> {
        self.stream_batches(
            reader,
            source,
            |batch| batch.into_iter().map(&map).collect(),
            sink,
        )
    }

    /// [`Pipeline::stream`] with each tagged batch made one value by `batch` (e.g. all its
    /// paragraphs rendered into one buffer) on the worker that tagged it.
    pub fn stream_batches<B: Send>(
        &self,
        reader: &Reader,
        source: &Source,
        batch: impl Fn(Vec<TaggedParagraph>) -> B + Sync,
        mut sink: impl FnMut(B) -> bool,
    ) -> Result<usize> {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::mpsc::sync_channel;
        let workers = rayon::current_num_threads().max(1);
        // At most `in_flight` batches are read and not yet handed to `sink` (queued, being
        // tagged, or waiting for an earlier one): the reader takes a credit per batch and
        // each batch handed on returns one, so memory stays bounded however unevenly the
        // workers finish.
        let in_flight = 3 * workers;
        let (credit_tx, credit_rx) = sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            let _ = credit_tx.send(());
        }
        let (tx, rx) = sync_channel::<(usize, Vec<Paragraph>)>(in_flight);
        let (done_tx, done_rx) = sync_channel::<(usize, std::thread::Result<B>)>(in_flight);
        // Set when the sink refuses a batch or a worker panics: the reader stops at its next
        // paragraph and the workers take no further batch.
        let stop = AtomicBool::new(false);
        // Shared by the workers alone: when the last of them stops, the reader's next send
        // fails and reading stops.
        let rx = Arc::new(std::sync::Mutex::new(rx));
        std::thread::scope(|s| {
            let stop = &stop;
            let read = s.spawn(move || -> Result<usize> {
                let mut batch = Vec::with_capacity(BATCH);
                let (mut total, mut seq) = (0usize, 0usize);
                let mut gone = false;
                // Paragraphs of the context run the last paragraph of `batch` belongs to.
                let mut run = 0usize;
                let send = |batch: Vec<Paragraph>, seq: usize| -> bool {
                    credit_rx.recv().is_ok()
                        && !stop.load(Ordering::Relaxed)
                        && tx.send((seq, batch)).is_ok()
                };
                reader.for_each(source, |p| {
                    if stop.load(Ordering::Relaxed) {
                        gone = true;
                        return false;
                    }
                    let joins = batch.last().is_some_and(|last: &Paragraph| {
                        let key = p.context_key();
                        key.is_some() && key == last.context_key() && run < SPAN
                    });
                    run = if joins { run + 1 } else { 1 };
                    if batch.len() >= BATCH && !joins {
                        total += batch.len();
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if !send(full, seq) {
                            gone = true;
                            return false;
                        }
                        seq += 1;
                    }
                    batch.push(p);
                    true
                })?;
                total += batch.len();
                if !batch.is_empty() && !gone {
                    send(batch, seq);
                }
                Ok(total)
            });
            // A dictionary still loading is waited for here, while the reader reads.
            if let Err(e) = self.tagger.ready() {
                stop.store(true, Ordering::Relaxed);
                drop((credit_tx, rx, done_tx));
                // The reader stops at its next batch: its error, if any, comes second.
                let _ = read.join();
                return Err(e.into());
            }
            for _ in 0..workers {
                let (rx, done_tx, batch) = (Arc::clone(&rx), done_tx.clone(), &batch);
                s.spawn(move || loop {
                    // The lock is held only while waiting for the next batch.
                    let next = rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((seq, paragraphs)) = next else { break };
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    // A panic goes to the caller's thread, which stops everything and
                    // raises it there.
                    let tagged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        batch(self.tag_in_context(paragraphs, false))
                    }));
                    if done_tx.send((seq, tagged)).is_err() {
                        break;
                    }
                });
            }
            drop((done_tx, rx));
            // Batches come back in any order: each waits here until those before it are out.
            let mut waiting = BTreeMap::new();
            let mut next = 0usize;
            let mut panicked = None;
            'out: for (seq, mapped) in done_rx.iter() {
                waiting.insert(seq, mapped);
                while let Some(mapped) = waiting.remove(&next) {
                    next += 1;
                    let handed = match mapped {
                        Ok(mapped) => sink(mapped),
                        Err(payload) => {
                            panicked = Some(payload);
                            false
                        }
                    };
                    if !handed {
                        break 'out;
                    }
                    let _ = credit_tx.send(());
                }
            }
            // Stop the reader and the workers (their results have nowhere to go).
            stop.store(true, Ordering::Relaxed);
            drop((done_rx, credit_tx));
            if let Some(payload) = panicked {
                std::panic::resume_unwind(payload);
            }
            read.join()
                .map_err(|_| Error::Input("the reader thread failed".into()))?
        })
    }

    /// Up to `n` examples the model got wrong (gold labels ≠ predicted, or with `focus`, wrong
    /// about that label), one entry of two lines each: `- ID [gold] → [predicted]  (scores
    /// of the labels involved)` and the first 120 characters of the text.
    pub fn errors(
        &self,
        examples: &[Example],
        preds: &[Prediction],
        focus: Option<usize>,
        n: usize,
    ) -> String {
        let ids = self.ids.ids();
        let names = |s: &[usize]| {
            let v: Vec<&str> = s.iter().map(|&l| ids[l].as_str()).collect();
            v.join(",")
        };
        let mut out = String::new();
        let wrong = examples.iter().zip(preds).filter_map(|(e, p)| {
            let gold: Vec<usize> = e
                .labels
                .iter()
                .filter_map(|l| self.tagger.label_index(l))
                .collect();
            // With a focus label, only examples wrong about that label.
            let relevant = match focus {
                Some(f) => gold.contains(&f) != p.labels.contains(&f),
                None => true,
            };
            (gold != p.labels && relevant).then_some((e, p, gold))
        });
        for (e, p, gold) in wrong.take(n) {
            let mut involved: Vec<usize> = gold.iter().chain(&p.labels).copied().collect();
            involved.sort_unstable();
            involved.dedup();
            let scores: Vec<String> = involved
                .iter()
                .map(|&l| format!("{}={}", ids[l], round4(p.scores[l])))
                .collect();
            out += &format!(
                "- {}[{}] → [{}]  ({})\n  {}\n",
                e.id.as_deref().map(|i| format!("{i} ")).unwrap_or_default(),
                names(&gold),
                names(&p.labels),
                scores.join(" "),
                e.text.chars().take(120).collect::<String>()
            );
        }
        out
    }

    /// Metrics on labelled examples (the struct `policytag eval --format json` prints),
    /// with each example's prediction. Labels the model does not know are an error.
    pub fn evaluate(
        &self,
        examples: &[Example],
        groups: &[String],
    ) -> Result<(Metrics, Vec<Prediction>)> {
        Ok(self
            .tagger
            .evaluate(examples, groups, self.options.threshold)?)
    }
}

/// How a model file is named in errors.
fn describe(path: Option<&Path>) -> String {
    path.map(|p| p.display().to_string())
        .unwrap_or_else(|| "the embedded default model".into())
}

/// The context run ([`policytag_model::context::runs`]) of each paragraph.
fn run_of(paragraphs: &[Paragraph]) -> Vec<Range<usize>> {
    let keys: Vec<Option<(&str, usize)>> = paragraphs.iter().map(Paragraph::context_key).collect();
    let mut out = Vec::with_capacity(paragraphs.len());
    for run in policytag_model::context::runs(&keys) {
        out.extend(std::iter::repeat_n(run.clone(), run.len()));
    }
    out
}
