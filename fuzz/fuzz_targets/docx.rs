//! Word extraction on arbitrary bytes: a zip archive goes through `docx::extract` (zip,
//! size cap, XML), anything else is taken as `word/document.xml` itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policytag_extract::docx;

fuzz_target!(|bytes: &[u8]| {
    let text = if bytes.starts_with(b"PK") {
        docx::extract(bytes)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(xml) => docx::document_text(xml),
            Err(_) => return,
        }
    };
    if let Ok(text) = text {
        for line in text.lines() {
            assert!(!line.is_empty() && line.trim() == line, "{line:?}");
        }
    }
});
