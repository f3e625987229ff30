//! Embeds `models/default.model` into the library (an empty placeholder while none exists,
//! so the very first `policytag train` can be built).
use std::path::Path;

fn main() {
    // Read at run time: a build script compiled elsewhere (a moved checkout, a copied target
    // directory) must still embed this checkout's model.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let src = Path::new(&manifest).join("../../models/default.model");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("default.model");
    println!("cargo:rerun-if-changed={}", src.display());
    match std::fs::read(&src) {
        Ok(bytes) => std::fs::write(&out, bytes).unwrap(),
        Err(_) => std::fs::write(&out, b"").unwrap(),
    }
}
