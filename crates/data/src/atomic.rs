//! Writing a file whole or not at all: through a temporary file beside it and a rename; an
//! output [`Sink`] (stdout, or such a file); and the check that an output is not an input.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The temporary file beside `path` that an atomic write goes through
/// (`dir/.name.tmp-PID`, on the same file system so that the rename is atomic).
pub fn temp_path(path: &Path) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Remove temporary files beside `path` (see [`temp_path`]) that a process killed in the
/// middle of a write left behind: those whose process is gone. Best effort; on systems
/// without `/proc` nothing is removed.
pub fn remove_stale_temps(path: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// True when `path` exists and is neither a regular file nor a directory (a FIFO, a device).
pub fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename (a
/// FIFO or device is written directly: a rename would replace it).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if is_special(path) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(io);
    }
    remove_stale_temps(path);
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Where output goes: stdout, or a temporary file beside the target that [`Sink::finish`]
/// renames into place (a FIFO or device is written directly). Dropped unfinished (an error,
/// an interruption), the temporary file is removed: an output is never half-written.
pub struct Sink {
    w: BufWriter<Box<dyn Write + Send>>,
    target: Option<(PathBuf, PathBuf)>,
}

impl Sink {
    /// Stdout (`None`), or the file at `path`.
    pub fn open(path: Option<&Path>) -> Result<Sink> {
        let io = |p: &Path| {
            let path = p.to_path_buf();
            move |source| Error::Io { path, source }
        };
        match path {
            None => Ok(Sink {
                w: BufWriter::with_capacity(1 << 16, Box::new(std::io::stdout())),
                target: None,
            }),
            Some(p) if is_special(p) => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .map_err(io(p))?;
                Ok(Sink {
                    w: BufWriter::new(Box::new(f)),
                    target: None,
                })
            }
            Some(p) => {
                remove_stale_temps(p);
                let tmp = temp_path(p);
                let f = std::fs::File::create(&tmp).map_err(io(p))?;
                Ok(Sink {
                    w: BufWriter::new(Box::new(f)),
                    target: Some((tmp, p.to_path_buf())),
                })
            }
        }
    }

    /// Flush, and move a file output into place.
    pub fn finish(mut self) -> Result<()> {
        let path = self.target.as_ref().map(|t| t.1.clone());
        let io = |source| Error::Io {
            path: path.clone().unwrap_or_else(|| "standard output".into()),
            source,
        };
        self.w.flush().map_err(io)?;
        if let Some((tmp, path)) = self.target.take() {
            std::fs::rename(&tmp, &path).map_err(io)?;
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
        if let Some((tmp, _)) = self.target.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Refuse an output `out` that is one of the `inputs`: the same file by device and inode, so
/// hard links, symbolic links and `dir/../` are caught too (`-` and special files never are).
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
                return Err(Error::Input(format!(
                    "--out {} is also an input ({}): refusing to overwrite it",
                    out.display(),
                    input.display()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temporary_files_are_removed_live_ones_kept() {
        let dir = Dir::new("atomic");
        let target = dir.path().join("out.jsonl");
        // No process has pid 4294967295; this process is alive.
        let stale = dir.path().join(".out.jsonl.tmp-4294967295");
        let live = temp_path(&target);
        let other = dir.path().join(".other.jsonl.tmp-4294967295");
        for p in [&stale, &live, &other] {
            std::fs::write(p, "x").unwrap();
        }
        write_atomic(&target, b"data").unwrap();
        assert!(!stale.exists());
        assert!(other.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"data");
    }

    #[test]
    fn sink_is_atomic() {
        let dir = Dir::new("sink");
        let p = dir.path().join("out.txt");
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
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_input_is_not_an_output() {
        let dir = Dir::new("inout");
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "x").unwrap();
        let via_dots = dir.path().join("sub/../a.jsonl");
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        let e = refuse_input_as_output(Some(&via_dots), &[&a]).unwrap_err();
        assert!(e.to_string().contains("is also an input"), "{e}");
        let b = dir.path().join("b.jsonl");
        std::fs::write(&b, "y").unwrap();
        assert!(refuse_input_as_output(Some(&b), &[&a]).is_ok());
        assert!(refuse_input_as_output(Some(Path::new("-")), &[&a]).is_ok());
    }

    /// A directory removed when dropped.
    struct Dir(std::path::PathBuf);

    impl Dir {
        /// A fresh directory `policytag-NAME-PID` under the system's temporary directory.
        fn new(name: &str) -> Dir {
            let p = std::env::temp_dir().join(format!("policytag-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
