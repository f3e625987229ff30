//! Corpus statistics and quality checks: label counts, multi-label and no-label shares,
//! traditional-script share, lengths, and near-duplicate pairs (two paragraphs sharing more
//! than half of the shorter one's character 5-grams).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use policytag_tokenizer::normalize::Traditional;

use crate::error::Result;
use crate::jsonl::Example;

/// Statistics of a labelled corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorpusStats {
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// Paragraphs per label.
    pub per_label: BTreeMap<String, usize>,
    /// Paragraphs with two or more labels.
    pub multi_label: usize,
    /// Paragraphs with no label.
    pub no_label: usize,
    /// Paragraphs in traditional script (at least 3 characters that t2s changes, and more
    /// such characters than 1 in 12 of all CJK characters).
    pub traditional: usize,
    /// Paragraphs under 40, 40–199, and 200+ characters.
    pub lengths: [usize; 3],
    /// Mean length in characters.
    pub mean_chars: f64,
}

impl CorpusStats {
    /// A readable summary (used for the corpus README).
    pub fn report(&self) -> String {
        let n = self.paragraphs.max(1) as f64;
        let pct = |x: usize| 100.0 * x as f64 / n;
        let mut s = format!(
            "paragraphs: {}\nmulti-label: {} ({:.1}%)\nno label: {} ({:.1}%)\ntraditional script: {} ({:.1}%)\n\
             length: <40 chars {} ({:.1}%), 40–199 {} ({:.1}%), ≥200 {} ({:.1}%); mean {:.0} chars\n\nper label:\n",
            self.paragraphs,
            self.multi_label,
            pct(self.multi_label),
            self.no_label,
            pct(self.no_label),
            self.traditional,
            pct(self.traditional),
            self.lengths[0],
            pct(self.lengths[0]),
            self.lengths[1],
            pct(self.lengths[1]),
            self.lengths[2],
            pct(self.lengths[2]),
            self.mean_chars
        );
        for (l, c) in &self.per_label {
            s += &format!("  {l:20} {c}\n");
        }
        s
    }
}

/// True when a text is written in traditional script.
pub fn is_traditional(t2s: &Traditional, text: &str) -> bool {
    let cjk = text
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count();
    let trad = text.chars().filter(|&c| t2s.is_traditional(c)).count();
    trad >= 3 && trad * 12 > cjk
}

/// Compute statistics.
pub fn stats(examples: &[Example]) -> Result<CorpusStats> {
    let t2s = Traditional::new()?;
    let mut per_label = BTreeMap::new();
    let mut lengths = [0usize; 3];
    let mut chars_total = 0usize;
    for e in examples {
        for l in &e.labels {
            *per_label.entry(l.clone()).or_insert(0) += 1;
        }
        let n = e.text.chars().count();
        chars_total += n;
        lengths[if n < 40 {
            0
        } else if n < 200 {
            1
        } else {
            2
        }] += 1;
    }
    Ok(CorpusStats {
        paragraphs: examples.len(),
        per_label,
        multi_label: examples.iter().filter(|e| e.labels.len() >= 2).count(),
        no_label: examples.iter().filter(|e| e.labels.is_empty()).count(),
        traditional: examples
            .iter()
            .filter(|e| is_traditional(&t2s, &e.text))
            .count(),
        lengths,
        mean_chars: chars_total as f64 / examples.len().max(1) as f64,
    })
}

fn grams(text: &str) -> HashSet<String> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 5 {
        return std::iter::once(chars.iter().collect()).collect();
    }
    chars.windows(5).map(|w| w.iter().collect()).collect()
}

/// Pairs `(i, j)`, `i < j`, of examples sharing more than half of the smaller one's
/// character 5-grams.
pub fn near_duplicates(examples: &[Example]) -> Vec<(usize, usize)> {
    let sets: Vec<HashSet<String>> = examples.iter().map(|e| grams(&e.text)).collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut out = Vec::new();
    for (j, g) in sets.iter().enumerate() {
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for x in g {
            if let Some(list) = index.get(x.as_str()) {
                for &i in list {
                    *shared.entry(i).or_insert(0) += 1;
                }
            }
        }
        let mut hits: Vec<usize> = shared
            .into_iter()
            .filter(|&(i, c)| 2 * c > sets[i].len().min(g.len()))
            .map(|(i, _)| i)
            .collect();
        hits.sort_unstable();
        out.extend(hits.into_iter().map(|i| (i, j)));
        for x in g {
            index.entry(x.as_str()).or_default().push(j);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(t: &str, l: &[&str]) -> Example {
        Example {
            doc: None,
            id: None,
            text: t.into(),
            labels: l.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn finds_near_duplicates_only() {
        let e = vec![
            ex("全县新建幼儿园五所，新增学位一千二百个。", &["preschool"]),
            ex("全县新建幼儿园五所，新增学位一千三百个。", &["preschool"]),
            ex("开展防溺水专题教育，覆盖全体中小学生。", &["safety"]),
        ];
        assert_eq!(near_duplicates(&e), [(0, 1)]);
    }

    #[test]
    fn stats_count_shapes() {
        let e = vec![
            ex(
                "全區學前教育普惠發展，幼兒園覆蓋率達到百分之九十。",
                &["preschool"],
            ),
            ex("开展防溺水专题教育", &["safety", "moral"]),
            ex("二〇二二年工作要点", &[]),
        ];
        let s = stats(&e).unwrap();
        assert_eq!(
            (s.paragraphs, s.multi_label, s.no_label, s.traditional),
            (3, 1, 1, 1)
        );
        assert_eq!(s.per_label["preschool"], 1);
        assert_eq!(s.lengths, [3, 0, 0]);
    }
}
