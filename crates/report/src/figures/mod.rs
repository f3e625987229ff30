//! Key figures: the numbers of a paragraph with their units, what they count, whether they
//! report a result or set a target, and the clause they stand in
//! (新增学位2480个, 资金424.9万元, 覆盖率100%, 招聘教师90人).
//!
//! **Numbers.** A figure is a number followed by a unit. Numbers are Arabic (`2480`, `1,200`,
//! `424.9`, full-width digits too) or Chinese numerals of two characters or more
//! (`两千四百八十`, `三十五`); `万` and `亿` multiply (`1.2亿元` is 120 000 000 元), also
//! after 余/多 (`300余万元`) and without a unit (`投入3000万` reads 30 000 000, unit 元 when
//! the phrase is about money, none otherwise). A range (`3—5所`, `3至5所`) keeps both ends.
//! 余/多/近/约/左右 mark the figure as approximate.
//!
//! **What it counts** is a noun phrase of whole words: the words just before the number
//! (across a space), starting after 现有/共有/其中/等 and without 含/包括, without linking
//! verbs (达到/为/共/低于/要…) and without function words, localizers (以下, 内) or bare
//! numerals at either end (其中, 并, 已, 两个… by jieba's part-of-speech tags; a word that only
//! starts with a numeral, 一本 or 全年, stays), at most [`MAX_WHAT`] characters. When a measure
//! word is followed by its noun (`118所民办幼儿园`, `100余节丰富的校本课程`, `23名“师德标兵”`,
//! `41个中小学(幼儿园)建设项目`), that noun is what is counted — up to 全部/全员, or up to a
//! 的 that follows it (`63所中小学的…` → `中小学`) — after the verbs just before the number if
//! there are any and no 的 between (`新建3所幼儿园` → `新建幼儿园`, but `达标创建的16个党组织`
//! → `党组织`); a noun longer than [`MAX_WHAT`] keeps only its first noun. An amount right
//! after a count counts the same thing (`教科书62289套373.43万元`). A phrase that would be a
//! single function word is left empty. Words and tags come from the caller
//! ([`Context::words`]); without them every character is a word and no noun after a measure
//! word is taken.
//!
//! **Result or target.** A figure is a [`Kind::Target`] — a target, threshold or limit —
//! when its clause sets it as an aim or bound before the number (力争, 确保, 目标, 计划, 不低于,
//! 不少于, 不超过, 控制在…), when 以上/以下/以内 follow it, or when its paragraph sits under a
//! plan heading (…工作计划, 工作思路, 下步打算); otherwise it is a [`Kind::Result`].
//!
//! **Theme.** Each figure keeps the span of its clause (between ，；。！？), so the caller can
//! score the clause with the model and give the figure the paragraph theme its own clause
//! scores highest on ([`attribute`]).
//!
//! Not figures: numbers without a unit — years (`2023年`), dates, section numbers (`一、`,
//! `（二）`, `1.`), phone numbers — ordinals (`第3名`) and single-character Chinese numerals,
//! which in reports are mostly set phrases (一次, 五项管理, 两个责任) rather than counts.

mod number;

use serde::Serialize;

pub use number::chinese_numeral;
use number::{cn_digit, is_cn_numeral, is_han, multiplier, norm, number, starts_with, unit_at};

/// Whether a figure reports what happened or sets an aim or bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Reported as achieved or existing.
    Result,
    /// A target, threshold or limit (力争…, 不低于…, …以上, under a plan heading).
    Target,
}

impl Kind {
    /// `result` or `target`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Result => "result",
            Kind::Target => "target",
        }
    }
}

/// One key figure found in a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// What is counted: a phrase of whole words (`新增学位`); may be empty.
    pub what: String,
    /// The value with `万`/`亿` applied (`424.9万元` → 4 249 000).
    pub value: f64,
    /// The upper end of a range (`3—5所` → 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    /// The unit after any multiplier (`元`, `人`, `%`, `个百分点`); empty for a bare count
    /// such as `服务群众3万`.
    pub unit: String,
    /// The figure as written (`424.9万元`).
    pub text: String,
    /// Written with 余/多/近/约/左右.
    pub approx: bool,
    /// Result or target.
    pub kind: Kind,
    /// Character offset of the number in the paragraph.
    pub start: usize,
    /// Character offset just after the unit.
    pub end: usize,
    /// Character span of the clause the figure stands in (between ，；。！？ or the ends).
    pub clause: (usize, usize),
    /// The theme the figure is attributed to (index into the report's themes), once
    /// [`attribute`] has been applied; `None` before, or in a paragraph without a theme.
    pub theme: Option<usize>,
}

impl Figure {
    /// The clause of `paragraph` (the text the figure was read from) the figure stands in.
    pub fn clause_text(&self, paragraph: &str) -> String {
        paragraph
            .chars()
            .skip(self.clause.0)
            .take(self.clause.1 - self.clause.0)
            .collect()
    }
}

/// What [`extract_with`] knows besides the text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The text's words as (character offset where the word ends, part-of-speech tag), e.g.
    /// from `Tokenizer::word_tags`; `None` makes every character a word without a tag.
    pub words: Option<&'a [(usize, String)]>,
    /// The paragraph's heading path (`第二部分 2024年工作计划 › 一、…`): a plan heading makes
    /// its figures targets.
    pub heading: &'a str,
}

/// Linking words stripped from the end of the counted phrase (longest first).
const LINKS: &[&str] = &[
    "要达到",
    "将达到",
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
    "控制在",
    "保持在",
    "保持",
    "达到",
    "超过",
    "低于",
    "高于",
    "少于",
    "多于",
    "不足",
    "突破",
    "累计",
    "共计",
    "合计",
    "总计",
    "分别",
    "增至",
    "降至",
    "降到",
    "均为",
    "共有",
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
    "在",
    "是",
    "占",
    "仅",
    "要",
    "需",
    "应",
    "将",
];

/// Words after which the counted phrase starts (`红谷滩区现有[区属义务教育学校]35所`,
/// `在《…》等[期刊发表论文]10余篇`).
const STARTS_AFTER: &[&str] = &["现有", "共有", "其中", "累计", "共计", "等"];

/// Words that end a noun after a measure word (`3000多名教师[全员]竞聘`).
const NOT_NOUNS: &[&str] = &["全部", "全员", "全体", "总数", "以上", "以下", "左右"];

/// What stands between two figures of one quantity (`由58%上升到79.6%`).
const CHANGES: &[&str] = &[
    "上升到",
    "上升至",
    "提高到",
    "提高至",
    "提升到",
    "提升至",
    "增加到",
    "增加至",
    "增长到",
    "增长至",
    "下降到",
    "下降至",
    "降低到",
    "降低至",
    "减少到",
    "减少至",
    "压减到",
    "压减至",
    "增至",
    "降至",
    "减至",
    "到",
    "至",
    "变为",
];

/// Words dropped from the start of the counted phrase.
const LEADING: &[&str] = &[
    "力争",
    "确保",
    "争取",
    "力求",
    "预计",
    "计划",
    "其中",
    "包括",
    "含",
    "同时",
    "并且",
    "以及",
    "共有",
    "累计",
    "全年共",
    "目前",
    "现有",
    "已经",
    "已",
    "并",
    "和",
    "与",
    "及",
    "对",
    "为",
    "在",
    "把",
    "将",
    "使",
    "让",
    "而",
    "又",
    "也",
    "还",
    "都",
    "均",
    "共",
    "的",
    "是",
    "等",
    "后",
];

/// Single characters that are never a counted phrase on their own.
const FUNCTION: &str =
    "的了和与及对为在把将使让而又也还都均共是有等后至到从由向以于达约近超逾占仅各每其该此";

/// Longest counted phrase kept, in characters (whole words from the number backwards).
pub const MAX_WHAT: usize = 12;

/// Longest noun taken whole after a measure word (`3所幼儿园`), in characters.
const MAX_NOUN: usize = MAX_WHAT;

/// Units that are measure words: the noun they count may follow (`3所幼儿园`).
const MEASURE_WORDS: &[&str] = &[
    "个", "所", "台", "套", "间", "名", "项", "场", "期", "篇", "座", "块", "家", "支", "门", "节",
    "册", "件", "户", "批", "处", "辆", "栋", "幢", "张", "本", "部",
];

/// Before the number in its clause: the figure is an aim or a bound.
const TARGET_BEFORE: &[&str] = &[
    "力争",
    "确保",
    "争取",
    "力求",
    "目标",
    "计划",
    "预计",
    "拟",
    "不低于",
    "不少于",
    "不超过",
    "不高于",
    "不得",
    "控制在",
    "低于",
    "高于",
    "要达到",
    "将达到",
    "达到…标准",
    "以内",
];

/// Right after the figure: a threshold (`30%以上`, `66人以上`).
const TARGET_AFTER: &[&str] = &["以上", "以下", "以内", "及以上", "及以下"];

/// Heading words of a plan section, and of a summary section (the deepest heading naming
/// either decides).
const PLAN_HEADING: &[&str] = &[
    "工作计划",
    "年计划",
    "年度计划",
    "工作打算",
    "下步打算",
    "工作思路",
    "工作安排",
    "工作要点",
    "下一步",
    "下步",
    "展望",
    "工作目标",
    "主要目标",
    "总体目标",
    "设想",
];
const SUMMARY_HEADING: &[&str] = &["总结", "回顾", "成效", "成绩", "完成情况", "进展"];

/// Words that make a bare 万/亿 amount money (`投入3000万` → 元).
const MONEY: &[&str] = &[
    "资金", "经费", "投入", "投资", "金额", "补助", "资助", "拨付", "筹措", "预算", "奖励", "奖补",
    "款", "元", "支出", "发放", "减免", "贷款", "收入", "债",
];

/// Words a unit character starts (`十二部门`, `3家长`): then it is no unit.
const NOT_UNITS: &[&str] = &[
    "部门",
    "本科",
    "班子",
    "班级",
    "班主任",
    "名师",
    "名校",
    "家长",
    "家庭",
    "期间",
    "期末",
    "处室",
    "处理",
    "场所",
    "场地",
    "台账",
    "门户",
    "人员",
    "人民",
    "节日",
    "间隔",
    "户籍",
];

/// Whether unit `u` ending at `end` is the start of a longer word.
fn starts_word(n: &[char], end: usize, u: &str) -> bool {
    let Some(next) = n.get(end) else {
        return false;
    };
    NOT_UNITS.iter().any(|w| {
        let mut c = w.chars();
        w.starts_with(u)
            && c.nth(u.chars().count()) == Some(*next)
            && w.chars().count() == u.chars().count() + 1
    })
}

/// Clause separators.
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | '；' | '。' | '！' | '？' | ',' | ';' | '!' | '?' | '\n' | '：' | ':'
    )
}

/// The character span of the clause around `[start, end)`.
fn clause_span(n: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut s = start;
    while s > 0 && !is_clause_break(n[s - 1]) {
        s -= 1;
    }
    let mut e = end;
    while e < n.len() && !is_clause_break(n[e]) {
        e += 1;
    }
    (s, e)
}

/// The words of the text: (start, end, part-of-speech tag) in characters; one word per
/// character with an empty tag when the caller gave none.
struct Words {
    spans: Vec<(usize, usize, String)>,
    /// Index of the word each character belongs to.
    at: Vec<usize>,
}

impl Words {
    fn new(len: usize, words: Option<&[(usize, String)]>) -> Words {
        let mut spans = Vec::new();
        match words {
            Some(ws) => {
                let mut s = 0;
                for (e, tag) in ws {
                    let e = (*e).min(len);
                    if e > s {
                        spans.push((s, e, tag.clone()));
                        s = e;
                    }
                }
                if s < len {
                    spans.push((s, len, String::new()));
                }
            }
            None => spans.extend((0..len).map(|i| (i, i + 1, String::new()))),
        }
        let mut at = vec![0; len];
        for (w, &(s, e, _)) in spans.iter().enumerate() {
            at[s..e].fill(w);
        }
        Words { spans, at }
    }

    fn is_boundary(&self, i: usize) -> bool {
        i == 0 || i >= self.at.len() || self.spans[self.at[i]].0 == i
    }
}

/// The opening bracket or quote of a closing one.
fn closing(c: char) -> Option<char> {
    Some(match c {
        ')' => '(',
        '）' => '（',
        '”' => '“',
        '》' => '《',
        '」' => '「',
        _ => return None,
    })
}

/// Part-of-speech tags (jieba's) that never start or end a counted phrase: prepositions,
/// conjunctions, particles, adverbs, numerals, measure words, pronouns, time words.
fn is_edge_tag(tag: &str) -> bool {
    matches!(
        tag.chars().next(),
        Some('p' | 'c' | 'u' | 'd' | 'm' | 'q' | 'r' | 't' | 'x')
    ) || matches!(tag, "e" | "y" | "o")
}

/// Tags of the words a counted noun after a measure word may have and end in
/// (`3所[民办][幼儿园]`).
fn is_noun_tag(tag: &str) -> bool {
    tag.starts_with('n') || matches!(tag, "vn" | "an" | "j")
}

fn is_modifier_tag(tag: &str) -> bool {
    is_noun_tag(tag) || matches!(tag, "a" | "b" | "ag" | "l" | "j" | "s" | "f")
}

fn text_of(n: &[char], s: usize, e: usize) -> String {
    n[s..e].iter().collect()
}

/// The opening bracket or quote at `i` and the position of its closing one, at most 12
/// characters on and before the clause ends.
fn bracketed(n: &[char], i: usize) -> Option<usize> {
    let open = *n.get(i)?;
    (i + 1..n.len().min(i + 14))
        .take_while(|&k| !is_clause_break(n[k]))
        .find(|&k| closing(n[k]) == Some(open))
}

/// Whether a word is a bare numeral (`一`, `三`, `12`), not a word that starts with one
/// (`一本`, `全年`).
fn is_numeral_word(word: &str) -> bool {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() > 1 && matches!(c.last(), Some('年' | '月' | '日' | '天' | '岁')) {
        // 三年, 两月: a span of time.
        c.pop();
    }
    c.len() < 2 || c.iter().all(|&c| is_cn_numeral(c) || c.is_ascii_digit())
}

/// Localizers that do not start a counted phrase (`14岁[以下]儿童…`).
const LOCALIZERS: &[&str] = &[
    "以下", "以上", "以内", "之内", "之间", "内", "上", "下", "前", "后", "中", "间", "外",
];

/// The counted phrase before position `i`: the Chinese characters (and Latin letters) back
/// to the first other character (or `floor`), as whole words, starting after 现有/其中/等…,
/// without trailing linking words and leading or trailing function words, at most
/// [`MAX_WHAT`] characters.
fn what_before(n: &[char], w: &Words, i: usize, floor: usize) -> (usize, usize) {
    // Spaces between the phrase and the number (受益面已达 100%).
    let mut i = i;
    while i > floor && matches!(n[i - 1], ' ' | '\u{3000}' | '\u{a0}') {
        i -= 1;
    }
    let mut s = i;
    while s > floor {
        if is_han(n[s - 1])
            || n[s - 1].is_ascii_alphabetic()
            || (n[s - 1] == '、' && s < i && s >= floor + 2 && is_han(n[s - 2]))
        {
            s -= 1;
        } else if n[s - 1].is_ascii_digit() && {
            // 前3000名达到329人: a rank belongs to the phrase.
            let mut k = s - 1;
            while k > floor && n[k - 1].is_ascii_digit() {
                k -= 1;
            }
            k > floor && matches!(n[k - 1], '前' | '第') && {
                s = k;
                true
            }
        } {
        } else if let Some(open) = closing(n[s - 1]).and_then(|o| {
            // 中小学(幼儿园)23所: a bracketed or quoted part belongs to the phrase.
            (floor..s - 1).rev().take(12).find(|&k| n[k] == o)
        }) {
            s = open;
        } else {
            break;
        }
    }
    // Whole words only.
    while s < i && !w.is_boundary(s) {
        s += 1;
    }
    let mut e = i;
    while e > s && !w.is_boundary(e) {
        e -= 1;
    }
    // The phrase starts after 现有, 其中, 等… (a word with something after it).
    let mut k = s;
    while k < e {
        let we = w.spans[w.at[k]].1.min(e);
        if we < e && STARTS_AFTER.contains(&text_of(n, k, we).as_str()) {
            s = we;
        }
        k = we;
    }
    loop {
        let before = (s, e);
        // Linking words (达到, 共计…) ending at a word boundary.
        let share = text_of(n, s, e).ends_with("占比");
        if let Some(k) = LINKS
            .iter()
            .filter(|l| {
                let k = l.chars().count();
                !share && k <= e - s && starts_with(n, e - k, l) && w.is_boundary(e - k)
            })
            .map(|l| l.chars().count())
            .max()
        {
            e -= k;
        }
        // 达/为 glued to a rate by the tagger (占比达99.6%).
        let t = text_of(n, s, e);
        if ["率达", "比达", "率为", "比为"]
            .iter()
            .any(|x| t.ends_with(x))
        {
            e -= 1;
        }
        // A trailing function word (已, 全部, 两个…), not a closing bracket or 占比.
        if e > s && closing(n[e - 1]).is_none() && !text_of(n, s, e).ends_with("占比") {
            let (ws, _, tag) = &w.spans[w.at[e - 1]];
            if *ws >= s && is_edge_tag(tag) {
                e = *ws;
            }
        }
        if (s, e) == before {
            break;
        }
    }
    // At most MAX_WHAT characters; a cut enumeration keeps only its last items.
    if e - s > MAX_WHAT {
        if let Some(k) = (e - MAX_WHAT..e).find(|&k| n[k] == '、') {
            s = k + 1;
        }
    }
    // Then no leading function word, localizer (以下, 内) or bare numeral; an opening
    // bracket closed inside the phrase stays.
    while e - s > MAX_WHAT
        || (e > s && {
            let (_, we, tag) = &w.spans[w.at[s]];
            let word = text_of(n, s, (*we).min(e));
            let kept = bracketed(n, s).is_some_and(|c| c < e)
                || (tag.starts_with('m') && !is_numeral_word(&word));
            LEADING.contains(&word.as_str())
                || (!kept && (is_edge_tag(tag) || LOCALIZERS.contains(&word.as_str())))
        })
    {
        s = w.spans[w.at[s]].1.min(e);
    }
    (s, e)
}

/// The noun after a measure word at `j` (`所[民办][幼儿园]`, `节[丰富]的[校本课程]`,
/// `名[“师德标兵”]`): nouns and their modifiers, after the last 的, ending in a noun, with
/// brackets and quotes; at most [`MAX_NOUN`] characters, or else only its first noun
/// (`14个[行政村]体育民生工程进展情况`). Empty without part-of-speech tags.
fn noun_after(n: &[char], w: &Words, j: usize) -> (usize, usize) {
    if j >= n.len() || !w.is_boundary(j) {
        return (j, j);
    }
    let (mut s, mut end) = (j, j);
    let mut first = None;
    let mut k = w.at[j];
    while let Some((ws, we, tag)) = w.spans.get(k) {
        let (ws, mut we) = (*ws, *we);
        let word = text_of(n, ws, we);
        if we - s > 2 * MAX_NOUN {
            break;
        }
        if word == "的" && ws > s {
            if end > s {
                // 63所中小学的入学…: the noun before 的 is what is counted.
                break;
            }
            s = we;
            end = we;
            first = None;
        } else if end > s && (word.ends_with('率') || word.ends_with("占比")) {
            // 836个基层党组织达标率100%: the rate belongs to the next figure.
            break;
        } else if NOT_NOUNS.contains(&word.as_str()) {
            break;
        } else if let Some(c) =
            bracketed(n, ws).filter(|_| end > s || n[ws] != '(' && n[ws] != '（')
        {
            // 中小学(幼儿园)建设项目, “师德标兵”.
            we = c + 1;
            end = we;
            first.get_or_insert(we);
            k = w.at[c];
        } else if is_modifier_tag(tag) {
            if is_noun_tag(tag) {
                end = we;
                first.get_or_insert(we);
            }
        } else {
            break;
        }
        k += 1;
    }
    if end - s > MAX_NOUN {
        end = first.unwrap_or(s);
    }
    (s, end.max(s))
}

/// Verbs of change: a figure after one counts the change of the figure before.
const CHANGE_VERBS: &[&str] = &[
    "增加", "减少", "提升", "提高", "下降", "降低", "增长", "上升", "增幅", "扩大", "压减",
];

/// Whole words after the unit up to the clause end `stop`: at most [`MAX_NOUN`] characters,
/// after 以上/的/余…, without function words at either end.
fn words_after(n: &[char], w: &Words, j: usize, stop: usize) -> (usize, usize) {
    let mut s = j;
    for skip in ["以上的", "以下的", "以上", "以下", "左右", "的"] {
        if starts_with(n, s, skip) {
            s += skip.chars().count();
            if skip.ends_with('的') {
                // 50%以上的幼儿园要纳入…: what the figure qualifies is the noun.
                let (ns, ne) = noun_after(n, w, s);
                return (ns, ne.min(stop).max(ns));
            }
            break;
        }
    }
    if s >= stop || !w.is_boundary(s) {
        return (s, s);
    }
    let mut e = s;
    let mut k = w.at[s];
    while let Some((_, we, _)) = w.spans.get(k) {
        if *we > stop || we - s > MAX_NOUN || !(s..*we).all(|c| is_han(n[c])) {
            break;
        }
        e = *we;
        k += 1;
    }
    while e > s && is_edge_tag(&w.spans[w.at[e - 1]].2) {
        e = w.spans[w.at[e - 1]].0;
    }
    while s < e && is_edge_tag(&w.spans[w.at[s]].2) {
        s = w.spans[w.at[s]].1;
    }
    (s, e.max(s))
}

/// Where the verbs ending the phrase `s..e` start (`补缴` in `落实补缴`), at most four
/// characters of them; `e` when it does not end in a verb.
fn verbs_before(w: &Words, s: usize, e: usize) -> usize {
    let mut v = e;
    while v > s {
        let (ws, _, tag) = &w.spans[w.at[v - 1]];
        if *ws < s || !tag.starts_with('v') || tag == "vn" || e - ws > 4 {
            break;
        }
        v = *ws;
    }
    v
}

fn is_function_word(s: &str) -> bool {
    let mut c = s.chars();
    matches!((c.next(), c.next()), (Some(x), None) if FUNCTION.contains(x))
}

/// Whether a figure in the clause `clause_before` (the clause text before the number) and
/// followed by `after` is a target, or its heading is a plan's.
fn is_target(clause_before: &str, n: &[char], end: usize, heading: &str) -> bool {
    if TARGET_AFTER.iter().any(|w| starts_with(n, end, w)) {
        return true;
    }
    // 按计划完成 reports a result.
    let clause_before = clause_before.replace("按计划", "");
    let before = TARGET_BEFORE.iter().any(|w| match w.split_once('…') {
        Some((a, b)) => clause_before
            .find(a)
            .is_some_and(|i| clause_before[i..].contains(b)),
        None => clause_before.contains(w),
    });
    before || is_plan_heading(heading)
}

/// The deepest heading component that names a summary or a plan decides.
fn is_plan_heading(heading: &str) -> bool {
    for part in heading.rsplit('›') {
        let plan = PLAN_HEADING.iter().any(|w| part.contains(w));
        let summary = SUMMARY_HEADING.iter().any(|w| part.contains(w));
        if plan || summary {
            // A title naming both (2022年工作总结和2023年工作计划) decides nothing.
            return plan && !summary;
        }
    }
    false
}

/// All key figures of a paragraph, in text order, every character a word boundary and no
/// heading (see [`extract_with`]).
///
/// ```
/// use policytag_report::figures::extract;
///
/// let f = extract("新增学位两千四百八十个，投入资金424.9万元，招聘教师90人。");
/// let got: Vec<_> = f.iter().map(|f| (f.what.as_str(), f.value, f.unit.as_str())).collect();
/// assert_eq!(got, [("新增学位", 2480.0, "个"), ("投入资金", 4_249_000.0, "元"), ("招聘教师", 90.0, "人")]);
/// ```
pub fn extract(text: &str) -> Vec<Figure> {
    extract_with(text, &Context::default())
}

/// All key figures of a paragraph, in text order, with word boundaries and the heading from
/// `cx`.
///
/// ```
/// use policytag_report::figures::{extract_with, Context, Kind};
///
/// let text = "力争新建3所幼儿园，资助学生300余万元";
/// // 力争|新建|3|所|幼儿园|，|资助|学生|300|余|万元 with jieba's tags
/// let words: Vec<(usize, String)> = [(2, "v"), (4, "v"), (5, "m"), (6, "q"), (9, "n"), (10, "x"),
///     (12, "v"), (14, "n"), (17, "m"), (18, "m"), (20, "m")]
///     .iter().map(|&(e, t)| (e, t.to_string())).collect();
/// let f = extract_with(text, &Context { words: Some(&words), heading: "" });
/// assert_eq!((f[0].what.as_str(), f[0].kind), ("新建幼儿园", Kind::Target));
/// assert_eq!((f[1].what.as_str(), f[1].value, f[1].approx), ("资助学生", 3_000_000.0, true));
/// ```
pub fn extract_with(text: &str, cx: &Context<'_>) -> Vec<Figure> {
    let original: Vec<char> = text.chars().collect();
    let n: Vec<char> = original.iter().map(|&c| norm(c)).collect();
    let words = Words::new(n.len(), cx.words);
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
                // A comma or point glues only between digits (1,200; 4.5); a comma after
                // other text is punctuation (real reports use half-width commas).
                p.is_ascii_alphanumeric()
                    || (matches!(p, '.' | ',') && i >= 2 && n[i - 2].is_ascii_digit())
            } else {
                is_cn_numeral(p)
            }
        });
        let Some(a) = number(&n, i) else {
            i = skip_run(&n, i);
            continue;
        };
        // Ordinals and ranks: 第3名, 前3000名.
        let rank = prev == Some('前') && !(i >= 2 && matches!(n[i - 2], '目' | '此' | '之' | '年'));
        if glued || prev == Some('第') || rank {
            i = a.end.max(i + 1);
            continue;
        }
        let mut value = a.value;
        let mut mult = a.mult;
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
                        mult = Some(m);
                    }
                }
                to = Some(b.value);
                j = b.end;
            }
        }
        // 1000余人, 3000多名, 300余万元
        let mut approx = matches!(prev, Some('近' | '约' | '逾'));
        if matches!(n.get(j), Some('余' | '多')) {
            approx = true;
            j += 1;
            if mult.is_none() {
                if let Some(m) = multiplier(n.get(j)) {
                    value *= m;
                    to = to.map(|t| t * m);
                    mult = Some(m);
                    j += 1;
                }
            }
        }
        let unit = match unit_at(&n, j).filter(|u| !starts_word(&n, j + u.chars().count(), u)) {
            Some(u) => u.to_string(),
            // 投入3000万, 服务群众1.2万: a bare 万/亿 amount.
            None if mult.is_some() && c.is_ascii_digit() => String::new(),
            None => {
                i = a.end.max(i + 1);
                continue;
            }
        };
        let end = j + unit.chars().count();
        let floor = out.last().map_or(0, |f| f.end);
        let (ws, we) = what_before(&n, &words, i, floor);
        let mut what: String = original[ws..we].iter().collect();
        let between: String = n[floor..i].iter().collect();
        if let Some(prev) = out.last().filter(|p| {
            p.end == floor
                && (CHANGES.contains(&between.as_str())
                    || (between.is_empty() && unit.ends_with('元')))
        }) {
            // 入园率由58%上升到79.6%: the second number counts what the first does; so does
            // an amount right after it (教科书62289套373.43万元).
            what = prev.what.clone();
        }
        if MEASURE_WORDS.contains(&unit.as_str()) {
            let (ns, ne) = noun_after(&n, &words, end);
            if ne > ns {
                let noun: String = original[ns..ne].iter().collect();
                // 新建3所幼儿园 → 新建幼儿园: the verbs just before the number and the noun.
                // Not after 的: 达标创建的16个党组织 counts 党组织.
                let relative = n[we..i].contains(&'的');
                let vs = if relative {
                    we
                } else {
                    verbs_before(&words, ws, we)
                };
                what = original[vs..we].iter().collect::<String>() + &noun;
            }
        }
        if is_function_word(&what) {
            what.clear();
        }
        if let Some(prev) = out.last() {
            // 中考人数3739名，比去年增加309人: the change counts what the figure before does.
            if let Some(v) = CHANGE_VERBS.iter().find(|v| what.ends_with(**v)) {
                let head = &what[..what.len() - v.len()];
                if ["", "比去年", "较去年", "同比", "比上年", "较上年", "较"].contains(&head)
                    && !prev.what.is_empty()
                {
                    what = format!("{}{v}", prev.what);
                }
            }
        }
        if what.is_empty() {
            // 5人获一等奖: nothing before the number, so the words after the unit say it.
            let (as_, ae) = words_after(&n, &words, end, clause_span(&n, i, end).1);
            what = original[as_..ae].iter().collect();
        }
        let clause = clause_span(&n, i, end);
        let mut unit = unit;
        if unit.is_empty() {
            let before: String = n[clause.0..i].iter().collect();
            if MONEY.iter().any(|w| before.contains(w)) {
                unit = "元".into();
            }
        }
        let mut stop = end;
        if starts_with(&n, stop, "左右") {
            approx = true;
            stop += 2;
        }
        let clause_before: String = n[clause.0..i].iter().collect();
        let kind = if is_target(&clause_before, &n, stop, cx.heading) {
            Kind::Target
        } else {
            Kind::Result
        };
        out.push(Figure {
            what,
            value,
            to,
            unit,
            text: original[i..end].iter().collect(),
            approx,
            kind,
            start: i,
            end,
            clause,
            theme: None,
        });
        i = end;
    }
    out
}

/// The theme a figure belongs to: of the paragraph's themes `labels`, the one its clause
/// scores highest on (`clause_scores`, the model's scores of the clause text, one per
/// theme); ties go to the earlier theme. `None` when the paragraph has no theme.
///
/// ```
/// use policytag_report::figures::attribute;
/// // The paragraph has themes 1 and 3; the clause is about theme 3.
/// assert_eq!(attribute(&[0.9, 0.2, 0.1, 0.6], &[1, 3]), Some(3));
/// assert_eq!(attribute(&[0.9, 0.2], &[]), None);
/// ```
pub fn attribute(clause_scores: &[f64], labels: &[usize]) -> Option<usize> {
    labels.iter().copied().reduce(|best, l| {
        let s = |t: usize| clause_scores.get(t).copied().unwrap_or(0.0);
        if s(l) > s(best) || (s(l) == s(best) && l < best) {
            l
        } else {
            best
        }
    })
}

/// Words of the regional background statistics that reports cite in their overview — the
/// economy, the population, the land — which count no education work, so a figure whose
/// "what" holds one is given no theme.
/// (Words that also count education work — 行政村 with a gym in each, 劳动力 trained, 少数民族
/// pupils aided — are left out.)
const BACKGROUND: &[&str] = &[
    "生产总值",
    "GDP",
    "财政收入",
    "财政总收入",
    "一般公共预算收入",
    "人均纯收入",
    "人均可支配收入",
    "户籍人口",
    "常住人口",
    "总人口",
    "国土面积",
    "总面积",
    "平方公里",
];

/// True when a figure's "what" is a regional background statistic (the economy, the population,
/// the land: 生产总值, 财政收入, 人均纯收入, 户籍人口, …):
/// such a figure gets no theme, whatever its paragraph is about.
///
/// ```
/// use policytag_report::figures::is_background;
/// assert!(is_background("农民人均纯收入"));
/// assert!(!is_background("新增学位"));
/// ```
pub fn is_background(what: &str) -> bool {
    BACKGROUND.iter().any(|w| what.contains(w))
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
        ("共开展培训一百零五场", &[("开展培训", 105.0, "场")]),
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
            &[("校外培训机构", 53.0, "家"), ("校外培训机构", 3.0, "家")],
        ),
        ("课后服务每天不少于2小时", &[("课后服务每天", 2.0, "小时")]),
        (
            "毛入园率由58%上升到79.6%",
            &[("毛入园率", 58.0, "%"), ("毛入园率", 79.6, "%")],
        ),
        ("资助学生300余万元", &[("资助学生", 3_000_000.0, "元")]),
        ("县财政投入3000万", &[("县财政投入", 30_000_000.0, "元")]),
        ("服务群众1.2万", &[("服务群众", 12_000.0, "")]),
        (
            "公办中小学、幼儿园共95所",
            &[("公办中小学、幼儿园", 95.0, "所")],
        ),
        ("參與學生達2664人", &[("參與學生", 2664.0, "人")]),
        // Not figures.
        ("联合县直十二部门开展检查", &[]),
        ("全市前3000名", &[]),
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
        let mut bad = Vec::new();
        for (sentence, want) in CASES {
            let got: Vec<(String, f64, String)> = extract(sentence)
                .into_iter()
                .map(|f| (f.what, f.value, f.unit))
                .collect();
            let want: Vec<(String, f64, String)> = want
                .iter()
                .map(|&(w, v, u)| (w.to_string(), v, u.to_string()))
                .collect();
            if got != want {
                bad.push(format!("{sentence}: got {got:?}, want {want:?}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn targets_thresholds_and_limits() {
        let kinds = |s: &str, heading: &str| -> Vec<Kind> {
            extract_with(
                s,
                &Context {
                    words: None,
                    heading,
                },
            )
            .iter()
            .map(|f| f.kind)
            .collect()
        };
        use Kind::{Result as R, Target as T};
        assert_eq!(kinds("全县无66人以上大班额", ""), [T]);
        assert_eq!(kinds("力争新增学位2000个", ""), [T]);
        assert_eq!(kinds("优良率不低于90%", ""), [T]);
        assert_eq!(kinds("已按计划完成建设项目10个", ""), [R]);
        assert_eq!(kinds("新增学位2000个，覆盖率95%", ""), [R, R]);
        assert_eq!(
            kinds("新增学位2000个", "第二部分 2024年工作计划 › 一、"),
            [T]
        );
        assert_eq!(
            kinds("新增学位2000个", "2023年工作总结和2024年工作计划"),
            [R]
        );
        assert_eq!(
            kinds(
                "新增学位2000个",
                "二、2024年工作计划 › （一）全年工作成效回顾"
            ),
            [R]
        );
    }

    #[test]
    fn approximations_and_clauses() {
        let s = "近3000名教师参训，受助学生1000余人，投入约50万元左右。";
        let f = extract(s);
        assert!(f.iter().all(|f| f.approx), "{f:?}");
        assert_eq!(f[1].clause_text(s), "受助学生1000余人");
        assert_eq!(f[0].clause, (0, 10));
    }

    #[test]
    fn attribution_picks_the_clause_theme_among_the_paragraph_themes() {
        assert_eq!(attribute(&[0.1, 0.8, 0.9], &[0, 1]), Some(1));
        assert_eq!(
            attribute(&[0.5, 0.5], &[1, 0]),
            Some(0),
            "ties go to the earlier theme"
        );
        assert_eq!(attribute(&[0.1], &[0]), Some(0));
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

    /// The figures of `tagged` (`词/tag` separated by spaces, sentences written for this
    /// test) as (what, value, unit), with those words and tags.
    fn tagged(tagged: &str) -> Vec<(String, f64, String)> {
        let mut text = String::new();
        let mut words = Vec::new();
        for w in tagged.split(' ') {
            let (word, tag) = w.rsplit_once('/').unwrap();
            // `_` stands for a space in the text.
            text.push_str(&word.replace('_', " "));
            words.push((text.chars().count(), tag.to_string()));
        }
        let cx = Context {
            words: Some(&words),
            heading: "",
        };
        extract_with(&text, &cx)
            .into_iter()
            .map(|f| (f.what, f.value, f.unit))
            .collect()
    }

    #[test]
    fn the_counted_noun_phrase_with_words_and_tags() {
        let whats = |s: &str| -> Vec<String> { tagged(s).into_iter().map(|f| f.0).collect() };
        // After 现有/共有: what exists, not who has it.
        assert_eq!(
            whats("全县/n 现有/b 公办/n 幼儿园/n 35/m 所/q"),
            ["公办幼儿园"]
        );
        // A space before the number.
        assert_eq!(whats("覆盖面/n 已/d 达/v _/x 98/m %/x"), ["覆盖面"]);
        // A localizer and a bound (低于) are not part of it.
        assert_eq!(
            whats("6/m 岁/m 以下/f 儿童/n 近视率/n 低于/v 3/m %/x"),
            ["儿童近视率"]
        );
        // 的 after the counted noun: the noun before it.
        assert_eq!(
            whats("为/p 12/m 所/q 中学/n 的/uj 实验室/n 配备/v 器材/n"),
            ["中学"]
        );
        // A quoted name after the measure word, after its verb.
        assert_eq!(
            whats("表彰/v 20/m 名/q “/x 最美/a 教师/n ”/x"),
            ["表彰“最美教师”"]
        );
        // The noun stops before 全部/全员.
        assert_eq!(
            whats("全市/n 2000/m 名/q 教师/n 全员/n 参加/v 培训/vn"),
            ["教师"]
        );
        // An amount right after a count counts the same thing.
        assert_eq!(
            whats("购置/v 图书/n 5000/m 册/q 2.5/m 万元/m"),
            ["购置图书", "购置图书"]
        );
        // 含…: what is included.
        assert_eq!(whats("含/v 民办/n 学校/n 3/m 所/q"), ["民办学校"]);
        // A word that starts with a numeral is kept; a bare year is not.
        assert_eq!(whats("一本/m 上线/n 120/m 人/n"), ["一本上线"]);
        assert_eq!(whats("2024/m 年/m 新增/v 学位/n 300/m 个/q"), ["新增学位"]);
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
