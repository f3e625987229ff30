//! CLI behaviour, driving the real `policytag` binary. Golden outputs live in
//! `tests/golden/`; regenerate them with `UPDATE_GOLDEN=1 cargo test --test cli`.
//! Every run checks that nothing panicked.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

mod annotate;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("policytag"));
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd.spawn().expect("spawn policytag");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "policytag {args:?} panicked:\n{}",
        r.stderr
    );
    r
}

/// The real reports of `../shared/real` (97 excerpts, then report-1..5), or `None` with a
/// message when they are absent (they are for measuring only).
fn real_files() -> Option<Vec<PathBuf>> {
    let real = root().join("../shared/real");
    if !real.join("excerpts").is_dir() {
        eprintln!(
            "skipped: {} is absent (real reports are for measuring only)",
            real.display()
        );
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(real.join("excerpts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files.extend((1..=5).map(|i| real.join(format!("report-{i}.txt"))));
    Some(files)
}

fn run(args: &[&str]) -> Run {
    run_in(&root(), args, None)
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

fn one_error_line(r: &Run) -> &str {
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want one stderr line, got:\n{}", r.stderr);
    lines[0]
}

fn jsonl(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

mod formats;
mod huge;
mod interchange;
mod matrix;

// ---- tag ----------------------------------------------------------------------------

#[test]
fn tag_sample_report_jsonl_golden() {
    let r = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = jsonl(&r.stdout);
    assert!(rows.len() >= 25);
    for (i, row) in rows.iter().enumerate() {
        for key in ["doc", "paragraph", "heading", "text", "labels", "scores"] {
            assert!(row.get(key).is_some(), "row {i} lacks {key}");
        }
        assert_eq!(row["paragraph"], i);
        let scores = row["scores"].as_object().unwrap();
        assert_eq!(scores.len(), 14);
        for l in row["labels"].as_array().unwrap() {
            assert!(scores.contains_key(l.as_str().unwrap()));
        }
    }
    // Most paragraphs of a report get a theme.
    let tagged = rows
        .iter()
        .filter(|r| !r["labels"].as_array().unwrap().is_empty())
        .count();
    assert!(tagged * 10 >= rows.len() * 7, "{tagged} of {}", rows.len());
}

#[test]
fn tag_text_format_is_for_people() {
    let r = run(&["tag", "corpus/samples/district-plan-traditional.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("━━ corpus/samples/district-plan-traditional.txt"));
    assert!(r.stdout.contains("▸ "));
    golden("tag-traditional.txt", &r.stdout);
}

#[test]
fn tag_csv_has_header_and_scores() {
    let r = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0);
    let header = r.stdout.lines().next().unwrap();
    assert!(header.starts_with("id,doc,paragraph,heading,labels,text,aid,"));
    assert_eq!(header.split(',').count(), 6 + 14);
    golden("tag-county.csv", &r.stdout);
}

#[test]
fn tag_explain_gives_evidence_for_each_label() {
    let r = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
        "--explain",
    ]);
    for row in jsonl(&r.stdout) {
        let ev = row["evidence"].as_object().unwrap();
        assert_eq!(ev.len(), row["labels"].as_array().unwrap().len());
    }
}

#[test]
fn tag_jsonl_input_is_not_segmented() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.jsonl");
    std::fs::write(&p, "{\"text\":\"全面落实“双减”，课后服务覆盖全部义务教育学校。\"}\n{\"text\":\"新建幼儿园三所，新增学位九百个。\"}\n").unwrap();
    let r = run(&["tag", "--jsonl", p.to_str().unwrap(), "--format", "jsonl"]);
    let rows = jsonl(&r.stdout);
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "double-reduction"));
    assert!(rows[1]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "preschool"));
}

#[test]
fn threshold_overrides_tuned_thresholds() {
    let all = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
        "--threshold",
        "0",
    ]);
    for row in jsonl(&all.stdout) {
        assert_eq!(row["labels"].as_array().unwrap().len(), 14);
    }
    let none = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
        "--threshold",
        "1",
    ]);
    assert!(jsonl(&none.stdout)
        .iter()
        .all(|r| r["labels"].as_array().unwrap().len() <= 1));
}

// ---- encodings ------------------------------------------------------------------------

fn tag_stdin(bytes: &[u8]) -> Vec<Value> {
    let r = run_in(&root(), &["tag", "-", "--format", "jsonl"], Some(bytes));
    assert_eq!(r.code, 0, "{}", r.stderr);
    jsonl(&r.stdout)
}

#[test]
fn gbk_utf16_bom_and_line_ends_tag_like_utf8() {
    let text =
        std::fs::read_to_string(root().join("corpus/samples/county-annual-summary.txt")).unwrap();
    let base = tag_stdin(text.as_bytes());
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    assert_eq!(tag_stdin(&gbk), base, "GBK");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(tag_stdin(&bom), base, "UTF-8 BOM");
    for le in [true, false] {
        let mut b = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            b.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        assert_eq!(tag_stdin(&b), base, "UTF-16 le={le}");
    }
    let labels = |rows: &[Value]| {
        rows.iter()
            .map(|r| (r["text"].clone(), r["labels"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        labels(&tag_stdin(text.replace('\n', "\r\n").as_bytes())),
        labels(&base),
        "CRLF"
    );
    assert_eq!(
        labels(&tag_stdin(text.replace('\n', "\r").as_bytes())),
        labels(&base),
        "CR"
    );
}

#[test]
fn undecodable_bytes_name_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.txt");
    std::fs::write(&p, b"abc\xFF\xFF\xFFdef").unwrap();
    let r = run(&["tag", p.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    let line = one_error_line(&r);
    assert!(
        line.contains("bad.txt") && line.contains("byte 3"),
        "{line}"
    );
}

// ---- bad input ------------------------------------------------------------------------

#[test]
fn empty_and_chrome_only_inputs_give_valid_empty_output() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [
        ("empty.txt", ""),
        ("blank.txt", "  \n\t\n"),
        ("chrome.txt", "首页\n当前位置：首页 > 动态\n返回顶部\n"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        let r = run(&["tag", p.to_str().unwrap(), "--format", "jsonl"]);
        assert_eq!(r.code, 0, "{name}");
        assert_eq!(r.stdout, "", "{name}");
        assert!(one_error_line(&r).contains("no paragraphs"), "{name}");
        let r = run(&["tag", p.to_str().unwrap(), "--format", "csv"]);
        assert_eq!(r.stdout.lines().count(), 1, "{name}: CSV header only");
    }
}

#[test]
fn binary_input_is_not_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("image.txt");
    std::fs::write(&p, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let r = run(&["tag", p.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    let line = one_error_line(&r);
    assert!(
        line.contains("image.txt") && line.contains("not a text file"),
        "{line}"
    );
}

#[test]
fn missing_file_and_directory_without_reports_fail_but_good_inputs_are_tagged() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.md"), "not a report").unwrap();
    let r = run(&[
        "tag",
        "no/such/file.txt",
        "corpus/samples/county-annual-summary.txt",
        empty.path().to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no/such/file.txt"));
    assert!(r.stderr.contains("a directory with no report files"));
    assert_eq!(r.stderr.lines().count(), 2);
    assert!(jsonl(&r.stdout).len() >= 25);
}

#[test]
fn tag_dir_tags_every_report_in_it_sorted_like_the_files_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("2021");
    std::fs::create_dir(&sub).unwrap();
    let samples = root().join("corpus/samples");
    for (from, to) in [
        ("district-plan-traditional.txt", sub.join("b.txt")),
        ("county-annual-summary.txt", dir.path().join("a.txt")),
    ] {
        std::fs::copy(samples.join(from), to).unwrap();
    }
    std::fs::write(dir.path().join("README.md"), "not a report").unwrap();
    let d = dir.path().to_str().unwrap();
    let r = run(&["tag", d, "--format", "jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (a, b) = (format!("{d}/a.txt"), format!("{d}/2021/b.txt"));
    let one_by_one = run(&["tag", &b, &a, "--format", "jsonl"]);
    // Sorted by path ("2021/b.txt" before "a.txt"), and the same rows as naming the files.
    assert_eq!(r.stdout, one_by_one.stdout);
    let docs: Vec<String> = jsonl(&r.stdout)
        .iter()
        .map(|row| row["doc"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(docs.first(), Some(&b));
    assert_eq!(docs.last(), Some(&a));
}

#[test]
fn tag_keeps_input_ids_in_jsonl_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rows.jsonl");
    std::fs::write(
        &p,
        "{\"id\":\"row-17\",\"text\":\"全面落实“双减”，课后服务覆盖全部义务教育学校。\"}\n\
         {\"id\":42,\"text\":\"新建幼儿园三所，新增学位九百个。\"}\n\
         {\"text\":\"开展防溺水专题教育。\"}\n",
    )
    .unwrap();
    let p = p.to_str().unwrap();
    let r = run(&["tag", "--jsonl", p, "--format", "jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids: Vec<String> = jsonl(&r.stdout)
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids[..2], ["row-17", "42"]);
    // A line without an id gets the stable paragraph id (file name, index, text hash).
    assert!(ids[2].starts_with("rows.jsonl#2-"), "{}", ids[2]);
    let r = run(&["tag", "--jsonl", p, "--format", "csv"]);
    let csv_ids: Vec<&str> = r
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(csv_ids, ids);
    // Reports get the same stable ids in every format and run.
    let a = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
    ]);
    let b = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "csv",
    ]);
    let first_json = jsonl(&a.stdout)[0]["id"].as_str().unwrap().to_string();
    assert!(first_json.starts_with("county-annual-summary.txt#0-"));
    assert!(b
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .starts_with(&format!("{first_json},")));
}

#[test]
fn bad_arguments_are_usage_errors_naming_the_flag() {
    let train = |flag: &'static str, value: &'static str| {
        let args = [
            "train",
            "--data",
            "corpus/train.jsonl",
            "--out",
            "/tmp/x",
            flag,
            value,
        ];
        (args.to_vec(), flag)
    };
    for (args, flag) in [
        (vec!["tag", "x.txt", "--threshold", "2"], "--threshold"),
        train("--context-weight", "-1"),
        train("--context-weight", "inf"),
        train("--threshold-margin", "NaN"),
        (
            vec![
                "train",
                "--data",
                "corpus/train.jsonl",
                "--out",
                "/tmp/x",
                "--folds",
                "1",
            ],
            "--folds",
        ),
        (
            vec![
                "train",
                "--data",
                "corpus/train.jsonl",
                "--out",
                "/tmp/x",
                "--max-features",
                "0",
            ],
            "--max-features",
        ),
        (
            vec![
                "train",
                "--data",
                "corpus/train.jsonl",
                "--out",
                "/tmp/x",
                "--ngrams",
                "0-5",
            ],
            "--ngrams",
        ),
        (vec!["tag", "--format", "xml"], "--format"),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(flag), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn malformed_training_data_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{\"text\":\"a\",\"labels\":[\"x\"]}\n{bad json\n", ":2: malformed JSON"),
        ("{\"text\":\"a\",\"labels\":[\"x\"]}\n{\"labels\":[\"x\"]}\n", ":2: missing \"text\""),
        ("{\"text\":5,\"labels\":[\"x\"]}\n", ":1: \"text\" must be a string"),
        ("{\"doc\":[1],\"text\":\"a\",\"labels\":[]}\n", ":1: \"doc\" must be a string or number"),
        ("{\"text\":\"a\",\"labels\":\"x\"}\n", ":1: \"labels\" must be a list"),
        ("{\"id\":\"1\",\"text\":\"a\",\"labels\":[]}\n{\"id\":\"1\",\"text\":\"b\",\"labels\":[]}\n", ":2: duplicate id"),
    ];
    for (k, (content, want)) in cases.iter().enumerate() {
        let p = dir.path().join(format!("d{k}.jsonl"));
        std::fs::write(&p, content).unwrap();
        let out = dir.path().join("m.model");
        let r = run(&[
            "train",
            "--data",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 2, "{content}");
        let line = one_error_line(&r);
        assert!(line.contains(&format!("d{k}.jsonl{want}")), "{line}");
        assert!(!out.exists());
    }
}

#[test]
fn a_label_with_too_few_examples_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.jsonl");
    let mut s = String::new();
    for i in 0..10 {
        s += &format!("{{\"text\":\"开展防溺水安全教育第{i}次\",\"labels\":[\"safety\"]}}\n");
    }
    s += "{\"text\":\"新建幼儿园\",\"labels\":[\"preschool\"]}\n";
    std::fs::write(&p, s).unwrap();
    let r = run(&[
        "train",
        "--data",
        p.to_str().unwrap(),
        "--out",
        dir.path().join("m").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("preschool (1)"), "{}", r.stderr);
}

#[test]
fn damaged_models_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(root().join("models/default.model")).unwrap();
    let nl = good.iter().position(|&b| b == b'\n').unwrap();
    let header = String::from_utf8(good[..nl].to_vec()).unwrap();
    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0x20;
    let v = serde_json::from_str::<Value>(&header).unwrap()["version"]
        .as_u64()
        .unwrap();
    let version = |n: u64| header.replace(&format!("\"version\":{v}"), &format!("\"version\":{n}"));
    let newer = [version(v + 1).as_bytes(), &good[nl..]].concat();
    let older = [version(v - 1).as_bytes(), &good[nl..]].concat();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            good[..good.len() * 2 / 3].to_vec(),
            "truncated",
        ),
        ("flipped", flipped, "corrupted"),
        ("newer", newer, "upgrade policytag"),
        ("older", older, "retrain"),
        ("other", b"hello world\n".to_vec(), "not a policytag model"),
    ];
    for (name, bytes, want) in cases {
        let p = dir.path().join(format!("{name}.model"));
        std::fs::write(&p, bytes).unwrap();
        let r = run(&["labels", "--model", p.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}");
        let line = one_error_line(&r);
        assert!(
            line.contains(want) && line.contains(&format!("{name}.model")),
            "{name}: {line}"
        );
    }
    let r = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--model",
        "no/such.model",
    ]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("no/such.model"));
}

#[test]
fn skip_bad_skips_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_corpus(dir.path());
    let mut text = std::fs::read_to_string(&data).unwrap();
    text = text.replacen('\n', "\n{broken\n", 1);
    text.push_str("\n{\"text\":1,\"labels\":[]}\n");
    std::fs::write(&data, text).unwrap();
    let out = dir.path().join("m.model");
    let args = [
        "train",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--folds",
        "2",
        "--features-per-label",
        "100",
        "-q",
    ];
    let r = run(&args);
    assert_eq!(r.code, 2, "bad lines refuse training without --skip-bad");
    assert!(!out.exists());
    let mut with_skip = args.to_vec();
    with_skip.push("--skip-bad");
    let r = run(&with_skip);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("skipped 2 bad line(s) (lines 2, "),
        "{}",
        r.stderr
    );
    assert!(out.exists());
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_training_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.model");
    std::fs::write(&out, "the old model").unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("policytag"))
        .args([
            "train",
            "--data",
            "corpus/train.jsonl",
            "--out",
            out.to_str().unwrap(),
            "--features-per-label",
            "2000",
            "--max-iter",
            "300",
            "--folds",
            "10",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "the old model",
        "the old model must survive"
    );
    let left = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(left, 1, "no temporary file is left");
}

// ---- train, eval, labels, segment, tokenize -----------------------------------------

fn small_corpus(dir: &Path) -> PathBuf {
    let all = std::fs::read_to_string(root().join("corpus/train.jsonl")).unwrap();
    let p = dir.join("small.jsonl");
    std::fs::write(&p, all.lines().step_by(6).collect::<Vec<_>>().join("\n")).unwrap();
    p
}

#[test]
fn training_is_deterministic_and_the_model_tags() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_corpus(dir.path());
    let (a, b) = (dir.path().join("a.model"), dir.path().join("b.model"));
    for out in [&a, &b] {
        let r = run(&[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--folds",
            "3",
            "--features-per-label",
            "300",
            "--themes",
            "corpus/themes.toml",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("micro avg"));
    }
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "same data and flags must give identical bytes"
    );
    let r = run(&["labels", "--model", a.to_str().unwrap()]);
    assert!(r.stdout.contains("学前教育"));
    let r = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--model",
        a.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(r.code, 0);
    assert!(!jsonl(&r.stdout).is_empty());
    // No temporary files are left beside the model.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn eval_json_has_the_contract_keys() {
    let r = run(&["eval", "--data", "corpus/test.jsonl", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    for k in [
        "n",
        "micro_f1",
        "macro_f1",
        "exact_match",
        "hamming_loss",
        "per_label",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let lines = std::fs::read_to_string(root().join("corpus/test.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(v["n"], lines);
    for (_, m) in v["per_label"].as_object().unwrap() {
        for k in ["precision", "recall", "f1", "support"] {
            let x = m[k].as_f64().unwrap();
            assert!(x >= 0.0 && (k == "support" || x <= 1.0));
        }
    }
    let text = run(&["eval", "--data", "corpus/test.jsonl", "--errors", "3"]);
    assert!(text.stdout.contains("precision") && text.stdout.contains("errors ("));
}

#[test]
fn eval_with_unknown_labels_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("u.jsonl");
    std::fs::write(
        &p,
        "{\"text\":\"a\",\"labels\":[\"safety\",\"zzz\",\"yyy\"]}\n",
    )
    .unwrap();
    let r = run(&["eval", "--data", p.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("yyy, zzz"), "{}", r.stderr);
}

#[test]
fn labels_lists_the_taxonomy() {
    let r = run(&["labels", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 14);
    assert!(ids.contains(&"double-reduction") && ids.contains(&"vocational-special"));
    assert!(run(&["labels"]).stdout.contains("双减与课后服务"));
}

#[test]
fn segment_drops_chrome_golden() {
    let r = run(&[
        "segment",
        "corpus/samples/city-double-reduction-webpage.txt",
    ]);
    assert_eq!(r.code, 0);
    for chrome in [
        "返回顶部",
        "ICP备",
        "当前位置",
        "发布时间",
        "分享到",
        "首页",
    ] {
        assert!(
            !r.stdout.contains(chrome),
            "{chrome} left in:\n{}",
            r.stdout
        );
    }
    golden("segment-webpage.txt", &r.stdout);
    let j = run(&[
        "segment",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
    ]);
    let src: Vec<char> =
        std::fs::read_to_string(root().join("corpus/samples/county-annual-summary.txt"))
            .unwrap()
            .chars()
            .collect();
    for row in jsonl(&j.stdout) {
        let (s, e) = (
            row["start"].as_u64().unwrap() as usize,
            row["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            src[s..e].iter().collect::<String>(),
            row["text"].as_str().unwrap()
        );
    }
}

#[test]
fn a_page_of_several_reports_is_several_documents_and_a_repeated_article_kept_once() {
    let dir = tempfile::tempdir().unwrap();
    let body = "全县新建改扩建学校五所，新增学位三千个，办学条件明显改善，教育质量稳步提升。";
    let page = format!(
        "首页 > 文档\n某县教育局2021年工作总结2篇\n申明敬告：本站不保证文档完整\n\
         【篇一】{body}一、主要工作（一）党建引领。{body}【篇二】{body}\n\
         乙区教育局2022年工作总结\n發布日期：2023-01-05\n{body}二是。\n×\n乙区教育局2022年工作总结\n{body}二是。\n相关信息\n"
    );
    let path = dir.path().join("page.txt");
    std::fs::write(&path, page).unwrap();
    let r = run(&["segment", "--format", "jsonl", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = jsonl(&r.stdout);
    let docs: Vec<(u64, String)> = rows
        .iter()
        .map(|r| {
            (
                r["document"].as_u64().unwrap(),
                r["doc_title"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        docs,
        [
            (0, "某县教育局2021年工作总结2篇 【篇一】".to_string()),
            (1, "某县教育局2021年工作总结2篇 【篇二】".to_string()),
            (2, "乙区教育局2022年工作总结".to_string()),
        ]
    );
    let last = rows.last().unwrap();
    assert_eq!(last["doc_region"], "乙区");
    assert_eq!(last["doc_years"], serde_json::json!([2022]));
    assert_eq!(last["doc_kind"], "summary");
    assert_eq!(last["doc_date"], "2023-01-05");
    // The article saved twice is there once; chrome is never a paragraph.
    let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts.iter().filter(|t| t.ends_with("二是。")).count(), 1);
    for chrome in ["申明敬告", "相关信息", "發布日期", "×"] {
        assert!(!texts.iter().any(|t| t.contains(chrome)), "{chrome}");
    }
    let heading: Vec<&str> = rows
        .iter()
        .map(|r| r["heading"].as_str().unwrap())
        .collect();
    assert!(
        heading.contains(&"一、主要工作 › （一）党建引领"),
        "{heading:?}"
    );
}

#[test]
fn tokenize_uses_domain_words_and_simplifies() {
    let r = run_in(
        &root(),
        &["tokenize", "-"],
        Some("全區課後服務實現全覆蓋\n".as_bytes()),
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.split_whitespace().any(|w| w == "课后服务"),
        "{}",
        r.stdout
    );
    let r = run(&["tokenize", "落实县管校聘改革"]);
    assert!(
        r.stdout.split_whitespace().any(|w| w == "县管校聘"),
        "{}",
        r.stdout
    );
}

#[test]
fn out_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tags.jsonl");
    let r = run(&[
        "tag",
        "corpus/samples/county-annual-summary.txt",
        "--format",
        "jsonl",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    assert!(jsonl(&std::fs::read_to_string(&out).unwrap()).len() >= 25);
}

#[test]
fn broken_pipe_is_quiet() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("policytag"))
        .args([
            "tag",
            "corpus/samples/county-annual-summary.txt",
            "corpus/samples/county-annual-summary.txt",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.status.code(), Some(0));
}

// ---- the default model ------------------------------------------------------------------

/// Macro-F1 floor on the held-out test split, set from measurement (see README): the
/// default model scores well above it; a regression in any stage drops below it.
const TEST_SPLIT_MACRO_F1_FLOOR: f64 = 0.82;

#[test]
fn default_model_is_current_and_above_the_floor() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("default.model");
    // No tuning flag: the library's defaults are the recommended settings.
    let args = vec![
        "train",
        "--data",
        "corpus/train.jsonl",
        "--themes",
        "corpus/themes.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "eval",
        "--data",
        "corpus/test.jsonl",
        "--model",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let macro_f1 = v["macro_f1"].as_f64().unwrap();
    assert!(
        macro_f1 >= TEST_SPLIT_MACRO_F1_FLOOR,
        "test-split macro-F1 {macro_f1} below floor"
    );
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(root().join("models/default.model")).unwrap(),
        "models/default.model is stale against corpus/ and the training defaults: run `make model`"
    );
}
mod report;
