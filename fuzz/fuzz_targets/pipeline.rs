//! decode → clean → segment → tokenize on arbitrary bytes, whole-file and streaming.
//!
//! Checks, beyond "no panic": streaming agrees with whole-file decoding, paragraph
//! offsets map back into the decoded text, and segmenting is idempotent.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use policytag_tokenizer::stream::{sniff, Lines};
use policytag_tokenizer::{decode, Segmenter, TextSettings, Tokenizer};

fn tokenizer() -> &'static Tokenizer {
    static T: OnceLock<Tokenizer> = OnceLock::new();
    T.get_or_init(|| Tokenizer::new(TextSettings::default()).unwrap())
}

fuzz_target!(|bytes: &[u8]| {
    let seg = Segmenter::default();
    let whole = decode(bytes);
    let sniffed = sniff(bytes);
    assert_eq!(whole.is_ok(), sniffed.is_ok(), "{whole:?} vs {sniffed:?}");
    let Ok((text, enc)) = whole else { return };
    assert_eq!(enc, sniffed.unwrap());
    let paras = seg.segment(&text);
    let mut state = seg.stream();
    let mut streamed = Vec::new();
    let mut lines = Lines::new(bytes, enc);
    while let Some((line, at)) = lines.next_line().unwrap() {
        state.line(&line, at, &mut streamed);
    }
    assert_eq!(streamed, paras);
    let chars: Vec<char> = text.chars().collect();
    for p in &paras {
        let src: String = chars[p.start..p.end].iter().collect();
        assert_eq!(src, p.text);
        let _ = tokenizer().tokenize(&p.text);
    }
    let joined: String = paras
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let again: Vec<String> = seg.segment(&joined).into_iter().map(|p| p.text).collect();
    let once: Vec<String> = paras.into_iter().map(|p| p.text).collect();
    assert_eq!(again, once);
});
