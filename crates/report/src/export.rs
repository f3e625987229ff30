//! The analyst's exports: the coding matrix, its tables, the paragraphs and the key figures
//! as CSV (UTF-8 with a byte-order mark, so Excel on a Chinese Windows machine reads it),
//! JSON and one XLSX workbook.
//!
//! Every paragraph has an id `dK-pN` (document K of the input, paragraph N of it) that is also
//! its anchor in the HTML report. Theme columns carry the Chinese name beside the id
//! (`学前教育 (preschool) paragraphs`).
//!
//! The workbook has one sheet per table — `themes`, `matrix` (documents × themes), `years`
//! (theme × year), `regions` (theme × region) — plus `paragraphs` (every paragraph with its
//! themes) and `figures` (every key figure). Paragraph counts in `matrix` and paragraph ids in
//! `figures` link to the row of the paragraph in `paragraphs` (a `HYPERLINK` formula, so the
//! cell keeps its number).

use std::fmt::Write;

use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use crate::document::Report;
use crate::error::{Error, Result};
use crate::figures::Kind;
use crate::matrix::{CrossTable, Matrix};
use crate::profile::round4;

/// The byte-order mark every CSV starts with.
pub const BOM: &str = "\u{feff}";

/// A paragraph's id: `d{doc}-p{index}` (also its HTML anchor).
pub fn paragraph_id(doc: usize, index: usize) -> String {
    format!("d{doc}-p{index}")
}

/// The tables [`csv`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// One row per document: metadata, then paragraphs, share and character-weighted share
    /// per theme.
    Documents,
    /// One row per theme: totals, tier and trend.
    Themes,
    /// Theme × year.
    Years,
    /// Theme × region.
    Regions,
    /// One row per paragraph with its themes.
    Paragraphs,
    /// One row per key figure.
    Figures,
}

/// One key figure with where it stands, for export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRow {
    /// The document's display name.
    pub document: String,
    /// Its file.
    pub file: String,
    /// Paragraph id (`dK-pN`).
    pub paragraph: String,
    /// Character offsets of the figure in the paragraph text.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// The clause the figure stands in.
    pub clause: String,
    /// Character offset of the clause in the paragraph text (the figure stands at
    /// `start - clause_start` in its clause); JSON only.
    pub clause_start: usize,
    /// What is counted.
    pub what: String,
    /// The value, 万/亿 applied.
    pub value: f64,
    /// Upper end of a range.
    pub to: Option<f64>,
    /// Unit.
    pub unit: String,
    /// As written.
    pub text: String,
    /// `result` or `target`.
    pub kind: Kind,
    /// Written with 余/多/近/约/左右.
    pub approx: bool,
    /// Theme id (empty when the paragraph has no theme).
    pub theme: String,
    /// Theme name.
    pub theme_name: String,
}

/// Every key figure of a report, in document and text order.
pub fn figure_rows(report: &Report) -> Vec<FigureRow> {
    let mut out = Vec::new();
    for (d, doc) in report.documents.iter().enumerate() {
        let label = doc.label();
        for p in &doc.paragraphs {
            for f in &p.figures {
                let th = f.theme.map(|t| &report.themes[t]);
                out.push(FigureRow {
                    document: label.clone(),
                    file: doc.name.clone(),
                    paragraph: paragraph_id(d, p.index),
                    start: f.start,
                    end: f.end,
                    clause: f.clause_text(&p.text),
                    clause_start: f.clause.0,
                    what: f.what.clone(),
                    value: f.value,
                    to: f.to,
                    unit: f.unit.clone(),
                    text: f.text.clone(),
                    kind: f.kind,
                    approx: f.approx,
                    theme: th.map(|t| t.id.clone()).unwrap_or_default(),
                    theme_name: th.map(|t| t.name.clone()).unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// Quote a CSV field when needed.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells.into_iter().map(|c| field(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn opt<T: ToString>(x: &Option<T>) -> String {
    x.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The header and rows of a table, as text cells.
fn table(report: &Report, m: &Matrix, t: Table) -> Vec<Vec<String>> {
    let theme_col = |i: usize, what: &str| {
        format!("{} ({}) {what}", report.themes[i].name, report.themes[i].id)
    };
    let n = report.themes.len();
    let mut rows = Vec::new();
    match t {
        Table::Documents => {
            let mut h: Vec<String> = [
                "document",
                "file",
                "bureau",
                "region",
                "year",
                "type",
                "paragraphs",
                "chars",
            ]
            .map(String::from)
            .to_vec();
            for i in 0..n {
                h.push(theme_col(i, "paragraphs"));
                h.push(theme_col(i, "share"));
                h.push(theme_col(i, "char share"));
            }
            rows.push(h);
            for d in &m.documents {
                let mut r = vec![
                    d.label.clone(),
                    d.file.clone(),
                    opt(&d.meta.bureau),
                    opt(&d.meta.region),
                    opt(&d.meta.year),
                    opt(&d.meta.kind),
                    d.paragraphs.to_string(),
                    d.chars.to_string(),
                ];
                for c in &d.cells {
                    r.push(c.count.to_string());
                    r.push(round4(c.share).to_string());
                    r.push(round4(c.char_share).to_string());
                }
                rows.push(r);
            }
        }
        Table::Themes => {
            rows.push(
                [
                    "theme",
                    "name",
                    "paragraphs",
                    "share",
                    "char share",
                    "tier",
                    "trend",
                ]
                .map(String::from)
                .to_vec(),
            );
            for th in &m.themes {
                rows.push(vec![
                    th.id.clone(),
                    th.name.clone(),
                    th.total.count.to_string(),
                    round4(th.total.share).to_string(),
                    round4(th.total.char_share).to_string(),
                    th.tier.as_str().into(),
                    th.trend.map(|t| t.as_str()).unwrap_or("").into(),
                ]);
            }
        }
        Table::Years | Table::Regions => {
            let x = if t == Table::Years {
                &m.by_year
            } else {
                &m.by_region
            };
            rows.extend(cross_rows(m, x));
        }
        Table::Paragraphs => {
            rows.push(
                [
                    "paragraph",
                    "document",
                    "file",
                    "index",
                    "heading",
                    "text",
                    "themes",
                    "theme ids",
                    "chars",
                    "figures",
                ]
                .map(String::from)
                .to_vec(),
            );
            for (d, doc) in report.documents.iter().enumerate() {
                let label = doc.label();
                for p in &doc.paragraphs {
                    let names: Vec<&str> = p
                        .labels
                        .iter()
                        .map(|(l, _)| report.themes[*l].name.as_str())
                        .collect();
                    let ids: Vec<&str> = p
                        .labels
                        .iter()
                        .map(|(l, _)| report.themes[*l].id.as_str())
                        .collect();
                    rows.push(vec![
                        paragraph_id(d, p.index),
                        label.clone(),
                        doc.name.clone(),
                        p.index.to_string(),
                        p.heading.clone(),
                        p.text.clone(),
                        names.join("、"),
                        ids.join(" "),
                        p.chars().to_string(),
                        p.figures.len().to_string(),
                    ]);
                }
            }
        }
        Table::Figures => {
            rows.push(
                [
                    "document",
                    "file",
                    "paragraph",
                    "start",
                    "end",
                    "clause",
                    "what",
                    "value",
                    "to",
                    "unit",
                    "as written",
                    "kind",
                    "approx",
                    "theme",
                    "theme name",
                ]
                .map(String::from)
                .to_vec(),
            );
            for f in figure_rows(report) {
                rows.push(vec![
                    f.document,
                    f.file,
                    f.paragraph,
                    f.start.to_string(),
                    f.end.to_string(),
                    f.clause,
                    f.what,
                    f.value.to_string(),
                    opt(&f.to),
                    f.unit,
                    f.text,
                    f.kind.as_str().into(),
                    f.approx.to_string(),
                    f.theme,
                    f.theme_name,
                ]);
            }
        }
    }
    rows
}

/// Theme × year or region: one row per theme, four columns per group.
fn cross_rows(m: &Matrix, x: &CrossTable) -> Vec<Vec<String>> {
    let mut h: Vec<String> = ["theme", "name", "tier", "trend"]
        .map(String::from)
        .to_vec();
    for g in &x.groups {
        let k = g.key.trim_start_matches('0');
        for what in ["paragraphs", "share", "char share", "tier"] {
            h.push(format!("{k} {what}"));
        }
    }
    let mut rows = vec![h];
    for (t, th) in m.themes.iter().enumerate() {
        let mut r = vec![
            th.id.clone(),
            th.name.clone(),
            th.tier.as_str().into(),
            th.trend.map(|t| t.as_str()).unwrap_or("").into(),
        ];
        for g in &x.groups {
            let c = g.cells[t];
            r.push(c.count.to_string());
            r.push(round4(c.share).to_string());
            r.push(round4(c.char_share).to_string());
            r.push(g.tiers[t].as_str().into());
        }
        rows.push(r);
    }
    rows
}

/// One table as CSV: a byte-order mark, a header, CRLF line ends.
///
/// ```
/// use policytag_data::LabelInfo;
/// use policytag_report::{export, matrix, Document, Paragraph, Report};
///
/// let th = LabelInfo { id: "preschool".into(), name: "学前教育".into(), description: String::new() };
/// let p = Paragraph::new(0, String::new(), "新建幼儿园3所。".into(), vec![0.9], vec![(0, vec![])]);
/// let r = Report::new(vec![th], vec![Document::new("a.txt", vec![p])])?;
/// let m = matrix::build(&r, &matrix::TableParams::default());
/// let csv = export::csv(&r, &m, export::Table::Documents);
/// assert!(csv.starts_with('\u{feff}'));
/// assert!(csv.contains("学前教育 (preschool) paragraphs"));
/// # Ok::<(), policytag_report::Error>(())
/// ```
pub fn csv(report: &Report, m: &Matrix, t: Table) -> String {
    let mut out = String::from(BOM);
    for r in table(report, m, t) {
        row(&mut out, r);
    }
    out
}

/// The matrix and tables as one JSON document.
pub fn matrix_json(m: &Matrix) -> String {
    let mut s = serde_json::to_string_pretty(m).unwrap_or_default();
    s.push('\n');
    s
}

/// The key figures as a JSON array.
pub fn figures_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&figure_rows(report)).unwrap_or_default();
    s.push('\n');
    s
}

impl Table {
    /// The sheet name of the table in a workbook.
    pub fn sheet(self) -> &'static str {
        match self {
            Table::Themes => "themes",
            Table::Documents => "matrix",
            Table::Years => "years",
            Table::Regions => "regions",
            Table::Paragraphs => "paragraphs",
            Table::Figures => "figures",
        }
    }
}

/// Every table, in the workbook's sheet order.
pub const ALL: [Table; 6] = [
    Table::Themes,
    Table::Documents,
    Table::Years,
    Table::Regions,
    Table::Paragraphs,
    Table::Figures,
];

/// Longest text Excel keeps in a cell.
const MAX_CELL: usize = 32_000;

fn xerr(e: XlsxError) -> Error {
    Error::Xlsx(e.to_string())
}

/// Write a table whose numeric-looking cells become numbers.
fn write_sheet(ws: &mut Worksheet, rows: &[Vec<String>], bold: &Format) -> Result<()> {
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                ws.write_string_with_format(r, c, v, bold).map_err(xerr)?;
            } else if let Some(x) = number(v) {
                ws.write_number(r, c, x).map_err(xerr)?;
            } else if !v.is_empty() {
                let v: String = v.chars().take(MAX_CELL).collect();
                ws.write_string(r, c, v).map_err(xerr)?;
            }
        }
    }
    if let Some(h) = rows.first() {
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        let last = rows.len().saturating_sub(1) as u32;
        ws.autofilter(0, 0, last.max(1), h.len().saturating_sub(1) as u16)
            .map_err(xerr)?;
    }
    Ok(())
}

/// A cell that reads as a plain number (no leading zeros, no ids).
fn number(s: &str) -> Option<f64> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !(s.len() > 1 && s.starts_with('0') && !s.starts_with("0."));
    ok.then(|| s.parse().ok()).flatten()
}

/// A `HYPERLINK` formula to row `row` (0-based) of the paragraphs sheet showing `shown`.
fn link(row: usize, shown: &str) -> Formula {
    let quoted = if number(shown).is_some() {
        shown.to_string()
    } else {
        format!("\"{}\"", shown.replace('"', "\"\""))
    };
    Formula::new(format!(
        "=HYPERLINK(\"#'{}'!A{}\",{quoted})",
        Table::Paragraphs.sheet(),
        row + 1
    ))
    .set_result(shown)
}

/// A workbook of `tables`, one sheet each in the order given, as the bytes of an `.xlsx`
/// file ([`ALL`] for the whole analysis). Links point into the `paragraphs` sheet, so include
/// [`Table::Paragraphs`] with [`Table::Documents`] or [`Table::Figures`].
pub fn xlsx(report: &Report, m: &Matrix, tables: &[Table]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let paragraphs = table(report, m, Table::Paragraphs);
    // Row of each paragraph id in the paragraphs sheet.
    let row_of: std::collections::BTreeMap<&str, usize> = paragraphs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(r, p)| (p[0].as_str(), r))
        .collect();
    let linked = tables.contains(&Table::Paragraphs);
    for &t in tables {
        let rows = if t == Table::Paragraphs {
            paragraphs.clone()
        } else {
            table(report, m, t)
        };
        let ws = wb.add_worksheet();
        ws.set_name(t.sheet()).map_err(xerr)?;
        write_sheet(ws, &rows, &bold)?;
        match t {
            Table::Documents if linked => {
                // Paragraph counts link to the first paragraph of the document with the theme.
                for (r, d) in m.documents.iter().enumerate() {
                    let doc = &report.documents[d.index];
                    for (ti, c) in d.cells.iter().enumerate() {
                        let first = doc.paragraphs.iter().find(|p| p.has(ti));
                        if let Some(p) = first {
                            let id = paragraph_id(d.index, p.index);
                            let col = (8 + 3 * ti) as u16;
                            ws.write_formula(
                                r as u32 + 1,
                                col,
                                link(row_of[id.as_str()], &c.count.to_string()),
                            )
                            .map_err(xerr)?;
                        }
                    }
                }
            }
            Table::Figures if linked => {
                for (r, cells) in rows.iter().enumerate().skip(1) {
                    let id = &cells[2];
                    if let Some(&pr) = row_of.get(id.as_str()) {
                        ws.write_formula(r as u32, 2, link(pr, id)).map_err(xerr)?;
                    }
                }
            }
            _ => {}
        }
        ws.set_column_width(0, 16).map_err(xerr)?;
    }
    wb.save_to_buffer().map_err(xerr)
}

/// A plain-text overview of the matrix for a terminal: one line per theme.
pub fn text(m: &Matrix) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} documents · {} with a year · {} with a region",
        m.documents.len(),
        m.documents.len() - m.by_year.unknown,
        m.documents.len() - m.by_region.unknown
    );
    let _ = writeln!(
        s,
        "{:<20} {:>10} {:>7} {:>10}  {:<7} trend",
        "theme", "paragraphs", "share", "char share", "tier"
    );
    for t in &m.themes {
        let _ = writeln!(
            s,
            "{:<20} {:>10} {:>6.1}% {:>9.1}%  {:<7} {}",
            t.id,
            t.total.count,
            t.total.share * 100.0,
            t.total.char_share * 100.0,
            t.tier.as_str(),
            t.trend.map_or("—", |x| x.as_str())
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, Paragraph};
    use crate::matrix::{build, TableParams};
    use policytag_data::LabelInfo;

    fn report() -> Report {
        let th = |id: &str, name: &str| LabelInfo {
            id: id.into(),
            name: name.into(),
            description: String::new(),
        };
        let mut a = Document::new(
            "a,\"1\".txt",
            vec![
                Paragraph::new(
                    0,
                    "一、".into(),
                    "新建幼儿园3所，招聘教师90人。".into(),
                    vec![0.9, 0.8],
                    vec![(0, vec![]), (1, vec![])],
                ),
                Paragraph::new(
                    1,
                    String::new(),
                    "其他工作。".into(),
                    vec![0.1, 0.1],
                    vec![],
                ),
            ],
        );
        a.paragraphs[0].figures[1].theme = Some(1);
        a.meta.year = Some(2023);
        a.meta.bureau = Some("某县教育局".into());
        let b = Document::new(
            "b.txt",
            vec![Paragraph::new(
                0,
                String::new(),
                "培训教师300人次。".into(),
                vec![0.1, 0.9],
                vec![(1, vec![])],
            )],
        );
        Report::new(
            vec![th("preschool", "学前教育"), th("teachers", "教师队伍建设")],
            vec![a, b],
        )
        .unwrap()
    }

    /// Split CSV text (after the BOM) into rows of fields, honouring quotes.
    fn parse(csv: &str) -> Vec<Vec<String>> {
        let mut rows = vec![];
        let mut row = vec![];
        let mut f = String::new();
        let mut q = false;
        let mut it = csv.trim_start_matches(BOM).chars().peekable();
        while let Some(c) = it.next() {
            match (c, q) {
                ('"', true) if it.peek() == Some(&'"') => {
                    f.push('"');
                    it.next();
                }
                ('"', _) => q = !q,
                (',', false) => row.push(std::mem::take(&mut f)),
                ('\r', false) => {}
                ('\n', false) => {
                    row.push(std::mem::take(&mut f));
                    rows.push(std::mem::take(&mut row));
                }
                _ => f.push(c),
            }
        }
        rows
    }

    #[test]
    fn csv_tables_have_a_bom_chinese_headers_and_equal_width_rows() {
        let r = report();
        let m = build(&r, &TableParams::default());
        for t in [
            Table::Documents,
            Table::Themes,
            Table::Years,
            Table::Regions,
            Table::Paragraphs,
            Table::Figures,
        ] {
            let s = csv(&r, &m, t);
            assert!(s.starts_with(BOM), "{t:?}");
            let rows = parse(&s);
            assert!(
                rows.iter().all(|x| x.len() == rows[0].len()),
                "{t:?}: ragged"
            );
        }
        let docs = parse(&csv(&r, &m, Table::Documents));
        assert_eq!(docs[0][8], "学前教育 (preschool) paragraphs");
        assert_eq!(docs[1][0], "某县教育局 · 2023");
        assert_eq!(docs[1][1], "a,\"1\".txt", "quoted fields survive");
        assert_eq!(docs[2][0], "b.txt", "no metadata: the file name");
        let figs = parse(&csv(&r, &m, Table::Figures));
        assert_eq!(figs.len(), 4);
        assert_eq!(figs[2][2], "d0-p0");
        assert_eq!((figs[2][3].as_str(), figs[2][4].as_str()), ("12", "15"));
        assert_eq!(figs[2][5], "招聘教师90人");
        assert_eq!(
            (figs[2][13].as_str(), figs[2][14].as_str()),
            ("teachers", "教师队伍建设")
        );
        let years = parse(&csv(&r, &m, Table::Years));
        assert_eq!(years[0][4], "2023 paragraphs");
    }

    #[test]
    fn xlsx_is_a_zip_with_every_sheet_and_links() {
        let r = report();
        let m = build(&r, &TableParams::default());
        let bytes = xlsx(&r, &m, &ALL).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
            s
        };
        let book = read("xl/workbook.xml");
        for name in ALL.map(Table::sheet) {
            assert!(book.contains(&format!("name=\"{name}\"")), "{name}");
        }
        let strings = read("xl/sharedStrings.xml");
        assert!(strings.contains("学前教育 (preschool) paragraphs"));
        assert!(strings.contains("新建幼儿园3所，招聘教师90人。"));
        // The matrix sheet links paragraph counts to the paragraphs sheet; figures link too.
        let matrix = read("xl/worksheets/sheet2.xml");
        assert!(
            matrix.contains("HYPERLINK(\"#'paragraphs'!A2\",1)"),
            "{matrix}"
        );
        let figures = read("xl/worksheets/sheet6.xml");
        assert!(
            figures.contains("HYPERLINK(\"#'paragraphs'!A4\",\"d1-p0\")"),
            "{figures}"
        );
    }

    #[test]
    fn numbers_and_links() {
        assert_eq!(number("12"), Some(12.0));
        assert_eq!(number("0.25"), Some(0.25));
        assert_eq!(number("007"), None);
        assert_eq!(number("d0-p1"), None);
    }
}
