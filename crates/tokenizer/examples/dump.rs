use policytag_tokenizer::segment::marker_at;
use policytag_tokenizer::{DocumentReader, Event, Segmenter};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let seg = Segmenter::default();
    let mut r = DocumentReader::new(&seg);
    let mut out = Vec::new();
    let mut at = 0;
    for line in policytag_tokenizer::segment::split_lines(&text) {
        r.line(line, at, &mut out);
        at += line.chars().count() + 1;
    }
    r.finish(&mut out);
    let mut prev: Vec<String> = Vec::new();
    for e in out {
        match e {
            Event::Document(d) => {
                let m = d.metadata;
                println!(
                    "DOC\t{}\t{}\t{}\t{:?}\t{}\t{}",
                    m.title.unwrap_or_default(),
                    m.bureau.unwrap_or_default(),
                    m.region.unwrap_or_default(),
                    m.years,
                    m.kind.map(|k| k.as_str()).unwrap_or(""),
                    m.date.unwrap_or_default()
                );
                prev.clear();
            }
            Event::Paragraph(p) => {
                let mut heads = Vec::new();
                for (i, h) in p.heading.iter().enumerate() {
                    if prev.get(i) != Some(h) || heads.len() > 0 {
                        heads.push(marker_at(h).map(|m| m.0).unwrap_or(9));
                    }
                }
                prev = p.heading.clone();
                println!(
                    "P\t{}\t{}\t{:?}\t{}",
                    p.start,
                    p.end,
                    heads,
                    p.text
                        .chars()
                        .take(40)
                        .collect::<String>()
                        .replace('\n', "⏎")
                );
            }
        }
    }
}
