//! Property tests on decode → clean → segment → tokenize.

use policytag_tokenizer::{decode, SegmentParams, Segmenter, TextSettings, Tokenizer};
use proptest::prelude::*;
use std::sync::OnceLock;

fn tokenizer() -> &'static Tokenizer {
    static T: OnceLock<Tokenizer> = OnceLock::new();
    T.get_or_init(|| Tokenizer::new(TextSettings::default()).unwrap())
}

/// Report-like text: CJK words, enumeration markers, punctuation of both widths, digits,
/// traditional characters, odd whitespace and every kind of line end.
fn reportish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "教育",
        "学校",
        "課後服務",
        "双减",
        "幼儿园",
        "安全",
        "教师",
        "（一）",
        "(二)",
        "一、",
        "二是",
        "三是",
        "1.",
        "１．",
        "（3）",
        "【篇一】",
        "。",
        "，",
        "；",
        "：",
        "！",
        "?",
        "、",
        "“",
        "”",
        "《",
        "》",
        "2021年",
        "3月",
        "100%",
        "424.9万元",
        " ",
        "\u{3000}",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "\u{FEFF}",
        "ＡＢＣ",
        "abc",
        "學前教育",
        "投入",
        "新增学位",
    ]);
    prop::collection::vec(atoms, 0..400).prop_map(|v| v.concat())
}

fn segmenter() -> Segmenter {
    // Small limits so that cutting paths are exercised by short inputs.
    SegmentParams::default()
        .max_chars(40)
        .min_chars(6)
        .hard_max_chars(80)
        .check()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn segment_and_tokenize_never_panic(s in ".{0,600}") {
        for p in Segmenter::default().segment(&s) {
            let _ = tokenizer().tokenize(&p.text);
        }
        let _ = tokenizer().tokenize(&s);
    }

    #[test]
    fn offsets_map_back_into_the_source(s in reportish()) {
        let chars: Vec<char> = s.chars().collect();
        let mut last_end = 0;
        for (i, p) in segmenter().segment(&s).iter().enumerate() {
            prop_assert_eq!(p.index, i);
            prop_assert!(p.start >= last_end && p.end > p.start && p.end <= chars.len());
            prop_assert_eq!(chars[p.start..p.end].iter().collect::<String>(), p.text.clone());
            prop_assert!(p.text.chars().count() <= 80);
            last_end = p.end;
        }
    }

    #[test]
    fn segmenting_is_idempotent(s in reportish()) {
        let seg = segmenter();
        let first: Vec<String> = seg.segment(&s).into_iter().map(|p| p.text).collect();
        let again: Vec<String> = seg.segment(&first.join("\n")).into_iter().map(|p| p.text).collect();
        prop_assert_eq!(first, again);
    }

    #[test]
    fn decoded_gbk_equals_source(s in reportish()) {
        // GBK has no byte-order mark character; a leading CJK word makes the bytes non-UTF-8.
        let s = format!("教育{}", s.replace('\u{FEFF}', ""));
        let (bytes, _, lossy) = encoding_rs::GBK.encode(&s);
        prop_assert!(!lossy);
        prop_assert_eq!(decode(&bytes).unwrap().0, s);
    }

    #[test]
    fn streaming_agrees_with_whole_file_decoding(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..600),
            reportish().prop_map(|s| s.into_bytes()),
            reportish().prop_map(|s| encoding_rs::GBK.encode(&s).0.into_owned()),
            reportish().prop_map(|s| {
                let mut b = vec![0xFF, 0xFE];
                b.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
                b
            }),
        ]
    ) {
        use policytag_tokenizer::stream::{sniff, Lines};
        match (decode(&bytes), sniff(bytes.as_slice())) {
            (Ok((text, enc)), Ok(sniffed)) => {
                prop_assert_eq!(enc, sniffed);
                let seg = Segmenter::default();
                let mut state = seg.stream();
                let mut got = Vec::new();
                let mut lines = Lines::new(bytes.as_slice(), enc);
                while let Some((line, at)) = lines.next_line().unwrap() {
                    state.line(&line, at, &mut got);
                }
                prop_assert_eq!(got, seg.segment(&text));
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "whole {:?} vs streamed {:?}", a.map(|x| x.1), b),
        }
    }
}
