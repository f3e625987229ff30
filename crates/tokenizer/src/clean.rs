//! Recognising web-page chrome: the navigation, breadcrumbs, publication lines, share and
//! print links and footers that surround a report copied from a government website.
//!
//! Every rule is matched on the line folded to half-width and converted to simplified
//! script, so `來源：` and `網站標識碼` are caught like `来源:` and `网站标识码`.

use crate::normalize::{normalized, to_simplified};

/// Markers that make a short line chrome wherever they stand in it.
const CHROME_ANYWHERE: &[&str] = &[
    "当前位置",
    "所在位置",
    "您的位置",
    "现在的位置",
    "发布时间",
    "发布日期",
    "发布者",
    "浏览次数",
    "阅读次数",
    "点击数",
    "点击率",
    "访问量",
    "浏览量",
    "【字体",
    "字体:",
    "字号:",
    "字体大小",
    "护眼模式",
    "视力保护色",
    "打印本页",
    "【打印",
    "关闭窗口",
    "【关闭",
    "返回顶部",
    "回到顶部",
    "分享到",
    "版权所有",
    "ICP备",
    "icp备",
    "网站标识码",
    "公网安备",
    "主办单位",
    "承办单位",
    "技术支持",
    "网站地图",
    "联系我们",
    "上一篇",
    "下一篇",
    "扫一扫",
    "无障碍浏览",
    "长者模式",
    "网站支持IPv6",
    "收藏本页",
    "加入收藏",
    "设为首页",
    "责任编辑",
    "【纠错】",
    "友情链接",
    "Copyright",
    "copyright",
    "请输入关键字",
    "请输入关键词",
    "当前栏目",
    "信息来源",
    "今天是:",
    "信息索引号",
    "索引号:",
    "文件编号",
    "发布机构",
    "内容概述",
    "效力状况",
    "公开日期",
    "生成日期",
    "申明敬告",
    "您可能关注的",
    "选择阅读字号",
    "阅读字号",
    "相关附件",
];

/// Prefixes that make a short line (at most 60 characters) chrome: publication, contact
/// and address lines.
const CHROME_PREFIX: &[&str] = &[
    "来源:",
    "来源 :",
    "时间:",
    "作者:",
    "日期:",
    "地址:",
    "电话:",
    "联系电话",
    "联系地址",
    "传真:",
    "邮编:",
    "邮箱:",
    "电子邮箱",
    "E-mail",
    "Email",
];

/// Whether `line` holds one of [`CHROME_ANYWHERE`]. Every marker has at least two
/// characters: a 512-byte table of their first two characters' pairs lets a line's
/// characters be scanned with one bit test each, and only where a pair matches are the
/// markers compared (a small table stays in cache between lines, where an automaton's
/// transition table would not).
fn has_chrome_marker(line: &str) -> bool {
    static PAIRS: std::sync::OnceLock<[u64; 64]> = std::sync::OnceLock::new();
    let pairs = PAIRS.get_or_init(|| {
        let mut bits = [0u64; 64];
        for m in CHROME_ANYWHERE {
            let mut c = m.chars();
            if let (Some(a), Some(b)) = (c.next(), c.next()) {
                let x = pair_bit(a, b);
                bits[x / 64] |= 1 << (x % 64);
            }
        }
        bits
    });
    let mut prev: Option<(usize, char)> = None;
    for (i, c) in line.char_indices() {
        if let Some((j, p)) = prev {
            let x = pair_bit(p, c);
            if pairs[x / 64] & (1 << (x % 64)) != 0
                && CHROME_ANYWHERE.iter().any(|m| line[j..].starts_with(m))
            {
                return true;
            }
        }
        prev = Some((i, c));
    }
    false
}

/// The bit of a character pair in [`has_chrome_marker`]'s table.
#[inline]
fn pair_bit(a: char, b: char) -> usize {
    ((u64::from(a as u32) << 21 | u64::from(b as u32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52)
        as usize
}

/// Whole-line navigation words.
const NAV_WORDS: &[&str] = &[
    "首页",
    "网站首页",
    "返回",
    "打印",
    "关闭",
    "分享",
    "收藏",
    "搜索",
    "登录",
    "注册",
    "更多",
    "微信",
    "微博",
    "繁体",
    "繁體版",
    "简体版",
    "手机版",
    "English",
    "RSS",
    "全文检索",
    "高级检索",
    "相关信息",
    "相关文章",
    "相关链接",
    "文档介绍",
    "查看更多",
    "阅读全文",
    "智能问答",
    "官方微信",
    "咨询",
    "投诉",
    "今天是",
    "×",
    "x",
    "X",
];

/// Words of a website's column label ("年度工作总结和计划"): a short line made only of
/// these names a column, not a report.
const COLUMN_WORDS: &[&str] = &[
    "年度", "工作", "总结", "计划", "规划", "要点", "汇报", "报告", "和", "及", "与",
];

/// True when a short line is a website column label such as `年度工作计划总结`: nothing
/// but generic words, no subject. Only meaningful right after other chrome (a report's
/// own `工作计划` section heading looks the same).
pub fn is_column_label(line: &str) -> bool {
    let line = to_simplified(line.trim());
    let mut rest: &str = &line;
    if rest.is_empty() || rest.chars().count() > 12 {
        return false;
    }
    'outer: while !rest.is_empty() {
        for w in COLUMN_WORDS {
            if let Some(r) = rest.strip_prefix(w) {
                rest = r;
                continue 'outer;
            }
        }
        return false;
    }
    true
}

/// True when a line is a run of unrelated keywords separated by `|` or spaces, as search-
/// engine spam appends to a page: many short parts and no sentence punctuation.
pub fn is_keyword_spam(line: &str) -> bool {
    if line.contains(['。', ',', ';', '，', '；', '!', '?']) {
        return false;
    }
    let bars = line.matches(['|', '丨', '｜']).count();
    let parts: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '|' || c == '丨' || c == '｜')
        .filter(|p| !p.is_empty())
        .collect();
    let chars: usize = parts.iter().map(|p| p.chars().count()).sum();
    parts.len() >= 6 && bars + 1 >= parts.len() / 2 && chars <= parts.len() * 20
}

const BULLETS: &[char] = &[
    '•', '·', '▪', '►', '■', '□', '◆', '◇', '●', '○', '>', '»', '|', '-',
];

/// True when a (trimmed) line is web-page chrome rather than report text.
///
/// ```
/// use policytag_tokenizer::is_chrome;
/// assert!(is_chrome("您当前所在位置：首页 > 要闻动态"));
/// assert!(is_chrome("发布时间：2023-05-06 来源：区教育局 【字体：大 中 小】"));
/// assert!(!is_chrome("（七）全力构建平安校园"));
/// ```
pub fn is_chrome(line: &str) -> bool {
    let raw = line.trim();
    // Folding and t2s keep the character count and the sentence punctuation this reads.
    !long_sentence(raw) && chrome_rules(normalized(raw).trim())
}

/// [`is_chrome`] of a line already folded to half-width and converted to simplified script
/// (what the tagger's normaliser gives with both of its settings on), without doing that
/// again: `is_chrome(x) == is_chrome_normalized(&normalized(x))`.
pub fn is_chrome_normalized(line: &str) -> bool {
    let line = line.trim();
    !long_sentence(line) && chrome_rules(line)
}

/// Fast path for report paragraphs: every rule of [`chrome_rules`] is for lines of at most
/// 120 characters, except the menu-row rule, which needs a line without sentence punctuation
/// (full- or half-width, as folding maps one to the other).
pub(crate) fn long_sentence(line: &str) -> bool {
    line.len() > 120
        && line.contains(['。', '，', ',', '；', ';', '、'])
        && line.chars().count() > 120
}

/// The chrome rules, on a trimmed line folded to half-width and in simplified script.
fn chrome_rules(line: &str) -> bool {
    if line.is_empty() {
        return true;
    }
    if is_keyword_spam(line) {
        return true;
    }
    let nchars = line.chars().count();
    // Real report paragraphs that quote such words are long; chrome lines are short.
    if nchars <= 120 && has_chrome_marker(line) {
        return true;
    }
    if nchars <= 60 && CHROME_PREFIX.iter().any(|p| line.starts_with(p)) {
        return true;
    }
    if NAV_WORDS.contains(&line) {
        return true;
    }
    // Bullet-led short items: navigation menus.
    if let Some(first) = line.chars().next() {
        if BULLETS.contains(&first) && nchars <= 16 {
            return true;
        }
    }
    // A lone timestamp or date.
    if nchars <= 25
        && line
            .chars()
            .all(|c| c.is_ascii_digit() || "-/:. 年月日".contains(c))
        && line.chars().any(|c| c.is_ascii_digit())
    {
        return true;
    }
    // A row of short menu items separated by spaces or bars, with no sentence punctuation.
    if !line.contains(['。', ',', ',', ';', ';', '、']) {
        let mut parts = 0usize;
        let menu = line
            .split(|c: char| c.is_whitespace() || c == '|' || c == '丨')
            .filter(|p| !p.is_empty())
            .all(|p| {
                parts += 1;
                p.chars().count() <= 5 && !p.chars().any(|c| c.is_ascii_digit())
            });
        if menu && parts >= 3 {
            return true;
        }
    }
    // Navigation lines repeating a short word, as menus copy ("首页首页").
    if nchars <= 12 && nchars.is_multiple_of(2) {
        let chars: Vec<char> = line.chars().collect();
        let (a, b) = chars.split_at(nchars / 2);
        if a == b {
            return true;
        }
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every marker is at least two characters long (the pair table needs it) and is found
    /// wherever it stands in a line, next to characters that start other markers.
    #[test]
    fn every_chrome_marker_is_found_anywhere() {
        for m in CHROME_ANYWHERE {
            assert!(m.chars().count() >= 2, "{m}");
            for line in [
                m.to_string(),
                format!("某某{m}"),
                format!("{m}某某"),
                format!("当前发布{m}浏览"),
            ] {
                assert!(has_chrome_marker(&line), "{line}");
            }
        }
        for line in ["", "当", "发布", "学校开展安全教育", "当前发布浏览"] {
            assert!(!has_chrome_marker(line), "{line}");
        }
    }

    #[test]
    fn chrome_lines() {
        for l in [
            "网站支持IPv6",
            "  • 首页首页",
            "首页",
            "当前位置：首页 > 教育动态 > 工作动态",
            "时间:2019-04-02 09:13:45 来源:本站 【字号: 护眼模式:",
            "【打印本页】【关闭窗口】",
            "分享到：",
            "返回顶部",
            "主办单位：某市教育局  承办：某市教育信息中心",
            "桐ICP备05012345号-1",
            "版权所有 © 某市教育局",
            "首页 机构概况 政务公开 教育动态 办事服务",
            "2024-06-18 10:21",
            "上一篇：关于开展暑期安全教育的通知",
            "來源：某區教育局 | 發布日期：2023-01-05 10:00",
            "主辦單位：某區人民政府",
            "網站標識碼：1234567890",
            "地址：某市某路1號",
            "電話：0000-1234567",
            "×",
            "今天是：",
            "信息索引号 000000/2022-00001 生成日期 2022-01-01",
            "文件编号 —  — 发布机构 某区教育局",
            "内容概述 某区教育局工作总结",
            "相关附件：",
            "相关信息",
            "申明敬告：本站不保证文档完整",
            "文档介绍",
            "查看更多",
            "相关文章",
            "您可能关注的文档",
            "苹果手机壳| 便宜机票 特价| 二手车估价| 旅游攻略大全| 手游排行| 装修效果图| 减肥食谱|",
        ] {
            assert!(is_chrome(l), "{l}");
        }
    }

    /// Lines of the sample reports (simplified, traditional, a web page) and variants of
    /// them: as written, with ASCII made full-width, and cut short.
    pub(crate) fn varied_lines() -> Vec<String> {
        let widen = |s: &str| -> String {
            s.chars()
                .map(|c| match c {
                    ' ' => '\u{3000}',
                    '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                    _ => c,
                })
                .collect()
        };
        let samples = [
            include_str!("../../../corpus/samples/city-double-reduction-webpage.txt"),
            include_str!("../../../corpus/samples/county-annual-summary.txt"),
            include_str!("../../../corpus/samples/district-plan-traditional.txt"),
            "柳南區教育局2022年工作總結\n來源：柳南區教育局 發布日期：2023-02-16\n\
             網站標識碼：1234567890\n主辦單位：某區人民政府\n某縣教育體育局2023年工作總結和2024年工作打算\n\
             首頁 機構概況 政務公開 教育動態\n（一）全力構建平安校園\n一、2023年工作總結\n\
             招聘中小學教師若干名；\n二〇二二年工作要點",
        ];
        let mut out = Vec::new();
        for line in samples.iter().flat_map(|s| s.lines()) {
            for l in [line.to_string(), widen(line), format!("  {line}　")] {
                for n in [8, 20, 40, 61, 121, 161] {
                    out.push(l.chars().take(n).collect());
                }
                out.push(l);
            }
        }
        out
    }

    #[test]
    fn normalized_rules_equal_the_rules() {
        let lines = varied_lines();
        assert!(lines.len() > 1000);
        for l in &lines {
            assert_eq!(is_chrome(l), is_chrome_normalized(&normalized(l)), "{l}");
        }
        assert!(lines.iter().any(|l| is_chrome(l)) && lines.iter().any(|l| !is_chrome(l)));
    }

    #[test]
    fn column_labels() {
        assert!(is_column_label("年度工作計劃總結"));
        assert!(is_column_label("年度工作总结和计划"));
        assert!(!is_column_label("学前教育工作总结"));
        assert!(is_column_label("年度"));
    }

    #[test]
    fn report_lines_are_kept() {
        for l in [
            "（七）全力构建平安校园",
            "一、2023年工作总结",
            "二〇二二年工作要点",
            "2023年县教育体育局工作总结",
            "一是落实全面从严治党主体责任。",
            "全县共有幼儿园 76 所，普惠率 85.5%。",
            "二是完善来源地信用助学贷款，地址变更及时登记。",
            "相关信息化设备全部到位",
        ] {
            assert!(!is_chrome(l), "{l}");
        }
    }
}
