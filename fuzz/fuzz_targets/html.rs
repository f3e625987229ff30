//! Web-page extraction on arbitrary bytes: decode (BOM, `<meta charset>`, detection), cap
//! the nesting, parse, pick the article, form lines.
//!
//! Checks, beyond "no panic": the text has one non-empty, trimmed paragraph per line, and
//! flattening is idempotent (a flattened page has nothing left to flatten).
#![no_main]

use libfuzzer_sys::fuzz_target;
use policytag_extract::html;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = html::extract(bytes) {
        for line in text.lines() {
            assert!(!line.is_empty() && line.trim() == line, "{line:?}");
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        let flat = html::flatten_deep(s, 8);
        assert_eq!(html::flatten_deep(&flat, 8), flat.as_ref());
    }
});
