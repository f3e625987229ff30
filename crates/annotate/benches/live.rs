//! Benchmarks of annotation that learns (run by `make bench`; not tests):
//!
//! 1. **grouping** — near-duplicate groups of the 97 real excerpts + 5 real reports + the
//!    corpus, and of 100 000 synthetic paragraphs (corpus paragraphs with digits and
//!    characters changed), exact prefix-filtered index vs MinHash LSH;
//! 2. **retrain** — retraining on the shipped corpus plus 200 decisions, as `annotate
//!    --learn` does it (the default model's training parameters), and the held-out estimate;
//! 3. **latency** — per-decision latency over HTTP while retrains run (a server in-process,
//!    retraining every 20 decisions on the shipped corpus plus the decisions, 20 decisions
//!    a second);
//! 4. **learning curve** — an annotator simulated by the real excerpts' gold labels: from
//!    the shipped corpus, label 20, 40, … 200 excerpt paragraphs in uncertainty order (one
//!    per near-duplicate group per batch), random order and input order, retrain after each
//!    batch, macro-F1 on the 5 real reports; writes `docs/learning-curve.svg` and
//!    `bench-out/learning-curve.tsv`. The models are thrown away and no text is written.
//!
//! Parts that need `../shared/real` skip with a message when it is absent.
//! `cargo bench -p policytag-annotate --bench live -- [grouping] [retrain] [latency] [curve]`
//! runs some parts only.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use policytag_annotate::groups::{group, GroupParams, Method};
use policytag_annotate::learn::Learner;
use policytag_annotate::queue::{self, Order, Paragraph};
use policytag_annotate::session::suggest_all;
use policytag_annotate::store::Store;
use policytag_annotate::{serve, Session, Settings, Stop};
use policytag_data::jsonl::{read_jsonl, ReadOptions};
use policytag_data::Example;
use policytag_model::{Metrics, Model};
use policytag_pipeline::Pipeline;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn real() -> Option<PathBuf> {
    let r = root().join("../shared/real");
    if r.join("gold.jsonl").exists() && r.join("excerpts/gold.jsonl").exists() {
        Some(r)
    } else {
        println!(
            "  skipped: {} is absent (real reports are needed for this part)",
            r.display()
        );
        None
    }
}

fn read(p: &Path) -> Vec<Example> {
    let opts = ReadOptions {
        skip_bad: false,
        labels_optional: false,
    };
    read_jsonl(p, opts)
        .unwrap_or_else(|e| panic!("{e}"))
        .examples
}

fn default_model() -> Model {
    policytag_pipeline::load_model(Some(&root().join("models/default.model"))).unwrap()
}

fn learner(every: usize) -> Learner {
    let m = default_model();
    Learner::new(
        m.training.params.clone(),
        read(&root().join("corpus/train.jsonl")),
        &m.labels,
        every,
    )
    .unwrap()
    .with_start_model(m)
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn grouping() {
    println!("== grouping (character 5-grams, Jaccard >= 0.7)");
    let mut texts: Vec<String> = Vec::new();
    for f in ["corpus/train.jsonl", "corpus/test.jsonl"] {
        texts.extend(read(&root().join(f)).into_iter().map(|e| e.text));
    }
    let corpus = texts.clone();
    if let Some(r) = real() {
        for f in ["excerpts/gold.jsonl", "gold.jsonl"] {
            texts.extend(read(&r.join(f)).into_iter().map(|e| e.text));
        }
        time_groups("97 excerpts + 5 reports + corpus", &texts);
    }
    // 100 000 paragraphs: every corpus paragraph about 25 times, each copy with a few
    // characters replaced (deterministically), as yearly reports repeat boilerplate.
    let synthetic: Vec<String> = (0..100_000usize)
        .map(|i| {
            let base: Vec<char> = corpus[i % corpus.len()].chars().collect();
            let other: Vec<char> = corpus[(i * 7 + 3) % corpus.len()].chars().collect();
            let step = 9 + i % 23;
            base.iter()
                .enumerate()
                .map(|(k, &c)| {
                    if (k + i) % step == 0 {
                        other[k % other.len().max(1)]
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    time_groups("100 000 synthetic paragraphs", &synthetic);
}

fn time_groups(what: &str, texts: &[String]) {
    let mut exact_groups = None;
    for method in [Method::Exact, Method::MinHash] {
        let t = Instant::now();
        let g = group(
            texts,
            GroupParams {
                method,
                ..GroupParams::default()
            },
        );
        let s = secs(t);
        let folded = texts.len() - g.count();
        let members = g.members();
        let multi = members.iter().filter(|m| m.len() > 1).count();
        let recall = match &exact_groups {
            None => String::new(),
            Some(e) => format!(
                ", {:.1}% of the exact method's folded paragraphs",
                100.0 * folded as f64 / (*e as f64).max(1.0)
            ),
        };
        println!(
            "  {what}: {:?} {s:.2} s, {} paragraphs, {multi} groups of 2+, {folded} folded into them{recall}",
            method,
            texts.len()
        );
        if method == Method::Exact {
            exact_groups = Some(folded);
        }
    }
}

fn decisions_200() -> Vec<Example> {
    match real() {
        Some(r) => read(&r.join("excerpts/gold.jsonl"))
            .into_iter()
            .take(200)
            .collect(),
        None => {
            println!("  (using 200 corpus/test.jsonl paragraphs as the decisions instead)");
            read(&root().join("corpus/test.jsonl"))
                .into_iter()
                .take(200)
                .collect()
        }
    }
}

fn retrain() {
    println!("== retrain: shipped corpus + 200 decisions, the default model's parameters");
    let l = learner(20);
    let d = decisions_200();
    let never = AtomicBool::new(false);
    let t = Instant::now();
    l.prepare().unwrap();
    println!(
        "  preparing the base corpus once (tokenise, vectorise {} paragraphs): {:.2} s",
        l.base_len(),
        secs(t)
    );
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let m = l.fit(&d, &never).unwrap();
        times.push(secs(t));
        assert_eq!(m.training.examples, l.base_len() + d.len());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "  retrain on {} + {} examples: best {:.2} s, median {:.2} s (target <= 5 s)",
        l.base_len(),
        d.len(),
        times[0],
        times[1]
    );
    let keys: Vec<String> = (0..d.len()).map(|i| i.to_string()).collect();
    let ids: Vec<String> = default_model().labels.into_iter().map(|x| x.id).collect();
    let t = Instant::now();
    let m = l.estimate(&d, &keys, &ids, &never).unwrap();
    println!(
        "  held-out estimate (3 folds over the 200): {:.2} s, macro-F1 {:.3}",
        secs(t),
        m.macro_f1
    );
}

/// One HTTP request; returns the parsed JSON body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let b = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
        b.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    serde_json::from_str(resp.split_once("\r\n\r\n").unwrap().1).unwrap()
}

fn latency() {
    println!(
        "== latency: 200 decisions over HTTP (20 a second), retraining every 20 in the background"
    );
    let d = decisions_200();
    let paras: Vec<Paragraph> = d
        .iter()
        .enumerate()
        .map(|(i, e)| Paragraph {
            id: format!("p{i}"),
            doc: "bench".into(),
            index: i,
            heading: Vec::new(),
            start: 0,
            end: 0,
            text: e.text.clone(),
            normalized: None,
            chrome_checked: false,
            document: None,
        })
        .collect();
    let m = default_model();
    let labels = m.labels.clone();
    let tagger = Pipeline::new(m).unwrap();
    let tasks = queue::tasks(paras, Some(&tagger)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        order: Order::Uncertain,
        annotator: None,
        can_rerank: false,
    };
    let session = Session::new(
        tasks,
        labels,
        Store::open(&dir.path().join("l.jsonl")).unwrap(),
        settings,
    )
    .unwrap()
    .with_learning(learner(20));
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let (stop, stop_rx) = std::sync::mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        serve(
            session,
            0,
            None,
            |a| port_tx.send(a.port()).unwrap(),
            Stop::Channel(stop_rx),
        )
        .unwrap()
    });
    let port = port_rx.recv().unwrap();
    let (mut busy, mut idle) = (Vec::new(), Vec::new());
    for n in 0..d.len() {
        // A very fast annotator (20 decisions a second), so that retrains finish and swap
        // their models in during the run.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let t = http(port, "GET", &format!("/api/task/{n}"), None);
        let id = t["id"].as_str().unwrap().to_string();
        let k: usize = id[1..].parse().unwrap();
        let start = Instant::now();
        let r = http(
            port,
            "POST",
            "/api/decide",
            Some(&json!({"id": id, "labels": d[k].labels})),
        );
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if r["state"]["learn"]["training"].is_null() {
            idle.push(ms);
        } else {
            busy.push(ms);
        }
    }
    let st = http(port, "GET", "/api/state", None);
    drop(stop);
    server.join().unwrap();
    let show = |what: &str, v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            println!("  {what}: none");
            return;
        }
        println!(
            "  {what}: {} decisions, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            v.len(),
            v[v.len() / 2],
            v[v.len() * 95 / 100],
            v[v.len() - 1]
        );
    };
    show("while retraining", &mut busy);
    show("while idle", &mut idle);
    println!(
        "  model versions during the run: {} (target: every decision < 100 ms)",
        st["learn"]["version"]
    );
}

/// Macro-F1 of `tagger` on `gold`.
fn macro_f1(tagger: &Pipeline, gold: &[Example]) -> f64 {
    let ids: Vec<String> = tagger.labels().iter().map(|l| l.id.clone()).collect();
    let g: Vec<Vec<usize>> = gold
        .iter()
        .map(|e| {
            e.labels
                .iter()
                .filter_map(|l| ids.iter().position(|x| x == l))
                .collect()
        })
        .collect();
    let p: Vec<Vec<usize>> = gold
        .iter()
        .map(|e| tagger.predict(&e.text).labels)
        .collect();
    Metrics::compute(&ids, &g, &p).macro_f1
}

const BATCH: usize = 20;
const BATCHES: usize = 10;

fn curve() {
    println!("== learning curve: real excerpts' gold labels as the decisions, macro-F1 on the 5 real reports");
    let Some(r) = real() else { return };
    let pool = read(&r.join("excerpts/gold.jsonl"));
    let eval = read(&r.join("gold.jsonl"));
    let texts: Vec<&str> = pool.iter().map(|e| e.text.as_str()).collect();
    let groups = group(&texts, GroupParams::default());
    let paras: Vec<Paragraph> = pool
        .iter()
        .enumerate()
        .map(|(i, e)| Paragraph {
            id: i.to_string(),
            doc: "pool".into(),
            index: i,
            heading: Vec::new(),
            start: 0,
            end: 0,
            text: e.text.clone(),
            normalized: None,
            chrome_checked: false,
            document: None,
        })
        .collect();
    let l = learner(BATCH);
    let never = AtomicBool::new(false);
    let start = Pipeline::new(default_model()).unwrap();
    let f0 = macro_f1(&start, &eval);
    let mut rows: Vec<(&str, Vec<f64>)> = Vec::new();
    for strategy in ["uncertainty", "random", "input"] {
        let t = Instant::now();
        let mut chosen: Vec<usize> = Vec::new();
        let mut scores = vec![f0];
        let mut tagger = Pipeline::new(default_model()).unwrap();
        for _ in 0..BATCHES {
            let mut left: Vec<usize> = (0..pool.len()).filter(|i| !chosen.contains(i)).collect();
            let next: Vec<usize> = match strategy {
                "uncertainty" => {
                    let mut tasks = queue::tasks(paras.clone(), None).unwrap();
                    let all: Vec<String> = pool.iter().map(|e| e.text.clone()).collect();
                    for (t, s) in tasks.iter_mut().zip(suggest_all(&tagger, &all)) {
                        t.suggestions = s;
                    }
                    queue::arrange(&tasks, &mut left, Order::Uncertain);
                    // One per near-duplicate group in a batch, as the session queues them.
                    let mut seen = BTreeSet::new();
                    let mut batch: Vec<usize> = left
                        .iter()
                        .copied()
                        .filter(|&i| seen.insert(groups.of[i]))
                        .take(BATCH)
                        .collect();
                    for &i in &left {
                        if batch.len() == BATCH {
                            break;
                        }
                        if !batch.contains(&i) {
                            batch.push(i);
                        }
                    }
                    batch
                }
                "random" => {
                    let tasks = queue::tasks(paras.clone(), None).unwrap();
                    queue::arrange(&tasks, &mut left, Order::Random { seed: 42 });
                    left.truncate(BATCH);
                    left
                }
                _ => left.into_iter().take(BATCH).collect(),
            };
            chosen.extend(next);
            let decisions: Vec<Example> = chosen.iter().map(|&i| pool[i].clone()).collect();
            tagger = Pipeline::new(l.fit(&decisions, &never).unwrap()).unwrap();
            scores.push(macro_f1(&tagger, &eval));
        }
        println!(
            "  {strategy:<12} {} ({:.0} s)",
            scores
                .iter()
                .map(|f| format!("{f:.3}"))
                .collect::<Vec<_>>()
                .join(" "),
            secs(t)
        );
        rows.push((strategy, scores));
    }
    let target = rows[1].1[BATCHES];
    let reach = rows[0]
        .1
        .iter()
        .position(|&f| f >= target)
        .map(|k| k * BATCH);
    match reach {
        Some(n) => println!(
            "  uncertainty order reaches random order's 200-label macro-F1 ({target:.3}) with {n} labels ({:.0}%)",
            100.0 * n as f64 / (BATCH * BATCHES) as f64
        ),
        None => println!(
            "  uncertainty order does not reach random order's 200-label macro-F1 ({target:.3}); its best is {:.3}",
            rows[0].1.iter().copied().fold(0.0, f64::max)
        ),
    }
    let out = root().join("bench-out");
    std::fs::create_dir_all(&out).unwrap();
    let mut tsv = String::from("labelled\tuncertainty\trandom\tinput\n");
    for k in 0..=BATCHES {
        tsv.push_str(&format!(
            "{}\t{:.4}\t{:.4}\t{:.4}\n",
            k * BATCH,
            rows[0].1[k],
            rows[1].1[k],
            rows[2].1[k]
        ));
    }
    std::fs::write(out.join("learning-curve.tsv"), tsv).unwrap();
    std::fs::write(root().join("docs/learning-curve.svg"), svg(&rows)).unwrap();
    println!("  wrote docs/learning-curve.svg and bench-out/learning-curve.tsv");
}

/// A line chart of macro-F1 against paragraphs labelled, one line per order.
fn svg(rows: &[(&str, Vec<f64>)]) -> String {
    let (w, h, l, r, t, b) = (640.0, 400.0, 60.0, 150.0, 30.0, 50.0);
    let all: Vec<f64> = rows.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let lo = (all.iter().copied().fold(1.0, f64::min) * 20.0).floor() / 20.0;
    let hi = (all.iter().copied().fold(0.0, f64::max) * 20.0).ceil() / 20.0;
    let x = |k: usize| l + (w - l - r) * k as f64 / BATCHES as f64;
    let y = |f: f64| t + (h - t - b) * (1.0 - (f - lo) / (hi - lo).max(1e-9));
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n\
         <text x=\"{l}\" y=\"18\" font-size=\"14\">Macro-F1 on the 5 real reports vs paragraphs labelled</text>\n"
    );
    let mut g = lo;
    while g <= hi + 1e-9 {
        s.push_str(&format!(
            "<line x1=\"{l}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7ec\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{g:.2}</text>\n",
            w - r,
            l - 6.0,
            y(g) + 4.0,
            y = y(g)
        ));
        g += 0.05;
    }
    for k in 0..=BATCHES {
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            x(k),
            h - b + 18.0,
            k * BATCH
        ));
    }
    s.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">paragraphs labelled (excerpts, gold labels as the decisions)</text>\n",
        (l + w - r) / 2.0,
        h - 12.0
    ));
    for ((name, v), colour) in rows.iter().zip(["#1f5fbf", "#b54708", "#667085"]) {
        let pts: Vec<String> = v
            .iter()
            .enumerate()
            .map(|(k, &f)| format!("{:.1},{:.1}", x(k), y(f)))
            .collect();
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n",
            pts.join(" ")
        ));
        let last = v[v.len() - 1];
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{name} {last:.3}</text>\n",
            w - r + 8.0,
            y(last) + 4.0
        ));
    }
    s.push_str("</svg>\n");
    s
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |p: &str| args.is_empty() || args.iter().any(|a| a == p);
    if want("grouping") {
        grouping();
    }
    if want("retrain") {
        retrain();
    }
    if want("latency") {
        latency();
    }
    if want("curve") {
        curve();
    }
}
