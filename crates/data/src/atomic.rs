//! Writing a file whole or not at all: through a temporary file beside it and a rename.

use std::path::Path;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temporary_files_are_removed_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("policytag-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dir = Dir(dir);
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

    /// A directory removed when dropped.
    struct Dir(std::path::PathBuf);

    impl Dir {
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
