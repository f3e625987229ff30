//! Output sinks: stdout, or a file written atomically (temporary file, renamed when complete);
//! a device or FIFO is written directly. And the check that an output is not an input.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::exit::InputError;

/// Where output goes.
pub struct Sink {
    w: BufWriter<Box<dyn Write + Send>>,
    target: Option<(PathBuf, PathBuf)>,
}

impl Sink {
    /// Stdout, or a temporary file beside `path` that [`Sink::finish`] renames into place.
    pub fn open(path: Option<&Path>) -> Result<Sink> {
        match path {
            None => Ok(Sink {
                w: BufWriter::with_capacity(1 << 16, Box::new(std::io::stdout())),
                target: None,
            }),
            Some(p) if is_special(p) => {
                // A FIFO or a device (`/dev/null`, a terminal): renaming a regular file over
                // it would replace it, so write into it.
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .with_context(|| format!("writing {}", p.display()))?;
                Ok(Sink {
                    w: BufWriter::new(Box::new(f)),
                    target: None,
                })
            }
            Some(p) => {
                policytag_model::model::remove_stale_temps(p);
                let tmp = policytag_model::model::temp_path(p);
                let f = std::fs::File::create(&tmp)
                    .with_context(|| format!("writing {}", p.display()))?;
                Ok(Sink {
                    w: BufWriter::new(Box::new(f)),
                    target: Some((tmp, p.to_path_buf())),
                })
            }
        }
    }

    /// Flush, and move a file output into place.
    pub fn finish(mut self) -> Result<()> {
        self.w.flush().context("writing output")?;
        if let Some((tmp, path)) = self.target.take() {
            std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // An unfinished file output (error or interruption) is removed, never left half-written.
        if let Some((tmp, _)) = self.target.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// True when `path` exists and is neither a regular file nor a directory (a FIFO, a device).
pub fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Refuse an `--out` that is one of the `inputs`: the same file by device and inode, so hard
/// links, symbolic links and `dir/../` are caught too. Special files are never the same.
pub fn refuse_input_as_output<P: AsRef<Path>>(out: Option<&Path>, inputs: &[P]) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Some(out) = out.filter(|o| o.as_os_str() != "-") else {
        return Ok(());
    };
    let Some(o) = std::fs::metadata(out).ok().filter(|m| m.is_file()) else {
        return Ok(());
    };
    for input in inputs {
        let input = input.as_ref();
        if let Ok(m) = std::fs::metadata(input) {
            if m.dev() == o.dev() && m.ino() == o.ino() {
                return Err(InputError(format!(
                    "--out {} is also an input ({}): refusing to overwrite it",
                    out.display(),
                    input.display()
                ))
                .into());
            }
        }
    }
    Ok(())
}

/// Quote a CSV field when needed.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Round a probability for output.
pub fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// Append `s` as a JSON string literal, escaped exactly as serde_json escapes it (`"`, `\\`
/// and control characters; everything else verbatim).
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Nearly every string needs no escape: check all bytes without branching (vectorised).
    if !bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Append a number as serde_json writes an `f64` (shortest round-trip form, `.0` on whole
/// numbers, `null` for non-finite values).
pub fn json_f64(out: &mut String, x: f64) {
    // A score rounded to 4 decimals (what `tag` prints) is written from its integer
    // ten-thousandths: the shortest form of k/10⁴ is its decimal digits, trailing zeros cut.
    if (0.0..=1.0).contains(&x) && x.is_sign_positive() {
        let k = (x * 10000.0).round();
        if k / 10000.0 == x {
            let k = k as u32;
            out.push(if k == 10000 { '1' } else { '0' });
            out.push('.');
            let f = k % 10000;
            let digits = [f / 1000, f / 100 % 10, f / 10 % 10, f % 10];
            let n = digits.iter().rposition(|&d| d != 0).map_or(1, |p| p + 1);
            for &d in &digits[..n] {
                out.push(char::from(b'0' + d as u8));
            }
            return;
        }
    }
    // Anything else (never a score) is left to serde_json itself.
    out.push_str(&serde_json::to_string(&x).unwrap_or_else(|_| "null".into()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_writers_match_serde_json() {
        for s in [
            "",
            "学前教育",
            "a\"b\\c/d",
            "tab\tnl\ncr\r\u{8}\u{c}\u{1}\u{1f}\u{7f}",
            "“引号”与\u{2028}分隔",
        ] {
            let mut out = String::new();
            json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        // Every score tag can print, and numbers outside that range.
        let extra = [1e-5, 9.9e-6, 123456.789, 1e16, 1e300, -0.0, -2.5, f64::NAN];
        for x in (0..=10000).map(|k| round4(k as f64 / 10000.0)).chain(extra) {
            let mut out = String::new();
            json_f64(&mut out, x);
            assert_eq!(out, serde_json::to_string(&x).unwrap(), "{x}");
        }
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("学前教育"), "学前教育");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说“好”\"x\""), "\"说“好”\"\"x\"\"\"");
    }

    #[test]
    fn file_sink_is_atomic() {
        let dir = std::env::temp_dir().join(format!("policytag-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("out.txt");
        std::fs::write(&p, "old").unwrap();
        {
            let mut s = Sink::open(Some(&p)).unwrap();
            s.write_all(b"half").unwrap();
            // Dropped without finish(): the old file stays and no temporary is left.
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        let mut s = Sink::open(Some(&p)).unwrap();
        s.write_all(b"new").unwrap();
        s.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
