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
    for e in out {
        match e {
            Event::Document(d) => println!("DOC {:?}", d),
            Event::Paragraph(p) => println!(
                "P {} {}..{} [{}] {}",
                p.index,
                p.start,
                p.end,
                p.heading_path(),
                p.text.chars().take(50).collect::<String>()
            ),
        }
    }
}
