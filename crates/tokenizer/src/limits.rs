//! Size limits for files that are read whole, and the reader that enforces them.
//!
//! A report, data file or model is read into memory in one piece; a file without an end
//! (`/dev/zero`, an endless pipe) or a gigantic one must stop with a clear error at a known
//! size instead of growing until the machine runs out of memory. The limits are generous
//! for real inputs (a year of a bureau's reports is a few megabytes).

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// One mebibyte.
pub const MIB: u64 = 1 << 20;

/// Largest text or web page read whole (standard input, pipes, `.html`): 64 MiB.
pub const TEXT: u64 = 64 * MIB;

/// Largest Word or PDF document read whole: 256 MiB (they carry images we do not read).
pub const DOCUMENT: u64 = 256 * MIB;

/// Largest JSONL data file, import or export file, or model file: 256 MiB.
pub const DATA: u64 = 256 * MIB;

/// Largest configuration file (a themes TOML): 4 MiB.
pub const CONFIG: u64 = 4 * MIB;

/// Largest text a document may expand to after extraction (an HTML page's article, a Word
/// document's `word/document.xml`, a PDF's decoded streams): 64 MiB.
pub const EXTRACTED: u64 = 64 * MIB;

/// Read all of `r`, failing with [`Error::TooLarge`] once it holds more than `limit` bytes
/// (`what` names the kind of input in the message, e.g. `"a model file"`).
pub fn read_to_end(r: impl Read, limit: u64, what: &'static str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(Error::TooLarge { limit, what });
    }
    Ok(buf)
}

/// Read the file at `path` whole, up to `limit` bytes (see [`read_to_end`]). Works the same
/// on regular files, pipes and devices: nothing is read past the limit.
pub fn read_file(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    if f.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory, not a file",
        )));
    }
    read_to_end(f, limit, what)
}

/// A size in MiB for messages (`64 MiB`).
pub fn mib(bytes: u64) -> String {
    if bytes != 0 && bytes.trailing_zeros() >= 20 {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_the_limit() {
        assert_eq!(read_to_end(&b"abc"[..], 3, "x").unwrap(), b"abc");
        let e = read_to_end(std::io::repeat(0), 10, "a test file").unwrap_err();
        assert!(matches!(e, Error::TooLarge { limit: 10, .. }), "{e}");
        assert!(e.to_string().contains("a test file"), "{e}");
        assert!(e.is_bad_input());
    }

    #[test]
    fn endless_device_is_refused() {
        let p = Path::new("/dev/zero");
        if p.exists() {
            let e = read_file(p, MIB, "a model file").unwrap_err();
            assert!(matches!(e, Error::TooLarge { .. }), "{e}");
        }
    }
}
