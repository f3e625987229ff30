//! `import`, `export`, `agree` and `suggest`.

use super::*;

use policytag_data::jsonl::{read_jsonl_str, Example, ReadOptions};

/// The first `n` lines of corpus/test.jsonl, written to `dir/slice.jsonl`.
fn corpus_slice(dir: &Path, n: usize) -> PathBuf {
    let all = std::fs::read_to_string(root().join("corpus/test.jsonl")).unwrap();
    let slice: String = all.lines().take(n).map(|l| format!("{l}\n")).collect();
    let p = dir.join("slice.jsonl");
    std::fs::write(&p, slice).unwrap();
    p
}

fn examples(s: &str) -> Vec<Example> {
    read_jsonl_str(Path::new("x"), s, ReadOptions::default())
        .unwrap()
        .examples
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn export_import(dir: &Path, input: &Path, to: &str, ext: &str) -> (Vec<Example>, Run) {
    let out = dir.join(format!("out-{to}.{ext}"));
    let r = run(&["export", "--to", to, s(input), "--out", s(&out)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let back = dir.join(format!("back-{to}.jsonl"));
    let r = run(&["import", "--from", to, s(&out), "--out", s(&back)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (examples(&std::fs::read_to_string(back).unwrap()), r)
}

#[test]
fn every_format_round_trips_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus_slice(dir.path(), 60);
    let original = examples(&std::fs::read_to_string(&input).unwrap());
    assert_eq!(original.len(), 60);
    assert!(original.iter().any(|e| e.labels.len() > 1));
    assert!(original.iter().any(|e| e.labels.is_empty()));
    for (to, ext) in [("doccano", "jsonl"), ("labelstudio", "json")] {
        let (back, _) = export_import(dir.path(), &input, to, ext);
        assert_eq!(back, original, "{to}");
    }
    // fastText has no ids: they are generated from the file stem and line.
    let (back, _) = export_import(dir.path(), &input, "fasttext", "txt");
    let strip = |v: &[Example]| {
        v.iter()
            .map(|e| (e.text.clone(), e.labels.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&back), strip(&original));
    assert_eq!(back[2].id.as_deref(), Some("out-fasttext-3"));
    // The Label Studio export comes with its labelling config.
    let config = std::fs::read_to_string(dir.path().join("out-labelstudio.config.xml")).unwrap();
    assert!(config.contains("<Choices name=\"theme\" toName=\"text\" choice=\"multiple\""));
    assert_eq!(config.matches("<Choice value=").count(), 14);
}

#[test]
fn labelstudio_export_with_model_carries_predictions_like_tag() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus_slice(dir.path(), 25);
    let out = dir.path().join("tasks.json");
    let r = run(&[
        "export",
        "--to",
        "labelstudio",
        s(&input),
        "--out",
        s(&out),
        "--model",
        "models/default.model",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tasks: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let tasks = tasks.as_array().unwrap();
    let tagged = jsonl(
        &run(&[
            "tag",
            "--jsonl",
            s(&input),
            "--format",
            "jsonl",
            "--model",
            "models/default.model",
        ])
        .stdout,
    );
    assert_eq!(tasks.len(), 25);
    let mut versions = std::collections::BTreeSet::new();
    for (task, row) in tasks.iter().zip(&tagged) {
        assert_eq!(task["data"]["text"], row["text"]);
        let p = &task["predictions"][0];
        versions.insert(p["model_version"].as_str().unwrap().to_string());
        let score = p["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        let predicted: Vec<Value> = match p["result"].as_array().unwrap().as_slice() {
            [] => Vec::new(),
            [one] => {
                assert_eq!(one["from_name"], "theme");
                assert_eq!(one["type"], "choices");
                assert_eq!(one["score"], p["score"]);
                one["value"]["choices"].as_array().unwrap().clone()
            }
            more => panic!("one choices result expected, got {}", more.len()),
        };
        // Same labels as `tag`; the score (the weakest decision's probability) is at most
        // the probability of every label given.
        assert_eq!(&predicted, row["labels"].as_array().unwrap());
        for l in &predicted {
            assert!(score <= row["scores"][l.as_str().unwrap()].as_f64().unwrap() + 1e-4);
        }
        // The gold labels travel as the annotation.
        assert!(task["annotations"][0]["result"].is_array());
    }
    assert_eq!(versions.len(), 1);
    assert!(versions.iter().next().unwrap().starts_with("policytag-"));
}

#[test]
fn unlabelled_lines_export_without_annotations_and_are_left_out_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mixed.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"新建幼儿园三所。\",\"labels\":[\"preschool\"]}\n{\"id\":\"b\",\"text\":\"全面落实双减。\"}\n",
    )
    .unwrap();
    let out = dir.path().join("t.json");
    let r = run(&["export", "--to", "labelstudio", s(&input), "--out", s(&out)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tasks: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(tasks[1].get("annotations").is_none());
    assert!(tasks[0].get("predictions").is_none());
    let r = run(&["import", "--from", "labelstudio", s(&out)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"id\":\"a\",\"labels\":[\"preschool\"],\"text\":\"新建幼儿园三所。\"}\n"
    );
    assert!(r
        .stderr
        .contains("left out 1 task(s) without an annotation (tasks 2)"));
}

#[test]
fn malformed_imports_are_one_line_errors_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "doccano",
            "d.jsonl",
            "{\"text\":\"a\",\"label\":[]}\n{\"text\":\"b\",\"label\":\"aid\"}\n",
            "d.jsonl:2: \"label\" must be a list of strings",
        ),
        (
            "doccano",
            "u.jsonl",
            "{\"text\":\"a\",\"label\":[\"aid\"]}\n\n{\"text\":\"b\",\"label\":[\"nope\",\"aid\",\"also-no\"]}\n",
            "u.jsonl:3: labels not in the theme set: also-no, nope",
        ),
        (
            "fasttext",
            "f.txt",
            "__label__aid 资助\n__label__aid\n",
            "f.txt:2: no text after the labels",
        ),
        (
            "labelstudio",
            "l.json",
            "[{\"data\":{\"text\":\"a\"},\"annotations\":[{\"result\":[]}]},{\"data\":{\"txt\":\"b\"}}]",
            "l.json: task 2: missing \"data.text\"",
        ),
        (
            "labelstudio",
            "n.json",
            "{\"data\": {\"text\": \"a\"}",
            "n.json: malformed JSON",
        ),
        ("doccano", "e.jsonl", "\n\n", "e.jsonl: no examples"),
    ];
    for (from, name, content, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        let out = dir.path().join("out.jsonl");
        let r = run_in(
            dir.path(),
            &["import", "--from", from, name, "--out", "out.jsonl"],
            None,
        );
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        let line = one_error_line(&r);
        assert!(line.contains(want), "{name}: {line}");
        assert!(!out.exists(), "{name}: no output on error");
    }
    // --allow-unknown keeps them; --themes sets the accepted ids.
    let r = run_in(
        dir.path(),
        &["import", "--from", "doccano", "u.jsonl", "--allow-unknown"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("[\"aid\",\"also-no\",\"nope\"]"));
    let themes = dir.path().join("t.toml");
    std::fs::write(&themes, "[[theme]]\nid = \"aid\"\nname = \"资助\"\n").unwrap();
    let r = run_in(
        dir.path(),
        &[
            "import", "--from", "fasttext", "f.txt", "--themes", "t.toml",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("f.txt:2:"));
    let r = run(&[
        "export",
        "--to",
        "doccano",
        "corpus/test.jsonl",
        "--out",
        "/nonexistent/x",
        "--tokens",
    ]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("--tokens"));
}

#[test]
fn fasttext_tokens_are_the_model_words() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("one.jsonl");
    std::fs::write(
        &input,
        "{\"text\":\"2023年，全区课后服务覆盖率达100%。\\n新建普惠性幼儿园3所。\",\"labels\":[\"preschool\",\"double-reduction\"]}\n",
    )
    .unwrap();
    let out = dir.path().join("f.txt");
    let r = run(&[
        "export",
        "--to",
        "fasttext",
        "--tokens",
        s(&input),
        "--out",
        s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tokens = run(&[
        "tokenize",
        "2023年，全区课后服务覆盖率达100%。\n新建普惠性幼儿园3所。",
    ]);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!(
            "__label__double-reduction __label__preschool {}\n",
            tokens
                .stdout
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        )
    );
    // Raw text: the line break becomes a space.
    let r = run(&["export", "--to", "fasttext", s(&input), "--out", s(&out)]);
    assert_eq!(r.code, 0);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "__label__double-reduction __label__preschool 2023年，全区课后服务覆盖率达100%。 新建普惠性幼儿园3所。\n"
    );
}

#[test]
fn agree_numbers_on_a_crafted_pair() {
    let dir = tempfile::tempdir().unwrap();
    // Six shared paragraphs (by id) and one extra in B.
    // safety: A {1,2,3}, B {1,2,4} → both 2, A only 1, B only 1, neither 2:
    //   po = 4/6, pA = pB = 1/2, pe = 1/2, kappa = (2/3 − 1/2)/(1/2) = 1/3; F1 = 4/6.
    //   (sklearn cohen_kappa_score([1,1,1,0,0,0],[1,1,0,1,0,0]) = 0.3333, sklearn 1.9.1)
    // aid: given by both on 5 only → kappa 1, F1 1.
    // teachers: B only, on 6 → A constant: kappa 0, F1 0.
    let a = "{\"id\":\"1\",\"text\":\"一\",\"labels\":[\"safety\"]}\n\
             {\"id\":\"2\",\"text\":\"二\",\"labels\":[\"safety\"]}\n\
             {\"id\":\"3\",\"text\":\"三\",\"labels\":[\"safety\"]}\n\
             {\"id\":\"4\",\"text\":\"四\",\"labels\":[]}\n\
             {\"id\":\"5\",\"text\":\"五\",\"labels\":[\"aid\"]}\n\
             {\"id\":\"6\",\"text\":\"六\",\"labels\":[]}\n";
    let b = "{\"id\":\"6\",\"text\":\"六\",\"labels\":[\"teachers\"]}\n\
             {\"id\":\"5\",\"text\":\"五\",\"labels\":[\"aid\"]}\n\
             {\"id\":\"4\",\"text\":\"四\",\"labels\":[\"safety\"]}\n\
             {\"id\":\"3\",\"text\":\"三\",\"labels\":[]}\n\
             {\"id\":\"2\",\"text\":\"二\",\"labels\":[\"safety\"]}\n\
             {\"id\":\"1\",\"text\":\"一\",\"labels\":[\"safety\"]}\n\
             {\"id\":\"7\",\"text\":\"七\",\"labels\":[]}\n";
    std::fs::write(dir.path().join("a.jsonl"), a).unwrap();
    std::fs::write(dir.path().join("b.jsonl"), b).unwrap();
    let r = run_in(
        dir.path(),
        &["agree", "a.jsonl", "b.jsonl", "--format", "json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let f = |v: &Value| v.as_f64().unwrap();
    let close = |x: f64, y: f64| assert!((x - y).abs() < 1e-9, "{x} vs {y}");
    assert_eq!(v["matched_by"], "id");
    assert_eq!(
        (
            v["matched"].as_u64(),
            v["only_a"].as_u64(),
            v["only_b"].as_u64()
        ),
        (Some(6), Some(0), Some(1))
    );
    close(f(&v["per_label"]["safety"]["kappa"]), 1.0 / 3.0);
    close(f(&v["per_label"]["safety"]["f1"]), 2.0 / 3.0);
    close(f(&v["per_label"]["aid"]["kappa"]), 1.0);
    close(f(&v["per_label"]["teachers"]["kappa"]), 0.0);
    assert!(v["per_label"]["teachers"]["recall"].is_null());
    // micro: tp 3, fp 2, fn 1 → 6/9; macro (2/3 + 1 + 0)/3; exact: paragraphs 1, 2, 5.
    close(f(&v["micro_f1"]), 6.0 / 9.0);
    close(f(&v["macro_f1"]), 5.0 / 9.0);
    close(f(&v["exact_match"]), 0.5);
    let ids: Vec<&str> = v["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["3", "4", "6"]);
    // Text report; a label both annotators leave constant has no kappa.
    std::fs::write(
        dir.path().join("c.jsonl"),
        "{\"text\":\"一\",\"labels\":[\"aid\"]}\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["agree", "c.jsonl", "c.jsonl"], None);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("matched 1 paragraphs by text"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("n/a"));
    // Nothing in common, or a bad line: exit 2 with one line.
    std::fs::write(
        dir.path().join("d.jsonl"),
        "{\"text\":\"别的\",\"labels\":[]}\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["agree", "c.jsonl", "d.jsonl"], None);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("no paragraph in common"));
    std::fs::write(dir.path().join("e.jsonl"), "{\"text\":\"一\"}\n").unwrap();
    let r = run_in(dir.path(), &["agree", "c.jsonl", "e.jsonl"], None);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("e.jsonl:1: missing \"labels\""));
}

/// Uncertainty as documented: 1 − min over labels of |p − t| scaled by the room on p's side.
fn uncertainty(scores: &Value, thresholds: &std::collections::BTreeMap<String, f64>) -> f64 {
    thresholds
        .iter()
        .map(|(l, &t)| {
            let p = scores[l].as_f64().unwrap();
            let m = if p >= t {
                (p - t) / (1.0 - t)
            } else {
                (t - p) / t
            };
            1.0 - m
        })
        .fold(0.0, f64::max)
}

#[test]
fn suggest_ranks_by_uncertainty_and_keeps_n() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus_slice(dir.path(), 80);
    let out = dir.path().join("next.jsonl");
    let r = run(&[
        "suggest",
        "--jsonl",
        s(&input),
        "--n",
        "10",
        "--out",
        s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = jsonl(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(rows.len(), 10);
    for row in &rows {
        for key in [
            "id",
            "doc",
            "paragraph",
            "heading",
            "text",
            "uncertainty",
            "suggested",
            "scores",
        ] {
            assert!(row.get(key).is_some(), "lacks {key}");
        }
    }
    let u: Vec<f64> = rows
        .iter()
        .map(|r| r["uncertainty"].as_f64().unwrap())
        .collect();
    assert!(u.windows(2).all(|w| w[0] >= w[1]), "{u:?}");
    // Recompute every paragraph's uncertainty from `tag` scores and `labels` thresholds
    // (both rounded to 4 places): the ten suggested are the ten most uncertain.
    let labels: Value = serde_json::from_str(&run(&["labels", "--format", "json"]).stdout).unwrap();
    let thresholds = labels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["threshold"].as_f64().unwrap(),
            )
        })
        .collect();
    let tagged = jsonl(&run(&["tag", "--jsonl", s(&input), "--format", "jsonl"]).stdout);
    let mut all: Vec<f64> = tagged
        .iter()
        .map(|t| uncertainty(&t["scores"], &thresholds))
        .collect();
    for row in &rows {
        let i = row["paragraph"].as_u64().unwrap() as usize;
        assert!((all[i] - row["uncertainty"].as_f64().unwrap()).abs() < 2e-3);
        assert_eq!(row["suggested"], tagged[i]["labels"]);
        assert_eq!(
            row["id"],
            examples(&std::fs::read_to_string(&input).unwrap())[i]
                .id
                .as_deref()
                .unwrap()
        );
    }
    all.sort_by(|a, b| b.total_cmp(a));
    assert!(u[9] >= all[10] - 2e-3, "{} vs {}", u[9], all[10]);
    // --n larger than the input gives everything; the first ten are the same.
    let r = run(&["suggest", "--jsonl", s(&input), "--n", "500"]);
    let every = jsonl(&r.stdout);
    assert_eq!(every.len(), 80);
    assert_eq!(&every[..10], &rows[..]);
    // Reports are segmented like `tag`, and their paragraphs get the ids `tag` gives them.
    let report = "corpus/samples/county-annual-summary.txt";
    let r = run(&["suggest", report, "--n", "3"]);
    let tagged = jsonl(&run(&["tag", report, "--format", "jsonl"]).stdout);
    for row in jsonl(&r.stdout) {
        let i = row["paragraph"].as_u64().unwrap() as usize;
        assert_eq!(row["id"], tagged[i]["id"]);
        assert_eq!(row["text"], tagged[i]["text"]);
    }
    let r = run(&["suggest", "--jsonl", s(&input), "--n", "0"]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("--n"));
}
