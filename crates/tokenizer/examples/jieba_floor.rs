//! The speed floor for tagging: jieba-rs alone (same dictionary as the tokenizer, no HMM)
//! cutting every line of a file. Prints JSON: bytes, seconds, MB/s.
//! Usage: cargo run --release --example jieba_floor -- FILE

fn main() {
    let path = std::env::args().nth(1).expect("usage: jieba_floor FILE");
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let mut jieba = jieba_rs::Jieba::empty();
    jieba
        .load_dict(&mut std::io::Cursor::new(
            policytag_tokenizer::tokenize::GENERAL_DICT.as_bytes(),
        ))
        .expect("dictionary");
    let t0 = std::time::Instant::now();
    let mut words = 0usize;
    for line in text.lines() {
        words += jieba.cut(line, false).len();
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{{\"bytes\": {}, \"words\": {}, \"seconds\": {:.3}, \"mb_per_s\": {:.3}}}",
        text.len(),
        words,
        secs,
        text.len() as f64 / secs / 1e6
    );
}
