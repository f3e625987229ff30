//! `policytag annotate`: the real binary, over HTTP (durability when killed, resume) and in
//! headless Chromium driven by real key events through the DevTools protocol.

use super::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::time::{Duration, Instant};

/// Kills (SIGKILL) and reaps the process when dropped, so a failing test leaves nothing.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Five paragraphs (with ids) from the test split.
fn paragraphs(dir: &Path) -> PathBuf {
    first_paragraphs(dir, 5)
}

/// The first `n` paragraphs (with ids and labels) of the test split.
fn first_paragraphs(dir: &Path, n: usize) -> PathBuf {
    let all = std::fs::read_to_string(root().join("corpus/test.jsonl")).unwrap();
    let p = dir.join("paras.jsonl");
    let some: Vec<&str> = all.lines().take(n).collect();
    std::fs::write(&p, some.join("\n") + "\n").unwrap();
    p
}

/// Start `policytag annotate ARGS --port 0`; return the process and its port, read from
/// the URL it prints. Its stderr is drained in the background and checked for panics.
fn start(args: &[&str]) -> (Proc, u16, std::thread::JoinHandle<String>) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("policytag"))
        .arg("annotate")
        .args(args)
        .args(["--port", "0"])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        assert!(!s.contains("panicked"), "policytag annotate panicked:\n{s}");
        s
    });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .strip_prefix("policytag annotate: http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let port = url.split('/').next().unwrap().parse().unwrap();
    (Proc(child), port, err)
}

/// One HTTP request to `127.0.0.1:port`; returns status and parsed JSON body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let b = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if body.is_some() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(&b);
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    (
        head[9..12].parse().unwrap(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn read_lines(p: &Path) -> Vec<Value> {
    jsonl(&std::fs::read_to_string(p).unwrap_or_default())
}

#[test]
fn annotate_missing_input_is_one_line_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("l.jsonl");
    let r = run(&[
        "annotate",
        "no/such/report.txt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        one_error_line(&r).contains("no/such/report.txt"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    assert!(!out.exists(), "nothing is created for a failed start");
    let p = paragraphs(dir.path());
    let r = run(&[
        "annotate",
        p.to_str().unwrap(),
        "--jsonl",
        "--no-suggestions",
        "--order",
        "uncertain",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("--order uncertain"));
    for (bad, want) in [
        (
            &["--learn", "--no-suggestions"][..],
            "learning needs model suggestions",
        ),
        (&["--dup-threshold", "1.5"][..], "--dup-threshold"),
        (&["--base", "no/such/base.jsonl"][..], "no/such/base.jsonl"),
    ] {
        let mut args = vec!["annotate", p.to_str().unwrap(), "--jsonl", "--out"];
        args.push(out.to_str().unwrap());
        args.extend_from_slice(bad);
        let r = run(&args);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert!(one_error_line(&r).contains(want), "{bad:?}: {}", r.stderr);
    }
    // Review needs two files or more.
    let r = run(&[
        "annotate",
        "--review",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!out.exists(), "nothing is created for a failed start");
}

#[test]
fn annotate_killed_mid_session_loses_nothing_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let p = paragraphs(dir.path());
    let out = dir.path().join("labels.jsonl");
    let args = [
        p.to_str().unwrap(),
        "--jsonl",
        "--order",
        "file",
        "--out",
        out.to_str().unwrap(),
    ];
    let (mut proc, port, _err) = start(&args);
    let (code, st) = http(port, "GET", "/api/state", None);
    assert_eq!((code, st["total"].as_u64()), (200, Some(5)));
    for (n, label) in [(0, "double-reduction"), (1, "teaching")] {
        let (_, t) = http(port, "GET", &format!("/api/task/{n}"), None);
        let (code, _) = http(
            port,
            "POST",
            "/api/decide",
            Some(&serde_json::json!({"id": t["id"], "labels": [label]})),
        );
        assert_eq!(code, 200);
    }
    proc.0.kill().unwrap(); // SIGKILL: no chance to flush anything
    proc.0.wait().unwrap();
    let saved = read_lines(&out);
    assert_eq!(saved.len(), 2);
    // In file order, the first decision is on the input's first paragraph.
    let first = read_lines(&p)[0]["id"].clone();
    assert_eq!(saved[0]["id"], first);
    assert_eq!(saved[1]["labels"], serde_json::json!(["teaching"]));

    // A torn line, as a crash in the middle of a write would leave.
    let mut f = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    f.write_all(b"{\"id\":\"1-00").unwrap();
    drop(f);

    let (proc, port, err) = start(&args);
    let (_, st) = http(port, "GET", "/api/state", None);
    assert_eq!(st["done"], 2);
    let (_, t) = http(port, "GET", "/api/task/2", None);
    assert_eq!(t["paragraph"], 2, "the next task is the third paragraph");
    assert!(t["decision"].is_null());
    drop(proc);
    let err = err.join().unwrap();
    assert!(err.contains("torn last line"), "{err}");
    // The labels file trains as it is.
    let strict = policytag_data::jsonl::ReadOptions::default();
    let data = policytag_data::jsonl::read_jsonl(&out, strict).unwrap();
    assert_eq!(data.examples.len(), 2);
}

#[test]
fn annotate_stops_cleanly_on_sigterm_with_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let p = paragraphs(dir.path());
    let out = dir.path().join("labels.jsonl");
    let (mut proc, port, err) = start(&[
        p.to_str().unwrap(),
        "--jsonl",
        "--order",
        "file",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (_, t) = http(port, "GET", "/api/task/0", None);
    let decision = serde_json::json!({"id": t["id"], "labels": ["safety"]});
    assert_eq!(http(port, "POST", "/api/decide", Some(&decision)).0, 200);
    let pid = proc.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = proc.0.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM is a normal stop");
    let err = err.join().unwrap();
    assert!(
        err.contains("stopped; 1 of 5 paragraphs decided"),
        "no summary line:\n{err}"
    );
    assert_eq!(read_lines(&out).len(), 1);
}

// ---- the page in a real browser ---------------------------------------------------

const CHROMIUM: &str = "/usr/bin/chromium";

/// A tiny DevTools-protocol client over one page's websocket.
struct Cdp {
    ws: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next: u64,
}

impl Cdp {
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let msg = serde_json::json!({"id": id, "method": method, "params": params});
        self.ws
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let m = self.ws.read().unwrap();
            if let tungstenite::Message::Text(t) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }

    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// A real key press: keyDown (with text for printable keys), then keyUp.
    fn key(&mut self, key: &str) {
        let (code, vk, text) = match key {
            "Enter" => ("Enter".to_string(), 13, "\r".to_string()),
            "Backspace" => ("Backspace".to_string(), 8, String::new()),
            k if k.chars().all(|c| c.is_ascii_digit()) => {
                (format!("Digit{k}"), k.as_bytes()[0] as u32, k.to_string())
            }
            k => (
                format!("Key{}", k.to_uppercase()),
                k.to_uppercase().as_bytes()[0] as u32,
                k.to_string(),
            ),
        };
        let mut down = serde_json::json!({"type": "keyDown", "key": key, "code": code,
            "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk});
        if !text.is_empty() {
            down["text"] = Value::String(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            serde_json::json!({"type": "keyUp", "key": key, "code": code,
                "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}),
        );
    }

    /// Wait until the page is idle at position `n` (it sets data-busy / data-n on <body>).
    fn wait_at(&mut self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let want = format!("0:{n}");
        loop {
            let v = self.eval("document.body.dataset.busy + ':' + document.body.dataset.n");
            if v == want.as_str() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "page never reached {want}; at {v}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// GET `path` from Chromium's DevTools HTTP endpoint, reading exactly Content-Length bytes
/// (it keeps the connection open).
fn http_body(port: u16, path: &str) -> String {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(&s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    let mut r = BufReader::new(s);
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

/// Stops Chromium (SIGTERM, so it takes its helper processes down with it) when dropped.
struct Browser(Child);

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// Start headless Chromium on `url` with a DevTools port; connect to its page.
fn chromium(url: &str, profile: &Path) -> (Browser, Cdp) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: the browser test needs Debian's chromium; install it with \
         `make browser` (apt-get install -y chromium fonts-noto-cjk)"
    );
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-crash-reporter",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let proc = Browser(child);
    let ws_browser = loop {
        let line = lines
            .next()
            .expect("chromium exited without a DevTools address")
            .unwrap();
        if let Some(u) = line.strip_prefix("DevTools listening on ") {
            break u.to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop)); // keep draining its stderr
    let debug_port: u16 = ws_browser
        .trim_start_matches("ws://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Find the page's websocket in /json/list (it appears once the tab exists).
    let deadline = Instant::now() + Duration::from_secs(60);
    let page_ws = loop {
        let body = http_body(debug_port, "/json/list");
        let list: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let found = list.as_array().and_then(|a| {
            a.iter()
                .find(|t| {
                    t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url))
                })
                .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_string))
        });
        if let Some(ws) = found {
            break ws;
        }
        assert!(Instant::now() < deadline, "no page target in {body}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let (ws, _) = tungstenite::connect(page_ws.as_str()).unwrap();
    (proc, Cdp { ws, next: 0 })
}

#[test]
fn annotate_in_headless_chromium_by_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    let p = paragraphs(dir.path());
    let out = dir.path().join("labels.jsonl");
    let (server, port, err) = start(&[
        p.to_str().unwrap(),
        "--jsonl",
        "--out",
        out.to_str().unwrap(),
    ]);
    let url = format!("http://127.0.0.1:{port}/");
    let (browser, mut cdp) = chromium(&url, &dir.path().join("profile"));
    cdp.wait_at(0);
    // The page shows suggestions and evidence from the (default) model.
    assert_eq!(cdp.eval("document.querySelectorAll('.theme').length"), 14);
    assert!(
        cdp.eval("document.querySelectorAll('#text mark').length")
            .as_u64()
            > Some(0)
    );

    let (_, state) = http(port, "GET", "/api/state", None);
    let key_label = |key: &str| -> String {
        state["labels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == key)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut expected = Vec::new();
    for (n, key) in ["1", "5", "q"].into_iter().enumerate() {
        // What the model pre-selected; the key toggles one theme on top of that.
        let (_, task) = http(port, "GET", &format!("/api/task/{n}"), None);
        let mut want: std::collections::BTreeSet<String> = task["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["selected"] == true)
            .map(|s| s["label"].as_str().unwrap().to_string())
            .collect();
        let l = key_label(key);
        if !want.remove(&l) {
            want.insert(l);
        }
        cdp.key(key);
        cdp.key("Enter");
        cdp.wait_at(n + 1);
        expected.push((task["id"].as_str().unwrap().to_string(), want));
    }
    let saved = read_lines(&out);
    assert_eq!(saved.len(), 3, "three decisions on disk");
    for (line, (id, want)) in saved.iter().zip(&expected) {
        assert_eq!(line["id"], id.as_str());
        let got: std::collections::BTreeSet<String> = line["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        assert_eq!(&got, want, "labels of {id}");
    }
    // S skips (into the skip file); Backspace goes back to it.
    cdp.key("s");
    cdp.wait_at(4);
    assert_eq!(
        read_lines(&dir.path().join("labels.skipped.jsonl")).len(),
        1
    );
    cdp.key("Backspace");
    cdp.wait_at(3);
    assert_eq!(
        cdp.eval("document.querySelector('#status').className"),
        "old"
    );
    assert_eq!(read_lines(&out).len(), 3);
    drop(cdp);
    drop(browser);

    // Ctrl-C stops the server cleanly.
    let mut server = server;
    assert!(Command::new("kill")
        .args(["-INT", &server.0.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(server.0.wait().unwrap().success());
    let err = err.join().unwrap();
    assert!(err.contains("stopped; 4 of 5 paragraphs decided"), "{err}");
}

/// Poll `expr` in the page until it equals `want`, recording every distinct value seen.
fn wait_for(cdp: &mut Cdp, expr: &str, want: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let v = cdp.eval(expr).as_str().unwrap_or_default().to_string();
        if seen.last() != Some(&v) {
            seen.push(v.clone());
        }
        if v == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{expr} never became {want}; saw {seen:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn annotate_learns_live_in_headless_chromium_and_a_kill_9_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = first_paragraphs(dir.path(), 40);
    let out = dir.path().join("labels.jsonl");
    let args = [
        p.to_str().unwrap(),
        "--jsonl",
        "--base",
        "corpus/train.jsonl",
        "--learn",
        "--every",
        "10",
        "--out",
        out.to_str().unwrap(),
    ];
    let (mut server, port, err) = start(&args);
    let url = format!("http://127.0.0.1:{port}/");
    let (browser, mut cdp) = chromium(&url, &dir.path().join("profile"));
    cdp.wait_at(0);
    let live = "document.body.dataset.live";
    let mut seen = vec![cdp.eval(live).as_str().unwrap().to_string()];
    assert_eq!(seen, ["0"]);
    assert_eq!(cdp.eval("document.body.dataset.version"), "0");
    let mut while_training = 0;
    let mut shown_by = Vec::new();
    for n in 0..30 {
        shown_by.push(cdp.eval("document.body.dataset.version"));
        if n % 4 == 1 {
            cdp.key("2"); // not only the model's own labels
        }
        cdp.key("Enter");
        cdp.wait_at(n + 1);
        // The page answered while the server was retraining: labelling never waits.
        if cdp.eval("document.querySelector('#model').className") == "busy" {
            while_training += 1;
        }
        let v = cdp.eval(live).as_str().unwrap().to_string();
        if seen.last() != Some(&v) {
            seen.push(v);
        }
        if n + 1 == 25 {
            // The model version changes twice: v1 from 10 decisions, v2 from 20 or more.
            wait_for(&mut cdp, live, "2", &mut seen);
            assert_eq!(seen, ["0", "1", "2"]);
            assert!(
                while_training > 0,
                "no decision was answered during a retrain"
            );
            // The paragraph on screen was re-suggested by v2 once the page moves on.
        }
    }
    assert!(shown_by.iter().any(|v| v == "2"), "{shown_by:?}");
    assert!(
        cdp.eval("document.querySelector('#panel').textContent")
            .as_str()
            .unwrap()
            .contains("Held-out estimate")
            || cdp
                .eval("document.querySelector('#panel').textContent")
                .as_str()
                .unwrap()
                .contains("computing"),
    );
    // The 30th decision made v3 due: kill -9 in the middle of its retrain.
    let (_, st) = http(port, "GET", "/api/state", None);
    let acknowledged = st["done"].as_u64().unwrap();
    assert_eq!(acknowledged, 30);
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    drop(cdp);
    drop(browser);
    let saved = read_lines(&out);
    assert_eq!(
        saved.len() as u64,
        acknowledged,
        "every acknowledged decision is on disk"
    );
    drop(err.join().unwrap());
    let (proc, port, _err) = start(&args);
    let (_, st) = http(port, "GET", "/api/state", None);
    assert_eq!(st["done"], 30);
    drop(proc);
}

#[test]
fn annotate_review_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let all = std::fs::read_to_string(root().join("corpus/test.jsonl")).unwrap();
    let lines: Vec<Value> = jsonl(&all).into_iter().take(6).collect();
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    let mut second = String::new();
    for (k, l) in lines.iter().enumerate() {
        let mut l = l.clone();
        if k % 2 == 1 {
            // B adds "teaching" where A did not give it, or drops it.
            let mut set: Vec<String> = serde_json::from_value(l["labels"].clone()).unwrap();
            match set.iter().position(|x| x == "teaching") {
                Some(i) => drop(set.remove(i)),
                None => set.push("teaching".into()),
            }
            l["labels"] = serde_json::json!(set);
        }
        second.push_str(&format!("{l}\n"));
    }
    std::fs::write(
        &a,
        all.lines().take(6).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    std::fs::write(&b, second).unwrap();
    let out = dir.path().join("gold.jsonl");
    let (server, port, _err) = start(&[
        "--review",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(read_lines(&out).len(), 3, "the agreed half is gold at once");
    let (_, st) = http(port, "GET", "/api/state", None);
    assert_eq!(st["total"], 3);
    let url = format!("http://127.0.0.1:{port}/");
    let (browser, mut cdp) = chromium(&url, &dir.path().join("profile"));
    cdp.wait_at(0);
    assert_eq!(
        cdp.eval("[...document.querySelectorAll('#votes .who')].map(e => e.textContent).join(',')"),
        "a.jsonl,b.jsonl"
    );
    assert!(cdp
        .eval("document.querySelector('#panel').textContent")
        .as_str()
        .unwrap()
        .contains("κ before"));
    // The reviewer sides with A each time: A's labels are what both gave (pre-selected)
    // plus "teaching" when A had it.
    for n in 0..3 {
        let (_, t) = http(port, "GET", &format!("/api/task/{n}"), None);
        let a_has_it = t["votes"][0]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "teaching");
        if a_has_it {
            let key = st["labels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["id"] == "teaching")
                .unwrap()["key"]
                .as_str()
                .unwrap()
                .to_string();
            cdp.key(&key);
        }
        cdp.key("Enter");
        cdp.wait_at(n + 1);
    }
    let gold = read_lines(&out);
    assert_eq!(gold.len(), 6);
    for (g, a) in gold.iter().filter(|g| g["agreed"].is_null()).zip(
        lines
            .iter()
            .enumerate()
            .filter(|(k, _)| k % 2 == 1)
            .map(|(_, l)| l),
    ) {
        assert_eq!(g["id"], a["id"]);
        assert_eq!(g["labels"], a["labels"]);
    }
    let (_, st) = http(port, "GET", "/api/state", None);
    let teaching = st["review"]["per_label"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "teaching")
        .unwrap()
        .clone();
    assert_eq!(
        (teaching["disputed"].as_u64(), teaching["resolved"].as_u64()),
        (Some(3), Some(3))
    );
    // Before: F1 between A and B on "teaching", 2·both / (A's + B's), counted from the two
    // files. After: A matches the gold (the agreed half and A's side of the rest), 1.0, and
    // B matches it as well as it matched A: the mean is (1 + before) / 2.
    let has = |l: &Value| {
        l["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "teaching")
    };
    let b_lines = read_lines(&b);
    let (in_a, in_b) = (
        lines.iter().filter(|l| has(l)).count(),
        b_lines.iter().filter(|l| has(l)).count(),
    );
    let both = lines
        .iter()
        .zip(&b_lines)
        .filter(|(x, y)| has(x) && has(y))
        .count();
    let want_before = 2.0 * both as f64 / (in_a + in_b) as f64;
    let f1 = |k: &str| teaching[k].as_f64().unwrap();
    assert!((f1("f1_before") - want_before).abs() < 1e-9, "{teaching}");
    assert!(
        (f1("f1_after") - (1.0 + want_before) / 2.0).abs() < 1e-9,
        "{teaching}"
    );
    drop(cdp);
    drop(browser);
    drop(server);
}
