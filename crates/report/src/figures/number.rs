//! Reading numbers: Arabic and Chinese numerals, 万/亿 multipliers and the units a figure
//! must carry. Characters are folded one for one ([`norm`]) so offsets stay valid.

/// Units a number must be followed by to count as a figure (simplified script; longest
/// match wins).
pub(super) const UNITS: &[&str] = &[
    "个百分点",
    "平方米",
    "人次",
    "场次",
    "批次",
    "所次",
    "班次",
    "校次",
    "小时",
    "学时",
    "课时",
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
    "栋",
    "幢",
    "张",
    "本",
    "倍",
    "份",
    "条",
];

/// Fold the characters figure reading cares about, one for one so offsets stay valid:
/// full-width digits and signs, and traditional forms of numerals and units.
pub(super) fn norm(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '％' => '%',
        '－' | '‐' | '−' => '-',
        '～' => '~',
        '萬' => '万',
        '達' => '达',
        '為' => '为',
        '計' => '计',
        '約' => '约',
        '餘' => '余',
        '過' => '过',
        '與' => '与',
        '總' => '总',
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

pub(super) fn cn_digit(c: char) -> Option<u64> {
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

pub(super) fn is_cn_numeral(c: char) -> bool {
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
pub(super) struct Num {
    pub(super) value: f64,
    pub(super) end: usize,
    /// 万/亿 given with an Arabic number (so a range's lower end can share it).
    pub(super) mult: Option<f64>,
}

pub(super) fn multiplier(c: Option<&char>) -> Option<f64> {
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

pub(super) fn number(n: &[char], i: usize) -> Option<Num> {
    if n[i].is_ascii_digit() {
        arabic(n, i)
    } else {
        chinese(n, i)
    }
}

pub(super) fn starts_with(n: &[char], i: usize, s: &str) -> bool {
    (i..).zip(s.chars()).all(|(j, c)| n.get(j) == Some(&c))
}

pub(super) fn unit_at(n: &[char], i: usize) -> Option<&'static str> {
    UNITS
        .iter()
        .filter(|u| starts_with(n, i, u))
        .max_by_key(|u| u.chars().count())
        .copied()
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}
