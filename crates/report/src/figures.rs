//! Key figures: the numbers of a paragraph with their units and what they count
//! (新增学位2480个, 资金424.9万元, 覆盖率100%, 招聘教师90人).
//!
//! A figure is a number followed by a unit. Numbers are Arabic (`2480`, `1,200`, `424.9`,
//! full-width digits too) or Chinese numerals of two characters or more (`两千四百八十`,
//! `三十五`); `万` and `亿` multiply (`1.2亿元` is 120 000 000 元, `4.1万人` is 41 000 人).
//! A range (`3—5所`, `3至5所`) keeps both ends. What is counted is the run of Chinese
//! characters just before the number, without linking verbs such as 达到/为/共.
//!
//! Not figures: numbers without a unit — years (`2023年`), dates, section numbers (`一、`,
//! `（二）`, `1.`), phone numbers — ordinals (`第3名`) and single-character Chinese numerals,
//! which in reports are mostly set phrases (一次, 五项管理, 两个责任) rather than counts.

use serde::Serialize;

/// One key figure found in a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// What is counted: the words just before the number (`新增学位`); may be empty.
    pub what: String,
    /// The value with `万`/`亿` applied (`424.9万元` → 4 249 000).
    pub value: f64,
    /// The upper end of a range (`3—5所` → 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    /// The unit after any multiplier (`元`, `人`, `%`, `个百分点`).
    pub unit: String,
    /// The figure as written (`424.9万元`).
    pub text: String,
    /// Character offset of the number in the paragraph.
    pub start: usize,
    /// Character offset just after the unit.
    pub end: usize,
}

/// Units a number must be followed by to count as a figure (simplified script; longest
/// match wins).
const UNITS: &[&str] = &[
    "个百分点",
    "平方米",
    "人次",
    "校次",
    "小时",
    "公里",
    "个",
    "人",
    "所",
    "元",
    "亩",
    "台",
    "套",
    "间",
    "班",
    "名",
    "次",
    "场",
    "项",
    "%",
    "期",
    "篇",
    "座",
    "块",
    "家",
    "支",
    "门",
    "节",
    "天",
    "册",
    "件",
    "户",
    "批",
    "处",
    "辆",
];

/// Linking words stripped from the end of the counted phrase (longest first).
const LINKS: &[&str] = &[
    "不超过",
    "不少于",
    "不低于",
    "不高于",
    "提高到",
    "提升到",
    "提高至",
    "提升至",
    "增加到",
    "增加至",
    "增长到",
    "下降到",
    "达到",
    "超过",
    "突破",
    "累计",
    "共计",
    "合计",
    "总计",
    "分别",
    "增至",
    "降至",
    "降到",
    "约",
    "近",
    "达",
    "为",
    "至",
    "到",
    "共",
    "计",
    "了",
    "有",
    "逾",
    "超",
    "由",
    "从",
];

/// Longest counted phrase kept, in characters (the tail is kept).
const MAX_WHAT: usize = 12;

/// Fold the characters figure reading cares about, one for one so offsets stay valid:
/// full-width digits and signs, and traditional forms of numerals and units.
fn norm(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '％' => '%',
        '－' | '‐' | '−' => '-',
        '～' => '~',
        '萬' => '万',
        '億' => '亿',
        '兩' => '两',
        '個' => '个',
        '間' => '间',
        '項' => '项',
        '場' => '场',
        '臺' => '台',
        '畝' => '亩',
        '門' => '门',
        '節' => '节',
        '輛' => '辆',
        '處' => '处',
        '塊' => '块',
        '點' => '点',
        '時' => '时',
        '裡' => '里',
        '級' => '级',
        '監' => '监',
        _ => c,
    }
}

fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿')
}

/// The value of a Chinese numeral (`两千四百八十` → 2480); `None` when the characters do not
/// form one (`十三五`, `千万`).
pub fn chinese_numeral(s: &str) -> Option<f64> {
    let chars: Vec<char> = s.chars().map(norm).collect();
    if chars.is_empty() || !(cn_digit(chars[0]).is_some() || chars[0] == '十') {
        return None;
    }
    let (mut total, mut section) = (0u64, 0u64);
    let mut digit: Option<u64> = None;
    for &c in &chars {
        if let Some(d) = cn_digit(c) {
            if matches!(digit, Some(x) if x != 0) {
                return None;
            }
            digit = Some(d);
            continue;
        }
        match c {
            '十' | '百' | '千' => {
                let m = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                let d = match digit.take() {
                    Some(d) if d > 0 => d,
                    None if c == '十' && section == 0 => 1,
                    _ => return None,
                };
                section += d * m;
            }
            '万' | '亿' => {
                section += digit.take().unwrap_or(0);
                if section == 0 && total == 0 {
                    return None;
                }
                if c == '万' {
                    total += section * 10_000;
                } else {
                    total = (total + section) * 100_000_000;
                }
                section = 0;
            }
            _ => return None,
        }
    }
    Some((total + section + digit.unwrap_or(0)) as f64)
}

/// A number read at a position: its value, multiplier applied, and where it ends.
struct Num {
    value: f64,
    end: usize,
    /// 万/亿 given with an Arabic number (so a range's lower end can share it).
    mult: Option<f64>,
}

fn multiplier(c: Option<&char>) -> Option<f64> {
    match c {
        Some('万') => Some(1e4),
        Some('亿') => Some(1e8),
        _ => None,
    }
}

/// Read an Arabic number (with an optional 万/亿) starting at `i`.
fn arabic(n: &[char], i: usize) -> Option<Num> {
    let mut j = i;
    let mut s = String::new();
    while j < n.len() {
        let c = n[j];
        if c.is_ascii_digit() {
            s.push(c);
            j += 1;
        } else if c == ','
            && !s.is_empty()
            && !s.contains('.')
            && n.get(j + 1..j + 4)
                .is_some_and(|d| d.iter().all(|c| c.is_ascii_digit()))
            && !n.get(j + 4).is_some_and(|c| c.is_ascii_digit())
        {
            j += 1;
        } else if c == '.'
            && !s.is_empty()
            && !s.contains('.')
            && n.get(j + 1).is_some_and(|c| c.is_ascii_digit())
        {
            s.push('.');
            j += 1;
        } else {
            break;
        }
    }
    let int = s.split('.').next().unwrap_or("");
    // Phone numbers, codes and zero-padded numbers are not counts.
    if int.is_empty() || int.len() >= 11 || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    let mut value: f64 = s.parse().ok()?;
    let mult = multiplier(n.get(j));
    if let Some(m) = mult {
        value *= m;
        j += 1;
    }
    Some(Num {
        value,
        end: j,
        mult,
    })
}

/// Read a Chinese numeral of at least two characters starting at `i`.
fn chinese(n: &[char], i: usize) -> Option<Num> {
    let mut j = i;
    while j < n.len() && is_cn_numeral(n[j]) {
        j += 1;
    }
    if j - i < 2 {
        return None;
    }
    let s: String = n[i..j].iter().collect();
    let value = chinese_numeral(&s)?;
    Some(Num {
        value,
        end: j,
        mult: None,
    })
}

fn number(n: &[char], i: usize) -> Option<Num> {
    if n[i].is_ascii_digit() {
        arabic(n, i)
    } else {
        chinese(n, i)
    }
}

fn starts_with(n: &[char], i: usize, s: &str) -> bool {
    (i..).zip(s.chars()).all(|(j, c)| n.get(j) == Some(&c))
}

fn unit_at(n: &[char], i: usize) -> Option<&'static str> {
    UNITS
        .iter()
        .filter(|u| starts_with(n, i, u))
        .max_by_key(|u| u.chars().count())
        .copied()
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

/// The counted phrase before position `i`: Chinese characters back to the first other
/// character (or the end of the previous figure, `floor`), without trailing linking words,
/// at most [`MAX_WHAT`] characters.
fn what_before(original: &[char], n: &[char], i: usize, floor: usize) -> String {
    let mut s = i;
    while s > floor && is_han(n[s - 1]) {
        s -= 1;
    }
    let mut w: String = original[s..i].iter().collect();
    let mut normed: String = n[s..i].iter().collect();
    while let Some(l) = LINKS
        .iter()
        .filter(|l| normed.ends_with(**l))
        .max_by_key(|l| l.chars().count())
    {
        let k = l.chars().count();
        let keep = normed.chars().count() - k;
        normed = normed.chars().take(keep).collect();
        w = w.chars().take(keep).collect();
    }
    let len = w.chars().count();
    w.chars().skip(len.saturating_sub(MAX_WHAT)).collect()
}

/// All key figures of a paragraph, in text order.
///
/// ```
/// use policytag_report::figures::extract;
///
/// let f = extract("新增学位两千四百八十个，投入资金424.9万元，招聘教师90人。");
/// let got: Vec<_> = f.iter().map(|f| (f.what.as_str(), f.value, f.unit.as_str())).collect();
/// assert_eq!(got, [("新增学位", 2480.0, "个"), ("投入资金", 4_249_000.0, "元"), ("招聘教师", 90.0, "人")]);
/// ```
pub fn extract(text: &str) -> Vec<Figure> {
    let original: Vec<char> = text.chars().collect();
    let n: Vec<char> = original.iter().map(|&c| norm(c)).collect();
    let mut out: Vec<Figure> = Vec::new();
    let mut i = 0;
    while i < n.len() {
        let c = n[i];
        let starts_number = c.is_ascii_digit() || cn_digit(c).is_some() || c == '十';
        if !starts_number {
            i += 1;
            continue;
        }
        // Only at the start of a number run.
        let prev = if i > 0 { Some(n[i - 1]) } else { None };
        let glued = prev.is_some_and(|p| {
            if c.is_ascii_digit() {
                p.is_ascii_alphanumeric() || p == '.' || p == ','
            } else {
                is_cn_numeral(p)
            }
        });
        let Some(a) = number(&n, i) else {
            i = skip_run(&n, i);
            continue;
        };
        if glued || prev == Some('第') {
            i = a.end.max(i + 1);
            continue;
        }
        let mut value = a.value;
        let mut to = None;
        let mut j = a.end;
        // A range: 3—5, 3-5, 3~5, 3至5, 3到5 (one dash or a doubled ——).
        let mut k = j;
        if n.get(k) == Some(&'—') && n.get(k + 1) == Some(&'—') {
            k += 2;
        } else if matches!(n.get(k), Some('—' | '–' | '-' | '~' | '至' | '到')) {
            k += 1;
        }
        if k > j && k < n.len() && (n[k].is_ascii_digit() == c.is_ascii_digit()) {
            if let Some(b) = number(&n, k) {
                if a.mult.is_none() {
                    if let Some(m) = b.mult {
                        value *= m;
                    }
                }
                to = Some(b.value);
                j = b.end;
            }
        }
        // 1000余人, 3000多名
        if matches!(n.get(j), Some('余' | '多')) {
            j += 1;
        }
        let Some(unit) = unit_at(&n, j) else {
            i = a.end.max(i + 1);
            continue;
        };
        let end = j + unit.chars().count();
        out.push(Figure {
            what: what_before(&original, &n, i, out.last().map_or(0, |f| f.end)),
            value,
            to,
            unit: unit.to_string(),
            text: original[i..end].iter().collect(),
            start: i,
            end,
        });
        i = end;
    }
    out
}

/// Skip past a run of digits or numeral characters that is not a number.
fn skip_run(n: &[char], i: usize) -> usize {
    let digit = n[i].is_ascii_digit();
    let mut j = i + 1;
    while j < n.len()
        && (if digit {
            n[j].is_ascii_digit() || n[j] == '.' || n[j] == ','
        } else {
            is_cn_numeral(n[j])
        })
    {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (sentence, expected figures as (what, value, unit)). Sentences written for this test.
    /// Expected figures: (what, value, unit).
    type Want = &'static [(&'static str, f64, &'static str)];

    const CASES: &[(&str, Want)] = &[
        ("新增学位2480个", &[("新增学位", 2480.0, "个")]),
        ("新增学位两千四百八十个", &[("新增学位", 2480.0, "个")]),
        (
            "落实项目资金424.9万元",
            &[("落实项目资金", 4_249_000.0, "元")],
        ),
        (
            "全年教育投入1.2亿元",
            &[("全年教育投入", 120_000_000.0, "元")],
        ),
        ("课后服务覆盖率100%", &[("课后服务覆盖率", 100.0, "%")]),
        ("招聘教师90人", &[("招聘教师", 90.0, "人")]),
        ("优秀率提高3个百分点", &[("优秀率提高", 3.0, "个百分点")]),
        ("参训教师三十五人", &[("参训教师", 35.0, "人")]),
        ("全县参与学生4.1万人", &[("全县参与学生", 41_000.0, "人")]),
        ("毛入园率达到94.6%", &[("毛入园率", 94.6, "%")]),
        (
            "新建幼儿园3所、改扩建2所",
            &[("新建幼儿园", 3.0, "所"), ("改扩建", 2.0, "所")],
        ),
        ("建成运动场1,200平方米", &[("建成运动场", 1200.0, "平方米")]),
        ("改造校舍1.5万平方米", &[("改造校舍", 15_000.0, "平方米")]),
        ("共开展培训一百零五场", &[("共开展培训", 105.0, "场")]),
        ("投入资金三十万元", &[("投入资金", 300_000.0, "元")]),
        ("采购课桌椅5400套", &[("采购课桌椅", 5400.0, "套")]),
        ("流转土地120亩", &[("流转土地", 120.0, "亩")]),
        ("每校配备心理教师1—2名", &[("每校配备心理教师", 1.0, "名")]),
        ("受助学生共计1000余人", &[("受助学生", 1000.0, "人")]),
        ("新增學位２１６０個", &[("新增學位", 2160.0, "个")]),
        (
            "全年接待家长咨询320次",
            &[("全年接待家长咨询", 320.0, "次")],
        ),
        (
            "校外培训机构由53家压减至3家",
            &[("校外培训机构", 53.0, "家"), ("压减", 3.0, "家")],
        ),
        ("课后服务每天不少于2小时", &[("课后服务每天", 2.0, "小时")]),
        // Not figures.
        ("2023年工作总结", &[]),
        ("（一）坚持党建引领", &[]),
        ("一、主要工作", &[]),
        ("1.加强师德师风建设", &[]),
        ("在全市比赛中获得第3名", &[]),
        ("联系电话：0571-88123456", &[]),
        ("2023年9月1日开学", &[]),
        ("每学期开展一次警示教育", &[]),
        ("落实“十四五”规划", &[]),
        ("推进5G校园网络建设", &[]),
    ];

    #[test]
    fn the_figure_table() {
        for (sentence, want) in CASES {
            let got: Vec<(String, f64, String)> = extract(sentence)
                .into_iter()
                .map(|f| (f.what, f.value, f.unit))
                .collect();
            let want: Vec<(String, f64, String)> = want
                .iter()
                .map(|&(w, v, u)| (w.to_string(), v, u.to_string()))
                .collect();
            assert_eq!(got, want, "{sentence}");
        }
    }

    #[test]
    fn ranges_keep_both_ends_and_share_a_multiplier() {
        let f = extract("每校配备心理教师1—2名");
        assert_eq!((f[0].value, f[0].to), (1.0, Some(2.0)));
        let f = extract("每生每年补助3至5万元");
        assert_eq!(
            (f[0].value, f[0].to, f[0].unit.as_str()),
            (30_000.0, Some(50_000.0), "元")
        );
        let f = extract("建设周期为2023—2025年");
        assert!(f.is_empty());
    }

    #[test]
    fn text_and_offsets_point_at_the_figure() {
        let s = "县财政投入资金424.9万元，覆盖率100%。";
        let f = extract(s);
        assert_eq!(f.len(), 2);
        let chars: Vec<char> = s.chars().collect();
        for x in &f {
            let span: String = chars[x.start..x.end].iter().collect();
            assert_eq!(span, x.text);
        }
        assert_eq!(f[0].text, "424.9万元");
        assert_eq!(f[1].text, "100%");
        assert_eq!(f[1].what, "覆盖率");
    }

    #[test]
    fn chinese_numerals() {
        for (s, v) in [
            ("两千四百八十", Some(2480.0)),
            ("三十五", Some(35.0)),
            ("十二", Some(12.0)),
            ("一百零五", Some(105.0)),
            ("三万五千", Some(35_000.0)),
            ("三亿五千万", Some(350_000_000.0)),
            ("十四五", None),
            ("千万", None),
            ("一二", None),
        ] {
            assert_eq!(chinese_numeral(s), v, "{s}");
        }
    }

    #[test]
    fn what_is_capped_and_never_contains_digits() {
        let f = extract("全县城乡义务教育学校标准化建设达标学校共有128所");
        assert_eq!(f[0].what.chars().count(), MAX_WHAT);
        assert!(f[0].what.ends_with("达标学校"));
        let f = extract("1.新增学位200个");
        assert_eq!(f[0].what, "新增学位");
    }
}
