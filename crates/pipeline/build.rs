//! Embeds `models/default.model` into the library (an empty placeholder while none exists,
//! so the very first `policytag train` can be built).
use std::path::Path;

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/default.model");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("default.model");
    println!("cargo:rerun-if-changed={}", src.display());
    match std::fs::read(&src) {
        Ok(bytes) => std::fs::write(&out, bytes).unwrap(),
        Err(_) => std::fs::write(&out, b"").unwrap(),
    }
}
