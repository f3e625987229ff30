//! Saved web pages: the article body, not the page around it.
//!
//! The page is decoded (BOM, then `<meta charset>`, then the tokenizer's UTF-8/GB18030
//! detection), parsed with html5ever (through `scraper`), stripped of chrome (scripts,
//! styles, navigation, headers/footers, share bars, related-link lists), and the block that
//! holds most of the non-link text in paragraph-like children is taken as the article,
//! widened to the nearest enclosing block with the article's `<h1>`/`<h2>` title. Block
//! elements become line breaks; the result has one paragraph per line.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ego_tree::NodeRef;
use scraper::{Html, Node};

use crate::error::Result;

/// Elements whose content is never report text.
const DROP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "button", "select", "input", "textarea", "object", "embed", "canvas", "map",
    "head", "title", "link", "meta", "menu",
];

/// `class`/`id` fragments that mark page chrome (matched case-insensitively inside the value).
const CHROME_NAMES: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "header",
    "share",
    "breadcrumb",
    "crumb",
    "related",
    "sidebar",
    "bshare",
    "link-list",
    "linklist",
    "copyright",
    "toolbar",
    "pagination",
    "position",
    "location",
    "friendlink",
    "top-bar",
    "topbar",
];

/// Elements that start a new line.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "tbody",
    "thead",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "hr",
    "center",
    "address",
    "figure",
    "figcaption",
    "body",
];

/// Elements whose text is a paragraph of their container.
const PARA_TAGS: &[&str] = &["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "dd"];

/// Hard line break marker inside the rendering buffer (white space from the source is
/// kept raw until lines are formed, so that line breaks in the source between Chinese
/// characters can be dropped as browsers do).
const BREAK: char = '\u{2029}';

/// Decode a page's bytes, honouring a BOM and then `<meta charset>`.
///
/// As the HTML standard says, a declared UTF-16 is read as UTF-8 (a page whose declaration
/// could be read byte by byte is not UTF-16) and `x-user-defined` as windows-1252. A
/// declaration that the bytes contradict is not believed: bytes that are valid UTF-8 with
/// at least [`UTF8_EVIDENCE`] multi-byte characters are UTF-8 whatever the page says
/// (text in GBK or a single-byte encoding almost never is), and bytes the declared encoding
/// cannot decode go to the tokenizer's detection, which decodes them or says why not.
pub fn decode(bytes: &[u8]) -> Result<String> {
    let has_bom = bytes.starts_with(b"\xEF\xBB\xBF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF");
    if !has_bom {
        if let Some(enc) = meta_charset(bytes).map(standard_override) {
            if enc != encoding_rs::UTF_8 && !is_evidently_utf8(bytes) {
                // GBK, GB2312 and GB18030 labels all decode as GB18030 (their superset).
                let enc = if enc == encoding_rs::GBK {
                    encoding_rs::GB18030
                } else {
                    enc
                };
                let (text, _, had_errors) = enc.decode(bytes);
                if !had_errors {
                    return Ok(text.into_owned());
                }
            }
        }
    }
    let (text, _) = policytag_tokenizer::decode(bytes)?;
    Ok(text)
}

/// How many multi-byte UTF-8 characters make valid UTF-8 bytes UTF-8 against a page's
/// declaration.
pub const UTF8_EVIDENCE: usize = 4;

fn is_evidently_utf8(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| {
        s.chars()
            .filter(|c| !c.is_ascii() && *c != '\u{FEFF}')
            .nth(UTF8_EVIDENCE - 1)
            .is_some()
    })
}

/// The encoding a declaration really means (HTML standard, "prescan a byte stream").
fn standard_override(enc: &'static encoding_rs::Encoding) -> &'static encoding_rs::Encoding {
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else if enc == encoding_rs::X_USER_DEFINED {
        encoding_rs::WINDOWS_1252
    } else {
        enc
    }
}

/// The encoding a page declares in its first KiB (`<meta charset="gbk">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`). This is the
/// byte-level prescan of the HTML standard: it runs before the page can be parsed.
fn meta_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head: Vec<u8> = bytes[..bytes.len().min(2048)]
        .iter()
        .map(u8::to_ascii_lowercase)
        .collect();
    let mut from = 0;
    while let Some(i) = find(&head[from..], b"<meta") {
        let start = from + i;
        let end = head[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(head.len(), |e| start + e);
        let tag = &head[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest
                .iter()
                .position(|&b| b == b'=')
                .map(|e| &rest[e + 1..])?;
            let label: Vec<u8> = rest
                .iter()
                .copied()
                .skip_while(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
                .take_while(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(b))
                .collect();
            if let Some(enc) = encoding_rs::Encoding::for_label(&label) {
                return Some(enc);
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The article text of a page, one paragraph per line.
pub fn extract(bytes: &[u8]) -> Result<String> {
    let text = decode(bytes)?;
    Ok(article_text(&text))
}

/// The article text of decoded HTML, one paragraph per line.
pub fn article_text(html: &str) -> String {
    let doc = Html::parse_document(&flatten_deep(html, MAX_DEPTH));
    let root = doc.tree.root();
    let body = root
        .descendants()
        .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "body"))
        .unwrap_or(root);
    let article = best_container(body).map_or(body, |c| widen_to_title(c, body));
    let mut buf = String::new();
    render(article, &mut buf);
    lines(&buf)
}

fn element_name<'a>(n: &NodeRef<'a, Node>) -> Option<&'a str> {
    match n.value() {
        Node::Element(e) => Some(e.name()),
        _ => None,
    }
}

/// True for an element that is page chrome by its tag or by its class/id.
fn is_chrome(n: &NodeRef<'_, Node>) -> bool {
    let Node::Element(e) = n.value() else {
        return false;
    };
    if DROP_TAGS.contains(&e.name()) {
        return true;
    }
    let attrs = [e.attr("class"), e.id()];
    attrs.iter().flatten().any(|v| {
        let v = v.to_ascii_lowercase();
        CHROME_NAMES.iter().any(|c| v.contains(c))
    }) || e.attr("style").is_some_and(|s| {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        s.to_ascii_lowercase().contains("display:none")
    })
}

/// Letters and digits (CJK included), the measure of "text" here.
fn text_weight(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// The element holding most non-link text in paragraph-like children (each `<p>`/`<li>`/
/// heading/cell credits its text to its parent; bare text credits its own block), widened
/// to an ancestor when it holds only a minor part of that ancestor's text.
fn best_container<'a>(body: NodeRef<'a, Node>) -> Option<NodeRef<'a, Node>> {
    let mut credit: std::collections::BTreeMap<ego_tree::NodeId, usize> = Default::default();
    let mut stack = vec![(body, false)];
    while let Some((n, in_link)) = stack.pop() {
        if is_chrome(&n) {
            continue;
        }
        if let Node::Text(t) = n.value() {
            if in_link {
                continue;
            }
            let w = text_weight(t);
            if w == 0 {
                continue;
            }
            // Nearest block ancestor; a paragraph-like one credits its container.
            let mut block = n.parent();
            while let Some(b) = block {
                match element_name(&b) {
                    Some(name) if BLOCK_TAGS.contains(&name) || PARA_TAGS.contains(&name) => break,
                    _ => block = b.parent(),
                }
            }
            let Some(b) = block else { continue };
            let target = if element_name(&b).is_some_and(|nm| PARA_TAGS.contains(&nm)) {
                b.ancestors()
                    .find(|a| {
                        element_name(a).is_some_and(|nm| {
                            !PARA_TAGS.contains(&nm) && nm != "tr" && nm != "tbody"
                        })
                    })
                    .unwrap_or(b)
            } else {
                b
            };
            *credit.entry(target.id()).or_default() += w;
            continue;
        }
        let link = in_link || element_name(&n) == Some("a");
        for c in n.children() {
            stack.push((c, link));
        }
    }
    let (&id, _) = credit
        .iter()
        .max_by_key(|(id, &w)| (w, std::cmp::Reverse(**id)))?;
    let mut best = body.tree().get(id)?;
    // An article cut into sibling blocks: climb while the block holds under 60% of its
    // parent's text.
    while best.id() != body.id() {
        let Some(parent) = best.parent().filter(|p| element_name(p).is_some()) else {
            break;
        };
        if (weight(best) as f64) < 0.6 * weight(parent) as f64 {
            best = parent;
        } else {
            break;
        }
    }
    Some(best)
}

/// Non-link text weight of a subtree, chrome excluded.
fn weight(n: NodeRef<'_, Node>) -> usize {
    let mut total = 0;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        match n.value() {
            Node::Text(t) => total += text_weight(t),
            Node::Element(e) if e.name() == "a" || is_chrome(&n) => {}
            _ => stack.extend(n.children()),
        }
    }
    total
}

/// The article's title often sits beside its text (`<h1>` above `<div class="content">`):
/// climb at most three levels, below `<body>`, to the first ancestor that has an `<h1>` or
/// `<h2>` outside chrome.
fn widen_to_title<'a>(c: NodeRef<'a, Node>, body: NodeRef<'a, Node>) -> NodeRef<'a, Node> {
    if has_title(c) {
        return c;
    }
    let mut cur = c;
    for _ in 0..3 {
        match cur.parent() {
            Some(p) if p.id() != body.id() && element_name(&p).is_some() => {
                if has_title(p) {
                    return p;
                }
                cur = p;
            }
            _ => break,
        }
    }
    c
}

fn has_title(n: NodeRef<'_, Node>) -> bool {
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        if is_chrome(&n) {
            continue;
        }
        if matches!(element_name(&n), Some("h1" | "h2")) {
            return true;
        }
        stack.extend(n.children());
    }
    false
}

/// Text of a subtree with [`BREAK`]s around block elements; chrome is skipped. Iterative:
/// a page may nest elements as deep as [`MAX_DEPTH`].
fn render(n: NodeRef<'_, Node>, out: &mut String) {
    enum Step<'a> {
        Enter(NodeRef<'a, Node>),
        Break,
    }
    let mut stack = vec![Step::Enter(n)];
    while let Some(step) = stack.pop() {
        let n = match step {
            Step::Break => {
                out.push(BREAK);
                continue;
            }
            Step::Enter(n) => n,
        };
        match n.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                if is_chrome(&n) {
                    continue;
                }
                let name = e.name();
                let block = BLOCK_TAGS.contains(&name);
                if block {
                    out.push(BREAK);
                    stack.push(Step::Break);
                }
                if name == "td" || name == "th" {
                    out.push(' ');
                }
                stack.extend(n.children().rev().map(Step::Enter));
            }
            Node::Document | Node::Fragment => {
                stack.extend(n.children().rev().map(Step::Enter));
            }
            _ => {}
        }
    }
}

/// Deepest element nesting handed to the HTML parser (as in browsers, which cap it at 512).
/// html5ever's tree builder searches its stack of open elements for many tags, so its time
/// grows with the square of the depth; deeper tags are dropped (their text is kept) first.
pub const MAX_DEPTH: usize = 512;

/// Elements that never hold content.
const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "bgsound", "frame", "image",
];

/// Elements closed implicitly by a sibling or their parent: they do not nest by themselves.
const IMPLIED_END_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot", "option", "optgroup", "rb",
    "rt", "rp", "rtc", "colgroup", "caption", "html", "head", "body",
];

/// Elements whose content is raw text, not markup.
const RAW_TEXT_TAGS: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// `html` with the start and end tags of elements nested deeper than `max` removed (their
/// text stays); borrowed unchanged when nothing is that deep. A linear scan that follows
/// the nesting as the parser will (void elements, implied end tags, raw text, comments).
pub fn flatten_deep(html: &str, max: usize) -> Cow<'_, str> {
    let b = html.as_bytes();
    let n = b.len();
    let mut open: Vec<String> = Vec::new();
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(p) = memchr_lt(&b[i..]) {
        let start = i + p;
        i = start + 1;
        if b[i..].starts_with(b"!--") {
            i = find(&b[i..], b"-->").map_or(n, |e| i + e + 3);
            continue;
        }
        let end_tag = b.get(i) == Some(&b'/');
        let name_at = if end_tag { i + 1 } else { i };
        if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            if matches!(b.get(i), Some(b'!' | b'?')) {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(n, |e| i + e + 1);
            }
            continue;
        }
        let name_end = b[name_at..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
            .map_or(n, |e| name_at + e);
        let name = html[name_at..name_end].to_ascii_lowercase();
        // The end of the tag, skipping quoted attribute values.
        let mut j = name_end;
        let mut quote = None;
        while j < n {
            match (quote, b[j]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            j += 1;
        }
        let tag_end = (j + 1).min(n);
        i = tag_end;
        let keep = if end_tag {
            match dropped.get_mut(&name) {
                Some(k) if *k > 0 => {
                    *k -= 1;
                    false
                }
                _ => {
                    if let Some(at) = open.iter().rposition(|o| *o == name) {
                        open.truncate(at);
                    }
                    true
                }
            }
        } else {
            if RAW_TEXT_TAGS.contains(&name.as_str()) {
                let close = format!("</{name}");
                i = find_ci(&b[i..], close.as_bytes()).map_or(n, |e| i + e);
                continue;
            }
            if VOID_TAGS.contains(&name.as_str()) || IMPLIED_END_TAGS.contains(&name.as_str()) {
                true
            } else if open.len() < max {
                open.push(name);
                true
            } else {
                *dropped.entry(name).or_default() += 1;
                false
            }
        };
        if !keep {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..start]);
            copied = tag_end;
        }
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
    }
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

/// Case-insensitive [`find`] of an ASCII lower-case needle.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Wide (CJK) characters and punctuation, between which a source line break vanishes.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Form lines: split at breaks, collapse white space (a run with a line break between two
/// wide characters disappears), trim, drop empty lines.
fn lines(buf: &str) -> String {
    let mut out = String::new();
    for raw in buf.split(BREAK) {
        let chars: Vec<char> = raw.chars().collect();
        let mut line = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                let start = i;
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                let run = &chars[start..i];
                let prev = line.chars().last();
                let next = chars.get(i).copied();
                let newline = run.iter().any(|&c| c == '\n' || c == '\r');
                let between_wide = prev.is_some_and(is_wide) && next.is_some_and(is_wide);
                let vanishes = newline && between_wide;
                if !vanishes && !line.is_empty() && next.is_some() {
                    line.push(' ');
                }
                continue;
            }
            line.push(c);
            i += 1;
        }
        if !line.is_empty() {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded() {
        let t = article_text(
            "<html><body><p>“双减”&amp;课后服务&nbsp;全覆盖&#x3002;&lt;试行&gt;</p></body></html>",
        );
        assert_eq!(t, "“双减”&课后服务 全覆盖。<试行>\n");
    }

    #[test]
    fn blocks_and_br_break_lines_inline_elements_do_not() {
        let t = article_text(
            "<body><div>一、总体情况<br>（一）<b>学前</b>教育<span>普惠</span></div>\
             <ul><li>甲项</li><li>乙项</li></ul><h3>二、问题</h3><p>第一段</p><p>第二段</p></body>",
        );
        assert_eq!(
            t,
            "一、总体情况\n（一）学前教育普惠\n甲项\n乙项\n二、问题\n第一段\n第二段\n"
        );
    }

    #[test]
    fn source_line_breaks_between_chinese_vanish_spaces_between_words_stay() {
        let t = article_text(
            "<body><p>全面落实\n   立德树人根本任务，推进 STEM\n education 教育</p></body>",
        );
        assert_eq!(t, "全面落实立德树人根本任务，推进 STEM education 教育\n");
    }

    #[test]
    fn chrome_is_removed_and_the_article_chosen() {
        let page = r#"<!DOCTYPE html><html><head><title>站点</title>
            <style>p { color: red }</style><script>var x = "<p>脚本文字</p>";</script></head>
            <body>
            <div class="top-nav"><a href="/">首页</a><a href="/a">机构概况</a><a href="/b">政务公开</a></div>
            <div class="breadcrumb">当前位置：首页 &gt; 工作动态</div>
            <div class="main"><div class="left-col">
              <h1>某县教育局2023年工作总结</h1>
              <div class="bshare-custom">分享到：微信 微博</div>
              <div class="article-content">
                <p>今年以来，我局坚持立德树人，各项工作取得新进展。</p>
                <p>一、落实“双减”政策，课后服务实现全覆盖，学生参与率稳步提高。</p>
                <p>二、推进学前教育普及普惠，新增公办学位一千余个。</p>
              </div>
              <div class="related"><h3>相关链接</h3><ul><li><a href="/x">某市教育局召开会议部署全年工作任务</a></li></ul></div>
            </div>
            <aside>热点新闻：某地开展校园安全大检查</aside></div>
            <div id="footer">版权所有 某县教育局 ICP备000号</div>
            </body></html>"#;
        let t = article_text(page);
        assert_eq!(
            t,
            "某县教育局2023年工作总结\n今年以来，我局坚持立德树人，各项工作取得新进展。\n\
             一、落实“双减”政策，课后服务实现全覆盖，学生参与率稳步提高。\n\
             二、推进学前教育普及普惠，新增公办学位一千余个。\n"
        );
    }

    #[test]
    fn gbk_page_with_meta_charset() {
        let page = "<html><head><meta charset=\"gbk\"></head><body><p>课后服务覆盖率100%。</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(page);
        assert_eq!(extract(&bytes).unwrap(), "课后服务覆盖率100%。\n");
        let old = "<html><head><META http-equiv=\"Content-Type\" content=\"text/html; charset=GB2312\"></head><body><p>平安校园</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(old);
        assert_eq!(meta_charset(&bytes), Some(encoding_rs::GBK));
        assert_eq!(extract(&bytes).unwrap(), "平安校园\n");
    }

    #[test]
    fn meta_charset_decides_bytes_that_are_also_valid_utf8() {
        // "浣犲ソ" in GBK is the UTF-8 encoding of "你好": only the declaration can tell.
        let body = "你好".as_bytes();
        let mut page = b"<html><head><meta charset=gbk></head><body><p>".to_vec();
        page.extend_from_slice(body);
        page.extend_from_slice(b"</p></body></html>");
        assert_eq!(extract(&page).unwrap(), "浣犲ソ\n");
        let mut page = b"<html><head><meta charset=utf-8></head><body><p>".to_vec();
        page.extend_from_slice(body);
        page.extend_from_slice(b"</p></body></html>");
        assert_eq!(extract(&page).unwrap(), "你好\n");
    }

    #[test]
    fn deep_nesting_is_flattened_and_its_text_kept() {
        let depth = 20_000;
        let page = format!(
            "<html><body><p>开头</p>{}<b>深处</b>文字{}<p>结尾</p></body></html>",
            "<span><div>".repeat(depth),
            "</div></span>".repeat(depth)
        );
        let flat = flatten_deep(&page, MAX_DEPTH);
        assert!(flat.matches("<div>").count() <= MAX_DEPTH, "not flattened");
        assert_eq!(article_text(&page), "开头\n深处文字\n结尾\n");
        // Pages within the limit pass unchanged; raw text and comments do not count.
        let ok = format!(
            "<body><script>{}</script><!-- {} --><p>正文</p></body>",
            "<div>".repeat(2000),
            "<div>".repeat(2000)
        );
        assert!(matches!(flatten_deep(&ok, MAX_DEPTH), Cow::Borrowed(_)));
        let paras = "<p>段落".repeat(5000);
        assert!(matches!(flatten_deep(&paras, MAX_DEPTH), Cow::Borrowed(_)));
    }

    #[test]
    fn declarations_the_bytes_contradict_are_not_believed() {
        // A declared UTF-16 on an ASCII page is UTF-8 (HTML standard).
        let page =
            "<html><head><meta charset=\"utf-16\"></head><body><p>课后服务全覆盖</p></body></html>";
        assert_eq!(extract(page.as_bytes()).unwrap(), "课后服务全覆盖\n");
        let ascii =
            b"<html><head><meta charset=utf-16le></head><body><p>Plain page</p></body></html>";
        assert_eq!(extract(ascii).unwrap(), "Plain page\n");
        // A page declared GBK whose bytes are UTF-8 Chinese.
        let lie =
            "<html><head><meta charset=gbk></head><body><p>落实立德树人根本任务</p></body></html>";
        assert_eq!(extract(lie.as_bytes()).unwrap(), "落实立德树人根本任务\n");
        // Bytes the declared encoding cannot decode go to detection (here: GBK after all).
        let (gbk, _, _) = encoding_rs::GBK.encode(
            "<html><head><meta charset=shift_jis></head><body><p>平安校园建设</p></body></html>",
        );
        assert_eq!(extract(&gbk).unwrap(), "平安校园建设\n");
    }

    #[test]
    fn table_rows_are_lines() {
        let t = article_text("<body><table><tr><td>项目</td><td>数量</td></tr><tr><td>新建幼儿园</td><td>3所</td></tr></table></body>");
        assert_eq!(t, "项目 数量\n新建幼儿园 3所\n");
    }
}
