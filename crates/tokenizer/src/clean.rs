//! Recognising web-page chrome: the navigation, breadcrumbs, publication lines, share and
//! print links and footers that surround a report copied from a government website.

use crate::normalize::fold_width;

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
];

/// One automaton for all of [`CHROME_ANYWHERE`]: a single scan of the line instead of one
/// substring search per marker.
fn chrome_markers() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(CHROME_ANYWHERE).expect("chrome markers are valid patterns")
    })
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
];

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
    // Fast path for report paragraphs: every rule below is for lines of at most 120
    // characters, except the menu-row rule, which needs a line without sentence punctuation
    // (full- or half-width, as folding maps one to the other).
    let raw = line.trim();
    if raw.len() > 120
        && raw.contains(['。', '，', ',', '；', ';', '、'])
        && raw.chars().count() > 120
    {
        return false;
    }
    let folded: String = line.trim().chars().map(fold_width).collect();
    let line = folded.trim();
    if line.is_empty() {
        return true;
    }
    let nchars = line.chars().count();
    // Real report paragraphs that quote such words are long; chrome lines are short.
    if nchars <= 120 && chrome_markers().is_match(line) {
        return true;
    }
    if nchars <= 60
        && (line.starts_with("来源:") || line.starts_with("时间:") || line.starts_with("作者:"))
    {
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
    let parts: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '|' || c == '丨')
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 3
        && parts.iter().all(|p| p.chars().count() <= 5)
        && !line.contains(['。', ',', ',', ';', ';', '、'])
        && !parts.iter().any(|p| p.chars().any(|c| c.is_ascii_digit()))
    {
        return true;
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
mod tests {
    use super::*;

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
        ] {
            assert!(is_chrome(l), "{l}");
        }
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
        ] {
            assert!(!is_chrome(l), "{l}");
        }
    }
}
