//! One annotation session: the tasks, what was decided, and the sequence the page walks.
//!
//! The sequence is the decided tasks in the order they were decided (this session and
//! earlier ones, read back from the out file), then the undecided tasks in queue order.
//! Position `done` is the first undecided task; Backspace walks back into the decided
//! part, where deciding again replaces the earlier decision. Re-ranking re-orders only the
//! undecided part.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use policytag_data::LabelInfo;
use policytag_pipeline::Pipeline;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::queue::{arrange, highlight, Order, Segment, Suggestion, Task};
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

/// `GET /api/state`.
#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    /// Tasks in the session.
    pub total: usize,
    /// Tasks decided (labelled or skipped); also the position of the first undecided one.
    pub done: usize,
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
}

/// `POST /api/decide` answer.
#[derive(Debug, Clone, Serialize)]
pub struct DecideView {
    /// The position to show next.
    pub next: usize,
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

/// The session.
#[derive(Debug)]
pub struct Session {
    tasks: Vec<Task>,
    index: BTreeMap<String, usize>,
    labels: Vec<LabelInfo>,
    store: Store,
    history: Vec<usize>,
    queue: Vec<usize>,
    settings: Settings,
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
        let mut queue: Vec<usize> = (0..tasks.len()).filter(|i| !decided.contains(i)).collect();
        arrange(&tasks, &mut queue, settings.order);
        Ok(Session {
            tasks,
            index,
            labels,
            store,
            history,
            queue,
            settings,
            first: None,
            last: None,
            count: 0,
        })
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
    pub fn texts(&self) -> Vec<String> {
        self.tasks.iter().map(|t| t.para.text.clone()).collect()
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
        }
    }

    fn at(&self, n: usize) -> Option<usize> {
        if n < self.history.len() {
            Some(self.history[n])
        } else {
            self.queue.get(n - self.history.len()).copied()
        }
    }

    /// The task at position `n` of the sequence.
    pub fn task(&self, n: usize) -> Option<TaskView> {
        let t = &self.tasks[self.at(n)?];
        let terms: Vec<String> = t
            .suggestions
            .iter()
            .flat_map(|s| s.evidence.iter().cloned())
            .collect();
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
            decision: self.store.get(&t.id).map(|s| DecisionView {
                labels: s.labels.clone(),
                skipped: s.skipped,
            }),
        })
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
        let t = &self.tasks[i];
        let d = Decision {
            id: t.id.clone(),
            doc: t.para.doc.clone(),
            paragraph: t.para.index,
            heading: t.para.heading_path(),
            text: t.para.text.clone(),
            labels: labels.into_iter().collect(),
            skipped: req.skip,
            annotator: self.settings.annotator.clone(),
            ts: now_iso(),
        };
        self.store
            .record(&d)
            .map_err(|e| Refusal::Conflict(format!("could not save: {e}")))?;
        let pos = match self.history.iter().position(|&h| h == i) {
            Some(p) => p,
            None => {
                self.queue.retain(|&q| q != i);
                self.history.push(i);
                self.history.len() - 1
            }
        };
        let now = Instant::now();
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.count += 1;
        Ok(DecideView {
            next: pos + 1,
            state: self.state(),
        })
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
                "the re-loaded model has other labels than this session; restart annotate".into(),
            ));
        }
        if suggestions.len() != self.tasks.len() {
            return Err(Refusal::Conflict(
                "suggestions do not match the tasks".into(),
            ));
        }
        for (t, s) in self.tasks.iter_mut().zip(suggestions) {
            t.suggestions = s;
        }
        arrange(&self.tasks, &mut self.queue, self.settings.order);
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
}
