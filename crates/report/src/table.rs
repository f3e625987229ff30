//! Theme profiles as tables: for terminals (`policytag stats`) and as CSV (`--format csv`).

use std::fmt::Write as _;

use policytag_data::csv::field;
use policytag_data::LabelInfo;

use crate::profile::{round4, Profile};

/// Terminal columns of a string (CJK characters take two).
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// One block per document: its counts, then its themes by paragraph count.
pub fn text(profiles: &[Profile]) -> String {
    let mut out = String::new();
    for (i, p) in profiles.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "━━ {}: {} paragraphs, {} without a theme, {} key figures",
            p.doc, p.paragraphs, p.untagged, p.figures
        );
        let mut rows: Vec<_> = p.themes.iter().filter(|t| t.count > 0).collect();
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
        if rows.is_empty() {
            out.push_str("  (no paragraph has a theme)\n");
            continue;
        }
        let _ = writeln!(
            out,
            "  {:<18}  {:<20}  {:>10}  {:>6}  {:>7}",
            "id", "name", "paragraphs", "share", "figures"
        );
        for t in rows {
            let pad = 20usize.saturating_sub(display_width(&t.name));
            let _ = writeln!(
                out,
                "  {:<18}  {}{}  {:>10}  {:>5.1}%  {:>7}",
                t.id,
                t.name,
                " ".repeat(pad),
                t.count,
                t.share * 100.0,
                t.figures
            );
        }
    }
    out
}

/// A header row, then one row per document: counts, then a count and a share column per
/// theme.
pub fn csv(themes: &[LabelInfo], profiles: &[Profile]) -> String {
    let mut out = String::from("doc,paragraphs,untagged,figures");
    for t in themes {
        let _ = write!(
            out,
            ",{},{}",
            field(&t.id),
            field(&format!("{}_share", t.id))
        );
    }
    out.push('\n');
    for p in profiles {
        let _ = write!(
            out,
            "{},{},{},{}",
            field(&p.doc),
            p.paragraphs,
            p.untagged,
            p.figures
        );
        for t in &p.themes {
            let _ = write!(out, ",{},{}", t.count, round4(t.share));
        }
        out.push('\n');
    }
    out
}

/// The profiles as pretty JSON (`policytag stats --format json`): `{"themes": [{id, name}],
/// "documents": [profile…]}`, with a final newline.
pub fn json(themes: &[LabelInfo], profiles: &[Profile]) -> String {
    #[derive(serde::Serialize)]
    struct Theme<'a> {
        id: &'a str,
        name: &'a str,
    }
    #[derive(serde::Serialize)]
    struct Stats<'a> {
        themes: Vec<Theme<'a>>,
        documents: &'a [Profile],
    }
    let themes = themes.iter().map(|t| Theme {
        id: &t.id,
        name: &t.name,
    });
    let stats = Stats {
        themes: themes.collect(),
        documents: profiles,
    };
    // Plain data with string keys: serialising cannot fail.
    let mut s = serde_json::to_string_pretty(&stats).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ThemeCount;

    #[test]
    fn tables_by_hand() {
        let theme = |id: &str, name: &str, count, share| ThemeCount {
            id: id.into(),
            name: name.into(),
            count,
            share,
            figures: 1,
        };
        let p = Profile {
            doc: "a,b.txt".into(),
            paragraphs: 4,
            untagged: 1,
            figures: 2,
            themes: vec![
                theme("aid", "学生资助", 1, 0.25),
                theme("safety", "安全", 3, 0.75),
            ],
        };
        let t = text(std::slice::from_ref(&p));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "━━ a,b.txt: 4 paragraphs, 1 without a theme, 2 key figures"
        );
        // Most paragraphs first; a CJK name counts two columns when padding.
        assert!(lines[2].starts_with("  safety              安全                 "));
        assert!(lines[3].contains("25.0%"));
        let labels = ["aid", "safety"].map(|id| LabelInfo {
            id: id.into(),
            name: id.into(),
            description: String::new(),
        });
        assert_eq!(
            csv(&labels, &[p]),
            "doc,paragraphs,untagged,figures,aid,aid_share,safety,safety_share\n\
             \"a,b.txt\",4,1,2,1,0.25,3,0.75\n"
        );
    }
}
