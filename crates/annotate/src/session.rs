//! One annotation session: the tasks, what was decided, and the sequence the page walks.
//!
//! The sequence is the decided tasks in the order they were decided (this session and
//! earlier ones, read back from the out file), then the undecided tasks in queue order.
//! Position `done` is the first undecided task; Backspace walks back into the decided
//! part, where deciding again replaces the earlier decision. Re-ranking re-orders only the
//! undecided part.
//!
//! With near-duplicate [`Groups`], the queue shows one undecided paragraph per group, and
//! groups that already had a decision since the model last changed go behind the others,
//! so no two paragraphs of one group are labelled in one batch. A decision with
//! `"group": true` is applied to every undecided paragraph of the group as well, each
//! recorded with `"applied_from"`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use policytag_data::{Example, LabelInfo};
use policytag_pipeline::Pipeline;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::groups::Groups;
use crate::learn::{Estimate, Job, Learner, Version};
use crate::queue::{arrange, highlight, Order, Segment, Suggestion, Task};
use crate::review::{Review, ReviewView, Vote};
use crate::store::{now_iso, Decision, Store};

/// Keys of the theme buttons, in label order: 1–9, 0, then letters (no `s`, which skips).
pub const KEYS: &[&str] = &[
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "q", "w", "e", "r", "t", "y", "u", "i", "o",
    "p", "a", "d", "f", "g", "h", "j", "k", "l", "z", "x", "c", "v", "b", "n", "m",
];

/// How a session orders and records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Queue order.
    pub order: Order,
    /// Written into every decision, if given.
    pub annotator: Option<String>,
    /// Whether re-ranking is possible (a model file was given on the command line).
    pub can_rerank: bool,
}

/// A label as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LabelView {
    /// Label id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Keyboard key (empty past the 35th label).
    pub key: String,
}

/// The live-learning part of `GET /api/state`.
#[derive(Debug, Clone, Serialize)]
pub struct LearnView {
    /// Decisions between retrains.
    pub every: usize,
    /// Examples in the base corpus.
    pub base: usize,
    /// The model now suggesting (0: the one the session started with).
    pub version: u32,
    /// The version being trained, if a retrain is running.
    pub training: Option<u32>,
    /// Labelled decisions in the out file now.
    pub labelled: usize,
    /// The last retrain's failure, if it failed (the old model stays).
    pub error: Option<String>,
    /// Every version so far, oldest first, with its held-out estimate once computed.
    pub versions: Vec<Version>,
}

/// `GET /api/state`.
#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    /// Tasks in the session.
    pub total: usize,
    /// Tasks decided (labelled or skipped); also the position of the first undecided one.
    pub done: usize,
    /// Positions in the sequence: decided tasks plus the queue (one per group).
    pub length: usize,
    /// Of those, skipped.
    pub skipped: usize,
    /// Decisions per hour in this session (from the second decision on).
    pub per_hour: Option<f64>,
    /// The labels, with their keys.
    pub labels: Vec<LabelView>,
    /// Queue order name.
    pub order: &'static str,
    /// Whether tasks carry model suggestions.
    pub suggestions: bool,
    /// Whether `POST /api/rerank` can work.
    pub can_rerank: bool,
    /// The out file's name (for display).
    pub out: String,
    /// Near-duplicate groups with more than one paragraph.
    pub groups: usize,
    /// Live learning, when on.
    pub learn: Option<LearnView>,
    /// Review of disagreements, in review mode.
    pub review: Option<ReviewView>,
}

/// A suggestion as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestionView {
    /// Label id.
    pub label: String,
    /// The model's suggestion.
    #[serde(flatten)]
    pub suggestion: Suggestion,
}

/// A stored decision as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    /// Labels chosen.
    pub labels: Vec<String>,
    /// Skipped.
    pub skipped: bool,
    /// Applied from this near-duplicate's decision, if so.
    pub applied_from: Option<String>,
}

/// A task's near-duplicate group as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// Paragraphs in the group, this one included.
    pub size: usize,
    /// Other paragraphs of the group still undecided: what a group decision covers.
    pub undecided_others: usize,
}

/// `GET /api/task/N`.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// Position in the sequence.
    pub n: usize,
    /// Paragraph id.
    pub id: String,
    /// Document name.
    pub doc: String,
    /// Paragraph index.
    pub paragraph: usize,
    /// Heading path.
    pub heading: String,
    /// The text, cut into runs with the evidence terms marked.
    pub segments: Vec<Segment>,
    /// One per label, in label order (empty without a model).
    pub suggestions: Vec<SuggestionView>,
    /// Labels selected when the task is shown: the model's, or in review the majority's.
    pub preselect: Vec<String>,
    /// The model version whose suggestions these are (none without suggestions).
    pub model_version: Option<u32>,
    /// The near-duplicate group.
    pub group: GroupView,
    /// In review: each annotator's labels.
    pub votes: Vec<Vote>,
    /// The earlier decision, when there is one.
    pub decision: Option<DecisionView>,
}

/// `POST /api/decide` body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    /// Paragraph id.
    pub id: String,
    /// Chosen label ids (may be empty: no theme applies).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Skip instead of labelling.
    #[serde(default)]
    pub skip: bool,
    /// Apply the decision to the undecided near-duplicates of the paragraph too.
    #[serde(default)]
    pub group: bool,
}

/// `POST /api/decide` answer.
#[derive(Debug, Clone, Serialize)]
pub struct DecideView {
    /// The position to show next.
    pub next: usize,
    /// Near-duplicates the decision was applied to besides the paragraph itself.
    pub applied: usize,
    /// The new state.
    pub state: StateView,
}

/// A request the session refuses (HTTP 400 or 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed or inconsistent request (400).
    Bad(String),
    /// No such task (404).
    NotFound(String),
    /// Not possible in this session (409).
    Conflict(String),
}

/// Live learning's state inside the session.
#[derive(Debug)]
struct Learning {
    learner: Option<Learner>,
    every: usize,
    base: usize,
    version: u32,
    training: Option<u32>,
    /// Labelled decisions when the last retrain started.
    started_at: usize,
    error: Option<String>,
    versions: Vec<Version>,
    preempt: Arc<AtomicBool>,
}

/// The session.
#[derive(Debug)]
pub struct Session {
    tasks: Vec<Task>,
    texts: Arc<Vec<String>>,
    index: BTreeMap<String, usize>,
    labels: Vec<LabelInfo>,
    store: Store,
    history: Vec<usize>,
    /// Undecided tasks in queue order.
    ranked: Vec<usize>,
    /// What the page walks after the history: one per group.
    queue: Vec<usize>,
    group_of: Vec<usize>,
    members: Vec<Vec<usize>>,
    /// Groups decided into since the model last changed.
    batch: BTreeSet<usize>,
    suggested_by: Vec<Option<u32>>,
    settings: Settings,
    learning: Option<Learning>,
    review: Option<Review>,
    first: Option<Instant>,
    last: Option<Instant>,
    count: usize,
}

impl Session {
    /// Start (or resume) a session over `tasks`, with `labels` as the label set and `store`
    /// holding earlier decisions.
    pub fn new(
        tasks: Vec<Task>,
        labels: Vec<LabelInfo>,
        store: Store,
        settings: Settings,
    ) -> Result<Session> {
        if settings.order == Order::Uncertain && tasks.iter().any(|t| t.suggestions.is_empty()) {
            return Err(Error::Input(
                "--order uncertain needs model suggestions".into(),
            ));
        }
        let index: BTreeMap<String, usize> = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let history: Vec<usize> = store
            .history()
            .iter()
            .filter_map(|id| index.get(id).copied())
            .collect();
        let decided: BTreeSet<usize> = history.iter().copied().collect();
        let mut ranked: Vec<usize> = (0..tasks.len()).filter(|i| !decided.contains(i)).collect();
        arrange(&tasks, &mut ranked, settings.order);
        let n = tasks.len();
        let suggested_by = tasks
            .iter()
            .map(|t| (!t.suggestions.is_empty()).then_some(0))
            .collect();
        let mut s = Session {
            texts: Arc::new(tasks.iter().map(|t| t.para.text.clone()).collect()),
            tasks,
            index,
            labels,
            store,
            history,
            queue: Vec::new(),
            ranked,
            group_of: (0..n).collect(),
            members: (0..n).map(|i| vec![i]).collect(),
            batch: BTreeSet::new(),
            suggested_by,
            settings,
            learning: None,
            review: None,
            first: None,
            last: None,
            count: 0,
        };
        s.refresh_queue();
        Ok(s)
    }

    /// Use near-duplicate groups (one per task, see [`crate::groups`]).
    pub fn with_groups(mut self, groups: Groups) -> Result<Session> {
        if groups.of.len() != self.tasks.len() {
            return Err(Error::Input("groups do not match the tasks".into()));
        }
        self.members = groups.members();
        self.group_of = groups.of;
        self.refresh_queue();
        Ok(self)
    }

    /// Learn live: retrain with `learner` every [`Learner::every`] decisions (the server
    /// runs it on a thread of its own).
    pub fn with_learning(mut self, learner: Learner) -> Session {
        self.learning = Some(Learning {
            every: learner.every(),
            base: learner.base_len(),
            learner: Some(learner),
            version: 0,
            training: None,
            started_at: 0,
            error: None,
            versions: vec![Version {
                version: 0,
                decisions: 0,
                seconds: 0.0,
                estimate: None,
            }],
            preempt: Arc::new(AtomicBool::new(false)),
        });
        self
    }

    /// Review disagreements: the tasks are `review`'s disputed paragraphs; its agreed ones
    /// are recorded in the store now (once) with `"agreed": true`.
    pub fn with_review(mut self, review: Review) -> Result<Session> {
        let fresh: Vec<Decision> = review
            .agreed_decisions(self.settings.annotator.as_deref())
            .into_iter()
            .filter(|d| self.store.get(&d.id).is_none())
            .collect();
        self.store.record_new(&fresh)?;
        self.review = Some(review);
        Ok(self)
    }

    /// The learner, for the thread that runs it (once).
    pub fn take_learner(&mut self) -> Option<Learner> {
        self.learning.as_mut().and_then(|l| l.learner.take())
    }

    /// The store's warnings from opening.
    pub fn warnings(&self) -> &[String] {
        self.store.warnings()
    }

    /// Tasks in the session.
    pub fn total(&self) -> usize {
        self.tasks.len()
    }

    /// Tasks decided.
    pub fn done(&self) -> usize {
        self.history.len()
    }

    /// The label set.
    pub fn labels(&self) -> &[LabelInfo] {
        &self.labels
    }

    /// The task texts, in task order (for re-computing suggestions outside the lock).
    pub fn texts(&self) -> Arc<Vec<String>> {
        self.texts.clone()
    }

    fn refresh_queue(&mut self) {
        let mut taken = vec![false; self.tasks.len()];
        let (mut first, mut later) = (Vec::new(), Vec::new());
        for &i in &self.ranked {
            let g = self.group_of[i];
            if std::mem::replace(&mut taken[g], true) {
                continue;
            }
            if self.batch.contains(&g) {
                later.push(i);
            } else {
                first.push(i);
            }
        }
        first.extend(later);
        self.queue = first;
    }

    /// The state.
    pub fn state(&self) -> StateView {
        let per_hour = match (self.first, self.last) {
            (Some(a), Some(b)) if self.count >= 2 => {
                let secs = b.duration_since(a).as_secs_f64();
                (secs > 0.0).then(|| (self.count - 1) as f64 * 3600.0 / secs)
            }
            _ => None,
        };
        StateView {
            total: self.total(),
            done: self.done(),
            length: self.done() + self.queue.len(),
            skipped: self
                .history
                .iter()
                .filter(|&&i| self.store.get(&self.tasks[i].id).is_some_and(|s| s.skipped))
                .count(),
            per_hour,
            labels: self
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| LabelView {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    description: l.description.clone(),
                    key: KEYS.get(i).unwrap_or(&"").to_string(),
                })
                .collect(),
            order: self.settings.order.name(),
            suggestions: self.tasks.iter().any(|t| !t.suggestions.is_empty()),
            can_rerank: self.settings.can_rerank,
            out: self
                .store
                .out_path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            groups: self.members.iter().filter(|m| m.len() > 1).count(),
            learn: self.learning.as_ref().map(|l| LearnView {
                every: l.every,
                base: l.base,
                version: l.version,
                training: l.training,
                labelled: self.store.labelled(),
                error: l.error.clone(),
                versions: l.versions.clone(),
            }),
            review: self.review.as_ref().map(|r| r.view(&self.gold())),
        }
    }

    /// The reviewed labels so far by id: agreed and decided paragraphs (review mode).
    fn gold(&self) -> BTreeMap<String, Vec<String>> {
        self.store
            .examples()
            .into_iter()
            .filter_map(|e| Some((e.id?, e.labels)))
            .collect()
    }

    fn at(&self, n: usize) -> Option<usize> {
        if n < self.history.len() {
            Some(self.history[n])
        } else {
            self.queue.get(n - self.history.len()).copied()
        }
    }

    fn undecided_others(&self, i: usize) -> Vec<usize> {
        self.members[self.group_of[i]]
            .iter()
            .copied()
            .filter(|&m| m != i && self.store.get(&self.tasks[m].id).is_none())
            .collect()
    }

    /// The task at position `n` of the sequence.
    pub fn task(&self, n: usize) -> Option<TaskView> {
        let i = self.at(n)?;
        let t = &self.tasks[i];
        let terms: Vec<String> = t
            .suggestions
            .iter()
            .flat_map(|s| s.evidence.iter().cloned())
            .collect();
        let votes = self
            .review
            .as_ref()
            .map(|r| r.votes(&t.id))
            .unwrap_or_default();
        let preselect = if self.review.is_some() {
            crate::review::majority(&votes)
        } else {
            t.suggestions
                .iter()
                .zip(&self.labels)
                .filter(|(s, _)| s.selected)
                .map(|(_, l)| l.id.clone())
                .collect()
        };
        Some(TaskView {
            n,
            id: t.id.clone(),
            doc: t.para.doc.clone(),
            paragraph: t.para.index,
            heading: t.para.heading_path(),
            segments: highlight(&t.para.text, &terms),
            suggestions: t
                .suggestions
                .iter()
                .zip(&self.labels)
                .map(|(s, l)| SuggestionView {
                    label: l.id.clone(),
                    suggestion: s.clone(),
                })
                .collect(),
            preselect,
            model_version: self.suggested_by[i],
            group: GroupView {
                size: self.members[self.group_of[i]].len(),
                undecided_others: self.undecided_others(i).len(),
            },
            votes,
            decision: self.store.get(&t.id).map(|s| DecisionView {
                labels: s.labels.clone(),
                skipped: s.skipped,
                applied_from: s.applied_from.clone(),
            }),
        })
    }

    fn decision(&self, i: usize, labels: &[String], skipped: bool, ts: &str) -> Decision {
        let t = &self.tasks[i];
        Decision {
            id: t.id.clone(),
            doc: t.para.doc.clone(),
            paragraph: t.para.index,
            heading: t.para.heading_path(),
            text: t.para.text.clone(),
            labels: labels.to_vec(),
            skipped,
            annotator: self.settings.annotator.clone(),
            applied_from: None,
            agreed: false,
            ts: ts.to_string(),
        }
    }

    /// Record a decision (durably) and say which position to show next.
    pub fn decide(&mut self, req: DecideRequest) -> std::result::Result<DecideView, Refusal> {
        let &i = self
            .index
            .get(&req.id)
            .ok_or_else(|| Refusal::NotFound(format!("no paragraph with id {:?}", req.id)))?;
        if req.skip && !req.labels.is_empty() {
            return Err(Refusal::Bad("a skip has no labels".into()));
        }
        let mut labels = BTreeSet::new();
        for l in &req.labels {
            if !self.labels.iter().any(|x| &x.id == l) {
                return Err(Refusal::Bad(format!("unknown label {l:?}")));
            }
            labels.insert(l.clone());
        }
        let labels: Vec<String> = labels.into_iter().collect();
        let ts = now_iso();
        let d = self.decision(i, &labels, req.skip, &ts);
        let others = if req.group {
            self.undecided_others(i)
        } else {
            Vec::new()
        };
        let applied: Vec<Decision> = others
            .iter()
            .map(|&m| Decision {
                applied_from: Some(d.id.clone()),
                ..self.decision(m, &labels, req.skip, &ts)
            })
            .collect();
        self.store
            .record(&d)
            .map_err(|e| Refusal::Conflict(format!("could not save: {e}")))?;
        self.store
            .record_new(&applied)
            .map_err(|e| Refusal::Conflict(format!("could not save the group: {e}")))?;
        let pos = match self.history.iter().position(|&h| h == i) {
            Some(p) => p,
            None => {
                self.history.push(i);
                self.history.len() - 1
            }
        };
        self.history.extend(&others);
        let gone: BTreeSet<usize> = others.iter().copied().chain([i]).collect();
        self.ranked.retain(|q| !gone.contains(q));
        self.batch.insert(self.group_of[i]);
        self.refresh_queue();
        let now = Instant::now();
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.count += 1;
        if self.wants_retrain() {
            if let Some(l) = &self.learning {
                l.preempt.store(true, Ordering::Relaxed);
            }
        }
        Ok(DecideView {
            next: if others.is_empty() {
                pos + 1
            } else {
                self.history.len()
            },
            applied: others.len(),
            state: self.state(),
        })
    }

    /// True when live learning is on, no retrain is running and enough new decisions
    /// have arrived since the last one started (the server then wakes the learner).
    pub fn wants_retrain(&self) -> bool {
        self.learning.as_ref().is_some_and(|l| {
            l.training.is_none() && self.store.labelled() >= l.started_at + l.every
        })
    }

    /// Start a retrain if one is wanted: the decisions as they are now.
    pub fn start_retrain(&mut self) -> Option<Job> {
        if !self.wants_retrain() {
            return None;
        }
        let decisions: Vec<Example> = self.store.examples();
        let keys = decisions
            .iter()
            .map(|e| {
                let id = e.id.clone().unwrap_or_else(|| e.text.clone());
                match self.index.get(&id) {
                    Some(&i) => self.tasks[self.group_of[i]].id.clone(),
                    None => id,
                }
            })
            .collect();
        let texts = self.texts.clone();
        let l = self.learning.as_mut()?;
        l.preempt.store(false, Ordering::Relaxed);
        l.started_at = self.store.labelled();
        let version = l.versions.last().map_or(0, |v| v.version) + 1;
        l.training = Some(version);
        Some(Job {
            version,
            decisions,
            keys,
            texts,
            preempt: l.preempt.clone(),
        })
    }

    /// A retrain failed: keep the model, say why.
    pub fn retrain_failed(&mut self, version: u32, why: String) {
        if let Some(l) = self.learning.as_mut() {
            l.training = None;
            l.error = Some(format!("retraining v{version} failed: {why}"));
        }
    }

    /// A retrain succeeded: swap its suggestions in for the undecided tasks, re-rank, and
    /// start a new batch. Refused (the caller reports it) when its labels differ.
    pub fn install(
        &mut self,
        version: u32,
        decisions: usize,
        seconds: f64,
        labels: &[LabelInfo],
        suggestions: Vec<Vec<Suggestion>>,
    ) -> std::result::Result<(), String> {
        let undecided: BTreeSet<usize> = self.ranked.iter().copied().collect();
        let decided_now = (0..self.tasks.len())
            .filter(|i| !undecided.contains(i))
            .collect::<Vec<_>>();
        let kept: Vec<(usize, Vec<Suggestion>, Option<u32>)> = decided_now
            .iter()
            .map(|&i| (i, self.tasks[i].suggestions.clone(), self.suggested_by[i]))
            .collect();
        self.rerank(labels, suggestions).map_err(|r| match r {
            Refusal::Bad(m) | Refusal::NotFound(m) | Refusal::Conflict(m) => m,
        })?;
        // Decided tasks keep the suggestions they were decided with.
        for (i, s, by) in kept {
            self.tasks[i].suggestions = s;
            self.suggested_by[i] = by;
        }
        for &i in &undecided {
            self.suggested_by[i] = Some(version);
        }
        self.batch.clear();
        self.refresh_queue();
        if let Some(l) = self.learning.as_mut() {
            l.training = None;
            l.error = None;
            l.version = version;
            l.versions.push(Version {
                version,
                decisions,
                seconds,
                estimate: None,
            });
        }
        Ok(())
    }

    /// The held-out estimate of `version` is in.
    pub fn estimated(&mut self, version: u32, estimate: Estimate) {
        if let Some(v) = self
            .learning
            .as_mut()
            .and_then(|l| l.versions.iter_mut().find(|v| v.version == version))
        {
            v.estimate = Some(estimate);
        }
    }

    /// Replace every task's suggestions (computed by a re-loaded model, one list per task
    /// in task order) and re-order the undecided tasks.
    pub fn rerank(
        &mut self,
        labels: &[LabelInfo],
        suggestions: Vec<Vec<Suggestion>>,
    ) -> std::result::Result<(), Refusal> {
        let same = labels.len() == self.labels.len()
            && labels.iter().zip(&self.labels).all(|(a, b)| a.id == b.id);
        if !same {
            return Err(Refusal::Conflict(
                "the new model has other labels than this session; restart annotate".into(),
            ));
        }
        if suggestions.len() != self.tasks.len() {
            return Err(Refusal::Conflict(
                "suggestions do not match the tasks".into(),
            ));
        }
        for ((t, s), by) in self
            .tasks
            .iter_mut()
            .zip(suggestions)
            .zip(&mut self.suggested_by)
        {
            t.suggestions = s;
            by.get_or_insert(0);
        }
        arrange(&self.tasks, &mut self.ranked, self.settings.order);
        self.refresh_queue();
        Ok(())
    }
}

/// Suggestions for `texts` with `tagger` (the work of a re-rank, done outside the lock).
pub fn suggest_all(tagger: &Pipeline, texts: &[String]) -> Vec<Vec<Suggestion>> {
    use rayon::prelude::*;
    texts
        .par_iter()
        .map(|t| crate::queue::suggestions(tagger, t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{tasks, Paragraph};

    fn labels() -> Vec<LabelInfo> {
        ["a", "b"]
            .iter()
            .map(|id| LabelInfo {
                id: id.to_string(),
                name: id.to_uppercase(),
                description: String::new(),
            })
            .collect()
    }

    fn session(dir: &std::path::Path, order: Order) -> Session {
        let paras = (0..4)
            .map(|i| Paragraph {
                id: format!("p{i}"),
                doc: "d.jsonl".into(),
                index: i,
                heading: Vec::new(),
                start: 0,
                end: 0,
                text: format!("第{i}段"),
                normalized: None,
                chrome_checked: false,
                document: None,
            })
            .collect();
        let mut t = tasks(paras, None).unwrap();
        if order == Order::Uncertain {
            for (k, t) in t.iter_mut().enumerate() {
                let score = [0.8, 0.02, 0.52, 0.4][k];
                t.suggestions = vec![
                    Suggestion {
                        score,
                        threshold: 0.5,
                        selected: score >= 0.5,
                        evidence: vec![],
                    };
                    2
                ];
            }
        }
        let store = Store::open(&dir.join("out.jsonl")).unwrap();
        let settings = Settings {
            order,
            annotator: Some("me".into()),
            can_rerank: false,
        };
        Session::new(t, labels(), store, settings).unwrap()
    }

    fn req(id: &str, labels: &[&str], skip: bool) -> DecideRequest {
        DecideRequest {
            id: id.into(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            skip,
            group: false,
        }
    }

    #[test]
    fn deciding_walks_the_queue_and_back_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path(), Order::File);
        assert_eq!(s.task(0).unwrap().id, "p0");
        assert_eq!(
            s.decide(req("p0", &["b", "a", "a"], false)).unwrap().next,
            1
        );
        assert_eq!(s.decide(req("p1", &[], true)).unwrap().next, 2);
        let st = s.state();
        assert_eq!((st.done, st.skipped, st.total), (2, 1, 4));
        // Back to position 0: the decision is shown, and deciding again replaces it.
        let back = s.task(0).unwrap();
        assert_eq!(back.decision.unwrap().labels, ["a", "b"]);
        assert_eq!(s.decide(req("p0", &["a"], false)).unwrap().next, 1);
        assert_eq!(s.done(), 2);
        assert_eq!(s.task(2).unwrap().id, "p2");
        assert!(s.task(4).is_none());
        let text = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.contains("\"labels\":[\"a\"]") && text.contains("\"annotator\":\"me\""));
    }

    #[test]
    fn bad_requests_are_refused_and_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path(), Order::File);
        assert!(matches!(
            s.decide(req("p0", &["zz"], false)),
            Err(Refusal::Bad(_))
        ));
        assert!(matches!(
            s.decide(req("nope", &[], false)),
            Err(Refusal::NotFound(_))
        ));
        assert!(matches!(
            s.decide(req("p0", &["a"], true)),
            Err(Refusal::Bad(_))
        ));
        assert_eq!(s.done(), 0);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
            ""
        );
    }

    #[test]
    fn resume_skips_decided_and_keeps_their_order() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = session(dir.path(), Order::File);
            s.decide(req("p0", &["a"], false)).unwrap();
            s.decide(req("p1", &[], true)).unwrap();
        }
        let s = session(dir.path(), Order::File);
        assert_eq!(s.done(), 2);
        assert_eq!(s.task(0).unwrap().id, "p0");
        assert!(s.task(1).unwrap().decision.unwrap().skipped);
        assert_eq!(s.task(2).unwrap().id, "p2");
        assert!(s.task(2).unwrap().decision.is_none());
    }

    #[test]
    fn uncertain_queue_and_rerank() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path(), Order::Uncertain);
        // Scores 0.8, 0.02, 0.52, 0.4 around 0.5: p2 then p3 then p0 then p1.
        let order: Vec<String> = (0..4).map(|n| s.task(n).unwrap().id).collect();
        assert_eq!(order, ["p2", "p3", "p0", "p1"]);
        s.decide(req("p2", &[], false)).unwrap();
        // A new model makes p1 the least sure; the decided p2 stays first.
        let new: Vec<Vec<Suggestion>> = [0.99, 0.5, 0.3, 0.9]
            .iter()
            .map(|&score| {
                vec![
                    Suggestion {
                        score,
                        threshold: 0.5,
                        selected: score >= 0.5,
                        evidence: vec![],
                    };
                    2
                ]
            })
            .collect();
        s.rerank(&labels(), new.clone()).unwrap();
        let order: Vec<String> = (0..4).map(|n| s.task(n).unwrap().id).collect();
        assert_eq!(order, ["p2", "p1", "p3", "p0"]);
        assert!(matches!(
            s.rerank(&labels()[..1], new),
            Err(Refusal::Conflict(_))
        ));
    }

    fn grouped(dir: &std::path::Path) -> Session {
        // Groups must match the tasks.
        assert!(session(dir, Order::File)
            .with_groups(Groups::singletons(5))
            .is_err());
        // p0, p2 and p4 are one group; p1 and p3 stand alone.
        let paras = (0..5)
            .map(|i| Paragraph {
                id: format!("p{i}"),
                doc: "d.jsonl".into(),
                index: i,
                heading: Vec::new(),
                start: 0,
                end: 0,
                text: format!("第{i}段"),
                normalized: None,
                chrome_checked: false,
                document: None,
            })
            .collect();
        let store = Store::open(&dir.join("grouped.jsonl")).unwrap();
        let settings = Settings {
            order: Order::File,
            annotator: None,
            can_rerank: false,
        };
        Session::new(tasks(paras, None).unwrap(), labels(), store, settings)
            .unwrap()
            .with_groups(Groups {
                of: vec![0, 1, 0, 3, 0],
            })
            .unwrap()
    }

    #[test]
    fn one_per_group_in_the_queue_and_a_group_decision_covers_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = grouped(dir.path());
        let ids = |s: &Session| -> Vec<String> {
            (0..s.state().length)
                .map(|n| s.task(n).unwrap().id)
                .collect()
        };
        assert_eq!(s.state().length, 3);
        assert_eq!(ids(&s), ["p0", "p1", "p3"]);
        assert_eq!(s.state().groups, 1);
        let t = s.task(0).unwrap();
        assert_eq!((t.group.size, t.group.undecided_others), (3, 2));
        // Deciding p0 alone: the group's next member comes back, behind the other groups
        // (no two of one group in a batch).
        s.decide(req("p0", &["a"], false)).unwrap();
        assert_eq!(ids(&s), ["p0", "p1", "p3", "p2"]);
        // Deciding p2 for the whole group covers p4 too, recorded as applied.
        let mut r = req("p2", &["b"], false);
        r.group = true;
        let v = s.decide(r).unwrap();
        assert_eq!((v.applied, v.next, v.state.done), (1, 3, 3));
        assert_eq!(ids(&s), ["p0", "p2", "p4", "p1", "p3"]);
        let p4 = s.task(2).unwrap().decision.unwrap();
        assert_eq!(
            (p4.labels, p4.applied_from),
            (vec!["b".to_string()], Some("p2".into()))
        );
        // p0, decided on its own, is not overwritten by the group decision.
        assert_eq!(s.task(0).unwrap().decision.unwrap().labels, ["a"]);
        let text = std::fs::read_to_string(s.store.out_path()).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert_eq!(text.matches("\"applied_from\":\"p2\"").count(), 1);
    }

    #[test]
    fn retrains_are_due_every_n_labelled_and_installs_rerank_and_keep_decided() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path(), Order::File);
        assert!(!s.wants_retrain() && s.start_retrain().is_none());
        let base = vec![Example {
            doc: None,
            id: None,
            text: "x".into(),
            labels: vec!["a".into()],
        }];
        let learner = Learner::new(
            policytag_model::train::TrainParams::default(),
            base,
            &labels(),
            2,
        )
        .unwrap();
        let mut s = s.with_learning(learner);
        assert!(s.take_learner().is_some() && s.take_learner().is_none());
        s.decide(req("p0", &["a"], false)).unwrap();
        s.decide(req("p1", &[], true)).unwrap();
        assert!(!s.wants_retrain(), "skips are not training data");
        s.decide(req("p2", &["b"], false)).unwrap();
        let job = s.start_retrain().unwrap();
        assert_eq!((job.version, job.decisions.len()), (1, 2));
        assert_eq!(job.keys, ["p0", "p2"]);
        assert!(s.start_retrain().is_none(), "one retrain at a time");
        assert_eq!(s.state().learn.unwrap().training, Some(1));
        s.retrain_failed(1, "too few".into());
        let l = s.state().learn.unwrap();
        assert!(l.error.unwrap().contains("v1 failed: too few"));
        assert_eq!((l.version, l.training), (0, None));
        s.decide(req("p3", &["a"], false)).unwrap();
        assert!(s.start_retrain().is_none(), "the next try waits for N more");
        let sugg = |score: f64| Suggestion {
            score,
            threshold: 0.5,
            selected: score >= 0.5,
            evidence: vec![],
        };
        let new: Vec<Vec<Suggestion>> = (0..4).map(|_| vec![sugg(0.9), sugg(0.1)]).collect();
        assert!(s.install(1, 3, 0.5, &labels()[..1], new.clone()).is_err());
        s.install(1, 3, 0.5, &labels(), new).unwrap();
        let l = s.state().learn.unwrap();
        assert_eq!((l.version, l.error, l.versions.len()), (1, None, 2));
        // Decided tasks keep what they were decided with (no suggestions here).
        assert!(s.task(0).unwrap().suggestions.is_empty());
        assert_eq!(s.task(0).unwrap().model_version, None);
        assert!(!s.wants_retrain());
    }
}
