//! From positioned lines of a page to paragraphs: where a line break is only the edge of
//! the page, and where a paragraph ends.
//!
//! A PDF knows glyphs and their positions, not paragraphs. Lines are re-joined unless one
//! of these says a paragraph ends between line `a` and the next line `b`:
//!
//! 1. `a` is short: the first word of `b` would have fitted at its end (before the right
//!    margin), so the break was the writer's, not the page's;
//! 2. `b` is indented (首行缩进) or centred: it starts more than 1 em right of the left margin;
//! 3. `b` starts with a heading marker (`一、`, `（二）`, `3.`, `一是`) and `a` ends a sentence;
//! 4. `a` ends a sentence (`。！？`) and the document indents no paragraph at all (so rule 2
//!    cannot tell);
//! 5. the font size changes, or a gap of more than 1.8 line pitches separates them.
//!
//! Page numbers (`- 3 -`, `第3页`) are dropped.

use policytag_tokenizer::segment::marker_at;

/// One line of text on a page, in PDF units (y grows upwards).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The text.
    pub text: String,
    /// Left edge of the first glyph.
    pub x0: f64,
    /// Right edge of the last glyph.
    pub x1: f64,
    /// Baseline.
    pub y: f64,
    /// Font size (em).
    pub size: f64,
    /// Width of the line's first unbreakable unit (a Latin word or number, or one character,
    /// with the closing punctuation that may not start a line): what would have had to fit
    /// at the end of the line before.
    pub first_width: f64,
}

/// Characters that end a line for `str::lines`, text editors or our readers. Inside the
/// text of a paragraph (a Word run, a PDF glyph mapped to U+000A) they become spaces: the
/// output has one paragraph per line, and nothing else may break it.
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Sentence-final punctuation.
fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['”', '’', '"', '）', ')', '】', '」', '』']);
    t.ends_with(['。', '！', '？', '!', '?', '…', '；', '：'])
}

/// A page-number line: digits with dashes, 第…页, n/m.
fn is_page_number(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    t.chars().count() <= 12
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || "-—–/第页共PpageofOF·".contains(c))
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The most common value after rounding to whole units (ties: the smallest).
fn mode(v: impl Iterator<Item = f64>) -> Option<f64> {
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for x in v {
        *counts.entry(x.round() as i64).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|&(_, n)| n == best)
        .map(|(x, _)| x as f64)
}

/// Join the lines of all pages (each in reading order) into paragraphs, one per output line.
pub fn paragraphs(pages: &[Vec<Line>]) -> String {
    let lines: Vec<(usize, &Line)> = pages
        .iter()
        .enumerate()
        .flat_map(|(p, ls)| ls.iter().map(move |l| (p, l)))
        .filter(|(_, l)| !l.text.trim().is_empty() && !is_page_number(&l.text))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let em = median(lines.iter().map(|(_, l)| l.size).collect()).max(1.0);
    let left = mode(lines.iter().map(|(_, l)| l.x0)).unwrap_or(0.0);
    // The right margin: where the body text (lines in the usual font size, so not a wide
    // title) ends at the furthest.
    let right = lines
        .iter()
        .filter(|(_, l)| (l.size - em).abs() <= 0.2 * em)
        .map(|(_, l)| l.x1)
        .fold(f64::MIN, f64::max);
    let indented = |l: &Line| l.x0 > left + em;
    let uses_indent = lines
        .iter()
        .any(|(_, l)| indented(l) && l.x1 > right - 1.5 * em);
    let pitch = median(
        lines
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| (w[0].1.y - w[1].1.y).abs())
            .filter(|d| *d > 0.0)
            .collect(),
    );

    let mut out = String::new();
    let mut cur = String::new();
    for (i, &(page, l)) in lines.iter().enumerate() {
        let text = l.text.trim();
        if i > 0 {
            let (prev_page, a) = lines[i - 1];
            let sentence_end = ends_sentence(&cur);
            let brk = a.x1 + l.first_width <= right + 0.1 * em
                || indented(l)
                || (sentence_end && marker_at(text).is_some())
                || (sentence_end && !uses_indent)
                || (a.size - l.size).abs() > 0.2 * em
                || (prev_page == page && pitch > 0.0 && (a.y - l.y).abs() > 1.8 * pitch);
            if brk {
                out.push_str(cur.trim());
                out.push('\n');
                cur.clear();
            } else if cur.ends_with(|c: char| c.is_ascii_alphanumeric())
                && text.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                cur.push(' ');
            }
        }
        cur.push_str(text);
    }
    out.push_str(cur.trim());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of `n` characters 10 pt wide starting `indent` em right of the margin.
    fn line(text: &str, indent: f64, y: f64) -> Line {
        let n = text.chars().count() as f64;
        let first = text
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .count()
            .max(1);
        Line {
            text: text.into(),
            x0: 50.0 + indent * 10.0,
            x1: 50.0 + (indent + n) * 10.0,
            y,
            size: 10.0,
            first_width: first as f64 * 10.0,
        }
    }

    fn rep(c: &str, n: usize) -> String {
        c.repeat(n)
    }

    #[test]
    fn wrapped_lines_join_indent_starts_a_paragraph() {
        // Ten characters a line; paragraphs indented two.
        let page = vec![
            line("县教育局年度总结", 1.0, 800.0),
            line("落实双减政策，课", 2.0, 780.0),
            line("后服务全覆盖。学位增", 0.0, 760.0),
            line("加，办学条件改善。", 0.0, 740.0),
            line("二是安全工作扎实", 2.0, 720.0),
            line("推进。", 0.0, 700.0),
        ];
        assert_eq!(
            paragraphs(&[page]),
            "县教育局年度总结\n落实双减政策，课后服务全覆盖。学位增加，办学条件改善。\n二是安全工作扎实推进。\n"
        );
    }

    #[test]
    fn full_line_ending_a_sentence_continues_when_paragraphs_are_indented() {
        let page = vec![
            line(&rep("啊", 8), 2.0, 800.0),
            line(&(rep("啊", 9) + "。"), 0.0, 780.0),
            line("继续写完。", 0.0, 760.0),
        ];
        assert_eq!(paragraphs(&[page]), rep("啊", 17) + "。继续写完。\n");
    }

    #[test]
    fn without_indentation_a_sentence_end_breaks_but_a_wrap_before_a_number_does_not() {
        let page = vec![
            line("一、总体情况啊啊啊啊", 0.0, 800.0),
            line(&(rep("啊", 9) + "。"), 0.0, 780.0),
            line("（一）学前教育普及普", 0.0, 760.0),
            line("惠水平提高了，受益者", 0.0, 740.0),
            line("1.9万名学生啊啊啊", 0.0, 720.0),
            line("结束。", 0.0, 700.0),
        ];
        assert_eq!(
            paragraphs(&[page]),
            format!(
                "一、总体情况{}。\n（一）学前教育普及普惠水平提高了，受益者1.9万名学生啊啊啊结束。\n",
                rep("啊", 13)
            )
        );
    }

    #[test]
    fn marker_after_a_sentence_end_breaks_even_unindented() {
        let page = vec![
            line(&rep("甲", 8), 2.0, 800.0),
            line(&(rep("甲", 9) + "。"), 0.0, 780.0),
            line(&("一是".to_string() + &rep("乙", 8)), 0.0, 760.0),
            line("乙。", 0.0, 740.0),
        ];
        assert_eq!(
            paragraphs(&[page]),
            format!("{}。\n一是{}。\n", rep("甲", 17), rep("乙", 9))
        );
    }

    #[test]
    fn paragraphs_run_across_pages_and_page_numbers_go() {
        let p1 = vec![
            line(&rep("甲", 8), 2.0, 800.0),
            line(&rep("甲", 10), 0.0, 780.0),
            line(&rep("甲", 10), 0.0, 760.0),
            line("— 1 —", 4.0, 40.0),
        ];
        let p2 = vec![line("甲甲。", 0.0, 800.0), line("乙乙。", 2.0, 780.0)];
        assert_eq!(
            paragraphs(&[p1, p2]),
            format!("{}。\n乙乙。\n", rep("甲", 30))
        );
    }

    #[test]
    fn latin_words_split_by_a_wrap_get_a_space() {
        // "education" would not have fitted after "STEM": the line was full.
        let a = line("课程STEM", 2.0, 800.0);
        let b = line("education结束", 0.0, 780.0);
        assert_eq!(paragraphs(&[vec![a, b]]), "课程STEM education结束\n");
    }

    #[test]
    fn a_line_left_ragged_by_a_long_number_is_not_short() {
        // "63.4%" did not fit after "达" (two em short of the margin), so it moved down.
        let mut b = line("63.4%，创历史新高。", 0.0, 780.0);
        b.first_width = 30.0;
        let page = vec![line("上线率达", 2.0, 800.0), b];
        // Margin at 110 (2 + 4 chars + room for 3 more): the number would not have fitted.
        let mut page = page;
        page[0].x1 = 110.0 - 25.0;
        page[1].x1 = 110.0;
        assert_eq!(paragraphs(&[page]), "上线率达63.4%，创历史新高。\n");
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert_eq!(paragraphs(&[vec![], vec![]]), "");
    }
}
