//! Hostile inputs (issue 19): each case generates its input, runs the `policytag` binary on
//! it and checks the exit code, that stderr is one line per failed input naming the problem
//! (never a panic), and the child's peak resident memory (see `tests/common/peak.rs`) against a
//! bound. No timing is asserted. Inputs are generated here; nothing large is committed.
//!
//! `HOSTILE_REPORT=1 cargo test --test hostile -- --nocapture` prints each case's exit code,
//! peak RSS and wall time. The peak RSS is an upper bound: the kernel counts the memory of
//! the forked test process before `exec` in the child's high-water mark.

mod gen;
#[path = "../common/peak.rs"]
mod peak;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What a run of the binary did.
struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
    rss_mb: u64,
}

const MB: u64 = 1;

/// Run the binary with `args` (stdin from `stdin`, or empty) and measure it.
fn run_bin(name: &str, args: &[OsString], stdin: Option<&Path>, dir: &Path) -> Run {
    let file: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let out = dir.join(format!("{file}.stdout"));
    let err = dir.join(format!("{file}.stderr"));
    let stdin = match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
        None => Stdio::null(),
    };
    let start = Instant::now();
    // Reaped by `wait4` below (std's `wait` would not give the rusage).
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_policytag"))
        .args(args)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let (code, rss_kb) = peak::wait_measured(child.id() as libc::pid_t);
    let r = Run {
        code,
        stdout: std::fs::read(&out).unwrap(),
        stderr: std::fs::read_to_string(&err).unwrap(),
        rss_mb: rss_kb / 1024,
    };
    if std::env::var_os("HOSTILE_REPORT").is_some() {
        println!(
            "{name:<28} exit {:>3}  peak RSS {:>5} MB  {:>6.2} s",
            r.code,
            r.rss_mb,
            start.elapsed().as_secs_f64()
        );
    }
    r
}

/// A case: arguments, and what must come out.
struct Case<'a> {
    name: &'a str,
    args: Vec<OsString>,
    stdin: Option<PathBuf>,
    code: i32,
    /// Every stderr line must contain this (empty: stderr may hold notices).
    stderr_has: &'a str,
    /// Number of stderr lines (None: not checked).
    stderr_lines: Option<usize>,
    max_rss_mb: u64,
}

impl Case<'_> {
    fn check(&self, dir: &Path) -> Run {
        let r = run_bin(self.name, &self.args, self.stdin.as_deref(), dir);
        let n = self.name;
        assert!(
            !r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"),
            "{n}: panic: {}",
            r.stderr
        );
        assert_eq!(r.code, self.code, "{n}: exit code; stderr: {}", r.stderr);
        if let Some(lines) = self.stderr_lines {
            assert_eq!(r.stderr.lines().count(), lines, "{n}: stderr: {}", r.stderr);
        }
        if !self.stderr_has.is_empty() {
            for line in r.stderr.lines() {
                assert!(
                    line.starts_with("policytag: ") && line.contains(self.stderr_has),
                    "{n}: stderr line {line:?} lacks {:?}",
                    self.stderr_has
                );
            }
        }
        assert!(
            r.rss_mb <= self.max_rss_mb,
            "{n}: peak RSS {} MB over {} MB",
            r.rss_mb,
            self.max_rss_mb
        );
        r
    }
}

fn args(a: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    a.iter().map(|s| s.as_ref().to_os_string()).collect()
}

/// A failing case: exit 2, one stderr line containing `msg`.
fn bad<'a>(name: &'a str, a: Vec<OsString>, msg: &'a str, max_rss_mb: u64) -> Case<'a> {
    Case {
        name,
        args: a,
        stdin: None,
        code: 2,
        stderr_has: msg,
        stderr_lines: Some(1),
        max_rss_mb,
    }
}

/// A case that must succeed.
fn good(name: &str, a: Vec<OsString>, max_rss_mb: u64) -> Case<'_> {
    Case {
        name,
        args: a,
        stdin: None,
        code: 0,
        stderr_has: "",
        stderr_lines: None,
        max_rss_mb,
    }
}

fn stdout_text(r: &Run) -> String {
    String::from_utf8_lossy(&r.stdout).into_owned()
}

fn report_txt(dir: &Path) -> PathBuf {
    let p = dir.join("report.txt");
    std::fs::write(&p, gen::REPORT).unwrap();
    p
}

/// Cases 1 and 12: PDFs that loop (a page that is its own parent, a form that draws itself)
/// fail alone with a one-line error naming the loop; the other inputs are still tagged.
#[test]
fn pdf_reference_loops() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = report_txt(d);
    for (name, bytes) in [
        ("self-parent.pdf", gen::pdf_self_parent()),
        ("self-drawing-form.pdf", gen::pdf_self_form()),
    ] {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        let r = bad(name, args(&[&"tag", &p, &txt]), "reference loop", 300 * MB).check(d);
        assert!(r.stderr.contains(name), "{}", r.stderr);
        assert!(
            stdout_text(&r).contains("report.txt"),
            "other input not tagged"
        );
    }
}

/// Case 2 and 5: 20,000 nested `<span>` and 100,000 nested `<div>` are read (flattened),
/// their text tagged.
#[test]
fn deeply_nested_html() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, tag, n) in [
        ("spans.html", "span", 20_000),
        ("divs.html", "div", 100_000),
    ] {
        let p = d.join(name);
        std::fs::write(&p, gen::nested_html(tag, n)).unwrap();
        let r = good(name, args(&[&"tag", &p]), 300 * MB).check(d);
        assert!(stdout_text(&r).contains("课后服务"), "{}", stdout_text(&r));
    }
}

/// Case 3 and 10: decompression bombs are refused at their limit; a report on a text of a
/// million lines is refused while reading, in bounded memory.
#[test]
fn bombs_and_huge_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pdf = d.join("bomb.pdf");
    std::fs::write(&pdf, gen::pdf_bomb(600)).unwrap();
    let r = bad(
        "pdf deflate bomb",
        args(&[&"tag", &pdf]),
        "expands to more than",
        1000 * MB,
    )
    .check(d);
    assert!(r.stderr.contains("bomb.pdf"), "{}", r.stderr);
    let docx = d.join("bomb.docx");
    std::fs::write(&docx, gen::docx_bomb(80)).unwrap();
    let out = d.join("r.html");
    bad(
        "docx over the cap",
        args(&[&"report", &docx, &"--out", &out]),
        "word/document.xml expands to more than 64 MiB",
        1000 * MB,
    )
    .check(d);
    assert!(!out.exists(), "a report was written");
    let many = d.join("many-paragraphs.docx");
    std::fs::write(&many, gen::docx_paragraphs(300_000)).unwrap();
    bad(
        "docx of 300k paragraphs",
        args(&[&"report", &many, &"--out", &out]),
        "paragraphs",
        1000 * MB,
    )
    .check(d);
    let lines = d.join("million.txt");
    // Distinct lines: repeated ones are one paragraph (a page's duplicated text).
    let text: String = (0..1_000_000)
        .map(|i| format!("第{i}所学校开展安全检查。\n"))
        .collect();
    std::fs::write(&lines, text).unwrap();
    bad(
        "report, a million lines",
        args(&[&"report", &lines, &"--out", &out]),
        "more than 100000 paragraphs",
        300 * MB,
    )
    .check(d);
    assert!(!out.exists(), "a report was written");
}

/// Case 4: an endless input (`/dev/zero`) wherever a file is read whole stops at its limit.
#[test]
fn endless_inputs_stop_at_their_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let z = Path::new("/dev/zero");
    let txt = report_txt(d);
    let jsonl = d.join("a.jsonl");
    std::fs::write(&jsonl, gen::labelled_jsonl()).unwrap();
    let m = d.join("m.model");
    let cases = [
        ("--model /dev/zero", args(&[&"tag", &"--model", &z, &txt])),
        (
            "train --data /dev/zero",
            args(&[&"train", &"--data", &z, &"--out", &m]),
        ),
        (
            "train --themes /dev/zero",
            args(&[&"train", &"--data", &jsonl, &"--themes", &z, &"--out", &m]),
        ),
        ("tag --jsonl /dev/zero", args(&[&"tag", &"--jsonl", &z])),
        (
            "import /dev/zero",
            args(&[&"import", &"--from", &"doccano", &z]),
        ),
        ("agree /dev/zero", args(&[&"agree", &jsonl, &z])),
        ("eval --data /dev/zero", args(&[&"eval", &"--data", &z])),
        (
            "tag --input-format html",
            args(&[&"tag", &"--input-format", &"html", &z]),
        ),
        (
            "annotate --out /dev/zero",
            args(&[&"annotate", &txt, &"--out", &z, &"--port", &"0"]),
        ),
    ];
    for (name, a) in cases {
        let r = bad(name, a, "larger than", 800 * MB).check(d);
        assert!(r.stderr.contains("/dev/zero"), "{name}: {}", r.stderr);
    }
}

/// Case 6: an absurd thread count is capped, with a notice.
#[test]
fn threads_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = report_txt(d);
    let r = good(
        "--threads 100000",
        args(&[&"--threads", &"100000", &"tag", &txt]),
        300 * MB,
    )
    .check(d);
    assert!(r.stderr.contains("--threads 100000"), "{}", r.stderr);
    assert!(stdout_text(&r).contains("report.txt"));
}

/// Case 8: pipes and FIFOs are read once: the same output as the file itself.
#[test]
fn pipes_and_fifos_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = report_txt(d);
    let want = good(
        "tag file",
        args(&[&"tag", &txt, &"--format", &"jsonl"]),
        300 * MB,
    )
    .check(d);
    // Each paragraph's output without the document name.
    let body = |r: &Run| {
        stdout_text(r)
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let o = v.as_object_mut().unwrap();
                o.remove("doc");
                // The id names the document too; the paragraph part must agree.
                let id = o["id"].as_str().unwrap();
                let part = id[id.rfind('#').unwrap()..].to_string();
                o.insert("id".into(), part.into());
                v
            })
            .collect::<Vec<_>>()
    };
    assert!(!body(&want).is_empty());
    let mut stdin_case = good(
        "tag /dev/stdin",
        args(&[&"tag", &"/dev/stdin", &"--format", &"jsonl"]),
        300 * MB,
    );
    stdin_case.stdin = Some(txt.clone());
    assert_eq!(body(&stdin_case.check(d)), body(&want));
    let fifo = d.join("fifo.txt");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let writer = {
        let (fifo, txt) = (fifo.clone(), txt.clone());
        std::thread::spawn(move || std::fs::write(&fifo, std::fs::read(txt).unwrap()))
    };
    let r = good(
        "tag FIFO",
        args(&[&"tag", &fifo, &"--format", &"jsonl"]),
        300 * MB,
    )
    .check(d);
    writer.join().unwrap().unwrap();
    assert_eq!(body(&r), body(&want));
}

/// Case 9: `--out` naming an input (also through a hard link or `dir/../`) is refused and
/// the input left alone; `--out` naming a FIFO is written into, not replaced.
#[test]
fn out_never_replaces_an_input_or_a_special_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = report_txt(d);
    let jsonl = d.join("a.jsonl");
    std::fs::write(&jsonl, gen::labelled_jsonl()).unwrap();
    let link = d.join("link.jsonl");
    std::fs::hard_link(&jsonl, &link).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    let dotdot = d.join("sub/../a.jsonl");
    let cases = [
        (
            "train --out = --data",
            args(&[&"train", &"--data", &jsonl, &"--out", &jsonl]),
        ),
        (
            "train --out hard link",
            args(&[&"train", &"--data", &jsonl, &"--out", &link]),
        ),
        (
            "train --out dir/../",
            args(&[&"train", &"--data", &jsonl, &"--out", &dotdot]),
        ),
        ("tag X --out X", args(&[&"tag", &txt, &"--out", &txt])),
        (
            "report --out input",
            args(&[&"report", &txt, &"--out", &txt]),
        ),
        (
            "import --out input",
            args(&[&"import", &"--from", &"doccano", &jsonl, &"--out", &link]),
        ),
        (
            "export --out input",
            args(&[&"export", &jsonl, &"--to", &"doccano", &"--out", &jsonl]),
        ),
        (
            "suggest --out input",
            args(&[&"suggest", &txt, &"--out", &txt]),
        ),
    ];
    let before = (std::fs::read(&jsonl).unwrap(), std::fs::read(&txt).unwrap());
    for (name, a) in cases {
        bad(name, a, "is also an input", 300 * MB).check(d);
        assert_eq!(
            (std::fs::read(&jsonl).unwrap(), std::fs::read(&txt).unwrap()),
            before,
            "{name} changed an input"
        );
    }
    let fifo = d.join("out.fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    good(
        "tag --out FIFO",
        args(&[&"tag", &txt, &"--out", &fifo]),
        300 * MB,
    )
    .check(d);
    let got = reader.join().unwrap();
    assert!(String::from_utf8_lossy(&got).contains("report.txt"));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "FIFO replaced"
    );
}

/// Case 11: `<meta charset>` that lies is not believed.
#[test]
fn lying_charsets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, charset) in [("utf16.html", "utf-16"), ("gbk-lie.html", "gbk")] {
        let p = d.join(name);
        std::fs::write(&p, gen::page_with_charset(charset)).unwrap();
        let r = good(name, args(&[&"segment", &p]), 300 * MB).check(d);
        assert!(
            stdout_text(&r).contains("课后服务全覆盖"),
            "{name}: {}",
            stdout_text(&r)
        );
    }
}

/// Case 12: a text that mentions the PDF header is a text.
#[test]
fn text_mentioning_pdf_header_is_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = d.join("notes.txt");
    std::fs::write(&p, format!("说明：附件格式为 %PDF-1.7。\n{}", gen::REPORT)).unwrap();
    let r = good("text with %PDF-", args(&[&"tag", &p]), 300 * MB).check(d);
    assert!(stdout_text(&r).contains("notes.txt"));
}

/// Case 13: a model whose checksum is right but whose payload breaks its invariants.
#[test]
fn invalid_model_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = report_txt(d);
    for (name, msg, model) in gen::broken_models() {
        let p = d.join(format!("{name}.model"));
        std::fs::write(&p, model).unwrap();
        let r = bad(name, args(&[&"tag", &"--model", &p, &txt]), msg, 300 * MB).check(d);
        assert!(
            r.stderr.contains("model payload is invalid"),
            "{}",
            r.stderr
        );
    }
}

/// Server: a busy port is bad input (exit 2).
#[test]
fn busy_port() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = report_txt(d);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let out = d.join("out.jsonl");
    bad(
        "annotate on a busy port",
        args(&[
            &"annotate",
            &txt,
            &"--out",
            &out,
            &"--port",
            &port,
            &"--no-suggestions",
        ]),
        "in use",
        300 * MB,
    )
    .check(d);
}
