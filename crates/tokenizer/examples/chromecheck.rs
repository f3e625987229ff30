use std::io::BufRead;
fn main() {
    for line in std::io::stdin().lock().lines() {
        let l = line.unwrap();
        if policytag_tokenizer::is_chrome(&l) {
            println!("{}", l.chars().take(60).collect::<String>());
        }
    }
}
