//! The server's HTTP API, over real sockets: list (state), get, decide, back, resume,
//! re-rank, and the defences (403 for foreign Host/Origin, 413, 415, 400, 404).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use policytag_annotate::queue::{self, Order, Paragraph};
use policytag_annotate::store::Store;
use policytag_annotate::{serve, Session, Settings, Stop, Summary};
use policytag_data::LabelInfo;
use serde_json::{json, Value};

fn default_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/default.model")
}

fn labels() -> Vec<LabelInfo> {
    policytag_pipeline::load_model(Some(&default_model()))
        .unwrap()
        .labels
}

const TEXTS: [&str; 4] = [
    "全面落实“双减”，课后服务实现义务教育学校全覆盖。",
    "开展校园安全隐患排查整治，组织防溺水专题教育。",
    "新招聘教师120名，组织新教师岗前培训。",
    "新建改扩建幼儿园5所，新增普惠性学位1200个。",
];

fn session(out: &Path, can_rerank: bool) -> Session {
    let paras = TEXTS
        .iter()
        .enumerate()
        .map(|(i, t)| Paragraph {
            id: policytag_pipeline::paragraph_id("report.txt", i, t),
            doc: "report.txt".into(),
            index: i,
            heading: vec!["一、工作".into()],
            start: 0,
            end: 0,
            text: t.to_string(),
            normalized: None,
            chrome_checked: false,
            document: None,
        })
        .collect();
    let tasks = queue::tasks(paras, None).unwrap();
    let settings = Settings {
        order: Order::File,
        annotator: None,
        can_rerank,
    };
    Session::new(tasks, labels(), Store::open(out).unwrap(), settings).unwrap()
}

struct Server {
    port: u16,
    stop: mpsc::Sender<()>,
    handle: JoinHandle<Summary>,
}

impl Server {
    fn start(session: Session, model: Option<PathBuf>) -> Server {
        let (port_tx, port_rx) = mpsc::channel();
        let (stop, stop_rx) = mpsc::channel();
        let handle = std::thread::spawn(move || {
            serve(
                session,
                0,
                model,
                |addr| port_tx.send(addr.port()).unwrap(),
                Stop::Channel(stop_rx),
            )
            .unwrap()
        });
        Server {
            port: port_rx.recv().unwrap(),
            stop,
            handle,
        }
    }

    fn finish(self) -> Summary {
        self.stop.send(()).unwrap();
        self.handle.join().unwrap()
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// One request (`Connection: close`); `None` as Host sends no Host header.
    fn raw(
        &self,
        method: &str,
        path: &str,
        host: Option<&str>,
        extra: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if let Some(h) = host {
            req.push_str(&format!("Host: {h}\r\n"));
        }
        for (k, v) in extra {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some((ctype, b)) = body {
            req.push_str(&format!(
                "Content-Type: {ctype}\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        if let Some((_, b)) = body {
            // The server may answer (413) and close before reading it all.
            let _ = s.write_all(b);
        }
        let mut resp = Vec::new();
        let _ = s.read_to_end(&mut resp);
        let resp = String::from_utf8_lossy(&resp).into_owned();
        let (head, body) = resp.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head[9..12].parse().unwrap();
        (status, head.to_ascii_lowercase(), body.to_string())
    }

    fn get(&self, path: &str) -> (u16, Value) {
        let (code, _, body) = self.raw("GET", path, Some(&self.host()), &[], None);
        (code, serde_json::from_str(&body).unwrap())
    }

    fn post(&self, path: &str, v: &Value) -> (u16, Value) {
        let b = v.to_string();
        let (code, _, body) = self.raw(
            "POST",
            path,
            Some(&self.host()),
            &[],
            Some(("application/json", b.as_bytes())),
        );
        (code, serde_json::from_str(&body).unwrap())
    }
}

fn lines(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn state_get_decide_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    let srv = Server::start(session(&out, false), None);

    let (code, st) = srv.get("/api/state");
    assert_eq!(code, 200);
    assert_eq!(
        (st["total"].as_u64(), st["done"].as_u64()),
        (Some(4), Some(0))
    );
    let keys: Vec<&str> = st["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        &keys[..11],
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "q"]
    );
    assert!(!keys.contains(&"s"), "S is the skip key");

    let (code, t0) = srv.get("/api/task/0");
    assert_eq!(code, 200);
    assert_eq!(t0["paragraph"], 0);
    assert_eq!(t0["heading"], "一、工作");
    assert!(t0["decision"].is_null());
    let id0 = t0["id"].as_str().unwrap().to_string();

    let (code, r) = srv.post(
        "/api/decide",
        &json!({"id": id0, "labels": ["safety", "double-reduction"]}),
    );
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["next"], 1);
    assert_eq!(r["state"]["done"], 1);
    let saved = lines(&out);
    assert_eq!(
        saved.len(),
        1,
        "the decision is on disk when the answer arrives"
    );
    assert_eq!(saved[0]["labels"], json!(["double-reduction", "safety"]));
    assert_eq!(saved[0]["text"], TEXTS[0]);
    assert_eq!(saved[0]["id"], id0.as_str());

    // Back: position 0 shows the decision; deciding again replaces the line.
    let (_, back) = srv.get("/api/task/0");
    assert_eq!(
        back["decision"]["labels"],
        json!(["double-reduction", "safety"])
    );
    let (code, r) = srv.post(
        "/api/decide",
        &json!({"id": id0, "labels": ["double-reduction"]}),
    );
    assert_eq!((code, r["next"].as_u64()), (200, Some(1)));
    let saved = lines(&out);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["labels"], json!(["double-reduction"]));

    // Skip the second: it goes to the skip file, not into the training data.
    let (_, t1) = srv.get("/api/task/1");
    let (code, r) = srv.post("/api/decide", &json!({"id": t1["id"], "skip": true}));
    assert_eq!((code, r["next"].as_u64()), (200, Some(2)));
    assert_eq!(lines(&out).len(), 1);
    assert_eq!(lines(&dir.path().join("labels.skipped.jsonl")).len(), 1);

    let (code, _) = srv.get("/api/task/4");
    assert_eq!(code, 404);
    let (code, head, body) = srv.raw("GET", "/", Some(&srv.host()), &[], None);
    assert_eq!(code, 200);
    assert!(head.contains("content-type: text/html"));
    assert!(head.contains("content-security-policy: default-src 'none'"));
    assert!(body.contains("policytag"));
    assert_eq!(srv.finish(), Summary { done: 2, total: 4 });
}

#[test]
fn refusals_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    let srv = Server::start(session(&out, false), None);
    let (_, t0) = srv.get("/api/task/0");
    let id0 = t0["id"].as_str().unwrap();

    let (code, r) = srv.post(
        "/api/decide",
        &json!({"id": id0, "labels": ["no-such-theme"]}),
    );
    assert_eq!(code, 400);
    assert!(r["error"].as_str().unwrap().contains("no-such-theme"));
    let (code, _) = srv.post("/api/decide", &json!({"id": "nope", "labels": []}));
    assert_eq!(code, 404);
    let (code, _) = srv.post(
        "/api/decide",
        &json!({"id": id0, "labels": ["safety"], "skip": true}),
    );
    assert_eq!(code, 400);
    // A request may not name a file, or anything else the API does not know.
    let (code, _, _) = srv.raw(
        "POST",
        "/api/decide",
        Some(&srv.host()),
        &[],
        Some((
            "application/json",
            br#"{"id":"x","labels":[],"out":"/etc/passwd"}"#,
        )),
    );
    assert!((400..500).contains(&code), "{code}");

    // DNS rebinding and cross-site requests.
    let good = json!({"id": id0, "labels": ["safety"]}).to_string();
    let body = Some(("application/json", good.as_bytes()));
    let (code, _, _) = srv.raw("POST", "/api/decide", Some("evil.example"), &[], body);
    assert_eq!(code, 403);
    let (code, _, _) = srv.raw(
        "GET",
        "/api/state",
        Some(&format!("evil.example:{}", srv.port)),
        &[],
        None,
    );
    assert_eq!(code, 403);
    let (code, _, _) = srv.raw("GET", "/", None, &[], None);
    assert_eq!(code, 403, "no Host header");
    for origin in [
        "http://evil.example".to_string(),
        format!("http://127.0.0.1:{}", srv.port + 1),
        "null".to_string(),
    ] {
        let (code, _, _) = srv.raw(
            "POST",
            "/api/decide",
            Some(&srv.host()),
            &[("Origin", &origin)],
            body,
        );
        assert_eq!(code, 403, "Origin {origin}");
    }
    // A form post (not JSON) is refused.
    let (code, _, _) = srv.raw(
        "POST",
        "/api/decide",
        Some(&srv.host()),
        &[],
        Some(("text/plain", good.as_bytes())),
    );
    assert_eq!(code, 415);
    // Oversized bodies.
    let big = format!(
        "{{\"id\":\"{id0}\",\"labels\":[],\"pad\":\"{}\"}}",
        "x".repeat(100 * 1024)
    );
    let (code, _, _) = srv.raw(
        "POST",
        "/api/decide",
        Some(&srv.host()),
        &[],
        Some(("application/json", big.as_bytes())),
    );
    assert_eq!(code, 413);

    assert_eq!(std::fs::read_to_string(&out).unwrap(), "");
    // The page's own origin is accepted.
    let (code, _, _) = srv.raw(
        "POST",
        "/api/decide",
        Some(&format!("localhost:{}", srv.port)),
        &[("Origin", &format!("http://localhost:{}", srv.port))],
        body,
    );
    assert_eq!(code, 200);
    assert_eq!(lines(&out).len(), 1);
    srv.finish();
}

#[test]
fn restart_resumes_after_the_decided_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    let srv = Server::start(session(&out, false), None);
    for (n, label) in [(0, "double-reduction"), (1, "safety")] {
        let (_, t) = srv.get(&format!("/api/task/{n}"));
        let (code, _) = srv.post("/api/decide", &json!({"id": t["id"], "labels": [label]}));
        assert_eq!(code, 200);
    }
    srv.finish();

    let srv = Server::start(session(&out, false), None);
    let (_, st) = srv.get("/api/state");
    assert_eq!(st["done"], 2);
    let (_, next) = srv.get("/api/task/2");
    assert_eq!(next["paragraph"], 2, "the next task is the third paragraph");
    assert!(next["decision"].is_null());
    let (_, first) = srv.get("/api/task/0");
    assert_eq!(first["decision"]["labels"], json!(["double-reduction"]));
    srv.finish();
}

#[test]
fn rerank_reloads_the_command_line_model_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    let srv = Server::start(session(&out, false), None);
    let (code, r) = srv.post("/api/rerank", &json!({}));
    assert_eq!(code, 409, "{r}");
    srv.finish();

    let srv = Server::start(session(&out, true), Some(default_model()));
    let (_, before) = srv.get("/api/task/0");
    assert_eq!(before["suggestions"], json!([]));
    let (code, st) = srv.post("/api/rerank", &json!({}));
    assert_eq!(code, 200, "{st}");
    assert_eq!(st["suggestions"], true);
    let (_, after) = srv.get("/api/task/0");
    let sugg = after["suggestions"].as_array().unwrap();
    assert_eq!(sugg.len(), labels().len());
    let selected: Vec<&str> = sugg
        .iter()
        .filter(|s| s["selected"] == true)
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert!(selected.contains(&"double-reduction"), "{selected:?}");
    srv.finish();
}

#[test]
fn duplicate_host_huge_length_and_stalled_clients_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(session(&dir.path().join("out.jsonl"), false), None);
    let host = server.host();
    // The first Host is ours; a second one is not checked by anything after us: refuse.
    let (code, _, _) = server.raw(
        "GET",
        "/api/state",
        Some(&host),
        &[("Host", "evil.example:80")],
        None,
    );
    assert_eq!(code, 400);
    // A terabyte announced: refused from the header, before any of it is sent.
    let (code, _, _) = server.raw(
        "POST",
        "/api/decide",
        Some(&host),
        &[
            ("Content-Type", "application/json"),
            ("Content-Length", "1000000000000"),
        ],
        None,
    );
    assert_eq!(code, 413);
    // A client that sends half a request and waits must not keep the server from stopping.
    let mut stalled = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stalled
        .write_all(b"GET /api/state HTTP/1.1\r\nHost: ")
        .unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || done_tx.send(server.finish()).unwrap());
    // A deadlock guard, far above the 10 s header timeout (not a speed check).
    let summary = done_rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the server stopped despite a stalled client");
    assert_eq!(summary.total, TEXTS.len());
}

// ---- live learning, near-duplicate groups, review ------------------------------------

fn corpus(name: &str) -> Vec<policytag_data::Example> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(name);
    policytag_data::jsonl::read_jsonl(&p, Default::default())
        .unwrap()
        .examples
}

/// Poll the state until `done` says so (the learner works in the background).
fn wait_state(srv: &Server, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let (_, st) = srv.get("/api/state");
        if done(&st) {
            return st;
        }
        assert!(std::time::Instant::now() < deadline, "never {what}: {st}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn learning_session(out: &Path, base: Vec<policytag_data::Example>) -> Session {
    let test = corpus("test.jsonl");
    let paras = test[..8]
        .iter()
        .map(|e| Paragraph {
            id: e.id.clone().unwrap(),
            doc: "test.jsonl".into(),
            index: 0,
            heading: Vec::new(),
            start: 0,
            end: 0,
            text: e.text.clone(),
            normalized: None,
            chrome_checked: false,
            document: None,
        })
        .collect();
    let tagger = policytag_pipeline::Pipeline::load(Some(&default_model())).unwrap();
    let tasks = queue::tasks(paras, Some(&tagger)).unwrap();
    let settings = Settings {
        order: Order::Uncertain,
        annotator: None,
        can_rerank: false,
    };
    let params = policytag_model::train::TrainParams::default()
        .folds(2)
        .features_per_label(200)
        .max_iterations(20);
    let learner = policytag_annotate::learn::Learner::new(params, base, &labels(), 3).unwrap();
    Session::new(tasks, labels(), Store::open(out).unwrap(), settings)
        .unwrap()
        .with_learning(learner)
}

/// Label the task at position `n` with its gold labels from the test split.
fn label_next(srv: &Server, n: usize) -> Value {
    let gold: std::collections::BTreeMap<String, Vec<String>> = corpus("test.jsonl")
        .into_iter()
        .map(|e| (e.id.unwrap(), e.labels))
        .collect();
    let (_, t) = srv.get(&format!("/api/task/{n}"));
    let id = t["id"].as_str().unwrap();
    let (code, r) = srv.post("/api/decide", &json!({"id": id, "labels": gold[id]}));
    assert_eq!(code, 200, "{r}");
    r
}

#[test]
fn learning_retrains_in_the_background_swaps_and_estimates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    let srv = Server::start(learning_session(&out, corpus("train.jsonl")), None);
    let (_, st) = srv.get("/api/state");
    assert_eq!(st["learn"]["version"], 0);
    assert_eq!(st["learn"]["every"], 3);
    let (_, t) = srv.get("/api/task/0");
    assert_eq!(t["model_version"], 0);
    for n in 0..3 {
        label_next(&srv, n);
    }
    // The third decision made a retrain due (the learner thread starts it); the fourth is
    // answered while it runs (a retrain on the base corpus takes seconds, a decision
    // milliseconds).
    wait_state(&srv, "retrain v1 started", |st| {
        st["learn"]["training"] == 1
    });
    let r = label_next(&srv, 3);
    assert_eq!(r["state"]["learn"]["training"], 1, "{r}");
    assert_eq!(r["state"]["done"], 4);
    let st = wait_state(&srv, "v1", |st| st["learn"]["version"] == 1);
    assert!(st["learn"]["error"].is_null(), "{st}");
    let v1 = &st["learn"]["versions"][1];
    assert!(v1["decisions"].as_u64().unwrap() >= 3);
    let (_, t) = srv.get("/api/task/4");
    assert_eq!(
        t["model_version"], 1,
        "undecided paragraphs are re-suggested"
    );
    let (_, t) = srv.get("/api/task/0");
    assert_eq!(
        t["model_version"], 0,
        "decided ones keep what they were shown"
    );
    // The held-out estimate arrives, per label with counts.
    let st = wait_state(&srv, "estimated", |st| {
        !st["learn"]["versions"][1]["estimate"].is_null()
    });
    let e = &st["learn"]["versions"][1]["estimate"];
    let n = e["n"].as_u64().unwrap();
    assert_eq!(n, v1["decisions"].as_u64().unwrap());
    let per_label = e["per_label"].as_array().unwrap();
    assert_eq!(per_label.len(), labels().len());
    let gold: Vec<Vec<String>> = lines(&out)
        .iter()
        .take(n as usize)
        .map(|l| serde_json::from_value(l["labels"].clone()).unwrap())
        .collect();
    let support: u64 = per_label
        .iter()
        .map(|l| l["support"].as_u64().unwrap())
        .sum();
    assert_eq!(support as usize, gold.iter().map(Vec::len).sum::<usize>());
    // Three more make v2.
    for n in 4..7 {
        label_next(&srv, n);
    }
    wait_state(&srv, "v2", |st| st["learn"]["version"] == 2);
    assert_eq!(lines(&out).len(), 7);
    srv.finish();
}

#[test]
fn a_failed_retrain_keeps_the_old_model_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    // No base corpus: three decisions cannot train fourteen labels.
    let srv = Server::start(learning_session(&out, Vec::new()), None);
    let before: Vec<Value> = (0..8)
        .map(|n| srv.get(&format!("/api/task/{n}")).1)
        .collect();
    for n in 0..3 {
        label_next(&srv, n);
    }
    let st = wait_state(&srv, "failed", |st| !st["learn"]["error"].is_null());
    assert!(st["learn"]["training"].is_null());
    assert_eq!(st["learn"]["version"], 0);
    let err = st["learn"]["error"].as_str().unwrap();
    assert!(
        err.contains("retraining v1 failed") && err.contains("too few"),
        "{err}"
    );
    let (_, t) = srv.get("/api/task/3");
    assert_eq!(t["model_version"], 0);
    assert_eq!(t["suggestions"], before[3]["suggestions"]);
    srv.finish();
}

#[test]
fn a_group_decision_covers_its_near_duplicates() {
    use policytag_annotate::groups::{group, GroupParams};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.jsonl");
    let mut texts: Vec<String> = TEXTS.iter().map(|t| t.to_string()).collect();
    texts.push("全面落实“双减”， 课后服务实现义务教育学校全覆盖！".into());
    texts.push("全面落实“双减”，课后服务实现义务教育学校全覆盖（2023年）".into());
    let paras = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Paragraph {
            id: policytag_pipeline::paragraph_id("report.txt", i, t),
            doc: "report.txt".into(),
            index: i,
            heading: Vec::new(),
            start: 0,
            end: 0,
            text: t.clone(),
            normalized: None,
            chrome_checked: false,
            document: None,
        })
        .collect();
    let settings = Settings {
        order: Order::File,
        annotator: None,
        can_rerank: false,
    };
    let groups = group(&texts, GroupParams::default());
    assert_eq!(groups.of, [0, 1, 2, 3, 0, 0]);
    let session = Session::new(
        queue::tasks(paras, None).unwrap(),
        labels(),
        Store::open(&out).unwrap(),
        settings,
    )
    .unwrap()
    .with_groups(groups)
    .unwrap();
    let srv = Server::start(session, None);
    let (_, st) = srv.get("/api/state");
    assert_eq!(
        (st["total"].as_u64(), st["length"].as_u64()),
        (Some(6), Some(4))
    );
    assert_eq!(st["groups"], 1);
    let (_, t) = srv.get("/api/task/0");
    assert_eq!(t["group"], json!({"size": 3, "undecided_others": 2}));
    let id = t["id"].as_str().unwrap();
    let (code, r) = srv.post(
        "/api/decide",
        &json!({"id": id, "labels": ["double-reduction"], "group": true}),
    );
    assert_eq!(code, 200, "{r}");
    assert_eq!(
        (r["applied"].as_u64(), r["next"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(r["state"]["done"], 3);
    let saved = lines(&out);
    assert_eq!(saved.len(), 3);
    assert!(saved[0]["applied_from"].is_null());
    for l in &saved[1..] {
        assert_eq!(l["applied_from"], id);
        assert_eq!(l["labels"], json!(["double-reduction"]));
    }
    let (_, t) = srv.get("/api/task/3");
    assert_eq!(t["paragraph"], 1, "then the next group");
    srv.finish();
}

#[test]
fn review_shows_disputes_side_by_side_and_agreement_before_and_after() {
    use policytag_annotate::review::{Annotator, Review};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gold.jsonl");
    let ex = |t: &str, l: &[&str]| policytag_data::Example {
        doc: None,
        id: None,
        text: t.into(),
        labels: l.iter().map(|s| s.to_string()).collect(),
    };
    let a = Annotator {
        name: "a.jsonl".into(),
        examples: vec![
            ex(TEXTS[0], &["double-reduction"]),
            ex(TEXTS[1], &["safety"]),
            ex(TEXTS[2], &["teachers"]),
        ],
    };
    let b = Annotator {
        name: "b.jsonl".into(),
        examples: vec![
            ex(TEXTS[0], &["double-reduction"]),
            ex(TEXTS[1], &["safety", "moral"]),
            ex(TEXTS[2], &[]),
        ],
    };
    let settings = Settings {
        order: Order::File,
        annotator: Some("reviewer".into()),
        can_rerank: false,
    };
    let review = Review::build(vec![a, b]).unwrap();
    let session = || {
        Session::new(
            queue::tasks(review.paragraphs(), None).unwrap(),
            labels(),
            Store::open(&out).unwrap(),
            settings.clone(),
        )
        .unwrap()
        .with_review(review.clone())
        .unwrap()
    };
    let srv = Server::start(session(), None);
    // The agreed paragraph is gold already; the two disputes are the tasks.
    let saved = lines(&out);
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (saved[0]["agreed"].as_bool(), saved[0]["text"].as_str()),
        (Some(true), Some(TEXTS[0]))
    );
    let (_, st) = srv.get("/api/state");
    assert_eq!(
        (st["total"].as_u64(), st["review"]["agreed"].as_u64()),
        (Some(2), Some(1))
    );
    let row = |st: &Value, l: &str| -> Value {
        st["review"]["per_label"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == l)
            .unwrap()
            .clone()
    };
    assert_eq!(row(&st, "teachers")["disputed"], 1);
    assert!(row(&st, "teachers")["kappa_after"].is_null());
    let (_, t) = srv.get("/api/task/0");
    assert_eq!(
        t["votes"],
        json!([{"annotator": "a.jsonl", "labels": ["safety"]},
               {"annotator": "b.jsonl", "labels": ["moral", "safety"]}])
    );
    assert_eq!(
        t["preselect"],
        json!(["safety"]),
        "what every annotator gave"
    );
    for (n, labels) in [(0, json!(["safety"])), (1, json!(["teachers"]))] {
        let (_, t) = srv.get(&format!("/api/task/{n}"));
        let (code, _) = srv.post("/api/decide", &json!({"id": t["id"], "labels": labels}));
        assert_eq!(code, 200);
    }
    let (_, st) = srv.get("/api/state");
    let teachers = row(&st, "teachers");
    assert_eq!(teachers["resolved"], 1);
    // A was right on teachers, B was not: against the adjudicated labels A scores F1 1 and
    // B 0 (mean 0.5), where before A and B agreed not at all.
    assert_eq!(teachers["f1_before"], 0.0);
    assert_eq!(teachers["f1_after"], 0.5);
    srv.finish();
    let saved = lines(&out);
    assert_eq!(saved.len(), 3);
    assert!(saved.iter().all(|l| l["annotator"] == "reviewer"));
    // Restarting does not write the agreed paragraph twice.
    let srv = Server::start(session(), None);
    assert_eq!(lines(&out).len(), 3);
    srv.finish();
}
