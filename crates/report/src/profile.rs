//! Theme profiles: how many paragraphs of a document each theme has, their share, and which
//! themes make one document stand out from the others.
//!
//! A theme's share is the fraction of the document's paragraphs given that theme. A paragraph
//! can have several themes, so shares need not add up to one.

use serde::{Serialize, Serializer};

use crate::document::{Document, Report};

/// Round a share for output (4 decimals); the HTML and `stats` use the same rounding.
pub fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

fn rounded<S: Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(round4(*x))
}

/// One theme's numbers in one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeCount {
    /// Theme id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Paragraphs given the theme.
    pub count: usize,
    /// `count` / paragraphs of the document (0 for an empty document).
    #[serde(serialize_with = "rounded")]
    pub share: f64,
    /// Key figures in the paragraphs given the theme.
    pub figures: usize,
}

/// A document's theme profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Document name.
    pub doc: String,
    /// Paragraphs.
    pub paragraphs: usize,
    /// Paragraphs with no theme.
    pub untagged: usize,
    /// Key figures in the whole document.
    pub figures: usize,
    /// One entry per theme, in the report's theme order.
    pub themes: Vec<ThemeCount>,
}

/// The profile of one document of a report.
pub fn profile(report: &Report, doc: &Document) -> Profile {
    let n = doc.paragraphs.len();
    let themes = report
        .themes
        .iter()
        .enumerate()
        .map(|(t, info)| {
            let with: Vec<_> = doc.paragraphs.iter().filter(|p| p.has(t)).collect();
            ThemeCount {
                id: info.id.clone(),
                name: info.name.clone(),
                count: with.len(),
                share: if n == 0 {
                    0.0
                } else {
                    with.len() as f64 / n as f64
                },
                figures: with.iter().map(|p| p.figures.len()).sum(),
            }
        })
        .collect();
    Profile {
        doc: doc.name.clone(),
        paragraphs: n,
        untagged: doc
            .paragraphs
            .iter()
            .filter(|p| p.labels.is_empty())
            .count(),
        figures: doc.paragraphs.iter().map(|p| p.figures.len()).sum(),
        themes,
    }
}

/// The profiles of all documents, in input order.
pub fn profiles(report: &Report) -> Vec<Profile> {
    report
        .documents
        .iter()
        .map(|d| profile(report, d))
        .collect()
}

/// The documents × themes matrix of shares.
pub fn matrix(profiles: &[Profile]) -> Vec<Vec<f64>> {
    profiles
        .iter()
        .map(|p| p.themes.iter().map(|t| t.share).collect())
        .collect()
}

/// When a share counts as standing out.
#[derive(Debug, Clone, PartialEq)]
pub struct StandOutParams {
    /// A share at least this many times the mean of the other documents is high.
    pub high_ratio: f64,
    /// A share at most this fraction of the others' mean is low.
    pub low_ratio: f64,
    /// …and the difference must be at least this (absolute share).
    pub min_gap: f64,
}

impl Default for StandOutParams {
    fn default() -> Self {
        StandOutParams {
            high_ratio: 2.0,
            low_ratio: 0.5,
            min_gap: 0.05,
        }
    }
}

/// Whether a document has much more or much less of a theme than the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Far above the others.
    High,
    /// Far below the others.
    Low,
}

/// A theme where one document is far from the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandOut {
    /// Document index.
    pub doc: usize,
    /// Theme index.
    pub theme: usize,
    /// The document's share.
    pub share: f64,
    /// Mean share of the other documents.
    pub others: f64,
    /// Above or below.
    pub direction: Direction,
}

/// Themes where one document is far above or below the mean of the others, largest gap
/// first (ties: document, then theme order). Needs at least two documents.
pub fn stand_out(profiles: &[Profile], params: &StandOutParams) -> Vec<StandOut> {
    let m = matrix(profiles);
    let n = m.len();
    if n < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (d, row) in m.iter().enumerate() {
        for (t, &share) in row.iter().enumerate() {
            let others = (m.iter().map(|r| r[t]).sum::<f64>() - share) / (n - 1) as f64;
            let direction =
                if share >= params.high_ratio * others && share - others >= params.min_gap {
                    Direction::High
                } else if share <= params.low_ratio * others && others - share >= params.min_gap {
                    Direction::Low
                } else {
                    continue;
                };
            out.push(StandOut {
                doc: d,
                theme: t,
                share,
                others,
                direction,
            });
        }
    }
    out.sort_by(|a, b| {
        (b.share - b.others)
            .abs()
            .total_cmp(&(a.share - a.others).abs())
            .then(a.doc.cmp(&b.doc))
            .then(a.theme.cmp(&b.theme))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Paragraph;
    use crate::testing::themes;

    /// A document whose paragraph i has the themes `labels[i]`.
    fn doc(name: &str, n_themes: usize, labels: &[&[usize]]) -> Document {
        Document {
            name: name.into(),
            meta: Default::default(),
            paragraphs: labels
                .iter()
                .enumerate()
                .map(|(i, ls)| {
                    Paragraph::new(
                        i,
                        String::new(),
                        format!("第{i}段，新增学位{}个。", 100 + i),
                        vec![0.5; n_themes],
                        ls.iter().map(|&l| (l, vec![])).collect(),
                    )
                })
                .collect(),
        }
    }

    fn profile_of(name: &str, n_themes: usize, shares: &[usize], paras: usize) -> Profile {
        Profile {
            doc: name.into(),
            paragraphs: paras,
            untagged: 0,
            figures: 0,
            themes: shares
                .iter()
                .take(n_themes)
                .enumerate()
                .map(|(i, &c)| ThemeCount {
                    id: format!("t{i}"),
                    name: String::new(),
                    count: c,
                    share: c as f64 / paras as f64,
                    figures: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn counts_shares_untagged_and_figures() {
        let r = Report::new(themes(3), vec![doc("a", 3, &[&[0], &[0, 1], &[], &[2]])]).unwrap();
        let p = profile(&r, &r.documents[0]);
        assert_eq!(p.paragraphs, 4);
        assert_eq!(p.untagged, 1);
        assert_eq!(p.figures, 4);
        let counts: Vec<usize> = p.themes.iter().map(|t| t.count).collect();
        assert_eq!(counts, [2, 1, 1]);
        let shares: Vec<f64> = p.themes.iter().map(|t| t.share).collect();
        assert_eq!(shares, [0.5, 0.25, 0.25]);
        assert_eq!(p.themes[0].figures, 2);
    }

    #[test]
    fn empty_document_has_zero_shares() {
        let r = Report::new(themes(2), vec![doc("e", 2, &[])]).unwrap();
        let p = profile(&r, &r.documents[0]);
        assert!(p.themes.iter().all(|t| t.share == 0.0 && t.count == 0));
    }

    #[test]
    fn report_checks_consistency() {
        assert!(matches!(
            Report::new(themes(2), vec![]),
            Err(crate::Error::NoDocuments)
        ));
        assert!(Report::new(themes(2), vec![doc("a", 3, &[&[0]])]).is_err());
        assert!(Report::new(themes(2), vec![doc("a", 2, &[&[5]])]).is_err());
    }

    #[test]
    fn stand_out_finds_high_and_low_with_a_minimum_gap() {
        // Theme 0: a 0.40, b 0.10, c 0.10 → a high (others 0.10); b and c low (others 0.25).
        // Theme 1: a 0.00, b 0.30, c 0.20 → a low (others 0.25); b high (others 0.10);
        //          c neither (others 0.15).
        // Theme 2: a 0.04, b 0.01, c 0.01 → a is 4× the others but the gap is under 0.05.
        let ps = vec![
            profile_of("a", 3, &[40, 0, 4], 100),
            profile_of("b", 3, &[10, 30, 1], 100),
            profile_of("c", 3, &[10, 20, 1], 100),
        ];
        let s = stand_out(&ps, &StandOutParams::default());
        let got: Vec<(usize, usize, Direction)> =
            s.iter().map(|x| (x.doc, x.theme, x.direction)).collect();
        use Direction::{High, Low};
        assert_eq!(
            got,
            [
                (0, 0, High),
                (0, 1, Low),
                (1, 1, High),
                (1, 0, Low),
                (2, 0, Low)
            ],
            "largest gap first, ties by document"
        );
        assert!((s[0].others - 0.10).abs() < 1e-12);
    }

    #[test]
    fn stand_out_needs_two_documents_and_is_symmetric_for_two() {
        let one = vec![profile_of("a", 2, &[50, 0], 100)];
        assert!(stand_out(&one, &StandOutParams::default()).is_empty());
        let two = vec![
            profile_of("a", 2, &[50, 20], 100),
            profile_of("b", 2, &[10, 20], 100),
        ];
        let s = stand_out(&two, &StandOutParams::default());
        let got: Vec<(usize, usize, Direction)> =
            s.iter().map(|x| (x.doc, x.theme, x.direction)).collect();
        assert_eq!(got, [(0, 0, Direction::High), (1, 0, Direction::Low)]);
    }

    #[test]
    fn shares_serialise_rounded() {
        let p = profile_of("a", 1, &[1], 3);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["themes"][0]["share"], serde_json::json!(0.3333));
    }
}
