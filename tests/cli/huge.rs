//! Huge inputs are processed in bounded memory: peak RSS is measured, not time.

use super::*;

#[path = "../common/peak.rs"]
mod peak;

/// Run policytag with stdout discarded and return (exit code, stderr, peak RSS in MiB) of
/// that one child process (see `tests/common/peak.rs`).
#[allow(clippy::zombie_processes)] // reaped by wait4 below, which std cannot do
fn run_measured(args: &[&str]) -> (i32, String, f64) {
    let err = tempfile::NamedTempFile::new().unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("policytag"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err.reopen().unwrap())
        .spawn()
        .expect("spawn policytag");
    let (code, kib) = peak::wait_measured(child.id() as libc::pid_t);
    let stderr = std::fs::read_to_string(err.path()).unwrap();
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    (code, stderr, kib as f64 / 1024.0)
}

/// 50 MB of report text from the test split, as one line or as many.
fn fifty_mb(one_line: bool) -> tempfile::NamedTempFile {
    let corpus = std::fs::read_to_string(root().join("corpus/test.jsonl")).unwrap();
    let sep = if one_line { "" } else { "\n" };
    let mut block = String::new();
    for v in jsonl(&corpus) {
        block.push_str(v["text"].as_str().unwrap());
        block.push_str(sep);
    }
    let mut f = tempfile::Builder::new().suffix(".txt").tempfile().unwrap();
    use std::io::Write;
    let mut written = 0;
    while written < 50 << 20 {
        f.write_all(block.as_bytes()).unwrap();
        written += block.len();
    }
    f.flush().unwrap();
    f
}

/// Reading a whole 50 MB file costs 50 MB for the bytes and as much again for the text,
/// on top of the model; streaming stays far below that.
const LIMIT_MIB: f64 = 100.0;

#[test]
fn a_50mb_single_line_is_tagged_in_bounded_memory() {
    let f = fifty_mb(true);
    let path = f.path().to_str().unwrap();
    let (code, stderr, rss) = run_measured(&["tag", "--format", "jsonl", path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        rss < LIMIT_MIB,
        "peak RSS {rss:.0} MiB tagging a 50 MB line"
    );
}

#[test]
fn a_50mb_report_is_segmented_in_bounded_memory() {
    let f = fifty_mb(false);
    let path = f.path().to_str().unwrap();
    let (code, stderr, rss) = run_measured(&["segment", "--format", "jsonl", path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(rss < LIMIT_MIB, "peak RSS {rss:.0} MiB segmenting 50 MB");
}
