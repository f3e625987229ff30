//! PDF extraction on arbitrary bytes: the guard (decoded sizes, loops, depth), then the
//! reader on its own thread. A stack overflow or an abort is a finding; the reader's own
//! panics are caught and reported as errors by the crate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policytag_extract::pdf;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = pdf::extract(bytes) {
        for line in text.lines() {
            assert!(!line.is_empty() && line.trim() == line, "{text:?}");
        }
    }
});
