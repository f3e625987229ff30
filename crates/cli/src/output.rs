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
            Some(p) if policytag_data::atomic::is_special(p) => {
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
                policytag_data::atomic::remove_stale_temps(p);
                let tmp = policytag_data::atomic::temp_path(p);
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

/// Write `bytes` to `path` atomically, or to stdout when there is no path.
pub fn write_all(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    let mut sink = Sink::open(path)?;
    sink.write_all(bytes).context("writing output")?;
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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
