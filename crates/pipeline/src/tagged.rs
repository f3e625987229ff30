//! Tagged paragraphs: a [`Paragraph`] with its scores, labels and evidence, serialised as
//! one line of `policytag tag --format jsonl`.

use std::sync::Arc;

use policytag_data::csv::field;
use policytag_model::predict::Evidence;
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use crate::document::Paragraph;

/// The label ids of a model, with their order by id (the key order of JSON maps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelIds {
    ids: Vec<String>,
    by_id: Vec<usize>,
    /// Each label's JSON key with its colon (`"aid":`), in id order: written once here, not
    /// escaped again for every line.
    keys: Vec<String>,
}

impl LabelIds {
    /// From label ids in model (column) order.
    pub fn new(ids: Vec<String>) -> LabelIds {
        let mut by_id: Vec<usize> = (0..ids.len()).collect();
        by_id.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
        let keys = by_id
            .iter()
            .map(|&l| {
                let mut k = String::new();
                json_str(&mut k, &ids[l]);
                k.push(':');
                k
            })
            .collect();
        LabelIds { ids, by_id, keys }
    }

    /// The ids, in model order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Label indices in id order.
    pub fn by_id(&self) -> &[usize] {
        &self.by_id
    }
}

/// A paragraph with the model's opinion of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedParagraph {
    /// The paragraph.
    pub paragraph: Paragraph,
    /// Calibrated probability of every label, in model label order.
    pub scores: Vec<f64>,
    /// Indices of the labels given (score at or above the threshold), in label order.
    pub labels: Vec<usize>,
    /// When evidence was asked for: the terms behind each given label, parallel to
    /// `labels`, strongest first.
    pub evidence: Option<Vec<Vec<Evidence>>>,
    ids: Arc<LabelIds>,
}

/// Round a probability to 4 decimals, as every output prints it.
pub fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

impl TaggedParagraph {
    /// Put together a tagged paragraph (the [`Pipeline`](crate::Pipeline) does this).
    pub fn new(
        paragraph: Paragraph,
        scores: Vec<f64>,
        labels: Vec<usize>,
        evidence: Option<Vec<Vec<Evidence>>>,
        ids: Arc<LabelIds>,
    ) -> TaggedParagraph {
        TaggedParagraph {
            paragraph,
            scores,
            labels,
            evidence,
            ids,
        }
    }

    /// The model's label ids, in model order.
    pub fn label_ids(&self) -> &[String] {
        self.ids.ids()
    }

    /// The ids of the labels given, in label order.
    pub fn given(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(|&l| self.ids.ids[l].as_str())
    }

    /// The evidence terms of a given label (by index), if evidence was kept.
    pub fn evidence_of(&self, label: usize) -> Option<&[Evidence]> {
        let k = self.labels.iter().position(|&l| l == label)?;
        self.evidence.as_ref().map(|e| e[k].as_slice())
    }

    /// Append this paragraph's JSONL line (with its newline) to `out`: the same bytes as
    /// `serde_json::to_string(self)` plus `\n`, written by hand as `tag`'s hot path.
    pub fn write_json_line(&self, out: &mut String) {
        let p = &self.paragraph;
        let ids = &self.ids.ids;
        // Room for the whole line, so it is written without growing the buffer again: the
        // text, the heading path, the names and ids, the document's fields and the scores
        // (`"id":0.1234` a label).
        let heading: usize = p.heading.iter().map(|h| h.len() + HEADING_SEP.len()).sum();
        let document = p.document.as_ref().map_or(0, |d| d.json_len_hint());
        out.reserve(
            p.text.len() + heading + p.id.len() + p.doc.len() + document + 96 + 24 * ids.len(),
        );
        out.push_str("{\"id\":");
        json_str(out, &p.id);
        out.push_str(",\"doc\":");
        json_str(out, &p.doc);
        if let Some(d) = &p.document {
            d.write_json_fields(out);
        }
        out.push_str(",\"paragraph\":");
        {
            use std::fmt::Write;
            let _ = write!(out, "{}", p.index);
        }
        out.push_str(",\"heading\":");
        json_str_joined(out, &p.heading, HEADING_SEP);
        out.push_str(",\"text\":");
        json_str(out, &p.text);
        out.push_str(",\"labels\":[");
        for (k, &l) in self.labels.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            json_str(out, &ids[l]);
        }
        out.push_str("],\"scores\":{");
        for (k, (&l, key)) in self.ids.by_id.iter().zip(&self.ids.keys).enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(key);
            json_score(out, self.scores[l]);
        }
        out.push('}');
        if self.evidence.is_some() {
            out.push_str(",\"evidence\":{");
            let mut first = true;
            for &l in &self.ids.by_id {
                let Some(ev) = self.evidence_of(l) else {
                    continue;
                };
                if !first {
                    out.push(',');
                }
                first = false;
                json_str(out, &ids[l]);
                out.push_str(":[");
                for (j, e) in ev.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    json_str(out, &e.term);
                }
                out.push(']');
            }
            out.push('}');
        }
        out.push_str("}\n");
    }
}

impl TaggedParagraph {
    /// The header of `tag --format csv`: fixed columns, then one score column per label
    /// (model order).
    pub fn csv_header(label_ids: &[String]) -> String {
        let mut s = String::from("id,doc,paragraph,heading,labels,text");
        for id in label_ids {
            s.push(',');
            s.push_str(&field(id));
        }
        s.push('\n');
        s
    }

    /// Append this paragraph's `tag --format csv` row (given labels joined by `;`, scores
    /// rounded to 4 decimals in model order).
    pub fn write_csv_row(&self, out: &mut String) {
        use std::fmt::Write as _;
        let p = &self.paragraph;
        let given: Vec<&str> = self.given().collect();
        let _ = write!(
            out,
            "{},{},{},{},{},{}",
            field(&p.id),
            field(&p.doc),
            p.index,
            field(&p.heading_path()),
            field(&given.join(";")),
            field(&p.text)
        );
        for v in &self.scores {
            let _ = write!(out, ",{}", round4(*v));
        }
        out.push('\n');
    }
}

/// JSON: `{"id","doc","paragraph","heading","text","labels":[ids],"scores":{id: p},
/// "evidence"?:{id: [terms]}}` — scores rounded to 4 decimals and keyed in id order,
/// evidence (when kept) for the given labels in id order.
impl Serialize for TaggedParagraph {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Labels<'a>(&'a TaggedParagraph);
        impl Serialize for Labels<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.given())
            }
        }
        struct Scores<'a>(&'a TaggedParagraph);
        impl Serialize for Scores<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let t = self.0;
                let mut m = s.serialize_map(Some(t.scores.len()))?;
                for &l in &t.ids.by_id {
                    m.serialize_entry(&t.ids.ids[l], &round4(t.scores[l]))?;
                }
                m.end()
            }
        }
        struct Terms<'a>(&'a [Evidence]);
        impl Serialize for Terms<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|e| &e.term))
            }
        }
        struct EvidenceMap<'a>(&'a TaggedParagraph);
        impl Serialize for EvidenceMap<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let t = self.0;
                let mut m = s.serialize_map(Some(t.labels.len()))?;
                for &l in &t.ids.by_id {
                    if let Some(ev) = t.evidence_of(l) {
                        m.serialize_entry(&t.ids.ids[l], &Terms(ev))?;
                    }
                }
                m.end()
            }
        }
        let p = &self.paragraph;
        let n = if self.evidence.is_some() { 8 } else { 7 } + 7 * usize::from(p.document.is_some());
        let mut st = s.serialize_struct("TaggedParagraph", n)?;
        st.serialize_field("id", &p.id)?;
        st.serialize_field("doc", &p.doc)?;
        if let Some(d) = &p.document {
            d.serialize_fields(&mut st)?;
        }
        st.serialize_field("paragraph", &p.index)?;
        st.serialize_field("heading", &p.heading_path())?;
        st.serialize_field("text", &p.text)?;
        st.serialize_field("labels", &Labels(self))?;
        st.serialize_field("scores", &Scores(self))?;
        if self.evidence.is_some() {
            st.serialize_field("evidence", &EvidenceMap(self))?;
        }
        st.end()
    }
}

/// What joins a paragraph's headings for display ([`Paragraph::heading_path`]).
pub const HEADING_SEP: &str = " › ";

/// Append `s` as a JSON string literal, escaped exactly as serde_json escapes it (`"`, `\\`
/// and control characters; everything else verbatim).
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    json_escaped(out, s);
    out.push('"');
}

/// Append `parts` joined by `sep` as one JSON string literal, as [`json_str`] of the joined
/// string (escaping is per byte, and `sep` must need none) without building it.
pub fn json_str_joined(out: &mut String, parts: &[String], sep: &str) {
    debug_assert!(!sep.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
    out.push('"');
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            out.push_str(sep);
        }
        json_escaped(out, p);
    }
    out.push('"');
}

/// The body of [`json_str`]: `s` escaped, without the quotes.
fn json_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Nearly every string needs no escape: check all bytes without branching (vectorised).
    if !bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Append a score as [`json_f64`] writes it [`round4`]ed, rounding once: a probability's
/// ten-thousandths are its digits.
fn json_score(out: &mut String, x: f64) {
    if (0.0..=1.0).contains(&x) && x.is_sign_positive() {
        write_ten_thousandths(out, (x * 10000.0).round() as u32);
    } else {
        json_f64(out, round4(x));
    }
}

/// Append `k / 10⁴` (`k` ≤ 10⁴) in its shortest form: `0.25`, `1.0`, `0.0`.
fn write_ten_thousandths(out: &mut String, k: u32) {
    out.push(if k == 10000 { '1' } else { '0' });
    out.push('.');
    let f = k % 10000;
    let digits = [f / 1000, f / 100 % 10, f / 10 % 10, f % 10];
    let n = digits.iter().rposition(|&d| d != 0).map_or(1, |p| p + 1);
    for &d in &digits[..n] {
        out.push(char::from(b'0' + d as u8));
    }
}

/// Append a number as serde_json writes an `f64` (shortest round-trip form, `.0` on whole
/// numbers, `null` for non-finite values).
pub fn json_f64(out: &mut String, x: f64) {
    // A score rounded to 4 decimals (what `tag` prints) is written from its integer
    // ten-thousandths: the shortest form of k/10⁴ is its decimal digits, trailing zeros cut.
    if (0.0..=1.0).contains(&x) && x.is_sign_positive() {
        let k = (x * 10000.0).round();
        if k / 10000.0 == x {
            write_ten_thousandths(out, k as u32);
            return;
        }
    }
    // Anything else (never a score) is left to serde_json itself.
    out.push_str(&serde_json::to_string(&x).unwrap_or_else(|_| "null".into()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_json_strings_equal_the_joined_string() {
        let parts: Vec<String> = ["一、总体", "", "a\"b\\c", "\n\t\u{1}x", "（二）双减"]
            .map(String::from)
            .to_vec();
        for n in 0..=parts.len() {
            let mut want = String::new();
            json_str(&mut want, &parts[..n].join(HEADING_SEP));
            let mut got = String::new();
            json_str_joined(&mut got, &parts[..n], HEADING_SEP);
            assert_eq!(got, want);
            assert_eq!(
                want,
                serde_json::to_string(&parts[..n].join(HEADING_SEP)).unwrap()
            );
        }
    }

    #[test]
    fn json_writers_match_serde_json() {
        for s in [
            "",
            "学前教育",
            "a\"b\\c/d",
            "tab\tnl\ncr\r\u{8}\u{c}\u{1}\u{1f}\u{7f}",
            "“引号”与\u{2028}分隔",
        ] {
            let mut out = String::new();
            json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        // Every score tag can print, and numbers outside that range.
        let extra = [1e-5, 9.9e-6, 123456.789, 1e16, 1e300, -0.0, -2.5, f64::NAN];
        for x in (0..=10000).map(|k| round4(k as f64 / 10000.0)).chain(extra) {
            let mut out = String::new();
            json_f64(&mut out, x);
            assert_eq!(out, serde_json::to_string(&x).unwrap(), "{x}");
        }
    }

    #[test]
    fn scores_print_as_their_rounded_value() {
        // Halfway points, their neighbours, a dense sweep and values outside 0..=1.
        let mut xs: Vec<f64> = (0..=20000).map(|k| k as f64 / 20000.0).collect();
        for k in 0..10000 {
            let half = (k as f64 + 0.5) / 10000.0;
            xs.extend([
                half,
                f64::from_bits(half.to_bits() - 1),
                f64::from_bits(half.to_bits() + 1),
            ]);
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            xs.push((state >> 11) as f64 / (1u64 << 53) as f64);
        }
        xs.extend([
            1e-300,
            0.99995,
            0.999949999,
            -0.0,
            -1e-9,
            1.0000001,
            f64::NAN,
        ]);
        for x in xs {
            let (mut a, mut b) = (String::new(), String::new());
            json_score(&mut a, x);
            json_f64(&mut b, round4(x));
            assert_eq!(a, b, "{x:e}");
            assert_eq!(a, serde_json::to_string(&round4(x)).unwrap(), "{x:e}");
        }
    }

    fn tagged(evidence: bool, heading: Vec<String>, text: &str) -> TaggedParagraph {
        let ids = Arc::new(LabelIds::new(vec![
            "zeta".into(),
            "aid".into(),
            "m\"x".into(),
        ]));
        let paragraph = Paragraph {
            doc: "dir/a \"b\".txt".into(),
            index: 12,
            id: "id\\7".into(),
            heading,
            start: 3,
            end: 9,
            text: text.into(),
            normalized: None,
            chrome_checked: false,
            document: None,
        };
        let ev = |t: &str| Evidence {
            term: t.into(),
            weight: 1.0,
        };
        let evidence = evidence.then(|| vec![vec![ev("双减"), ev("课后\n服务")], vec![]]);
        TaggedParagraph::new(
            paragraph,
            vec![0.91234, 0.00004, 0.5],
            vec![0, 2],
            evidence,
            ids,
        )
    }

    fn with_document(mut t: TaggedParagraph, title: Option<&str>) -> TaggedParagraph {
        t.paragraph.document = Some(Arc::new(crate::document::DocumentHead {
            index: 2,
            first: 10,
            title: title.map(str::to_string),
            meta: crate::DocumentMeta {
                bureau: Some("某区教育局".into()),
                region: None,
                years: vec![2021, 2022],
                kind: Some("summary+plan".into()),
                date: None,
            },
        }));
        t
    }

    #[test]
    fn hand_written_line_is_serde_json_byte_for_byte() {
        for t in [
            tagged(false, vec![], "全面落实“双减”。"),
            tagged(true, vec!["一、".into(), "（二）".into()], "tab\there"),
            tagged(
                false,
                vec!["\"一\"\\".into(), "\n".into(), "三".into()],
                "x",
            ),
            tagged(true, vec![], ""),
            with_document(
                tagged(false, vec![], "x"),
                Some("某区“教育局”\\2021年工作总结"),
            ),
            with_document(tagged(true, vec![], "x"), None),
        ] {
            let mut line = String::new();
            t.write_json_line(&mut line);
            assert_eq!(line, serde_json::to_string(&t).unwrap() + "\n");
        }
        let s = serde_json::to_string(&tagged(true, vec![], "x")).unwrap();
        // Labels in model order; scores keyed in id order, rounded; evidence for the given
        // labels only, in id order.
        assert!(s.contains(",\"labels\":[\"zeta\",\"m\\\"x\"],\"scores\":{\"aid\":0.0,\"m\\\"x\":0.5,\"zeta\":0.9123},\"evidence\":{\"m\\\"x\":[],\"zeta\":[\"双减\",\"课后\\n服务\"]}}"), "{s}");
    }
}
