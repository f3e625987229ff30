//! The JSONL and interchange readers on arbitrary text: our corpus JSONL (strict, skipping
//! and with optional labels), and doccano, fastText and Label Studio (JSON, JSON_MIN, CSV)
//! imports.
//!
//! Checks, beyond "no panic": what an import accepts is written back as our corpus JSONL
//! and read again unchanged; what the doccano and Label Studio exports write from a corpus
//! is imported back with the same ids, texts and labels (labels as the import normalises
//! them: trimmed, sorted, without repeats).
#![no_main]

use std::collections::BTreeSet;
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
    if let Ok(items) = interchange::read_for_export(path, text) {
        let labelled: Vec<_> = items.into_iter().filter(|it| it.labelled).collect();
        let want: Vec<_> = labelled
            .iter()
            .map(|it| {
                let labels: BTreeSet<&str> = it.example.labels.iter().map(|l| l.trim()).collect();
                let labels: Vec<&str> = labels.into_iter().collect();
                (it.example.id.as_deref(), it.example.text.as_str(), labels)
            })
            .collect();
        for (f, out) in [
            (Format::Doccano, interchange::write_doccano(&labelled)),
            (
                Format::LabelStudio,
                interchange::write_labelstudio(&labelled, None),
            ),
        ] {
            if let Ok(back) = interchange::import(f, path, &out, &labels, opts) {
                let got: Vec<_> = back
                    .examples
                    .iter()
                    .map(|e| {
                        let labels: Vec<&str> = e.labels.iter().map(String::as_str).collect();
                        (e.id.as_deref(), e.text.as_str(), labels)
                    })
                    .collect();
                assert_eq!(got.len(), want.len(), "{f:?}");
                for (g, w) in got.iter().zip(&want) {
                    assert!(w.0.is_none() || g.0 == w.0, "{f:?}: {g:?} vs {w:?}");
                    assert_eq!((g.1, &g.2), (w.1, &w.2), "{f:?}");
                }
            }
        }
    }
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
