//! The coding matrix and the tables built from it: documents × themes, theme × year and
//! theme × region, with attention tiers and a trend label per theme.
//!
//! Every cell has three numbers: the **count** of paragraphs given the theme, their
//! **share** of the paragraphs, and their **character-weighted share** (characters of those
//! paragraphs over all characters, so a 10-character heading weighs a fiftieth of a
//! 500-character paragraph). A paragraph can have several themes, so shares need not add up
//! to one. Year and region cells pool the paragraphs of every document of that year or region.
//!
//! **Attention tier** of a theme in a column (a year, a region, or the whole corpus), by its
//! character-weighted share against the mean share of all themes in that column
//! ([`TableParams`]): `high` at 1.5× the mean or more, `low` under 0.5× the mean, `medium`
//! between, `absent` when no paragraph has it.
//!
//! **Trend** of a theme over the years (two years or more with a known year):
//! `intermittent` when it is absent in some year and present in another; otherwise the
//! least-squares line through (year, character-weighted share) is taken and its change over
//! the span of years, relative to the theme's mean share, decides: `rising` at +25% or more,
//! `falling` at −25% or less, `steady` between.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::{Document, Meta, Report};
use crate::profile::round4;

fn rounded<S: serde::Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(round4(*x))
}

/// One theme's numbers in one row or column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    /// Paragraphs given the theme.
    pub count: usize,
    /// `count` over all paragraphs (0 when there are none).
    #[serde(serialize_with = "rounded")]
    pub share: f64,
    /// Characters of those paragraphs over all characters.
    #[serde(serialize_with = "rounded")]
    pub char_share: f64,
}

/// How much attention a theme gets in a column, relative to the other themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// At least [`TableParams::high`] × the mean share.
    High,
    /// Between.
    Medium,
    /// Under [`TableParams::low`] × the mean share.
    Low,
    /// No paragraph.
    Absent,
}

impl Tier {
    /// `high`, `medium`, `low` or `absent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::High => "high",
            Tier::Medium => "medium",
            Tier::Low => "low",
            Tier::Absent => "absent",
        }
    }
}

/// How a theme's attention moves over the years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// The fitted change over the years is at least [`TableParams::trend`] of the mean.
    Rising,
    /// The fitted change is at most −[`TableParams::trend`] of the mean.
    Falling,
    /// Present every year, changing less than that.
    Steady,
    /// Absent in some year, present in another.
    Intermittent,
}

impl Trend {
    /// `rising`, `falling`, `steady` or `intermittent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Rising => "rising",
            Trend::Falling => "falling",
            Trend::Steady => "steady",
            Trend::Intermittent => "intermittent",
        }
    }
}

/// The rules of tiers and trends.
#[derive(Debug, Clone, PartialEq)]
pub struct TableParams {
    /// A share at least this many times the column mean is `high` (default 1.5).
    pub high: f64,
    /// A share under this many times the column mean is `low` (default 0.5).
    pub low: f64,
    /// Relative fitted change over the years that makes a trend rising or falling
    /// (default 0.25).
    pub trend: f64,
}

impl Default for TableParams {
    fn default() -> Self {
        TableParams {
            high: 1.5,
            low: 0.5,
            trend: 0.25,
        }
    }
}

/// One document's row of the coding matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRow {
    /// Index of the document in the report (its HTML anchor is `doc-K`, its paragraphs
    /// `dK-pN`).
    pub index: usize,
    /// File name.
    pub file: String,
    /// Display name ([`Document::label`]).
    pub label: String,
    /// Bureau, region, year, type.
    pub meta: Meta,
    /// Paragraphs.
    pub paragraphs: usize,
    /// Characters.
    pub chars: usize,
    /// One cell per theme, in the report's theme order.
    pub cells: Vec<Cell>,
}

/// A column of a cross table: the documents of one year or one region, pooled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The year or region.
    pub key: String,
    /// Documents in the group.
    pub documents: usize,
    /// Their paragraphs.
    pub paragraphs: usize,
    /// Their characters.
    pub chars: usize,
    /// One cell per theme.
    pub cells: Vec<Cell>,
    /// One tier per theme.
    pub tiers: Vec<Tier>,
}

/// Theme × year or theme × region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTable {
    /// `year` or `region`.
    pub dimension: String,
    /// One group per known value, sorted (years ascending, regions by name).
    pub groups: Vec<Group>,
    /// Documents left out because the value is unknown.
    pub unknown: usize,
}

/// A theme over the whole corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeSummary {
    /// Theme id.
    pub id: String,
    /// Display name (Chinese).
    pub name: String,
    /// Over all documents.
    pub total: Cell,
    /// Tier over all documents.
    pub tier: Tier,
    /// Trend over the years; `None` with fewer than two known years or no paragraph at all.
    pub trend: Option<Trend>,
}

/// The coding matrix and its tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// One summary per theme, in the report's theme order.
    pub themes: Vec<ThemeSummary>,
    /// One row per document, in input order.
    pub documents: Vec<DocRow>,
    /// Theme × year.
    pub by_year: CrossTable,
    /// Theme × region.
    pub by_region: CrossTable,
}

/// Counts and characters of the paragraphs of `docs` per theme.
fn cells(n_themes: usize, docs: &[&Document]) -> (usize, usize, Vec<Cell>) {
    let mut count = vec![0usize; n_themes];
    let mut chars = vec![0usize; n_themes];
    let (mut paragraphs, mut total) = (0, 0);
    for d in docs {
        for p in &d.paragraphs {
            let c = p.chars();
            paragraphs += 1;
            total += c;
            for (t, _) in &p.labels {
                count[*t] += 1;
                chars[*t] += c;
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let cells = (0..n_themes)
        .map(|t| Cell {
            count: count[t],
            share: ratio(count[t], paragraphs),
            char_share: ratio(chars[t], total),
        })
        .collect();
    (paragraphs, total, cells)
}

/// The tier of every theme of a column.
pub fn tiers(cells: &[Cell], params: &TableParams) -> Vec<Tier> {
    let mean = cells.iter().map(|c| c.char_share).sum::<f64>() / cells.len().max(1) as f64;
    cells
        .iter()
        .map(|c| {
            if c.count == 0 {
                Tier::Absent
            } else if c.char_share >= params.high * mean {
                Tier::High
            } else if c.char_share < params.low * mean {
                Tier::Low
            } else {
                Tier::Medium
            }
        })
        .collect()
}

/// The trend of one theme from its (year, character-weighted share, count) points, years
/// ascending.
pub fn trend(points: &[(f64, f64, usize)], params: &TableParams) -> Option<Trend> {
    if points.len() < 2 || points.iter().all(|p| p.2 == 0) {
        return None;
    }
    if points.iter().any(|p| p.2 == 0) {
        return Some(Trend::Intermittent);
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let span = points[points.len() - 1].0 - points[0].0;
    if sxx == 0.0 || my == 0.0 {
        return Some(Trend::Steady);
    }
    let change = sxy / sxx * span / my;
    Some(if change >= params.trend {
        Trend::Rising
    } else if change <= -params.trend {
        Trend::Falling
    } else {
        Trend::Steady
    })
}

fn cross(
    report: &Report,
    dimension: &str,
    key: impl Fn(&Meta) -> Option<String>,
    params: &TableParams,
) -> CrossTable {
    let mut groups: BTreeMap<String, Vec<&Document>> = BTreeMap::new();
    let mut unknown = 0;
    for d in &report.documents {
        match key(&d.meta).filter(|k| !k.is_empty()) {
            Some(k) => groups.entry(k).or_default().push(d),
            None => unknown += 1,
        }
    }
    let n = report.themes.len();
    CrossTable {
        dimension: dimension.into(),
        groups: groups
            .into_iter()
            .map(|(k, docs)| {
                let (paragraphs, chars, cells) = cells(n, &docs);
                Group {
                    key: k,
                    documents: docs.len(),
                    paragraphs,
                    chars,
                    tiers: tiers(&cells, params),
                    cells,
                }
            })
            .collect(),
        unknown,
    }
}

/// Build the matrix and tables of a report.
///
/// ```
/// use policytag_data::LabelInfo;
/// use policytag_report::{matrix, Document, Meta, Paragraph, Report};
///
/// let th = |id: &str| LabelInfo { id: id.into(), name: id.into(), description: String::new() };
/// let para = |i, text: &str, l: usize| Paragraph::new(i, String::new(), text.into(), vec![0.0; 2], vec![(l, vec![])]);
/// let mut a = Document::new("a.txt", vec![para(0, "标题", 0), para(1, "一段很长很长的正文内容", 1)]);
/// a.meta = Meta { year: Some(2022), ..Meta::default() };
/// let r = Report::new(vec![th("x"), th("y")], vec![a])?;
/// let m = matrix::build(&r, &matrix::TableParams::default());
/// let row = &m.documents[0];
/// assert_eq!((row.cells[0].count, row.cells[0].share), (1, 0.5));
/// assert!(row.cells[0].char_share < 0.2); // a heading weighs little
/// assert_eq!(m.by_year.groups[0].key, "2022");
/// # Ok::<(), policytag_report::Error>(())
/// ```
pub fn build(report: &Report, params: &TableParams) -> Matrix {
    let n = report.themes.len();
    let documents: Vec<DocRow> = report
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (paragraphs, chars, cells) = cells(n, &[d]);
            DocRow {
                index: i,
                file: d.file().to_string(),
                label: d.label(),
                meta: d.meta.clone(),
                paragraphs,
                chars,
                cells,
            }
        })
        .collect();
    let all: Vec<&Document> = report.documents.iter().collect();
    let (_, _, total) = cells(n, &all);
    let overall = tiers(&total, params);
    // Years as zero-padded keys sort numerically.
    let by_year = cross(
        report,
        "year",
        |m| m.year.map(|y| format!("{y:04}")),
        params,
    );
    let by_region = cross(report, "region", |m| m.region.clone(), params);
    let themes = report
        .themes
        .iter()
        .enumerate()
        .map(|(t, info)| {
            let points: Vec<(f64, f64, usize)> = by_year
                .groups
                .iter()
                .filter_map(|g| {
                    let y: f64 = g.key.parse().ok()?;
                    Some((y, g.cells[t].char_share, g.cells[t].count))
                })
                .collect();
            ThemeSummary {
                id: info.id.clone(),
                name: info.name.clone(),
                total: total[t],
                tier: overall[t],
                trend: trend(&points, params),
            }
        })
        .collect();
    Matrix {
        themes,
        documents,
        by_year,
        by_region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Paragraph;
    use crate::testing::themes;

    /// A document of paragraphs (length in characters, themes), with a year and region.
    fn doc(
        name: &str,
        year: Option<i32>,
        region: Option<&str>,
        ps: &[(usize, &[usize])],
    ) -> Document {
        let mut d = Document::new(
            name,
            ps.iter()
                .enumerate()
                .map(|(i, (len, ls))| {
                    Paragraph::new(
                        i,
                        String::new(),
                        "字".repeat(*len),
                        vec![0.0; 3],
                        ls.iter().map(|&l| (l, vec![])).collect(),
                    )
                })
                .collect(),
        );
        d.meta.year = year;
        d.meta.region = region.map(str::to_string);
        d
    }

    #[test]
    fn counts_shares_and_character_weights() {
        let r = Report::new(
            themes(3),
            vec![doc(
                "a",
                None,
                None,
                &[(10, &[0]), (90, &[1]), (100, &[0, 1])],
            )],
        )
        .unwrap();
        let m = build(&r, &TableParams::default());
        let c = &m.documents[0].cells;
        assert_eq!((c[0].count, c[1].count, c[2].count), (2, 2, 0));
        assert!((c[0].share - 2.0 / 3.0).abs() < 1e-12);
        assert!((c[0].char_share - 110.0 / 200.0).abs() < 1e-12);
        assert!((c[1].char_share - 190.0 / 200.0).abs() < 1e-12);
        assert_eq!(m.documents[0].chars, 200);
        assert_eq!(m.documents[0].label, "a");
    }

    #[test]
    fn years_and_regions_pool_their_documents_and_count_the_unknown() {
        let r = Report::new(
            themes(3),
            vec![
                doc("a", Some(2021), Some("甲"), &[(10, &[0]), (30, &[])]),
                doc("b", Some(2021), Some("乙"), &[(60, &[0])]),
                doc("c", Some(2023), None, &[(50, &[1])]),
                doc("d", None, Some("甲"), &[(50, &[2])]),
            ],
        )
        .unwrap();
        let m = build(&r, &TableParams::default());
        let keys: Vec<&str> = m.by_year.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["2021", "2023"]);
        assert_eq!(m.by_year.unknown, 1);
        let y21 = &m.by_year.groups[0];
        assert_eq!((y21.documents, y21.paragraphs, y21.chars), (2, 3, 100));
        assert_eq!(y21.cells[0].count, 2);
        assert!((y21.cells[0].char_share - 0.7).abs() < 1e-12);
        let keys: Vec<&str> = m.by_region.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["乙", "甲"]);
        assert_eq!(m.by_region.unknown, 1);
        assert_eq!(m.by_region.groups[1].documents, 2);
    }

    #[test]
    fn tiers_follow_the_column_mean() {
        let c = |count, char_share| Cell {
            count,
            share: 0.0,
            char_share,
        };
        // Mean 0.2: 0.5 ≥ 0.3 high; 0.2 medium; 0.09 < 0.1 low; 0.01 low; absent.
        let got = tiers(
            &[c(5, 0.5), c(2, 0.2), c(1, 0.09), c(1, 0.21), c(0, 0.0)],
            &TableParams::default(),
        );
        assert_eq!(
            got,
            [
                Tier::High,
                Tier::Medium,
                Tier::Low,
                Tier::Medium,
                Tier::Absent
            ]
        );
    }

    #[test]
    fn trend_rules() {
        let p = TableParams::default();
        let pts = |v: &[f64]| -> Vec<(f64, f64, usize)> {
            v.iter()
                .enumerate()
                .map(|(i, &s)| (2020.0 + i as f64, s, usize::from(s > 0.0)))
                .collect()
        };
        assert_eq!(trend(&pts(&[0.1, 0.2, 0.3]), &p), Some(Trend::Rising));
        assert_eq!(trend(&pts(&[0.3, 0.2, 0.1]), &p), Some(Trend::Falling));
        assert_eq!(trend(&pts(&[0.2, 0.21, 0.19]), &p), Some(Trend::Steady));
        assert_eq!(trend(&pts(&[0.2, 0.0, 0.2]), &p), Some(Trend::Intermittent));
        assert_eq!(trend(&pts(&[0.2]), &p), None);
        assert_eq!(trend(&pts(&[0.0, 0.0]), &p), None);
        // Just over and just under the 25% rule: change = slope × span / mean.
        // (0.1, 0.1125): slope 0.0125/yr × 1 yr / mean 0.10625 = 0.1176 → steady.
        assert_eq!(trend(&pts(&[0.1, 0.1125]), &p), Some(Trend::Steady));
        // (0.1, 0.13): 0.03 / 0.115 = 0.26 → rising.
        assert_eq!(trend(&pts(&[0.1, 0.13]), &p), Some(Trend::Rising));
    }

    #[test]
    fn theme_summaries_carry_tier_and_trend() {
        let r = Report::new(
            themes(3),
            vec![
                doc("a", Some(2020), None, &[(10, &[0]), (90, &[1])]),
                doc("b", Some(2022), None, &[(50, &[0]), (50, &[1])]),
            ],
        )
        .unwrap();
        let m = build(&r, &TableParams::default());
        assert_eq!(m.themes[0].trend, Some(Trend::Rising));
        assert_eq!(m.themes[1].trend, Some(Trend::Falling));
        assert_eq!(m.themes[2].trend, None);
        assert_eq!(m.themes[2].tier, Tier::Absent);
        assert_eq!(m.themes[1].tier, Tier::High);
    }
}
