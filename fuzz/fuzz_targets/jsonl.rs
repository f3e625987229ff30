//! The JSONL and interchange readers on arbitrary text: our corpus JSONL (strict, skipping
//! and with optional labels), and doccano, fastText and Label Studio (JSON, JSON_MIN, CSV)
//! imports.
//!
//! Checks, beyond "no panic": what an import accepts is written back as our corpus JSONL
//! and read again unchanged.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use policytag_data::interchange::{self, Format, ImportOptions, LabelSet};
use policytag_data::jsonl::{read_jsonl_str, ReadOptions};
use policytag_data::label::LabelInfo;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let path = Path::new("fuzz.jsonl");
    for (skip_bad, labels_optional) in [(false, false), (true, false), (false, true)] {
        let opts = ReadOptions {
            skip_bad,
            labels_optional,
        };
        let _ = read_jsonl_str(path, text, opts);
    }
    let labels = LabelSet::new(
        ["aid", "safety", "teachers"]
            .iter()
            .map(|id| LabelInfo {
                id: id.to_string(),
                name: id.to_string(),
                description: String::new(),
            })
            .collect(),
    );
    let opts = ImportOptions {
        allow_unknown: true,
    };
    for f in [Format::Doccano, Format::FastText, Format::LabelStudio] {
        if let Ok(imported) = interchange::import(f, path, text, &labels, opts) {
            let corpus = interchange::write_corpus(&imported.examples);
            let back = read_jsonl_str(path, &corpus, ReadOptions::default());
            if let Ok(back) = back {
                assert_eq!(back.examples, imported.examples);
            }
        }
    }
});
