//! The decisions file: append-only JSONL that `policytag train --data` reads as it is.
//!
//! One line per labelled paragraph:
//! `{"id","doc","paragraph","heading"?,"text","labels":[…],"annotator"?,"ts"}`.
//! Skipped paragraphs are not examples — a line with empty labels would teach the model
//! "none of the themes" — so they go to a side file beside it (`NAME.skipped.jsonl` for
//! `NAME.jsonl`), with `"skipped":true`, and are skipped again on resume.
//!
//! Every decision is written with one `write` of a whole line, then `fsync`ed before the
//! server answers: killing the process loses nothing that was acknowledged. A torn last
//! line (a crash mid-write: no final newline and not valid JSON) is cut off with a warning
//! on the next start, and the file stays appendable. Changing an earlier decision (after
//! going back) replaces its line through an atomic rewrite, so ids stay unique as
//! `train` requires; lines of other paragraphs (other sessions, other inputs) are kept as
//! they are.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use policytag_data::jsonl::{self, parse_line, CorpusLine, Example};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use policytag_tokenizer::limits;

use crate::error::{Error, Result};

/// One decision about one paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Paragraph id.
    pub id: String,
    /// Document name.
    pub doc: String,
    /// Paragraph index in the document.
    pub paragraph: usize,
    /// Heading path.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub heading: String,
    /// The text.
    pub text: String,
    /// Chosen label ids, sorted (empty when skipped, or when no theme applies).
    pub labels: Vec<String>,
    /// Skipped: not labelled (kept in the skip file only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
    /// Who decided, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    /// Applied from a near-duplicate's decision (its id) with one key, not looked at
    /// one by one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_from: Option<String>,
    /// In review: every annotator gave these labels, so no one had to decide.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub agreed: bool,
    /// When (UTC, ISO 8601 with milliseconds).
    pub ts: String,
}

/// What the store knows about an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Labels (empty when skipped).
    pub labels: Vec<String>,
    /// In the skip file.
    pub skipped: bool,
    /// When it was decided (`""` if the line has no `"ts"`).
    pub ts: String,
    /// The id of the near-duplicate whose decision was applied to this one, if any.
    pub applied_from: Option<String>,
}

/// The skip file that goes with an out file: `x.jsonl` → `x.skipped.jsonl`, else
/// `x` → `x.skipped`.
pub fn skip_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let skip = match name.strip_suffix(".jsonl") {
        Some(stem) => format!("{stem}.skipped.jsonl"),
        None => format!("{name}.skipped"),
    };
    out.with_file_name(skip)
}

#[derive(Debug, Clone)]
struct Line {
    id: Option<String>,
    raw: String,
    stored: Stored,
}

/// One JSONL file: its lines (with an index by id), and an append handle once it exists.
#[derive(Debug)]
struct Part {
    path: PathBuf,
    lines: Vec<Line>,
    index: HashMap<String, usize>,
    file: Option<File>,
}

impl Part {
    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Read the file (if any); cut a torn last line; make sure it ends with a newline.
    fn open(path: PathBuf, skipped: bool, warnings: &mut Vec<String>) -> Result<Part> {
        let mut part = Part {
            path,
            lines: Vec::new(),
            index: HashMap::new(),
            file: None,
        };
        policytag_data::atomic::remove_stale_temps(&part.path);
        let bytes = match limits::read_file(&part.path, limits::DATA, "a decisions file") {
            Ok(b) => b,
            Err(policytag_tokenizer::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(part)
            }
            Err(policytag_tokenizer::Error::Io(e)) => return Err(part.io(e)),
            Err(e) => {
                return Err(Error::Input(format!("{}: {e}", part.path.display())));
            }
        };
        let mut good_len = 0usize; // bytes up to the end of the last good line
        let mut pos = 0usize;
        let mut no = 0usize;
        while pos < bytes.len() {
            no += 1;
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| pos + i + 1);
            let (line_end, terminated) = match end {
                Some(e) => (e, true),
                None => (bytes.len(), false),
            };
            let raw = &bytes[pos..line_end];
            let parsed = std::str::from_utf8(raw)
                .map_err(|_| "not valid UTF-8".to_string())
                .and_then(|s| {
                    let s = s
                        .trim_end_matches(['\n', '\r'])
                        .trim_start_matches('\u{FEFF}');
                    if s.trim().is_empty() {
                        Ok(None)
                    } else {
                        parse(s, skipped).map(|l| Some((s.to_string(), l)))
                    }
                });
            match parsed {
                Ok(Some((s, (id, stored)))) => {
                    if let Some(id) = &id {
                        if part.index.insert(id.clone(), part.lines.len()).is_some() {
                            return Err(Error::Store {
                                path: part.path.clone(),
                                line: no,
                                msg: format!("duplicate id {id:?}"),
                            });
                        }
                    }
                    part.lines.push(Line { id, raw: s, stored });
                    good_len = line_end;
                }
                Ok(None) => good_len = line_end,
                Err(msg) if !terminated => {
                    warnings.push(format!(
                        "{}:{no}: ignoring a torn last line ({msg}) left by an interrupted write",
                        part.path.display()
                    ));
                }
                Err(msg) => {
                    return Err(Error::Store {
                        path: part.path.clone(),
                        line: no,
                        msg,
                    })
                }
            }
            pos = line_end;
        }
        let mut f = OpenOptions::new()
            .append(true)
            .open(&part.path)
            .map_err(|e| part.io(e))?;
        if good_len < bytes.len() {
            f.set_len(good_len as u64).map_err(|e| part.io(e))?;
        }
        if good_len > 0 && bytes[good_len - 1] != b'\n' {
            f.write_all(b"\n").map_err(|e| part.io(e))?;
        }
        f.sync_all().map_err(|e| part.io(e))?;
        part.file = Some(f);
        Ok(part)
    }

    /// Append whole lines with one write, then sync.
    fn append_all(&mut self, lines: Vec<(String, String, Stored)>) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        if self.file.is_none() {
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| self.io(e))?;
            sync_dir(&self.path);
            self.file = Some(f);
        }
        let mut bytes = String::new();
        for (raw, _, _) in &lines {
            bytes.push_str(raw);
            bytes.push('\n');
        }
        let f = self.file.as_mut().expect("opened above");
        let r = f.write_all(bytes.as_bytes()).and_then(|_| f.sync_data());
        r.map_err(|e| self.io(e))?;
        for (raw, id, stored) in lines {
            self.index.insert(id.clone(), self.lines.len());
            self.lines.push(Line {
                id: Some(id),
                raw,
                stored,
            });
        }
        Ok(())
    }

    /// Remove the lines at the given positions and rebuild the index.
    fn remove(&mut self, drop: &HashSet<usize>) {
        let mut k = 0;
        self.lines.retain(|_| {
            k += 1;
            !drop.contains(&(k - 1))
        });
        self.index = self
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((l.id.clone()?, i)))
            .collect();
    }

    /// Replace the file by its lines (atomically), then reopen the append handle.
    fn rewrite(&mut self) -> Result<()> {
        let mut bytes = String::new();
        for l in &self.lines {
            bytes.push_str(&l.raw);
            bytes.push('\n');
        }
        policytag_data::atomic::write_atomic(&self.path, bytes.as_bytes())?;
        sync_dir(&self.path);
        self.file = Some(
            OpenOptions::new()
                .append(true)
                .open(&self.path)
                .map_err(|e| self.io(e))?,
        );
        Ok(())
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

/// Persist a directory entry change (file creation or rename); best effort.
fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A stored line: a corpus line (id, labels) with the time of the decision.
#[derive(Deserialize)]
struct StoredLine {
    #[serde(flatten)]
    line: CorpusLine,
    #[serde(default)]
    ts: Option<Value>,
    #[serde(default)]
    applied_from: Option<Value>,
}

/// Parse one stored line: its id (if any) and decision.
fn parse(s: &str, skipped: bool) -> std::result::Result<(Option<String>, Stored), String> {
    let v: StoredLine = serde_json::from_str(s).map_err(jsonl::error_message)?;
    let labels = match v.line.labels {
        Some(l) => l,
        None if skipped => Vec::new(),
        None => return Err("missing \"labels\" list".into()),
    };
    let text_of = |v: Option<Value>| match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok((
        v.line.id,
        Stored {
            labels,
            skipped,
            ts: text_of(v.ts).unwrap_or_default(),
            applied_from: text_of(v.applied_from),
        },
    ))
}

/// The out file and its skip file.
#[derive(Debug)]
pub struct Store {
    out: Part,
    skips: Part,
    warnings: Vec<String>,
}

impl Store {
    /// Open (creating `out` if needed) and read what earlier sessions decided.
    pub fn open(out: &Path) -> Result<Store> {
        let mut warnings = Vec::new();
        let mut out_part = Part::open(out.to_path_buf(), false, &mut warnings)?;
        if out_part.file.is_none() {
            // Create it now: an unwritable --out should fail at start, not at the first label.
            out_part.rewrite()?;
        }
        let mut skips = Part::open(skip_path(out), true, &mut warnings)?;
        // An id in both files (a crash between the two steps of moving a decision): the
        // later decision wins.
        let both: Vec<(usize, usize)> = out_part
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((i, skips.find(l.id.as_deref()?)?)))
            .collect();
        let (mut drop_out, mut drop_skip) = (HashSet::new(), HashSet::new());
        for (i, j) in both {
            if skips.lines[j].stored.ts > out_part.lines[i].stored.ts {
                drop_out.insert(i);
            } else {
                drop_skip.insert(j);
            }
        }
        for (part, drop) in [(&mut out_part, drop_out), (&mut skips, drop_skip)] {
            if !drop.is_empty() {
                part.remove(&drop);
                part.rewrite()?;
            }
        }
        Ok(Store {
            out: out_part,
            skips,
            warnings,
        })
    }

    /// Problems that were tolerated while opening (torn last lines).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The out file.
    pub fn out_path(&self) -> &Path {
        &self.out.path
    }

    /// The skip file.
    pub fn skip_path(&self) -> &Path {
        &self.skips.path
    }

    /// The stored decision about `id`.
    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.out
            .find(id)
            .map(|i| &self.out.lines[i].stored)
            .or_else(|| self.skips.find(id).map(|i| &self.skips.lines[i].stored))
    }

    /// Every stored id, oldest decision first (by `"ts"`; file order among equals).
    pub fn history(&self) -> Vec<String> {
        let mut all: Vec<(&str, &str)> = self
            .out
            .lines
            .iter()
            .chain(&self.skips.lines)
            .filter_map(|l| Some((l.stored.ts.as_str(), l.id.as_deref()?)))
            .collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all.into_iter().map(|(_, id)| id.to_string()).collect()
    }

    /// The labelled lines of the out file as training examples, in file order: the
    /// decisions file is what a retrain learns from (lines without a `"text"` are left out).
    pub fn examples(&self) -> Vec<Example> {
        self.out
            .lines
            .iter()
            .filter_map(|l| parse_line(&l.raw, false).ok())
            .collect()
    }

    /// Labelled lines in the out file.
    pub fn labelled(&self) -> usize {
        self.out.lines.len()
    }

    /// Store decisions about ids the store does not know yet, durably, with one write and
    /// one sync per file (a whole group applied with one key). Known ids are refused.
    pub fn record_new(&mut self, ds: &[Decision]) -> Result<()> {
        if let Some(d) = ds.iter().find(|d| self.get(&d.id).is_some()) {
            return Err(Error::Input(format!("{:?} is already decided", d.id)));
        }
        for skipped in [false, true] {
            let mut batch = Vec::new();
            for d in ds.iter().filter(|d| d.skipped == skipped) {
                let raw = serde_json::to_string(d).map_err(|e| Error::Server(e.to_string()))?;
                batch.push((raw, d.id.clone(), stored(d)));
            }
            let part = if skipped {
                &mut self.skips
            } else {
                &mut self.out
            };
            part.append_all(batch)?;
        }
        Ok(())
    }

    /// Store a decision durably (written and synced when this returns). A new id is
    /// appended; a changed decision replaces the old line.
    pub fn record(&mut self, d: &Decision) -> Result<()> {
        let raw = serde_json::to_string(d).map_err(|e| Error::Server(e.to_string()))?;
        let stored = stored(d);
        let (target, other) = if d.skipped {
            (&mut self.skips, &mut self.out)
        } else {
            (&mut self.out, &mut self.skips)
        };
        if let Some(i) = target.find(&d.id) {
            target.lines[i] = Line {
                id: Some(d.id.clone()),
                raw,
                stored,
            };
            target.rewrite()?;
        } else {
            // Append first, then drop it from the other file: a crash in between leaves the
            // id in both, which `open` settles by time.
            target.append_all(vec![(raw, d.id.clone(), stored)])?;
        }
        if let Some(i) = other.find(&d.id) {
            other.remove(&HashSet::from([i]));
            other.rewrite()?;
        }
        Ok(())
    }
}

fn stored(d: &Decision) -> Stored {
    Stored {
        labels: d.labels.clone(),
        skipped: d.skipped,
        ts: d.ts.clone(),
        applied_from: d.applied_from.clone(),
    }
}

/// The current time, UTC, as `YYYY-MM-DDTHH:MM:SS.mmmZ` (sorts as text).
pub fn now_iso() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    iso(d.as_millis() as i64)
}

/// Format milliseconds since the Unix epoch as ISO 8601 UTC.
pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use policytag_data::jsonl::{read_jsonl, ReadOptions};

    fn dec(id: &str, labels: &[&str], skipped: bool, ts: &str) -> Decision {
        Decision {
            id: id.into(),
            doc: "a.txt".into(),
            paragraph: 0,
            heading: String::new(),
            text: format!("段落{id}"),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            skipped,
            annotator: None,
            applied_from: None,
            agreed: false,
            ts: ts.into(),
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
    }

    #[test]
    fn skip_file_names() {
        assert_eq!(
            skip_path(Path::new("d/labels.jsonl")),
            Path::new("d/labels.skipped.jsonl")
        );
        assert_eq!(skip_path(Path::new("out")), Path::new("out.skipped"));
    }

    #[test]
    fn out_file_trains_and_skips_are_not_examples() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        let mut s = Store::open(&out).unwrap();
        s.record(&dec("a", &["safety"], false, "1")).unwrap();
        s.record(&dec("b", &[], true, "2")).unwrap();
        s.record(&dec("c", &[], false, "3")).unwrap();
        let strict = ReadOptions {
            skip_bad: false,
            labels_optional: false,
        };
        let data = read_jsonl(&out, strict).unwrap();
        let ids: Vec<_> = data
            .examples
            .iter()
            .map(|e| e.id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["a", "c"], "a skip must not become an example");
        assert_eq!(data.examples[0].labels, ["safety"]);
        let skips = std::fs::read_to_string(skip_path(&out)).unwrap();
        assert!(skips.contains("\"skipped\":true") && skips.contains("\"b\""));
    }

    #[test]
    fn resume_reads_decisions_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        {
            let mut s = Store::open(&out).unwrap();
            s.record(&dec("a", &["x"], false, "2024-01-01T00:00:01.000Z"))
                .unwrap();
            s.record(&dec("b", &[], true, "2024-01-01T00:00:02.000Z"))
                .unwrap();
            s.record(&dec("c", &["y"], false, "2024-01-01T00:00:03.000Z"))
                .unwrap();
        }
        let s = Store::open(&out).unwrap();
        assert_eq!(s.history(), ["a", "b", "c"]);
        assert_eq!(s.get("c").unwrap().labels, ["y"]);
        assert!(s.get("b").unwrap().skipped);
        assert!(s.get("zz").is_none());
        assert!(s.warnings().is_empty());
    }

    #[test]
    fn changed_decisions_replace_lines_and_move_between_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        std::fs::write(
            &out,
            "{\"text\":\"kept from elsewhere\",\"labels\":[\"x\"]}\n",
        )
        .unwrap();
        let mut s = Store::open(&out).unwrap();
        s.record(&dec("a", &["x"], false, "1")).unwrap();
        s.record(&dec("a", &["y"], false, "2")).unwrap();
        s.record(&dec("b", &["x"], false, "3")).unwrap();
        s.record(&dec("b", &[], true, "4")).unwrap();
        s.record(&dec("a", &[], true, "5")).unwrap();
        s.record(&dec("a", &["z"], false, "6")).unwrap();
        // Appending still works after rewrites (the handle follows the new file).
        s.record(&dec("c", &["x"], false, "7")).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("kept from elsewhere"));
        assert!(lines[1].contains("\"a\"") && lines[1].contains("[\"z\"]"));
        assert!(lines[2].contains("\"c\""));
        let skips = std::fs::read_to_string(skip_path(&out)).unwrap();
        assert_eq!(skips.lines().count(), 1);
        assert!(skips.contains("\"b\""));
        let s = Store::open(&out).unwrap();
        assert_eq!(s.get("a").unwrap().labels, ["z"]);
        assert!(s.get("b").unwrap().skipped);
    }

    #[test]
    fn torn_last_line_is_cut_with_a_warning_and_the_file_stays_appendable() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        let good = serde_json::to_string(&dec("a", &["x"], false, "1")).unwrap();
        std::fs::write(&out, format!("{good}\n{{\"id\":\"b\",\"te")).unwrap();
        let mut s = Store::open(&out).unwrap();
        assert_eq!(s.warnings().len(), 1);
        assert!(s.warnings()[0].contains("l.jsonl:2"), "{:?}", s.warnings());
        assert!(s.get("b").is_none());
        s.record(&dec("c", &["y"], false, "2")).unwrap();
        let data = read_jsonl(&out, ReadOptions::default()).unwrap();
        assert_eq!(data.examples.len(), 2);
    }

    #[test]
    fn valid_last_line_without_newline_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        let good = serde_json::to_string(&dec("a", &["x"], false, "1")).unwrap();
        std::fs::write(&out, &good).unwrap();
        let mut s = Store::open(&out).unwrap();
        assert!(s.warnings().is_empty());
        s.record(&dec("b", &["y"], false, "2")).unwrap();
        let data = read_jsonl(&out, ReadOptions::default()).unwrap();
        assert_eq!(data.examples.len(), 2);
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        std::fs::write(
            &out,
            "{\"id\":\"a\",\"labels\":[]}\nnot json\n{\"id\":\"b\",\"labels\":[]}\n",
        )
        .unwrap();
        let e = Store::open(&out).unwrap_err();
        assert!(e.to_string().contains("l.jsonl:2: malformed JSON"), "{e}");
        std::fs::write(
            &out,
            "{\"id\":\"a\",\"labels\":[]}\n{\"id\":\"a\",\"labels\":[]}\n",
        )
        .unwrap();
        let e = Store::open(&out).unwrap_err();
        assert!(e.to_string().contains("l.jsonl:2: duplicate id"), "{e}");
        std::fs::write(&out, "{\"id\":\"a\"}\n").unwrap();
        assert!(Store::open(&out)
            .unwrap_err()
            .to_string()
            .contains("l.jsonl:1"));
    }

    #[test]
    fn an_id_left_in_both_files_keeps_the_later_decision() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("l.jsonl");
        let a = serde_json::to_string(&dec("a", &["x"], false, "1")).unwrap();
        let a_skip = serde_json::to_string(&dec("a", &[], true, "2")).unwrap();
        let b = serde_json::to_string(&dec("b", &["x"], false, "4")).unwrap();
        let b_skip = serde_json::to_string(&dec("b", &[], true, "3")).unwrap();
        std::fs::write(&out, format!("{a}\n{b}\n")).unwrap();
        std::fs::write(skip_path(&out), format!("{a_skip}\n{b_skip}\n")).unwrap();
        let s = Store::open(&out).unwrap();
        assert!(s.get("a").unwrap().skipped);
        assert!(!s.get("b").unwrap().skipped);
        assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
        assert_eq!(
            std::fs::read_to_string(skip_path(&out))
                .unwrap()
                .lines()
                .count(),
            1
        );
    }
}
