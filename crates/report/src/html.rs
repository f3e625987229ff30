//! One self-contained HTML page for a [`Report`]: inline CSS, SVG and a few lines of script,
//! nothing fetched, readable offline and printable.
//!
//! Page structure (what tests and scripts can rely on):
//! - `section#compare` (two documents or more): `table.heat` with one `tr[data-doc]` per
//!   document and one `td[data-theme][data-share]` per theme; `ul.standout`.
//! - `section.doc#doc-K[data-doc]` per document: `svg.chart` with one
//!   `g.bar[data-theme][data-share][data-count]` per theme; `div.filter` chips; `table.figtable`;
//!   one `article.para[data-index][data-themes]` per paragraph whose `p.text` holds the
//!   paragraph text (evidence terms in `<mark>`), `span.chip[data-filter][title]` per theme
//!   (score and evidence in the title) and `ul.figs` with its key figures.
//!
//! All text is escaped. Each theme keeps one colour everywhere (by its position in the
//! model's theme list, which is sorted by id).

use std::fmt::Write;

use crate::document::{Document, Paragraph, Report};
use crate::figures::Figure;
use crate::profile::{self, round4, Direction, Profile, StandOutParams};

/// How the page is rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlOptions {
    /// Page title.
    pub title: String,
    /// When a theme share stands out across documents.
    pub stand_out: StandOutParams,
    /// At most this many "what stands out" lines.
    pub max_stand_out: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: "policytag report".into(),
            stand_out: StandOutParams::default(),
            max_stand_out: 8,
        }
    }
}

/// Escape text for HTML content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7",
    "#9c755f", "#17becf", "#bcbd22", "#d37295", "#8c6bb1", "#2f7f5f",
];

/// The colour of theme number `t` (fixed palette, then evenly spread hues).
pub fn colour(t: usize) -> String {
    match PALETTE.get(t) {
        Some(c) => c.to_string(),
        None => format!("hsl({}, 55%, 48%)", (t * 137) % 360),
    }
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// Render the whole page.
pub fn render(report: &Report, opts: &HtmlOptions) -> String {
    let profiles = profile::profiles(report);
    let mut h = String::with_capacity(1 << 16);
    let paragraphs: usize = profiles.iter().map(|p| p.paragraphs).sum();
    let figures: usize = profiles.iter().map(|p| p.figures).sum();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"policytag\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&opts.title)
    );
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} document{} · {} paragraphs · {} key figures</p>\n",
        escape(&opts.title),
        profiles.len(),
        if profiles.len() == 1 { "" } else { "s" },
        paragraphs,
        figures
    );
    h.push_str("<nav class=\"legend\">");
    for (t, th) in report.themes.iter().enumerate() {
        let _ = write!(
            h,
            "<span class=\"key\" style=\"--c:{}\" title=\"{}\"><i></i>{}</span>",
            colour(t),
            escape(&format!("{} — {}", th.id, th.description)),
            escape(&th.name)
        );
    }
    h.push_str("</nav>\n");
    if report.documents.len() > 1 {
        h.push_str("<nav class=\"docs\">");
        for (d, doc) in report.documents.iter().enumerate() {
            let _ = write!(h, "<a href=\"#doc-{d}\">{}</a>", escape(&doc.name));
        }
        h.push_str("</nav>\n");
    }
    h.push_str("</header>\n<main>\n");
    if report.documents.len() > 1 {
        compare(&mut h, report, &profiles, opts);
    }
    let max_share = profiles
        .iter()
        .flat_map(|p| p.themes.iter().map(|t| t.share))
        .fold(0.0f64, f64::max);
    for (d, (doc, prof)) in report.documents.iter().zip(&profiles).enumerate() {
        document(&mut h, report, d, doc, prof, max_share);
    }
    let _ = write!(h, "</main>\n<script>{JS}</script>\n</body>\n</html>\n");
    h
}

/// The documents × themes heat-map and the "what stands out" list.
fn compare(h: &mut String, report: &Report, profiles: &[Profile], opts: &HtmlOptions) {
    h.push_str(
        "<section id=\"compare\">\n<h2>Documents compared <small>share of paragraphs per theme</small></h2>\n\
         <div class=\"scroll\"><table class=\"heat\">\n<thead><tr><th class=\"dname\">document</th>",
    );
    for (t, th) in report.themes.iter().enumerate() {
        let _ = write!(
            h,
            "<th class=\"vert\" style=\"--c:{}\" title=\"{}\"><span>{}</span></th>",
            colour(t),
            escape(&th.id),
            escape(&th.name)
        );
    }
    h.push_str("<th class=\"num\">paragraphs</th></tr></thead>\n<tbody>\n");
    let max = profiles
        .iter()
        .flat_map(|p| p.themes.iter().map(|t| t.share))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    for (d, p) in profiles.iter().enumerate() {
        let _ = write!(
            h,
            "<tr data-doc=\"{}\"><th class=\"dname\"><a href=\"#doc-{d}\">{}</a></th>",
            escape(&p.doc),
            escape(&p.doc)
        );
        for (t, tc) in p.themes.iter().enumerate() {
            let a = tc.share / max;
            let _ = write!(
                h,
                "<td data-theme=\"{}\" data-share=\"{}\" data-doc-index=\"{d}\" data-filter=\"{}\" \
                 class=\"{}\" style=\"background:rgba(37,99,164,{:.3})\" title=\"{}\">{}</td>",
                escape(&tc.id),
                round4(tc.share),
                escape(&tc.id),
                if a > 0.55 { "hot" } else { "" },
                a * 0.9,
                escape(&format!(
                    "{} · {}: {} of {} paragraphs",
                    p.doc,
                    report.themes[t].name,
                    tc.count,
                    p.paragraphs
                )),
                if tc.count == 0 {
                    "·".to_string()
                } else {
                    pct(tc.share)
                }
            );
        }
        let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", p.paragraphs);
    }
    h.push_str("</tbody></table></div>\n<h3>What stands out</h3>\n<ul class=\"standout\">\n");
    let s = profile::stand_out(profiles, &opts.stand_out);
    if s.is_empty() {
        h.push_str("<li class=\"none\">No theme is far above or below the other documents.</li>\n");
    }
    for x in s.iter().take(opts.max_stand_out) {
        let th = &report.themes[x.theme];
        let ratio = if x.others > 0.0 {
            format!(" ({:.1}×)", x.share / x.others)
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<li class=\"{}\"><b>{}</b> — <span class=\"chip\" style=\"--c:{}\">{}</span> \
             {} of paragraphs vs {} in the others{}: <em>far {}</em></li>",
            match x.direction {
                Direction::High => "high",
                Direction::Low => "low",
            },
            escape(&profiles[x.doc].doc),
            colour(x.theme),
            escape(&th.name),
            pct(x.share),
            pct(x.others),
            ratio,
            match x.direction {
                Direction::High => "above",
                Direction::Low => "below",
            }
        );
    }
    h.push_str("</ul>\n</section>\n");
}

fn document(
    h: &mut String,
    report: &Report,
    d: usize,
    doc: &Document,
    prof: &Profile,
    max_share: f64,
) {
    let _ = write!(
        h,
        "<section class=\"doc\" id=\"doc-{d}\" data-doc=\"{}\">\n<h2>{}</h2>\n\
         <p class=\"meta\">{} paragraphs · {} without a theme · {} key figures</p>\n",
        escape(&doc.name),
        escape(&doc.name),
        prof.paragraphs,
        prof.untagged,
        prof.figures
    );
    h.push_str("<div class=\"top\">\n<figure class=\"profile\">\n<figcaption>Theme profile — share of paragraphs</figcaption>\n");
    chart(h, report, prof, max_share);
    h.push_str("</figure>\n");
    figure_table(h, report, d, doc);
    h.push_str("</div>\n<div class=\"filter\"><span>Show:</span><button class=\"chip all on\" data-filter=\"\">all paragraphs</button>");
    let mut order: Vec<usize> = (0..report.themes.len())
        .filter(|&t| prof.themes[t].count > 0)
        .collect();
    order.sort_by(|&a, &b| {
        prof.themes[b]
            .count
            .cmp(&prof.themes[a].count)
            .then(a.cmp(&b))
    });
    for t in order {
        let _ = write!(
            h,
            "<button class=\"chip\" style=\"--c:{}\" data-filter=\"{}\">{} <small>{}</small></button>",
            colour(t),
            escape(&report.themes[t].id),
            escape(&report.themes[t].name),
            prof.themes[t].count
        );
    }
    h.push_str("<span class=\"fstatus\"></span></div>\n<div class=\"paras\">\n");
    for p in &doc.paragraphs {
        paragraph(h, report, d, p);
    }
    h.push_str("</div>\n</section>\n");
}

/// Horizontal bars, one per theme, largest share first.
fn chart(h: &mut String, report: &Report, prof: &Profile, max_share: f64) {
    const ROW: usize = 24;
    const LABEL: usize = 168;
    const BAR: f64 = 300.0;
    let n = prof.themes.len();
    let height = n * ROW + 8;
    let width = LABEL + BAR as usize + 60;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        prof.themes[b]
            .share
            .total_cmp(&prof.themes[a].share)
            .then(a.cmp(&b))
    });
    let _ = writeln!(
        h,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"theme profile\">"
    );
    for (row, &t) in order.iter().enumerate() {
        let tc = &prof.themes[t];
        let y = row * ROW + 4;
        let w = if max_share > 0.0 {
            tc.share / max_share * BAR
        } else {
            0.0
        };
        let _ = writeln!(
            h,
            "<g class=\"bar{}\" data-filter=\"{}\" data-theme=\"{}\" data-share=\"{}\" data-count=\"{}\">\
             <title>{}</title>\
             <text class=\"lab\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" rx=\"3\" fill=\"{}\"/>\
             <text class=\"val\" x=\"{:.1}\" y=\"{}\">{}</text></g>",
            if tc.count == 0 { " zero" } else { "" },
            escape(&tc.id),
            escape(&tc.id),
            round4(tc.share),
            tc.count,
            escape(&format!(
                "{}: {} of {} paragraphs ({})",
                tc.name,
                tc.count,
                prof.paragraphs,
                pct(tc.share)
            )),
            LABEL - 8,
            y + 16,
            escape(&report.themes[t].name),
            y + 4,
            w,
            ROW - 8,
            colour(t),
            LABEL as f64 + w + 6.0,
            y + 16,
            if tc.count == 0 {
                "–".to_string()
            } else {
                format!("{} · {}", pct(tc.share), tc.count)
            }
        );
    }
    h.push_str("</svg>\n");
}

/// Key figures grouped by theme (a paragraph with two themes counts under both).
fn figure_table(h: &mut String, report: &Report, d: usize, doc: &Document) {
    let total: usize = doc.paragraphs.iter().map(|p| p.figures.len()).sum();
    let _ = write!(
        h,
        "<details class=\"figures\"{}>\n<summary>Key figures by theme ({total})</summary>\n",
        if total <= 40 { " open" } else { "" }
    );
    if total == 0 {
        h.push_str("<p class=\"none\">No figures with units found.</p>\n</details>\n");
        return;
    }
    h.push_str("<table class=\"figtable\"><thead><tr><th>theme</th><th>what</th><th>figure</th><th>¶</th></tr></thead><tbody>\n");
    for (t, th) in report.themes.iter().enumerate() {
        let rows: Vec<(&Paragraph, &Figure)> = doc
            .paragraphs
            .iter()
            .filter(|p| p.has(t))
            .flat_map(|p| p.figures.iter().map(move |f| (p, f)))
            .collect();
        for (i, (p, f)) in rows.iter().enumerate() {
            h.push_str("<tr>");
            if i == 0 {
                let _ = write!(
                    h,
                    "<td rowspan=\"{}\" class=\"th\"><span class=\"chip\" style=\"--c:{}\">{}</span></td>",
                    rows.len(),
                    colour(t),
                    escape(&th.name)
                );
            }
            let _ = writeln!(
                h,
                "<td>{}</td><td class=\"fig\">{}</td><td><a href=\"#d{d}-p{}\">{}</a></td></tr>",
                escape(&f.what),
                escape(&f.text),
                p.index,
                p.index
            );
        }
    }
    h.push_str("</tbody></table>\n</details>\n");
}

fn paragraph(h: &mut String, report: &Report, d: usize, p: &Paragraph) {
    let ids: Vec<&str> = p
        .labels
        .iter()
        .map(|(t, _)| report.themes[*t].id.as_str())
        .collect();
    let _ = writeln!(
        h,
        "<article class=\"para\" id=\"d{d}-p{}\" data-index=\"{}\" data-themes=\"{}\">",
        p.index,
        p.index,
        escape(&ids.join(" "))
    );
    let _ = write!(
        h,
        "<div class=\"ph\"><span class=\"pi\">¶{}</span>",
        p.index
    );
    if !p.heading.is_empty() {
        let _ = write!(h, "<span class=\"heading\">{}</span>", escape(&p.heading));
    }
    h.push_str("</div>\n<div class=\"pb\"><div class=\"pm\">");
    let _ = write!(
        h,
        "<p class=\"text\">{}</p>\n<div class=\"chips\">",
        marked(p)
    );
    if p.labels.is_empty() {
        let best = p
            .scores
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)));
        let title = match best {
            Some((t, s)) => format!("highest score: {} {:.2}", report.themes[t].name, s),
            None => String::new(),
        };
        let _ = write!(
            h,
            "<span class=\"chip none\" title=\"{}\">无主题 no theme</span>",
            escape(&title)
        );
    }
    let mut order: Vec<&(usize, Vec<String>)> = p.labels.iter().collect();
    order.sort_by(|a, b| p.scores[b.0].total_cmp(&p.scores[a.0]).then(a.0.cmp(&b.0)));
    for (t, ev) in order {
        let th = &report.themes[*t];
        let mut title = format!("{} ({}) score {:.3}", th.name, th.id, p.scores[*t]);
        if !ev.is_empty() {
            title.push_str(" · evidence: ");
            title.push_str(&ev.join(" · "));
        }
        let _ = write!(
            h,
            "<span class=\"chip\" style=\"--c:{}\" data-filter=\"{}\" data-score=\"{}\" title=\"{}\">{} <small>{:.2}</small></span>",
            colour(*t),
            escape(&th.id),
            round4(p.scores[*t]),
            escape(&title),
            escape(&th.name),
            p.scores[*t]
        );
    }
    h.push_str("</div></div>");
    if !p.figures.is_empty() {
        h.push_str("<ul class=\"figs\">");
        for f in &p.figures {
            let _ = write!(
                h,
                "<li data-value=\"{}\" data-unit=\"{}\"><span class=\"what\">{}</span> <b>{}</b></li>",
                f.value,
                escape(&f.unit),
                escape(if f.what.is_empty() { "—" } else { &f.what }),
                escape(&f.text)
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("</div>\n</article>\n");
}

/// The paragraph text, escaped, with evidence terms (two characters or more, no digits) in `<mark>`,
/// longest match first, in the colour of the theme they support.
fn marked(p: &Paragraph) -> String {
    let mut terms: Vec<(Vec<char>, usize)> = Vec::new();
    for (t, ev) in &p.labels {
        for e in ev {
            let chars: Vec<char> = e.chars().filter(|c| !c.is_whitespace()).collect();
            // Terms with digits or class tokens (`0套`, `<数>`) would mark pieces of numbers.
            let wordlike = chars
                .iter()
                .all(|c| !c.is_ascii_digit() && *c != '<' && *c != '>');
            if chars.len() >= 2 && wordlike && !terms.iter().any(|(c, _)| *c == chars) {
                terms.push((chars, *t));
            }
        }
    }
    terms.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
    let text: Vec<char> = p.text.chars().collect();
    let mut out = String::with_capacity(p.text.len() + 64);
    let mut plain = String::new();
    let mut i = 0;
    while i < text.len() {
        let hit = terms
            .iter()
            .find(|(c, _)| text.len() - i >= c.len() && text[i..i + c.len()] == c[..]);
        match hit {
            Some((c, t)) => {
                out.push_str(&escape(&plain));
                plain.clear();
                let s: String = c.iter().collect();
                let _ = write!(
                    out,
                    "<mark style=\"--c:{}\">{}</mark>",
                    colour(*t),
                    escape(&s)
                );
                i += c.len();
            }
            None => {
                plain.push(text[i]);
                i += 1;
            }
        }
    }
    out.push_str(&escape(&plain));
    out
}

const CSS: &str = r#"
:root{--ink:#1f2430;--muted:#667085;--line:#e4e7ec;--bg:#f7f8fa}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.7 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Noto Sans",sans-serif}
header{background:#fff;border-bottom:1px solid var(--line);padding:20px 32px 14px}
h1{margin:0;font-size:24px}h2{font-size:20px;margin:0 0 4px}h3{font-size:16px;margin:18px 0 6px}
h2 small{font-weight:normal;color:var(--muted);font-size:13px;margin-left:8px}
.meta{color:var(--muted);margin:2px 0 10px;font-size:13px}
nav.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}
.key i{display:inline-block;width:11px;height:11px;border-radius:3px;background:var(--c);margin-right:5px;vertical-align:-1px}
nav.docs{margin-top:8px;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 16px}
a{color:#2563a4;text-decoration:none}a:hover{text-decoration:underline}
main{padding:18px 32px;max-width:1400px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin-bottom:22px}
.scroll{overflow-x:auto}
table.heat{border-collapse:separate;border-spacing:2px;font-size:13px}
table.heat th.vert{vertical-align:bottom;padding:4px 2px;border-bottom:3px solid var(--c);font-weight:600}
table.heat th.vert span{writing-mode:vertical-rl;display:inline-block;white-space:nowrap;line-height:1.2;letter-spacing:1px}
table.heat td{width:54px;min-width:54px;text-align:center;border-radius:4px;padding:5px 2px;cursor:pointer;font-variant-numeric:tabular-nums}
table.heat td.hot{color:#fff;font-weight:600}
table.heat td.num{cursor:default;color:var(--muted)}
table.heat .dname{text-align:left;padding-right:12px;max-width:320px;word-break:break-all;font-weight:normal}
ul.standout{margin:0;padding-left:20px}ul.standout li{margin:3px 0}
ul.standout li.high em{color:#b42318;font-style:normal}ul.standout li.low em{color:#175cd3;font-style:normal}
.chip{display:inline-block;border:1px solid var(--c,#98a2b3);border-left:6px solid var(--c,#98a2b3);border-radius:12px;padding:0 9px;margin:2px 4px 2px 0;font-size:13px;line-height:22px;background:#fff;color:var(--ink);cursor:pointer;white-space:nowrap;font-family:inherit}
.chip small{color:var(--muted)}
.chip.none{border-color:#d0d5dd;color:var(--muted);cursor:default}
.chip.on{background:var(--c,#344054);color:#fff}.chip.on small{color:#fff}
.top{display:flex;flex-wrap:wrap;gap:20px 40px;align-items:flex-start;margin:10px 0}
figure.profile{margin:0}figcaption{font-size:13px;color:var(--muted);margin-bottom:4px}
svg.chart{font-size:13px;font-family:inherit;overflow:visible}
svg.chart .lab{fill:var(--ink)}svg.chart .val{fill:var(--muted);font-size:12px}
svg.chart g.bar{cursor:pointer}svg.chart g.bar:hover rect{opacity:.8}svg.chart g.zero .lab{fill:#98a2b3}
svg.chart g.on .lab{font-weight:700}
details.figures{flex:1;min-width:380px;max-height:420px;overflow:auto;font-size:13px}
details.figures summary{cursor:pointer;color:var(--muted);margin-bottom:4px}
table.figtable{border-collapse:collapse;width:100%}
table.figtable td,table.figtable th{border-bottom:1px solid var(--line);padding:2px 8px;text-align:left;vertical-align:top}
table.figtable td.fig{font-weight:600;white-space:nowrap}
.filter{position:sticky;top:0;background:#fff;z-index:2;padding:8px 0;border-bottom:1px solid var(--line);margin-bottom:6px}
.filter>span:first-child{color:var(--muted);font-size:13px;margin-right:6px}
.fstatus{color:var(--muted);font-size:13px;margin-left:8px}
article.para{padding:10px 0;border-bottom:1px dashed var(--line)}
article.para[hidden]{display:none}
.ph{font-size:12px;color:var(--muted)}.pi{font-variant-numeric:tabular-nums;margin-right:8px;color:#98a2b3}
.pb{display:flex;gap:24px;align-items:flex-start}.pm{flex:1;min-width:0}
p.text{margin:2px 0 4px}
mark{background:color-mix(in srgb,var(--c) 22%,#fff);border-bottom:2px solid var(--c);color:inherit;padding:0 1px;border-radius:2px}
ul.figs{list-style:none;margin:4px 0 0;padding:6px 10px;width:250px;flex:none;background:#f9fafb;border-left:3px solid #d0d5dd;font-size:13px;line-height:1.55}
ul.figs .what{color:var(--muted)}
.none{color:var(--muted)}
@media (max-width:800px){.pb{display:block}ul.figs{width:auto}main,header{padding:12px}}
@media print{
 body{background:#fff;font-size:11pt}header,section{border:none;padding:0}
 .filter,nav.docs{display:none}article.para[hidden]{display:block}
 section.doc{break-before:page}article.para{break-inside:avoid}
 details.figures{max-height:none;overflow:visible}
 .chip,mark,table.heat td{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:inherit}
}
"#;

const JS: &str = r#"
(function(){
 function apply(sec,id){
  sec.dataset.active=id;
  var n=0;
  sec.querySelectorAll('article.para').forEach(function(a){
   var show=!id||a.dataset.themes.split(' ').indexOf(id)>=0;a.hidden=!show;if(show)n++;});
  sec.querySelectorAll('[data-filter]').forEach(function(b){
   b.classList.toggle('on',b.dataset.filter===id);});
  var s=sec.querySelector('.fstatus');
  if(s)s.textContent=id?n+' paragraphs':'';
 }
 document.addEventListener('click',function(e){
  var t=e.target.closest('[data-filter]');if(!t)return;
  var sec=t.closest('section.doc');
  if(!sec&&t.dataset.docIndex!==undefined){sec=document.getElementById('doc-'+t.dataset.docIndex);}
  if(!sec)return;
  var id=t.dataset.filter;
  if(t.closest('section.doc')&&sec.dataset.active===id&&id)id='';
  apply(sec,id);
  if(!t.closest('section.doc'))sec.scrollIntoView();
 });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, Paragraph, Report};
    use policytag_data::LabelInfo;

    fn report() -> Report {
        let th = |id: &str, name: &str| LabelInfo {
            id: id.into(),
            name: name.into(),
            description: "<desc>".into(),
        };
        let docs = vec![
            Document {
                name: "a<b>&\"c\".txt".into(),
                paragraphs: vec![
                    Paragraph::new(
                        0,
                        "一、<标题>".into(),
                        "新建幼儿园3所，<script>alert(1)</script> & 新增学位1080个。".into(),
                        vec![0.97, 0.1],
                        vec![(
                            0,
                            vec!["幼儿园".into(), "新建".into(), "x".into(), "3所".into()],
                        )],
                    ),
                    Paragraph::new(1, String::new(), "其他。".into(), vec![0.1, 0.2], vec![]),
                ],
            },
            Document {
                name: "b.txt".into(),
                paragraphs: vec![Paragraph::new(
                    0,
                    String::new(),
                    "招聘教师90人。".into(),
                    vec![0.1, 0.9],
                    vec![(1, vec!["招聘教师".into()])],
                )],
            },
        ];
        Report::new(
            vec![th("preschool", "学前教育"), th("teachers", "教师")],
            docs,
        )
        .unwrap()
    }

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn all_text_is_escaped() {
        let page = render(&report(), &HtmlOptions::default());
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; "));
        assert!(!page.contains("a<b>"));
        assert!(page.contains("a&lt;b&gt;&amp;&quot;c&quot;.txt"));
        assert!(page.contains("一、&lt;标题&gt;"));
        assert!(!page.contains("<desc>"));
        // Exactly one script element: ours.
        assert_eq!(page.matches("<script>").count(), 1);
    }

    #[test]
    fn structure_one_article_per_paragraph_one_bar_per_theme_one_row_per_document() {
        let page = render(&report(), &HtmlOptions::default());
        assert_eq!(page.matches("<article class=\"para\"").count(), 3);
        assert_eq!(page.matches("<section class=\"doc\"").count(), 2);
        assert_eq!(page.matches("<g class=\"bar").count(), 4);
        assert_eq!(page.matches("<tr data-doc=").count(), 2);
        assert!(page.contains("data-theme=\"preschool\" data-share=\"0.5\" data-count=\"1\""));
        assert!(page.contains("data-theme=\"teachers\" data-share=\"1\" data-count=\"1\""));
        assert!(page.contains("data-themes=\"preschool\""));
        assert!(page.contains("无主题"));
        // No network: nothing is loaded from elsewhere.
        for bad in ["http://", "https://", "src=", "<link"] {
            let n = page.matches(bad).count();
            let allowed = if bad == "http://" { 2 } else { 0 }; // the SVG namespace, per chart
            assert!(n <= allowed, "{bad} appears {n} times");
        }
    }

    #[test]
    fn evidence_is_marked_longest_first_and_short_terms_skipped() {
        let r = report();
        let m = marked(&r.documents[0].paragraphs[0]);
        assert!(m.starts_with(
            "<mark style=\"--c:#4e79a7\">新建</mark><mark style=\"--c:#4e79a7\">幼儿园</mark>3所"
        ));
        assert!(!m.contains(">x<") && !m.contains(">3所<"));
        // Removing the marks gives back the escaped text.
        let plain = m
            .replace("<mark style=\"--c:#4e79a7\">", "")
            .replace("</mark>", "");
        assert_eq!(plain, escape(&r.documents[0].paragraphs[0].text));
    }

    #[test]
    fn figures_are_listed_beside_the_paragraph_and_in_the_theme_table() {
        let page = render(&report(), &HtmlOptions::default());
        assert!(page.contains("<span class=\"what\">新增学位</span> <b>1080个</b>"));
        assert!(page.contains("<td>招聘教师</td><td class=\"fig\">90人</td>"));
    }

    #[test]
    fn colours_are_fixed_per_theme_position() {
        assert_eq!(colour(0), "#4e79a7");
        assert_ne!(colour(1), colour(0));
        assert!(colour(20).starts_with("hsl("));
        let all: std::collections::BTreeSet<String> = (0..14).map(colour).collect();
        assert_eq!(all.len(), 14);
    }
}
