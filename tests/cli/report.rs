//! `report`, `stats` and `explain`.

use super::*;

use std::collections::BTreeMap;

const SAMPLES: [&str; 3] = [
    "corpus/samples/city-double-reduction-webpage.txt",
    "corpus/samples/county-annual-summary.txt",
    "corpus/samples/district-plan-traditional.txt",
];

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Text of an HTML fragment: tags removed, entities decoded.
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// The value of `attr="…"` in the first tag of `s`.
fn attr(s: &str, name: &str) -> Option<String> {
    let tag = &s[..s.find('>')?];
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(unescape(&tag[at..end]))
}

/// Every piece of `html` that starts with `open`, up to the next `close`.
fn elements<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let from = &rest[i..];
        let end = from
            .find(close)
            .map(|e| e + close.len())
            .unwrap_or(from.len());
        out.push(&from[..end]);
        rest = &from[end..];
    }
    out
}

fn write_report(args: &[&str]) -> (Run, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let r = run(&all);
    let html = std::fs::read_to_string(&out).unwrap_or_default();
    (r, html, dir)
}

/// The name `report` and `stats` give each sample (one document each): what the document
/// is, from `tag`'s `doc_*` fields, not its path.
fn sample_names() -> Vec<String> {
    let mut args = vec!["tag", "--format", "jsonl"];
    args.extend_from_slice(&SAMPLES);
    let rows = jsonl(&run(&args).stdout);
    SAMPLES
        .iter()
        .map(|doc| {
            let r = rows.iter().find(|r| r["doc"] == *doc).unwrap();
            let mut parts = vec![r["doc_title"].as_str().unwrap().to_string()];
            parts.extend(r["doc_bureau"].as_str().map(str::to_string));
            let years: Vec<String> = r["doc_years"]
                .as_array()
                .unwrap()
                .iter()
                .map(|y| y.to_string())
                .collect();
            if !years.is_empty() {
                parts.push(years.join("–"));
            }
            parts.extend(r["doc_kind"].as_str().map(str::to_string));
            parts.extend(r["doc_date"].as_str().map(str::to_string));
            parts.join(" · ")
        })
        .collect()
}

/// (doc, theme) → share, from `stats --format json`.
fn stats_shares() -> BTreeMap<(String, String), f64> {
    let mut args = vec!["stats", "--format", "json"];
    args.extend_from_slice(&SAMPLES);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut m = BTreeMap::new();
    for d in v["documents"].as_array().unwrap() {
        for t in d["themes"].as_array().unwrap() {
            m.insert(
                (
                    d["doc"].as_str().unwrap().to_string(),
                    t["id"].as_str().unwrap().to_string(),
                ),
                t["share"].as_f64().unwrap(),
            );
        }
    }
    m
}

#[test]
fn report_has_every_paragraph_and_chart_values_equal_stats() {
    let (r, html, _dir) = write_report(&SAMPLES);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    // Self-contained: no external resources.
    assert!(!html.contains("<link") && !html.contains(" src="));
    assert!(!html.contains("https://"));

    // Paragraphs exactly as `tag` cuts them.
    let mut tag_args = vec!["tag", "--format", "jsonl"];
    tag_args.extend_from_slice(&SAMPLES);
    let rows = jsonl(&run(&tag_args).stdout);
    let shares = stats_shares();
    let sections = elements(&html, "<section class=\"doc\"", "</section>");
    assert_eq!(sections.len(), SAMPLES.len());
    let names = sample_names();
    for ((sec, doc), name) in sections.iter().zip(SAMPLES).zip(&names) {
        assert_eq!(attr(sec, "data-doc").as_deref(), Some(name.as_str()));
        let want: Vec<String> = rows
            .iter()
            .filter(|r| r["doc"] == doc)
            .map(|r| r["text"].as_str().unwrap().to_string())
            .collect();
        let got: Vec<String> = elements(sec, "<p class=\"text\">", "</p>")
            .iter()
            .map(|p| strip_tags(p))
            .collect();
        assert!(want.len() >= 20);
        assert_eq!(got, want, "{doc}: paragraphs");
        let bars = elements(sec, "<g class=\"bar", "</g>");
        assert_eq!(bars.len(), 14, "{doc}: one bar per theme");
        for b in bars {
            let theme = attr(b, "data-theme").unwrap();
            let share: f64 = attr(b, "data-share").unwrap().parse().unwrap();
            assert_eq!(
                share,
                shares[&(name.to_string(), theme.clone())],
                "{doc} {theme}"
            );
        }
        // Every paragraph article carries its themes; the chart counts agree with them.
        let articles = elements(sec, "<article class=\"para\"", "</article>");
        assert_eq!(articles.len(), want.len());
        for b in elements(sec, "<g class=\"bar", "</g>") {
            let theme = attr(b, "data-theme").unwrap();
            let count: usize = attr(b, "data-count").unwrap().parse().unwrap();
            let n = articles
                .iter()
                .filter(|a| {
                    attr(a, "data-themes")
                        .unwrap()
                        .split(' ')
                        .any(|t| t == theme)
                })
                .count();
            assert_eq!(count, n, "{doc} {theme}");
        }
    }
    // Heat-map: one row per document, cells equal the stats shares.
    let heat = elements(&html, "<table class=\"heat\"", "</table>");
    assert_eq!(heat.len(), 1);
    let trs = elements(heat[0], "<tr data-doc=", "</tr>");
    assert_eq!(trs.len(), SAMPLES.len());
    for (tr, name) in trs.iter().zip(&names) {
        assert_eq!(attr(tr, "data-doc").as_deref(), Some(name.as_str()));
        let cells = elements(tr, "<td data-theme=", "</td>");
        assert_eq!(cells.len(), 14);
        for c in cells {
            let theme = attr(c, "data-theme").unwrap();
            let share: f64 = attr(c, "data-share").unwrap().parse().unwrap();
            assert_eq!(share, shares[&(name.to_string(), theme)]);
        }
    }
    assert!(html.contains("<ul class=\"standout\">"));
    assert!(html.contains("<mark"), "evidence terms are highlighted");
    assert!(
        html.contains("<ul class=\"figs\">"),
        "key figures are listed"
    );
}

#[test]
fn report_of_one_document_has_no_comparison() {
    let (r, html, _dir) = write_report(&[SAMPLES[1]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!html.contains("id=\"compare\""));
    assert_eq!(
        elements(&html, "<section class=\"doc\"", "</section>").len(),
        1
    );
}

#[test]
fn report_bad_inputs_one_line_each_good_ones_reported_exit_2() {
    let empty = tempfile::tempdir().unwrap();
    let no_reports = empty.path().to_str().unwrap();
    let (r, html, _dir) = write_report(&["no/such/file.txt", SAMPLES[0], no_reports]);
    assert_eq!(r.code, 2);
    let errors: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 2, "{}", r.stderr);
    assert!(errors[0].contains("no/such/file.txt"));
    assert!(errors[1].contains("a directory with no report files"));
    assert_eq!(
        elements(&html, "<section class=\"doc\"", "</section>").len(),
        1
    );
}

#[test]
fn report_with_no_good_input_writes_nothing() {
    let (r, html, dir) = write_report(&["no/such/file.txt"]);
    assert_eq!(r.code, 2);
    assert_eq!(one_error_line(&r).matches("no/such/file.txt").count(), 1);
    assert_eq!(html, "");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temp files left"
    );
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    let (r, html, _d) = write_report(&[empty.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nothing to report"), "{}", r.stderr);
    assert_eq!(html, "");
}

#[test]
fn report_needs_out_and_a_valid_threshold() {
    let r = run(&["report", SAMPLES[0]]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--out"), "{}", r.stderr);
    let (r, _, _d) = write_report(&[SAMPLES[0], "--threshold", "3"]);
    assert_eq!(r.code, 2);
    assert!(one_error_line(&r).contains("--threshold"));
}

#[test]
fn stats_csv_and_text_agree_with_json() {
    let shares = stats_shares();
    let mut args = vec!["stats", "--format", "csv"];
    args.extend_from_slice(&SAMPLES);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + SAMPLES.len());
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(&header[..4], ["doc", "paragraphs", "untagged", "figures"]);
    assert_eq!(header.len(), 4 + 2 * 14);
    for (line, name) in lines[1..].iter().zip(sample_names()) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], name);
        for (h, c) in header.iter().zip(&cells).skip(4) {
            if let Some(id) = h.strip_suffix("_share") {
                let v: f64 = c.parse().unwrap();
                assert_eq!(v, shares[&(name.to_string(), id.to_string())]);
            }
        }
    }
    let r = run(&["stats", SAMPLES[1]]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with(&format!("━━ {}: ", sample_names()[1])));
    assert!(r.stdout.contains("key figures"));
}

#[test]
fn stats_json_counts_are_consistent() {
    let r = run(&["stats", "--format", "json", SAMPLES[1]]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["themes"].as_array().unwrap().len(), 14);
    let d = &v["documents"][0];
    let n = d["paragraphs"].as_u64().unwrap();
    let tag = jsonl(&run(&["tag", "--format", "jsonl", SAMPLES[1]]).stdout);
    assert_eq!(n as usize, tag.len());
    let untagged = tag
        .iter()
        .filter(|r| r["labels"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(d["untagged"].as_u64().unwrap() as usize, untagged);
    for t in d["themes"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let count = tag
            .iter()
            .filter(|r| r["labels"].as_array().unwrap().iter().any(|l| l == id))
            .count();
        assert_eq!(t["count"].as_u64().unwrap() as usize, count, "{id}");
        let share = (count as f64 / n as f64 * 10000.0).round() / 10000.0;
        assert_eq!(t["share"].as_f64().unwrap(), share, "{id}");
    }
    assert!(
        d["figures"].as_u64().unwrap() >= 30,
        "a county summary is full of figures"
    );
}

#[test]
fn explain_label_lists_positive_then_negative_terms() {
    let r = run(&[
        "explain",
        "--label",
        "preschool",
        "--top",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["label"], "preschool");
    let pos = v["positive"].as_array().unwrap();
    assert_eq!(pos.len(), 5);
    let w: Vec<f64> = pos.iter().map(|t| t["weight"].as_f64().unwrap()).collect();
    assert!(w.windows(2).all(|p| p[0] >= p[1]) && w.iter().all(|&x| x > 0.0));
    assert!(v["negative"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["weight"].as_f64().unwrap() < 0.0));
    // A preschool theme is carried by preschool words.
    assert!(pos
        .iter()
        .any(|t| t["term"].as_str().unwrap().contains("幼")));
    let text = run(&["explain", "--label", "preschool"]);
    assert!(text.stdout.starts_with("学前教育 (preschool)"));
}

#[test]
fn explain_text_shows_themes_scores_and_evidence() {
    let r = run(&[
        "explain",
        "全面落实“双减”，课后服务实现义务教育学校全覆盖。",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let themes = v["themes"].as_array().unwrap();
    assert_eq!(themes[0]["id"], "double-reduction");
    for t in themes {
        assert!(t["score"].as_f64().unwrap() >= t["threshold"].as_f64().unwrap());
        assert!(!t["evidence"].as_array().unwrap().is_empty());
    }
    assert_eq!(v["closest"].as_array().unwrap().len(), 3);
    let stdin = run_in(
        &root(),
        &["explain", "-"],
        Some("新建公办幼儿园3所。".as_bytes()),
    );
    assert_eq!(stdin.code, 0, "{}", stdin.stderr);
    assert!(stdin.stdout.contains("(preschool)"));
}

#[test]
fn explain_usage_errors_name_the_flags() {
    for (args, want) in [
        (vec!["explain"], "--label"),
        (vec!["explain", "双减", "--label", "aid"], "not both"),
        (vec!["explain", "--label", "aid", "--top", "0"], "--top"),
        (
            vec!["explain", "--label", "nope"],
            "valid ids: aid, double-reduction",
        ),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(one_error_line(&r).contains(want), "{args:?}: {}", r.stderr);
    }
}
